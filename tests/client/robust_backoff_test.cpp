// RobustClient's backoff and offline queue as plain values: no sockets, no waiting.
#include <gtest/gtest.h>

#include <random>

#include "tern/client/robust.h"

namespace tern::client {
namespace {

using std::chrono::milliseconds;

mqtt::Publish message(std::string topic, std::string payload, mqtt::QoS qos) {
  mqtt::Publish m;
  m.topic = std::move(topic);
  m.payload = std::move(payload);
  m.qos = qos;
  return m;
}

ReconnectOptions reconnect(long long initial, long long max, double multiplier = 2.0) {
  ReconnectOptions o;
  o.initial_delay = milliseconds(initial);
  o.max_delay = milliseconds(max);
  o.multiplier = multiplier;
  return o;
}

TEST(Backoff, CeilingDoublesUpToTheMaximum) {
  Backoff b(reconnect(100, 1000));
  std::vector<long long> ceilings;
  for (int i = 0; i < 7; ++i) {
    ceilings.push_back(b.ceiling().count());
    (void)b.next(0.5);
  }
  EXPECT_EQ(ceilings, (std::vector<long long>{100, 200, 400, 800, 1000, 1000, 1000}));
  EXPECT_EQ(b.attempts(), 7u);
}

TEST(Backoff, FullJitterSpansZeroToTheCeiling) {
  Backoff b(reconnect(400, 10'000));
  EXPECT_EQ(b.next(0.0), milliseconds(0));
  EXPECT_EQ(b.next(0.5), milliseconds(400));        // ceiling 800
  EXPECT_EQ(b.next(0.999999), milliseconds(1599));  // ceiling 1600: never above it
  EXPECT_EQ(b.next(1.5), milliseconds(3200));       // out-of-range randomness is clamped
  EXPECT_EQ(b.next(-1.0), milliseconds(0));
}

TEST(Backoff, RandomDelaysStayInRangeAndSpreadOverIt) {
  std::mt19937_64 engine(42);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int attempt = 0; attempt < 8; ++attempt) {
    long long low = 1'000'000;
    long long high = -1;
    for (int sample = 0; sample < 500; ++sample) {
      Backoff b(reconnect(50, 3000));
      for (int i = 0; i < attempt; ++i)
        (void)b.next(0.0);
      long long ceiling = b.ceiling().count();
      long long d = b.next(uniform(engine)).count();
      ASSERT_GE(d, 0);
      ASSERT_LE(d, ceiling);
      low = std::min(low, d);
      high = std::max(high, d);
    }
    long long ceiling = std::min<long long>(50LL << attempt, 3000);
    // Full jitter: the draws reach both ends of the window, not just around its middle.
    EXPECT_LT(low, ceiling / 10) << "attempt " << attempt;
    EXPECT_GT(high, ceiling * 9 / 10) << "attempt " << attempt;
  }
}

TEST(Backoff, CapHoldsForever) {
  Backoff b(reconnect(1, 60'000, 10.0));
  for (int i = 0; i < 10'000; ++i)
    (void)b.next(0.3);
  EXPECT_EQ(b.ceiling(), milliseconds(60'000));
  EXPECT_LE(b.next(0.999), milliseconds(60'000));
  b.reset();
  EXPECT_EQ(b.ceiling(), milliseconds(1));
  EXPECT_EQ(b.attempts(), 0u);
}

TEST(Backoff, MultiplierBelowOneDoesNotShrink) {
  Backoff b(reconnect(100, 1000, 0.5));
  (void)b.next(0.0);
  (void)b.next(0.0);
  EXPECT_EQ(b.ceiling(), milliseconds(100));
}

OfflineQueueOptions bounds(std::size_t messages, std::size_t bytes, bool qos0 = true) {
  OfflineQueueOptions o;
  o.max_messages = messages;
  o.max_bytes = bytes;
  o.queue_qos0 = qos0;
  return o;
}

std::vector<std::string> drain(OfflineQueue& q) {
  std::vector<std::string> payloads;
  while (auto m = q.pop())
    payloads.push_back(m->payload);
  return payloads;
}

TEST(OfflineQueue, KeepsOrderAndCountsBytes) {
  OfflineQueue q(bounds(10, 1000));
  ASSERT_TRUE(q.push(message("a", "1", mqtt::QoS::at_least_once)));
  ASSERT_TRUE(q.push(message("bb", "22", mqtt::QoS::at_most_once)));
  ASSERT_TRUE(q.push(message("c", "333", mqtt::QoS::exactly_once)));
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.bytes(), 2u + 4u + 4u);  // topic + payload
  EXPECT_EQ(drain(q), (std::vector<std::string>{"1", "22", "333"}));
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_TRUE(q.empty());
}

TEST(OfflineQueue, OldestQos0DroppedFirstWhenFull) {
  OfflineQueue q(bounds(3, 1000));
  ASSERT_TRUE(q.push(message("t", "q0-a", mqtt::QoS::at_most_once)));
  ASSERT_TRUE(q.push(message("t", "q1-b", mqtt::QoS::at_least_once)));
  ASSERT_TRUE(q.push(message("t", "q0-c", mqtt::QoS::at_most_once)));
  ASSERT_TRUE(q.push(message("t", "q1-d", mqtt::QoS::at_least_once)));  // drops q0-a
  EXPECT_EQ(q.dropped(), 1u);
  ASSERT_TRUE(q.push(message("t", "q0-e", mqtt::QoS::at_most_once)));  // drops q0-c
  EXPECT_EQ(q.dropped(), 2u);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"q1-b", "q1-d", "q0-e"}));
}

TEST(OfflineQueue, QueueFullWhenOnlyQos1IsLeft) {
  OfflineQueue q(bounds(2, 1000));
  ASSERT_TRUE(q.push(message("t", "1", mqtt::QoS::at_least_once)));
  ASSERT_TRUE(q.push(message("t", "2", mqtt::QoS::exactly_once)));
  auto full = q.push(message("t", "3", mqtt::QoS::at_least_once));
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ErrorCode::queue_full);
  auto full0 = q.push(message("t", "4", mqtt::QoS::at_most_once));
  ASSERT_FALSE(full0);
  EXPECT_EQ(full0.error().code, ErrorCode::queue_full);
  EXPECT_EQ(q.dropped(), 0u);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"1", "2"}));
}

TEST(OfflineQueue, ByteBoundDropsAsManyQos0AsNeeded) {
  OfflineQueue q(bounds(100, 30));
  ASSERT_TRUE(q.push(message("t", "aaaaaaaa", mqtt::QoS::at_most_once)));   // 9
  ASSERT_TRUE(q.push(message("t", "bbbbbbbb", mqtt::QoS::at_least_once)));  // 9
  ASSERT_TRUE(q.push(message("t", "cccccccc", mqtt::QoS::at_most_once)));   // 9: 27
  // 19 bytes more: both QoS 0 messages must go (27 - 18 + 19 = 28).
  ASSERT_TRUE(q.push(message("t", "dddddddddddddddddd", mqtt::QoS::at_least_once)));
  EXPECT_EQ(q.dropped(), 2u);
  EXPECT_EQ(q.bytes(), 28u);
  EXPECT_EQ(drain(q), (std::vector<std::string>{"bbbbbbbb", "dddddddddddddddddd"}));
}

TEST(OfflineQueue, UnchangedWhenDroppingIsNotEnough) {
  OfflineQueue q(bounds(100, 20));
  ASSERT_TRUE(q.push(message("t", "aaaa", mqtt::QoS::at_most_once)));        // 5
  ASSERT_TRUE(q.push(message("t", "bbbbbbbbb", mqtt::QoS::at_least_once)));  // 10
  auto r = q.push(message("t", "ccccccccccccc", mqtt::QoS::at_least_once));  // 14: 10 + 14 > 20
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::queue_full);
  EXPECT_EQ(q.size(), 2u);  // the QoS 0 message was not dropped for nothing
  EXPECT_EQ(q.dropped(), 0u);
  auto huge = q.push(message("t", std::string(100, 'x'), mqtt::QoS::at_most_once));
  EXPECT_FALSE(huge);
}

TEST(OfflineQueue, Qos0NotQueuedWhenTurnedOff) {
  OfflineQueue q(bounds(10, 1000, false));
  auto r = q.push(message("t", "x", mqtt::QoS::at_most_once));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_connected);
  EXPECT_TRUE(q.push(message("t", "y", mqtt::QoS::at_least_once)));
  EXPECT_EQ(q.size(), 1u);
}

TEST(OfflineQueue, PushFrontPutsAMessageBack) {
  OfflineQueue q(bounds(1, 1000));
  ASSERT_TRUE(q.push(message("t", "1", mqtt::QoS::at_least_once)));
  auto m = q.pop();
  ASSERT_TRUE(m);
  ASSERT_TRUE(q.push(message("t", "2", mqtt::QoS::at_least_once)));
  q.push_front(std::move(*m));
  EXPECT_EQ(drain(q), (std::vector<std::string>{"1", "2"}));
}

}  // namespace
}  // namespace tern::client
