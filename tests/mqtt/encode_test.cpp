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
