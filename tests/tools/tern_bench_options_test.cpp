// tern_bench's command line: defaults, every option, and the errors of bad ones.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "options.h"

namespace tern::bench {
namespace {

ParseResult parse(std::vector<std::string> args) {
  return parse_options(args);
}

// The error for `args`, which must be refused.
std::string error_of(std::vector<std::string> args) {
  ParseResult result = parse(args);
  EXPECT_FALSE(result.ok()) << "accepted: " << testing::PrintToString(args);
  return result.error;
}

TEST(TernBenchOptions, Defaults) {
  ParseResult r = parse({"pubsub"});
  ASSERT_TRUE(r.ok()) << r.error;
  const Options& o = r.options;
  EXPECT_EQ(o.mode, Mode::pubsub);
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 1883);
  EXPECT_EQ(o.version, mqtt::Version::v3_1_1);
  EXPECT_EQ(o.publishers, 1u);
  EXPECT_EQ(o.subscribers, 1u);
  EXPECT_EQ(o.topic, "bench/%i");
  EXPECT_EQ(o.filter_template(), "bench/%i");
  EXPECT_EQ(o.payload, 16u);
  EXPECT_EQ(o.qos, mqtt::QoS::at_most_once);
  EXPECT_EQ(o.rate, 0);
  EXPECT_EQ(o.duration_s, 10);
  EXPECT_EQ(o.count, 0u);
  EXPECT_FALSE(o.shared);
  EXPECT_EQ(o.inflight, 64u);
  EXPECT_EQ(o.threads, 1u);
  EXPECT_TRUE(o.json_path.empty());
}

TEST(TernBenchOptions, EveryOption) {
  ParseResult r = parse({"pubsub",
                         "-h",
                         "localhost",
                         "-p",
                         "18830",
                         "-V",
                         "5",
                         "-c",
                         "100",
                         "-n",
                         "3",
                         "-t",
                         "a/%i/b",
                         "--sub-topic",
                         "a/#",
                         "-s",
                         "1024",
                         "-q",
                         "2",
                         "-r",
                         "2.5",
                         "-d",
                         "0.5",
                         "--count",
                         "1000",
                         "--shared",
                         "--inflight",
                         "10",
                         "-u",
                         "alice",
                         "-P",
                         "secret",
                         "--json",
                         "out.json",
                         "-T",
                         "2",
                         "--connect-timeout",
                         "3"});
  ASSERT_TRUE(r.ok()) << r.error;
  const Options& o = r.options;
  EXPECT_EQ(o.host, "localhost");
  EXPECT_EQ(o.port, 18830);
  EXPECT_EQ(o.version, mqtt::Version::v5);
  EXPECT_EQ(o.publishers, 100u);
  EXPECT_EQ(o.subscribers, 3u);
  EXPECT_EQ(o.topic, "a/%i/b");
  EXPECT_EQ(o.filter_template(), "a/#");
  EXPECT_EQ(o.payload, 1024u);
  EXPECT_EQ(o.qos, mqtt::QoS::exactly_once);
  EXPECT_DOUBLE_EQ(o.rate, 2.5);
  EXPECT_DOUBLE_EQ(o.duration_s, 0.5);
  EXPECT_TRUE(o.duration_given);
  EXPECT_EQ(o.count, 1000u);
  EXPECT_TRUE(o.shared);
  EXPECT_EQ(o.inflight, 10u);
  EXPECT_EQ(o.username, "alice");
  EXPECT_EQ(o.password, "secret");
  EXPECT_EQ(o.json_path, "out.json");
  EXPECT_EQ(o.threads, 2u);
  EXPECT_DOUBLE_EQ(o.connect_timeout_s, 3);
}

TEST(TernBenchOptions, VersionSpellings) {
  for (const char* v : {"3.1.1", "311", "4"})
    EXPECT_EQ(parse({"pub", "-V", v}).options.version, mqtt::Version::v3_1_1) << v;
  for (const char* v : {"5", "5.0"})
    EXPECT_EQ(parse({"pub", "-V", v}).options.version, mqtt::Version::v5) << v;
  EXPECT_NE(error_of({"pub", "-V", "3"}).find("bad MQTT version '3'"), std::string::npos);
}

TEST(TernBenchOptions, LongOptionsTakeEquals) {
  ParseResult r = parse({"--count=5", "pub", "--qos=1", "--json=x.json"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.options.count, 5u);
  EXPECT_EQ(r.options.qos, mqtt::QoS::at_least_once);
  EXPECT_EQ(r.options.json_path, "x.json");
}

TEST(TernBenchOptions, ModesAndTheirCounts) {
  EXPECT_EQ(parse({"pub"}).options.subscribers, 0u);
  EXPECT_EQ(parse({"sub"}).options.publishers, 0u);
  EXPECT_EQ(parse({"conn", "-c", "10000"}).options.publishers, 10000u);
  EXPECT_EQ(parse({"conn"}).options.subscribers, 0u);
  EXPECT_TRUE(parse({"sink", "-p", "0"}).ok());
}

TEST(TernBenchOptions, Help) {
  EXPECT_TRUE(parse({"--help"}).options.help);
  EXPECT_TRUE(parse({"pub", "-q", "9", "--help"}).options.help);
  EXPECT_NE(usage().find("Usage: tern_bench MODE"), std::string_view::npos);
}

TEST(TernBenchOptions, BadCommandLines) {
  struct Case {
    std::vector<std::string> args;
    const char* error;  // a part of the message
  };
  const Case cases[] = {
      {{}, "missing mode"},
      {{"-q", "1"}, "missing mode"},
      {{"flood"}, "unknown mode 'flood'"},
      {{"pub", "extra"}, "unexpected argument 'extra'"},
      {{"pub", "--frobnicate"}, "unknown option '--frobnicate'"},
      {{"pub", "-x", "1"}, "unknown option '-x'"},
      {{"pub", "-q"}, "-q needs a value"},
      {{"pub", "-q", "3"}, "-q must be between 0 and 2, got 3"},
      {{"pub", "-q", "one"}, "bad number 'one' for -q"},
      {{"pub", "-q", "1x"}, "bad number '1x' for -q"},
      {{"pub", "-q", "-1"}, "bad number '-1' for -q"},
      {{"pub", "-p", "0"}, "-p must be between 1 and 65535, got 0"},
      {{"pub", "-p", "65536"}, "-p must be between 0 and 65535, got 65536"},
      {{"pub", "-s", "15"}, "-s must be between 16"},
      {{"pub", "-c", "0"}, "-c must be between 1"},
      {{"pubsub", "-n", "0"}, "-n must be between 1"},
      {{"pub", "-r", "-5"}, "-r must not be negative"},
      {{"pub", "-r", "fast"}, "bad number 'fast' for -r"},
      {{"pub", "-d", "0"}, "-d must be more than 0"},
      {{"pub", "--count", "0"}, "--count must be between 1"},
      {{"pub", "--inflight", "70000"}, "--inflight must be between 1 and 65535"},
      {{"pub", "-T", "0"}, "-T must be between 1 and 256"},
      {{"pub", "-n", "2"}, "-n is not used in pub mode"},
      {{"conn", "-n", "2"}, "-n is not used in conn mode"},
      {{"sub", "-c", "2"}, "-c is not used in sub mode"},
      {{"conn", "--count", "2"}, "--count is not used in conn mode"},
      {{"pub", "-t", "a/+/b"}, "has a wildcard"},
      {{"pub", "-t", ""}, "empty topic template"},
      {{"pub", "-P", "secret"}, "-P needs -u"},
      {{"pub", "--broker-pid", "x"}, "bad number 'x' for --broker-pid"},
  };
  for (const Case& c : cases) {
    std::string error = error_of(c.args);
    EXPECT_NE(error.find(c.error), std::string::npos)
        << testing::PrintToString(c.args) << " gave: " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << "one line: " << error;
  }
}

}  // namespace
}  // namespace tern::bench
