// 04: retained messages (MQTT 3.1.1 section 3.3.1.3).
#include <map>
#include <string>

#include "harness.h"

namespace tern::blackbox {
namespace {

// [MQTT-3.3.1-5]: a retained message is stored; [MQTT-3.3.1-6], [MQTT-3.3.1-8]: a new
// subscription gets it, with the retain flag set.
TEST(Retain04, StoredAndSentOnSubscribeWithRetainFlag) {
  BrokerProcess broker;
  RawClient pub(broker);
  pub.connect_ok("retain-pub");
  pub.publish("ret/t", "kept", QoS::at_least_once, true);
  pub.disconnect();

  RawClient sub(broker);
  sub.connect_ok("retain-sub");
  sub.subscribe("ret/t", QoS::at_least_once);
  mqtt::Publish got = sub.receive_publish();
  EXPECT_EQ(got.topic, "ret/t");
  EXPECT_EQ(got.payload, "kept");
  EXPECT_TRUE(got.retain);
  EXPECT_EQ(got.qos, QoS::at_least_once);
  sub.expect_nothing();
}

// [MQTT-3.3.1-5]: a new retained message replaces the one before, whatever its QoS
// ([MQTT-3.3.1-7] for QoS 0).
TEST(Retain04, NewRetainedMessageReplacesTheOld) {
  BrokerProcess broker;
  RawClient pub(broker);
  pub.connect_ok("replace-pub");
  pub.publish("rep/t", "old", QoS::exactly_once, true);
  pub.publish("rep/t", "new", QoS::at_most_once, true);
  pub.send(mqtt::Pingreq{});  // the QoS 0 PUBLISH is processed before the PINGRESP comes back
  pub.expect<mqtt::Pingresp>();

  RawClient sub(broker);
  sub.connect_ok("replace-sub");
  sub.subscribe("rep/t", QoS::exactly_once);
  mqtt::Publish got = sub.receive_publish();
  EXPECT_EQ(got.payload, "new");
  EXPECT_EQ(got.qos, QoS::at_most_once) << "the stored message keeps its own QoS";
  sub.expect_nothing();
}

// [MQTT-3.3.1-10], [MQTT-3.3.1-11]: a retained PUBLISH with an empty payload is delivered as
// usual to current subscribers and deletes the retained message; it is not stored itself.
TEST(Retain04, EmptyPayloadDeletesTheRetainedMessage) {
  BrokerProcess broker;
  RawClient current(broker);
  current.connect_ok("current-sub");
  current.subscribe("del/t", QoS::at_least_once);
  RawClient pub(broker);
  pub.connect_ok("delete-pub");
  pub.publish("del/t", "to delete", QoS::at_least_once, true);
  EXPECT_EQ(current.receive_publish().payload, "to delete");
  pub.publish("del/t", "", QoS::at_least_once, true);
  mqtt::Publish empty = current.receive_publish();
  EXPECT_EQ(empty.payload, "");
  EXPECT_FALSE(empty.retain) << "[MQTT-3.3.1-9]";

  RawClient late(broker);
  late.connect_ok("late-sub");
  late.subscribe("del/t", QoS::at_least_once);
  late.expect_nothing();
}

// [MQTT-3.3.1-9]: a message forwarded to an existing subscription has the retain flag cleared,
// whether or not it was published with it.
TEST(Retain04, RetainFlagIsClearedOnNormalForwarding) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("flag-sub");
  sub.subscribe("flag/t", QoS::at_least_once);
  RawClient pub(broker);
  pub.connect_ok("flag-pub");
  pub.publish("flag/t", "live", QoS::at_least_once, true);
  mqtt::Publish got = sub.receive_publish();
  EXPECT_EQ(got.payload, "live");
  EXPECT_FALSE(got.retain);
}

// Retained messages are matched with wildcards: a subscription gets every retained message its
// filter matches, each once.
TEST(Retain04, WildcardSubscriptionGetsEveryMatchingRetainedMessage) {
  BrokerProcess broker;
  RawClient pub(broker);
  pub.connect_ok("wild-retain-pub");
  std::map<std::string, std::string> expected;
  for (std::string topic : {"w", "w/a", "w/b", "w/a/deep", "x/a"}) {
    pub.publish(topic, "payload of " + topic, QoS::at_least_once, true);
    if (topic.starts_with("w")) expected[topic] = "payload of " + topic;
  }
  RawClient sub(broker);
  sub.connect_ok("wild-retain-sub");
  sub.subscribe("w/#", QoS::at_least_once);
  std::map<std::string, std::string> got;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    mqtt::Publish publish = sub.receive_publish();
    EXPECT_TRUE(publish.retain);
    got[publish.topic] = publish.payload;
  }
  EXPECT_EQ(got, expected);
  sub.expect_nothing();

