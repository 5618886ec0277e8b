// 00: the harness itself: what it would miss, the other tests would miss too.
#include <string>

#include "harness.h"

namespace tern::blackbox {
namespace {

TEST(Harness00, SanitizerReportsAreRecognised) {
  EXPECT_TRUE(sanitizer_report("==1==ERROR: AddressSanitizer: heap-use-after-free on address"));
  EXPECT_TRUE(sanitizer_report("==1==ERROR: LeakSanitizer: detected memory leaks"));
  EXPECT_TRUE(sanitizer_report("x.cpp:3:5: runtime error: signed integer overflow"));
  EXPECT_FALSE(sanitizer_report("1795899662: New client connected from 127.0.0.1:49802 as X."));
}

TEST(Harness00, RawPacketEncodesTheRemainingLength) {
  EXPECT_EQ(raw_packet(0xC0, {}), (Bytes{0xC0, 0x00}));
  Bytes body(200, 0);
  Bytes packet = raw_packet(0x30, body);
  EXPECT_EQ(packet[1], 0xC8);  // 200 = 0x48 + 128
  EXPECT_EQ(packet[2], 0x01);
  EXPECT_EQ(packet.size(), 203u);
}

// Each broker has its own port, so brokers of tests running in parallel do not meet.
TEST(Harness00, BrokersGetTheirOwnPorts) {
  BrokerProcess a;
  BrokerProcess b;
  ASSERT_TRUE(a.running());
  ASSERT_TRUE(b.running());
  EXPECT_NE(a.port(), b.port());
  RawClient client(b);
  client.connect_ok("on-b");
  EXPECT_TRUE(b.wait_for_log(" as on-b "));
  EXPECT_EQ(a.log().find(" as on-b "), std::string::npos);
}

}  // namespace
}  // namespace tern::blackbox
