// 28: MQTT 5.0 Reason Codes in PUBACK, PUBREC, PUBREL and PUBCOMP (sections 3.4.2.1, 3.5.2.1,
// 3.6.2.1, 3.7.2.1), Reason Strings and Request Problem Information (3.1.2.11.7), and the plain
// acknowledgements 3.1.1 clients keep getting.
#include <string>
#include <vector>

#include "v5_helpers.h"

namespace tern::blackbox {
namespace {

// ---- Helpers -----------------------------------------------------------------------------------

// What [MQTT-3.1.2-29] forbids after Request Problem Information 0 on packets other than
// PUBLISH, CONNACK and DISCONNECT.
template <class Ack>
void expect_no_problem_information(const Ack& ack) {
  EXPECT_FALSE(ack.properties.reason_string)
      << "[MQTT-3.1.2-29] reason string '" << *ack.properties.reason_string << "'";
  EXPECT_TRUE(ack.properties.user_properties.empty()) << "[MQTT-3.1.2-29] user properties";
}

// ---- PUBACK and PUBREC reason codes (3.4.2.1, 3.5.2.1) --------------------------------------

// A QoS 1 or QoS 2 PUBLISH that matched a subscription is acknowledged with 0x00 Success; the
// QoS 2 flow then ends with PUBCOMP 0x00 [MQTT-4.3.3-11].
TEST(V5Acks28, SuccessWhenSubscribersMatched) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "ack-ok-sub");
  sub.subscribe("ackok/#", QoS::exactly_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "ack-ok-pub");

  auto puback = publish_and_expect<mqtt::Puback>(pub, "ackok/1", "one", QoS::at_least_once, 10);
  EXPECT_EQ(puback.reason_code, mqtt::ReasonCode::success);
  auto pubrec = publish_and_expect<mqtt::Pubrec>(pub, "ackok/2", "two", QoS::exactly_once, 11);
  EXPECT_EQ(pubrec.reason_code, mqtt::ReasonCode::success);
  pub.send(make_ack<mqtt::Pubrel>(11));
  auto pubcomp = pub.expect<mqtt::Pubcomp>();
  EXPECT_EQ(pubcomp.packet_id, 11);
  EXPECT_EQ(pubcomp.reason_code, mqtt::ReasonCode::success);

  EXPECT_EQ(sub.receive_publish().payload, "one");
  EXPECT_EQ(sub.receive_publish().payload, "two");
}

// No subscription matched: PUBACK / PUBREC 0x10 No matching subscribers (3.4.2.1, 3.5.2.1).
// It is not an error (below 0x80): the QoS 2 flow goes on to PUBREL and PUBCOMP 0x00.
TEST(V5Acks28, NoMatchingSubscribers) {
  BrokerProcess broker;
  RawClient other(broker, Version::v5);
  connect_v5(other, "ack-none-other");
  other.subscribe("elsewhere/#", QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "ack-none-pub");

  auto puback = publish_and_expect<mqtt::Puback>(pub, "nobody/1", "x", QoS::at_least_once, 1);
  EXPECT_EQ(puback.reason_code, mqtt::ReasonCode::no_matching_subscribers);
  auto pubrec = publish_and_expect<mqtt::Pubrec>(pub, "nobody/2", "y", QoS::exactly_once, 2);
  EXPECT_EQ(pubrec.reason_code, mqtt::ReasonCode::no_matching_subscribers);
  pub.send(make_ack<mqtt::Pubrel>(2));
  auto pubcomp = pub.expect<mqtt::Pubcomp>();
  EXPECT_EQ(pubcomp.packet_id, 2);
  EXPECT_EQ(pubcomp.reason_code, mqtt::ReasonCode::success);

  // Once a subscriber exists, the same topic gets Success.
  other.subscribe("nobody/#", QoS::at_least_once);
  puback = publish_and_expect<mqtt::Puback>(pub, "nobody/1", "z", QoS::at_least_once, 3);
  EXPECT_EQ(puback.reason_code, mqtt::ReasonCode::success);
  EXPECT_EQ(other.receive_publish().payload, "z");
}

// message_size_limit 10: a QoS 1 PUBLISH with a larger payload gets PUBACK 0x97 Quota exceeded
// and is not delivered; a payload of exactly the limit is accepted (0x00) and delivered.
TEST(V5Acks28, MessageSizeLimitQos1GetsQuotaExceeded) {
  BrokerProcess broker("message_size_limit 10");
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "ack-size1-sub");
  sub.subscribe("size/#", QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "ack-size1-pub");

  auto over =
      publish_and_expect<mqtt::Puback>(pub, "size/t", std::string(11, 'b'), QoS::at_least_once, 1);
  EXPECT_EQ(over.reason_code, mqtt::ReasonCode::quota_exceeded);
  auto fits =
      publish_and_expect<mqtt::Puback>(pub, "size/t", std::string(10, 'a'), QoS::at_least_once, 2);
  EXPECT_EQ(fits.reason_code, mqtt::ReasonCode::success);
  EXPECT_EQ(sub.receive_publish().payload, std::string(10, 'a'));
  sub.expect_nothing();
}

