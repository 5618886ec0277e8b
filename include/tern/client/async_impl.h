// AsyncClient::Impl: the mailbox (any thread) and the network thread's state and loop.
// Internal to the client library, not an API: async.cpp (the public methods, which post
// commands) and async_loop.cpp (the network thread) share it. Applications include async.h.
//
// Threading: the members under "mailbox" are guarded by `mutex` (the handlers' pointers too);
// those under "network thread" are touched only by the network thread, or by start() while no
// thread runs.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "tern/client/async.h"
#include "tern/client/async_requests.h"
#include "tern/client/async_router.h"
#include "tern/client/backoff.h"
#include "tern/client/url.h"

namespace tern::client {

struct AsyncClient::Impl {
  using Command = std::function<void()>;

  Impl(Url url, AsyncOptions options, int wake_fd);
  ~Impl();

  // ---- Any thread. ----
  Status start();
  void stop();
  // Queues `command` for the network thread; false (and `command` is dropped) when the thread
  // does not run.
  bool post(Command command);
  bool on_network_thread() const { return thread_id.load() == std::this_thread::get_id(); }
  template <class F>
  std::shared_ptr<const F> load(const std::shared_ptr<const F>& slot) const {
    std::lock_guard lock(mutex);
    return slot;
  }

  const Url url;
  const AsyncOptions options;  // client_id and credentials filled in
  const int wake_fd;           // eventfd: one write per post, the loop reads it empty

  // ---- Mailbox (guarded by mutex). ----
  mutable std::mutex mutex;
  std::deque<Command> commands;
  bool running = false;  // the network thread accepts commands
  bool stop_requested = false;
  std::shared_ptr<const MessageHandler> default_handler;
  std::shared_ptr<const ConnectHandler> connect_handler;
  std::shared_ptr<const DisconnectHandler> disconnect_handler;

  std::mutex lifecycle_mutex;  // start() and stop() one at a time; held while joining
  std::thread thread;
  std::atomic<std::thread::id> thread_id{};
  std::atomic<bool> connected{false};

  // ---- Network thread. ----
  enum class Link {
    idle,         // no connection and none being made
    resolving,    // TCP connect / TLS handshake on the connector thread
    handshaking,  // CONNECT sent, waiting for CONNACK
    connected,
    backoff,  // waiting to try again (reconnect_at)
  };
  struct Sub {
    mqtt::Subscription subscription;
    std::uint32_t subscription_id = 0;
    std::vector<mqtt::UserProperty> user_properties;
    bool acked = false;                        // a SUBACK granted it on the server
    std::vector<Callback<Subscribed>> unsent;  // waiting for the SUBSCRIBE to be sent
  };
  struct SubInflight {
    std::string filter;
    std::vector<Callback<Subscribed>> done;
  };
  struct UnsubPending {
    std::string filter;
    Callback<Unsubscribed> done;
  };

  void run();
  void wait_for_work();
  bool run_commands();  // false when stop() was asked
  void service_transport();
  void run_timers();
  void drain_events();
  void flush();
  void shutdown();

  // Commands.
  void do_connect(Callback<ConnectResult> done);
  void do_disconnect(mqtt::ReasonCode reason_code, mqtt::Properties properties,
                     Callback<void> done);
  void do_publish(mqtt::Publish message, Callback<Published> done);
  void do_subscribe(std::string filter, SubscribeOptions options, MessageHandler handler,
                    Callback<Subscribed> done);
  void do_unsubscribe(std::string filter, Callback<Unsubscribed> done);
  void do_request(mqtt::Publish message, std::chrono::milliseconds timeout, Callback<Message> done);

  // Connection life.
  void start_attempt();
  void on_transport(std::uint64_t attempt, Result<std::unique_ptr<Transport>> transport);
  void attempt_failed(const Error& error);
  void connection_ended(const Error& error);
  void schedule_reconnect();
  void final_end(const Error& error);
  void close_transport();

  // Events.
  void on_connected(Connected& event);
  void on_message(const Message& message);
  void on_published(Published& event);
  void on_subscribed(Subscribed& event);
  void on_unsubscribed(Unsubscribed& event);

  void send_subscribe(const std::string& filter);
  void send_unsubscribe(UnsubPending pending);
  // Publishes now when connected, else holds the message until the next CONNACK.
  void submit(mqtt::Publish message, Callback<Published> done);
  void publish_request(mqtt::Publish message);
  void on_response_subscription(const Subscribed* granted, const Error* error);
  // Fails with `error` when the client cannot take requests now; otherwise std::nullopt.
  std::optional<Error> refuse() const;

  bool shutting_down = false;
  bool auto_reconnect = false;  // after a connection was made, until disconnect() or stop()
  Link link = Link::idle;
  std::uint64_t attempt_id = 0;
  std::thread connector;
  std::unique_ptr<Session> session;
  std::unique_ptr<Transport> transport;
  bool read_wants_write = false;
  bool write_blocked = false;
  std::vector<Callback<ConnectResult>> connect_waiters;
  TimePoint reconnect_at{};
  Backoff backoff;
  std::mt19937_64 random;         // the backoff's jitter
  bool subscription_ids = false;  // the server takes Subscription Identifiers

  SubscriptionRouter router;
  std::map<std::string, Sub> subs;  // by filter
  std::unordered_map<std::uint16_t, SubInflight> sub_inflight;
  std::unordered_map<std::uint16_t, UnsubPending> unsub_inflight;
  std::vector<UnsubPending> unsub_deferred;
  std::unordered_map<std::uint16_t, Callback<Published>> publish_waiters;
  std::deque<std::pair<mqtt::Publish, Callback<Published>>> offline;  // until connected

  RequestTable requests;
  std::string response_topic;
  std::vector<mqtt::Publish> requests_waiting;  // until the response topic's SUBACK
};

}  // namespace tern::client
