// libFuzzer target: the Framer yields the same frames whatever the chunking of its input, and
// the same frames as a small reference framer written here from the specification (MQTT 5.0
// sections 1.5.5 and 2.1).
//
// Input layout (make_corpus.py writes seeds in this layout):
//   byte 0   bits 0-2: the maximum packet size, an index into kMaxSizes
//   byte 1   chunking of the second pass: n > 0 feeds chunks of 1..n bytes whose sizes come from
//            a small generator seeded with n; 0 feeds one byte at a time
//   rest     the byte stream
//
// Invariants checked (any violation aborts):
//   - fed whole, fed in chunks and framed by the reference, the stream gives the same frames
//     (first byte, body, size) and ends the same way: the same error, or the same bytes pending;
//   - a frame is returned as soon as it is complete (nothing of the next one is taken: pending()
//     is 0 and, fed whole, the input advanced by exactly the frame's size);
//   - fed whole, a frame's body points into the caller's input (no copy);
//   - when the framer needs more input it has consumed all of it;
//   - errors are sticky: later calls return the same error and consume nothing.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

#include "mqtt/errc.h"
#include "mqtt/framer.h"
#include "mqtt/types.h"

namespace {

using namespace tern::mqtt;

[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "fuzz_framer.cpp:%d: invariant violated: %s\n", line, what);
  std::abort();
}

