// 02: SUBSCRIBE/SUBACK, UNSUBSCRIBE/UNSUBACK and topic matching (MQTT 3.1.1 sections 3.8 to
// 3.11 and 4.7).
#include <string>

#include "harness.h"

namespace tern::blackbox {
namespace {

using mqtt::ReasonCode;

// [MQTT-3.8.4-1], [MQTT-3.8.4-2], [MQTT-3.8.4-5]: one SUBACK with the SUBSCRIBE's packet id and
// one return code per filter, in order; the granted QoS is the one asked for (the broker allows
// QoS 2).
TEST(Subscribe02, SubackHasOneReturnCodePerFilter) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("suback");
  auto codes = client.subscribe({{"a/0", QoS::at_most_once},
                                 {"a/1", QoS::at_least_once},
                                 {"a/2", QoS::exactly_once},
                                 {"a/+/#", QoS::at_least_once}});
  EXPECT_EQ(codes, (std::vector<ReasonCode>{ReasonCode::success, ReasonCode::granted_qos_1,
                                            ReasonCode::granted_qos_2, ReasonCode::granted_qos_1}));
}

TEST(Subscribe02, SubackBytesAreExact) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("suback-bytes");
  // SUBSCRIBE id 0x1234: "x" QoS 1, "y" QoS 2.
  client.send_bytes(
      raw_packet(0x82, concat({{0x12, 0x34}, field("x"), {0x01}, field("y"), {0x02}})));
  auto packet = client.receive();
  ASSERT_TRUE(packet);
  EXPECT_EQ(client.encode(*packet), (Bytes{0x90, 0x04, 0x12, 0x34, 0x01, 0x02}));
}

TEST(Subscribe02, SingleLevelWildcard) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("plus-sub");
  sub.subscribe("sport/+/player", QoS::at_most_once);
  RawClient pub(broker);
  pub.connect_ok("plus-pub");
  // [MQTT-4.7.1-3]: '+' matches exactly one level, an empty one included.
  for (std::string topic : {"sport/tennis/player", "sport//player", "sport/tennis/player/x",
                            "sport/player", "sport/a/b/player"}) {
    pub.publish(topic, topic, QoS::at_least_once);
  }
  EXPECT_EQ(sub.expect<mqtt::Publish>().topic, "sport/tennis/player");
  EXPECT_EQ(sub.expect<mqtt::Publish>().topic, "sport//player");
  sub.expect_nothing();
}

TEST(Subscribe02, MultiLevelWildcard) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("hash-sub");
  sub.subscribe("sport/#", QoS::at_most_once);
  RawClient pub(broker);
  pub.connect_ok("hash-pub");
  // [MQTT-4.7.1-2]: '#' matches the parent level and any number of child levels.
  for (std::string topic :
       {"sport", "sport/", "sport/tennis", "sport/tennis/player/1", "sports", "other/sport"}) {
    pub.publish(topic, topic, QoS::at_least_once);
  }
  for (std::string expected : {"sport", "sport/", "sport/tennis", "sport/tennis/player/1"}) {
    EXPECT_EQ(sub.expect<mqtt::Publish>().topic, expected);
  }
  sub.expect_nothing();
}

TEST(Subscribe02, HashAloneMatchesEverythingButDollarTopics) {
  BrokerProcess broker("sys_interval 1");
  RawClient sub(broker);
  sub.connect_ok("all");
  sub.subscribe("#", QoS::at_most_once);
  RawClient plus(broker);
  plus.connect_ok("plus");
  plus.subscribe("+/broker/#", QoS::at_most_once);
  RawClient pub(broker);
  pub.connect_ok("everything-pub");
  pub.publish("a/b/c", "x");
  pub.publish("/leading", "y");
  EXPECT_EQ(sub.expect<mqtt::Publish>().topic, "a/b/c");
  EXPECT_EQ(sub.expect<mqtt::Publish>().topic, "/leading");
  // [MQTT-4.7.2-1]: '#' and '+' at the first level do not match topics starting with '$', such
  // as the $SYS topics published every second here.
  sub.expect_nothing(1500ms);
  plus.expect_nothing(kQuiet);
}

// [MQTT-4.7.2-1] for retained messages too: the retained $SYS topics are not sent for a new
// '#' or '+/...' subscription.
TEST(Subscribe02, WildcardsDoNotMatchRetainedDollarTopics) {
  BrokerProcess broker("sys_interval 60");
  RawClient sys(broker);
  sys.connect_ok("sys-first");
  sys.subscribe("$SYS/broker/version", QoS::at_most_once);
  sys.expect<mqtt::Publish>(3s);  // the first round is out, and retained
  RawClient sub(broker);
  sub.connect_ok("retained-all");
  sub.subscribe({{"#", QoS::at_most_once},
                 {"+/broker/#", QoS::at_most_once},
                 {"+/+/version", QoS::at_most_once}});
  sub.expect_nothing();
}

// MQTT 3.1.1 section 3.3.5: with overlapping subscriptions the client gets one copy, at the
// highest QoS of the matching subscriptions.
TEST(Subscribe02, OverlappingSubscriptionsDeliverOneCopyAtTheHighestQos) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("overlap");
  sub.subscribe({{"o/+", QoS::at_most_once},
                 {"o/#", QoS::exactly_once},
                 {"o/x", QoS::at_least_once},
                 {"#", QoS::at_most_once}});
  RawClient pub(broker);
  pub.connect_ok("overlap-pub");
  pub.publish("o/x", "once", QoS::exactly_once);
  mqtt::Publish got = sub.receive_publish();
  EXPECT_EQ(got.payload, "once");
  EXPECT_EQ(got.qos, QoS::exactly_once);
  sub.expect_nothing();
}

