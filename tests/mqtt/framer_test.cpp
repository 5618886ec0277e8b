// Tests of Framer: splitting a byte stream into MQTT frames in any chunking, zero-copy when
// possible, the Remaining Length encoding rules (MQTT 5.0 section 1.5.5, MQTT 3.1.1 section
// 2.2.3) and the Maximum Packet Size, which counts the whole packet (MQTT 5.0 section
// 3.1.2.11.4) and is enforced as soon as the Remaining Length is known.
//
// Packets here are built by hand (encode_frame), not with the codec's encoder, so that the
// framer is checked against the wire format rather than against the rest of the library.

#include "mqtt/framer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "mqtt/errc.h"
#include "mqtt/types.h"

namespace {

using tern::mqtt::Errc;
using tern::mqtt::Frame;
using tern::mqtt::Framer;
using tern::mqtt::kMaxPacketSize;
using tern::mqtt::kMaxVarint;

using Bytes = std::vector<std::uint8_t>;

Bytes encode_varint(std::uint32_t value) {
  Bytes out;
  do {
    std::uint8_t byte = value % 128;
    value /= 128;
    if (value > 0) byte |= 0x80;
    out.push_back(byte);
  } while (value > 0);
  return out;
}

// A body of `length` bytes with a recognisable pattern.
Bytes pattern_body(std::size_t length, std::uint8_t seed = 0) {
  Bytes body(length);
  for (std::size_t i = 0; i < length; ++i)
    body[i] = static_cast<std::uint8_t>(i * 7 + seed);
  return body;
}

// Fixed header (first byte + minimal Remaining Length) followed by the body.
Bytes encode_frame(std::uint8_t first_byte, const Bytes& body) {
  Bytes out{first_byte};
  const Bytes length = encode_varint(static_cast<std::uint32_t>(body.size()));
  out.insert(out.end(), length.begin(), length.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// A frame copied out of the framer, whose own frame is only valid until the next call.
struct OwnedFrame {
  std::uint8_t first_byte = 0;
  Bytes body;
  std::uint32_t size = 0;
  bool operator==(const OwnedFrame&) const = default;
};

void PrintTo(const OwnedFrame& frame, std::ostream* os) {
  *os << "{first_byte 0x" << std::hex << int{frame.first_byte} << std::dec << ", body "
      << frame.body.size() << " bytes, size " << frame.size << "}";
}

OwnedFrame own(const Frame& frame) {
  return OwnedFrame{frame.first_byte, Bytes(frame.body.begin(), frame.body.end()), frame.size};
}

OwnedFrame expected_frame(std::uint8_t first_byte, const Bytes& body) {
  return OwnedFrame{first_byte, body,
                    static_cast<std::uint32_t>(encode_frame(first_byte, body).size())};
}

// Feeds `stream` to a fresh framer in chunks whose sizes `next_chunk` picks, and collects every
// frame. Fails the test on any framing error.
template <class ChunkSizes>
std::vector<OwnedFrame> collect(const Bytes& stream, ChunkSizes next_chunk) {
  Framer framer;
  std::vector<OwnedFrame> frames;
  std::size_t offset = 0;
  while (offset < stream.size()) {
    const std::size_t chunk = std::min<std::size_t>(next_chunk(), stream.size() - offset);
    std::span<const std::uint8_t> input(stream.data() + offset, chunk);
    offset += chunk;
    for (;;) {
      auto result = framer.next(input);
      if (!result.ok()) {
        ADD_FAILURE() << "framing error " << static_cast<int>(result.error()) << " at offset "
                      << offset;
        return frames;
      }
      if (!result->has_value()) {
        // An incomplete frame: the framer must have taken (buffered) every byte.
        EXPECT_TRUE(input.empty()) << input.size() << " bytes not taken";
        break;
      }
      frames.push_back(own(**result));
    }
  }
  EXPECT_EQ(framer.pending(), 0u) << "bytes held back after the last frame";
  return frames;
}

// A stream of several packets with Remaining Lengths of 1, 2 and 3 bytes, and of 0.
struct Stream {
  Bytes bytes;
  std::vector<OwnedFrame> frames;

  void add(std::uint8_t first_byte, const Bytes& body) {
    const Bytes frame = encode_frame(first_byte, body);
    bytes.insert(bytes.end(), frame.begin(), frame.end());
    frames.push_back(expected_frame(first_byte, body));
  }
};

Stream sample_stream() {
  Stream stream;
  // CONNECT "MQTT" level 4, clean session, keep alive 60, client id "c".
  stream.add(0x10, Bytes{0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x01, 'c'});
  stream.add(0x30, pattern_body(200, 1));  // Remaining Length in 2 bytes
  stream.add(0xC0, Bytes{});               // PINGREQ, Remaining Length 0
  stream.add(0x82, Bytes{0x00, 0x01, 0x00, 0x03, 'a', '/', 'b', 0x01});
  stream.add(0x32, pattern_body(20000, 2));  // Remaining Length in 3 bytes
  stream.add(0x30, pattern_body(127, 3));    // largest 1-byte Remaining Length
  stream.add(0x30, pattern_body(128, 4));    // smallest 2-byte Remaining Length
  stream.add(0xE0, Bytes{});                 // DISCONNECT
  return stream;
}

TEST(Framer, AllAtOnce) {
  const Stream stream = sample_stream();
  EXPECT_EQ(collect(stream.bytes, [&] { return stream.bytes.size(); }), stream.frames);
}

TEST(Framer, OneByteAtATime) {
  const Stream stream = sample_stream();
  EXPECT_EQ(collect(stream.bytes, [] { return std::size_t{1}; }), stream.frames);
}

TEST(Framer, TwoAndThreeBytesAtATimeSplitTheHeaders) {
  const Stream stream = sample_stream();
  EXPECT_EQ(collect(stream.bytes, [] { return std::size_t{2}; }), stream.frames);
  EXPECT_EQ(collect(stream.bytes, [] { return std::size_t{3}; }), stream.frames);
}

TEST(Framer, RandomChunksWithFixedSeeds) {
  const Stream stream = sample_stream();
  // std::mt19937's output is fixed by the standard, so these chunkings are reproducible.
  for (std::uint32_t seed : {1u, 42u, 20240601u}) {
    for (std::size_t max_chunk : {std::size_t{7}, std::size_t{300}, std::size_t{25000}}) {
      SCOPED_TRACE(testing::Message() << "seed " << seed << ", chunks 1.." << max_chunk);
      std::mt19937 rng(seed);
      EXPECT_EQ(collect(stream.bytes, [&] { return 1 + rng() % max_chunk; }), stream.frames);
    }
  }
}

TEST(Framer, EmptyInputWaits) {
  Framer framer;
  std::span<const std::uint8_t> input;
  auto result = framer.next(input);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->has_value());
  EXPECT_EQ(framer.pending(), 0u);
}

TEST(Framer, FrameFields) {
  const Bytes packet = encode_frame(0x3D, Bytes{0x00, 0x01, 'a', 0x00, 0x07, 'x'});
  Framer framer;
  std::span<const std::uint8_t> input(packet);
  auto result = framer.next(input);
  ASSERT_TRUE(result.ok());
  ASSERT_TRUE(result->has_value());
  const Frame& frame = **result;
  EXPECT_EQ(frame.first_byte, 0x3D);
  EXPECT_EQ(frame.type_bits(), 3);
  EXPECT_EQ(frame.flags(), 0x0D);
  EXPECT_EQ(frame.size, packet.size());
  EXPECT_EQ(frame.body.size(), 6u);
}

TEST(Framer, ZeroCopyWhenTheWholeFrameIsInTheInput) {
  const Bytes first = encode_frame(0x30, pattern_body(300, 5));  // 2-byte Remaining Length
  const Bytes second = encode_frame(0x82, Bytes{0x00, 0x01, 0x00, 0x01, 'a', 0x00});
  Bytes stream = first;
  stream.insert(stream.end(), second.begin(), second.end());

  Framer framer;
  std::span<const std::uint8_t> input(stream);
  auto one = framer.next(input);
  ASSERT_TRUE(one.ok());
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->body.data(), stream.data() + 3) << "the body was copied";
  EXPECT_EQ((*one)->body.size(), 300u);
  // Only the first frame is taken; the second stays in the input.
  EXPECT_EQ(input.size(), second.size());
  EXPECT_EQ(framer.pending(), 0u);

  auto two = framer.next(input);
  ASSERT_TRUE(two.ok());
  ASSERT_TRUE(two->has_value());
  EXPECT_EQ((*two)->body.data(), stream.data() + first.size() + 2) << "the body was copied";
  EXPECT_TRUE(input.empty());
  EXPECT_EQ(framer.pending(), 0u);
}

TEST(Framer, PartialFrameSurvivesAcrossCalls) {
  const Bytes body = pattern_body(300, 9);
  const Bytes packet = encode_frame(0x30, body);
  const Bytes next_body = pattern_body(10, 11);
  const Bytes next_packet = encode_frame(0x31, next_body);

  Framer framer;
  Bytes chunk(packet.begin(), packet.begin() + 100);
  std::span<const std::uint8_t> input(chunk);
  auto waiting = framer.next(input);
  ASSERT_TRUE(waiting.ok());
  EXPECT_FALSE(waiting->has_value());
  EXPECT_TRUE(input.empty());
  EXPECT_EQ(framer.pending(), 100u);

  // The caller reuses its read buffer: the framer must have kept its own copy.
  std::fill(chunk.begin(), chunk.end(), 0xEE);

  Bytes rest(packet.begin() + 100, packet.end());
  rest.insert(rest.end(), next_packet.begin(), next_packet.end());
  std::span<const std::uint8_t> more(rest);
  auto done = framer.next(more);
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(done->has_value());
  EXPECT_EQ(own(**done), expected_frame(0x30, body));
  EXPECT_EQ(more.size(), next_packet.size());

  // The frame after a buffered one is whole in the input again, so it is not copied.
  auto after = framer.next(more);
  ASSERT_TRUE(after.ok());
  ASSERT_TRUE(after->has_value());
  EXPECT_EQ(own(**after), expected_frame(0x31, next_body));
  EXPECT_EQ((*after)->body.data(), rest.data() + (packet.size() - 100) + 2);
  EXPECT_TRUE(more.empty());
  EXPECT_EQ(framer.pending(), 0u);
}

TEST(Framer, HeaderSplitAcrossCalls) {
  const Bytes body = pattern_body(258, 13);  // Remaining Length 0x82 0x02
  const Bytes packet = encode_frame(0x30, body);
  ASSERT_EQ(packet[1], 0x82);
  ASSERT_EQ(packet[2], 0x02);

  Framer framer;
  const std::size_t cuts[] = {1, 2, 3, 50, packet.size()};
  std::size_t offset = 0;
  for (std::size_t cut : cuts) {
    std::span<const std::uint8_t> input(packet.data() + offset, cut - offset);
    auto result = framer.next(input);
    ASSERT_TRUE(result.ok());
    EXPECT_TRUE(input.empty());
    if (cut < packet.size()) {
      EXPECT_FALSE(result->has_value()) << "frame before byte " << cut;
      EXPECT_EQ(framer.pending(), cut);
    } else {
      ASSERT_TRUE(result->has_value());
      EXPECT_EQ(own(**result), expected_frame(0x30, body));
    }
    offset = cut;
  }
}

// ---------------------------------------------------------------------------------------------
// Maximum Packet Size.

TEST(FramerMaxPacketSize, RejectedFromTheHeaderBeforeTheBody) {
  Framer framer(1024);
  // Remaining Length 268,435,455 followed by the first few body bytes.
  const Bytes stream = {0x30, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  std::span<const std::uint8_t> input(stream);
  auto result = framer.next(input);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), Errc::packet_too_large);
  EXPECT_EQ(input.size(), 10u) << "only the fixed header may be consumed";
  EXPECT_LE(framer.pending(), 5u) << "the framer must not buffer the body";
}

