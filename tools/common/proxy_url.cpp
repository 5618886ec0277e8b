// The --proxy URL, read as mosquitto 2.0.11's mosquitto__parse_socks_url reads it.
#include "common/proxy_url.h"

#include "common/mosquitto_compat.h"

namespace tern::tools {

namespace {

// mosquitto's %-decoding of proxy credentials: %25 '%', %3A/%3a ':', and %40 (which it also
// turns into ':'). Anything else after a '%' is refused.
bool url_decode(std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return false;
    std::string code = text.substr(i + 1, 2);
    if (code == "25") {
      out.push_back('%');
    } else if (code == "3A" || code == "3a" || code == "40") {
      out.push_back(':');
    } else {
      return false;
    }
    i += 2;
  }
  text = out;
  return true;
}

}  // namespace

std::optional<ProxyOptions> parse_proxy_url(const std::string& url, std::string& error) {
  const std::string kScheme = "socks5h://";
  if (url.compare(0, kScheme.size(), kScheme) != 0) {
    error = "Error: Unsupported proxy protocol: " + url;
    return std::nullopt;
  }
  // mosquitto refuses a malformed proxy URL without a word; we say which argument it was.
  const std::string kInvalid = "Error: Invalid proxy.";
  std::string str = url.substr(kScheme.size());
  std::optional<std::string> username, password, host, port, username_or_host;
  bool have_auth = false;
  std::size_t start = 0;
  std::size_t i = 0;
  for (; i < str.size(); ++i) {
    if (str[i] == ':') {
      if (i == start) {
        error = kInvalid;
        return std::nullopt;
      }
      if (have_auth) {
        if (host) {
          error = kInvalid;
          return std::nullopt;
        }
        host = str.substr(start, i - start);
        start = i + 1;
      } else if (!username_or_host) {
        username_or_host = str.substr(start, i - start);
        start = i + 1;
      }
    } else if (str[i] == '@') {
      if (i == start) {
        error = kInvalid;
        return std::nullopt;
      }
      have_auth = true;
      if (username_or_host) {
        username = std::move(username_or_host);
        username_or_host.reset();
        password = str.substr(start, i - start);
      } else {
        if (username) {
          error = kInvalid;
          return std::nullopt;
        }
        username = str.substr(start, i - start);
      }
      start = i + 1;
    }
  }
  if (i > start) {
    std::string rest = str.substr(start);
    if (host) {
      port = rest;
    } else if (username_or_host) {
      host = std::move(username_or_host);
      port = rest;
    } else {
      host = rest;
    }
  }
  if (!host) {
    error = kInvalid;
    return std::nullopt;
  }
  if ((username && !url_decode(*username)) || (password && !url_decode(*password))) {
    error = kInvalid;
    return std::nullopt;
  }
  ProxyOptions proxy;
  proxy.host = *host;
  proxy.username = username;
  proxy.password = password;
  if (port) {
    int number = c_atoi(*port);
    if (number < 1 || number > 65535) {
      error = "Error: Invalid proxy port " + std::to_string(number);
      return std::nullopt;
    }
    proxy.port = static_cast<std::uint16_t>(number);
  }
  return proxy;
}

}  // namespace tern::tools
