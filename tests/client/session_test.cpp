// Unit tests of the sans-IO Session: a scripted server decodes what the session writes and
// answers with packets encoded by the codec. No sockets, no sleeping: time is a variable.
#include "tern/client/session.h"

#include <gtest/gtest.h>

#include <set>

#include "mqtt/codec.h"
#include "mqtt/framer.h"

namespace tern::client {
namespace {

using namespace std::chrono_literals;
using mqtt::Packet;
using mqtt::QoS;
using mqtt::ReasonCode;
using mqtt::Version;

template <class Ack>
Ack ack(std::uint16_t id, ReasonCode code = ReasonCode::success) {
  Ack a;
  a.packet_id = id;
  a.reason_code = code;
  return a;
}

mqtt::Publish make_publish(std::string topic, std::string payload, QoS qos = QoS::at_most_once,
                           bool retain = false) {
  mqtt::Publish p;
  p.topic = std::move(topic);
  p.payload = std::move(payload);
  p.qos = qos;
  p.retain = retain;
  return p;
}

// The session under test and a scripted server around it.
class Peer {
 public:
  explicit Peer(SessionOptions options = {}) : session(std::move(options)) {}

  Version version() const { return session.options().version; }

  // Everything the session wrote since the last call, decoded as the server would.
  std::vector<Packet> sent() {
    std::vector<Packet> packets;
    auto& out = session.output();
    std::span<const std::uint8_t> input(out);
    mqtt::Framer framer;
    while (true) {
      auto frame = framer.next(input);
      EXPECT_TRUE(frame.ok());
      if (!frame || !frame->has_value()) break;
      auto packet = mqtt::decode(**frame, version(), mqtt::Sender::client);
      EXPECT_TRUE(packet.ok()) << mqtt::describe(packet.error());
      if (!packet) break;
      packets.push_back(std::move(*packet));
    }
    EXPECT_EQ(framer.pending(), 0u);
    out.clear();
    return packets;
  }

  // The single packet the session wrote, which must be a P.
  template <class P>
  P sent_one() {
    auto packets = sent();
    EXPECT_EQ(packets.size(), 1u);
    if (packets.size() != 1 || !std::holds_alternative<P>(packets[0])) {
      ADD_FAILURE() << "expected one " << mqtt::to_string(mqtt::type_of(Packet(P{})));
      return P{};
    }
    return std::get<P>(packets[0]);
  }

  std::vector<std::uint8_t> encode(const Packet& packet) {
    std::vector<std::uint8_t> bytes;
    EXPECT_TRUE(mqtt::encode(packet, version(), bytes).ok());
    return bytes;
  }
  void feed(const Packet& packet) { session.receive(encode(packet), now); }

  std::vector<Event> events() {
    std::vector<Event> all;
    while (auto e = session.next_event())
      all.push_back(std::move(*e));
    return all;
  }
  template <class E>
  E event_one() {
    auto all = events();
    EXPECT_EQ(all.size(), 1u);
    if (all.size() != 1 || !std::holds_alternative<E>(all[0])) {
      ADD_FAILURE() << "expected exactly one event of the type asked, got " << all.size();
      return E{};
    }
    return std::get<E>(all[0]);
  }

  // start(), the CONNECT, and an accepting CONNACK.
  mqtt::Connect connect(bool session_present = false, mqtt::Properties connack_properties = {}) {
    EXPECT_TRUE(session.start(now).ok());
    auto connect = sent_one<mqtt::Connect>();
    mqtt::Connack connack;
    connack.session_present = session_present;
    connack.properties = std::move(connack_properties);
    feed(connack);
    auto connected = event_one<Connected>();
    EXPECT_EQ(connected.session_present, session_present);
    EXPECT_EQ(session.state(), Session::State::connected);
    return connect;
  }

  std::uint16_t publish(std::string topic, std::string payload, QoS qos) {
    auto id = session.publish(make_publish(std::move(topic), std::move(payload), qos), now);
    EXPECT_TRUE(id.ok()) << (id ? "" : id.error().to_string());
    return id ? *id : 0;
  }

  // The connection ended with a protocol error carrying `code`, and (MQTT 5.0) a DISCONNECT
  // with that code was written.
  void expect_violation(ReasonCode code) {
    auto error = event_one<ProtocolError>();
    EXPECT_EQ(error.error.code, ErrorCode::protocol_error);
    EXPECT_EQ(error.error.reason_code, code) << error.error.to_string();
    EXPECT_EQ(session.state(), Session::State::disconnected);
    if (version() == Version::v5) {
      EXPECT_EQ(sent_one<mqtt::Disconnect>().reason_code, code);
    } else {
      EXPECT_TRUE(sent().empty());  // before 5.0 the client just closes
    }
  }

