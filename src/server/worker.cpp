#include "server/worker.h"

#include <malloc.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <unistd.h>

namespace tern::server {

namespace {
// How long a connection the broker closed may wait for its peer to read what is left.
constexpr std::chrono::seconds kCloseTimeout{5};
// How often a worker returns freed memory to the system.
constexpr std::chrono::seconds kTrimInterval{5};

// AddressSanitizer replaces malloc; glibc's malloc_trim then corrupts glibc's arena bookkeeping
// (an assertion fails at thread exit), and there is nothing of glibc's to trim anyway.
#if defined(__SANITIZE_ADDRESS__)
#define TERN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TERN_ASAN 1
#endif
#endif

void release_free_memory() {
#ifndef TERN_ASAN
  malloc_trim(0);
#endif
}
}  // namespace

Worker::Worker(broker::BrokerState& state, unsigned index)
    : state_(state),
      index_(index),
      core_(state, index, *this),
      read_buffer_(kReadBufferSize),
      outgoing_(state.workers) {
  loop_.set_on_wake([this] { on_wake(); });
  loop_.set_on_turn_end([this] { on_turn_end(); });
  loop_.set_tick(std::chrono::milliseconds(500), [this] {
    auto now = broker::Clock::now();
    core_.on_tick(now);
    // Iterate over a copy: expiring a close moves the connection out of connections_.
    std::vector<Connection*> open_now;
    for (auto& [raw, connection] : connections_)
      open_now.push_back(raw);
    for (Connection* connection : open_now)
      connection->expire_close(now, kCloseTimeout);
    if (now >= next_trim_) {
      // glibc keeps freed memory in each thread's arena; after a crowd of clients leaves, give
      // it back to the system so the broker's footprint follows its load.
      next_trim_ = now + kTrimInterval;
      // Idle connections first give back their output buffers (OutputQueue::trim).
      for (Connection* connection : open_now) {
        if (!connection->closed()) connection->trim();
      }
      release_free_memory();
    }
    if (periodic_ && now >= next_periodic_) {
      next_periodic_ = now + periodic_interval_;
      periodic_(core_);
    }
  });
}

Worker::~Worker() {
  // Sockets still in the mailbox were never adopted.
  for (NewSocket& s : inbox_sockets_)
    ::close(s.fd);
  for (Handover& h : inbox_handovers_)
    ::close(h.fd);
}

void Worker::set_periodic(std::chrono::seconds interval,
                          std::function<void(broker::WorkerCore&)> fn) {
  periodic_interval_ = interval;
  periodic_ = std::move(fn);
  next_periodic_ = broker::Clock::now();
}

void Worker::start() {
  thread_ = std::thread([this] {
    // Named threads make top -H and gdb readable.
    std::string name = "tern-worker-" + std::to_string(index_);
    pthread_setname_np(pthread_self(), name.c_str());
    loop_.run();
  });
}

void Worker::stop() {
  loop_.stop();
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
  // The thread is gone, so this one may use the core: 5.0 clients are told the server is going.
  core_.shutdown();
  // Connections close with the worker; their sessions end with the process. flush() may finish a
  // connection, which moves it out of connections_ (forget), so iterate over a copy.
  std::vector<Connection*> open;
  for (auto& [raw, connection] : connections_)
    open.push_back(raw);
  for (Connection* connection : open) {
    if (!connection->closed()) connection->flush();
  }
}

void Worker::adopt(int fd, std::string address, ConnectionCounter counter) {
  {
    std::lock_guard lock(mailbox_lock_);
    inbox_sockets_.push_back({fd, std::move(address), std::move(counter)});
  }
  loop_.wake();
}

void Worker::adopt(Handover handover) {
  {
    std::lock_guard lock(mailbox_lock_);
    inbox_handovers_.push_back(std::move(handover));
  }
  loop_.wake();
}

void Worker::post_batch(std::vector<broker::Delivery>& deliveries) {
  bool was_empty;
  {
    std::lock_guard lock(mailbox_lock_);
    was_empty = inbox_deliveries_.empty();
    if (was_empty) {
      inbox_deliveries_.swap(deliveries);
    } else {
      std::move(deliveries.begin(), deliveries.end(), std::back_inserter(inbox_deliveries_));
    }
  }
  deliveries.clear();
  if (was_empty) loop_.wake();  // otherwise a wake is already on its way
}

void Worker::post(unsigned worker, broker::Delivery delivery) {
  outgoing_[worker].push_back(std::move(delivery));
}

Connection* Worker::open(int fd, std::string address, ConnectionCounter counter) {
  auto connection = std::make_unique<Connection>(*this, fd, std::move(address),
                                                 state_.limits.max_packet_size, std::move(counter));
  Connection* raw = connection.get();
  raw->client = core_.on_open(raw, broker::Clock::now());
  connections_.emplace(raw, std::move(connection));
  loop_.add(fd, EPOLLIN | EPOLLRDHUP, raw);
  return raw;
}

void Worker::post_task(std::function<void(broker::WorkerCore&)> task) {
  {
    std::lock_guard lock(mailbox_lock_);
    inbox_tasks_.push_back(std::move(task));
  }
  loop_.wake();
}

void Worker::on_wake() {
  std::vector<NewSocket> sockets;
  std::vector<Handover> handovers;
  std::vector<broker::Delivery> deliveries;
  std::vector<std::function<void(broker::WorkerCore&)>> tasks;
  {
    std::lock_guard lock(mailbox_lock_);
    sockets.swap(inbox_sockets_);
    handovers.swap(inbox_handovers_);
    deliveries.swap(inbox_deliveries_);
    tasks.swap(inbox_tasks_);
  }
  for (auto& task : tasks)
    task(core_);
  for (NewSocket& s : sockets)
    open(s.fd, std::move(s.address), std::move(s.counter));
  for (Handover& h : handovers) {
    Connection* connection = open(h.fd, std::move(h.address), std::move(h.counter));
    auto outcome = core_.on_packet(connection->client, h.connect, broker::Clock::now());
    if (outcome.hand_over_to) {
      // Cannot happen: owner_of is a pure function of the client id.
      spdlog::error("connection handed over twice; closing it");
      connection->close();
      continue;
    }
    connection->consume(h.carry);
  }
  for (const broker::Delivery& d : deliveries)
    core_.deliver(d);
}

void Worker::hand_over(Connection* connection, unsigned target, mqtt::Packet& connect,
                       std::span<const std::uint8_t> carry) {
  Handover handover;
  handover.address = std::string(connection->address());
  handover.counter = connection->counter();
  handover.connect = std::move(connect);
  handover.carry.assign(carry.begin(), carry.end());
  core_.on_handed_over(connection->client);
  handover.fd = connection->release();
  forget(connection);
  peers_[target]->adopt(std::move(handover));
}

void Worker::forget(Connection* connection) {
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  graveyard_.push_back(std::move(it->second));
  connections_.erase(it);
}

void Worker::on_turn_end() {
  // The store first: nothing this turn acknowledges reaches a socket before it is stored.
  core_.commit();
  // Deliveries next: they may queue writes on our own connections too.
  for (unsigned target = 0; target < outgoing_.size(); ++target) {
    if (!outgoing_[target].empty()) peers_[target]->post_batch(outgoing_[target]);
  }
  // flush() may close a connection, which only moves it to the graveyard.
  for (std::size_t i = 0; i < to_flush_.size(); ++i)
    to_flush_[i]->flush();
  to_flush_.clear();
  graveyard_.clear();
}

}  // namespace tern::server
