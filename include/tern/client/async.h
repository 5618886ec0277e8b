// AsyncClient: the MQTT client for applications (3.1.1 and 5.0): callbacks, futures, per-filter
// message handlers, automatic reconnection, and MQTT 5.0 request/response.
//
// Threading — read this first:
//   - The client owns one network thread, started by start() or the first connect() and ended
//     by stop() or the destructor. It polls the socket and a wake-up eventfd, drives the
//     Session (tern/client/session.h) and runs EVERY user callback: message handlers,
//     completion callbacks, on_connect and on_disconnect — one at a time, in order. Callbacks
//     must return quickly: while one runs, nothing else is read, written or delivered.
//   - Every public method is thread-safe and never blocks (except stop() and the destructor,
//     which join the thread, and wait()). A method posts a command to the network thread and
//     returns; the result comes later through the std::future it returns or the callback it
//     was given. Methods may be called from inside callbacks; what they start happens after the
//     callback returns.
//   - Never wait on one of this client's futures inside a callback: the result can only be
//     produced by the thread that is waiting. wait() detects it and returns invalid_argument.
//   - Errors found before anything is posted (an invalid topic or filter, a client that is not
//     running, request() on MQTT 3.1.1) complete at once, on the calling thread.
//
// Connection life: connect() makes one attempt (TCP, TLS, CONNECT, CONNACK) and reports it.
// Once connected, a lost connection is reported to on_disconnect and, with the reconnect policy
// on (the default), retried with exponential backoff and jitter until it succeeds, disconnect()
// or stop(). Meanwhile:
//   - subscribe()/unsubscribe() are sent when the connection is back;
//   - after a CONNACK without Session Present, every subscription is sent again (with Session
//     Present, those never granted);
//   - publish() holds messages (at most SessionOptions::max_queued; then queue_full) and sends
//     them after those SUBSCRIBEs, in order; QoS 1/2 messages that were in flight are sent
//     again by the session (see session.h). Futures complete when the messages are
//     acknowledged then.
// disconnect() and stop() end that: what is still pending fails (ErrorCode::disconnected), and
// unacknowledged messages are dropped.
//
// Handlers: each subscribe() names a handler for its filter; a received message goes to the
// handler of every subscription it matches, each once (SubscriptionRouter, async_router.h: by
// MQTT 5.0 Subscription Identifier, which the client assigns, or else by filter matching),
// and to the default handler when none matches. Subscribing to a filter again replaces its
// handler and options.
//
// Configuration: a URL (mqtt://[user[:pass]@]host[:port] or mqtts://...; see url.h) and
// AsyncOptions: the Session's options (version, client id, clean start, keep alive, will,
// credentials, MQTT 5.0 properties such as Session Expiry Interval, Receive Maximum and Topic
// Alias Maximum), TLS, timeouts and the reconnect policy.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt/packets.h"
#include "tern/client/connection.h"
#include "tern/client/error.h"
#include "tern/client/session.h"
#include "tern/client/transport.h"

namespace tern::client {

struct ReconnectPolicy {
  bool enabled = true;
  // Retries wait a random time up to initial_delay, then up to twice as long each time, never
  // more than max_delay (tern/client/backoff.h: full jitter).
  std::chrono::milliseconds initial_delay{500};
  std::chrono::milliseconds max_delay{30'000};
};

// SessionOptions (session.h) plus what the network needs. An empty client_id is replaced by a
// generated one (generate_client_id()), so that reconnections resume the same session.
// SessionOptions::max_queued bounds the messages held while offline. Before MQTT 5.0 (no
// Receive Maximum), max_inflight 0 becomes 20, the window mosquitto allows by default.
struct AsyncOptions : SessionOptions {
  // TLS settings; an mqtts:// URL turns `enabled` on.
  TlsOptions tls;
  // TCP connect and TLS handshake of one attempt (the CONNACK wait is connack_timeout).
  std::chrono::milliseconds connect_timeout{10'000};
  ReconnectPolicy reconnect;
};

// How to subscribe (MQTT 5.0 §3.8.3.1; only qos before 5.0). Made from a QoS alone too:
// subscribe("a/#", QoS::at_least_once, handler).
struct SubscribeOptions {
  SubscribeOptions(mqtt::QoS max_qos = mqtt::QoS::at_most_once) : qos(max_qos) {}  // NOLINT

  mqtt::QoS qos = mqtt::QoS::at_most_once;
  bool no_local = false;
  bool retain_as_published = false;
  mqtt::RetainHandling retain_handling = mqtt::RetainHandling::send_on_subscribe;
  // MQTT 5.0: the Subscription Identifier (1 to 268,435,455). Unset: the client picks one, so
  // that messages reach exactly the right handlers; it is sent only if the server supports
  // identifiers (CONNACK, MQTT 5.0 §3.2.2.3.12).
  std::optional<std::uint32_t> subscription_identifier;
  std::vector<mqtt::UserProperty> user_properties;  // MQTT 5.0
};

class AsyncClient {
 public:
  template <class T>
  using Callback = std::function<void(Result<T>)>;
  using MessageHandler = std::function<void(const Message&)>;
  using ConnectHandler = std::function<void(bool session_present, const mqtt::Connack&)>;
  using DisconnectHandler = std::function<void(const Error&)>;