  Session session;
  TimePoint now = TimePoint{} + 1000s;
};

SessionOptions options(Version version, std::string client_id = "c1") {
  SessionOptions o;
  o.version = version;
  o.client_id = std::move(client_id);
  return o;
}

class SessionVersions : public ::testing::TestWithParam<Version> {};
INSTANTIATE_TEST_SUITE_P(All, SessionVersions,
                         ::testing::Values(Version::v3_1, Version::v3_1_1, Version::v5),
                         [](const auto& test_info) {
                           return std::string(test_info.param == Version::v3_1     ? "v3_1"
                                              : test_info.param == Version::v3_1_1 ? "v3_1_1"
                                                                                   : "v5");
                         });

// ---- CONNECT / CONNACK ----

// MQTT 3.1.1 §3.1: CONNECT carries the options as given.
TEST_P(SessionVersions, ConnectCarriesTheOptions) {
  auto o = options(GetParam(), "client-1");
  o.clean_start = false;
  o.keep_alive = 17;
  o.username = "u";
  o.password = "p";
  o.will = mqtt::Will{"will/t", "bye", QoS::at_least_once, true, {}};
  Peer peer(o);
  auto connect = peer.connect();
  EXPECT_EQ(connect.version, GetParam());
  EXPECT_EQ(connect.client_id, "client-1");
  EXPECT_FALSE(connect.clean_start);
  EXPECT_EQ(connect.keep_alive, 17);
  EXPECT_EQ(connect.username, "u");
  EXPECT_EQ(connect.password, "p");
  ASSERT_TRUE(connect.will);
  EXPECT_EQ(connect.will->topic, "will/t");
  EXPECT_EQ(connect.will->qos, QoS::at_least_once);
  EXPECT_TRUE(connect.will->retain);
  EXPECT_EQ(peer.session.client_id(), "client-1");
  EXPECT_EQ(peer.session.keep_alive(), 17);
}

// MQTT 5.0 §3.1.2.11: CONNECT properties; §3.2.2.3: CONNACK properties change the session.
TEST(Session, V5ConnectAndConnackProperties) {
  auto o = options(Version::v5, "");
  o.properties.session_expiry_interval = 300;
  o.properties.receive_maximum = 10;
  o.properties.maximum_packet_size = 4096;
  o.properties.topic_alias_maximum = 5;
  o.properties.request_problem_information = 1;
  o.properties.user_properties = {{"k", "v"}};
  Peer peer(o);
  mqtt::Properties connack;
  connack.assigned_client_identifier = "assigned-7";
  connack.server_keep_alive = 5;
  connack.receive_maximum = 3;
  connack.maximum_qos = 1;
  connack.topic_alias_maximum = 2;
  auto connect = peer.connect(false, connack);
  EXPECT_EQ(connect.client_id, "");  // [MQTT-3.1.3-6]: the server assigns one
  EXPECT_EQ(connect.properties, o.properties);
  EXPECT_EQ(peer.session.client_id(), "assigned-7");  // §3.2.2.3.7
  EXPECT_EQ(peer.session.keep_alive(), 5);            // [MQTT-3.2.2-21]
  EXPECT_EQ(peer.session.connack().properties.topic_alias_maximum, 2);
  // [MQTT-3.2.2-11]: no QoS above the server's Maximum QoS.
  auto refused = peer.session.publish(make_publish("t", "x", QoS::exactly_once), peer.now);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::not_supported);
}

// MQTT 3.1.1 §3.2.2.3 return codes and MQTT 5.0 §3.2.2.2 reason codes refuse the connection.
TEST_P(SessionVersions, ConnackRefused) {
  Peer peer(options(GetParam()));
  ASSERT_TRUE(peer.session.start(peer.now).ok());
  peer.sent();
  mqtt::Connack connack;
  connack.reason_code =
      GetParam() == Version::v5 ? ReasonCode::not_authorized : ReasonCode::bad_username_or_password;
  if (GetParam() == Version::v5) connack.properties.reason_string = "go away";
  peer.feed(connack);
  auto ended = peer.event_one<Disconnected>();
  EXPECT_EQ(ended.error.code, ErrorCode::connack_refused);
  EXPECT_EQ(ended.error.reason_code, connack.reason_code);
  if (GetParam() == Version::v5) {
    EXPECT_EQ(ended.properties.reason_string, "go away");
    EXPECT_NE(ended.error.message.find("go away"), std::string::npos);
  }
  EXPECT_EQ(peer.session.state(), Session::State::disconnected);
}

// [MQTT-3.2.0-1]: the server's first packet is CONNACK.
TEST_P(SessionVersions, PacketBeforeConnackIsAProtocolError) {
  Peer peer(options(GetParam()));
  ASSERT_TRUE(peer.session.start(peer.now).ok());
  peer.sent();
  peer.feed(mqtt::Pingresp{});
  peer.expect_violation(ReasonCode::protocol_error);
}

// [MQTT-3.2.2-2] (3.1.1 [MQTT-3.2.2-1]): Session Present is 0 when Clean Start was 1.
TEST(Session, SessionPresentAfterCleanStartIsAProtocolError) {
  Peer peer(options(Version::v5));
  ASSERT_TRUE(peer.session.start(peer.now).ok());
  peer.sent();
  mqtt::Connack connack;
  connack.session_present = true;
  peer.feed(connack);
  peer.expect_violation(ReasonCode::protocol_error);
}

TEST(Session, SecondConnackIsAProtocolError) {
  Peer peer(options(Version::v5));
  peer.connect();
  peer.feed(mqtt::Connack{});
  peer.expect_violation(ReasonCode::protocol_error);
}

TEST(Session, NoConnackInTime) {
  auto o = options(Version::v3_1_1);
  o.connack_timeout = 2s;
  Peer peer(o);
  ASSERT_TRUE(peer.session.start(peer.now).ok());
  EXPECT_EQ(peer.session.next_deadline(), peer.now + 2s);
  peer.session.tick(peer.now + 1999ms);
  EXPECT_TRUE(peer.events().empty());
  peer.session.tick(peer.now + 2s);
  EXPECT_EQ(peer.event_one<Disconnected>().error.code, ErrorCode::timeout);
  EXPECT_EQ(peer.session.state(), Session::State::disconnected);
}

// MQTT 3.1 requires a client identifier; 3.1.1 allows an empty one only with clean session.
TEST(Session, EmptyClientIdentifier) {
  Peer v31(options(Version::v3_1, ""));
  auto connect = v31.connect();
  EXPECT_FALSE(connect.client_id.empty());
  EXPECT_LE(connect.client_id.size(), 23u);  // MQTT 3.1 §3.1: at most 23 characters
  EXPECT_EQ(v31.session.client_id(), connect.client_id);

  Peer v311(options(Version::v3_1_1, ""));
  EXPECT_EQ(v311.connect().client_id, "");

  auto o = options(Version::v3_1_1, "");
  o.clean_start = false;
  Peer persistent(o);
  auto started = persistent.session.start(persistent.now);
  ASSERT_FALSE(started.ok());  // [MQTT-3.1.3-7]
  EXPECT_EQ(started.error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(persistent.session.output().empty());
}

TEST(Session, StartTwiceIsRefused) {
  Peer peer(options(Version::v3_1_1));
  peer.connect();
  EXPECT_FALSE(peer.session.start(peer.now).ok());
}

// ---- Outbound QoS ----

// MQTT 3.1.1 §4.3.2: PUBLISH QoS 1, PUBACK.
TEST_P(SessionVersions, OutboundQos1) {
  Peer peer(options(GetParam()));
  peer.connect();
  auto id = peer.publish("a/b", "hello", QoS::at_least_once);
  EXPECT_NE(id, 0);
  auto publish = peer.sent_one<mqtt::Publish>();
  EXPECT_EQ(publish.topic, "a/b");
  EXPECT_EQ(publish.payload, "hello");
  EXPECT_EQ(publish.qos, QoS::at_least_once);
  EXPECT_EQ(publish.packet_id, id);
  EXPECT_FALSE(publish.dup);
  EXPECT_EQ(peer.session.inflight(), 1u);
  EXPECT_TRUE(peer.events().empty());
  peer.feed(ack<mqtt::Puback>(id));
  auto done = peer.event_one<Published>();
  EXPECT_EQ(done.packet_id, id);
  EXPECT_EQ(done.reason_code, ReasonCode::success);
  EXPECT_EQ(peer.session.inflight(), 0u);
  EXPECT_EQ(peer.session.outbound_held(), 0u);
  // A duplicate PUBACK is stale: ignored.
  peer.feed(ack<mqtt::Puback>(id));
  EXPECT_TRUE(peer.events().empty());
  EXPECT_EQ(peer.session.state(), Session::State::connected);
}

// MQTT 3.1.1 §4.3.3: PUBLISH QoS 2, PUBREC, PUBREL, PUBCOMP.
TEST_P(SessionVersions, OutboundQos2) {
  Peer peer(options(GetParam()));
  peer.connect();
  auto id = peer.publish("a", "x", QoS::exactly_once);
  EXPECT_EQ(peer.sent_one<mqtt::Publish>().qos, QoS::exactly_once);
  peer.feed(ack<mqtt::Pubrec>(id));
  EXPECT_EQ(peer.sent_one<mqtt::Pubrel>().packet_id, id);  // 3.1.1 [MQTT-4.3.3-1]
  EXPECT_TRUE(peer.events().empty());
  // A duplicate PUBREC is answered with PUBREL again.
  peer.feed(ack<mqtt::Pubrec>(id));
  EXPECT_EQ(peer.sent_one<mqtt::Pubrel>().packet_id, id);
  peer.feed(ack<mqtt::Pubcomp>(id));
  EXPECT_EQ(peer.event_one<Published>().packet_id, id);
  EXPECT_EQ(peer.session.inflight(), 0u);
  peer.feed(ack<mqtt::Pubcomp>(id));  // stale
  EXPECT_TRUE(peer.events().empty());
}

// MQTT 5.0 §4.3.3: a PUBREC with an error code ends the exchange; no PUBREL follows.
TEST(Session, V5PubrecWithErrorEndsTheFlow) {
  Peer peer(options(Version::v5));
  peer.connect();
  auto id = peer.publish("a", "x", QoS::exactly_once);
  peer.sent();
  peer.feed(ack<mqtt::Pubrec>(id, ReasonCode::not_authorized));
  EXPECT_TRUE(peer.sent().empty());
  auto done = peer.event_one<Published>();
  EXPECT_EQ(done.reason_code, ReasonCode::not_authorized);
  EXPECT_EQ(peer.session.inflight(), 0u);
}

TEST(Session, V5PubackWithErrorIsReported) {
  Peer peer(options(Version::v5));
  peer.connect();
  auto id = peer.publish("a", "x", QoS::at_least_once);
  peer.sent();
  peer.feed(ack<mqtt::Puback>(id, ReasonCode::no_matching_subscribers));
  EXPECT_EQ(peer.event_one<Published>().reason_code, ReasonCode::no_matching_subscribers);
}

TEST_P(SessionVersions, AckOfTheWrongKindIsAProtocolError) {
  Peer peer(options(GetParam()));
  peer.connect();
  auto id = peer.publish("a", "x", QoS::exactly_once);
  peer.sent();
  peer.feed(ack<mqtt::Puback>(id));
  peer.expect_violation(ReasonCode::protocol_error);
}

// [MQTT-2.2.1-3]: a packet identifier is not reused while its exchange is open.
TEST(Session, PacketIdentifiersAreNotReusedInFlight) {
  Peer peer(options(Version::v3_1_1));
  peer.connect();
  std::set<std::uint16_t> ids;
  for (int i = 0; i < 65'535; ++i) {
    auto id = peer.session.publish(make_publish("t", "", QoS::at_least_once), peer.now);
    ASSERT_TRUE(id.ok()) << i;
    ASSERT_NE(*id, 0);
    ASSERT_TRUE(ids.insert(*id).second) << "id " << *id << " reused";
  }
  peer.session.output().clear();
  auto exhausted = peer.session.publish(make_publish("t", "", QoS::at_least_once), peer.now);
  ASSERT_FALSE(exhausted.ok());
  EXPECT_EQ(exhausted.error().code, ErrorCode::packet_ids_exhausted);
  auto sub = peer.session.subscribe({{"f", QoS::at_most_once}}, {}, peer.now);
  EXPECT_FALSE(sub.ok());
  // Completing one frees exactly that identifier.
  peer.feed(ack<mqtt::Puback>(4242));
  EXPECT_EQ(peer.event_one<Published>().packet_id, 4242);
  auto again = peer.session.publish(make_publish("t", "", QoS::at_least_once), peer.now);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 4242);
}

TEST(Session, PublishIsChecked) {
  Peer peer(options(Version::v3_1_1));
  peer.connect();
  for (const char* topic : {"", "a/+", "a/#"}) {  // [MQTT-3.3.2-2], [MQTT-4.7.3-1]
    auto r = peer.session.publish(make_publish(topic, "x"), peer.now);
    ASSERT_FALSE(r.ok()) << topic;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  }
  EXPECT_TRUE(peer.sent().empty());
}

// MQTT 5.0 §3.2.2.3.5-6 and [MQTT-3.1.2-24]: Retain Available and Maximum Packet Size.
TEST(Session, V5ServerLimitsOnPublish) {
  Peer peer(options(Version::v5));
  mqtt::Properties limits;
  limits.retain_available = 0;
  limits.maximum_packet_size = 64;
  peer.connect(false, limits);
  auto retained = peer.session.publish(make_publish("t", "x", QoS::at_most_once, true), peer.now);
  ASSERT_FALSE(retained.ok());
  EXPECT_EQ(retained.error().code, ErrorCode::not_supported);
  auto big = peer.session.publish(make_publish("t", std::string(100, 'x')), peer.now);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::packet_too_large);
  EXPECT_TRUE(peer.session.publish(make_publish("t", std::string(50, 'x')), peer.now).ok());
  EXPECT_EQ(peer.sent().size(), 1u);
}

