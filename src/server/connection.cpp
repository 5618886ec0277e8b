#include "server/connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include "mqtt/codec.h"
#include "server/worker.h"

namespace tern::server {

namespace {
// Reads per readiness event before letting other connections have a turn.
constexpr int kReadsPerEvent = 4;
// iovecs per writev; Linux allows 1024 (IOV_MAX).
constexpr int kIovecsPerWrite = 64;
}  // namespace

Connection::Connection(Worker& worker, int fd, std::string address, std::uint32_t max_packet_size,
                       ConnectionCounter counter)
    : worker_(worker),
      address_(std::move(address)),
      framer_(max_packet_size),
      counter_(std::move(counter)),
      fd_(fd) {}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

void Connection::send(std::span<const std::uint8_t> bytes) {
  if (fd_ < 0) return;
  output_.append(bytes);
  if (!flush_pending_) {
    flush_pending_ = true;
    worker_.schedule_flush(this);
  }
}

void Connection::send_shared(const broker::MessagePtr& owner, std::string_view bytes) {
  if (fd_ < 0) return;
  output_.append_shared(owner, bytes);
  if (!flush_pending_) {
    flush_pending_ = true;
    worker_.schedule_flush(this);
  }
}

void Connection::close() {
  if (closing_ || fd_ < 0) return;
  closing_ = true;
  closing_since_ = std::chrono::steady_clock::now();
  if (!flush_pending_) {
    flush_pending_ = true;
    worker_.schedule_flush(this);
  }
}

void Connection::on_events(std::uint32_t events) {
  if (fd_ < 0) return;
  if (closing_ && (events & (EPOLLHUP | EPOLLERR))) {
    finish();  // the peer is gone: what is left to write cannot be delivered
    return;
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_all();
  if (fd_ >= 0 && (events & EPOLLOUT)) flush();
}

void Connection::read_all() {
  std::span<std::uint8_t> buffer = worker_.read_buffer();
  for (int i = 0; i < kReadsPerEvent && fd_ >= 0 && !closing_ && !handed_over_; ++i) {
    ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n > 0) {
      broker::BrokerStats::add(worker_.stats().bytes_received, static_cast<std::size_t>(n));
      consume(buffer.first(static_cast<std::size_t>(n)));
      if (static_cast<std::size_t>(n) < buffer.size()) return;  // drained
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      peer_closed();
    } else {
      finish();  // a socket error: nothing more can be written either
    }
    return;
  }
}

void Connection::consume(std::span<const std::uint8_t> bytes) {
  auto now = broker::Clock::now();
  while (!bytes.empty() && !closing_ && fd_ >= 0) {
    auto frame = framer_.next(bytes);
    if (!frame) {
      worker_.core().on_protocol_error(client, frame.error());
      return;
    }
    if (!frame->has_value()) return;  // need more bytes
    auto packet = mqtt::decode(**frame, client->version, mqtt::Sender::client);
    if (!packet) {
      worker_.core().on_protocol_error(client, packet.error());
      return;
    }
    auto outcome = worker_.core().on_packet(client, *packet, now);
    if (outcome.hand_over_to) {
      handed_over_ = true;
      worker_.hand_over(this, *outcome.hand_over_to, *packet, bytes);
      return;
    }
  }
}

bool Connection::flush() {
  flush_pending_ = false;
  if (fd_ < 0) return false;
  iovec iov[kIovecsPerWrite];
  while (!output_.empty()) {
    int count = output_.gather(iov, kIovecsPerWrite);
    ssize_t n = ::writev(fd_, iov, count);
    if (n > 0) {
      output_.consume(static_cast<std::size_t>(n));
      broker::BrokerStats::add(worker_.stats().bytes_sent, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    finish();  // the peer is gone
    return false;
  }
  if (output_.empty() && closing_) {
    finish();
    return false;
  }
  update_interest();
  return true;
}

void Connection::update_interest() {
  bool want_write = !output_.empty();
  if (closing_) {
    // A closing connection reads nothing more (read_all stops), so it must not ask for EPOLLIN:
    // bytes or an end-of-file from the peer would stay ready forever and spin the loop while the
    // last writes wait for a peer that does not read.
    worker_.loop().modify(fd_, want_write ? EPOLLOUT : 0u, this);
    want_write_ = want_write;
    return;
  }
  if (want_write == want_write_) return;
  want_write_ = want_write;
  worker_.loop().modify(fd_, EPOLLIN | EPOLLRDHUP | (want_write ? EPOLLOUT : 0u), this);
}

void Connection::peer_closed() {
  // The peer may only have shut down its sending side: it still reads, and is owed the answers
  // to what it sent last (the PUBACK of its final PUBLISH). The session learns of the close now
  // (its will is published); the queued bytes go out within the closing deadline.
  if (client) worker_.core().on_closed(client);
  client = nullptr;
  if (output_.empty()) {
    finish();
    return;
  }
  closing_ = true;
  closing_since_ = std::chrono::steady_clock::now();
  flush();
}

void Connection::finish() {
  if (fd_ < 0) return;
  worker_.loop().remove(fd_);
  ::shutdown(fd_, SHUT_RDWR);
  ::close(fd_);
  fd_ = -1;
  if (counter_) counter_->fetch_sub(1, std::memory_order_relaxed);
  if (client) worker_.core().on_closed(client);
  client = nullptr;
  worker_.forget(this);
}

void Connection::expire_close(std::chrono::steady_clock::time_point now,
                              std::chrono::seconds limit) {
  // A peer that stopped reading must not hold a closing connection (and its queue) forever.
  if (closing_ && fd_ >= 0 && now - closing_since_ > limit) finish();
}

int Connection::release() {
  worker_.loop().remove(fd_);
  int fd = fd_;
  fd_ = -1;
  client = nullptr;
  return fd;
}

}  // namespace tern::server
