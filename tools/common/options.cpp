// The parser of tern_pub, tern_sub and tern_rr. It walks the words once, in order, as
// mosquitto's client_config_line_proc does, then applies the checks of client_config_load and
// of each tool's main() in mosquitto's order, so that the first problem reported is the one
// mosquitto reports.
#include "common/options.h"

#include <strings.h>

#include <climits>

#include "common/mosquitto_compat.h"
#include "common/property_args.h"
#include "common/proxy_url.h"

namespace tern::tools {

namespace {

constexpr long kMaxPayload = 268'435'455;      // MQTT_MAX_PAYLOAD
constexpr long long kInfinite = 4294967295LL;  // Session Expiry Interval that never expires

OptionError fail(std::string message, ErrorHint hint = ErrorHint::use_help) {
  return OptionError{std::move(message), hint};
}

// Everything any of the three tools can be told, before it is split per tool.
struct Config {
  ConnectionOptions connection;
  int port = -1;  // -1: not given
  int protocol = 4;
  std::optional<std::string> topic;  // tern_pub, tern_rr
  std::vector<std::string> topics;   // tern_sub
  std::optional<std::string> response_topic;
  std::vector<std::string> filter_outs;
  std::vector<std::string> unsubscribe;
  MessageMode mode = MessageMode::none;
  std::string message;
  std::string file;
  int qos = 0;
  bool retain = false;
  int repeat_count = 1;
  std::int64_t repeat_delay_us = 0;
  int msg_count = 0;
  unsigned timeout = 0;
  bool no_retain = false;
  bool retained_only = false;
  bool remove_retained = false;
  bool exit_after_subscribe = false;
  bool retain_as_published = false;
  int random_filter = 10000;
  OutputOptions output;
  long long session_expiry = -1;  // -1: not given
  std::optional<std::string> will_topic;
  std::optional<std::string> will_payload;
  int will_qos = 0;
  bool will_retain = false;
  PropertyArgs properties;
  Action action = Action::run;
};

class Parser {
 public:
  Parser(Tool tool, std::span<const std::string> args) : tool_(tool), args_(args) {
    if (tool == Tool::rr) config_.protocol = 5;  // tern_rr speaks MQTT 5.0 by default
  }

  // The words, then client_config_load's checks. nullopt on success.
  std::optional<OptionError> run() {
    for (std::size_t i = 0; i < args_.size(); ++i) {
      if (auto error = word(i)) return error;
      if (config_.action != Action::run) return std::nullopt;
    }
    return after_words();
  }

  Config& config() { return config_; }

 private:
  bool is(Tool t) const { return tool_ == t; }
  bool last(std::size_t i) const { return i + 1 >= args_.size(); }

  OptionError unknown(std::size_t i) const {
    return fail("Error: Unknown option '" + args_[i] + "'.");
  }

  // A topic from -t, -e or -L, checked as mosquitto's cfg_add_topic does.
  std::optional<OptionError> add_topic(bool response, const std::string& topic,
                                       const std::string& flag) {
    if (!mosquitto_utf8_ok(topic)) return fail("Error: Malformed UTF-8 in " + flag + " argument.");
    if (response) {
      if (!mosquitto_pub_topic_ok(topic)) {
        return fail("Error: Invalid response topic '" + topic + "', does it contain '+' or '#'?");
      }
      config_.response_topic = topic;
    } else if (!is(Tool::sub)) {
      if (!mosquitto_pub_topic_ok(topic)) {
        return fail("Error: Invalid publish topic '" + topic + "', does it contain '+' or '#'?");
      }
      config_.topic = topic;
    } else {
      if (!mosquitto_sub_topic_ok(topic)) {
        return fail("Error: Invalid subscription topic '" + topic +
                    "', are all '+' and '#' wildcards correct?");
      }
      config_.topics.push_back(topic);
    }
    return std::nullopt;
  }

  std::optional<OptionError> set_mode(std::size_t& i, MessageMode mode, const char* missing) {
    if (config_.mode != MessageMode::none) {
      return fail("Error: Only one type of message can be sent at once.");
    }
    if (missing != nullptr) {
      if (last(i)) return fail(missing);
      ++i;
      if (mode == MessageMode::command_line) {
        if (args_[i].size() > static_cast<std::size_t>(kMaxPayload)) {
          return fail("Error: Message length must be less than " + std::to_string(kMaxPayload) +
                      " bytes.");
        }
        config_.message = args_[i];
      } else {
        config_.file = args_[i];
      }
    }
    config_.mode = mode;
    return std::nullopt;
  }