// ---- Inbound QoS ----

TEST_P(SessionVersions, InboundQos0And1) {
  Peer peer(options(GetParam()));
  peer.connect();
  peer.feed(make_publish("a", "zero"));
  auto m0 = peer.event_one<Message>();
  EXPECT_EQ(m0.topic, "a");
  EXPECT_EQ(m0.payload, "zero");
  EXPECT_TRUE(peer.sent().empty());
  auto p1 = make_publish("b", "one", QoS::at_least_once, true);
  p1.packet_id = 9;
  peer.feed(p1);
  auto m1 = peer.event_one<Message>();
  EXPECT_EQ(m1.qos, QoS::at_least_once);
  EXPECT_TRUE(m1.retain);
  EXPECT_EQ(peer.sent_one<mqtt::Puback>().packet_id, 9);  // [MQTT-4.3.2-4]
  // QoS 1 is at least once: a duplicate is delivered again and acknowledged again.
  p1.dup = true;
  peer.feed(p1);
  EXPECT_TRUE(peer.event_one<Message>().dup);
  EXPECT_EQ(peer.sent_one<mqtt::Puback>().packet_id, 9);
}

// MQTT 3.1.1 §4.3.3 method A: delivered once, duplicates before PUBREL only acknowledged.
TEST_P(SessionVersions, InboundQos2DeliveredExactlyOnce) {
  Peer peer(options(GetParam()));
  peer.connect();
  auto p = make_publish("q2", "once", QoS::exactly_once);
  p.packet_id = 7;
  peer.feed(p);
  EXPECT_EQ(peer.event_one<Message>().payload, "once");
  EXPECT_EQ(peer.sent_one<mqtt::Pubrec>().packet_id, 7);
  p.dup = true;
  peer.feed(p);
  EXPECT_TRUE(peer.events().empty());  // 3.1.1 [MQTT-4.3.3-2]: not delivered twice
  EXPECT_EQ(peer.sent_one<mqtt::Pubrec>().packet_id, 7);
  peer.feed(ack<mqtt::Pubrel>(7));
  EXPECT_EQ(peer.sent_one<mqtt::Pubcomp>().packet_id, 7);
  EXPECT_EQ(peer.session.inbound_qos2_pending(), 0u);
  // After PUBREL the identifier starts a new message.
  p.dup = false;
  p.payload = "second";
  peer.feed(p);
  EXPECT_EQ(peer.event_one<Message>().payload, "second");
}

