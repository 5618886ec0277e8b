// AsyncClient's network thread: a poll loop over the transport and the wake-up eventfd that
// drives the Session, runs the commands the public methods post, and calls the user's
// callbacks (see async.h, async_impl.h).
//
// One turn: wait (poll) until the socket, a command or the next timer wants attention; run the
// commands; read what arrived; run the timers; hand out the session's events; write.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <utility>

#include "tern/client/async_impl.h"

namespace tern::client {

namespace {

TimePoint now() {
  return Clock::now();
}

bool refused(mqtt::ReasonCode code) {
  return static_cast<std::uint8_t>(code) >= 0x80;
}

Error stopped() {
  return Error{ErrorCode::disconnected, "the client stopped"};
}

// A client identifier as one topic level: no wildcards or separators.
std::string topic_level(const std::string& text) {
  std::string level = text.empty() ? "client" : text;
  for (char& c : level) {
    if (c == '/' || c == '+' || c == '#') c = '_';
  }
  return level;
}

}  // namespace

// ---- The loop. ----

void AsyncClient::Impl::run() {
  thread_id = std::this_thread::get_id();
  while (true) {
    wait_for_work();
    if (!run_commands()) break;
    service_transport();
    run_timers();
    drain_events();
    flush();
  }
  shutdown();
  thread_id = std::thread::id{};
}

void AsyncClient::Impl::wait_for_work() {
  TimePoint t = now();
  std::optional<TimePoint> wake;
  auto consider = [&wake](std::optional<TimePoint> at) {
    if (at && (!wake || *at < *wake)) wake = at;
  };
  if (link == Link::handshaking || link == Link::connected) consider(session->next_deadline());
  if (link == Link::backoff) consider(reconnect_at);
  consider(requests.next_deadline());
  int timeout_ms = -1;
  if (wake) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*wake - t).count();
    timeout_ms = left <= 0 ? 0 : static_cast<int>(std::min<long long>(left + 1, 3'600'000));
  }
  std::array<pollfd, 2> fds{};
  fds[0] = pollfd{wake_fd, POLLIN, 0};
  nfds_t count = 1;
  if (transport) {
    if (transport->has_buffered_input()) timeout_ms = 0;
    short events = POLLIN;
    if ((write_blocked && !session->output().empty()) || read_wants_write) events |= POLLOUT;
    fds[1] = pollfd{transport->fd(), events, 0};
    count = 2;
  }
  if (::poll(fds.data(), count, timeout_ms) > 0 && (fds[0].revents & POLLIN)) {
    std::uint64_t value = 0;
    [[maybe_unused]] auto n = ::read(wake_fd, &value, sizeof value);
  }
}

bool AsyncClient::Impl::run_commands() {
  std::deque<Command> batch;
  bool stop = false;
  {
    std::lock_guard lock(mutex);
    batch.swap(commands);
    stop = stop_requested;
  }
  for (auto& command : batch) {
    command();
    drain_events();
  }
  return !stop;
}

void AsyncClient::Impl::service_transport() {
  if (!transport) return;
  std::array<std::uint8_t, 16 * 1024> buffer;
  // Bounded, so that a server that sends without pause cannot starve commands and timers.
  for (int i = 0; i < 64 && transport; ++i) {
    IoResult r = transport->read_some(buffer);
    if (r.status == IoStatus::ok) {
      read_wants_write = false;
      session->receive(std::span(buffer.data(), r.bytes), now());
      drain_events();
      continue;
    }
    if (r.status == IoStatus::would_block) {
      read_wants_write = r.want_write;
    } else if (r.status == IoStatus::closed) {
      session->connection_lost(
          Error{ErrorCode::connection_closed, "the server closed the connection"});
    } else {
      session->connection_lost(r.error);
    }
    break;
  }
  drain_events();
}

void AsyncClient::Impl::run_timers() {
  TimePoint t = now();
  if (link == Link::handshaking || link == Link::connected) session->tick(t);
  drain_events();
  if (link == Link::backoff && t >= reconnect_at) start_attempt();
  requests.expire(t);
}

void AsyncClient::Impl::flush() {
  if (!transport) return;
  auto& out = session->output();
  write_blocked = false;
  while (!out.empty() && transport) {
    IoResult r = transport->write_some(out);
    if (r.status == IoStatus::ok) {
      out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(r.bytes));
      continue;
    }
    if (r.status == IoStatus::would_block) {
      write_blocked = r.want_write;  // TLS that must read first is served by POLLIN
      return;
    }
    session->connection_lost(r.status == IoStatus::closed
                                 ? Error{ErrorCode::connection_closed, "connection closed"}
                                 : r.error);
    drain_events();
    return;
  }
}

