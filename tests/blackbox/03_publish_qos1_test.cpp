// 03: PUBLISH at QoS 1 (MQTT 3.1.1 section 4.3.2), in both directions, and re-delivery.
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace tern::blackbox {
namespace {

// [MQTT-4.3.2-2]: the broker answers a QoS 1 PUBLISH with a PUBACK of its packet id; the
// subscriber gets a QoS 1 PUBLISH with a non-zero packet id [MQTT-2.3.1-1] and DUP 0.
TEST(Qos1Publish03, FullFlowBothDirections) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("q1-sub");
  sub.subscribe("q1/t", QoS::at_least_once);
  RawClient pub(broker);
  pub.connect_ok("q1-pub");
  pub.send(make_publish("q1/t", "one", QoS::at_least_once, 0x4242));
  EXPECT_EQ(pub.expect<mqtt::Puback>().packet_id, 0x4242);

  mqtt::Publish got = sub.expect<mqtt::Publish>();
  EXPECT_EQ(got.payload, "one");
  EXPECT_EQ(got.qos, QoS::at_least_once);
  EXPECT_NE(got.packet_id, 0);
  EXPECT_FALSE(got.dup) << "[MQTT-4.3.2-1] first delivery has DUP 0";
  sub.send(make_ack<mqtt::Puback>(got.packet_id));
  sub.expect_nothing();  // acknowledged: not sent again
}

TEST(Qos1Publish03, PubackBytesAreExact) {
  BrokerProcess broker;
  RawClient pub(broker);
  pub.connect_ok("puback-bytes");
  pub.send_bytes(raw_packet(0x32, concat({field("t"), {0x01, 0x02}, {'x'}})));
  auto packet = pub.receive();
  ASSERT_TRUE(packet);
  EXPECT_EQ(pub.encode(*packet), (Bytes{0x40, 0x02, 0x01, 0x02}));
}

// Messages in flight to one client carry distinct packet ids [MQTT-2.3.1-2].
TEST(Qos1Publish03, PacketIdsInFlightAreDistinct) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("ids-sub");
  sub.subscribe("ids/t", QoS::at_least_once);
  RawClient pub(broker);
  pub.connect_ok("ids-pub");
  for (int i = 0; i < 10; ++i)
    pub.publish("ids/t", std::to_string(i), QoS::at_least_once);
  std::set<std::uint16_t> ids;
  for (int i = 0; i < 10; ++i) {
    mqtt::Publish got = sub.expect<mqtt::Publish>();
    EXPECT_EQ(got.payload, std::to_string(i));
    ids.insert(got.packet_id);
  }
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_FALSE(ids.contains(0));
}

// [MQTT-4.4.0-1]: when a client with a persistent session reconnects, unacknowledged QoS 1
// PUBLISHes are sent again with DUP 1 and the same packet id [MQTT-3.3.1-1].
TEST(Qos1Publish03, UnacknowledgedMessagesAreResentWithDupOnReconnect) {
  BrokerProcess broker;
  std::uint16_t first_id = 0;
  {
    RawClient sub(broker);
    sub.connect_ok("q1-resend", false);
    sub.subscribe("resend/t", QoS::at_least_once);
    RawClient pub(broker);
    pub.connect_ok("q1-resend-pub");
    pub.publish("resend/t", "unacked", QoS::at_least_once);
    mqtt::Publish got = sub.expect<mqtt::Publish>();
    EXPECT_FALSE(got.dup);
    first_id = got.packet_id;
    // No PUBACK: the socket just closes.
  }
  RawClient sub(broker);
  EXPECT_TRUE(sub.connect_ok("q1-resend", false));
  mqtt::Publish again = sub.expect<mqtt::Publish>();
  EXPECT_EQ(again.payload, "unacked");
  EXPECT_TRUE(again.dup);
  EXPECT_EQ(again.packet_id, first_id);
  EXPECT_EQ(again.qos, QoS::at_least_once);
  sub.send(make_ack<mqtt::Puback>(again.packet_id));
  sub.expect_nothing();

  // Acknowledged now: a further reconnect sends nothing.
  sub.close();
  RawClient third(broker);
  EXPECT_TRUE(third.connect_ok("q1-resend", false));
  third.expect_nothing();
}

