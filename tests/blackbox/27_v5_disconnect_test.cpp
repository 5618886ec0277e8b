// 27: the DISCONNECT the broker sends to an MQTT 5.0 client before it closes the connection
// (MQTT 5.0 sections 3.14 and 4.13): one test per reason code, the Reason String and Request
// Problem Information [MQTT-3.1.2-29], and MQTT 3.1.1 clients, which are closed without one.
#include <csignal>
#include <string>

#include "v5_helpers.h"

namespace tern::blackbox {
namespace {

using mqtt::ReasonCode;

// A PUBLISH whose topic is not UTF-8 (0xFF never appears in UTF-8) [MQTT-1.5.4-1]: Malformed.
Bytes malformed_publish(Version version) {
  Bytes topic{0x00, 0x03, 'b', 0xFF, 'd'};
  if (version == Version::v5) return raw_packet(0x30, concat({topic, {0x00}, {'x'}}));
  return raw_packet(0x30, concat({topic, {'x'}}));
}

// ---- One test per reason code -----------------------------------------------------------------

// [MQTT-4.13.1-1], section 4.13: a Malformed Packet closes the connection, after a DISCONNECT
// with 0x81 Malformed Packet.
TEST(V5Disconnect27, MalformedPacket0x81) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "v5-malformed");
  client.send_bytes(malformed_publish(Version::v5));
  expect_disconnect(client, ReasonCode::malformed_packet);
  expect_broker_serves(broker);
}

// A property identifier that does not exist (0x7F) in a PUBLISH: Malformed Packet too
// (section 2.2.2.2).
TEST(V5Disconnect27, UnknownPropertyIsMalformed0x81) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "v5-unknown-property");
  client.send_bytes(raw_packet(0x30, concat({field("t"), {0x02, 0x7F, 0x00}, {'x'}})));
  expect_disconnect(client, ReasonCode::malformed_packet);
}

// [MQTT-3.1.0-2]: a second CONNECT is a Protocol Error: DISCONNECT 0x82, then close.
TEST(V5Disconnect27, SecondConnectIsProtocolError0x82) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "v5-second-connect");
  client.send(make_connect("v5-second-connect", true, 60, Version::v5));
  expect_disconnect(client, ReasonCode::protocol_error);
  expect_broker_serves(broker);
}

// Section 4.13: well-formed packets that break a rule of the protocol are Protocol Errors in the
// codec (src/mqtt/errc.cpp): DISCONNECT 0x82 each, and the packet is not acted on.
TEST(V5Disconnect27, CodecProtocolErrors0x82) {
  BrokerProcess broker;
  RawClient watcher(broker);
  watcher.connect_ok("protocol-watcher");
  watcher.subscribe("pe/#", QoS::at_least_once);
  struct Case {
    const char* rule;
    Bytes bytes;
  };
  const Case cases[] = {
      {"[MQTT-2.2.1-3] QoS 1 PUBLISH with packet identifier 0",
       raw_packet(0x32, concat({field("pe/t"), {0x00, 0x00}, {0x00}, {'x'}}))},
      {"section 2.2.2.2: Payload Format Indicator twice",
       raw_packet(0x30, concat({field("pe/t"), {0x04, 0x01, 0x00, 0x01, 0x00}, {'x'}}))},
      {"[MQTT-3.3.4-6] Subscription Identifier in a client's PUBLISH",
       raw_packet(0x30, concat({field("pe/t"), {0x02, 0x0B, 0x01}, {'x'}}))},
      {"section 3.8.3: SUBSCRIBE with Maximum QoS 3",
       raw_packet(0x82, concat({{0x00, 0x01}, {0x00}, field("pe/t"), {0x03}}))},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.rule);
    RawClient client(broker, Version::v5);
    connect_v5(client, "v5-protocol-error");
    client.send_bytes(c.bytes);
    expect_disconnect(client, ReasonCode::protocol_error);
  }
  watcher.expect_nothing();
}

