// 20: MQTT 5.0 CONNECT and CONNACK (MQTT 5.0 sections 3.1 and 3.2): the CONNACK properties and
// the directives behind them, assigned client identifiers, Server Keep Alive, Request Problem
// Information, authentication, server redirection (section 4.11), and the DISCONNECT a v5 client
// gets for a second CONNECT or a keep alive timeout (section 4.13).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "v5_helpers.h"

namespace tern::blackbox {
namespace {

using Clock = std::chrono::steady_clock;
using mqtt::ReasonCode;

void expect_ping(RawClient& client) {
  client.send(mqtt::Pingreq{});
  client.expect<mqtt::Pingresp>();
}

std::string password_config(std::string_view extra) {
  return std::string("password_file ") + TERN_TEST_DATA + "/auth/data/mosquitto_passwd.txt\n" +
         std::string(extra);
}

// ---- Accepted CONNACK and its properties (section 3.2.2.3) ---------------------------------

// Defaults: Receive Maximum 20 (max_inflight_messages), Topic Alias Maximum 10
// (max_topic_alias); Maximum QoS, Retain Available, Maximum Packet Size and the three
// "... Available" properties are absent, which means no limit / available (3.2.2.3.4 to
// 3.2.2.3.13). No Assigned Client Identifier for a client that sent an id, no Server Keep Alive
// without max_keepalive.
TEST(V5Connect20, DefaultConnackProperties) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = client.connect(v5_connect("v5-defaults"));
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_FALSE(connack.session_present) << "[MQTT-3.2.2-2] Clean Start 1";
  const mqtt::Properties& p = connack.properties;
  EXPECT_EQ(p.receive_maximum, std::optional<std::uint16_t>(20));
  EXPECT_EQ(p.topic_alias_maximum, std::optional<std::uint16_t>(10));
  EXPECT_FALSE(p.maximum_qos) << "3.2.2.3.4: absent means QoS 2";
  EXPECT_FALSE(p.retain_available) << "3.2.2.3.5: absent means available";
  EXPECT_FALSE(p.maximum_packet_size) << "3.2.2.3.6: absent means no limit";
  EXPECT_FALSE(p.assigned_client_identifier) << "the client sent its own id";
  EXPECT_FALSE(p.server_keep_alive);
  EXPECT_FALSE(p.wildcard_subscription_available);
  EXPECT_FALSE(p.subscription_identifier_available);
  EXPECT_FALSE(p.shared_subscription_available);
  EXPECT_FALSE(p.authentication_method);
  EXPECT_FALSE(p.server_reference);
  expect_ping(client);
}

// max_inflight_messages is sent as Receive Maximum (3.2.2.3.3).
TEST(V5Connect20, MaxInflightMessagesIsReceiveMaximum) {
  BrokerProcess broker("max_inflight_messages 5");
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = client.connect(v5_connect("v5-inflight"));
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_EQ(connack.properties.receive_maximum, std::optional<std::uint16_t>(5));
}

// max_qos below 2 is sent as Maximum QoS (3.2.2.3.4, [MQTT-3.2.2-9]).
TEST(V5Connect20, MaxQosIsMaximumQos) {
  for (int max_qos : {0, 1}) {
    SCOPED_TRACE("max_qos " + std::to_string(max_qos));
    BrokerProcess broker("max_qos " + std::to_string(max_qos));
    RawClient client(broker, Version::v5);
    mqtt::Connack connack = client.connect(v5_connect("v5-maxqos"));
    EXPECT_EQ(connack.reason_code, ReasonCode::success);
    EXPECT_EQ(connack.properties.maximum_qos,
              std::optional<std::uint8_t>(static_cast<std::uint8_t>(max_qos)));
  }
}

// retain_available false is sent as Retain Available 0 (3.2.2.3.5).
TEST(V5Connect20, RetainAvailableFalse) {
  BrokerProcess broker("retain_available false");
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = client.connect(v5_connect("v5-noretain"));
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_EQ(connack.properties.retain_available, std::optional<std::uint8_t>(0));
}

// max_packet_size is sent as Maximum Packet Size (3.2.2.3.6).
TEST(V5Connect20, MaxPacketSizeIsMaximumPacketSize) {
  BrokerProcess broker("max_packet_size 1000");
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = client.connect(v5_connect("v5-maxpacket"));
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_EQ(connack.properties.maximum_packet_size, std::optional<std::uint32_t>(1000));
}

// max_topic_alias N is sent as Topic Alias Maximum N; 0 omits it, which means the client may
// send no aliases (3.2.2.3.8).
TEST(V5Connect20, MaxTopicAliasIsTopicAliasMaximum) {
  {
    BrokerProcess broker("max_topic_alias 3");
    RawClient client(broker, Version::v5);
    mqtt::Connack connack = client.connect(v5_connect("v5-alias3"));
    EXPECT_EQ(connack.reason_code, ReasonCode::success);
    EXPECT_EQ(connack.properties.topic_alias_maximum, std::optional<std::uint16_t>(3));
  }
  {
    BrokerProcess broker("max_topic_alias 0");
    RawClient client(broker, Version::v5);
    mqtt::Connack connack = client.connect(v5_connect("v5-alias0"));
    EXPECT_EQ(connack.reason_code, ReasonCode::success);
    EXPECT_FALSE(connack.properties.topic_alias_maximum) << "0: omitted";
  }
}

// Tern's `shared_subscriptions false`: Shared Subscription Available 0 (3.2.2.3.13); the other
// properties keep their defaults.
TEST(V5Connect20, SharedSubscriptionsFalse) {
  BrokerProcess broker("shared_subscriptions false");
  ASSERT_TRUE(broker.running());
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = client.connect(v5_connect("v5-noshare"));
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_EQ(connack.properties.shared_subscription_available, std::optional<std::uint8_t>(0));
  EXPECT_FALSE(connack.properties.wildcard_subscription_available);
  EXPECT_FALSE(connack.properties.subscription_identifier_available);
}

// All the directives at once: each property reflects its own directive.
TEST(V5Connect20, DirectivesTogether) {
  BrokerProcess broker(
      "max_inflight_messages 7\nmax_qos 1\nretain_available false\nmax_packet_size 4096\n"
      "max_topic_alias 2");
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = client.connect(v5_connect("v5-together"));
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  const mqtt::Properties& p = connack.properties;
  EXPECT_EQ(p.receive_maximum, std::optional<std::uint16_t>(7));
  EXPECT_EQ(p.maximum_qos, std::optional<std::uint8_t>(1));
  EXPECT_EQ(p.retain_available, std::optional<std::uint8_t>(0));
  EXPECT_EQ(p.maximum_packet_size, std::optional<std::uint32_t>(4096));
  EXPECT_EQ(p.topic_alias_maximum, std::optional<std::uint16_t>(2));
  expect_ping(client);
}

// ---- Client identifiers ---------------------------------------------------------------------

// [MQTT-3.1.3-6], [MQTT-3.2.2-16]: a zero-length client id gets a unique id assigned, sent back
// as Assigned Client Identifier. The id is usable: the session it names (Session Expiry 60)
// is resumed by connecting with it [MQTT-3.2.2-3], and that CONNACK assigns nothing.
TEST(V5Connect20, AssignedClientIdentifierIsUniqueAndUsable) {
  BrokerProcess broker;
  RawClient first(broker, Version::v5);
  mqtt::Connect connect = v5_connect("");
  connect.properties.session_expiry_interval = 60;
  mqtt::Connack a = first.connect(connect);
  ASSERT_EQ(a.reason_code, ReasonCode::success);
  ASSERT_TRUE(a.properties.assigned_client_identifier) << "[MQTT-3.2.2-16]";
  std::string assigned = *a.properties.assigned_client_identifier;
  EXPECT_FALSE(assigned.empty());

  RawClient second(broker, Version::v5);
  mqtt::Connack b = second.connect(v5_connect(""));
  ASSERT_EQ(b.reason_code, ReasonCode::success);
  ASSERT_TRUE(b.properties.assigned_client_identifier) << "[MQTT-3.2.2-16]";
  EXPECT_NE(*b.properties.assigned_client_identifier, assigned) << "[MQTT-3.1.3-6] unique";
  // Neither took the other over.
  expect_ping(first);
  expect_ping(second);

  first.subscribe("assigned/t", QoS::at_least_once);
  first.disconnect();

  RawClient again(broker, Version::v5);
  mqtt::Connack resumed = again.connect(v5_connect(assigned, {}, false));
  EXPECT_EQ(resumed.reason_code, ReasonCode::success);
  EXPECT_TRUE(resumed.session_present) << "the assigned id names the session";
  EXPECT_FALSE(resumed.properties.assigned_client_identifier);
  second.publish("assigned/t", "to the assigned id", QoS::at_least_once);
  EXPECT_EQ(again.receive_publish().payload, "to the assigned id");
}

// [MQTT-3.1.3-5] requires ids of 1 to 23 bytes to be allowed; section 3.1.3.1 lets a server allow
// longer ones, and Tern (like Mosquitto) does for MQTT 5.0. The long id is a real id: it names a
// session that can be resumed.
TEST(V5Connect20, ClientIdIsNotLimitedTo23Characters) {
  BrokerProcess broker;
  std::string id(200, 'L');
  id += "-long";
  {
    RawClient client(broker, Version::v5);
    mqtt::Connect connect = v5_connect(id);
    connect.properties.session_expiry_interval = 60;
    mqtt::Connack connack = client.connect(connect);
    EXPECT_EQ(connack.reason_code, ReasonCode::success);
    EXPECT_FALSE(connack.properties.assigned_client_identifier);
    client.disconnect();
  }
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = client.connect(v5_connect(id, {}, false));
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_TRUE(connack.session_present);
}

// ---- Keep alive (3.1.2.10, 3.2.2.3.14) ------------------------------------------------------

// max_keepalive caps the keep alive of v5 clients: asking for more, or for 0 (no keep alive),
// gets Server Keep Alive = max_keepalive; asking for no more gets no Server Keep Alive
// ([MQTT-3.2.2-21]: the client must then use the server's value).
TEST(V5Connect20, MaxKeepaliveIsServerKeepAlive) {
  BrokerProcess broker("max_keepalive 10");
  struct Case {
    std::uint16_t asked;
    std::optional<std::uint16_t> told;
  };
  for (Case c :
       {Case{60, 10}, Case{11, 10}, Case{0, 10}, Case{10, std::nullopt}, Case{5, std::nullopt}}) {
    SCOPED_TRACE("keep alive " + std::to_string(c.asked));
    RawClient client(broker, Version::v5);
    mqtt::Connack connack =
        client.connect(v5_connect("v5-ka-" + std::to_string(c.asked), {}, true, c.asked));
    EXPECT_EQ(connack.reason_code, ReasonCode::success) << "v5 clients are told, not refused";
    EXPECT_EQ(connack.properties.server_keep_alive, c.told);
  }
}

// The client is held to the Server Keep Alive: with max_keepalive 1 a client that asked for 60
// and stays silent is disconnected after 1.5 s [MQTT-3.1.2-22] with DISCONNECT 0x8D Keep Alive
// timeout (section 4.13).
TEST(V5Connect20, ServerKeepAliveIsEnforced) {
  BrokerProcess broker("max_keepalive 1");
  ASSERT_TRUE(broker.running());
  RawClient client(broker, Version::v5);
  auto start = Clock::now();
  mqtt::Connack connack = client.connect(v5_connect("v5-held", {}, true, 60));
  ASSERT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_EQ(connack.properties.server_keep_alive, std::optional<std::uint16_t>(1));
  mqtt::Disconnect disconnect = expect_disconnect(client, {.timeout = 4s, .skip_publishes = true});
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(disconnect.reason_code, ReasonCode::keep_alive_timeout);
  EXPECT_GE(elapsed, 1400ms) << "not before 1.5 times the Server Keep Alive";
  EXPECT_LE(elapsed, 3500ms) << "well before 1.5 times the client's own keep alive";
}

// A v5 client silent for 1.5 times its own keep alive gets DISCONNECT 0x8D before the close
// [MQTT-3.1.2-22], section 4.13.
TEST(V5Connect20, KeepAliveTimeoutSendsDisconnect) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  auto start = Clock::now();
  mqtt::Connack connack = client.connect(v5_connect("v5-silent", {}, true, 1));
  ASSERT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_FALSE(connack.properties.server_keep_alive);
  mqtt::Disconnect disconnect = expect_disconnect(client, {.timeout = 4s, .skip_publishes = true});
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(disconnect.reason_code, ReasonCode::keep_alive_timeout);
  EXPECT_GE(elapsed, 1400ms);
  EXPECT_LE(elapsed, 3500ms);
}

