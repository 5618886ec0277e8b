// 22: MQTT 5.0 will messages (sections 3.1.2.5, 3.1.3.2, 3.14.2.1 and 3.1.4): the Will Delay
// Interval and its interplay with the session, the Will Properties carried to subscribers,
// DISCONNECT with Will Message, and session takeover.
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "v5_helpers.h"

namespace tern::blackbox {
namespace {

using Clock = std::chrono::steady_clock;
using mqtt::ReasonCode;

// A v5 CONNECT with a will on `topic`, its Will Delay Interval and the Session Expiry Interval
// (each absent when nullopt).
mqtt::Connect connect_with_will(std::string client_id, const std::string& topic,
                                std::string payload, std::optional<std::uint32_t> will_delay,
                                std::optional<std::uint32_t> expiry, bool clean_start = true) {
  mqtt::Connect connect = v5_connect(std::move(client_id), session_expiry(expiry), clean_start);
  connect.will = make_will(topic, std::move(payload), QoS::at_least_once);
  connect.will->properties.will_delay_interval = will_delay;
  return connect;
}

void connect_ok(RawClient& client, const mqtt::Connect& connect) {
  mqtt::Connack connack = client.connect(connect);
  ASSERT_EQ(connack.reason_code, ReasonCode::success) << describe(connack);
}

// A v5 client subscribed to `topic` at QoS 1.
struct Watcher {
  Watcher(const BrokerProcess& broker, const std::string& topic) : client(broker, Version::v5) {
    client.connect_ok("watcher-" + topic);
    client.subscribe(topic, QoS::at_least_once);
  }
  RawClient client;
};

Millis since(Clock::time_point start) {
  return std::chrono::duration_cast<Millis>(Clock::now() - start);
}

// ---- Will Delay Interval (3.1.3.2.2) --------------------------------------------------------

// The will is published once the Will Delay Interval (2 s) has passed after the connection
// closed, not before [MQTT-3.1.2-8]; the session (60 s) outlives the delay.
TEST(V5Will22, WillDelayIntervalDelaysTheWill) {
  BrokerProcess broker;
  Watcher watcher(broker, "delay/t");
  RawClient client(broker, Version::v5);
  connect_ok(client, connect_with_will("delayed", "delay/t", "late words", 2, 60));
  client.close();
  auto closed = Clock::now();
  watcher.client.expect_nothing(1500ms);
  mqtt::Publish will = watcher.client.receive_publish(3500ms);
  EXPECT_EQ(will.payload, "late words");
  EXPECT_GE(since(closed), 1900ms) << "not before the Will Delay Interval";
  watcher.client.expect_nothing();  // once only
}

// Without a Will Delay Interval (default 0) the will goes out at once, even when the session
// lives on.
TEST(V5Will22, NoWillDelayPublishesAtOnce) {
  BrokerProcess broker;
  Watcher watcher(broker, "nodelay/t");
  RawClient client(broker, Version::v5);
  connect_ok(client, connect_with_will("undelayed", "nodelay/t", "now", std::nullopt, 60));
  client.close();
  auto closed = Clock::now();
  EXPECT_EQ(watcher.client.receive_publish().payload, "now");
  EXPECT_LT(since(closed), 1500ms);
}

// [MQTT-3.1.3-9]: a new network connection to the session within the Will Delay Interval means
// the will is never sent.
TEST(V5Will22, ReconnectWithinTheDelayCancelsTheWill) {
  BrokerProcess broker;
  Watcher watcher(broker, "back/t");
  {
    RawClient client(broker, Version::v5);
    connect_ok(client, connect_with_will("comes-back", "back/t", "must not appear", 2, 60));
  }  // socket closed
  std::this_thread::sleep_for(300ms);
  RawClient again(broker, Version::v5);
  mqtt::Connack connack =
      again.connect(make_connect("comes-back", false, 60, Version::v5));  // Clean Start 0
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_TRUE(connack.session_present);
  watcher.client.expect_nothing(3s);  // well past the 2 s delay
}

// 3.1.3.2.2: the will is published when the delay passes or the session ends, whichever comes
// first. Session Expiry 1 s, Will Delay 30 s: the will goes out when the session expires.
TEST(V5Will22, SessionEndBeforeTheDelayPublishesTheWill) {
  BrokerProcess broker;
  Watcher watcher(broker, "end/t");
  RawClient client(broker, Version::v5);
  connect_ok(client, connect_with_will("short-session", "end/t", "session over", 30, 1));
  client.close();
  auto closed = Clock::now();
  mqtt::Publish will = watcher.client.receive_publish(4s);
  EXPECT_EQ(will.payload, "session over");
  EXPECT_GE(since(closed), 800ms) << "not before the session ends";
}

// Session Expiry 0 (absent): the session ends with the connection, so a delayed will goes out at
// once.
TEST(V5Will22, SessionEndingAtCloseIgnoresTheDelay) {
  BrokerProcess broker;
  Watcher watcher(broker, "zero/t");
  RawClient client(broker, Version::v5);
  connect_ok(client, connect_with_will("no-session", "zero/t", "at once", 30, std::nullopt));
  client.close();
  auto closed = Clock::now();
  EXPECT_EQ(watcher.client.receive_publish().payload, "at once");
  EXPECT_LT(since(closed), 2s);
}

// A reconnect with Clean Start 1 within the delay ends the old session [MQTT-3.1.2-4]: its will
// is published then, not cancelled.
TEST(V5Will22, CleanStartReconnectWithinTheDelayPublishesTheWill) {
  BrokerProcess broker;
  Watcher watcher(broker, "clean/t");
  {
    RawClient client(broker, Version::v5);
    connect_ok(client, connect_with_will("restarts", "clean/t", "old session over", 30, 60));
  }
  std::this_thread::sleep_for(300ms);
  RawClient again(broker, Version::v5);
  mqtt::Connack connack = again.connect(make_connect("restarts", true, 60, Version::v5));
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_FALSE(connack.session_present);
  EXPECT_EQ(watcher.client.receive_publish().payload, "old session over");
  watcher.client.expect_nothing();
}

// ---- Will Properties (3.1.3.2) ---------------------------------------------------------------

// The Will Properties travel with the will: Payload Format Indicator [MQTT-3.3.2-4], Message
// Expiry Interval less the time waited [MQTT-3.3.2-6], Content Type [MQTT-3.3.2-20], Response
// Topic [MQTT-3.3.2-15], Correlation Data [MQTT-3.3.2-16], User Properties unaltered and in order
// [MQTT-3.3.2-17], [MQTT-3.3.2-18]. A 3.1.1 subscriber gets the same will without properties.
TEST(V5Will22, WillPropertiesAreCarried) {
  BrokerProcess broker;
  Watcher watcher(broker, "props/t");
  RawClient old(broker);
  old.connect_ok("props-311-watcher");
  old.subscribe("props/t", QoS::at_least_once);

  RawClient client(broker, Version::v5);
  mqtt::Connect connect = make_connect("with-props", true, 60, Version::v5);
  connect.will = make_will("props/t", "{\"state\":\"offline\"}", QoS::at_least_once);
  mqtt::Properties& p = connect.will->properties;
  p.payload_format_indicator = 1;
  p.message_expiry_interval = 60;
  p.content_type = "application/json";
  p.response_topic = "props/reply";
  p.correlation_data = std::string("\x00\x01\xFF corr", 7);
  p.user_properties = {{"b", "2"}, {"a", "1"}, {"b", "3"}, {"z", ""}};
  connect_ok(client, connect);
  client.close();

  mqtt::Publish will = watcher.client.receive_publish();
  EXPECT_EQ(will.topic, "props/t");
  EXPECT_EQ(will.payload, "{\"state\":\"offline\"}");
  EXPECT_EQ(will.qos, QoS::at_least_once);
  EXPECT_EQ(will.properties.payload_format_indicator, std::optional<std::uint8_t>(1));
  ASSERT_TRUE(will.properties.message_expiry_interval);
  EXPECT_LE(*will.properties.message_expiry_interval, 60u);
  EXPECT_GE(*will.properties.message_expiry_interval, 57u);
  EXPECT_EQ(will.properties.content_type, std::optional<std::string>("application/json"));
  EXPECT_EQ(will.properties.response_topic, std::optional<std::string>("props/reply"));
  EXPECT_EQ(will.properties.correlation_data,
            std::optional<std::string>(std::string("\x00\x01\xFF corr", 7)));
  EXPECT_EQ(will.properties.user_properties, p.user_properties);
  EXPECT_FALSE(will.properties.will_delay_interval) << "not a PUBLISH property";

  mqtt::Publish plain = old.receive_publish();
  EXPECT_EQ(plain.payload, "{\"state\":\"offline\"}");
  EXPECT_TRUE(plain.properties.empty());
}

// A will without properties arrives without them (no invented Payload Format Indicator, Message
// Expiry or Content Type).
TEST(V5Will22, WillWithoutPropertiesArrivesWithout) {
  BrokerProcess broker;
  Watcher watcher(broker, "bare/t");
  RawClient client(broker, Version::v5);
  connect_ok(client, connect_with_will("bare", "bare/t", "plain", std::nullopt, std::nullopt));
  client.close();
  mqtt::Publish will = watcher.client.receive_publish();
  EXPECT_EQ(will.payload, "plain");
  EXPECT_FALSE(will.properties.payload_format_indicator);
  EXPECT_FALSE(will.properties.message_expiry_interval);
  EXPECT_FALSE(will.properties.content_type);
  EXPECT_FALSE(will.properties.response_topic);
  EXPECT_FALSE(will.properties.correlation_data);
  EXPECT_TRUE(will.properties.user_properties.empty());
}

// ---- DISCONNECT and the will (3.14.2.1, 3.14.4) -----------------------------------------------

// DISCONNECT 0x04 Disconnect with Will Message: the client leaves normally but asks for its will
// to be published; the broker closes the connection.
TEST(V5Will22, DisconnectWithWillMessagePublishesTheWill) {
  BrokerProcess broker;
  Watcher watcher(broker, "dww/t");
  RawClient client(broker, Version::v5);
  connect_ok(client, connect_with_will("asks-for-will", "dww/t", "as requested", std::nullopt,
                                       std::nullopt));
  mqtt::Disconnect disconnect;
  disconnect.reason_code = ReasonCode::disconnect_with_will;
  client.send(disconnect);
  EXPECT_TRUE(client.expect_closed());
  EXPECT_EQ(watcher.client.receive_publish().payload, "as requested");
  watcher.client.expect_nothing();
}

// [MQTT-3.14.4-3]: DISCONNECT 0x00 discards the will, also a delayed one whose session lives on:
// nothing after the delay either.
TEST(V5Will22, NormalDisconnectDiscardsTheWill) {
  BrokerProcess broker;
  Watcher watcher(broker, "normal/t");
  RawClient client(broker, Version::v5);
  connect_ok(client, connect_with_will("polite", "normal/t", "must not appear", 1, 60));
  client.disconnect();
  watcher.client.expect_nothing(2s);  // past the 1 s delay
}

// ---- Takeover (3.1.4) -------------------------------------------------------------------------

// [MQTT-3.1.4-3]: a CONNECT with the client id of a connected v5 client makes the broker send the
// old connection DISCONNECT 0x8E Session taken over and close it. With Clean Start 1 the old
// session ends, so its will is published.
TEST(V5Will22, TakeoverWithCleanStartSendsSessionTakenOverAndTheWill) {
  BrokerProcess broker;
  Watcher watcher(broker, "takeover/t");
  RawClient old(broker, Version::v5);
  connect_ok(old, connect_with_will("taken", "takeover/t", "taken over", std::nullopt, 60));
  RawClient fresh(broker, Version::v5);
  mqtt::Connack connack = fresh.connect(make_connect("taken", true, 60, Version::v5));
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_FALSE(connack.session_present);
  EXPECT_EQ(expect_disconnect(old).reason_code, ReasonCode::session_taken_over);
  EXPECT_EQ(watcher.client.receive_publish().payload, "taken over");
  watcher.client.expect_nothing();
  fresh.send(mqtt::Pingreq{});
  fresh.expect<mqtt::Pingresp>();
}

// A takeover with Clean Start 0 of a session that lives on (Session Expiry 60) is a new network
// connection to the session: a will with a delay is then not published [MQTT-3.1.3-9], neither
// at the takeover nor after the delay. The old connection still gets DISCONNECT 0x8E.
TEST(V5Will22, TakeoverResumingTheSessionCancelsADelayedWill) {
  BrokerProcess broker;
  Watcher watcher(broker, "resume/t");
  RawClient old(broker, Version::v5);
  connect_ok(old, connect_with_will("resumed", "resume/t", "must not appear", 1, 60));
  RawClient fresh(broker, Version::v5);
  mqtt::Connack connack = fresh.connect(make_connect("resumed", false, 60, Version::v5));
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_TRUE(connack.session_present);
  EXPECT_EQ(expect_disconnect(old).reason_code, ReasonCode::session_taken_over);
  watcher.client.expect_nothing(2s);  // past the 1 s delay
}

// A 3.1.1 connection taken over by a v5 client is just closed: no DISCONNECT (3.1.1 has no
// server DISCONNECT); its will (no delay in 3.1.1) is published.
TEST(V5Will22, Taken311ConnectionIsClosedWithoutDisconnect) {
  BrokerProcess broker;
  Watcher watcher(broker, "old311/t");
  RawClient old(broker);
  old.connect_ok("mixed-takeover", true, 60, make_will("old311/t", "3.1.1 gone"));
  RawClient fresh(broker, Version::v5);
  mqtt::Connack connack = fresh.connect(make_connect("mixed-takeover", true, 60, Version::v5));
  EXPECT_EQ(connack.reason_code, ReasonCode::success);
  EXPECT_TRUE(old.expect_closed());
  EXPECT_EQ(watcher.client.receive_publish().payload, "3.1.1 gone");
}

}  // namespace
}  // namespace tern::blackbox
