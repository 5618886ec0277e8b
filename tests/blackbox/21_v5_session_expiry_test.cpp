// 21: MQTT 5.0 Session Expiry Interval (sections 3.1.2.11.2, 3.14.2.2.2 and 4.1): sessions that
// end at disconnect, that outlive it for a while and then expire while the broker runs, that never
// expire, the changes a DISCONNECT may make, Session Present, and sessions shared by 3.1.1 and
// 5.0 connections of one client id.
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

// CONNECT with a Session Expiry Interval (absent when nullopt: 0), which must be accepted;
// returns Session Present.
bool connect_with_expiry(RawClient& client, std::string client_id, bool clean_start,
                         std::optional<std::uint32_t> expiry) {
  return connect_v5(client, std::move(client_id), session_expiry(expiry), clean_start)
      .session_present;
}

// DISCONNECT with `reason` and, when given, a new Session Expiry Interval; then the broker must
// close the connection (it has processed the DISCONNECT once the close is seen).
void disconnect_with(RawClient& client, std::optional<std::uint32_t> session_expiry,
                     ReasonCode reason = ReasonCode::success) {
  mqtt::Disconnect disconnect;
  disconnect.reason_code = reason;
  disconnect.properties.session_expiry_interval = session_expiry;
  client.send(disconnect);
  EXPECT_TRUE(client.expect_closed());
  client.close();
}

// A v5 publisher: a QoS 1 PUBLISH, and the reason code of its PUBACK, which tells whether any
// session is subscribed: 0x00 Success, or 0x10 No matching subscribers (3.4.2.1).
ReasonCode publish_qos1(RawClient& publisher, const std::string& topic, const std::string& text) {
  return publish_and_expect<mqtt::Puback>(publisher, topic, text, QoS::at_least_once,
                                          publisher.next_id())
      .reason_code;
}

// A session with one subscription to `topic` (QoS 1 unless told), left by a normal DISCONNECT.
void leave_subscribed_session(const BrokerProcess& broker, const std::string& client_id,
                              const std::string& topic, std::optional<std::uint32_t> expiry,
                              QoS qos = QoS::at_least_once) {
  RawClient client(broker, Version::v5);
  connect_with_expiry(client, client_id, true, expiry);
  client.subscribe(topic, qos);
  client.disconnect();
}

// ---- Session Expiry Interval in CONNECT ---------------------------------------------------

// 3.1.2.11.2: absent (or 0), the session ends when the network connection closes: on return
// Session Present is 0 [MQTT-3.2.2-3] and the subscription is
// gone.
TEST(V5SessionExpiry21, AbsentOrZeroEndsTheSessionAtDisconnect) {
  BrokerProcess broker;
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "se0-pub", true, std::nullopt);
  for (std::optional<std::uint32_t> expiry :
       {std::optional<std::uint32_t>(), std::optional<std::uint32_t>(0)}) {
    SCOPED_TRACE(expiry ? "Session Expiry Interval 0" : "no Session Expiry Interval");
    leave_subscribed_session(broker, "se0", "se0/t", expiry);
    EXPECT_EQ(publish_qos1(publisher, "se0/t", "nobody"), ReasonCode::no_matching_subscribers);
    RawClient client(broker, Version::v5);
    EXPECT_FALSE(connect_with_expiry(client, "se0", false, 60));
    client.expect_nothing(100ms);
    client.disconnect();
  }
}

// The same when the socket just closes (no DISCONNECT): the session ends with the connection.
TEST(V5SessionExpiry21, ZeroEndsTheSessionWhenTheSocketCloses) {
  BrokerProcess broker;
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "se0c-pub", true, std::nullopt);
  {
    RawClient client(broker, Version::v5);
    connect_with_expiry(client, "se0c", true, 0);
    client.subscribe("se0c/t", QoS::at_least_once);
    client.close();
  }
  // The broker notices the close at some point: the subscription then disappears.
  auto deadline = Clock::now() + kWait;
  ReasonCode code = ReasonCode::success;
  while (Clock::now() < deadline) {
    code = publish_qos1(publisher, "se0c/t", "probe");
    if (code == ReasonCode::no_matching_subscribers) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(code, ReasonCode::no_matching_subscribers);
  RawClient client(broker, Version::v5);
  EXPECT_FALSE(connect_with_expiry(client, "se0c", false, 0));
  client.expect_nothing();
}

