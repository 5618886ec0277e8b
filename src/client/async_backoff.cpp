// ReconnectBackoff (see async_backoff.h).
#include "tern/client/async_backoff.h"

#include <algorithm>
#include <random>

namespace tern::client {

namespace {

// splitmix64: small and good enough for jitter.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t random_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

ReconnectBackoff::ReconnectBackoff(std::chrono::milliseconds initial,
                                   std::chrono::milliseconds maximum, std::uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      maximum_(std::max(maximum, initial_)),
      state_(seed != 0 ? seed : random_seed()) {}

std::chrono::milliseconds ReconnectBackoff::next() {
  long long delay = initial_.count();
  for (int i = 0; i < attempt_ && delay < maximum_.count(); ++i)
    delay *= 2;
  delay = std::min<long long>(delay, maximum_.count());
  if (attempt_ < 64) ++attempt_;
  long long half = delay / 2;
  auto span = static_cast<std::uint64_t>(delay - half + 1);
  return std::chrono::milliseconds(half + static_cast<long long>(next_random(state_) % span));
}

}  // namespace tern::client
