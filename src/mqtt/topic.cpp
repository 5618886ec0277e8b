#include "mqtt/topic.h"

#include "mqtt/utf8.h"

namespace tern::mqtt {

namespace {

constexpr std::string_view kSharePrefix = "$share/";
constexpr std::size_t kMaxLength = 65'535;

bool is_valid_text(std::string_view text) {
  return !text.empty() && text.size() <= kMaxLength && is_valid_utf8(text);
}

// A filter without the $share prefix: '+' and '#' alone in their level, '#' last.
bool is_valid_plain_filter(std::string_view filter) {
  if (filter.empty()) return false;
  for (std::size_t i = 0; i < filter.size(); ++i) {
    char c = filter[i];
    if (c != '+' && c != '#') continue;
    bool starts_level = i == 0 || filter[i - 1] == '/';
    bool ends_level = i + 1 == filter.size() || filter[i + 1] == '/';
    if (!starts_level || !ends_level) return false;        // [MQTT-4.7.1-2], [MQTT-4.7.1-1]
    if (c == '#' && i + 1 != filter.size()) return false;  // [MQTT-4.7.1-1]
  }
  return true;
}

}  // namespace

bool is_valid_topic_name(std::string_view topic) {
  return is_valid_text(topic) && !has_wildcard(topic);
}

bool is_shared_filter(std::string_view filter) {
  return filter.starts_with(kSharePrefix);
}

bool has_wildcard(std::string_view filter) {
  return filter.find_first_of("+#") != std::string_view::npos;
}

std::optional<SharedFilter> parse_shared_filter(std::string_view filter) {
  if (!is_shared_filter(filter) || !is_valid_text(filter)) return std::nullopt;
  std::string_view rest = filter.substr(kSharePrefix.size());
  std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  SharedFilter shared{rest.substr(0, slash), rest.substr(slash + 1)};
  // [MQTT-4.8.2-1]: ShareName is at least one character, without '/', '+' or '#'.
  if (shared.share_name.empty() || has_wildcard(shared.share_name)) return std::nullopt;
  // [MQTT-4.8.2-2]: a topic filter follows the '/'.
  if (!is_valid_plain_filter(shared.filter)) return std::nullopt;
  return shared;
}

bool is_valid_topic_filter(std::string_view filter) {
  if (!is_valid_text(filter)) return false;
  if (is_shared_filter(filter)) return parse_shared_filter(filter).has_value();
  return is_valid_plain_filter(filter);
}

bool topic_matches(std::string_view filter, std::string_view topic) {
  // [MQTT-4.7.2-1]: leading wildcards do not match '$' topics.
  if (!topic.empty() && topic.front() == '$' && !filter.empty() &&
      (filter.front() == '+' || filter.front() == '#')) {
    return false;
  }
  std::size_t f = 0, t = 0;
  while (true) {
    // Both positions are at the start of a level.
    if (f < filter.size() && filter[f] == '#') return true;  // matches this level and below
    std::size_t f_end = filter.find('/', f);
    std::size_t t_end = topic.find('/', t);
    if (f_end == std::string_view::npos) f_end = filter.size();
    if (t_end == std::string_view::npos) t_end = topic.size();
    std::string_view f_level = filter.substr(f, f_end - f);
    if (f_level != "+" && f_level != topic.substr(t, t_end - t)) return false;
    bool filter_done = f_end == filter.size();
    bool topic_done = t_end == topic.size();
    if (topic_done) {
      // "sport/#" also matches "sport": the parent level [MQTT-4.7.1-2 example].
      return filter_done || filter.substr(f_end) == "/#";
    }
    if (filter_done) return false;
    f = f_end + 1;
    t = t_end + 1;
  }
}

}  // namespace tern::mqtt
