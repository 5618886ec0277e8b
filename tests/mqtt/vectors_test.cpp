// Byte-exact test vectors, written by hand from the specifications: each is decoded and its
// fields checked, and (unless the form is one the encoder never produces) the packet struct is
// encoded and compared with the bytes.
//
// MQTT 5.0: OASIS Standard, 7 March 2019. MQTT 3.1.1: OASIS Standard, 29 October 2014.
// MQTT 3.1: IBM/Eurotech specification (protocol name "MQIsdp", version 3).

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "mqtt/codec.h"
#include "mqtt/framer.h"
#include "mqtt/packets.h"
#include "mqtt/properties.h"
#include "mqtt/reason_code.h"
#include "mqtt/types.h"

namespace tern::mqtt {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::string hex(std::span<const std::uint8_t> bytes, std::size_t limit = 80) {
  std::string text;
  char buffer[4];
  for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
    std::snprintf(buffer, sizeof buffer, "%02X ", static_cast<unsigned>(bytes[i]));
    text += buffer;
  }
  if (bytes.size() > limit) text += "... (" + std::to_string(bytes.size()) + " bytes)";
  return text;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const auto& part : parts)
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

// Splits `bytes` (exactly one packet) with a Framer and decodes it.
Result<Packet> decode_bytes(const Bytes& bytes, Version version, Sender sender) {
  Framer framer;
  std::span<const std::uint8_t> input(bytes);
  auto framed = framer.next(input);
  if (!framed.ok()) return framed.error();
  if (!framed->has_value()) {
    ADD_FAILURE() << "no complete frame in " << hex(bytes);
    return Errc::truncated;
  }
  EXPECT_TRUE(input.empty()) << "bytes left after the frame: " << hex(bytes);
  const Frame frame = **framed;
  EXPECT_EQ(frame.size, bytes.size());
  return decode(frame, version, sender);
}

// Decodes `bytes` and returns the packet of type T, or std::nullopt after reporting a failure.
template <class T>
std::optional<T> decode_as(const Bytes& bytes, Version version, Sender sender) {
  auto decoded = decode_bytes(bytes, version, sender);
  if (!decoded.ok()) {
    ADD_FAILURE() << "decode failed: " << describe(decoded.error()) << "\nbytes: " << hex(bytes);
    return std::nullopt;
  }
  const T* packet = std::get_if<T>(&*decoded);
  if (packet == nullptr) {
    ADD_FAILURE() << "decoded a " << to_string(type_of(*decoded)) << " from " << hex(bytes);
    return std::nullopt;
  }
  return *packet;
}

// The encoder produces exactly `bytes` for `packet`; encoded_size agrees.
void expect_encodes_to(const Packet& packet, Version version, const Bytes& bytes) {
  Bytes out;
  auto appended = encode(packet, version, out);
  ASSERT_TRUE(appended.ok()) << describe(appended.error());
  EXPECT_EQ(*appended, out.size());
  EXPECT_EQ(out, bytes) << "encoded:  " << hex(out) << "\nexpected: " << hex(bytes);
  auto size = encoded_size(packet, version);
  ASSERT_TRUE(size.ok()) << describe(size.error());
  EXPECT_EQ(*size, bytes.size());
}

// Both directions: `bytes` decodes to `packet` and `packet` encodes to `bytes`.
template <class T>
void expect_vector(const Bytes& bytes, const T& packet, Version version, Sender sender) {
  SCOPED_TRACE(hex(bytes));
  auto decoded = decode_as<T>(bytes, version, sender);
  if (decoded) {
    EXPECT_TRUE(*decoded == packet) << "decoded packet differs from the expected one";
  }
  expect_encodes_to(packet, version, bytes);
}

// Only decoding: `bytes` is a legal form the encoder does not produce.
template <class T>
void expect_decodes_to(const Bytes& bytes, const T& packet, Version version, Sender sender) {
  SCOPED_TRACE(hex(bytes));
  auto decoded = decode_as<T>(bytes, version, sender);
  if (decoded) {
    EXPECT_TRUE(*decoded == packet) << "decoded packet differs from the expected one";
  }
}

const Bytes kMqtt = {0x00, 0x04, 'M', 'Q', 'T', 'T'};
const Bytes kMqIsdp = {0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p'};

// =============================================================================================
// CONNECT

// MQTT 3.1.1 section 3.1.2.11, Figure 3.6 (variable header non normative example): protocol
// name "MQTT", level 4, Connect Flags 0xCE (User Name 1, Password 1, Will Retain 0, Will QoS 01,
// Will Flag 1, Clean Session 1, Reserved 0), Keep Alive 10. The payload follows section 3.1.3
// in the order Client Identifier, Will Topic, Will Message, User Name, Password [MQTT-3.1.3-1].
TEST(VectorsTest, ConnectV311SpecExample) {
  const Bytes bytes = concat({{0x10, 0x24},
                              kMqtt,
                              {0x04, 0xCE, 0x00, 0x0A},
                              {0x00, 0x02, 'c', '1'},
                              {0x00, 0x03, 'w', '/', 't'},
                              {0x00, 0x03, 'b', 'y', 'e'},
                              {0x00, 0x04, 'u', 's', 'e', 'r'},
                              {0x00, 0x04, 'p', 'a', 's', 's'}});
  ASSERT_EQ(bytes.size(), 2u + 0x24);
  Connect c;
  c.version = Version::v3_1_1;
  c.clean_start = true;
  c.keep_alive = 10;
  c.client_id = "c1";
  c.will = Will{"w/t", "bye", QoS::at_least_once, false, {}};
  c.username = "user";
  c.password = "pass";
  expect_vector(bytes, c, Version::v3_1_1, Sender::client);

  auto decoded = decode_as<Connect>(bytes, Version::v3_1_1, Sender::client);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->version, Version::v3_1_1);
  EXPECT_TRUE(decoded->clean_start);
  EXPECT_EQ(decoded->keep_alive, 10);
  ASSERT_TRUE(decoded->will.has_value());
  EXPECT_EQ(decoded->will->qos, QoS::at_least_once);
  EXPECT_FALSE(decoded->will->retain);
  EXPECT_EQ(decoded->username, "user");
  EXPECT_EQ(decoded->password, "pass");

  Framer framer;
  std::span<const std::uint8_t> input(bytes);
  auto frame = framer.next(input);
  ASSERT_TRUE(frame.ok() && frame->has_value());
  EXPECT_EQ(peek_connect_version(**frame), Version::v3_1_1);
}

