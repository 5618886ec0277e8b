// InflightWindow: a session's QoS 1/2 messages sent and not yet acknowledged (MQTT 3.1.1
// section 4.3, MQTT 5.0 section 4.9), in send order, found by packet identifier in O(1).
//
// Why not a plain vector scanned per acknowledgement: with a window of up to 65,535 messages (a
// client that sets no Receive Maximum and max_inflight_messages 0) a scan per PUBACK and another
// per new packet identifier made delivery quadratic in the window. Here entries sit in a ring in
// send order; the broker hands out identifiers one after another, so while every entry's
// identifier follows its predecessor's (`consecutive_`), the entry for identifier X is at offset
// X - front's identifier. Acknowledged entries in the middle become holes that keep their
// identifier until they reach the front; holes are squeezed out when they outnumber live
// entries. Windows built in another order (restored from a store, or identifiers skipped because
// one was still in use after wrapping) fall back to a linear scan until the window empties.
//
// Memory: one vector, empty (no allocation) for a session with nothing in flight.
//
// Not thread-safe: owned by the session's worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "broker/outgoing.h"

namespace tern::broker {

// A QoS 1/2 message sent and not yet acknowledged.
struct Inflight {
  std::uint16_t packet_id = 0;
  Outgoing out;
  bool released = false;  // QoS 2: PUBREC received, PUBREL sent, PUBCOMP awaited
};

class InflightWindow {
 public:
  // Messages in flight (holes not counted).
  std::size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

  // Appends a message sent with `entry.packet_id` (never 0, never one in flight).
  void push_back(Inflight entry) {
    if (live_ == 0) clear();
    // Past 65,535 entries identifiers would repeat among the holes.
    if (slots_.size() - head_ >= 65'535) squeeze();
    if (!slots_.empty() && entry.packet_id != following(slots_.back().entry.packet_id)) {
      consecutive_ = false;
    }
    slots_.push_back({std::move(entry), true});
    ++live_;
  }

  // The message in flight with `packet_id`, or nullptr.
  Inflight* find(std::uint16_t packet_id) {
    std::size_t at = index_of(packet_id);
    return at == kNone ? nullptr : &slots_[at].entry;
  }

  bool in_use(std::uint16_t packet_id) { return find(packet_id) != nullptr; }

  // The packet id for the next message: the one after the last handed out that is not in
  // flight. The caller must hold a free place in the window (at most 65,535 entries), so one
  // exists; ids go out in order, so it is almost always the first one tried.
  std::uint16_t next_packet_id() {
    while (true) {
      last_packet_id_ = following(last_packet_id_);
      if (!in_use(last_packet_id_)) return last_packet_id_;
    }
  }
  // Ids handed out elsewhere (a window restored from a store) continue after `packet_id`.
  void set_last_packet_id(std::uint16_t packet_id) { last_packet_id_ = packet_id; }

  // Removes the message in flight with `packet_id`; false if there is none.
  bool erase(std::uint16_t packet_id) {
    std::size_t at = index_of(packet_id);
    if (at == kNone) return false;
    erase_at(at);
    return true;
  }

  // Calls `keep(Inflight&)` for each message in send order; a message for which it returns false
  // is removed.
  template <class F>
  void visit(F&& keep) {
    // Removal marks holes only, so indexes stay valid during the walk; tidying comes after.
    for (std::size_t i = head_; i < slots_.size(); ++i) {
      if (slots_[i].live && !keep(slots_[i].entry)) {
        slots_[i].live = false;
        slots_[i].entry.out = {};
        --live_;
      }
    }
    tidy();
  }
  template <class F>
  void for_each(F&& visit) const {
    for (std::size_t i = head_; i < slots_.size(); ++i) {
      if (slots_[i].live) visit(slots_[i].entry);
    }
  }

 private:
  struct Slot {
    Inflight entry;
    bool live = true;
  };

  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  std::size_t index_of(std::uint16_t packet_id) const {
    if (live_ == 0) return kNone;
    if (consecutive_) {
      std::size_t at = head_ + distance(slots_[head_].entry.packet_id, packet_id);
      bool hit = at < slots_.size() && slots_[at].live && slots_[at].entry.packet_id == packet_id;
      return hit ? at : kNone;
    }
    for (std::size_t i = head_; i < slots_.size(); ++i) {
      if (slots_[i].live && slots_[i].entry.packet_id == packet_id) return i;
    }
    return kNone;
  }

  void erase_at(std::size_t index) {
    Slot& slot = slots_[index];
    slot.live = false;
    slot.entry.out = {};
    --live_;
    tidy();
  }

  // Moves the head past holes and drops holes once they are many.
  void tidy() {
    if (live_ == 0) {
      clear();
      return;
    }
    while (!slots_[head_].live)
      ++head_;
    if (head_ > 64 && head_ * 2 > slots_.size()) {
      slots_.erase(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    } else if (slots_.size() - head_ > 2 * live_ + 64) {
      squeeze();
    }
  }

  // The identifier the broker hands out after `id`: 0 is not an identifier.
  static std::uint16_t following(std::uint16_t id) {
    auto next = static_cast<std::uint16_t>(id + 1);
    return next == 0 ? 1 : next;
  }
  // How many steps of `following` lead from `from` to `to` (both non-zero).
  static std::size_t distance(std::uint16_t from, std::uint16_t to) {
    if (to >= from) return static_cast<std::size_t>(to - from);
    return static_cast<std::size_t>(to) + 65'535 - from;
  }

  void clear() {
    slots_.clear();
    head_ = 0;
    consecutive_ = true;
  }

  // Drops the holes. Offsets no longer follow identifiers, so lookups scan until the window
  // empties; this happens only when an old message stays unacknowledged while many later ones
  // are acknowledged.
  void squeeze() {
    std::erase_if(slots_, [](const Slot& slot) { return !slot.live; });
    head_ = 0;
    consecutive_ = false;
  }

  std::vector<Slot> slots_;
  // 32 bits: a window holds at most 65,535 live entries and as many holes.
  std::uint32_t head_ = 0;  // slots_[head_] is the oldest live entry while live_ > 0
  std::uint32_t live_ = 0;
  std::uint16_t last_packet_id_ = 0;
  bool consecutive_ = true;
};

}  // namespace tern::broker
