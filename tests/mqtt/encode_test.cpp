// Encoder refusals that the round-trip tests do not reach.
#include <gtest/gtest.h>

#include "mqtt/codec.h"

namespace tern::mqtt {
namespace {

// AUTH exists from MQTT 5.0 on; before it, type 15 is reserved (3.1.1 section 2.2.1).
TEST(Encode, AuthBeforeV5IsRefusedAndLeavesOutputAlone) {
  for (Version version : {Version::v3_1, Version::v3_1_1}) {
    std::vector<std::uint8_t> out{0xAB};
    auto result = encode(Auth{}, version, out);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error(), Errc::reserved_packet_type);
    EXPECT_EQ(out, std::vector<std::uint8_t>{0xAB});
    EXPECT_FALSE(encoded_size(Auth{}, version).ok());
  }
  std::vector<std::uint8_t> out;
  ASSERT_TRUE(encode(Auth{}, Version::v5, out).ok());
  EXPECT_EQ(out, (std::vector<std::uint8_t>{0xF0, 0x00}));
}

}  // namespace
}  // namespace tern::mqtt

namespace tern::mqtt {
namespace {

// A header written apart from its payload, followed by the payload, is the same packet encode()
// writes whole: what lets a broker share one payload among many subscribers.
TEST(EncodePublishHeader, HeaderPlusPayloadEqualsWholePacket) {
  for (Version version : {Version::v3_1, Version::v3_1_1, Version::v5}) {
    for (std::size_t payload_size : {0u, 5u, 200u, 20'000u}) {
      Publish publish;
      publish.topic = "sensor/7/temperature";
      publish.payload.assign(payload_size, 'x');
      publish.qos = QoS::exactly_once;
      publish.retain = true;
      publish.dup = true;
      publish.packet_id = 513;
      if (version == Version::v5) publish.properties.content_type = "text/plain";
      std::vector<std::uint8_t> whole;
      ASSERT_TRUE(encode(publish, version, whole).ok());
      std::vector<std::uint8_t> split{0x01};  // appends after what is there
      auto header = encode_publish_header(publish.topic, publish.qos, publish.retain, publish.dup,
                                          publish.packet_id, &publish.properties,
                                          publish.payload.size(), version, split);
      ASSERT_TRUE(header.ok());
      EXPECT_EQ(*header, split.size() - 1);
      split.insert(split.end(), publish.payload.begin(), publish.payload.end());
      EXPECT_EQ(std::vector<std::uint8_t>(split.begin() + 1, split.end()), whole);
    }
  }
}

}  // namespace
}  // namespace tern::mqtt
