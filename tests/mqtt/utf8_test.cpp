// UTF-8 Encoded Strings as MQTT requires them: MQTT 5.0 section 1.5.4 ([MQTT-1.5.4-1]..[3]),
// MQTT 3.1.1 section 1.5.3 ([MQTT-1.5.3-1]..[3]), and well-formedness as RFC 3629 section 4 and
// Unicode 15 Table 3-7 ("Well-Formed UTF-8 Byte Sequences") define it:
//
//   U+0000..U+007F     00..7F
//   U+0080..U+07FF     C2..DF 80..BF
//   U+0800..U+0FFF     E0     A0..BF 80..BF
//   U+1000..U+CFFF     E1..EC 80..BF 80..BF
//   U+D000..U+D7FF     ED     80..9F 80..BF
//   U+E000..U+FFFF     EE..EF 80..BF 80..BF
//   U+10000..U+3FFFF   F0     90..BF 80..BF 80..BF
//   U+40000..U+FFFFF   F1..F3 80..BF 80..BF 80..BF
//   U+100000..U+10FFFF F4     80..8F 80..BF 80..BF

#include "mqtt/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace tern::mqtt {
namespace {

using namespace std::string_view_literals;

const char* name(Utf8Verdict verdict) {
  switch (verdict) {
    case Utf8Verdict::valid:
      return "valid";
    case Utf8Verdict::ill_formed:
      return "ill_formed";
    case Utf8Verdict::contains_null:
      return "contains_null";
  }
  return "?";
}

std::string hex(std::string_view text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0F];
    out += ' ';
  }
  return out;
}

void expect_verdict(std::string_view text, Utf8Verdict expected) {
  const Utf8Verdict actual = check_utf8(text);
  EXPECT_EQ(actual, expected) << "bytes: " << hex(text) << " -> " << name(actual) << ", expected "
                              << name(expected);
  EXPECT_EQ(is_valid_utf8(text), expected == Utf8Verdict::valid) << "bytes: " << hex(text);
}

void expect_valid(std::string_view text) {
  expect_verdict(text, Utf8Verdict::valid);
}
void expect_ill_formed(std::string_view text) {
  expect_verdict(text, Utf8Verdict::ill_formed);
}

// A well-formed sequence also when other characters surround it.
void expect_valid_in_context(std::string_view sequence) {
  const std::string s(sequence);
  expect_valid(s);
  expect_valid("a" + s);
  expect_valid(s + "z");
  expect_valid("a" + s + "z" + s);
}

// An ill-formed sequence also when other characters surround it.
void expect_ill_formed_in_context(std::string_view sequence) {
  const std::string s(sequence);
  expect_ill_formed(s);
  expect_ill_formed("abc" + s);
  expect_ill_formed(s + "xyz");
  expect_ill_formed("\xC3\xA9" + s + "\xC3\xA9");
}

TEST(Utf8Test, EmptyAndAscii) {
  expect_valid("");
  expect_valid("hello, world");
  expect_valid("sport/tennis/player1");
  std::string all_ascii;
  for (int c = 1; c < 0x80; ++c)
    all_ascii += static_cast<char>(c);
  expect_valid(all_ascii);
}

TEST(Utf8Test, TwoByteSequences) {
  expect_valid_in_context("\xC2\x80");  // U+0080, the smallest
  expect_valid_in_context("\xC3\xA9");  // U+00E9
  expect_valid_in_context("\xDF\xBF");  // U+07FF, the largest
}

