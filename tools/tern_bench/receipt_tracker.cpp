#include "receipt_tracker.h"

#include <algorithm>
#include <bit>

namespace tern::bench {

bool ReceiptTracker::record(std::uint32_t subscriber, std::uint32_t receiver,
                            std::uint32_t publisher, std::uint32_t sequence) {
  if (sequence > kMaxSequence) {
    ++untracked_;
    return true;
  }
  Pair& pair = pairs_[key(receiver, publisher)];
  ++pair.received;
  pair.lowest = std::min(pair.lowest, sequence);
  pair.highest = std::max(pair.highest, sequence);
  std::size_t word = sequence / 64;
  if (word >= pair.seen.size()) {
    // Grow geometrically: sequences mostly arrive in order, one word at a time.
    pair.seen.resize(std::max(word + 1, pair.seen.size() * 2), 0);
  }
  std::uint64_t bit = std::uint64_t{1} << (sequence % 64);
  bool fresh = (pair.seen[word] & bit) == 0;
  pair.seen[word] |= bit;
  if (fresh) ++pair.distinct;

  std::uint32_t& next = next_[key(subscriber, publisher)];
  if (sequence + 1 > next) {
    next = sequence + 1;
  } else if (fresh) {
    ++out_of_order_;
  }
  return fresh;
}

void ReceiptTracker::merge(const ReceiptTracker& other) {
  for (const auto& [k, theirs] : other.pairs_) {
    auto [it, added] = pairs_.try_emplace(k, theirs);
    if (added) continue;
    Pair& ours = it->second;
    ours.received += theirs.received;
    ours.lowest = std::min(ours.lowest, theirs.lowest);
    ours.highest = std::max(ours.highest, theirs.highest);
    if (ours.seen.size() < theirs.seen.size()) ours.seen.resize(theirs.seen.size(), 0);
    ours.distinct = 0;
    for (std::size_t i = 0; i < ours.seen.size(); ++i) {
      if (i < theirs.seen.size()) ours.seen[i] |= theirs.seen[i];
      ours.distinct += static_cast<std::uint64_t>(std::popcount(ours.seen[i]));
    }
  }
  for (const auto& [k, next] : other.next_) {
    std::uint32_t& ours = next_[k];
    ours = std::max(ours, next);
  }
  out_of_order_ += other.out_of_order_;
  untracked_ += other.untracked_;
}

LossFigures ReceiptTracker::figures(const TopicPlan& plan,
                                    const std::vector<std::uint64_t>& sent) const {
  LossFigures f;
  f.out_of_order = out_of_order_;
  f.untracked = untracked_;
  std::uint64_t distinct_expected = 0;
  for (const auto& [k, pair] : pairs_) {
    f.received += pair.received;
    f.duplicated += pair.received - pair.distinct;
    auto receiver = static_cast<std::uint32_t>(k >> 32);
    auto publisher = static_cast<std::uint32_t>(k);
    const std::vector<std::uint32_t>* heard =
        receiver < plan.publishers_of.size() ? &plan.publishers_of[receiver] : nullptr;
    if (!heard || !std::binary_search(heard->begin(), heard->end(), publisher)) {
      f.unexpected += pair.distinct;
      continue;
    }
    std::uint64_t sent_by = publisher < sent.size() ? sent[publisher] : 0;
    // Sequence numbers at or above what the publisher sent cannot be real.
    distinct_expected += std::min(pair.distinct, sent_by);
  }
  f.received += untracked_;
  for (std::uint32_t r = 0; r < plan.publishers_of.size(); ++r) {
    for (std::uint32_t publisher : plan.publishers_of[r]) {
      if (publisher < sent.size()) f.expected += sent[publisher];
    }
  }
  f.lost = f.expected > distinct_expected ? f.expected - distinct_expected : 0;
  return f;
}

LossFigures ReceiptTracker::figures_without_plan() const {
  LossFigures f;
  f.out_of_order = out_of_order_;
  f.untracked = untracked_;
  for (const auto& [k, pair] : pairs_) {
    f.received += pair.received;
    f.duplicated += pair.received - pair.distinct;
    f.lost += std::uint64_t{pair.highest} - pair.lowest + 1 - pair.distinct;
  }
  f.received += untracked_;
  return f;
}

}  // namespace tern::bench
