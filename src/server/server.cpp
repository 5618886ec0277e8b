#include "server/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "auth/password_file.h"

namespace tern::server {

namespace {

std::string describe_address(const sockaddr_storage& address) {
  char host[INET6_ADDRSTRLEN] = "?";
  std::uint16_t port = 0;
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &v4.sin_addr, host, sizeof host);
    port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    inet_ntop(AF_INET6, &v6.sin6_addr, host, sizeof host);
    port = ntohs(v6.sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

std::uint16_t local_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  if (address.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<sockaddr_in6&>(address).sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in&>(address).sin_port);
}

}  // namespace

class Server::Listener final : public net::EventLoop::Handler {
 public:
  Listener(Server& server, int fd, int max_connections, ConnectionCounter open)
      : server_(server), fd_(fd), max_connections_(max_connections), open_(std::move(open)) {}
  ~Listener() override { ::close(fd_); }
  void on_events(std::uint32_t) override { server_.accept_from(*this); }
  int fd() const { return fd_; }
  // Takes a place for a new connection; false when max_connections are open already.
  bool admit() {
    int now = open_->fetch_add(1, std::memory_order_relaxed);
    if (max_connections_ < 0 || now < max_connections_) return true;
    open_->fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  const ConnectionCounter& open() const { return open_; }

 private:
  Server& server_;
  int fd_;
  int max_connections_;  // -1: unlimited
  ConnectionCounter open_;
};

class Server::SignalHandler final : public net::EventLoop::Handler {
 public:
  SignalHandler(Server& server, int fd) : server_(server), fd_(fd) {}
  ~SignalHandler() override { ::close(fd_); }
  void on_events(std::uint32_t) override {
    signalfd_siginfo info;
    while (::read(fd_, &info, sizeof info) == sizeof info) {
      if (info.ssi_signo == SIGHUP) {
        spdlog::info("Reloading the password file after SIGHUP.");
        try {
          server_.load_credentials();
          server_.revoke_stale_clients();
        } catch (const std::exception& e) {
          spdlog::error("Reload failed, keeping the previous credentials: {}", e.what());
        }
      } else {
        spdlog::info("Signal {} received, shutting down.",
                     strsignal(static_cast<int>(info.ssi_signo)));
        server_.stop();
      }
    }
  }

