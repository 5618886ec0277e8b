// Round trips of every packet type through the codec, for every protocol version it exists in:
// build a packet, encode it, split the bytes with the Framer, decode them as the peer that would
// receive them, and compare with the original. Along the way: encoded_size and encode_shared
// agree with encode, encode appends without touching what `out` held, MQTT 3.1/3.1.1 ignore
// properties, and over-long strings are refused without side effects.
//
// Specifications: MQTT 5.0 (OASIS Standard, 7 March 2019) and MQTT 3.1.1 (OASIS Standard,
// 29 October 2014); MQTT 3.1 is the IBM/Eurotech specification ("MQIsdp", level 3).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <type_traits>
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

// ---------------------------------------------------------------------------------------------
// Diagnostics: readable dumps of bytes and packets for failure messages.

std::string hex(std::span<const std::uint8_t> bytes, std::size_t limit = 96) {
  std::string text;
  char buffer[4];
  for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
    std::snprintf(buffer, sizeof buffer, "%02X ", static_cast<unsigned>(bytes[i]));
    text += buffer;
  }
  if (bytes.size() > limit) text += "... (" + std::to_string(bytes.size()) + " bytes)";
  return text;
}

std::string quoted(const std::string& text, std::size_t limit = 48) {
  std::string out = "\"";
  char buffer[5];
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(buffer, sizeof buffer, "\\x%02X", static_cast<unsigned>(c));
      out += buffer;
    }
  }
  if (text.size() > limit) out += "...(" + std::to_string(text.size()) + " bytes)";
  return out + "\"";
}

void put(std::ostream& os, const std::string& value) {
  os << quoted(value);
}
void put(std::ostream& os, std::uint8_t value) {
  os << static_cast<unsigned>(value);
}
void put(std::ostream& os, std::uint16_t value) {
  os << value;
}
void put(std::ostream& os, std::uint32_t value) {
  os << value;
}

template <class T>
void field(std::ostream& os, const char* name, const std::optional<T>& value) {
  if (!value) return;
  os << name << '=';
  put(os, *value);
  os << ' ';
}

std::string dump(const Properties& p) {
  std::ostringstream os;
  os << "{ ";
  field(os, "payload_format_indicator", p.payload_format_indicator);
  field(os, "message_expiry_interval", p.message_expiry_interval);
  field(os, "content_type", p.content_type);
  field(os, "response_topic", p.response_topic);
  field(os, "correlation_data", p.correlation_data);
  if (!p.subscription_identifiers.empty()) {
    os << "subscription_identifiers=[";
    for (auto id : p.subscription_identifiers)
      os << id << ' ';
    os << "] ";
  }
  field(os, "session_expiry_interval", p.session_expiry_interval);
  field(os, "assigned_client_identifier", p.assigned_client_identifier);
  field(os, "server_keep_alive", p.server_keep_alive);
  field(os, "authentication_method", p.authentication_method);
  field(os, "authentication_data", p.authentication_data);
  field(os, "request_problem_information", p.request_problem_information);
  field(os, "will_delay_interval", p.will_delay_interval);
  field(os, "request_response_information", p.request_response_information);
  field(os, "response_information", p.response_information);
  field(os, "server_reference", p.server_reference);
  field(os, "reason_string", p.reason_string);
  field(os, "receive_maximum", p.receive_maximum);
  field(os, "topic_alias_maximum", p.topic_alias_maximum);
  field(os, "topic_alias", p.topic_alias);
  field(os, "maximum_qos", p.maximum_qos);
  field(os, "retain_available", p.retain_available);
  for (const auto& up : p.user_properties)
    os << "user(" << quoted(up.name) << ',' << quoted(up.value) << ") ";
  field(os, "maximum_packet_size", p.maximum_packet_size);
  field(os, "wildcard_subscription_available", p.wildcard_subscription_available);
  field(os, "subscription_identifier_available", p.subscription_identifier_available);
  field(os, "shared_subscription_available", p.shared_subscription_available);
  os << '}';
  return os.str();
}

unsigned num(auto value) {
  return static_cast<unsigned>(value);
}

std::string dump(const Packet& packet) {
  std::ostringstream os;
  os << to_string(type_of(packet)) << ' ';
  std::visit(
      [&os](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, Connect>) {
          os << "version=" << num(p.version) << " clean_start=" << p.clean_start
             << " keep_alive=" << p.keep_alive << " client_id=" << quoted(p.client_id);
          if (p.will) {
            os << " will{topic=" << quoted(p.will->topic) << " payload=" << quoted(p.will->payload)
               << " qos=" << num(p.will->qos) << " retain=" << p.will->retain
               << " props=" << dump(p.will->properties) << '}';
          }
          if (p.username) os << " username=" << quoted(*p.username);
          if (p.password) os << " password=" << quoted(*p.password);
        } else if constexpr (std::is_same_v<T, Connack>) {
          os << "session_present=" << p.session_present << " reason=0x" << std::hex
             << num(p.reason_code) << std::dec;
        } else if constexpr (std::is_same_v<T, Publish>) {
          os << "topic=" << quoted(p.topic) << " payload=" << quoted(p.payload)
             << " qos=" << num(p.qos) << " retain=" << p.retain << " dup=" << p.dup
             << " packet_id=" << p.packet_id;
        } else if constexpr (std::is_same_v<T, Puback> || std::is_same_v<T, Pubrec> ||
                             std::is_same_v<T, Pubrel> || std::is_same_v<T, Pubcomp>) {
          os << "packet_id=" << p.packet_id << " reason=0x" << std::hex << num(p.reason_code)
             << std::dec;
        } else if constexpr (std::is_same_v<T, Subscribe>) {
          os << "packet_id=" << p.packet_id << " subscriptions=[";
          for (const auto& s : p.subscriptions) {
            os << '{' << quoted(s.filter) << " qos=" << num(s.max_qos) << " nl=" << s.no_local
               << " rap=" << s.retain_as_published << " rh=" << num(s.retain_handling) << '}';
          }
          os << ']';
        } else if constexpr (std::is_same_v<T, Suback> || std::is_same_v<T, Unsuback>) {
          os << "packet_id=" << p.packet_id << " codes=[" << std::hex;
          for (auto code : p.reason_codes)
            os << "0x" << num(code) << ' ';
          os << std::dec << ']';
        } else if constexpr (std::is_same_v<T, Unsubscribe>) {
          os << "packet_id=" << p.packet_id << " filters=[";
          for (const auto& f : p.filters)
            os << quoted(f) << ' ';
          os << ']';
        } else if constexpr (std::is_same_v<T, Disconnect> || std::is_same_v<T, Auth>) {
          os << "reason=0x" << std::hex << num(p.reason_code) << std::dec;
        }
        if constexpr (requires { p.properties; }) os << " props=" << dump(p.properties);
      },
      packet);
  return os.str();
}

