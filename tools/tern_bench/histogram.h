// Histogram: an HDR-style latency histogram with log-linear buckets.
//
// Values (nanoseconds) below 256 are counted exactly. Above, each power of two [2^e, 2^(e+1)) is
// split into 128 equal buckets, so a bucket is at most 1/128 (0.8%) of its values wide: two
// significant digits everywhere from 1 ns to the top of the range, 2^42 ns (73 minutes). Values
// above the range are counted in the last bucket; min, max, count and mean are exact.
// record() is a few shifts and an increment, and 4,608 counters (36 KiB) hold the whole range.
//
// percentile(p) returns the highest value of the bucket that holds the p-th percentile rank
// (never above the exact max), as HdrHistogram does: a reported p99 of X means at least 99% of
// the values were at most X.
//
// Not thread-safe: one histogram per thread, merged at the end with add().
#pragma once

#include <cstdint>
#include <vector>

namespace tern::bench {

class Histogram {
 public:
  static constexpr int kSubBits = 7;                        // 128 buckets per power of two
  static constexpr std::uint64_t kLinear = 2u << kSubBits;  // values below 256 are exact
  static constexpr int kMaxExponent = 41;                   // last power of two: [2^41, 2^42)
  static constexpr std::uint64_t kHighest = (std::uint64_t{1} << (kMaxExponent + 1)) - 1;

  Histogram();

  void record(std::uint64_t value) {
    ++counts_[index_of(value)];
    ++count_;
    sum_ += value;
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
  }
  // Adds the values of `other` to this histogram.
  void add(const Histogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0; }
  // `p` in [0, 100]; 0 when empty.
  std::uint64_t percentile(double p) const;

  // The bucket of `value`, and the range of values a bucket holds (for tests).
  static std::size_t index_of(std::uint64_t value);
  static std::uint64_t lowest_in(std::size_t index);
  static std::uint64_t highest_in(std::size_t index);
  static std::size_t bucket_count();

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  // Nanoseconds: 2^64 ns is 584 years, so the sum of any realistic run fits.
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
};

}  // namespace tern::bench
