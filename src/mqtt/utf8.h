// UTF-8 as MQTT requires it (MQTT 5.0 section 1.5.4): well-formed per RFC 3629 (no overlong
// forms, no surrogates U+D800..U+DFFF [MQTT-1.5.4-1], nothing above U+10FFFF) and without
// U+0000 [MQTT-1.5.4-2]. Other control characters and non-characters are allowed: the
// specification only says senders SHOULD NOT use them.
#pragma once

#include <cstdint>
#include <string_view>

namespace tern::mqtt {

enum class Utf8Verdict : std::uint8_t { valid, ill_formed, contains_null };

Utf8Verdict check_utf8(std::string_view text);

inline bool is_valid_utf8(std::string_view text) {
  return check_utf8(text) == Utf8Verdict::valid;
}

}  // namespace tern::mqtt
