// Tern's configuration: Mosquitto's `mosquitto.conf` syntax read into a typed `Config`.
//
// The format (mosquitto.conf(5)): one directive per line, its name then its arguments separated by
// blanks; lines whose first non-blank character is `#` are comments; blank lines are skipped;
// CRLF line ends and trailing blanks are accepted. Settings that take a path or free text (file
// names, `log_timestamp_format`) take the rest of the line, blanks included. `include_dir DIR`
// reads every `*.conf` file of DIR in byte-wise alphabetical order. docs/configuration.md lists
// every directive with its default, its range and whether Tern acts on it yet.
//
// Errors are values, not exceptions: `load_config_file` and `parse_config` return a
// `ConfigResult` holding either a complete `Config` or the first `ConfigError`, which names the
// file and line at fault ("mosquitto.conf:12: unknown directive 'foo'"). Nothing here throws
// except std::bad_alloc.
//
// Ownership and threads: a `Config` is a plain value with no references into the parser or the
// text; copy it freely. Parsing touches no global state, so separate parses may run on separate
// threads. The only I/O is reading the named file and the `include_dir` directories.
//
// Members of these plain structs follow the codebase's struct convention (mqtt::Connect,
// broker::Message): snake_case without the trailing underscore that class members carry.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tern::config {

enum class Protocol : std::uint8_t { mqtt, websockets };

// Address family a listener binds: `any` binds whatever the address resolves to.
enum class SocketDomain : std::uint8_t { any, ipv4, ipv6 };

// How a message to a shared subscription ($share/group/filter) picks its one subscriber.
enum class SharedSubscriptionStrategy : std::uint8_t { round_robin, random, sticky };

// log_dest: a bit set of destinations.
inline constexpr unsigned kLogDestStderr = 1u << 0;
inline constexpr unsigned kLogDestStdout = 1u << 1;
inline constexpr unsigned kLogDestFile = 1u << 2;  // Config::log_file names the file
inline constexpr unsigned kLogDestSyslog = 1u << 3;
inline constexpr unsigned kLogDestTopic = 1u << 4;  // $SYS/broker/log/...

// log_type: a bit set of the kinds of message logged.
inline constexpr unsigned kLogTypeError = 1u << 0;
inline constexpr unsigned kLogTypeWarning = 1u << 1;
inline constexpr unsigned kLogTypeNotice = 1u << 2;
inline constexpr unsigned kLogTypeInformation = 1u << 3;
inline constexpr unsigned kLogTypeDebug = 1u << 4;
inline constexpr unsigned kLogTypeSubscribe = 1u << 5;
inline constexpr unsigned kLogTypeUnsubscribe = 1u << 6;
inline constexpr unsigned kLogTypeWebsockets = 1u << 7;
inline constexpr unsigned kLogTypeAll = (1u << 8) - 1;

// Authentication and access control. Global (`Config::security`) unless per_listener_settings is
// true, in which case each listener has its own. After parsing, every `Listener::security` holds
// the settings in force on that listener either way, so the broker reads only that one.
struct Security {
  std::string password_file;  // Mosquitto password file; empty: none
  std::string acl_file;       // Mosquitto ACL file; empty: none
  // Resolved at the end of parsing: the value written if `allow_anonymous` appears for this
  // scope; otherwise true exactly when no password_file is configured for it (Tern's default;
  // see docs/configuration.md for how this differs from Mosquitto 2.x).
  bool allow_anonymous = true;
  bool allow_zero_length_clientid = true;
  bool operator==(const Security&) const = default;
};

// TLS settings, stored for the TLS issue; nothing acts on them yet.
struct TlsSettings {
  std::string certfile;
  std::string keyfile;
  std::string cafile;
  std::string capath;
  std::string tls_version;
  std::string ciphers;
  bool require_certificate = false;
  bool enabled() const { return !certfile.empty() || !keyfile.empty(); }
  bool operator==(const TlsSettings&) const = default;
};

struct Listener {
  std::uint16_t port = 1883;
  // A host name or address. The transport binds every address it resolves to (as Mosquitto
  // does); empty means every interface, IPv4 and IPv6.
  std::string bind_address;
  std::string bind_interface;  // SO_BINDTODEVICE; empty: none
  Protocol protocol = Protocol::mqtt;
  SocketDomain socket_domain = SocketDomain::any;
  int max_connections = -1;            // -1: unlimited
  std::uint16_t max_topic_alias = 10;  // Topic Alias Maximum granted to clients (MQTT 5.0)
  TlsSettings tls;
  Security security;  // in force on this listener (see Security)
  // Where the listener was declared ("mosquitto.conf:7"), or "" for the default listener, which
  // `port`, `bind_address` and listener settings written before any `listener` line configure.
  std::string declared_at;
  bool operator==(const Listener&) const = default;
};

