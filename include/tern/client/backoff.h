// Backoff: the delays between reconnection attempts of RobustClient and AsyncClient.
//
// Exponential backoff with full jitter: the n-th delay (from 0) is uniform in [0, d] where
// d = min(initial_delay * multiplier^n, max_delay), so clients that lost the same server at once
// spread their attempts over the whole window instead of coming back together, and the window
// still grows. The caller supplies the randomness (a uniform value per delay), so tests need no
// seeds or sleeping.
//
// Plain value; thread-compatible.
#pragma once

#include <chrono>
#include <cstddef>

namespace tern::client {

struct ReconnectOptions {
  std::chrono::milliseconds initial_delay{500};
  std::chrono::milliseconds max_delay{30'000};
  double multiplier = 2.0;
  // Consecutive failed attempts before giving up (RobustClient); 0: never give up.
  std::size_t max_attempts = 0;
};

class Backoff {
 public:
  explicit Backoff(ReconnectOptions options) : options_(options) {}
  // The cap of the next delay: min(max_delay, initial_delay * multiplier^attempt).
  std::chrono::milliseconds ceiling() const;
  // A delay uniform in [0, ceiling()] for `uniform` in [0, 1); counts an attempt.
  std::chrono::milliseconds next(double uniform);
  void reset() { attempt_ = 0; }
  std::size_t attempts() const { return attempt_; }

 private:
  ReconnectOptions options_;
  std::size_t attempt_ = 0;
};

}  // namespace tern::client