// ---- Request Problem Information, User Properties -------------------------------------------

// Request Problem Information 0 (3.1.2.11.7): [MQTT-3.1.2-29] forbids a Reason String on any
// packet but PUBLISH, CONNACK and DISCONNECT, and allows it on those; Tern's rule is stricter: no
// Reason String at all, neither on a refusing CONNACK, nor on an accepting one, nor on a
// DISCONNECT (here the Protocol Error of a DISCONNECT that sets a Session Expiry Interval after a
// CONNECT without one, section 3.14.2.2.2).
TEST(V5Connect20, RequestProblemInformationZeroMeansNoReasonString) {
  BrokerProcess broker(password_config("allow_anonymous false"));
  {
    RawClient client(broker, Version::v5);
    mqtt::Connect connect = v5_connect("rpi-refused");
    connect.properties.request_problem_information = 0;
    mqtt::Connack connack = client.connect(connect);
    EXPECT_EQ(connack.reason_code, ReasonCode::not_authorized);
    EXPECT_FALSE(connack.properties.reason_string);
    EXPECT_TRUE(client.expect_closed());
  }
  RawClient client(broker, Version::v5);
  mqtt::Connect connect = v5_connect("rpi-ok");
  connect.username = "alice";
  connect.password = "secret";
  connect.properties.request_problem_information = 0;
  mqtt::Connack connack = client.connect(connect);
  ASSERT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_FALSE(connack.properties.reason_string);
  EXPECT_TRUE(connack.properties.user_properties.empty());
  mqtt::Disconnect bad;
  bad.properties.session_expiry_interval = 60;
  client.send(bad);
  mqtt::Disconnect disconnect = expect_disconnect(client, {.skip_publishes = true});
  EXPECT_EQ(disconnect.reason_code, ReasonCode::protocol_error);
  EXPECT_FALSE(disconnect.properties.reason_string);
}

