#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tern::bench {

namespace {

constexpr std::uint64_t kHalf = std::uint64_t{1} << Histogram::kSubBits;  // 128
constexpr int kFirstExponent = Histogram::kSubBits + 1;                   // 2^8 = 256

}  // namespace

Histogram::Histogram() : counts_(bucket_count(), 0) {}

std::size_t Histogram::bucket_count() {
  return kLinear + (kMaxExponent - kFirstExponent + 1) * kHalf;
}

std::size_t Histogram::index_of(std::uint64_t value) {
  if (value < kLinear) return static_cast<std::size_t>(value);
  if (value > kHighest) value = kHighest;
  int exponent = std::bit_width(value) - 1;  // 2^exponent <= value
  int shift = exponent - kSubBits;
  std::uint64_t sub = (value >> shift) - kHalf;  // [0, 128)
  return static_cast<std::size_t>(kLinear + (exponent - kFirstExponent) * kHalf + sub);
}

std::uint64_t Histogram::lowest_in(std::size_t index) {
  if (index < kLinear) return index;
  std::size_t above = index - kLinear;
  int exponent = static_cast<int>(above / kHalf) + kFirstExponent;
  std::uint64_t sub = above % kHalf + kHalf;
  return sub << (exponent - kSubBits);
}

std::uint64_t Histogram::highest_in(std::size_t index) {
  if (index < kLinear) return index;
  std::size_t above = index - kLinear;
  int exponent = static_cast<int>(above / kHalf) + kFirstExponent;
  return lowest_in(index) + (std::uint64_t{1} << (exponent - kSubBits)) - 1;
}

void Histogram::add(const Histogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i)
    counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

std::uint64_t Histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // The rank of the percentile: the smallest n with n >= p% of the count, at least 1.
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(highest_in(i), min(), max_);
  }
  return max_;
}

}  // namespace tern::bench
