// The one clock of tern_bench: steady_clock (CLOCK_MONOTONIC) in nanoseconds. Send timestamps in
// payloads and receive times come from it, so latency is comparable between threads and between
// processes on one machine.
#pragma once

#include <chrono>
#include <cstdint>

namespace tern::bench {

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline constexpr std::int64_t kNsPerSecond = 1'000'000'000;

}  // namespace tern::bench
