// The decode error taxonomy of the codec.
//
// Every rejection of untrusted bytes is one Errc value. Each maps to the MQTT 5.0 reason code a
// server (or client) should answer with (`reason_code`), and has a one-line description that
// names the rule it enforces (`describe`). The broker turns an Errc into its wire reply (CONNACK
// or DISCONNECT for MQTT 5.0 peers, a closed socket for MQTT 3.1/3.1.1) in one place.
#pragma once

#include <cstdint>
#include <string_view>

#include "mqtt/reason_code.h"

namespace tern::mqtt {

enum class Errc : std::uint8_t {
  // Framing (fixed header).
  remaining_length_too_long,   // more than 4 bytes (5.0 section 1.5.5, 3.1.1 section 2.2.3)
  varint_not_minimal,          // [MQTT-1.5.5-1]
  packet_too_large,            // over the negotiated or configured maximum (0x95)
  reserved_packet_type,        // type 0, or AUTH before MQTT 5.0 (section 2.1.2)
  invalid_fixed_header_flags,  // [MQTT-2.1.3-1], 3.1.1 [MQTT-2.2.2-2]
  unexpected_packet,           // packet type never sent by this sender (a CONNACK from a client)
  // Field encoding.
  truncated,           // the packet ends inside a field
  trailing_bytes,      // bytes left over after the last field
  invalid_utf8,        // ill-formed UTF-8 or a surrogate [MQTT-1.5.4-1]
  utf8_contains_null,  // U+0000 [MQTT-1.5.4-2]
  string_too_long,     // encoding only: a string or binary field over 65,535 bytes
  // Properties (MQTT 5.0 section 2.2.2).
  property_length_invalid,      // property length runs past the packet
  unknown_property,             // identifier not defined by MQTT 5.0
  property_not_allowed,         // identifier not valid for this packet (section 2.2.2.2)
  duplicate_property,           // a property that may appear once appears twice
  invalid_property_value,       // e.g. Receive Maximum 0, a boolean that is not 0 or 1
  subscription_id_from_client,  // PUBLISH from a client with Subscription Identifier [MQTT-3.3.4-6]
  session_expiry_from_server,   // DISCONNECT from a server with Session Expiry [MQTT-3.14.2-2]
  auth_data_without_method,     // Authentication Data without Authentication Method
  // CONNECT and CONNACK.
  unsupported_protocol_name,     // not "MQTT" (or "MQIsdp" at level 3) [MQTT-3.1.2-1]
  unsupported_protocol_version,  // level not 3, 4 or 5 [MQTT-3.1.2-2]
  connect_reserved_flag,         // CONNECT flags bit 0 [MQTT-3.1.2-3]
  will_flags_without_will,  // Will QoS or Retain without Will Flag [MQTT-3.1.2-11], [MQTT-3.1.2-13]
  invalid_will_qos,         // Will QoS 3 [MQTT-3.1.2-12]
  password_without_username,   // MQTT 3.1.1 only [MQTT-3.1.2-22]
  invalid_will_topic,          // will topic empty or with wildcards [MQTT-4.7.0-1], [MQTT-4.7.3-1]
  connack_reserved_flags,      // [MQTT-3.2.2-1]
  session_present_on_failure,  // [MQTT-3.2.2-6]
  // PUBLISH.
  invalid_qos,         // QoS 3 [MQTT-3.3.1-4]
  dup_on_qos0,         // DUP set on a QoS 0 message [MQTT-3.3.1-2]
  invalid_topic_name,  // wildcard in a topic name [MQTT-3.3.2-2]
  empty_topic_name,    // empty without a Topic Alias [MQTT-3.3.2-1], [MQTT-4.7.3-1]
  topic_alias_zero,    // Topic Alias 0 [MQTT-3.3.2-8]
  zero_packet_id,      // [MQTT-2.2.1-3], [MQTT-2.2.1-4], 3.1.1 [MQTT-2.3.1-1]
  // SUBSCRIBE, UNSUBSCRIBE and their acknowledgements.
  no_topic_filters,             // [MQTT-3.8.3-2], [MQTT-3.10.3-2]
  invalid_topic_filter,         // misplaced wildcard, empty filter [MQTT-4.7.1-1], [MQTT-4.7.1-2],
                                // [MQTT-4.7.3-1]
  invalid_shared_subscription,  // $share/{name}/{filter} [MQTT-4.8.2-1], [MQTT-4.8.2-2]
  subscription_options_reserved,  // reserved option bits set [MQTT-3.8.3-5]
  invalid_subscription_qos,       // Maximum QoS 3 (MQTT 5.0 section 3.8.3.1)
  invalid_retain_handling,        // Retain Handling 3 (MQTT 5.0 section 3.8.3.1)
  no_local_on_shared,             // No Local on a shared subscription [MQTT-3.8.3-4]
  no_reason_codes,                // SUBACK / UNSUBACK without a reason code
  // Reason codes.
  invalid_reason_code,  // a code not defined for this packet type
};

// The MQTT 5.0 reason code that answers this error.
ReasonCode reason_code(Errc error);

// One line: what was wrong and the rule it breaks, e.g. "remaining length is not minimally
// encoded [MQTT-1.5.5-1]". Static storage; never empty.
std::string_view describe(Errc error);

}  // namespace tern::mqtt
