// parse_url: mosquitto_pub -L style MQTT URLs (see url.h).
#include "tern/client/url.h"

#include <charconv>

namespace tern::client {

namespace {

Error bad(std::string_view text, const std::string& why) {
  return Error{ErrorCode::invalid_argument,
               "invalid URL '" + std::string(text) + "': " + why +
                   " (expected mqtt(s)://[username[:password]@]host[:port][/topic])"};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = hex_value(text[i + 1]);
    int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

Result<Url> parse_url(std::string_view text) {
  Url url;
  std::string_view rest;
  if (text.starts_with("mqtt://")) {
    rest = text.substr(7);
  } else if (text.starts_with("mqtts://")) {
    url.tls = true;
    url.port = 8883;
    rest = text.substr(8);
  } else {
    return bad(text, "the scheme must be mqtt:// or mqtts://");
  }
  // The authority ends at the first '/'; the topic is everything after it.
  std::string_view authority = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    url.topic = std::string(rest.substr(slash + 1));
  }
  // Credentials end at the last '@', so that a password may hold a raw '@'.
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    std::string_view user = userinfo;
    std::optional<std::string_view> pass;
    if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      user = userinfo.substr(0, colon);
      pass = userinfo.substr(colon + 1);
    }
    auto decoded_user = percent_decode(user);
    if (!decoded_user) return bad(text, "bad percent escape in the username");
    if (decoded_user->empty()) return bad(text, "empty username");
    url.username = std::move(*decoded_user);
    if (pass) {
      auto decoded_pass = percent_decode(*pass);
      if (!decoded_pass) return bad(text, "bad percent escape in the password");
      url.password = std::move(*decoded_pass);
    }
  }
  std::string_view port_text;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad(text, "unclosed '[' in the host");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad(text, "unexpected text after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return bad(text, "empty port");
    }
  } else {
    auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad(text, "empty port");
    }
  }
  if (url.host.empty()) return bad(text, "no host");
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return bad(text, "the port must be a number from 1 to 65535");
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

}  // namespace tern::client
