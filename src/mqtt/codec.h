// The MQTT codec: frames to packets (decode) and packets to bytes (encode), for MQTT 3.1, 3.1.1
// and 5.0.
//
// Sans-IO and stateless: no sockets, clocks, threads or globals. Decoding validates everything
// the specifications require of a well-formed packet and returns an Errc for the first rule an
// input breaks; rules that need connection state (topic alias ranges, packet identifiers in use,
// the session) belong to the broker and the client.
//
// Memory: decoding allocates only for fields present in the frame, never from a length field
// alone, so memory is proportional to the frame. The factor is the size of a decoded field over
// its smallest wire form: about 1 for payloads and strings, and at worst 48 bytes per frame byte
// (allocations added up, vector growth included) for a packet made of nothing but empty User
// Properties or one-character topic filters. tests/mqtt/decode_memory_test.cpp holds it to that.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "mqtt/framer.h"
#include "mqtt/packets.h"
#include "mqtt/result.h"
#include "mqtt/types.h"

namespace tern::mqtt {

// Decodes one frame from `sender`, for a connection speaking `version`. A CONNECT carries its
// own version, which the decoded Connect reports; `version` is not used for it.
Result<Packet> decode(const Frame& frame, Version version, Sender sender);

// The protocol version a CONNECT frame asks for, read before full decoding, so that a server can
// answer a CONNECT it rejects in the client's own version. std::nullopt when the frame is not a
// CONNECT or is too short to tell.
std::optional<Version> peek_connect_version(const Frame& frame);

// Appends the encoding of `packet` for `version` to `out` and returns the bytes appended. A
// Connect is encoded in its own `version` field. Fails only when the packet cannot be
// represented: a string or binary field over 65,535 bytes (Errc::string_too_long), a packet over
// the wire format's maximum (Errc::packet_too_large), or AUTH before MQTT 5.0
// (Errc::reserved_packet_type). It does not check the rules decode checks: encoding a packet that
// breaks them is the caller's bug. On failure `out` is unchanged.
Result<std::size_t> encode(const Packet& packet, Version version, std::vector<std::uint8_t>& out);

// Size in bytes of the encoding of `packet`, fixed header included: what a sender compares with
// the peer's Maximum Packet Size before sending.
Result<std::size_t> encoded_size(const Packet& packet, Version version);

// Appends the fixed header and variable header of a PUBLISH whose `payload_size`-byte payload the
// caller sends right after, from its own buffer: a broker writes a small header per subscriber
// and shares one payload among all of them. `properties` is used for MQTT 5.0 only (may be null),
// with the receiver's `overrides` in place of their fields when given. Returns the header's size.
Result<std::size_t> encode_publish_header(std::string_view topic, QoS qos, bool retain, bool dup,
                                          std::uint16_t packet_id, const Properties* properties,
                                          std::size_t payload_size, Version version,
                                          std::vector<std::uint8_t>& out,
                                          const PublishPropertyOverrides* overrides = nullptr);

// An encoded packet shared by reference: the broker encodes a PUBLISH once and hands the same
// immutable bytes to every subscriber's write queue.
using SharedBytes = std::shared_ptr<const std::vector<std::uint8_t>>;
Result<SharedBytes> encode_shared(const Packet& packet, Version version);

}  // namespace tern::mqtt
