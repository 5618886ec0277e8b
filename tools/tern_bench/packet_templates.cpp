#include "packet_templates.h"

#include <cassert>
#include <cstring>
#include <stdexcept>
#include <string>

#include "mqtt/codec.h"
#include "mqtt/packets.h"

namespace tern::bench {

namespace {

void put_le(std::uint8_t* out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

std::uint64_t get_le(const char* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i)
    value |= std::uint64_t{static_cast<std::uint8_t>(in[i])} << (8 * i);
  return value;
}

}  // namespace

void write_payload_header(const PayloadHeader& header, std::uint8_t* out) {
  put_le(out, header.timestamp_ns, 8);
  put_le(out + 8, header.publisher, 4);
  put_le(out + 12, header.sequence, 4);
}

std::optional<PayloadHeader> read_payload_header(std::string_view payload) {
  if (payload.size() < kPayloadHeaderSize) return std::nullopt;
  PayloadHeader header;
  header.timestamp_ns = get_le(payload.data(), 8);
  header.publisher = static_cast<std::uint32_t>(get_le(payload.data() + 8, 4));
  header.sequence = static_cast<std::uint32_t>(get_le(payload.data() + 12, 4));
  return header;
}

PublishTemplate::PublishTemplate(std::string_view topic, mqtt::QoS qos, std::uint32_t payload_size,
                                 std::uint32_t publisher, mqtt::Version version)
    : publisher_(publisher) {
  assert(payload_size >= kPayloadHeaderSize);
  // A non-zero identifier so that the codec writes the field; patched per message.
  std::uint16_t placeholder = qos == mqtt::QoS::at_most_once ? 0 : 0xFFFF;
  auto header = mqtt::encode_publish_header(topic, qos, false, false, placeholder, nullptr,
                                            payload_size, version, bytes_);
  if (!header) {
    throw std::runtime_error("cannot encode a PUBLISH to '" + std::string(topic) +
                             "': " + std::string(mqtt::describe(header.error())));
  }
  payload_offset_ = bytes_.size();
  bytes_.resize(bytes_.size() + payload_size, 0);
  if (qos != mqtt::QoS::at_most_once) {
    // The identifier ends the variable header in 3.1.1; in 5.0 the property length (0, one byte)
    // follows it.
    packet_id_offset_ = payload_offset_ - 2 - (version == mqtt::Version::v5 ? 1 : 0);
    assert(bytes_[packet_id_offset_] == 0xFF && bytes_[packet_id_offset_ + 1] == 0xFF);
  }
}

void PublishTemplate::append(std::uint16_t packet_id, std::uint64_t timestamp_ns,
                             std::uint32_t sequence, std::vector<std::uint8_t>& out) const {
  std::size_t at = out.size();
  out.insert(out.end(), bytes_.begin(), bytes_.end());
  std::uint8_t* packet = out.data() + at;
  if (packet_id_offset_ != 0) {
    packet[packet_id_offset_] = static_cast<std::uint8_t>(packet_id >> 8);
    packet[packet_id_offset_ + 1] = static_cast<std::uint8_t>(packet_id);
  }
  write_payload_header({timestamp_ns, publisher_, sequence}, packet + payload_offset_);
}

AckTemplates::AckTemplates(mqtt::Version version) {
  auto first_byte = [&](const mqtt::Packet& packet) {
    std::vector<std::uint8_t> bytes;
    auto size = mqtt::encode(packet, version, bytes);
    // A Success acknowledgement without properties is 4 bytes in every version.
    if (!size || bytes.size() != 4) throw std::logic_error("unexpected acknowledgement encoding");
    return bytes[0];
  };
  auto set = [&]<class Ack>(Ack ack) {
    ack.packet_id = 1;
    first_byte_[static_cast<int>(Ack::type)] = first_byte(ack);
  };
  set(mqtt::Puback{});
  set(mqtt::Pubrec{});
  set(mqtt::Pubrel{});
  set(mqtt::Pubcomp{});
}

void AckTemplates::append(mqtt::PacketType type, std::uint16_t packet_id,
                          std::vector<std::uint8_t>& out) const {
  std::uint8_t first = first_byte_[static_cast<int>(type)];
  assert(first != 0);
  out.insert(out.end(), {first, 2, static_cast<std::uint8_t>(packet_id >> 8),
                         static_cast<std::uint8_t>(packet_id)});
}

}  // namespace tern::bench