// [MQTT-3.3.1-2]: DUP 1 on a QoS 0 PUBLISH. The codec files it as Errc::dup_on_qos0, a Malformed
// Packet (src/mqtt/errc.cpp), so DISCONNECT 0x81.
TEST(V5Disconnect27, DupOnQos0IsMalformed0x81) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "v5-dup-qos0");
  client.send_bytes(raw_packet(0x38, concat({field("dup/t"), {0x00}, {'x'}})));
  expect_disconnect(client, ReasonCode::malformed_packet);
}

// [MQTT-3.1.2-22]: no packet for 1.5 times the Keep Alive (1 s) closes the connection, with
// DISCONNECT 0x8D Keep Alive timeout (section 3.14.2.1).
TEST(V5Disconnect27, KeepAliveTimeout0x8D) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "v5-silent", {}, true, 1);
  expect_disconnect(client, ReasonCode::keep_alive_timeout, {.timeout = 4s});
}

// [MQTT-3.1.4-3]: a CONNECT with the Client Identifier of a connected client sends the old
// connection DISCONNECT 0x8E Session taken over and closes it; the new one works.
TEST(V5Disconnect27, SessionTakenOver0x8E) {
  BrokerProcess broker;
  RawClient old(broker, Version::v5);
  connect_v5(old, "v5-twin");
  RawClient fresh(broker, Version::v5);
  connect_v5(fresh, "v5-twin");
  expect_disconnect(old, ReasonCode::session_taken_over);
  fresh.send(mqtt::Pingreq{});
  fresh.expect<mqtt::Pingresp>();
}

// Section 3.3.4: a client that has more QoS 2 PUBLISHes unanswered by PUBCOMP (no PUBREL sent)
// than the Receive Maximum of the CONNACK [MQTT-3.3.4-7] gets DISCONNECT 0x93 Receive Maximum
// exceeded.
TEST(V5Disconnect27, ReceiveMaximumExceeded0x93) {
  BrokerProcess broker("max_inflight_messages 2");
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = connect_v5(client, "v5-flood");
  ASSERT_EQ(connack.properties.receive_maximum, std::optional<std::uint16_t>(2));
  for (std::uint16_t id = 1; id <= 2; ++id) {
    client.send(make_publish("flood/t", "x", QoS::exactly_once, id));
    EXPECT_EQ(client.expect<mqtt::Pubrec>().packet_id, id);
  }
  client.send(make_publish("flood/t", "one too many", QoS::exactly_once, 3));
  expect_disconnect(client, ReasonCode::receive_maximum_exceeded);
}

// Within the Receive Maximum, completing a QoS 2 flow (PUBREL, PUBCOMP) frees its place: the
// control for the test above.
TEST(V5Disconnect27, ReceiveMaximumCountsOnlyUnfinishedFlows) {
  BrokerProcess broker("max_inflight_messages 2");
  RawClient client(broker, Version::v5);
  connect_v5(client, "v5-steady");
  for (std::uint16_t id = 1; id <= 6; ++id) {
    client.send(make_publish("steady/t", "x", QoS::exactly_once, id));
    EXPECT_EQ(client.expect<mqtt::Pubrec>().packet_id, id);
    client.send(make_ack<mqtt::Pubrel>(id));
    EXPECT_EQ(client.expect<mqtt::Pubcomp>().packet_id, id);
  }
  client.send(mqtt::Pingreq{});
  client.expect<mqtt::Pingresp>();
}

// [MQTT-3.3.2-9], section 3.3.2.3.4: a Topic Alias greater than the Topic Alias Maximum of the
// CONNACK (10 by default) gets DISCONNECT 0x94 Topic Alias invalid.
TEST(V5Disconnect27, TopicAliasAboveMaximum0x94) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = connect_v5(client, "v5-alias-high");
  ASSERT_EQ(connack.properties.topic_alias_maximum, std::optional<std::uint16_t>(10));
  mqtt::Publish publish = make_publish("alias/t", "x");
  publish.properties.topic_alias = 11;
  client.send(publish);
  expect_disconnect(client, ReasonCode::topic_alias_invalid);
}

