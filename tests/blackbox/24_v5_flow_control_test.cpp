// 24: MQTT 5.0 flow control (section 4.9) and packet size limits: the client's Receive Maximum
// bounds what the broker has in flight to it (3.1.2.11.3), the broker's Receive Maximum bounds
// what a client may have in flight to the broker (3.2.2.3.3), and Maximum Packet Size in both
// directions (3.1.2.11.4, 3.2.2.3.6).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "v5_helpers.h"

namespace tern::blackbox {
namespace {

// ---- Helpers -----------------------------------------------------------------------------------

// The next packet must be a PUBLISH with `payload`; returned unacknowledged.
mqtt::Publish expect_publish(RawClient& client, const std::string& payload) {
  mqtt::Publish got = client.expect<mqtt::Publish>();
  EXPECT_EQ(got.payload, payload);
  return got;
}

// Size on the wire of a PUBLISH of `payload_size` bytes on `topic` with no properties, as the
// broker sends it to a v5 client that allows no aliases (QoS > 0: with a packet id).
std::size_t publish_size(const std::string& topic, std::size_t payload_size, QoS qos) {
  auto size = mqtt::encoded_size(
      make_publish(topic, std::string(payload_size, 'x'), qos, qos == QoS::at_most_once ? 0 : 1),
      Version::v5);
  EXPECT_TRUE(size);
  return size ? *size : 0;
}

// The payload size that makes a PUBLISH on `topic` exactly `packet_size` bytes.
std::size_t payload_for_size(const std::string& topic, std::size_t packet_size, QoS qos) {
  std::size_t overhead = publish_size(topic, 0, qos);
  std::size_t payload = packet_size - overhead;
  // The Remaining Length may need one more byte for the bigger packet.
  while (payload > 0 && publish_size(topic, payload, qos) > packet_size)
    --payload;
  EXPECT_EQ(publish_size(topic, payload, qos), packet_size);
  return payload;
}

// ---- Receive Maximum ---------------------------------------------------------------------------

// The CONNACK carries the broker's Receive Maximum (3.2.2.3.3): max_inflight_messages, 20 by
// default.
TEST(V5FlowControl24, ConnackAnnouncesReceiveMaximum) {
  {
    BrokerProcess broker;
    RawClient client(broker, Version::v5);
    EXPECT_EQ(connect_v5(client, "rm-default").properties.receive_maximum,
              std::optional<std::uint16_t>(20));
  }
  BrokerProcess broker("max_inflight_messages 3");
  RawClient client(broker, Version::v5);
  EXPECT_EQ(connect_v5(client, "rm-three").properties.receive_maximum,
            std::optional<std::uint16_t>(3));
}

// The client's Receive Maximum 2: the broker never has more than two QoS 1 PUBLISHes
// unacknowledged towards it [MQTT-3.3.4-9] [MQTT-4.9.0-2]; each PUBACK lets one more go, in
// order. Other packets are not held back meanwhile [MQTT-3.3.4-10].
TEST(V5FlowControl24, ClientReceiveMaximumBoundsQos1Publishes) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "rm-q1-sub", receive_maximum(2));
  sub.subscribe("rmq1/t", QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "rm-q1-pub");
  for (int i = 0; i < 6; ++i)
    pub.publish("rmq1/t", std::to_string(i), QoS::at_least_once);

  mqtt::Publish m0 = expect_publish(sub, "0");
  mqtt::Publish m1 = expect_publish(sub, "1");
  sub.expect_nothing();
  sub.send(mqtt::Pingreq{});
  sub.expect<mqtt::Pingresp>();  // not delayed by the exhausted quota

  sub.send(make_ack<mqtt::Puback>(m0.packet_id));
  mqtt::Publish m2 = expect_publish(sub, "2");
  sub.expect_nothing();
  sub.send(make_ack<mqtt::Puback>(m1.packet_id));
  sub.send(make_ack<mqtt::Puback>(m2.packet_id));
  mqtt::Publish m3 = expect_publish(sub, "3");
  mqtt::Publish m4 = expect_publish(sub, "4");
  sub.expect_nothing();
  sub.send(make_ack<mqtt::Puback>(m4.packet_id));  // out of order: still frees one
  mqtt::Publish m5 = expect_publish(sub, "5");
  sub.expect_nothing();
  sub.send(make_ack<mqtt::Puback>(m3.packet_id));
  sub.send(make_ack<mqtt::Puback>(m5.packet_id));
  sub.expect_nothing();
}

