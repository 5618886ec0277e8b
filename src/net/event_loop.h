// EventLoop: one epoll instance, run by one thread. Redis's ae.c in spirit: file events,
// a periodic tick, a cross-thread wake-up (eventfd), and a hook at the end of every loop turn
// where queued writes are flushed in one go.
//
// Thread-safety: everything but wake() and stop() must be called on the loop's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace tern::net {

class EventLoop {
 public:
  // Receives the epoll events of one file descriptor.
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void on_events(std::uint32_t events) = 0;
  };

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Registers `fd`; `handler` must outlive the registration.
  void add(int fd, std::uint32_t events, Handler* handler);
  void modify(int fd, std::uint32_t events, Handler* handler);
  void remove(int fd);

  // Called on the loop thread after wake() (coalesced: one call may answer many wakes).
  void set_on_wake(std::function<void()> on_wake) { on_wake_ = std::move(on_wake); }
  // Called about every `interval`.
  void set_tick(std::chrono::milliseconds interval, std::function<void()> on_tick);
  // Called after each batch of events, before the loop sleeps again.
  void set_on_turn_end(std::function<void()> on_turn_end) { on_turn_end_ = std::move(on_turn_end); }

  // Runs until stop().
  void run();
  // Thread-safe.
  void wake();
  void stop();

 private:
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  bool stopping_ = false;
  std::function<void()> on_wake_;
  std::function<void()> on_tick_;
  std::function<void()> on_turn_end_;
  std::chrono::milliseconds tick_interval_{1000};
  std::chrono::steady_clock::time_point next_tick_{};
};

}  // namespace tern::net
