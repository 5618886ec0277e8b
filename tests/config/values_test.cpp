// Tests of the scalar value parsers of mosquitto.conf.
#include "config/values.h"

#include <gtest/gtest.h>

namespace tern::config {
namespace {

TEST(ConfigValues, Booleans) {
  EXPECT_EQ(parse_bool("true"), true);
  EXPECT_EQ(parse_bool("1"), true);
  EXPECT_EQ(parse_bool("false"), false);
  EXPECT_EQ(parse_bool("0"), false);
  for (std::string_view bad : {"", "TRUE", "yes", "on", "2", " true", "truee"}) {
    EXPECT_EQ(parse_bool(bad), std::nullopt) << bad;
  }
}

TEST(ConfigValues, Integers) {
  EXPECT_EQ(parse_int("0"), 0);
  EXPECT_EQ(parse_int("-1"), -1);
  EXPECT_EQ(parse_int("007"), 7);
  EXPECT_EQ(parse_int("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parse_int("-9223372036854775808"), INT64_MIN);
  for (std::string_view bad :
       {"", "+1", " 1", "1 ", "1x", "0x10", "1e3", "1.0", "-", "9223372036854775808"}) {
    EXPECT_EQ(parse_int(bad), std::nullopt) << bad;
  }
}

TEST(ConfigValues, Durations) {
  EXPECT_EQ(parse_duration("1h"), 3600u);
  EXPECT_EQ(parse_duration("2d"), 2u * 86400);
  EXPECT_EQ(parse_duration("3w"), 3u * 7 * 86400);
  EXPECT_EQ(parse_duration("4m"), 4u * 30 * 86400);
  EXPECT_EQ(parse_duration("5y"), 5u * 365 * 86400);
  for (std::string_view bad :
       {"", "h", "1", "0h", "-1h", "1s", "1H", "1 h", "+1h", "999999999999999999y"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace tern::config