 private:
  Server& server_;
  int fd_;
};

namespace {

// The cores this process may run on: `taskset -c 0 tern` gives one, so one worker, rather than
// several workers taking turns on one core (every hand-over between them then waits for a
// scheduler time slice: milliseconds of latency).
unsigned usable_cores() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 0) {
    return static_cast<unsigned>(CPU_COUNT(&cpus));
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

Server::Server(config::Config config) : config_(std::move(config)) {
  unsigned threads = config_.thread_count;
  if (threads == 0) threads = usable_cores();
  state_ = std::make_unique<broker::BrokerState>(threads);
  broker::BrokerLimits& limits = state_->limits;
  if (config_.max_packet_size > 0) limits.max_packet_size = config_.max_packet_size;
  limits.message_size_limit = config_.message_size_limit;
  limits.max_inflight_messages = config_.max_inflight_messages;
  limits.max_queued_messages = config_.max_queued_messages;
  limits.max_queued_bytes = config_.max_queued_bytes;
  limits.max_keepalive = config_.max_keepalive;
  limits.persistent_client_expiration = std::chrono::seconds(config_.persistent_client_expiration);
  limits.retain_available = config_.retain_available;
  limits.allow_zero_length_clientid = config_.security.allow_zero_length_clientid;
  limits.queue_qos0_messages = config_.queue_qos0_messages;
  limits.upgrade_outgoing_qos = config_.upgrade_outgoing_qos;
  limits.connection_messages = config_.connection_messages;
  limits.max_qos = static_cast<mqtt::QoS>(config_.max_qos);
  // Per listener in the configuration; the core applies the first listener's value to all.
  limits.max_topic_alias = config_.listeners.front().max_topic_alias;
  limits.max_topic_alias_broker = config_.max_topic_alias_broker;
  limits.shared_subscriptions = config_.shared_subscriptions;
  switch (config_.shared_subscription_strategy) {
    case config::SharedSubscriptionStrategy::round_robin:
      limits.shared_strategy = broker::SharedStrategy::round_robin;
      break;
    case config::SharedSubscriptionStrategy::random:
      limits.shared_strategy = broker::SharedStrategy::random;
      break;
    case config::SharedSubscriptionStrategy::sticky:
      limits.shared_strategy = broker::SharedStrategy::sticky;
      break;
  }
  if (!config_.server_moved.empty()) {
    limits.server_reference = config_.server_moved;
    limits.server_moved = true;
  } else if (!config_.use_another_server.empty()) {
    limits.server_reference = config_.use_another_server;
  }
}

Server::~Server() {
  stop();
  for (auto& worker : workers_)
    worker->join();
}

void Server::load_credentials() {
  const config::Security& security = config_.security;
  std::shared_ptr<const auth::PasswordFile> passwords;
  if (!security.password_file.empty()) {
    auto loaded = auth::PasswordFile::load(security.password_file);
    if (!loaded) throw std::runtime_error(loaded.error);
    passwords = std::make_shared<const auth::PasswordFile>(std::move(*loaded.file));
    spdlog::info("Loaded {} users from {}.", passwords->size(), security.password_file);
  }
  std::lock_guard lock(credentials_lock_);
  passwords_ = std::move(passwords);
}

// After a reload: connected clients whose username left the password file, or anonymous ones when
// anonymous access is no longer allowed, are disconnected (MQTT 5.0 clients with 0x98).
void Server::revoke_stale_clients() {
  std::shared_ptr<const auth::PasswordFile> passwords;
  {
    std::lock_guard lock(credentials_lock_);
    passwords = passwords_;
  }
  bool allow_anonymous = config_.security.allow_anonymous;
  for (auto& worker : workers_) {
    worker->post_task([passwords, allow_anonymous](broker::WorkerCore& core) {
      std::size_t gone = core.disconnect_where(
          [&](const broker::ClientState& client) {
            // The rules of authenticate(), without the password, which is not kept.
            if (!client.username || !passwords) return !allow_anonymous;
            return !passwords->contains(*client.username);
          },
          "credentials revoked");
      if (gone > 0) spdlog::info("Disconnected {} clients whose credentials were revoked.", gone);
    });
  }
}

bool Server::authenticate(const std::optional<std::string>& username,
                          const std::optional<std::string>& password) {
  std::shared_ptr<const auth::PasswordFile> passwords;
  {
    std::lock_guard lock(credentials_lock_);
    passwords = passwords_;
  }
  // Without a username, or without a password file to check one against, allow_anonymous
  // decides (Mosquitto's rules).
  if (!username || !passwords) return config_.security.allow_anonymous;
  return passwords->check(*username, password.value_or(std::string()));
}

void Server::start() {
  if (!config_.security.acl_file.empty()) {
    // Running without the ACLs an operator wrote would open topics they meant to close.
    throw std::runtime_error("acl_file " + config_.security.acl_file +
                             ": ACLs are not supported yet; remove the line to run without them");
  }
  load_credentials();
  if (!config_.security.password_file.empty() || !config_.security.allow_anonymous) {
    state_->authenticate = [this](const std::optional<std::string>& username,
                                  const std::optional<std::string>& password) {
      return authenticate(username, password);
    };
  }
  started_at_ = std::chrono::steady_clock::now();

  for (const config::Listener& listener : config_.listeners) {
    if (listener.protocol != config::Protocol::mqtt) {
      throw std::runtime_error("listener " + std::to_string(listener.port) +
                               ": WebSockets are not supported yet");
    }
    if (listener.tls.enabled()) {
      throw std::runtime_error("listener " + std::to_string(listener.port) +
                               ": TLS is not supported yet");
    }
    addrinfo hints{};
    hints.ai_family = listener.socket_domain == config::SocketDomain::ipv4   ? AF_INET
                      : listener.socket_domain == config::SocketDomain::ipv6 ? AF_INET6
                                                                             : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    std::string port = std::to_string(listener.port);
    const char* host = listener.bind_address.empty() ? nullptr : listener.bind_address.c_str();
    int rc = getaddrinfo(host, port.c_str(), &hints, &found);
    if (rc != 0) {
      throw std::runtime_error("cannot resolve listener address '" + listener.bind_address +
                               "': " + gai_strerror(rc));
    }
    std::uint16_t bound_port = listener.port;
    int bound = 0;
    ConnectionCounter counter;
    for (addrinfo* a = found; a; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) continue;
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (a->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
      // Port 0: every address of this listener shares the port the first bind picked.
      if (bound_port != 0 && a->ai_family == AF_INET) {
        reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_port = htons(bound_port);
      } else if (bound_port != 0 && a->ai_family == AF_INET6) {
        reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_port = htons(bound_port);
      }
      if (::bind(fd, a->ai_addr, a->ai_addrlen) < 0 || ::listen(fd, SOMAXCONN) < 0) {
        int error = errno;
        ::close(fd);
        if (error == EADDRNOTAVAIL || error == EAFNOSUPPORT) continue;  // e.g. no IPv6 here
        freeaddrinfo(found);
        throw std::runtime_error("cannot listen on port " + port + ": " + std::strerror(error));
      }
      bound_port = local_port(fd);
      ++bound;
      // All sockets of one listener share its count of open connections.
      if (!counter) counter = std::make_shared<std::atomic<int>>(0);
      auto handler = std::make_unique<Listener>(*this, fd, listener.max_connections, counter);
      acceptor_.add(fd, EPOLLIN, handler.get());
      listeners_.push_back(std::move(handler));
      spdlog::info("Opening {} listen socket on port {}.",
                   a->ai_family == AF_INET6 ? "ipv6" : "ipv4", bound_port);
    }
    freeaddrinfo(found);
    if (bound == 0) throw std::runtime_error("cannot listen on port " + port);
    bound_ports_.push_back(bound_port);
  }

  // Signals go to the acceptor's signalfd; workers inherit the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  int signal_fd = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd < 0) throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
  signals_ = std::make_unique<SignalHandler>(*this, signal_fd);
  acceptor_.add(signal_fd, EPOLLIN, signals_.get());

  state_->store = store_;
  std::vector<Worker*> peers;
  for (unsigned i = 0; i < state_->workers; ++i) {
    workers_.push_back(std::make_unique<Worker>(*state_, i));
    peers.push_back(workers_.back().get());
  }
  if (store_) restore();
  for (auto& worker : workers_)
    worker->set_peers(peers);
  if (config_.sys_interval > 0) {
    workers_[0]->set_periodic(std::chrono::seconds(config_.sys_interval),
                              [this](broker::WorkerCore& core) { publish_sys(core); });
  }
  for (auto& worker : workers_)
    worker->start();
  spdlog::info("tern version {} running with {} worker threads.", TERN_VERSION, workers_.size());
}

// Before the worker threads start, so each core is touched by this thread only.
void Server::restore() {
  auto contents = store_->load();
  auto now = std::chrono::steady_clock::now();
  for (broker::StoredSession& session : contents.sessions) {
    unsigned owner = state_->owner_of(session.client_id);
    workers_[owner]->core().restore(std::move(session), now);
  }
  for (const broker::MessagePtr& message : contents.retained)
    state_->retain(message);
  for (auto& worker : workers_)
    worker->core().commit();
  spdlog::info("Restored {} sessions and {} retained messages.", contents.sessions.size(),
               contents.retained.size());
}

void Server::run() {
  acceptor_.run();
}

void Server::stop() {
  acceptor_.stop();
  for (auto& worker : workers_)
    worker->stop();
}

void Server::accept_from(Listener& listener) {
  while (true) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    int fd = ::accept4(listener.fd(), reinterpret_cast<sockaddr*>(&address), &length,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        spdlog::warn("accept failed: {}", std::strerror(errno));
      }
      return;
    }
    // MQTT packets are small and latency matters more than a few segments; writes are already
    // batched per loop turn, so Nagle's algorithm would only add delay.
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!listener.admit()) {
      spdlog::info("Refused connection from {}: max_connections reached.",
                   describe_address(address));
      broker::BrokerStats::add(state_->stats.connections_refused);
      ::close(fd);
      continue;
    }
    workers_[next_worker_]->adopt(fd, describe_address(address), listener.open());
    next_worker_ = (next_worker_ + 1) % workers_.size();
  }
}

