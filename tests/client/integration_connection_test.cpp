// Connection against real brokers: the tern binary of this build and Debian's mosquitto, with
// the same test bodies, over MQTT 3.1.1 and 5.0 (3.1 where it matters).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

#include "integration_common.h"

namespace tern::client::test {
namespace {

using mqtt::QoS;
using mqtt::ReasonCode;
using mqtt::Version;

struct Param {
  BrokerKind broker;
  Version version;
};

class ConnectionTest : public ::testing::TestWithParam<Param> {
 protected:
  BrokerKind kind() const { return GetParam().broker; }
  Version version() const { return GetParam().version; }
  ConnectOptions options(const Broker& broker, std::string id) const {
    return options_for(broker, std::move(id), version());
  }
  bool v5() const { return version() == Version::v5; }
};

INSTANTIATE_TEST_SUITE_P(Brokers, ConnectionTest,
                         ::testing::Values(Param{BrokerKind::tern, Version::v3_1_1},
                                           Param{BrokerKind::tern, Version::v5},
                                           Param{BrokerKind::mosquitto, Version::v3_1_1},
                                           Param{BrokerKind::mosquitto, Version::v5}),
                         [](const auto& test_info) {
                           return std::string(to_string(test_info.param.broker)) + "_" +
                                  version_name(test_info.param.version);
                         });

// MQTT 3.1.1 §4.3: a message at each QoS reaches a subscriber at min(published, granted).
TEST_P(ConnectionTest, RoundTripAtEachQos) {
  Broker broker(kind());
  ASSERT_TRUE(broker.running());
  Connection sub(options(broker, "sub"));
  ASSERT_TRUE(sub.connect().ok());
  auto granted = sub.subscribe("rt/#", QoS::exactly_once);
  ASSERT_TRUE(granted.ok()) << why(granted);
  EXPECT_EQ(granted->reason_codes, std::vector<ReasonCode>{ReasonCode::granted_qos_2});

  Connection pub(options(broker, "pub"));
  auto connected = pub.connect();
  ASSERT_TRUE(connected.ok()) << why(connected);
  EXPECT_FALSE(connected->session_present);
  for (int q = 0; q <= 2; ++q) {
    auto done =
        pub.publish("rt/" + std::to_string(q), "payload " + std::to_string(q), static_cast<QoS>(q));
    ASSERT_TRUE(done.ok()) << why(done);
    if (q > 0) {
      EXPECT_NE(done->packet_id, 0);
      EXPECT_FALSE(static_cast<std::uint8_t>(done->reason_code) >= 0x80);
    }
  }
  for (int q = 0; q <= 2; ++q) {
    auto message = sub.wait_message(5s);
    ASSERT_TRUE(message.ok()) << why(message);
    ASSERT_TRUE(message->has_value()) << "message " << q << " did not come";
    EXPECT_EQ((*message)->topic, "rt/" + std::to_string(q));
    EXPECT_EQ((*message)->payload, "payload " + std::to_string(q));
    EXPECT_EQ((*message)->qos, static_cast<QoS>(q));
    EXPECT_FALSE((*message)->retain);
  }
  auto unsubscribed = sub.unsubscribe({"rt/#"});
  ASSERT_TRUE(unsubscribed.ok()) << why(unsubscribed);
  if (v5()) {
    EXPECT_EQ(unsubscribed->reason_codes.size(), 1u);
  }
  ASSERT_TRUE(pub.publish("rt/0", "after", QoS::at_least_once).ok());
  auto nothing = sub.wait_message(300ms);
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(nothing->has_value());
  EXPECT_TRUE(pub.disconnect().ok());
  EXPECT_TRUE(sub.disconnect().ok());
  EXPECT_FALSE(sub.connected());
}

// MQTT 3.1.1 §3.3.1.3: a retained message goes to new subscribers with RETAIN set.
TEST_P(ConnectionTest, RetainedMessage) {
  Broker broker(kind());
  Connection pub(options(broker, "pub"));
  ASSERT_TRUE(pub.connect().ok());
  ASSERT_TRUE(pub.publish("ret/a", "kept", QoS::at_least_once, true).ok());
  Connection sub(options(broker, "sub"));
  ASSERT_TRUE(sub.connect().ok());
  ASSERT_TRUE(sub.subscribe("ret/#", QoS::at_least_once).ok());
  auto message = sub.wait_message(5s);
  ASSERT_TRUE(message.ok() && message->has_value());
  EXPECT_EQ((*message)->payload, "kept");
  EXPECT_TRUE((*message)->retain);
}

// MQTT 3.1.1 §3.1.2.5: the will is published when the connection ends without DISCONNECT.
TEST_P(ConnectionTest, WillOnAbruptClose) {
  Broker broker(kind());
  Connection watcher(options(broker, "watcher"));
  ASSERT_TRUE(watcher.connect().ok());
  ASSERT_TRUE(watcher.subscribe("wills/#", QoS::at_least_once).ok());
  {
    auto o = options(broker, "doomed");
    o.will = mqtt::Will{"wills/doomed", "gone", QoS::at_least_once, false, {}};
    Connection doomed(o);
    ASSERT_TRUE(doomed.connect().ok());
  }  // destroyed: the socket closes without DISCONNECT
  auto message = watcher.wait_message(5s);
  ASSERT_TRUE(message.ok()) << why(message);
  ASSERT_TRUE(message->has_value());
  EXPECT_EQ((*message)->topic, "wills/doomed");
  EXPECT_EQ((*message)->payload, "gone");
}

// [MQTT-3.14.4-3]: a DISCONNECT discards the will; MQTT 5.0 reason 0x04 keeps it.
TEST_P(ConnectionTest, DisconnectAndTheWill) {
  Broker broker(kind());
  Connection watcher(options(broker, "watcher"));
  ASSERT_TRUE(watcher.connect().ok());
  ASSERT_TRUE(watcher.subscribe("wills/#", QoS::at_least_once).ok());
  auto o = options(broker, "leaver");
  o.will = mqtt::Will{"wills/leaver", "bye", QoS::at_least_once, false, {}};
  Connection leaver(o);
  ASSERT_TRUE(leaver.connect().ok());
  ASSERT_TRUE(leaver.disconnect().ok());
  auto none = watcher.wait_message(300ms);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  if (!v5()) return;
  ASSERT_TRUE(leaver.connect().ok());
  ASSERT_TRUE(leaver.disconnect(ReasonCode::disconnect_with_will).ok());
  auto will = watcher.wait_message(5s);
  ASSERT_TRUE(will.ok() && will->has_value());
  EXPECT_EQ((*will)->payload, "bye");
}

// MQTT 3.1.1 §3.2.2.2: a persistent session is resumed, and the QoS 1 message queued while
// the client was away is delivered [MQTT-3.1.2-5].
TEST_P(ConnectionTest, SessionPresentAndQueuedMessage) {
  Broker broker(kind());
  auto o = options(broker, "persistent");
  o.clean_start = false;
  if (v5()) o.properties.session_expiry_interval = 300;  // MQTT 5.0 §3.1.2.11.2
  {
    Connection first(o);
    auto c = first.connect();
    ASSERT_TRUE(c.ok()) << why(c);
    ASSERT_TRUE(first.subscribe("queue/#", QoS::at_least_once).ok());
    ASSERT_TRUE(first.disconnect().ok());
  }
  Connection pub(options(broker, "pub"));
  ASSERT_TRUE(pub.connect().ok());
  ASSERT_TRUE(pub.publish("queue/1", "while away", QoS::at_least_once).ok());

  Connection again(o);
  auto c = again.connect();
  ASSERT_TRUE(c.ok()) << why(c);
  EXPECT_TRUE(c->session_present);
  auto message = again.wait_message(5s);
  ASSERT_TRUE(message.ok()) << why(message);
  ASSERT_TRUE(message->has_value());
  EXPECT_EQ((*message)->payload, "while away");
  EXPECT_EQ((*message)->qos, QoS::at_least_once);
}

// MQTT 3.1.1 §3.2.2.3 / MQTT 5.0 §3.2.2.2: bad credentials are refused in CONNACK.
TEST_P(ConnectionTest, PasswordRefused) {
  Broker broker(kind(), BrokerSetup{"password_file " + password_file() + "\n", false});
  auto o = options(broker, "authed");
  o.username = "alice";
  o.password = "secret";
  Connection good(o);
  auto ok = good.connect();
  ASSERT_TRUE(ok.ok()) << why(ok);

  o.password = "wrong";
  Connection bad(o);
  auto refused = bad.connect();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::connack_refused) << refused.error().to_string();
  ASSERT_TRUE(refused.error().reason_code);
  // Servers differ between "bad user name or password" and "not authorized".
  EXPECT_TRUE(*refused.error().reason_code == ReasonCode::bad_username_or_password ||
              *refused.error().reason_code == ReasonCode::not_authorized)
      << refused.error().to_string();
  EXPECT_FALSE(bad.connected());

