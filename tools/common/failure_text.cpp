#include "common/failure_text.h"

namespace tern::tools {

using client::ErrorCode;

std::string_view connack_string(int return_code) {
  switch (return_code) {
    case 0:
      return "Connection Accepted.";
    case 1:
      return "Connection Refused: unacceptable protocol version.";
    case 2:
      return "Connection Refused: identifier rejected.";
    case 3:
      return "Connection Refused: broker unavailable.";
    case 4:
      return "Connection Refused: bad user name or password.";
    case 5:
      return "Connection Refused: not authorised.";
    default:
      return "Connection Refused: unknown reason.";
  }
}

std::string_view reason_string(int reason_code) {
  switch (reason_code) {
    case 0x00:
      return "Success";
    case 0x01:
      return "Granted QoS 1";
    case 0x02:
      return "Granted QoS 2";
    case 0x04:
      return "Disconnect with Will Message";
    case 0x10:
      return "No matching subscribers";
    case 0x11:
      return "No subscription existed";
    case 0x18:
      return "Continue authentication";
    case 0x19:
      return "Re-authenticate";
    case 0x80:
      return "Unspecified error";
    case 0x81:
      return "Malformed Packet";
    case 0x82:
      return "Protocol Error";
    case 0x83:
      return "Implementation specific error";
    case 0x84:
      return "Unsupported Protocol Version";
    case 0x85:
      return "Client Identifier not valid";
    case 0x86:
      return "Bad User Name or Password";
    case 0x87:
      return "Not authorized";
    case 0x88:
      return "Server unavailable";
    case 0x89:
      return "Server busy";
    case 0x8A:
      return "Banned";
    case 0x8B:
      return "Server shutting down";
    case 0x8C:
      return "Bad authentication method";
    case 0x8D:
      return "Keep Alive timeout";
    case 0x8E:
      return "Session taken over";
    case 0x8F:
      return "Topic Filter invalid";
    case 0x90:
      return "Topic Name invalid";
    case 0x91:
      return "Packet Identifier in use";
    case 0x92:
      return "Packet Identifier not found";
    case 0x93:
      return "Receive Maximum exceeded";
    case 0x94:
      return "Topic Alias invalid";
    case 0x95:
      return "Packet too large";
    case 0x96:
      return "Message rate too high";
    case 0x97:
      return "Quota exceeded";
    case 0x98:
      return "Administrative action";
    case 0x99:
      return "Payload format invalid";
    case 0x9A:
      return "Retain not supported";
    case 0x9B:
      return "QoS not supported";
    case 0x9C:
      return "Use another server";
    case 0x9D:
      return "Server moved";
    case 0x9E:
      return "Shared Subscriptions not supported";
    case 0x9F:
      return "Connection rate exceeded";
    case 0xA0:
      return "Maximum connect time";
    case 0xA1:
      return "Subscription identifiers not supported";
    case 0xA2:
      return "Wildcard Subscriptions not supported";
    default:
      return "Unknown reason";
  }
}

Failure connack_failure(Tool tool, mqtt::Version version, mqtt::ReasonCode code) {
  Failure f;
  if (version == mqtt::Version::v5) {
    int value = static_cast<int>(code);
    f.text = "Connection error: " + std::string(reason_string(value));
    if (code == mqtt::ReasonCode::unsupported_protocol_version) {
      f.text += ". Try connecting to an MQTT v5 broker, or use MQTT v3.x mode.";
    }
    f.text += "\n";
    f.exit_code = value;
    // mosquitto_pub's loop then ends with this error too.
    if (tool == Tool::pub) {
      f.text += "Error: A network protocol error occurred when communicating with the broker.\n";
    }
    return f;
  }
  int return_code = static_cast<int>(mqtt::connack_return_code_v3(code));
  f.text = "Connection error: " + std::string(connack_string(return_code)) + "\n";
  f.exit_code = return_code;
  if (tool == Tool::pub) f.text += "Error: The connection was refused.\n";
  return f;
}

Failure connect_failure(const client::Error& error) {
  switch (error.code) {
    case ErrorCode::connection_refused:
      return {"Error: Connection refused\n", 1};
    case ErrorCode::resolve_failed:
      return {"Unable to connect (Lookup error.).\n", 1};
    case ErrorCode::tls:
      // mosquitto's line, then what went wrong, which mosquitto does not say.
      return {"Unable to connect (A TLS error occurred.).\nError: " + error.message + "\n", 1};
    case ErrorCode::connection_closed:
    case ErrorCode::closed_by_server:
      return connection_lost(error);
    case ErrorCode::protocol_error:
      return {"Error: A network protocol error occurred when communicating with the broker.\n",
              kExitProtocol};
    default:
      return {"Error: " + error.message + "\n", 1};
  }
}

Failure connection_lost(const client::Error& error) {
  std::string text = "Error: The connection was lost.\n";
  if (error.code == ErrorCode::closed_by_server && error.reason_code) {
    text = "Error: The connection was lost: the server disconnected (" +
           std::string(reason_string(static_cast<int>(*error.reason_code))) + ").\n";
  } else if (error.code == ErrorCode::protocol_error) {
    return {"Error: A network protocol error occurred when communicating with the broker.\n",
            kExitProtocol};
  } else if (error.code == ErrorCode::timeout) {
    text = "Error: Keepalive ping timeout.\n";
  }
  return {text, kExitConnLost};
}

std::string publish_refused_text(const client::Error& error) {
  switch (error.code) {
    case ErrorCode::invalid_argument:
      return "Error: Invalid input. Does your topic contain '+' or '#'?\n";
    case ErrorCode::packet_too_large:
      return "Error: Message payload is too large.\n";
    case ErrorCode::not_supported:
      if (error.message.find("QoS") != std::string::npos) {
        return "Error: Message QoS not supported on broker, try a lower QoS.\n";
      }
      return "Error: " + error.message + "\n";
    case ErrorCode::not_connected:
      return "Error: Client not connected when trying to publish.\n";
    default:
      return "Error: " + error.message + "\n";
  }
}

}  // namespace tern::tools