// MQTT 5.0 §3.7.2.1: PUBCOMP 0x92 for a PUBREL whose identifier is unknown.
TEST(Session, V5PubrelForUnknownIdentifier) {
  Peer peer(options(Version::v5));
  peer.connect();
  peer.feed(ack<mqtt::Pubrel>(33));
  EXPECT_EQ(peer.sent_one<mqtt::Pubcomp>().reason_code, ReasonCode::packet_identifier_not_found);
  EXPECT_EQ(peer.session.state(), Session::State::connected);
}

// [MQTT-3.3.4-9]: the server must not exceed our Receive Maximum.
TEST(Session, V5InboundReceiveMaximumExceeded) {
  auto o = options(Version::v5);
  o.properties.receive_maximum = 1;
  Peer peer(o);
  peer.connect();
  auto p = make_publish("q2", "a", QoS::exactly_once);
  p.packet_id = 1;
  peer.feed(p);
  peer.events();
  peer.sent();
  p.packet_id = 2;
  peer.feed(p);
  peer.expect_violation(ReasonCode::receive_maximum_exceeded);
}

// ---- Inbound topic aliases (MQTT 5.0 §3.3.2.3.4) ----

TEST(Session, V5InboundTopicAliases) {
  auto o = options(Version::v5);
  o.properties.topic_alias_maximum = 5;
  Peer peer(o);
  peer.connect();
  auto p = make_publish("sensors/one", "1");
  p.properties.topic_alias = 3;
  peer.feed(p);
  auto first = peer.event_one<Message>();
  EXPECT_EQ(first.topic, "sensors/one");
  EXPECT_FALSE(first.properties.topic_alias);
  p.topic = "";
  p.payload = "2";
  peer.feed(p);
  auto second = peer.event_one<Message>();
  EXPECT_EQ(second.topic, "sensors/one");
  EXPECT_EQ(second.payload, "2");
  // An alias may be remapped.
  p.topic = "sensors/two";
  peer.feed(p);
  EXPECT_EQ(peer.event_one<Message>().topic, "sensors/two");
  p.topic = "";
  peer.feed(p);
  EXPECT_EQ(peer.event_one<Message>().topic, "sensors/two");
}

