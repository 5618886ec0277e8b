// libFuzzer target: untrusted bytes through Framer and decode, then the round trip
// decode(encode(p)) == p for every packet that decodes.
//
// Input layout (make_corpus.py writes seeds in this layout):
//   byte 0   bits 0-1: protocol version of the connection (0: 3.1, 1: 3.1.1, 2 and 3: 5.0)
//            bit 2:    sender of the bytes (0: client, 1: server)
//            bits 3-5: the framer's maximum packet size, an index into kMaxSizes
//   byte 1   chunking of the stream: 0 feeds it whole; n > 0 feeds chunks of 1..n bytes whose
//            sizes come from a small generator seeded with n
//   rest     the byte stream
//
// Invariants checked (any violation aborts):
//   - a frame is no larger than the maximum and its size is 1 + Remaining Length bytes + body;
//   - when the framer needs more input it has consumed all of it;
//   - peek_connect_version is std::nullopt for anything but CONNECT, and agrees with decode;
//   - a decoded packet has the frame's type; it encodes (for the connection's version, or its
//     own for CONNECT), encoded_size equals the bytes appended, encode appends without touching
//     what was in the buffer, encode_shared yields the same bytes; the encoding is exactly one
//     frame, which decodes to a packet equal to the first, and re-encodes to the same bytes;
//   - a decoded packet obeys the specification's rules, checked by tables and rules written here
//     independently of the codec: direction of flow, reason codes per packet type (and
//     is_valid_reason_code agrees with that table for all 15 x 256 pairs), properties allowed
//     per packet and their values, packet identifiers, QoS, topic names and filters;
//   - encode_publish_header plus the payload is the PUBLISH's encoding; for a few publishes, a
//     65,535-byte topic round-trips, a 65,536-byte one fails with string_too_long, a payload
//     size that makes the largest packet allowed works and one byte more fails with
//     packet_too_large, all failures leaving the output buffer unchanged.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "mqtt/codec.h"
#include "mqtt/errc.h"
#include "mqtt/framer.h"
#include "mqtt/packets.h"
#include "mqtt/properties.h"
#include "mqtt/reason_code.h"
#include "mqtt/topic.h"
#include "mqtt/types.h"
#include "mqtt/utf8.h"

namespace {

using namespace tern::mqtt;

[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "fuzz_decode.cpp:%d: invariant violated: %s\n", line, what);
  std::abort();
}

