// Wire primitives of the codec (internal): a bounds-checked reader over a frame body and two
// writers with one interface, one that counts bytes and one that appends them. Packet encoders
// are templates over the writer, so that the size pass and the write pass cannot disagree.
//
// Data types are those of MQTT 5.0 section 1.5: bytes, big-endian 16- and 32-bit integers,
// Variable Byte Integers, UTF-8 strings and Binary Data with 16-bit length prefixes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt/errc.h"
#include "mqtt/types.h"
#include "mqtt/utf8.h"

namespace tern::mqtt::wire {

inline constexpr std::size_t kMaxStringLength = 65'535;

// Number of bytes a Variable Byte Integer takes (value <= kMaxVarint).
constexpr std::size_t varint_size(std::uint32_t value) {
  return value < 128 ? 1 : value < 16'384 ? 2 : value < 2'097'152 ? 3 : 4;
}

// Reads fields in order. The first failure is sticky: it is kept, and later reads return zero
// values without touching memory, so a decoder reads a run of fields and checks `failed()` once.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}

  bool failed() const { return error_.has_value(); }
  Errc error() const { return *error_; }
  // Records `error` unless an earlier one is already recorded.
  void fail(Errc error) {
    if (!error_) error_ = error;
  }

  std::size_t remaining() const { return failed() ? 0 : data_.size() - pos_; }
  bool at_end() const { return remaining() == 0; }

  std::uint8_t u8() {
    if (!need(1)) return 0;
    return data_[pos_++];
  }
  std::uint16_t u16() {
    if (!need(2)) return 0;
    std::uint16_t v = static_cast<std::uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::uint32_t u32() {
    if (!need(4)) return 0;
    std::uint32_t v = std::uint32_t{data_[pos_]} << 24 | std::uint32_t{data_[pos_ + 1]} << 16 |
                      std::uint32_t{data_[pos_ + 2]} << 8 | std::uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return v;
  }

  // Variable Byte Integer: at most 4 bytes, minimally encoded [MQTT-1.5.5-1].
  std::uint32_t varint() {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      if (!need(1)) return 0;
      std::uint8_t byte = data_[pos_++];
      value |= std::uint32_t{byte & 0x7Fu} << (7 * i);
      if ((byte & 0x80) == 0) {
        if (i > 0 && byte == 0) fail(Errc::varint_not_minimal);
        return failed() ? 0 : value;
      }
    }
    fail(Errc::remaining_length_too_long);
    return 0;
  }

  // Binary Data: 16-bit length, then that many bytes.
  std::string binary() {
    std::uint16_t length = u16();
    if (!need(length)) return {};
    std::string out(reinterpret_cast<const char*>(data_.data() + pos_), length);
    pos_ += length;
    return out;
  }

  // UTF-8 Encoded String: Binary Data that must be well-formed MQTT UTF-8.
  std::string utf8() {
    std::string text = binary();
    switch (check_utf8(text)) {
      case Utf8Verdict::valid:
        break;
      case Utf8Verdict::ill_formed:
        fail(Errc::invalid_utf8);
        return {};
      case Utf8Verdict::contains_null:
        fail(Errc::utf8_contains_null);
        return {};
    }
    return text;
  }

  // The next `length` bytes as their own reader (property lists); this reader skips them.
  Reader sub(std::size_t length, Errc if_short) {
    if (failed()) return Reader({});
    if (data_.size() - pos_ < length) {
      fail(if_short);
      return Reader({});
    }
    Reader inner(data_.subspan(pos_, length));
    pos_ += length;
    return inner;
  }

  // Everything not yet read (a payload).
  std::string rest() {
    if (failed()) return {};
    std::string out(reinterpret_cast<const char*>(data_.data() + pos_), data_.size() - pos_);
    pos_ = data_.size();
    return out;
  }

 private:
  bool need(std::size_t n) {
    if (failed()) return false;
    if (data_.size() - pos_ < n) {
      fail(Errc::truncated);
      return false;
    }
    return true;
  }

  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
  std::optional<Errc> error_;
};

// Counts the bytes an encoding takes, and notes a string too long to encode.
class SizeCounter {
 public:
  void u8(std::uint8_t) { size_ += 1; }
  void u16(std::uint16_t) { size_ += 2; }
  void u32(std::uint32_t) { size_ += 4; }
  void varint(std::uint32_t value) { size_ += varint_size(value); }
  void binary(std::string_view bytes) {
    if (bytes.size() > kMaxStringLength) too_long_ = true;
    size_ += 2 + bytes.size();
  }
  void utf8(std::string_view text) { binary(text); }
  void raw(std::string_view bytes) { size_ += bytes.size(); }

  std::size_t size() const { return size_; }
  bool too_long() const { return too_long_; }

 private:
  std::size_t size_ = 0;
  bool too_long_ = false;
};

// Appends an encoding to a byte vector. Callers size-check with SizeCounter first.
class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::uint8_t>& out) : out_(out) {}

  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void varint(std::uint32_t value) {
    do {
      std::uint8_t byte = value & 0x7F;
      value >>= 7;
      if (value > 0) byte |= 0x80;
      out_.push_back(byte);
    } while (value > 0);
  }
  void binary(std::string_view bytes) {
    u16(static_cast<std::uint16_t>(bytes.size()));
    raw(bytes);
  }
  void utf8(std::string_view text) { binary(text); }
  void raw(std::string_view bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }

 private:
  std::vector<std::uint8_t>& out_;
};

}  // namespace tern::mqtt::wire