TEST(Session, V5TopicAliasOverOurMaximum) {
  auto o = options(Version::v5);
  o.properties.topic_alias_maximum = 2;
  Peer peer(o);
  peer.connect();
  auto p = make_publish("t", "x");
  p.properties.topic_alias = 3;
  peer.feed(p);
  peer.expect_violation(ReasonCode::topic_alias_invalid);  // [MQTT-3.3.2-9]
}

TEST(Session, V5TopicAliasWithoutMaximumIsInvalid) {
  Peer peer(options(Version::v5));
  peer.connect();
  auto p = make_publish("t", "x");
  p.properties.topic_alias = 1;
  peer.feed(p);
  peer.expect_violation(ReasonCode::topic_alias_invalid);
}

TEST(Session, V5UnknownTopicAlias) {
  auto o = options(Version::v5);
  o.properties.topic_alias_maximum = 4;
  Peer peer(o);
  peer.connect();
  auto p = make_publish("", "x");
  p.properties.topic_alias = 2;
  peer.feed(p);
  peer.expect_violation(ReasonCode::protocol_error);
}

// Aliases belong to a connection (MQTT 5.0 §3.3.2.3.4): a new one starts without them.
TEST(Session, V5TopicAliasesEndWithTheConnection) {
  auto o = options(Version::v5);
  o.properties.topic_alias_maximum = 4;
  Peer peer(o);
  peer.connect();
  auto p = make_publish("t", "x");
  p.properties.topic_alias = 1;
  peer.feed(p);
  peer.events();
  peer.session.connection_lost(Error{ErrorCode::connection_closed, "test"});
  peer.events();
  peer.connect();
  p.topic = "";
  peer.feed(p);
  peer.expect_violation(ReasonCode::protocol_error);
}

// ---- SUBSCRIBE / UNSUBSCRIBE ----

TEST_P(SessionVersions, SubscribeAndUnsubscribeMatchedByIdentifier) {
  Peer peer(options(GetParam()));
  peer.connect();
  auto a =
      peer.session.subscribe({{"a/#", QoS::at_least_once}, {"b", QoS::exactly_once}}, {}, peer.now);
  auto b = peer.session.subscribe({{"c", QoS::at_most_once}}, {}, peer.now);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  auto packets = peer.sent();
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(std::get<mqtt::Subscribe>(packets[0]).subscriptions.size(), 2u);
  // Answered out of order.
  mqtt::Suback second{*b, {ReasonCode::success}, {}};
  peer.feed(second);
  auto sb = peer.event_one<Subscribed>();
  EXPECT_EQ(sb.packet_id, *b);
  mqtt::Suback first{*a, {ReasonCode::granted_qos_1, ReasonCode::unspecified_error}, {}};
  peer.feed(first);
  auto sa = peer.event_one<Subscribed>();
  EXPECT_EQ(sa.packet_id, *a);
  EXPECT_EQ(sa.reason_codes, first.reason_codes);

  auto u = peer.session.unsubscribe({"a/#", "b"}, {}, peer.now);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(peer.sent_one<mqtt::Unsubscribe>().filters.size(), 2u);
  mqtt::Unsuback unsuback;
  unsuback.packet_id = *u;
  if (GetParam() == Version::v5) unsuback.reason_codes = {ReasonCode::success, ReasonCode::success};
  peer.feed(unsuback);
  EXPECT_EQ(peer.event_one<Unsubscribed>().packet_id, *u);
}