struct Config {
  // Never empty. Without any `listener`, `port` or `bind_address` directive this is one listener
  // on port 1883 bound to "localhost" (loopback only, as Mosquitto 2.x does without listeners).
  std::vector<Listener> listeners;
  bool per_listener_settings = false;
  Security security;  // global settings; see Security

  // Limits per client. 0 means unlimited unless said otherwise.
  std::uint32_t max_queued_messages = 1000;  // QoS 1/2 messages queued beyond those in flight
  std::uint64_t max_queued_bytes = 0;
  std::uint16_t max_inflight_messages = 20;
  std::uint64_t max_inflight_bytes = 0;
  std::uint32_t message_size_limit = 0;  // largest payload accepted; max 268435455
  std::uint32_t max_packet_size = 0;     // largest packet accepted; 0: the protocol's limit
  std::uint16_t max_keepalive = 65535;   // 0: clients may also use keepalive 0
  std::uint64_t persistent_client_expiration = 0;  // seconds; 0: sessions never expire
  std::uint8_t max_qos = 2;                        // highest QoS granted or accepted
  std::uint16_t max_topic_alias_broker = 10;       // aliases the broker uses towards a client

  // Behaviour.
  bool retain_available = true;
  bool upgrade_outgoing_qos = false;
  bool queue_qos0_messages = false;
  bool check_retain_source = false;
  bool set_tcp_nodelay = false;
  std::string clientid_prefixes;    // empty: any client id may connect
  std::uint32_t sys_interval = 10;  // seconds between $SYS updates; 0: no $SYS tree

  // Logging.
  unsigned log_dest = kLogDestStderr;
  std::string log_file;  // set with kLogDestFile
  unsigned log_type = kLogTypeError | kLogTypeWarning | kLogTypeNotice | kLogTypeInformation;
  bool log_timestamp = true;
  std::string log_timestamp_format;  // strftime format; empty: seconds since the epoch
  bool connection_messages = true;

  // Persistence (Mosquitto's single-file database).
  bool persistence = false;
  std::string persistence_location;  // directory; empty: the working directory
  std::string persistence_file = "mosquitto.db";
  std::uint32_t autosave_interval = 1800;  // seconds

  // Process.
  std::string pid_file;  // empty: none written
  std::string user;      // user to switch to when started as root; empty: stay

  // Tern's own settings.
  unsigned thread_count = 0;  // worker threads; 0: one per core
  SharedSubscriptionStrategy shared_subscription_strategy = SharedSubscriptionStrategy::round_robin;
  bool shared_subscriptions = true;
  // MQTT 5.0 redirection: new clients are sent to this server ("host[:port]").
  std::string use_another_server;
  std::string server_moved;
  std::string data_dir = "./tern-data";

  // Every file read, main file first, then include_dir files in the order read.
  std::vector<std::string> files;
  // Things worth logging at start-up that are not errors ("file:line: text"): deprecated
  // directives, ignored directives.
  std::vector<std::string> warnings;
};

struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when the error concerns the file as a whole (cannot be read)
  std::string message;
  // "file:line: message", or "file: message" when line is 0.
  std::string to_string() const;
  bool operator==(const ConfigError&) const = default;
};

// A Config or the ConfigError that stopped parsing.
class [[nodiscard]] ConfigResult {
 public:
  ConfigResult(Config value) : state_(std::in_place_index<0>, std::move(value)) {}       // NOLINT
  ConfigResult(ConfigError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Precondition: ok().
  Config& value() & {
    assert(ok());
    return *std::get_if<0>(&state_);
  }
  const Config& value() const& {
    assert(ok());
    return *std::get_if<0>(&state_);
  }
  Config&& value() && {
    assert(ok());
    return std::move(*std::get_if<0>(&state_));
  }
  Config* operator->() { return &value(); }
  const Config* operator->() const { return &value(); }

  // Precondition: !ok().
  const ConfigError& error() const {
    assert(!ok());
    return *std::get_if<1>(&state_);
  }

 private:
  std::variant<Config, ConfigError> state_;
};

// Reads and parses the file at `path`; errors name it as given.
ConfigResult load_config_file(const std::string& path);

// Parses configuration text; `name` stands for the file in error messages. include_dir
// directories are read from the file system, relative paths from the working directory.
ConfigResult parse_config(std::string_view text, std::string_view name);

// The configuration Tern runs with when given no file: the result of parsing empty text.
Config default_config();

}  // namespace tern::config
