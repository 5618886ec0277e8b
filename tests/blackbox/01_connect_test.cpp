// 01: CONNECT and CONNACK (MQTT 3.1.1 sections 3.1 and 3.2; MQTT 3.1 section 3.1), client
// identifiers, authentication with a password file.
#include <csignal>
#include <fstream>
#include <iterator>
#include <string>

#include "harness.h"

namespace tern::blackbox {
namespace {

using mqtt::ReasonCode;

// A CONNECT written byte by byte: protocol name and level, flags, keepalive 60, then `payload`.
Bytes raw_connect(std::string_view name, std::uint8_t level, std::uint8_t flags,
                  const Bytes& payload) {
  return raw_packet(0x10, concat({field(name), {level, flags, 0x00, 0x3C}, payload}));
}

TEST(Connect01, AcceptsMqtt311) {
  BrokerProcess broker;
  RawClient client(broker);
  // [MQTT-3.2.0-1] the first packet from the server is CONNACK; [MQTT-3.2.2-3] no session.
  mqtt::Connack connack = client.connect(make_connect("c311", true, 30));
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_FALSE(connack.session_present);
  EXPECT_TRUE(broker.wait_for_log("New client connected from 127.0.0.1:"));
  EXPECT_TRUE(broker.wait_for_log(" as c311 (p2, c1, k30)."));
  // The connection is usable: PINGREQ gets a PINGRESP [MQTT-3.12.4-1].
  client.send(mqtt::Pingreq{});
  client.expect<mqtt::Pingresp>();
}

TEST(Connect01, AcceptsMqtt31) {
  BrokerProcess broker;
  RawClient client(broker, Version::v3_1);
  mqtt::Connack connack = client.connect(make_connect("c31", false, 10, Version::v3_1));
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_TRUE(broker.wait_for_log(" as c31 (p1, c0, k10)."));
  client.subscribe("v31/topic", QoS::exactly_once);
  client.publish("v31/topic", "hello", QoS::exactly_once);
  EXPECT_EQ(client.receive_publish().payload, "hello");
}

TEST(Connect01, ConnackBytesAreExact) {
  BrokerProcess broker;
  RawClient client(broker);
  client.send_bytes(raw_connect("MQTT", 4, 0x02, field("bytes")));
  // CONNACK: type 2, Remaining Length 2, no session present, return code 0.
  auto packet = client.receive();
  ASSERT_TRUE(packet);
  EXPECT_EQ(client.encode(*packet), (Bytes{0x20, 0x02, 0x00, 0x00}));
}

// [MQTT-3.1.2-2]: "The Server MUST respond to the CONNECT Packet with a CONNACK return code 0x01
// (unacceptable protocol level) and then disconnect the Client if the Protocol Level is not
// supported by the Server."
TEST(Connect01, UnacceptableProtocolLevelGetsConnack1) {
  BrokerProcess broker;
  for (std::uint8_t level : {0, 1, 2, 6, 7, 255}) {
    SCOPED_TRACE("protocol level " + std::to_string(level));
    RawClient client(broker);
    client.send_bytes(raw_connect("MQTT", level, 0x02, field("badlevel")));
    auto packet = client.receive();
    ASSERT_TRUE(packet) << "no CONNACK";
    ASSERT_TRUE(std::holds_alternative<mqtt::Connack>(*packet)) << describe(*packet);
    EXPECT_EQ(client.encode(*packet), (Bytes{0x20, 0x02, 0x00, 0x01}));
    EXPECT_TRUE(client.expect_closed());
  }
  expect_broker_serves(broker);
}

// [MQTT-3.1.2-1]: a wrong protocol name MAY be answered by closing the connection.
TEST(Connect01, WrongProtocolNameIsClosed) {
  BrokerProcess broker;
  for (std::string_view name : {"MQTX", "mqtt", "MQIsdp4"}) {
    SCOPED_TRACE(std::string(name));
    RawClient client(broker);
    client.send_bytes(raw_connect(name, 4, 0x02, field("badname")));
    EXPECT_TRUE(client.expect_closed());
  }
  expect_broker_serves(broker);
}

// [MQTT-3.1.3-6], [MQTT-3.1.3-7]: a zero-byte client id with Clean Session 1 gets an id
// assigned, unique to the client.
TEST(Connect01, ZeroLengthClientIdIsAssigned) {
  BrokerProcess broker;
  RawClient first(broker);
  RawClient second(broker);
  EXPECT_FALSE(first.connect_ok("", true));
  EXPECT_FALSE(second.connect_ok("", true));
  EXPECT_TRUE(broker.wait_for_log(" as auto-"));
  // Both stay connected: they were not given the same id (which would be a takeover).
  for (RawClient* client : {&first, &second}) {
    client->send(mqtt::Pingreq{});
    client->expect<mqtt::Pingresp>();
  }
  // And both work as clients.
  first.subscribe("zero/id", QoS::at_least_once);
  second.publish("zero/id", "to first", QoS::at_least_once);
  EXPECT_EQ(first.receive_publish().payload, "to first");
}

// [MQTT-3.1.3-8]: a zero-byte client id with Clean Session 0 is refused with return code 0x02,
// then the connection is closed [MQTT-3.2.2-5].
TEST(Connect01, ZeroLengthClientIdWithPersistentSessionIsRefused) {
  BrokerProcess broker;
  RawClient client(broker);
  mqtt::Connack connack = client.connect(make_connect("", false));
  EXPECT_EQ(connack.reason_code, ReasonCode::client_identifier_not_valid);
  EXPECT_FALSE(connack.session_present) << "[MQTT-3.2.2-4]";
  EXPECT_TRUE(client.expect_closed());
}

// MQTT 3.1 requires client ids of 1 to 23 characters.
TEST(Connect01, Mqtt31ClientIdMustBe1To23Characters) {
  BrokerProcess broker;
  for (std::string id : {std::string(), std::string(24, 'x')}) {
    SCOPED_TRACE("client id of " + std::to_string(id.size()) + " characters");
    RawClient client(broker, Version::v3_1);
    mqtt::Connack connack = client.connect(make_connect(id, true, 60, Version::v3_1));
    EXPECT_EQ(connack.reason_code, ReasonCode::client_identifier_not_valid);
    EXPECT_TRUE(client.expect_closed());
  }
  RawClient ok(broker, Version::v3_1);
  ok.connect_ok(std::string(23, 'y'));
}

TEST(Connect01, AllowZeroLengthClientIdFalseRefusesEmptyIds) {
  BrokerProcess broker("allow_zero_length_clientid false");
  RawClient client(broker);
  mqtt::Connack connack = client.connect(make_connect("", true));
  EXPECT_EQ(connack.reason_code, ReasonCode::client_identifier_not_valid);
  EXPECT_TRUE(client.expect_closed());
}

// [MQTT-3.1.0-1]: the first packet must be CONNECT; anything else closes the connection and is
// not acted on.
TEST(Connect01, FirstPacketNotConnectIsClosed) {
  BrokerProcess broker;
  RawClient subscriber(broker);
  subscriber.connect_ok("watcher");
  subscriber.subscribe("#", QoS::at_most_once);

  std::vector<mqtt::Packet> firsts{
      mqtt::Pingreq{}, make_publish("not/connected", "x", QoS::at_most_once),
      make_publish("not/connected", "y", QoS::at_least_once, 1), mqtt::Disconnect{}};
  mqtt::Subscribe subscribe;
  subscribe.packet_id = 1;
  subscribe.subscriptions.push_back({"#"});
  firsts.push_back(subscribe);
  for (const mqtt::Packet& first : firsts) {
    SCOPED_TRACE(describe(first));
    RawClient client(broker);
    client.send(first);
    EXPECT_TRUE(client.expect_closed());
  }
  subscriber.expect_nothing();
}

// [MQTT-3.1.0-2]: a second CONNECT is a protocol violation: the connection is closed, and as for
// any violation the will is published [MQTT-3.1.2-8].
TEST(Connect01, SecondConnectIsClosed) {
  BrokerProcess broker;
  RawClient watcher(broker);
  watcher.connect_ok("watcher");
  watcher.subscribe("will/twice", QoS::at_most_once);

  RawClient client(broker);
  client.connect_ok("twice", true, 60, make_will("will/twice", "gone"));
  client.send(make_connect("twice"));
  EXPECT_TRUE(client.expect_closed());
  EXPECT_EQ(watcher.expect<mqtt::Publish>().payload, "gone");
}

// Broken CONNECT flags and payloads close the connection without a CONNACK.
TEST(Connect01, MalformedConnectFlagsAreClosed) {
  BrokerProcess broker;
  struct Case {
    const char* rule;
    std::uint8_t flags;
    Bytes payload;
  };
  Bytes id = field("flags");
  Bytes will = concat({field("w/t"), field("msg")});
  std::vector<Case> cases{
      {"[MQTT-3.1.2-3] reserved flag set", 0x03, id},
      {"[MQTT-3.1.2-13] will QoS without will flag", 0x0A, id},
      {"[MQTT-3.1.2-15] will retain without will flag", 0x22, id},
      {"[MQTT-3.1.2-14] will QoS 3", 0x1E, concat({id, will})},
      {"[MQTT-3.1.2-22] password without user name", 0x42, concat({id, field("pw")})},
      {"[MQTT-3.1.2-9] will flag without will topic", 0x06, id},
      {"[MQTT-3.1.2-19] user name flag without user name", 0x82, id},
      {"[MQTT-3.1.3-4] client id not UTF-8", 0x02, Bytes{0x00, 0x02, 0xC0, 0x80}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.rule);
    RawClient client(broker);
    client.send_bytes(raw_connect("MQTT", 4, c.flags, c.payload));
    EXPECT_TRUE(client.expect_closed());
  }
  expect_broker_serves(broker);
}

// CONNECT followed by more packets in the same write: none is lost when the connection moves to
// the worker thread that owns its client id. Several ids, so that some land on each worker.
TEST(Connect01, PacketsPipelinedAfterConnectAreProcessed) {
  BrokerProcess broker;
  for (int i = 0; i < 8; ++i) {
    std::string id = "pipelined-" + std::to_string(i);
    SCOPED_TRACE(id);
    RawClient client(broker);
    mqtt::Subscribe subscribe;
    subscribe.packet_id = 1;
    subscribe.subscriptions.push_back({"pipe/" + id, QoS::at_least_once});
    Bytes bytes = concat({client.encode(make_connect(id)), client.encode(subscribe),
                          client.encode(make_publish("pipe/" + id, "p", QoS::at_least_once, 2)),
                          client.encode(mqtt::Pingreq{})});
    client.send_bytes(bytes);
    EXPECT_EQ(client.expect<mqtt::Connack>().reason_code, ReasonCode::success);
    EXPECT_EQ(client.expect<mqtt::Suback>().packet_id, 1);
    // PUBACK to the publisher and the PUBLISH to the subscriber (the same client), any order.
    bool got_puback = false;
    bool got_publish = false;
    bool got_pingresp = false;
    for (int n = 0; n < 3; ++n) {
      auto packet = client.receive();
      ASSERT_TRUE(packet);
      got_puback |= std::holds_alternative<mqtt::Puback>(*packet);
      got_publish |= std::holds_alternative<mqtt::Publish>(*packet);
      got_pingresp |= std::holds_alternative<mqtt::Pingresp>(*packet);
    }
    EXPECT_TRUE(got_puback && got_publish && got_pingresp);
  }
}

// The broker refuses a keepalive above max_keepalive with 0x02, as Mosquitto does for 3.1.1
// (which cannot tell the client to use a lower one).
TEST(Connect01, KeepaliveAboveMaxKeepaliveIsRefused) {
  BrokerProcess broker("max_keepalive 10");
  RawClient client(broker);
  EXPECT_EQ(client.connect(make_connect("slow", true, 11)).reason_code,
            ReasonCode::client_identifier_not_valid);
  EXPECT_TRUE(client.expect_closed());
  RawClient ok(broker);
  ok.connect_ok("fast", true, 10);
}

// ---- Authentication with a Mosquitto password file ------------------------------------------

std::string password_config(std::string_view extra) {
  return std::string("password_file ") + TERN_TEST_DATA + "/auth/data/mosquitto_passwd.txt\n" +
         std::string(extra);
}

mqtt::Connect connect_as(std::string id, std::optional<std::string> user,
                         std::optional<std::string> password) {
  mqtt::Connect connect = make_connect(std::move(id));
  connect.username = std::move(user);
  connect.password = std::move(password);
  return connect;
}

TEST(Connect01, PasswordFileAcceptsTheRightPassword) {
  BrokerProcess broker(password_config("allow_anonymous false"));
  RawClient client(broker);
  EXPECT_EQ(client.connect(connect_as("a1", "alice", "secret")).reason_code, ReasonCode::success);
  EXPECT_TRUE(broker.wait_for_log(" as a1 (p2, c1, k60, u'alice')."));
  client.send(mqtt::Pingreq{});
  client.expect<mqtt::Pingresp>();
}

// [MQTT-3.1.4-5], [MQTT-3.2.2-5]: a refused CONNECT gets a CONNACK with a non-zero code, then the
// connection is closed.
TEST(Connect01, PasswordFileRefusesWrongCredentialsWith4) {
  BrokerProcess broker(password_config("allow_anonymous false"));
  struct Case {
    const char* what;
    std::optional<std::string> user;
    std::optional<std::string> password;
  };
  for (const Case& c :
       {Case{"wrong password", "alice", "Secret"}, Case{"no password", "alice", std::nullopt},
        Case{"unknown user", "mallory", "secret"}}) {
    SCOPED_TRACE(c.what);
    RawClient client(broker);
    mqtt::Connack connack = client.connect(connect_as("a2", c.user, c.password));
    EXPECT_EQ(connack.reason_code, ReasonCode::bad_username_or_password);
    EXPECT_FALSE(connack.session_present);
    EXPECT_TRUE(client.expect_closed());
  }
}

// A refused CONNECT never made a session: its will is not published.
TEST(Connect01, RefusedConnectPublishesNoWill) {
  BrokerProcess broker(password_config("allow_anonymous false"));
  RawClient watcher(broker);
  ASSERT_EQ(watcher.connect(connect_as("w1", "alice", "secret")).reason_code, ReasonCode::success);
  watcher.subscribe("refused/will", QoS::at_most_once);
  RawClient client(broker);
  mqtt::Connect connect = connect_as("w2", "alice", "wrong");
  connect.will = make_will("refused/will", "must not appear");
  EXPECT_EQ(client.connect(connect).reason_code, ReasonCode::bad_username_or_password);
  EXPECT_TRUE(client.expect_closed());
  watcher.expect_nothing();
}

TEST(Connect01, AnonymousIsRefusedWith5) {
  BrokerProcess broker(password_config("allow_anonymous false"));
  RawClient client(broker);
  EXPECT_EQ(client.connect(make_connect("anon")).reason_code, ReasonCode::not_authorized);
  EXPECT_TRUE(client.expect_closed());
}

// Tern's rule (docs/configuration.md): with a password file and no allow_anonymous line,
// anonymous clients are refused.
TEST(Connect01, PasswordFileAloneRefusesAnonymous) {
  BrokerProcess broker(password_config(""));
  RawClient client(broker);
  EXPECT_EQ(client.connect(make_connect("anon")).reason_code, ReasonCode::not_authorized);
  RawClient alice(broker);
  EXPECT_EQ(alice.connect(connect_as("a3", "alice", "secret")).reason_code, ReasonCode::success);
}

TEST(Connect01, AllowAnonymousTrueWithPasswordFile) {
  BrokerProcess broker(password_config("allow_anonymous true"));
  RawClient anonymous(broker);
  EXPECT_EQ(anonymous.connect(make_connect("anon")).reason_code, ReasonCode::success);
  RawClient wrong(broker);
  EXPECT_EQ(wrong.connect(connect_as("a4", "alice", "nope")).reason_code,
            ReasonCode::bad_username_or_password);
}

// SIGHUP reloads the password file: a user added to it can connect afterwards.
TEST(Connect01, SighupReloadsThePasswordFile) {
  TempDir data;
  std::string all;
  {
    std::ifstream in(std::string(TERN_TEST_DATA) + "/auth/data/mosquitto_passwd.txt");
    all.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::string bob_only;
  std::string alice_line;
  for (std::size_t start = 0; start < all.size();) {
    std::size_t end = all.find('\n', start);
    if (end == std::string::npos) end = all.size();
    std::string line = all.substr(start, end - start);
    if (line.starts_with("bob:")) bob_only = line + "\n";
    if (line.starts_with("alice:")) alice_line = line + "\n";
    start = end + 1;
  }
  ASSERT_FALSE(alice_line.empty());
  auto file = data.write("passwd", bob_only);
  BrokerProcess broker("password_file " + file.string());
  {
    RawClient before(broker);
    EXPECT_EQ(before.connect(connect_as("a5", "alice", "secret")).reason_code,
              ReasonCode::bad_username_or_password);
  }
  data.write("passwd", bob_only + alice_line);
  broker.signal(SIGHUP);
  ASSERT_TRUE(broker.wait_for_log("Loaded 2 users"));
  RawClient after(broker);
  EXPECT_EQ(after.connect(connect_as("a5", "alice", "secret")).reason_code, ReasonCode::success);
}

// A user removed from the password file loses its connections at the reload: an MQTT 5.0 client
// is told with DISCONNECT 0x98 Administrative action (MQTT 5.0 section 3.14.2.1), a 3.1.1 client
// is closed; other users stay connected.
TEST(Connect01, SighupDisconnectsUsersRemovedFromThePasswordFile) {
  TempDir data;
  std::string all;
  {
    std::ifstream in(std::string(TERN_TEST_DATA) + "/auth/data/mosquitto_passwd.txt");
    all.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::string without_alice;
  for (std::size_t start = 0; start < all.size();) {
    std::size_t end = all.find('\n', start);
    if (end == std::string::npos) end = all.size();
    std::string line = all.substr(start, end - start);
    if (!line.starts_with("alice:")) without_alice += line + "\n";
    start = end + 1;
  }
  auto file = data.write("passwd", all);
  BrokerProcess broker("allow_anonymous false\npassword_file " + file.string());
  RawClient alice5(broker, Version::v5);
  mqtt::Connect connect5 = connect_as("alice-v5", "alice", "secret");
  connect5.version = Version::v5;
  ASSERT_EQ(alice5.connect(connect5).reason_code, ReasonCode::success);
  RawClient alice3(broker);
  ASSERT_EQ(alice3.connect(connect_as("alice-v3", "alice", "secret")).reason_code,
            ReasonCode::success);
  RawClient bob(broker);
  ASSERT_EQ(bob.connect(connect_as("bob", "bob", "pässwörd")).reason_code, ReasonCode::success);

  data.write("passwd", without_alice);
  broker.signal(SIGHUP);
  auto disconnect = alice5.expect<mqtt::Disconnect>();
  EXPECT_EQ(disconnect.reason_code, ReasonCode::administrative_action);
  EXPECT_TRUE(alice5.expect_closed());
  EXPECT_TRUE(alice3.expect_closed());
  bob.send(mqtt::Pingreq{});
  bob.expect<mqtt::Pingresp>();
}

}  // namespace
}  // namespace tern::blackbox

namespace tern::blackbox {
namespace {

// A protocol level the broker does not speak (6) gets the answer every version can read, return
// code 0x01 in the 3.1.1 form [MQTT-3.1.2-2], and the connection is closed.
TEST(Connect01, UnknownProtocolLevelIsRefusedWithReturnCode1) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.running());
  RawClient client(broker);
  ASSERT_TRUE(client.send_bytes(
      Bytes{0x10, 13, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x06, 0x02, 0x00, 0x3C, 0x00, 0x01, 'x'}));
  auto packet = client.receive();
  ASSERT_TRUE(packet);
  EXPECT_EQ(client.encode(*packet), (Bytes{0x20, 0x02, 0x00, 0x01}));
  EXPECT_TRUE(client.expect_closed());
}

}  // namespace
}  // namespace tern::blackbox
