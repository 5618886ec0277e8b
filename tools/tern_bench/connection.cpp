#include "connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "clock.h"
#include "mqtt/codec.h"
#include "mqtt/errc.h"

namespace tern::bench {

namespace {

// Output a publisher may queue before it waits for the socket: enough for one send() to fill a
// loopback socket buffer, small enough that a turn stays short.
constexpr std::size_t kHighWater = 64 * 1024;

std::vector<std::uint8_t> encode_or_die(const mqtt::Packet& packet, mqtt::Version version) {
  std::vector<std::uint8_t> bytes;
  auto size = mqtt::encode(packet, version, bytes);
  if (!size) {
    std::fprintf(stderr, "tern_bench: cannot encode %s: %s\n",
                 std::string(mqtt::to_string(mqtt::type_of(packet))).c_str(),
                 std::string(mqtt::describe(size.error())).c_str());
    std::abort();
  }
  return bytes;
}

std::string hex_byte(std::uint8_t value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", value);
  return text;
}

// "Bad User Name or Password (return code 4)" for 3.1.1, "(0x86)" for 5.0.
std::string connack_code(mqtt::ReasonCode code, mqtt::Version version) {
  std::string name(mqtt::to_string(code));
  if (version == mqtt::Version::v5)
    return name + " (" + hex_byte(static_cast<std::uint8_t>(code)) + ")";
  return name + " (return code " +
         std::to_string(static_cast<int>(mqtt::connack_return_code_v3(code))) + ")";
}

}  // namespace

WorkerContext::WorkerContext(const Options& options_in, const TopicPlan& plan_in,
                             const sockaddr_storage& to, socklen_t to_size)
    : options(options_in),
      plan(plan_in),
      address(to),
      address_size(to_size),
      acks(options_in.version),
      pingreq(encode_or_die(mqtt::Pingreq{}, options_in.version)),
      disconnect(encode_or_die(mqtt::Disconnect{}, options_in.version)),
      read_buffer(64 * 1024),
      pid(static_cast<int>(::getpid())) {}

Connection::Connection(WorkerContext& context, Role role, std::uint32_t index)
    : ctx_(context), role_(role), index_(index) {
  if (role_ == Role::publisher) {
    const Options& o = ctx_.options;
    template_.emplace(ctx_.plan.topics[index_], o.qos, o.payload, index_, o.version);
    if (o.qos != mqtt::QoS::at_most_once) {
      window_ = InflightWindow(static_cast<std::uint16_t>(o.inflight));
    }
  }
}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

void Connection::open(std::int64_t now) {
  setup_start_ns_ = now;
  ++ctx_.in_setup;
  state_ = State::tcp_connecting;
  fd_ = ::socket(ctx_.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    fail(std::string("socket: ") + std::strerror(errno));
    return;
  }
  // Latency is what is measured: no Nagle delay on small packets.
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int result = ::connect(fd_, reinterpret_cast<const sockaddr*>(&ctx_.address), ctx_.address_size);
  if (result < 0 && errno != EINPROGRESS) {
    fail(std::string("TCP connect: ") + std::strerror(errno));
    return;
  }
  interest_ = EPOLLOUT;
  if (!ctx_.poller.add(fd_, interest_, this)) {
    fail(std::string("epoll_ctl: ") + std::strerror(errno));
    return;
  }
  if (result == 0) on_connected();
}

void Connection::on_events(std::uint32_t events) {
  if (fd_ < 0) return;  // closed earlier in this batch of events
  if (state_ == State::tcp_connecting) {
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size) < 0) error = errno;
    if (error != 0) {
      fail(std::string("TCP connect: ") + std::strerror(error));
      return;
    }
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) on_connected();
    return;
  }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
    on_readable();
    if (fd_ < 0) return;
  }
  if (events & EPOLLOUT) {
    if (pending() > 0) queue_flush();
    if (role_ == Role::publisher) queue_publish();
  }
}

