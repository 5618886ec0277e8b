// Topic names, topic filters and how they match (MQTT 5.0 section 4.7, MQTT 3.1.1 section 4.7).
//
// Topics are split into levels by '/'. In a filter:
//   '+' matches exactly one level, which may be empty: "sport/+/player" matches
//       "sport/tennis/player" but not "sport/tennis/x/player"; "+/+" matches "/finance".
//       It must occupy a whole level: "sport+" is invalid [MQTT-4.7.1-2].
//   '#' matches the parent level and any number of levels below: "sport/#" matches "sport",
//       "sport/" and "sport/tennis/player". It must be last and occupy a whole level:
//       "sport/#/x" and "sport#" are invalid [MQTT-4.7.1-1].
//   A filter starting with '+' or '#' does not match a topic starting with '$' ("$SYS/...")
//       [MQTT-4.7.2-1]; "$SYS/#" does.
// Topic names have no wildcards. Names and filters are 1 to 65,535 bytes of UTF-8 [MQTT-4.7.3-1].
// A shared subscription is "$share/{ShareName}/{filter}": ShareName is at least one character,
// without '/', '+' or '#' [MQTT-4.8.2-1], and a valid filter follows the '/' [MQTT-4.8.2-2].
// Matching is byte-wise and case-sensitive.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace tern::mqtt {

// A valid topic name for PUBLISH: non-empty, well-formed MQTT UTF-8, no '+' or '#'.
bool is_valid_topic_name(std::string_view topic);

// A valid topic filter for SUBSCRIBE/UNSUBSCRIBE, shared subscriptions included.
bool is_valid_topic_filter(std::string_view filter);

struct SharedFilter {
  std::string_view share_name;
  std::string_view filter;  // the filter that topics are matched against
};

// Splits "$share/{ShareName}/{filter}". std::nullopt when `filter` is not a shared subscription
// or is one with invalid syntax (is_valid_topic_filter tells those apart).
std::optional<SharedFilter> parse_shared_filter(std::string_view filter);

bool is_shared_filter(std::string_view filter);
bool has_wildcard(std::string_view filter);

// Whether `topic` (a valid topic name) matches `filter` (a valid, non-shared topic filter).
bool topic_matches(std::string_view filter, std::string_view topic);

}  // namespace tern::mqtt