#define FUZZ_CHECK(cond)                \
  do {                                  \
    if (!(cond)) fail(#cond, __LINE__); \
  } while (false)

constexpr std::array<Version, 4> kVersions = {Version::v3_1, Version::v3_1_1, Version::v5,
                                              Version::v5};
constexpr std::array<std::uint32_t, 8> kMaxSizes = {kMaxPacketSize, 2, 5, 16, 64, 256, 4096, 65536};

// Chunk sizes for feeding the framer, drawn from xorshift32 seeded with the input's byte 1.
class Chunker {
 public:
  explicit Chunker(std::uint8_t limit) : limit_(limit), state_(0x9E3779B9u ^ limit) {}

  std::size_t next(std::size_t left) {
    if (limit_ == 0) return left;
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return std::min<std::size_t>(left, 1 + state_ % limit_);
  }

 private:
  std::uint32_t limit_;
  std::uint32_t state_;
};

std::size_t varint_size(std::size_t value) {
  if (value < 128) return 1;
  if (value < 16'384) return 2;
  if (value < 2'097'152) return 3;
  return 4;
}

void dump(const char* label, std::span<const std::uint8_t> bytes) {
  std::fprintf(stderr, "%s (%zu bytes):", label, bytes.size());
  for (std::uint8_t b : bytes)
    std::fprintf(stderr, " %02x", b);
  std::fprintf(stderr, "\n");
}

// Every error has a description and a reason code with a name.
void check_error(Errc error) {
  FUZZ_CHECK(!describe(error).empty());
  FUZZ_CHECK(!to_string(reason_code(error)).empty());
}

void check_round_trip(const Packet& packet, Version version, Sender sender,
                      std::span<const std::uint8_t> original) {
  // Bytes already in the buffer must survive encode untouched.
  static constexpr std::array<std::uint8_t, 3> kPrefix = {0xA5, 0x00, 0x5A};
  std::vector<std::uint8_t> out(kPrefix.begin(), kPrefix.end());
  const Result<std::size_t> appended = encode(packet, version, out);
  if (!appended) {
    dump("frame body", original);
    std::fprintf(stderr, "encode failed: %.*s\n",
                 static_cast<int>(describe(appended.error()).size()),
                 describe(appended.error()).data());
  }
  FUZZ_CHECK(appended.ok());
  FUZZ_CHECK(out.size() == kPrefix.size() + *appended);
  FUZZ_CHECK(std::equal(kPrefix.begin(), kPrefix.end(), out.begin()));
  const std::span<const std::uint8_t> encoded(out.data() + kPrefix.size(), *appended);

  const Result<std::size_t> size = encoded_size(packet, version);
  FUZZ_CHECK(size.ok());
  FUZZ_CHECK(*size == *appended);

  const Result<SharedBytes> shared = encode_shared(packet, version);
  FUZZ_CHECK(shared.ok());
  FUZZ_CHECK(*shared != nullptr);
  FUZZ_CHECK(std::equal(encoded.begin(), encoded.end(), (*shared)->begin(), (*shared)->end()));

  // The encoding is exactly one frame.
  Framer framer;
  std::span<const std::uint8_t> input = encoded;
  Result<std::optional<Frame>> framed = framer.next(input);
  if (!framed || !framed->has_value() || !input.empty()) dump("encoding", encoded);
  FUZZ_CHECK(framed.ok());
  FUZZ_CHECK(framed->has_value());
  FUZZ_CHECK(input.empty());
  const Frame& frame = **framed;
  FUZZ_CHECK(frame.size == encoded.size());
  FUZZ_CHECK(static_cast<std::uint8_t>(type_of(packet)) == frame.type_bits());

  if (const auto* connect = std::get_if<Connect>(&packet)) {
    FUZZ_CHECK(peek_connect_version(frame) == connect->version);
  }

  const Result<Packet> again = decode(frame, version, sender);
  if (!again || !(*again == packet)) {
    std::fprintf(stderr, "version %d, sender %s, type %.*s\n", static_cast<int>(version),
                 sender == Sender::client ? "client" : "server",
                 static_cast<int>(to_string(type_of(packet)).size()),
                 to_string(type_of(packet)).data());
    dump("original frame body", original);
    dump("re-encoding", encoded);
    if (!again) {
      std::fprintf(stderr, "re-decode failed: %.*s\n",
                   static_cast<int>(describe(again.error()).size()),
                   describe(again.error()).data());
    }
  }
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == packet);

  // Encoding is a function of the packet: the re-decoded packet encodes to the same bytes.
  std::vector<std::uint8_t> out2;
  const Result<std::size_t> appended2 = encode(*again, version, out2);
  FUZZ_CHECK(appended2.ok());
  FUZZ_CHECK(std::equal(encoded.begin(), encoded.end(), out2.begin(), out2.end()));
}

// ---- What a decoded packet must satisfy, from the specification ------------------------------
//
// The round trip cannot see a decoder that accepts too much: a packet the specification forbids
// re-encodes and decodes just as well. So each decoded packet is also checked against the rules
// here, written from MQTT 5.0 chapters 2 and 3 independently of the codec.

// Reason codes each packet may carry (MQTT 5.0 sections 3.2.2.2, 3.4.2.1, 3.5.2.1, 3.6.2.1,
// 3.7.2.1, 3.9.3, 3.11.3, 3.14.2.1, 3.15.2.1).
std::vector<std::uint8_t> spec_reason_codes(PacketType type) {
  switch (type) {
    case PacketType::connack:
      return {0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
              0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F};
    case PacketType::puback:
    case PacketType::pubrec:
      return {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99};
    case PacketType::pubrel:
    case PacketType::pubcomp:
      return {0x00, 0x92};
    case PacketType::suback:
      return {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2};
    case PacketType::unsuback:
      return {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91};
    case PacketType::disconnect:
      return {0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D,
              0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
              0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2};
    case PacketType::auth:
      return {0x00, 0x18, 0x19};
    default:
      return {};
  }
}

bool spec_reason_code(PacketType type, ReasonCode code) {
  const std::vector<std::uint8_t> codes = spec_reason_codes(type);
  return std::find(codes.begin(), codes.end(), static_cast<std::uint8_t>(code)) != codes.end();
}

// is_valid_reason_code agrees with the table above for every packet type and byte value.
bool check_reason_code_table() {
  for (int type = 1; type <= 15; ++type) {
    for (int code = 0; code <= 255; ++code) {
      const auto t = static_cast<PacketType>(type);
      const auto c = static_cast<std::uint8_t>(code);
      FUZZ_CHECK(is_valid_reason_code(t, c) == spec_reason_code(t, static_cast<ReasonCode>(c)));
    }
  }
  return true;
}

// Where each property may appear (MQTT 5.0 section 2.2.2.2, table 2-4).
bool property_allowed(PropertyId id, PropertyScope scope) {
  using S = PropertyScope;
  auto in = [scope](std::initializer_list<S> scopes) {
    return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
  };
  switch (id) {
    case PropertyId::payload_format_indicator:
    case PropertyId::message_expiry_interval:
    case PropertyId::content_type:
    case PropertyId::response_topic:
    case PropertyId::correlation_data:
      return in({S::publish, S::will});
    case PropertyId::subscription_identifier:
      return in({S::publish, S::subscribe});
    case PropertyId::session_expiry_interval:
      return in({S::connect, S::connack, S::disconnect});
    case PropertyId::assigned_client_identifier:
    case PropertyId::server_keep_alive:
    case PropertyId::response_information:
    case PropertyId::maximum_qos:
    case PropertyId::retain_available:
    case PropertyId::wildcard_subscription_available:
    case PropertyId::subscription_identifier_available:
    case PropertyId::shared_subscription_available:
      return in({S::connack});
    case PropertyId::authentication_method:
    case PropertyId::authentication_data:
      return in({S::connect, S::connack, S::auth});
    case PropertyId::request_problem_information:
    case PropertyId::request_response_information:
      return in({S::connect});
    case PropertyId::will_delay_interval:
      return in({S::will});
    case PropertyId::server_reference:
      return in({S::connack, S::disconnect});
    case PropertyId::reason_string:
      return in({S::connack, S::puback, S::pubrec, S::pubrel, S::pubcomp, S::suback, S::unsuback,
                 S::disconnect, S::auth});
    case PropertyId::receive_maximum:
    case PropertyId::topic_alias_maximum:
    case PropertyId::maximum_packet_size:
      return in({S::connect, S::connack});
    case PropertyId::topic_alias:
      return in({S::publish});
    case PropertyId::user_property:
      return true;
  }
  return false;
}

bool is_flag(const std::optional<std::uint8_t>& value) {
  return !value || *value <= 1;
}
bool is_text(const std::optional<std::string>& value) {
  return !value || is_valid_utf8(*value);
}

void check_properties(const Properties& p, PropertyScope scope, Version version, Sender sender) {
  if (version != Version::v5) {
    FUZZ_CHECK(p.empty());
    return;
  }
  using Id = PropertyId;
  const std::pair<Id, bool> present[] = {
      {Id::payload_format_indicator, p.payload_format_indicator.has_value()},
      {Id::message_expiry_interval, p.message_expiry_interval.has_value()},
      {Id::content_type, p.content_type.has_value()},
      {Id::response_topic, p.response_topic.has_value()},
      {Id::correlation_data, p.correlation_data.has_value()},
      {Id::subscription_identifier, !p.subscription_identifiers.empty()},
      {Id::session_expiry_interval, p.session_expiry_interval.has_value()},
      {Id::assigned_client_identifier, p.assigned_client_identifier.has_value()},
      {Id::server_keep_alive, p.server_keep_alive.has_value()},
      {Id::authentication_method, p.authentication_method.has_value()},
      {Id::authentication_data, p.authentication_data.has_value()},
      {Id::request_problem_information, p.request_problem_information.has_value()},
      {Id::will_delay_interval, p.will_delay_interval.has_value()},
      {Id::request_response_information, p.request_response_information.has_value()},
      {Id::response_information, p.response_information.has_value()},
      {Id::server_reference, p.server_reference.has_value()},
      {Id::reason_string, p.reason_string.has_value()},
      {Id::receive_maximum, p.receive_maximum.has_value()},
      {Id::topic_alias_maximum, p.topic_alias_maximum.has_value()},
      {Id::topic_alias, p.topic_alias.has_value()},
      {Id::maximum_qos, p.maximum_qos.has_value()},
      {Id::retain_available, p.retain_available.has_value()},
      {Id::user_property, !p.user_properties.empty()},
      {Id::maximum_packet_size, p.maximum_packet_size.has_value()},
      {Id::wildcard_subscription_available, p.wildcard_subscription_available.has_value()},
      {Id::subscription_identifier_available, p.subscription_identifier_available.has_value()},
      {Id::shared_subscription_available, p.shared_subscription_available.has_value()},
  };
  for (const auto& [id, is_present] : present) {
    if (is_present && !property_allowed(id, scope)) {
      std::fprintf(stderr, "property 0x%02x in scope %d\n", static_cast<int>(id),
                   static_cast<int>(scope));
      FUZZ_CHECK(property_allowed(id, scope));
    }
  }
  for (std::uint32_t id : p.subscription_identifiers) {
    FUZZ_CHECK(id >= 1 && id <= kMaxSubscriptionId);  // section 3.8.2.1.2
  }
  if (scope == PropertyScope::subscribe) FUZZ_CHECK(p.subscription_identifiers.size() <= 1);
  if (scope == PropertyScope::publish && sender == Sender::client) {
    FUZZ_CHECK(p.subscription_identifiers.empty());  // [MQTT-3.3.4-6]
  }
  if (scope == PropertyScope::disconnect && sender == Sender::server) {
    FUZZ_CHECK(!p.session_expiry_interval);  // [MQTT-3.14.2-2]
  }
  FUZZ_CHECK(is_flag(p.payload_format_indicator));
  FUZZ_CHECK(is_flag(p.request_problem_information));
  FUZZ_CHECK(is_flag(p.request_response_information));
  FUZZ_CHECK(is_flag(p.maximum_qos));
  FUZZ_CHECK(is_flag(p.retain_available));
  FUZZ_CHECK(is_flag(p.wildcard_subscription_available));
  FUZZ_CHECK(is_flag(p.subscription_identifier_available));
  FUZZ_CHECK(is_flag(p.shared_subscription_available));
  FUZZ_CHECK(p.receive_maximum != std::uint16_t{0});      // section 3.1.2.11.3
  FUZZ_CHECK(p.maximum_packet_size != std::uint32_t{0});  // section 3.1.2.11.4
  FUZZ_CHECK(p.topic_alias != std::uint16_t{0});          // [MQTT-3.3.2-8]
  FUZZ_CHECK(is_text(p.content_type));
  FUZZ_CHECK(!p.response_topic || is_valid_topic_name(*p.response_topic));  // [MQTT-3.3.2-14]
  FUZZ_CHECK(is_text(p.assigned_client_identifier));
  FUZZ_CHECK(is_text(p.authentication_method));
  FUZZ_CHECK(is_text(p.response_information));
  FUZZ_CHECK(is_text(p.server_reference));
  FUZZ_CHECK(is_text(p.reason_string));
  for (const UserProperty& user : p.user_properties) {
    FUZZ_CHECK(is_valid_utf8(user.name));
    FUZZ_CHECK(is_valid_utf8(user.value));
  }
  FUZZ_CHECK(!p.authentication_data || p.authentication_method);
}

bool is_v3_connack_code(ReasonCode code) {
  switch (code) {
    case ReasonCode::success:
    case ReasonCode::unsupported_protocol_version:
    case ReasonCode::client_identifier_not_valid:
    case ReasonCode::server_unavailable:
    case ReasonCode::bad_username_or_password:
    case ReasonCode::not_authorized:
      return true;
    default:
      return false;
  }
}

constexpr PropertyScope response_scope(PacketType type) {
  switch (type) {
    case PacketType::puback:
      return PropertyScope::puback;
    case PacketType::pubrec:
      return PropertyScope::pubrec;
    case PacketType::pubrel:
      return PropertyScope::pubrel;
    default:
      return PropertyScope::pubcomp;
  }
}

// One overload per packet type; `version` is the connection's (for CONNECT, its own).
struct DecodedChecker {
  Version version;
  Sender sender;

  void operator()(const Connect& p) const {
    FUZZ_CHECK(p.version == Version::v3_1 || p.version == Version::v3_1_1 ||
               p.version == Version::v5);
    FUZZ_CHECK(is_valid_utf8(p.client_id));
    if (p.will) {
      FUZZ_CHECK(is_valid_topic_name(p.will->topic));  // [MQTT-3.1.3-11]
      FUZZ_CHECK(p.will->qos <= QoS::exactly_once);
      check_properties(p.will->properties, PropertyScope::will, version, sender);
    }
    if (p.username) FUZZ_CHECK(is_valid_utf8(*p.username));
    if (version != Version::v5 && p.password) FUZZ_CHECK(p.username);  // [MQTT-3.1.2-22]
    check_properties(p.properties, PropertyScope::connect, version, sender);
  }

  void operator()(const Connack& p) const {
    if (version == Version::v5) {
      FUZZ_CHECK(spec_reason_code(PacketType::connack, p.reason_code));
    } else {
      FUZZ_CHECK(is_v3_connack_code(p.reason_code));
    }
    if (p.session_present) FUZZ_CHECK(p.reason_code == ReasonCode::success);  // [MQTT-3.2.2-6]
    if (version == Version::v3_1) FUZZ_CHECK(!p.session_present);
    check_properties(p.properties, PropertyScope::connack, version, sender);
  }

  void operator()(const Publish& p) const {
    FUZZ_CHECK(p.qos <= QoS::exactly_once);
    if (p.qos == QoS::at_most_once) {
      FUZZ_CHECK(p.packet_id == 0);
      FUZZ_CHECK(!p.dup);  // [MQTT-3.3.1-2]
    } else {
      FUZZ_CHECK(p.packet_id != 0);
    }
    if (p.topic.empty()) {
      FUZZ_CHECK(version == Version::v5 && p.properties.topic_alias);  // [MQTT-3.3.2-1]
    } else {
      FUZZ_CHECK(is_valid_topic_name(p.topic));  // [MQTT-3.3.2-2]
    }
    check_properties(p.properties, PropertyScope::publish, version, sender);
  }

  template <PacketType kType>
  void operator()(const PublishResponse<kType>& p) const {
    FUZZ_CHECK(p.packet_id != 0);  // [MQTT-2.2.1-3]
    if (version == Version::v5) {
      FUZZ_CHECK(spec_reason_code(kType, p.reason_code));
    } else {
      FUZZ_CHECK(p.reason_code == ReasonCode::success);
    }
    check_properties(p.properties, response_scope(kType), version, sender);
  }

  void operator()(const Subscribe& p) const {
    FUZZ_CHECK(p.packet_id != 0);
    FUZZ_CHECK(!p.subscriptions.empty());  // [MQTT-3.8.3-2]
    for (const Subscription& s : p.subscriptions) {
      FUZZ_CHECK(is_valid_topic_filter(s.filter));
      FUZZ_CHECK(s.max_qos <= QoS::exactly_once);
      FUZZ_CHECK(s.retain_handling <= RetainHandling::do_not_send);
      if (is_shared_filter(s.filter)) FUZZ_CHECK(!s.no_local);  // [MQTT-3.8.3-4]
      if (version != Version::v5) {
        FUZZ_CHECK(!s.no_local && !s.retain_as_published &&
                   s.retain_handling == RetainHandling::send_on_subscribe);
      }
    }
    check_properties(p.properties, PropertyScope::subscribe, version, sender);
  }

  void operator()(const Suback& p) const {
    FUZZ_CHECK(p.packet_id != 0);
    FUZZ_CHECK(!p.reason_codes.empty());
    for (ReasonCode code : p.reason_codes) {
      if (version == Version::v5) {
        FUZZ_CHECK(spec_reason_code(PacketType::suback, code));
      } else {
        const auto c = static_cast<std::uint8_t>(code);
        FUZZ_CHECK(c <= 2 || c == 0x80);  // [MQTT-3.9.3-2]
      }
    }
    check_properties(p.properties, PropertyScope::suback, version, sender);
  }

  void operator()(const Unsubscribe& p) const {
    FUZZ_CHECK(p.packet_id != 0);
    FUZZ_CHECK(!p.filters.empty());  // [MQTT-3.10.3-2]
    for (const std::string& filter : p.filters)
      FUZZ_CHECK(is_valid_topic_filter(filter));
    check_properties(p.properties, PropertyScope::unsubscribe, version, sender);
  }

  void operator()(const Unsuback& p) const {
    FUZZ_CHECK(p.packet_id != 0);
    if (version == Version::v5) {
      FUZZ_CHECK(!p.reason_codes.empty());
      for (ReasonCode code : p.reason_codes) {
        FUZZ_CHECK(spec_reason_code(PacketType::unsuback, code));
      }
    } else {
      FUZZ_CHECK(p.reason_codes.empty());
    }
    check_properties(p.properties, PropertyScope::unsuback, version, sender);
  }

  void operator()(const Pingreq&) const {}
  void operator()(const Pingresp&) const {}

  void operator()(const Disconnect& p) const {
    if (version == Version::v5) {
      FUZZ_CHECK(spec_reason_code(PacketType::disconnect, p.reason_code));
    } else {
      FUZZ_CHECK(p.reason_code == ReasonCode::success);
    }
    check_properties(p.properties, PropertyScope::disconnect, version, sender);
  }

  void operator()(const Auth& p) const {
    FUZZ_CHECK(spec_reason_code(PacketType::auth, p.reason_code));
    check_properties(p.properties, PropertyScope::auth, version, sender);
  }
};

void check_decoded(const Packet& packet, Version version, Sender sender) {
  const PacketType type = type_of(packet);
  // Direction of flow (section 2.1.2); before 5.0 only a client sends DISCONNECT and there is
  // no AUTH.
  if (sender == Sender::client) {
    FUZZ_CHECK(type != PacketType::connack && type != PacketType::suback &&
               type != PacketType::unsuback && type != PacketType::pingresp);
  } else {
    FUZZ_CHECK(type != PacketType::connect && type != PacketType::subscribe &&
               type != PacketType::unsubscribe && type != PacketType::pingreq);
    if (version != Version::v5) FUZZ_CHECK(type != PacketType::disconnect);
  }
  if (version != Version::v5) FUZZ_CHECK(type != PacketType::auth);
  std::visit(DecodedChecker{version, sender}, packet);
}

// Whether check_string_limits ran for the current input.
bool g_limits_checked = false;

// String length limits of the encoder, on a decoded PUBLISH: a 65,535-byte topic (the most a
// UTF-8 Encoded String holds) round-trips; a 65,536-byte one fails with string_too_long and
// leaves the buffer as it was. Run only for the first publish of an input with an empty payload
// and a topic of at most one byte, to keep the fuzzer fast (an input can hold hundreds).
void check_string_limits(const Publish& publish, Version version, Sender sender) {
  Publish longest = publish;
  longest.topic.assign(65'535, 't');
  check_round_trip(longest, version, sender, {});

  Publish too_long = publish;
  too_long.topic.assign(65'536, 't');
  std::vector<std::uint8_t> out = {1, 2, 3};
  const Result<std::size_t> appended = encode(too_long, version, out);
  FUZZ_CHECK(!appended.ok());
  FUZZ_CHECK(appended.error() == Errc::string_too_long);
  FUZZ_CHECK((out == std::vector<std::uint8_t>{1, 2, 3}));
  const Result<std::size_t> size = encoded_size(too_long, version);
  FUZZ_CHECK(!size.ok());
  FUZZ_CHECK(size.error() == Errc::string_too_long);
  FUZZ_CHECK(!encode_shared(too_long, version).ok());
  const Result<std::size_t> header =
      encode_publish_header(too_long.topic, too_long.qos, too_long.retain, too_long.dup,
                            too_long.packet_id, &too_long.properties, 0, version, out);
  FUZZ_CHECK(!header.ok());
  FUZZ_CHECK(header.error() == Errc::string_too_long);
  FUZZ_CHECK((out == std::vector<std::uint8_t>{1, 2, 3}));

  // The largest packet the wire format allows, and one byte more. encode_publish_header takes
  // the payload's size only, so this needs no 256 MB payload.
  std::vector<std::uint8_t> variable_header;
  FUZZ_CHECK(encode_publish_header(publish.topic, publish.qos, publish.retain, publish.dup,
                                   publish.packet_id, &publish.properties, 0, version,
                                   variable_header)
                 .ok());
  const std::size_t fixed = 2;  // a zero-payload PUBLISH this small has a 1-byte length
  if (variable_header.size() - fixed < 128) {
    const std::size_t body = variable_header.size() - fixed;
    const std::size_t max_payload = kMaxVarint - body;
    std::vector<std::uint8_t> largest;
    const Result<std::size_t> fits = encode_publish_header(
        publish.topic, publish.qos, publish.retain, publish.dup, publish.packet_id,
        &publish.properties, max_payload, version, largest);
    FUZZ_CHECK(fits.ok());
    FUZZ_CHECK(*fits == 1 + 4 + body);
    FUZZ_CHECK(largest.size() >= 5 && largest[1] == 0xFF && largest[2] == 0xFF &&
               largest[3] == 0xFF && largest[4] == 0x7F);
    const Result<std::size_t> over = encode_publish_header(
        publish.topic, publish.qos, publish.retain, publish.dup, publish.packet_id,
        &publish.properties, max_payload + 1, version, out);
    FUZZ_CHECK(!over.ok());
    FUZZ_CHECK(over.error() == Errc::packet_too_large);
    FUZZ_CHECK((out == std::vector<std::uint8_t>{1, 2, 3}));
  }
}

// encode_publish_header followed by the payload is byte for byte the encoding of the PUBLISH;
// no properties and empty properties are the same thing.
void check_publish_header(const Publish& publish, Version version) {
  std::vector<std::uint8_t> whole;
  FUZZ_CHECK(encode(publish, version, whole).ok());

  std::vector<std::uint8_t> out = {0xEE};
  const Result<std::size_t> header = encode_publish_header(
      publish.topic, publish.qos, publish.retain, publish.dup, publish.packet_id,
      &publish.properties, publish.payload.size(), version, out);
  FUZZ_CHECK(header.ok());
  FUZZ_CHECK(out.size() == 1 + *header);
  FUZZ_CHECK(out[0] == 0xEE);
  out.insert(out.end(), publish.payload.begin(), publish.payload.end());
  FUZZ_CHECK(std::equal(out.begin() + 1, out.end(), whole.begin(), whole.end()));

  if (publish.properties.empty() || version != Version::v5) {
    std::vector<std::uint8_t> without;
    const Result<std::size_t> header2 =
        encode_publish_header(publish.topic, publish.qos, publish.retain, publish.dup,
                              publish.packet_id, nullptr, publish.payload.size(), version, without);
    FUZZ_CHECK(header2.ok());
    FUZZ_CHECK(std::equal(without.begin(), without.end(), out.begin() + 1,
                          out.begin() + 1 + static_cast<std::ptrdiff_t>(*header)));
  }
}

void check_frame(const Frame& frame, Version version, Sender sender, std::uint32_t max_size) {
  FUZZ_CHECK(frame.size <= max_size);
  FUZZ_CHECK(frame.size == 1 + varint_size(frame.body.size()) + frame.body.size());

  const std::optional<Version> peeked = peek_connect_version(frame);
  if (frame.type_bits() != static_cast<std::uint8_t>(PacketType::connect)) FUZZ_CHECK(!peeked);

  const Result<Packet> decoded = decode(frame, version, sender);
  if (!decoded) {
    check_error(decoded.error());
    return;
  }
  const Packet& packet = *decoded;
  FUZZ_CHECK(static_cast<std::uint8_t>(type_of(packet)) == frame.type_bits());
  FUZZ_CHECK(!to_string(type_of(packet)).empty());

  // A CONNECT carries its own version; every other packet is in the connection's.
  Version wire_version = version;
  if (const auto* connect = std::get_if<Connect>(&packet)) {
    FUZZ_CHECK(peeked == connect->version);
    wire_version = connect->version;
  }
  check_decoded(packet, wire_version, sender);
  check_round_trip(packet, wire_version, sender, frame.body);
  if (const auto* publish = std::get_if<Publish>(&packet)) check_publish_header(*publish, version);
  if (const auto* publish = std::get_if<Publish>(&packet);
      publish && publish->payload.empty() && publish->topic.size() <= 1 && !g_limits_checked) {
    g_limits_checked = true;
    check_string_limits(*publish, wire_version, sender);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool reason_codes_checked = check_reason_code_table();
  (void)reason_codes_checked;
  if (size < 2) return 0;
  g_limits_checked = false;
  const Version version = kVersions[data[0] & 0x03];
  const Sender sender = (data[0] & 0x04) != 0 ? Sender::server : Sender::client;
  const std::uint32_t max_size = kMaxSizes[(data[0] >> 3) & 0x07];
  Chunker chunker(data[1]);

  Framer framer(max_size);
  FUZZ_CHECK(framer.max_packet_size() == max_size);
  std::span<const std::uint8_t> rest(data + 2, size - 2);
  while (!rest.empty()) {
    // Each chunk is its own heap block, so ASan sees any read past the end of what was fed.
    const std::size_t n = chunker.next(rest.size());
    const std::span<const std::uint8_t> head = rest.first(n);
    const std::vector<std::uint8_t> chunk(head.begin(), head.end());
    rest = rest.subspan(n);
    std::span<const std::uint8_t> input(chunk);
    for (;;) {
      Result<std::optional<Frame>> next = framer.next(input);
      if (!next) {
        check_error(next.error());
        return 0;  // the stream cannot be resynchronised
      }
      if (!next->has_value()) {
        FUZZ_CHECK(input.empty());
        break;
      }
      check_frame(**next, version, sender, max_size);
    }
  }
  return 0;
}
