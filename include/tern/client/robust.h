// RobustClient: a blocking MQTT client that survives its connection: MicroPython's
// umqtt.robust idea (reconnect and carry on) with backoff, a persistent session, restored
// subscriptions and a bounded offline queue. A Connection inside does the protocol.
//
//   tern::client::RobustOptions o;
//   o.connect.host = "broker.local";
//   o.connect.client_id = "light-1";
//   tern::client::RobustClient c(o);
//   c.set_callback([](const std::string& topic, const std::string& payload) { ... });
//   c.on_connect([](bool session_present) { ... });
//   (void)c.connect();                 // a failure is not final: poll() keeps trying
//   (void)c.subscribe("cmd/#", mqtt::QoS::at_least_once);
//   while (running) (void)c.poll(std::chrono::milliseconds(500));
//
// Reconnecting. Any call that finds the connection down tries again once the backoff allows:
// exponential with full jitter (attempt n waits a uniform random time in [0, min(max_delay,
// initial_delay * multiplier^n)]), reset by a successful connection. poll() and wait_msg() sleep
// until the next attempt; publish() and check_msg() never sleep (a due attempt still blocks for
// up to connect_timeout). After max_attempts consecutive failures (0: never) the client gives
// up: calls return the last connection error until connect() is called again.
//
// Sessions. By default the client asks for a persistent session (clean start off; for MQTT 5.0
// a Session Expiry Interval, one hour unless the options set one) so that the server keeps its
// subscriptions and queued messages while it is away. When the server answers Session Present
// 0 (it lost or never had the session), the client subscribes again to every filter it holds.
// QoS 1/2 messages not yet acknowledged are sent again after a reconnect by the Session: with
// DUP in a resumed session, as new messages otherwise (tern/client/session.h).
//
// Publishing. publish() never waits for an acknowledgement: it hands the message to the session
// (sent now, or held for the in-flight window) and returns; flush() waits until everything is
// acknowledged. While disconnected, messages go to a bounded offline queue (QoS 1/2 always,
// QoS 0 if queue_qos0), sent in order after the next connection. When the queue is at its bound
// (messages or bytes of topic + payload), the oldest QoS 0 messages are dropped to make room;
// if that is not enough, publish() returns ErrorCode::queue_full.
//
// Errors are values, as with Connection (tern/client/error.h); unlike SimpleClient nothing
// throws, since losing the connection is routine here rather than exceptional.
//
// Callbacks (message handler, on_connect, on_disconnect, on_connect_failed) run on the calling
// thread from inside the client's calls; they may publish, subscribe and unsubscribe, but must
// not call poll(), wait_msg(), check_msg() or flush() (those return invalid_argument there).
//
// Owns its Connection. Not thread-safe: use it from one thread.
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
#include "tern/client/backoff.h"
#include "tern/client/connection.h"
#include "tern/client/error.h"
#include "tern/client/session.h"

namespace tern::client {

struct OfflineQueueOptions {
  std::size_t max_messages = 1000;
  std::size_t max_bytes = 1 << 20;  // topic + payload of the queued messages
  bool queue_qos0 = true;           // false: QoS 0 publishes fail with not_connected offline
};

struct RobustOptions {
  ConnectOptions connect;
  ReconnectOptions reconnect;
  OfflineQueueOptions offline;
  // Clean start off on every connection (and a Session Expiry Interval for MQTT 5.0). False:
  // clean start on, so every connection subscribes again.
  bool persistent_session = true;
  // MQTT 5.0 Session Expiry Interval sent when persistent and the properties have none.
  std::uint32_t session_expiry_interval = 3600;
};

// Where time and randomness come from; tests replace them so backoff runs without waiting.
struct RobustEnvironment {
  std::function<TimePoint()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> random;  // uniform in [0, 1)
  // The real clock, std::this_thread::sleep_for and a seeded std::mt19937_64.
  static RobustEnvironment system();
};

// The bounded offline queue: messages in publish order, QoS 0 ones dropped oldest first when
// room is needed. Plain value; thread-compatible.
class OfflineQueue {
 public:
  explicit OfflineQueue(OfflineQueueOptions options) : options_(options) {}
  // Appends, dropping old QoS 0 messages to make room; queue_full when that is not enough (the
  // queue is unchanged then), not_connected for QoS 0 when queue_qos0 is off.
  Status push(mqtt::Publish message);
  std::optional<mqtt::Publish> pop();
  // Puts a message taken by pop() back at the front (its send failed); ignores the bounds.
  void push_front(mqtt::Publish message);
  std::size_t size() const { return messages_.size(); }
  std::size_t bytes() const { return bytes_; }
  bool empty() const { return messages_.empty(); }
  std::size_t dropped() const { return dropped_; }  // QoS 0 messages dropped so far

 private:
  static std::size_t cost(const mqtt::Publish& m) { return m.topic.size() + m.payload.size(); }

  OfflineQueueOptions options_;
  std::deque<mqtt::Publish> messages_;
  std::size_t bytes_ = 0;
  std::size_t dropped_ = 0;
};

class RobustClient {
 public:
  using Callback = std::function<void(const std::string& topic, const std::string& payload)>;
  using MessageHandler = std::function<void(const Message&)>;
  using ConnectHandler = std::function<void(bool session_present)>;
  using DisconnectHandler = std::function<void(const Error& reason)>;
  using ConnectFailedHandler =
      std::function<void(const Error& reason, std::chrono::milliseconds retry_in)>;

