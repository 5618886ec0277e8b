// parse_url: mosquitto_pub -L URLs.
#include "tern/client/url.h"

#include <gtest/gtest.h>

namespace tern::client {
namespace {

TEST(Url, Minimal) {
  auto url = parse_url("mqtt://broker.example");
  ASSERT_TRUE(url.ok());
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "broker.example");
  EXPECT_EQ(url->port, 1883);
  EXPECT_FALSE(url->username);
  EXPECT_EQ(url->topic, "");
}

TEST(Url, Everything) {
  auto url = parse_url("mqtts://alice:s%40cret%3A@host:8884/a/b/c");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "host");
  EXPECT_EQ(url->port, 8884);
  EXPECT_EQ(url->username, "alice");
  EXPECT_EQ(url->password, "s@cret:");
  EXPECT_EQ(url->topic, "a/b/c");
}

TEST(Url, TlsDefaultPort) {
  auto url = parse_url("mqtts://h/t");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->port, 8883);
  EXPECT_EQ(url->topic, "t");
}

TEST(Url, UserWithoutPasswordAndRawAt) {
  auto user = parse_url("mqtt://bob@h");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->username, "bob");
  EXPECT_FALSE(user->password);
  auto raw = parse_url("mqtt://u:p@ss@h");  // the last '@' ends the credentials
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->password, "p@ss");
  EXPECT_EQ(raw->host, "h");
}

TEST(Url, Ipv6) {
  auto url = parse_url("mqtt://[::1]:1884/x");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 1884);
  auto bare = parse_url("mqtt://u@[fe80::1]");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->host, "fe80::1");
  EXPECT_EQ(bare->port, 1883);
}

TEST(Url, TopicIsVerbatim) {
  auto url = parse_url("mqtt://h/sensors/+/temp%20c");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->topic, "sensors/+/temp%20c");
}

TEST(Url, Errors) {
  for (const char* text :
       {"", "http://h", "mqtt:/h", "mqtt://", "mqtt://:1883", "mqtt://h:", "mqtt://h:0",
        "mqtt://h:65536", "mqtt://h:12a", "mqtt://[::1", "mqtt://[::1]x", "mqtt://u:%4@h",
        "mqtt://%zz@h", "mqtt://@h", "MQTT://h"}) {
    auto url = parse_url(text);
    EXPECT_FALSE(url.ok()) << text;
    if (!url) {
      EXPECT_EQ(url.error().code, ErrorCode::invalid_argument);
      EXPECT_NE(url.error().message.find("invalid URL"), std::string::npos);
    }
  }
}

TEST(Url, PercentDecode) {
  EXPECT_EQ(percent_decode("a%2Fb%2f"), "a/b/");
  EXPECT_EQ(percent_decode("%"), std::nullopt);
  EXPECT_EQ(percent_decode("%1"), std::nullopt);
  EXPECT_EQ(percent_decode("%g1"), std::nullopt);
  EXPECT_EQ(percent_decode("plain"), "plain");
}

}  // namespace
}  // namespace tern::client