TEST(FramerMaxPacketSize, RejectedFromTheHeaderFedOneByteAtATime) {
  Framer framer(1024);
  const Bytes header = {0x30, 0xFF, 0xFF, 0xFF, 0x7F};
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::span<const std::uint8_t> input(&header[i], 1);
    auto result = framer.next(input);
    if (i + 1 < header.size()) {
      ASSERT_TRUE(result.ok()) << "byte " << i;
      EXPECT_FALSE(result->has_value());
      EXPECT_LE(framer.pending(), 5u);
    } else {
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(result.error(), Errc::packet_too_large);
    }
  }
  EXPECT_LE(framer.pending(), 5u);
}

// The body never arrives: the size in the header is enough to reject the packet.
TEST(FramerMaxPacketSize, RejectedWithoutWaitingForTheBody) {
  Framer framer(100);
  const Bytes header = {0x30, 99};  // 1 + 1 + 99 = 101 bytes
  std::span<const std::uint8_t> input(header);
  auto result = framer.next(input);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), Errc::packet_too_large);
}

TEST(FramerMaxPacketSize, AtTheLimitWaitsForTheBody) {
  Framer framer(100);
  const Bytes header = {0x30, 98};  // 1 + 1 + 98 = 100 bytes
  std::span<const std::uint8_t> input(header);
  auto result = framer.next(input);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->has_value());
  EXPECT_EQ(framer.pending(), 2u);
}