// [MQTT-3.8.4-6] / [MQTT-3.9.3-1]: one SUBACK code per filter.
TEST_P(SessionVersions, SubackWithWrongCountIsAProtocolError) {
  Peer peer(options(GetParam()));
  peer.connect();
  auto id =
      peer.session.subscribe({{"a", QoS::at_most_once}, {"b", QoS::at_most_once}}, {}, peer.now);
  ASSERT_TRUE(id.ok());
  peer.sent();
  peer.feed(mqtt::Suback{*id, {ReasonCode::success}, {}});
  peer.expect_violation(ReasonCode::protocol_error);
}

TEST_P(SessionVersions, SubackForUnknownIdentifierIsAProtocolError) {
  Peer peer(options(GetParam()));
  peer.connect();
  peer.feed(mqtt::Suback{77, {ReasonCode::success}, {}});
  peer.expect_violation(ReasonCode::protocol_error);
}

TEST(Session, SubscribeIsChecked) {
  Peer peer(options(Version::v5));
  EXPECT_EQ(peer.session.subscribe({{"a", QoS::at_most_once}}, {}, peer.now).error().code,
            ErrorCode::not_connected);
  peer.connect();
  EXPECT_FALSE(peer.session.subscribe({}, {}, peer.now).ok());  // [MQTT-3.8.3-2]
  EXPECT_FALSE(peer.session.subscribe({{"a/#/b", QoS::at_most_once}}, {}, peer.now).ok());
  mqtt::Subscription shared{"$share/g/a", QoS::at_most_once, true};
  EXPECT_FALSE(peer.session.subscribe({shared}, {}, peer.now).ok());  // [MQTT-3.8.3-4]
  EXPECT_TRUE(peer.sent().empty());
}

// ---- Keepalive (MQTT 3.1.1 §3.1.2.10) ----

TEST_P(SessionVersions, KeepalivePingsWhenIdleAndDetectsADeadServer) {
  auto o = options(GetParam());
  o.keep_alive = 10;
  o.pingresp_timeout = 3s;
  Peer peer(o);
  peer.connect();
  EXPECT_EQ(peer.session.next_deadline(), peer.now + 10s);
  // Sending something postpones the ping [MQTT-3.1.2-23].
  peer.now += 6s;
  peer.publish("t", "x", QoS::at_most_once);
  peer.sent();
  EXPECT_EQ(peer.session.next_deadline(), peer.now + 10s);
  peer.now += 9s;
  peer.session.tick(peer.now);
  EXPECT_TRUE(peer.sent().empty());
  peer.now += 1s;
  peer.session.tick(peer.now);
  peer.sent_one<mqtt::Pingreq>();
  EXPECT_EQ(peer.session.next_deadline(), peer.now + 3s);
  peer.feed(mqtt::Pingresp{});
  peer.event_one<Pong>();
  EXPECT_EQ(peer.session.next_deadline(), peer.now + 10s);
  // Next time no PINGRESP comes.
  peer.now += 10s;
  peer.session.tick(peer.now);
  peer.sent_one<mqtt::Pingreq>();
  peer.now += 3s;
  peer.session.tick(peer.now);
  EXPECT_EQ(peer.event_one<Disconnected>().error.code, ErrorCode::timeout);
  EXPECT_EQ(peer.session.state(), Session::State::disconnected);
}

TEST(Session, KeepaliveZeroHasNoTimer) {
  auto o = options(Version::v3_1_1);
  o.keep_alive = 0;
  Peer peer(o);
  peer.connect();
  EXPECT_FALSE(peer.session.next_deadline());
  peer.session.tick(peer.now + 1000s);
  EXPECT_TRUE(peer.sent().empty());
}

// MQTT 5.0 §3.2.2.3.14: the Server Keep Alive replaces ours.
TEST(Session, V5ServerKeepAlive) {
  auto o = options(Version::v5);
  o.keep_alive = 60;
  Peer peer(o);
  mqtt::Properties p;
  p.server_keep_alive = 2;
  peer.connect(false, p);
  peer.session.tick(peer.now + 2s);
  peer.sent_one<mqtt::Pingreq>();
}

// ---- Reconnecting (MQTT 3.1.1 §4.4, MQTT 5.0 §4.4) ----

// Two QoS 1, one QoS 2 before PUBREC, one QoS 2 after PUBREC, then the connection drops.
void fill_inflight(Peer& peer, std::uint16_t (&ids)[4]) {
  ids[0] = peer.publish("t", "q1a", QoS::at_least_once);
  ids[1] = peer.publish("t", "q2", QoS::exactly_once);
  ids[2] = peer.publish("t", "q2-recd", QoS::exactly_once);
  ids[3] = peer.publish("t", "q1b", QoS::at_least_once);
  peer.sent();
  peer.feed(ack<mqtt::Pubrec>(ids[2]));
  peer.sent_one<mqtt::Pubrel>();
  peer.session.connection_lost(Error{ErrorCode::connection_closed, "test"});
  EXPECT_EQ(peer.event_one<Disconnected>().error.code, ErrorCode::connection_closed);
}

