// Connection: a Session driven over a blocking Transport (see connection.h).
#include "tern/client/connection.h"

#include <poll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <utility>

namespace tern::client {

using std::chrono::milliseconds;

namespace {

TimePoint now() {
  return Clock::now();
}

bool is_terminal(const Event& event) {
  return std::holds_alternative<Disconnected>(event) ||
         std::holds_alternative<ProtocolError>(event);
}

// Resets a flag on scope exit, exceptions included (a SimpleClient callback may throw).
class FlagGuard {
 public:
  explicit FlagGuard(bool& flag) : flag_(flag) { flag_ = true; }
  ~FlagGuard() { flag_ = false; }
  FlagGuard(const FlagGuard&) = delete;
  FlagGuard& operator=(const FlagGuard&) = delete;

 private:
  bool& flag_;
};

}  // namespace

Connection::Connection(ConnectOptions options) : options_(std::move(options)), session_(options_) {}

Connection::~Connection() {
  close_transport();
}

bool Connection::connected() const {
  return transport_ && session_.state() == Session::State::connected;
}

Result<ConnectResult> Connection::connect() {
  if (transport_ && session_.state() != Session::State::disconnected) {
    return Error{ErrorCode::invalid_argument, "already connected"};
  }
  close_transport();
  end_error_.reset();
  session_.options() = options_;  // the SessionOptions part: changes made since apply
  std::uint16_t port = options_.port != 0 ? options_.port : options_.tls.enabled ? 8883 : 1883;
  auto transport = Transport::connect(options_.host, port, options_.tls, options_.connect_timeout);
  if (!transport) return std::move(transport).error();
  transport_ = std::move(*transport);
  if (auto started = session_.start(now()); !started) {
    close_transport();
    return std::move(started).error();
  }
  // The session's own CONNACK timer ends the wait; the margin only guards against a bug there.
  auto deadline = now() + options_.connack_timeout + std::chrono::seconds(1);
  auto event =
      wait_for([](const Event& e) { return std::holds_alternative<Connected>(e); }, deadline);
  if (!event) return std::move(event).error();
  if (!*event) {
    close_transport();
    return Error{ErrorCode::timeout, "no CONNACK"};
  }
  auto& connected = std::get<Connected>(**event);
  return ConnectResult{connected.session_present, std::move(connected.connack)};
}

Result<PublishResult> Connection::publish(const std::string& topic, const std::string& payload,
                                          mqtt::QoS qos, bool retain, mqtt::Properties properties) {
  mqtt::Publish message;
  message.topic = topic;
  message.payload = payload;
  message.qos = qos;
  message.retain = retain;
  message.properties = std::move(properties);
  return publish(std::move(message));
}

Result<PublishResult> Connection::publish(mqtt::Publish message) {
  auto id = publish_nowait(std::move(message));
  if (!id) return std::move(id).error();
  if (*id == 0) return PublishResult{};
  std::uint16_t packet_id = *id;
  auto event = wait_for(
      [packet_id](const Event& e) {
        auto* p = std::get_if<Published>(&e);
        return p && p->packet_id == packet_id;
      },
      now() + options_.request_timeout);
  if (!event) return std::move(event).error();
  if (!*event) {
    return Error{ErrorCode::timeout,
                 "no acknowledgement for packet id " + std::to_string(packet_id)};
  }
  return std::get<Published>(std::move(**event));
}

Result<std::uint16_t> Connection::publish_nowait(mqtt::Publish message) {
  if (!connected()) return take_end_error();
  auto id = session_.publish(std::move(message), now());
  if (!id) return id;
  if (auto flushed = flush(now() + options_.request_timeout); !flushed) {
    collect_events();
    return take_end_error();
  }
  return id;
}

Result<SubscribeResult> Connection::subscribe(std::vector<mqtt::Subscription> subscriptions,
                                              mqtt::Properties properties) {
  if (!connected()) return take_end_error();
  auto id = session_.subscribe(std::move(subscriptions), std::move(properties), now());
  if (!id) return std::move(id).error();
  std::uint16_t packet_id = *id;
  auto event = wait_for(
      [packet_id](const Event& e) {
        auto* p = std::get_if<Subscribed>(&e);
        return p && p->packet_id == packet_id;
      },
      now() + options_.request_timeout);
  if (!event) return std::move(event).error();
  if (!*event) return Error{ErrorCode::timeout, "no SUBACK"};
  return std::get<Subscribed>(std::move(**event));
}

Result<SubscribeResult> Connection::subscribe(const std::string& filter, mqtt::QoS qos) {
  mqtt::Subscription subscription;
  subscription.filter = filter;
  subscription.max_qos = qos;
  return subscribe({subscription});
}

Result<UnsubscribeResult> Connection::unsubscribe(std::vector<std::string> filters,
                                                  mqtt::Properties properties) {
  if (!connected()) return take_end_error();
  auto id = session_.unsubscribe(std::move(filters), std::move(properties), now());
  if (!id) return std::move(id).error();
  std::uint16_t packet_id = *id;
  auto event = wait_for(
      [packet_id](const Event& e) {
        auto* p = std::get_if<Unsubscribed>(&e);
        return p && p->packet_id == packet_id;
      },
      now() + options_.request_timeout);
  if (!event) return std::move(event).error();
  if (!*event) return Error{ErrorCode::timeout, "no UNSUBACK"};
  return std::get<Unsubscribed>(std::move(**event));
}

Status Connection::ping() {
  if (!connected()) return take_end_error();
  if (auto sent = session_.ping(now()); !sent) return sent;
  ++pongs_wanted_;
  auto event = wait_for([](const Event& e) { return std::holds_alternative<Pong>(e); },
                        now() + options_.request_timeout);
  --pongs_wanted_;
  if (!event) return std::move(event).error();
  if (!*event) return Error{ErrorCode::timeout, "no PINGRESP"};
  return {};
}

Status Connection::disconnect(mqtt::ReasonCode reason_code, mqtt::Properties properties) {
  if (!transport_ || session_.state() == Session::State::disconnected) {
    close_transport();
    end_error_.reset();
    return {};
  }
  auto sent = session_.disconnect(reason_code, std::move(properties), now());
  if (!sent) return sent;
  collect_events();  // writes the DISCONNECT and closes
  end_error_.reset();
  return {};
}

Result<std::size_t> Connection::poll(milliseconds timeout) {
  auto deadline = now() + timeout;
  std::size_t delivered = 0;
  bool first = true;
  while (true) {
    collect_events();
    if (handler_ && !dispatching_) {
      // Each message is taken off the inbox before the handler runs, so a handler that waits
      // for something (and so receives more) never sees a message twice or out of order.
      while (true) {
        auto it = std::find_if(inbox_.begin(), inbox_.end(),
                               [](const Event& e) { return std::holds_alternative<Message>(e); });
        if (it == inbox_.end()) break;
        Message message = std::get<Message>(std::move(*it));
        inbox_.erase(it);
        FlagGuard guard(dispatching_);
        handler_(message);
        ++delivered;
      }
    }
    if (delivered > 0) return delivered;
    if (!handler_ && std::any_of(inbox_.begin(), inbox_.end(), [](const Event& e) {
          return std::holds_alternative<Message>(e);
        })) {
      return std::size_t{0};  // kept for wait_message()
    }
    if (!transport_ || session_.state() == Session::State::disconnected) return take_end_error();
    if (!first && now() >= deadline) return std::size_t{0};
    first = false;
    (void)step(deadline);  // a failure ends the connection: reported above next turn
  }
}

Result<std::optional<Event>> Connection::wait_event(milliseconds timeout) {
  bool handler = static_cast<bool>(handler_);
  return wait_for(
      [handler](const Event& e) { return !handler || !std::holds_alternative<Message>(e); },
      now() + timeout);
}

Result<std::optional<Message>> Connection::wait_message(milliseconds timeout) {
  auto event =
      wait_for([](const Event& e) { return std::holds_alternative<Message>(e); }, now() + timeout);
  if (!event) return std::move(event).error();
  if (!*event) return std::optional<Message>{};
  return std::optional<Message>{std::get<Message>(std::move(**event))};
}

// ---- Internals. ----

template <class Pred>
Result<std::optional<Event>> Connection::wait_for(Pred pred, TimePoint deadline) {
  bool first = true;
  while (true) {
    collect_events();
    auto it = std::find_if(inbox_.begin(), inbox_.end(), pred);
    if (it != inbox_.end()) {
      Event event = std::move(*it);
      inbox_.erase(it);
      return std::optional<Event>{std::move(event)};
    }
    if (!transport_ || session_.state() == Session::State::disconnected) return take_end_error();
    if (!first && now() >= deadline) return std::optional<Event>{};
    first = false;
    (void)step(deadline);
  }
}

Status Connection::flush(TimePoint deadline) {
  auto& out = session_.output();
  if (out.empty() || !transport_) return {};
  auto written = transport_->write_all(out, deadline);
  out.clear();
  if (!written) session_.connection_lost(written.error());
  return written;
}

// One turn: write what is pending, wait for input or the session's next timer (at most until
// `deadline`), read everything available, run the timers, write the answers.
Status Connection::step(TimePoint deadline) {
  if (auto flushed = flush(now() + options_.request_timeout); !flushed) return flushed;
  if (!transport_ || session_.state() == Session::State::disconnected) return {};
  TimePoint wake = deadline;
  if (auto timer = session_.next_deadline(); timer && *timer < wake) wake = *timer;
  bool readable = transport_->has_buffered_input();
  if (!readable) {
    auto left = std::chrono::duration_cast<milliseconds>(wake - now()).count();
    int wait_ms = left <= 0 ? 0 : static_cast<int>(std::min<long long>(left + 1, 3'600'000));
    pollfd p{transport_->fd(), POLLIN, 0};
    int n = ::poll(&p, 1, wait_ms);
    if (n < 0 && errno != EINTR) {
      Error error{ErrorCode::network, "poll failed"};
      session_.connection_lost(error);
      return error;
    }
    readable = n > 0;
  }
  if (readable) {
    std::array<std::uint8_t, 16 * 1024> buffer;
    // Bounded, so that a server that sends without pause cannot starve the timers.
    for (int i = 0; i < 64 && session_.state() != Session::State::disconnected; ++i) {
      IoResult r = transport_->read_some(buffer);
      if (r.status == IoStatus::ok) {
        session_.receive(std::span(buffer.data(), r.bytes), now());
        continue;
      }
      if (r.status == IoStatus::closed) {
        session_.connection_lost(
            Error{ErrorCode::connection_closed, "the server closed the connection"});
      } else if (r.status == IoStatus::error) {
        session_.connection_lost(r.error);
      }
      break;
    }
  }
  session_.tick(now());
  return flush(now() + options_.request_timeout);
}

// Moves the session's events to the inbox; a connection's end is kept as end_error_ and closes
// the socket after writing the session's last bytes (our DISCONNECT).
void Connection::collect_events() {
  while (auto event = session_.next_event()) {
    if (is_terminal(*event)) {
      if (auto* d = std::get_if<Disconnected>(&*event)) {
        end_error_ = std::move(d->error);
      } else {
        end_error_ = std::move(std::get<ProtocolError>(*event).error);
      }
      if (transport_ && !session_.output().empty()) {
        (void)transport_->write_all(session_.output(), now() + milliseconds(1000));
      }
      session_.output().clear();
      close_transport();
      continue;
    }
    if (std::holds_alternative<Pong>(*event) && pongs_wanted_ == 0) continue;  // keepalive's
    inbox_.push_back(std::move(*event));
  }
}

void Connection::close_transport() {
  if (!transport_) return;
  if (session_.state() != Session::State::disconnected) {
    session_.connection_lost(Error{ErrorCode::connection_closed, "closed by the client"});
    // Drop that event: the caller closing the connection knows why.
    while (auto event = session_.next_event()) {
      if (!is_terminal(*event)) inbox_.push_back(std::move(*event));
    }
  }
  transport_->close();
  transport_.reset();
}

Error Connection::take_end_error() {
  if (end_error_) {
    Error error = std::move(*end_error_);
    end_error_.reset();
    return error;
  }
  return Error{ErrorCode::not_connected, "not connected"};
}

}  // namespace tern::client