void Connection::on_connected() {
  const Options& o = ctx_.options;
  mqtt::Connect connect;
  connect.version = o.version;
  connect.clean_start = true;
  connect.keep_alive = kKeepAliveSeconds;
  const char* letter = role_ == Role::publisher ? "p" : role_ == Role::subscriber ? "s" : "c";
  connect.client_id = "tb" + std::to_string(ctx_.pid) + "-" + letter + std::to_string(index_);
  connect.username = o.username;
  connect.password = o.password;
  state_ = State::awaiting_connack;
  send_packet(connect);
}

void Connection::on_readable() {
  ssize_t n = ::recv(fd_, ctx_.read_buffer.data(), ctx_.read_buffer.size(), 0);
  if (n == 0) {
    if (state_ == State::awaiting_connack) {
      fail("closed by the broker before CONNACK");
    } else if (state_ == State::awaiting_suback) {
      fail("closed by the broker before SUBACK");
    } else {
      fail("closed by the broker");
    }
    return;
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    fail(std::string("receive: ") + std::strerror(errno));
    return;
  }
  // One arrival time for everything this read brought: it all came in together.
  arrival_ns_ = now_ns();
  std::span<const std::uint8_t> input(ctx_.read_buffer.data(), static_cast<std::size_t>(n));
  while (fd_ >= 0) {
    auto frame = framer_.next(input);
    if (!frame) {
      fail("bad bytes from the broker: " + std::string(mqtt::describe(frame.error())));
      return;
    }
    if (!*frame) return;
    if (!on_frame(**frame)) return;
  }
}

bool Connection::on_frame(const mqtt::Frame& frame) {
  const Options& o = ctx_.options;
  auto packet = mqtt::decode(frame, o.version, mqtt::Sender::server);
  if (!packet) {
    // A broker without MQTT 5.0 may answer a 5.0 CONNECT with a 3.1.1 CONNACK (MQTT 5.0
    // section 3.1.4): say so rather than "malformed".
    if (o.version == mqtt::Version::v5 && state_ == State::awaiting_connack &&
        frame.type_bits() == static_cast<std::uint8_t>(mqtt::PacketType::connack)) {
      auto v3 = mqtt::decode(frame, mqtt::Version::v3_1_1, mqtt::Sender::server);
      if (v3) {
        if (auto* connack = std::get_if<mqtt::Connack>(&*v3)) {
          fail("CONNACK refused (in MQTT 3.1.1 form: the broker does not take MQTT 5.0): " +
               connack_code(connack->reason_code, mqtt::Version::v3_1_1));
          return false;
        }
      }
    }
    fail("bad packet from the broker: " + std::string(mqtt::describe(packet.error())));
    return false;
  }
  switch (mqtt::type_of(*packet)) {
    case mqtt::PacketType::connack:
      on_connack(std::get<mqtt::Connack>(*packet));
      break;
    case mqtt::PacketType::suback:
      on_suback(std::get<mqtt::Suback>(*packet));
      break;
    case mqtt::PacketType::publish:
      on_publish(std::get<mqtt::Publish>(*packet));
      break;
    case mqtt::PacketType::puback: {
      const auto& ack = std::get<mqtt::Puback>(*packet);
      on_publish_response(mqtt::PacketType::puback, ack.packet_id, ack.reason_code);
      break;
    }
    case mqtt::PacketType::pubrec: {
      const auto& ack = std::get<mqtt::Pubrec>(*packet);
      on_publish_response(mqtt::PacketType::pubrec, ack.packet_id, ack.reason_code);
      break;
    }
    case mqtt::PacketType::pubcomp: {
      const auto& ack = std::get<mqtt::Pubcomp>(*packet);
      on_publish_response(mqtt::PacketType::pubcomp, ack.packet_id, ack.reason_code);
      break;
    }
    case mqtt::PacketType::pubrel:
      // The broker releases a QoS 2 message it delivered to us: complete it.
      ctx_.acks.append(mqtt::PacketType::pubcomp, std::get<mqtt::Pubrel>(*packet).packet_id, out_);
      queue_flush();
      break;
    case mqtt::PacketType::pingresp:
      break;
    case mqtt::PacketType::disconnect: {
      auto code = std::get<mqtt::Disconnect>(*packet).reason_code;
      fail("DISCONNECT from the broker: " + std::string(mqtt::to_string(code)) + " (" +
           hex_byte(static_cast<std::uint8_t>(code)) + ")");
      return false;
    }
    default:
      fail("unexpected " + std::string(mqtt::to_string(mqtt::type_of(*packet))) +
           " from the broker");
      return false;
  }
  return fd_ >= 0;
}

