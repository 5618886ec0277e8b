#include "runner.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "clock.h"
#include "control.h"
#include "worker.h"

namespace tern::bench {

namespace {

std::atomic<bool> g_stop_requested{false};

constexpr auto kPoll = std::chrono::milliseconds(20);
constexpr std::int64_t kStallNs = 10 * kNsPerSecond;  // nothing moved: abort
constexpr std::int64_t kQuietNs = 1 * kNsPerSecond;   // drain: nothing arrived for this long
constexpr std::int64_t kMaxDrainNs = 60 * kNsPerSecond;
constexpr std::int64_t kProgressAfterNs = 2 * kNsPerSecond;

// The sum of every worker's counters at one moment.
struct Snapshot {
  std::uint64_t sent = 0, acked = 0, rejected = 0, received = 0, expected = 0;
  std::uint32_t ready = 0, failed = 0, dropped = 0, publishers_done = 0, subscribers_done = 0;
  std::int64_t last_ready_ns = 0, last_send_ns = 0, last_ack_ns = 0, last_receive_ns = 0;
  std::int64_t first_receive_ns = 0;

  std::uint64_t progress() const { return sent + acked + rejected + received; }
};

Snapshot snapshot(const std::vector<std::unique_ptr<Worker>>& workers) {
  Snapshot s;
  constexpr auto relaxed = std::memory_order_relaxed;
  for (const auto& worker : workers) {
    const WorkerCounters& c = worker->counters();
    s.sent += c.sent.load(relaxed);
    s.acked += c.acked.load(relaxed);
    s.rejected += c.rejected.load(relaxed);
    s.received += c.received.load(relaxed);
    s.expected += c.expected.load(relaxed);
    s.ready += c.ready.load(relaxed);
    s.failed += c.failed.load(relaxed);
    s.dropped += c.dropped.load(relaxed);
    s.publishers_done += c.publishers_done.load(relaxed);
    s.subscribers_done += c.subscribers_done.load(relaxed);
    s.last_ready_ns = std::max(s.last_ready_ns, c.last_ready_ns.load(relaxed));
    s.last_send_ns = std::max(s.last_send_ns, c.last_send_ns.load(relaxed));
    s.last_ack_ns = std::max(s.last_ack_ns, c.last_ack_ns.load(relaxed));
    s.last_receive_ns = std::max(s.last_receive_ns, c.last_receive_ns.load(relaxed));
    if (std::int64_t first = c.first_receive_ns.load(relaxed);
        first != 0 && (s.first_receive_ns == 0 || first < s.first_receive_ns)) {
      s.first_receive_ns = first;
    }
  }
  return s;
}

double seconds(std::int64_t ns) {
  return static_cast<double>(ns) / kNsPerSecond;
}

double per_second(std::uint64_t n, std::int64_t ns) {
  return ns > 0 ? static_cast<double>(n) / seconds(ns) : 0;
}

// Prints one progress line per second of a phase once it has lasted kProgressAfterNs.
class Progress {
 public:
  explicit Progress(std::int64_t start) : start_(start), next_(start + kNsPerSecond) {}

  template <class Print>
  void maybe(std::int64_t now, const Snapshot& s, Print print) {
    if (now < next_) return;
    double interval = seconds(now - last_time_);
    if (now - start_ >= kProgressAfterNs) print(seconds(now - start_), s, last_, interval);
    last_ = s;
    last_time_ = now;
    next_ += kNsPerSecond;
    if (next_ <= now) next_ = now + kNsPerSecond;
  }
  void reset(std::int64_t now, const Snapshot& s) {
    last_ = s;
    last_time_ = now;
  }

 private:
  std::int64_t start_;
  std::int64_t next_;
  std::int64_t last_time_ = 0;
  Snapshot last_;
};

// One line of traffic figures, with what the mode has: sent and acknowledged for publishers,
// received for subscribers.
class TrafficLine {
 public:
  explicit TrafficLine(const Options& options) : options_(options) {}

  void operator()(double elapsed, const Snapshot& s, const Snapshot& last, double interval) const {
    auto rate = [&](std::uint64_t now, std::uint64_t before) {
      return interval > 0 ? static_cast<double>(now - before) / interval : 0.0;
    };
    std::string line;
    char part[96];
    if (options_.publishers > 0) {
      std::snprintf(part, sizeof part, "  sent %9.0f/s", rate(s.sent, last.sent));
      line += part;
      if (options_.qos != mqtt::QoS::at_most_once) {
        std::snprintf(
            part, sizeof part, "  acked %9.0f/s  in flight %llu", rate(s.acked, last.acked),
            static_cast<unsigned long long>(s.sent - std::min(s.sent, s.acked + s.rejected)));
        line += part;
      }
    }
    if (options_.subscribers > 0) {
      std::snprintf(part, sizeof part, "  recv %9.0f/s", rate(s.received, last.received));
      line += part;
    }
    if (s.dropped > 0) {
      std::snprintf(part, sizeof part, "  LOST %u connections", s.dropped);
      line += part;
    }
    std::fprintf(stderr, "[%5.0fs]%s\n", elapsed, line.c_str());
  }