  o.username.reset();
  o.password.reset();
  Connection anonymous(o);
  EXPECT_FALSE(anonymous.connect().ok());
}

// MQTT 3.1.1 §3.1.2.10: with keep alive 1 s and nothing to send, PINGREQs keep the connection
// open (the broker closes it after 1.5 s of silence [MQTT-3.1.2-24]).
TEST_P(ConnectionTest, KeepalivePingsWhileWaiting) {
  Broker broker(kind());
  auto o = options(broker, "idle");
  o.keep_alive = 1;
  Connection idle(o);
  ASSERT_TRUE(idle.connect().ok());
  auto until = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < until) {
    auto polled = idle.poll(500ms);
    ASSERT_TRUE(polled.ok()) << why(polled);
  }
  EXPECT_TRUE(idle.connected());
  EXPECT_TRUE(idle.ping().ok());
  // And it still delivers.
  ASSERT_TRUE(idle.subscribe("ka", QoS::at_least_once).ok());
  ASSERT_TRUE(idle.publish("ka", "alive", QoS::at_least_once).ok());
  auto message = idle.wait_message(5s);
  ASSERT_TRUE(message.ok() && message->has_value());
}

// A message handler may publish (and so wait for PUBACK) from inside the handler; messages
// arriving meanwhile are delivered after it returns, never recursively.
TEST_P(ConnectionTest, PublishFromInsideTheHandler) {
  Broker broker(kind());
  Connection c(options(broker, "echo"));
  ASSERT_TRUE(c.connect().ok());
  ASSERT_TRUE(c.subscribe({{"in", QoS::at_least_once}, {"out/#", QoS::exactly_once}}).ok());
  int depth = 0;
  int max_depth = 0;
  std::vector<std::string> seen;
  c.set_message_handler([&](const Message& m) {
    ++depth;
    max_depth = std::max(max_depth, depth);
    seen.push_back(m.topic + "=" + m.payload);
    if (m.topic == "in") {
      // The echo comes back to us before or after the PUBCOMP: either way not from here.
      for (int i = 0; i < 3; ++i) {
        auto r = c.publish("out/" + std::to_string(i), m.payload, QoS::exactly_once);
        EXPECT_TRUE(r.ok()) << why(r);
      }
    }
    --depth;
  });
  Connection pub(options(broker, "pub"));
  ASSERT_TRUE(pub.connect().ok());
  ASSERT_TRUE(pub.publish("in", "ping", QoS::at_least_once).ok());
  auto until = std::chrono::steady_clock::now() + 5s;
  while (seen.size() < 4 && std::chrono::steady_clock::now() < until) {
    ASSERT_TRUE(c.poll(200ms).ok());
  }
  EXPECT_EQ(max_depth, 1);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], "in=ping");
  EXPECT_EQ(seen[1], "out/0=ping");  // in order [MQTT-4.6.0-6]
  EXPECT_EQ(seen[2], "out/1=ping");
  EXPECT_EQ(seen[3], "out/2=ping");
}