// MQTT 5.0 section 3.1.2.12 (Variable Header non-normative example): as above with level 5 and
// Properties: Property Length 5, Session Expiry Interval identifier 17 (0x11), value 10. The
// payload has the Will Properties (here a Property Length of 0) before the Will Topic (section
// 3.1.3.2), and the Will Payload is Binary Data (section 3.1.3.4).
TEST(VectorsTest, ConnectV5SpecExample) {
  const Bytes bytes = concat({{0x10, 0x2B},
                              kMqtt,
                              {0x05, 0xCE, 0x00, 0x0A},
                              {0x05, 0x11, 0x00, 0x00, 0x00, 0x0A},
                              {0x00, 0x02, 'c', '1'},
                              {0x00},
                              {0x00, 0x03, 'w', '/', 't'},
                              {0x00, 0x03, 'b', 'y', 'e'},
                              {0x00, 0x04, 'u', 's', 'e', 'r'},
                              {0x00, 0x04, 'p', 'a', 's', 's'}});
  ASSERT_EQ(bytes.size(), 2u + 0x2B);
  Connect c;
  c.version = Version::v5;
  c.clean_start = true;
  c.keep_alive = 10;
  c.client_id = "c1";
  c.will = Will{"w/t", "bye", QoS::at_least_once, false, {}};
  c.username = "user";
  c.password = "pass";
  c.properties.session_expiry_interval = 10;
  expect_vector(bytes, c, Version::v5, Sender::client);

  Framer framer;
  std::span<const std::uint8_t> input(bytes);
  auto frame = framer.next(input);
  ASSERT_TRUE(frame.ok() && frame->has_value());
  EXPECT_EQ(peek_connect_version(**frame), Version::v5);
  // A CONNECT carries its own version: the `version` argument does not matter for it.
  auto decoded = decode_as<Connect>(bytes, Version::v3_1_1, Sender::client);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->version, Version::v5);
  EXPECT_EQ(decoded->properties.session_expiry_interval, 10u);
}

// MQTT 3.1 section 3.1 (CONNECT): protocol name "MQIsdp" (6 bytes), protocol version 3. Connect
// Flags 0x02 (Clean session), Keep Alive 60.
TEST(VectorsTest, ConnectV31MQIsdp) {
  const Bytes bytes =
      concat({{0x10, 0x10}, kMqIsdp, {0x03, 0x02, 0x00, 0x3C}, {0x00, 0x02, 'c', '1'}});
  ASSERT_EQ(bytes.size(), 2u + 0x10);
  Connect c;
  c.version = Version::v3_1;
  c.clean_start = true;
  c.keep_alive = 60;
  c.client_id = "c1";
  expect_vector(bytes, c, Version::v3_1, Sender::client);

  Framer framer;
  std::span<const std::uint8_t> input(bytes);
  auto frame = framer.next(input);
  ASSERT_TRUE(frame.ok() && frame->has_value());
  EXPECT_EQ(peek_connect_version(**frame), Version::v3_1);
}

TEST(VectorsTest, ConnectV31WithWillAndCredentials) {
  // Same flag layout as 3.1.1: User Name 0x80, Password 0x40, Will Retain 0x20, Will QoS 2
  // (0x10), Will Flag 0x04, Clean Session 0 -> 0xF4.
  const Bytes bytes = concat({{0x10, 0x26},
                              kMqIsdp,
                              {0x03, 0xF4, 0x00, 0x00},
                              {0x00, 0x02, 'c', '1'},
                              {0x00, 0x03, 'w', '/', 't'},
                              {0x00, 0x03, 'b', 'y', 'e'},
                              {0x00, 0x04, 'u', 's', 'e', 'r'},
                              {0x00, 0x04, 'p', 'a', 's', 's'}});
  ASSERT_EQ(bytes.size(), 2u + 0x26);
  Connect c;
  c.version = Version::v3_1;
  c.clean_start = false;
  c.keep_alive = 0;
  c.client_id = "c1";
  c.will = Will{"w/t", "bye", QoS::exactly_once, true, {}};
  c.username = "user";
  c.password = "pass";
  expect_vector(bytes, c, Version::v3_1, Sender::client);
}