// [MQTT-3.1.2-23]: with a non-zero interval the session outlives the connection: QoS 1 and 2
// messages arriving meanwhile are queued (section 4.1) and delivered in order on return, with
// Session Present 1 [MQTT-3.2.2-3].
TEST(V5SessionExpiry21, QueuedMessagesAreDeliveredOnReturn) {
  BrokerProcess broker;
  leave_subscribed_session(broker, "se60", "se60/t", 60, QoS::exactly_once);
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "se60-pub", true, std::nullopt);
  EXPECT_EQ(publish_qos1(publisher, "se60/t", "first"), ReasonCode::success)
      << "the offline session is a matching subscriber";
  publisher.publish("se60/t", "second", QoS::exactly_once);
  EXPECT_EQ(publish_qos1(publisher, "se60/t", "third"), ReasonCode::success);

  RawClient client(broker, Version::v5);
  EXPECT_TRUE(connect_with_expiry(client, "se60", false, 60));
  for (auto [expected, qos] :
       {std::pair{"first", QoS::at_least_once}, std::pair{"second", QoS::exactly_once},
        std::pair{"third", QoS::at_least_once}}) {
    mqtt::Publish got = client.receive_publish();
    EXPECT_EQ(got.payload, expected);
    EXPECT_EQ(got.qos, qos);
  }
  client.expect_nothing();
  // Still subscribed.
  EXPECT_EQ(publish_qos1(publisher, "se60/t", "live"), ReasonCode::success);
  EXPECT_EQ(client.receive_publish().payload, "live");
}

// [MQTT-3.1.2-23]: the session is kept for its interval, not shorter: 1 s into a 3 s interval it
// is still there.
TEST(V5SessionExpiry21, SessionIsKeptUntilTheIntervalPasses) {
  BrokerProcess broker;
  leave_subscribed_session(broker, "se3", "se3/t", 3);
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "se3-pub", true, std::nullopt);
  EXPECT_EQ(publish_qos1(publisher, "se3/t", "kept"), ReasonCode::success);
  std::this_thread::sleep_for(1s);
  RawClient client(broker, Version::v5);
  EXPECT_TRUE(connect_with_expiry(client, "se3", false, 0));
  EXPECT_EQ(client.receive_publish().payload, "kept");
}

// Section 4.1: the session expires while the broker keeps running, without any client coming
// back: a 1 s session is gone 3 s after the disconnect. Its subscription no longer matches
// (PUBACK 0x10), and the QoS 1 and 2 messages queued to it are gone: on return Session Present is
// 0 and nothing is delivered.
TEST(V5SessionExpiry21, SessionExpiresWhileTheBrokerRuns) {
  BrokerProcess broker;
  leave_subscribed_session(broker, "se1", "se1/t", 1, QoS::exactly_once);
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "se1-pub", true, std::nullopt);
  EXPECT_EQ(publish_qos1(publisher, "se1/t", "queued then expired"), ReasonCode::success)
      << "the session is still there right after the disconnect";
  publisher.publish("se1/t", "queued at QoS 2", QoS::exactly_once);
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(publish_qos1(publisher, "se1/t", "after expiry"), ReasonCode::no_matching_subscribers)
      << "the expired session's subscription is gone";
  RawClient client(broker, Version::v5);
  EXPECT_FALSE(connect_with_expiry(client, "se1", false, 60)) << "[MQTT-3.2.2-3]";
  client.expect_nothing();
}

// A QoS 1 message sent but not acknowledged is part of the session: re-sent on return (DUP 1,
// same id [MQTT-4.4.0-1]) while the session lasts, gone with the session once it expires.
TEST(V5SessionExpiry21, UnacknowledgedMessageLivesAndDiesWithTheSession) {
  BrokerProcess broker;
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "inflight-pub", true, std::nullopt);
  {
    RawClient client(broker, Version::v5);
    connect_with_expiry(client, "inflight", true, 60);
    client.subscribe("inflight/t", QoS::at_least_once);
    EXPECT_EQ(publish_qos1(publisher, "inflight/t", "unacked"), ReasonCode::success);
    EXPECT_EQ(client.expect<mqtt::Publish>().payload, "unacked");  // no PUBACK
    // Lower the interval to 1 s on the way out.
    disconnect_with(client, 1);
  }
  {
    RawClient client(broker, Version::v5);
    EXPECT_TRUE(connect_with_expiry(client, "inflight", false, 1));
    mqtt::Publish again = client.expect<mqtt::Publish>();
    EXPECT_EQ(again.payload, "unacked");
    EXPECT_TRUE(again.dup);
    client.disconnect();  // still unacknowledged; the session now lasts 1 s
  }
  std::this_thread::sleep_for(3s);
  RawClient client(broker, Version::v5);
  EXPECT_FALSE(connect_with_expiry(client, "inflight", false, 0));
  client.expect_nothing();
}