void AsyncClient::Impl::drain_events() {
  while (session) {
    auto event = session->next_event();
    if (!event) return;
    if (auto* c = std::get_if<Connected>(&*event)) {
      on_connected(*c);
    } else if (auto* m = std::get_if<Message>(&*event)) {
      on_message(*m);
    } else if (auto* p = std::get_if<Published>(&*event)) {
      on_published(*p);
    } else if (auto* s = std::get_if<Subscribed>(&*event)) {
      on_subscribed(*s);
    } else if (auto* u = std::get_if<Unsubscribed>(&*event)) {
      on_unsubscribed(*u);
    } else if (auto* d = std::get_if<Disconnected>(&*event)) {
      connection_ended(d->error);
    } else if (auto* e = std::get_if<ProtocolError>(&*event)) {
      connection_ended(e->error);
    }  // Pong: keepalive's own
  }
}

void AsyncClient::Impl::shutdown() {
  shutting_down = true;
  auto_reconnect = false;
  if (link == Link::connected) {
    (void)session->disconnect(mqtt::ReasonCode::success, {}, now());
  } else if (link == Link::handshaking) {
    session->connection_lost(stopped());
  }
  drain_events();
  if (connector.joinable()) connector.join();  // its result comes as a command, dropped below
  ++attempt_id;
  close_transport();
  final_end(stopped());
  std::deque<Command> rest;
  {
    std::lock_guard lock(mutex);
    running = false;
    rest.swap(commands);
  }
  for (auto& command : rest)
    command();  // each fails: shutting_down
}

// ---- Commands. ----

std::optional<Error> AsyncClient::Impl::refuse() const {
  if (shutting_down) return stopped();
  if (link == Link::idle) return Error{ErrorCode::not_connected, "not connected (connect())"};
  return std::nullopt;
}

void AsyncClient::Impl::do_connect(Callback<ConnectResult> done) {
  if (shutting_down) return done(stopped());
  switch (link) {
    case Link::connected:
      return done(ConnectResult{session->connack().session_present, session->connack()});
    case Link::resolving:
    case Link::handshaking:
      connect_waiters.push_back(std::move(done));
      return;
    case Link::idle:
      backoff.reset();
      [[fallthrough]];
    case Link::backoff:
      connect_waiters.push_back(std::move(done));
      start_attempt();
      return;
  }
}

void AsyncClient::Impl::do_disconnect(mqtt::ReasonCode reason_code, mqtt::Properties properties,
                                      Callback<void> done) {
  if (shutting_down) return done(Status{});
  bool was_auto = auto_reconnect;
  auto_reconnect = false;
  Error why{ErrorCode::disconnected, "disconnected by the client"};
  switch (link) {
    case Link::connected:
      if (auto sent = session->disconnect(reason_code, std::move(properties), now()); !sent) {
        auto_reconnect = was_auto;
        return done(std::move(sent).error());
      }
      drain_events();  // Disconnected: the connection ends, everything pending fails
      break;
    case Link::handshaking:
      session->connection_lost(why);
      drain_events();
      break;
    case Link::resolving:
      ++attempt_id;  // the connector's result will be dropped
      attempt_failed(why);
      break;
    case Link::backoff:
      final_end(why);
      break;
    case Link::idle:
      break;
  }
  done(Status{});
}

void AsyncClient::Impl::do_publish(mqtt::Publish message, Callback<Published> done) {
  if (auto error = refuse()) return done(std::move(*error));
  submit(std::move(message), std::move(done));
}

void AsyncClient::Impl::submit(mqtt::Publish message, Callback<Published> done) {
  if (link != Link::connected) {
    // Held here rather than in the session, which would send them before the subscriptions
    // are restored; a client that publishes to its own subscription would miss them.
    if (offline.size() >= options.max_queued) {
      return done(Error{ErrorCode::queue_full,
                        "offline queue holds " + std::to_string(offline.size()) + " messages"});
    }
    offline.emplace_back(std::move(message), std::move(done));
    return;
  }
  auto id = session->publish(std::move(message), now());
  if (!id) return done(std::move(id).error());
  if (*id == 0) return done(Published{});
  publish_waiters[*id] = std::move(done);
}

