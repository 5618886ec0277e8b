// decode(): the fixed header rules, then the packets with short bodies. CONNECT and the
// subscription packets have files of their own.
#include "mqtt/codec.h"
#include "mqtt/decoders.h"
#include "mqtt/property_codec.h"
#include "mqtt/topic.h"
#include "mqtt/wire.h"

namespace tern::mqtt {

namespace {

// [MQTT-2.1.3-1]: PUBREL, SUBSCRIBE and UNSUBSCRIBE have flags 0010, PUBLISH has its own flags,
// every other packet 0000.
bool flags_valid(PacketType type, std::uint8_t flags) {
  switch (type) {
    case PacketType::publish:
      return true;
    case PacketType::pubrel:
    case PacketType::subscribe:
    case PacketType::unsubscribe:
      return flags == 0b0010;
    default:
      return flags == 0;
  }
}

// Which side may send each packet type (MQTT 5.0 section 2.1.2, "Direction of flow").
bool may_send(PacketType type, Sender sender, Version version) {
  switch (type) {
    case PacketType::connect:
    case PacketType::subscribe:
    case PacketType::unsubscribe:
    case PacketType::pingreq:
      return sender == Sender::client;
    case PacketType::connack:
    case PacketType::suback:
    case PacketType::unsuback:
    case PacketType::pingresp:
      return sender == Sender::server;
    // Before 5.0 only a client sends DISCONNECT.
    case PacketType::disconnect:
      return sender == Sender::client || version == Version::v5;
    default:
      return true;
  }
}

ReasonCode read_reason_code(wire::Reader& r, PacketType type) {
  std::uint8_t code = r.u8();
  if (!r.failed() && !is_valid_reason_code(type, code)) r.fail(Errc::invalid_reason_code);
  return static_cast<ReasonCode>(code);
}

// MQTT 3.1.1 CONNACK return codes (section 3.2.2.3) as the equivalent 5.0 reason codes.
ReasonCode from_v3_return_code(wire::Reader& r, std::uint8_t code) {
  switch (code) {
    case 0:
      return ReasonCode::success;
    case 1:
      return ReasonCode::unsupported_protocol_version;
    case 2:
      return ReasonCode::client_identifier_not_valid;
    case 3:
      return ReasonCode::server_unavailable;
    case 4:
      return ReasonCode::bad_username_or_password;
    case 5:
      return ReasonCode::not_authorized;
    default:
      r.fail(Errc::invalid_reason_code);
      return ReasonCode::unspecified_error;
  }
}

Connack decode_connack(wire::Reader& r, Version version) {
  Connack p;
  std::uint8_t flags = r.u8();
  std::uint8_t code = r.u8();
  if (version == Version::v3_1) {
    // MQTT 3.1 has no Session Present: the first byte is reserved and ignored.
    p.reason_code = from_v3_return_code(r, code);
    return p;
  }
  if (flags & 0xFE) r.fail(Errc::connack_reserved_flags);  // [MQTT-3.2.2-1]
  p.session_present = flags & 1;
  if (version == Version::v5) {
    if (!r.failed() && !is_valid_reason_code(PacketType::connack, code)) {
      r.fail(Errc::invalid_reason_code);
    }
    p.reason_code = static_cast<ReasonCode>(code);
    p.properties = read_properties(r, PropertyScope::connack, Sender::server);
  } else {
    p.reason_code = from_v3_return_code(r, code);
  }
  // [MQTT-3.2.2-6] (3.1.1: [MQTT-3.2.2-4]).
  if (p.session_present && p.reason_code != ReasonCode::success) {
    r.fail(Errc::session_present_on_failure);
  }
  return p;
}

Publish decode_publish(wire::Reader& r, std::uint8_t flags, Version version, Sender sender) {
  Publish p;
  p.dup = flags & 0b1000;
  p.retain = flags & 0b0001;
  std::uint8_t qos = (flags >> 1) & 0b11;
  if (qos == 3) r.fail(Errc::invalid_qos);           // [MQTT-3.3.1-4]
  if (p.dup && qos == 0) r.fail(Errc::dup_on_qos0);  // [MQTT-3.3.1-2]
  p.qos = static_cast<QoS>(qos);
  p.topic = r.utf8();
  if (qos > 0) p.packet_id = detail::read_packet_id(r);
  if (version == Version::v5) p.properties = read_properties(r, PropertyScope::publish, sender);
  if (r.failed()) return p;
  if (p.topic.empty()) {
    // [MQTT-3.3.2-1]; 5.0 allows an empty name when a Topic Alias stands for it (3.3.2.3.4).
    if (version != Version::v5 || !p.properties.topic_alias) r.fail(Errc::empty_topic_name);
  } else if (has_wildcard(p.topic)) {
    r.fail(Errc::invalid_topic_name);  // [MQTT-3.3.2-2]
  }
  p.payload = r.rest();
  return p;
}

template <PacketType kType>
PublishResponse<kType> decode_publish_response(wire::Reader& r, Version version, Sender sender) {
  PublishResponse<kType> p;
  p.packet_id = detail::read_packet_id(r);
  // MQTT 5.0 sections 3.4.2.1 and 3.4.2.2: Reason Code and Property Length may be omitted.
  if (version == Version::v5 && !r.at_end()) {
    p.reason_code = read_reason_code(r, kType);
    if (!r.at_end()) {
      auto scope = static_cast<PropertyScope>(static_cast<int>(PropertyScope::puback) +
                                              static_cast<int>(kType) -
                                              static_cast<int>(PacketType::puback));
      p.properties = read_properties(r, scope, sender);
    }
  }
  return p;
}

// SUBACK and UNSUBACK: a packet identifier, properties (5.0) and one code per topic filter.
template <class Ack>
Ack decode_subscribe_ack(wire::Reader& r, Version version, PacketType type, PropertyScope scope) {
  Ack p;
  p.packet_id = detail::read_packet_id(r);
  if (version == Version::v5) p.properties = read_properties(r, scope, Sender::server);
  if (version != Version::v5 && type == PacketType::unsuback) return p;  // no payload before 5.0
  while (!r.failed() && !r.at_end()) {
    std::uint8_t code = r.u8();
    // Before 5.0 a SUBACK holds 0x00, 0x01, 0x02 or 0x80 [MQTT-3.9.3-2].
    bool valid =
        version == Version::v5 ? is_valid_reason_code(type, code) : (code <= 2 || code == 0x80);
    if (!valid) r.fail(Errc::invalid_reason_code);
    p.reason_codes.push_back(static_cast<ReasonCode>(code));
  }
  if (!r.failed() && p.reason_codes.empty()) r.fail(Errc::no_reason_codes);
  return p;
}

// DISCONNECT and AUTH (5.0): both may stop after the Reason Code, or have no body at all.
template <class P>
P decode_reason_only(wire::Reader& r, PacketType type, PropertyScope scope, Sender sender) {
  P p;
  if (r.at_end()) return p;
  p.reason_code = read_reason_code(r, type);
  if (!r.at_end()) p.properties = read_properties(r, scope, sender);
  return p;
}

Packet decode_body(wire::Reader& r, PacketType type, std::uint8_t flags, Version version,
                   Sender sender) {
  switch (type) {
    case PacketType::connect:
      return detail::decode_connect(r);
    case PacketType::connack:
      return decode_connack(r, version);
    case PacketType::publish:
      return decode_publish(r, flags, version, sender);
    case PacketType::puback:
      return decode_publish_response<PacketType::puback>(r, version, sender);
    case PacketType::pubrec:
      return decode_publish_response<PacketType::pubrec>(r, version, sender);
    case PacketType::pubrel:
      return decode_publish_response<PacketType::pubrel>(r, version, sender);
    case PacketType::pubcomp:
      return decode_publish_response<PacketType::pubcomp>(r, version, sender);
    case PacketType::subscribe:
      return detail::decode_subscribe(r, version);
    case PacketType::suback:
      return decode_subscribe_ack<Suback>(r, version, type, PropertyScope::suback);
    case PacketType::unsubscribe:
      return detail::decode_unsubscribe(r, version);
    case PacketType::unsuback:
      return decode_subscribe_ack<Unsuback>(r, version, type, PropertyScope::unsuback);
    case PacketType::pingreq:
      return Pingreq{};
    case PacketType::pingresp:
      return Pingresp{};
    case PacketType::disconnect:
      if (version != Version::v5) return Disconnect{};
      return decode_reason_only<Disconnect>(r, type, PropertyScope::disconnect, sender);
    case PacketType::auth:
      return decode_reason_only<Auth>(r, type, PropertyScope::auth, sender);
  }
  return Pingreq{};  // unreachable: every type is handled above
}

}  // namespace

Result<Packet> decode(const Frame& frame, Version version, Sender sender) {
  std::uint8_t type_bits = frame.type_bits();
  // Section 2.1.2: type 0 is reserved, and so is 15 before MQTT 5.0 brought AUTH.
  if (type_bits == 0 || (type_bits == 15 && version != Version::v5)) {
    return Errc::reserved_packet_type;
  }
  auto type = static_cast<PacketType>(type_bits);
  if (!flags_valid(type, frame.flags())) return Errc::invalid_fixed_header_flags;
  if (!may_send(type, sender, version)) return Errc::unexpected_packet;

  wire::Reader r(frame.body);
  Packet packet = decode_body(r, type, frame.flags(), version, sender);
  if (!r.failed() && !r.at_end()) r.fail(Errc::trailing_bytes);
  if (r.failed()) return r.error();
  return packet;
}

std::optional<Version> peek_connect_version(const Frame& frame) {
  if (frame.type_bits() != static_cast<std::uint8_t>(PacketType::connect)) return std::nullopt;
  wire::Reader r(frame.body);
  std::string name = r.binary();
  std::uint8_t level = r.u8();
  if (r.failed()) return std::nullopt;
  if (name == "MQIsdp" && level == 3) return Version::v3_1;
  if (name == "MQTT" && level == 4) return Version::v3_1_1;
  if (name == "MQTT" && level == 5) return Version::v5;
  return std::nullopt;
}

PacketType type_of(const Packet& packet) {
  // Packet's alternatives are declared in packet type order, CONNECT (1) first.
  return static_cast<PacketType>(packet.index() + 1);
}

}  // namespace tern::mqtt
