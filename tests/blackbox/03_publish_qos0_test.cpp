// 03: PUBLISH at QoS 0 (MQTT 3.1.1 sections 3.3 and 4.3.1), delivered QoS, order, topic names.
#include <algorithm>
#include <string>

#include "harness.h"

namespace tern::blackbox {
namespace {

// [MQTT-4.3.1-1]: QoS 0 is sent once, with no packet id and no acknowledgement either way.
TEST(Qos0Publish03, DeliveredWithoutAcknowledgement) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("q0-sub");
  sub.subscribe("q0/t", QoS::exactly_once);
  RawClient pub(broker);
  pub.connect_ok("q0-pub");
  pub.publish("q0/t", "fire and forget");
  pub.expect_nothing(100ms);  // nothing comes back to the publisher
  mqtt::Publish got = sub.expect<mqtt::Publish>();
  EXPECT_EQ(got.topic, "q0/t");
  EXPECT_EQ(got.payload, "fire and forget");
  EXPECT_EQ(got.qos, QoS::at_most_once);
  EXPECT_FALSE(got.dup) << "[MQTT-3.3.1-2]";
  EXPECT_FALSE(got.retain);
}

TEST(Qos0Publish03, PublishBytesAreExact) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("bytes-sub");
  sub.subscribe("b", QoS::at_most_once);
  RawClient pub(broker);
  pub.connect_ok("bytes-pub");
  pub.send_bytes(raw_packet(0x30, concat({field("b"), {'h', 'i'}})));
  auto packet = sub.receive();
  ASSERT_TRUE(packet);
  EXPECT_EQ(sub.encode(*packet), (Bytes{0x30, 0x05, 0x00, 0x01, 'b', 'h', 'i'}));
}

// [MQTT-3.8.4-6] and section 3.3.5: the delivered QoS is the lower of the PUBLISH's QoS and the
// subscription's granted QoS.
TEST(Qos0Publish03, DeliveredQosIsTheMinimumOfPublishAndSubscription) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("min-sub");
  sub.subscribe(
      {{"min/0", QoS::at_most_once}, {"min/1", QoS::at_least_once}, {"min/2", QoS::exactly_once}});
  RawClient pub(broker);
  pub.connect_ok("min-pub");
  for (int sub_qos = 0; sub_qos <= 2; ++sub_qos) {
    for (int pub_qos = 0; pub_qos <= 2; ++pub_qos) {
      SCOPED_TRACE("publish QoS " + std::to_string(pub_qos) + ", subscription QoS " +
                   std::to_string(sub_qos));
      pub.publish("min/" + std::to_string(sub_qos), "m", static_cast<QoS>(pub_qos));
      mqtt::Publish got = sub.receive_publish();
      EXPECT_EQ(static_cast<int>(got.qos), std::min(pub_qos, sub_qos));
    }
  }
  sub.expect_nothing();
}

// [MQTT-4.6.0-5]: PUBLISHes to a subscriber, for the same topic and QoS, go in the order the
// broker received them. Sixty QoS 1 messages: more than the in-flight window (20), so most of
// them wait in the session's queue first.
TEST(Qos0Publish03, MessagesOfATopicKeepTheirOrder) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("order-sub");
  sub.subscribe("order/t", QoS::exactly_once);
  RawClient pub(broker);
  pub.connect_ok("order-pub");
  constexpr int kCount = 60;
  Bytes burst;
  for (int i = 0; i < kCount; ++i) {
    auto id = static_cast<std::uint16_t>(i + 1);
    burst = concat(
        {burst, pub.encode(make_publish("order/t", std::to_string(i), QoS::at_least_once, id))});
  }
  pub.send_bytes(burst);
  for (int i = 0; i < kCount; ++i) {
    mqtt::Publish got = sub.receive_publish();
    ASSERT_EQ(got.payload, std::to_string(i));
  }
}

