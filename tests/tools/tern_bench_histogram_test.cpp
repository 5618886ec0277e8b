// Histogram: bucket layout, percentiles against known distributions, merging.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "histogram.h"

namespace tern::bench {
namespace {

// Within the histogram's precision: one bucket is at most 1/128 of its values wide.
void expect_near_relative(std::uint64_t actual, double expected, double tolerance = 0.01) {
  EXPECT_LE(std::abs(static_cast<double>(actual) - expected), expected * tolerance)
      << "actual " << actual << ", expected " << expected;
}

TEST(TernBenchHistogram, EmptyReportsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.percentile(100), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0);
}

TEST(TernBenchHistogram, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 0; v < 256; ++v)
    h.record(v);
  EXPECT_EQ(h.percentile(50), 127u);  // rank 128 of 256
  EXPECT_EQ(h.percentile(100), 255u);
  EXPECT_EQ(h.percentile(0), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 255u);
  EXPECT_DOUBLE_EQ(h.mean(), 127.5);
}

TEST(TernBenchHistogram, BucketsCoverTheRangeWithTwoSignificantDigits) {
  std::size_t previous = 0;
  for (std::uint64_t v = 1; v < Histogram::kHighest; v = v * 3 / 2 + 1) {
    std::size_t index = Histogram::index_of(v);
    ASSERT_LT(index, Histogram::bucket_count());
    EXPECT_GE(index, previous) << v;  // monotonic
    previous = index;
    EXPECT_LE(Histogram::lowest_in(index), v);
    EXPECT_GE(Histogram::highest_in(index), v);
    double width = static_cast<double>(Histogram::highest_in(index) - Histogram::lowest_in(index));
    EXPECT_LE(width / static_cast<double>(Histogram::lowest_in(index) + 1), 1.0 / 128) << v;
  }
  // Neighbouring buckets touch.
  for (std::size_t i = 0; i + 1 < Histogram::bucket_count(); ++i) {
    ASSERT_EQ(Histogram::highest_in(i) + 1, Histogram::lowest_in(i + 1)) << i;
  }
  EXPECT_EQ(Histogram::index_of(Histogram::kHighest), Histogram::bucket_count() - 1);
}

TEST(TernBenchHistogram, UniformDistribution) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 1'000'000; ++v)
    h.record(v);
  expect_near_relative(h.percentile(50), 500'000);
  expect_near_relative(h.percentile(90), 900'000);
  expect_near_relative(h.percentile(99), 990'000);
  expect_near_relative(h.percentile(99.9), 999'000);
  EXPECT_EQ(h.percentile(100), 1'000'000u);
  EXPECT_EQ(h.max(), 1'000'000u);
  EXPECT_DOUBLE_EQ(h.mean(), 500'000.5);
}

TEST(TernBenchHistogram, TwoModes) {
  // 99% at 100 us, 1% at 10 ms: p99 is still the fast mode, p99.9 the slow one.
  Histogram h;
  for (int i = 0; i < 99'000; ++i)
    h.record(100'000);
  for (int i = 0; i < 1'000; ++i)
    h.record(10'000'000);
  expect_near_relative(h.percentile(50), 100'000);
  expect_near_relative(h.percentile(99), 100'000);
  expect_near_relative(h.percentile(99.1), 10'000'000);
  expect_near_relative(h.percentile(99.9), 10'000'000);
  EXPECT_EQ(h.max(), 10'000'000u);
  EXPECT_EQ(h.min(), 100'000u);
}

TEST(TernBenchHistogram, ExponentialDistribution) {
  // Exponential with mean 1 ms: the p-th percentile is -ln(1 - p) ms.
  std::mt19937_64 random(42);
  std::exponential_distribution<double> exponential(1.0);
  Histogram h;
  for (int i = 0; i < 200'000; ++i)
    h.record(static_cast<std::uint64_t>(exponential(random) * 1e6));
  for (double p : {50.0, 90.0, 99.0}) {
    // Sampling error dominates at p99 with 2,000 values above it: allow 5%.
    expect_near_relative(h.percentile(p), -std::log(1 - p / 100) * 1e6, 0.05);
  }
  EXPECT_NEAR(h.mean(), 1e6, 1e4);
}

TEST(TernBenchHistogram, PercentilesNeverExceedTheMax) {
  Histogram h;
  h.record(1'000'001);  // in a bucket whose highest value is larger
  EXPECT_EQ(h.percentile(50), 1'000'001u);
  EXPECT_EQ(h.percentile(100), 1'000'001u);
}

TEST(TernBenchHistogram, ValuesAboveTheRangeKeepAnExactMax) {
  Histogram h;
  h.record(Histogram::kHighest * 4);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.max(), Histogram::kHighest * 4);
  EXPECT_EQ(h.percentile(100), Histogram::kHighest * 4);
}

TEST(TernBenchHistogram, AddMergesAsIfRecordedTogether) {
  Histogram a;
  Histogram b;
  Histogram both;
  for (std::uint64_t v = 1; v <= 10'000; ++v) {
    (v % 3 ? a : b).record(v * 37);
    both.record(v * 37);
  }
  a.add(b);
  EXPECT_EQ(a.count(), both.count());
  EXPECT_EQ(a.min(), both.min());
  EXPECT_EQ(a.max(), both.max());
  EXPECT_DOUBLE_EQ(a.mean(), both.mean());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0})
    EXPECT_EQ(a.percentile(p), both.percentile(p)) << p;
}

}  // namespace
}  // namespace tern::bench
