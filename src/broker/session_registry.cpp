#include "broker/session_registry.h"

#include <cassert>

namespace tern::broker {

SessionRegistry::SessionRegistry(unsigned worker) : worker_(worker) {}

SessionRegistry::~SessionRegistry() = default;

Session* SessionRegistry::find(std::string_view client_id) const {
  auto it = by_client_id_.find(client_id);
  return it == by_client_id_.end() ? nullptr : it->second;
}

Session* SessionRegistry::find(SessionId id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second.get();
}

Session& SessionRegistry::create(std::string client_id) {
  assert(!find(client_id));
  auto session = std::make_unique<Session>();
  session->id = make_session_id(worker_, next_serial_++);
  session->client_id = std::move(client_id);
  Session& created = *session;
  by_client_id_.emplace(created.client_id, &created);
  by_id_.emplace(created.id, std::move(session));
  return created;
}

void SessionRegistry::erase(Session& session) {
  cancel_deadline(session);
  by_client_id_.erase(session.client_id);
  by_id_.erase(session.id);  // destroys `session`
}

void SessionRegistry::set_offline(Session& session, Clock::time_point now) {
  cancel_deadline(session);
  session.offline_since = now;
  if (session.expiry_interval == kNeverExpires) return;
  // Saturate rather than overflow for intervals near the 32-bit maximum.
  auto remaining = Clock::time_point::max() - now;
  auto interval = std::chrono::duration_cast<Clock::duration>(session.expiry_interval);
  Clock::time_point deadline = interval < remaining ? now + interval : Clock::time_point::max();
  session.expires_at = deadline;
  deadlines_.emplace(deadline, session.id);
}

void SessionRegistry::set_online(Session& session) {
  cancel_deadline(session);
}

void SessionRegistry::cancel_deadline(Session& session) {
  if (session.expires_at) deadlines_.erase({*session.expires_at, session.id});
  session.expires_at.reset();
}

std::vector<Session*> SessionRegistry::expired(Clock::time_point now) const {
  std::vector<Session*> due;
  for (const auto& [deadline, id] : deadlines_) {
    if (deadline > now) break;
    due.push_back(find(id));
  }
  return due;
}

}  // namespace tern::broker
