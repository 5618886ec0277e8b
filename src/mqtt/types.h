// Basic vocabulary of the MQTT codec: protocol versions, QoS levels, packet types.
//
// Plain value types with no behaviour; shared by every other file of the codec.
#pragma once

#include <cstdint>
#include <string_view>

namespace tern::mqtt {

// The protocol level byte of CONNECT. MQTT 3.1 uses protocol name "MQIsdp" with level 3;
// 3.1.1 and 5.0 use "MQTT" with levels 4 and 5.
enum class Version : std::uint8_t { v3_1 = 3, v3_1_1 = 4, v5 = 5 };

enum class QoS : std::uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

// Fixed header packet types (MQTT 5.0 section 2.1.2). Values 0 is reserved; 15 (AUTH) is
// reserved before MQTT 5.0.
enum class PacketType : std::uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  pubrec = 5,
  pubrel = 6,
  pubcomp = 7,
  subscribe = 8,
  suback = 9,
  unsubscribe = 10,
  unsuback = 11,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
  auth = 15,
};

// Who sent the bytes being decoded. Some rules depend on direction: a server never receives
// CONNACK, and a client never sends a PUBLISH with a Subscription Identifier [MQTT-3.3.4-6].
enum class Sender : std::uint8_t { client, server };

// Largest value a Variable Byte Integer can hold (MQTT 5.0 section 1.5.5).
inline constexpr std::uint32_t kMaxVarint = 268'435'455;
// Largest packet the wire format allows: 1 type byte + 4 length bytes + 268,435,455.
inline constexpr std::uint32_t kMaxPacketSize = 1 + 4 + kMaxVarint;
// Largest Subscription Identifier (MQTT 5.0 section 3.8.2.1.2).
inline constexpr std::uint32_t kMaxSubscriptionId = kMaxVarint;

std::string_view to_string(PacketType type);
std::string_view to_string(Version version);

}  // namespace tern::mqtt
