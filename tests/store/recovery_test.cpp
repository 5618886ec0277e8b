// The broker core restarted through a store: a WorkerCore is torn down (as a crash would leave
// it: connections still open) and a new one is built from Store::load(), as the server does at
// start-up. Whatever a persistent session had — subscriptions, queued and in-flight QoS 1/2
// messages, QoS 2 state in both directions — and the retained messages must come back.
// MQTT 3.1.1 section 4.1 (session state), [MQTT-3.1.2-4], [MQTT-4.4.0-1], [MQTT-4.3.3].
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "broker/worker_core.h"
#include "core_fixture.h"
#include "store/memory_store.h"

namespace tern::broker {
namespace {

using namespace std::chrono_literals;

class RecoveryTest : public ::testing::Test {
 protected:
  RecoveryTest() { start(); }

  void start() {
    shared_ = std::make_unique<BrokerState>(1);
    shared_->limits.connection_messages = false;
    shared_->store = &store_;
    core_ = std::make_unique<WorkerCore>(*shared_, 0, outbox_);
  }

  // The process dies and starts again: nothing survives but the store.
  void restart() {
    core_.reset();
    shared_.reset();
    clients_.clear();
    auto contents = store_.load();
    start();
    for (StoredSession& session : contents.sessions)
      core_->restore(std::move(session), now_);
    for (MessagePtr& message : contents.retained)
      shared_->retain(message);
  }

  TestClient& connect(std::string client_id, bool clean, bool expect_present = false) {
    auto& client = clients_.emplace_back(std::make_unique<TestClient>());
    client->state = core_->on_open(client->link.get(), now_);
    mqtt::Packet packet = make_connect(std::move(client_id), 0, clean);
    core_->on_packet(client->state, packet, now_);
    auto connacks = client->link->all<mqtt::Connack>();
    EXPECT_EQ(connacks.size(), 1u);
    if (!connacks.empty()) {
      EXPECT_EQ(connacks[0].reason_code, mqtt::ReasonCode::success);
      EXPECT_EQ(connacks[0].session_present, expect_present);
    }
    core_->commit();
    return *client;
  }

  void send(TestClient& client, mqtt::Packet packet) {
    core_->on_packet(client.state, packet, now_);
    core_->commit();
  }

  void disconnect(TestClient& client) {
    send(client, mqtt::Disconnect{});
    core_->on_closed(client.state);
    client.state = nullptr;
  }

  std::vector<std::string> payloads(TestClient& client) {
    std::vector<std::string> seen;
    for (const auto& publish : client.link->all<mqtt::Publish>())
      seen.push_back(publish.payload);
    return seen;
  }

  store::MemoryStore store_;
  FakeOutbox outbox_;
  std::unique_ptr<BrokerState> shared_;
  std::unique_ptr<WorkerCore> core_;
  std::vector<std::unique_ptr<TestClient>> clients_;
  Clock::time_point now_ = Clock::time_point{} + 1000h;
};

TEST_F(RecoveryTest, QueuedMessagesAndSubscriptionsSurviveARestart) {
  TestClient& device = connect("device", /*clean=*/false);
  send(device, make_subscribe(1, {{"cmd/#", QoS::at_least_once}}));
  disconnect(device);
  TestClient& app = connect("app", /*clean=*/true);
  send(app, make_publish("cmd/light", "on", QoS::at_least_once, 1));
  send(app, make_publish("cmd/light", "off", QoS::exactly_once, 2));
  send(app, make_publish("cmd/fan", "fast", QoS::at_most_once));  // QoS 0: not queued
  EXPECT_EQ(store_.delivery_count(), 2u);

  restart();
  EXPECT_EQ(core_->session_count(), 1u);
  TestClient& back = connect("device", /*clean=*/false, /*expect_present=*/true);
  auto publishes = back.link->all<mqtt::Publish>();
  ASSERT_EQ(publishes.size(), 2u);
  EXPECT_EQ(publishes[0].payload, "on");  // in order [MQTT-4.6.0-2]
  EXPECT_EQ(publishes[0].qos, QoS::at_least_once);
  EXPECT_EQ(publishes[1].payload, "off");
  EXPECT_EQ(publishes[1].qos, QoS::at_least_once);  // the subscription's maximum

  // The subscription is live again in the new tree.
  TestClient& app2 = connect("app", /*clean=*/true);
  send(app2, make_publish("cmd/door", "open", QoS::at_least_once, 3));
  EXPECT_EQ(payloads(back), (std::vector<std::string>{"on", "off", "open"}));
}

TEST_F(RecoveryTest, UnacknowledgedMessageIsResentWithDupAfterACrash) {
  TestClient& device = connect("device", /*clean=*/false);
  send(device, make_subscribe(1, {{"t", QoS::at_least_once}}));
  TestClient& app = connect("app", /*clean=*/true);
  send(app, make_publish("t", "m1", QoS::at_least_once, 1));
  auto first = device.link->all<mqtt::Publish>();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_FALSE(first[0].dup);

  restart();  // no PUBACK came
  TestClient& back = connect("device", /*clean=*/false, /*expect_present=*/true);
  auto again = back.link->all<mqtt::Publish>();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_TRUE(again[0].dup);  // [MQTT-4.4.0-1]
  EXPECT_EQ(again[0].packet_id, first[0].packet_id);
  EXPECT_EQ(again[0].payload, "m1");
  send(back, make_ack<mqtt::Puback>(again[0].packet_id));
  EXPECT_EQ(store_.delivery_count(), 0u);
}

TEST_F(RecoveryTest, MessageSentFromTheQueueIsResentWithItsPacketId) {
  shared_->limits.max_inflight_messages = 1;
  TestClient& device = connect("device", /*clean=*/false);
  send(device, make_subscribe(1, {{"t", QoS::at_least_once}}));
  TestClient& app = connect("app", /*clean=*/true);
  send(app, make_publish("t", "m1", QoS::at_least_once, 1));
  send(app, make_publish("t", "m2", QoS::at_least_once, 2));  // waits for the window
  send(app, make_publish("t", "m3", QoS::at_least_once, 3));
  auto sent = device.link->all<mqtt::Publish>();
  ASSERT_EQ(sent.size(), 1u);
  send(device, make_ack<mqtt::Puback>(sent[0].packet_id));
  sent = device.link->all<mqtt::Publish>();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].payload, "m2");

