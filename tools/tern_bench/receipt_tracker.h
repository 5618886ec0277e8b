// ReceiptTracker: which sequence numbers each receiver got from each publisher, to count lost,
// duplicated and out-of-order messages.
//
// One bit per sequence number per (receiver, publisher) pair, so memory is about one bit per
// message delivered. A receiver is a subscriber, or a shared-subscription group (see
// topic_plan.h). Out-of-order is judged per subscriber even in a group: a message older than one
// the same subscriber already got from the same publisher, and not a duplicate.
//
// Not thread-safe: one tracker per thread; merge() them when the threads are done, then ask for
// the figures.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "topic_plan.h"

namespace tern::bench {

struct LossFigures {
  std::uint64_t expected = 0;      // receipts the plan calls for (0 in sub mode: unknown)
  std::uint64_t received = 0;      // every receipt, duplicates included
  std::uint64_t lost = 0;          // expected but never received (sub mode: gaps in sequences)
  std::uint64_t duplicated = 0;    // receipts of a message already received
  std::uint64_t out_of_order = 0;  // see above
  std::uint64_t unexpected = 0;    // from a publisher the receiver's filter does not match
  std::uint64_t untracked = 0;     // payloads without a benchmark header, or out of range
};

class ReceiptTracker {
 public:
  // Sequence numbers above this are not tracked (a foreign payload must not allocate 512 MiB).
  static constexpr std::uint32_t kMaxSequence = (1u << 30) - 1;

  // Records one receipt; returns false for a duplicate (as far as this tracker knows).
  bool record(std::uint32_t subscriber, std::uint32_t receiver, std::uint32_t publisher,
              std::uint32_t sequence);
  // A message whose payload could not be tracked.
  void record_untracked() { ++untracked_; }

  // Adds the receipts of `other` (another thread's) to this tracker.
  void merge(const ReceiptTracker& other);

  // The figures against `plan`, when publisher i sent sent[i] messages.
  LossFigures figures(const TopicPlan& plan, const std::vector<std::uint64_t>& sent) const;
  // The figures without a plan (sub mode): lost are the gaps between the lowest and the highest
  // sequence number received per pair.
  LossFigures figures_without_plan() const;

 private:
  struct Pair {
    std::vector<std::uint64_t> seen;  // bit n: sequence n received
    std::uint64_t received = 0;
    std::uint64_t distinct = 0;
    std::uint32_t lowest = UINT32_MAX;
    std::uint32_t highest = 0;
  };
  static std::uint64_t key(std::uint32_t a, std::uint32_t b) {
    return (std::uint64_t{a} << 32) | b;
  }

  std::unordered_map<std::uint64_t, Pair> pairs_;          // by (receiver, publisher)
  std::unordered_map<std::uint64_t, std::uint32_t> next_;  // by (subscriber, publisher)
  std::uint64_t out_of_order_ = 0;
  std::uint64_t untracked_ = 0;
};

}  // namespace tern::bench