#define FUZZ_CHECK(cond)                \
  do {                                  \
    if (!(cond)) fail(#cond, __LINE__); \
  } while (false)

// Small limits, and limits around the 1- to 2-byte Remaining Length boundary: RL 127 makes a
// 129-byte packet, RL 128 a 131-byte one.
constexpr std::array<std::uint32_t, 8> kMaxSizes = {kMaxPacketSize, 1, 2, 3, 129, 130, 131, 16'388};

struct FrameCopy {
  std::uint8_t first_byte = 0;
  std::vector<std::uint8_t> body;
  std::uint32_t size = 0;
  bool operator==(const FrameCopy&) const = default;
};

struct Outcome {
  std::vector<FrameCopy> frames;
  std::optional<Errc> error;
  std::size_t pending = 0;  // when there is no error
};

FrameCopy copy_of(const Frame& frame) {
  return FrameCopy{frame.first_byte,
                   std::vector<std::uint8_t>(frame.body.begin(), frame.body.end()), frame.size};
}

// After an error every call returns it again and consumes nothing, whatever it is given.
void check_sticky(Framer& framer, std::span<const std::uint8_t> rest, Errc error) {
  static constexpr std::array<std::uint8_t, 6> kMore = {0xFF, 0xFF, 0xFF, 0x7F, 0x30, 0x00};
  for (std::span<const std::uint8_t> input : {rest, std::span<const std::uint8_t>(kMore)}) {
    const std::size_t before = input.size();
    Result<std::optional<Frame>> again = framer.next(input);
    FUZZ_CHECK(!again.ok());
    FUZZ_CHECK(again.error() == error);
    FUZZ_CHECK(input.size() == before);
  }
}

Outcome frame_whole(std::span<const std::uint8_t> stream, std::uint32_t max_size) {
  Outcome outcome;
  Framer framer(max_size);
  std::span<const std::uint8_t> input = stream;
  for (;;) {
    const std::size_t before = input.size();
    Result<std::optional<Frame>> next = framer.next(input);
    if (!next) {
      outcome.error = next.error();
      check_sticky(framer, input, next.error());
      return outcome;
    }
    if (!next->has_value()) {
      FUZZ_CHECK(input.empty());
      outcome.pending = framer.pending();
      return outcome;
    }
    const Frame& frame = **next;
    FUZZ_CHECK(before - input.size() == frame.size);
    FUZZ_CHECK(framer.pending() == 0);
    // Zero-copy: the body lies inside the caller's buffer, right before where input now starts.
    if (!frame.body.empty()) {
      FUZZ_CHECK(frame.body.data() + frame.body.size() == input.data());
      FUZZ_CHECK(frame.body.data() >= stream.data());
    }
    outcome.frames.push_back(copy_of(frame));
  }
}

Outcome frame_chunked(std::span<const std::uint8_t> stream, std::uint32_t max_size,
                      std::uint8_t limit) {
  Outcome outcome;
  Framer framer(max_size);
  std::uint32_t state = 0x9E3779B9u ^ limit;
  while (!stream.empty()) {
    std::size_t n = 1;
    if (limit != 0) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      n = std::min<std::size_t>(stream.size(), 1 + state % limit);
    }
    // Each chunk is its own heap block, so ASan sees any read past the end of what was fed.
    const std::span<const std::uint8_t> head = stream.first(n);
    const std::vector<std::uint8_t> chunk(head.begin(), head.end());
    stream = stream.subspan(n);
    std::span<const std::uint8_t> input(chunk);
    for (;;) {
      Result<std::optional<Frame>> next = framer.next(input);
      if (!next) {
        outcome.error = next.error();
        check_sticky(framer, input, next.error());
        return outcome;
      }
      if (!next->has_value()) {
        FUZZ_CHECK(input.empty());
        break;
      }
      FUZZ_CHECK(framer.pending() == 0);
      outcome.frames.push_back(copy_of(**next));
    }
  }
  outcome.pending = framer.pending();
  return outcome;
}

// The reference. `ambiguous` is set when the stream ends right after a fourth Remaining Length
// byte with its continuation bit set: a framer may reject it then or wait for a fifth byte.
Outcome frame_reference(std::span<const std::uint8_t> stream, std::uint32_t max_size,
                        bool& ambiguous) {
  Outcome outcome;
  ambiguous = false;
  std::size_t pos = 0;
  while (pos < stream.size()) {
    const std::size_t start = pos;
    const std::uint8_t first_byte = stream[pos++];
    std::uint32_t remaining = 0;
    std::size_t length_bytes = 0;
    for (;;) {
      if (pos == stream.size()) {
        outcome.pending = stream.size() - start;
        return outcome;
      }
      const std::uint8_t byte = stream[pos++];
      remaining |= static_cast<std::uint32_t>(byte & 0x7F) << (7 * length_bytes);
      ++length_bytes;
      if ((byte & 0x80) == 0) {
        if (length_bytes > 1 && byte == 0) {
          outcome.error = Errc::varint_not_minimal;
          return outcome;
        }
        break;
      }
      if (length_bytes == 4) {
        ambiguous = pos == stream.size();
        outcome.error = Errc::remaining_length_too_long;
        outcome.pending = stream.size() - start;
        return outcome;
      }
    }
    const std::uint64_t size = 1 + length_bytes + static_cast<std::uint64_t>(remaining);
    if (size > max_size) {
      outcome.error = Errc::packet_too_large;
      return outcome;
    }
    if (stream.size() - pos < remaining) {
      outcome.pending = stream.size() - start;
      return outcome;
    }
    const std::span<const std::uint8_t> body = stream.subspan(pos, remaining);
    outcome.frames.push_back(FrameCopy{first_byte,
                                       std::vector<std::uint8_t>(body.begin(), body.end()),
                                       static_cast<std::uint32_t>(size)});
    pos += remaining;
  }
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint32_t max_size = kMaxSizes[data[0] & 0x07];
  const std::span<const std::uint8_t> stream(data + 2, size - 2);

  const Outcome whole = frame_whole(stream, max_size);
  const Outcome chunked = frame_chunked(stream, max_size, data[1]);
  bool ambiguous = false;
  const Outcome reference = frame_reference(stream, max_size, ambiguous);

  // Chunking changes nothing.
  FUZZ_CHECK(whole.frames == chunked.frames);
  FUZZ_CHECK(whole.error == chunked.error);
  if (!whole.error) FUZZ_CHECK(whole.pending == chunked.pending);

  // The reference agrees on the frames and on whether the stream is bad. Which error a header
  // breaking two rules gets (say, too long and too large) is left to the framer.
  FUZZ_CHECK(whole.frames == reference.frames);
  if (ambiguous) {
    FUZZ_CHECK(whole.error ? *whole.error == Errc::remaining_length_too_long
                           : whole.pending == reference.pending);
  } else {
    FUZZ_CHECK(whole.error.has_value() == reference.error.has_value());
    if (!whole.error) FUZZ_CHECK(whole.pending == reference.pending);
  }
  if (whole.error) {
    FUZZ_CHECK(*whole.error == Errc::remaining_length_too_long ||
               *whole.error == Errc::varint_not_minimal || *whole.error == Errc::packet_too_large);
  }
  return 0;
}