  restart();
  shared_->limits.max_inflight_messages = 1;
  TestClient& back = connect("device", /*clean=*/false, /*expect_present=*/true);
  auto again = back.link->all<mqtt::Publish>();
  ASSERT_EQ(again.size(), 1u);  // m3 waits for the window again
  EXPECT_EQ(again[0].payload, "m2");
  EXPECT_TRUE(again[0].dup);
  EXPECT_EQ(again[0].packet_id, sent[1].packet_id);
  send(back, make_ack<mqtt::Puback>(again[0].packet_id));
  EXPECT_EQ(payloads(back), (std::vector<std::string>{"m2", "m3"}));
  EXPECT_FALSE(back.link->all<mqtt::Publish>()[1].dup);
}

TEST_F(RecoveryTest, ReleasedQos2MessageResendsOnlyThePubrel) {
  TestClient& device = connect("device", /*clean=*/false);
  send(device, make_subscribe(1, {{"t", QoS::exactly_once}}));
  TestClient& app = connect("app", /*clean=*/true);
  send(app, make_publish("t", "once", QoS::exactly_once, 1));
  auto publish = device.link->all<mqtt::Publish>().at(0);
  send(device, make_ack<mqtt::Pubrec>(publish.packet_id));
  ASSERT_EQ(device.link->all<mqtt::Pubrel>().size(), 1u);

  restart();
  TestClient& back = connect("device", /*clean=*/false, /*expect_present=*/true);
  EXPECT_TRUE(back.link->all<mqtt::Publish>().empty());  // not delivered twice
  auto pubrels = back.link->all<mqtt::Pubrel>();
  ASSERT_EQ(pubrels.size(), 1u);
  EXPECT_EQ(pubrels[0].packet_id, publish.packet_id);
  send(back, make_ack<mqtt::Pubcomp>(publish.packet_id));
  EXPECT_EQ(store_.delivery_count(), 0u);
}

TEST_F(RecoveryTest, InboundQos2IsNotDeliveredTwiceAcrossARestart) {
  TestClient& listener = connect("listener", /*clean=*/false);
  send(listener, make_subscribe(1, {{"t", QoS::at_least_once}}));
  TestClient& sender = connect("sender", /*clean=*/false);
  send(sender, make_publish("t", "exactly", QoS::exactly_once, 7));
  ASSERT_EQ(sender.link->all<mqtt::Pubrec>().size(), 1u);
  ASSERT_EQ(payloads(listener).size(), 1u);
  send(listener, make_ack<mqtt::Puback>(listener.link->all<mqtt::Publish>()[0].packet_id));

  restart();  // the PUBREL never came; the sender re-sends its PUBLISH [MQTT-4.3.3-2]
  TestClient& listener2 = connect("listener", /*clean=*/false, /*expect_present=*/true);
  TestClient& sender2 = connect("sender", /*clean=*/false, /*expect_present=*/true);
  mqtt::Publish resent = make_publish("t", "exactly", QoS::exactly_once, 7);
  resent.dup = true;
  send(sender2, resent);
  EXPECT_EQ(sender2.link->all<mqtt::Pubrec>().size(), 1u);
  EXPECT_TRUE(payloads(listener2).empty());
  send(sender2, make_ack<mqtt::Pubrel>(7));
  EXPECT_EQ(sender2.link->all<mqtt::Pubcomp>().size(), 1u);

  // Id 7 is free again: a new message with it is delivered.
  send(sender2, make_publish("t", "new", QoS::exactly_once, 7));
  EXPECT_EQ(payloads(listener2), (std::vector<std::string>{"new"}));
}

