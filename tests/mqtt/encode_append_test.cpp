// encode() and encode_publish_header() append to the caller's buffer: a sender that queues many
// packets in one buffer must pay amortized constant time per packet, not a copy of everything
// queued before (the buffer grows geometrically).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "mqtt/codec.h"

namespace tern::mqtt {
namespace {

int capacity_changes_while_appending(int packets, bool headers_only) {
  std::vector<std::uint8_t> out;
  std::size_t capacity = out.capacity();
  int changes = 0;
  Publish publish;
  publish.topic = "sensor/1";
  publish.payload = "21.5";
  publish.qos = QoS::at_least_once;
  for (int i = 0; i < packets; ++i) {
    publish.packet_id = static_cast<std::uint16_t>(i % 65'535 + 1);
    if (headers_only) {
      auto size = encode_publish_header(publish.topic, publish.qos, false, false, publish.packet_id,
                                        nullptr, 4, Version::v3_1_1, out);
      EXPECT_TRUE(size.ok());
    } else {
      EXPECT_TRUE(encode(Packet{publish}, Version::v3_1_1, out).ok());
    }
    if (out.capacity() != capacity) {
      capacity = out.capacity();
      ++changes;
    }
  }
  return changes;
}

TEST(EncodeAppend, BufferGrowsGeometrically) {
  // 100,000 packets: a few dozen reallocations at most (log2 of the final size), not one per
  // packet.
  EXPECT_LT(capacity_changes_while_appending(100'000, false), 40);
  EXPECT_LT(capacity_changes_while_appending(100'000, true), 40);
}

}  // namespace
}  // namespace tern::mqtt
