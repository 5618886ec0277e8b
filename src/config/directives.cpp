// The table of mosquitto.conf directives: name -> handler. Most handlers are one generic setter
// (boolean, integer in a range, string) bound to the Config field it sets; the rest are written
// out below the generic ones. Ranges and defaults follow Mosquitto 2.0 (src/conf.c), except that
// Tern refuses what Mosquitto silently clamps or misreads (negative counts, "12abc").
#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "config/arguments.h"
#include "config/parse_state.h"
#include "config/values.h"

namespace tern::config {
namespace {

constexpr std::int64_t kIntMax = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMaxPayload = 268435455;       // largest Remaining Length
constexpr std::int64_t kMaxPacket = kMaxPayload + 5;  // plus the largest fixed header

// --- Generic setters, bound to a member of the struct the directive applies to.

template <class M>
struct MemberOf;
template <class C, class V>
struct MemberOf<V C::*> {
  using Class = C;
  using Value = V;
};

// The object a directive of class T applies to now, and the scope used to detect a second value.
template <class T>
T& target(ParseState& s);
template <>
Config& target<Config>(ParseState& s) {
  return s.config;
}
template <>
Listener& target<Listener>(ParseState& s) {
  return s.listener();
}
template <>
TlsSettings& target<TlsSettings>(ParseState& s) {
  return s.listener().tls;
}
template <>
Security& target<Security>(ParseState& s) {
  return s.security();
}

template <class T>
std::string scope(const ParseState& s) {
  if constexpr (std::is_same_v<T, Config>) return "global";
  if constexpr (std::is_same_v<T, Security>) return s.security_scope();
  return s.listener_scope();
}

template <auto M>
Status set_bool(ParseState& s, const Args& a) {
  bool value = false;
  if (auto e = bool_arg(a, value)) return e;
  target<typename MemberOf<decltype(M)>::Class>(s).*M = value;
  return kOk;
}

template <auto M, std::int64_t kMin, std::int64_t kMax>
Status set_int(ParseState& s, const Args& a) {
  using Value = typename MemberOf<decltype(M)>::Value;
  static_assert(kMin >= std::numeric_limits<Value>::min());
  static_assert(static_cast<std::uint64_t>(kMax) <= std::numeric_limits<Value>::max());
  std::int64_t value = 0;
  if (auto e = int_arg(a, kMin, kMax, value)) return e;
  target<typename MemberOf<decltype(M)>::Class>(s).*M = static_cast<Value>(value);
  return kOk;
}

// The rest of the line, blanks included. A second value for the same scope is an error, as in
// Mosquitto ("Duplicate ... value").
template <auto M>
Status set_string(ParseState& s, const Args& a) {
  using Class = typename MemberOf<decltype(M)>::Class;
  if (a.rest.empty()) return missing(a);
  if (!s.seen_strings.insert(scope<Class>(s) + "/" + std::string(a.name)).second) {
    return "duplicate " + quoted(a.name) + " value";
  }
  target<Class>(s).*M = std::string(a.rest);
  return kOk;
}

// --- Directives with their own rules.

Status listener(ParseState& s, const Args& a) {
  // Like Mosquitto, a word starting with '#' ends the line here: "listener 1883 # plain".
  auto end = std::find_if(a.words.begin(), a.words.end(),
                          [](std::string_view w) { return w.front() == '#'; });
  std::size_t count = static_cast<std::size_t>(end - a.words.begin());
  if (count == 0) return missing(a);
  if (count > 2) return extra(a, a.words[2]);
  std::int64_t number = 0;
  if (auto e = int_word(a, a.words[0], 1, 65535, number)) return e;
  std::string address = count == 2 ? std::string(a.words[1]) : std::string();
  for (const Listener& other : s.listeners) {
    if (other.port == number && other.bind_address == address) {
      return "listener " + std::string(a.words[0]) + (address.empty() ? "" : " " + address) +
             " is already declared at " + other.declared_at;
    }
  }
  Listener next;
  next.port = static_cast<std::uint16_t>(number);
  next.bind_address = std::move(address);
  next.declared_at = s.location();
  s.listeners.push_back(std::move(next));
  s.current = s.listeners.size() - 1;
  s.local_only = false;
  return kOk;
}

Status port(ParseState& s, const Args& a) {
  std::int64_t value = 0;
  if (auto e = int_arg(a, 1, 65535, value)) return e;
  s.default_listener.port = static_cast<std::uint16_t>(value);
  s.default_listener_used = true;
  s.local_only = false;
  s.warn("'port' is deprecated by Mosquitto; prefer 'listener'");
  return kOk;
}

Status bind_address(ParseState& s, const Args& a) {
  std::string_view word;
  if (auto e = one_word(a, word)) return e;
  if (!s.seen_strings.insert("default/bind_address").second) {
    return "duplicate 'bind_address' value";
  }
  s.default_listener.bind_address = std::string(word);
  s.default_listener_used = true;
  s.local_only = false;
  s.warn("'bind_address' is deprecated by Mosquitto; prefer 'listener PORT ADDRESS'");
  return kOk;
}

Status max_connections(ParseState& s, const Args& a) {
  std::string_view word;
  if (auto e = one_word(a, word)) return e;
  std::int64_t value = 0;
  if (word != "-1") {
    if (auto e = int_word(a, word, 0, kIntMax, value); e) {
      if (word.front() == '-' && parse_int(word)) {
        return "'max_connections' must be -1 (unlimited) or between 0 and " +
               std::to_string(kIntMax) + ", got " + std::string(word);
      }
      return e;
    }
  } else {
    value = -1;
  }
  s.listener().max_connections = static_cast<int>(value);
  return kOk;
}

Status protocol(ParseState& s, const Args& a) {
  std::string_view word;
  if (auto e = one_word(a, word)) return e;
  if (word == "mqtt") {
    s.listener().protocol = Protocol::mqtt;
  } else if (word == "websockets") {
    s.listener().protocol = Protocol::websockets;
  } else {
    return bad_choice(a, word, "mqtt or websockets");
  }
  return kOk;
}

Status socket_domain(ParseState& s, const Args& a) {
  std::string_view word;
  if (auto e = one_word(a, word)) return e;
  if (word == "ipv4") {
    s.listener().socket_domain = SocketDomain::ipv4;
  } else if (word == "ipv6") {
    s.listener().socket_domain = SocketDomain::ipv6;
  } else {
    return bad_choice(a, word, "ipv4 or ipv6");
  }
  return kOk;
}

Status allow_anonymous(ParseState& s, const Args& a) {
  bool value = false;
  if (auto e = bool_arg(a, value)) return e;
  s.security().allow_anonymous = value;
  s.anonymous_set.insert(s.security_scope());
  return kOk;
}

Status per_listener_settings(ParseState& s, const Args& a) {
  bool value = false;
  if (auto e = bool_arg(a, value)) return e;
  if (s.config.per_listener_settings) return kOk;  // once true it stays true, as in Mosquitto
  if (value && s.security_seen) {
    return "'per_listener_settings' must come before any password_file, acl_file, "
           "allow_anonymous or allow_zero_length_clientid";
  }
  s.config.per_listener_settings = value;
  return kOk;
}

// log_dest may repeat: the first one replaces the default (stderr), later ones add to it, and
// `none` clears what came before.
Status log_dest(ParseState& s, const Args& a) {
  if (a.words.empty()) return missing(a);
  std::string_view kind = a.words[0];
  unsigned bit = 0;
  if (kind == "file") {
    std::string_view path = a.rest.substr(kind.size());
    path.remove_prefix(std::min(path.find_first_not_of(" \t"), path.size()));
    if (path.empty()) return "missing file name for 'log_dest file'";
    if (!s.config.log_file.empty()) return "duplicate 'log_dest file' value";
    s.config.log_file = std::string(path);
    bit = kLogDestFile;
  } else {
    if (a.words.size() > 1) return extra(a, a.words[1]);
    if (kind == "stderr") {
      bit = kLogDestStderr;
    } else if (kind == "stdout") {
      bit = kLogDestStdout;
    } else if (kind == "syslog") {
      bit = kLogDestSyslog;
    } else if (kind == "topic") {
      bit = kLogDestTopic;
    } else if (kind != "none") {
      return bad_choice(a, kind, "stderr, stdout, file, syslog, topic or none");
    }
  }
  if (!s.log_dest_set || bit == 0) s.config.log_dest = 0;
  s.log_dest_set = true;
  s.config.log_dest |= bit;
  return kOk;
}

// log_type may repeat, like log_dest; `all` and `none` replace what came before.
Status log_type(ParseState& s, const Args& a) {
  std::string_view word;
  if (auto e = one_word(a, word)) return e;
  struct Kind {
    std::string_view name;
    unsigned bits;
  };
  static constexpr std::array<Kind, 10> kKinds{{
      {"error", kLogTypeError},
      {"warning", kLogTypeWarning},
      {"notice", kLogTypeNotice},
      {"information", kLogTypeInformation},
      {"debug", kLogTypeDebug},
      {"subscribe", kLogTypeSubscribe},
      {"unsubscribe", kLogTypeUnsubscribe},
      {"websockets", kLogTypeWebsockets},
      {"all", kLogTypeAll},
      {"none", 0},
  }};
  auto it =
      std::find_if(kKinds.begin(), kKinds.end(), [&](const Kind& k) { return k.name == word; });
  if (it == kKinds.end()) {
    return bad_choice(a, word,
                      "error, warning, notice, information, debug, subscribe, unsubscribe, "
                      "websockets, all or none");
  }
  if (!s.log_type_set || it->name == "all" || it->name == "none") s.config.log_type = 0;
  s.log_type_set = true;
  s.config.log_type |= it->bits;
  return kOk;
}

Status persistent_client_expiration(ParseState& s, const Args& a) {
  std::string_view word;
  if (auto e = one_word(a, word)) return e;
  auto seconds = parse_duration(word);
  if (!seconds) {
    return "bad duration " + quoted(word) +
           " for 'persistent_client_expiration' (expected a positive number followed by h, d, w, "
           "m or y, e.g. 14d)";
  }
  s.config.persistent_client_expiration = *seconds;
  return kOk;
}

Status shared_subscription_strategy(ParseState& s, const Args& a) {
  std::string_view word;
  if (auto e = one_word(a, word)) return e;
  auto& out = s.config.shared_subscription_strategy;
  if (word == "round_robin") {
    out = SharedSubscriptionStrategy::round_robin;
  } else if (word == "random") {
    out = SharedSubscriptionStrategy::random;
  } else if (word == "sticky") {
    out = SharedSubscriptionStrategy::sticky;
  } else {
    return bad_choice(a, word, "round_robin, random or sticky");
  }
  return kOk;
}

// `user` may be given again; the last one wins (Mosquitto does the same).
Status user(ParseState& s, const Args& a) {
  if (a.rest.empty()) return missing(a);
  s.config.user = std::string(a.rest);
  return kOk;
}

Status clientid_prefixes(ParseState& s, const Args& a) {
  s.warn("'clientid_prefixes' is deprecated by Mosquitto");
  return set_string<&Config::clientid_prefixes>(s, a);
}

// Removed from Mosquitto 2, which warns and carries on; so does Tern.
Status obsolete(ParseState& s, const Args& a) {
  s.warn(quoted(a.name) + " is obsolete and ignored");
  return kOk;
}

// Mosquitto options Tern knows but does not implement. Refusing them is safer than ignoring
// them: a plugin or a bridge that silently does not run changes who may connect or where
// messages go.
Status unsupported(ParseState&, const Args& a) {
  return quoted(a.name) + " is a Mosquitto option that Tern does not support";
}

using Handler = Status (*)(ParseState&, const Args&);

struct Directive {
  std::string_view name;
  Handler handler;
};

// Every directive Tern accepts, with its handler. include_dir is read by the file reader.
constexpr auto kDirectives = std::to_array<Directive>({
    // Listeners.
    {"listener", listener},
    {"port", port},
    {"bind_address", bind_address},
    {"bind_interface", set_string<&Listener::bind_interface>},
    {"max_connections", max_connections},
    {"protocol", protocol},
    {"socket_domain", socket_domain},
    {"max_topic_alias", set_int<&Listener::max_topic_alias, 0, 65535>},
    // TLS, per listener.
    {"certfile", set_string<&TlsSettings::certfile>},
    {"keyfile", set_string<&TlsSettings::keyfile>},
    {"cafile", set_string<&TlsSettings::cafile>},
    {"capath", set_string<&TlsSettings::capath>},
    {"tls_version", set_string<&TlsSettings::tls_version>},
    {"ciphers", set_string<&TlsSettings::ciphers>},
    {"require_certificate", set_bool<&TlsSettings::require_certificate>},
    // Security.
    {"per_listener_settings", per_listener_settings},
    {"allow_anonymous", allow_anonymous},
    {"password_file", set_string<&Security::password_file>},
    {"acl_file", set_string<&Security::acl_file>},
    {"allow_zero_length_clientid", set_bool<&Security::allow_zero_length_clientid>},
    {"clientid_prefixes", clientid_prefixes},
    // Limits.
    {"max_queued_messages", set_int<&Config::max_queued_messages, 0, kIntMax>},
    {"max_queued_bytes", set_int<&Config::max_queued_bytes, 0, kInt64Max>},
    {"max_inflight_messages", set_int<&Config::max_inflight_messages, 0, 65535>},
    {"max_inflight_bytes", set_int<&Config::max_inflight_bytes, 0, kInt64Max>},
    {"message_size_limit", set_int<&Config::message_size_limit, 0, kMaxPayload>},
    {"max_packet_size", set_int<&Config::max_packet_size, 20, kMaxPacket>},
    {"max_keepalive", set_int<&Config::max_keepalive, 0, 65535>},
    {"persistent_client_expiration", persistent_client_expiration},
    // Behaviour.
    {"retain_available", set_bool<&Config::retain_available>},
    {"max_qos", set_int<&Config::max_qos, 0, 2>},
    {"max_topic_alias_broker", set_int<&Config::max_topic_alias_broker, 0, 65535>},
    {"upgrade_outgoing_qos", set_bool<&Config::upgrade_outgoing_qos>},
    {"queue_qos0_messages", set_bool<&Config::queue_qos0_messages>},
    {"check_retain_source", set_bool<&Config::check_retain_source>},
    {"set_tcp_nodelay", set_bool<&Config::set_tcp_nodelay>},
    {"sys_interval", set_int<&Config::sys_interval, 0, 65535>},
    // Logging.
    {"log_dest", log_dest},
    {"log_type", log_type},
    {"log_timestamp", set_bool<&Config::log_timestamp>},
    {"log_timestamp_format", set_string<&Config::log_timestamp_format>},
    {"connection_messages", set_bool<&Config::connection_messages>},
    // Persistence.
    {"persistence", set_bool<&Config::persistence>},
    {"persistence_location", set_string<&Config::persistence_location>},
    {"persistence_file", set_string<&Config::persistence_file>},
    {"autosave_interval", set_int<&Config::autosave_interval, 0, kIntMax>},
    // Process.
    {"pid_file", set_string<&Config::pid_file>},
    {"user", user},
    // Tern's own.
    {"thread_count", set_int<&Config::thread_count, 0, 1024>},
    {"shared_subscriptions", set_bool<&Config::shared_subscriptions>},
    {"use_another_server", set_string<&Config::use_another_server>},
    {"server_moved", set_string<&Config::server_moved>},
    {"shared_subscription_strategy", shared_subscription_strategy},
    {"data_dir", set_string<&Config::data_dir>},
    // Obsolete in Mosquitto 2.
    {"retry_interval", obsolete},
    // Mosquitto options Tern refuses (see unsupported()).
    {"accept_protocol_versions", unsupported},
    {"address", unsupported},  // bridges
    {"addresses", unsupported},
    {"auth_plugin", unsupported},
    {"auto_id_prefix", unsupported},
    {"autosave_on_changes", unsupported},
    {"ciphers_tls1.3", unsupported},
    {"connection", unsupported},  // bridges
    {"crlfile", unsupported},
    {"dhparamfile", unsupported},
    {"global_plugin", unsupported},
    {"http_dir", unsupported},
    {"log_facility", unsupported},
    {"memory_limit", unsupported},
    {"mount_point", unsupported},
    {"plugin", unsupported},
    {"psk_file", unsupported},
    {"psk_hint", unsupported},
    {"tls_engine", unsupported},
    {"tls_keyform", unsupported},
    {"topic", unsupported},  // bridges
    {"use_identity_as_username", unsupported},
    {"use_subject_as_username", unsupported},
    {"use_username_as_clientid", unsupported},
    {"websockets_headers_size", unsupported},
    {"websockets_log_level", unsupported},
});

}  // namespace

Status apply_directive(ParseState& state, const Args& args) {
  auto it = std::find_if(kDirectives.begin(), kDirectives.end(),
                         [&](const Directive& d) { return d.name == args.name; });
  if (it == kDirectives.end()) {
    // auth_opt_* and plugin_opt_* belong to plugins, which Tern does not load.
    if (args.name.starts_with("auth_opt_") || args.name.starts_with("plugin_opt_")) {
      return unsupported(state, args);
    }
    return "unknown directive " + quoted(args.name);
  }
  return it->handler(state, args);
}

}  // namespace tern::config