// [MQTT-4.4.0-1]: a resumed session resends unacknowledged PUBLISH (DUP set [MQTT-3.3.1-1])
// and PUBREL, in the original order.
TEST_P(SessionVersions, ResendWithDupWhenTheSessionIsPresent) {
  auto o = options(GetParam());
  o.clean_start = false;
  Peer peer(o);
  peer.connect();
  std::uint16_t ids[4];
  fill_inflight(peer, ids);
  ASSERT_TRUE(peer.session.start(peer.now).ok());
  peer.sent_one<mqtt::Connect>();
  mqtt::Connack connack;
  connack.session_present = GetParam() != Version::v3_1;  // 3.1 cannot tell
  peer.feed(connack);
  peer.event_one<Connected>();
  auto packets = peer.sent();
  ASSERT_EQ(packets.size(), 4u);
  auto& a = std::get<mqtt::Publish>(packets[0]);
  EXPECT_EQ(a.packet_id, ids[0]);
  EXPECT_TRUE(a.dup);
  EXPECT_EQ(a.payload, "q1a");
  EXPECT_EQ(std::get<mqtt::Publish>(packets[1]).packet_id, ids[1]);
  EXPECT_TRUE(std::get<mqtt::Publish>(packets[1]).dup);
  EXPECT_EQ(std::get<mqtt::Pubrel>(packets[2]).packet_id, ids[2]);
  EXPECT_EQ(std::get<mqtt::Publish>(packets[3]).packet_id, ids[3]);
  // The flows then complete as usual.
  peer.feed(ack<mqtt::Pubcomp>(ids[2]));
  EXPECT_EQ(peer.event_one<Published>().packet_id, ids[2]);
  EXPECT_EQ(peer.session.inflight(), 3u);
}

// No session on the server: unacknowledged messages go again as new ones, a QoS 2 message the
// server already received (PUBREC) is complete.
TEST_P(SessionVersions, ResendAsNewWhenTheSessionIsGone) {
  Peer peer(options(GetParam()));
  peer.connect();
  std::uint16_t ids[4];
  fill_inflight(peer, ids);
  ASSERT_TRUE(peer.session.start(peer.now).ok());
  peer.sent_one<mqtt::Connect>();
  peer.feed(mqtt::Connack{});
  auto events = peer.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(std::get<Connected>(events[0]).session_present);
  EXPECT_EQ(std::get<Published>(events[1]).packet_id, ids[2]);
  auto packets = peer.sent();
  ASSERT_EQ(packets.size(), 3u);
  for (auto& packet : packets)
    EXPECT_FALSE(std::get<mqtt::Publish>(packet).dup);
  EXPECT_EQ(std::get<mqtt::Publish>(packets[0]).packet_id, ids[0]);
  EXPECT_EQ(std::get<mqtt::Publish>(packets[1]).packet_id, ids[1]);
  EXPECT_EQ(std::get<mqtt::Publish>(packets[2]).packet_id, ids[3]);
}

// Inbound QoS 2 state survives a resumed session: the redelivered PUBLISH is not delivered
// twice (3.1.1 [MQTT-4.3.3-2]), and the PUBREL still completes.
TEST(Session, InboundQos2SurvivesAResumedSession) {
  auto o = options(Version::v3_1_1);
  o.clean_start = false;
  Peer peer(o);
  peer.connect();
  auto p = make_publish("t", "x", QoS::exactly_once);
  p.packet_id = 5;
  peer.feed(p);
  peer.event_one<Message>();
  peer.sent();
  peer.session.connection_lost(Error{ErrorCode::network, "test"});
  peer.events();
  peer.connect(true);
  p.dup = true;
  peer.feed(p);
  EXPECT_TRUE(peer.events().empty());
  EXPECT_EQ(peer.sent_one<mqtt::Pubrec>().packet_id, 5);
}

TEST(Session, PublishWhileDisconnectedIsQueued) {
  Peer peer(options(Version::v3_1_1));
  auto id = peer.publish("t", "early", QoS::at_least_once);
  peer.publish("t", "early0", QoS::at_most_once);
  EXPECT_TRUE(peer.session.output().empty());
  EXPECT_EQ(peer.session.queued(), 2u);
  peer.connect();
  auto packets = peer.sent();
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(std::get<mqtt::Publish>(packets[0]).packet_id, id);
  EXPECT_EQ(std::get<mqtt::Publish>(packets[1]).payload, "early0");
}

TEST(Session, QueueIsBounded) {
  auto o = options(Version::v3_1_1);
  o.max_queued = 2;
  Peer peer(o);
  peer.publish("t", "1", QoS::at_least_once);
  peer.publish("t", "2", QoS::at_most_once);
  auto full = peer.session.publish(make_publish("t", "3", QoS::at_least_once), peer.now);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::queue_full);
  EXPECT_EQ(peer.session.outbound_held(), 1u);  // the refused one holds no identifier
}

// ---- Flow control: MQTT 5.0 §4.9, [MQTT-3.3.4-7] ----

TEST(Session, V5ReceiveMaximumQueuesPublishes) {
  Peer peer(options(Version::v5));
  mqtt::Properties p;
  p.receive_maximum = 2;
  peer.connect(false, p);
  std::uint16_t ids[4];
  for (auto& id : ids)
    id = peer.publish("t", "x", QoS::at_least_once);
  peer.publish("t", "qos0-behind", QoS::at_most_once);  // keeps its place in the order
  EXPECT_EQ(peer.sent().size(), 2u);
  EXPECT_EQ(peer.session.inflight(), 2u);
  EXPECT_EQ(peer.session.queued(), 3u);
  peer.feed(ack<mqtt::Puback>(ids[0]));
  peer.events();
  EXPECT_EQ(peer.sent_one<mqtt::Publish>().packet_id, ids[2]);
  peer.feed(ack<mqtt::Puback>(ids[1]));
  peer.events();
  auto packets = peer.sent();
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(std::get<mqtt::Publish>(packets[0]).packet_id, ids[3]);
  EXPECT_EQ(std::get<mqtt::Publish>(packets[1]).payload, "qos0-behind");
  EXPECT_EQ(peer.session.inflight(), 2u);
  EXPECT_EQ(peer.session.queued(), 0u);
}

