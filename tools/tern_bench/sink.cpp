#include "sink.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "mqtt/codec.h"
#include "mqtt/framer.h"
#include "poller.h"
#include "system.h"

namespace tern::bench {

namespace {

std::atomic<bool> g_sink_stop{false};

// Stop reading from a client whose replies pile up (it does not read): the bound of this sink.
constexpr std::size_t kMaxQueued = 1024 * 1024;

class SinkThread;

class SinkConnection final : public Poller::Handler {
 public:
  SinkConnection(SinkThread& thread, int fd) : thread_(thread), fd_(fd) {}
  ~SinkConnection() override {
    if (fd_ >= 0) ::close(fd_);
  }
  SinkConnection(const SinkConnection&) = delete;
  SinkConnection& operator=(const SinkConnection&) = delete;

  int fd() const { return fd_; }
  void on_events(std::uint32_t events) override;
  void flush();

 private:
  void on_frame(const mqtt::Frame& frame);
  void reply(const mqtt::Packet& packet);
  void close();
  void update_interest();

  SinkThread& thread_;
  int fd_;
  mqtt::Framer framer_;
  mqtt::Version version_ = mqtt::Version::v3_1_1;
  std::vector<std::uint8_t> out_;
  std::uint32_t interest_ = EPOLLIN;
  bool queued_ = false;
};

class SinkThread final : public Poller::Handler {
 public:
  explicit SinkThread(int listener) : listener_(listener) { poller.add(listener_, EPOLLIN, this); }
  ~SinkThread() override { ::close(listener_); }
  SinkThread(const SinkThread&) = delete;
  SinkThread& operator=(const SinkThread&) = delete;

  void on_events(std::uint32_t) override {
    while (true) {
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or EMFILE: try again on the next event
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto connection = std::make_unique<SinkConnection>(*this, fd);
      if (!poller.add(fd, EPOLLIN, connection.get())) continue;
      connections[fd] = std::move(connection);
    }
  }

  void run() {
    while (!g_sink_stop.load(std::memory_order_relaxed)) {
      poller.wait(std::chrono::milliseconds(100));
      for (std::size_t i = 0; i < to_flush.size(); ++i)
        to_flush[i]->flush();
      to_flush.clear();
      for (int fd : dead)
        connections.erase(fd);
      dead.clear();
    }
  }

  Poller poller;
  std::unordered_map<int, std::unique_ptr<SinkConnection>> connections;
  std::vector<SinkConnection*> to_flush;
  std::vector<int> dead;  // closed this turn; destroyed at its end

