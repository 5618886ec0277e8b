// The client library's one error model: every fallible call returns a value, never throws.
//
// `Error` says what went wrong (`ErrorCode`), in words (`message`), and, when the server or the
// protocol decided it, with which MQTT reason code (`reason_code`: the CONNACK refusal, the
// server's DISCONNECT, or the code we sent in our own DISCONNECT for a protocol violation).
// `Result<T>` holds a T or an Error; `Result<void>` (alias `Status`) holds nothing or an Error.
//
// The only exceptions are those of the simple client (tern/client/simple.h), which mirrors
// MicroPython's umqtt.simple and throws `MqttError` carrying an Error.
//
// Plain value types; thread-compatible.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "mqtt/reason_code.h"

namespace tern::client {

enum class ErrorCode {
  invalid_argument,      // a bad option, topic, filter, URL, or a call in the wrong state
  not_connected,         // the call needs an open MQTT connection
  resolve_failed,        // the host name did not resolve
  connection_refused,    // TCP: nobody listens there (ECONNREFUSED)
  network,               // any other socket failure (unreachable, reset, ...)
  tls,                   // TLS handshake, certificate or hostname verification failed
  timeout,               // connect, CONNACK, acknowledgement or PINGRESP did not come in time
  connack_refused,       // the server refused the CONNECT; reason_code says why
  protocol_error,        // the server broke the protocol; reason_code is what we sent
  closed_by_server,      // the server sent DISCONNECT (MQTT 5.0); reason_code is its code
  connection_closed,     // the server closed the connection without a DISCONNECT
  packet_ids_exhausted,  // all 65,535 packet identifiers are in flight
  queue_full,            // the outbound queue is at its bound
  packet_too_large,      // over the server's Maximum Packet Size or the wire format's maximum
  not_supported,         // the server does not allow it (Maximum QoS, Retain Available, ...)
  disconnected,          // we disconnected (disconnect() was called)
};

std::string_view to_string(ErrorCode code);

struct Error {
  Error() = default;
  Error(ErrorCode error_code, std::string text,
        std::optional<mqtt::ReasonCode> reason = std::nullopt)
      : code(error_code), message(std::move(text)), reason_code(reason) {}

  ErrorCode code = ErrorCode::invalid_argument;
  std::string message;
  std::optional<mqtt::ReasonCode> reason_code;

  // "connack_refused: Not authorized (0x87)" style, for logs and tools.
  std::string to_string() const;
};

// A T or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Precondition for value access: ok(). For error(): !ok().
  T& value() & {
    assert(ok());
    return *std::get_if<0>(&state_);
  }
  const T& value() const& {
    assert(ok());
    return *std::get_if<0>(&state_);
  }
  T&& value() && {
    assert(ok());
    return std::move(*std::get_if<0>(&state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!ok());
    return *std::get_if<1>(&state_);
  }
  Error&& error() && {
    assert(!ok());
    return std::move(*std::get_if<1>(&state_));
  }

 private:
  std::variant<T, Error> state_;
};

// Success (default-constructed) or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    assert(!ok());
    return *error_;
  }
  Error&& error() && {
    assert(!ok());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Error make_error(ErrorCode code, std::string message,
                        std::optional<mqtt::ReasonCode> reason_code = std::nullopt) {
  return Error{code, std::move(message), reason_code};
}

}  // namespace tern::client
