// MemoryStore against the contract of src/broker/store.h: what is recorded comes back from
// load() as it was left, load() hands everything over, and stray records are ignored.
#include "store/memory_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace tern::store {
namespace {

using namespace std::chrono_literals;
using broker::Message;
using broker::MessagePtr;
using broker::StoredDelivery;
using broker::SubscriptionOptions;
using mqtt::QoS;

MessagePtr message(std::string topic, std::string payload, QoS qos = QoS::at_least_once) {
  auto m = std::make_shared<Message>();
  m->topic = std::move(topic);
  m->payload = std::move(payload);
  m->qos = qos;
  return m;
}

StoredDelivery delivery(std::uint64_t seq, MessagePtr m, std::uint16_t packet_id = 0) {
  StoredDelivery d;
  d.seq = seq;
  d.out.message = std::move(m);
  d.out.qos = QoS::at_least_once;
  d.out.seq = seq;
  d.packet_id = packet_id;
  return d;
}

TEST(MemoryStore, SessionComesBackAsLeft) {
  MemoryStore store;
  auto writer = store.open_sessions(0);
  writer->session_saved("dev", 3600s);
  writer->subscription_added("dev", "b/#", {QoS::at_least_once, false, false, 0});
  writer->subscription_added("dev", "a/+", {QoS::exactly_once, false, false, 0});
  writer->subscription_added("dev", "a/+", {QoS::at_most_once, false, false, 0});  // replaces
  writer->subscription_added("dev", "gone", {});
  writer->subscription_removed("dev", "gone");
  writer->delivery_added("dev", delivery(2, message("a/1", "second")));
  writer->delivery_added("dev", delivery(1, message("a/1", "first"), 5));
  writer->delivery_added("dev", delivery(3, message("a/1", "third")));
  writer->delivery_sent("dev", 2, 6);
  writer->delivery_removed("dev", 3);
  writer->pubrel_awaited("dev", 9);
  writer->pubrel_awaited("dev", 4);
  writer->pubrel_awaited("dev", 9);  // once only
  writer->commit();

  auto contents = store.load();
  ASSERT_EQ(contents.sessions.size(), 1u);
  const broker::StoredSession& s = contents.sessions[0];
  EXPECT_EQ(s.client_id, "dev");
  EXPECT_EQ(s.expiry_interval, 3600s);
  ASSERT_EQ(s.subscriptions.size(), 2u);
  EXPECT_EQ(s.subscriptions[0].filter, "a/+");
  EXPECT_EQ(s.subscriptions[0].options.max_qos, QoS::at_most_once);
  EXPECT_EQ(s.subscriptions[1].filter, "b/#");
  ASSERT_EQ(s.deliveries.size(), 2u);
  EXPECT_EQ(s.deliveries[0].seq, 1u);
  EXPECT_EQ(s.deliveries[0].packet_id, 5);
  EXPECT_EQ(s.deliveries[0].out.message->payload, "first");
  EXPECT_EQ(s.deliveries[1].seq, 2u);
  EXPECT_EQ(s.deliveries[1].packet_id, 6);
  EXPECT_EQ(s.awaiting_pubrel, (std::vector<std::uint16_t>{4, 9}));
}

TEST(MemoryStore, ReleasedDeliveryKeepsOnlyItsPacketId) {
  MemoryStore store;
  auto writer = store.open_sessions(0);
  writer->session_saved("dev", broker::kNeverExpires);
  writer->delivery_added("dev", delivery(1, message("t", "x"), 3));
  writer->delivery_released("dev", 1);
  auto contents = store.load();
  ASSERT_EQ(contents.sessions.at(0).deliveries.size(), 1u);
  EXPECT_TRUE(contents.sessions[0].deliveries[0].released);
  EXPECT_EQ(contents.sessions[0].deliveries[0].packet_id, 3);
  EXPECT_EQ(contents.sessions[0].deliveries[0].out.message, nullptr);
}

TEST(MemoryStore, EndedSessionIsForgottenWithAllItOwns) {
  MemoryStore store;
  auto writer = store.open_sessions(0);
  writer->session_saved("dev", 60s);
  writer->subscription_added("dev", "t", {});
  writer->delivery_added("dev", delivery(1, message("t", "x")));
  EXPECT_EQ(store.session_count(), 1u);
  EXPECT_EQ(store.delivery_count(), 1u);
  writer->session_ended("dev");
  EXPECT_EQ(store.session_count(), 0u);
  EXPECT_EQ(store.delivery_count(), 0u);
  EXPECT_TRUE(store.load().sessions.empty());
}

TEST(MemoryStore, RecordsForUnknownSessionsAreIgnored) {
  MemoryStore store;
  auto writer = store.open_sessions(0);
  writer->subscription_added("nobody", "t", {});
  writer->delivery_added("nobody", delivery(1, message("t", "x")));
  writer->delivery_sent("nobody", 1, 1);
  writer->delivery_released("nobody", 1);
  writer->delivery_removed("nobody", 1);
  writer->pubrel_awaited("nobody", 1);
  writer->pubrel_received("nobody", 1);
  writer->session_ended("nobody");
  writer->session_saved("dev", 60s);
  writer->delivery_sent("dev", 42, 1);  // no such delivery
  writer->delivery_removed("dev", 42);
  auto contents = store.load();
  ASSERT_EQ(contents.sessions.size(), 1u);
  EXPECT_TRUE(contents.sessions[0].deliveries.empty());
}

TEST(MemoryStore, SessionsOfEveryWorkerAreLoaded) {
  MemoryStore store;
  auto first = store.open_sessions(0);
  auto second = store.open_sessions(1);
  first->session_saved("a", 60s);
  second->session_saved("b", 60s);
  EXPECT_EQ(store.session_count(), 2u);
  EXPECT_EQ(store.load().sessions.size(), 2u);
}

TEST(MemoryStore, LoadHandsEverythingOver) {
  MemoryStore store;
  auto writer = store.open_sessions(0);
  writer->session_saved("dev", 60s);
  store.retained_set(message("r", "kept"));
  auto contents = store.load();
  EXPECT_EQ(contents.sessions.size(), 1u);
  EXPECT_EQ(contents.retained.size(), 1u);
  EXPECT_EQ(store.session_count(), 0u);
  EXPECT_EQ(store.retained_count(), 0u);
  auto again = store.load();
  EXPECT_TRUE(again.sessions.empty());
  EXPECT_TRUE(again.retained.empty());
}

TEST(MemoryStore, RetainedIsReplacedAndCleared) {
  MemoryStore store;
  store.retained_set(message("a", "1"));
  store.retained_set(message("a", "2"));
  store.retained_set(message("b", "3"));
  store.retained_cleared("b");
  store.retained_cleared("never-set");
  auto contents = store.load();
  ASSERT_EQ(contents.retained.size(), 1u);
  EXPECT_EQ(contents.retained[0]->payload, "2");
}

}  // namespace
}  // namespace tern::store
