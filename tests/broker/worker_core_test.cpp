// WorkerCore: CONNECT, keepalive, connect timeout, session expiry, QoS 1 window, QoS 2
// exactly-once, retained messages, overlapping subscriptions, queue limits, wills and hand-over.
// The core is sans-IO: time points are passed in, so nothing here sleeps.
#include "broker/worker_core.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core_fixture.h"

namespace tern::broker {
namespace {

using namespace std::chrono_literals;
using mqtt::QoS;

class WorkerCoreTest : public ::testing::Test {
 protected:
  explicit WorkerCoreTest(unsigned workers = 1) : shared_(workers), core_(shared_, 0, outbox_) {
    shared_.limits.connection_messages = false;
  }

  TestClient open(Clock::time_point now) {
    TestClient client;
    client.state = core_.on_open(client.link.get(), now);
    return client;
  }

  PacketOutcome send(TestClient& client, mqtt::Packet packet, Clock::time_point now) {
    return core_.on_packet(client.state, packet, now);
  }

  // Opens a connection and sends CONNECT; expects CONNACK accepted.
  TestClient connect(std::string client_id, Clock::time_point now, std::uint16_t keep_alive = 0,
                     bool clean = true, std::optional<mqtt::Will> will = std::nullopt) {
    TestClient client = open(now);
    mqtt::Connect request = make_connect(std::move(client_id), keep_alive, clean);
    request.will = std::move(will);
    PacketOutcome outcome = send(client, request, now);
    EXPECT_FALSE(outcome.hand_over_to.has_value());
    auto connacks = client.link->all<mqtt::Connack>();
    EXPECT_EQ(connacks.size(), 1u);
    EXPECT_FALSE(client.link->closed());
    return client;
  }

  void subscribe(TestClient& client, std::vector<std::pair<std::string, QoS>> filters,
                 Clock::time_point now) {
    std::size_t before = client.link->all<mqtt::Suback>().size();
    send(client, make_subscribe(next_subscribe_id_++, std::move(filters)), now);
    EXPECT_EQ(client.link->all<mqtt::Suback>().size(), before + 1);
  }

  // The server layer reports the end of a connection the core closed.
  void closed(TestClient& client) {
    core_.on_closed(client.state);
    client.state = nullptr;
  }

