// Session: the state of one client id that outlives its connections when the client asks for a
// persistent session (MQTT 3.1.1 section 4.1): subscriptions, QoS 1/2 messages in flight in
// either direction, and messages queued while the client is away or its window is full.
//
// Owned by one worker thread (see BrokerState::owner_of) and touched by no other.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "broker/inflight_window.h"
#include "broker/message.h"
#include "broker/outgoing.h"
#include "broker/topic_tree.h"

namespace tern::broker {

using Clock = std::chrono::steady_clock;

struct ClientState;

// A session expiry interval that never ends (MQTT 5.0 section 3.1.2.11.2: 0xFFFFFFFF).
inline constexpr std::chrono::seconds kNeverExpires{0xFFFFFFFF};
// Session::expires_at of a session that has no deadline running (online, or never expiring).
inline constexpr Clock::time_point kNotExpiring = Clock::time_point::min();

// Messages waiting for a session's window or for its client to return. Most sessions never
// queue anything, and an empty std::deque still holds about 600 bytes, so the deque is made on
// the first push and given back when the queue empties.
class OutgoingQueue {
 public:
  bool empty() const { return !items_ || items_->empty(); }
  std::size_t size() const { return items_ ? items_->size() : 0; }
  Outgoing& front() { return items_->front(); }
  void push_back(Outgoing out) {
    if (!items_) items_ = std::make_unique<std::deque<Outgoing>>();
    items_->push_back(std::move(out));
  }
  void pop_front() {
    items_->pop_front();
    if (items_->empty()) items_.reset();
  }
  template <class F>
  void for_each(F&& visit) const {
    if (!items_) return;
    for (const Outgoing& out : *items_)
      visit(out);
  }

 private:
  std::unique_ptr<std::deque<Outgoing>> items_;
};

// A session's subscriptions, filter -> options. Many sessions have none (publishers), and an
// empty std::map is 48 bytes, so the map is made on the first subscription and given back
// when the last one goes.
class SessionSubscriptions {
 public:
  using Map = std::map<std::string, SubscriptionOptions, std::less<>>;

  bool empty() const { return !map_; }
  std::size_t size() const { return map_ ? map_->size() : 0; }
  void insert_or_assign(std::string filter, const SubscriptionOptions& options) {
    if (!map_) map_ = std::make_unique<Map>();
    map_->insert_or_assign(std::move(filter), options);
  }
  // Returns how many were removed (0 or 1).
  std::size_t erase(std::string_view filter) {
    if (!map_) return 0;
    auto it = map_->find(filter);
    if (it == map_->end()) return 0;
    map_->erase(it);
    if (map_->empty()) map_.reset();
    return 1;
  }
  Map::const_iterator begin() const { return map_ ? map_->cbegin() : empty_map().cbegin(); }
  Map::const_iterator end() const { return map_ ? map_->cend() : empty_map().cend(); }

 private:
  static const Map& empty_map() {
    static const Map none;
    return none;
  }
  std::unique_ptr<Map> map_;
};

// A set of packet identifiers that is almost always empty: the set is made on the first insert
// and given back when it empties, so idle sessions pay one pointer for it.
class PacketIdSet {
 public:
  bool contains(std::uint16_t id) const { return ids_ && ids_->contains(id); }
  std::size_t size() const { return ids_ ? ids_->size() : 0; }
  void insert(std::uint16_t id) {
    if (!ids_) ids_ = std::make_unique<std::unordered_set<std::uint16_t>>();
    ids_->insert(id);
  }
  // Returns whether `id` was there.
  bool erase(std::uint16_t id) {
    if (!ids_ || ids_->erase(id) == 0) return false;
    if (ids_->empty()) ids_.reset();
    return true;
  }

 private:
  std::unique_ptr<std::unordered_set<std::uint16_t>> ids_;
};

// A will held back by its Will Delay Interval (MQTT 5.0 section 3.1.3.2.2).
struct PendingWill {
  Message message;
  Clock::time_point at;
};

struct Session {
  // Fields ordered by size: thousands of sessions, so padding counts.
  SessionId id = 0;
  std::string client_id;
  // How long the session outlives its connection: 0 ends it with the connection (3.1.1 clean
  // session), kNeverExpires keeps it until the client cleans it.
  std::chrono::seconds expiry_interval{0};
  ClientState* client = nullptr;  // the live connection, or nullptr while offline
  // While offline with a finite expiry interval: when the session ends; else kNotExpiring.
  Clock::time_point expires_at = kNotExpiring;

  SessionSubscriptions subscriptions;

  InflightWindow inflight;  // sent, not yet acknowledged; hands out packet ids
  OutgoingQueue queue;      // waiting for the window or for the client to return
  std::size_t queued_bytes = 0;
  std::uint64_t last_seq = 0;

  // QoS 2 PUBLISHes received and delivered, whose PUBREL has not come yet: a re-sent PUBLISH with
  // one of these ids is not delivered again (MQTT 3.1.1 section 4.3.3, method B).
  PacketIdSet awaiting_pubrel;

  // MQTT 5.0 Will Delay Interval: a will waiting to be published at `pending_will->at`, unless
  // the client returns to this session first [MQTT-3.1.3-9]; published at once if the session
  // ends sooner. By pointer: most sessions have none.
  std::unique_ptr<PendingWill> pending_will;
};

// Session ids carry their owner worker in the low byte.
constexpr SessionId make_session_id(unsigned worker, std::uint64_t serial) {
  return serial << 8 | worker;
}
constexpr unsigned session_owner(SessionId id) {
  return static_cast<unsigned>(id & 0xFF);
}

}  // namespace tern::broker
