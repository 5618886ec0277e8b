// Message: an application message as the broker holds it between a PUBLISH in and the PUBLISHes
// out, and as retained and queued messages keep it.
//
// Immutable once built and shared by reference (MessagePtr) between the retained store, every
// subscriber's queue and every worker thread; the reference count is the only shared state.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "mqtt/properties.h"
#include "mqtt/types.h"

namespace tern::broker {

struct Message {
  std::string topic;
  std::string payload;
  mqtt::QoS qos = mqtt::QoS::at_most_once;
  bool retain = false;
  // MQTT 5.0 properties forwarded to subscribers; never a Topic Alias or Subscription Identifier
  // (those are per receiver: mqtt::PublishPropertyOverrides).
  mqtt::Properties properties;
  // From the Message Expiry Interval: when the message stops being delivered [MQTT-3.3.2-5].
  std::optional<std::chrono::steady_clock::time_point> expires_at;
};

using MessagePtr = std::shared_ptr<const Message>;

// Identifies a session for as long as the broker runs; never reused.
using SessionId = std::uint64_t;

}  // namespace tern::broker
