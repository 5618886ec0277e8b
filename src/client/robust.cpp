// RobustClient: reconnection, restored subscriptions and the offline queue around a Connection
// (see robust.h).
#include "tern/client/robust.h"

#include <algorithm>
#include <utility>

namespace tern::client {

using std::chrono::milliseconds;

namespace {

// Marks the client as inside a callback for the callback's duration, exceptions included;
// nested callbacks (a handler's publish that reconnects and calls on_connect) keep the mark.
class CallbackScope {
 public:
  explicit CallbackScope(bool& flag) : flag_(flag), previous_(flag) { flag_ = true; }
  ~CallbackScope() { flag_ = previous_; }
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;

 private:
  bool& flag_;
  bool previous_;
};

bool is_failure(mqtt::ReasonCode code) {
  return static_cast<std::uint8_t>(code) >= 0x80;
}

// Errors with which the session refuses a request: the connection itself is fine.
bool is_refusal(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
    case ErrorCode::not_supported:
    case ErrorCode::queue_full:
    case ErrorCode::packet_ids_exhausted:
    case ErrorCode::packet_too_large:
      return true;
    default:
      return false;
  }
}

milliseconds until(TimePoint from, TimePoint to) {
  if (to <= from) return milliseconds(0);
  // Rounded up, so that a sleep "until" a time point does not wake just before it.
  return std::chrono::ceil<milliseconds>(to - from);
}

}  // namespace

RobustClient::RobustClient(RobustOptions options, RobustEnvironment environment)
    : options_(std::move(options)),
      env_(std::move(environment)),
      backoff_(options_.reconnect),
      offline_(options_.offline) {
  RobustEnvironment system = RobustEnvironment::system();
  if (!env_.now) env_.now = system.now;
  if (!env_.sleep) env_.sleep = system.sleep;
  if (!env_.random) env_.random = system.random;
  // A persistent session needs a stable identifier: MQTT 3.1.1 refuses an empty one without
  // clean session [MQTT-3.1.3-7], and a server-assigned one would change on every restart.
  if (options_.connect.client_id.empty()) options_.connect.client_id = generate_client_id();
  apply_session_options();
  connection_ = std::make_unique<Connection>(options_.connect);
}

RobustClient::~RobustClient() = default;

void RobustClient::apply_session_options() {
  auto& c = options_.connect;
  c.clean_start = !options_.persistent_session;
  if (options_.persistent_session && c.version == mqtt::Version::v5 &&
      !c.properties.session_expiry_interval) {
    // MQTT 5.0 §3.1.2.11.2: without it the session ends with the connection.
    c.properties.session_expiry_interval = options_.session_expiry_interval;
  }
}

void RobustClient::set_callback(Callback callback) {
  if (!callback) {
    handler_ = nullptr;
    return;
  }
  handler_ = [callback = std::move(callback)](const Message& m) { callback(m.topic, m.payload); };
}

bool RobustClient::connected() const {
  return connection_->connected();
}

// ---- Connecting. ----

Result<bool> RobustClient::connect() {
  if (connection_->connected()) return Error{ErrorCode::invalid_argument, "already connected"};
  mode_ = Mode::running;
  gave_up_ = false;
  failures_ = 0;
  backoff_.reset();
  return attempt();
}

bool RobustClient::ensure_connected() {
  notice_drop();
  if (connection_->connected()) return true;
  if (mode_ != Mode::running || gave_up_ || env_.now() < next_attempt_) return false;
  return attempt().ok();
}

Result<bool> RobustClient::attempt() {
  auto result = connection_->connect();
  if (!result) return attempt_failed(std::move(result).error());
  bool session_present = result->session_present;
  if (!restore(session_present)) {
    return attempt_failed(last_error_.value_or(Error{ErrorCode::connection_closed, "restore"}));
  }
  failures_ = 0;
  backoff_.reset();
  ++stats_.connects;
  last_error_.reset();
  // The offline queue goes first: those messages were published before anything on_connect
  // may publish.
  flush_offline();
  if (!connection_->connected()) return last_error_.value_or(Error{ErrorCode::not_connected, ""});
  connected_reported_ = true;
  if (on_connect_) {
    CallbackScope scope(in_callback_);
    on_connect_(session_present);
  }
  return session_present;
}

Error RobustClient::attempt_failed(Error reason) {
  ++stats_.failed_attempts;
  ++failures_;
  last_error_ = reason;
  auto max = options_.reconnect.max_attempts;
  milliseconds delay(0);
  if (max > 0 && failures_ >= max) {
    gave_up_ = true;
  } else {
    delay = backoff_.next(env_.random());
    next_attempt_ = env_.now() + delay;
  }
  if (on_connect_failed_) {
    CallbackScope scope(in_callback_);
    on_connect_failed_(reason, delay);
  }
  return reason;
}

