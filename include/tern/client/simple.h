// SimpleClient: MicroPython's umqtt.simple API in C++, a thin layer over Connection.
//
//   tern::client::SimpleClient c("sensor-1", "localhost");
//   c.set_callback([](const std::string& topic, const std::string& payload) { ... });
//   c.connect();
//   c.subscribe("cmd/#", 1);
//   c.publish("sensor/1", "21.5", false, 1);
//   while (running) c.wait_msg();
//
// Differences from umqtt.simple: QoS 2 works both ways; PINGREQs go out by themselves while
// waiting (keepalive > 0); the callback may publish or subscribe: a message arriving meanwhile
// is delivered after the callback returns, never recursively; MQTT 3.1.1 on the wire.
//
// Errors: like umqtt, which raises, every method throws tern::client::MqttError (carrying the
// library's Error) on failure; nothing else in the library throws.
//
// Owns its Connection. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "tern/client/connection.h"
#include "tern/client/error.h"
#include "tern/client/transport.h"

namespace tern::client {

class MqttError : public std::runtime_error {
 public:
  explicit MqttError(Error error);
  const Error& error() const { return error_; }

 private:
  Error error_;
};

class SimpleClient {
 public:
  using Callback = std::function<void(const std::string& topic, const std::string& payload)>;

  // port 0: 1883, or 8883 when tls.enabled. keepalive in seconds (0: none). Empty user: no
  // credentials.
  SimpleClient(std::string client_id, std::string server, std::uint16_t port = 0,
               std::string user = {}, std::string password = {}, std::uint16_t keepalive = 0,
               TlsOptions tls = {});
  ~SimpleClient();

  void set_callback(Callback callback);
  // Must be called before connect().
  void set_last_will(const std::string& topic, const std::string& payload, bool retain = false,
                     int qos = 0);
  // Returns the Session Present flag.
  bool connect(bool clean_session = true);
  void disconnect();
  void ping();
  // QoS 1/2 wait for the acknowledgement.
  void publish(const std::string& topic, const std::string& payload, bool retain = false,
               int qos = 0);
  // Throws when the server refuses the subscription.
  void subscribe(const std::string& topic, int qos = 0);
  void unsubscribe(const std::string& topic);
  // Blocks until a message was delivered to the callback.
  void wait_msg();
  // Delivers what has arrived, without waiting. Returns whether a message was delivered.
  bool check_msg();

  Connection& connection() { return *connection_; }

 private:
  std::unique_ptr<Connection> connection_;
  Callback callback_;
};

}  // namespace tern::client
