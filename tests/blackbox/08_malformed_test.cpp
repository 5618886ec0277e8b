// 08: malformed packets (MQTT 3.1.1 sections 1.5, 2.2 and 4.8): the broker closes the
// connection [MQTT-4.8.0-1], publishes the will, acts on nothing of the broken packet, and keeps
// serving everyone else.
#include <string>

#include "harness.h"

namespace tern::blackbox {
namespace {

struct Case {
  const char* rule;
  Bytes bytes;
};

// Sends each case on a fresh connection after a good CONNECT and expects it closed.
void expect_each_closed(const BrokerProcess& broker, const std::vector<Case>& cases) {
  RawClient watcher(broker);
  watcher.connect_ok("malformed-watcher");
  watcher.subscribe("#", QoS::at_most_once);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.rule);
    RawClient client(broker);
    client.connect_ok("malformed", true, 60, make_will("malformed/will", "closed"));
    client.send_bytes(c.bytes);
    EXPECT_TRUE(client.expect_closed());
    // The will and only the will: the broken packet is not delivered.
    mqtt::Publish will = watcher.expect<mqtt::Publish>();
    EXPECT_EQ(will.topic, "malformed/will");
  }
  watcher.expect_nothing(100ms);
  expect_broker_serves(broker);
}

TEST(Malformed08, ReservedBitsAndTypes) {
  BrokerProcess broker;
  expect_each_closed(
      broker, {
                  {"[MQTT-2.2.2-2] reserved packet type 0", raw_packet(0x00, {})},
                  {"[MQTT-2.2.2-2] reserved packet type 15", raw_packet(0xF0, {})},
                  {"[MQTT-2.2.2-2] PUBACK flags 0001", raw_packet(0x41, {0x00, 0x01})},
                  {"[MQTT-2.2.2-2] PUBREC flags 0010", raw_packet(0x52, {0x00, 0x01})},
                  {"[MQTT-2.2.2-2] PUBCOMP flags 1000", raw_packet(0x78, {0x00, 0x01})},
                  {"[MQTT-2.2.2-2] PINGREQ flags 0001", raw_packet(0xC1, {})},
                  {"[MQTT-2.2.2-2] DISCONNECT flags 0001", raw_packet(0xE1, {})},
                  {"[MQTT-3.3.1-4] PUBLISH QoS 3", raw_packet(0x36, concat({field("t"), {0, 1}}))},
                  {"server-only packet CONNACK from a client", raw_packet(0x20, {0x00, 0x00})},
                  {"server-only packet SUBACK from a client", raw_packet(0x90, {0x00, 0x01, 0x00})},
                  {"server-only packet PINGRESP from a client", raw_packet(0xD0, {})},
                  {"[MQTT-3.12.1] PINGREQ with a body", raw_packet(0xC0, {0x00})},
                  {"[MQTT-3.14.1] DISCONNECT with a body", raw_packet(0xE0, {0x00})},
                  {"[MQTT-2.3.1-1] PUBLISH QoS 1 with packet id 0",
                   raw_packet(0x32, concat({field("t"), {0, 0}}))},
              });
}

TEST(Malformed08, BadUtf8) {
  BrokerProcess broker;
  expect_each_closed(
      broker, {
                  {"[MQTT-1.5.3-1] overlong encoding in a topic name",
                   raw_packet(0x30, concat({Bytes{0x00, 0x03, 'a', 0xC0, 0x80}, {'x'}}))},
                  {"[MQTT-1.5.3-1] surrogate in a topic name",
                   raw_packet(0x30, concat({Bytes{0x00, 0x03, 0xED, 0xA0, 0x80}, {'x'}}))},
                  {"[MQTT-1.5.3-1] truncated sequence in a topic name",
                   raw_packet(0x30, concat({Bytes{0x00, 0x02, 'a', 0xE2}, {'x'}}))},
                  {"[MQTT-1.5.3-2] U+0000 in a topic name",
                   raw_packet(0x30, concat({Bytes{0x00, 0x03, 'a', 0x00, 'b'}, {'x'}}))},
                  {"[MQTT-1.5.3-1] bad UTF-8 in a topic filter",
                   raw_packet(0x82, concat({{0, 1}, Bytes{0x00, 0x02, 0xFF, 0xFE}, {0x00}}))},
                  {"[MQTT-1.5.3-2] U+0000 in an unsubscribe filter",
                   raw_packet(0xA2, concat({{0, 1}, Bytes{0x00, 0x01, 0x00}}))},
              });
}