struct LimitCase {
  std::uint32_t limit;
  std::uint32_t remaining_length;
  bool accepted;
};

class FramerLimit : public testing::TestWithParam<LimitCase> {};

// MQTT 5.0 section 3.1.2.11.4: the Maximum Packet Size is the total number of bytes of the
// packet, fixed header included; a packet of exactly the limit is allowed.
TEST_P(FramerLimit, CountsTheWholePacket) {
  const LimitCase& c = GetParam();
  const Bytes body = pattern_body(c.remaining_length);
  const Bytes packet = encode_frame(0x30, body);
  SCOPED_TRACE(testing::Message() << "limit " << c.limit << ", packet " << packet.size()
                                  << " bytes (Remaining Length " << c.remaining_length << ")");
  Framer framer(c.limit);
  EXPECT_EQ(framer.max_packet_size(), c.limit);
  std::span<const std::uint8_t> input(packet);
  auto result = framer.next(input);
  if (c.accepted) {
    ASSERT_TRUE(result.ok()) << "rejected a packet within the limit";
    ASSERT_TRUE(result->has_value());
    EXPECT_EQ((*result)->size, packet.size());
    EXPECT_TRUE(input.empty());
  } else {
    ASSERT_FALSE(result.ok()) << "accepted a packet over the limit";
    EXPECT_EQ(result.error(), Errc::packet_too_large);
  }
}