// User Properties in CONNECT (3.1.2.11.8), repeated names included, are accepted.
TEST(V5Connect20, UserPropertiesInConnectAreAccepted) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  mqtt::Connect connect = v5_connect("v5-userprops");
  connect.properties.user_properties = {
      {"region", "eu-west"}, {"tag", "a"}, {"tag", "b"}, {"", ""}, {"ünïcode", "värde"}};
  connect.properties.request_response_information = 0;
  connect.properties.receive_maximum = 100;
  connect.properties.maximum_packet_size = 1 << 20;
  connect.properties.topic_alias_maximum = 0;
  mqtt::Connack connack = client.connect(connect);
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  client.subscribe("userprops/t", QoS::at_least_once);
  client.publish("userprops/t", "works", QoS::at_least_once);
  EXPECT_EQ(client.receive_publish().payload, "works");
}

// ---- Refused CONNECTs -----------------------------------------------------------------------

// An Authentication Method the server does not support (Tern supports none): CONNACK 0x8C Bad
// authentication method, then the connection is closed [MQTT-4.12.0-1], [MQTT-3.2.2-7]; no
// session is created and Session Present is 0 [MQTT-3.2.2-6].
TEST(V5Connect20, AuthenticationMethodIsRefused) {
  BrokerProcess broker;
  for (std::string method : {"SCRAM-SHA-1", "PLAIN", "x"}) {
    SCOPED_TRACE(method);
    RawClient client(broker, Version::v5);
    mqtt::Connect connect = v5_connect("v5-auth-" + method);
    connect.properties.authentication_method = method;
    connect.properties.authentication_data = std::string("\x00\x01\x02", 3);
    mqtt::Connack connack = client.connect(connect);
    EXPECT_EQ(connack.reason_code, ReasonCode::bad_authentication_method);
    EXPECT_FALSE(connack.session_present);
    EXPECT_TRUE(client.expect_closed());
  }
  expect_broker_serves(broker);
}