// [MQTT-3.3.2-8]: Topic Alias 0 is never valid: DISCONNECT 0x94.
TEST(V5Disconnect27, TopicAliasZero0x94) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "v5-alias-zero");
  client.send_bytes(raw_packet(0x30, concat({field("alias/t"), {0x03, 0x23, 0x00, 0x00}, {'x'}})));
  expect_disconnect(client, ReasonCode::topic_alias_invalid);
}

// Section 3.2.2.3.6: a packet larger than the Maximum Packet Size of the CONNACK gets
// DISCONNECT 0x95 Packet too large, and is not delivered.
TEST(V5Disconnect27, PacketTooLarge0x95) {
  BrokerProcess broker("max_packet_size 100");
  RawClient watcher(broker);
  watcher.connect_ok("large-watcher");
  watcher.subscribe("large/#", QoS::at_most_once);
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = connect_v5(client, "v5-large");
  ASSERT_EQ(connack.properties.maximum_packet_size, std::optional<std::uint32_t>(100));
  client.send(make_publish("large/t", std::string(200, 'L')));
  expect_disconnect(client, ReasonCode::packet_too_large);
  watcher.expect_nothing();
}

// Section 3.2.2.3.5 [MQTT-3.2.2-14]: with Retain Available 0 in the CONNACK, a retained PUBLISH
// gets DISCONNECT 0x9A Retain not supported.
TEST(V5Disconnect27, RetainNotSupported0x9A) {
  BrokerProcess broker("retain_available false");
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = connect_v5(client, "v5-retainer");
  ASSERT_EQ(connack.properties.retain_available, std::optional<std::uint8_t>(0));
  client.send(make_publish("retain/t", "keep me", QoS::at_most_once, 0, true));
  expect_disconnect(client, ReasonCode::retain_not_supported);
}

// Section 3.2.2.3.4 [MQTT-3.2.2-11]: a PUBLISH above the Maximum QoS of the CONNACK gets
// DISCONNECT 0x9B QoS not supported.
TEST(V5Disconnect27, QosNotSupported0x9B) {
  BrokerProcess broker("max_qos 1");
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = connect_v5(client, "v5-qos2");
  ASSERT_EQ(connack.properties.maximum_qos, std::optional<std::uint8_t>(1));
  client.send(make_publish("qos/t", "exactly once", QoS::exactly_once, 1));
  expect_disconnect(client, ReasonCode::qos_not_supported);
}

// Section 3.14.2.1: a broker that shuts down (SIGTERM) tells each MQTT 5.0 client with
// DISCONNECT 0x8B Server shutting down.
TEST(V5Disconnect27, ServerShuttingDown0x8B) {
  BrokerProcess broker;
  RawClient first(broker, Version::v5);
  connect_v5(first, "v5-shutdown-1");
  RawClient second(broker, Version::v5);
  connect_v5(second, "v5-shutdown-2");
  broker.signal(SIGTERM);
  expect_disconnect(first, ReasonCode::server_shutting_down);
  expect_disconnect(second, ReasonCode::server_shutting_down);
}

// ---- Reason String and Request Problem Information -------------------------------------------

// Section 3.14.2.2.2: by default (Request Problem Information absent, i.e. 1) Tern's DISCONNECT
// explains itself in a Reason String.
TEST(V5Disconnect27, ReasonStringByDefault) {
  BrokerProcess broker("max_qos 1");
  RawClient client(broker, Version::v5);
  connect_v5(client, "v5-explained");
  client.send(make_publish("explained/t", "x", QoS::exactly_once, 1));
  mqtt::Disconnect disconnect = expect_disconnect(client, ReasonCode::qos_not_supported);
  ASSERT_TRUE(disconnect.properties.reason_string);
  EXPECT_FALSE(disconnect.properties.reason_string->empty());
}

TEST(V5Disconnect27, ReasonStringWithRequestProblemInformation1) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  mqtt::Properties properties;
  properties.request_problem_information = 1;
  connect_v5(client, "v5-explained-1", properties);
  client.send_bytes(malformed_publish(Version::v5));
  mqtt::Disconnect disconnect = expect_disconnect(client, ReasonCode::malformed_packet);
  ASSERT_TRUE(disconnect.properties.reason_string);
  EXPECT_FALSE(disconnect.properties.reason_string->empty());
}