// The same with the three QoS levels mixed: the order holds within each QoS. (QoS 0 messages
// are not held back by the QoS 1/2 window, so they may overtake queued ones.)
TEST(Qos0Publish03, MixedQosKeepsTheOrderOfEachQos) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("mixed-sub");
  sub.subscribe("mixed/t", QoS::exactly_once);
  RawClient pub(broker);
  pub.connect_ok("mixed-pub");
  constexpr int kCount = 90;
  Bytes burst;
  std::uint16_t id = 0;
  for (int i = 0; i < kCount; ++i) {
    auto qos = static_cast<QoS>(i % 3);
    burst = concat({burst, pub.encode(make_publish("mixed/t", std::to_string(i), qos,
                                                   qos == QoS::at_most_once ? 0 : ++id))});
  }
  pub.send_bytes(burst);
  int last[3] = {-1, -1, -1};
  for (int n = 0; n < kCount; ++n) {
    mqtt::Publish got = sub.receive_publish();
    int i = std::stoi(got.payload);
    int qos = static_cast<int>(got.qos);
    ASSERT_EQ(i % 3, qos);
    EXPECT_GT(i, last[qos]) << "QoS " << qos << " message " << i << " after " << last[qos];
    last[qos] = i;
  }
}

// A client subscribed to its own topic gets its own messages (no "no local" before MQTT 5.0).
TEST(Qos0Publish03, PublisherReceivesItsOwnMessage) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("echo");
  client.subscribe("echo/t", QoS::at_most_once);
  client.publish("echo/t", "me");
  EXPECT_EQ(client.expect<mqtt::Publish>().payload, "me");
}

// Payloads are carried unchanged: empty, binary, and large (several TCP segments).
TEST(Qos0Publish03, PayloadsAreDeliveredIntact) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("payload-sub");
  sub.subscribe("payload", QoS::at_least_once);
  RawClient pub(broker);
  pub.connect_ok("payload-pub");
  std::string binary;
  for (int i = 0; i < 256; ++i)
    binary.push_back(static_cast<char>(i));
  std::string large(300 * 1024, 'L');
  for (std::size_t i = 0; i < large.size(); i += 997)
    large[i] = static_cast<char>('a' + i % 26);
  for (const std::string& payload : {std::string(), binary, large}) {
    pub.publish("payload", payload, QoS::at_least_once);
    mqtt::Publish got = sub.receive_publish();
    EXPECT_EQ(got.payload.size(), payload.size());
    EXPECT_TRUE(got.payload == payload);
  }
}

// Topic names with wildcards are not allowed in PUBLISH [MQTT-3.3.2-2]; the connection closes
// and nothing is delivered.
TEST(Qos0Publish03, WildcardInTopicNameIsClosed) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("wild-sub");
  sub.subscribe("#", QoS::at_most_once);
  for (std::string topic : {"a/+", "a/#", "#", "+"}) {
    SCOPED_TRACE(topic);
    RawClient pub(broker);
    pub.connect_ok("wild-pub");
    pub.send_bytes(raw_packet(0x30, concat({field(topic), {'x'}})));
    EXPECT_TRUE(pub.expect_closed());
  }
  {
    SCOPED_TRACE("[MQTT-4.7.3-1] empty topic name");
    RawClient pub(broker);
    pub.connect_ok("wild-pub");
    pub.send_bytes(raw_packet(0x30, concat({field(""), {'x'}})));
    EXPECT_TRUE(pub.expect_closed());
  }
  sub.expect_nothing();
}

// Topics beginning with '$' are the server's (section 4.7.2): a client's PUBLISH to one is
// acknowledged but not delivered, not even to a '$SYS/#' subscriber.
TEST(Qos0Publish03, ClientPublishToDollarTopicIsNotDelivered) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("dollar-sub");
  sub.subscribe("$SYS/#", QoS::at_least_once);
  RawClient pub(broker);
  pub.connect_ok("dollar-pub");
  pub.publish("$SYS/broker/fake", "spoof", QoS::at_least_once);
  sub.expect_nothing();
}

}  // namespace
}  // namespace tern::blackbox