// 0xFFFFFFFF means the session does not expire (3.1.2.11.2): still there after an interval
// that would have expired any short session. (A value taken as -1, 0 or overflowing when added
// to the clock fails this.)
TEST(V5SessionExpiry21, MaximumIntervalNeverExpires) {
  BrokerProcess broker;
  leave_subscribed_session(broker, "se-max", "semax/t", 0xFFFFFFFF);
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "se-max-pub", true, std::nullopt);
  EXPECT_EQ(publish_qos1(publisher, "semax/t", "forever"), ReasonCode::success);
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(publish_qos1(publisher, "semax/t", "still"), ReasonCode::success);
  RawClient client(broker, Version::v5);
  EXPECT_TRUE(connect_with_expiry(client, "se-max", false, 0xFFFFFFFF));
  EXPECT_EQ(client.receive_publish().payload, "forever");
  EXPECT_EQ(client.receive_publish().payload, "still");
}

// [MQTT-3.1.2-4]: Clean Start 1 discards an existing session: Session Present 0 [MQTT-3.2.2-2],
// its subscriptions and queued messages are gone.
TEST(V5SessionExpiry21, CleanStartDiscardsTheSession) {
  BrokerProcess broker;
  leave_subscribed_session(broker, "se-clean", "seclean/t", 60);
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "se-clean-pub", true, std::nullopt);
  EXPECT_EQ(publish_qos1(publisher, "seclean/t", "discarded"), ReasonCode::success);
  RawClient client(broker, Version::v5);
  EXPECT_FALSE(connect_with_expiry(client, "se-clean", true, 60));
  client.expect_nothing();
  EXPECT_EQ(publish_qos1(publisher, "seclean/t", "nobody"), ReasonCode::no_matching_subscribers);
}

// ---- Session Expiry Interval in DISCONNECT (3.14.2.2.2) --------------------------------------

// A DISCONNECT may set a new non-zero interval, which then applies: 60 lowered to 1 expires
// within 3 s.
TEST(V5SessionExpiry21, DisconnectLowersTheInterval) {
  BrokerProcess broker;
  {
    RawClient client(broker, Version::v5);
    connect_with_expiry(client, "se-lower", true, 60);
    client.subscribe("selower/t", QoS::at_least_once);
    disconnect_with(client, 1);
  }
  std::this_thread::sleep_for(3s);
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "se-lower-pub", true, std::nullopt);
  EXPECT_EQ(publish_qos1(publisher, "selower/t", "expired"), ReasonCode::no_matching_subscribers);
  RawClient client(broker, Version::v5);
  EXPECT_FALSE(connect_with_expiry(client, "se-lower", false, 0));
}

// ... and 1 raised to 60 keeps the session past the first interval.
TEST(V5SessionExpiry21, DisconnectRaisesTheInterval) {
  BrokerProcess broker;
  {
    RawClient client(broker, Version::v5);
    connect_with_expiry(client, "se-raise", true, 1);
    client.subscribe("seraise/t", QoS::at_least_once);
    disconnect_with(client, 60);
  }
  std::this_thread::sleep_for(3s);
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "se-raise-pub", true, std::nullopt);
  EXPECT_EQ(publish_qos1(publisher, "seraise/t", "kept"), ReasonCode::success);
  RawClient client(broker, Version::v5);
  EXPECT_TRUE(connect_with_expiry(client, "se-raise", false, 0));
  EXPECT_EQ(client.receive_publish().payload, "kept");
}

// A DISCONNECT with interval 0 ends the session at once.
TEST(V5SessionExpiry21, DisconnectWithZeroEndsTheSessionAtOnce) {
  BrokerProcess broker;
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "se-zero-pub", true, std::nullopt);
  {
    RawClient client(broker, Version::v5);
    connect_with_expiry(client, "se-zero", true, 0xFFFFFFFF);
    client.subscribe("sezero/t", QoS::at_least_once);
    disconnect_with(client, 0);
  }
  EXPECT_EQ(publish_qos1(publisher, "sezero/t", "nobody"), ReasonCode::no_matching_subscribers);
  RawClient client(broker, Version::v5);
  EXPECT_FALSE(connect_with_expiry(client, "se-zero", false, 60));
}

// A DISCONNECT without the property keeps the CONNECT's interval (3.14.2.2.2: absent means the
// CONNECT value is used).
TEST(V5SessionExpiry21, DisconnectWithoutThePropertyKeepsTheInterval) {
  BrokerProcess broker;
  {
    RawClient client(broker, Version::v5);
    connect_with_expiry(client, "se-keep", true, 60);
    client.subscribe("sekeep/t", QoS::at_least_once);
    disconnect_with(client, std::nullopt);
  }
  RawClient client(broker, Version::v5);
  EXPECT_TRUE(connect_with_expiry(client, "se-keep", false, 0));
}

