// Google Benchmarks of the broker core's stores at scale: matching a topic among 1M
// subscriptions, subscribing and unsubscribing in a tree of 1M, building 1M (with the heap bytes
// each subscription costs), and matching a wildcard filter or one topic among 1M retained
// messages. One thread: the numbers are per core. Reports, never asserts.
//
// Run from a Release build: bin/tern_broker_bench, e.g. --benchmark_filter=Match.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "broker/message.h"
#include "broker/retained_store.h"
#include "broker/topic_tree.h"

namespace {

using tern::broker::MessagePtr;
using tern::broker::RetainedStore;
using tern::broker::SessionId;
using tern::broker::Subscriber;
using tern::broker::SubscriptionOptions;
using tern::broker::SubscriptionTree;

constexpr int kCount = 1'000'000;
constexpr std::size_t kProbes = 4096;  // random topics cycled through, to defeat the caches

std::string device_topic(int i) {
  return "device/" + std::to_string(i) + "/status";
}

std::vector<std::string> random_device_topics(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> index(0, kCount - 1);
  std::vector<std::string> topics;
  for (std::size_t i = 0; i < n; ++i)
    topics.push_back(device_topic(index(rng)));
  return topics;
}

std::size_t heap_in_use() {
  return mallinfo2().uordblks;
}

void add_wildcards(SubscriptionTree& tree) {
  SessionId session = kCount + 1;
  for (const char* filter : {"device/+/status", "device/#", "#", "$SYS/#", "+/+/alarm"}) {
    tree.subscribe(filter, session++, {});
  }
  for (int member = 0; member < 3; ++member)
    tree.subscribe("$share/g/device/+/status", session++, {});
}

// 1M distinct exact topics, one session each, plus a few wildcard and shared subscriptions.
// Built once and kept for the process's life.
const SubscriptionTree& big_tree() {
  static SubscriptionTree* tree = [] {
    auto* t = new SubscriptionTree;
    for (int i = 0; i < kCount; ++i)
      t->subscribe(device_topic(i), static_cast<SessionId>(i), {});
    add_wildcards(*t);
    return t;
  }();
  return *tree;
}

void match_topics(benchmark::State& state, const SubscriptionTree& tree,
                  const std::vector<std::string>& topics) {
  std::size_t reported = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    tree.match(
        topics[i++ % topics.size()], [&](const Subscriber&) { ++reported; },
        [&](std::string_view, std::span<const Subscriber>) { ++reported; });
  }
  benchmark::DoNotOptimize(reported);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["reported_per_match"] =
      static_cast<double>(reported) / static_cast<double>(state.iterations());
}

// A publish to one of the 1M topics: its exact subscriber, 3 wildcards and a shared group.
void BM_Match_1M_Subscriptions(benchmark::State& state) {
  const SubscriptionTree& tree = big_tree();
  match_topics(state, tree, random_device_topics(kProbes, 1));
}
BENCHMARK(BM_Match_1M_Subscriptions);

// A topic that only "#" matches: the cost of a miss in the big child map.
void BM_Match_1M_Subscriptions_Miss(benchmark::State& state) {
  const SubscriptionTree& tree = big_tree();
  std::vector<std::string> topics;
  for (std::size_t i = 0; i < kProbes; ++i)
    topics.push_back("other/" + std::to_string(i) + "/x");
  match_topics(state, tree, topics);
}
BENCHMARK(BM_Match_1M_Subscriptions_Miss);

// A new filter under an existing level, then removed: two nodes created and pruned.
void BM_SubscribeUnsubscribe_NewFilter_1M(benchmark::State& state) {
  auto& tree = const_cast<SubscriptionTree&>(big_tree());
  std::vector<std::string> filters = random_device_topics(kProbes, 2);
  for (std::string& filter : filters)
    filter += "/extra";
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& filter = filters[i++ % filters.size()];
    tree.subscribe(filter, 7, {});
    tree.unsubscribe(filter, 7);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 2);
}
BENCHMARK(BM_SubscribeUnsubscribe_NewFilter_1M);

// Another session on an existing filter, then removed: no node allocation.
void BM_SubscribeUnsubscribe_ExistingFilter_1M(benchmark::State& state) {
  auto& tree = const_cast<SubscriptionTree&>(big_tree());
  std::vector<std::string> filters = random_device_topics(kProbes, 3);
  SubscriptionOptions options;
  options.subscription_id = 5;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& filter = filters[i++ % filters.size()];
    tree.subscribe(filter, kCount + 100, options);
    tree.unsubscribe(filter, kCount + 100);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 2);
}
BENCHMARK(BM_SubscribeUnsubscribe_ExistingFilter_1M);