TEST(Session, MaxInflightAppliesToEveryVersion) {
  auto o = options(Version::v3_1_1);
  o.max_inflight = 1;
  Peer peer(o);
  peer.connect();
  auto a = peer.publish("t", "a", QoS::exactly_once);
  peer.publish("t", "b", QoS::exactly_once);
  EXPECT_EQ(peer.sent().size(), 1u);
  peer.feed(ack<mqtt::Pubrec>(a));
  EXPECT_EQ(peer.sent_one<mqtt::Pubrel>().packet_id, a);  // still in flight until PUBCOMP
  peer.feed(ack<mqtt::Pubcomp>(a));
  peer.events();
  EXPECT_EQ(peer.sent_one<mqtt::Publish>().payload, "b");
}

// ---- Malformed input and the server's DISCONNECT ----

TEST_P(SessionVersions, MalformedBytesEndTheConnection) {
  Peer peer(options(GetParam()));
  peer.connect();
  const std::uint8_t bad[] = {0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F};  // [MQTT-1.5.5]: 5 bytes
  peer.session.receive(bad, peer.now);
  peer.expect_violation(ReasonCode::malformed_packet);
}

TEST(Session, V5PacketOverOurMaximumPacketSize) {
  auto o = options(Version::v5);
  o.properties.maximum_packet_size = 100;
  Peer peer(o);
  peer.connect();
  peer.feed(make_publish("t", std::string(200, 'x')));
  peer.expect_violation(ReasonCode::packet_too_large);  // [MQTT-3.1.2-24]
}

TEST(Session, V5ServerDisconnect) {
  Peer peer(options(Version::v5));
  peer.connect();
  mqtt::Disconnect d;
  d.reason_code = ReasonCode::server_shutting_down;
  d.properties.reason_string = "maintenance";
  d.properties.server_reference = "other:1883";
  peer.feed(d);
  auto ended = peer.event_one<Disconnected>();
  EXPECT_EQ(ended.error.code, ErrorCode::closed_by_server);
  EXPECT_EQ(ended.error.reason_code, ReasonCode::server_shutting_down);
  EXPECT_EQ(ended.properties.server_reference, "other:1883");
  EXPECT_NE(ended.error.message.find("maintenance"), std::string::npos);
  EXPECT_TRUE(peer.sent().empty());
}

TEST(Session, V5ClientDisconnectWithReasonAndProperties) {
  Peer peer(options(Version::v5));
  peer.connect();
  mqtt::Properties p;
  p.session_expiry_interval = 0;
  p.reason_string = "done";
  ASSERT_TRUE(peer.session.disconnect(ReasonCode::disconnect_with_will, p, peer.now).ok());
  auto d = peer.sent_one<mqtt::Disconnect>();
  EXPECT_EQ(d.reason_code, ReasonCode::disconnect_with_will);
  EXPECT_EQ(d.properties.reason_string, "done");
  EXPECT_EQ(peer.event_one<Disconnected>().error.code, ErrorCode::disconnected);
  EXPECT_EQ(peer.session.state(), Session::State::disconnected);
  // An invalid DISCONNECT reason code is refused before anything is sent.
  peer.connect();
  EXPECT_FALSE(peer.session.disconnect(ReasonCode::granted_qos_1, {}, peer.now).ok());
}

// Bytes arrive in any chunking: one byte at a time.
TEST_P(SessionVersions, InputInAnyChunking) {
  Peer peer(options(GetParam()));
  ASSERT_TRUE(peer.session.start(peer.now).ok());
  peer.sent();
  auto bytes = peer.encode(mqtt::Connack{});
  auto more = peer.encode(make_publish("a/b", "payload"));
  bytes.insert(bytes.end(), more.begin(), more.end());
  for (std::uint8_t b : bytes)
    peer.session.receive(std::span(&b, 1), peer.now);
  auto events = peer.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<Connected>(events[0]));
  EXPECT_EQ(std::get<Message>(events[1]).payload, "payload");
}

TEST(Session, V5MessagePropertiesAreDelivered) {
  Peer peer(options(Version::v5));
  peer.connect();
  auto p = make_publish("req", "body");
  p.properties.response_topic = "resp/1";
  p.properties.correlation_data = std::string("\x00\x01", 2);
  p.properties.user_properties = {{"a", "b"}};
  p.properties.subscription_identifiers = {4};
  peer.feed(p);
  auto m = peer.event_one<Message>();
  EXPECT_EQ(m.properties.response_topic, "resp/1");
  EXPECT_EQ(m.properties.correlation_data, std::string("\x00\x01", 2));
  EXPECT_EQ(m.properties.user_properties.size(), 1u);
  EXPECT_EQ(m.properties.subscription_identifiers, std::vector<std::uint32_t>{4});
}

}  // namespace
}  // namespace tern::client
