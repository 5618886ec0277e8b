// libFuzzer target: topic names, topic filters, shared subscriptions and matching, against small
// independent reference implementations written here from the specification (MQTT 5.0 sections
// 1.5.4, 4.7 and 4.8.2).
//
// Input layout: "<filter>\0<topic>". Without a 0x00 byte the whole input is both the filter and
// the topic. (A valid name or filter never contains U+0000, so nothing is lost by the split.)
//
// Invariants checked (any violation aborts):
//   - check_utf8, is_valid_topic_name and is_valid_topic_filter agree with the references;
//   - is_shared_filter and parse_shared_filter agree with the "$share/{name}/{filter}" syntax: a
//     parse has a non-empty share name without '/', '+' or '#', a valid inner filter, and
//     reassembles to the input; a valid shared filter always parses;
//   - has_wildcard of a valid filter is whether it contains '+' or '#';
//   - a valid topic name used as a (non-shared) filter is valid and matches itself;
//   - "#" matches every valid topic name that does not start with '$';
//   - topic_matches agrees with the reference matcher, for the input's filter and for filters
//     derived from the topic by replacing levels with '+' and cutting it short with '#'.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt/topic.h"
#include "mqtt/utf8.h"

namespace {

using namespace tern::mqtt;

constexpr std::size_t kMaxLength = 65'535;
constexpr std::string_view kSharePrefix = "$share/";

void print(const char* label, std::string_view text) {
  std::fprintf(stderr, "%s (%zu bytes):", label, text.size());
  for (char c : text)
    std::fprintf(stderr, " %02x", static_cast<unsigned char>(c));
  std::fprintf(stderr, "\n");
}

// The strings of the failing check, for the report.
std::string_view g_filter;
std::string_view g_topic;

[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "fuzz_topic.cpp:%d: invariant violated: %s\n", line, what);
  print("filter", g_filter);
  print("topic", g_topic);
  std::abort();
}

#define FUZZ_CHECK(cond)                \
  do {                                  \
    if (!(cond)) fail(#cond, __LINE__); \
  } while (false)

// ---- References ---------------------------------------------------------------------------

// RFC 3629 well-formedness: no overlong forms, no surrogates, nothing above U+10FFFF.
bool ref_well_formed_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      code_point = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      code_point = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return false;  // a continuation byte, C0, C1 or F5..FF
    }
    if (text.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (length == 3 && code_point < 0x800) return false;
    if (length == 4 && (code_point < 0x10000 || code_point > 0x10FFFF)) return false;
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return false;
    i += length;
  }
  return true;
}

// A 0x00 byte is always U+0000 or part of an ill-formed sequence, never inside a character.
bool has_null(std::string_view text) {
  return text.find('\0') != std::string_view::npos;
}

bool ref_mqtt_utf8(std::string_view text) {
  return ref_well_formed_utf8(text) && !has_null(text);
}

bool has_wildcard_char(std::string_view text) {
  return text.find_first_of("+#") != std::string_view::npos;
}

std::vector<std::string_view> split_levels(std::string_view text) {
  std::vector<std::string_view> levels;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = text.find('/', start);
    if (slash == std::string_view::npos) {
      levels.push_back(text.substr(start));
      return levels;
    }
    levels.push_back(text.substr(start, slash - start));
    start = slash + 1;
  }
}

bool ref_topic_name(std::string_view topic) {
  return !topic.empty() && topic.size() <= kMaxLength && ref_mqtt_utf8(topic) &&
         !has_wildcard_char(topic);
}

// A filter without the shared subscription syntax.
bool ref_plain_filter(std::string_view filter) {
  if (filter.empty() || filter.size() > kMaxLength || !ref_mqtt_utf8(filter)) return false;
  const std::vector<std::string_view> levels = split_levels(filter);
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const std::string_view level = levels[i];
    if (level.find('#') != std::string_view::npos && (level != "#" || i + 1 != levels.size())) {
      return false;
    }
    if (level.find('+') != std::string_view::npos && level != "+") return false;
  }
  return true;
}