// ---------------------------------------------------------------------------------------------
// Framing and decoding helpers.

// Feeds `bytes` to a fresh Framer `chunk` bytes at a time, expects exactly one frame that uses
// every byte, and decodes it. Framing errors come back as the Errc.
Result<Packet> frame_and_decode(const Bytes& bytes, Version version, Sender sender,
                                std::size_t chunk) {
  Framer framer;
  std::size_t position = 0;
  while (position < bytes.size()) {
    const std::size_t length = std::min(chunk, bytes.size() - position);
    std::span<const std::uint8_t> input(bytes.data() + position, length);
    auto result = framer.next(input);
    position += length - input.size();
    if (!result.ok()) return result.error();
    if (result->has_value()) {
      const Frame frame = **result;
      EXPECT_EQ(position, bytes.size()) << "the frame did not use every byte: " << hex(bytes);
      EXPECT_EQ(frame.size, bytes.size());
      EXPECT_EQ(frame.first_byte, bytes[0]);
      return decode(frame, version, sender);
    }
    if (!input.empty()) {
      ADD_FAILURE() << "Framer returned no frame yet left input unused";
      return Errc::truncated;
    }
  }
  ADD_FAILURE() << "Framer produced no frame for " << hex(bytes);
  return Errc::truncated;
}

// Clears the properties of a packet (and of its will): what an MQTT 3.1/3.1.1 encoding keeps.
Packet without_properties(Packet packet) {
  std::visit(
      [](auto& p) {
        if constexpr (requires { p.properties; }) p.properties = Properties{};
        if constexpr (std::is_same_v<std::decay_t<decltype(p)>, Connect>) {
          if (p.will) p.will->properties = Properties{};
        }
      },
      packet);
  return packet;
}

const char* name(Version version) {
  switch (version) {
    case Version::v3_1:
      return "MQTT 3.1";
    case Version::v3_1_1:
      return "MQTT 3.1.1";
    case Version::v5:
      return "MQTT 5.0";
  }
  return "?";
}

