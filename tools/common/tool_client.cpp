#include "common/tool_client.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <variant>

#include "tern/client/session.h"

namespace tern::tools {

namespace {

using std::chrono::milliseconds;

int qos_number(mqtt::QoS qos) {
  return static_cast<int>(qos);
}

// "(d0, q1, r0, m1, 'topic', ... (5 bytes))", as libmosquitto's log lines.
std::string publish_summary(bool dup, mqtt::QoS qos, bool retain, std::uint16_t id,
                            const std::string& topic, std::size_t bytes) {
  return "(d" + std::to_string(dup ? 1 : 0) + ", q" + std::to_string(qos_number(qos)) + ", r" +
         std::to_string(retain ? 1 : 0) + ", m" + std::to_string(id) + ", '" + topic + "', ... (" +
         std::to_string(bytes) + " bytes))";
}

void write_out(FILE* stream, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stream);
  std::fflush(stream);
}

}  // namespace

client::ConnectOptions connect_options(const ConnectionOptions& options, int pid) {
  client::ConnectOptions o;
  o.host = options.host;
  o.port = options.effective_port();
  o.tls.enabled = options.tls.enabled() || options.tls.use_os_certs;
  o.tls.ca_file = options.tls.cafile.value_or("");
  o.tls.ca_path = options.tls.capath.value_or("");
  o.tls.cert_file = options.tls.certfile.value_or("");
  o.tls.key_file = options.tls.keyfile.value_or("");
  o.tls.insecure = options.tls.insecure;
  o.version = options.version;
  o.client_id = options.client_id_for(pid);
  if (o.client_id.empty()) o.client_id = client::generate_client_id();
  o.clean_start = options.clean_session;
  o.keep_alive = options.keepalive;
  o.username = options.username;
  o.password = options.password;
  bool v5 = options.version == mqtt::Version::v5;
  if (v5) o.properties = options.connect_properties;
  if (options.will) {
    mqtt::Will will;
    will.topic = options.will->topic;
    will.payload = options.will->payload.value_or(std::string());
    will.qos = options.will->qos;
    will.retain = options.will->retain;
    if (v5) will.properties = options.will->properties;
    o.will = std::move(will);
  }
  o.max_inflight = static_cast<std::uint16_t>(std::min(options.max_inflight, 65'535u));
  return o;
}

std::optional<std::string> unsupported_option(Tool tool, const ConnectionOptions& options) {
  auto refuse = [tool](std::string_view what) {
    return "Error: " + std::string(what) + " is not supported by " + std::string(tool_name(tool)) +
           ".";
  };
  if (options.unix_path) return refuse("--unix");
  if (options.proxy) return refuse("--proxy");
  const TlsOptions& tls = options.tls;
  if (tls.psk) return refuse("--psk");
  if (!(tls.enabled() || tls.use_os_certs)) return std::nullopt;
  if (tls.engine) return refuse("--tls-engine");
  if (tls.keyform && *tls.keyform != "pem") return refuse("--keyform " + *tls.keyform);
  if (tls.ciphers) return refuse("--ciphers");
  if (tls.alpn) return refuse("--tls-alpn");
  // TLS 1.2 is the least the client library speaks; it cannot be pinned to one version.
  if (tls.version && *tls.version != "tlsv1.2" && *tls.version != "tlsv1.3") {
    return refuse("--tls-version " + *tls.version);
  }
  return std::nullopt;
}

std::optional<int> report_parse(Tool tool, Action action, const std::optional<OptionError>& error) {
  if (action == Action::help) {
    write_out(stdout, usage(tool));
    return 1;
  }
  if (action == Action::version) {
    write_out(stdout, version_line(tool) + "\n");
    return 1;
  }
  if (!error) return std::nullopt;
  if (error->hint == ErrorHint::full_usage) write_out(stdout, usage(tool));
  write_out(stderr, error_text(tool, *error));
  return 1;
}

mqtt::Publish to_publish(const client::Message& message) {
  mqtt::Publish p;
  p.topic = message.topic;
  p.payload = message.payload;
  p.qos = message.qos;
  p.retain = message.retain;
  p.dup = message.dup;
  p.packet_id = message.packet_id;
  p.properties = message.properties;
  return p;
}

ToolClient::ToolClient(Tool tool, const ConnectionOptions& options)
    : tool_(tool),
      version_(options.version),
      debug_(options.debug),
      quiet_(options.quiet),
      disconnect_properties_(options.disconnect_properties),
      connection_(connect_options(options, static_cast<int>(::getpid()))),
      client_id_(connection_.options().client_id) {}

std::optional<int> ToolClient::connect() {
  auto failed = try_connect();
  if (!failed) return std::nullopt;
  error(failed->failure.text);
  return failed->failure.exit_code;
}

std::optional<ToolClient::ConnectFailure> ToolClient::try_connect() {
  debug("sending CONNECT");
  auto result = connection_.connect();
  if (result) {
    debug("received CONNACK (0)");
    return std::nullopt;
  }
  const client::Error& e = result.error();
  if (e.code == client::ErrorCode::connack_refused && e.reason_code) {
    int code = version_ == mqtt::Version::v5
                   ? static_cast<int>(*e.reason_code)
                   : static_cast<int>(mqtt::connack_return_code_v3(*e.reason_code));
    debug("received CONNACK (" + std::to_string(code) + ")");
    return ConnectFailure{connack_failure(tool_, version_, *e.reason_code), true};
  }
  return ConnectFailure{connect_failure(e), false};
}

client::Result<std::uint16_t> ToolClient::publish(mqtt::Publish message) {
  if (version_ != mqtt::Version::v5) message.properties = {};
  std::string topic = debug_ ? message.topic : std::string();
  std::size_t bytes = message.payload.size();
  mqtt::QoS qos = message.qos;
  bool retain = message.retain;
  auto id = connection_.publish_nowait(std::move(message));
  if (id && debug_) {
    debug("sending PUBLISH " + publish_summary(false, qos, retain, *id, topic, bytes));
  }
  return id;
}

client::Result<client::Subscribed> ToolClient::subscribe(
    std::vector<mqtt::Subscription> subscriptions, mqtt::Properties properties) {
  if (version_ != mqtt::Version::v5) properties = {};
  std::vector<mqtt::Subscription> shown = subscriptions;
  auto result = connection_.subscribe(std::move(subscriptions), std::move(properties));
  if (result && debug_) {
    for (const mqtt::Subscription& s : shown) {
      int options = (s.no_local ? 0x04 : 0) | (s.retain_as_published ? 0x08 : 0) |
                    (static_cast<int>(s.retain_handling) << 4);
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", options);
      debug("sending SUBSCRIBE (Mid: " + std::to_string(result->packet_id) +
            ", Topic: " + s.filter + ", QoS: " + std::to_string(qos_number(s.max_qos)) +
            ", Options: " + hex + ")");
    }
    debug("received SUBACK");
  }
  return result;
}

client::Result<client::Unsubscribed> ToolClient::unsubscribe(const std::string& filter,
                                                             mqtt::Properties properties) {
  if (version_ != mqtt::Version::v5) properties = {};
  auto result = connection_.unsubscribe({filter}, std::move(properties));
  if (result) {
    debug("sending UNSUBSCRIBE (Mid: " + std::to_string(result->packet_id) + ", Topic: " + filter +
          ")");
    debug("received UNSUBACK");
  }
  return result;
}

client::Result<std::optional<client::Event>> ToolClient::next_event(milliseconds timeout) {
  auto event = connection_.wait_event(timeout);
  if (event && *event && debug_) {
    if (auto* m = std::get_if<client::Message>(&**event)) {
      debug("received PUBLISH " +
            publish_summary(m->dup, m->qos, m->retain, m->packet_id, m->topic, m->payload.size()));
    } else if (auto* p = std::get_if<client::Published>(&**event)) {
      debug("received PUBACK (Mid: " + std::to_string(p->packet_id) +
            ", RC:" + std::to_string(static_cast<int>(p->reason_code)) + ")");
    }
  }
  return event;
}

void ToolClient::disconnect(mqtt::ReasonCode reason) {
  if (!connection_.connected()) return;
  debug("sending DISCONNECT");
  mqtt::Properties properties;
  if (version_ == mqtt::Version::v5) properties = disconnect_properties_;
  (void)connection_.disconnect(reason, std::move(properties));
}

void ToolClient::error(std::string_view text) const {
  if (!quiet_) write_out(stderr, text);
}

void ToolClient::debug(std::string_view what) const {
  if (!debug_) return;
  std::string line = "Client " + client_id_ + " ";
  line += what;
  line += "\n";
  write_out(stdout, line);
}

}  // namespace tern::tools
