#include "common/mosquitto_compat.h"

#include <cstdlib>
#include <string>

#include "mqtt/utf8.h"

namespace tern::tools {

// The C functions need a NUL-terminated string; command-line words never contain NUL.
int c_atoi(std::string_view text) {
  return static_cast<int>(c_atol(text));
}

long c_atol(std::string_view text) {
  std::string word(text);
  return std::strtol(word.c_str(), nullptr, 10);
}

double c_atof(std::string_view text) {
  std::string word(text);
  return std::strtod(word.c_str(), nullptr);
}

std::optional<long> c_strtol_whole(std::string_view text, int base) {
  std::string word(text);
  char* end = nullptr;
  long value = std::strtol(word.c_str(), &end, base);
  if (end == word.c_str() || *end != '\0') return std::nullopt;
  return value;
}

namespace {

// Decodes one code point of text already known to be well-formed UTF-8.
char32_t decode(std::string_view text, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  char32_t cp = c & (0x7F >> length);
  for (int k = 1; k < length; ++k)
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  i += length;
  return cp;
}

}  // namespace

bool mosquitto_utf8_ok(std::string_view text) {
  if (text.size() > 65536) return false;
  if (mqtt::check_utf8(text) != mqtt::Utf8Verdict::valid) return false;
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = decode(text, i);
    if (cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F)) return false;
    if (cp >= 0xFDD0 && cp <= 0xFDEF) return false;
    if ((cp & 0xFFFE) == 0xFFFE) return false;
  }
  return true;
}

bool mosquitto_pub_topic_ok(std::string_view topic) {
  if (topic.size() > 65535) return false;
  return topic.find_first_of("+#") == std::string_view::npos;
}

bool mosquitto_sub_topic_ok(std::string_view filter) {
  if (filter.size() > 65535) return false;
  for (std::size_t i = 0; i < filter.size(); ++i) {
    char c = filter[i];
    if (c != '+' && c != '#') continue;
    if (i > 0 && filter[i - 1] != '/') return false;
    if (c == '#' && i + 1 < filter.size()) return false;
    if (c == '+' && i + 1 < filter.size() && filter[i + 1] != '/') return false;
  }
  return true;
}

}  // namespace tern::tools