// Builds a tree of 1M distinct subscriptions; reports heap bytes per subscription.
void BM_Build_1M_Subscriptions(benchmark::State& state) {
  std::vector<std::string> filters;
  for (int i = 0; i < kCount; ++i)
    filters.push_back(device_topic(i));
  double bytes_per_subscription = 0;
  for (auto _ : state) {
    std::size_t before = heap_in_use();
    auto tree = std::make_unique<SubscriptionTree>();
    for (int i = 0; i < kCount; ++i)
      tree->subscribe(filters[i], static_cast<SessionId>(i), {});
    state.PauseTiming();
    bytes_per_subscription = static_cast<double>(heap_in_use() - before) / kCount;
    tree.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kCount);
  state.counters["heap_bytes_per_subscription"] = bytes_per_subscription;
}
BENCHMARK(BM_Build_1M_Subscriptions)->Unit(benchmark::kMillisecond)->Iterations(3);

// 1M sessions on one filter: subscribe appends (sessions arrive in increasing order).
void BM_Build_1M_Sessions_OneFilter(benchmark::State& state) {
  for (auto _ : state) {
    auto tree = std::make_unique<SubscriptionTree>();
    for (int i = 0; i < kCount; ++i)
      tree->subscribe("broadcast/all", static_cast<SessionId>(i), {});
    state.PauseTiming();
    tree.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kCount);
}
BENCHMARK(BM_Build_1M_Sessions_OneFilter)->Unit(benchmark::kMillisecond)->Iterations(3);

MessagePtr make_message(std::string topic) {
  auto message = std::make_shared<tern::broker::Message>();
  message->topic = std::move(topic);
  message->payload = "42";
  message->retain = true;
  return message;
}

// 1M retained messages on distinct topics, built once.
const RetainedStore& big_store() {
  static RetainedStore* store = [] {
    auto* s = new RetainedStore;
    for (int i = 0; i < kCount; ++i)
      s->set(make_message(device_topic(i)));
    s->set(make_message("$SYS/broker/uptime"));
    return s;
  }();
  return *store;
}

void retained_match(benchmark::State& state, std::string_view filter) {
  const RetainedStore& store = big_store();
  std::size_t visited = 0;
  for (auto _ : state) {
    store.match(filter, [&](const MessagePtr& message) {
      benchmark::DoNotOptimize(message.get());
      ++visited;
    });
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(visited));  // messages visited
  state.counters["visited_per_match"] =
      static_cast<double>(visited) / static_cast<double>(state.iterations());
}

void BM_RetainedMatch_Plus_1M(benchmark::State& state) {
  retained_match(state, "device/+/status");
}
BENCHMARK(BM_RetainedMatch_Plus_1M)->Unit(benchmark::kMillisecond);

void BM_RetainedMatch_Hash_1M(benchmark::State& state) {
  retained_match(state, "#");
}
BENCHMARK(BM_RetainedMatch_Hash_1M)->Unit(benchmark::kMillisecond);

// A wildcard filter that selects one message among 1M: "device/123456/+".
void BM_RetainedMatch_Narrow_1M(benchmark::State& state) {
  retained_match(state, "device/123456/+");
}
BENCHMARK(BM_RetainedMatch_Narrow_1M);

// A subscription without wildcards: one lookup among 1M retained messages.
void BM_RetainedMatch_Exact_1M(benchmark::State& state) {
  const RetainedStore& store = big_store();
  std::vector<std::string> filters = random_device_topics(kProbes, 4);
  std::size_t visited = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    store.match(filters[i++ % filters.size()], [&](const MessagePtr&) { ++visited; });
  }
  benchmark::DoNotOptimize(visited);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_RetainedMatch_Exact_1M);

void BM_RetainedFind_1M(benchmark::State& state) {
  const RetainedStore& store = big_store();
  std::vector<std::string> topics = random_device_topics(kProbes, 5);
  std::size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(store.find(topics[i++ % topics.size()]));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_RetainedFind_1M);

// Replacing a retained message, as a stream of retained PUBLISHes to known topics does.
void BM_RetainedSet_Replace_1M(benchmark::State& state) {
  auto& store = const_cast<RetainedStore&>(big_store());
  std::vector<MessagePtr> messages;
  for (const std::string& topic : random_device_topics(kProbes, 6)) {
    messages.push_back(make_message(topic));
  }
  std::size_t i = 0;
  for (auto _ : state)
    store.set(messages[i++ % messages.size()]);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_RetainedSet_Replace_1M);

// Heap bytes of the store alone (tree and child maps), per retained message.
void BM_RetainedBuild_1M(benchmark::State& state) {
  std::vector<MessagePtr> messages;
  for (int i = 0; i < kCount; ++i)
    messages.push_back(make_message(device_topic(i)));
  double bytes_per_message = 0;
  for (auto _ : state) {
    std::size_t before = heap_in_use();
    auto store = std::make_unique<RetainedStore>();
    for (const MessagePtr& message : messages)
      store->set(message);
    state.PauseTiming();
    bytes_per_message = static_cast<double>(heap_in_use() - before) / kCount;
    store.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kCount);
  state.counters["store_heap_bytes_per_message"] = bytes_per_message;
  state.counters["message_bytes"] = sizeof(tern::broker::Message);
}
BENCHMARK(BM_RetainedBuild_1M)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