TEST_P(ConnectionTest, NonBlockingPublishCompletesAsEvents) {
  Broker broker(kind());
  Connection c(options(broker, "nowait"));
  ASSERT_TRUE(c.connect().ok());
  std::set<std::uint16_t> ids;
  for (int i = 0; i < 50; ++i) {
    mqtt::Publish p;
    p.topic = "nw";
    p.payload = std::to_string(i);
    p.qos = i % 2 ? QoS::exactly_once : QoS::at_least_once;
    auto id = c.publish_nowait(p);
    ASSERT_TRUE(id.ok()) << why(id);
    ids.insert(*id);
  }
  EXPECT_EQ(ids.size(), 50u);
  while (!ids.empty()) {
    auto event = c.wait_event(5s);
    ASSERT_TRUE(event.ok()) << why(event);
    ASSERT_TRUE(event->has_value()) << ids.size() << " publishes did not complete";
    auto* done = std::get_if<Published>(&**event);
    ASSERT_NE(done, nullptr);
    EXPECT_EQ(ids.erase(done->packet_id), 1u);
  }
}

// [MQTT-3.9.3-2] (MQTT 5.0 §3.9.3): a refused filter gets a failure code in its SUBACK slot.
TEST_P(ConnectionTest, RefusedSubscriptionReasonCode) {
  if (kind() == BrokerKind::mosquitto) {
    // Mosquitto 2.0.11 grants every valid filter: its acl_file (deny lines included) is applied
    // when messages are delivered, not in SUBACK.
    GTEST_SKIP() << "mosquitto 2.0.11 has no configuration that refuses a valid subscription";
  }
  Broker broker(kind(), BrokerSetup{"shared_subscriptions false\n"});
  Connection c(options(broker, "refused"));
  ASSERT_TRUE(c.connect().ok());
  auto r = c.subscribe({{"allowed/x", QoS::at_least_once}, {"$share/g/x", QoS::at_least_once}});
  ASSERT_TRUE(r.ok()) << why(r);
  ASSERT_EQ(r->reason_codes.size(), 2u);
  EXPECT_EQ(r->reason_codes[0], ReasonCode::granted_qos_1);
  EXPECT_EQ(r->reason_codes[1],
            v5() ? ReasonCode::shared_subscriptions_not_supported : ReasonCode::unspecified_error);
}

