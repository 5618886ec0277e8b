// Connection: one client's TCP socket on a worker thread. Reads bytes into the worker's shared
// read buffer, frames and decodes them with the codec, and gives the packets to the WorkerCore;
// writes what the core queued with writev once per loop turn.
//
// Owned by its Worker; used only on that worker's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "broker/link.h"
#include "broker/worker_core.h"
#include "mqtt/framer.h"
#include "net/event_loop.h"
#include "net/output_queue.h"

namespace tern::server {

class Worker;

// Connections open on one listener, for its max_connections; shared by the listener and each of
// its connections, which gives its place back when it closes.
using ConnectionCounter = std::shared_ptr<std::atomic<int>>;

class Connection final : public broker::Link, public net::EventLoop::Handler {
 public:
  Connection(Worker& worker, int fd, std::string address, std::uint32_t max_packet_size,
             ConnectionCounter counter);
  ~Connection() override;

  // broker::Link
  void send(std::span<const std::uint8_t> bytes) override;
  void send_shared(const broker::MessagePtr& owner, std::string_view bytes) override;
  void close() override;
  std::size_t backlog() const override { return output_.size(); }
  std::string_view address() const override { return address_; }

  // net::EventLoop::Handler
  void on_events(std::uint32_t events) override;

  // Feeds bytes read from the socket (or carried over from another worker) to the framer.
  void consume(std::span<const std::uint8_t> bytes);
  // Writes queued bytes; closes the socket once a close() is complete. False when closed.
  bool flush();
  // Gives up the socket to another worker: nothing is closed. Returns the fd.
  int release();

  int fd() const { return fd_; }
  bool closed() const { return fd_ < 0; }
  // Frees the output buffer when nothing waits in it (called every few seconds).
  void trim() { output_.trim(); }
  const ConnectionCounter& counter() const { return counter_; }
  // Closes the socket if a close() has waited longer than `limit` for the peer to read.
  void expire_close(std::chrono::steady_clock::time_point now, std::chrono::seconds limit);
  broker::ClientState* client = nullptr;

 private:
  void read_all();
  void update_interest();
  void peer_closed();  // end of file from the peer
  void finish();       // closes the socket and tells the core

  // Ordered by size: one per connection, so padding counts.
  Worker& worker_;
  std::string address_;
  mqtt::Framer framer_;
  net::OutputQueue output_;
  ConnectionCounter counter_;
  std::chrono::steady_clock::time_point closing_since_{};
  int fd_;
  bool closing_ = false;     // close() called: write out, then close
  bool want_write_ = false;  // EPOLLOUT registered
  bool flush_pending_ = false;
  bool handed_over_ = false;
};

}  // namespace tern::server