// Everything a round trip checks. Returns the encoding for further checks.
Bytes check_roundtrip(const Packet& packet, Version version, Sender sender) {
  SCOPED_TRACE(std::string(name(version)) + ", from the " +
               (sender == Sender::client ? "client" : "server") + ": " + dump(packet));
  Bytes out;
  auto appended = encode(packet, version, out);
  if (!appended.ok()) {
    ADD_FAILURE() << "encode failed: " << describe(appended.error());
    return out;
  }
  EXPECT_EQ(*appended, out.size());
  if (out.empty()) {
    ADD_FAILURE() << "encode produced no bytes";
    return out;
  }
  // The fixed header names the packet type (MQTT 5.0 section 2.1.2, 3.1.1 section 2.2.1).
  EXPECT_EQ(out[0] >> 4, static_cast<int>(type_of(packet))) << hex(out);

  auto size = encoded_size(packet, version);
  if (size.ok()) {
    EXPECT_EQ(*size, out.size()) << "encoded_size disagrees with encode";
  } else {
    ADD_FAILURE() << "encoded_size failed: " << describe(size.error());
  }

  auto shared = encode_shared(packet, version);
  if (shared.ok()) {
    EXPECT_NE(*shared, nullptr);
    if (*shared != nullptr) {
      EXPECT_EQ(**shared, out) << "encode_shared gives other bytes";
    }
  } else {
    ADD_FAILURE() << "encode_shared failed: " << describe(shared.error());
  }

  // encode appends: the bytes already in `out` stay as they were.
  Bytes prefixed = {0xDE, 0xAD, 0xBE, 0xEF, 0x00};
  prefixed.reserve(6);  // force a reallocation while appending
  auto appended_again = encode(packet, version, prefixed);
  if (appended_again.ok()) {
    EXPECT_EQ(*appended_again, out.size());
    EXPECT_EQ(prefixed.size(), 5 + out.size()) << hex(prefixed);
    if (prefixed.size() >= 5) {
      EXPECT_EQ(Bytes(prefixed.begin(), prefixed.begin() + 5),
                (Bytes{0xDE, 0xAD, 0xBE, 0xEF, 0x00}));
      EXPECT_EQ(Bytes(prefixed.begin() + 5, prefixed.end()), out);
    }
  } else {
    ADD_FAILURE() << "second encode failed: " << describe(appended_again.error());
  }

  // Decode as the receiver would: the whole packet at once, then one byte at a time.
  const Packet expected = version == Version::v5 ? packet : without_properties(packet);
  for (std::size_t chunk : {out.size(), std::size_t{1}}) {
    SCOPED_TRACE("fed to the Framer in chunks of " + std::to_string(chunk) + " bytes");
    auto decoded = frame_and_decode(out, version, sender, chunk);
    if (!decoded.ok()) {
      ADD_FAILURE() << "decode failed: " << describe(decoded.error()) << "\nbytes: " << hex(out);
      continue;
    }
    EXPECT_TRUE(*decoded == expected)
        << "decoded:  " << dump(*decoded) << "\nexpected: " << dump(expected)
        << "\nbytes: " << hex(out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Packets with interesting values.

constexpr Version kAllVersions[] = {Version::v3_1, Version::v3_1_1, Version::v5};
constexpr Version kV3Versions[] = {Version::v3_1, Version::v3_1_1};

std::vector<UserProperty> user_properties(const std::string& tag) {
  // Several, in an order that is not sorted, with a repeated name (MQTT 5.0 section 3.1.2.11.8:
  // "The User Property is allowed to appear multiple times to represent multiple name, value
  // pairs. The same name is allowed to appear more than once."), an empty value and UTF-8.
  return {{"z-" + tag, "last-first"},
          {"dup", "1"},
          {"dup", "2"},
          {"empty", ""},
          {"\xC3\xA9t\xC3\xA9", "\xE2\x82\xAC \xF0\x9F\x98\x80"}};
}

Will full_will() {
  Will will;
  will.topic = "clients/c\xC3\xA9/status";
  will.payload = "offline \xE2\x9C\x93";  // UTF-8, so Payload Format Indicator 1 is honest
  will.qos = QoS::exactly_once;
  will.retain = true;
  // Every Will Property (MQTT 5.0 section 3.1.3.2).
  will.properties.will_delay_interval = 30;
  will.properties.payload_format_indicator = 1;
  will.properties.message_expiry_interval = 86'400;
  will.properties.content_type = "text/plain; charset=utf-8";
  will.properties.response_topic = "clients/status/replies";
  will.properties.correlation_data = std::string("\x00\x01\xFE\xFF", 4);
  will.properties.user_properties = user_properties("will");
  return will;
}

Connect full_connect(Version version) {
  Connect c;
  c.version = version;
  c.clean_start = false;
  c.keep_alive = 0xFFFF;
  c.client_id = "tern-client-42";
  c.will = full_will();
  c.username = "alice";
  c.password = std::string("s3cr\x00t\xFF", 7);  // Binary Data
  // Every CONNECT property (MQTT 5.0 section 3.1.2.11).
  c.properties.session_expiry_interval = 0xFFFFFFFF;
  c.properties.receive_maximum = 1;
  c.properties.maximum_packet_size = 268'435'460;
  c.properties.topic_alias_maximum = 0xFFFF;
  c.properties.request_response_information = 1;
  c.properties.request_problem_information = 0;
  c.properties.user_properties = user_properties("connect");
  c.properties.authentication_method = "SCRAM-SHA-256";
  c.properties.authentication_data = std::string("\x00n,,n=alice", 11);
  return c;
}

Connack full_connack() {
  Connack c;
  c.session_present = true;
  c.reason_code = ReasonCode::success;
  // Every CONNACK property (MQTT 5.0 section 3.2.2.3).
  c.properties.session_expiry_interval = 7200;
  c.properties.receive_maximum = 0xFFFF;
  c.properties.maximum_qos = 1;
  c.properties.retain_available = 0;
  c.properties.maximum_packet_size = 1'048'576;
  c.properties.assigned_client_identifier = "auto-7F3A";
  c.properties.topic_alias_maximum = 10;
  c.properties.reason_string = "welcome";
  c.properties.user_properties = user_properties("connack");
  c.properties.wildcard_subscription_available = 1;
  c.properties.subscription_identifier_available = 0;
  c.properties.shared_subscription_available = 1;
  c.properties.server_keep_alive = 120;
  c.properties.response_information = "responses/tern-client-42";
  c.properties.server_reference = "backup.example.com:1883";
  c.properties.authentication_method = "SCRAM-SHA-256";
  c.properties.authentication_data = std::string("r=nonce,s=\x00\x01", 12);
  return c;
}

Publish full_publish(Sender sender) {
  Publish p;
  p.topic = "sensors/\xC3\xA9t\xC3\xA9/temp";
  p.payload = std::string("\x00\x01\x02\xFF binary\x00", 12);
  p.qos = QoS::at_least_once;
  p.retain = true;
  p.dup = true;
  p.packet_id = 0xFFFF;
  // Every PUBLISH property (MQTT 5.0 section 3.3.2.3).
  p.properties.payload_format_indicator = 0;
  p.properties.message_expiry_interval = 0;
  p.properties.topic_alias = 0xFFFF;
  p.properties.response_topic = "replies/\xC3\xA9";
  p.properties.correlation_data = std::string("\x00\xFF", 2);
  p.properties.user_properties = user_properties("publish");
  p.properties.content_type = "application/octet-stream";
  if (sender == Sender::server) {
    // One per matching subscription [MQTT-3.3.4-4]; one byte to four bytes as Variable Byte
    // Integers, including the largest (MQTT 5.0 section 3.8.2.1.2).
    p.properties.subscription_identifiers = {1, 127, 128, 16'383, 16'384, 2'097'152, kMaxVarint};
  }
  return p;
}

template <class Response>
Response full_response(ReasonCode code) {
  Response r;
  r.packet_id = 0x8001;
  r.reason_code = code;
  r.properties.reason_string = "because";
  r.properties.user_properties = user_properties("response");
  return r;
}

Subscribe full_subscribe() {
  Subscribe s;
  s.packet_id = 1;
  s.subscriptions = {
      {"sport/tennis/player1", QoS::at_most_once, false, false, RetainHandling::send_on_subscribe},
      {"sport/+/player1", QoS::at_least_once, true, false,
       RetainHandling::send_if_new_subscription},
      {"sport/#", QoS::exactly_once, false, true, RetainHandling::do_not_send},
      {"#", QoS::exactly_once, true, true, RetainHandling::do_not_send},
      {"$share/group/sensors/+", QoS::at_least_once, false, true,
       RetainHandling::send_on_subscribe},
      {"\xC3\xA9t\xC3\xA9/+/#", QoS::at_most_once, false, false, RetainHandling::do_not_send},
  };
  // Every SUBSCRIBE property (MQTT 5.0 section 3.8.2.1).
  s.properties.subscription_identifiers = {kMaxVarint};
  s.properties.user_properties = user_properties("subscribe");
  return s;
}

// The MQTT 3.1/3.1.1 shape of a SUBSCRIBE: Requested QoS only.
Subscribe v3_subscribe(Version version) {
  Subscribe s;
  s.packet_id = 0xFFFF;
  const auto plain = [](const char* filter, QoS qos) {
    return Subscription{filter, qos, false, false, RetainHandling::send_on_subscribe};
  };
  s.subscriptions = {plain("sport/tennis/player1", QoS::at_most_once),
                     plain("sport/+/player1", QoS::at_least_once),
                     plain("sport/#", QoS::exactly_once), plain("+", QoS::at_least_once)};
  (void)version;
  return s;
}

// =============================================================================================
// CONNECT (client to server).

TEST(RoundtripTest, ConnectV5EveryPropertyAndWillProperties) {
  check_roundtrip(full_connect(Version::v5), Version::v5, Sender::client);
}

TEST(RoundtripTest, ConnectV3EveryField) {
  for (Version version : kV3Versions) {
    Connect c = full_connect(version);
    c.properties = {};
    c.will->properties = {};
    check_roundtrip(c, version, Sender::client);
  }
}

TEST(RoundtripTest, ConnectMinimalEveryVersion) {
  for (Version version : kAllVersions) {
    Connect c;
    c.version = version;
    c.clean_start = true;
    c.client_id = "c";
    check_roundtrip(c, version, Sender::client);
  }
}

TEST(RoundtripTest, ConnectWillQosAndRetainCombinations) {
  for (Version version : kAllVersions) {
    for (QoS qos : {QoS::at_most_once, QoS::at_least_once, QoS::exactly_once}) {
      for (bool retain : {false, true}) {
        Connect c;
        c.version = version;
        c.client_id = "w";
        c.will = Will{"last/will", "", qos, retain, {}};  // a zero-length Will Message is legal
        check_roundtrip(c, version, Sender::client);
      }
    }
  }
}

TEST(RoundtripTest, ConnectUsernameWithoutPassword) {
  for (Version version : kAllVersions) {
    Connect c;
    c.version = version;
    c.client_id = "u";
    c.username = "";  // present but empty
    check_roundtrip(c, version, Sender::client);
  }
}

TEST(RoundtripTest, ConnectV5PasswordWithoutUsername) {
  // MQTT 5.0 section 3.1.2.9 dropped the 3.1.1 rule [MQTT-3.1.2-22] that a password needs a
  // user name: "This version of the protocol allows the sending of a Password with no User Name".
  Connect c;
  c.version = Version::v5;
  c.client_id = "p";
  c.password = std::string("\x00\x01", 2);
  check_roundtrip(c, Version::v5, Sender::client);
}

TEST(RoundtripTest, ConnectEmptyClientIdWithCleanStart) {
  // A zero-byte ClientId (MQTT 3.1.1 [MQTT-3.1.3-6], MQTT 5.0 [MQTT-3.1.3-6]); 3.1.1 requires
  // CleanSession 1 for it [MQTT-3.1.3-7].
  for (Version version : {Version::v3_1_1, Version::v5}) {
    Connect c;
    c.version = version;
    c.clean_start = true;
    c.client_id = "";
    check_roundtrip(c, version, Sender::client);
  }
}

// =============================================================================================
// CONNACK (server to client).

TEST(RoundtripTest, ConnackV5EveryProperty) {
  check_roundtrip(full_connack(), Version::v5, Sender::server);
}

TEST(RoundtripTest, ConnackV5Failures) {
  // A non-zero reason code requires Session Present 0 [MQTT-3.2.2-6].
  for (ReasonCode code :
       {ReasonCode::unspecified_error, ReasonCode::malformed_packet, ReasonCode::protocol_error,
        ReasonCode::unsupported_protocol_version, ReasonCode::client_identifier_not_valid,
        ReasonCode::bad_username_or_password, ReasonCode::not_authorized, ReasonCode::banned,
        ReasonCode::bad_authentication_method, ReasonCode::use_another_server,
        ReasonCode::server_moved, ReasonCode::connection_rate_exceeded}) {
    Connack c;
    c.session_present = false;
    c.reason_code = code;
    c.properties.reason_string = "no";
    c.properties.user_properties = user_properties("refused");
    if (code == ReasonCode::use_another_server || code == ReasonCode::server_moved) {
      c.properties.server_reference = "elsewhere:1883";
    }
    check_roundtrip(c, Version::v5, Sender::server);
  }
}

TEST(RoundtripTest, ConnackV311SessionPresentAndEveryReturnCode) {
  // MQTT 3.1.1 section 3.2.2.3: return codes 0-5 map to the 5.0 reason codes of the same meaning.
  check_roundtrip(Connack{true, ReasonCode::success, {}}, Version::v3_1_1, Sender::server);
  for (Version version : kV3Versions) {
    check_roundtrip(Connack{false, ReasonCode::success, {}}, version, Sender::server);
    for (ReasonCode code : {ReasonCode::unsupported_protocol_version,
                            ReasonCode::client_identifier_not_valid, ReasonCode::server_unavailable,
                            ReasonCode::bad_username_or_password, ReasonCode::not_authorized}) {
      check_roundtrip(Connack{false, code, {}}, version, Sender::server);
    }
  }
}

// =============================================================================================
// PUBLISH (both directions).

TEST(RoundtripTest, PublishV5FromClientEveryProperty) {
  check_roundtrip(full_publish(Sender::client), Version::v5, Sender::client);
}

TEST(RoundtripTest, PublishV5FromServerWithSeveralSubscriptionIdentifiers) {
  check_roundtrip(full_publish(Sender::server), Version::v5, Sender::server);
}

TEST(RoundtripTest, PublishEveryQosRetainDupBothDirections) {
  for (Version version : kAllVersions) {
    for (Sender sender : {Sender::client, Sender::server}) {
      for (QoS qos : {QoS::at_most_once, QoS::at_least_once, QoS::exactly_once}) {
        for (bool retain : {false, true}) {
          for (bool dup : {false, true}) {
            if (qos == QoS::at_most_once && dup) continue;  // [MQTT-3.3.1-2]
            Publish p;
            p.topic = "a/b";
            p.payload = "hello";
            p.qos = qos;
            p.retain = retain;
            p.dup = dup;
            p.packet_id = qos == QoS::at_most_once ? 0 : 1;  // [MQTT-2.2.1-2]
            check_roundtrip(p, version, sender);
          }
        }
      }
    }
  }
}

TEST(RoundtripTest, PublishEmptyPayloadAndOddTopics) {
  // Zero-length payloads are legal (MQTT 5.0 section 3.3.3); "/" and topics with empty levels or
  // spaces are valid Topic Names (section 4.7.3).
  for (Version version : kAllVersions) {
    for (const char* topic : {"/", "a//b", "a/", "Accounts payable", "$SYS/broker/uptime"}) {
      Publish p;
      p.topic = topic;
      check_roundtrip(p, version, Sender::server);
    }
  }
}

TEST(RoundtripTest, PublishV5TopicAliasWithEmptyTopicName) {
  // MQTT 5.0 section 3.3.2.1: a zero-length Topic Name with a Topic Alias.
  Publish p;
  p.topic = "";
  p.qos = QoS::at_least_once;
  p.packet_id = 7;
  p.payload = "x";
  p.properties.topic_alias = 1;
  check_roundtrip(p, Version::v5, Sender::client);
  check_roundtrip(p, Version::v5, Sender::server);
}

TEST(RoundtripTest, PublishLargePayloadNeedsMultiByteRemainingLength) {
  for (Version version : kAllVersions) {
    Publish p;
    p.topic = "big";
    p.payload.assign(200'000, '\0');
    for (std::size_t i = 0; i < p.payload.size(); ++i)
      p.payload[i] = static_cast<char>(i * 7);
    p.qos = QoS::exactly_once;
    p.packet_id = 300;
    const Bytes bytes = check_roundtrip(p, version, Sender::client);
    ASSERT_GE(bytes.size(), 4u);
    // 200,000 + header bytes needs a 3-byte Remaining Length.
    EXPECT_EQ(bytes[1] & 0x80, 0x80);
    EXPECT_EQ(bytes[2] & 0x80, 0x80);
    EXPECT_EQ(bytes[3] & 0x80, 0x00);
  }
}

TEST(RoundtripTest, PublishTopicOf65535BytesIsTheLongestThatEncodes) {
  Publish p;
  p.topic.assign(65'535, 't');
  for (Version version : kAllVersions)
    check_roundtrip(p, version, Sender::client);
}

// =============================================================================================
// PUBACK, PUBREC, PUBREL, PUBCOMP (both directions).

template <class Response>
void check_publish_response(std::initializer_list<ReasonCode> codes) {
  for (Sender sender : {Sender::client, Sender::server}) {
    for (Version version : kV3Versions) {
      Response r;
      r.packet_id = 0xFFFF;
      check_roundtrip(r, version, sender);
      r.packet_id = 1;
      check_roundtrip(r, version, sender);
    }
    // MQTT 5.0: every reason code of the packet, with and without properties, and the short
    // forms (success without properties; reason code without properties).
    for (ReasonCode code : codes) {
      check_roundtrip(full_response<Response>(code), Version::v5, sender);
      Response bare;
      bare.packet_id = 2;
      bare.reason_code = code;
      check_roundtrip(bare, Version::v5, sender);
    }
    Response user_only;
    user_only.packet_id = 3;
    user_only.properties.user_properties = user_properties("only");
    check_roundtrip(user_only, Version::v5, sender);
  }
}

TEST(RoundtripTest, PubackEveryReasonCode) {
  // MQTT 5.0 section 3.4.2.1, Table 3-4.
  check_publish_response<Puback>(
      {ReasonCode::success, ReasonCode::no_matching_subscribers, ReasonCode::unspecified_error,
       ReasonCode::implementation_specific_error, ReasonCode::not_authorized,
       ReasonCode::topic_name_invalid, ReasonCode::packet_identifier_in_use,
       ReasonCode::quota_exceeded, ReasonCode::payload_format_invalid});
}

TEST(RoundtripTest, PubrecEveryReasonCode) {
  // MQTT 5.0 section 3.5.2.1, Table 3-5.
  check_publish_response<Pubrec>(
      {ReasonCode::success, ReasonCode::no_matching_subscribers, ReasonCode::unspecified_error,
       ReasonCode::implementation_specific_error, ReasonCode::not_authorized,
       ReasonCode::topic_name_invalid, ReasonCode::packet_identifier_in_use,
       ReasonCode::quota_exceeded, ReasonCode::payload_format_invalid});
}

TEST(RoundtripTest, PubrelEveryReasonCode) {
  // MQTT 5.0 section 3.6.2.1, Table 3-6.
  check_publish_response<Pubrel>({ReasonCode::success, ReasonCode::packet_identifier_not_found});
}

TEST(RoundtripTest, PubcompEveryReasonCode) {
  // MQTT 5.0 section 3.7.2.1, Table 3-7.
  check_publish_response<Pubcomp>({ReasonCode::success, ReasonCode::packet_identifier_not_found});
}

// =============================================================================================
// SUBSCRIBE (client) and SUBACK (server).

TEST(RoundtripTest, SubscribeV5EveryOptionAndProperty) {
  check_roundtrip(full_subscribe(), Version::v5, Sender::client);
}

TEST(RoundtripTest, SubscribeV5WithoutProperties) {
  Subscribe s = full_subscribe();
  s.properties = {};
  check_roundtrip(s, Version::v5, Sender::client);
}

TEST(RoundtripTest, SubscribeV3) {
  for (Version version : kV3Versions)
    check_roundtrip(v3_subscribe(version), version, Sender::client);
}

TEST(RoundtripTest, SubackV5EveryReasonCode) {
  // MQTT 5.0 section 3.9.3, Table 3-8.
  Suback s;
  s.packet_id = 1;
  s.reason_codes = {ReasonCode::success,
                    ReasonCode::granted_qos_1,
                    ReasonCode::granted_qos_2,
                    ReasonCode::unspecified_error,
                    ReasonCode::implementation_specific_error,
                    ReasonCode::not_authorized,
                    ReasonCode::topic_filter_invalid,
                    ReasonCode::packet_identifier_in_use,
                    ReasonCode::quota_exceeded,
                    ReasonCode::shared_subscriptions_not_supported,
                    ReasonCode::subscription_identifiers_not_supported,
                    ReasonCode::wildcard_subscriptions_not_supported};
  s.properties.reason_string = "partly";
  s.properties.user_properties = user_properties("suback");
  check_roundtrip(s, Version::v5, Sender::server);
  s.properties = {};
  check_roundtrip(s, Version::v5, Sender::server);
}

TEST(RoundtripTest, SubackV3) {
  // MQTT 3.1.1 section 3.9.3: 0x00, 0x01, 0x02 and 0x80 (Failure).
  Suback s;
  s.packet_id = 0xFFFF;
  s.reason_codes = {ReasonCode::granted_qos_2, ReasonCode::success, ReasonCode::unspecified_error,
                    ReasonCode::granted_qos_1};
  check_roundtrip(s, Version::v3_1_1, Sender::server);
  // MQTT 3.1 has no failure code: granted QoS only.
  s.reason_codes = {ReasonCode::granted_qos_2, ReasonCode::success, ReasonCode::granted_qos_1};
  check_roundtrip(s, Version::v3_1, Sender::server);
}

// =============================================================================================
// UNSUBSCRIBE (client) and UNSUBACK (server).

TEST(RoundtripTest, UnsubscribeEveryVersion) {
  for (Version version : kAllVersions) {
    Unsubscribe u;
    u.packet_id = 0x1234;
    u.filters = {"sport/tennis/player1", "sport/+/player1", "sport/#", "#", "\xC3\xA9t\xC3\xA9"};
    if (version == Version::v5) {
      u.filters.push_back("$share/group/sensors/+");
      // The only UNSUBSCRIBE property (MQTT 5.0 section 3.10.2.1).
      u.properties.user_properties = user_properties("unsubscribe");
    }
    check_roundtrip(u, version, Sender::client);
  }
}

TEST(RoundtripTest, UnsubackV5EveryReasonCode) {
  // MQTT 5.0 section 3.11.3, Table 3-9.
  Unsuback u;
  u.packet_id = 9;
  u.reason_codes = {ReasonCode::success,
                    ReasonCode::no_subscription_existed,
                    ReasonCode::unspecified_error,
                    ReasonCode::implementation_specific_error,
                    ReasonCode::not_authorized,
                    ReasonCode::topic_filter_invalid,
                    ReasonCode::packet_identifier_in_use};
  u.properties.reason_string = "done";
  u.properties.user_properties = user_properties("unsuback");
  check_roundtrip(u, Version::v5, Sender::server);
  u.properties = {};
  check_roundtrip(u, Version::v5, Sender::server);
}

TEST(RoundtripTest, UnsubackV3HasOnlyThePacketIdentifier) {
  for (Version version : kV3Versions) {
    Unsuback u;
    u.packet_id = 0xABCD;
    const Bytes bytes = check_roundtrip(u, version, Sender::server);
    EXPECT_EQ(bytes, (Bytes{0xB0, 0x02, 0xAB, 0xCD}));
  }
}

// =============================================================================================
// PINGREQ (client), PINGRESP (server).

TEST(RoundtripTest, PingreqAndPingrespEveryVersion) {
  for (Version version : kAllVersions) {
    EXPECT_EQ(check_roundtrip(Pingreq{}, version, Sender::client), (Bytes{0xC0, 0x00}));
    EXPECT_EQ(check_roundtrip(Pingresp{}, version, Sender::server), (Bytes{0xD0, 0x00}));
  }
}

// =============================================================================================
// DISCONNECT: from the client in every version, from the server only in MQTT 5.0.

TEST(RoundtripTest, DisconnectV3FromClient) {
  for (Version version : kV3Versions) {
    EXPECT_EQ(check_roundtrip(Disconnect{}, version, Sender::client), (Bytes{0xE0, 0x00}));
  }
}

TEST(RoundtripTest, DisconnectV5FromClientEveryProperty) {
  // MQTT 5.0 section 3.14.2.2: Session Expiry Interval, Reason String, User Property (Server
  // Reference is the server's).
  Disconnect d;
  d.reason_code = ReasonCode::disconnect_with_will;
  d.properties.session_expiry_interval = 0;
  d.properties.reason_string = "bye";
  d.properties.user_properties = user_properties("disconnect");
  check_roundtrip(d, Version::v5, Sender::client);
}

TEST(RoundtripTest, DisconnectV5FromServerEveryProperty) {
  // No Session Expiry Interval from a server [MQTT-3.14.2-2].
  Disconnect d;
  d.reason_code = ReasonCode::use_another_server;
  d.properties.server_reference = "other.example.com";
  d.properties.reason_string = "moving";
  d.properties.user_properties = user_properties("disconnect");
  check_roundtrip(d, Version::v5, Sender::server);
}

TEST(RoundtripTest, DisconnectV5EveryReasonCode) {
  // MQTT 5.0 section 3.14.2.1, Table 3-10, with its "Sent by" column.
  for (ReasonCode code :
       {ReasonCode::success, ReasonCode::unspecified_error, ReasonCode::malformed_packet,
        ReasonCode::protocol_error, ReasonCode::implementation_specific_error,
        ReasonCode::topic_name_invalid, ReasonCode::receive_maximum_exceeded,
        ReasonCode::topic_alias_invalid, ReasonCode::packet_too_large,
        ReasonCode::message_rate_too_high, ReasonCode::quota_exceeded,
        ReasonCode::administrative_action, ReasonCode::payload_format_invalid}) {
    check_roundtrip(Disconnect{code, {}}, Version::v5, Sender::server);
    check_roundtrip(Disconnect{code, {}}, Version::v5, Sender::client);
  }
  for (ReasonCode code :
       {ReasonCode::not_authorized, ReasonCode::server_busy, ReasonCode::server_shutting_down,
        ReasonCode::keep_alive_timeout, ReasonCode::session_taken_over,
        ReasonCode::topic_filter_invalid, ReasonCode::retain_not_supported,
        ReasonCode::qos_not_supported, ReasonCode::use_another_server, ReasonCode::server_moved,
        ReasonCode::shared_subscriptions_not_supported, ReasonCode::connection_rate_exceeded,
        ReasonCode::maximum_connect_time, ReasonCode::subscription_identifiers_not_supported,
        ReasonCode::wildcard_subscriptions_not_supported}) {
    check_roundtrip(Disconnect{code, {}}, Version::v5, Sender::server);
  }
  check_roundtrip(Disconnect{ReasonCode::disconnect_with_will, {}}, Version::v5, Sender::client);
}

// =============================================================================================
// AUTH (MQTT 5.0 only, both directions).

TEST(RoundtripTest, AuthEveryReasonCodeAndProperty) {
  // MQTT 5.0 section 3.15.2.1 (Table 3-11) and 3.15.2.2.
  for (Sender sender : {Sender::client, Sender::server}) {
    for (ReasonCode code :
         {ReasonCode::success, ReasonCode::continue_authentication, ReasonCode::reauthenticate}) {
      Auth a;
      a.reason_code = code;
      a.properties.authentication_method = "SCRAM-SHA-256";
      a.properties.authentication_data = std::string("c=biws,r=\x00\xFF", 11);
      a.properties.reason_string = "step";
      a.properties.user_properties = user_properties("auth");
      check_roundtrip(a, Version::v5, sender);
    }
    check_roundtrip(Auth{}, Version::v5, sender);
  }
}

// =============================================================================================
// MQTT 3.1/3.1.1 have no properties: the encoder leaves them out.

TEST(RoundtripTest, V3EncodingIgnoresProperties) {
  Connect connect = full_connect(Version::v3_1_1);
  Disconnect disconnect;
  disconnect.properties.reason_string = "ignored";
  Suback suback;
  suback.packet_id = 5;
  suback.reason_codes = {ReasonCode::granted_qos_1};
  suback.properties.reason_string = "ignored";
  Unsubscribe unsubscribe;
  unsubscribe.packet_id = 5;
  unsubscribe.filters = {"a/+"};
  unsubscribe.properties.user_properties = user_properties("ignored");
  Subscribe subscribe = v3_subscribe(Version::v3_1_1);
  subscribe.properties.subscription_identifiers = {5};
  Publish publish = full_publish(Sender::client);
  publish.properties.topic_alias.reset();  // with an alias the packet would mean something else
  const std::vector<std::pair<Packet, Sender>> packets = {
      {connect, Sender::client},
      {full_connack(), Sender::server},
      {publish, Sender::client},
      {full_response<Puback>(ReasonCode::success), Sender::client},
      {full_response<Pubrec>(ReasonCode::success), Sender::server},
      {full_response<Pubrel>(ReasonCode::success), Sender::client},
      {full_response<Pubcomp>(ReasonCode::success), Sender::server},
      {subscribe, Sender::client},
      {suback, Sender::server},
      {unsubscribe, Sender::client},
      {disconnect, Sender::client},
  };
  for (Version version : kV3Versions) {
    for (const auto& [packet, sender] : packets) {
      Packet p = packet;
      if (auto* c = std::get_if<Connect>(&p)) c->version = version;
      // MQTT 3.1 has no Session Present flag.
      if (auto* c = std::get_if<Connack>(&p); c && version == Version::v3_1) {
        c->session_present = false;
      }
      SCOPED_TRACE(std::string(name(version)) + ": " + dump(p));
      Bytes with;
      Bytes without;
      ASSERT_TRUE(encode(p, version, with).ok());
      ASSERT_TRUE(encode(without_properties(p), version, without).ok());
      EXPECT_EQ(with, without) << "with properties:    " << hex(with)
                               << "\nwithout properties: " << hex(without);
      auto size = encoded_size(p, version);
      ASSERT_TRUE(size.ok());
      EXPECT_EQ(*size, without.size());
      // And what decodes is the packet without properties.
      check_roundtrip(p, version, sender);
    }
  }
}

// =============================================================================================
// Strings over 65,535 bytes cannot be encoded (MQTT 5.0 section 1.5.4, 3.1.1 section 1.5.3):
// string_too_long, and `out` unchanged.

void expect_string_too_long(const Packet& packet, Version version) {
  SCOPED_TRACE(std::string(name(version)) + ": " + dump(packet));
  Bytes out = {0x01, 0x02, 0x03};
  const Bytes before = out;
  auto result = encode(packet, version, out);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), Errc::string_too_long) << describe(result.error());
  EXPECT_EQ(out, before);
  auto size = encoded_size(packet, version);
  ASSERT_FALSE(size.ok());
  EXPECT_EQ(size.error(), Errc::string_too_long);
  auto shared = encode_shared(packet, version);
  ASSERT_FALSE(shared.ok());
  EXPECT_EQ(shared.error(), Errc::string_too_long);
}

TEST(RoundtripTest, EncodeRefusesTopicOf65536Bytes) {
  Publish p;
  p.topic.assign(65'536, 'a');
  p.payload = "x";
  for (Version version : kAllVersions)
    expect_string_too_long(p, version);
  Bytes empty_out;
  ASSERT_FALSE(encode(p, Version::v5, empty_out).ok());
  EXPECT_TRUE(empty_out.empty());
}

TEST(RoundtripTest, EncodeRefusesOtherFieldsOf65536Bytes) {
  const std::string huge(65'536, 'h');
  for (Version version : kAllVersions) {
    Connect c;
    c.version = version;
    c.client_id = huge;
    expect_string_too_long(c, version);

    c.client_id = "c";
    c.username = "u";
    c.password = huge;  // Binary Data has the same two-byte length
    expect_string_too_long(c, version);

    c.password.reset();
    c.will = Will{"w", huge, QoS::at_most_once, false, {}};
    expect_string_too_long(c, version);

    Subscribe s;
    s.packet_id = 1;
    s.subscriptions = {{huge, QoS::at_most_once, false, false, RetainHandling::send_on_subscribe}};
    expect_string_too_long(s, version);

    Unsubscribe u;
    u.packet_id = 1;
    u.filters = {"a", huge};
    expect_string_too_long(u, version);
  }
  // MQTT 5.0 string properties.
  Puback puback;
  puback.packet_id = 1;
  puback.properties.reason_string = huge;
  expect_string_too_long(puback, Version::v5);
  Disconnect disconnect;
  disconnect.properties.user_properties = {{"name", huge}};
  expect_string_too_long(disconnect, Version::v5);
  Auth auth;
  auth.reason_code = ReasonCode::continue_authentication;
  auth.properties.authentication_method = "m";
  auth.properties.authentication_data = huge;
  expect_string_too_long(auth, Version::v5);
}

TEST(RoundtripTest, LongPayloadIsNotAStringAndEncodes) {
  // The PUBLISH payload has no length prefix: 65,536 bytes and more are fine.
  Publish p;
  p.topic = "t";
  p.payload.assign(65'536, 'p');
  for (Version version : kAllVersions)
    check_roundtrip(p, version, Sender::client);
}

// =============================================================================================
// Why the round trips above pick their Sender and Version: the same bytes from the other side,
// or in an older version, are not the same packet.

TEST(RoundtripTest, DirectionAndVersionMatter) {
  // MQTT 3.1.1 section 3.14: DISCONNECT is "the final Control Packet sent from the Client to the
  // Server"; a server sends one only from MQTT 5.0 on (section 3.14).
  Bytes disconnect;
  ASSERT_TRUE(encode(Disconnect{}, Version::v3_1_1, disconnect).ok());
  for (Version version : kV3Versions) {
    auto decoded = frame_and_decode(disconnect, version, Sender::server, disconnect.size());
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error(), Errc::unexpected_packet);
  }
  EXPECT_TRUE(frame_and_decode(disconnect, Version::v5, Sender::server, 2).ok());

  // AUTH (type 15) is reserved before MQTT 5.0 (3.1.1 section 2.2.1, Table 2.1).
  Bytes auth;
  ASSERT_TRUE(encode(Auth{ReasonCode::continue_authentication, {}}, Version::v5, auth).ok());
  for (Version version : kV3Versions) {
    auto decoded = frame_and_decode(auth, version, Sender::client, auth.size());
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error(), Errc::reserved_packet_type);
  }

  // A PUBLISH with Subscription Identifiers comes only from a server [MQTT-3.3.4-6].
  Bytes publish;
  ASSERT_TRUE(encode(full_publish(Sender::server), Version::v5, publish).ok());
  auto decoded = frame_and_decode(publish, Version::v5, Sender::client, publish.size());
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error(), Errc::subscription_id_from_client);

  // CONNACK comes only from a server, CONNECT only from a client (MQTT 5.0 section 2.1.2).
  Bytes connack;
  ASSERT_TRUE(encode(Connack{}, Version::v5, connack).ok());
  auto from_client = frame_and_decode(connack, Version::v5, Sender::client, connack.size());
  ASSERT_FALSE(from_client.ok());
  EXPECT_EQ(from_client.error(), Errc::unexpected_packet);
  Bytes connect;
  ASSERT_TRUE(encode(full_connect(Version::v5), Version::v5, connect).ok());
  auto from_server = frame_and_decode(connect, Version::v5, Sender::server, connect.size());
  ASSERT_FALSE(from_server.ok());
  EXPECT_EQ(from_server.error(), Errc::unexpected_packet);
}

}  // namespace
}  // namespace tern::mqtt