  // A flag followed by one word: stores it, or the "no value" error when it is missing.
  std::optional<OptionError> value(std::size_t& i, std::optional<std::string>& field,
                                   const char* missing) {
    if (last(i)) return fail(missing);
    field = args_[++i];
    return std::nullopt;
  }

  std::optional<OptionError> parse_url(const std::string& url_arg) {
    std::string url = url_arg;
    if (strncasecmp(url.c_str(), "mqtt://", 7) == 0) {
      url.erase(0, 7);
      config_.port = 1883;
    } else if (strncasecmp(url.c_str(), "mqtts://", 8) == 0) {
      url.erase(0, 8);
      config_.port = 8883;
      config_.connection.tls.use_os_certs = true;
    } else {
      return fail("Error: unsupported URL scheme.");
    }
    std::size_t slash = url.find('/');
    if (slash == std::string::npos) {
      return fail("Error: Invalid URL for -L argument specified - topic missing.");
    }
    std::string topic = url.substr(slash + 1);
    url.erase(slash);
    if (auto error = add_topic(false, topic, "-L topic")) return error;
    std::size_t at = url.find('@');
    if (at != std::string::npos) {
      std::string user = url.substr(0, at);
      std::size_t colon = user.find(':');
      if (colon != std::string::npos) {
        config_.connection.password = user.substr(colon + 1);
        user.erase(colon);
      }
      config_.connection.username = user;
      url.erase(0, at + 1);
    }
    std::size_t colon = url.find(':');
    if (colon != std::string::npos) {
      config_.port = c_atoi(url.substr(colon + 1));
      // mosquitto takes any number here and fails later, at connect time.
      if (config_.port < 0 || config_.port > 65535) {
        return fail("Error: Invalid port given: " + std::to_string(config_.port));
      }
      url.erase(colon);
    }
    config_.connection.host = url;
    return std::nullopt;
  }

