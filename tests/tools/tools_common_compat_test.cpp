// C-library number conversions and libmosquitto's UTF-8 and topic checks, as tern_pub, tern_sub
// and tern_rr apply them to arguments (tools/common/mosquitto_compat.h).
#include <gtest/gtest.h>

#include <climits>
#include <string>

#include "common/mosquitto_compat.h"

namespace tern::tools {
namespace {

TEST(CNumbers, AtoiAndAtol) {
  EXPECT_EQ(c_atoi("42"), 42);
  EXPECT_EQ(c_atoi("  -7"), -7);
  EXPECT_EQ(c_atoi("+3"), 3);
  EXPECT_EQ(c_atoi("12abc"), 12);
  EXPECT_EQ(c_atoi("abc"), 0);
  EXPECT_EQ(c_atoi(""), 0);
  EXPECT_EQ(c_atoi("0x10"), 0);  // base 10
  EXPECT_EQ(c_atol("99999999999999999999"), LONG_MAX);
  EXPECT_EQ(c_atol("-99999999999999999999"), LONG_MIN);
  EXPECT_EQ(c_atoi("4294967297"), 1);  // glibc: strtol truncated to int
}

TEST(CNumbers, Atof) {
  EXPECT_DOUBLE_EQ(c_atof("0.25"), 0.25);
  EXPECT_DOUBLE_EQ(c_atof("1e2x"), 100.0);
  EXPECT_DOUBLE_EQ(c_atof("x"), 0.0);
}

TEST(CNumbers, WholeWordStrtol) {
  EXPECT_EQ(c_strtol_whole("60", 0), 60);
  EXPECT_EQ(c_strtol_whole("0x10", 0), 16);
  EXPECT_EQ(c_strtol_whole("010", 0), 8);
  EXPECT_EQ(c_strtol_whole("-1", 0), -1);
  EXPECT_EQ(c_strtol_whole(" 5", 0), 5);
  EXPECT_EQ(c_strtol_whole("5 ", 0), std::nullopt);
  EXPECT_EQ(c_strtol_whole("1e3", 0), std::nullopt);
  EXPECT_EQ(c_strtol_whole("", 0), std::nullopt);
  EXPECT_EQ(c_strtol_whole("-", 0), std::nullopt);
}

TEST(MosquittoUtf8, WellFormedTextPasses) {
  EXPECT_TRUE(mosquitto_utf8_ok(""));
  EXPECT_TRUE(mosquitto_utf8_ok("sensor/room 1/\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
  EXPECT_TRUE(mosquitto_utf8_ok("\xc2\xa0"));      // U+00A0
  EXPECT_TRUE(mosquitto_utf8_ok("\xef\xbf\xbd"));  // U+FFFD
  EXPECT_TRUE(mosquitto_utf8_ok(std::string(65536, 'a')));
}

TEST(MosquittoUtf8, RefusesMoreThanMqttDoes) {
  // MQTT 5.0 §1.5.4 forbids ill-formed UTF-8 and U+0000 [MQTT-1.5.4-1], [MQTT-1.5.4-2];
  // libmosquitto also refuses control characters and non-characters.
  EXPECT_FALSE(mosquitto_utf8_ok("\xff"));
  EXPECT_FALSE(mosquitto_utf8_ok("\xc0\x80"));      // overlong
  EXPECT_FALSE(mosquitto_utf8_ok("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(mosquitto_utf8_ok(std::string(1, '\0')));
  EXPECT_FALSE(mosquitto_utf8_ok("a\x01"));
  EXPECT_FALSE(mosquitto_utf8_ok("a\x1f"));
  EXPECT_FALSE(mosquitto_utf8_ok("a\x7f"));
  EXPECT_FALSE(mosquitto_utf8_ok("\xc2\x80"));          // U+0080
  EXPECT_FALSE(mosquitto_utf8_ok("\xc2\x9f"));          // U+009F
  EXPECT_FALSE(mosquitto_utf8_ok("\xef\xb7\x90"));      // U+FDD0
  EXPECT_FALSE(mosquitto_utf8_ok("\xef\xb7\xaf"));      // U+FDEF
  EXPECT_FALSE(mosquitto_utf8_ok("\xef\xbf\xbe"));      // U+FFFE
  EXPECT_FALSE(mosquitto_utf8_ok("\xef\xbf\xbf"));      // U+FFFF
  EXPECT_FALSE(mosquitto_utf8_ok("\xf4\x8f\xbf\xbe"));  // U+10FFFE
  EXPECT_FALSE(mosquitto_utf8_ok(std::string(65537, 'a')));
}

TEST(MosquittoTopics, PublishTopics) {
  EXPECT_TRUE(mosquitto_pub_topic_ok("a/b"));
  EXPECT_TRUE(mosquitto_pub_topic_ok(""));
  EXPECT_TRUE(mosquitto_pub_topic_ok("/"));
  EXPECT_TRUE(mosquitto_pub_topic_ok(std::string(65535, 'a')));
  EXPECT_FALSE(mosquitto_pub_topic_ok(std::string(65536, 'a')));
  // [MQTT-3.3.2-2]: no wildcards in a topic name.
  EXPECT_FALSE(mosquitto_pub_topic_ok("a/+"));
  EXPECT_FALSE(mosquitto_pub_topic_ok("#"));
  EXPECT_FALSE(mosquitto_pub_topic_ok("a#b"));
}

TEST(MosquittoTopics, SubscriptionFilters) {
  for (const char* ok : {"#", "+", "a/#", "+/+", "/+", "a/+/b", "$share/g/a/#", "", "a//b"}) {
    EXPECT_TRUE(mosquitto_sub_topic_ok(ok)) << ok;
  }
  // [MQTT-4.7.1-1], [MQTT-4.7.1-2]: wildcards fill a whole level; '#' is last.
  for (const char* bad : {"a#", "a/#/b", "#/", "a+", "+a", "a/b+/c", "##"}) {
    EXPECT_FALSE(mosquitto_sub_topic_ok(bad)) << bad;
  }
  EXPECT_FALSE(mosquitto_sub_topic_ok(std::string(65536, 'a')));
}

}  // namespace
}  // namespace tern::tools