void AsyncClient::Impl::do_subscribe(std::string filter, SubscribeOptions o, MessageHandler handler,
                                     Callback<Subscribed> done) {
  if (auto error = refuse()) return done(std::move(*error));
  std::uint32_t id = 0;
  if (options.version == mqtt::Version::v5) {
    id = o.subscription_identifier ? *o.subscription_identifier : router.unused_subscription_id();
  }
  router.add(filter, id, std::move(handler));
  Sub& sub = subs[filter];
  sub.subscription.filter = filter;
  sub.subscription.max_qos = o.qos;
  sub.subscription.no_local = o.no_local;
  sub.subscription.retain_as_published = o.retain_as_published;
  sub.subscription.retain_handling = o.retain_handling;
  sub.subscription_id = id;
  sub.user_properties = std::move(o.user_properties);
  sub.acked = false;
  sub.unsent.push_back(std::move(done));
  if (link == Link::connected) send_subscribe(filter);
}

void AsyncClient::Impl::do_unsubscribe(std::string filter, Callback<Unsubscribed> done) {
  if (auto error = refuse()) return done(std::move(*error));
  router.remove(filter);
  if (auto it = subs.find(filter); it != subs.end()) {
    auto unsent = std::move(it->second.unsent);
    subs.erase(it);
    for (auto& d : unsent)
      d(Error{ErrorCode::invalid_argument, "unsubscribed before the SUBSCRIBE was sent"});
  }
  UnsubPending pending{std::move(filter), std::move(done)};
  if (link == Link::connected) {
    send_unsubscribe(std::move(pending));
  } else {
    unsub_deferred.push_back(std::move(pending));
  }
}

void AsyncClient::Impl::do_request(mqtt::Publish message, std::chrono::milliseconds timeout,
                                   Callback<Message> done) {
  if (auto error = refuse()) return done(std::move(*error));
  if (response_topic.empty()) {
    // MQTT 5.0 §4.10.1: a response topic of our own; the server's Response Information is its
    // preferred prefix (§3.2.2.3.15).
    std::string unique = generate_client_id().substr(5);
    const auto& info = session->connack().properties.response_information;
    response_topic = link == Link::connected && info && !info->empty()
                         ? *info + "/" + unique
                         : "tern/rr/" + topic_level(options.client_id) + "/" + unique;
  }
  if (!subs.contains(response_topic)) {
    std::uint32_t id = router.unused_subscription_id();
    router.add(response_topic, id, [this](const Message& response) {
      (void)requests.complete(response);  // unmatched: late (timed out) or not ours
    });
    Sub& sub = subs[response_topic];
    sub.subscription.filter = response_topic;
    sub.subscription.max_qos = mqtt::QoS::exactly_once;
    sub.subscription_id = id;
    if (link == Link::connected) send_subscribe(response_topic);
  }
  std::string correlation = requests.next_correlation_data();
  requests.add(correlation, now() + timeout, std::move(done));
  message.properties.response_topic = response_topic;
  message.properties.correlation_data = std::move(correlation);
  if (subs.at(response_topic).acked) {
    publish_request(std::move(message));
  } else {
    requests_waiting.push_back(std::move(message));  // the response must find a subscription
  }
}

void AsyncClient::Impl::publish_request(mqtt::Publish message) {
  std::string correlation = *message.properties.correlation_data;
  if (!requests.contains(correlation)) return;  // timed out meanwhile
  submit(std::move(message), [this, correlation](Result<Published> published) {
    if (!published) {
      requests.fail(correlation, published.error());
    } else if (refused(published->reason_code)) {
      requests.fail(correlation, Error{ErrorCode::not_supported, "the server refused the request",
                                       published->reason_code});
    }
  });
}

// ---- Connection life. ----

void AsyncClient::Impl::start_attempt() {
  if (connector.joinable()) connector.join();
  link = Link::resolving;
  std::uint64_t attempt = ++attempt_id;
  std::uint16_t port = url.port;
  connector = std::thread([this, attempt, port] {
    // Blocking connect away from the loop, so commands and callbacks go on meanwhile.
    auto result = Transport::connect(url.host, port, options.tls, options.connect_timeout);
    auto shared = std::make_shared<Result<std::unique_ptr<Transport>>>(std::move(result));
    (void)post([this, attempt, shared] { on_transport(attempt, std::move(*shared)); });
  });
}