// Section 3.14.2.2.2: a DISCONNECT that sets a non-zero interval when the CONNECT's was 0 (or
// absent) is a Protocol Error: the broker answers DISCONNECT 0x82, then closes (section 4.13);
// its DISCONNECT carries no Session Expiry Interval [MQTT-3.14.2-2].
// The session still ends, as its interval was 0.
TEST(V5SessionExpiry21, DisconnectCannotSetAnIntervalWhenConnectHadZero) {
  BrokerProcess broker;
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "se-bad-pub", true, std::nullopt);
  for (std::optional<std::uint32_t> expiry :
       {std::optional<std::uint32_t>(), std::optional<std::uint32_t>(0)}) {
    SCOPED_TRACE(expiry ? "CONNECT with Session Expiry Interval 0" : "CONNECT without it");
    {
      RawClient client(broker, Version::v5);
      connect_with_expiry(client, "se-bad", true, expiry);
      client.subscribe("sebad/t", QoS::at_least_once);
      mqtt::Disconnect disconnect;
      disconnect.properties.session_expiry_interval = 60;
      client.send(disconnect);
      EXPECT_EQ(expect_disconnect(client).reason_code, ReasonCode::protocol_error);
    }
    EXPECT_EQ(publish_qos1(publisher, "sebad/t", "nobody"), ReasonCode::no_matching_subscribers);
    RawClient client(broker, Version::v5);
    EXPECT_FALSE(connect_with_expiry(client, "se-bad", false, 0));
    client.disconnect();
  }
}

// ---- MQTT 3.1.1 and 5.0 connections of one client id ----------------------------------------

// A 3.1.1 Clean Session 0 session is persistent; a v5 connection with Clean Start 0 resumes it
// (Session Present 1) with its subscriptions and the messages queued for it.
TEST(V5SessionExpiry21, V5ResumesA311PersistentSession) {
  BrokerProcess broker;
  {
    RawClient old(broker);
    old.connect_ok("mixed-a", false);
    old.subscribe("mixeda/t", QoS::at_least_once);
    old.disconnect();
  }
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "mixed-a-pub", true, std::nullopt);
  EXPECT_EQ(publish_qos1(publisher, "mixeda/t", "queued for 3.1.1"), ReasonCode::success);
  RawClient client(broker, Version::v5);
  EXPECT_TRUE(connect_with_expiry(client, "mixed-a", false, 60));
  EXPECT_EQ(client.receive_publish().payload, "queued for 3.1.1");
  EXPECT_EQ(publish_qos1(publisher, "mixeda/t", "live"), ReasonCode::success);
  EXPECT_EQ(client.receive_publish().payload, "live");
}

// The v5 connection's interval then governs the session: resumed with interval 0, the session
// ends when that connection does, and a 3.1.1 Clean Session 0 client finds no session.
TEST(V5SessionExpiry21, V5WithZeroIntervalEndsA311Session) {
  BrokerProcess broker;
  {
    RawClient old(broker);
    old.connect_ok("mixed-b", false);
    old.subscribe("mixedb/t", QoS::at_least_once);
    old.disconnect();
  }
  {
    RawClient client(broker, Version::v5);
    EXPECT_TRUE(connect_with_expiry(client, "mixed-b", false, std::nullopt));
    client.disconnect();
  }
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "mixed-b-pub", true, std::nullopt);
  EXPECT_EQ(publish_qos1(publisher, "mixedb/t", "nobody"), ReasonCode::no_matching_subscribers);
  RawClient old(broker);
  EXPECT_FALSE(old.connect_ok("mixed-b", false));
}

// A v5 session with an interval is resumed by a 3.1.1 Clean Session 0 connection (Session
// Present 1, subscriptions and queued messages kept); a 3.1.1 Clean Session 1 connection
// discards it.
TEST(V5SessionExpiry21, A311ClientResumesOrDiscardsAV5Session) {
  BrokerProcess broker;
  leave_subscribed_session(broker, "mixed-c", "mixedc/t", 60);
  RawClient publisher(broker, Version::v5);
  connect_with_expiry(publisher, "mixed-c-pub", true, std::nullopt);
  EXPECT_EQ(publish_qos1(publisher, "mixedc/t", "queued for v5"), ReasonCode::success);
  {
    RawClient old(broker);
    EXPECT_TRUE(old.connect_ok("mixed-c", false));
    mqtt::Publish got = old.receive_publish();
    EXPECT_EQ(got.payload, "queued for v5");
    EXPECT_TRUE(got.properties.empty()) << "a 3.1.1 PUBLISH has no properties";
    old.disconnect();
  }
  {
    RawClient old(broker);
    EXPECT_FALSE(old.connect_ok("mixed-c", true)) << "Clean Session 1 [MQTT-3.2.2-1 of 3.1.1]";
    old.disconnect();
  }
  EXPECT_EQ(publish_qos1(publisher, "mixedc/t", "nobody"), ReasonCode::no_matching_subscribers);
  RawClient client(broker, Version::v5);
  EXPECT_FALSE(connect_with_expiry(client, "mixed-c", false, 0)) << "discarded";
}

}  // namespace
}  // namespace tern::blackbox