 private:
  int listener_;
};

void SinkConnection::on_events(std::uint32_t events) {
  if (fd_ < 0) return;
  if (events & EPOLLOUT) flush();
  if (fd_ < 0 || !(events & (EPOLLIN | EPOLLERR | EPOLLHUP))) return;
  std::uint8_t buffer[64 * 1024];
  ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    close();
    return;
  }
  if (n < 0) return;
  std::span<const std::uint8_t> input(buffer, static_cast<std::size_t>(n));
  while (fd_ >= 0) {
    auto frame = framer_.next(input);
    if (!frame) {
      close();
      return;
    }
    if (!*frame) break;
    on_frame(**frame);
  }
  if (fd_ >= 0 && !out_.empty() && !queued_) {
    queued_ = true;
    thread_.to_flush.push_back(this);
  }
}

void SinkConnection::on_frame(const mqtt::Frame& frame) {
  auto type = static_cast<mqtt::PacketType>(frame.type_bits());
  // A QoS 0 PUBLISH needs no answer: not even decoded.
  if (type == mqtt::PacketType::publish && ((frame.flags() >> 1) & 3) == 0) return;
  auto packet = mqtt::decode(frame, version_, mqtt::Sender::client);
  if (!packet) {
    close();
    return;
  }
  if (auto* connect = std::get_if<mqtt::Connect>(&*packet)) {
    version_ = connect->version;
    reply(mqtt::Connack{});
  } else if (auto* subscribe = std::get_if<mqtt::Subscribe>(&*packet)) {
    mqtt::Suback suback;
    suback.packet_id = subscribe->packet_id;
    for (const auto& subscription : subscribe->subscriptions)
      suback.reason_codes.push_back(static_cast<mqtt::ReasonCode>(subscription.max_qos));
    reply(suback);
  } else if (auto* unsubscribe = std::get_if<mqtt::Unsubscribe>(&*packet)) {
    mqtt::Unsuback unsuback;
    unsuback.packet_id = unsubscribe->packet_id;
    if (version_ == mqtt::Version::v5) {
      unsuback.reason_codes.assign(unsubscribe->filters.size(), mqtt::ReasonCode::success);
    }
    reply(unsuback);
  } else if (auto* publish = std::get_if<mqtt::Publish>(&*packet)) {
    if (publish->qos == mqtt::QoS::at_least_once) {
      mqtt::Puback ack;
      ack.packet_id = publish->packet_id;
      reply(ack);
    } else {
      mqtt::Pubrec ack;
      ack.packet_id = publish->packet_id;
      reply(ack);
    }
  } else if (auto* pubrel = std::get_if<mqtt::Pubrel>(&*packet)) {
    mqtt::Pubcomp ack;
    ack.packet_id = pubrel->packet_id;
    reply(ack);
  } else if (std::holds_alternative<mqtt::Pingreq>(*packet)) {
    reply(mqtt::Pingresp{});
  } else if (std::holds_alternative<mqtt::Disconnect>(*packet)) {
    close();
  }
}

void SinkConnection::reply(const mqtt::Packet& packet) {
  [[maybe_unused]] auto size = mqtt::encode(packet, version_, out_);
}

void SinkConnection::flush() {
  queued_ = false;
  if (fd_ < 0) return;
  std::size_t done = 0;
  while (done < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + done, out_.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      close();
      return;
    }
  }
  out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(done));
  update_interest();
}

void SinkConnection::update_interest() {
  std::uint32_t wanted = out_.size() >= kMaxQueued ? 0u : std::uint32_t{EPOLLIN};
  if (!out_.empty()) wanted |= EPOLLOUT;
  if (wanted == interest_) return;
  interest_ = wanted;
  thread_.poller.modify(fd_, interest_, this);
}

void SinkConnection::close() {
  if (fd_ < 0) return;
  thread_.poller.remove(fd_);
  thread_.dead.push_back(fd_);
  ::close(fd_);
  fd_ = -1;
}

int listen_on(const Address& address, std::string& error) {
  int fd = ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.size) < 0 ||
      ::listen(fd, SOMAXCONN) < 0) {
    error = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

std::uint16_t port_of(int fd) {
  sockaddr_storage bound{};
  socklen_t size = sizeof bound;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &size) != 0) return 0;
  if (bound.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
}

}  // namespace

void request_sink_stop() {
  g_sink_stop.store(true);
}

int run_sink(const Options& options) {
  std::string error;
  auto address = resolve(options.host, options.port, error);
  if (!address) {
    std::fprintf(stderr, "tern_bench sink: %s\n", error.c_str());
    return 2;
  }
  std::vector<std::unique_ptr<SinkThread>> threads;
  std::uint16_t port = options.port;
  for (unsigned t = 0; t < options.threads; ++t) {
    int fd = listen_on(*address, error);
    if (fd < 0) {
      std::fprintf(stderr, "tern_bench sink: cannot listen on %s:%u: %s\n", options.host.c_str(),
                   options.port, error.c_str());
      return 2;
    }
    if (t == 0 && options.port == 0) {
      // The first listener picks the port; the others share it (SO_REUSEPORT).
      port = port_of(fd);
      auto* storage = &address->storage;
      if (storage->ss_family == AF_INET6) {
        reinterpret_cast<sockaddr_in6*>(storage)->sin6_port = htons(port);
      } else {
        reinterpret_cast<sockaddr_in*>(storage)->sin_port = htons(port);
      }
    }
    threads.push_back(std::make_unique<SinkThread>(fd));
  }
  std::printf("tern_bench sink: listening on %s:%u\n", options.host.c_str(), port);
  std::fflush(stdout);
  std::vector<std::thread> running;
  for (auto& thread : threads)
    running.emplace_back([&thread] { thread->run(); });
  for (auto& thread : running)
    thread.join();
  return 0;
}

}  // namespace tern::bench