// The Connection may have ended inside a call that returned something else (a message read
// together with the end of the stream): report the end now.
void RobustClient::notice_drop() {
  if (!connected_reported_ || connection_->connected()) return;
  auto why = connection_->ping();  // not connected: returns why the connection ended
  connection_down(why ? Error{ErrorCode::connection_closed, "connection closed"}
                      : std::move(why).error());
}

void RobustClient::connection_down(Error reason) {
  last_error_ = reason;
  next_attempt_ = env_.now() + backoff_.next(env_.random());
  if (connected_reported_) {
    connected_reported_ = false;
    if (on_disconnect_) {
      CallbackScope scope(in_callback_);
      on_disconnect_(reason);
    }
  }
}

// Session Present 0: the server has none of our subscriptions; make them again. Returns false
// when the connection was lost meanwhile (last_error_ says why).
bool RobustClient::restore(bool session_present) {
  if (session_present) return true;
  for (const Held& held : held_) {
    auto result = connection_->subscribe(held.subscriptions, held.properties);
    if (!result) {
      last_error_ = result.error();
      if (!connection_->connected()) return false;
      continue;  // refused by the server now: kept, tried again next time
    }
    stats_.resubscribed += held.subscriptions.size();
  }
  return true;
}

void RobustClient::flush_offline() {
  while (connection_->connected()) {
    auto message = offline_.pop();
    if (!message) return;
    mqtt::Publish copy = *message;  // to put back if it cannot go now
    auto sent = connection_->publish_nowait(std::move(*message));
    if (sent) continue;
    ErrorCode code = sent.error().code;
    if (code == ErrorCode::queue_full) {  // the session's own queue: try again later
      offline_.push_front(std::move(copy));
      return;
    }
    // Refused by the server's limits (Maximum QoS, Maximum Packet Size, ...): dropped, as a
    // publish() while connected would have been refused.
    if (is_refusal(code)) continue;
    // The connection failed while writing: the session keeps a QoS 1/2 message for the next
    // connection; a QoS 0 one goes back to the queue.
    connection_down(std::move(sent).error());
    if (copy.qos == mqtt::QoS::at_most_once) offline_.push_front(std::move(copy));
    return;
  }
}

Status RobustClient::wait_connected(TimePoint deadline) {
  notice_drop();
  while (!connection_->connected()) {
    if (mode_ != Mode::running || gave_up_) return stopped_error();
    auto now = env_.now();
    if (now >= next_attempt_) {
      (void)attempt();
      continue;
    }
    if (now >= deadline) {
      return Error{ErrorCode::timeout,
                   "not connected" + (last_error_ ? ": " + last_error_->to_string() : "")};
    }
    env_.sleep(until(now, std::min(next_attempt_, deadline)));
  }
  return {};
}

Error RobustClient::stopped_error() const {
  if (gave_up_ && last_error_) return *last_error_;
  if (mode_ == Mode::stopped) return Error{ErrorCode::disconnected, "disconnect() was called"};
  if (mode_ == Mode::idle) return Error{ErrorCode::not_connected, "connect() was not called"};
  return Error{ErrorCode::not_connected, "not connected"};
}

// ---- Publishing. ----

Status RobustClient::publish(const std::string& topic, const std::string& payload, mqtt::QoS qos,
                             bool retain, mqtt::Properties properties) {
  mqtt::Publish message;
  message.topic = topic;
  message.payload = payload;
  message.qos = qos;
  message.retain = retain;
  message.properties = std::move(properties);
  return publish(std::move(message));
}

Status RobustClient::publish(mqtt::Publish message) {
  if (gave_up_) return stopped_error();
  if (!ensure_connected()) return offline_.push(std::move(message));
  return send(std::move(message));
}

Status RobustClient::send(mqtt::Publish message) {
  bool qos0 = message.qos == mqtt::QoS::at_most_once;
  auto sent = connection_->publish_nowait(std::move(message));
  if (sent) return {};
  if (is_refusal(sent.error().code)) return std::move(sent).error();
  // The connection failed while writing. The session holds a QoS 1/2 message and sends it
  // again after the reconnect; a QoS 0 message is gone, as QoS 0 allows.
  connection_down(sent.error());
  if (qos0) return std::move(sent).error();
  return {};
}

// ---- Subscriptions. ----

Status RobustClient::subscribe(const std::string& filter, mqtt::QoS qos) {
  mqtt::Subscription subscription;
  subscription.filter = filter;
  subscription.max_qos = qos;
  return subscribe(std::vector<mqtt::Subscription>{subscription});
}