  std::optional<OptionError> word(std::size_t& i) {
    const std::string& a = args_[i];
    ConnectionOptions& c = config_.connection;
    TlsOptions& tls = c.tls;

    if (a == "-A")
      return value(i, c.bind_address, "Error: -A argument given but no address specified.");
    if (a == "--cafile")
      return value(i, tls.cafile, "Error: --cafile argument given but no file specified.");
    if (a == "--capath") {
      return value(i, tls.capath, "Error: --capath argument given but no directory specified.");
    }
    if (a == "--cert")
      return value(i, tls.certfile, "Error: --cert argument given but no file specified.");
    if (a == "--ciphers") {
      return value(i, tls.ciphers, "Error: --ciphers argument given but no ciphers specified.");
    }
    if (a == "-C") {
      if (!is(Tool::sub)) return unknown(i);
      if (last(i)) return fail("Error: -C argument given but no count specified.");
      config_.msg_count = c_atoi(args_[++i]);
      if (config_.msg_count < 1) {
        return fail("Error: Invalid message count \"" + std::to_string(config_.msg_count) + "\".");
      }
      return std::nullopt;
    }
    if (a == "-c" || a == "--disable-clean-session") {
      c.clean_session = false;
      return std::nullopt;
    }
    if (a == "-d" || a == "--debug") {
      c.debug = true;
      return std::nullopt;
    }
    if (a == "-D" || a == "--property") {
      ++i;
      if (auto error = config_.properties.parse(args_, i)) return fail(*error);
      config_.protocol = 5;
      return std::nullopt;
    }
    if (a == "-e") {
      if (!is(Tool::rr)) return unknown(i);
      if (last(i)) return fail("Error: -e argument given but no response topic specified.");
      return add_topic(true, args_[++i], "-e");
    }
    if (a == "-E") {
      if (!is(Tool::sub)) return unknown(i);
      config_.exit_after_subscribe = true;
      return std::nullopt;
    }
    if (a == "-f" || a == "--file") {
      if (is(Tool::sub)) return unknown(i);
      return set_mode(i, MessageMode::file, "Error: -f argument given but no file specified.");
    }
    if (a == "-F") {
      if (is(Tool::pub)) return unknown(i);
      if (last(i)) return fail("Error: -F argument given but no format specified.");
      config_.output.format = args_[++i];
      if (auto error = check_format(*config_.output.format)) return fail(*error);
      return std::nullopt;
    }
    if (a == "--help") {
      config_.action = Action::help;
      return std::nullopt;
    }
    if (a == "-h" || a == "--host") {
      if (last(i)) return fail("Error: -h argument given but no host specified.");
      c.host = args_[++i];
      return std::nullopt;
    }
    if (a == "--insecure") {
      tls.insecure = true;
      return std::nullopt;
    }
    if (a == "-i" || a == "--id") {
      if (c.id_prefix) return fail("Error: -i and -I argument cannot be used together.");
      return value(i, c.client_id, "Error: -i argument given but no id specified.");
    }
    if (a == "-I" || a == "--id-prefix") {
      if (c.client_id) return fail("Error: -i and -I argument cannot be used together.");
      return value(i, c.id_prefix, "Error: -I argument given but no id prefix specified.");
    }
    if (a == "-k" || a == "--keepalive") {
      if (last(i)) return fail("Error: -k argument given but no keepalive specified.");
      int keepalive = c_atoi(args_[++i]);
      if (keepalive < 5 || keepalive > 65535) {
        return fail("Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.");
      }
      c.keepalive = static_cast<std::uint16_t>(keepalive);
      return std::nullopt;
    }
    if (a == "--key")
      return value(i, tls.keyfile, "Error: --key argument given but no file specified.");
    if (a == "--keyform") {
      return value(i, tls.keyform, "Error: --keyform argument given but no keyform specified.");
    }
    if (a == "-L" || a == "--url") {
      if (last(i)) return fail("Error: -L argument given but no URL specified.");
      return parse_url(args_[++i]);
    }
    if (a == "-l" || a == "--stdin-line") {
      if (!is(Tool::pub)) return unknown(i);
      return set_mode(i, MessageMode::stdin_lines, nullptr);
    }
    if (a == "-m" || a == "--message") {
      if (is(Tool::sub)) return unknown(i);
      return set_mode(i, MessageMode::command_line,
                      "Error: -m argument given but no message specified.");
    }
    if (a == "-M") {
      if (last(i)) return fail("Error: -M argument given but max_inflight not specified.");
      int inflight = c_atoi(args_[++i]);
      if (inflight < 1) return fail("Error: Maximum inflight messages must be greater than 0.");
      c.max_inflight = static_cast<unsigned>(inflight);
      return std::nullopt;
    }
    if (a == "--nodelay") {
      c.nodelay = true;
      return std::nullopt;
    }
    if (a == "-n" || a == "--null-message") {
      if (is(Tool::sub)) return unknown(i);
      return set_mode(i, MessageMode::null, nullptr);
    }
    if (a == "-N") {
      if (is(Tool::pub)) return unknown(i);
      config_.output.eol = false;
      return std::nullopt;
    }
    if (a == "-p" || a == "--port") {
      if (last(i)) return fail("Error: -p argument given but no port specified.");
      config_.port = c_atoi(args_[++i]);
      if (config_.port < 0 || config_.port > 65535) {
        return fail("Error: Invalid port given: " + std::to_string(config_.port));
      }
      return std::nullopt;
    }
    if (a == "--pretty") {
      if (is(Tool::pub)) return unknown(i);
      config_.output.pretty = true;
      return std::nullopt;
    }
    if (a == "-P" || a == "--pw") {
      return value(i, c.password, "Error: -P argument given but no password specified.");
    }
    if (a == "--proxy") {
      if (last(i)) return fail("Error: --proxy argument given but no proxy url specified.");
      std::string error;
      c.proxy = parse_proxy_url(args_[++i], error);
      if (!c.proxy) return fail(error);
      return std::nullopt;
    }
    if (a == "--psk") return value(i, tls.psk, "Error: --psk argument given but no key specified.");
    if (a == "--psk-identity") {
      return value(i, tls.psk_identity,
                   "Error: --psk-identity argument given but no identity specified.");
    }
    if (a == "-q" || a == "--qos") {
      if (last(i)) return fail("Error: -q argument given but no QoS specified.");
      config_.qos = c_atoi(args_[++i]);
      if (config_.qos < 0 || config_.qos > 2) {
        return fail("Error: Invalid QoS given: " + std::to_string(config_.qos));
      }
      return std::nullopt;
    }
    if (a == "--quiet") {
      c.quiet = true;
      return std::nullopt;
    }
    if (a == "-r" || a == "--retain") {
      if (!is(Tool::pub)) return unknown(i);
      config_.retain = true;
      return std::nullopt;
    }
    if (a == "-R") {
      if (is(Tool::pub)) return unknown(i);
      config_.no_retain = true;
      return std::nullopt;
    }
    if (a == "--random-filter") {
      if (!is(Tool::sub)) return unknown(i);
      if (last(i)) return fail("Error: --random-filter argument given but no chance specified.");
      config_.random_filter = static_cast<int>(10.0 * c_atof(args_[++i]));
      if (config_.random_filter > 10000 || config_.random_filter < 1) {
        return fail("Error: --random-filter chance must be between 0.1-100.0");
      }
      return std::nullopt;
    }
    if (a == "--remove-retained") {
      if (!is(Tool::sub)) return unknown(i);
      config_.remove_retained = true;
      return std::nullopt;
    }
    if (a == "--repeat") {
      if (!is(Tool::pub)) return unknown(i);
      if (last(i)) return fail("Error: --repeat argument given but no count specified.");
      config_.repeat_count = c_atoi(args_[++i]);
      if (config_.repeat_count < 1) return fail("Error: --repeat argument must be >0.");
      return std::nullopt;
    }
    if (a == "--repeat-delay") {
      if (!is(Tool::pub)) return unknown(i);
      if (last(i)) return fail("Error: --repeat-delay argument given but no time specified.");
      // mosquitto keeps the delay in a float of microseconds.
      auto seconds = static_cast<float>(c_atof(args_[++i]));
      if (seconds < 0.0f) return fail("Error: --repeat-delay argument must be >=0.0.");
      float micro = seconds * 1.0e6f;
      config_.repeat_delay_us =
          micro >= static_cast<float>(INT_MAX) ? INT_MAX : static_cast<std::int64_t>(micro);
      return std::nullopt;
    }
    if (a == "--retain-as-published") {
      if (is(Tool::pub)) return unknown(i);
      config_.retain_as_published = true;
      return std::nullopt;
    }
    if (a == "--retained-only") {
      if (!is(Tool::sub)) return unknown(i);
      config_.retained_only = true;
      return std::nullopt;
    }
    if (a == "-s" || a == "--stdin-file") {
      if (is(Tool::sub)) return unknown(i);
      return set_mode(i, MessageMode::stdin_whole, nullptr);
    }
    if (a == "-t" || a == "--topic") {
      if (last(i)) return fail("Error: -t argument given but no topic specified.");
      return add_topic(false, args_[++i], "-t");
    }
    if (a == "-T" || a == "--filter-out") {
      if (!is(Tool::sub)) return unknown(i);
      if (last(i)) return fail("Error: -T argument given but no topic filter specified.");
      const std::string& filter = args_[++i];
      if (!mosquitto_utf8_ok(filter)) return fail("Error: Malformed UTF-8 in -T argument.");
      if (!mosquitto_sub_topic_ok(filter)) {
        return fail("Error: Invalid filter topic '" + filter +
                    "', are all '+' and '#' wildcards correct?");
      }
      config_.filter_outs.push_back(filter);
      return std::nullopt;
    }
    if (a == "--tls-alpn") {
      return value(i, tls.alpn, "Error: --tls-alpn argument given but no protocol specified.");
    }
    if (a == "--tls-engine") {
      return value(i, tls.engine, "Error: --tls-engine argument given but no engine_id specified.");
    }
    if (a == "--tls-engine-kpass-sha1") {
      return value(i, tls.engine_kpass_sha1,
                   "Error: --tls-engine-kpass-sha1 argument given but no kpass sha1 specified.");
    }
    if (a == "--tls-use-os-certs") {
      tls.use_os_certs = true;
      return std::nullopt;
    }
    if (a == "--tls-version") {
      return value(i, tls.version, "Error: --tls-version argument given but no version specified.");
    }
    if (a == "-U" || a == "--unsubscribe") {
      if (!is(Tool::sub)) return unknown(i);
      if (last(i)) return fail("Error: -U argument given but no unsubscribe topic specified.");
      const std::string& filter = args_[++i];
      if (!mosquitto_utf8_ok(filter)) return fail("Error: Malformed UTF-8 in -U argument.");
      if (!mosquitto_sub_topic_ok(filter)) {
        return fail("Error: Invalid unsubscribe topic '" + filter +
                    "', are all '+' and '#' wildcards correct?");
      }
      config_.unsubscribe.push_back(filter);
      return std::nullopt;
    }
    if (a == "-u" || a == "--username") {
      return value(i, c.username, "Error: -u argument given but no username specified.");
    }
    if (a == "--unix") {
      if (last(i)) return fail("Error: --unix argument given but no socket path specified.");
      c.unix_path = args_[++i];
      c.host = *c.unix_path;
      config_.port = 0;
      return std::nullopt;
    }
    if (a == "-V" || a == "--protocol-version") {
      if (last(i)) {
        return fail("Error: --protocol-version argument given but no version specified.");
      }
      const std::string& v = args_[++i];
      if (v == "mqttv31" || v == "31") {
        config_.protocol = 3;
      } else if (v == "mqttv311" || v == "311") {
        config_.protocol = 4;
      } else if (v == "mqttv5" || v == "5") {
        config_.protocol = 5;
      } else {
        return fail("Error: Invalid protocol version argument given.");
      }
      return std::nullopt;
    }
    if (a == "-v" || a == "--verbose") {
      if (is(Tool::pub)) return unknown(i);
      config_.output.verbose = true;
      return std::nullopt;
    }
    if (a == "--version") {
      config_.action = Action::version;
      return std::nullopt;
    }
    if (a == "-W") {
      if (is(Tool::pub)) return unknown(i);
      if (last(i)) return fail("Error: -W argument given but no timeout specified.");
      int timeout = c_atoi(args_[++i]);
      if (timeout < 1) return fail("Error: Invalid timeout \"" + std::to_string(timeout) + "\".");
      config_.timeout = static_cast<unsigned>(timeout);
      return std::nullopt;
    }
    if (a == "--will-payload") {
      return value(i, config_.will_payload,
                   "Error: --will-payload argument given but no will payload specified.");
    }
    if (a == "--will-qos") {
      if (last(i)) return fail("Error: --will-qos argument given but no will QoS specified.");
      config_.will_qos = c_atoi(args_[++i]);
      if (config_.will_qos < 0 || config_.will_qos > 2) {
        return fail("Error: Invalid will QoS " + std::to_string(config_.will_qos) + ".");
      }
      return std::nullopt;
    }
    if (a == "--will-retain") {
      config_.will_retain = true;
      return std::nullopt;
    }
    if (a == "--will-topic") {
      if (last(i)) return fail("Error: --will-topic argument given but no will topic specified.");
      const std::string& topic = args_[++i];
      if (!mosquitto_utf8_ok(topic))
        return fail("Error: Malformed UTF-8 in --will-topic argument.");
      if (!mosquitto_pub_topic_ok(topic)) {
        return fail("Error: Invalid will topic '" + topic + "', does it contain '+' or '#'?");
      }
      config_.will_topic = topic;
      return std::nullopt;
    }
    if (a == "-x") {
      if (last(i)) {
        return fail("Error: -x argument given but no session expiry interval specified.");
      }
      const std::string& v = args_[++i];
      if (v == "\u221e") {  // "∞"
        config_.session_expiry = kInfinite;
        return std::nullopt;
      }
      std::optional<long> interval = c_strtol_whole(v, 0);
      if (!interval) return fail("Error: session-expiry-interval not a number.");
      if (*interval > kInfinite || *interval < -1) {
        return fail("Error: session-expiry-interval out of range.");
      }
      config_.session_expiry = *interval == -1 ? kInfinite : *interval;
      return std::nullopt;
    }
    return unknown(i);
  }

