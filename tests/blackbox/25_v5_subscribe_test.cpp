// 25: MQTT 5.0 SUBSCRIBE and UNSUBSCRIBE (MQTT 5.0 sections 3.8 to 3.11): the subscription
// options No Local, Retain As Published and Retain Handling, Subscription Identifiers, the
// SUBACK and UNSUBACK reason codes, and invalid topic filters.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "v5_helpers.h"

namespace tern::blackbox {
namespace {

using mqtt::ReasonCode;
using mqtt::RetainHandling;

// A retained message on `topic`, published by a client of its own.
void retain(const BrokerProcess& broker, const std::string& topic, const std::string& payload) {
  RawClient publisher(broker);
  publisher.connect_ok("retainer-" + topic);
  publisher.publish(topic, payload, QoS::at_least_once, true);
  publisher.disconnect();
}

// ---- No Local ---------------------------------------------------------------------------------

// [MQTT-3.8.3-3]: with No Local 1 a client does not get its own messages back; messages of other
// clients still arrive. Without it (the second client) a client gets its own.
TEST(V5Subscribe25, NoLocalSuppressesOwnMessages) {
  BrokerProcess broker;
  RawClient local(broker, Version::v5);
  connect_v5(local, "no-local");
  mqtt::Subscription no_local = option("nl/t", QoS::at_least_once);
  no_local.no_local = true;
  subscribe_one(local, no_local);
  RawClient echo(broker, Version::v5);
  connect_v5(echo, "echo");
  subscribe_one(echo, option("nl/t", QoS::at_least_once));

  local.publish("nl/t", "from local", QoS::at_least_once);
  EXPECT_EQ(echo.receive_publish().payload, "from local");
  local.expect_nothing();

  echo.publish("nl/t", "from echo", QoS::at_least_once);
  EXPECT_EQ(echo.receive_publish().payload, "from echo") << "No Local 0: own messages come back";
  EXPECT_EQ(local.receive_publish().payload, "from echo");
  local.expect_nothing();
  echo.expect_nothing();
}

// [MQTT-3.8.3-3] compares Client Identifiers, not connections: after a reconnect with the same id
// (persistent session), the client's own messages are still held back.
TEST(V5Subscribe25, NoLocalFollowsTheClientIdentifier) {
  BrokerProcess broker;
  mqtt::Properties keep;
  keep.session_expiry_interval = 60;
  {
    RawClient first(broker, Version::v5);
    connect_v5(first, "no-local-session", keep);
    mqtt::Subscription no_local = option("nls/t", QoS::at_least_once);
    no_local.no_local = true;
    subscribe_one(first, no_local);
    first.disconnect();
  }
  RawClient again(broker, Version::v5);
  mqtt::Connect connect = make_connect("no-local-session", false, 60, Version::v5);
  connect.properties = keep;
  EXPECT_TRUE(again.connect(connect).session_present);
  again.publish("nls/t", "mine", QoS::at_least_once);
  again.expect_nothing();
  RawClient other(broker, Version::v5);
  connect_v5(other, "no-local-other");
  other.publish("nls/t", "theirs", QoS::at_least_once);
  EXPECT_EQ(again.receive_publish().payload, "theirs");
}

// ---- Retain As Published ----------------------------------------------------------------------

// [MQTT-3.3.1-12] [MQTT-3.3.1-13]: a retained PUBLISH forwarded live keeps RETAIN 1 only for a
// subscription with Retain As Published 1; with 0 the broker clears it. A non-retained PUBLISH has
// RETAIN 0 for both.
TEST(V5Subscribe25, RetainAsPublishedKeepsTheRetainFlag) {
  BrokerProcess broker;
  RawClient as_published(broker, Version::v5);
  connect_v5(as_published, "rap-1");
  mqtt::Subscription rap = option("rap/t", QoS::at_least_once);
  rap.retain_as_published = true;
  subscribe_one(as_published, rap);
  RawClient cleared(broker, Version::v5);
  connect_v5(cleared, "rap-0");
  subscribe_one(cleared, option("rap/t", QoS::at_least_once));

  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "rap-pub");
  publisher.publish("rap/t", "retained", QoS::at_least_once, true);
  mqtt::Publish kept = as_published.receive_publish();
  EXPECT_EQ(kept.payload, "retained");
  EXPECT_TRUE(kept.retain) << "[MQTT-3.3.1-13]";
  mqtt::Publish plain = cleared.receive_publish();
  EXPECT_EQ(plain.payload, "retained");
  EXPECT_FALSE(plain.retain) << "[MQTT-3.3.1-12]";

