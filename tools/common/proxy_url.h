// The SOCKS5 proxy of --proxy: socks5h://[username[:password]@]host[:port] (port 1080 by
// default), read as mosquitto's client tools read it, including their quirks: a ':' before the
// '@' splits username and password, and in the credentials %25 stands for '%' while %3A, %3a and
// %40 all stand for ':'. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tern::tools {

struct ProxyOptions {
  std::string host;
  std::uint16_t port = 1080;
  std::optional<std::string> username;
  std::optional<std::string> password;
};

// The proxy, or std::nullopt with the error line in `error` ("Error: Invalid proxy port 0").
std::optional<ProxyOptions> parse_proxy_url(const std::string& url, std::string& error);

}  // namespace tern::tools