INSTANTIATE_TEST_SUITE_P(
    ExactlyAtAndOneOver, FramerLimit,
    testing::Values(LimitCase{2, 0, true},        // PINGREQ is 2 bytes
                    LimitCase{1, 0, false},       // ... so a limit of 1 rejects it
                    LimitCase{100, 98, true},     // 1 + 1 + 98 = 100
                    LimitCase{100, 99, false},    // 1 + 1 + 99 = 101
                    LimitCase{129, 127, true},    // 1 + 1 + 127
                    LimitCase{130, 128, false},   // 1 + 2 + 128 = 131: the length bytes count
                    LimitCase{131, 128, true},    // 1 + 2 + 128
                    LimitCase{200, 197, true},    // 1 + 2 + 197 = 200
                    LimitCase{200, 198, false}),  // 1 + 2 + 198 = 201
    [](const testing::TestParamInfo<LimitCase>& param_info) {
      return "limit_" + std::to_string(param_info.param.limit) + "_remaining_length_" +
             std::to_string(param_info.param.remaining_length);
    });

TEST(FramerMaxPacketSize, CanBeChangedBetweenPackets) {
  // A server learns the client's limit only from CONNECT, after the framer exists.
  const Bytes small = encode_frame(0x30, pattern_body(8));  // 10 bytes
  Bytes stream = small;
  stream.insert(stream.end(), small.begin(), small.end());

  Framer framer;
  EXPECT_EQ(framer.max_packet_size(), kMaxPacketSize);
  std::span<const std::uint8_t> input(stream);
  auto first = framer.next(input);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());

  framer.set_max_packet_size(9);
  EXPECT_EQ(framer.max_packet_size(), 9u);
  auto second = framer.next(input);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error(), Errc::packet_too_large);
}