  publisher.publish("rap/t", "not retained", QoS::at_least_once, false);
  EXPECT_FALSE(as_published.receive_publish().retain) << "[MQTT-3.3.1-13]";
  EXPECT_FALSE(cleared.receive_publish().retain);
}

// Section 3.3.1.3: retained messages sent because of a new subscription always have RETAIN 1,
// whatever Retain As Published says.
TEST(V5Subscribe25, RetainedOnSubscribeHaveRetainSetEitherWay) {
  BrokerProcess broker;
  retain(broker, "rapr/t", "stored");
  for (bool as_published : {false, true}) {
    SCOPED_TRACE(as_published ? "Retain As Published 1" : "Retain As Published 0");
    RawClient client(broker, Version::v5);
    connect_v5(client, as_published ? "rapr-1" : "rapr-0");
    mqtt::Subscription subscription = option("rapr/t", QoS::at_least_once);
    subscription.retain_as_published = as_published;
    subscribe_one(client, subscription);
    mqtt::Publish got = client.receive_publish();
    EXPECT_EQ(got.payload, "stored");
    EXPECT_TRUE(got.retain);
    client.expect_nothing();
  }
}

// ---- Retain Handling --------------------------------------------------------------------------

// [MQTT-3.3.1-9]: Retain Handling 0 sends the retained messages on every SUBSCRIBE, also when it
// replaces an existing subscription [MQTT-3.8.4-3].
TEST(V5Subscribe25, RetainHandling0SendsOnEverySubscribe) {
  BrokerProcess broker;
  retain(broker, "rh0/t", "stored");
  RawClient client(broker, Version::v5);
  connect_v5(client, "rh0");
  mqtt::Subscription subscription = option("rh0/+", QoS::at_least_once);
  subscription.retain_handling = RetainHandling::send_on_subscribe;
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "new subscription" : "existing subscription");
    subscribe_one(client, subscription);
    mqtt::Publish got = client.receive_publish();
    EXPECT_EQ(got.topic, "rh0/t");
    EXPECT_EQ(got.payload, "stored");
    EXPECT_TRUE(got.retain);
    client.expect_nothing();
  }
}

// [MQTT-3.3.1-10]: Retain Handling 1 sends the retained messages only when the subscription is
// new: not when the SUBSCRIBE replaces an existing one; again once it has been unsubscribed.
TEST(V5Subscribe25, RetainHandling1SendsOnlyForANewSubscription) {
  BrokerProcess broker;
  retain(broker, "rh1/t", "stored");
  RawClient client(broker, Version::v5);
  connect_v5(client, "rh1");
  mqtt::Subscription subscription = option("rh1/#", QoS::at_least_once);
  subscription.retain_handling = RetainHandling::send_if_new_subscription;
  subscribe_one(client, subscription);
  EXPECT_EQ(client.receive_publish().payload, "stored");
  client.expect_nothing();

  subscribe_one(client, subscription);
  client.expect_nothing();

  // The same filter at another QoS is still the same subscription (replaced, not new).
  mqtt::Subscription other_qos = subscription;
  other_qos.max_qos = QoS::at_most_once;
  subscribe_one(client, other_qos);
  client.expect_nothing();

  EXPECT_EQ(codes(unsubscribe_v5(client, {"rh1/#"}).reason_codes),
            std::vector<std::string>{code(ReasonCode::success)});
  subscribe_one(client, subscription);
  EXPECT_EQ(client.receive_publish().payload, "stored");
  client.expect_nothing();
}

