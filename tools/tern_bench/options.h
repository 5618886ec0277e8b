// tern_bench's command line: the options of every mode, their defaults, and the parser.
//
// parse_options never exits and never prints: it returns the options or a one-line error, so the
// caller decides (main prints the error and the usage, exit code 1) and tests check errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt/types.h"

namespace tern::bench {

enum class Mode : std::uint8_t {
  conn,    // open -c connections at -r per second, hold them -d seconds
  pub,     // publishers only
  sub,     // subscribers only
  pubsub,  // publishers and subscribers in one process (one clock for latency)
  sink,    // a trivial fake broker, to measure tern_bench itself
};

std::string_view to_string(Mode mode);

struct Options {
  Mode mode = Mode::pubsub;
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  mqtt::Version version = mqtt::Version::v3_1_1;
  std::uint32_t publishers = 1;   // -c; in conn mode, the number of connections
  std::uint32_t subscribers = 1;  // -n
  std::string topic = "bench/%i";
  std::string sub_topic;       // subscriber filter template; empty: same as topic
  std::uint32_t payload = 16;  // bytes, at least kPayloadHeader
  mqtt::QoS qos = mqtt::QoS::at_most_once;
  double rate = 0;              // messages/s per publisher (conn mode: connections/s); 0 = max
  double duration_s = 10;       // publishing time, or how long conn mode holds its connections
  bool duration_given = false;  // with --count, -d is only a cap when given
  std::uint64_t count = 0;      // messages per publisher; 0 = no limit (run for -d)
  bool shared = false;          // subscribers use $share/bench/<filter>
  std::uint32_t inflight = 64;  // unacknowledged QoS 1/2 messages per publisher
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::string json_path;  // empty: no JSON report
  unsigned threads = 1;
  int broker_pid = 0;  // 0: do not read the broker's RSS
  double connect_timeout_s = 10;
  bool help = false;

  // The subscriber filter template in effect.
  const std::string& filter_template() const { return sub_topic.empty() ? topic : sub_topic; }
};

// Smallest payload: 8-byte timestamp, 4-byte publisher index, 4-byte sequence number.
inline constexpr std::uint32_t kPayloadHeader = 16;
inline constexpr std::uint32_t kMaxPayload = 16 * 1024 * 1024;

struct ParseResult {
  Options options;
  std::string error;  // empty when the command line was good
  bool ok() const { return error.empty(); }
};

// `args` excludes the program name.
ParseResult parse_options(const std::vector<std::string>& args);

// The usage text printed by --help and after an error.
std::string_view usage();

}  // namespace tern::bench