// A wrong password or unknown user gets CONNACK 0x86 Bad User Name or Password, an anonymous
// client on a broker that requires credentials 0x87 Not authorized (3.2.2.2); then the
// connection is closed [MQTT-3.2.2-7].
TEST(V5Connect20, BadCredentialsAndAnonymousAreRefused) {
  BrokerProcess broker(password_config("allow_anonymous false"));
  struct Case {
    const char* what;
    std::optional<std::string> user;
    std::optional<std::string> password;
    ReasonCode expected;
  };
  for (const Case& c : {
           Case{"wrong password", "alice", "Secret", ReasonCode::bad_username_or_password},
           Case{"no password", "alice", std::nullopt, ReasonCode::bad_username_or_password},
           Case{"unknown user", "mallory", "secret", ReasonCode::bad_username_or_password},
           Case{"anonymous", std::nullopt, std::nullopt, ReasonCode::not_authorized},
       }) {
    SCOPED_TRACE(c.what);
    RawClient client(broker, Version::v5);
    mqtt::Connect connect = v5_connect("v5-creds");
    connect.username = c.user;
    connect.password = c.password;
    mqtt::Connack connack = client.connect(connect);
    EXPECT_EQ(connack.reason_code, c.expected);
    EXPECT_FALSE(connack.session_present) << "[MQTT-3.2.2-6]";
    EXPECT_TRUE(client.expect_closed());
  }
  RawClient ok(broker, Version::v5);
  mqtt::Connect connect = v5_connect("v5-creds");
  connect.username = "alice";
  connect.password = "secret";
  EXPECT_EQ(ok.connect(connect).reason_code, ReasonCode::success);
}