// [MQTT-3.3.1-11]: Retain Handling 2 never sends the retained messages; live messages still
// come.
TEST(V5Subscribe25, RetainHandling2NeverSends) {
  BrokerProcess broker;
  retain(broker, "rh2/t", "stored");
  RawClient client(broker, Version::v5);
  connect_v5(client, "rh2");
  mqtt::Subscription subscription = option("rh2/t", QoS::at_least_once);
  subscription.retain_handling = RetainHandling::do_not_send;
  subscribe_one(client, subscription);
  client.expect_nothing();
  subscribe_one(client, subscription);
  client.expect_nothing();
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "rh2-pub");
  publisher.publish("rh2/t", "live", QoS::at_least_once);
  EXPECT_EQ(client.receive_publish().payload, "live");
}

// ---- Subscription Identifiers -----------------------------------------------------------------

// [MQTT-3.3.4-3]: a message delivered because of a subscription with a Subscription Identifier
// carries that identifier; one without an identifier carries none.
TEST(V5Subscribe25, SubscriptionIdentifierIsCarried) {
  BrokerProcess broker;
  RawClient with_id(broker, Version::v5);
  connect_v5(with_id, "sid-42");
  subscribe_one(with_id, option("sid/+", QoS::at_least_once), 42);
  RawClient without_id(broker, Version::v5);
  connect_v5(without_id, "sid-none");
  subscribe_one(without_id, option("sid/+", QoS::at_least_once));

  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "sid-pub");
  publisher.publish("sid/t", "tagged", QoS::at_least_once);
  mqtt::Publish tagged = with_id.receive_publish();
  EXPECT_EQ(tagged.payload, "tagged");
  EXPECT_EQ(tagged.properties.subscription_identifiers, std::vector<std::uint32_t>{42});
  mqtt::Publish untagged = without_id.receive_publish();
  EXPECT_EQ(untagged.payload, "tagged");
  EXPECT_TRUE(untagged.properties.subscription_identifiers.empty());
}

// The largest Subscription Identifier (268,435,455, section 3.8.2.1.2) goes through unchanged.
TEST(V5Subscribe25, LargestSubscriptionIdentifier) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "sid-max");
  subscribe_one(client, option("sidmax/t", QoS::at_most_once), mqtt::kMaxSubscriptionId);
  client.publish("sidmax/t", "max");
  EXPECT_EQ(client.expect<mqtt::Publish>().properties.subscription_identifiers,
            std::vector<std::uint32_t>{mqtt::kMaxSubscriptionId});
}

// Section 3.3.1.3 with [MQTT-3.3.4-3]: a retained message sent because of a SUBSCRIBE carries
// that subscription's identifier.
TEST(V5Subscribe25, RetainedOnSubscribeCarriesTheSubscriptionIdentifier) {
  BrokerProcess broker;
  retain(broker, "sidr/t", "stored");
  RawClient client(broker, Version::v5);
  connect_v5(client, "sid-retained");
  subscribe_one(client, option("sidr/#", QoS::at_least_once), 7);
  mqtt::Publish got = client.receive_publish();
  EXPECT_EQ(got.payload, "stored");
  EXPECT_TRUE(got.retain);
  EXPECT_EQ(got.properties.subscription_identifiers, std::vector<std::uint32_t>{7});
}

// [MQTT-3.3.4-4]: Tern sends one PUBLISH per session for overlapping subscriptions, and it then
// carries the identifiers of every matching subscription (in any order); the QoS is the highest
// of the matching subscriptions [MQTT-3.3.4-2].
TEST(V5Subscribe25, OverlappingSubscriptionsGiveOnePublishWithEveryIdentifier) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "sid-overlap");
  subscribe_one(client, option("over/+", QoS::at_most_once), 1);
  subscribe_one(client, option("over/#", QoS::at_least_once), 2);
  subscribe_one(client, option("over/t", QoS::at_most_once));  // no identifier
  subscribe_one(client, option("other/#", QoS::at_least_once), 3);
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "sid-overlap-pub");
  publisher.publish("over/t", "once", QoS::at_least_once);
  mqtt::Publish got = client.receive_publish();
  EXPECT_EQ(got.payload, "once");
  EXPECT_EQ(got.qos, QoS::at_least_once) << "[MQTT-3.3.4-2]";
  std::vector<std::uint32_t> ids = got.properties.subscription_identifiers;
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::uint32_t>{1, 2}));
  client.expect_nothing();
}

