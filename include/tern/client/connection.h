// Connection: the full-featured blocking MQTT client (3.1, 3.1.1 and 5.0), a Session driven
// over a Transport. The command-line tools and the simple client are built on it.
//
// Every call blocks until its exchange completes or fails, and processes whatever else arrives
// meanwhile: PINGREQs go out by themselves when the connection is idle for the keep alive, and
// messages that arrive while a call waits (for a PUBACK, a SUBACK, ...) are kept, in order, for
// poll(), wait_event() or wait_message(). The message handler runs only from poll(), never from
// inside another call, and a handler may itself publish, subscribe, and so on: messages that
// arrive meanwhile are delivered after it returns, never recursively.
//
// Errors are values (tern/client/error.h). When the connection ends (server DISCONNECT,
// protocol violation, timeout, socket failure), the failing call returns the Error and the
// Connection is disconnected; connect() may be called again, and a session resumed with
// clean_start off gets its unacknowledged messages sent again (see session.h).
//
// Owns its Transport and Session. Not thread-safe: use it from one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mqtt/packets.h"
#include "tern/client/error.h"
#include "tern/client/session.h"
#include "tern/client/transport.h"

namespace tern::client {

// Everything a connection needs: where to (host, port, TLS, timeout) and what the CONNECT says
// (SessionOptions: version, client id, clean start, keep alive, will, credentials, MQTT 5.0
// properties).
struct ConnectOptions : SessionOptions {
  std::string host = "localhost";
  std::uint16_t port = 0;  // 0: 1883, or 8883 with TLS
  TlsOptions tls;
  // TCP connect and TLS handshake; the CONNACK wait is SessionOptions::connack_timeout.
  std::chrono::milliseconds connect_timeout{10'000};
  // How long publish (QoS 1/2), subscribe, unsubscribe and ping wait for their answer.
  std::chrono::milliseconds request_timeout{30'000};
};

struct ConnectResult {
  bool session_present = false;
  mqtt::Connack connack;  // the server's properties (MQTT 5.0)
};

// The end of a QoS 1/2 publish: PUBACK or PUBCOMP, or a refusal (reason_code >= 0x80, which
// publish() reports as success: the exchange completed; check the code).
using PublishResult = Published;
using SubscribeResult = Subscribed;
using UnsubscribeResult = Unsubscribed;

class Connection {
 public:
  using MessageHandler = std::function<void(const Message&)>;

  explicit Connection(ConnectOptions options);
  ~Connection();  // closes the socket without DISCONNECT (like a crash: the will is published)
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Options for the next connect().
  ConnectOptions& options() { return options_; }

  // TCP (+TLS), CONNECT, CONNACK. Errors: resolve_failed, connection_refused, network, tls,
  // timeout, connack_refused (reason_code: bad_username_or_password, not_authorized, ...),
  // protocol_error, connection_closed, invalid_argument (already connected, bad options).
  Result<ConnectResult> connect();
  bool connected() const;

  // Publishes and, for QoS 1/2, waits for PUBACK / PUBCOMP. QoS 0 returns packet_id 0 once the
  // bytes are written.
  Result<PublishResult> publish(const std::string& topic, const std::string& payload,
                                mqtt::QoS qos = mqtt::QoS::at_most_once, bool retain = false,
                                mqtt::Properties properties = {});
  Result<PublishResult> publish(mqtt::Publish message);
  // Sends without waiting for the acknowledgement; returns the packet identifier (0 for QoS 0).
  // The completion comes as a Published event from wait_event() (poll() keeps those for it).
  Result<std::uint16_t> publish_nowait(mqtt::Publish message);

  // SUBSCRIBE and wait for the SUBACK. `reason_codes` has one code per filter: the granted QoS
  // or a refusal (>= 0x80); check them.
  Result<SubscribeResult> subscribe(std::vector<mqtt::Subscription> subscriptions,
                                    mqtt::Properties properties = {});
  Result<SubscribeResult> subscribe(const std::string& filter,
                                    mqtt::QoS qos = mqtt::QoS::at_most_once);
  Result<UnsubscribeResult> unsubscribe(std::vector<std::string> filters,
                                        mqtt::Properties properties = {});

  // PINGREQ and wait for the PINGRESP.
  Status ping();

  // DISCONNECT (MQTT 5.0: with reason code and properties, e.g. disconnect_with_will or a
  // Session Expiry Interval), then closes the socket. Succeeds when already disconnected.
  Status disconnect(mqtt::ReasonCode reason_code = mqtt::ReasonCode::success,
                    mqtt::Properties properties = {});

  // Messages to this handler, from poll() only. Without a handler, poll() keeps them for
  // wait_message() / wait_event().
  void set_message_handler(MessageHandler handler) { handler_ = std::move(handler); }

  // Runs the connection for up to `timeout` (0: only what is already there, without waiting)
  // and hands every message received to the handler. Returns early, after delivering, as soon
  // as at least one message was delivered. Returns the number delivered.
  Result<std::size_t> poll(std::chrono::milliseconds timeout);
  // The next event for the user: a Message (unless a handler takes them), a Published of
  // publish_nowait, a late answer of a request that timed out; std::nullopt after `timeout`.
  // The end of the connection is not an event: it is returned as the Error (once; later calls
  // return not_connected).
  Result<std::optional<Event>> wait_event(std::chrono::milliseconds timeout);
  // The next message (other events stay queued), or std::nullopt after `timeout`.
  Result<std::optional<Message>> wait_message(std::chrono::milliseconds timeout);

  // The client identifier in use (the server's Assigned Client Identifier in MQTT 5.0).
  const std::string& client_id() const { return session_.client_id(); }
  Session& session() { return session_; }
  // The transport, while connected (e.g. for its fd); null otherwise.
  Transport* transport() { return transport_.get(); }

 private:
  template <class Pred>
  Result<std::optional<Event>> wait_for(Pred pred, TimePoint deadline);
  Status step(TimePoint deadline);
  Status flush(TimePoint deadline);
  void collect_events();
  void close_transport();
  Error take_end_error();

  ConnectOptions options_;
  Session session_;
  std::unique_ptr<Transport> transport_;
  std::deque<Event> inbox_;         // events for the user, and answers not yet claimed
  std::optional<Error> end_error_;  // why the last connection ended, until reported
  std::size_t pongs_wanted_ = 0;
  MessageHandler handler_;
  bool dispatching_ = false;
};

}  // namespace tern::client