void AsyncClient::Impl::on_transport(std::uint64_t attempt,
                                     Result<std::unique_ptr<Transport>> result) {
  if (attempt != attempt_id || link != Link::resolving || shutting_down) return;  // abandoned
  if (connector.joinable()) connector.join();  // it has posted this: it is ending
  if (!result) return attempt_failed(result.error());
  transport = std::move(*result);
  read_wants_write = false;
  write_blocked = false;
  if (auto started = session->start(now()); !started) return attempt_failed(started.error());
  link = Link::handshaking;
  flush();
}

void AsyncClient::Impl::attempt_failed(const Error& error) {
  close_transport();
  auto waiters = std::move(connect_waiters);
  connect_waiters.clear();
  for (auto& done : waiters)
    done(error);
  if (auto_reconnect && !shutting_down) {
    schedule_reconnect();
  } else {
    final_end(error);
  }
}

void AsyncClient::Impl::connection_ended(const Error& error) {
  if (link == Link::handshaking) return attempt_failed(error);
  close_transport();
  connected = false;
  bool again = auto_reconnect && !shutting_down && error.code != ErrorCode::disconnected;
  link = again ? Link::backoff : Link::idle;  // before the callback: it may call methods
  if (auto handler = load(disconnect_handler)) (*handler)(error);
  if (!again) return final_end(error);
  // Requests made until the response topic is subscribed again wait for that SUBACK: sent
  // before it, their responses could find no subscription.
  if (auto rr = subs.find(response_topic); rr != subs.end()) rr->second.acked = false;
  // The requests of the lost connection go again on the next one.
  for (auto& [id, inflight] : sub_inflight) {
    auto it = subs.find(inflight.filter);
    if (it == subs.end()) {
      for (auto& done : inflight.done)
        done(error);
      continue;
    }
    it->second.acked = false;
    for (auto& done : inflight.done)
      it->second.unsent.push_back(std::move(done));
  }
  sub_inflight.clear();
  for (auto& [id, pending] : unsub_inflight)
    unsub_deferred.push_back(std::move(pending));
  unsub_inflight.clear();
  schedule_reconnect();
}

void AsyncClient::Impl::schedule_reconnect() {
  link = Link::backoff;
  reconnect_at = now() + backoff.next(std::uniform_real_distribution<double>(0.0, 1.0)(random));
}

void AsyncClient::Impl::final_end(const Error& error) {
  link = Link::idle;
  auto_reconnect = false;
  connected = false;
  close_transport();
  auto waiters = std::move(connect_waiters);
  connect_waiters.clear();
  for (auto& done : waiters)
    done(error);
  auto publishes = std::move(publish_waiters);
  publish_waiters.clear();
  for (auto& [id, done] : publishes)
    done(error);
  auto inflight = std::move(sub_inflight);
  sub_inflight.clear();
  for (auto& [id, pending] : inflight) {
    for (auto& done : pending.done)
      done(error);
  }
  // Subscriptions the server never granted are dropped; granted ones stay, to be restored by
  // the next connect().
  for (auto it = subs.begin(); it != subs.end();) {
    auto unsent = std::move(it->second.unsent);
    it->second.unsent.clear();
    for (auto& done : unsent)
      done(error);
    if (!it->second.acked) {
      router.remove(it->first);
      it = subs.erase(it);
    } else {
      ++it;
    }
  }
  auto unsubs = std::move(unsub_inflight);
  unsub_inflight.clear();
  for (auto& [id, pending] : unsubs)
    pending.done(error);
  auto deferred = std::move(unsub_deferred);
  unsub_deferred.clear();
  for (auto& pending : deferred)
    pending.done(error);
  auto held = std::move(offline);
  offline.clear();
  for (auto& entry : held)
    entry.second(error);
  requests_waiting.clear();
  requests.fail_all(error);
  // A new session: unacknowledged messages are dropped with their futures (failed above).
  session = std::make_unique<Session>(options);
}

void AsyncClient::Impl::close_transport() {
  if (!transport) return;
  auto& out = session->output();
  if (!out.empty()) {
    // The session's last words (our DISCONNECT), best effort and briefly.
    (void)transport->write_all(out, now() + std::chrono::milliseconds(500));
    out.clear();
  }
  transport->close();
  transport.reset();
}

// ---- Events. ----

