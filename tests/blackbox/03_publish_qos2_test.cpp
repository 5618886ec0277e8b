// 03: PUBLISH at QoS 2 (MQTT 3.1.1 section 4.3.3): the four-packet flow in both directions,
// exactly-once delivery of re-sent PUBLISHes, and PUBREL re-sent on reconnect.
#include <string>

#include "harness.h"

namespace tern::blackbox {
namespace {

TEST(Qos2Publish03, FullFlowBothDirections) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("q2-sub");
  sub.subscribe("q2/t", QoS::exactly_once);
  RawClient pub(broker);
  pub.connect_ok("q2-pub");

  // Inbound: PUBLISH -> PUBREC, PUBREL -> PUBCOMP, each with the same packet id [MQTT-4.3.3-2].
  pub.send(make_publish("q2/t", "two", QoS::exactly_once, 9));
  EXPECT_EQ(pub.expect<mqtt::Pubrec>().packet_id, 9);
  pub.send(make_ack<mqtt::Pubrel>(9));
  EXPECT_EQ(pub.expect<mqtt::Pubcomp>().packet_id, 9);

  // Outbound: PUBLISH (QoS 2, DUP 0) -> PUBREC -> PUBREL [MQTT-4.3.3-1] -> PUBCOMP.
  mqtt::Publish got = sub.expect<mqtt::Publish>();
  EXPECT_EQ(got.payload, "two");
  EXPECT_EQ(got.qos, QoS::exactly_once);
  EXPECT_FALSE(got.dup);
  EXPECT_NE(got.packet_id, 0);
  sub.send(make_ack<mqtt::Pubrec>(got.packet_id));
  EXPECT_EQ(sub.expect<mqtt::Pubrel>().packet_id, got.packet_id);
  sub.send(make_ack<mqtt::Pubcomp>(got.packet_id));
  sub.expect_nothing();
  pub.expect_nothing(50ms);
}

TEST(Qos2Publish03, PubrecPubrelPubcompBytesAreExact) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("q2-bytes");
  client.subscribe("q2/bytes", QoS::exactly_once);
  client.send_bytes(raw_packet(0x34, concat({field("q2/bytes"), {0xAB, 0xCD}, {'z'}})));
  // The PUBREC to the publisher and the PUBLISH to the subscriber (the same client).
  std::optional<mqtt::Publish> delivered;
  for (int i = 0; i < 2; ++i) {
    auto packet = client.receive();
    ASSERT_TRUE(packet);
    if (auto* p = std::get_if<mqtt::Publish>(&*packet)) {
      delivered = *p;
    } else {
      EXPECT_EQ(client.encode(*packet), (Bytes{0x50, 0x02, 0xAB, 0xCD}));
    }
  }
  ASSERT_TRUE(delivered);
  client.send_bytes(raw_packet(0x62, {0xAB, 0xCD}));
  auto pubcomp = client.receive();
  ASSERT_TRUE(pubcomp);
  EXPECT_EQ(client.encode(*pubcomp), (Bytes{0x70, 0x02, 0xAB, 0xCD}));
  // PUBREL from the broker has flags 0010 [MQTT-3.6.1-1].
  client.send(make_ack<mqtt::Pubrec>(delivered->packet_id));
  auto pubrel = client.receive();
  ASSERT_TRUE(pubrel);
  Bytes bytes = client.encode(*pubrel);
  ASSERT_EQ(bytes.size(), 4u);
  EXPECT_EQ(bytes[0], 0x62);
}

// Section 4.3.3, method B: a PUBLISH re-sent with the same packet id (DUP 1) before the PUBREL
// is acknowledged again but not delivered again.
TEST(Qos2Publish03, ResentPublishIsDeliveredExactlyOnce) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("once-sub");
  sub.subscribe("once/t", QoS::exactly_once);
  RawClient pub(broker);
  pub.connect_ok("once-pub");

  mqtt::Publish publish = make_publish("once/t", "exactly once", QoS::exactly_once, 7);
  pub.send(publish);
  EXPECT_EQ(pub.expect<mqtt::Pubrec>().packet_id, 7);
  publish.dup = true;
  pub.send(publish);
  EXPECT_EQ(pub.expect<mqtt::Pubrec>().packet_id, 7);
  pub.send(publish);
  EXPECT_EQ(pub.expect<mqtt::Pubrec>().packet_id, 7);

  EXPECT_EQ(sub.receive_publish().payload, "exactly once");
  sub.expect_nothing();

  // After PUBREL/PUBCOMP the id is free again: a new message with id 7 is a new message.
  pub.send(make_ack<mqtt::Pubrel>(7));
  EXPECT_EQ(pub.expect<mqtt::Pubcomp>().packet_id, 7);
  pub.send(make_publish("once/t", "new message", QoS::exactly_once, 7));
  EXPECT_EQ(pub.expect<mqtt::Pubrec>().packet_id, 7);
  EXPECT_EQ(sub.receive_publish().payload, "new message");
}

