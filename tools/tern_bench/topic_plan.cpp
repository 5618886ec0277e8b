#include "topic_plan.h"

#include <algorithm>
#include <unordered_map>

#include "mqtt/topic.h"

namespace tern::bench {

std::string expand(std::string_view pattern, std::uint32_t index) {
  std::string out;
  std::string number = std::to_string(index);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == 'i') {
      out += number;
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

std::uint64_t TopicPlan::expected(const std::vector<std::uint64_t>& sent) const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < sent.size() && i < fanout.size(); ++i)
    total += sent[i] * fanout[i];
  return total;
}

PlanResult make_plan(const Options& options) {
  PlanResult result;
  TopicPlan& plan = result.plan;
  std::unordered_map<std::string, std::vector<std::uint32_t>> publishers_by_topic;
  for (std::uint32_t i = 0; i < options.publishers; ++i) {
    std::string topic = expand(options.topic, i);
    if (!mqtt::is_valid_topic_name(topic)) {
      result.error = "invalid topic '" + topic + "' (from -t '" + options.topic + "')";
      return result;
    }
    publishers_by_topic[topic].push_back(i);
    plan.topics.push_back(std::move(topic));
  }

  // Receivers: one per subscriber, or one per distinct filter when shared.
  std::unordered_map<std::string, std::uint32_t> group_of_filter;
  std::vector<std::string> receiver_filters;
  for (std::uint32_t j = 0; j < options.subscribers; ++j) {
    std::string filter = expand(options.filter_template(), j);
    std::string sent = options.shared ? "$share/bench/" + filter : filter;
    if (!mqtt::is_valid_topic_filter(sent) || mqtt::is_shared_filter(filter)) {
      result.error =
          "invalid topic filter '" + sent + "' (from '" + options.filter_template() + "')";
      return result;
    }
    std::uint32_t receiver = j;
    if (options.shared) {
      auto [it, added] = group_of_filter.try_emplace(filter, plan.receivers);
      receiver = it->second;
      if (added) {
        ++plan.receivers;
        receiver_filters.push_back(filter);
      }
    } else {
      ++plan.receivers;
      receiver_filters.push_back(filter);
    }
    plan.receiver_of.push_back(receiver);
    plan.filters.push_back(std::move(sent));
  }

  // Matching, once per distinct filter: a lookup for a plain filter, a scan of the distinct
  // topics for a wildcard one.
  std::unordered_map<std::string, std::vector<std::uint32_t>> matches_of_filter;
  plan.fanout.assign(options.publishers, 0);
  for (const std::string& filter : receiver_filters) {
    auto [it, added] = matches_of_filter.try_emplace(filter);
    if (added) {
      if (!mqtt::has_wildcard(filter)) {
        if (auto found = publishers_by_topic.find(filter); found != publishers_by_topic.end()) {
          it->second = found->second;
        }
      } else {
        for (const auto& [topic, publishers] : publishers_by_topic) {
          if (mqtt::topic_matches(filter, topic)) {
            it->second.insert(it->second.end(), publishers.begin(), publishers.end());
          }
        }
        std::sort(it->second.begin(), it->second.end());
      }
    }
    for (std::uint32_t publisher : it->second)
      ++plan.fanout[publisher];
    plan.publishers_of.push_back(it->second);
  }
  return result;
}

}  // namespace tern::bench