// [MQTT-3.8.4-3]: a SUBSCRIBE to the same filter replaces the subscription, its identifier
// included: a new identifier replaces the old one, and no identifier removes it.
TEST(V5Subscribe25, ResubscribeReplacesTheIdentifier) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "sid-replace");
  mqtt::Subscription subscription = option("rep/t", QoS::at_most_once);
  subscription.retain_handling = RetainHandling::do_not_send;
  subscribe_one(client, subscription, 5);
  client.publish("rep/t", "five");
  EXPECT_EQ(client.expect<mqtt::Publish>().properties.subscription_identifiers,
            std::vector<std::uint32_t>{5});
  subscribe_one(client, subscription, 9);
  client.publish("rep/t", "nine");
  EXPECT_EQ(client.expect<mqtt::Publish>().properties.subscription_identifiers,
            std::vector<std::uint32_t>{9});
  subscribe_one(client, subscription);
  client.publish("rep/t", "none");
  mqtt::Publish none = client.expect<mqtt::Publish>();
  EXPECT_EQ(none.payload, "none");
  EXPECT_TRUE(none.properties.subscription_identifiers.empty());
  client.expect_nothing();
}

// ---- SUBACK reason codes ----------------------------------------------------------------------

// [MQTT-3.8.4-6] [MQTT-3.9.3-1]: one reason code per filter, in order, each the granted QoS.
TEST(V5Subscribe25, SubackGrantsEachRequestedQos) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "granted");
  auto suback =
      subscribe_v5(client, {option("g/2", QoS::exactly_once), option("g/0", QoS::at_most_once),
                            option("g/1", QoS::at_least_once)});
  EXPECT_EQ(codes(suback.reason_codes),
            (std::vector<std::string>{code(ReasonCode::granted_qos_2), code(ReasonCode::success),
                                      code(ReasonCode::granted_qos_1)}));
}

// [MQTT-3.8.4-7] [MQTT-3.8.4-8]: with max_qos 1 the broker grants at most QoS 1 (CONNACK Maximum
// QoS 1, section 3.2.2.3.4), and delivers at the minimum of the message's and the granted QoS.
TEST(V5Subscribe25, SubackIsCappedByMaxQos) {
  BrokerProcess broker("max_qos 1");
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = connect_v5(client, "capped");
  EXPECT_EQ(connack.properties.maximum_qos, std::optional<std::uint8_t>(1));
  auto suback =
      subscribe_v5(client, {option("cap/2", QoS::exactly_once), option("cap/0", QoS::at_most_once),
                            option("cap/1", QoS::at_least_once)});
  EXPECT_EQ(codes(suback.reason_codes),
            (std::vector<std::string>{code(ReasonCode::granted_qos_1), code(ReasonCode::success),
                                      code(ReasonCode::granted_qos_1)}));
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "capped-pub");
  publisher.publish("cap/2", "at one", QoS::at_least_once);
  EXPECT_EQ(client.receive_publish().qos, QoS::at_least_once);
  publisher.publish("cap/0", "at zero", QoS::at_least_once);
  EXPECT_EQ(client.receive_publish().qos, QoS::at_most_once);
}

// Section 3.9.3: with shared_subscriptions false the CONNACK says Shared Subscription Available 0
// and a SUBSCRIBE to $share/... gets 0x9E Shared Subscriptions not supported for that filter
// only.
TEST(V5Subscribe25, SharedSubscriptionsNotSupported0x9E) {
  BrokerProcess broker("shared_subscriptions false");
  ASSERT_TRUE(broker.running());
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = connect_v5(client, "no-shared");
  EXPECT_EQ(connack.properties.shared_subscription_available, std::optional<std::uint8_t>(0));
  auto suback = subscribe_v5(
      client, {option("$share/g/ns/t", QoS::at_least_once), option("ns/t", QoS::at_least_once)});
  EXPECT_EQ(codes(suback.reason_codes),
            (std::vector<std::string>{code(ReasonCode::shared_subscriptions_not_supported),
                                      code(ReasonCode::granted_qos_1)}));
  client.publish("ns/t", "once only", QoS::at_least_once);
  EXPECT_EQ(client.receive_publish().payload, "once only");
  client.expect_nothing();
}

