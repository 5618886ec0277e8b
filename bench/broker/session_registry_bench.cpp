// Google Benchmarks of the session registry at scale: finding a session among 1M by client id
// (every CONNECT) and by session id (every delivery), creating and erasing sessions, and a clock
// tick's expiry scan when 1M sessions are offline and few are due. Reports, never asserts.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "broker/session_registry.h"

namespace {

using tern::broker::Clock;
using tern::broker::Session;
using tern::broker::SessionId;
using tern::broker::SessionRegistry;

constexpr int kSessions = 1'000'000;

std::string client_id(int i) {
  return "device-" + std::to_string(i) + "-sensor";
}

struct Population {
  SessionRegistry registry{0};
  std::vector<SessionId> ids;
  Population() {
    ids.reserve(kSessions);
    for (int i = 0; i < kSessions; ++i)
      ids.push_back(registry.create(client_id(i)).id);
  }
};

Population& population() {
  static Population shared;
  return shared;
}

void BM_SessionFindByClientId_1M(benchmark::State& state) {
  Population& p = population();
  std::vector<std::string> keys;
  std::mt19937 random(7);
  for (int i = 0; i < 4096; ++i)
    keys.push_back(client_id(static_cast<int>(random() % kSessions)));
  std::size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(p.registry.find(keys[next++ & 4095]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SessionFindByClientId_1M);

void BM_SessionFindById_1M(benchmark::State& state) {
  Population& p = population();
  std::vector<SessionId> keys;
  std::mt19937 random(7);
  for (int i = 0; i < 4096; ++i)
    keys.push_back(p.ids[random() % kSessions]);
  std::size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(p.registry.find(keys[next++ & 4095]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SessionFindById_1M);

void BM_SessionCreateErase_1M(benchmark::State& state) {
  Population& p = population();
  int i = 0;
  for (auto _ : state) {
    Session& session = p.registry.create("transient-" + std::to_string(i++ & 1023));
    p.registry.erase(session);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SessionCreateErase_1M);

// A tick with 1M offline sessions, none due: the cost every worker pays once a second.
void BM_SessionExpiryTick_1MOffline(benchmark::State& state) {
  SessionRegistry registry(0);
  Clock::time_point t0{std::chrono::hours(1)};
  for (int i = 0; i < kSessions; ++i) {
    Session& session = registry.create(client_id(i));
    session.expiry_interval = std::chrono::seconds(3600 + i % 3600);
    registry.set_offline(session, t0);
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(registry.expired(t0 + std::chrono::seconds(60)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SessionExpiryTick_1MOffline);

// Clients leaving and returning: scheduling and cancelling a deadline among 1M.
void BM_SessionOfflineOnline_1M(benchmark::State& state) {
  Population& p = population();
  Clock::time_point now{std::chrono::hours(1)};
  std::mt19937 random(11);
  for (auto _ : state) {
    Session& session = *p.registry.find(p.ids[random() % kSessions]);
    session.expiry_interval = std::chrono::seconds(600);
    p.registry.set_offline(session, now);
    p.registry.set_online(session);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SessionOfflineOnline_1M);

}  // namespace
