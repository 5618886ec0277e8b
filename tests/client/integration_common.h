// Shared pieces of the integration tests: options for a broker under test, and a
// parameterisation over both brokers and the protocol versions.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "broker_launcher.h"
#include "tern/client/connection.h"

namespace tern::client::test {

using namespace std::chrono_literals;

inline ConnectOptions options_for(const Broker& broker, std::string client_id,
                                  mqtt::Version version = mqtt::Version::v3_1_1) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = broker.port();
  o.client_id = std::move(client_id);
  o.version = version;
  o.connect_timeout = 5s;
  o.connack_timeout = 5s;
  o.request_timeout = 5s;
  return o;
}

inline std::string version_name(mqtt::Version v) {
  return v == mqtt::Version::v3_1 ? "v3_1" : v == mqtt::Version::v3_1_1 ? "v3_1_1" : "v5";
}

inline std::string password_file() {
  return std::string(TERN_TEST_DATA) + "/auth/data/mosquitto_passwd.txt";  // alice:secret
}

// Prints the Error of a failed Result in assertion messages.
template <class T>
std::string why(const Result<T>& r) {
  return r ? std::string("ok") : r.error().to_string();
}

}  // namespace tern::client::test