// Section 3.9.3: a SUBSCRIBE whose packet identifier is that of a QoS 2 PUBLISH still awaiting
// its PUBREL [MQTT-2.2.1-3] gets 0x91 Packet Identifier in use for each filter, and subscribes
// to nothing; once the PUBLISH flow is complete the identifier is free again.
TEST(V5Subscribe25, PacketIdentifierInUse0x91) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "id-in-use");
  client.send(make_publish("busy/other", "x", QoS::exactly_once, 5));
  EXPECT_EQ(client.expect<mqtt::Pubrec>().packet_id, 5);
  auto suback = subscribe_v5(
      client, {option("busy/a", QoS::at_least_once), option("busy/b", QoS::at_most_once)},
      std::nullopt, 5);
  EXPECT_EQ(codes(suback.reason_codes),
            (std::vector<std::string>{code(ReasonCode::packet_identifier_in_use),
                                      code(ReasonCode::packet_identifier_in_use)}));
  client.send(make_ack<mqtt::Pubrel>(5));
  EXPECT_EQ(client.expect<mqtt::Pubcomp>().packet_id, 5);

  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "id-in-use-pub");
  publisher.publish("busy/a", "not subscribed", QoS::at_least_once);
  client.expect_nothing();

  suback = subscribe_v5(client, {option("busy/a", QoS::at_least_once)}, std::nullopt, 5);
  EXPECT_EQ(codes(suback.reason_codes), std::vector<std::string>{code(ReasonCode::granted_qos_1)});
  publisher.publish("busy/a", "subscribed", QoS::at_least_once);
  EXPECT_EQ(client.receive_publish().payload, "subscribed");
}

// A filter of `levels` levels: "d/d/.../d".
std::string deep_filter(int levels) {
  std::string filter = "d";
  for (int i = 1; i < levels; ++i)
    filter += "/d";
  return filter;
}

// Tern's depth limit, 201 levels (src/broker/limits.h; Mosquitto's too, though Mosquitto
// disconnects with 0x81 instead): a filter of 201 levels is granted, one of 202 gets 0x80
// Unspecified error in its place of the SUBACK; the others are granted [MQTT-3.9.3-1].
TEST(V5Subscribe25, FilterOverTheDepthLimit0x80) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "too-deep");
  auto suback = subscribe_v5(client, {option(deep_filter(201), QoS::at_least_once),
                                      option(deep_filter(202), QoS::at_least_once),
                                      option("shallow/t", QoS::at_most_once)});
  EXPECT_EQ(
      codes(suback.reason_codes),
      (std::vector<std::string>{code(ReasonCode::granted_qos_1),
                                code(ReasonCode::unspecified_error), code(ReasonCode::success)}));
  client.publish(deep_filter(201), "deep", QoS::at_least_once);
  EXPECT_EQ(client.receive_publish().payload, "deep");
}

// ---- UNSUBACK reason codes --------------------------------------------------------------------

// [MQTT-3.11.3-1] [MQTT-3.11.3-2]: one reason code per filter, in order: 0x00 Success for a
// subscription that existed (and is gone [MQTT-3.10.4-1]), 0x11 No subscription existed otherwise.
// Filters are compared character by character: "ua/+" does not remove "ua/1".
TEST(V5Subscribe25, UnsubackReasonCodesPerFilter) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "unsub");
  subscribe_v5(client, {option("ua/1", QoS::at_least_once), option("ua/2", QoS::at_least_once)});
  auto unsuback = unsubscribe_v5(client, {"ua/1", "ua/none", "ua/+"});
  EXPECT_EQ(codes(unsuback.reason_codes),
            (std::vector<std::string>{code(ReasonCode::success),
                                      code(ReasonCode::no_subscription_existed),
                                      code(ReasonCode::no_subscription_existed)}));
  unsuback = unsubscribe_v5(client, {"ua/1"});
  EXPECT_EQ(codes(unsuback.reason_codes),
            std::vector<std::string>{code(ReasonCode::no_subscription_existed)});

  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "unsub-pub");
  publisher.publish("ua/1", "gone", QoS::at_least_once);
  publisher.publish("ua/2", "kept", QoS::at_least_once);
  EXPECT_EQ(client.receive_publish().payload, "kept");
  client.expect_nothing();

  unsuback = unsubscribe_v5(client, {"ua/2"});
  EXPECT_EQ(codes(unsuback.reason_codes), std::vector<std::string>{code(ReasonCode::success)});
}