  Clock::time_point t0_ = Clock::time_point{} + 1000h;
  BrokerState shared_;
  FakeOutbox outbox_;
  WorkerCore core_;
  std::uint16_t next_subscribe_id_ = 1;
};

// [MQTT-3.2.0-1]: the first packet from the server is CONNACK; 0x00 accepts, and a clean session
// has no session present [MQTT-3.2.2-1].
TEST_F(WorkerCoreTest, ConnectIsAccepted) {
  TestClient client = open(t0_);
  PacketOutcome outcome = send(client, make_connect("alice"), t0_);
  EXPECT_FALSE(outcome.hand_over_to.has_value());
  const auto& packets = client.link->packets();
  ASSERT_EQ(packets.size(), 1u);
  const auto* connack = std::get_if<mqtt::Connack>(&packets[0]);
  ASSERT_NE(connack, nullptr);
  EXPECT_EQ(connack->reason_code, mqtt::ReasonCode::success);
  EXPECT_FALSE(connack->session_present);
  EXPECT_FALSE(client.link->closed());
  EXPECT_EQ(core_.connection_count(), 1u);
  EXPECT_EQ(core_.session_count(), 1u);
  EXPECT_TRUE(outbox_.posts.empty());
}

// [MQTT-3.1.2-24]: no packet within one and a half times the keepalive: the server disconnects
// and, the disconnection not being a DISCONNECT, publishes the will [MQTT-3.1.2-8].
TEST_F(WorkerCoreTest, KeepaliveTimeoutClosesAndPublishesWill) {
  TestClient watcher = connect("watcher", t0_);
  subscribe(watcher, {{"wills/sleepy", QoS::at_least_once}}, t0_);
  TestClient sleepy = connect("sleepy", t0_, 10, true, make_will("wills/sleepy", "gone"));

  core_.on_tick(t0_ + 14900ms);
  EXPECT_FALSE(sleepy.link->closed());
  EXPECT_TRUE(watcher.link->all<mqtt::Publish>().empty());

  core_.on_tick(t0_ + 15100ms);
  EXPECT_TRUE(sleepy.link->closed());
  closed(sleepy);
  auto publishes = watcher.link->all<mqtt::Publish>();
  ASSERT_EQ(publishes.size(), 1u);
  EXPECT_EQ(publishes[0].topic, "wills/sleepy");
  EXPECT_EQ(publishes[0].payload, "gone");
  EXPECT_EQ(publishes[0].qos, QoS::at_most_once);  // the will's QoS, below the subscription's
  EXPECT_FALSE(watcher.link->closed());
  EXPECT_EQ(core_.connection_count(), 1u);
  EXPECT_EQ(core_.session_count(), 1u);  // the clean session of "sleepy" ended
}

// [MQTT-3.1.2-23], [MQTT-3.12.4-1]: a PINGREQ is answered with PINGRESP and counts as activity,
// so the keepalive deadline moves to 1.5 x keepalive after it.
TEST_F(WorkerCoreTest, PingreqMovesKeepaliveDeadline) {
  TestClient client = connect("pinger", t0_, 10);
  send(client, mqtt::Pingreq{}, t0_ + 10s);
  EXPECT_EQ(client.link->all<mqtt::Pingresp>().size(), 1u);

  core_.on_tick(t0_ + 15100ms);  // past the first deadline, before the moved one
  EXPECT_FALSE(client.link->closed());
  core_.on_tick(t0_ + 24900ms);
  EXPECT_FALSE(client.link->closed());
  core_.on_tick(t0_ + 25100ms);
  EXPECT_TRUE(client.link->closed());
  closed(client);
  EXPECT_EQ(core_.connection_count(), 0u);
}

// A network connection that sends no CONNECT within a reasonable time is closed (MQTT 3.1.1
// section 3.1.4, "the Server SHOULD close the connection if it does not receive a CONNECT").
TEST_F(WorkerCoreTest, ClientWithoutConnectIsClosedAfterConnectTimeout) {
  shared_.limits.connect_timeout = 5s;
  TestClient client = open(t0_);
  core_.on_tick(t0_ + 4900ms);
  EXPECT_FALSE(client.link->closed());
  core_.on_tick(t0_ + 5100ms);
  EXPECT_TRUE(client.link->closed());
  EXPECT_EQ(client.link->bytes_sent(), 0u);  // no CONNACK to a client that never asked
  closed(client);
  EXPECT_EQ(core_.connection_count(), 0u);
  EXPECT_EQ(core_.session_count(), 0u);
}

// Persistent sessions outlive their connection [MQTT-3.1.2-4]; persistent_client_expiration
// ends those offline for longer. Reconnecting with Clean Session 0 then finds no session
// [MQTT-3.2.2-3]; before the limit it does [MQTT-3.2.2-2].
TEST_F(WorkerCoreTest, PersistentSessionExpiresAfterLimit) {
  shared_.limits.persistent_client_expiration = 60s;
  TestClient first = connect("keeper", t0_, 0, /*clean=*/false);
  subscribe(first, {{"k/#", QoS::at_least_once}}, t0_);
  send(first, mqtt::Disconnect{}, t0_);
  EXPECT_TRUE(first.link->closed());
  closed(first);
  EXPECT_EQ(core_.session_count(), 1u);

  core_.on_tick(t0_ + 59s);
  EXPECT_EQ(core_.session_count(), 1u);
  TestClient second = connect("keeper", t0_ + 59s, 0, /*clean=*/false);
  auto connacks = second.link->all<mqtt::Connack>();
  ASSERT_EQ(connacks.size(), 1u);
  EXPECT_TRUE(connacks[0].session_present);

  Clock::time_point t1 = t0_ + 100s;
  send(second, mqtt::Disconnect{}, t1);
  closed(second);
  core_.on_tick(t1 + 59s);
  EXPECT_EQ(core_.session_count(), 1u);
  core_.on_tick(t1 + 61s);
  EXPECT_EQ(core_.session_count(), 0u);
  EXPECT_EQ(BrokerStats::get(shared_.stats.subscriptions), 0u);

  TestClient third = connect("keeper", t1 + 62s, 0, /*clean=*/false);
  connacks = third.link->all<mqtt::Connack>();
  ASSERT_EQ(connacks.size(), 1u);
  EXPECT_FALSE(connacks[0].session_present);
}

// MQTT 3.1.1 section 4.4 allows the server to bound the messages in flight: with a window of 2,
// a subscriber that does not acknowledge gets 2 PUBLISHes; a PUBACK [MQTT-4.3.2-1] frees a slot.
TEST_F(WorkerCoreTest, Qos1InflightWindow) {
  shared_.limits.max_inflight_messages = 2;
  TestClient subscriber = connect("sub", t0_);
  subscribe(subscriber, {{"w", QoS::at_least_once}}, t0_);
  TestClient publisher = connect("pub", t0_);
  for (std::uint16_t i = 1; i <= 3; ++i) {
    send(publisher, make_publish("w", "m" + std::to_string(i), QoS::at_least_once, i), t0_);
  }
  EXPECT_EQ(publisher.link->all<mqtt::Puback>().size(), 3u);

  auto publishes = subscriber.link->all<mqtt::Publish>();
  ASSERT_EQ(publishes.size(), 2u);
  EXPECT_EQ(publishes[0].payload, "m1");
  EXPECT_EQ(publishes[1].payload, "m2");
  EXPECT_NE(publishes[0].packet_id, publishes[1].packet_id);
  EXPECT_EQ(publishes[0].qos, QoS::at_least_once);

  send(subscriber, make_ack<mqtt::Puback>(publishes[0].packet_id), t0_);
  publishes = subscriber.link->all<mqtt::Publish>();
  ASSERT_EQ(publishes.size(), 3u);
  EXPECT_EQ(publishes[2].payload, "m3");
  EXPECT_FALSE(publishes[2].dup);
}

// QoS 2 inbound (MQTT 3.1.1 section 4.3.3, method B): a PUBLISH re-sent with the same packet id
// before PUBREL is acknowledged again but not delivered again [MQTT-4.3.3-2].
TEST_F(WorkerCoreTest, Qos2InboundIsDeliveredExactlyOnce) {
  TestClient subscriber = connect("sub", t0_);
  subscribe(subscriber, {{"x", QoS::exactly_once}}, t0_);
  TestClient publisher = connect("pub", t0_);

  send(publisher, make_publish("x", "once", QoS::exactly_once, 7), t0_);
  mqtt::Publish again = make_publish("x", "once", QoS::exactly_once, 7);
  again.dup = true;
  send(publisher, again, t0_);
  auto pubrecs = publisher.link->all<mqtt::Pubrec>();
  ASSERT_EQ(pubrecs.size(), 2u);
  EXPECT_EQ(pubrecs[0].packet_id, 7);
  EXPECT_EQ(pubrecs[1].packet_id, 7);
  EXPECT_EQ(subscriber.link->all<mqtt::Publish>().size(), 1u);

  send(publisher, make_ack<mqtt::Pubrel>(7), t0_);
  auto pubcomps = publisher.link->all<mqtt::Pubcomp>();
  ASSERT_EQ(pubcomps.size(), 1u);
  EXPECT_EQ(pubcomps[0].packet_id, 7);

  // After PUBCOMP the id is free: a new PUBLISH with it is a new message [MQTT-2.3.1-3].
  send(publisher, make_publish("x", "twice", QoS::exactly_once, 7), t0_);
  auto publishes = subscriber.link->all<mqtt::Publish>();
  ASSERT_EQ(publishes.size(), 2u);
  EXPECT_EQ(publishes[0].payload, "once");
  EXPECT_EQ(publishes[1].payload, "twice");
  EXPECT_EQ(publishes[1].qos, QoS::exactly_once);
}

// A retained message goes to a new matching subscription with RETAIN set [MQTT-3.3.1-6],
// [MQTT-3.3.1-8], after the SUBACK; live messages to an established subscription have RETAIN
// cleared [MQTT-3.3.1-9].
TEST_F(WorkerCoreTest, RetainedMessageDeliveredOnSubscribe) {
  TestClient publisher = connect("pub", t0_);
  send(publisher, make_publish("r/1", "kept", QoS::at_least_once, 1, /*retain=*/true), t0_);

  TestClient subscriber = connect("sub", t0_);
  subscribe(subscriber, {{"r/#", QoS::exactly_once}}, t0_);
  const auto& packets = subscriber.link->packets();
  ASSERT_EQ(packets.size(), 3u);  // CONNACK, SUBACK, PUBLISH
  EXPECT_TRUE(std::holds_alternative<mqtt::Suback>(packets[1]));
  const auto* retained = std::get_if<mqtt::Publish>(&packets[2]);
  ASSERT_NE(retained, nullptr);
  EXPECT_EQ(retained->topic, "r/1");
  EXPECT_EQ(retained->payload, "kept");
  EXPECT_TRUE(retained->retain);
  EXPECT_EQ(retained->qos, QoS::at_least_once);  // min(message, granted)

  send(publisher, make_publish("r/1", "live", QoS::at_most_once, 0, /*retain=*/true), t0_);
  auto publishes = subscriber.link->all<mqtt::Publish>();
  ASSERT_EQ(publishes.size(), 2u);
  EXPECT_EQ(publishes[1].payload, "live");
  EXPECT_FALSE(publishes[1].retain);
}

// [MQTT-3.3.5-1]: overlapping subscriptions of one client: the message is delivered at the
// highest QoS of the matching subscriptions — here one copy.
TEST_F(WorkerCoreTest, OverlappingSubscriptionsDeliverOneCopyAtHighestQos) {
  TestClient subscriber = connect("sub", t0_);
  subscribe(subscriber, {{"a/#", QoS::at_most_once}, {"a/+", QoS::exactly_once}}, t0_);
  subscribe(subscriber, {{"a/b", QoS::at_least_once}}, t0_);
  TestClient publisher = connect("pub", t0_);
  send(publisher, make_publish("a/b", "one", QoS::exactly_once, 3), t0_);

  auto publishes = subscriber.link->all<mqtt::Publish>();
  ASSERT_EQ(publishes.size(), 1u);
  EXPECT_EQ(publishes[0].payload, "one");
  EXPECT_EQ(publishes[0].qos, QoS::exactly_once);
}

// A subscriber whose window is full has its messages queued up to max_queued_messages; beyond
// that they are dropped and counted (as Mosquitto does; MQTT 3.1.1 leaves this to the server).
TEST_F(WorkerCoreTest, QueueOverflowIsDroppedAndCounted) {
  shared_.limits.max_inflight_messages = 1;
  shared_.limits.max_queued_messages = 2;
  TestClient subscriber = connect("sub", t0_);
  subscribe(subscriber, {{"q", QoS::at_least_once}}, t0_);
  TestClient publisher = connect("pub", t0_);
  for (std::uint16_t i = 1; i <= 5; ++i) {
    send(publisher, make_publish("q", "m" + std::to_string(i), QoS::at_least_once, i), t0_);
  }
  EXPECT_EQ(BrokerStats::get(shared_.stats.publish_dropped), 2u);  // m4 and m5
  auto publishes = subscriber.link->all<mqtt::Publish>();
  ASSERT_EQ(publishes.size(), 1u);

  // Acknowledging drains the queue, one at a time through the window of 1.
  for (int i = 0; i < 3; ++i) {
    publishes = subscriber.link->all<mqtt::Publish>();
    send(subscriber, make_ack<mqtt::Puback>(publishes.back().packet_id), t0_);
  }
  publishes = subscriber.link->all<mqtt::Publish>();
  ASSERT_EQ(publishes.size(), 3u);
  EXPECT_EQ(publishes[0].payload, "m1");
  EXPECT_EQ(publishes[1].payload, "m2");
  EXPECT_EQ(publishes[2].payload, "m3");
  EXPECT_EQ(BrokerStats::get(shared_.stats.publish_dropped), 2u);
}

// [MQTT-3.1.0-2]: a second CONNECT on a connection is a protocol violation: disconnect.
TEST_F(WorkerCoreTest, SecondConnectClosesConnection) {
  TestClient client = connect("twice", t0_);
  send(client, make_connect("twice"), t0_ + 1s);
  EXPECT_TRUE(client.link->closed());
  EXPECT_EQ(client.link->all<mqtt::Connack>().size(), 1u);  // no second CONNACK
  closed(client);
  EXPECT_EQ(core_.connection_count(), 0u);
  EXPECT_EQ(core_.session_count(), 0u);
}

// [MQTT-3.14.4-3]: on DISCONNECT the server discards the will without publishing it; the server
// closes the connection [MQTT-3.14.4-1]. Without DISCONNECT the will is published [MQTT-3.1.2-8].
TEST_F(WorkerCoreTest, DisconnectSuppressesWill) {
  TestClient watcher = connect("watcher", t0_);
  subscribe(watcher, {{"wills/#", QoS::at_most_once}}, t0_);

  TestClient polite = connect("polite", t0_, 0, true, make_will("wills/polite", "x"));
  send(polite, mqtt::Disconnect{}, t0_);
  EXPECT_TRUE(polite.link->closed());
  closed(polite);
  EXPECT_TRUE(watcher.link->all<mqtt::Publish>().empty());

  TestClient rude = connect("rude", t0_, 0, true, make_will("wills/rude", "y"));
  closed(rude);  // the peer went away without DISCONNECT
  auto publishes = watcher.link->all<mqtt::Publish>();
  ASSERT_EQ(publishes.size(), 1u);
  EXPECT_EQ(publishes[0].topic, "wills/rude");
}

// Link::close: "The core calls it once and forgets the link". A connection the core dropped
// for keepalive stays known until the server reports on_closed; a tick in between must not
// close it again (nor treat it as a connection that never sent CONNECT).
TEST_F(WorkerCoreTest, DroppedLinkIsClosedOnlyOnce) {
  TestClient client = connect("once", t0_, 10);
  core_.on_tick(t0_ + 16s);
  EXPECT_EQ(client.link->close_count(), 1);
  core_.on_tick(t0_ + 17s);  // past connect_timeout since on_open, before on_closed
  EXPECT_EQ(client.link->close_count(), 1);
  closed(client);
}

class WorkerCoreTwoWorkersTest : public WorkerCoreTest {
 protected:
  WorkerCoreTwoWorkersTest() : WorkerCoreTest(2) {}
};

// Sessions live on the worker that owns their client id: a CONNECT for an id owned by another
// worker is handed over untouched, and this worker answers nothing.
TEST_F(WorkerCoreTwoWorkersTest, ConnectForOtherWorkerIsHandedOver) {
  std::string id;
  for (int i = 0; id.empty(); ++i) {
    std::string candidate = "client-" + std::to_string(i);
    if (shared_.owner_of(candidate) == 1) id = candidate;
  }
  TestClient client = open(t0_);
  mqtt::Packet packet = make_connect(id, 30);
  PacketOutcome outcome = core_.on_packet(client.state, packet, t0_);
  ASSERT_TRUE(outcome.hand_over_to.has_value());
  EXPECT_EQ(*outcome.hand_over_to, 1u);
  EXPECT_EQ(client.link->bytes_sent(), 0u);
  EXPECT_FALSE(client.link->closed());
  EXPECT_EQ(core_.session_count(), 0u);
  // The CONNECT is left intact for the worker that takes over.
  const auto* kept = std::get_if<mqtt::Connect>(&packet);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->client_id, id);
  core_.on_handed_over(client.state);
  EXPECT_EQ(core_.connection_count(), 0u);
}

}  // namespace
}  // namespace tern::broker
