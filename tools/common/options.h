// The command lines of tern_pub, tern_sub and tern_rr: the same flags as Debian's
// mosquitto_pub, mosquitto_sub and mosquitto_rr 2.0.11, with the same defaults, the same
// refusals and the same error lines.
//
// One parser reads all three, flag by flag and in order (a later -V overrides the v5 that a
// -D implies, as in mosquitto), refusing flags that belong to another tool with "Unknown
// option". The result is a plain options struct per tool: connection settings shared by all
// three (ConnectionOptions), then what each tool does. Parsing never prints or exits: an error is
// a value with one line naming the problem and what the caller should print after it (see
// OptionError), so main() decides and tests check the text. No file or socket is touched (-f is
// only recorded). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/format.h"
#include "common/proxy_url.h"
#include "mqtt/packets.h"
#include "mqtt/properties.h"
#include "mqtt/types.h"

namespace tern::tools {

enum class Tool : std::uint8_t { pub, sub, rr };

// "tern_pub", "tern_sub", "tern_rr".
std::string_view tool_name(Tool tool);

struct TlsOptions {
  std::optional<std::string> cafile;             // --cafile
  std::optional<std::string> capath;             // --capath
  std::optional<std::string> certfile;           // --cert
  std::optional<std::string> keyfile;            // --key
  std::optional<std::string> keyform;            // --keyform
  std::optional<std::string> ciphers;            // --ciphers
  std::optional<std::string> version;            // --tls-version
  std::optional<std::string> alpn;               // --tls-alpn
  std::optional<std::string> engine;             // --tls-engine
  std::optional<std::string> engine_kpass_sha1;  // --tls-engine-kpass-sha1
  std::optional<std::string> psk;                // --psk (hex)
  std::optional<std::string> psk_identity;       // --psk-identity
  bool insecure = false;                         // --insecure: no host name check
  bool use_os_certs = false;                     // --tls-use-os-certs, or an mqtts:// URL
  // TLS is on with a CA file or directory, or a pre-shared key (mosquitto's rule).
  bool enabled() const { return cafile || capath || psk; }
};

struct WillOptions {
  std::string topic;                   // --will-topic
  std::optional<std::string> payload;  // --will-payload; none: a zero-length will
  mqtt::QoS qos = mqtt::QoS::at_most_once;
  bool retain = false;
  mqtt::Properties properties;  // -D will ...
};

struct ConnectionOptions {
  std::string host = "localhost";
  std::optional<std::uint16_t> port;              // -p; none: 8883 with TLS, else 1883
  std::optional<std::string> unix_path;           // --unix (host is then the path, port 0)
  std::optional<std::string> bind_address;        // -A
  mqtt::Version version = mqtt::Version::v3_1_1;  // tern_rr: v5
  std::optional<std::string> client_id;           // -i
  std::optional<std::string> id_prefix;           // -I: the id is this followed by the process id
  std::uint16_t keepalive = 60;                   // -k, 5..65535
  bool clean_session = true;                      // -c turns it off
  std::optional<std::string> username;            // -u
  std::optional<std::string> password;            // -P
  std::optional<WillOptions> will;
  TlsOptions tls;
  std::optional<ProxyOptions> proxy;
  unsigned max_inflight = 20;  // -M
  bool nodelay = false;        // --nodelay
  bool debug = false;          // -d
  bool quiet = false;          // --quiet
  // -D connect/disconnect; the Session Expiry Interval from -x (or -c with MQTT 5.0) is here.
  mqtt::Properties connect_properties;
  mqtt::Properties disconnect_properties;