// QoS 2: a message stays in the send quota until its PUBCOMP (section 4.9: the quota grows on
// PUBACK or PUBCOMP, not on a successful PUBREC). With Receive Maximum 2, the PUBREC of the
// first brings its PUBREL but no third PUBLISH; its PUBCOMP does.
TEST(V5FlowControl24, ClientReceiveMaximumBoundsQos2PublishesUntilPubcomp) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "rm-q2-sub", receive_maximum(2));
  sub.subscribe("rmq2/t", QoS::exactly_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "rm-q2-pub");
  for (int i = 0; i < 4; ++i)
    pub.publish("rmq2/t", std::to_string(i), QoS::exactly_once);

  mqtt::Publish m0 = expect_publish(sub, "0");
  mqtt::Publish m1 = expect_publish(sub, "1");
  EXPECT_EQ(m0.qos, QoS::exactly_once);
  sub.expect_nothing();
  sub.send(make_ack<mqtt::Pubrec>(m0.packet_id));
  EXPECT_EQ(sub.expect<mqtt::Pubrel>().packet_id, m0.packet_id);
  sub.expect_nothing();  // PUBREC (success) does not free the quota
  sub.send(make_ack<mqtt::Pubcomp>(m0.packet_id));
  mqtt::Publish m2 = expect_publish(sub, "2");
  sub.expect_nothing();
  sub.send(make_ack<mqtt::Pubrec>(m1.packet_id));
  EXPECT_EQ(sub.expect<mqtt::Pubrel>().packet_id, m1.packet_id);
  sub.send(make_ack<mqtt::Pubcomp>(m1.packet_id));
  mqtt::Publish m3 = expect_publish(sub, "3");  // m1's PUBCOMP freed its place
  sub.send(make_ack<mqtt::Pubrec>(m2.packet_id));
  EXPECT_EQ(sub.expect<mqtt::Pubrel>().packet_id, m2.packet_id);
  sub.send(make_ack<mqtt::Pubcomp>(m2.packet_id));
  sub.ack(m3);
  sub.expect_nothing();
}

// A PUBREC with a Reason Code of 0x80 or more ends the QoS 2 flow and gives the quota back
// (section 4.9, [MQTT-4.3.3-4]: no PUBREL follows it).
TEST(V5FlowControl24, FailedPubrecFreesTheQuota) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "rm-rec-sub", receive_maximum(1));
  sub.subscribe("rmrec/t", QoS::exactly_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "rm-rec-pub");
  pub.publish("rmrec/t", "refused", QoS::exactly_once);
  pub.publish("rmrec/t", "next", QoS::exactly_once);

  mqtt::Publish refused = expect_publish(sub, "refused");
  sub.expect_nothing();
  mqtt::Pubrec pubrec = make_ack<mqtt::Pubrec>(refused.packet_id);
  pubrec.reason_code = mqtt::ReasonCode::unspecified_error;
  sub.send(pubrec);
  mqtt::Publish next = expect_publish(sub, "next");  // and no PUBREL for "refused"
  sub.ack(next);
  sub.expect_nothing();
}

// QoS 1 and QoS 2 messages share one send quota (Receive Maximum 2).
TEST(V5FlowControl24, Qos1AndQos2ShareTheQuota) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "rm-mixed-sub", receive_maximum(2));
  sub.subscribe("rmmix/t", QoS::exactly_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "rm-mixed-pub");
  pub.publish("rmmix/t", "q1", QoS::at_least_once);
  pub.publish("rmmix/t", "q2", QoS::exactly_once);
  pub.publish("rmmix/t", "q1 again", QoS::at_least_once);

  mqtt::Publish q1 = expect_publish(sub, "q1");
  mqtt::Publish q2 = expect_publish(sub, "q2");
  sub.expect_nothing();
  sub.send(make_ack<mqtt::Pubrec>(q2.packet_id));
  EXPECT_EQ(sub.expect<mqtt::Pubrel>().packet_id, q2.packet_id);
  sub.expect_nothing();
  sub.send(make_ack<mqtt::Puback>(q1.packet_id));
  mqtt::Publish again = expect_publish(sub, "q1 again");
  sub.send(make_ack<mqtt::Pubcomp>(q2.packet_id));
  sub.ack(again);
  sub.expect_nothing();
}