void Connection::on_connack(const mqtt::Connack& connack) {
  const Options& o = ctx_.options;
  if (state_ != State::awaiting_connack) {
    fail("unexpected CONNACK from the broker");
    return;
  }
  if (connack.reason_code != mqtt::ReasonCode::success) {
    fail("CONNACK refused: " + connack_code(connack.reason_code, o.version));
    return;
  }
  if (role_ == Role::publisher && o.qos != mqtt::QoS::at_most_once) {
    if (auto maximum = connack.properties.receive_maximum) {
      window_.set_limit(std::min<std::uint16_t>(*maximum, static_cast<std::uint16_t>(o.inflight)));
    }
  }
  if (role_ == Role::publisher && connack.properties.maximum_qos &&
      *connack.properties.maximum_qos < static_cast<std::uint8_t>(o.qos)) {
    fail("the broker's Maximum QoS is " + std::to_string(*connack.properties.maximum_qos));
    return;
  }
  if (role_ == Role::subscriber) {
    mqtt::Subscribe subscribe;
    subscribe.packet_id = 1;
    mqtt::Subscription subscription;
    subscription.filter = ctx_.plan.filters[index_];
    subscription.max_qos = o.qos;
    subscribe.subscriptions.push_back(std::move(subscription));
    state_ = State::awaiting_suback;
    send_packet(subscribe);
    return;
  }
  become_ready();
}

void Connection::on_suback(const mqtt::Suback& suback) {
  if (state_ != State::awaiting_suback || suback.packet_id != 1) {
    fail("unexpected SUBACK from the broker");
    return;
  }
  for (mqtt::ReasonCode code : suback.reason_codes) {
    if (static_cast<std::uint8_t>(code) >= 0x80) {
      fail("SUBACK refused '" + ctx_.plan.filters[index_] +
           "': " + std::string(mqtt::to_string(code)) + " (" +
           hex_byte(static_cast<std::uint8_t>(code)) + ")");
      return;
    }
  }
  become_ready();
}

void Connection::become_ready() {
  state_ = State::ready;
  --ctx_.in_setup;
  ++ctx_.counters.ready;
  ctx_.counters.last_ready_ns = now_ns();
}

void Connection::on_publish(const mqtt::Publish& publish) {
  std::int64_t now = arrival_ns_;
  LocalCounters& counters = ctx_.counters;
  ++counters.received;
  if (counters.first_receive_ns == 0) counters.first_receive_ns = now;
  counters.last_receive_ns = now;
  ++received_;
  auto header = read_payload_header(publish.payload);
  bool ours = header && role_ == Role::subscriber &&
              (ctx_.options.mode != Mode::pubsub || header->publisher < ctx_.options.publishers);
  if (ours) {
    auto sent_at = static_cast<std::int64_t>(header->timestamp_ns);
    ctx_.latency.record(now > sent_at ? static_cast<std::uint64_t>(now - sent_at) : 0);
    ctx_.receipts.record(index_, ctx_.plan.receiver_of[index_], header->publisher,
                         header->sequence);
  } else {
    ctx_.receipts.record_untracked();
  }
  if (ctx_.options.mode == Mode::sub && ctx_.options.count != 0 &&
      received_ == ctx_.options.count) {
    ++counters.subscribers_done;
  }
  if (publish.qos == mqtt::QoS::at_least_once) {
    ctx_.acks.append(mqtt::PacketType::puback, publish.packet_id, out_);
    queue_flush();
  } else if (publish.qos == mqtt::QoS::exactly_once) {
    ctx_.acks.append(mqtt::PacketType::pubrec, publish.packet_id, out_);
    queue_flush();
  }
}

