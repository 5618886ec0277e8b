// Connection: one MQTT client of the load generator on a non-blocking socket, and its state
// machine:
//
//   idle -> tcp_connecting -> awaiting_connack -> [awaiting_suback] -> ready -> closed
//                  \_______________\___________________\______________\__-> failed
//
// A publisher sends its pre-encoded PUBLISH as fast as its rate, --count and in-flight window
// allow; a subscriber records each message's latency and sequence number and acknowledges it.
// Output is queued in one buffer and written with one send() per loop turn (WorkerContext's
// to_flush list), never byte by byte. A connection that fails records why in the worker's error
// counts; it is never retried.
//
// Not thread-safe: a connection and its WorkerContext belong to one worker thread.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control.h"
#include "histogram.h"
#include "inflight_window.h"
#include "mqtt/framer.h"
#include "mqtt/packets.h"
#include "options.h"
#include "packet_templates.h"
#include "poller.h"
#include "receipt_tracker.h"
#include "topic_plan.h"

namespace tern::bench {

class Connection;

enum class Role : std::uint8_t { plain, publisher, subscriber };

// Thread-local figures, published to WorkerCounters once per loop turn.
struct LocalCounters {
  std::uint64_t sent = 0;
  std::uint64_t acked = 0;
  std::uint64_t rejected = 0;
  std::uint64_t received = 0;
  std::uint64_t expected = 0;
  std::uint32_t ready = 0;
  std::uint32_t failed = 0;
  std::uint32_t dropped = 0;
  std::uint32_t publishers_done = 0;
  std::uint32_t subscribers_done = 0;
  std::int64_t last_ready_ns = 0;
  std::int64_t last_send_ns = 0;
  std::int64_t last_ack_ns = 0;
  std::int64_t first_receive_ns = 0;
  std::int64_t last_receive_ns = 0;
};

// What every connection of one worker thread shares.
struct WorkerContext {
  WorkerContext(const Options& options_in, const TopicPlan& plan_in, const sockaddr_storage& to,
                socklen_t to_size);

  const Options& options;
  const TopicPlan& plan;
  sockaddr_storage address{};
  socklen_t address_size = 0;
  Poller poller;
  AckTemplates acks;
  std::vector<std::uint8_t> pingreq;
  std::vector<std::uint8_t> disconnect;
  std::vector<std::uint8_t> read_buffer;
  int pid = 0;  // in client identifiers, so that concurrent runs do not take each other over

  Phase phase = Phase::connect;  // the worker's copy of Control::phase
  std::int64_t publish_start_ns = 0;
  std::uint32_t in_setup = 0;  // connections between open() and ready or failed

  std::vector<Connection*> to_flush;    // have bytes queued this turn
  std::vector<Connection*> to_publish;  // may be able to publish more

  LocalCounters counters;
  Histogram latency;
  ReceiptTracker receipts;
  std::map<std::string, std::uint64_t> errors;  // reason -> connections (or events)
};

class Connection final : public Poller::Handler {
 public:
  enum class State : std::uint8_t {
    idle,
    tcp_connecting,
    awaiting_connack,
    awaiting_suback,
    ready,
    failed,
    closed,
  };

  Connection(WorkerContext& context, Role role, std::uint32_t index);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts the TCP connection.
  void open(std::int64_t now);
  void on_events(std::uint32_t events) override;
  // Queues what the rate, the count and the window allow now (publishers).
  void publish(std::int64_t now);
  // Puts a publisher on this turn's list of connections that may publish (once).
  void queue_publish();
  // Writes the queued bytes with one send().
  void flush();
  // Fails a connection that did not get ready within the connect timeout.
  void check_timeout(std::int64_t now);
  // Sends PINGREQ when nothing was sent for half the keep-alive.
  void keep_alive(std::int64_t now);
  // DISCONNECT (when ready) and close.
  void close_gracefully();

  State state() const { return state_; }
  Role role() const { return role_; }
  std::uint32_t index() const { return index_; }
  std::uint64_t sent() const { return sequence_; }
  bool in_setup() const {
    return state_ == State::tcp_connecting || state_ == State::awaiting_connack ||
           state_ == State::awaiting_suback;
  }
  // A publisher that will send no more: --count reached, or failed.
  bool done() const { return done_; }
  // A paced publisher (-r): when its next message is due.
  std::int64_t next_due_ns() const;

  static constexpr std::uint16_t kKeepAliveSeconds = 60;

 private:
  void on_readable();
  void on_connected();
  bool on_frame(const mqtt::Frame& frame);
  void on_connack(const mqtt::Connack& connack);
  void on_suback(const mqtt::Suback& suback);
  void on_publish(const mqtt::Publish& publish);
  void on_publish_response(mqtt::PacketType type, std::uint16_t packet_id, mqtt::ReasonCode reason);
  void become_ready();
  void send_packet(const mqtt::Packet& packet);
  void queue_flush();
  void update_interest();
  bool hungry() const;
  std::uint64_t allowed(std::int64_t now) const;
  double phase() const;
  void finish_publishing();
  void fail(const std::string& reason);
  std::size_t pending() const { return out_.size() - out_offset_; }

  WorkerContext& ctx_;
  Role role_;
  std::uint32_t index_;
  State state_ = State::idle;
  int fd_ = -1;
  std::uint32_t interest_ = 0;  // epoll events registered
  bool queued_flush_ = false;
  bool queued_publish_ = false;
  mqtt::Framer framer_;
  std::vector<std::uint8_t> out_;
  std::size_t out_offset_ = 0;
  std::int64_t setup_start_ns_ = 0;
  std::int64_t last_write_ns_ = 0;
  std::int64_t arrival_ns_ = 0;  // when the bytes being handled were read

  // Publisher.
  std::optional<PublishTemplate> template_;
  InflightWindow window_;
  std::uint32_t sequence_ = 0;  // messages sent
  bool done_ = false;
  // Subscriber.
  std::uint64_t received_ = 0;
};

}  // namespace tern::bench