void AsyncClient::Impl::on_connected(Connected& event) {
  link = Link::connected;
  connected = true;
  backoff.reset();
  if (options.reconnect.enabled) auto_reconnect = true;
  subscription_ids = options.version == mqtt::Version::v5 &&
                     event.connack.properties.subscription_identifier_available.value_or(1) != 0;
  auto waiters = std::move(connect_waiters);
  connect_waiters.clear();
  for (auto& done : waiters)
    done(ConnectResult{event.session_present, event.connack});
  if (auto handler = load(connect_handler)) (*handler)(event.session_present, event.connack);
  if (link != Link::connected) return;  // a callback disconnected
  // Restore: without a session the server forgot every subscription; with one, only those it
  // never granted need sending.
  std::vector<std::string> filters;
  for (auto& [filter, sub] : subs) {
    if (!event.session_present || !sub.acked) filters.push_back(filter);
  }
  for (const auto& filter : filters) {
    subs.at(filter).acked = false;
    send_subscribe(filter);
  }
  auto deferred = std::move(unsub_deferred);
  unsub_deferred.clear();
  for (auto& pending : deferred)
    send_unsubscribe(std::move(pending));
  // Then what was published meanwhile, in order, behind the SUBSCRIBEs.
  auto held = std::move(offline);
  offline.clear();
  for (auto& [message, done] : held) {
    if (link != Link::connected) {
      offline.emplace_back(std::move(message), std::move(done));  // a callback disconnected
      continue;
    }
    submit(std::move(message), std::move(done));
  }
}

void AsyncClient::Impl::on_message(const Message& message) {
  auto handlers = router.route(message);
  if (handlers.empty()) {
    if (auto fallback = load(default_handler)) (*fallback)(message);
    return;
  }
  for (const auto& h : handlers)
    (*h)(message);
}

void AsyncClient::Impl::on_published(Published& event) {
  auto it = publish_waiters.find(event.packet_id);
  if (it == publish_waiters.end()) return;
  auto done = std::move(it->second);
  publish_waiters.erase(it);
  done(std::move(event));
}

void AsyncClient::Impl::on_subscribed(Subscribed& event) {
  auto it = sub_inflight.find(event.packet_id);
  if (it == sub_inflight.end()) return;
  SubInflight inflight = std::move(it->second);
  sub_inflight.erase(it);
  bool denied = event.reason_codes.empty() || refused(event.reason_codes.front());
  if (auto sub = subs.find(inflight.filter); sub != subs.end()) {
    if (denied) {
      router.remove(inflight.filter);
      subs.erase(sub);
    } else {
      sub->second.acked = true;
    }
  }
  if (inflight.filter == response_topic) {
    if (denied) {
      Error error{ErrorCode::not_supported, "the server refused the response topic",
                  event.reason_codes.empty() ? mqtt::ReasonCode::unspecified_error
                                             : event.reason_codes.front()};
      on_response_subscription(nullptr, &error);
    } else {
      on_response_subscription(&event, nullptr);
    }
  }
  for (auto& done : inflight.done)
    done(event);
}

void AsyncClient::Impl::on_response_subscription(const Subscribed* granted, const Error* error) {
  auto waiting = std::move(requests_waiting);
  requests_waiting.clear();
  for (auto& message : waiting) {
    if (granted) {
      publish_request(std::move(message));
    } else {
      requests.fail(*message.properties.correlation_data, *error);
    }
  }
}

void AsyncClient::Impl::on_unsubscribed(Unsubscribed& event) {
  auto it = unsub_inflight.find(event.packet_id);
  if (it == unsub_inflight.end()) return;
  auto done = std::move(it->second.done);
  unsub_inflight.erase(it);
  done(std::move(event));
}

void AsyncClient::Impl::send_subscribe(const std::string& filter) {
  auto it = subs.find(filter);
  if (it == subs.end()) return;
  Sub& sub = it->second;
  mqtt::Properties properties;
  properties.user_properties = sub.user_properties;
  if (subscription_ids && sub.subscription_id != 0) {
    properties.subscription_identifiers = {sub.subscription_id};
  }
  auto id = session->subscribe({sub.subscription}, std::move(properties), now());
  if (!id) {
    auto unsent = std::move(sub.unsent);
    router.remove(filter);
    subs.erase(it);
    for (auto& done : unsent)
      done(id.error());
    return;
  }
  SubInflight& inflight = sub_inflight[*id];
  inflight.filter = filter;
  inflight.done = std::move(sub.unsent);
  sub.unsent.clear();
}

void AsyncClient::Impl::send_unsubscribe(UnsubPending pending) {
  auto id = session->unsubscribe({pending.filter}, {}, now());
  if (!id) return pending.done(std::move(id).error());
  unsub_inflight[*id] = std::move(pending);
}

}  // namespace tern::client