void Connection::on_publish_response(mqtt::PacketType type, std::uint16_t packet_id,
                                     mqtt::ReasonCode reason) {
  using Stage = InflightWindow::Stage;
  Stage stage = window_.stage(packet_id);
  Stage wanted = type == mqtt::PacketType::pubcomp ? Stage::released : Stage::published;
  bool qos_matches =
      (type == mqtt::PacketType::puback) == (ctx_.options.qos == mqtt::QoS::at_least_once);
  if (role_ != Role::publisher || stage != wanted || !qos_matches) {
    ++ctx_.errors["unexpected " + std::string(mqtt::to_string(type)) + " from the broker"];
    return;
  }
  LocalCounters& counters = ctx_.counters;
  if (static_cast<std::uint8_t>(reason) >= 0x80) {
    // MQTT 5.0: the broker refused the message; the flow ends here.
    ++ctx_.errors["publish refused: " + std::string(mqtt::to_string(reason)) + " (" +
                  hex_byte(static_cast<std::uint8_t>(reason)) + ")"];
    ++counters.rejected;
    window_.release(packet_id);
  } else if (type == mqtt::PacketType::pubrec) {
    window_.set_stage(packet_id, Stage::released);
    ctx_.acks.append(mqtt::PacketType::pubrel, packet_id, out_);
    queue_flush();
    return;
  } else {
    ++counters.acked;
    counters.last_ack_ns = arrival_ns_;
    window_.release(packet_id);
  }
  queue_publish();
}

std::uint64_t Connection::allowed(std::int64_t now) const {
  const Options& o = ctx_.options;
  if (ctx_.phase != Phase::publish || done_) return 0;
  std::uint64_t target = o.count != 0 ? o.count : UINT32_MAX;
  if (o.rate > 0) {
    // Messages k = 0, 1, ... are due at (k + phase) / rate: see next_due_ns().
    double due = o.rate * static_cast<double>(now - ctx_.publish_start_ns) / kNsPerSecond - phase();
    target = due < 0 ? 0 : std::min(target, static_cast<std::uint64_t>(due) + 1);
  }
  return target > sequence_ ? target - sequence_ : 0;
}

double Connection::phase() const {
  // Publishers are spread evenly over one message interval, so that together they make a steady
  // stream rather than a burst per interval.
  return static_cast<double>(index_) / std::max(1u, ctx_.options.publishers);
}

std::int64_t Connection::next_due_ns() const {
  double seconds = (sequence_ + phase()) / ctx_.options.rate;
  return ctx_.publish_start_ns + static_cast<std::int64_t>(seconds * kNsPerSecond);
}

bool Connection::hungry() const {
  // Only a publisher without a rate is driven by the socket's writability; a paced one waits for
  // the worker's tick.
  return role_ == Role::publisher && state_ == State::ready && ctx_.options.rate == 0 && !done_ &&
         ctx_.phase == Phase::publish &&
         (ctx_.options.qos == mqtt::QoS::at_most_once || !window_.full());
}

void Connection::publish(std::int64_t now) {
  queued_publish_ = false;
  if (role_ != Role::publisher || state_ != State::ready) return;
  if (done_) {
    update_interest();
    return;
  }
  std::uint64_t budget = allowed(now);
  const bool qos0 = ctx_.options.qos == mqtt::QoS::at_most_once;
  std::uint32_t count = 0;
  while (budget > 0 && pending() < kHighWater) {
    std::uint16_t packet_id = 0;
    if (!qos0 && !window_.acquire(packet_id)) break;
    template_->append(packet_id, static_cast<std::uint64_t>(now), sequence_, out_);
    ++sequence_;
    --budget;
    ++count;
  }
  if (count > 0) {
    ctx_.counters.sent += count;
    ctx_.counters.expected += std::uint64_t{count} * ctx_.plan.fanout[index_];
    ctx_.counters.last_send_ns = now;
    queue_flush();
  }
  if (ctx_.options.count != 0 && sequence_ >= ctx_.options.count) finish_publishing();
  update_interest();
}

void Connection::finish_publishing() {
  if (done_) return;
  done_ = true;
  ++ctx_.counters.publishers_done;
}

