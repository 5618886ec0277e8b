// ErrorCode names and Error's one-line description.
#include "tern/client/error.h"

#include <cstdio>

namespace tern::client {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
      return "invalid argument";
    case ErrorCode::not_connected:
      return "not connected";
    case ErrorCode::resolve_failed:
      return "host not found";
    case ErrorCode::connection_refused:
      return "connection refused";
    case ErrorCode::network:
      return "network error";
    case ErrorCode::tls:
      return "TLS error";
    case ErrorCode::timeout:
      return "timeout";
    case ErrorCode::connack_refused:
      return "connection refused by the server";
    case ErrorCode::protocol_error:
      return "protocol error";
    case ErrorCode::closed_by_server:
      return "disconnected by the server";
    case ErrorCode::connection_closed:
      return "connection closed";
    case ErrorCode::packet_ids_exhausted:
      return "no free packet identifier";
    case ErrorCode::queue_full:
      return "queue full";
    case ErrorCode::packet_too_large:
      return "packet too large";
    case ErrorCode::not_supported:
      return "not supported by the server";
    case ErrorCode::disconnected:
      return "disconnected";
  }
  return "unknown error";
}

std::string Error::to_string() const {
  std::string text(client::to_string(code));
  if (!message.empty()) text += ": " + message;
  if (reason_code) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(*reason_code));
    text += " (" + std::string(mqtt::to_string(*reason_code)) + ", " + hex + ")";
  }
  return text;
}

}  // namespace tern::client
