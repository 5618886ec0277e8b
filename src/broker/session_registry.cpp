#include "broker/session_registry.h"

#include <cassert>

namespace tern::broker {

SessionRegistry::SessionRegistry(unsigned worker) : worker_(worker) {}

SessionRegistry::~SessionRegistry() = default;

Session* SessionRegistry::find(std::string_view client_id) const {
  auto it = by_client_id_.find(client_id);
  return it == by_client_id_.end() ? nullptr : it->second;
}

namespace {

// A session's serial number: its slot in the low 32 bits, the slot's generation above.
std::uint64_t serial_of(std::uint32_t slot, std::uint32_t generation) {
  return static_cast<std::uint64_t>(generation) << 32 | slot;
}

}  // namespace

Session* SessionRegistry::find(SessionId id) const {
  if (session_owner(id) != worker_) return nullptr;
  std::uint64_t serial = id >> 8;
  auto slot = static_cast<std::uint32_t>(serial);
  if (slot >= slots_.size()) return nullptr;
  const Slot& held = slots_[slot];
  if (!held.session || held.session->id != id) return nullptr;
  return held.session.get();
}

Session& SessionRegistry::create(std::string client_id) {
  assert(!find(client_id));
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& held = slots_[slot];
  // Generations use 24 bits (the session id keeps 8 for the worker); wrapping is harmless:
  // an id that old names no delivery still on its way.
  held.generation = (held.generation + 1) & 0xFF'FFFF;
  held.session = std::make_unique<Session>();
  Session& created = *held.session;
  created.id = make_session_id(worker_, serial_of(slot, held.generation));
  created.client_id = std::move(client_id);
  by_client_id_.emplace(created.client_id, &created);
  return created;
}

void SessionRegistry::erase(Session& session) {
  cancel_deadline(session);
  by_client_id_.erase(session.client_id);
  auto slot = static_cast<std::uint32_t>(session.id >> 8);
  slots_[slot].session.reset();  // destroys `session`
  free_slots_.push_back(slot);
}

void SessionRegistry::set_offline(Session& session, Clock::time_point now) {
  cancel_deadline(session);
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
  if (session.expires_at != kNotExpiring) deadlines_.erase({session.expires_at, session.id});
  session.expires_at = kNotExpiring;
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