// The exactly-once state belongs to the session: a publisher with a persistent session that
// reconnects and re-sends the PUBLISH (DUP 1) does not get it delivered twice.
TEST(Qos2Publish03, ResentPublishAfterReconnectIsDeliveredOnce) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("once2-sub");
  sub.subscribe("once2/t", QoS::exactly_once);
  mqtt::Publish publish = make_publish("once2/t", "once across connections", QoS::exactly_once, 3);
  {
    RawClient pub(broker);
    pub.connect_ok("once2-pub", false);
    pub.send(publish);
    pub.expect<mqtt::Pubrec>();
  }
  EXPECT_EQ(sub.receive_publish().payload, "once across connections");
  RawClient pub(broker);
  EXPECT_TRUE(pub.connect_ok("once2-pub", false));
  publish.dup = true;
  pub.send(publish);
  EXPECT_EQ(pub.expect<mqtt::Pubrec>().packet_id, 3);
  pub.send(make_ack<mqtt::Pubrel>(3));
  EXPECT_EQ(pub.expect<mqtt::Pubcomp>().packet_id, 3);
  sub.expect_nothing();
}

// [MQTT-4.4.0-1]: on reconnect the broker re-sends an unacknowledged QoS 2 PUBLISH with DUP 1,
// and, once PUBREC was received, the PUBREL instead of the PUBLISH.
TEST(Qos2Publish03, ReconnectResendsPublishOrPubrel) {
  BrokerProcess broker;
  RawClient pub(broker);
  pub.connect_ok("q2-resend-pub");
  std::uint16_t unreceived = 0;
  std::uint16_t released = 0;
  {
    RawClient sub(broker);
    sub.connect_ok("q2-resend", false);
    sub.subscribe("q2r/t", QoS::exactly_once);
    pub.publish("q2r/t", "first", QoS::exactly_once);
    pub.publish("q2r/t", "second", QoS::exactly_once);
    mqtt::Publish first = sub.expect<mqtt::Publish>();
    mqtt::Publish second = sub.expect<mqtt::Publish>();
    EXPECT_EQ(first.payload, "first");
    EXPECT_EQ(second.payload, "second");
    // PUBREC the first only; then drop the connection.
    sub.send(make_ack<mqtt::Pubrec>(first.packet_id));
    EXPECT_EQ(sub.expect<mqtt::Pubrel>().packet_id, first.packet_id);
    released = first.packet_id;
    unreceived = second.packet_id;
  }
  RawClient sub(broker);
  EXPECT_TRUE(sub.connect_ok("q2-resend", false));
  // In the original order: PUBREL for the first, PUBLISH DUP for the second.
  auto pubrel = sub.expect<mqtt::Pubrel>();
  EXPECT_EQ(pubrel.packet_id, released);
  mqtt::Publish again = sub.expect<mqtt::Publish>();
  EXPECT_EQ(again.payload, "second");
  EXPECT_EQ(again.packet_id, unreceived);
  EXPECT_TRUE(again.dup);
  sub.send(make_ack<mqtt::Pubcomp>(released));
  sub.send(make_ack<mqtt::Pubrec>(again.packet_id));
  EXPECT_EQ(sub.expect<mqtt::Pubrel>().packet_id, again.packet_id);
  sub.send(make_ack<mqtt::Pubcomp>(again.packet_id));
  sub.expect_nothing();
}

// [MQTT-3.6.1-1]: PUBREL with flags other than 0010 is malformed.
TEST(Qos2Publish03, PubrelWithWrongFlagsIsClosed) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("bad-pubrel");
  client.send(make_publish("x", "y", QoS::exactly_once, 1));
  client.expect<mqtt::Pubrec>();
  client.send_bytes(raw_packet(0x60, {0x00, 0x01}));
  EXPECT_TRUE(client.expect_closed());
}

// A PUBREL for an id the broker does not know still gets its PUBCOMP (section 4.3.3: the
// receiver may have already discarded the state).
TEST(Qos2Publish03, UnknownPubrelGetsPubcomp) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("stray-pubrel");
  client.send(make_ack<mqtt::Pubrel>(99));
  EXPECT_EQ(client.expect<mqtt::Pubcomp>().packet_id, 99);
}

}  // namespace
}  // namespace tern::blackbox
