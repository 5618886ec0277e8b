// What the example programs share: the connection flags (mosquitto_pub's letters where they
// exist, with environment variables as defaults), RobustOptions made from them, and a stop
// flag set by SIGINT/SIGTERM.
//
// Header-only; for one thread (the stop flag is the only thing signals touch).
#pragma once

#include <signal.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "tern/client/robust.h"

namespace tern::examples {

struct CommonOptions {
  std::string host = "localhost";
  std::uint16_t port = 0;  // 0: 1883, or 8883 with TLS
  std::string user;
  std::string password;
  std::string client_id;
  std::uint16_t keepalive = 30;
  bool tls = false;
  std::string cafile;
  bool insecure = false;
};

inline const char* env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

inline std::optional<long> to_number(const std::string& text, long min, long max) {
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < min || value > max) return std::nullopt;
  return value;
}

// The flags every example takes, after MQTT_HOST, MQTT_PORT, MQTT_USER, MQTT_PASSWORD and
// MQTT_CLIENT_ID from the environment:
//   -h HOST  -p PORT  -u USER  -P PASSWORD  -k KEEPALIVE  --id CLIENT_ID
//   --tls  --cafile FILE (implies --tls)  --insecure
// `extra(flag, value)` takes the program's own flags (each with a value) and returns whether it
// knew the flag. Returns false, with a message on stderr, for anything wrong.
inline bool parse_common(int argc, char** argv, CommonOptions& o,
                         const std::function<bool(std::string_view, const std::string&)>& extra) {
  o.host = env_or("MQTT_HOST", o.host.c_str());
  if (auto port = to_number(env_or("MQTT_PORT", "0"), 0, 65535)) {
    o.port = static_cast<std::uint16_t>(*port);
  }
  o.user = env_or("MQTT_USER", "");
  o.password = env_or("MQTT_PASSWORD", "");
  o.client_id = env_or("MQTT_CLIENT_ID", "");
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--tls") {
      o.tls = true;
      continue;
    }
    if (flag == "--insecure") {
      o.insecure = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::cerr << argv[0] << ": " << flag << " needs a value (or unknown flag)\n";
      return false;
    }
    std::string value = argv[++i];
    if (flag == "-h") {
      o.host = value;
    } else if (flag == "-p") {
      auto port = to_number(value, 1, 65535);
      if (!port) {
        std::cerr << argv[0] << ": bad port '" << value << "'\n";
        return false;
      }
      o.port = static_cast<std::uint16_t>(*port);
    } else if (flag == "-u") {
      o.user = value;
    } else if (flag == "-P") {
      o.password = value;
    } else if (flag == "-k") {
      auto keepalive = to_number(value, 0, 65535);
      if (!keepalive) {
        std::cerr << argv[0] << ": bad keepalive '" << value << "'\n";
        return false;
      }
      o.keepalive = static_cast<std::uint16_t>(*keepalive);
    } else if (flag == "--id") {
      o.client_id = value;
    } else if (flag == "--cafile") {
      o.tls = true;
      o.cafile = value;
    } else if (!extra(flag, value)) {
      std::cerr << argv[0] << ": unknown flag " << flag << " (--help lists them)\n";
      return false;
    }
  }
  return true;
}

inline bool wants_help(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--help") return true;
  }
  return false;
}

// A RobustOptions with the common flags in it: credentials, keep alive, TLS, client id.
inline client::RobustOptions robust_options(const CommonOptions& o) {
  client::RobustOptions r;
  r.connect.host = o.host;
  r.connect.port = o.port;
  r.connect.client_id = o.client_id;
  r.connect.keep_alive = o.keepalive;
  if (!o.user.empty()) {
    r.connect.username = o.user;
    r.connect.password = o.password;
  }
  r.connect.tls.enabled = o.tls;
  r.connect.tls.ca_file = o.cafile;
  r.connect.tls.insecure = o.insecure;
  // Short waits, so that Ctrl-C is noticed soon even while the broker is unreachable.
  r.connect.connect_timeout = std::chrono::seconds(5);
  r.connect.request_timeout = std::chrono::seconds(5);
  r.reconnect.max_delay = std::chrono::seconds(10);
  return r;
}

// SIGINT and SIGTERM set a flag that the main loop checks between polls.
inline volatile std::sig_atomic_t stop_flag = 0;

inline void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = [](int) { stop_flag = 1; };
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

inline bool stop_requested() {
  return stop_flag != 0;
}

}  // namespace tern::examples
