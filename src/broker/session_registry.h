// SessionRegistry: the sessions one worker owns, by client id and by session id, and the order in
// which the offline ones expire.
//
// A session outlives its connections when the client asks for it (MQTT 3.1.1 section 4.1,
// MQTT 5.0 section 4.1): it is kept while its client is away and ends when its expiry interval
// has passed since the client left (MQTT 5.0 section 3.1.2.11.2; for 3.1.1 the operator's
// persistent_client_expiration). The registry keeps offline sessions with a finite expiry in
// deadline order, so a clock tick costs O(expired sessions), not O(sessions).
//
// It knows nothing of subscriptions or connections: ending a session (unsubscribing it from the
// tree, telling the store) is the caller's job, which then calls erase().
//
// Not thread-safe: each worker owns one registry and is the only thread that touches it or its
// sessions (see BrokerState::owner_of).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "broker/session.h"

namespace tern::broker {

class SessionRegistry {
 public:
  // Sessions created here get ids owned by `worker` (session_owner(id) == worker).
  explicit SessionRegistry(unsigned worker);
  ~SessionRegistry();
  SessionRegistry(const SessionRegistry&) = delete;
  SessionRegistry& operator=(const SessionRegistry&) = delete;

  Session* find(std::string_view client_id) const;
  Session* find(SessionId id) const;

  // A new session for `client_id`, which must have none. It starts online (no expiry deadline).
  Session& create(std::string client_id);

  // Destroys `session` (which must be one of ours); pointers to it are invalid afterwards.
  void erase(Session& session);

  // The session's client left at `now`: its expiry deadline starts (none when its expiry
  // interval is kNeverExpires). An interval of zero expires it at the next expire() call.
  void set_offline(Session& session, Clock::time_point now);
  // Its client is back (or the expiry interval changes): no deadline until set_offline.
  void set_online(Session& session);

  // Offline sessions whose deadline is at or before `now`, earliest first. They stay registered
  // until the caller erases them.
  std::vector<Session*> expired(Clock::time_point now) const;

  std::size_t size() const { return by_client_id_.size(); }
  bool empty() const { return by_client_id_.empty(); }
  // Offline sessions waiting for their deadline.
  std::size_t expiring() const { return deadlines_.size(); }

  // Calls visit(Session&) for every session, in no particular order; visit must not create or
  // erase sessions.
  template <class F>
  void for_each(F&& visit) const {
    for (const Slot& slot : slots_) {
      if (slot.session) visit(*slot.session);
    }
  }

 private:
  // Sessions live in numbered slots, reused once free; a session id names its slot and the
  // slot's generation, so an id outliving its session (a delivery on its way from another
  // worker) finds nothing rather than the slot's next session. Cheaper than a second hash map:
  // 16 bytes per session instead of about 40.
  struct Slot {
    std::unique_ptr<Session> session;
    std::uint32_t generation = 0;
  };

  void cancel_deadline(Session& session);

  const unsigned worker_;
  std::vector<Slot> slots_;  // owns the sessions
  std::vector<std::uint32_t> free_slots_;
  // Keys view the session's own client_id, which never changes.
  std::unordered_map<std::string_view, Session*> by_client_id_;
  std::set<std::pair<Clock::time_point, SessionId>> deadlines_;
};

}  // namespace tern::broker