  // client_config_load after the words.
  std::optional<OptionError> after_words() {
    Config& k = config_;
    ConnectionOptions& c = k.connection;
    const TlsOptions& tls = c.tls;
    if (k.will_payload && !k.will_topic) {
      return fail("Error: Will payload given, but no will topic given.");
    }
    if (k.will_retain && !k.will_topic) {
      return fail("Error: Will retain given, but no will topic given.");
    }
    if (tls.certfile.has_value() != tls.keyfile.has_value()) {
      return fail("Error: Both certfile and keyfile must be provided if one of them is set.");
    }
    if (tls.keyform && !tls.keyfile) {
      return fail("Error: If keyform is set, keyfile must be also specified.");
    }
    if (tls.engine_kpass_sha1 && (!tls.keyform || !tls.engine)) {
      return fail(
          "Error: when using tls-engine-kpass-sha1, both tls-engine and keyform must also be "
          "provided.");
    }
    if ((tls.cafile || tls.capath) && tls.psk) {
      return fail("Error: Only one of --psk or --cafile/--capath may be used at once.");
    }
    if (tls.psk && !tls.psk_identity) return fail("Error: --psk-identity required if --psk used.");

    bool has_id = c.client_id.has_value() && !c.id_prefix;
    if (k.protocol == 5) {
      if (!c.clean_session && k.session_expiry == -1) k.session_expiry = kInfinite;
      if (k.session_expiry > 0) {
        if (k.session_expiry == kInfinite && !has_id) {
          return fail(
              "Error: You must provide a client id if you are using an infinite session expiry "
              "interval.");
        }
        k.properties.add(PropertyCommand::connect,
                         PropertyArg{.id = mqtt::PropertyId::session_expiry_interval,
                                     .number = static_cast<std::uint32_t>(k.session_expiry)});
      }
    } else if (!c.clean_session && !has_id) {
      return fail("Error: You must provide a client id if you are using the -c option.");
    }
    if (is(Tool::sub) && k.topics.empty()) {
      return fail("Error: You must specify a topic to subscribe to.");
    }
    if (auto error = k.properties.check_all()) return fail(*error);
    return std::nullopt;
  }