// Messages queued for an offline session go out within the Receive Maximum of the new
// connection (1 here), one per PUBACK, in order.
TEST(V5FlowControl24, QueuedMessagesRespectReceiveMaximumOnReconnect) {
  BrokerProcess broker;
  mqtt::Properties properties = receive_maximum(1);
  properties.session_expiry_interval = 60;
  {
    RawClient sub(broker, Version::v5);
    connect_v5(sub, "rm-queued", properties);
    sub.subscribe("rmq/t", QoS::at_least_once);
    sub.disconnect();
  }
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "rm-queued-pub");
  for (int i = 0; i < 3; ++i)
    pub.publish("rmq/t", std::to_string(i), QoS::at_least_once);

  RawClient sub(broker, Version::v5);
  EXPECT_TRUE(connect_v5(sub, "rm-queued", properties, false).session_present);
  for (int i = 0; i < 3; ++i) {
    mqtt::Publish got = expect_publish(sub, std::to_string(i));
    sub.expect_nothing();
    sub.send(make_ack<mqtt::Puback>(got.packet_id));
  }
  sub.expect_nothing();
}

// The broker's Receive Maximum (max_inflight_messages 3): a client with three QoS 2 PUBLISHes
// awaiting PUBREL that sends a fourth has exceeded it: DISCONNECT 0x93 Receive Maximum exceeded
// (3.3.4, section 4.13), then the close. The fourth message is not delivered.
TEST(V5FlowControl24, ExceedingTheBrokerReceiveMaximumDisconnects) {
  BrokerProcess broker("max_inflight_messages 3");
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "rm-exceed-sub");
  sub.subscribe("rmx/t", QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  EXPECT_EQ(connect_v5(pub, "rm-exceed-pub").properties.receive_maximum,
            std::optional<std::uint16_t>(3));
  for (std::uint16_t id = 1; id <= 3; ++id) {
    pub.send(make_publish("rmx/t", "in quota " + std::to_string(id), QoS::exactly_once, id));
    mqtt::Pubrec pubrec = pub.expect<mqtt::Pubrec>();
    EXPECT_EQ(pubrec.packet_id, id);
    EXPECT_EQ(pubrec.reason_code, mqtt::ReasonCode::success);
  }
  pub.send(make_publish("rmx/t", "one too many", QoS::exactly_once, 4));
  EXPECT_EQ(expect_disconnect(pub, kPropertiesUnchecked).reason_code,
            mqtt::ReasonCode::receive_maximum_exceeded);
  for (int i = 0; i < 3; ++i) {
    auto packet = sub.receive(kQuiet);
    if (!packet) break;
    auto* got = std::get_if<mqtt::Publish>(&*packet);
    ASSERT_TRUE(got) << describe(*packet);
    EXPECT_NE(got->payload, "one too many");
    sub.ack(*got);
  }
  sub.expect_nothing();
}