TEST_F(RecoveryTest, UnsubscribedFilterStaysGone) {
  TestClient& device = connect("device", /*clean=*/false);
  send(device, make_subscribe(1, {{"keep", QoS::at_least_once}, {"drop", QoS::at_least_once}}));
  mqtt::Unsubscribe unsubscribe;
  unsubscribe.packet_id = 2;
  unsubscribe.filters = {"drop"};
  send(device, unsubscribe);
  disconnect(device);

  restart();
  TestClient& app = connect("app", /*clean=*/true);
  send(app, make_publish("drop", "no", QoS::at_least_once, 1));
  send(app, make_publish("keep", "yes", QoS::at_least_once, 2));
  TestClient& back = connect("device", /*clean=*/false, /*expect_present=*/true);
  EXPECT_EQ(payloads(back), (std::vector<std::string>{"yes"}));
}

TEST_F(RecoveryTest, CleanSessionsAreNeverStored) {
  TestClient& device = connect("device", /*clean=*/true);
  send(device, make_subscribe(1, {{"t", QoS::at_least_once}}));
  TestClient& app = connect("app", /*clean=*/true);
  send(app, make_publish("t", "x", QoS::at_least_once, 1));
  EXPECT_EQ(store_.session_count(), 0u);
  EXPECT_EQ(store_.delivery_count(), 0u);
  restart();
  EXPECT_EQ(core_->session_count(), 0u);
}

TEST_F(RecoveryTest, CleaningAPersistentSessionRemovesItFromTheStore) {
  TestClient& device = connect("device", /*clean=*/false);
  send(device, make_subscribe(1, {{"t", QoS::at_least_once}}));
  disconnect(device);
  EXPECT_EQ(store_.session_count(), 1u);
  TestClient& fresh = connect("device", /*clean=*/true);  // [MQTT-3.1.2-6]
  EXPECT_EQ(store_.session_count(), 0u);
  disconnect(fresh);
  restart();
  EXPECT_EQ(core_->session_count(), 0u);
}

TEST_F(RecoveryTest, ExpiredSessionRemovesItFromTheStore) {
  shared_->limits.persistent_client_expiration = 60s;
  TestClient& device = connect("device", /*clean=*/false);
  disconnect(device);
  EXPECT_EQ(store_.session_count(), 1u);
  core_->on_tick(now_ + 61s);
  EXPECT_EQ(store_.session_count(), 0u);
}

TEST_F(RecoveryTest, RestoredSessionExpiresOnItsInterval) {
  shared_->limits.persistent_client_expiration = 60s;
  TestClient& device = connect("device", /*clean=*/false);
  disconnect(device);
  restart();
  ASSERT_EQ(core_->session_count(), 1u);
  core_->on_tick(now_ + 59s);
  EXPECT_EQ(core_->session_count(), 1u);
  core_->on_tick(now_ + 60s);
  EXPECT_EQ(core_->session_count(), 0u);
  EXPECT_EQ(store_.session_count(), 0u);
}

TEST_F(RecoveryTest, RetainedMessagesSurviveAndClearedOnesStayCleared) {
  TestClient& app = connect("app", /*clean=*/true);
  send(app, make_publish("state/a", "1", QoS::at_least_once, 1, /*retain=*/true));
  send(app, make_publish("state/b", "2", QoS::at_most_once, 0, /*retain=*/true));
  send(app, make_publish("state/b", "", QoS::at_most_once, 0, /*retain=*/true));    // clears
  send(app, make_publish("state/a", "3", QoS::at_least_once, 2, /*retain=*/true));  // replaces

  restart();
  TestClient& viewer = connect("viewer", /*clean=*/true);
  send(viewer, make_subscribe(1, {{"state/#", QoS::at_least_once}}));
  auto publishes = viewer.link->all<mqtt::Publish>();
  ASSERT_EQ(publishes.size(), 1u);
  EXPECT_EQ(publishes[0].topic, "state/a");
  EXPECT_EQ(publishes[0].payload, "3");
  EXPECT_TRUE(publishes[0].retain);
}

TEST_F(RecoveryTest, RestartTwiceKeepsEverything) {
  TestClient& device = connect("device", /*clean=*/false);
  send(device, make_subscribe(1, {{"t", QoS::at_least_once}}));
  disconnect(device);
  TestClient& app = connect("app", /*clean=*/true);
  send(app, make_publish("t", "a", QoS::at_least_once, 1));
  restart();
  restart();  // what a restart restored is recorded again
  TestClient& back = connect("device", /*clean=*/false, /*expect_present=*/true);
  EXPECT_EQ(payloads(back), (std::vector<std::string>{"a"}));
}

}  // namespace
}  // namespace tern::broker
