// InflightWindow: the packet identifiers of one publisher's unacknowledged QoS 1 and 2 messages.
//
// Identifiers 1..capacity are handed out from a ring, least recently released first, so at most
// `limit` (the --inflight window, lowered by an MQTT 5.0 broker's Receive Maximum) are in flight
// and an identifier is never reused while in flight. Each tracks its stage: waiting for PUBACK or
// PUBREC, then (QoS 2, after our PUBREL) for PUBCOMP.
//
// Not thread-safe; one per publisher connection.
#pragma once

#include <cstdint>
#include <vector>

namespace tern::bench {

class InflightWindow {
 public:
  enum class Stage : std::uint8_t { free, published, released };

  explicit InflightWindow(std::uint16_t capacity = 1)
      : ring_(capacity), stage_(capacity + 1u, Stage::free), limit_(capacity) {
    for (std::uint16_t i = 0; i < capacity; ++i)
      ring_[i] = static_cast<std::uint16_t>(i + 1);
  }

  // Lowers the number of identifiers in flight at once (never above the capacity).
  void set_limit(std::uint16_t limit) { limit_ = limit < ring_.size() ? limit : ring_.size(); }
  std::size_t limit() const { return limit_; }
  std::size_t in_flight() const { return in_flight_; }
  bool full() const { return in_flight_ >= limit_; }

  // A free identifier, now in stage `published`; false when the window is full.
  bool acquire(std::uint16_t& id) {
    if (full()) return false;
    id = ring_[head_];
    head_ = (head_ + 1) % ring_.size();
    ++in_flight_;
    stage_[id] = Stage::published;
    return true;
  }

  Stage stage(std::uint16_t id) const { return id < stage_.size() ? stage_[id] : Stage::free; }
  void set_stage(std::uint16_t id, Stage stage) { stage_[id] = stage; }

  // Frees `id`; false when it was not in flight (an acknowledgement we did not ask for).
  bool release(std::uint16_t id) {
    if (stage(id) == Stage::free) return false;
    stage_[id] = Stage::free;
    ring_[(head_ + ring_.size() - in_flight_) % ring_.size()] = id;
    --in_flight_;
    return true;
  }

 private:
  std::vector<std::uint16_t> ring_;  // free identifiers from head_ on, in_flight_ slots in use
  std::vector<Stage> stage_;         // by identifier
  std::size_t limit_;
  std::size_t head_ = 0;
  std::size_t in_flight_ = 0;
};

}  // namespace tern::bench
