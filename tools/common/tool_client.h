// ToolClient: the MQTT connection of tern_pub, tern_sub and tern_rr. It builds a
// client::Connection from the parsed ConnectionOptions (options.h), connects, publishes,
// subscribes and disconnects, and prints what mosquitto's tools print meanwhile: with -d a debug
// line per packet on stdout ("Client ID sending CONNECT", in mosquitto's words, though not
// promised byte for byte), and error texts on stderr (failure_text.h), none under --quiet.
//
// Nothing here waits longer than asked: connect() is bounded by the connect and CONNACK
// timeouts, next_event() by its argument, so the tools' loops can check stop_requested() and
// their -W deadline between calls.
//
// Owns its Connection. Not thread-safe: the tool's main thread uses it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/failure_text.h"
#include "common/options.h"
#include "mqtt/packets.h"
#include "tern/client/connection.h"

namespace tern::tools {

// What the CONNECT says and where it goes. An empty client id (no -i or -I) becomes a generated
// one, as libmosquitto makes up its own for every protocol version.
client::ConnectOptions connect_options(const ConnectionOptions& options, int pid);

// The first option the client library cannot honour, as an error line, e.g. "Error: --unix is
// not supported by tern_sub."; std::nullopt when all can be.
std::optional<std::string> unsupported_option(Tool tool, const ConnectionOptions& options);

// What main() does with a ParseResult before connecting: prints --help, --version or the error
// as mosquitto does and returns the exit code, or std::nullopt to go on.
std::optional<int> report_parse(Tool tool, Action action, const std::optional<OptionError>& error);
template <typename Options>
std::optional<int> report_parse(Tool tool, const ParseResult<Options>& result) {
  return report_parse(tool, result.action, result.error);
}

// The message as the output renderer (format.h) takes it.
mqtt::Publish to_publish(const client::Message& message);

class ToolClient {
 public:
  ToolClient(Tool tool, const ConnectionOptions& options);

  // Connects: std::nullopt once the broker accepted, else the exit code after printing why.
  std::optional<int> connect();
  // Connects without printing: std::nullopt once the broker accepted, else what connect()
  // would print; `refused` tells a CONNACK refusal from a failure to reach the broker.
  struct ConnectFailure {
    Failure failure;
    bool refused = false;
  };
  std::optional<ConnectFailure> try_connect();
  bool connected() const { return connection_.connected(); }
  mqtt::Version version() const { return version_; }

  // Sends without waiting for the acknowledgement, which comes as a Published event; returns
  // the packet identifier (0 for QoS 0). MQTT 5.0 properties are dropped for earlier versions.
  client::Result<std::uint16_t> publish(mqtt::Publish message);
  // SUBSCRIBE (one packet for all filters) and wait for the SUBACK.
  client::Result<client::Subscribed> subscribe(std::vector<mqtt::Subscription> subscriptions,
                                               mqtt::Properties properties);
  // One UNSUBSCRIBE and wait for the UNSUBACK.
  client::Result<client::Unsubscribed> unsubscribe(const std::string& filter,
                                                   mqtt::Properties properties);
  // The next message or acknowledgement within `timeout` (std::nullopt: none came). The end of
  // the connection is the Error.
  client::Result<std::optional<client::Event>> next_event(std::chrono::milliseconds timeout);
  // DISCONNECT with `reason` (MQTT 5.0) and the properties of -D disconnect, then close.
  void disconnect(mqtt::ReasonCode reason = mqtt::ReasonCode::success);

  // Error text for stderr (whole lines), dropped under --quiet.
  void error(std::string_view text) const;
  // With -d: "Client ID what" on stdout.
  void debug(std::string_view what) const;

 private:
  Tool tool_;
  mqtt::Version version_;
  bool debug_;
  bool quiet_;
  mqtt::Properties disconnect_properties_;
  client::Connection connection_;
  std::string client_id_;  // the one sent, for the debug lines
};

}  // namespace tern::tools
