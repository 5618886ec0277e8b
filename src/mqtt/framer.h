// Framer: splits a byte stream into MQTT packets ("frames") without interpreting them.
//
// Feed it bytes in any chunking, one at a time included; it yields each complete frame: the
// first byte (type and flags) and the body (the Remaining Length bytes). It rejects a packet
// larger than the maximum as soon as the Remaining Length is known, before buffering its body,
// and a Remaining Length that is longer than 4 bytes or not minimally encoded.
//
// Memory: when a whole frame is inside the caller's input and nothing is pending, the frame
// points into that input (no copy). Otherwise the framer keeps the partial frame in a buffer
// that grows with the bytes received and never beyond the frame's length, so a header that
// announces a large packet costs nothing until its body arrives.
//
// Not thread-safe; one Framer per connection. After an error the stream cannot be resynchronised:
// the error is sticky (every later call returns it and consumes nothing) and the connection must
// be closed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mqtt/result.h"
#include "mqtt/types.h"

namespace tern::mqtt {

struct Frame {
  std::uint8_t first_byte = 0;         // packet type (high nibble) and flags (low nibble)
  std::span<const std::uint8_t> body;  // variable header and payload
  std::uint32_t size = 0;              // bytes on the wire, fixed header included

  std::uint8_t type_bits() const { return first_byte >> 4; }
  std::uint8_t flags() const { return first_byte & 0x0F; }
};

class Framer {
 public:
  explicit Framer(std::uint32_t max_packet_size = kMaxPacketSize);

  // Takes bytes from the front of `input`, advancing it past what it used, until one frame is
  // complete. Returns the frame; std::nullopt when `input` ran out first (call again with more
  // bytes); or an error. The frame's body stays valid until the next call of `next` or until
  // the caller's input buffer changes, whichever comes first.
  Result<std::optional<Frame>> next(std::span<const std::uint8_t>& input);

  // Packets whose total size exceeds this are rejected with Errc::packet_too_large.
  void set_max_packet_size(std::uint32_t max_packet_size) { max_packet_size_ = max_packet_size; }
  std::uint32_t max_packet_size() const { return max_packet_size_; }

  // Bytes of an incomplete frame held back, fixed header included.
  std::size_t pending() const {
    return frame_returned_from_buffer_ ? 0 : header_size_ + body_.size();
  }

 private:
  Result<std::optional<Frame>> read_header(std::span<const std::uint8_t>& input);

  Errc fail(Errc error) {
    error_ = error;
    return error;
  }

  // Ordered by size: one Framer per connection.
  std::vector<std::uint8_t> body_;  // partial body; capacity is the frame's Remaining Length
  std::uint32_t max_packet_size_;
  std::uint32_t remaining_length_ = 0;
  std::optional<Errc> error_;
  std::array<std::uint8_t, 5> header_{};  // type byte + up to 4 Remaining Length bytes
  std::uint8_t header_size_ = 0;
  bool header_complete_ = false;
  bool frame_returned_from_buffer_ = false;
};

}  // namespace tern::mqtt
