// Internal to the config layer: the argument checks every directive handler uses, so that every
// directive words its errors the same way ("missing argument for 'port'").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/parse_state.h"

namespace tern::config {

std::string quoted(std::string_view text);

Status missing(const Args& a);
Status extra(const Args& a, std::string_view word);

// Exactly one argument, into `out`.
Status one_word(const Args& a, std::string_view& out);

// `word` as an integer in [min, max], into `out`. Distinguishes a bad number ("12abc"), a negative
// where none is allowed, and a number out of range.
Status int_word(const Args& a, std::string_view word, std::int64_t min, std::int64_t max,
                std::int64_t& out);

// Exactly one argument, an integer in [min, max].
Status int_arg(const Args& a, std::int64_t min, std::int64_t max, std::int64_t& out);

// Exactly one argument, a boolean (true, false, 1, 0).
Status bool_arg(const Args& a, bool& out);

// The error for a word that is not one of `choices` ("mqtt or websockets").
Status bad_choice(const Args& a, std::string_view word, std::string_view choices);

}  // namespace tern::config