TEST(Utf8Test, ThreeByteSequences) {
  expect_valid_in_context("\xE0\xA0\x80");  // U+0800, the smallest
  expect_valid_in_context("\xE1\x80\x80");  // U+1000
  expect_valid_in_context("\xE2\x82\xAC");  // U+20AC EURO SIGN
  expect_valid_in_context("\xEC\xBF\xBF");  // U+CFFF
  expect_valid_in_context("\xED\x80\x80");  // U+D000
  expect_valid_in_context("\xED\x9F\xBF");  // U+D7FF, just below the surrogates
  expect_valid_in_context("\xEE\x80\x80");  // U+E000, just above the surrogates
  expect_valid_in_context("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
}

TEST(Utf8Test, FourByteSequences) {
  expect_valid_in_context("\xF0\x90\x80\x80");  // U+10000, the smallest
  expect_valid_in_context("\xF0\x9F\x98\x80");  // U+1F600
  expect_valid_in_context("\xF1\x80\x80\x80");  // U+40000
  expect_valid_in_context("\xF3\xBF\xBF\xBF");  // U+FFFFF
  expect_valid_in_context("\xF4\x80\x80\x80");  // U+100000
  expect_valid_in_context("\xF4\x8F\xBF\xBF");  // U+10FFFF, the largest code point
}

TEST(Utf8Test, ByteOrderMarkIsAllowed_MQTT_1_5_4_3) {
  // [MQTT-1.5.4-3] (3.1.1 [MQTT-1.5.3-3]): "A UTF-8 encoded sequence 0xEF 0xBB 0xBF is always
  // interpreted as U+FEFF ("ZERO WIDTH NO-BREAK SPACE") wherever it appears in a string and MUST
  // NOT be skipped over or stripped off by a packet receiver."
  expect_valid("\xEF\xBB\xBF");
  expect_valid(
      "\xEF\xBB\xBF"
      "abc");
  expect_valid("abc\xEF\xBB\xBF");
  expect_valid(
      "a\xEF\xBB\xBF\xEF\xBB\xBF"
      "b");
}

TEST(Utf8Test, AboveU10FFFFIsIllFormed) {
  expect_ill_formed_in_context("\xF4\x90\x80\x80");  // U+110000
  expect_ill_formed_in_context("\xF4\xBF\xBF\xBF");  // U+13FFFF
  expect_ill_formed_in_context("\xF5\x80\x80\x80");  // would be U+140000
  expect_ill_formed_in_context("\xF7\xBF\xBF\xBF");  // would be U+1FFFFF
}

TEST(Utf8Test, OverlongFormsAreIllFormed) {
  // RFC 3629 section 3: "Implementations of the decoding algorithm above MUST protect against
  // decoding invalid sequences", e.g. overlong forms.
  expect_ill_formed_in_context("\xC0\x80");          // U+0000 in two bytes ("modified UTF-8")
  expect_ill_formed_in_context("\xC0\xAF");          // '/' in two bytes
  expect_ill_formed_in_context("\xC1\xBF");          // U+007F in two bytes
  expect_ill_formed_in_context("\xE0\x80\x80");      // U+0000 in three bytes
  expect_ill_formed_in_context("\xE0\x80\xAF");      // '/' in three bytes
  expect_ill_formed_in_context("\xE0\x9F\xBF");      // U+07FF in three bytes
  expect_ill_formed_in_context("\xF0\x80\x80\x80");  // U+0000 in four bytes
  expect_ill_formed_in_context("\xF0\x80\x80\xAF");  // '/' in four bytes
  expect_ill_formed_in_context("\xF0\x8F\xBF\xBF");  // U+FFFF in four bytes
}

TEST(Utf8Test, OverlongNullIsIllFormedNotNull) {
  // C0 80 is not an encoding of U+0000 at all: it is ill-formed.
  EXPECT_EQ(check_utf8("\xC0\x80"), Utf8Verdict::ill_formed);
}

TEST(Utf8Test, SurrogatesAreIllFormed_MQTT_1_5_4_1) {
  // [MQTT-1.5.4-1] (3.1.1 [MQTT-1.5.3-1]): "the character data MUST NOT include encodings of
  // code points between U+D800 and U+DFFF".
  expect_ill_formed_in_context("\xED\xA0\x80");  // U+D800, the first high surrogate
  expect_ill_formed_in_context("\xED\xAD\xBF");  // U+DB7F
  expect_ill_formed_in_context("\xED\xAE\x80");  // U+DB80, a private-use high surrogate
  expect_ill_formed_in_context("\xED\xAF\xBF");  // U+DBFF, the last high surrogate
  expect_ill_formed_in_context("\xED\xB0\x80");  // U+DC00, the first low surrogate
  expect_ill_formed_in_context("\xED\xBE\x80");  // U+DF80
  expect_ill_formed_in_context("\xED\xBF\xBF");  // U+DFFF, the last low surrogate
  // A surrogate pair encoded as two three-byte sequences (CESU-8) for U+1F600.
  expect_ill_formed_in_context("\xED\xA0\xBD\xED\xB8\x80");
  // Every surrogate.
  for (unsigned second = 0xA0; second <= 0xBF; ++second) {
    for (unsigned third = 0x80; third <= 0xBF; ++third) {
      const char bytes[] = {'\xED', static_cast<char>(second), static_cast<char>(third)};
      EXPECT_EQ(check_utf8(std::string_view(bytes, 3)), Utf8Verdict::ill_formed)
          << hex(std::string_view(bytes, 3));
    }
  }
}

TEST(Utf8Test, LoneContinuationBytesAreIllFormed) {
  for (unsigned byte = 0x80; byte <= 0xBF; ++byte) {
    const char c = static_cast<char>(byte);
    expect_ill_formed_in_context(std::string_view(&c, 1));
  }
  // A continuation byte too many after a complete sequence.
  expect_ill_formed("\xC3\xA9\xA9");
  expect_ill_formed("\xE2\x82\xAC\x80");
  expect_ill_formed("\xF0\x9F\x98\x80\x80");
}

TEST(Utf8Test, TruncatedSequencesAreIllFormed) {
  // At the end of the string.
  expect_ill_formed("\xC3");
  expect_ill_formed("abc\xC3");
  expect_ill_formed("\xE2");
  expect_ill_formed("\xE2\x82");
  expect_ill_formed("abc\xE2\x82");
  expect_ill_formed("\xF0");
  expect_ill_formed("\xF0\x9F");
  expect_ill_formed("\xF0\x9F\x98");
  expect_ill_formed("abc\xF0\x9F\x98");
  // Cut short by an ASCII byte or by another lead byte.
  expect_ill_formed(
      "\xC3"
      "a");
  expect_ill_formed(
      "\xE2\x82"
      "a");
  expect_ill_formed(
      "\xF0\x9F\x98"
      "a");
  expect_ill_formed("\xE2\xC3\xA9");
  expect_ill_formed("\xF0\x9F\xC3\xA9");
}

TEST(Utf8Test, BytesC0C1AndF5ToFFNeverAppear) {
  // RFC 3629 section 1: "The octet values C0, C1, F5 to FF never appear."
  for (unsigned byte : {0xC0u, 0xC1u, 0xF5u, 0xF6u, 0xF7u, 0xF8u, 0xF9u, 0xFAu, 0xFBu, 0xFCu, 0xFDu,
                        0xFEu, 0xFFu}) {
    const char c = static_cast<char>(byte);
    expect_ill_formed_in_context(std::string_view(&c, 1));
    // Followed by continuation bytes, as the old five- and six-byte forms were.
    const std::string with_tail = std::string(1, c) + "\x80\x80\x80\x80\x80";
    expect_ill_formed(with_tail);
  }
  expect_ill_formed("\xF8\x88\x80\x80\x80");      // five-byte form of U+200000
  expect_ill_formed("\xFC\x84\x80\x80\x80\x80");  // six-byte form of U+4000000
}

TEST(Utf8Test, NullCharacterIsReported_MQTT_1_5_4_2) {
  // [MQTT-1.5.4-2] (3.1.1 [MQTT-1.5.3-2]): "A UTF-8 Encoded String MUST NOT include an encoding
  // of the null character U+0000."
  expect_verdict("\0"sv, Utf8Verdict::contains_null);
  expect_verdict("a\0b"sv, Utf8Verdict::contains_null);
  expect_verdict("abc\0"sv, Utf8Verdict::contains_null);
  expect_verdict("\0abc"sv, Utf8Verdict::contains_null);
  expect_verdict("\xC3\xA9\0\xE2\x82\xAC"sv, Utf8Verdict::contains_null);
  expect_verdict("\0\0"sv, Utf8Verdict::contains_null);
}

TEST(Utf8Test, ControlCharactersAndNonCharactersAreAllowed) {
  // MQTT 5.0 section 1.5.4: control characters U+0001..U+001F, U+007F..U+009F and non-characters
  // such as U+FFFF "SHOULD NOT" be included, so a receiver must not reject them as malformed
  // (the string is still well-formed UTF-8).
  expect_valid("\x01");
  expect_valid("a\x01z");
  expect_valid("\x1F");
  expect_valid("\x7F");
  expect_valid("\xC2\x80");          // U+0080
  expect_valid("\xC2\x9F");          // U+009F
  expect_valid("\xEF\xBF\xBF");      // U+FFFF
  expect_valid("\xEF\xBF\xBE");      // U+FFFE
  expect_valid("\xEF\xB7\x90");      // U+FDD0
  expect_valid("\xEF\xB7\xAF");      // U+FDEF
  expect_valid("\xF0\x9F\xBF\xBF");  // U+1FFFF
  expect_valid("\xF4\x8F\xBF\xBE");  // U+10FFFE
}

TEST(Utf8Test, LongMixedString) {
  std::string text;
  for (int i = 0; i < 10'000; ++i) {
    text += "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80/";
  }
  expect_valid(text);
  expect_ill_formed(text + "\xC3");
  std::string broken = text;
  broken[broken.size() / 2 + 1] = '\xFF';
  expect_ill_formed(broken);
  std::string with_null = text;
  with_null[with_null.size() - 1] = '\0';
  expect_verdict(with_null, Utf8Verdict::contains_null);
}

}  // namespace
}  // namespace tern::mqtt