// [MQTT-3.1.2-29]: with Request Problem Information 0, Tern sends the reason code alone: no
// Reason String, no User Properties.
TEST(V5Disconnect27, NoReasonStringWithRequestProblemInformation0) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "v5-terse", no_problem_information());
  client.send_bytes(malformed_publish(Version::v5));
  mqtt::Disconnect disconnect = expect_disconnect(client, ReasonCode::malformed_packet);
  EXPECT_FALSE(disconnect.properties.reason_string);
  EXPECT_TRUE(disconnect.properties.user_properties.empty());
}

TEST(V5Disconnect27, NoReasonStringOnProtocolErrorWithRequestProblemInformation0) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "v5-terse-second", no_problem_information());
  client.send(make_connect("v5-terse-second", true, 60, Version::v5));
  mqtt::Disconnect disconnect = expect_disconnect(client, ReasonCode::protocol_error);
  EXPECT_FALSE(disconnect.properties.reason_string);
  EXPECT_TRUE(disconnect.properties.user_properties.empty());
}

TEST(V5Disconnect27, NoReasonStringOnShutdownWithRequestProblemInformation0) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "v5-terse-shutdown", no_problem_information());
  broker.signal(SIGTERM);
  mqtt::Disconnect disconnect = expect_disconnect(client, ReasonCode::server_shutting_down);
  EXPECT_FALSE(disconnect.properties.reason_string);
  EXPECT_TRUE(disconnect.properties.user_properties.empty());
}

// ---- MQTT 3.1.1 clients: closed, never sent a DISCONNECT ------------------------------------
// MQTT 3.1.1 has no server DISCONNECT (3.1.1 section 3.14); expect_closed fails on any packet.

TEST(V5Disconnect27, V311MalformedPacketIsClosedWithoutDisconnect) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("v311-malformed");
  client.send_bytes(malformed_publish(Version::v3_1_1));
  EXPECT_TRUE(client.expect_closed());
}

TEST(V5Disconnect27, V311SecondConnectIsClosedWithoutDisconnect) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("v311-second-connect");
  client.send(make_connect("v311-second-connect"));
  EXPECT_TRUE(client.expect_closed());
}

TEST(V5Disconnect27, V311KeepAliveTimeoutIsClosedWithoutDisconnect) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("v311-silent", true, 1);
  EXPECT_TRUE(client.expect_closed(4s));
}

TEST(V5Disconnect27, V311TakeoverIsClosedWithoutDisconnect) {
  BrokerProcess broker;
  RawClient old(broker);
  old.connect_ok("v311-twin");
  RawClient fresh(broker, Version::v5);
  connect_v5(fresh, "v311-twin");  // taken over by an MQTT 5.0 client: still no DISCONNECT
  EXPECT_TRUE(old.expect_closed());
}

TEST(V5Disconnect27, V311PacketTooLargeIsClosedWithoutDisconnect) {
  BrokerProcess broker("max_packet_size 100");
  RawClient client(broker);
  client.connect_ok("v311-large");
  client.send(make_publish("large/t", std::string(200, 'L')));
  EXPECT_TRUE(client.expect_closed());
}

// Shutdown: the 3.1 and 3.1.1 clients are just closed, even with an MQTT 5.0 client beside them
// (which gets DISCONNECT 0x8B, checked in ServerShuttingDown0x8B).
TEST(V5Disconnect27, V311ShutdownIsClosedWithoutDisconnect) {
  BrokerProcess broker;
  RawClient v311(broker);
  v311.connect_ok("v311-shutdown");
  RawClient v31(broker, Version::v3_1);
  v31.connect_ok("v31-shutdown");
  RawClient v5(broker, Version::v5);
  connect_v5(v5, "v5-beside-them");
  broker.signal(SIGTERM);
  EXPECT_TRUE(v311.expect_closed());
  EXPECT_TRUE(v31.expect_closed());
}

}  // namespace
}  // namespace tern::blackbox