// QoS 2 over message_size_limit: PUBREC 0x97. A PUBREC of 0x80 or more ends the flow, and the
// packet id is free at once: a new PUBLISH with it is a new message [MQTT-4.3.3-9], delivered.
TEST(V5Acks28, MessageSizeLimitQos2GetsQuotaExceeded) {
  BrokerProcess broker("message_size_limit 10");
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "ack-size2-sub");
  sub.subscribe("size/#", QoS::exactly_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "ack-size2-pub");

  auto over =
      publish_and_expect<mqtt::Pubrec>(pub, "size/t", std::string(11, 'b'), QoS::exactly_once, 7);
  EXPECT_EQ(over.reason_code, mqtt::ReasonCode::quota_exceeded);
  auto fits = publish_and_expect<mqtt::Pubrec>(pub, "size/t", "new", QoS::exactly_once, 7);
  EXPECT_EQ(fits.reason_code, mqtt::ReasonCode::success);
  pub.send(make_ack<mqtt::Pubrel>(7));
  auto pubcomp = pub.expect<mqtt::Pubcomp>();
  EXPECT_EQ(pubcomp.packet_id, 7);
  EXPECT_EQ(pubcomp.reason_code, mqtt::ReasonCode::success);
  EXPECT_EQ(sub.receive_publish().payload, "new");
  sub.expect_nothing();
}

// QoS 0 over message_size_limit: dropped without a word (there is nothing to answer with);
// the connection stays up and later messages flow.
TEST(V5Acks28, MessageSizeLimitQos0IsDroppedSilently) {
  BrokerProcess broker("message_size_limit 10");
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "ack-size0-sub");
  sub.subscribe("size/#", QoS::at_most_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "ack-size0-pub");
  pub.send(make_publish("size/t", std::string(11, 'b')));
  pub.send(mqtt::Pingreq{});
  pub.expect<mqtt::Pingresp>();
  sub.expect_nothing();
  pub.send(make_publish("size/t", "small"));
  EXPECT_EQ(sub.expect<mqtt::Publish>().payload, "small");
}

// ---- PUBREL and PUBCOMP for unknown packet ids (3.6.2.1, 3.7.2.1) ----------------------------

// A PUBREL for a packet id the broker holds no QoS 2 state for: PUBCOMP 0x92 Packet Identifier
// not found [MQTT-4.3.3-11]. A PUBREL of a finished flow is such a PUBREL too, while the
// PUBREL of a live flow gets 0x00.
TEST(V5Acks28, UnknownPubrelGetsPubcompPacketIdNotFound) {
  BrokerProcess broker;
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "ack-pubrel");
  pub.send(make_ack<mqtt::Pubrel>(99));
  auto unknown = pub.expect<mqtt::Pubcomp>();
  EXPECT_EQ(unknown.packet_id, 99);
  EXPECT_EQ(unknown.reason_code, mqtt::ReasonCode::packet_identifier_not_found);

  publish_and_expect<mqtt::Pubrec>(pub, "rel/t", "x", QoS::exactly_once, 5);
  pub.send(make_ack<mqtt::Pubrel>(5));
  auto known = pub.expect<mqtt::Pubcomp>();
  EXPECT_EQ(known.packet_id, 5);
  EXPECT_EQ(known.reason_code, mqtt::ReasonCode::success);
  pub.send(make_ack<mqtt::Pubrel>(5));
  auto again = pub.expect<mqtt::Pubcomp>();
  EXPECT_EQ(again.packet_id, 5);
  EXPECT_EQ(again.reason_code, mqtt::ReasonCode::packet_identifier_not_found);
  // The connection stays up.
  pub.send(mqtt::Pingreq{});
  pub.expect<mqtt::Pingresp>();
}

// A PUBREC for a packet id the broker has no QoS 2 PUBLISH in flight with: PUBREL 0x92 Packet
// Identifier not found (3.6.2.1). The PUBREC of a real delivery gets PUBREL 0x00; once that
// flow has completed, the same PUBREC again is unknown.
TEST(V5Acks28, UnknownPubrecGetsPubrelPacketIdNotFound) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "ack-pubrec");
  sub.send(make_ack<mqtt::Pubrec>(77));
  auto unknown = sub.expect<mqtt::Pubrel>();
  EXPECT_EQ(unknown.packet_id, 77);
  EXPECT_EQ(unknown.reason_code, mqtt::ReasonCode::packet_identifier_not_found);

  sub.subscribe("rec/t", QoS::exactly_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "ack-pubrec-pub");
  pub.publish("rec/t", "delivered", QoS::exactly_once);
  mqtt::Publish got = sub.expect<mqtt::Publish>();
  ASSERT_EQ(got.qos, QoS::exactly_once);
  sub.send(make_ack<mqtt::Pubrec>(got.packet_id));
  auto known = sub.expect<mqtt::Pubrel>();
  EXPECT_EQ(known.packet_id, got.packet_id);
  EXPECT_EQ(known.reason_code, mqtt::ReasonCode::success);
  sub.send(make_ack<mqtt::Pubcomp>(got.packet_id));
  sub.send(make_ack<mqtt::Pubrec>(got.packet_id));
  auto again = sub.expect<mqtt::Pubrel>();
  EXPECT_EQ(again.packet_id, got.packet_id);
  EXPECT_EQ(again.reason_code, mqtt::ReasonCode::packet_identifier_not_found);
  sub.send(mqtt::Pingreq{});
  sub.expect<mqtt::Pingresp>();
}

