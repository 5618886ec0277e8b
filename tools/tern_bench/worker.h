// Worker: one client thread of the load generator. It owns its connections for life and runs
// them on one epoll loop:
//
//   wait for events (at most until the next 1 ms tick)
//   -> read, frame, decode, handle; queue acknowledgements
//   -> tick: follow the controller's phase, open connections at the connect rate, let paced
//      publishers send what has come due, time out connections stuck in setup, keep idle ones
//      alive
//   -> publishers queue what they may send; every connection with queued bytes does one send()
//   -> publish the thread-local counters to WorkerCounters
//
// Thread-safety: add() before start(); the figures (latency(), receipts(), errors(), sent()) only
// after join(). counters() may be read by any thread at any time.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "connection.h"
#include "control.h"

namespace tern::bench {

class Worker {
 public:
  // `connect_rate` is this worker's share of conn mode's -r (0: as fast as possible).
  Worker(const Options& options, const TopicPlan& plan, Control& control,
         const sockaddr_storage& address, socklen_t address_size, double connect_rate);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Connections are opened in the order added.
  void add(Role role, std::uint32_t index);
  std::size_t size() const { return connections_.size(); }

  void start();
  void join();

  WorkerCounters& counters() { return counters_; }

  const Histogram& latency() const { return ctx_.latency; }
  const ReceiptTracker& receipts() const { return ctx_.receipts; }
  const std::map<std::string, std::uint64_t>& errors() const { return ctx_.errors; }
  // Messages sent per publisher, as (publisher index, count).
  std::vector<std::pair<std::uint32_t, std::uint64_t>> sent() const;

 private:
  void run();
  void tick(std::int64_t now);
  void open_more(std::int64_t now);
  void end_turn();
  void publish_counters();

  Control& control_;
  WorkerContext ctx_;
  WorkerCounters counters_;
  double connect_rate_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> publishers_;
  std::vector<Connection*> publishing_;  // this turn's to_publish list
  std::size_t opened_ = 0;               // connections_[0, opened_) have been opened
  std::int64_t next_tick_ns_ = 0;
  std::int64_t next_slow_tick_ns_ = 0;  // timeouts (every 100 ms)
  std::int64_t next_keepalive_ns_ = 0;  // every second
  // Paced publishers (-r) by the time their next message is due, soonest first.
  struct Due {
    std::int64_t at;
    Connection* publisher;
    bool operator>(const Due& other) const { return at > other.at; }
  };
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> schedule_;
  bool running_ = true;
  std::thread thread_;
};

}  // namespace tern::bench
