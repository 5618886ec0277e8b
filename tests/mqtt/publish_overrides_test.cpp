// encode_publish_header with PublishPropertyOverrides: a broker forwards one message's properties
// to each receiver with that receiver's remaining expiry, subscription identifiers and topic
// alias (MQTT 5.0 sections 3.3.2.3.3, 3.3.2.3.4, 3.3.2.3.8), leaving the rest unchanged.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mqtt/codec.h"
#include "mqtt/framer.h"

namespace tern::mqtt {
namespace {

Publish decode_with_payload(std::vector<std::uint8_t> header, const std::string& payload) {
  header.insert(header.end(), payload.begin(), payload.end());
  Framer framer;
  std::span<const std::uint8_t> input(header);
  auto frame = framer.next(input);
  EXPECT_TRUE(frame && frame->has_value());
  if (!frame || !frame->has_value()) return {};
  auto decoded = decode(**frame, Version::v5, Sender::server);
  EXPECT_TRUE(decoded.ok());
  return decoded ? std::get<Publish>(*decoded) : Publish{};
}

TEST(PublishOverrides, ReplaceExpirySubscriptionIdsAndAlias) {
  Properties properties;
  properties.message_expiry_interval = 60;
  properties.content_type = "text/plain";
  properties.user_properties = {{"a", "1"}, {"b", "2"}};
  properties.subscription_identifiers = {99};  // never forwarded as is
  std::uint32_t ids[] = {3, 700000};
  PublishPropertyOverrides overrides;
  overrides.message_expiry_interval = 42;
  overrides.subscription_identifiers = ids;
  overrides.topic_alias = 5;
  std::vector<std::uint8_t> out;
  auto header = encode_publish_header("t/x", QoS::at_least_once, false, false, 7, &properties, 2,
                                      Version::v5, out, &overrides);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(*header, out.size());
  Publish publish = decode_with_payload(out, "hi");
  EXPECT_EQ(publish.payload, "hi");
  EXPECT_EQ(publish.packet_id, 7);
  EXPECT_EQ(publish.properties.message_expiry_interval, 42u);
  EXPECT_EQ(publish.properties.subscription_identifiers, (std::vector<std::uint32_t>{3, 700000}));
  EXPECT_EQ(publish.properties.topic_alias, 5);
  EXPECT_EQ(publish.properties.content_type, "text/plain");
  EXPECT_EQ(publish.properties.user_properties, properties.user_properties);
}

TEST(PublishOverrides, EmptyOverridesRemoveTheFields) {
  Properties properties;
  properties.subscription_identifiers = {1};
  properties.topic_alias = 2;
  properties.message_expiry_interval = 9;
  PublishPropertyOverrides none;
  std::vector<std::uint8_t> out;
  ASSERT_TRUE(encode_publish_header("t", QoS::at_most_once, false, false, 0, &properties, 0,
                                    Version::v5, out, &none));
  Publish publish = decode_with_payload(out, "");
  EXPECT_TRUE(publish.properties.empty());
}

TEST(PublishOverrides, IgnoredBeforeMqtt5) {
  Properties properties;
  std::uint32_t ids[] = {3};
  PublishPropertyOverrides overrides;
  overrides.subscription_identifiers = ids;
  std::vector<std::uint8_t> with, without;
  ASSERT_TRUE(encode_publish_header("t", QoS::at_most_once, false, false, 0, &properties, 0,
                                    Version::v3_1_1, with, &overrides));
  ASSERT_TRUE(encode_publish_header("t", QoS::at_most_once, false, false, 0, &properties, 0,
                                    Version::v3_1_1, without));
  EXPECT_EQ(with, without);
}

}  // namespace
}  // namespace tern::mqtt