// ---- Reason Strings and Request Problem Information (3.1.2.11.7) ----------------------------

// A client that set Request Problem Information to 0 gets no Reason String and no User
// Property on any acknowledgement [MQTT-3.1.2-29], whatever its Reason Code (checked in the
// tests above): a PUBACK and PUBREC with no subscribers, the PUBCOMP that follows, the PUBCOMP
// and PUBREL for unknown packet ids.
TEST(V5Acks28, NoReasonStringsWhenProblemInformationIsRefused) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "ack-quiet", no_problem_information());
  expect_no_problem_information(
      publish_and_expect<mqtt::Puback>(client, "quiet/t", "x", QoS::at_least_once, 2));
  expect_no_problem_information(
      publish_and_expect<mqtt::Pubrec>(client, "quiet/t", "x", QoS::exactly_once, 4));
  client.send(make_ack<mqtt::Pubrel>(4));
  expect_no_problem_information(client.expect<mqtt::Pubcomp>());
  client.send(make_ack<mqtt::Pubrel>(500));
  expect_no_problem_information(client.expect<mqtt::Pubcomp>());
  client.send(make_ack<mqtt::Pubrec>(501));
  expect_no_problem_information(client.expect<mqtt::Pubrel>());
}

// The same for the error acknowledgements of message_size_limit: PUBACK and PUBREC 0x97
// without Reason String or User Property [MQTT-3.1.2-29].
TEST(V5Acks28, NoReasonStringsOnQuotaExceededWhenProblemInformationIsRefused) {
  BrokerProcess broker("message_size_limit 10");
  RawClient client(broker, Version::v5);
  connect_v5(client, "ack-quiet-size", no_problem_information());
  auto puback = publish_and_expect<mqtt::Puback>(client, "quiet/t", std::string(11, 'x'),
                                                 QoS::at_least_once, 1);
  EXPECT_EQ(puback.reason_code, mqtt::ReasonCode::quota_exceeded);
  expect_no_problem_information(puback);
  auto pubrec = publish_and_expect<mqtt::Pubrec>(client, "quiet/t", std::string(11, 'x'),
                                                 QoS::exactly_once, 3);
  EXPECT_EQ(pubrec.reason_code, mqtt::ReasonCode::quota_exceeded);
  expect_no_problem_information(pubrec);
}

// ---- 3.1.1 acknowledgements stay plain ----------------------------------------------------------

// A 3.1.1 client's acknowledgements are the four bytes of 3.1.1 (section 3.4 of 3.1.1): no
// Reason Code, whatever a v5 client would have been told (no matching subscribers, over
// message_size_limit, unknown PUBREL).
TEST(V5Acks28, V311AcknowledgementsHaveNoReasonCodes) {
  BrokerProcess broker("message_size_limit 10");
  RawClient client(broker, Version::v3_1_1);
  client.connect_ok("ack-v311");

  // The client decodes in 3.1.1, which fails the test on any byte past the packet id; the
  // packet encoded again must be the expected bytes.
  auto expect_exact = [&client](const Bytes& bytes, const char* what) {
    SCOPED_TRACE(what);
    auto packet = client.receive();
    ASSERT_TRUE(packet) << "nothing came";
    EXPECT_EQ(client.encode(*packet), bytes) << describe(*packet);
  };
  client.send(make_publish("v311/nobody", "x", QoS::at_least_once, 0x0102));
  expect_exact({0x40, 0x02, 0x01, 0x02}, "PUBACK, no subscribers");
  client.send(make_publish("v311/nobody", std::string(11, 'x'), QoS::at_least_once, 0x0103));
  expect_exact({0x40, 0x02, 0x01, 0x03}, "PUBACK, over message_size_limit");
  client.send(make_publish("v311/nobody", "x", QoS::exactly_once, 0x0104));
  expect_exact({0x50, 0x02, 0x01, 0x04}, "PUBREC, no subscribers");
  client.send(make_ack<mqtt::Pubrel>(0x0104));
  expect_exact({0x70, 0x02, 0x01, 0x04}, "PUBCOMP");
  client.send(make_ack<mqtt::Pubrel>(0x0105));
  expect_exact({0x70, 0x02, 0x01, 0x05}, "PUBCOMP, unknown PUBREL");
  client.send(mqtt::Pingreq{});
  client.expect<mqtt::Pingresp>();
}

}  // namespace
}  // namespace tern::blackbox
