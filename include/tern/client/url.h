// MQTT URLs as mosquitto_pub -L takes them:
//   mqtt://[username[:password]@]host[:port][/topic]
//   mqtts://...   (TLS)
// The port defaults to 1883 (mqtt) or 8883 (mqtts). An IPv6 host is written in brackets:
// mqtt://[::1]:1884/a. The username and password are percent-decoded ("%40" is '@'); the topic
// is everything after the first '/' following the authority, verbatim (it may be empty).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tern/client/error.h"

namespace tern::client {

struct Url {
  bool tls = false;
  std::string host;  // without brackets
  std::uint16_t port = 1883;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::string topic;
  bool operator==(const Url&) const = default;
};

// ErrorCode::invalid_argument with a message naming what is wrong for anything else: another
// scheme, no host, a bad port, a bad percent escape, an unclosed '['.
Result<Url> parse_url(std::string_view text);

// Percent-decoding ("%2F" → "/"); std::nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace tern::client