Status RobustClient::subscribe(std::vector<mqtt::Subscription> subscriptions,
                               mqtt::Properties properties) {
  auto deadline = env_.now() + options_.connect.request_timeout;
  while (true) {
    if (auto up = wait_connected(deadline); !up) return up;
    auto result = connection_->subscribe(subscriptions, properties);
    if (!result) {
      if (!connection_->connected()) {
        connection_down(result.error());
        continue;
      }
      return std::move(result).error();
    }
    Held granted{{}, properties};
    std::string refused;
    for (std::size_t i = 0; i < subscriptions.size(); ++i) {
      auto code = i < result->reason_codes.size() ? result->reason_codes[i]
                                                  : mqtt::ReasonCode::unspecified_error;
      forget(subscriptions[i].filter);  // a new subscription replaces the old [MQTT-3.8.4-3]
      if (is_failure(code)) {
        refused += (refused.empty() ? "'" : ", '") + subscriptions[i].filter + "'";
      } else {
        granted.subscriptions.push_back(subscriptions[i]);
      }
    }
    if (!granted.subscriptions.empty()) held_.push_back(std::move(granted));
    if (!refused.empty()) {
      return Error{ErrorCode::not_supported, "subscription refused: " + refused};
    }
    return {};
  }
}

Status RobustClient::unsubscribe(const std::string& filter) {
  auto deadline = env_.now() + options_.connect.request_timeout;
  while (true) {
    if (auto up = wait_connected(deadline); !up) return up;
    auto result = connection_->unsubscribe({filter});
    if (!result) {
      if (!connection_->connected()) {
        connection_down(result.error());
        continue;
      }
      return std::move(result).error();
    }
    forget(filter);
    return {};
  }
}

void RobustClient::forget(const std::string& filter) {
  for (Held& held : held_) {
    std::erase_if(held.subscriptions,
                  [&](const mqtt::Subscription& s) { return s.filter == filter; });
  }
  std::erase_if(held_, [](const Held& held) { return held.subscriptions.empty(); });
}

// ---- Receiving. ----

Result<std::size_t> RobustClient::poll(milliseconds timeout) {
  return run(env_.now() + timeout, false, true);
}

Status RobustClient::wait_msg() {
  while (true) {
    auto delivered = poll(std::chrono::hours(1));
    if (!delivered) return std::move(delivered).error();
    if (*delivered > 0) return {};
  }
}

Result<bool> RobustClient::check_msg() {
  auto delivered = run(env_.now(), false, true);
  if (!delivered) return std::move(delivered).error();
  return *delivered > 0;
}

Status RobustClient::flush(milliseconds timeout) {
  auto done = run(env_.now() + timeout, true, false);
  if (!done) return std::move(done).error();
  return {};
}

// The loop of poll() and flush(): reconnects when due, sleeps (injected) while down, and hands
// events to handle(). After a delivery it only takes what is already there, then returns.
Result<std::size_t> RobustClient::run(TimePoint deadline, bool until_flushed,
                                      bool stop_on_delivery) {
  if (in_callback_) {
    return Error{ErrorCode::invalid_argument, "poll/wait_msg/check_msg/flush in a callback"};
  }
  std::size_t delivered = 0;
  auto flushed = [&] {
    auto& session = connection_->session();
    return offline_.empty() && session.outbound_held() == 0 && session.queued() == 0;
  };
  while (true) {
    if (until_flushed && flushed()) return delivered;
    notice_drop();
    if (!connection_->connected()) {
      if (mode_ != Mode::running || gave_up_) {
        if (delivered > 0) return delivered;
        return stopped_error();
      }
      auto now = env_.now();
      if (now >= next_attempt_) {
        (void)attempt();
        continue;
      }
      if (now >= deadline) break;
      env_.sleep(until(now, std::min(next_attempt_, deadline)));
      continue;
    }
    bool draining = stop_on_delivery && delivered > 0;
    auto now = env_.now();
    auto event = connection_->wait_event(draining ? milliseconds(0) : until(now, deadline));
    if (!event) {
      connection_down(std::move(event).error());
      continue;
    }
    if (!*event) {
      if (draining || env_.now() >= deadline) break;
      continue;
    }
    handle(std::move(**event), delivered);
  }
  if (until_flushed) {
    return Error{ErrorCode::timeout, std::to_string(offline_.size()) + " queued and " +
                                         std::to_string(connection_->session().outbound_held()) +
                                         " unacknowledged messages left"};
  }
  return delivered;
}

void RobustClient::handle(Event event, std::size_t& delivered) {
  // Published, late SUBACKs/UNSUBACKs and PINGRESPs need nothing more: the session has done
  // the bookkeeping.
  auto* message = std::get_if<Message>(&event);
  if (!message || !handler_) return;
  CallbackScope scope(in_callback_);
  handler_(*message);
  ++delivered;
}

Status RobustClient::disconnect(mqtt::ReasonCode reason_code, mqtt::Properties properties) {
  mode_ = Mode::stopped;
  connected_reported_ = false;  // our own end: no on_disconnect
  return connection_->disconnect(reason_code, std::move(properties));
}

RobustClient::Stats RobustClient::stats() const {
  Stats s = stats_;
  s.offline_queued = offline_.size();
  s.offline_bytes = offline_.bytes();
  s.dropped_qos0 = offline_.dropped();
  s.unacknowledged = connection_->session().outbound_held();
  return s;
}

}  // namespace tern::client
