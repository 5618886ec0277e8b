#include "poller.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace tern::bench {

Poller::Poller() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + strerror(errno));
}

Poller::~Poller() {
  close(epoll_fd_);
}

bool Poller::add(int fd, std::uint32_t events, Handler* handler) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = handler;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) == 0;
}

bool Poller::modify(int fd, std::uint32_t events, Handler* handler) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = handler;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event) == 0;
}

void Poller::remove(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

int Poller::wait(std::chrono::nanoseconds timeout) {
  constexpr int kMaxEvents = 512;
  epoll_event events[kMaxEvents];
  // Round up: epoll_wait(0) with a tick a fraction of a millisecond away would spin.
  auto ms = (timeout.count() + 999'999) / 1'000'000;
  int timeout_ms = timeout.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(ms, 1000));
  int n = epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
  for (int i = 0; i < n; ++i)
    static_cast<Handler*>(events[i].data.ptr)->on_events(events[i].events);
  return n < 0 ? 0 : n;
}

}  // namespace tern::bench