  Tool tool_;
  std::span<const std::string> args_;
  Config config_;
};

mqtt::Version version_of(int protocol) {
  return protocol == 3   ? mqtt::Version::v3_1
         : protocol == 5 ? mqtt::Version::v5
                         : mqtt::Version::v3_1_1;
}

// What libmosquitto refuses when the client is created and configured (mosquitto_new,
// mosquitto_will_set_v5, mosquitto_username_pw_set), in that order; `invalid_id` is the tool's
// own line for mosquitto_new's refusal.
std::optional<OptionError> client_checks(const Config& k, const std::string& invalid_id) {
  const ConnectionOptions& c = k.connection;
  // -I makes an id of the prefix and the process id, which is never empty.
  if (!c.id_prefix) {
    if (c.client_id && (c.client_id->empty() || !mosquitto_utf8_ok(*c.client_id))) {
      return fail(invalid_id, ErrorHint::none);
    }
    if (!c.clean_session && !c.client_id) return fail(invalid_id, ErrorHint::none);
  }
  if (k.will_topic && k.protocol != 5 && !k.properties.list(PropertyCommand::will).empty()) {
    return fail("Error: Problem setting will.", ErrorHint::none);
  }
  bool bad_username = c.username && !mosquitto_utf8_ok(*c.username);
  bool password_alone = k.protocol != 5 && c.password && !c.username;
  if (bad_username || password_alone) {
    return fail("Error: Problem setting username and/or password.", ErrorHint::none);
  }
  return std::nullopt;
}

ConnectionOptions finish_connection(Config& k) {
  ConnectionOptions c = k.connection;
  if (k.port >= 0) c.port = static_cast<std::uint16_t>(k.port);
  c.version = version_of(k.protocol);
  c.connect_properties = k.properties.properties(PropertyCommand::connect);
  c.disconnect_properties = k.properties.properties(PropertyCommand::disconnect);
  if (k.will_topic) {
    WillOptions will;
    will.topic = *k.will_topic;
    will.payload = k.will_payload;
    will.qos = static_cast<mqtt::QoS>(k.will_qos);
    will.retain = k.will_retain;
    will.properties = k.properties.properties(PropertyCommand::will);
    c.will = std::move(will);
  }
  return c;
}

template <typename Options>
bool stopped(Parser& parser, std::optional<OptionError> error, ParseResult<Options>& result) {
  result.action = parser.config().action;
  if (error) {
    result.error = std::move(error);
    return true;
  }
  return result.action != Action::run;
}

}  // namespace

std::string_view tool_name(Tool tool) {
  switch (tool) {
    case Tool::pub:
      return "tern_pub";
    case Tool::sub:
      return "tern_sub";
    case Tool::rr:
      return "tern_rr";
  }
  return "tern";
}

std::string ConnectionOptions::client_id_for(int pid) const {
  if (id_prefix) return *id_prefix + std::to_string(pid);
  return client_id.value_or(std::string());
}

ParseResult<PubOptions> parse_pub_options(std::span<const std::string> args) {
  ParseResult<PubOptions> result;
  Parser parser(Tool::pub, args);
  if (stopped(parser, parser.run(), result)) return result;
  Config& k = parser.config();
  if (!k.topic || k.mode == MessageMode::none) {
    result.error = fail("Error: Both topic and message must be supplied.", ErrorHint::full_usage);
    return result;
  }
  if (auto error = client_checks(k, "Error: Invalid id.")) {
    result.error = std::move(error);
    return result;
  }
  PubOptions& o = result.options;
  o.connection = finish_connection(k);
  o.topic = *k.topic;
  o.mode = k.mode;
  o.message = k.message;
  o.file = k.file;
  o.qos = static_cast<mqtt::QoS>(k.qos);
  o.retain = k.retain;
  o.repeat_count = k.repeat_count;
  o.repeat_delay_us = k.repeat_delay_us;
  o.publish_properties = k.properties.properties(PropertyCommand::publish);
  return result;
}

ParseResult<SubOptions> parse_sub_options(std::span<const std::string> args) {
  ParseResult<SubOptions> result;
  Parser parser(Tool::sub, args);
  if (stopped(parser, parser.run(), result)) return result;
  Config& k = parser.config();
  if (k.no_retain && k.retained_only) {
    result.error =
        fail("Error: Combining '-R' and '--retained-only' makes no sense.", ErrorHint::none);
    return result;
  }
  if (auto error = client_checks(k, "Error: Invalid id and/or clean_session.")) {
    result.error = std::move(error);
    return result;
  }
  SubOptions& o = result.options;
  o.connection = finish_connection(k);
  o.topics = k.topics;
  o.filter_outs = k.filter_outs;
  o.unsubscribe = k.unsubscribe;
  o.qos = static_cast<mqtt::QoS>(k.qos);
  o.msg_count = k.msg_count;
  o.timeout_s = k.timeout;
  o.no_retain = k.no_retain;
  o.retained_only = k.retained_only;
  o.remove_retained = k.remove_retained;
  o.exit_after_subscribe = k.exit_after_subscribe;
  o.retain_as_published = k.retain_as_published;
  o.random_filter = k.random_filter;
  o.output = k.output;
  o.subscribe_properties = k.properties.properties(PropertyCommand::subscribe);
  o.unsubscribe_properties = k.properties.properties(PropertyCommand::unsubscribe);
  return result;
}

ParseResult<RrOptions> parse_rr_options(std::span<const std::string> args) {
  ParseResult<RrOptions> result;
  Parser parser(Tool::rr, args);
  if (stopped(parser, parser.run(), result)) return result;
  Config& k = parser.config();
  if (!k.topic || k.mode == MessageMode::none || !k.response_topic) {
    result.error = fail("Error: All of topic, message, and response topic must be supplied.");
    return result;
  }
  k.properties.add(PropertyCommand::publish,
                   PropertyArg{.id = mqtt::PropertyId::response_topic, .value = *k.response_topic});
  if (k.properties.check(PropertyCommand::publish)) {
    result.error = fail("Error in PUBLISH properties: Duplicate response topic.", ErrorHint::none);
    return result;
  }
  if (auto error = client_checks(k, "Error: Invalid id and/or clean_session.")) {
    result.error = std::move(error);
    return result;
  }
  RrOptions& o = result.options;
  o.connection = finish_connection(k);
  o.topic = *k.topic;
  o.response_topic = *k.response_topic;
  o.mode = k.mode;
  o.message = k.message;
  o.file = k.file;
  o.qos = static_cast<mqtt::QoS>(k.qos);
  o.timeout_s = k.timeout;
  o.no_retain = k.no_retain;
  o.output = k.output;
  o.publish_properties = k.properties.properties(PropertyCommand::publish);
  o.subscribe_properties = k.properties.properties(PropertyCommand::subscribe);
  o.unsubscribe_properties = k.properties.properties(PropertyCommand::unsubscribe);
  return result;
}

std::string error_text(Tool tool, const OptionError& error) {
  std::string text;
  if (!error.message.empty()) text = error.message + "\n";
  if (error.hint == ErrorHint::use_help) {
    text += "\nUse '" + std::string(tool_name(tool)) + " --help' to see usage.\n";
  }
  return text;
}

}  // namespace tern::tools