void Server::publish_sys(broker::WorkerCore& core) {
  const broker::BrokerStats& s = state_->stats;
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                 started_at_)
                    .count();
  std::size_t retained;
  {
    std::lock_guard lock(state_->retained_lock);
    retained = state_->retained.size();
  }
  auto publish = [&](std::string topic, std::string value) {
    broker::Message message;
    message.topic = "$SYS/broker/" + std::move(topic);
    message.payload = std::move(value);
    message.retain = true;
    core.publish_internal(std::move(message));
  };
  using broker::BrokerStats;
  publish("version", std::string("tern version ") + TERN_VERSION);
  publish("uptime", std::to_string(uptime) + " seconds");
  publish("clients/connected", std::to_string(BrokerStats::get(s.clients_connected)));
  publish("clients/active", std::to_string(BrokerStats::get(s.clients_connected)));
  publish("clients/total", std::to_string(BrokerStats::get(s.clients_total)));
  publish("clients/maximum", std::to_string(BrokerStats::get(s.clients_maximum)));
  std::uint64_t total = BrokerStats::get(s.clients_total);
  std::uint64_t connected = BrokerStats::get(s.clients_connected);
  publish("clients/disconnected", std::to_string(total > connected ? total - connected : 0));
  publish("messages/received", std::to_string(BrokerStats::get(s.messages_received)));
  publish("messages/sent", std::to_string(BrokerStats::get(s.messages_sent)));
  publish("publish/messages/received", std::to_string(BrokerStats::get(s.publish_received)));
  publish("publish/messages/sent", std::to_string(BrokerStats::get(s.publish_sent)));
  publish("publish/messages/dropped", std::to_string(BrokerStats::get(s.publish_dropped)));
  publish("subscriptions/count", std::to_string(BrokerStats::get(s.subscriptions)));
  publish("retained messages/count", std::to_string(retained));
  publish("load/bytes/received", std::to_string(BrokerStats::get(s.bytes_received)));
  publish("load/bytes/sent", std::to_string(BrokerStats::get(s.bytes_sent)));
}

}  // namespace tern::server
