// ReconnectBackoff: the AsyncClient's delays between reconnection attempts.
//
// Exponential backoff with jitter: the n-th delay (from 0) is a random value in [d/2, d] where
// d = min(initial * 2^n, maximum) ("equal jitter"), so clients that lost the same server do not
// all come back at once, yet the delay still grows. reset() after a successful connection.
//
// Plain value; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace tern::client {

class ReconnectBackoff {
 public:
  // `seed` 0: from std::random_device (tests pass a fixed one).
  ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds maximum,
                   std::uint64_t seed = 0);
  std::chrono::milliseconds next();
  void reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds maximum_;
  int attempt_ = 0;
  std::uint64_t state_;
};

}  // namespace tern::client