  std::uint16_t effective_port() const { return port ? *port : tls.enabled() ? 8883 : 1883; }
  // The client identifier to send: -i, or -I's prefix with `pid`, or empty (the tool picks).
  std::string client_id_for(int pid) const;
};

// Where tern_pub's and tern_rr's message comes from.
enum class MessageMode : std::uint8_t {
  none,
  command_line,  // -m
  file,          // -f
  stdin_lines,   // -l: one message per line (tern_pub only)
  stdin_whole,   // -s: all of stdin as one message
  null,          // -n: zero-length message
};

struct PubOptions {
  ConnectionOptions connection;
  std::string topic;  // -t, or the topic of -L
  MessageMode mode = MessageMode::none;
  std::string message;  // -m
  std::string file;     // -f
  mqtt::QoS qos = mqtt::QoS::at_most_once;
  bool retain = false;                  // -r
  int repeat_count = 1;                 // --repeat
  std::int64_t repeat_delay_us = 0;     // --repeat-delay, in microseconds
  mqtt::Properties publish_properties;  // -D publish
};

struct SubOptions {
  ConnectionOptions connection;
  std::vector<std::string> topics;       // -t (and -L's topic), in order
  std::vector<std::string> filter_outs;  // -T
  std::vector<std::string> unsubscribe;  // -U
  mqtt::QoS qos = mqtt::QoS::at_most_once;
  int msg_count = 0;                  // -C; 0: no limit
  unsigned timeout_s = 0;             // -W; 0: none
  bool no_retain = false;             // -R: skip retained messages (retain handling 2)
  bool retained_only = false;         // --retained-only
  bool remove_retained = false;       // --remove-retained
  bool exit_after_subscribe = false;  // -E
  bool retain_as_published = false;   // --retain-as-published
  // --random-filter P is kept as mosquitto keeps it, (int)(10 * P), and mosquitto prints a
  // message when random() % 10000 < random_filter: "100" prints one message in ten (a
  // mosquitto 2.0.11 bug kept for compatibility). 10000, the default, prints all.
  int random_filter = 10000;
  OutputOptions output;                   // -F, -v, -N, --pretty
  mqtt::Properties subscribe_properties;  // -D subscribe
  mqtt::Properties unsubscribe_properties;
};

struct RrOptions {
  ConnectionOptions connection;  // version defaults to MQTT 5.0
  std::string topic;             // -t: the request topic
  std::string response_topic;    // -e
  MessageMode mode = MessageMode::none;
  std::string message;
  std::string file;
  mqtt::QoS qos = mqtt::QoS::at_most_once;
  unsigned timeout_s = 0;  // -W
  bool no_retain = false;  // -R
  OutputOptions output;
  // -D publish plus the Response Topic of -e, which tern_rr always sends.
  mqtt::Properties publish_properties;
  mqtt::Properties subscribe_properties;
  mqtt::Properties unsubscribe_properties;
};

// What the caller prints after an error line, as mosquitto does.
enum class ErrorHint : std::uint8_t {
  use_help,    // a blank line, then "Use 'TOOL --help' to see usage." (the usual case)
  full_usage,  // the whole usage text on stdout
  none,        // nothing more
};

struct OptionError {
  std::string message;  // one line, no newline; empty only where mosquitto prints no line
  ErrorHint hint = ErrorHint::use_help;
};

enum class Action : std::uint8_t {
  run,
  help,     // --help: print usage() on stdout, exit 1 like mosquitto
  version,  // --version: print the version line, exit 1 like mosquitto
};

template <typename Options>
struct ParseResult {
  Options options;
  Action action = Action::run;
  std::optional<OptionError> error;
  bool ok() const { return !error.has_value(); }
};

// `args` excludes the program name.
ParseResult<PubOptions> parse_pub_options(std::span<const std::string> args);
ParseResult<SubOptions> parse_sub_options(std::span<const std::string> args);
ParseResult<RrOptions> parse_rr_options(std::span<const std::string> args);

// What goes to stderr for `error` (the line, then the hint when it is use_help); the caller adds
// usage() on stdout for full_usage. Nothing when the message is empty and there is no hint.
std::string error_text(Tool tool, const OptionError& error);

// The --help text: the same flags as mosquitto's, with the tools' names.
std::string usage(Tool tool);
// "tern_pub version 0.1.0." (--version).
std::string version_line(Tool tool);

}  // namespace tern::tools