 private:
  const Options& options_;
};

}  // namespace

void request_stop() {
  g_stop_requested.store(true);
}

Results run(const Options& options, const TopicPlan& plan, const Address& address) {
  Results results;
  Control control;
  const std::uint32_t total = options.publishers + options.subscribers;
  results.connections = total;
  unsigned threads = std::max(1u, std::min<unsigned>(options.threads, total));
  double connect_rate =
      options.mode == Mode::conn && options.rate > 0 ? options.rate / threads : 0.0;

  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.push_back(std::make_unique<Worker>(options, plan, control, address.storage,
                                               address.size, connect_rate));
  }
  // Subscribers first: they are all subscribed before anyone publishes anyway, and conn mode
  // has only plain connections.
  std::size_t next = 0;
  for (std::uint32_t j = 0; j < options.subscribers; ++j)
    workers[next++ % threads]->add(Role::subscriber, j);
  Role publisher_role = options.mode == Mode::conn ? Role::plain : Role::publisher;
  for (std::uint32_t i = 0; i < options.publishers; ++i)
    workers[next++ % threads]->add(publisher_role, i);

  if (options.mode == Mode::conn && options.broker_pid != 0) {
    results.rss_before_kb = read_rss_kb(options.broker_pid);
  }

  // ---- connect --------------------------------------------------------------------------------
  std::int64_t connect_start = now_ns();
  control.connect_start_ns.store(connect_start);
  control.phase.store(Phase::connect, std::memory_order_release);
  for (auto& worker : workers)
    worker->start();

  Snapshot s;
  {
    Progress progress(connect_start);
    std::uint32_t settled_before = 0;
    std::int64_t last_change = connect_start;
    while (true) {
      std::this_thread::sleep_for(kPoll);
      std::int64_t now = now_ns();
      s = snapshot(workers);
      std::uint32_t settled = s.ready + s.failed;
      if (settled == total) break;
      if (g_stop_requested.load()) {
        results.interrupted = true;
        break;
      }
      if (settled != settled_before) {
        settled_before = settled;
        last_change = now;
      } else if (now - last_change >
                 static_cast<std::int64_t>(options.connect_timeout_s * kNsPerSecond) + kStallNs) {
        // Each connection has its own timeout; this only guards against a bug of ours.
        results.aborted = "connections neither succeed nor fail";
        break;
      }
      progress.maybe(
          now, s,
          [&](double elapsed, const Snapshot& now_s, const Snapshot& last, double interval) {
            std::fprintf(stderr, "[%5.0fs] connected %u of %u (%.0f/s), %u failed\n", elapsed,
                         now_s.ready, total,
                         interval > 0 ? (now_s.ready - last.ready) / interval : 0.0, now_s.failed);
          });
    }
  }
  results.connected = s.ready;
  if (s.ready > 0 && s.last_ready_ns > connect_start) {
    results.connect_seconds = seconds(s.last_ready_ns - connect_start);
    results.connect_rate = s.ready / results.connect_seconds;
  }
  bool go_on = s.failed == 0 && !results.interrupted && results.aborted.empty();

  // ---- conn mode: hold ------------------------------------------------------------------------
  if (go_on && options.mode == Mode::conn) {
    std::int64_t start = now_ns();
    auto hold = static_cast<std::int64_t>(options.duration_s * kNsPerSecond);
    Progress progress(start);
    while (now_ns() - start < hold && !g_stop_requested.load()) {
      std::this_thread::sleep_for(kPoll);
      s = snapshot(workers);
      progress.maybe(now_ns(), s,
                     [&](double elapsed, const Snapshot& now_s, const Snapshot&, double) {
                       std::fprintf(stderr, "[%5.0fs] holding %u connections, %u lost\n", elapsed,
                                    now_s.ready - now_s.dropped, now_s.dropped);
                     });
      if (s.dropped == total) break;
    }
    results.interrupted = g_stop_requested.load();
    if (options.broker_pid != 0) {
      results.rss_after_kb = read_rss_kb(options.broker_pid);
      if (results.rss_before_kb && results.rss_after_kb && results.connected > 0) {
        results.rss_per_connection_bytes =
            static_cast<double>(*results.rss_after_kb - *results.rss_before_kb) * 1024.0 /
            results.connected;
      }
    }
  }

