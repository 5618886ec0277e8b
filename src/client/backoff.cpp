// Backoff (see tern/client/backoff.h).
#include "tern/client/backoff.h"

#include <algorithm>
#include <cmath>

namespace tern::client {

std::chrono::milliseconds Backoff::ceiling() const {
  const double cap = static_cast<double>(std::max<long long>(options_.max_delay.count(), 0));
  double delay = static_cast<double>(std::max<long long>(options_.initial_delay.count(), 0));
  double multiplier = std::max(options_.multiplier, 1.0);
  // Multiplied step by step and stopped at the cap, so no attempt count can overflow.
  for (std::size_t i = 0; i < attempt_ && delay < cap; ++i)
    delay *= multiplier;
  return std::chrono::milliseconds(static_cast<long long>(std::min(delay, cap)));
}

std::chrono::milliseconds Backoff::next(double uniform) {
  // Full jitter: clients that lost the same server at once spread their attempts over the
  // whole window instead of arriving together.
  uniform = std::clamp(uniform, 0.0, 1.0);
  auto ceiling_ms = static_cast<double>(ceiling().count());
  ++attempt_;
  return std::chrono::milliseconds(static_cast<long long>(std::floor(uniform * ceiling_ms)));
}

}  // namespace tern::client
