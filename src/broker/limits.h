// BrokerLimits: every bound the broker core enforces, filled from the configuration.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "mqtt/types.h"

namespace tern::broker {

// How a message to a shared subscription picks its member (MQTT 5.0 section 4.8.2 leaves it to
// the server).
enum class SharedStrategy { round_robin, random, sticky };

struct BrokerLimits {
  std::uint32_t max_packet_size = 268'435'455 + 5;  // bytes, whole packet
  std::uint32_t message_size_limit = 0;             // payload bytes; 0 = no limit
  std::size_t max_inflight_messages = 20;           // per client; 0 = unlimited
  std::size_t max_queued_messages = 1000;           // per client; 0 = unlimited
  std::size_t max_queued_bytes = 0;                 // per client; 0 = unlimited
  // Bytes a connection may have waiting to be written before QoS 0 messages to it are dropped.
  std::size_t max_write_buffer = 8 * 1024 * 1024;
  std::uint16_t max_keepalive = 65'535;                  // seconds
  std::chrono::seconds persistent_client_expiration{0};  // 0 = never
  bool retain_available = true;
  bool allow_zero_length_clientid = true;
  bool queue_qos0_messages = false;
  mqtt::QoS max_qos = mqtt::QoS::exactly_once;
  // Deliver at the subscription's QoS even above the message's (Mosquitto's option; breaks
  // MQTT 3.1.1 section 3.8.4, which the operator chose).
  bool upgrade_outgoing_qos = false;
  bool connection_messages = true;  // log connects and disconnects
  // Levels a topic name or filter may have. The tree walks are recursive, and a 64 KiB filter of
  // '/' alone would be 65,536 levels; Mosquitto allows 201 (200 separators), and so do we.
  std::size_t max_topic_levels = 201;
  // MQTT 5.0: Topic Alias Maximum granted to clients, and the aliases the broker uses towards a
  // client (at most what the client grants).
  std::uint16_t max_topic_alias = 10;
  std::uint16_t max_topic_alias_broker = 10;
  bool shared_subscriptions = true;
  SharedStrategy shared_strategy = SharedStrategy::round_robin;
  // MQTT 5.0 redirection (section 4.11): new clients are sent to this server reference, with
  // 0x9D Server moved when `server_moved`, else 0x9C Use another server.
  std::optional<std::string> server_reference;
  bool server_moved = false;
  // A connection that has not completed CONNECT by then is closed.
  std::chrono::seconds connect_timeout{10};
};

}  // namespace tern::broker
