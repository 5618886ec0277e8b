// BrokerStats: counters published under $SYS. Updated from every worker with relaxed atomics:
// each is an independent count, read now and then by the $SYS publisher.
#pragma once

#include <atomic>
#include <cstdint>

namespace tern::broker {

struct BrokerStats {
  using Counter = std::atomic<std::uint64_t>;
  Counter clients_connected{0};
  Counter clients_total{0};  // sessions, connected or not
  Counter clients_maximum{0};
  Counter messages_received{0};
  Counter messages_sent{0};
  Counter publish_received{0};
  Counter publish_sent{0};
  Counter publish_dropped{0};
  Counter bytes_received{0};
  Counter bytes_sent{0};
  Counter subscriptions{0};
  Counter connections_refused{0};

  static void add(Counter& counter, std::uint64_t n = 1) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }
  static void sub(Counter& counter, std::uint64_t n = 1) {
    counter.fetch_sub(n, std::memory_order_relaxed);
  }
  static std::uint64_t get(const Counter& counter) {
    return counter.load(std::memory_order_relaxed);
  }
};

}  // namespace tern::broker
