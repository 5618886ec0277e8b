// AsyncClient's public methods and mailbox: each method checks what it can at once, then posts
// a command for the network thread (async_loop.cpp). See async.h for the threading rules.
#include "tern/client/async.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <utility>

#include "mqtt/topic.h"
#include "tern/client/async_impl.h"

namespace tern::client {

namespace {

constexpr std::uint32_t kMaxSubscriptionId = 268'435'455;  // MQTT 5.0 §3.8.2.1.2
constexpr std::uint16_t kDefaultInflightBefore5 = 20;

template <class T>
std::pair<std::future<Result<T>>, AsyncClient::Callback<T>> make_completion() {
  // std::function must be copyable; the promise is not, so it is shared.
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  return {std::move(future),
          [promise](Result<T> result) { promise->set_value(std::move(result)); }};
}

Error not_running() {
  return Error{ErrorCode::not_connected, "the client is not running (start() or connect())"};
}

Error invalid(std::string message) {
  return Error{ErrorCode::invalid_argument, std::move(message)};
}

}  // namespace

// ---- Impl: mailbox and thread lifecycle. ----

AsyncClient::Impl::Impl(Url u, AsyncOptions o, int fd)
    : url(std::move(u)),
      options(std::move(o)),
      wake_fd(fd),
      backoff(ReconnectOptions{options.reconnect.initial_delay, options.reconnect.max_delay}),
      random(std::random_device{}()) {}

AsyncClient::Impl::~Impl() {
  stop();
  if (wake_fd >= 0) ::close(wake_fd);
}

bool AsyncClient::Impl::post(Command command) {
  {
    std::lock_guard lock(mutex);
    if (!running) return false;
    commands.push_back(std::move(command));
  }
  std::uint64_t one = 1;
  // Fails only when the counter is saturated, which still wakes the loop.
  [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
  return true;
}

Status AsyncClient::Impl::start() {
  if (on_network_thread()) return {};  // running: it is this thread
  std::lock_guard life(lifecycle_mutex);
  {
    std::lock_guard lock(mutex);
    if (running && !stop_requested) return {};
  }
  if (thread.joinable()) thread.join();  // ended by a stop() from a callback
  // No thread runs: the network state may be reset from here.
  shutting_down = false;
  link = Link::idle;
  auto_reconnect = false;
  session = std::make_unique<Session>(options);
  {
    std::lock_guard lock(mutex);
    running = true;
    stop_requested = false;
  }
  thread = std::thread([this] { run(); });
  return {};
}

void AsyncClient::Impl::stop() {
  if (on_network_thread()) {
    // Joining itself would deadlock: ask the loop to end after the current callback.
    {
      std::lock_guard lock(mutex);
      stop_requested = true;
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
    return;
  }
  std::lock_guard life(lifecycle_mutex);
  if (!thread.joinable()) return;
  {
    std::lock_guard lock(mutex);
    stop_requested = true;
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
  thread.join();
}

// ---- AsyncClient. ----

Result<std::unique_ptr<AsyncClient>> AsyncClient::create(std::string_view url_text,
                                                         AsyncOptions options) {
  auto url = parse_url(url_text);
  if (!url) return std::move(url).error();
  if (url->tls) options.tls.enabled = true;
  if (url->username) options.username = url->username;
  if (url->password) options.password = url->password;
  if (options.client_id.empty()) options.client_id = generate_client_id();
  if (options.version != mqtt::Version::v5 && options.max_inflight == 0) {
    // No Receive Maximum before 5.0: mosquitto's default window (20) silently drops QoS 2
    // messages beyond it; libmosquitto sends no more than 20 either.
    options.max_inflight = kDefaultInflightBefore5;
  }
  if (options.version != mqtt::Version::v5 && options.version != mqtt::Version::v3_1_1 &&
      options.version != mqtt::Version::v3_1) {
    return invalid("unknown protocol version");
  }
  if (options.reconnect.initial_delay.count() <= 0 || options.reconnect.max_delay.count() <= 0) {
    return invalid("reconnect delays must be positive");
  }
  int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return Error{ErrorCode::network, std::string("eventfd: ") + std::strerror(errno)};
  auto impl = std::make_unique<Impl>(std::move(*url), std::move(options), fd);
  return std::unique_ptr<AsyncClient>(new AsyncClient(std::move(impl)));
}

AsyncClient::AsyncClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AsyncClient::~AsyncClient() = default;  // Impl's destructor stops the thread

Status AsyncClient::start() {
  return impl_->start();
}

void AsyncClient::stop() {
  impl_->stop();
}

bool AsyncClient::running() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->running && !impl_->stop_requested;
}

bool AsyncClient::on_network_thread() const {
  return impl_->on_network_thread();
}

bool AsyncClient::connected() const {
  return impl_->connected.load();
}

std::string AsyncClient::client_id() const {
  return impl_->options.client_id;
}

std::future<Result<ConnectResult>> AsyncClient::connect() {
  auto [future, done] = make_completion<ConnectResult>();
  connect(std::move(done));
  return std::move(future);
}

void AsyncClient::connect(Callback<ConnectResult> done) {
  if (auto started = start(); !started) return done(std::move(started).error());
  Impl* impl = impl_.get();
  if (!impl->post([impl, done] { impl->do_connect(done); })) done(not_running());
}

std::future<Status> AsyncClient::disconnect(mqtt::ReasonCode reason_code,
                                            mqtt::Properties properties) {
  auto [future, done] = make_completion<void>();
  disconnect(reason_code, std::move(properties), std::move(done));
  return std::move(future);
}

void AsyncClient::disconnect(mqtt::ReasonCode reason_code, mqtt::Properties properties,
                             Callback<void> done) {
  Impl* impl = impl_.get();
  bool posted = impl->post([impl, reason_code, properties = std::move(properties), done] {
    impl->do_disconnect(reason_code, properties, done);
  });
  if (!posted) done(Status{});  // not running: nothing to disconnect
}

std::future<Result<Published>> AsyncClient::publish(std::string topic, std::string payload,
                                                    mqtt::QoS qos, bool retain,
                                                    mqtt::Properties properties) {
  mqtt::Publish message;
  message.topic = std::move(topic);
  message.payload = std::move(payload);
  message.qos = qos;
  message.retain = retain;
  message.properties = std::move(properties);
  return publish(std::move(message));
}

std::future<Result<Published>> AsyncClient::publish(mqtt::Publish message) {
  auto [future, done] = make_completion<Published>();
  publish(std::move(message), std::move(done));
  return std::move(future);
}

void AsyncClient::publish(mqtt::Publish message, Callback<Published> done) {
  if (!mqtt::is_valid_topic_name(message.topic)) {
    return done(invalid("invalid topic name '" + message.topic + "' [MQTT-3.3.2-2]"));
  }
  if (static_cast<int>(message.qos) > 2) return done(invalid("QoS must be 0, 1 or 2"));
  Impl* impl = impl_.get();
  if (!impl->post([impl, message = std::move(message), done]() mutable {
        impl->do_publish(std::move(message), done);
      })) {
    done(not_running());
  }
}

std::future<Result<Subscribed>> AsyncClient::subscribe(std::string filter, SubscribeOptions options,
                                                       MessageHandler handler) {
  auto [future, done] = make_completion<Subscribed>();
  subscribe(std::move(filter), std::move(options), std::move(handler), std::move(done));
  return std::move(future);
}

void AsyncClient::subscribe(std::string filter, SubscribeOptions options, MessageHandler handler,
                            Callback<Subscribed> done) {
  if (!mqtt::is_valid_topic_filter(filter)) {
    return done(invalid("invalid topic filter '" + filter + "' [MQTT-4.7.1-1]"));
  }
  if (static_cast<int>(options.qos) > 2) return done(invalid("QoS must be 0, 1 or 2"));
  if (options.subscription_identifier && (*options.subscription_identifier == 0 ||
                                          *options.subscription_identifier > kMaxSubscriptionId)) {
    return done(invalid("a Subscription Identifier is 1 to 268,435,455 (MQTT 5.0 §3.8.2.1.2)"));
  }
  if (!handler) return done(invalid("subscribe needs a message handler"));
  Impl* impl = impl_.get();
  bool posted = impl->post([impl, filter = std::move(filter), options = std::move(options),
                            handler = std::move(handler), done]() mutable {
    impl->do_subscribe(std::move(filter), std::move(options), std::move(handler), done);
  });
  if (!posted) done(not_running());
}

std::future<Result<Unsubscribed>> AsyncClient::unsubscribe(std::string filter) {
  auto [future, done] = make_completion<Unsubscribed>();
  unsubscribe(std::move(filter), std::move(done));
  return std::move(future);
}

void AsyncClient::unsubscribe(std::string filter, Callback<Unsubscribed> done) {
  if (!mqtt::is_valid_topic_filter(filter)) {
    return done(invalid("invalid topic filter '" + filter + "'"));
  }
  Impl* impl = impl_.get();
  if (!impl->post([impl, filter = std::move(filter), done]() mutable {
        impl->do_unsubscribe(std::move(filter), done);
      })) {
    done(not_running());
  }
}

std::future<Result<Message>> AsyncClient::request(std::string topic, std::string payload,
                                                  std::chrono::milliseconds timeout,
                                                  mqtt::Properties properties, mqtt::QoS qos) {
  auto [future, done] = make_completion<Message>();
  request(std::move(topic), std::move(payload), timeout, std::move(properties), qos,
          std::move(done));
  return std::move(future);
}

void AsyncClient::request(std::string topic, std::string payload, std::chrono::milliseconds timeout,
                          mqtt::Properties properties, mqtt::QoS qos, Callback<Message> done) {
  if (impl_->options.version != mqtt::Version::v5) {
    return done(Error{ErrorCode::not_supported, "request/response needs MQTT 5.0 (§4.10)"});
  }
  if (!mqtt::is_valid_topic_name(topic)) {
    return done(invalid("invalid topic name '" + topic + "' [MQTT-3.3.2-2]"));
  }
  if (static_cast<int>(qos) > 2) return done(invalid("QoS must be 0, 1 or 2"));
  mqtt::Publish message;
  message.topic = std::move(topic);
  message.payload = std::move(payload);
  message.qos = qos;
  message.properties = std::move(properties);
  Impl* impl = impl_.get();
  if (!impl->post([impl, message = std::move(message), timeout, done]() mutable {
        impl->do_request(std::move(message), timeout, done);
      })) {
    done(not_running());
  }
}

std::future<Result<Published>> AsyncClient::respond(const Message& request, std::string payload,
                                                    mqtt::Properties properties) {
  if (!request.properties.response_topic) {
    auto [future, done] = make_completion<Published>();
    done(invalid("the request has no Response Topic (MQTT 5.0 §4.10.1)"));
    return std::move(future);
  }
  mqtt::Publish message;
  message.topic = *request.properties.response_topic;
  message.payload = std::move(payload);
  message.qos = request.qos;
  message.properties = std::move(properties);
  // MQTT 5.0 §3.3.2.3.6: the requester matches the response by its Correlation Data.
  message.properties.correlation_data = request.properties.correlation_data;
  return publish(std::move(message));
}

void AsyncClient::set_default_handler(MessageHandler handler) {
  auto p = handler ? std::make_shared<const MessageHandler>(std::move(handler)) : nullptr;
  std::lock_guard lock(impl_->mutex);
  impl_->default_handler = std::move(p);
}

void AsyncClient::on_connect(ConnectHandler handler) {
  auto p = handler ? std::make_shared<const ConnectHandler>(std::move(handler)) : nullptr;
  std::lock_guard lock(impl_->mutex);
  impl_->connect_handler = std::move(p);
}

void AsyncClient::on_disconnect(DisconnectHandler handler) {
  auto p = handler ? std::make_shared<const DisconnectHandler>(std::move(handler)) : nullptr;
  std::lock_guard lock(impl_->mutex);
  impl_->disconnect_handler = std::move(p);
}

}  // namespace tern::client
