// Poller: a thin epoll wrapper for tern_bench's threads (the client workers and the sink).
//
// wait() sleeps at most `timeout` (rounded up to the next millisecond, so a thread with a 1 ms
// tick sleeps rather than spins) and hands each ready descriptor's events to its Handler.
//
// Not thread-safe: one Poller per thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace tern::bench {

class Poller {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void on_events(std::uint32_t events) = 0;
  };

  Poller();  // throws std::runtime_error when epoll cannot be created
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Each returns false (errno set) when epoll_ctl fails.
  bool add(int fd, std::uint32_t events, Handler* handler);
  bool modify(int fd, std::uint32_t events, Handler* handler);
  void remove(int fd);

  // Waits for events and dispatches them; returns how many descriptors were ready.
  int wait(std::chrono::nanoseconds timeout);

 private:
  int epoll_fd_ = -1;
};

}  // namespace tern::bench