// A clean-session client's unacknowledged messages die with the session.
TEST(Qos1Publish03, CleanSessionDropsUnacknowledgedMessages) {
  BrokerProcess broker;
  {
    RawClient sub(broker);
    sub.connect_ok("q1-clean", true);
    sub.subscribe("clean/t", QoS::at_least_once);
    RawClient pub(broker);
    pub.connect_ok("q1-clean-pub");
    pub.publish("clean/t", "lost", QoS::at_least_once);
    sub.expect<mqtt::Publish>();
  }
  RawClient sub(broker);
  EXPECT_FALSE(sub.connect_ok("q1-clean", false));
  sub.expect_nothing();
}

// One message, many subscribers on both worker threads and both protocol versions: each gets
// exactly one copy.
TEST(Qos1Publish03, FanOutToManySubscribers) {
  BrokerProcess broker;
  std::vector<std::unique_ptr<RawClient>> subs;
  for (int i = 0; i < 12; ++i) {
    Version version = i % 3 == 0 ? Version::v3_1 : Version::v3_1_1;
    subs.push_back(std::make_unique<RawClient>(broker, version));
    subs.back()->connect_ok("fan-" + std::to_string(i));
    subs.back()->subscribe(i % 2 == 0 ? "fan/+" : "fan/#", QoS::at_least_once);
  }
  RawClient pub(broker);
  pub.connect_ok("fan-pub");
  pub.publish("fan/out", "to all", QoS::at_least_once);
  for (auto& sub : subs) {
    mqtt::Publish got = sub->receive_publish();
    EXPECT_EQ(got.payload, "to all");
    EXPECT_EQ(got.qos, QoS::at_least_once);
  }
  for (auto& sub : subs)
    sub->expect_nothing(30ms);
}

// A PUBACK for an id that is not in flight is ignored (no crash, no close).
TEST(Qos1Publish03, UnknownPubackIsIgnored) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("stray-puback");
  client.send(make_ack<mqtt::Puback>(77));
  client.send(make_ack<mqtt::Pubcomp>(78));
  client.send(mqtt::Pingreq{});
  client.expect<mqtt::Pingresp>();
}

}  // namespace
}  // namespace tern::blackbox

namespace tern::blackbox {
namespace {

// A client that sends its last PUBLISH and shuts down its sending side (half-close) still
// reads: it gets what was queued to it and the PUBACK of that PUBLISH [MQTT-4.3.2-2], even when
// the broker sees the end of file while megabytes to the client are still unwritten.
TEST(Qos1Publish03, HalfClosedClientStillGetsItsPuback) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("half-close");
  client.subscribe("half/big", QoS::at_most_once);
  RawClient pub(broker);
  pub.connect_ok("half-pub");
  constexpr int kBig = 70;  // 7 MB: more than the socket buffers hold
  for (int i = 0; i < kBig; ++i)
    pub.publish("half/big", std::string(100 * 1000, 'b'));
  pub.send(mqtt::Pingreq{});
  pub.expect<mqtt::Pingresp>();

  client.send(make_publish("half/last", "bye", QoS::at_least_once, 77));
  client.shutdown_send();
  std::this_thread::sleep_for(300ms);  // the broker reads the end of file with output pending
  int big = 0;
  bool acknowledged = false;
  while (auto packet = client.receive()) {
    if (std::holds_alternative<mqtt::Publish>(*packet)) ++big;
    if (auto* puback = std::get_if<mqtt::Puback>(&*packet)) acknowledged = puback->packet_id == 77;
  }
  EXPECT_EQ(big, kBig);
  EXPECT_TRUE(acknowledged);
  EXPECT_TRUE(client.closed());
}

}  // namespace
}  // namespace tern::blackbox