// ---- Invalid filters --------------------------------------------------------------------------

// [MQTT-4.7.1-1]: '#' must be the last character of a filter. The codec rejects "a/#/b" as
// Errc::invalid_topic_filter, a Malformed Packet (src/mqtt/errc.cpp): DISCONNECT 0x81, close
// [MQTT-4.13.1-1], and no subscription is made.
TEST(V5Subscribe25, InvalidFilterIsMalformed0x81) {
  BrokerProcess broker;
  for (const char* filter : {"a/#/b", "a/b#", "a+/b"}) {
    SCOPED_TRACE(filter);
    RawClient client(broker, Version::v5);
    connect_v5(client, "bad-filter");
    mqtt::Subscribe subscribe;
    subscribe.packet_id = 1;
    subscribe.subscriptions = {option("fine/t", QoS::at_most_once),
                               option(filter, QoS::at_most_once)};
    client.send(subscribe);
    expect_disconnect(client, ReasonCode::malformed_packet, kPropertiesUnchecked);
  }
  expect_broker_serves(broker);
}

// [MQTT-4.8.2-1] [MQTT-4.8.2-2]: a Share Name with a wildcard, or without a filter after it, is
// Errc::invalid_shared_subscription, a Malformed Packet too.
TEST(V5Subscribe25, InvalidSharedFilterIsMalformed0x81) {
  BrokerProcess broker;
  for (const char* filter : {"$share/g+/t", "$share/g", "$share//t"}) {
    SCOPED_TRACE(filter);
    RawClient client(broker, Version::v5);
    connect_v5(client, "bad-shared-filter");
    mqtt::Subscribe subscribe;
    subscribe.packet_id = 1;
    subscribe.subscriptions = {option(filter, QoS::at_most_once)};
    client.send(subscribe);
    expect_disconnect(client, ReasonCode::malformed_packet, kPropertiesUnchecked);
  }
}

// Section 3.8.2.1.2: a Subscription Identifier of 0 is a Protocol Error: DISCONNECT 0x82.
TEST(V5Subscribe25, SubscriptionIdentifierZeroIsProtocolError0x82) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "sid-zero");
  // SUBSCRIBE id 1, properties: 0x0B Subscription Identifier = 0; filter "z", options QoS 0.
  client.send_bytes(
      raw_packet(0x82, concat({{0x00, 0x01}, {0x02, 0x0B, 0x00}, field("z"), {0x00}})));
  expect_disconnect(client, ReasonCode::protocol_error, kPropertiesUnchecked);
}

// [MQTT-3.8.3-5]: reserved bits 6 and 7 of the Subscription Options set: Malformed Packet.
TEST(V5Subscribe25, ReservedSubscriptionOptionBitsAreMalformed0x81) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "reserved-options");
  client.send_bytes(raw_packet(0x82, concat({{0x00, 0x01}, {0x00}, field("r/t"), {0xC1}})));
  expect_disconnect(client, ReasonCode::malformed_packet, kPropertiesUnchecked);
}

// Section 3.8.3.1: Retain Handling 3 is a Protocol Error: DISCONNECT 0x82.
TEST(V5Subscribe25, RetainHandling3IsProtocolError0x82) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "retain-handling-3");
  client.send_bytes(raw_packet(0x82, concat({{0x00, 0x01}, {0x00}, field("r/t"), {0x31}})));
  expect_disconnect(client, ReasonCode::protocol_error, kPropertiesUnchecked);
}

}  // namespace
}  // namespace tern::blackbox
