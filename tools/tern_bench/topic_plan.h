// TopicPlan: who publishes where, who subscribes to what, and which messages each subscriber
// should therefore receive.
//
// Publisher i publishes to the topic template with %i = i; subscriber j subscribes to the filter
// template (--sub-topic, else the topic template) with %i = j, prefixed with $share/bench/ under
// --shared. A "receiver" is what losses are counted against: a subscriber, or with --shared one
// group (all subscribers with the same filter), which as a whole should get each message once.
// Which publishers a receiver hears is computed with the codec's topic matching.
//
// Built once before the run; read-only afterwards, so threads may share it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "options.h"

namespace tern::bench {

// `pattern` with every "%i" replaced by `index`.
std::string expand(std::string_view pattern, std::uint32_t index);

struct TopicPlan {
  std::vector<std::string> topics;         // per publisher
  std::vector<std::string> filters;        // per subscriber, as sent in SUBSCRIBE
  std::vector<std::uint32_t> receiver_of;  // per subscriber: its receiver
  std::uint32_t receivers = 0;
  // Per receiver: the publishers whose topic its filter matches, ascending.
  std::vector<std::vector<std::uint32_t>> publishers_of;
  // Per publisher: how many receivers should get each of its messages.
  std::vector<std::uint32_t> fanout;

  // Messages the receivers should get in all when publisher i sent sent[i].
  std::uint64_t expected(const std::vector<std::uint64_t>& sent) const;
};

struct PlanResult {
  TopicPlan plan;
  std::string error;  // an invalid topic or filter
};

PlanResult make_plan(const Options& options);

}  // namespace tern::bench