// The broker's quota is given back by each PUBCOMP it sends: with max_inflight_messages 2, a
// client may always have two QoS 2 messages awaiting PUBREL, however many it sends in all. A
// re-sent PUBLISH (DUP 1) of an id still awaiting PUBREL is not a new message [MQTT-4.3.3-10]:
// it gets a PUBREC and does not count against the quota.
TEST(V5FlowControl24, BrokerQuotaIsFreedByPubcomp) {
  BrokerProcess broker("max_inflight_messages 2");
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "rm-free-sub");
  sub.subscribe("rmf/t", QoS::exactly_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "rm-free-pub");
  pub.send(make_publish("rmf/t", "1", QoS::exactly_once, 1));
  EXPECT_EQ(pub.expect<mqtt::Pubrec>().packet_id, 1);
  for (std::uint16_t id = 2; id <= 6; ++id) {
    SCOPED_TRACE("packet id " + std::to_string(id));
    pub.send(make_publish("rmf/t", std::to_string(id), QoS::exactly_once, id));
    mqtt::Pubrec pubrec = pub.expect<mqtt::Pubrec>();
    EXPECT_EQ(pubrec.packet_id, id);
    EXPECT_EQ(pubrec.reason_code, mqtt::ReasonCode::success);
    // Two awaiting PUBREL (id - 1 and id): a duplicate of id is acknowledged again.
    mqtt::Publish duplicate = make_publish("rmf/t", std::to_string(id), QoS::exactly_once, id);
    duplicate.dup = true;
    pub.send(duplicate);
    EXPECT_EQ(pub.expect<mqtt::Pubrec>().packet_id, id);
    auto previous = static_cast<std::uint16_t>(id - 1);
    pub.send(make_ack<mqtt::Pubrel>(previous));
    mqtt::Pubcomp pubcomp = pub.expect<mqtt::Pubcomp>();
    EXPECT_EQ(pubcomp.packet_id, previous);
    EXPECT_EQ(pubcomp.reason_code, mqtt::ReasonCode::success);
  }
  pub.send(make_ack<mqtt::Pubrel>(6));
  EXPECT_EQ(pub.expect<mqtt::Pubcomp>().packet_id, 6);
  for (int i = 1; i <= 6; ++i)
    EXPECT_EQ(sub.receive_publish().payload, std::to_string(i)) << "each exactly once";
  sub.expect_nothing();
}

// ---- Maximum Packet Size ---------------------------------------------------------------------

// The client's Maximum Packet Size: the broker never sends it a larger packet [MQTT-3.1.2-24];
// such a message is discarded for that client only [MQTT-3.1.2-25], while a packet of exactly
// the maximum and smaller ones after it still arrive. Another client gets everything.
TEST(V5FlowControl24, ClientMaximumPacketSizeSkipsLargerMessages) {
  constexpr std::uint32_t kMax = 64;
  const std::string topic = "mps/t";
  std::size_t fits = payload_for_size(topic, kMax, QoS::at_least_once);
  BrokerProcess broker;
  RawClient small(broker, Version::v5);
  connect_v5(small, "mps-small", maximum_packet_size(kMax));
  small.subscribe(topic, QoS::at_least_once);
  RawClient big(broker, Version::v5);
  connect_v5(big, "mps-big");
  big.subscribe(topic, QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "mps-pub");
  pub.publish(topic, std::string(fits, 'a'), QoS::at_least_once);
  pub.publish(topic, std::string(1000, 'c'), QoS::at_least_once);
  pub.publish(topic, "small", QoS::at_least_once);

  mqtt::Publish at_limit = small.receive_publish();
  EXPECT_EQ(at_limit.payload, std::string(fits, 'a'));
  EXPECT_EQ(small.encode(at_limit).size(), kMax);
  EXPECT_EQ(small.receive_publish().payload, "small");
  small.expect_nothing();

  EXPECT_EQ(big.receive_publish().payload, std::string(fits, 'a'));
  EXPECT_EQ(big.receive_publish().payload, std::string(1000, 'c'));
  EXPECT_EQ(big.receive_publish().payload, "small");
}

// The Maximum Packet Size counts the whole packet, fixed header included (3.1.2.11.4: "the
// total number of bytes in an MQTT Control Packet"): one byte over is too large.
TEST(V5FlowControl24, ClientMaximumPacketSizeCountsTheWholePacket) {
  constexpr std::uint32_t kMax = 64;
  const std::string topic = "mpsb/t";
  std::size_t fits = payload_for_size(topic, kMax, QoS::at_least_once);
  BrokerProcess broker;
  RawClient small(broker, Version::v5);
  connect_v5(small, "mpsb-small", maximum_packet_size(kMax));
  small.subscribe(topic, QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "mpsb-pub");
  pub.publish(topic, std::string(fits + 1, 'b'), QoS::at_least_once);
  pub.publish(topic, std::string(fits, 'a'), QoS::at_least_once);
  mqtt::Publish got = small.receive_publish();
  EXPECT_EQ(got.payload, std::string(fits, 'a'))
      << "the packet of " << kMax + 1 << " bytes must not be sent";
  small.expect_nothing();
}