TEST_P(ConnectionTest, ConnectionRefusedByTcp) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.version = version();
  // A port bound but not listening refuses connections, and stays ours for the whole test (a
  // stopped broker's port could be taken by a test running in parallel).
  int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(holder, reinterpret_cast<sockaddr*>(&address), &length), 0);
  o.port = ntohs(address.sin_port);
  Connection c(o);
  auto r = c.connect();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::connection_refused) << r.error().to_string();
  auto published = c.publish("t", "x");
  ASSERT_FALSE(published.ok());
  EXPECT_EQ(published.error().code, ErrorCode::not_connected);
  ::close(holder);
}

TEST_P(ConnectionTest, ReconnectAfterDisconnect) {
  Broker broker(kind());
  Connection c(options(broker, "again"));
  for (int i = 0; i < 3; ++i) {
    auto r = c.connect();
    ASSERT_TRUE(r.ok()) << why(r);
    EXPECT_TRUE(c.ping().ok());
    EXPECT_TRUE(c.disconnect().ok());
  }
}

// ---- MQTT 5.0 only ----

class ConnectionV5Test : public ::testing::TestWithParam<BrokerKind> {};
INSTANTIATE_TEST_SUITE_P(Brokers, ConnectionV5Test,
                         ::testing::Values(BrokerKind::tern, BrokerKind::mosquitto),
                         [](const auto& test_info) {
                           return std::string(to_string(test_info.param));
                         });

