// Argument conversions and checks done the way mosquitto's client tools (2.0.11) do them, so that
// tern_pub, tern_sub and tern_rr accept and refuse exactly the same command lines.
//
// mosquitto converts numbers with the C library (atoi, atol, atof, strtol): leading blanks and a
// sign are accepted, conversion stops at the first character that is not a digit, and a word
// that is not a number at all is 0. Its UTF-8 check is stricter than MQTT's (control characters
// and Unicode non-characters are refused), and its topic checks only look at wildcards and
// length. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tern::tools {

// atoi(3) as glibc has it: strtol(text, NULL, 10) truncated to int.
int c_atoi(std::string_view text);
// atol(3): strtol(text, NULL, 10), saturated to the range of long.
long c_atol(std::string_view text);
// atof(3).
double c_atof(std::string_view text);
// strtol(text, &end, base) where the whole word must be the number; std::nullopt when it is not
// (empty, or characters left over). Saturates like strtol.
std::optional<long> c_strtol_whole(std::string_view text, int base);

// libmosquitto's mosquitto_validate_utf8: well-formed UTF-8 of at most 65,536 bytes without
// U+0000, control characters (U+0001..U+001F, U+007F..U+009F) or non-characters
// (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF).
bool mosquitto_utf8_ok(std::string_view text);
// mosquitto_pub_topic_check: no '+' or '#', at most 65,535 bytes. The empty topic passes.
bool mosquitto_pub_topic_ok(std::string_view topic);
// mosquitto_sub_topic_check: '+' and '#' fill a whole level and '#' is last, at most 65,535
// bytes. The empty filter passes.
bool mosquitto_sub_topic_ok(std::string_view filter);

}  // namespace tern::tools
