// Memory bounds of the framer and the decoder on hostile input: a length field must never make
// the codec reserve memory for bytes that are not there, and a decoded packet costs memory in
// proportion to its frame.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "mqtt/codec.h"

namespace {

// Bytes requested from operator new while `counting` is set. Replacing the global operators is
// the only way to see the allocations std::string and std::vector make inside the codec.
std::atomic<bool> counting{false};
std::atomic<std::size_t> allocated{0};

}  // namespace

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) allocated += size;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

namespace tern::mqtt {
namespace {

// Allocation during framing and decoding of `bytes` as one frame, in bytes.
std::size_t bytes_allocated_decoding(const std::vector<std::uint8_t>& bytes, Version version,
                                     Sender sender, bool expect_ok) {
  Framer framer;
  std::span<const std::uint8_t> input(bytes);
  allocated = 0;
  counting = true;
  {
    auto frame = framer.next(input);
    EXPECT_TRUE(frame.ok() && frame->has_value());
    auto packet = decode(**frame, version, sender);
    EXPECT_EQ(packet.ok(), expect_ok);
  }
  counting = false;
  return allocated;
}

std::vector<std::uint8_t> with_fixed_header(std::uint8_t first, std::vector<std::uint8_t> body) {
  std::vector<std::uint8_t> out{first};
  std::uint32_t length = static_cast<std::uint32_t>(body.size());
  do {
    std::uint8_t byte = length & 0x7F;
    length >>= 7;
    out.push_back(length ? byte | 0x80 : byte);
  } while (length);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// The decoded structs are larger than their smallest wire form (a User Property with empty name
// and value is 5 bytes on the wire and 64 in memory); this is the bound codec.h promises.
constexpr std::size_t kMaxBytesPerFrameByte = 48;
constexpr std::size_t kSlack = 1024;

TEST(DecodeMemory, ManyEmptyUserPropertiesStayWithinBound) {
  // PUBACK (5.0) with reason 0x00 and 20,000 empty User Properties (0x26 00 00 00 00).
  std::vector<std::uint8_t> props;
  for (int i = 0; i < 20'000; ++i)
    props.insert(props.end(), {0x26, 0, 0, 0, 0});
  std::vector<std::uint8_t> body{0x00, 0x01, 0x00};
  std::uint32_t length = static_cast<std::uint32_t>(props.size());
  do {
    std::uint8_t byte = length & 0x7F;
    length >>= 7;
    body.push_back(length ? byte | 0x80 : byte);
  } while (length);
  body.insert(body.end(), props.begin(), props.end());
  auto frame = with_fixed_header(0x40, body);
  std::size_t used = bytes_allocated_decoding(frame, Version::v5, Sender::client, true);
  EXPECT_LE(used, kMaxBytesPerFrameByte * frame.size() + kSlack) << "frame " << frame.size();
}

TEST(DecodeMemory, ManyOneCharacterSubscriptionsStayWithinBound) {
  std::vector<std::uint8_t> body{0x00, 0x01};
  for (int i = 0; i < 20'000; ++i)
    body.insert(body.end(), {0x00, 0x01, 'a', 0x01});
  auto frame = with_fixed_header(0x82, body);
  std::size_t used = bytes_allocated_decoding(frame, Version::v3_1_1, Sender::client, true);
  EXPECT_LE(used, kMaxBytesPerFrameByte * frame.size() + kSlack) << "frame " << frame.size();
}

TEST(DecodeMemory, StringLengthPastTheEndAllocatesNothingForIt) {
  // PUBLISH whose topic length claims 65,535 bytes but 3 follow: truncated, nothing reserved.
  auto frame = with_fixed_header(0x30, {0xFF, 0xFF, 'a', '/', 'b'});
  std::size_t used = bytes_allocated_decoding(frame, Version::v3_1_1, Sender::client, false);
  EXPECT_LT(used, 1024u);
}

TEST(DecodeMemory, PropertyLengthPastTheEndAllocatesNothingForIt) {
  // 5.0 PUBLISH whose Property Length claims 268,435,455 bytes.
  auto frame = with_fixed_header(0x30, {0x00, 0x01, 'a', 0xFF, 0xFF, 0xFF, 0x7F});
  std::size_t used = bytes_allocated_decoding(frame, Version::v5, Sender::client, false);
  EXPECT_LT(used, 1024u);
}

TEST(FramerMemory, HugeRemainingLengthIsNotReservedBeforeTheBodyArrives) {
  // The largest legal Remaining Length with a limit that allows it: the framer may only size its
  // buffer for the packet once bytes of the body arrive, never from the header alone.
  Framer framer(kMaxPacketSize);
  std::vector<std::uint8_t> header{0x30, 0xFF, 0xFF, 0xFF, 0x7F};
  std::span<const std::uint8_t> input(header);
  allocated = 0;
  counting = true;
  auto frame = framer.next(input);
  counting = false;
  ASSERT_TRUE(frame.ok());
  EXPECT_FALSE(frame->has_value());
  EXPECT_EQ(allocated.load(), 0u);
  EXPECT_EQ(framer.pending(), 5u);
}

TEST(PeekConnectVersion, ReadsTheVersionBeforeFullDecoding) {
  // A 5.0 CONNECT cut after its protocol level still tells the server how to answer.
  std::vector<std::uint8_t> body{0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0xFF};
  Frame frame{0x10, body, static_cast<std::uint32_t>(body.size() + 2)};
  EXPECT_EQ(peek_connect_version(frame), Version::v5);
  body[6] = 4;
  EXPECT_EQ(peek_connect_version(frame), Version::v3_1_1);
  body[6] = 6;
  EXPECT_EQ(peek_connect_version(frame), std::nullopt);
  std::vector<std::uint8_t> v31{0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', 0x03};
  EXPECT_EQ(peek_connect_version(Frame{0x10, v31, 11}), Version::v3_1);
  EXPECT_EQ(peek_connect_version(Frame{0x30, v31, 11}), std::nullopt);  // not a CONNECT
}

}  // namespace
}  // namespace tern::mqtt