  RawClient plus(broker);
  plus.connect_ok("plus-retain-sub");
  plus.subscribe("+/a", QoS::at_most_once);
  std::map<std::string, std::string> plus_got;
  for (int i = 0; i < 2; ++i) {
    mqtt::Publish publish = plus.expect<mqtt::Publish>();
    plus_got[publish.topic] = publish.payload;
  }
  EXPECT_EQ(plus_got, (std::map<std::string, std::string>{{"w/a", "payload of w/a"},
                                                          {"x/a", "payload of x/a"}}));
  plus.expect_nothing();
}

// A retained message is sent at the lower of its QoS and the subscription's.
TEST(Retain04, RetainedMessageQosIsCappedBySubscription) {
  BrokerProcess broker;
  RawClient pub(broker);
  pub.connect_ok("cap-pub");
  pub.publish("cap/t", "q2", QoS::exactly_once, true);
  RawClient sub(broker);
  sub.connect_ok("cap-sub");
  sub.subscribe("cap/t", QoS::at_least_once);
  mqtt::Publish got = sub.receive_publish();
  EXPECT_EQ(got.qos, QoS::at_least_once);
  EXPECT_TRUE(got.retain);
}

// [MQTT-3.8.4-3]: re-subscribing to a filter re-sends the retained messages it matches.
TEST(Retain04, ResubscribeResendsRetainedMessages) {
  BrokerProcess broker;
  RawClient pub(broker);
  pub.connect_ok("resend-pub");
  pub.publish("again/t", "again", QoS::at_most_once, true);
  pub.send(mqtt::Pingreq{});
  pub.expect<mqtt::Pingresp>();
  RawClient sub(broker);
  sub.connect_ok("resend-sub");
  sub.subscribe("again/t", QoS::at_most_once);
  EXPECT_EQ(sub.expect<mqtt::Publish>().payload, "again");
  sub.subscribe("again/t", QoS::at_most_once);
  mqtt::Publish second = sub.expect<mqtt::Publish>();
  EXPECT_EQ(second.payload, "again");
  EXPECT_TRUE(second.retain);
}

// [MQTT-3.8.4-4]: the SUBACK comes before the retained messages of the new subscription.
TEST(Retain04, SubackComesBeforeRetainedMessages) {
  BrokerProcess broker;
  RawClient pub(broker);
  pub.connect_ok("order-retain-pub");
  pub.publish("first/t", "retained", QoS::at_least_once, true);
  RawClient sub(broker);
  sub.connect_ok("order-retain-sub");
  mqtt::Subscribe subscribe;
  subscribe.packet_id = 5;
  subscribe.subscriptions.push_back({"first/t", QoS::at_least_once});
  sub.send(subscribe);
  EXPECT_EQ(sub.expect<mqtt::Suback>().packet_id, 5);
  EXPECT_EQ(sub.expect<mqtt::Publish>().payload, "retained");
}

// A retained message published by a client that then leaves outlives it, and is kept for each
// topic separately.
TEST(Retain04, RetainedMessagesOutliveTheirPublisher) {
  BrokerProcess broker;
  {
    RawClient pub(broker);
    pub.connect_ok("leaving-pub");
    pub.publish("outlive/1", "one", QoS::at_least_once, true);
    pub.publish("outlive/2", "two", QoS::at_least_once, true);
  }
  RawClient sub(broker);
  sub.connect_ok("outlive-sub");
  sub.subscribe("outlive/2", QoS::at_least_once);
  EXPECT_EQ(sub.receive_publish().payload, "two");
  sub.subscribe("outlive/1", QoS::at_least_once);
  EXPECT_EQ(sub.receive_publish().payload, "one");
}

// retain_available false: a PUBLISH with the retain flag closes the connection (as MQTT 5.0
// requires; 3.1.1 has no other way to refuse it) and is not delivered.
TEST(Retain04, RetainUnavailableRefusesRetainedPublish) {
  BrokerProcess broker("retain_available false");
  RawClient sub(broker);
  sub.connect_ok("unavailable-sub");
  sub.subscribe("na/t", QoS::at_most_once);
  RawClient pub(broker);
  pub.connect_ok("unavailable-pub");
  pub.send(make_publish("na/t", "retained", QoS::at_least_once, 1, true));
  EXPECT_TRUE(pub.expect_closed());
  sub.expect_nothing();
}

}  // namespace
}  // namespace tern::blackbox