// Tern's `use_another_server HOST:PORT` and `server_moved HOST:PORT` (section 4.11): a v5
// client gets CONNACK 0x9C Use another server / 0x9D Server moved with a Server Reference of
// that value (3.2.2.3.16), then the connection is closed; a 3.1.1 client gets return code 3
// Server unavailable.
TEST(V5Connect20, ServerRedirection) {
  struct Case {
    const char* directive;
    ReasonCode expected;
  };
  for (Case c : {Case{"use_another_server", ReasonCode::use_another_server},
                 Case{"server_moved", ReasonCode::server_moved}}) {
    SCOPED_TRACE(c.directive);
    BrokerProcess broker(std::string(c.directive) + " other.example.com:1884");
    ASSERT_TRUE(broker.running());
    {
      RawClient client(broker, Version::v5);
      mqtt::Connack connack = client.connect(v5_connect("v5-redirected"));
      EXPECT_EQ(connack.reason_code, c.expected);
      EXPECT_FALSE(connack.session_present);
      EXPECT_EQ(connack.properties.server_reference,
                std::optional<std::string>("other.example.com:1884"));
      EXPECT_TRUE(client.expect_closed());
    }
    {
      RawClient client(broker);
      client.send(make_connect("v311-redirected"));
      auto packet = client.receive();
      ASSERT_TRUE(packet) << "no CONNACK";
      ASSERT_TRUE(std::holds_alternative<mqtt::Connack>(*packet)) << describe(*packet);
      EXPECT_EQ(client.encode(*packet), (Bytes{0x20, 0x02, 0x00, 0x03}));
      EXPECT_TRUE(client.expect_closed());
    }
  }
}

// The same with a host and no port: the Server Reference is passed on as written.
TEST(V5Connect20, ServerReferenceWithoutPort) {
  BrokerProcess broker("server_moved new-home.example.org");
  ASSERT_TRUE(broker.running());
  RawClient client(broker, Version::v5);
  mqtt::Connack connack = client.connect(v5_connect("v5-moved"));
  EXPECT_EQ(connack.reason_code, ReasonCode::server_moved);
  EXPECT_EQ(connack.properties.server_reference,
            std::optional<std::string>("new-home.example.org"));
  EXPECT_TRUE(client.expect_closed());
}

// ---- Protocol errors ------------------------------------------------------------------------

// [MQTT-3.1.0-2]: a second CONNECT is a Protocol Error: the broker sends DISCONNECT 0x82 and
// closes the connection (section 4.13); as for any close other than a normal DISCONNECT, the
// will is published [MQTT-3.1.2-8]. With Request Problem Information 0 the DISCONNECT carries no
// Reason String.
TEST(V5Connect20, SecondConnectGetsDisconnectProtocolError) {
  BrokerProcess broker;
  RawClient watcher(broker, Version::v5);
  watcher.connect_ok("v5-twice-watcher");
  watcher.subscribe("v5/twice/will", QoS::at_most_once);

  for (std::optional<std::uint8_t> problem_information :
       {std::optional<std::uint8_t>(), std::optional<std::uint8_t>(0)}) {
    SCOPED_TRACE(problem_information ? "Request Problem Information 0" : "default");
    RawClient client(broker, Version::v5);
    mqtt::Connect connect = v5_connect("v5-twice");
    connect.will = make_will("v5/twice/will", "gone");
    connect.properties.request_problem_information = problem_information;
    ASSERT_EQ(client.connect(connect).reason_code, ReasonCode::success);
    client.send(v5_connect("v5-twice"));
    mqtt::Disconnect disconnect = expect_disconnect(client, {.skip_publishes = true});
    EXPECT_EQ(disconnect.reason_code, ReasonCode::protocol_error);
    if (problem_information) {
      EXPECT_FALSE(disconnect.properties.reason_string);
    }
    EXPECT_EQ(watcher.expect<mqtt::Publish>().payload, "gone");
  }
  expect_broker_serves(broker);
}

}  // namespace
}  // namespace tern::blackbox
