#include "worker.h"

#include <algorithm>

#include "clock.h"

namespace tern::bench {

namespace {

constexpr std::int64_t kTickNs = 1'000'000;  // 1 ms: pacing granularity
constexpr std::int64_t kSlowTickNs = 100'000'000;
// TCP handshakes in progress per worker: more would only overflow the broker's listen backlog,
// and SYN retransmissions (1 s, 3 s, ...) would then be measured as connect time.
constexpr std::uint32_t kMaxInSetup = 256;

}  // namespace

Worker::Worker(const Options& options, const TopicPlan& plan, Control& control,
               const sockaddr_storage& address, socklen_t address_size, double connect_rate)
    : control_(control), ctx_(options, plan, address, address_size), connect_rate_(connect_rate) {}

Worker::~Worker() {
  if (thread_.joinable()) thread_.join();
}

void Worker::add(Role role, std::uint32_t index) {
  connections_.push_back(std::make_unique<Connection>(ctx_, role, index));
  if (role == Role::publisher) publishers_.push_back(connections_.back().get());
}

void Worker::start() {
  thread_ = std::thread([this] { run(); });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

std::vector<std::pair<std::uint32_t, std::uint64_t>> Worker::sent() const {
  std::vector<std::pair<std::uint32_t, std::uint64_t>> out;
  for (Connection* publisher : publishers_)
    out.emplace_back(publisher->index(), publisher->sent());
  return out;
}

void Worker::run() {
  std::int64_t now = now_ns();
  next_tick_ns_ = now;
  next_slow_tick_ns_ = now + kSlowTickNs;
  next_keepalive_ns_ = now + kNsPerSecond;
  while (running_) {
    ctx_.poller.wait(std::chrono::nanoseconds(next_tick_ns_ - now_ns()));
    now = now_ns();
    if (now >= next_tick_ns_) {
      next_tick_ns_ = std::max(next_tick_ns_ + kTickNs, now);
      tick(now);
    }
    end_turn();
  }
  publish_counters();
}

void Worker::tick(std::int64_t now) {
  Phase phase = control_.phase.load(std::memory_order_acquire);
  if (phase != ctx_.phase) {
    if (phase == Phase::publish) {
      ctx_.publish_start_ns = control_.publish_start_ns.load(std::memory_order_relaxed);
    }
    ctx_.phase = phase;
    if (phase == Phase::publish) {
      for (Connection* publisher : publishers_) {
        if (ctx_.options.rate > 0) {
          schedule_.push({publisher->next_due_ns(), publisher});
        } else {
          publisher->queue_publish();
        }
      }
    }
  }
  if (phase == Phase::disconnect) {
    for (auto& connection : connections_)
      connection->close_gracefully();
    running_ = false;
    return;
  }
  if (phase == Phase::connect) open_more(now);
  if (phase == Phase::publish) {
    // Paced publishers whose next message has come due send it now.
    while (!schedule_.empty() && schedule_.top().at <= now) {
      Connection* publisher = schedule_.top().publisher;
      schedule_.pop();
      publisher->publish(now);
      if (publisher->done()) continue;
      // One held back by its window or a full socket tries again on the next tick (an
      // acknowledgement may let it go sooner).
      schedule_.push({std::max(publisher->next_due_ns(), now + kTickNs), publisher});
    }
  }
  if (now >= next_slow_tick_ns_) {
    next_slow_tick_ns_ = now + kSlowTickNs;
    if (ctx_.in_setup > 0) {
      for (auto& connection : connections_)
        connection->check_timeout(now);
    }
  }
  if (now >= next_keepalive_ns_) {
    next_keepalive_ns_ = now + kNsPerSecond;
    for (auto& connection : connections_)
      connection->keep_alive(now);
  }
}

void Worker::open_more(std::int64_t now) {
  std::size_t allowed = connections_.size();
  if (connect_rate_ > 0) {
    double elapsed =
        static_cast<double>(now - control_.connect_start_ns.load(std::memory_order_relaxed)) /
        kNsPerSecond;
    allowed = std::min(allowed, static_cast<std::size_t>(connect_rate_ * elapsed) + 1);
  }
  while (opened_ < allowed && ctx_.in_setup < kMaxInSetup) {
    connections_[opened_++]->open(now);
  }
}

void Worker::end_turn() {
  if (!ctx_.to_publish.empty()) {
    // Take the list first: whatever is queued while publishing waits for the next turn.
    publishing_.swap(ctx_.to_publish);
    for (Connection* publisher : publishing_)
      publisher->publish(now_ns());
    publishing_.clear();
  }
  // Each connection once (queued_flush_); flush() may fail it but never adds to the list.
  for (std::size_t i = 0; i < ctx_.to_flush.size(); ++i)
    ctx_.to_flush[i]->flush();
  ctx_.to_flush.clear();
  if (ctx_.phase == Phase::connect && ctx_.in_setup < kMaxInSetup &&
      opened_ < connections_.size()) {
    open_more(now_ns());
  }
  publish_counters();
}

void Worker::publish_counters() {
  const LocalCounters& c = ctx_.counters;
  constexpr auto relaxed = std::memory_order_relaxed;
  counters_.sent.store(c.sent, relaxed);
  counters_.acked.store(c.acked, relaxed);
  counters_.rejected.store(c.rejected, relaxed);
  counters_.received.store(c.received, relaxed);
  counters_.expected.store(c.expected, relaxed);
  counters_.ready.store(c.ready, relaxed);
  counters_.failed.store(c.failed, relaxed);
  counters_.dropped.store(c.dropped, relaxed);
  counters_.publishers_done.store(c.publishers_done, relaxed);
  counters_.subscribers_done.store(c.subscribers_done, relaxed);
  counters_.last_ready_ns.store(c.last_ready_ns, relaxed);
  counters_.last_send_ns.store(c.last_send_ns, relaxed);
  counters_.last_ack_ns.store(c.last_ack_ns, relaxed);
  counters_.first_receive_ns.store(c.first_receive_ns, relaxed);
  counters_.last_receive_ns.store(c.last_receive_ns, relaxed);
}

}  // namespace tern::bench
