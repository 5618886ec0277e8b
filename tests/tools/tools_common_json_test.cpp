// JSON as cJSON 1.7.15 reads and prints it for mosquitto_sub's %j and %J
// (tools/common/json.h).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "common/json.h"

namespace tern::tools::json {
namespace {

using namespace std::string_literals;

// Parses and prints back; "<invalid>" when refused.
std::string round_trip(std::string_view text, bool pretty = false) {
  std::optional<Value> value = parse(text);
  if (!value) return "<invalid>";
  std::string out;
  print(*value, pretty, out);
  return out;
}

std::string number(double n) {
  std::string out;
  print_number(n, out);
  return out;
}

TEST(Json, Literals) {
  EXPECT_EQ(round_trip("null"), "null");
  EXPECT_EQ(round_trip("true"), "true");
  EXPECT_EQ(round_trip(" false\n"), "false");
  EXPECT_EQ(round_trip("nul"), "<invalid>");
  EXPECT_EQ(round_trip("nullx"), "<invalid>");
  EXPECT_EQ(round_trip("True"), "<invalid>");
}

TEST(Json, NumbersAreReadByStrtodAndPrintedWithFifteenDigits) {
  EXPECT_EQ(round_trip("1.50"), "1.5");
  EXPECT_EQ(round_trip("3e2"), "300");
  EXPECT_EQ(round_trip("-0"), "-0");
  EXPECT_EQ(round_trip("01"), "1");
  EXPECT_EQ(round_trip("-.5"), "-0.5");
  EXPECT_EQ(round_trip("1e400"), "null");
  EXPECT_EQ(round_trip("0.1"), "0.1");
  EXPECT_EQ(round_trip("4294967295"), "4294967295");
  EXPECT_EQ(round_trip("1e"), "<invalid>");
  EXPECT_EQ(round_trip("-"), "<invalid>");
  EXPECT_EQ(round_trip("+1"), "<invalid>");
  EXPECT_EQ(round_trip(".5"), "<invalid>");
  EXPECT_EQ(round_trip("0x10"), "<invalid>");
  EXPECT_EQ(round_trip("1-2"), "<invalid>");
}

TEST(Json, PrintNumber) {
  EXPECT_EQ(number(0), "0");
  EXPECT_EQ(number(2), "2");
  // cJSON keeps 15 digits when they read back within DBL_EPSILON, else prints 17.
  EXPECT_EQ(number(0.1 + 0.2), "0.3");
  EXPECT_EQ(number(1.0000000000000004), "1.0000000000000004");
  EXPECT_EQ(number(1e21), "1e+21");
  EXPECT_EQ(round_trip("[123456789012345678, 1E-7, -1.5e-300]"),
            "[1.2345678901234568e+17,1e-07,-1.5e-300]");
  EXPECT_EQ(number(std::nan("")), "null");
  EXPECT_EQ(number(-std::numeric_limits<double>::infinity()), "null");
}

TEST(Json, StringsKeepRawBytesAndDecodeEscapes) {
  EXPECT_EQ(round_trip(R"("a\"b\\c\/d\b\f\n\r\t")"), R"("a\"b\\c/d\b\f\n\r\t")");
  EXPECT_EQ(round_trip(R"("\u00e9\u20ac\ud83d\ude00")"),
            "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
  EXPECT_EQ(round_trip("\"raw\x01\x7f\xff\""), "\"raw\\u0001\x7f\xff\"");
  // cJSON strings are C strings: U+0000 ends them, and a \u with bad hex digits is U+0000.
  EXPECT_EQ(round_trip(R"("x\u0000y")"), R"("x")");
  EXPECT_EQ(round_trip(R"("x\uZZZZy")"), R"("x")");
  EXPECT_EQ(round_trip(R"("\udc00")"), "<invalid>");  // lone low surrogate
  EXPECT_EQ(round_trip(R"("\ud800")"), "<invalid>");  // high surrogate alone
  EXPECT_EQ(round_trip(R"("\ud800\u0041")"), "<invalid>");
  EXPECT_EQ(round_trip(R"("\u12")"), "<invalid>");
  EXPECT_EQ(round_trip(R"("\x")"), "<invalid>");
  EXPECT_EQ(round_trip(R"("open)"), "<invalid>");
  EXPECT_EQ(round_trip(R"("trailing\)"), "<invalid>");
}

TEST(Json, ArraysAndObjects) {
  EXPECT_EQ(round_trip(R"( [ 1 , "a" , [ ] , { } ] )"), R"([1,"a",[],{}])");
  EXPECT_EQ(round_trip(R"({"a":1,"a":2,"b":{"c":[true,null]}})"),
            R"({"a":1,"a":2,"b":{"c":[true,null]}})");
  for (const char* bad : {"[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}", "{a:1}", "{\"a\":1,}",
                          "[", "{", "]", "[1]]", "{}{}", ""}) {
    EXPECT_EQ(round_trip(bad), "<invalid>") << bad;
  }
}

TEST(Json, WhitespaceIsEveryByteUpToSpace) {
  EXPECT_EQ(round_trip("\x01\x02[\x1f"
                       "1\x7f]"),
            "<invalid>");  // 0x7f is not whitespace
  EXPECT_EQ(round_trip("\x01\x02[\x1f"
                       "1\x20]\x0b"),
            "[1]");
}

TEST(Json, ByteOrderMarkMayLead) {
  EXPECT_EQ(round_trip("\xEF\xBB\xBF{}"), "{}");
  EXPECT_EQ(round_trip(" \xEF\xBB\xBF{}"), "<invalid>");
}

TEST(Json, NulBytesAreRefused) {
  EXPECT_EQ(round_trip("{}\0"s), "<invalid>");
  EXPECT_EQ(round_trip("\"a\0b\""s), "<invalid>");
}

TEST(Json, NestingLimit) {
  std::string deep(1000, '[');
  deep += std::string(1000, ']');
  EXPECT_EQ(round_trip(deep), deep);
  std::string deeper = "[" + deep + "]";
  EXPECT_EQ(round_trip(deeper), "<invalid>");
}

TEST(Json, PrettyPrinting) {
  EXPECT_EQ(round_trip(R"({"a":{"b":[1,{}],"c":[]},"d":{}})", true),
            "{\n\t\"a\":\t{\n\t\t\"b\":\t[1, {\n\t\t\t}],\n\t\t\"c\":\t[]\n\t},\n"
            "\t\"d\":\t{\n\t}\n}");
  EXPECT_EQ(round_trip("{}", true), "{\n}");
  EXPECT_EQ(round_trip("[1,2]", true), "[1, 2]");
}

TEST(Json, PrintStringEscapes) {
  std::string out;
  print_string("q\"b\\\x01\x1f\x20\x7f\xc3\xa9", out);
  EXPECT_EQ(out, "\"q\\\"b\\\\\\u0001\\u001f \x7f\xc3\xa9\"");
}

}  // namespace
}  // namespace tern::tools::json