// A discarded message counts as sent and completed [MQTT-3.1.2-25]: it takes no place in the
// send quota (Receive Maximum 1 here) and is not sent later, not even to the same session on
// a new connection with a larger maximum.
TEST(V5FlowControl24, DiscardedLargeMessagesAreNotInFlight) {
  BrokerProcess broker;
  mqtt::Properties properties = maximum_packet_size(100);
  properties.receive_maximum = 1;
  properties.session_expiry_interval = 60;
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "discard-pub");
  {
    RawClient sub(broker, Version::v5);
    connect_v5(sub, "discard-sub", properties);
    sub.subscribe("disc/t", QoS::at_least_once);
    for (int i = 0; i < 3; ++i)
      pub.publish("disc/t", std::string(500, 'x'), QoS::at_least_once);
    pub.publish("disc/t", "fits", QoS::at_least_once);
    EXPECT_EQ(sub.receive_publish().payload, "fits");
    sub.expect_nothing();
    sub.disconnect();
  }
  RawClient sub(broker, Version::v5);
  EXPECT_TRUE(connect_v5(sub, "discard-sub", mqtt::Properties{}, false).session_present);
  sub.expect_nothing();
  pub.publish("disc/t", std::string(500, 'y'), QoS::at_least_once);
  EXPECT_EQ(sub.receive_publish().payload, std::string(500, 'y'));
}

// max_packet_size 100: announced in the CONNACK (3.2.2.3.6); a packet of exactly 100 bytes is
// accepted, a larger one gets DISCONNECT 0x95 Packet too large and the close ([MQTT-3.2.2-15]
// is the client's duty; section 3.2.2.3.6 the broker's answer). The large message is not
// delivered.
TEST(V5FlowControl24, BrokerMaximumPacketSizeDisconnectsLargerPackets) {
  constexpr std::uint32_t kMax = 100;
  const std::string topic = "bmps/t";
  std::size_t fits = payload_for_size(topic, kMax, QoS::at_least_once);
  BrokerProcess broker("max_packet_size 100");
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "bmps-sub");
  sub.subscribe(topic, QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  EXPECT_EQ(connect_v5(pub, "bmps-pub").properties.maximum_packet_size,
            std::optional<std::uint32_t>(kMax));

  mqtt::Publish at_limit = make_publish(topic, std::string(fits, 'a'), QoS::at_least_once, 1);
  ASSERT_EQ(pub.encode(at_limit).size(), kMax);
  pub.send(at_limit);
  EXPECT_EQ(pub.expect<mqtt::Puback>().packet_id, 1);
  EXPECT_EQ(sub.receive_publish().payload, at_limit.payload);

  pub.send(make_publish(topic, std::string(200, 'b'), QoS::at_least_once, 2));
  EXPECT_EQ(expect_disconnect(pub, kPropertiesUnchecked).reason_code,
            mqtt::ReasonCode::packet_too_large);
  sub.expect_nothing();
}

// One byte over max_packet_size, counting the fixed header (3.2.2.3.6: the total number of
// bytes of the packet), is already too large: DISCONNECT 0x95.
TEST(V5FlowControl24, BrokerMaximumPacketSizeCountsTheWholePacket) {
  constexpr std::uint32_t kMax = 100;
  const std::string topic = "bmpsb/t";
  std::size_t fits = payload_for_size(topic, kMax, QoS::at_least_once);
  BrokerProcess broker("max_packet_size 100");
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "bmpsb-pub");
  mqtt::Publish over = make_publish(topic, std::string(fits + 1, 'b'), QoS::at_least_once, 2);
  ASSERT_EQ(pub.encode(over).size(), kMax + 1);
  pub.send(over);
  EXPECT_EQ(expect_disconnect(pub, kPropertiesUnchecked).reason_code,
            mqtt::ReasonCode::packet_too_large);
}

}  // namespace
}  // namespace tern::blackbox