  // A stopped client for `url`; invalid_argument for a bad URL or bad options. Credentials in
  // the URL replace those of `options`.
  static Result<std::unique_ptr<AsyncClient>> create(std::string_view url,
                                                     AsyncOptions options = {});
  // stop(). Must not run on the network thread (inside a callback).
  ~AsyncClient();
  AsyncClient(const AsyncClient&) = delete;
  AsyncClient& operator=(const AsyncClient&) = delete;

  // Starts the network thread (connect() does it too); ok when already running.
  Status start();
  // Disconnects (DISCONNECT, best effort), fails everything pending with
  // ErrorCode::disconnected, and joins the network thread (waiting for a TCP/TLS connect in
  // progress, at most connect_timeout). From a callback it only asks the thread to end. The
  // client may be started again.
  void stop();
  bool running() const;
  // Whether the calling thread is this client's network thread.
  bool on_network_thread() const;

  // One connection attempt; its outcome. When already connected: the current CONNACK.
  std::future<Result<ConnectResult>> connect();
  void connect(Callback<ConnectResult> done);
  // DISCONNECT (MQTT 5.0: with `reason_code` and `properties`), no more reconnecting.
  std::future<Status> disconnect(mqtt::ReasonCode reason_code = mqtt::ReasonCode::success,
                                 mqtt::Properties properties = {});
  void disconnect(mqtt::ReasonCode reason_code, mqtt::Properties properties, Callback<void> done);

  // Completes when sent (QoS 0: handed to the session, perhaps queued) or acknowledged (QoS
  // 1/2: PUBACK/PUBCOMP). A refusal (reason code >= 0x80, MQTT 5.0) is a completed exchange:
  // check Published::reason_code. invalid_argument for a topic name with wildcards or otherwise
  // invalid [MQTT-3.3.2-2]; not_connected when the client was never connected or disconnected.
  std::future<Result<Published>> publish(std::string topic, std::string payload,
                                         mqtt::QoS qos = mqtt::QoS::at_most_once,
                                         bool retain = false, mqtt::Properties properties = {});
  std::future<Result<Published>> publish(mqtt::Publish message);
  void publish(mqtt::Publish message, Callback<Published> done);

  // Subscribes and routes matching messages to `handler`. Completes with the SUBACK: check
  // reason_codes[0] (granted QoS, or >= 0x80: refused, and the handler is removed).
  // invalid_argument for an invalid filter [MQTT-4.7.1-1].
  std::future<Result<Subscribed>> subscribe(std::string filter, SubscribeOptions options,
                                            MessageHandler handler);
  void subscribe(std::string filter, SubscribeOptions options, MessageHandler handler,
                 Callback<Subscribed> done);
  // Removes the handler at once and sends UNSUBSCRIBE; completes with the UNSUBACK.
  std::future<Result<Unsubscribed>> unsubscribe(std::string filter);
  void unsubscribe(std::string filter, Callback<Unsubscribed> done);

  // MQTT 5.0 request/response (§4.10): subscribes once to a response topic of this client
  // (the server's Response Information as a prefix if it gave one, else
  // "tern/rr/<client id>/<random>"), publishes the request with that Response Topic and a new
  // Correlation Data, and completes with the response carrying that Correlation Data, or
  // ErrorCode::timeout after `timeout`. not_supported on MQTT 3.1.1.
  std::future<Result<Message>> request(std::string topic, std::string payload,
                                       std::chrono::milliseconds timeout,
                                       mqtt::Properties properties = {},
                                       mqtt::QoS qos = mqtt::QoS::at_least_once);
  void request(std::string topic, std::string payload, std::chrono::milliseconds timeout,
               mqtt::Properties properties, mqtt::QoS qos, Callback<Message> done);
  // Publishes `payload` to the request's Response Topic with its Correlation Data, at the
  // request's QoS. invalid_argument when the request has no Response Topic.
  std::future<Result<Published>> respond(const Message& request, std::string payload,
                                         mqtt::Properties properties = {});

  // Messages that match no subscription's handler (e.g. of a persistent session).
  void set_default_handler(MessageHandler handler);
  // After each accepted CONNACK (the first connection and every reconnection).
  void on_connect(ConnectHandler handler);
  // When an established connection ends, with why (ErrorCode::disconnected for disconnect()
  // and stop()).
  void on_disconnect(DisconnectHandler handler);

  bool connected() const;
  // The client identifier in use (generated when the options had none).
  std::string client_id() const;

  // Waits for one of this client's futures, at most `timeout` (ErrorCode::timeout). From the
  // network thread it returns invalid_argument at once instead of deadlocking.
  template <class T>
  Result<T> wait(std::future<Result<T>>& future, std::chrono::milliseconds timeout) const {
    if (on_network_thread()) {
      return Error{ErrorCode::invalid_argument,
                   "wait() inside a callback would deadlock the network thread"};
    }
    if (!future.valid()) return Error{ErrorCode::invalid_argument, "the future has no state"};
    if (future.wait_for(timeout) != std::future_status::ready) {
      return Error{ErrorCode::timeout,
                   "no result within " + std::to_string(timeout.count()) + " ms"};
    }
    return future.get();
  }

  struct Impl;  // the mailbox and the network thread's state (async.cpp)

 private:
  explicit AsyncClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tern::client