struct RefShared {
  std::string_view share_name;
  std::string_view filter;
};

// Splits "$share/{name}/{filter}" at the first '/' after the prefix; no validation.
std::optional<RefShared> ref_split_shared(std::string_view filter) {
  if (!filter.starts_with(kSharePrefix)) return std::nullopt;
  const std::string_view rest = filter.substr(kSharePrefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return RefShared{rest, std::string_view()};
  return RefShared{rest.substr(0, slash), rest.substr(slash + 1)};
}

// Whether the reference has no firm opinion: "$share" alone, and a shared filter whose inner
// filter starts with "$share" again, where readings of the specification differ.
bool ambiguous_filter(std::string_view filter) {
  if (filter == "$share") return true;
  const std::optional<RefShared> shared = ref_split_shared(filter);
  return shared && shared->filter.starts_with("$share");
}

bool ref_filter(std::string_view filter) {
  const std::optional<RefShared> shared = ref_split_shared(filter);
  if (!shared) return ref_plain_filter(filter);
  if (filter.size() > kMaxLength || !ref_mqtt_utf8(filter)) return false;
  if (shared->share_name.empty() || has_wildcard_char(shared->share_name)) return false;
  return ref_plain_filter(shared->filter);
}

bool ref_match_levels(const std::vector<std::string_view>& filter, std::size_t f,
                      const std::vector<std::string_view>& topic, std::size_t t) {
  if (f == filter.size()) return t == topic.size();
  if (filter[f] == "#") return true;  // the parent level and everything below
  if (t == topic.size()) return false;
  if (filter[f] != "+" && filter[f] != topic[t]) return false;
  return ref_match_levels(filter, f + 1, topic, t + 1);
}

// `filter` valid and not shared, `topic` a valid name.
bool ref_matches(std::string_view filter, std::string_view topic) {
  if (topic.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#'))) return false;
  return ref_match_levels(split_levels(filter), 0, split_levels(topic), 0);
}

// ---- Checks -------------------------------------------------------------------------------

void check_utf8_verdict(std::string_view text) {
  const Utf8Verdict verdict = check_utf8(text);
  const bool well_formed = ref_well_formed_utf8(text);
  const bool null = has_null(text);
  if (well_formed && !null) FUZZ_CHECK(verdict == Utf8Verdict::valid);
  if (well_formed && null) FUZZ_CHECK(verdict == Utf8Verdict::contains_null);
  if (!well_formed && !null) FUZZ_CHECK(verdict == Utf8Verdict::ill_formed);
  if (!well_formed && null) FUZZ_CHECK(verdict != Utf8Verdict::valid);  // either error will do
  FUZZ_CHECK(is_valid_utf8(text) == (verdict == Utf8Verdict::valid));
}

void check_match(std::string_view filter, std::string_view topic) {
  g_filter = filter;
  g_topic = topic;
  FUZZ_CHECK(topic_matches(filter, topic) == ref_matches(filter, topic));
}

// Checks one string as a name and as a filter; returns whether it is a valid filter.
bool check_syntax(std::string_view text) {
  check_utf8_verdict(text);
  FUZZ_CHECK(is_valid_topic_name(text) == ref_topic_name(text));

  const bool valid_filter = is_valid_topic_filter(text);
  if (!ambiguous_filter(text)) FUZZ_CHECK(valid_filter == ref_filter(text));
  if (valid_filter) FUZZ_CHECK(has_wildcard(text) == has_wildcard_char(text));

  const bool shared = is_shared_filter(text);
  if (text.starts_with(kSharePrefix)) FUZZ_CHECK(shared);
  if (!text.starts_with("$share")) FUZZ_CHECK(!shared);

  const std::optional<SharedFilter> parsed = parse_shared_filter(text);
  if (parsed) {
    FUZZ_CHECK(shared);
    FUZZ_CHECK(!parsed->share_name.empty());
    FUZZ_CHECK(parsed->share_name.find_first_of("/+#") == std::string_view::npos);
    FUZZ_CHECK(!parsed->filter.empty());
    // parse_shared_filter checks the $share syntax only, not UTF-8 or length, so it accepts
    // "$share/g/\xff", which is_valid_topic_filter rejects: callers check validity first.
    if (text.size() <= kMaxLength && ref_mqtt_utf8(text)) {
      FUZZ_CHECK(valid_filter);
      // The inner filter is a plain filter, even when it reads "$share/...": in
      // "$share/g/$share/g/" it is "$share/g/", which is not valid as a shared filter itself.
      FUZZ_CHECK(ref_plain_filter(parsed->filter));
      if (!is_shared_filter(parsed->filter)) FUZZ_CHECK(is_valid_topic_filter(parsed->filter));
    }
    std::string joined(kSharePrefix);
    joined.append(parsed->share_name).append("/").append(parsed->filter);
    FUZZ_CHECK(joined == text);
    const std::optional<RefShared> ref = ref_split_shared(text);
    FUZZ_CHECK(ref.has_value());
    FUZZ_CHECK(ref->share_name == parsed->share_name);
    FUZZ_CHECK(ref->filter == parsed->filter);
  } else {
    FUZZ_CHECK(!(valid_filter && shared));  // a valid shared filter always parses
  }
  return valid_filter;
}

// A filter that must match `topic`: some levels become '+', and perhaps the tail becomes '#'.
// `bits` chooses which.
std::string derive_filter(std::string_view topic, std::uint64_t bits) {
  const std::vector<std::string_view> levels = split_levels(topic);
  const std::size_t cut = (bits & 1) != 0 ? (bits >> 1) % (levels.size() + 1) : levels.size();
  bits >>= 8;
  std::string filter;
  for (std::size_t i = 0; i < cut; ++i) {
    if (i != 0) filter += '/';
    filter += ((bits >> (i % 56)) & 1) != 0 ? std::string_view("+") : levels[i];
  }
  if (cut < levels.size()) filter += cut == 0 ? "#" : "/#";
  return filter;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t zero = input.find('\0');
  const std::string_view filter = zero == std::string_view::npos ? input : input.substr(0, zero);
  const std::string_view topic = zero == std::string_view::npos ? input : input.substr(zero + 1);
  g_filter = filter;
  g_topic = topic;

  const bool filter_valid = check_syntax(filter);
  check_syntax(topic);
  g_filter = filter;
  g_topic = topic;

  if (!is_valid_topic_name(topic)) return 0;

  // A valid name is a valid filter that matches itself (unless it reads as a shared filter).
  if (!topic.starts_with("$share")) {
    FUZZ_CHECK(is_valid_topic_filter(topic));
    FUZZ_CHECK(topic_matches(topic, topic));
  }
  FUZZ_CHECK(topic_matches("#", topic) == !topic.starts_with('$'));
  check_match("+/#", topic);

  if (filter_valid && !ambiguous_filter(filter)) {
    if (!is_shared_filter(filter)) {
      check_match(filter, topic);
    } else if (const std::optional<SharedFilter> parsed = parse_shared_filter(filter)) {
      if (!is_shared_filter(parsed->filter)) check_match(parsed->filter, topic);
    }
  }

  // Filters derived from the topic, chosen by the filter's first bytes.
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < filter.size() && i < 8; ++i) {
    bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(filter[i])) << (8 * i);
  }
  for (std::uint64_t variant : {bits, ~bits, bits * 0x9E3779B97F4A7C15u}) {
    const std::string derived = derive_filter(topic, variant);
    g_filter = derived;
    if (derived.starts_with("$share")) continue;
    FUZZ_CHECK(is_valid_topic_filter(derived));
    const bool dollar_exception =
        topic.starts_with('$') && (derived.starts_with('+') || derived.starts_with('#'));
    FUZZ_CHECK(topic_matches(derived, topic) == !dollar_exception);
    check_match(derived, topic);
  }
  return 0;
}