  // ---- publish --------------------------------------------------------------------------------
  std::int64_t publish_start = 0;
  std::int64_t publish_end = 0;
  bool stopped_by_time = false;
  if (go_on && options.mode != Mode::conn) {
    publish_start = now_ns();
    control.publish_start_ns.store(publish_start, std::memory_order_relaxed);
    control.phase.store(Phase::publish, std::memory_order_release);
    bool timed = options.count == 0 || options.duration_given;
    auto duration = static_cast<std::int64_t>(options.duration_s * kNsPerSecond);
    Progress progress(publish_start);
    TrafficLine print_traffic(options);
    progress.reset(publish_start, snapshot(workers));
    std::uint64_t moved = 0;
    std::int64_t last_move = publish_start;
    // A slow rate is not a stall: allow three message intervals.
    std::int64_t stall = kStallNs;
    if (options.rate > 0) {
      stall = std::max(stall, static_cast<std::int64_t>(3 * kNsPerSecond / options.rate));
    }
    while (true) {
      std::this_thread::sleep_for(kPoll);
      std::int64_t now = now_ns();
      s = snapshot(workers);
      progress.maybe(now, s, print_traffic);
      if (g_stop_requested.load()) {
        results.interrupted = true;
        break;
      }
      if (timed && now - publish_start >= duration) {
        stopped_by_time = true;
        break;
      }
      if (options.publishers > 0 && s.publishers_done == options.publishers) break;
      if (options.mode == Mode::sub && options.count != 0 &&
          s.subscribers_done == options.subscribers) {
        break;
      }
      if (s.dropped == total) break;
      if (s.progress() != moved) {
        moved = s.progress();
        last_move = now;
      } else if (options.mode != Mode::sub && now - last_move > stall) {
        // Subscribers alone may wait for publishers that never come; others must move.
        results.aborted = "nothing was sent, acknowledged or received for " +
                          std::to_string(stall / kNsPerSecond) + " s";
        break;
      }
    }
    publish_end = now_ns();
    control.phase.store(Phase::drain, std::memory_order_release);

    // ---- drain ------------------------------------------------------------------------------
    if (options.mode != Mode::sub && results.aborted.empty()) {
      std::int64_t drain_start = now_ns();
      std::uint64_t arrived = s.acked + s.rejected + s.received;
      std::int64_t last_arrival = drain_start;
      while (!g_stop_requested.load()) {
        std::this_thread::sleep_for(kPoll);
        std::int64_t now = now_ns();
        s = snapshot(workers);
        progress.maybe(now, s, print_traffic);
        bool acks_in = options.qos == mqtt::QoS::at_most_once || s.acked + s.rejected >= s.sent;
        bool deliveries_in = options.mode != Mode::pubsub || s.received >= s.expected;
        if (acks_in && deliveries_in) {
          results.drain_end = "complete";
          break;
        }
        std::uint64_t arrived_now = s.acked + s.rejected + s.received;
        if (arrived_now != arrived) {
          arrived = arrived_now;
          last_arrival = now;
        } else if (now - last_arrival >= kQuietNs) {
          results.drain_end = "quiet";
          break;
        }
        if (now - drain_start > kMaxDrainNs) {
          results.drain_end = "limit";
          break;
        }
      }
    }
  }

  // ---- disconnect -----------------------------------------------------------------------------
  control.phase.store(Phase::disconnect, std::memory_order_release);
  for (auto& worker : workers)
    worker->join();
  s = snapshot(workers);
  if (g_stop_requested.load()) results.interrupted = true;

  results.failed = s.failed;
  results.dropped = s.dropped;
  results.sent = s.sent;
  results.acked = s.acked;
  results.rejected = s.rejected;
  results.received = s.received;
  if (options.qos != mqtt::QoS::at_most_once && s.sent > s.acked + s.rejected) {
    results.unacked = s.sent - s.acked - s.rejected;
  }
  if (publish_start != 0) {
    // A run cut by time published until then; one ended by --count until its last message.
    std::int64_t end = stopped_by_time || s.last_send_ns == 0 ? publish_end : s.last_send_ns;
    results.publish_seconds = seconds(std::max<std::int64_t>(end - publish_start, 1));
    results.sent_per_s = per_second(s.sent, end - publish_start);
    results.acked_per_s = per_second(s.acked, s.last_ack_ns - publish_start);
    // Subscribers alone cannot know when the publishers started: from the first message on.
    std::int64_t from = options.mode == Mode::sub ? s.first_receive_ns : publish_start;
    results.received_per_s = per_second(s.received, s.last_receive_ns - from);
  }

  ReceiptTracker receipts;
  std::vector<std::uint64_t> sent(options.publishers, 0);
  for (auto& worker : workers) {
    results.latency.add(worker->latency());
    receipts.merge(worker->receipts());
    for (const auto& [reason, count] : worker->errors())
      results.errors[reason] += count;
    for (const auto& [index, count] : worker->sent())
      sent[index] = count;
  }
  if (options.mode == Mode::pubsub) {
    results.have_losses = true;
    results.losses = receipts.figures(plan, sent);
  } else if (options.mode == Mode::sub) {
    results.have_losses = true;
    results.losses = receipts.figures_without_plan();
  }
  return results;
}

int exit_code(const Options& options, const Results& results) {
  if (results.failed > 0 || results.dropped > 0 || !results.aborted.empty()) return 2;
  if (options.qos != mqtt::QoS::at_most_once &&
      (results.unacked > 0 || (results.have_losses && results.losses.lost > 0))) {
    return 3;
  }
  return 0;
}

}  // namespace tern::bench