// [MQTT-3.8.4-3]: a SUBSCRIBE with a filter equal to an existing one replaces it: the new QoS
// applies, and there is still one subscription.
TEST(Subscribe02, ResubscribeReplacesTheSubscription) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("resub");
  sub.subscribe("r/t", QoS::exactly_once);
  sub.subscribe("r/t", QoS::at_most_once);
  RawClient pub(broker);
  pub.connect_ok("resub-pub");
  pub.publish("r/t", "downgraded", QoS::exactly_once);
  mqtt::Publish got = sub.expect<mqtt::Publish>();
  EXPECT_EQ(got.qos, QoS::at_most_once);
  sub.expect_nothing();
}

// [MQTT-3.10.4-4], [MQTT-3.10.4-5]: UNSUBACK with the same packet id, even when nothing was
// subscribed; [MQTT-3.10.4-2]: no new messages for the filter afterwards.
TEST(Subscribe02, UnsubscribeStopsDelivery) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("unsub");
  sub.subscribe({{"u/1", QoS::at_least_once}, {"u/2", QoS::at_least_once}});
  sub.unsubscribe({"u/1", "never/subscribed"});
  RawClient pub(broker);
  pub.connect_ok("unsub-pub");
  pub.publish("u/1", "gone", QoS::at_least_once);
  pub.publish("u/2", "kept", QoS::at_least_once);
  EXPECT_EQ(sub.receive_publish().payload, "kept");
  sub.expect_nothing();
}

TEST(Subscribe02, UnsubackBytesAreExact) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("unsuback-bytes");
  client.send_bytes(raw_packet(0xA2, concat({{0xBE, 0xEF}, field("nothing")})));
  auto packet = client.receive();
  ASSERT_TRUE(packet);
  EXPECT_EQ(client.encode(*packet), (Bytes{0xB0, 0x02, 0xBE, 0xEF}));
}

// Unsubscribing a wildcard filter removes exactly that filter, not the topics it matches.
TEST(Subscribe02, UnsubscribeMatchesFiltersLiterally) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("literal");
  sub.subscribe({{"l/a", QoS::at_most_once}, {"l/+", QoS::at_most_once}});
  sub.unsubscribe({"l/+"});
  RawClient pub(broker);
  pub.connect_ok("literal-pub");
  pub.publish("l/a", "a");
  pub.publish("l/b", "b");
  EXPECT_EQ(sub.expect<mqtt::Publish>().payload, "a");
  sub.expect_nothing();
}

// Broken SUBSCRIBE and UNSUBSCRIBE packets close the connection.
TEST(Subscribe02, MalformedSubscribeIsClosed) {
  BrokerProcess broker;
  struct Case {
    const char* rule;
    Bytes packet;
  };
  std::vector<Case> cases{
      {"[MQTT-3.8.1-1] SUBSCRIBE flags 0000",
       raw_packet(0x80, concat({{0, 1}, field("a"), {0x00}}))},
      {"[MQTT-3.8.3-3] SUBSCRIBE without filters", raw_packet(0x82, {0, 1})},
      {"[MQTT-3.8.3-4] requested QoS 3", raw_packet(0x82, concat({{0, 1}, field("a"), {0x03}}))},
      {"[MQTT-3-8.3-4] reserved bits of the requested QoS byte",
       raw_packet(0x82, concat({{0, 1}, field("a"), {0x41}}))},
      {"[MQTT-4.7.1-2] '#' not last", raw_packet(0x82, concat({{0, 1}, field("a/#/b"), {0x00}}))},
      {"[MQTT-4.7.1-3] '+' not a whole level",
       raw_packet(0x82, concat({{0, 1}, field("a+/b"), {0x00}}))},
      {"[MQTT-4.7.3-1] empty filter", raw_packet(0x82, concat({{0, 1}, field(""), {0x00}}))},
      {"[MQTT-2.3.1-1] packet id 0", raw_packet(0x82, concat({{0, 0}, field("a"), {0x00}}))},
      {"[MQTT-3.10.1-1] UNSUBSCRIBE flags 0000", raw_packet(0xA0, concat({{0, 1}, field("a")}))},
      {"[MQTT-3.10.3-2] UNSUBSCRIBE without filters", raw_packet(0xA2, {0, 1})},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.rule);
    RawClient client(broker);
    client.connect_ok("bad-subscribe");
    client.send_bytes(c.packet);
    EXPECT_TRUE(client.expect_closed());
  }
  expect_broker_serves(broker);
}

// Subscriptions of one client do not leak to another.
TEST(Subscribe02, SubscriptionsArePerClient) {
  BrokerProcess broker;
  RawClient a(broker);
  a.connect_ok("per-client-a");
  a.subscribe("mine/a", QoS::at_most_once);
  RawClient b(broker);
  b.connect_ok("per-client-b");
  b.subscribe("mine/b", QoS::at_most_once);
  RawClient pub(broker);
  pub.connect_ok("per-client-pub");
  pub.publish("mine/a", "for a");
  pub.publish("mine/b", "for b");
  EXPECT_EQ(a.expect<mqtt::Publish>().payload, "for a");
  EXPECT_EQ(b.expect<mqtt::Publish>().payload, "for b");
  a.expect_nothing(100ms);
  b.expect_nothing(100ms);
}

}  // namespace
}  // namespace tern::blackbox
