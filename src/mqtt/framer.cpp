#include "mqtt/framer.h"

#include <algorithm>

namespace tern::mqtt {

namespace {
// A buffer that grew for one large packet is released afterwards rather than kept per
// connection for life.
constexpr std::size_t kKeptBufferCapacity = 4096;
}  // namespace

Framer::Framer(std::uint32_t max_packet_size) : max_packet_size_(max_packet_size) {}

// Reads the fixed header byte by byte into header_ until the Remaining Length is complete, then
// checks the packet size before any of the body is buffered.
Result<std::optional<Frame>> Framer::read_header(std::span<const std::uint8_t>& input) {
  while (!header_complete_) {
    if (input.empty()) return std::optional<Frame>{};
    std::uint8_t byte = input.front();
    input = input.subspan(1);
    header_[header_size_++] = byte;
    if (header_size_ == 1) continue;  // the type byte
    if (byte & 0x80) {
      if (header_size_ == 5) return fail(Errc::remaining_length_too_long);
      continue;
    }
    // [MQTT-1.5.5-1]: a final 0x00 after a continuation byte wastes a byte.
    if (header_size_ > 2 && byte == 0) return fail(Errc::varint_not_minimal);
    std::uint32_t length = 0;
    for (int i = header_size_ - 1; i >= 1; --i)
      length = length << 7 | (header_[i] & 0x7F);
    remaining_length_ = length;
    header_complete_ = true;
  }
  std::uint64_t total = std::uint64_t{header_size_} + remaining_length_;
  if (total > max_packet_size_) return fail(Errc::packet_too_large);
  return std::optional<Frame>{};
}

Result<std::optional<Frame>> Framer::next(std::span<const std::uint8_t>& input) {
  if (error_) return *error_;
  if (frame_returned_from_buffer_) {
    // The previous frame lived in body_; the caller is done with it now.
    frame_returned_from_buffer_ = false;
    body_.clear();
    if (body_.capacity() > kKeptBufferCapacity) std::vector<std::uint8_t>().swap(body_);
  }

  if (!header_complete_) {
    auto header = read_header(input);
    if (!header) return header.error();
    if (!header_complete_) return std::optional<Frame>{};
  }

  Frame frame;
  frame.first_byte = header_[0];
  frame.size = header_size_ + remaining_length_;

  if (body_.empty() && input.size() >= remaining_length_) {
    // The whole body is in the caller's buffer: hand it out without copying.
    frame.body = input.first(remaining_length_);
    input = input.subspan(remaining_length_);
  } else {
    std::size_t take = std::min<std::size_t>(remaining_length_ - body_.size(), input.size());
    // Grow with the bytes that arrive, never past the frame: a header that announces a large
    // packet costs nothing until its body comes.
    std::size_t needed = body_.size() + take;
    if (body_.capacity() < needed) {
      body_.reserve(
          std::min<std::size_t>(remaining_length_, std::max(needed, 2 * body_.capacity())));
    }
    body_.insert(body_.end(), input.begin(), input.begin() + take);
    input = input.subspan(take);
    if (body_.size() < remaining_length_) return std::optional<Frame>{};
    frame.body = body_;
    frame_returned_from_buffer_ = true;
  }

  header_size_ = 0;
  header_complete_ = false;
  remaining_length_ = 0;
  return std::optional<Frame>{frame};
}

}  // namespace tern::mqtt