// ---------------------------------------------------------------------------------------------
// Remaining Length encoding.

// Feeds `bytes` all at once to one framer and one byte at a time to another; both must fail
// with `expected` and neither may produce a frame first.
void expect_header_error(const Bytes& bytes, Errc expected) {
  {
    Framer framer;
    std::span<const std::uint8_t> input(bytes);
    auto result = framer.next(input);
    ASSERT_FALSE(result.ok()) << "all at once: no error";
    EXPECT_EQ(static_cast<int>(result.error()), static_cast<int>(expected)) << "all at once";
  }
  {
    Framer framer;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      std::span<const std::uint8_t> input(&bytes[i], 1);
      auto result = framer.next(input);
      if (!result.ok()) {
        EXPECT_EQ(static_cast<int>(result.error()), static_cast<int>(expected))
            << "one at a time, byte " << i;
        EXPECT_EQ(i + 1, bytes.size()) << "error before the last byte";
        return;
      }
      ASSERT_FALSE(result->has_value()) << "one at a time: a frame at byte " << i;
    }
    ADD_FAILURE() << "one at a time: no error";
  }
}

// MQTT 5.0 section 1.5.5 and MQTT 3.1.1 section 2.2.3: at most four bytes. The error is due as
// soon as the fourth length byte still has its continuation bit set.
TEST(FramerRemainingLength, AtMostFourBytes) {
  expect_header_error({0x30, 0xFF, 0xFF, 0xFF, 0xFF}, Errc::remaining_length_too_long);
  expect_header_error({0x30, 0x80, 0x80, 0x80, 0x80}, Errc::remaining_length_too_long);
  expect_header_error({0xC0, 0x81, 0x81, 0x81, 0x81}, Errc::remaining_length_too_long);
}

// [MQTT-1.5.5-1]: the encoding MUST use the minimum number of bytes.
TEST(FramerRemainingLength, NotMinimallyEncoded) {
  expect_header_error({0x30, 0x80, 0x00}, Errc::varint_not_minimal);              // 0 in 2
  expect_header_error({0xC0, 0xFF, 0x00}, Errc::varint_not_minimal);              // 127 in 2
  expect_header_error({0x30, 0x81, 0x80, 0x00}, Errc::varint_not_minimal);        // 1 in 3
  expect_header_error({0x30, 0xFF, 0xFF, 0x00}, Errc::varint_not_minimal);        // 16383 in 3
  expect_header_error({0x30, 0x80, 0x80, 0x80, 0x00}, Errc::varint_not_minimal);  // 0 in 4
  expect_header_error({0x30, 0xFF, 0xFF, 0xFF, 0x00}, Errc::varint_not_minimal);  // 2097151 in 4
}

struct Boundary {
  std::uint32_t remaining_length;
  std::size_t length_bytes;
};

class FramerBoundary : public testing::TestWithParam<Boundary> {};
// Remaining Lengths small enough to frame a whole packet in a test (up to 2,097,151).
class FramerWholeBoundary : public testing::TestWithParam<Boundary> {};
// Remaining Lengths above 0, whose header alone leaves the framer waiting for a body.
class FramerHeaderBoundary : public testing::TestWithParam<Boundary> {};

TEST_P(FramerBoundary, EncodingHasTheExpectedLength) {
  EXPECT_EQ(encode_varint(GetParam().remaining_length).size(), GetParam().length_bytes);
}

// Values up to 2,097,151 are framed whole; a 2 MB body is cheap.
TEST_P(FramerWholeBoundary, WholePacketIsFramed) {
  const Boundary& b = GetParam();
  const Bytes body = pattern_body(b.remaining_length, 17);
  const Bytes packet = encode_frame(0x30, body);
  ASSERT_EQ(packet.size(), 1 + b.length_bytes + b.remaining_length);

  const std::size_t chunk = b.remaining_length <= 16'384 ? 1 : 65'536;
  const std::vector<OwnedFrame> frames = collect(packet, [&] { return chunk; });
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], expected_frame(0x30, body));
  EXPECT_EQ(frames[0].size, packet.size());

  Framer framer;
  std::span<const std::uint8_t> input(packet);
  auto result = framer.next(input);
  ASSERT_TRUE(result.ok());
  ASSERT_TRUE(result->has_value());
  EXPECT_EQ((*result)->size, packet.size());
  EXPECT_EQ((*result)->body.size(), b.remaining_length);
}

