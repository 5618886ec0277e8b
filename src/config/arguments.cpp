// Checks shared by the directive handlers: argument counts, integers in a range, booleans, and the
// wording of their errors.
#include "config/arguments.h"

#include <algorithm>

#include "config/values.h"

namespace tern::config {

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

Status missing(const Args& a) {
  return "missing argument for " + quoted(a.name);
}

Status extra(const Args& a, std::string_view word) {
  return "unexpected argument " + quoted(word) + " for " + quoted(a.name);
}

// Exactly one word.
Status one_word(const Args& a, std::string_view& out) {
  if (a.words.empty()) return missing(a);
  if (a.words.size() > 1) return extra(a, a.words[1]);
  out = a.words[0];
  return kOk;
}

Status int_word(const Args& a, std::string_view word, std::int64_t min, std::int64_t max,
                std::int64_t& out) {
  auto value = parse_int(word);
  if (!value) {
    // Digits that do not fit int64_t are a number out of range, not a bad number.
    bool digits = !word.empty() && std::all_of(word.begin() + (word[0] == '-' ? 1 : 0), word.end(),
                                               [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || word == "-") return "bad number " + quoted(word) + " for " + quoted(a.name);
  } else if (*value >= min && *value <= max) {
    out = *value;
    return kOk;
  }
  bool negative = !word.empty() && word[0] == '-';
  if (negative && min >= 0) {
    return quoted(a.name) + " must not be negative, got " + std::string(word);
  }
  return quoted(a.name) + " must be between " + std::to_string(min) + " and " +
         std::to_string(max) + ", got " + std::string(word);
}

Status int_arg(const Args& a, std::int64_t min, std::int64_t max, std::int64_t& out) {
  std::string_view word;
  if (auto e = one_word(a, word)) return e;
  return int_word(a, word, min, max, out);
}

Status bool_arg(const Args& a, bool& out) {
  std::string_view word;
  if (auto e = one_word(a, word)) return e;
  auto value = parse_bool(word);
  if (!value) {
    return "bad boolean " + quoted(word) + " for " + quoted(a.name) + " (expected true or false)";
  }
  out = *value;
  return kOk;
}

Status bad_choice(const Args& a, std::string_view word, std::string_view choices) {
  return "bad value " + quoted(word) + " for " + quoted(a.name) + " (expected " +
         std::string(choices) + ")";
}

}  // namespace tern::config