  struct Stats {
    std::size_t connects = 0;  // successful connections, the first included
    std::size_t failed_attempts = 0;
    std::size_t offline_queued = 0;  // messages in the offline queue now
    std::size_t offline_bytes = 0;
    std::size_t dropped_qos0 = 0;    // dropped from the full offline queue
    std::size_t unacknowledged = 0;  // QoS 1/2 held by the session
    std::size_t resubscribed = 0;    // filters subscribed again after Session Present 0
  };

  explicit RobustClient(RobustOptions options,
                        RobustEnvironment environment = RobustEnvironment::system());
  ~RobustClient();  // closes without DISCONNECT (the will, if any, is published)
  RobustClient(const RobustClient&) = delete;
  RobustClient& operator=(const RobustClient&) = delete;

  // Messages go to one handler: the last set of these two. Without one they are dropped.
  void set_callback(Callback callback);
  void set_message_handler(MessageHandler handler) { handler_ = std::move(handler); }
  void on_connect(ConnectHandler handler) { on_connect_ = std::move(handler); }
  // The connection ended (not called for our own disconnect()).
  void on_disconnect(DisconnectHandler handler) { on_disconnect_ = std::move(handler); }
  // An attempt failed; the next comes after `retry_in` (zero when giving up).
  void on_connect_failed(ConnectFailedHandler handler) { on_connect_failed_ = std::move(handler); }

  // One attempt now, whatever the backoff says; returns Session Present. A failure schedules
  // the next attempt: later calls keep trying. Also starts again after disconnect() or giving
  // up.
  Result<bool> connect();
  bool connected() const;

  // Sends or queues (see above); returns once the message is sent or held. Errors: those of
  // Session::publish (invalid_argument, not_supported, packet_too_large, queue_full, ...),
  // queue_full from the offline queue, not_connected for QoS 0 offline without queue_qos0, and
  // the last connection error after giving up. Before connect() and after disconnect() messages
  // are queued for the next connect(). Acknowledgements are read by poll(): call it regularly.
  Status publish(const std::string& topic, const std::string& payload,
                 mqtt::QoS qos = mqtt::QoS::at_most_once, bool retain = false,
                 mqtt::Properties properties = {});
  Status publish(mqtt::Publish message);

  // SUBSCRIBE and wait for the SUBACK, reconnecting meanwhile if needed, for up to the
  // request_timeout. Granted filters are remembered and restored after Session Present 0;
  // refused ones (reason code >= 0x80) make the call fail with not_supported.
  Status subscribe(const std::string& filter, mqtt::QoS qos = mqtt::QoS::at_most_once);
  Status subscribe(std::vector<mqtt::Subscription> subscriptions, mqtt::Properties properties = {});
  Status unsubscribe(const std::string& filter);

  // Runs the client for up to `timeout` (reconnecting as needed) and delivers every message
  // that arrives; returns early after delivering. Returns the number delivered. Fails only
  // after giving up, after disconnect(), or from inside a callback.
  Result<std::size_t> poll(std::chrono::milliseconds timeout);
  // Blocks until a message was delivered (reconnecting as needed).
  Status wait_msg();
  // Delivers what has arrived without waiting; returns whether anything was delivered.
  Result<bool> check_msg();
  // Waits until the offline queue is empty and every QoS 1/2 message is acknowledged, or
  // `timeout` (ErrorCode::timeout). Messages arriving meanwhile are delivered.
  Status flush(std::chrono::milliseconds timeout);

  // DISCONNECT (MQTT 5.0: with reason code and properties) and stop reconnecting until
  // connect(). Queued and unacknowledged messages are kept for the next connect().
  Status disconnect(mqtt::ReasonCode reason_code = mqtt::ReasonCode::success,
                    mqtt::Properties properties = {});

  Stats stats() const;
  const std::string& client_id() const { return connection_->client_id(); }
  Connection& connection() { return *connection_; }

 private:
  enum class Mode { idle, running, stopped };
  struct Held {
    std::vector<mqtt::Subscription> subscriptions;
    mqtt::Properties properties;
  };

  void apply_session_options();
  bool ensure_connected();  // an attempt if one is due; whether connected now
  Result<bool> attempt();
  Error attempt_failed(Error reason);
  void notice_drop();
  void connection_down(Error reason);
  bool restore(bool session_present);
  void flush_offline();
  Status send(mqtt::Publish message);
  Status wait_connected(TimePoint deadline);
  Result<std::size_t> run(TimePoint deadline, bool until_flushed, bool stop_on_delivery);
  void handle(Event event, std::size_t& delivered);
  void forget(const std::string& filter);
  Error stopped_error() const;

  RobustOptions options_;
  RobustEnvironment env_;
  std::unique_ptr<Connection> connection_;
  Backoff backoff_;
  OfflineQueue offline_;
  Mode mode_ = Mode::idle;
  bool gave_up_ = false;
  std::size_t failures_ = 0;         // consecutive failed attempts
  bool connected_reported_ = false;  // on_connect called, on_disconnect owed
  bool in_callback_ = false;
  TimePoint next_attempt_{};
  std::optional<Error> last_error_;
  std::vector<Held> held_;  // granted subscriptions, in order
  Stats stats_;

  MessageHandler handler_;
  ConnectHandler on_connect_;
  DisconnectHandler on_disconnect_;
  ConnectFailedHandler on_connect_failed_;
};

}  // namespace tern::client
