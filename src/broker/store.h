// Store: where the broker keeps what must outlive the process — persistent sessions and retained
// messages — behind an interface the broker core writes through and reads back at start-up.
//
// The core owns the live state (SessionRegistry, RetainedStore, the subscription tree) and tells
// the store every change to the persistent part of it, as it happens: a session saved or ended,
// a subscription added or removed, a QoS 1/2 message queued for a session, sent, released
// (PUBREC) or acknowledged, a QoS 2 packet id awaiting its PUBREL, a retained message set or
// cleared. QoS 0 messages and sessions that end with their connection (expiry interval 0) are
// never recorded.
//
// Durability contract: every worker calls SessionStore::commit() at the end of each loop turn,
// before it writes anything to its sockets. A durable store makes the turn's records durable there
// (one write and one sync for the whole turn: group commit), so no PUBACK, PUBREC, SUBACK or
// CONNACK leaves the broker before what it acknowledges is stored.
//
// Known gap, for the durable store to close: a QoS 1/2 message for a session owned by another
// worker is recorded by that worker in its own turn, while the publisher's worker may already
// have sent the PUBACK at the end of its turn. A crash between the two loses the message for
// that session. Closing it needs the publisher's worker to record such deliveries itself (or to
// hold the PUBACK until the owner has committed).
//
// Recovery: Store::load() at start-up, before any worker runs, hands over everything stored and
// leaves the store empty; each worker then restores the sessions it owns and records them again.
// A restart therefore compacts the store, and sessions may move to another worker when
// thread_count changes.
//
// Threading: one SessionStore per worker, used only by that worker's thread, so a store can keep
// a log per worker without locks. Retained messages are written under BrokerState::retained_lock;
// load() runs alone.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "broker/message.h"
#include "broker/session.h"
#include "broker/topic_tree.h"

namespace tern::broker {

// A QoS 1/2 message owed to a persistent session.
struct StoredDelivery {
  std::uint64_t seq = 0;  // order within the session: increases with every message
  Outgoing out;
  std::uint16_t packet_id = 0;  // 0 while queued; the PUBLISH's id once sent
  bool released = false;        // QoS 2: PUBREC received, PUBCOMP awaited
};

struct StoredSubscription {
  std::string filter;
  SubscriptionOptions options;
};

// A persistent session as load() returns it.
struct StoredSession {
  std::string client_id;
  std::chrono::seconds expiry_interval{0};
  std::vector<StoredSubscription> subscriptions;  // ordered by filter
  std::vector<StoredDelivery> deliveries;         // ordered by seq
  std::vector<std::uint16_t> awaiting_pubrel;     // ascending
};

// One worker's writes. Calls name the session by client id; a session's first record is
// session_saved.
class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // A persistent session began, or its expiry interval changed.
  virtual void session_saved(std::string_view client_id, std::chrono::seconds expiry_interval) = 0;
  // The session ended (cleaned, expired, or its expiry interval became 0): forget all of it.
  virtual void session_ended(std::string_view client_id) = 0;

  // Adds or replaces the subscription with this filter.
  virtual void subscription_added(std::string_view client_id, std::string_view filter,
                                  const SubscriptionOptions& options) = 0;
  virtual void subscription_removed(std::string_view client_id, std::string_view filter) = 0;

  virtual void delivery_added(std::string_view client_id, const StoredDelivery& delivery) = 0;
  // A queued delivery was sent with `packet_id`.
  virtual void delivery_sent(std::string_view client_id, std::uint64_t seq,
                             std::uint16_t packet_id) = 0;
  virtual void delivery_released(std::string_view client_id, std::uint64_t seq) = 0;
  // Acknowledged, or dropped (expired, too large for the client).
  virtual void delivery_removed(std::string_view client_id, std::uint64_t seq) = 0;

  // A QoS 2 PUBLISH from the client was delivered; its PUBREL has not come yet.
  virtual void pubrel_awaited(std::string_view client_id, std::uint16_t packet_id) = 0;
  virtual void pubrel_received(std::string_view client_id, std::uint16_t packet_id) = 0;

  // The end of a loop turn; see the durability contract above.
  virtual void commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // The writer for `worker`'s sessions. Called once per worker, before the workers start.
  virtual std::unique_ptr<SessionStore> open_sessions(unsigned worker) = 0;

  // The retained message of its topic, replacing the one before; never an empty payload (the
  // broker calls retained_cleared for those).
  virtual void retained_set(const MessagePtr& message) = 0;
  virtual void retained_cleared(std::string_view topic) = 0;

  struct Contents {
    std::vector<StoredSession> sessions;
    std::vector<MessagePtr> retained;
  };
  // Everything stored, handed over (see Recovery above).
  virtual Contents load() = 0;
};

}  // namespace tern::broker