// Every value, small or huge, is accepted by the header alone and then waits for its body; only
// the header is fed, so no large buffer is needed here.
TEST_P(FramerHeaderBoundary, HeaderAloneWaitsForTheBody) {
  const Boundary& b = GetParam();
  Bytes header{0x30};
  const Bytes length = encode_varint(b.remaining_length);
  header.insert(header.end(), length.begin(), length.end());

  Framer framer(kMaxPacketSize);
  std::span<const std::uint8_t> input(header);
  auto result = framer.next(input);
  ASSERT_TRUE(result.ok()) << "rejected Remaining Length " << b.remaining_length;
  EXPECT_FALSE(result->has_value());
  EXPECT_TRUE(input.empty());
  EXPECT_EQ(framer.pending(), header.size());

  if (b.remaining_length <= 2'097'152) {
    const Bytes some = {1, 2, 3};
    std::span<const std::uint8_t> more(some);
    auto still = framer.next(more);
    ASSERT_TRUE(still.ok());
    EXPECT_FALSE(still->has_value());
    EXPECT_EQ(framer.pending(), header.size() + some.size());
  }
}

std::string boundary_name(const testing::TestParamInfo<Boundary>& param_info) {
  return "remaining_length_" + std::to_string(param_info.param.remaining_length);
}

INSTANTIATE_TEST_SUITE_P(Boundaries, FramerBoundary,
                         testing::Values(Boundary{0, 1}, Boundary{127, 1}, Boundary{128, 2},
                                         Boundary{16'383, 2}, Boundary{16'384, 3},
                                         Boundary{2'097'151, 3}, Boundary{2'097'152, 4},
                                         Boundary{kMaxVarint, 4}),
                         boundary_name);
INSTANTIATE_TEST_SUITE_P(Boundaries, FramerWholeBoundary,
                         testing::Values(Boundary{0, 1}, Boundary{127, 1}, Boundary{128, 2},
                                         Boundary{16'383, 2}, Boundary{16'384, 3},
                                         Boundary{2'097'151, 3}),
                         boundary_name);
INSTANTIATE_TEST_SUITE_P(Boundaries, FramerHeaderBoundary,
                         testing::Values(Boundary{127, 1}, Boundary{128, 2}, Boundary{16'383, 2},
                                         Boundary{16'384, 3}, Boundary{2'097'151, 3},
                                         Boundary{2'097'152, 4}, Boundary{kMaxVarint, 4}),
                         boundary_name);

TEST(FramerRemainingLength, LargestPacketFitsTheDefaultLimit) {
  EXPECT_EQ(kMaxPacketSize, 1u + 4u + kMaxVarint);
  Framer framer;
  EXPECT_EQ(framer.max_packet_size(), kMaxPacketSize);
}

}  // namespace

namespace tern::mqtt {
namespace {

// Found by fuzz_framer: calling next() again after an error must neither read past the header
// nor return a frame. The error sticks and no input is consumed.
TEST(FramerErrors, ErrorIsStickyAndConsumesNothingMore) {
  for (std::vector<std::uint8_t> bad :
       {std::vector<std::uint8_t>{0x30, 0xFF, 0xFF, 0xFF, 0xFF},
        std::vector<std::uint8_t>{0x30, 0x80, 0x00}, std::vector<std::uint8_t>{0x30, 0x7F}}) {
    Framer framer(16);
    std::span<const std::uint8_t> input(bad);
    auto first = framer.next(input);
    ASSERT_FALSE(first.ok());
    std::vector<std::uint8_t> more{0xC0, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    for (int i = 0; i < 3; ++i) {
      std::span<const std::uint8_t> rest(more);
      auto again = framer.next(rest);
      ASSERT_FALSE(again.ok());
      EXPECT_EQ(again.error(), first.error());
      EXPECT_EQ(rest.size(), more.size());
    }
  }
}

}  // namespace
}  // namespace tern::mqtt
