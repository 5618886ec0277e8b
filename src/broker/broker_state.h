// BrokerState: what all worker threads share — the subscription tree, the retained messages,
// the limits, the credentials and the statistics.
//
// Thread-safety: the subscription tree is read by every PUBLISH and written by SUBSCRIBE and
// session ends, so it sits behind a reader/writer lock; the retained store behind a mutex.
// Everything else here is immutable after start-up or atomic. Sessions are not here: each lives
// on the worker that owns its client id (`owner_of`), and only that worker touches it.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string_view>

#include "broker/limits.h"
#include "broker/retained_store.h"
#include "broker/stats.h"
#include "broker/store.h"
#include "broker/topic_tree.h"

namespace tern::broker {

// Checks a username and password; std::nullopt username for an anonymous CONNECT.
using Authenticator = std::function<bool(const std::optional<std::string>& username,
                                         const std::optional<std::string>& password)>;

struct BrokerState {
  explicit BrokerState(unsigned worker_count) : workers(worker_count) {}

  // The worker that owns sessions of `client_id`: every connection with that id is handed to it,
  // so a session never moves between threads and takeover is a local affair.
  unsigned owner_of(std::string_view client_id) const {
    return static_cast<unsigned>(std::hash<std::string_view>{}(client_id) % workers);
  }

  const unsigned workers;
  BrokerLimits limits;
  Authenticator authenticate;  // empty: everyone is let in

  mutable std::shared_mutex subscriptions_lock;
  SubscriptionTree subscriptions;

  mutable std::mutex retained_lock;
  RetainedStore retained;

  // Persistence (store.h): null when sessions and retained messages live in memory only. Set
  // before the workers are built; not owned.
  Store* store = nullptr;

  BrokerStats stats;

  // Keeps `message` as its topic's retained message, or clears the topic for an empty payload
  // [MQTT-3.3.1-10], in the index and in the store. Thread-safe.
  void retain(const MessagePtr& message) {
    std::lock_guard lock(retained_lock);
    retained.set(message);
    if (!store) return;
    if (message->payload.empty()) {
      store->retained_cleared(message->topic);
    } else {
      store->retained_set(message);
    }
  }
};

}  // namespace tern::broker
