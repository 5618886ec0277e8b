// The MQTT control packets as plain value types, one struct per packet type, and `Packet`, the
// variant of them all (MQTT 5.0 chapter 3; MQTT 3.1.1 chapter 3).
//
// One set of structs serves all three protocol versions. Fields that a version lacks are ignored
// when encoding for it (properties before 5.0) and left at their defaults when decoding. Strings
// hold UTF-8 text; payloads, passwords and other Binary Data are held as bytes in std::string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mqtt/properties.h"
#include "mqtt/reason_code.h"
#include "mqtt/types.h"

namespace tern::mqtt {

struct Will {
  std::string topic;
  std::string payload;
  QoS qos = QoS::at_most_once;
  bool retain = false;
  Properties properties;  // Will Properties (MQTT 5.0 section 3.1.3.2)
  bool operator==(const Will&) const = default;
};

struct Connect {
  Version version = Version::v5;
  bool clean_start = true;  // "Clean Session" before MQTT 5.0
  std::uint16_t keep_alive = 0;
  std::string client_id;
  std::optional<Will> will;
  std::optional<std::string> username;
  std::optional<std::string> password;
  Properties properties;
  bool operator==(const Connect&) const = default;
};

// Before MQTT 5.0 the reason code travels as a 3.1.1 return code (see connack_return_code_v3);
// MQTT 3.1 has no Session Present flag.
struct Connack {
  bool session_present = false;
  ReasonCode reason_code = ReasonCode::success;
  Properties properties;
  bool operator==(const Connack&) const = default;
};

struct Publish {
  std::string topic;
  std::string payload;
  QoS qos = QoS::at_most_once;
  bool retain = false;
  bool dup = false;
  std::uint16_t packet_id = 0;  // present on the wire only for QoS 1 and 2
  Properties properties;
  bool operator==(const Publish&) const = default;
};

// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape. Before MQTT 5.0 only the packet
// identifier is on the wire.
template <PacketType kType>
struct PublishResponse {
  static constexpr PacketType type = kType;
  std::uint16_t packet_id = 0;
  ReasonCode reason_code = ReasonCode::success;
  Properties properties;
  bool operator==(const PublishResponse&) const = default;
};
using Puback = PublishResponse<PacketType::puback>;
using Pubrec = PublishResponse<PacketType::pubrec>;
using Pubrel = PublishResponse<PacketType::pubrel>;
using Pubcomp = PublishResponse<PacketType::pubcomp>;

enum class RetainHandling : std::uint8_t {
  send_on_subscribe = 0,
  send_if_new_subscription = 1,
  do_not_send = 2,
};

// One entry of a SUBSCRIBE payload. Options other than max_qos exist from MQTT 5.0 on.
struct Subscription {
  std::string filter;
  QoS max_qos = QoS::at_most_once;
  bool no_local = false;
  bool retain_as_published = false;
  RetainHandling retain_handling = RetainHandling::send_on_subscribe;
  bool operator==(const Subscription&) const = default;
};

struct Subscribe {
  std::uint16_t packet_id = 0;
  std::vector<Subscription> subscriptions;
  Properties properties;
  bool operator==(const Subscribe&) const = default;
};

// Before MQTT 5.0 the codes are the return codes 0x00, 0x01, 0x02 and 0x80, which have the same
// values as the 5.0 reason codes Granted QoS 0-2 and Unspecified error.
struct Suback {
  std::uint16_t packet_id = 0;
  std::vector<ReasonCode> reason_codes;
  Properties properties;
  bool operator==(const Suback&) const = default;
};

struct Unsubscribe {
  std::uint16_t packet_id = 0;
  std::vector<std::string> filters;
  Properties properties;
  bool operator==(const Unsubscribe&) const = default;
};

// Before MQTT 5.0 UNSUBACK carries no reason codes.
struct Unsuback {
  std::uint16_t packet_id = 0;
  std::vector<ReasonCode> reason_codes;
  Properties properties;
  bool operator==(const Unsuback&) const = default;
};

struct Pingreq {
  bool operator==(const Pingreq&) const = default;
};
struct Pingresp {
  bool operator==(const Pingresp&) const = default;
};

// Before MQTT 5.0 DISCONNECT is empty and only a client sends it.
struct Disconnect {
  ReasonCode reason_code = ReasonCode::success;
  Properties properties;
  bool operator==(const Disconnect&) const = default;
};

// MQTT 5.0 only.
struct Auth {
  ReasonCode reason_code = ReasonCode::success;
  Properties properties;
  bool operator==(const Auth&) const = default;
};

using Packet = std::variant<Connect, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp, Subscribe,
                            Suback, Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect, Auth>;

PacketType type_of(const Packet& packet);

}  // namespace tern::mqtt
