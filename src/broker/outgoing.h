// Outgoing: a message on its way to one session's client, with what that receiver adds to it
// (its QoS, retain flag, subscription identifiers, shared group, sequence number).
//
// A value type; owned by the session that holds it.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "broker/message.h"

namespace tern::broker {

// The Subscription Identifiers of a receiver's matching subscriptions (MQTT 5.0 section
// 3.3.4): almost always none or one, so two are kept inline and only more allocate.
class SubscriptionIds {
 public:
  void add(std::uint32_t id) {
    if (id == 0) return;
    if (more_.empty() && count_ < inline_.size()) {
      inline_[count_++] = id;
      return;
    }
    if (more_.empty()) more_.assign(inline_.begin(), inline_.begin() + count_);
    more_.push_back(id);
  }
  std::span<const std::uint32_t> view() const {
    if (!more_.empty()) return more_;
    return {inline_.data(), count_};
  }
  bool empty() const { return count_ == 0 && more_.empty(); }

 private:
  std::array<std::uint32_t, 2> inline_{};
  std::uint8_t count_ = 0;
  std::vector<std::uint32_t> more_;
};

// A message on its way to this session's client.
struct Outgoing {
  Outgoing() = default;
  Outgoing(MessagePtr m, mqtt::QoS q, bool r) : message(std::move(m)), qos(q), retain(r) {}

  MessagePtr message;
  mqtt::QoS qos = mqtt::QoS::at_most_once;
  bool retain = false;
  SubscriptionIds subscription_ids;
  // Set when the message came through a shared subscription: if this session ends before the
  // client acknowledges it, another member of the group gets it (MQTT 5.0 section 4.8.2).
  std::string shared_group;
  std::uint64_t seq = 0;  // QoS 1/2: the session's count of messages, which names it in the store
};

}  // namespace tern::broker
