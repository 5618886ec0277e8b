// Pre-encoded packets: what tern_bench sends is encoded once by the codec at start-up, then
// copied and patched per message (packet identifier, timestamp, sequence number), so sending
// costs a memcpy rather than an encode.
//
// The payload of every benchmark message starts with a 16-byte header, little-endian:
//   bytes 0-7   send time, steady clock nanoseconds (CLOCK_MONOTONIC: one clock per machine)
//   bytes 8-11  publisher index
//   bytes 12-15 sequence number of the message from that publisher, from 0
// then padding up to the payload size.
//
// Plain values; thread-safe to read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "mqtt/types.h"

namespace tern::bench {

struct PayloadHeader {
  std::uint64_t timestamp_ns = 0;
  std::uint32_t publisher = 0;
  std::uint32_t sequence = 0;
};

inline constexpr std::size_t kPayloadHeaderSize = 16;

void write_payload_header(const PayloadHeader& header, std::uint8_t* out);
// std::nullopt when the payload is shorter than the header.
std::optional<PayloadHeader> read_payload_header(std::string_view payload);

// One publisher's PUBLISH, encoded once; append() copies it and patches the variable fields.
class PublishTemplate {
 public:
  PublishTemplate(std::string_view topic, mqtt::QoS qos, std::uint32_t payload_size,
                  std::uint32_t publisher, mqtt::Version version);

  // Appends the PUBLISH with `packet_id` (ignored at QoS 0), `timestamp_ns` and `sequence`.
  void append(std::uint16_t packet_id, std::uint64_t timestamp_ns, std::uint32_t sequence,
              std::vector<std::uint8_t>& out) const;
  std::size_t size() const { return bytes_.size(); }

 private:
  std::vector<std::uint8_t> bytes_;
  std::size_t packet_id_offset_ = 0;  // 0 at QoS 0
  std::size_t payload_offset_ = 0;
  std::uint32_t publisher_ = 0;
};

// PUBACK, PUBREC, PUBREL and PUBCOMP with reason Success: four bytes, the identifier in the last
// two (MQTT 5.0 omits a Success reason code without properties, section 3.4.2.1).
class AckTemplates {
 public:
  explicit AckTemplates(mqtt::Version version);
  void append(mqtt::PacketType type, std::uint16_t packet_id, std::vector<std::uint8_t>& out) const;

 private:
  std::uint8_t first_byte_[16] = {};
};

}  // namespace tern::bench