void Connection::flush() {
  queued_flush_ = false;
  if (fd_ < 0) return;
  while (pending() > 0) {
    ssize_t n = ::send(fd_, out_.data() + out_offset_, pending(), MSG_NOSIGNAL);
    if (n > 0) {
      out_offset_ += static_cast<std::size_t>(n);
      last_write_ns_ = now_ns();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    fail(std::string("send: ") + std::strerror(errno));
    return;
  }
  if (pending() == 0) {
    out_.clear();
    out_offset_ = 0;
  } else if (out_offset_ > 0) {
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_offset_));
    out_offset_ = 0;
  }
  update_interest();
}

void Connection::update_interest() {
  if (fd_ < 0 || state_ == State::tcp_connecting) return;
  std::uint32_t wanted = EPOLLIN;
  if (pending() > 0 || hungry()) wanted |= EPOLLOUT;
  if (wanted == interest_) return;
  interest_ = wanted;
  if (!ctx_.poller.modify(fd_, interest_, this)) fail(std::string("epoll_ctl: ") + strerror(errno));
}

void Connection::queue_flush() {
  if (queued_flush_) return;
  queued_flush_ = true;
  ctx_.to_flush.push_back(this);
}

void Connection::queue_publish() {
  if (queued_publish_ || role_ != Role::publisher) return;
  queued_publish_ = true;
  ctx_.to_publish.push_back(this);
}

void Connection::send_packet(const mqtt::Packet& packet) {
  auto size = mqtt::encode(packet, ctx_.options.version, out_);
  if (!size) {
    fail("cannot encode " + std::string(mqtt::to_string(mqtt::type_of(packet))) + ": " +
         std::string(mqtt::describe(size.error())));
    return;
  }
  queue_flush();
  if (state_ != State::tcp_connecting) update_interest();
}

void Connection::check_timeout(std::int64_t now) {
  if (!in_setup()) return;
  auto timeout = static_cast<std::int64_t>(ctx_.options.connect_timeout_s * kNsPerSecond);
  if (now - setup_start_ns_ < timeout) return;
  std::string waited = state_ == State::tcp_connecting     ? "the TCP connection"
                       : state_ == State::awaiting_connack ? "CONNACK"
                                                           : "SUBACK";
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g", ctx_.options.connect_timeout_s);
  fail("timed out after " + std::string(seconds) + " s waiting for " + waited);
}

void Connection::keep_alive(std::int64_t now) {
  if (state_ != State::ready) return;
  if (now - last_write_ns_ < std::int64_t{kKeepAliveSeconds} / 2 * kNsPerSecond) return;
  out_.insert(out_.end(), ctx_.pingreq.begin(), ctx_.pingreq.end());
  last_write_ns_ = now;
  queue_flush();
}

void Connection::close_gracefully() {
  if (fd_ < 0) return;
  if (state_ == State::ready) {
    out_.insert(out_.end(), ctx_.disconnect.begin(), ctx_.disconnect.end());
    // One last attempt; what the socket does not take now is not worth waiting for.
    ::send(fd_, out_.data() + out_offset_, pending(), MSG_NOSIGNAL);
  }
  if (in_setup()) --ctx_.in_setup;
  ctx_.poller.remove(fd_);
  ::close(fd_);
  fd_ = -1;
  state_ = State::closed;
}

void Connection::fail(const std::string& reason) {
  if (state_ == State::failed || state_ == State::closed) return;
  bool was_ready = state_ == State::ready;
  bool was_in_setup = in_setup();
  state_ = State::failed;
  if (fd_ >= 0) {
    ctx_.poller.remove(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  if (was_ready) {
    ++ctx_.counters.dropped;
    ++ctx_.errors["connection lost: " + reason];
  } else {
    ++ctx_.counters.failed;
    ++ctx_.errors[reason];
  }
  if (was_in_setup) --ctx_.in_setup;
  if (role_ == Role::publisher) finish_publishing();
  if (role_ == Role::subscriber && ctx_.options.mode == Mode::sub && ctx_.options.count != 0 &&
      received_ < ctx_.options.count) {
    ++ctx_.counters.subscribers_done;
  }
}

}  // namespace tern::bench
