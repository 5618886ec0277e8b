// The command-line parser of tern_bench: "-x VALUE", "--long VALUE" and "--long=VALUE", the mode
// as the first positional argument, strict numbers (the whole word must be the number).
#include "options.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <system_error>

namespace tern::bench {

namespace {

constexpr std::string_view kUsage =
    "Usage: tern_bench MODE [options]\n"
    "\n"
    "An MQTT load generator. Modes:\n"
    "  conn    open -c connections at -r connections/s, hold them -d seconds, report the connect\n"
    "          rate (and the broker's memory per connection with --broker-pid)\n"
    "  pub     -c publishers only\n"
    "  sub     -n subscribers only; reports what they receive\n"
    "  pubsub  -c publishers and -n subscribers in one process; reports latency and losses\n"
    "  sink    a trivial fake broker on -p (0: any free port), to measure tern_bench itself\n"
    "\n"
    "Options:\n"
    "  -h HOST            broker address (default 127.0.0.1)\n"
    "  -p PORT            broker port (default 1883)\n"
    "  -V VERSION         MQTT version: 3.1.1 (or 311) or 5 (default 3.1.1)\n"
    "  -c N               publishers; in conn mode, connections (default 1)\n"
    "  -n N               subscribers (default 1)\n"
    "  -t TOPIC           topic template, %i = client index (default bench/%i)\n"
    "  --sub-topic FILTER subscriber filter template (default: the topic template)\n"
    "  --shared           subscribers share one subscription per filter ($share/bench/FILTER)\n"
    "  -s BYTES           payload size, at least 16 (default 16)\n"
    "  -q QOS             0, 1 or 2 (default 0)\n"
    "  -r RATE            messages/s per publisher; conn mode: connections/s (default 0 = max)\n"
    "  -d SECONDS         publishing time; conn mode: how long to hold (default 10)\n"
    "  --count N          messages per publisher (sub mode: per subscriber); ends the run\n"
    "  --inflight N       unacknowledged QoS 1/2 messages per publisher (default 64)\n"
    "  -u USER, -P PASS   credentials of every connection\n"
    "  -T THREADS         client threads (default 1)\n"
    "  --json FILE        write the configuration and the figures as JSON\n"
    "  --broker-pid PID   conn mode: read the broker's VmRSS before and after\n"
    "  --connect-timeout SECONDS  per connection, up to CONNACK/SUBACK (default 10)\n"
    "  --help             this text\n"
    "\n"
    "Exit codes: 0 success, 1 bad options, 2 connections refused or lost, 3 messages lost\n"
    "(QoS 1 and 2).\n";

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// An unsigned integer in [min, max]; the whole word must be digits.
std::optional<std::string> parse_uint(std::string_view name, std::string_view word,
                                      std::uint64_t min, std::uint64_t max, std::uint64_t& out) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (word.empty() || error == std::errc::invalid_argument || end != word.data() + word.size()) {
    return "bad number " + quoted(word) + " for " + std::string(name);
  }
  if (error == std::errc::result_out_of_range || value < min || value > max) {
    return std::string(name) + " must be between " + std::to_string(min) + " and " +
           std::to_string(max) + ", got " + std::string(word);
  }
  out = value;
  return std::nullopt;
}

// A non-negative decimal number (rates and durations: "0.5", "100", "2e3").
std::optional<std::string> parse_real(std::string_view name, std::string_view word, double& out) {
  double value = 0;
  auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (word.empty() || error != std::errc() || end != word.data() + word.size() ||
      !std::isfinite(value)) {
    return "bad number " + quoted(word) + " for " + std::string(name);
  }
  if (value < 0) return std::string(name) + " must not be negative, got " + std::string(word);
  out = value;
  return std::nullopt;
}

std::optional<Mode> parse_mode(std::string_view word) {
  if (word == "conn") return Mode::conn;
  if (word == "pub") return Mode::pub;
  if (word == "sub") return Mode::sub;
  if (word == "pubsub") return Mode::pubsub;
  if (word == "sink") return Mode::sink;
  return std::nullopt;
}

struct Seen {
  bool publishers = false;
  bool subscribers = false;
  bool count = false;
};

// Each option that takes a value: its names and what it does with the value.
using Setter = std::function<std::optional<std::string>(std::string_view name,
                                                        std::string_view value, Options&, Seen&)>;
struct ValueOption {
  std::string_view short_name;  // may be empty
  std::string_view long_name;   // may be empty
  Setter set;
};

const std::vector<ValueOption>& value_options() {
  using Error = std::optional<std::string>;
  static const std::vector<ValueOption> options{
      {"-h", "--host",
       [](auto, std::string_view v, Options& o, Seen&) -> Error {
         if (v.empty()) return "empty host";
         o.host = v;
         return std::nullopt;
       }},
      {"-p", "--port",
       [](auto n, std::string_view v, Options& o, Seen&) -> Error {
         std::uint64_t port = 0;
         // Port 0 is for the sink (any free port); checked against the mode later.
         if (auto e = parse_uint(n, v, 0, 65535, port)) return e;
         o.port = static_cast<std::uint16_t>(port);
         return std::nullopt;
       }},
      {"-V", "--protocol-version",
       [](auto, std::string_view v, Options& o, Seen&) -> Error {
         if (v == "3.1.1" || v == "311" || v == "4" || v == "mqttv311") {
           o.version = mqtt::Version::v3_1_1;
         } else if (v == "5" || v == "5.0" || v == "mqttv5") {
           o.version = mqtt::Version::v5;
         } else {
           return "bad MQTT version " + quoted(v) + " (expected 3.1.1, 311 or 5)";
         }
         return std::nullopt;
       }},
      {"-c", "--publishers",
       [](auto n, std::string_view v, Options& o, Seen& s) -> Error {
         std::uint64_t value = 0;
         if (auto e = parse_uint(n, v, 1, 1'000'000, value)) return e;
         o.publishers = static_cast<std::uint32_t>(value);
         s.publishers = true;
         return std::nullopt;
       }},
      {"-n", "--subscribers",
       [](auto n, std::string_view v, Options& o, Seen& s) -> Error {
         std::uint64_t value = 0;
         if (auto e = parse_uint(n, v, 1, 1'000'000, value)) return e;
         o.subscribers = static_cast<std::uint32_t>(value);
         s.subscribers = true;
         return std::nullopt;
       }},
      {"-t", "--topic",
       [](auto, std::string_view v, Options& o, Seen&) -> Error {
         o.topic = v;
         return std::nullopt;
       }},
      {"", "--sub-topic",
       [](auto, std::string_view v, Options& o, Seen&) -> Error {
         if (v.empty()) return "empty --sub-topic";
         o.sub_topic = v;
         return std::nullopt;
       }},
      {"-s", "--payload",
       [](auto n, std::string_view v, Options& o, Seen&) -> Error {
         std::uint64_t value = 0;
         if (auto e = parse_uint(n, v, kPayloadHeader, kMaxPayload, value)) {
           return *e + " (the payload holds a 16-byte timestamp and sequence header)";
         }
         o.payload = static_cast<std::uint32_t>(value);
         return std::nullopt;
       }},
      {"-q", "--qos",
       [](auto n, std::string_view v, Options& o, Seen&) -> Error {
         std::uint64_t value = 0;
         if (auto e = parse_uint(n, v, 0, 2, value)) return e;
         o.qos = static_cast<mqtt::QoS>(value);
         return std::nullopt;
       }},
      {"-r", "--rate",
       [](auto n, std::string_view v, Options& o, Seen&) -> Error {
         return parse_real(n, v, o.rate);
       }},
      {"-d", "--duration",
       [](auto n, std::string_view v, Options& o, Seen&) -> Error {
         if (auto e = parse_real(n, v, o.duration_s)) return e;
         if (o.duration_s <= 0) return std::string(n) + " must be more than 0";
         o.duration_given = true;
         return std::nullopt;
       }},
      {"", "--count",
       [](auto n, std::string_view v, Options& o, Seen& s) -> Error {
         s.count = true;
         return parse_uint(n, v, 1, std::numeric_limits<std::uint32_t>::max(), o.count);
       }},
      {"", "--inflight",
       [](auto n, std::string_view v, Options& o, Seen&) -> Error {
         std::uint64_t value = 0;
         if (auto e = parse_uint(n, v, 1, 65535, value)) return e;
         o.inflight = static_cast<std::uint32_t>(value);
         return std::nullopt;
       }},
      {"-u", "--username",
       [](auto, std::string_view v, Options& o, Seen&) -> Error {
         o.username = std::string(v);
         return std::nullopt;
       }},
      {"-P", "--password",
       [](auto, std::string_view v, Options& o, Seen&) -> Error {
         o.password = std::string(v);
         return std::nullopt;
       }},
      {"", "--json",
       [](auto, std::string_view v, Options& o, Seen&) -> Error {
         if (v.empty()) return "empty --json file name";
         o.json_path = v;
         return std::nullopt;
       }},
      {"-T", "--threads",
       [](auto n, std::string_view v, Options& o, Seen&) -> Error {
         std::uint64_t value = 0;
         if (auto e = parse_uint(n, v, 1, 256, value)) return e;
         o.threads = static_cast<unsigned>(value);
         return std::nullopt;
       }},
      {"", "--broker-pid",
       [](auto n, std::string_view v, Options& o, Seen&) -> Error {
         std::uint64_t value = 0;
         if (auto e = parse_uint(n, v, 1, std::numeric_limits<int>::max(), value)) return e;
         o.broker_pid = static_cast<int>(value);
         return std::nullopt;
       }},
      {"", "--connect-timeout",
       [](auto n, std::string_view v, Options& o, Seen&) -> Error {
         if (auto e = parse_real(n, v, o.connect_timeout_s)) return e;
         if (o.connect_timeout_s <= 0) return std::string(n) + " must be more than 0";
         return std::nullopt;
       }},
  };
  return options;
}

const ValueOption* find_option(std::string_view name) {
  for (const ValueOption& option : value_options()) {
    if (name == option.short_name || name == option.long_name) return &option;
  }
  return nullptr;
}

// Rules between options, once all are read.
std::optional<std::string> check(Options& o, const Seen& seen) {
  if (o.mode == Mode::sink) return std::nullopt;
  if (o.port == 0) return "-p must be between 1 and 65535, got 0";
  if (o.mode == Mode::conn || o.mode == Mode::pub) {
    if (seen.subscribers) return "-n is not used in " + std::string(to_string(o.mode)) + " mode";
    o.subscribers = 0;
  }
  if (o.mode == Mode::sub) {
    if (seen.publishers) return "-c is not used in sub mode (publishers run elsewhere)";
    o.publishers = 0;
  }
  if (o.mode == Mode::conn && seen.count) return "--count is not used in conn mode";
  if (o.mode != Mode::conn) {
    if (o.topic.empty()) return "empty topic template (-t)";
    if (o.topic.find_first_of("+#") != std::string::npos) {
      return "the topic template " + quoted(o.topic) + " has a wildcard (use --sub-topic)";
    }
  }
  if (o.username == std::nullopt && o.password) return "-P needs -u";
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Mode mode) {
  switch (mode) {
    case Mode::conn:
      return "conn";
    case Mode::pub:
      return "pub";
    case Mode::sub:
      return "sub";
    case Mode::pubsub:
      return "pubsub";
    case Mode::sink:
      return "sink";
  }
  return "?";
}

std::string_view usage() {
  return kUsage;
}

ParseResult parse_options(const std::vector<std::string>& args) {
  ParseResult result;
  Options& o = result.options;
  Seen seen;
  bool have_mode = false;
  // --help wins wherever it is, over any error.
  for (const std::string& arg : args) {
    if (arg == "--help") {
      o.help = true;
      return result;
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--shared") {
      o.shared = true;
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      std::string_view name = arg;
      std::optional<std::string_view> value;
      if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
        name = arg.substr(0, eq);
        value = arg.substr(eq + 1);
      }
      const ValueOption* option = find_option(name);
      if (!option) {
        result.error = "unknown option " + quoted(name);
        return result;
      }
      if (!value) {
        if (i + 1 >= args.size()) {
          result.error = std::string(name) + " needs a value";
          return result;
        }
        value = args[++i];
      }
      if (auto error = option->set(name, *value, o, seen)) {
        result.error = *error;
        return result;
      }
      continue;
    }
    if (have_mode) {
      result.error = "unexpected argument " + quoted(arg);
      return result;
    }
    auto mode = parse_mode(arg);
    if (!mode) {
      result.error = "unknown mode " + quoted(arg) + " (expected conn, pub, sub or pubsub)";
      return result;
    }
    o.mode = *mode;
    have_mode = true;
  }
  if (!have_mode) {
    result.error = "missing mode (conn, pub, sub or pubsub)";
    return result;
  }
  if (auto error = check(o, seen)) result.error = *error;
  return result;
}

}  // namespace tern::bench
