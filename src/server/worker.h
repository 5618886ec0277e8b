// Worker: one thread, one event loop, the connections it owns for life, and its WorkerCore.
//
// Work reaches a worker only through its mailbox (a mutex-guarded batch plus an eventfd wake):
// new sockets from the acceptor, connections handed over with their CONNECT, and deliveries
// for sessions it owns. Deliveries a worker produces for others are gathered per target during
// a loop turn and posted as one batch at its end. See docs/threading.md.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "broker/broker_state.h"
#include "broker/worker_core.h"
#include "net/event_loop.h"
#include "server/connection.h"

namespace tern::server {

// A connection moving to the worker that owns its client id, with the CONNECT it sent and any
// bytes that followed it.
struct Handover {
  int fd = -1;
  std::string address;
  ConnectionCounter counter;
  mqtt::Packet connect;
  std::vector<std::uint8_t> carry;
};

class Worker final : public broker::Outbox {
 public:
  static constexpr std::size_t kReadBufferSize = 64 * 1024;

  Worker(broker::BrokerState& state, unsigned index);
  ~Worker() override;

  // Called once before start(): every worker, this one included, by index.
  void set_peers(std::vector<Worker*> peers) { peers_ = std::move(peers); }
  void start();
  void stop();  // thread-safe; returns at once
  void join();

  // Thread-safe: queue work for this worker.
  void adopt(int fd, std::string address, ConnectionCounter counter);
  void adopt(Handover handover);
  void post_batch(std::vector<broker::Delivery>& deliveries);
  // Runs `task` on this worker's thread with its core (administrative actions).
  void post_task(std::function<void(broker::WorkerCore&)> task);

  // broker::Outbox, on this worker's thread.
  void post(unsigned worker, broker::Delivery delivery) override;

  // For this worker's connections, on its thread.
  broker::WorkerCore& core() { return core_; }
  broker::BrokerStats& stats() { return state_.stats; }
  net::EventLoop& loop() { return loop_; }
  std::span<std::uint8_t> read_buffer() { return read_buffer_; }
  void schedule_flush(Connection* connection) { to_flush_.push_back(connection); }
  void hand_over(Connection* connection, unsigned target, mqtt::Packet& connect,
                 std::span<const std::uint8_t> carry);
  void forget(Connection* connection);  // closed: destroyed at the end of the loop turn

  // Called on the worker's thread every sys_interval by worker 0 (see Server).
  void set_periodic(std::chrono::seconds interval, std::function<void(broker::WorkerCore&)> fn);

 private:
  void on_wake();
  void on_turn_end();
  Connection* open(int fd, std::string address, ConnectionCounter counter);

  broker::BrokerState& state_;
  const unsigned index_;
  net::EventLoop loop_;
  broker::WorkerCore core_;
  std::thread thread_;
  std::vector<Worker*> peers_;
  std::vector<std::uint8_t> read_buffer_;

  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> to_flush_;
  std::vector<std::unique_ptr<Connection>> graveyard_;
  std::vector<std::vector<broker::Delivery>> outgoing_;  // per target worker

  struct NewSocket {
    int fd;
    std::string address;
    ConnectionCounter counter;
  };
  std::mutex mailbox_lock_;
  std::vector<NewSocket> inbox_sockets_;
  std::vector<Handover> inbox_handovers_;
  std::vector<broker::Delivery> inbox_deliveries_;
  std::vector<std::function<void(broker::WorkerCore&)>> inbox_tasks_;

  std::chrono::steady_clock::time_point next_trim_{};
  std::chrono::seconds periodic_interval_{0};
  std::chrono::steady_clock::time_point next_periodic_{};
  std::function<void(broker::WorkerCore&)> periodic_;
};

}  // namespace tern::server
