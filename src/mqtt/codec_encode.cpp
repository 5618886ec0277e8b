// encode(): every packet is written by one template over the writer, run once to count bytes
// and once to append them, so the Remaining Length always agrees with the body.
#include <algorithm>
#include <type_traits>

#include "mqtt/codec.h"
#include "mqtt/property_codec.h"
#include "mqtt/wire.h"

namespace tern::mqtt {

namespace {

// Room for `more` bytes after what `out` holds. Growing geometrically, not to the exact size:
// a caller appending many packets to one buffer would otherwise reallocate and copy it for
// each one (quadratic; 65,535 PUBLISHes took 37 s in the client).
void reserve_more(std::vector<std::uint8_t>& out, std::size_t more) {
  std::size_t needed = out.size() + more;
  if (needed > out.capacity()) out.reserve(std::max(needed, 2 * out.capacity()));
}

constexpr std::uint8_t type_byte(PacketType type, std::uint8_t flags = 0) {
  return static_cast<std::uint8_t>(static_cast<std::uint8_t>(type) << 4 | flags);
}

template <class W>
void write_properties_if_v5(W& w, const Properties& properties, Version version) {
  if (version == Version::v5) write_properties(w, properties);
}

// Each `write` writes the body of a packet and returns its fixed header's first byte.

template <class W>
std::uint8_t write(W& w, const Connect& p, Version) {
  Version version = p.version;  // a CONNECT states its own version
  bool v3_1 = version == Version::v3_1;
  w.utf8(v3_1 ? "MQIsdp" : "MQTT");
  w.u8(static_cast<std::uint8_t>(version));
  std::uint8_t flags = p.clean_start ? 0x02 : 0;
  if (p.will) {
    flags |= 0x04 | static_cast<std::uint8_t>(static_cast<std::uint8_t>(p.will->qos) << 3);
    if (p.will->retain) flags |= 0x20;
  }
  if (p.password) flags |= 0x40;
  if (p.username) flags |= 0x80;
  w.u8(flags);
  w.u16(p.keep_alive);
  write_properties_if_v5(w, p.properties, version);
  w.utf8(p.client_id);
  if (p.will) {
    write_properties_if_v5(w, p.will->properties, version);
    w.utf8(p.will->topic);
    w.binary(p.will->payload);
  }
  if (p.username) w.utf8(*p.username);
  if (p.password) w.binary(*p.password);
  return type_byte(PacketType::connect);
}

template <class W>
std::uint8_t write(W& w, const Connack& p, Version version) {
  if (version == Version::v5) {
    w.u8(p.session_present ? 1 : 0);
    w.u8(static_cast<std::uint8_t>(p.reason_code));
    write_properties(w, p.properties);
  } else {
    // MQTT 3.1 has no Session Present flag.
    w.u8(version == Version::v3_1_1 && p.session_present ? 1 : 0);
    w.u8(static_cast<std::uint8_t>(connack_return_code_v3(p.reason_code)));
  }
  return type_byte(PacketType::connack);
}

// The PUBLISH variable header (section 3.3.2); returns the first byte of the fixed header.
template <class W>
std::uint8_t write_publish_header(W& w, std::string_view topic, QoS qos, bool retain, bool dup,
                                  std::uint16_t packet_id, const Properties* properties,
                                  Version version,
                                  const PublishPropertyOverrides* overrides = nullptr) {
  w.utf8(topic);
  if (qos != QoS::at_most_once) w.u16(packet_id);
  static const Properties kNoProperties;
  if (version == Version::v5) {
    const Properties& list = properties ? *properties : kNoProperties;
    if (overrides) {
      write_properties(w, list, *overrides);
    } else {
      write_properties(w, list);
    }
  }
  auto flags = static_cast<std::uint8_t>((dup ? 0b1000 : 0) | static_cast<std::uint8_t>(qos) << 1 |
                                         (retain ? 1 : 0));
  return type_byte(PacketType::publish, flags);
}

template <class W>
std::uint8_t write(W& w, const Publish& p, Version version) {
  std::uint8_t first =
      write_publish_header(w, p.topic, p.qos, p.retain, p.dup, p.packet_id, &p.properties, version);
  w.raw(p.payload);
  return first;
}

template <class W, PacketType kType>
std::uint8_t write(W& w, const PublishResponse<kType>& p, Version version) {
  w.u16(p.packet_id);
  // MQTT 5.0 section 3.4.2.1: the shortest form that carries the content.
  if (version == Version::v5) {
    bool has_properties = !p.properties.empty();
    if (p.reason_code != ReasonCode::success || has_properties) {
      w.u8(static_cast<std::uint8_t>(p.reason_code));
    }
    if (has_properties) write_properties(w, p.properties);
  }
  return type_byte(kType, kType == PacketType::pubrel ? 0b0010 : 0);
}

template <class W>
std::uint8_t write(W& w, const Subscribe& p, Version version) {
  w.u16(p.packet_id);
  write_properties_if_v5(w, p.properties, version);
  for (const Subscription& s : p.subscriptions) {
    w.utf8(s.filter);
    auto options = static_cast<std::uint8_t>(s.max_qos);
    if (version == Version::v5) {
      options |= static_cast<std::uint8_t>((s.no_local ? 0b0100 : 0) |
                                           (s.retain_as_published ? 0b1000 : 0) |
                                           static_cast<std::uint8_t>(s.retain_handling) << 4);
    }
    w.u8(options);
  }
  return type_byte(PacketType::subscribe, 0b0010);
}

template <class W>
std::uint8_t write(W& w, const Suback& p, Version version) {
  w.u16(p.packet_id);
  write_properties_if_v5(w, p.properties, version);
  for (ReasonCode code : p.reason_codes) {
    auto byte = static_cast<std::uint8_t>(code);
    // Before 5.0 every refusal is 0x80 Failure (3.1.1 section 3.9.3).
    if (version != Version::v5 && byte > 2) byte = 0x80;
    w.u8(byte);
  }
  return type_byte(PacketType::suback);
}

template <class W>
std::uint8_t write(W& w, const Unsubscribe& p, Version version) {
  w.u16(p.packet_id);
  write_properties_if_v5(w, p.properties, version);
  for (const std::string& filter : p.filters)
    w.utf8(filter);
  return type_byte(PacketType::unsubscribe, 0b0010);
}

template <class W>
std::uint8_t write(W& w, const Unsuback& p, Version version) {
  w.u16(p.packet_id);
  if (version == Version::v5) {
    write_properties(w, p.properties);
    for (ReasonCode code : p.reason_codes)
      w.u8(static_cast<std::uint8_t>(code));
  }
  return type_byte(PacketType::unsuback);
}

template <class W>
std::uint8_t write(W&, const Pingreq&, Version) {
  return type_byte(PacketType::pingreq);
}

template <class W>
std::uint8_t write(W&, const Pingresp&, Version) {
  return type_byte(PacketType::pingresp);
}

// DISCONNECT and AUTH: empty when the reason is Success without properties (sections 3.14.2.1
// and 3.15.2.1), the Reason Code alone when there are no properties.
template <class W>
void write_reason_and_properties(W& w, ReasonCode reason_code, const Properties& properties) {
  bool has_properties = !properties.empty();
  if (reason_code == ReasonCode::success && !has_properties) return;
  w.u8(static_cast<std::uint8_t>(reason_code));
  if (has_properties) write_properties(w, properties);
}

template <class W>
std::uint8_t write(W& w, const Disconnect& p, Version version) {
  if (version == Version::v5) write_reason_and_properties(w, p.reason_code, p.properties);
  return type_byte(PacketType::disconnect);
}

template <class W>
std::uint8_t write(W& w, const Auth& p, Version) {
  write_reason_and_properties(w, p.reason_code, p.properties);
  return type_byte(PacketType::auth);
}

template <class W>
std::uint8_t write_body(W& w, const Packet& packet, Version version) {
  return std::visit([&](const auto& p) { return write(w, p, version); }, packet);
}

// Remaining Length of `packet`, or the reason it cannot be encoded.
Result<std::uint32_t> body_size(const Packet& packet, Version version) {
  if (std::holds_alternative<Auth>(packet) && version != Version::v5) {
    return Errc::reserved_packet_type;
  }
  wire::SizeCounter counter;
  write_body(counter, packet, version);
  if (counter.too_long()) return Errc::string_too_long;
  if (counter.size() > kMaxVarint) return Errc::packet_too_large;
  return static_cast<std::uint32_t>(counter.size());
}

}  // namespace

Result<std::size_t> encoded_size(const Packet& packet, Version version) {
  auto body = body_size(packet, version);
  if (!body) return body.error();
  return std::size_t{1} + wire::varint_size(*body) + *body;
}

Result<std::size_t> encode(const Packet& packet, Version version, std::vector<std::uint8_t>& out) {
  auto body = body_size(packet, version);
  if (!body) return body.error();
  std::size_t total = 1 + wire::varint_size(*body) + *body;
  reserve_more(out, total);
  wire::ByteWriter writer(out);
  std::size_t header_at = out.size();
  writer.u8(0);  // the first byte is known once the body's writer has run
  writer.varint(*body);
  out[header_at] = write_body(writer, packet, version);
  return total;
}

Result<std::size_t> encode_publish_header(std::string_view topic, QoS qos, bool retain, bool dup,
                                          std::uint16_t packet_id, const Properties* properties,
                                          std::size_t payload_size, Version version,
                                          std::vector<std::uint8_t>& out,
                                          const PublishPropertyOverrides* overrides) {
  wire::SizeCounter counter;
  write_publish_header(counter, topic, qos, retain, dup, packet_id, properties, version, overrides);
  if (counter.too_long()) return Errc::string_too_long;
  std::size_t body = counter.size() + payload_size;
  if (body > kMaxVarint) return Errc::packet_too_large;
  std::size_t header = 1 + wire::varint_size(static_cast<std::uint32_t>(body)) + counter.size();
  reserve_more(out, header);
  wire::ByteWriter writer(out);
  std::size_t first_at = out.size();
  writer.u8(0);
  writer.varint(static_cast<std::uint32_t>(body));
  out[first_at] = write_publish_header(writer, topic, qos, retain, dup, packet_id, properties,
                                       version, overrides);
  return header;
}

Result<SharedBytes> encode_shared(const Packet& packet, Version version) {
  std::vector<std::uint8_t> bytes;
  auto size = encode(packet, version, bytes);
  if (!size) return size.error();
  return SharedBytes(std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes)));
}

}  // namespace tern::mqtt
