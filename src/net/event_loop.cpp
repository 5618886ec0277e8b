#include "net/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace tern::net {

namespace {

void check(int result, const char* what) {
  if (result < 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

// epoll data for the wake-up eventfd: not a Handler.
constexpr std::uint64_t kWakeTag = 0;

}  // namespace

EventLoop::EventLoop() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  check(epoll_fd_, "epoll_create1");
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  check(wake_fd_, "eventfd");
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakeTag;
  check(epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event), "epoll_ctl");
}

EventLoop::~EventLoop() {
  close(wake_fd_);
  close(epoll_fd_);
}

void EventLoop::add(int fd, std::uint32_t events, Handler* handler) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = handler;
  check(epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event), "epoll_ctl add");
}

void EventLoop::modify(int fd, std::uint32_t events, Handler* handler) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = handler;
  check(epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event), "epoll_ctl mod");
}

void EventLoop::remove(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::set_tick(std::chrono::milliseconds interval, std::function<void()> on_tick) {
  tick_interval_ = interval;
  on_tick_ = std::move(on_tick);
  next_tick_ = std::chrono::steady_clock::now() + interval;
}

void EventLoop::wake() {
  std::uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop will wake anyway.
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

void EventLoop::stop() {
  std::atomic_ref<bool>(stopping_).store(true);
  wake();
}

void EventLoop::run() {
  constexpr int kMaxEvents = 256;
  epoll_event events[kMaxEvents];
  while (!std::atomic_ref<bool>(stopping_).load()) {
    int timeout = -1;
    if (on_tick_) {
      // Rounded up: rounding down would wake just before the tick and spin until it is due.
      auto until = std::chrono::ceil<std::chrono::milliseconds>(next_tick_ -
                                                                std::chrono::steady_clock::now());
      timeout = static_cast<int>(std::max<std::int64_t>(0, until.count()));
    }
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, timeout);
    if (n < 0 && errno != EINTR) check(n, "epoll_wait");
    bool woken = false;
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == kWakeTag) {
        std::uint64_t count;
        [[maybe_unused]] ssize_t r = read(wake_fd_, &count, sizeof count);
        woken = true;
        continue;
      }
      static_cast<Handler*>(events[i].data.ptr)->on_events(events[i].events);
    }
    if (woken && on_wake_) on_wake_();
    if (on_tick_ && std::chrono::steady_clock::now() >= next_tick_) {
      next_tick_ += tick_interval_;
      on_tick_();
    }
    if (on_turn_end_) on_turn_end_();
  }
}

}  // namespace tern::net
