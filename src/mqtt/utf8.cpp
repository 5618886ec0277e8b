#include "mqtt/utf8.h"

namespace tern::mqtt {

// Hand-written: the check is a few lines, sits on the hot path of every topic, and no Debian
// library validates UTF-8 with MQTT's extra rule about U+0000 in one pass.
Utf8Verdict check_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  bool null_seen = false;
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      null_seen |= (c == 0);
      ++p;
      continue;
    }
    // Table 3-7 of the Unicode Standard: the well-formed byte sequences.
    int length;
    unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates U+D800..U+DFFF
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return Utf8Verdict::ill_formed;  // continuation byte, C0, C1 or F5..FF
    }
    if (end - p < length) return Utf8Verdict::ill_formed;
    if (p[1] < lo || p[1] > hi) return Utf8Verdict::ill_formed;
    for (int i = 2; i < length; ++i) {
      if ((p[i] & 0xC0) != 0x80) return Utf8Verdict::ill_formed;
    }
    p += length;
  }
  return null_seen ? Utf8Verdict::contains_null : Utf8Verdict::valid;
}

}  // namespace tern::mqtt