// MQTT 5.0 §3.3.2.3: user properties, response topic, correlation data and content type
// travel with the message [MQTT-3.3.2-17], [MQTT-3.3.2-18].
TEST_P(ConnectionV5Test, MessagePropertiesRoundTrip) {
  Broker broker(GetParam());
  Connection sub(options_for(broker, "sub", Version::v5));
  ASSERT_TRUE(sub.connect().ok());
  mqtt::Properties sub_props;
  sub_props.subscription_identifiers = {42};
  mqtt::Subscription s;
  s.filter = "req/#";
  s.max_qos = QoS::at_least_once;
  ASSERT_TRUE(sub.subscribe({s}, sub_props).ok());

  Connection pub(options_for(broker, "pub", Version::v5));
  ASSERT_TRUE(pub.connect().ok());
  mqtt::Properties p;
  p.user_properties = {{"k1", "v1"}, {"k1", "v2"}, {"name", "välue"}};
  p.response_topic = "resp/pub";
  p.correlation_data = std::string("\x00\xff\x10", 3);
  p.content_type = "application/json";
  p.payload_format_indicator = 1;
  p.message_expiry_interval = 60;
  ASSERT_TRUE(pub.publish("req/1", "{}", QoS::at_least_once, false, p).ok());
  auto m = sub.wait_message(5s);
  ASSERT_TRUE(m.ok() && m->has_value());
  const auto& got = (*m)->properties;
  EXPECT_EQ(got.user_properties, p.user_properties);
  EXPECT_EQ(got.response_topic, p.response_topic);
  EXPECT_EQ(got.correlation_data, p.correlation_data);
  EXPECT_EQ(got.content_type, p.content_type);
  EXPECT_EQ(got.payload_format_indicator, 1);
  ASSERT_TRUE(got.message_expiry_interval);
  EXPECT_LE(*got.message_expiry_interval, 60u);
  EXPECT_EQ(got.subscription_identifiers, std::vector<std::uint32_t>{42});
}

// [MQTT-3.1.3-6], MQTT 5.0 §3.2.2.3.7: an empty client id gets an Assigned Client Identifier.
TEST_P(ConnectionV5Test, ServerAssignedClientIdentifier) {
  Broker broker(GetParam());
  Connection c(options_for(broker, "", Version::v5));
  auto r = c.connect();
  ASSERT_TRUE(r.ok()) << why(r);
  ASSERT_TRUE(r->connack.properties.assigned_client_identifier);
  EXPECT_FALSE(c.client_id().empty());
  EXPECT_EQ(c.client_id(), *r->connack.properties.assigned_client_identifier);
}

// MQTT 5.0 §3.3.1.3 / §3.8.3.1: No Local, Retain As Published and Retain Handling.
TEST_P(ConnectionV5Test, SubscriptionOptions) {
  Broker broker(GetParam());
  Connection c(options_for(broker, "opts", Version::v5));
  ASSERT_TRUE(c.connect().ok());
  ASSERT_TRUE(c.publish("so/retained", "r", QoS::at_least_once, true).ok());
  mqtt::Subscription s;
  s.filter = "so/#";
  s.max_qos = QoS::at_least_once;
  s.no_local = true;
  s.retain_as_published = true;
  s.retain_handling = mqtt::RetainHandling::do_not_send;
  ASSERT_TRUE(c.subscribe({s}).ok());
  ASSERT_TRUE(c.publish("so/own", "mine", QoS::at_least_once).ok());
  Connection other(options_for(broker, "other", Version::v5));
  ASSERT_TRUE(other.connect().ok());
  ASSERT_TRUE(other.publish("so/theirs", "t", QoS::at_least_once, true).ok());
  auto m = c.wait_message(5s);
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ((*m)->topic, "so/theirs");  // not our own, not the retained one
  EXPECT_TRUE((*m)->retain);            // retain as published
  auto none = c.wait_message(300ms);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

// MQTT 3.1: still spoken by both brokers; the client generates an identifier.
TEST(ConnectionV31, RoundTrip) {
  for (BrokerKind kind : {BrokerKind::tern, BrokerKind::mosquitto}) {
    SCOPED_TRACE(std::string(to_string(kind)));
    Broker broker(kind);
    Connection c(options_for(broker, "", Version::v3_1));
    auto r = c.connect();
    ASSERT_TRUE(r.ok()) << why(r);
    EXPECT_FALSE(c.client_id().empty());
    ASSERT_TRUE(c.subscribe("v31", QoS::exactly_once).ok());
    ASSERT_TRUE(c.publish("v31", "old", QoS::exactly_once).ok());
    auto m = c.wait_message(5s);
    ASSERT_TRUE(m.ok() && m->has_value());
    EXPECT_EQ((*m)->payload, "old");
  }
}

}  // namespace
}  // namespace tern::client::test