TEST(Malformed08, BadLengths) {
  BrokerProcess broker;
  expect_each_closed(
      broker,
      {
          {"Remaining Length of 5 bytes", Bytes{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}},
          {"topic length beyond the packet", raw_packet(0x30, Bytes{0x00, 0x10, 'a', 'b'})},
          {"PUBLISH too short for its topic length", raw_packet(0x30, Bytes{0x00})},
          {"QoS 1 PUBLISH without a packet id", raw_packet(0x32, field("t"))},
          {"PUBACK with 3 bytes", raw_packet(0x40, Bytes{0x00, 0x01, 0x02})},
          {"PUBREL with 1 byte", raw_packet(0x62, Bytes{0x00})},
          {"SUBSCRIBE filter without its QoS byte", raw_packet(0x82, concat({{0, 1}, field("a")}))},
          {"UNSUBSCRIBE filter cut short", raw_packet(0xA2, Bytes{0x00, 0x01, 0x00, 0x05, 'a'})},
      });
}

// A CONNECT that is malformed closes the connection before any CONNACK.
TEST(Malformed08, MalformedConnectGetsNoConnack) {
  BrokerProcess broker;
  std::vector<Bytes> cases{
      raw_packet(0x10, Bytes{0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04}),  // cut after the level
      raw_packet(0x11, concat({field("MQTT"), {0x04, 0x02, 0x00, 0x3C}, field("f")})),  // flags
      raw_packet(0x10, concat({field("MQTT"), {0x04, 0x02, 0x00, 0x3C}, field("id"), {0x00}})),
      Bytes{0x10, 0x80, 0x80, 0x80, 0x80, 0x01},
  };
  for (const Bytes& bytes : cases) {
    SCOPED_TRACE(hex(bytes));
    RawClient client(broker);
    client.send_bytes(bytes);
    EXPECT_TRUE(client.expect_closed());
  }
  expect_broker_serves(broker);
}

// max_packet_size: a larger packet closes the connection as soon as its header announces the
// size, whatever follows; packets up to the limit pass.
TEST(Malformed08, PacketOverMaxPacketSizeIsClosed) {
  BrokerProcess broker("max_packet_size 1000");
  RawClient sub(broker);
  sub.connect_ok("size-sub");
  sub.subscribe("size/t", QoS::at_least_once);
  RawClient pub(broker);
  pub.connect_ok("size-pub");
  // 3 (fixed header) + 8 (topic) + 2 (id) + 987 (payload) = 1000.
  pub.publish("size/t", std::string(987, 'a'), QoS::at_least_once);
  EXPECT_EQ(sub.receive_publish().payload.size(), 987u);
  pub.send(make_publish("size/t", std::string(988, 'b'), QoS::at_least_once, 2));
  EXPECT_TRUE(pub.expect_closed());
  sub.expect_nothing();

  // Only the header of a huge packet: closed without waiting for the body.
  RawClient huge(broker);
  huge.connect_ok("size-huge");
  huge.send_bytes(Bytes{0x30, 0xFF, 0xFF, 0xFF, 0x7F});
  EXPECT_TRUE(huge.expect_closed(2s));
  expect_broker_serves(broker);
}

// Garbage before CONNECT and a connection flood of bad clients do not disturb a good client.
TEST(Malformed08, GoodClientUnaffectedByBadOnes) {
  BrokerProcess broker;
  RawClient good(broker);
  good.connect_ok("good");
  good.subscribe("good/t", QoS::at_least_once);
  for (int i = 0; i < 20; ++i) {
    RawClient bad(broker);
    // Packet type 0 (reserved) with a short Remaining Length, then noise: a frame that ends
    // within the bytes sent, so the broker has to decode and refuse it.
    Bytes garbage{0x00, static_cast<std::uint8_t>(i)};
    for (int j = 0; j < 62; ++j)
      garbage.push_back(static_cast<std::uint8_t>(i * 37 + j * 11));
    bad.send_bytes(garbage);
    bad.expect_closed();
  }
  good.publish("good/t", "fine", QoS::at_least_once);
  EXPECT_EQ(good.receive_publish().payload, "fine");
}

}  // namespace
}  // namespace tern::blackbox