// MQTT 5.0 CONNECT with properties, in identifier order with the two User Properties in their
// order (section 3.1.2.11): Session Expiry Interval 0x11 (3600), Request Problem Information
// 0x17 (0), Request Response Information 0x19 (1), Receive Maximum 0x21 (16), Topic Alias
// Maximum 0x22 (8), User Property 0x26 ("k","v"), ("k","w"), Maximum Packet Size 0x27
// (1,048,576). Property Length 34.
TEST(VectorsTest, ConnectV5WithProperties) {
  const Bytes bytes = concat({{0x10, 0x32},
                              kMqtt,
                              {0x05, 0x02, 0x00, 0x1E},
                              {0x22},
                              {0x11, 0x00, 0x00, 0x0E, 0x10},
                              {0x17, 0x00},
                              {0x19, 0x01},
                              {0x21, 0x00, 0x10},
                              {0x22, 0x00, 0x08},
                              {0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v'},
                              {0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'w'},
                              {0x27, 0x00, 0x10, 0x00, 0x00},
                              {0x00, 0x03, 'd', 'e', 'v'}});
  ASSERT_EQ(bytes.size(), 2u + 0x32);
  Connect c;
  c.version = Version::v5;
  c.clean_start = true;
  c.keep_alive = 30;
  c.client_id = "dev";
  c.properties.session_expiry_interval = 3600;
  c.properties.request_problem_information = 0;
  c.properties.request_response_information = 1;
  c.properties.receive_maximum = 16;
  c.properties.topic_alias_maximum = 8;
  c.properties.user_properties = {{"k", "v"}, {"k", "w"}};
  c.properties.maximum_packet_size = 1'048'576;
  expect_vector(bytes, c, Version::v5, Sender::client);
}

TEST(VectorsTest, ConnectV5WillPropertiesAndAuthentication) {
  // Connect Flags 0x2C: Will Retain, Will QoS 1, Will Flag. Properties: Authentication Method
  // 0x15 "m", Authentication Data 0x16 {0x00, 0xFF}. Will Properties: Payload Format Indicator
  // 0x01 (1), Message Expiry Interval 0x02 (60), Content Type 0x03 "t", Response Topic 0x08
  // "r", Correlation Data 0x09 {0x01}, Will Delay Interval 0x18 (5).
  const Bytes bytes = concat({{0x10, 0x39},
                              kMqtt,
                              {0x05, 0x2C, 0x00, 0x00},
                              {0x09, 0x15, 0x00, 0x01, 'm', 0x16, 0x00, 0x02, 0x00, 0xFF},
                              {0x00, 0x01, 'c'},
                              {0x18},
                              {0x01, 0x01},
                              {0x02, 0x00, 0x00, 0x00, 0x3C},
                              {0x03, 0x00, 0x01, 't'},
                              {0x08, 0x00, 0x01, 'r'},
                              {0x09, 0x00, 0x01, 0x01},
                              {0x18, 0x00, 0x00, 0x00, 0x05},
                              {0x00, 0x03, 'w', '/', 't'},
                              {0x00, 0x02, 'h', 'i'}});
  ASSERT_EQ(bytes.size(), 2u + 0x39);
  Connect c;
  c.version = Version::v5;
  c.clean_start = false;
  c.client_id = "c";
  c.properties.authentication_method = "m";
  c.properties.authentication_data = std::string("\x00\xFF", 2);
  Will will{"w/t", "hi", QoS::at_least_once, true, {}};
  will.properties.payload_format_indicator = 1;
  will.properties.message_expiry_interval = 60;
  will.properties.content_type = "t";
  will.properties.response_topic = "r";
  will.properties.correlation_data = "\x01";
  will.properties.will_delay_interval = 5;
  c.will = will;
  expect_vector(bytes, c, Version::v5, Sender::client);
}

// MQTT 5.0 section 3.1.2.9: "This version of the protocol allows the sending of a Password with
// no User Name, where MQTT v3.1.1 did not" [MQTT-3.1.2-22 of 3.1.1 is gone]. Flags 0x42.
TEST(VectorsTest, ConnectV5PasswordWithoutUsernameIsLegal) {
  const Bytes bytes = concat({{0x10, 0x13},
                              kMqtt,
                              {0x05, 0x42, 0x00, 0x00},
                              {0x00},
                              {0x00, 0x02, 'c', '1'},
                              {0x00, 0x02, 'p', 'w'}});
  ASSERT_EQ(bytes.size(), 2u + 0x13);
  Connect c;
  c.version = Version::v5;
  c.clean_start = true;
  c.client_id = "c1";
  c.password = "pw";
  expect_vector(bytes, c, Version::v5, Sender::client);
}

// A zero-byte ClientId is a codec-level legal CONNECT: MQTT 3.1.1 [MQTT-3.1.3-6] (with
// CleanSession 1 [MQTT-3.1.3-7]); MQTT 5.0 [MQTT-3.1.3-6] and [MQTT-3.2.2-16] (the server
// assigns one). Whether to accept it is the server's decision, not the decoder's.
TEST(VectorsTest, ConnectZeroLengthClientId) {
  const Bytes v311 = concat({{0x10, 0x0C}, kMqtt, {0x04, 0x02, 0x00, 0x00}, {0x00, 0x00}});
  Connect c311;
  c311.version = Version::v3_1_1;
  c311.clean_start = true;
  expect_vector(v311, c311, Version::v3_1_1, Sender::client);

  const Bytes v5 = concat({{0x10, 0x0D}, kMqtt, {0x05, 0x00, 0x00, 0x00}, {0x00}, {0x00, 0x00}});
  Connect c5;
  c5.version = Version::v5;
  c5.clean_start = false;
  expect_vector(v5, c5, Version::v5, Sender::client);
}

TEST(VectorsTest, ConnectV311UsernameWithoutPasswordAndEmptyWillMessage) {
  // Flags 0x86: User Name, Will Flag (QoS 0), Clean Session. A zero-length Will Message is
  // legal (3.1.1 section 3.1.3.3).
  const Bytes bytes = concat({{0x10, 0x19},
                              kMqtt,
                              {0x04, 0x86, 0xFF, 0xFF},
                              {0x00, 0x02, 'c', '1'},
                              {0x00, 0x03, 'w', '/', 't'},
                              {0x00, 0x00},
                              {0x00, 0x02, 'u', 'n'}});
  ASSERT_EQ(bytes.size(), 2u + 0x19);
  Connect c;
  c.version = Version::v3_1_1;
  c.clean_start = true;
  c.keep_alive = 0xFFFF;
  c.client_id = "c1";
  c.will = Will{"w/t", "", QoS::at_most_once, false, {}};
  c.username = "un";
  expect_vector(bytes, c, Version::v3_1_1, Sender::client);
}

TEST(VectorsTest, ConnectV5PropertiesInAnyOrderDecode) {
  // MQTT 5.0 section 2.2.2 does not order properties: a User Property before the Session Expiry
  // Interval is legal. The encoder writes identifier order, so this is decode-only.
  const Bytes bytes = concat({{0x10, 0x1A},
                              kMqtt,
                              {0x05, 0x02, 0x00, 0x00},
                              {0x0C},
                              {0x26, 0x00, 0x01, 'a', 0x00, 0x01, 'b'},
                              {0x11, 0x00, 0x00, 0x00, 0x01},
                              {0x00, 0x01, 'c'}});
  ASSERT_EQ(bytes.size(), 2u + 0x1A);
  Connect c;
  c.version = Version::v5;
  c.clean_start = true;
  c.client_id = "c";
  c.properties.session_expiry_interval = 1;
  c.properties.user_properties = {{"a", "b"}};
  expect_decodes_to(bytes, c, Version::v5, Sender::client);
}

// =============================================================================================
// CONNACK

// MQTT 3.1.1 section 3.2: fixed header 0x20, Remaining Length 2, Connect Acknowledge Flags,
// return code (section 3.2.2.3, Table 3.1).
TEST(VectorsTest, ConnackV311) {
  expect_vector(Bytes{0x20, 0x02, 0x00, 0x00}, Connack{false, ReasonCode::success, {}},
                Version::v3_1_1, Sender::server);
  expect_vector(Bytes{0x20, 0x02, 0x01, 0x00}, Connack{true, ReasonCode::success, {}},
                Version::v3_1_1, Sender::server);
  // Return codes 1-5 and the reason codes they stand for.
  const std::pair<std::uint8_t, ReasonCode> codes[] = {
      {0x01, ReasonCode::unsupported_protocol_version},
      {0x02, ReasonCode::client_identifier_not_valid},
      {0x03, ReasonCode::server_unavailable},
      {0x04, ReasonCode::bad_username_or_password},
      {0x05, ReasonCode::not_authorized},
  };
  for (const auto& [wire, code] : codes) {
    expect_vector(Bytes{0x20, 0x02, 0x00, wire}, Connack{false, code, {}}, Version::v3_1_1,
                  Sender::server);
    expect_vector(Bytes{0x20, 0x02, 0x00, wire}, Connack{false, code, {}}, Version::v3_1,
                  Sender::server);
  }
}

TEST(VectorsTest, ConnackV31HasNoSessionPresent) {
  expect_vector(Bytes{0x20, 0x02, 0x00, 0x00}, Connack{false, ReasonCode::success, {}},
                Version::v3_1, Sender::server);
  // Session Present does not exist in 3.1: the encoder does not write it.
  expect_encodes_to(Connack{true, ReasonCode::success, {}}, Version::v3_1,
                    Bytes{0x20, 0x02, 0x00, 0x00});
}

// MQTT 5.0 section 3.2.2: flags, reason code, and a Property Length that is always present.
TEST(VectorsTest, ConnackV5) {
  expect_vector(Bytes{0x20, 0x03, 0x00, 0x00, 0x00}, Connack{false, ReasonCode::success, {}},
                Version::v5, Sender::server);
  expect_vector(Bytes{0x20, 0x03, 0x01, 0x00, 0x00}, Connack{true, ReasonCode::success, {}},
                Version::v5, Sender::server);
  expect_vector(Bytes{0x20, 0x03, 0x00, 0x87, 0x00}, Connack{false, ReasonCode::not_authorized, {}},
                Version::v5, Sender::server);
  // Properties: Maximum QoS 0x24 (1), Retain Available 0x25 (0), Assigned Client Identifier
  // 0x12 "id"; written in identifier order.
  Connack c{false, ReasonCode::success, {}};
  c.properties.assigned_client_identifier = "id";
  c.properties.maximum_qos = 1;
  c.properties.retain_available = 0;
  expect_vector(
      Bytes{0x20, 0x0C, 0x00, 0x00, 0x09, 0x12, 0x00, 0x02, 'i', 'd', 0x24, 0x01, 0x25, 0x00}, c,
      Version::v5, Sender::server);
}

// =============================================================================================
// PUBLISH

// MQTT 3.1.1 section 3.3.2.3 (Figure 3.11) uses Topic Name "a/b" and Packet Identifier 10.
TEST(VectorsTest, PublishQos0TopicAB) {
  Publish p;
  p.topic = "a/b";
  p.payload = "hi";
  for (Version version : {Version::v3_1, Version::v3_1_1}) {
    expect_vector(Bytes{0x30, 0x07, 0x00, 0x03, 'a', '/', 'b', 'h', 'i'}, p, version,
                  Sender::client);
  }
  // MQTT 5.0 adds the Property Length (0) after the Topic Name (section 3.3.2).
  expect_vector(Bytes{0x30, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 'h', 'i'}, p, Version::v5,
                Sender::client);
}

TEST(VectorsTest, PublishQos1TopicABPacketId10) {
  Publish p;
  p.topic = "a/b";
  p.qos = QoS::at_least_once;
  p.packet_id = 10;
  // Zero-length payload: "it is valid for a PUBLISH packet to contain a zero length Payload"
  // (3.1.1 section 3.3.3, 5.0 section 3.3.3).
  for (Version version : {Version::v3_1, Version::v3_1_1}) {
    expect_vector(Bytes{0x32, 0x07, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x0A}, p, version,
                  Sender::client);
  }
  expect_vector(Bytes{0x32, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x0A, 0x00}, p, Version::v5,
                Sender::client);
}

TEST(VectorsTest, PublishQos2DupRetainFlags) {
  // Fixed header bits: DUP 3, QoS 2-1, RETAIN 0 -> 0x3D for DUP, QoS 2, RETAIN.
  Publish p;
  p.topic = "a/b";
  p.payload = std::string("\x00\xFF", 2);
  p.qos = QoS::exactly_once;
  p.dup = true;
  p.retain = true;
  p.packet_id = 0x1234;
  expect_vector(Bytes{0x3D, 0x09, 0x00, 0x03, 'a', '/', 'b', 0x12, 0x34, 0x00, 0xFF}, p,
                Version::v3_1_1, Sender::server);
  // QoS 0 with RETAIN only: 0x31.
  Publish r;
  r.topic = "a/b";
  r.retain = true;
  expect_vector(Bytes{0x31, 0x05, 0x00, 0x03, 'a', '/', 'b'}, r, Version::v3_1_1, Sender::server);
}

// MQTT 5.0 section 3.3.2.3.8: a PUBLISH to a client carries one Subscription Identifier per
// matching subscription [MQTT-3.3.4-4]; 268,435,455 is the largest (FF FF FF 7F).
TEST(VectorsTest, PublishV5WithTwoSubscriptionIdentifiers) {
  Publish p;
  p.topic = "a/b";
  p.payload = "hi";
  p.properties.subscription_identifiers = {1, kMaxVarint};
  expect_vector(Bytes{0x30, 0x0F, 0x00, 0x03, 'a', '/', 'b', 0x07, 0x0B, 0x01, 0x0B, 0xFF, 0xFF,
                      0xFF, 0x7F, 'h', 'i'},
                p, Version::v5, Sender::server);
}

// MQTT 5.0 section 3.3.2.3.4: "A Topic Alias of 0 is not permitted" but a sender may send an
// empty Topic Name with a Topic Alias it set up before; at codec level that is a legal PUBLISH.
TEST(VectorsTest, PublishV5EmptyTopicWithTopicAlias) {
  Publish p;
  p.topic = "";
  p.properties.topic_alias = 5;
  expect_vector(Bytes{0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x05}, p, Version::v5,
                Sender::client);
}

TEST(VectorsTest, PublishV5Properties) {
  // Payload Format Indicator 0x01 (1), Message Expiry Interval 0x02 (0x01020304), Content Type
  // 0x03 "ct", Response Topic 0x08 "rt", Correlation Data 0x09 {00}, User Property 0x26 ("", "").
  Publish p;
  p.topic = "t";
  p.payload = "{}";
  p.qos = QoS::at_least_once;
  p.packet_id = 1;
  p.properties.payload_format_indicator = 1;
  p.properties.message_expiry_interval = 0x01020304;
  p.properties.content_type = "ct";
  p.properties.response_topic = "rt";
  p.properties.correlation_data = std::string(1, '\0');
  p.properties.user_properties = {{"", ""}};
  expect_vector(concat({{0x32, 0x22},
                        {0x00, 0x01, 't', 0x00, 0x01},
                        {0x1A},
                        {0x01, 0x01},
                        {0x02, 0x01, 0x02, 0x03, 0x04},
                        {0x03, 0x00, 0x02, 'c', 't'},
                        {0x08, 0x00, 0x02, 'r', 't'},
                        {0x09, 0x00, 0x01, 0x00},
                        {0x26, 0x00, 0x00, 0x00, 0x00},
                        {'{', '}'}}),
                p, Version::v5, Sender::client);
}

// =============================================================================================
// Remaining Length: MQTT 3.1.1 section 2.2.3 (Table 2.4) and MQTT 5.0 section 1.5.5 (Table
// 1-1): 0 (0x00) .. 127 (0x7F); 128 (0x80 0x01) .. 16,383 (0xFF 0x7F); 16,384 (0x80 0x80 0x01)
// .. 2,097,151 (0xFF 0xFF 0x7F); 2,097,152 (0x80 0x80 0x80 0x01) .. 268,435,455.

TEST(VectorsTest, RemainingLengthZero) {
  expect_vector(Bytes{0xC0, 0x00}, Pingreq{}, Version::v3_1_1, Sender::client);
}

TEST(VectorsTest, RemainingLengthTableBoundaries) {
  struct Row {
    std::uint32_t remaining_length;
    Bytes encoded;
  };
  const Row rows[] = {
      {5, {0x05}},
      {127, {0x7F}},
      {128, {0x80, 0x01}},
      {16'383, {0xFF, 0x7F}},
      {16'384, {0x80, 0x80, 0x01}},
      {2'097'151, {0xFF, 0xFF, 0x7F}},
      {2'097'152, {0x80, 0x80, 0x80, 0x01}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE("Remaining Length " + std::to_string(row.remaining_length));
    // PUBLISH QoS 0 to "a/b" (5 bytes of variable header) with the rest as payload.
    Publish p;
    p.topic = "a/b";
    p.payload.resize(row.remaining_length - 5);
    for (std::size_t i = 0; i < p.payload.size(); ++i)
      p.payload[i] = static_cast<char>(i % 251);
    Bytes bytes = concat({{0x30}, row.encoded, {0x00, 0x03, 'a', '/', 'b'}});
    bytes.insert(bytes.end(), p.payload.begin(), p.payload.end());
    auto decoded = decode_as<Publish>(bytes, Version::v3_1_1, Sender::client);
    if (decoded) {
      EXPECT_TRUE(*decoded == p);
    }
    expect_encodes_to(p, Version::v3_1_1, bytes);
  }
}

// =============================================================================================
// Packets without a variable header: MQTT 3.1.1 sections 3.12, 3.13, 3.14.

TEST(VectorsTest, PingreqPingrespDisconnect) {
  for (Version version : {Version::v3_1, Version::v3_1_1, Version::v5}) {
    expect_vector(Bytes{0xC0, 0x00}, Pingreq{}, version, Sender::client);
    expect_vector(Bytes{0xD0, 0x00}, Pingresp{}, version, Sender::server);
    expect_vector(Bytes{0xE0, 0x00}, Disconnect{}, version, Sender::client);
  }
}

// =============================================================================================
// Publish acknowledgements. PUBREL has fixed header flags 0010 [MQTT-3.6.1-1] (3.1.1
// [MQTT-3.6.1-1]): first byte 0x62.

TEST(VectorsTest, PublishResponsesV3) {
  for (Version version : {Version::v3_1, Version::v3_1_1}) {
    for (Sender sender : {Sender::client, Sender::server}) {
      expect_vector(Bytes{0x40, 0x02, 0x00, 0x0A}, Puback{10, ReasonCode::success, {}}, version,
                    sender);
      expect_vector(Bytes{0x50, 0x02, 0x00, 0x0A}, Pubrec{10, ReasonCode::success, {}}, version,
                    sender);
      expect_vector(Bytes{0x62, 0x02, 0x00, 0x0A}, Pubrel{10, ReasonCode::success, {}}, version,
                    sender);
      expect_vector(Bytes{0x70, 0x02, 0x00, 0x0A}, Pubcomp{10, ReasonCode::success, {}}, version,
                    sender);
    }
  }
}

// MQTT 5.0 section 3.4.2.1: "The Reason Code and Property Length can be omitted if the Reason
// Code is 0x00 (Success) and there are no Properties. In this case the PUBACK has a Remaining
// Length of 2." Section 3.4.2.2: "If the Remaining Length is less than 4 there is no Property
// Length and the value of 0 is used." Same for PUBREC (3.5.2), PUBREL (3.6.2), PUBCOMP (3.7.2).
TEST(VectorsTest, PublishResponsesV5ShortForms) {
  for (Sender sender : {Sender::client, Sender::server}) {
    expect_vector(Bytes{0x40, 0x02, 0x00, 0x0A}, Puback{10, ReasonCode::success, {}}, Version::v5,
                  sender);
    expect_vector(Bytes{0x50, 0x02, 0x00, 0x0A}, Pubrec{10, ReasonCode::success, {}}, Version::v5,
                  sender);
    expect_vector(Bytes{0x62, 0x02, 0x00, 0x0A}, Pubrel{10, ReasonCode::success, {}}, Version::v5,
                  sender);
    expect_vector(Bytes{0x70, 0x02, 0x00, 0x0A}, Pubcomp{10, ReasonCode::success, {}}, Version::v5,
                  sender);
    // A reason code without properties: Remaining Length 3.
    expect_vector(Bytes{0x40, 0x03, 0x00, 0x0A, 0x10},
                  Puback{10, ReasonCode::no_matching_subscribers, {}}, Version::v5, sender);
    expect_vector(Bytes{0x50, 0x03, 0x00, 0x0A, 0x80},
                  Pubrec{10, ReasonCode::unspecified_error, {}}, Version::v5, sender);
    expect_vector(Bytes{0x62, 0x03, 0x00, 0x0A, 0x92},
                  Pubrel{10, ReasonCode::packet_identifier_not_found, {}}, Version::v5, sender);
    expect_vector(Bytes{0x70, 0x03, 0x00, 0x0A, 0x92},
                  Pubcomp{10, ReasonCode::packet_identifier_not_found, {}}, Version::v5, sender);
  }
}

TEST(VectorsTest, PublishResponsesV5WithProperties) {
  // Reason String 0x1F "no": Property Length 5.
  Puback reason_string{10, ReasonCode::no_matching_subscribers, {}};
  reason_string.properties.reason_string = "no";
  expect_vector(Bytes{0x40, 0x09, 0x00, 0x0A, 0x10, 0x05, 0x1F, 0x00, 0x02, 'n', 'o'},
                reason_string, Version::v5, Sender::server);
  // Success with a property: the reason code must then be written.
  Pubrel user{10, ReasonCode::success, {}};
  user.properties.user_properties = {{"k", "v"}};
  expect_vector(Bytes{0x62, 0x0B, 0x00, 0x0A, 0x00, 0x07, 0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v'},
                user, Version::v5, Sender::client);
}

// Legal forms the encoder never produces.
TEST(VectorsTest, PublishResponsesV5LongFormsDecode) {
  for (Sender sender : {Sender::client, Sender::server}) {
    // Remaining Length 3 with reason code 0x00.
    expect_decodes_to(Bytes{0x40, 0x03, 0x00, 0x0A, 0x00}, Puback{10, ReasonCode::success, {}},
                      Version::v5, sender);
    // Remaining Length 4: reason code and a Property Length of 0.
    expect_decodes_to(Bytes{0x40, 0x04, 0x00, 0x0A, 0x10, 0x00},
                      Puback{10, ReasonCode::no_matching_subscribers, {}}, Version::v5, sender);
    expect_decodes_to(Bytes{0x40, 0x04, 0x00, 0x0A, 0x00, 0x00},
                      Puback{10, ReasonCode::success, {}}, Version::v5, sender);
    expect_decodes_to(Bytes{0x50, 0x04, 0x00, 0x0A, 0x00, 0x00},
                      Pubrec{10, ReasonCode::success, {}}, Version::v5, sender);
    expect_decodes_to(Bytes{0x62, 0x04, 0x00, 0x0A, 0x00, 0x00},
                      Pubrel{10, ReasonCode::success, {}}, Version::v5, sender);
    expect_decodes_to(Bytes{0x70, 0x04, 0x00, 0x0A, 0x92, 0x00},
                      Pubcomp{10, ReasonCode::packet_identifier_not_found, {}}, Version::v5,
                      sender);
  }
}

// =============================================================================================
// SUBSCRIBE / SUBACK / UNSUBSCRIBE / UNSUBACK. SUBSCRIBE and UNSUBSCRIBE have fixed header flags
// 0010 [MQTT-3.8.1-1], [MQTT-3.10.1-1]: first bytes 0x82 and 0xA2.

// MQTT 3.1.1 section 3.8.3.1 (Table 3.5, Figure 3.23, payload example): "a/b" QoS 1, "c/d"
// QoS 2; packet identifier 10 (section 3.8.2.1, Figure 3.21).
TEST(VectorsTest, SubscribeV311SpecExample) {
  Subscribe s;
  s.packet_id = 10;
  s.subscriptions = {{"a/b", QoS::at_least_once, false, false, RetainHandling::send_on_subscribe},
                     {"c/d", QoS::exactly_once, false, false, RetainHandling::send_on_subscribe}};
  for (Version version : {Version::v3_1, Version::v3_1_1}) {
    expect_vector(Bytes{0x82, 0x0E, 0x00, 0x0A, 0x00, 0x03, 'a', '/', 'b', 0x01, 0x00, 0x03, 'c',
                        '/', 'd', 0x02},
                  s, version, Sender::client);
  }
}

// MQTT 3.1.1 section 3.9.3.1 (Table 3.6, Figure 3.27): return codes "Success - Maximum QoS 0",
// "Success - Maximum QoS 2", "Failure" = 0x00, 0x02, 0x80.
TEST(VectorsTest, SubackV311SpecExample) {
  Suback s;
  s.packet_id = 10;
  s.reason_codes = {ReasonCode::success, ReasonCode::granted_qos_2, ReasonCode::unspecified_error};
  expect_vector(Bytes{0x90, 0x05, 0x00, 0x0A, 0x00, 0x02, 0x80}, s, Version::v3_1_1,
                Sender::server);
}

// MQTT 3.1.1 section 3.10.3.1 (Table 3.7, Figure 3.30): filters "a/b" and "c/d".
TEST(VectorsTest, UnsubscribeAndUnsubackV311) {
  Unsubscribe u;
  u.packet_id = 10;
  u.filters = {"a/b", "c/d"};
  for (Version version : {Version::v3_1, Version::v3_1_1}) {
    expect_vector(
        Bytes{0xA2, 0x0C, 0x00, 0x0A, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x03, 'c', '/', 'd'}, u,
        version, Sender::client);
    // 3.1.1 section 3.11: UNSUBACK is the packet identifier only.
    expect_vector(Bytes{0xB0, 0x02, 0x00, 0x0A}, Unsuback{10, {}, {}}, version, Sender::server);
  }
}

// MQTT 5.0 section 3.8.3.1: Subscription Options bits 0-1 Maximum QoS, bit 2 No Local, bit 3
// Retain As Published, bits 4-5 Retain Handling. QoS 1 + No Local + RAP + RH 2 = 0x2D.
TEST(VectorsTest, SubscribeV5Options) {
  Subscribe s;
  s.packet_id = 1;
  s.subscriptions = {{"a/b", QoS::at_least_once, true, true, RetainHandling::do_not_send}};
  expect_vector(Bytes{0x82, 0x09, 0x00, 0x01, 0x00, 0x00, 0x03, 'a', '/', 'b', 0x2D}, s,
                Version::v5, Sender::client);

  // Each option alone.
  struct Case {
    Subscription subscription;
    std::uint8_t options;
  };
  const Case cases[] = {
      {{"a/b", QoS::at_most_once, false, false, RetainHandling::send_on_subscribe}, 0x00},
      {{"a/b", QoS::exactly_once, false, false, RetainHandling::send_on_subscribe}, 0x02},
      {{"a/b", QoS::at_most_once, true, false, RetainHandling::send_on_subscribe}, 0x04},
      {{"a/b", QoS::at_most_once, false, true, RetainHandling::send_on_subscribe}, 0x08},
      {{"a/b", QoS::at_most_once, false, false, RetainHandling::send_if_new_subscription}, 0x10},
      {{"a/b", QoS::at_most_once, false, false, RetainHandling::do_not_send}, 0x20},
  };
  for (const Case& c : cases) {
    Subscribe one;
    one.packet_id = 1;
    one.subscriptions = {c.subscription};
    expect_vector(Bytes{0x82, 0x09, 0x00, 0x01, 0x00, 0x00, 0x03, 'a', '/', 'b', c.options}, one,
                  Version::v5, Sender::client);
  }

  // Subscription Identifier 0x0B with value 300 (Variable Byte Integer AC 02).
  Subscribe with_id = s;
  with_id.properties.subscription_identifiers = {300};
  expect_vector(
      Bytes{0x82, 0x0C, 0x00, 0x01, 0x03, 0x0B, 0xAC, 0x02, 0x00, 0x03, 'a', '/', 'b', 0x2D},
      with_id, Version::v5, Sender::client);
}

TEST(VectorsTest, SubackUnsubscribeUnsubackV5) {
  Suback suback;
  suback.packet_id = 1;
  suback.reason_codes = {ReasonCode::success, ReasonCode::granted_qos_1,
                         ReasonCode::wildcard_subscriptions_not_supported};
  expect_vector(Bytes{0x90, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, 0xA2}, suback, Version::v5,
                Sender::server);

  Unsubscribe unsubscribe;
  unsubscribe.packet_id = 1;
  unsubscribe.filters = {"a/b"};
  expect_vector(Bytes{0xA2, 0x08, 0x00, 0x01, 0x00, 0x00, 0x03, 'a', '/', 'b'}, unsubscribe,
                Version::v5, Sender::client);

  Unsuback unsuback;
  unsuback.packet_id = 1;
  unsuback.reason_codes = {ReasonCode::success, ReasonCode::no_subscription_existed};
  expect_vector(Bytes{0xB0, 0x05, 0x00, 0x01, 0x00, 0x00, 0x11}, unsuback, Version::v5,
                Sender::server);
}

// =============================================================================================
// DISCONNECT and AUTH (MQTT 5.0).

// Section 3.14.2.1: "The Reason Code and Property Length can be omitted if the Reason Code is
// 0x00 (Normal disconnecton) and there are no Properties. In this case the DISCONNECT has a
// Remaining Length of 0." Section 3.14.2.2: "If the Remaining Length is less than 2, a value of
// 0 is used" for the Property Length.
TEST(VectorsTest, DisconnectV5) {
  expect_vector(Bytes{0xE0, 0x00}, Disconnect{}, Version::v5, Sender::client);
  expect_vector(Bytes{0xE0, 0x00}, Disconnect{}, Version::v5, Sender::server);
  // A reason code without properties: Remaining Length 1.
  expect_vector(Bytes{0xE0, 0x01, 0x04}, Disconnect{ReasonCode::disconnect_with_will, {}},
                Version::v5, Sender::client);
  expect_vector(Bytes{0xE0, 0x01, 0x8E}, Disconnect{ReasonCode::session_taken_over, {}},
                Version::v5, Sender::server);
  // Session Expiry Interval 0x11 (60) from the client.
  Disconnect with_expiry;
  with_expiry.properties.session_expiry_interval = 60;
  expect_vector(Bytes{0xE0, 0x07, 0x00, 0x05, 0x11, 0x00, 0x00, 0x00, 0x3C}, with_expiry,
                Version::v5, Sender::client);
  // Server Reference 0x1C from the server.
  Disconnect moved{ReasonCode::server_moved, {}};
  moved.properties.server_reference = "s";
  expect_vector(Bytes{0xE0, 0x06, 0x9D, 0x04, 0x1C, 0x00, 0x01, 's'}, moved, Version::v5,
                Sender::server);
}

TEST(VectorsTest, DisconnectV5LongFormsDecode) {
  for (Sender sender : {Sender::client, Sender::server}) {
    expect_decodes_to(Bytes{0xE0, 0x01, 0x00}, Disconnect{}, Version::v5, sender);
    expect_decodes_to(Bytes{0xE0, 0x02, 0x00, 0x00}, Disconnect{}, Version::v5, sender);
    expect_decodes_to(Bytes{0xE0, 0x02, 0x80, 0x00}, Disconnect{ReasonCode::unspecified_error, {}},
                      Version::v5, sender);
  }
}

// Section 3.15.2.1: "The Reason Code and Property Length can be omitted if the Reason Code is
// 0x00 (Success) and there are no Properties. In this case the AUTH has a Remaining Length of 0."
TEST(VectorsTest, AuthV5) {
  for (Sender sender : {Sender::client, Sender::server}) {
    expect_decodes_to(Bytes{0xF0, 0x00}, Auth{}, Version::v5, sender);
    expect_decodes_to(Bytes{0xF0, 0x02, 0x00, 0x00}, Auth{}, Version::v5, sender);
    // Continue authentication with Authentication Method 0x15 "m".
    Auth step{ReasonCode::continue_authentication, {}};
    step.properties.authentication_method = "m";
    expect_vector(Bytes{0xF0, 0x06, 0x18, 0x04, 0x15, 0x00, 0x01, 'm'}, step, Version::v5, sender);
    // Re-authenticate with method and data 0x16 {0x00}.
    Auth again{ReasonCode::reauthenticate, {}};
    again.properties.authentication_method = "m";
    again.properties.authentication_data = std::string(1, '\0');
    expect_vector(Bytes{0xF0, 0x0A, 0x19, 0x08, 0x15, 0x00, 0x01, 'm', 0x16, 0x00, 0x01, 0x00},
                  again, Version::v5, sender);
  }
}

TEST(VectorsTest, AuthV5SuccessWithoutPropertiesEncodesShort) {
  // The short form is allowed (section 3.15.2.1), and it is what the encoder uses for every
  // other packet with an omittable reason code.
  expect_encodes_to(Auth{}, Version::v5, Bytes{0xF0, 0x00});
}

// =============================================================================================
// Fields that do not exist in MQTT 3.1/3.1.1 are not written there: writing them would make the
// packet malformed (e.g. reserved Subscription Options bits, 3.1.1 [MQTT-3.8.3-4]).

TEST(VectorsTest, V3EncodingDropsV5OnlyFields) {
  for (Version version : {Version::v3_1, Version::v3_1_1}) {
    SCOPED_TRACE(version == Version::v3_1 ? "MQTT 3.1" : "MQTT 3.1.1");
    // 3.1.1 section 3.8.3: the byte after the filter is the Requested QoS; bits 7-2 reserved.
    Subscribe subscribe;
    subscribe.packet_id = 10;
    subscribe.subscriptions = {
        {"a/b", QoS::at_least_once, true, true, RetainHandling::do_not_send}};
    expect_encodes_to(subscribe, version,
                      Bytes{0x82, 0x08, 0x00, 0x0A, 0x00, 0x03, 'a', '/', 'b', 0x01});
    // 3.1.1 sections 3.4-3.7: packet identifier only.
    expect_encodes_to(Puback{10, ReasonCode::no_matching_subscribers, {}}, version,
                      Bytes{0x40, 0x02, 0x00, 0x0A});
    expect_encodes_to(Pubrel{10, ReasonCode::packet_identifier_not_found, {}}, version,
                      Bytes{0x62, 0x02, 0x00, 0x0A});
    // 3.1.1 section 3.11: UNSUBACK has no payload.
    expect_encodes_to(Unsuback{10, {ReasonCode::success, ReasonCode::no_subscription_existed}, {}},
                      version, Bytes{0xB0, 0x02, 0x00, 0x0A});
    // 3.1.1 section 3.14: DISCONNECT has no variable header and no payload.
    expect_encodes_to(Disconnect{ReasonCode::disconnect_with_will, {}}, version, Bytes{0xE0, 0x00});
  }
}

TEST(VectorsTest, Qos0PublishHasNoPacketIdentifier_MQTT_2_2_1_2) {
  // [MQTT-2.2.1-2] "A PUBLISH packet MUST NOT contain a Packet Identifier if its QoS value is
  // set to 0" (3.1.1 [MQTT-2.3.1-5]).
  Publish p;
  p.topic = "a/b";
  p.payload = "hi";
  p.packet_id = 99;  // ignored at QoS 0
  expect_encodes_to(p, Version::v3_1_1, Bytes{0x30, 0x07, 0x00, 0x03, 'a', '/', 'b', 'h', 'i'});
  expect_encodes_to(p, Version::v5, Bytes{0x30, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 'h', 'i'});
}

TEST(VectorsTest, UserPropertiesKeepTheirOrderAmongOtherProperties) {
  // MQTT 5.0 [MQTT-3.3.2-18]: the order of User Properties is maintained. Here they are
  // interleaved with a Reason String (0x1F) in a PUBACK.
  Puback expected{10, ReasonCode::success, {}};
  expected.properties.reason_string = "r";
  expected.properties.user_properties = {{"b", "2"}, {"a", "1"}, {"b", "0"}};
  const Bytes bytes = concat({{0x40, 0x1D, 0x00, 0x0A, 0x00, 0x19},
                              {0x26, 0x00, 0x01, 'b', 0x00, 0x01, '2'},
                              {0x1F, 0x00, 0x01, 'r'},
                              {0x26, 0x00, 0x01, 'a', 0x00, 0x01, '1'},
                              {0x26, 0x00, 0x01, 'b', 0x00, 0x01, '0'}});
  ASSERT_EQ(bytes.size(), 2u + 0x1D);
  expect_decodes_to(bytes, expected, Version::v5, Sender::client);
  // Re-encoded in identifier order: Reason String first, User Properties in their order.
  expect_encodes_to(expected, Version::v5,
                    concat({{0x40, 0x1D, 0x00, 0x0A, 0x00, 0x19},
                            {0x1F, 0x00, 0x01, 'r'},
                            {0x26, 0x00, 0x01, 'b', 0x00, 0x01, '2'},
                            {0x26, 0x00, 0x01, 'a', 0x00, 0x01, '1'},
                            {0x26, 0x00, 0x01, 'b', 0x00, 0x01, '0'}}));
}

TEST(VectorsTest, LargestRemainingLength) {
  // Table 2.4 (3.1.1) / Table 1-1 (5.0): 268,435,455 (0xFF 0xFF 0xFF 0x7F) is the largest
  // Remaining Length. A PUBLISH QoS 0 to "a/b" with 268,435,450 payload bytes reaches it: its
  // encoded size is 1 + 4 + 268,435,455. One byte more cannot be represented.
  Packet packet = Publish{};  // built in place: converting a Publish to a Packet would copy it
  Publish& p = std::get<Publish>(packet);
  p.topic = "a/b";
  p.payload.reserve(kMaxVarint - 4);
  p.payload.assign(kMaxVarint - 5, 'x');
  auto size = encoded_size(packet, Version::v3_1_1);
  ASSERT_TRUE(size.ok()) << describe(size.error());
  EXPECT_EQ(*size, std::size_t{kMaxPacketSize});

  p.payload.push_back('x');
  auto too_large = encoded_size(packet, Version::v3_1_1);
  ASSERT_FALSE(too_large.ok());
  EXPECT_EQ(too_large.error(), Errc::packet_too_large);
  Bytes out = {0x01};
  auto encoded = encode(packet, Version::v3_1_1, out);
  ASSERT_FALSE(encoded.ok());
  EXPECT_EQ(encoded.error(), Errc::packet_too_large);
  EXPECT_EQ(out, Bytes{0x01});
}

}  // namespace
}  // namespace tern::mqtt
