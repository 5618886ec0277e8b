#include "config/values.h"

#include <charconv>
#include <limits>

namespace tern::config {

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return std::nullopt;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  if (text.empty() || text.front() == '+') return std::nullopt;
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  std::uint64_t unit = 0;
  switch (text.back()) {
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 86400 * 7;
      break;
    case 'm':
      unit = 86400 * 30;
      break;
    case 'y':
      unit = 86400 * 365;
      break;
    default:
      return std::nullopt;
  }
  auto count = parse_int(text.substr(0, text.size() - 1));
  if (!count || *count <= 0) return std::nullopt;
  auto n = static_cast<std::uint64_t>(*count);
  if (n > std::numeric_limits<std::uint64_t>::max() / unit) return std::nullopt;
  return n * unit;
}

}  // namespace tern::config
