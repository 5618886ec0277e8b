// What tern_pub, tern_sub and tern_rr print, and which exit code they return, when a connection
// cannot be made, is refused, or ends: the texts and codes of mosquitto's tools 2.0.11.
//
//   CONNACK refused    "Connection error: <text>", exit code = the CONNACK's code: the MQTT 3.1.1
//                      return code (5 for "not authorised") or the MQTT 5.0 reason code (135
//                      for "Not authorized"); tern_pub adds mosquitto_pub's second line.
//   no connection      "Error: Connection refused" (strerror), "Unable to connect (Lookup
//                      error.)." for a host that does not resolve, "Unable to connect (A TLS
//                      error occurred.)." and the reason for TLS; exit code 1.
//   connection lost    "Error: The connection was lost.", exit code 7 (MOSQ_ERR_CONN_LOST).
//
// Where mosquitto's text is misleading (mosquitto_rr names MQTT 3.1.1 return codes with MQTT 5.0
// reason strings: "Unknown reason" for "not authorised") the tools print the clear text.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/options.h"
#include "mqtt/reason_code.h"
#include "mqtt/types.h"
#include "tern/client/error.h"

namespace tern::tools {

// libmosquitto's exit codes that the tools return.
inline constexpr int kExitProtocol = 2;   // MOSQ_ERR_PROTOCOL
inline constexpr int kExitConnLost = 7;   // MOSQ_ERR_CONN_LOST
inline constexpr int kExitTimedOut = 27;  // MOSQ_ERR_TIMEOUT: -W expired

// libmosquitto's mosquitto_connack_string: an MQTT 3.1/3.1.1 CONNACK return code.
std::string_view connack_string(int return_code);
// libmosquitto's mosquitto_reason_string: an MQTT 5.0 reason code.
std::string_view reason_string(int reason_code);

struct Failure {
  std::string text;  // whole lines for stderr
  int exit_code = 1;
};

// The CONNACK refused the connection with `code` (for MQTT 3.1/3.1.1, the reason code the
// client library mapped the return code to).
Failure connack_failure(Tool tool, mqtt::Version version, mqtt::ReasonCode code);

// connect() failed before or without a CONNACK refusal (connack_refused goes to
// connack_failure).
Failure connect_failure(const client::Error& error);

// An established connection ended without our DISCONNECT.
Failure connection_lost(const client::Error& error);

// A publish the client library refused before sending (mosquitto_pub's texts by error kind).
std::string publish_refused_text(const client::Error& error);

}  // namespace tern::tools
