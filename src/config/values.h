// Scalar values of mosquitto.conf: booleans, integers and durations. Pure functions over text,
// so every rule is tested without files.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tern::config {

// "true" or "1", "false" or "0" (as Mosquitto accepts); nothing else.
std::optional<bool> parse_bool(std::string_view text);

// A decimal integer with an optional leading '-': no '+', no blanks, no trailing characters,
// nothing outside int64_t.
std::optional<std::int64_t> parse_int(std::string_view text);

// Mosquitto's duration for persistent_client_expiration: a positive integer followed by one unit,
// h (hour), d (day), w (week), m (month, 30 days) or y (year, 365 days). Returns seconds.
std::optional<std::uint64_t> parse_duration(std::string_view text);

}  // namespace tern::config
