// Table-driven tests of malformed MQTT packets: every row is a complete packet (fixed header
// included) that the specification forbids, the version and sender to decode it with, the exact
// Errc expected, and the normative statement (or section) it enforces.
//
// Each row runs through Framer and then decode(), exactly as a connection would. Framing errors
// (remaining length too long or not minimal, packet too large) come from the Framer; everything
// else comes from decode(). Each row also checks that reason_code(errc) is the reason code the
// MQTT 5.0 specification tells the receiver to use.
//
// Packet notation (see parse_notation): hex bytes ("30", "003C"), 'ascii' for raw text,
// S'ascii' for a UTF-8 string with its Two Byte length prefix, and [ ... ] for a Variable Byte
// Integer length prefix of the bracketed bytes (Remaining Length, Property Length). Malformed
// lengths are written out as raw hex instead.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <ostream>
#include <set>
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
#include "mqtt/reason_code.h"
#include "mqtt/types.h"

namespace {

using tern::mqtt::Connect;
using tern::mqtt::decode;
using tern::mqtt::Disconnect;
using tern::mqtt::Errc;
using tern::mqtt::Framer;
using tern::mqtt::kMaxPacketSize;
using tern::mqtt::Packet;
using tern::mqtt::PacketType;
using tern::mqtt::Publish;
using tern::mqtt::QoS;
using tern::mqtt::ReasonCode;
using tern::mqtt::RetainHandling;
using tern::mqtt::Sender;
using tern::mqtt::Subscribe;
using tern::mqtt::Version;

constexpr Version v31 = Version::v3_1;
constexpr Version v311 = Version::v3_1_1;
constexpr Version v5 = Version::v5;
constexpr Sender from_client = Sender::client;
constexpr Sender from_server = Sender::server;

// ---------------------------------------------------------------------------------------------
// Packet notation.

struct Parsed {
  std::vector<std::uint8_t> bytes;
  std::string error;  // empty when the notation parsed
};

class NotationParser {
 public:
  explicit NotationParser(std::string_view text) : text_(text) {}

  Parsed parse() {
    Parsed parsed;
    parsed.bytes = parse_until(false, parsed.error);
    if (parsed.error.empty() && pos_ != text_.size()) parsed.error = "unexpected ']'";
    return parsed;
  }

 private:
  static void append_varint(std::vector<std::uint8_t>& out, std::size_t value) {
    do {
      std::uint8_t byte = value % 128;
      value /= 128;
      if (value > 0) byte |= 0x80;
      out.push_back(byte);
    } while (value > 0);
  }

  static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  std::vector<std::uint8_t> parse_until(bool in_bracket, std::string& error) {
    std::vector<std::uint8_t> out;
    while (error.empty()) {
      while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
        ++pos_;
      if (pos_ == text_.size()) {
        if (in_bracket) error = "unclosed '['";
        return out;
      }
      const char c = text_[pos_];
      if (c == ']') {
        if (in_bracket) ++pos_;
        return out;
      }
      if (c == '[') {
        ++pos_;
        std::vector<std::uint8_t> inner = parse_until(true, error);
        append_varint(out, inner.size());
        out.insert(out.end(), inner.begin(), inner.end());
        continue;
      }
      const bool prefixed = c == 'S' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\'';
      if (c == '\'' || prefixed) {
        pos_ += prefixed ? 2 : 1;
        const std::size_t end = text_.find('\'', pos_);
        if (end == std::string_view::npos) {
          error = "unclosed quote";
          return out;
        }
        const std::string_view text = text_.substr(pos_, end - pos_);
        if (prefixed) {
          out.push_back(static_cast<std::uint8_t>(text.size() >> 8));
          out.push_back(static_cast<std::uint8_t>(text.size() & 0xFF));
        }
        out.insert(out.end(), text.begin(), text.end());
        pos_ = end + 1;
        continue;
      }
      const std::size_t start = pos_;
      while (pos_ < text_.size() && hex_value(text_[pos_]) >= 0)
        ++pos_;
      if (pos_ == start || (pos_ - start) % 2 != 0) {
        error = "bad hex at offset " + std::to_string(start);
        return out;
      }
      for (std::size_t i = start; i < pos_; i += 2) {
        out.push_back(
            static_cast<std::uint8_t>(hex_value(text_[i]) * 16 + hex_value(text_[i + 1])));
      }
    }
    return out;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

Parsed parse_notation(std::string_view text) {
  return NotationParser(text).parse();
}

// ---------------------------------------------------------------------------------------------
// Names for failure output; the switches make the compiler flag a new Errc that the tests miss.

std::string_view errc_name(Errc error) {
  switch (error) {
    case Errc::remaining_length_too_long:
      return "remaining_length_too_long";
    case Errc::varint_not_minimal:
      return "varint_not_minimal";
    case Errc::packet_too_large:
      return "packet_too_large";
    case Errc::reserved_packet_type:
      return "reserved_packet_type";
    case Errc::invalid_fixed_header_flags:
      return "invalid_fixed_header_flags";
    case Errc::unexpected_packet:
      return "unexpected_packet";
    case Errc::truncated:
      return "truncated";
    case Errc::trailing_bytes:
      return "trailing_bytes";
    case Errc::invalid_utf8:
      return "invalid_utf8";
    case Errc::utf8_contains_null:
      return "utf8_contains_null";
    case Errc::string_too_long:
      return "string_too_long";
    case Errc::property_length_invalid:
      return "property_length_invalid";
    case Errc::unknown_property:
      return "unknown_property";
    case Errc::property_not_allowed:
      return "property_not_allowed";
    case Errc::duplicate_property:
      return "duplicate_property";
    case Errc::invalid_property_value:
      return "invalid_property_value";
    case Errc::subscription_id_from_client:
      return "subscription_id_from_client";
    case Errc::session_expiry_from_server:
      return "session_expiry_from_server";
    case Errc::auth_data_without_method:
      return "auth_data_without_method";
    case Errc::unsupported_protocol_name:
      return "unsupported_protocol_name";
    case Errc::unsupported_protocol_version:
      return "unsupported_protocol_version";
    case Errc::connect_reserved_flag:
      return "connect_reserved_flag";
    case Errc::will_flags_without_will:
      return "will_flags_without_will";
    case Errc::invalid_will_qos:
      return "invalid_will_qos";
    case Errc::password_without_username:
      return "password_without_username";
    case Errc::invalid_will_topic:
      return "invalid_will_topic";
    case Errc::connack_reserved_flags:
      return "connack_reserved_flags";
    case Errc::session_present_on_failure:
      return "session_present_on_failure";
    case Errc::invalid_qos:
      return "invalid_qos";
    case Errc::dup_on_qos0:
      return "dup_on_qos0";
    case Errc::invalid_topic_name:
      return "invalid_topic_name";
    case Errc::empty_topic_name:
      return "empty_topic_name";
    case Errc::topic_alias_zero:
      return "topic_alias_zero";
    case Errc::zero_packet_id:
      return "zero_packet_id";
    case Errc::no_topic_filters:
      return "no_topic_filters";
    case Errc::invalid_topic_filter:
      return "invalid_topic_filter";
    case Errc::invalid_shared_subscription:
      return "invalid_shared_subscription";
    case Errc::subscription_options_reserved:
      return "subscription_options_reserved";
    case Errc::invalid_subscription_qos:
      return "invalid_subscription_qos";
    case Errc::invalid_retain_handling:
      return "invalid_retain_handling";
    case Errc::no_local_on_shared:
      return "no_local_on_shared";
    case Errc::no_reason_codes:
      return "no_reason_codes";
    case Errc::invalid_reason_code:
      return "invalid_reason_code";
  }
  return "unknown Errc";
}

constexpr int kLastErrc = static_cast<int>(Errc::invalid_reason_code);

// The reason code the MQTT 5.0 specification tells the receiver to use for each error. Where the
// specification names one, only that code is accepted. Where it states the rule but names no
// code, the codes that its definitions allow are accepted (section 1.2: a Malformed Packet
// "cannot be parsed according to this specification", a Protocol Error is "detected after the
// packet has been parsed").
struct ReasonExpectation {
  std::vector<ReasonCode> allowed;
  std::string_view why;
};

ReasonExpectation expected_reason(Errc error) {
  constexpr ReasonCode malformed = ReasonCode::malformed_packet;
  constexpr ReasonCode protocol = ReasonCode::protocol_error;
  switch (error) {
    case Errc::remaining_length_too_long:
      return {{malformed}, "1.5.5: at most four bytes; anything else cannot be parsed"};
    case Errc::varint_not_minimal:
      return {{malformed}, "[MQTT-1.5.5-1]: the encoding cannot be parsed"};
    case Errc::packet_too_large:
      return {{ReasonCode::packet_too_large}, "[MQTT-3.2.2-15], 3.1.2.11.4: 0x95"};
    case Errc::reserved_packet_type:
      return {{malformed, protocol}, "2.1.2 Table 2-1 'Reserved / Forbidden', no code named"};
    case Errc::invalid_fixed_header_flags:
      return {{malformed}, "2.1.3: 'If invalid flags are received it is a Malformed Packet'"};
    case Errc::unexpected_packet:
      return {{protocol}, "2.1.2 direction of flow: parses, but not allowed from this sender"};
    case Errc::truncated:
      return {{malformed}, "4.13.1: a packet that cannot be parsed is Malformed"};
    case Errc::trailing_bytes:
      return {{malformed}, "4.13.1: a packet that cannot be parsed is Malformed"};
    case Errc::invalid_utf8:
      return {{malformed}, "1.5.4: ill-formed UTF-8 'is a Malformed Packet'"};
    case Errc::utf8_contains_null:
      return {{malformed}, "[MQTT-1.5.4-2]: U+0000 'is a Malformed Packet'"};
    case Errc::string_too_long:
      return {{}, "encode-only"};
    case Errc::property_length_invalid:
      return {{malformed}, "2.2.2.1: the properties cannot be parsed"};
    case Errc::unknown_property:
      return {{malformed}, "2.2.2.2: an Identifier not valid for the packet is Malformed"};
    case Errc::property_not_allowed:
      return {{malformed}, "2.2.2.2: an Identifier not valid for the packet is Malformed"};
    case Errc::duplicate_property:
      return {{protocol}, "e.g. 3.1.2.11.2: 'a Protocol Error to include ... more than once'"};
    case Errc::invalid_property_value:
      return {{protocol}, "e.g. 3.1.2.11.3: 'Protocol Error ... for it to have the value 0'"};
    case Errc::subscription_id_from_client:
      return {{protocol},
              "3.3.4: 'It is a Protocol Error for a PUBLISH packet to contain any "
              "Subscription Identifier other than ...'"};
    case Errc::session_expiry_from_server:
      return {{protocol}, "[MQTT-3.14.2-2]: parses, but not allowed from a Server"};
    case Errc::auth_data_without_method:
      return {{protocol},
              "3.1.2.11.10: 'It is a Protocol Error to include Authentication "
              "Data if there is no Authentication Method'"};
    case Errc::unsupported_protocol_name:
      return {{ReasonCode::unsupported_protocol_version}, "[MQTT-3.1.2-1]: CONNACK 0x84"};
    case Errc::unsupported_protocol_version:
      return {{ReasonCode::unsupported_protocol_version}, "[MQTT-3.1.2-2]: CONNACK 0x84"};
    case Errc::connect_reserved_flag:
      return {{malformed},
              "[MQTT-3.1.2-3]: 'If the reserved flag is not 0 it is a Malformed "
              "Packet'"};
    case Errc::will_flags_without_will:
      return {{malformed, protocol}, "[MQTT-3.1.2-11], [MQTT-3.1.2-13] name no code"};
    case Errc::invalid_will_qos:
      return {{malformed}, "[MQTT-3.1.2-12]: 'A value of 3 (0x03) is a Malformed Packet'"};
    case Errc::password_without_username:
      return {{malformed, protocol}, "3.1.1 only; MQTT 5.0 allows it and names no code"};
    case Errc::invalid_will_topic:
      return {{malformed, protocol, ReasonCode::topic_name_invalid},
              "[MQTT-3.1.3-11], [MQTT-4.7.0-1] name no code; 0x90 is in the CONNACK table"};
    case Errc::connack_reserved_flags:
      return {{malformed, protocol}, "[MQTT-3.2.2-1] names no code"};
    case Errc::session_present_on_failure:
      return {{malformed, protocol}, "[MQTT-3.2.2-6] names no code"};
    case Errc::invalid_qos:
      return {{malformed},
              "[MQTT-3.3.1-4]: 'it is a Malformed Packet. Use DISCONNECT with "
              "Reason Code 0x81'"};
    case Errc::dup_on_qos0:
      return {{malformed, protocol}, "[MQTT-3.3.1-2] names no code"};
    case Errc::invalid_topic_name:
      return {{malformed, protocol, ReasonCode::topic_name_invalid},
              "[MQTT-3.3.2-2] names no code"};
    case Errc::empty_topic_name:
      return {{protocol},
              "3.3.2.1: 'It is a Protocol Error if the Topic Name is zero length "
              "and there is no Topic Alias'"};
    case Errc::topic_alias_zero:
      return {{ReasonCode::topic_alias_invalid},
              "3.3.4: 'A Topic Alias value of 0 ... the receiver uses DISCONNECT with Reason "
              "Code of 0x94 (Topic Alias invalid)'"};
    case Errc::zero_packet_id:
      return {{malformed, protocol}, "[MQTT-2.2.1-3] names no code"};
    case Errc::no_topic_filters:
      return {{protocol},
              "[MQTT-3.8.3-2], [MQTT-3.10.3-2]: 'with no Payload is a Protocol "
              "Error'"};
    case Errc::invalid_topic_filter:
      return {{malformed, protocol, ReasonCode::topic_filter_invalid},
              "[MQTT-4.7.1-1], [MQTT-4.7.1-2] name no code"};
    case Errc::invalid_shared_subscription:
      return {{malformed, protocol, ReasonCode::topic_filter_invalid},
              "[MQTT-4.8.2-1], [MQTT-4.8.2-2] name no code"};
    case Errc::subscription_options_reserved:
      return {{malformed}, "[MQTT-3.8.3-5]: 'MUST treat a SUBSCRIBE packet as malformed'"};
    case Errc::invalid_subscription_qos:
      return {{protocol},
              "3.8.3.1: 'It is a Protocol Error if the Maximum QoS field has the "
              "value 3'"};
    case Errc::invalid_retain_handling:
      return {{protocol},
              "3.8.3.1: 'It is a Protocol Error to send a Retain Handling value "
              "of 3'"};
    case Errc::no_local_on_shared:
      return {{protocol}, "[MQTT-3.8.3-4]: 'It is a Protocol Error to set the No Local bit'"};
    case Errc::no_reason_codes:
      return {{malformed, protocol}, "3.9.3, 3.11.3 name no code"};
    case Errc::invalid_reason_code:
      return {{malformed, protocol}, "[MQTT-3.4.2-1] etc. name no code"};
  }
  return {{}, "unknown Errc"};
}

// ---------------------------------------------------------------------------------------------
// Running bytes through Framer and decode().

enum class Stage : std::uint8_t { framer, decoder };

struct Outcome {
  enum class Kind : std::uint8_t { framer_error, framer_incomplete, leftover, decode_error, ok };
  Kind kind = Kind::ok;
  Errc error = Errc::truncated;
  std::size_t leftover = 0;
  std::optional<Packet> packet;
};

Outcome run(const std::vector<std::uint8_t>& bytes, Version version, Sender sender,
            std::uint32_t max_packet_size) {
  Outcome outcome;
  Framer framer(max_packet_size);
  std::span<const std::uint8_t> input(bytes);
  auto framed = framer.next(input);
  if (!framed.ok()) {
    outcome.kind = Outcome::Kind::framer_error;
    outcome.error = framed.error();
    return outcome;
  }
  if (!framed->has_value()) {
    outcome.kind = Outcome::Kind::framer_incomplete;
    return outcome;
  }
  if (!input.empty()) {
    // The row's bytes hold more than one packet: its lengths are wrong.
    outcome.kind = Outcome::Kind::leftover;
    outcome.leftover = input.size();
    return outcome;
  }
  auto decoded = decode(**framed, version, sender);
  if (!decoded.ok()) {
    outcome.kind = Outcome::Kind::decode_error;
    outcome.error = decoded.error();
    return outcome;
  }
  outcome.packet = std::move(decoded).value();
  return outcome;
}

std::string describe_outcome(const Outcome& outcome) {
  switch (outcome.kind) {
    case Outcome::Kind::framer_error:
      return "Framer error " + std::string(errc_name(outcome.error));
    case Outcome::Kind::framer_incomplete:
      return "Framer wants more bytes (the row is shorter than its Remaining Length)";
    case Outcome::Kind::leftover:
      return std::to_string(outcome.leftover) + " bytes left after the frame";
    case Outcome::Kind::decode_error:
      return "decode error " + std::string(errc_name(outcome.error));
    case Outcome::Kind::ok:
      return "decoded OK as " +
             std::string(tern::mqtt::to_string(tern::mqtt::type_of(*outcome.packet)));
  }
  return "?";
}

// Test names may hold only letters, digits and '_'.
std::string sanitize(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += c;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  return out;
}

// ---------------------------------------------------------------------------------------------
// The malformed packets.

struct Row {
  std::string name;
  std::string rule;  // the normative statement id or section it enforces
  Version version;
  Sender sender;
  std::string notation;
  Errc expect;
  Stage stage = Stage::decoder;
  std::uint32_t max_packet_size = kMaxPacketSize;
};

void PrintTo(const Row& row, std::ostream* os) {
  *os << row.name << " " << row.rule << " {" << row.notation << "}";
}

std::string row_test_name(const Row& row) {
  return row.name + "_" + sanitize(row.rule);
}

Row bad(std::string name, std::string rule, Version version, Sender sender, std::string notation,
        Errc expect) {
  return Row{std::move(name),     std::move(rule), version,        sender,
             std::move(notation), expect,          Stage::decoder, kMaxPacketSize};
}

Row framing(std::string name, std::string rule, std::string notation, Errc expect,
            std::uint32_t max_packet_size = kMaxPacketSize) {
  return Row{std::move(name), std::move(rule), v5, from_client, std::move(notation), expect,
             Stage::framer,   max_packet_size};
}

std::vector<Row> malformed_rows() {
  using E = Errc;
  return {
      // --- Framing: Remaining Length and Maximum Packet Size (caught by the Framer). ---------
      framing("rl_five_bytes", "5.0 section 1.5.5, 3.1.1 section 2.2.3", "30 FF FF FF FF 7F",
              E::remaining_length_too_long),
      framing("rl_five_bytes_value_zero", "5.0 section 1.5.5, 3.1.1 section 2.2.3",
              "30 80 80 80 80 00", E::remaining_length_too_long),
      framing("rl_zero_in_two_bytes", "5.0 [MQTT-1.5.5-1]", "C0 80 00", E::varint_not_minimal),
      framing("rl_127_in_two_bytes", "5.0 [MQTT-1.5.5-1]", "C0 FF 00", E::varint_not_minimal),
      framing("rl_16383_in_three_bytes", "5.0 [MQTT-1.5.5-1]", "30 FF FF 00",
              E::varint_not_minimal),
      framing("rl_zero_in_four_bytes", "5.0 [MQTT-1.5.5-1]", "30 80 80 80 00",
              E::varint_not_minimal),
      framing("packet_one_byte_over_limit", "5.0 [MQTT-3.2.2-15] section 3.1.2.11.4",
              "30 [ S'a' 'payload' ]", E::packet_too_large, 11),
      framing("huge_packet_header_only", "5.0 [MQTT-3.2.2-15] section 3.1.2.11.4", "30 FF FF FF 7F",
              E::packet_too_large, 1024),

      // --- Reserved packet types. ------------------------------------------------------------
      bad("type_0_v31", "3.1 section 2.1 (type 0 Reserved)", v31, from_client, "00 00",
          E::reserved_packet_type),
      bad("type_0_v311", "3.1.1 section 2.2.1 (type 0 Reserved)", v311, from_client, "00 00",
          E::reserved_packet_type),
      bad("type_0_v5", "5.0 section 2.1.2 (type 0 Reserved)", v5, from_server, "00 00",
          E::reserved_packet_type),
      bad("auth_before_v5_v31", "3.1 section 2.1 (type 15 Reserved)", v31, from_server, "F0 00",
          E::reserved_packet_type),
      bad("auth_before_v5_v311", "3.1.1 section 2.2.1 (type 15 Reserved)", v311, from_client,
          "F0 [ 18 [ 15 S'x' ] ]", E::reserved_packet_type),

      // --- Fixed header flags. ----------------------------------------------------------------
      bad("connect_flags_1_v311", "3.1.1 [MQTT-2.2.2-2]", v311, from_client,
          "11 [ S'MQTT' 04 02 003C S'c' ]", E::invalid_fixed_header_flags),
      bad("connect_flags_8_v5", "5.0 [MQTT-2.1.3-1]", v5, from_client,
          "18 [ S'MQTT' 05 02 003C [ ] S'c' ]", E::invalid_fixed_header_flags),
      bad("connack_flags_v5", "5.0 [MQTT-2.1.3-1]", v5, from_server, "21 [ 00 00 [ ] ]",
          E::invalid_fixed_header_flags),
      bad("puback_flags_v311", "3.1.1 [MQTT-2.2.2-2]", v311, from_client, "41 02 0001",
          E::invalid_fixed_header_flags),
      bad("pubrec_flags_v5", "5.0 [MQTT-2.1.3-1]", v5, from_client, "58 02 0001",
          E::invalid_fixed_header_flags),
      bad("pubrel_flags_0_v311", "3.1.1 [MQTT-3.6.1-1]", v311, from_client, "60 02 0001",
          E::invalid_fixed_header_flags),
      bad("pubrel_flags_3_v5", "5.0 [MQTT-3.6.1-1]", v5, from_server, "63 02 0001",
          E::invalid_fixed_header_flags),
      bad("pubcomp_flags_v5", "5.0 [MQTT-2.1.3-1]", v5, from_client, "72 02 0001",
          E::invalid_fixed_header_flags),
      bad("subscribe_flags_0_v5", "5.0 [MQTT-3.8.1-1]", v5, from_client, "80 [ 0001 [ ] S'a' 00 ]",
          E::invalid_fixed_header_flags),
      bad("subscribe_flags_dup_v311", "3.1.1 [MQTT-3.8.1-1]", v311, from_client,
          "8A [ 0001 S'a' 00 ]", E::invalid_fixed_header_flags),
      bad("subscribe_flags_0_v31", "3.1 section 3.8 (SUBSCRIBE uses QoS 1)", v31, from_client,
          "80 [ 0001 S'a' 00 ]", E::invalid_fixed_header_flags),
      bad("suback_flags_v5", "5.0 [MQTT-2.1.3-1]", v5, from_server, "92 [ 0001 [ ] 00 ]",
          E::invalid_fixed_header_flags),
      bad("unsubscribe_flags_0_v311", "3.1.1 [MQTT-3.10.1-1]", v311, from_client,
          "A0 [ 0001 S'a' ]", E::invalid_fixed_header_flags),
      bad("unsuback_flags_v5", "5.0 [MQTT-2.1.3-1]", v5, from_server, "B1 [ 0001 [ ] 00 ]",
          E::invalid_fixed_header_flags),
      bad("pingreq_flags_v311", "3.1.1 [MQTT-2.2.2-2]", v311, from_client, "C1 00",
          E::invalid_fixed_header_flags),
      bad("pingresp_flags_v5", "5.0 [MQTT-2.1.3-1]", v5, from_server, "D8 00",
          E::invalid_fixed_header_flags),
      bad("disconnect_flags_v5", "5.0 [MQTT-3.14.1-1]", v5, from_client, "E1 00",
          E::invalid_fixed_header_flags),
      bad("disconnect_flags_v311", "3.1.1 [MQTT-3.14.1-1]", v311, from_client, "E2 00",
          E::invalid_fixed_header_flags),
      bad("auth_flags_v5", "5.0 [MQTT-3.15.1-1]", v5, from_client, "F1 [ 18 [ 15 S'x' ] ]",
          E::invalid_fixed_header_flags),

      // --- Packets the sender never sends. ----------------------------------------------------
      bad("connack_from_client_v311", "3.1.1 section 2.2.1 (CONNACK: Server to Client)", v311,
          from_client, "20 02 00 00", E::unexpected_packet),
      bad("connect_from_server_v5", "5.0 section 2.1.2 (CONNECT: Client to Server)", v5,
          from_server, "10 [ S'MQTT' 05 02 003C [ ] S'c' ]", E::unexpected_packet),
      bad("subscribe_from_server_v5", "5.0 section 2.1.2 (SUBSCRIBE: Client to Server)", v5,
          from_server, "82 [ 0001 [ ] S'a' 00 ]", E::unexpected_packet),
      bad("suback_from_client_v311", "3.1.1 section 2.2.1 (SUBACK: Server to Client)", v311,
          from_client, "90 [ 0001 00 ]", E::unexpected_packet),
      bad("suback_from_client_v31", "3.1 section 3.9 (SUBACK: Server to Client)", v31, from_client,
          "90 [ 0001 00 ]", E::unexpected_packet),
      bad("unsubscribe_from_server_v311", "3.1.1 section 2.2.1 (UNSUBSCRIBE: Client to Server)",
          v311, from_server, "A2 [ 0001 S'a' ]", E::unexpected_packet),
      bad("unsuback_from_client_v5", "5.0 section 2.1.2 (UNSUBACK: Server to Client)", v5,
          from_client, "B0 [ 0001 [ ] 00 ]", E::unexpected_packet),
      bad("pingreq_from_server_v5", "5.0 section 2.1.2 (PINGREQ: Client to Server)", v5,
          from_server, "C0 00", E::unexpected_packet),
      bad("pingresp_from_client_v311", "3.1.1 section 2.2.1 (PINGRESP: Server to Client)", v311,
          from_client, "D0 00", E::unexpected_packet),
      bad("disconnect_from_server_v311", "3.1.1 section 2.2.1 (DISCONNECT: Client to Server)", v311,
          from_server, "E0 00", E::unexpected_packet),

      // --- Bytes after the last field. --------------------------------------------------------
      bad("pingreq_with_body_v311", "3.1.1 section 3.12 (no variable header, no payload)", v311,
          from_client, "C0 01 00", E::trailing_bytes),
      bad("pingreq_with_body_v31", "3.1 section 3.12 (no variable header, no payload)", v31,
          from_client, "C0 01 00", E::trailing_bytes),
      bad("pingresp_with_body_v5", "5.0 section 3.13 (no variable header, no payload)", v5,
          from_server, "D0 01 00", E::trailing_bytes),
      bad("puback_3_bytes_v311", "3.1.1 section 3.4.1 (Remaining Length 2)", v311, from_client,
          "40 03 0001 00", E::trailing_bytes),
      bad("pubrec_3_bytes_v311", "3.1.1 section 3.5.1 (Remaining Length 2)", v311, from_server,
          "50 03 0001 00", E::trailing_bytes),
      bad("unsuback_3_bytes_v311", "3.1.1 section 3.11 (no payload)", v311, from_server,
          "B0 03 0001 00", E::trailing_bytes),
      bad("connack_3_bytes_v311", "3.1.1 section 3.2.1 (Remaining Length 2)", v311, from_server,
          "20 03 00 00 00", E::trailing_bytes),
      bad("disconnect_with_body_v311", "3.1.1 section 3.14 (no variable header, no payload)", v311,
          from_client, "E0 01 00", E::trailing_bytes),
      bad("puback_after_properties_v5", "5.0 section 3.4.3 (PUBACK has no Payload)", v5,
          from_client, "40 [ 0001 00 [ ] FF ]", E::trailing_bytes),
      bad("disconnect_after_properties_v5", "5.0 section 3.14.3 (DISCONNECT has no Payload)", v5,
          from_client, "E0 [ 00 [ ] 00 ]", E::trailing_bytes),

      // --- The packet ends inside a field, one row per field kind. ---------------------------
      bad("connect_truncated_protocol_name", "3.1.1 section 1.5.3 (UTF-8 string)", v311,
          from_client, "10 [ 0004 'MQ' ]", E::truncated),
      bad("connect_missing_protocol_level", "3.1.1 section 3.1.2.2 (one byte)", v311, from_client,
          "10 [ S'MQTT' ]", E::truncated),
      bad("connect_truncated_keep_alive", "3.1.1 section 3.1.2.10 (two bytes)", v311, from_client,
          "10 [ S'MQTT' 04 02 00 ]", E::truncated),
      bad("connect_truncated_client_id_length", "3.1.1 section 1.5.3 (two byte length)", v311,
          from_client, "10 [ S'MQTT' 04 02 003C 00 ]", E::truncated),
      bad("connect_truncated_client_id", "3.1.1 section 1.5.3 (UTF-8 string)", v311, from_client,
          "10 [ S'MQTT' 04 02 003C 0005 'ab' ]", E::truncated),
      bad("connect_missing_client_id_v5", "5.0 [MQTT-3.1.3-3]", v5, from_client,
          "10 [ S'MQTT' 05 02 003C [ ] ]", E::truncated),
      bad("connect_truncated_client_id_v31", "3.1 section 3.1 (UTF-8 string)", v31, from_client,
          "10 [ S'MQIsdp' 03 02 003C 0009 'abc' ]", E::truncated),
      bad("connect_truncated_will_payload", "3.1.1 section 3.1.3.3 (two byte length + bytes)", v311,
          from_client, "10 [ S'MQTT' 04 06 003C S'c' S'w' 0005 'xy' ]", E::truncated),
      bad("connect_missing_will_topic_v5", "5.0 [MQTT-3.1.2-9]", v5, from_client,
          "10 [ S'MQTT' 05 06 003C [ ] S'c' [ ] ]", E::truncated),
      bad("connect_missing_username", "3.1.1 [MQTT-3.1.2-19]", v311, from_client,
          "10 [ S'MQTT' 04 82 003C S'c' ]", E::truncated),
      bad("connect_truncated_password_v5", "5.0 section 1.5.6 (Binary Data)", v5, from_client,
          "10 [ S'MQTT' 05 C2 003C [ ] S'c' S'u' 0003 'p' ]", E::truncated),
      bad("connect_truncated_property_length_v5", "5.0 section 1.5.5 (Variable Byte Integer)", v5,
          from_client, "10 [ S'MQTT' 05 02 003C 80 ]", E::truncated),
      bad("publish_truncated_topic_length", "3.1.1 section 1.5.3 (two byte length)", v311,
          from_client, "30 01 00", E::truncated),
      bad("publish_truncated_topic", "3.1.1 section 1.5.3 (UTF-8 string)", v311, from_client,
          "30 [ 0005 'ab' ]", E::truncated),
      bad("publish_truncated_packet_id", "3.1.1 section 3.3.2.2 (two bytes)", v311, from_client,
          "32 [ S'a' 00 ]", E::truncated),
      bad("publish_missing_packet_id_v5", "5.0 section 3.3.2.2", v5, from_client, "34 [ S'a' ]",
          E::truncated),
      bad("publish_missing_packet_id_v31", "3.1 section 3.3 (Message ID for QoS 1)", v31,
          from_server, "32 [ S'a' ]", E::truncated),
      bad("publish_truncated_property_length", "5.0 section 1.5.5 (Variable Byte Integer)", v5,
          from_client, "30 [ S'a' 80 ]", E::truncated),
      bad("publish_truncated_four_byte_property", "5.0 section 1.5.3 (Four Byte Integer)", v5,
          from_client, "30 [ S'a' [ 02 0000 ] ]", E::truncated),
      bad("publish_truncated_two_byte_property", "5.0 section 1.5.2 (Two Byte Integer)", v5,
          from_client, "30 [ S'a' [ 23 00 ] ]", E::truncated),
      bad("publish_truncated_binary_property", "5.0 section 1.5.6 (Binary Data)", v5, from_client,
          "30 [ S'a' [ 09 0005 AB ] ]", E::truncated),
      bad("publish_truncated_string_pair", "5.0 section 1.5.7 (UTF-8 String Pair)", v5, from_client,
          "30 [ S'a' [ 26 S'k' 0002 'v' ] ]", E::truncated),
      bad("publish_truncated_varint_property", "5.0 section 1.5.5 (Variable Byte Integer)", v5,
          from_server, "30 [ S'a' [ 0B 80 ] ]", E::truncated),
      bad("subscribe_missing_options", "3.1.1 section 3.8.3 (Requested QoS follows filter)", v311,
          from_client, "82 [ 0001 S'a' ]", E::truncated),
      bad("subscribe_truncated_filter_v5", "5.0 section 1.5.4 (UTF-8 string)", v5, from_client,
          "82 [ 0001 [ ] 0004 'ab' ]", E::truncated),
      bad("unsubscribe_truncated_filter", "3.1.1 section 1.5.3 (UTF-8 string)", v311, from_client,
          "A2 [ 0001 0003 'a' ]", E::truncated),
      bad("suback_truncated_packet_id_v5", "5.0 section 1.5.2 (Two Byte Integer)", v5, from_server,
          "90 01 00", E::truncated),
      bad("puback_truncated_v311", "3.1.1 section 3.4.2 (two byte Packet Identifier)", v311,
          from_client, "40 01 00", E::truncated),
      bad("connack_truncated_v5", "5.0 section 3.2.2 (two bytes + properties)", v5, from_server,
          "20 01 00", E::truncated),
      bad("disconnect_truncated_property_v5", "5.0 section 1.5.3 (Four Byte Integer)", v5,
          from_client, "E0 [ 00 [ 11 0000 ] ]", E::truncated),
      bad("auth_truncated_method_v5", "5.0 section 1.5.4 (UTF-8 string)", v5, from_server,
          "F0 [ 18 [ 15 0005 'ab' ] ]", E::truncated),

      // --- Property Length past the end of the packet. ----------------------------------------
      bad("publish_property_length_past_end", "5.0 section 2.2.2.1", v5, from_client,
          "30 [ S'a' 05 01 ]", E::property_length_invalid),
      bad("connect_property_length_past_end", "5.0 section 2.2.2.1", v5, from_client,
          "10 [ S'MQTT' 05 02 003C 7F S'c' ]", E::property_length_invalid),
      bad("puback_property_length_past_end", "5.0 section 2.2.2.1", v5, from_server,
          "40 [ 0001 00 04 1F ]", E::property_length_invalid),
      bad("disconnect_property_length_past_end", "5.0 section 2.2.2.1", v5, from_client,
          "E0 [ 00 09 11 00 ]", E::property_length_invalid),

      // --- Variable Byte Integers inside the packet that are not minimal. ---------------------
      bad("publish_property_length_not_minimal", "5.0 [MQTT-1.5.5-1]", v5, from_client,
          "30 [ S'a' 80 00 ]", E::varint_not_minimal),
      bad("subscribe_subscription_id_not_minimal", "5.0 [MQTT-1.5.5-1]", v5, from_client,
          "82 [ 0001 [ 0B 81 00 ] S'a' 00 ]", E::varint_not_minimal),
      bad("publish_subscription_id_not_minimal", "5.0 [MQTT-1.5.5-1]", v5, from_server,
          "30 [ S'a' [ 0B 85 00 ] ]", E::varint_not_minimal),

      // --- UTF-8 violations. ------------------------------------------------------------------
      bad("topic_overlong_c0_80", "3.1.1 [MQTT-1.5.3-1]", v311, from_client, "30 [ 0002 C080 ]",
          E::invalid_utf8),
      bad("topic_overlong_3_bytes", "3.1.1 [MQTT-1.5.3-1]", v311, from_server, "30 [ 0003 E080AF ]",
          E::invalid_utf8),
      bad("topic_surrogate_d800", "5.0 [MQTT-1.5.4-1]", v5, from_client, "30 [ 0003 EDA080 [ ] ]",
          E::invalid_utf8),
      bad("topic_above_10ffff", "5.0 [MQTT-1.5.4-1]", v5, from_client, "30 [ 0004 F4908080 [ ] ]",
          E::invalid_utf8),
      bad("topic_byte_f5", "5.0 [MQTT-1.5.4-1]", v5, from_server, "30 [ 0004 F5808080 [ ] ]",
          E::invalid_utf8),
      bad("topic_truncated_sequence", "3.1.1 [MQTT-1.5.3-1]", v311, from_client,
          "30 [ 0002 61E2 'x' ]", E::invalid_utf8),
      bad("topic_lone_continuation", "5.0 [MQTT-1.5.4-1]", v5, from_client, "30 [ 0001 80 [ ] ]",
          E::invalid_utf8),
      bad("topic_null", "3.1.1 [MQTT-1.5.3-2] [MQTT-4.7.3-2]", v311, from_client,
          "30 [ 0003 610062 ]", E::utf8_contains_null),
      bad("topic_surrogate_v31", "3.1 section 3.3 (topic is UTF-8, RFC 3629)", v31, from_client,
          "30 [ 0003 EDA080 ]", E::invalid_utf8),
      bad("client_id_surrogate_dfff", "3.1.1 [MQTT-3.1.3-4] [MQTT-1.5.3-1]", v311, from_client,
          "10 [ S'MQTT' 04 02 003C 0003 EDBFBF ]", E::invalid_utf8),
      bad("client_id_null_v5", "5.0 [MQTT-3.1.3-4] [MQTT-1.5.4-2]", v5, from_client,
          "10 [ S'MQTT' 05 02 003C [ ] 0002 6300 ]", E::utf8_contains_null),
      bad("client_id_overlong_v31", "3.1 section 3.1 (Client Identifier is UTF-8)", v31,
          from_client, "10 [ S'MQIsdp' 03 02 003C 0002 C1BF ]", E::invalid_utf8),
      bad("username_overlong", "3.1.1 [MQTT-3.1.3-11] [MQTT-1.5.3-1]", v311, from_client,
          "10 [ S'MQTT' 04 82 003C S'c' 0002 C080 ]", E::invalid_utf8),
      bad("username_null_v5", "5.0 [MQTT-3.1.3-12] [MQTT-1.5.4-2]", v5, from_client,
          "10 [ S'MQTT' 05 82 003C [ ] S'c' 0003 610061 ]", E::utf8_contains_null),
      bad("will_topic_surrogate_v5", "5.0 [MQTT-3.1.3-11] [MQTT-1.5.4-1]", v5, from_client,
          "10 [ S'MQTT' 05 06 003C [ ] S'c' [ ] 0003 EDA080 0000 ]", E::invalid_utf8),
      bad("will_topic_null", "3.1.1 [MQTT-3.1.3-10] [MQTT-1.5.3-2]", v311, from_client,
          "10 [ S'MQTT' 04 06 003C S'c' 0001 00 0000 ]", E::utf8_contains_null),
      bad("user_property_name_overlong", "5.0 [MQTT-1.5.7-1]", v5, from_client,
          "30 [ S'a' [ 26 0002 C080 S'v' ] ]", E::invalid_utf8),
      bad("user_property_value_null", "5.0 [MQTT-1.5.7-1]", v5, from_client,
          "10 [ S'MQTT' 05 02 003C [ 26 S'k' 0001 00 ] S'c' ]", E::utf8_contains_null),
      bad("subscribe_filter_overlong", "5.0 [MQTT-3.8.3-1] [MQTT-1.5.4-1]", v5, from_client,
          "82 [ 0001 [ ] 0002 C080 00 ]", E::invalid_utf8),
      bad("subscribe_filter_null", "3.1.1 [MQTT-3.8.3-1] [MQTT-1.5.3-2]", v311, from_client,
          "82 [ 0001 0002 6100 00 ]", E::utf8_contains_null),
      bad("unsubscribe_filter_surrogate", "5.0 [MQTT-3.10.3-1] [MQTT-1.5.4-1]", v5, from_client,
          "A2 [ 0001 [ ] 0003 EDB080 ]", E::invalid_utf8),
      bad("reason_string_overlong", "5.0 section 3.4.2.2.2 [MQTT-1.5.4-1]", v5, from_server,
          "40 [ 0001 00 [ 1F 0002 C080 ] ]", E::invalid_utf8),
      bad("content_type_truncated_sequence", "5.0 [MQTT-3.3.2-19] [MQTT-1.5.4-1]", v5, from_client,
          "30 [ S'a' [ 03 0002 E282 ] ]", E::invalid_utf8),

      // --- Property identifiers. --------------------------------------------------------------
      bad("connect_unknown_property_04", "5.0 section 2.2.2.2", v5, from_client,
          "10 [ S'MQTT' 05 02 003C [ 04 00 ] S'c' ]", E::unknown_property),
      bad("publish_unknown_property_7f", "5.0 section 2.2.2.2", v5, from_client,
          "30 [ S'a' [ 7F 00 ] ]", E::unknown_property),
      bad("puback_unknown_property_00", "5.0 section 2.2.2.2", v5, from_client,
          "40 [ 0001 00 [ 00 00 ] ]", E::unknown_property),
      bad("connect_topic_alias_not_allowed", "5.0 section 2.2.2.2 (Table 2-4)", v5, from_client,
          "10 [ S'MQTT' 05 02 003C [ 23 0001 ] S'c' ]", E::property_not_allowed),
      bad("connect_will_delay_not_allowed", "5.0 section 2.2.2.2 (Table 2-4)", v5, from_client,
          "10 [ S'MQTT' 05 02 003C [ 18 00000005 ] S'c' ]", E::property_not_allowed),
      bad("will_session_expiry_not_allowed", "5.0 section 3.1.3.2 (Will Properties)", v5,
          from_client, "10 [ S'MQTT' 05 06 003C [ ] S'c' [ 11 00000001 ] S'w' S'bye' ]",
          E::property_not_allowed),
      bad("publish_session_expiry_not_allowed", "5.0 section 2.2.2.2 (Table 2-4)", v5, from_client,
          "30 [ S'a' [ 11 00000001 ] ]", E::property_not_allowed),
      bad("connack_subscription_id_not_allowed", "5.0 section 2.2.2.2 (Table 2-4)", v5, from_server,
          "20 [ 00 00 [ 0B 01 ] ]", E::property_not_allowed),
      bad("subscribe_topic_alias_not_allowed", "5.0 section 2.2.2.2 (Table 2-4)", v5, from_client,
          "82 [ 0001 [ 23 0001 ] S'a' 00 ]", E::property_not_allowed),
      bad("puback_content_type_not_allowed", "5.0 section 2.2.2.2 (Table 2-4)", v5, from_client,
          "40 [ 0001 00 [ 03 S'x' ] ]", E::property_not_allowed),
      bad("unsuback_subscription_id_not_allowed", "5.0 section 2.2.2.2 (Table 2-4)", v5,
          from_server, "B0 [ 0001 [ 0B 01 ] 00 ]", E::property_not_allowed),
      bad("disconnect_receive_maximum_not_allowed", "5.0 section 2.2.2.2 (Table 2-4)", v5,
          from_client, "E0 [ 00 [ 21 0001 ] ]", E::property_not_allowed),
      bad("auth_session_expiry_not_allowed", "5.0 section 2.2.2.2 (Table 2-4)", v5, from_client,
          "F0 [ 18 [ 15 S'x' 11 00000001 ] ]", E::property_not_allowed),

      // --- Properties that may appear only once. ----------------------------------------------
      bad("connect_duplicate_session_expiry", "5.0 section 3.1.2.11.2", v5, from_client,
          "10 [ S'MQTT' 05 02 003C [ 11 00000001 11 00000002 ] S'c' ]", E::duplicate_property),
      bad("will_duplicate_payload_format", "5.0 section 3.1.3.2.3", v5, from_client,
          "10 [ S'MQTT' 05 06 003C [ ] S'c' [ 01 00 01 01 ] S'w' S'bye' ]", E::duplicate_property),
      bad("publish_duplicate_topic_alias", "5.0 section 3.3.2.3.4", v5, from_client,
          "30 [ S'a' [ 23 0001 23 0002 ] ]", E::duplicate_property),
      bad("puback_duplicate_reason_string", "5.0 section 3.4.2.2.2", v5, from_server,
          "40 [ 0001 00 [ 1F S'x' 1F S'y' ] ]", E::duplicate_property),
      bad("subscribe_duplicate_subscription_id", "5.0 section 3.8.2.1.2", v5, from_client,
          "82 [ 0001 [ 0B 01 0B 02 ] S'a' 00 ]", E::duplicate_property),
      bad("connack_duplicate_maximum_qos", "5.0 section 3.2.2.3.4", v5, from_server,
          "20 [ 00 00 [ 24 00 24 01 ] ]", E::duplicate_property),
      bad("auth_duplicate_method", "5.0 section 3.15.2.2.2", v5, from_server,
          "F0 [ 18 [ 15 S'x' 15 S'y' ] ]", E::duplicate_property),

      // --- Property values the specification forbids. ----------------------------------------
      bad("connect_receive_maximum_0", "5.0 section 3.1.2.11.3", v5, from_client,
          "10 [ S'MQTT' 05 02 003C [ 21 0000 ] S'c' ]", E::invalid_property_value),
      bad("connack_receive_maximum_0", "5.0 section 3.2.2.3.3", v5, from_server,
          "20 [ 00 00 [ 21 0000 ] ]", E::invalid_property_value),
      bad("connect_maximum_packet_size_0", "5.0 section 3.1.2.11.4", v5, from_client,
          "10 [ S'MQTT' 05 02 003C [ 27 00000000 ] S'c' ]", E::invalid_property_value),
      bad("connack_maximum_packet_size_0", "5.0 section 3.2.2.3.6", v5, from_server,
          "20 [ 00 00 [ 27 00000000 ] ]", E::invalid_property_value),
      bad("connect_request_problem_information_2", "5.0 section 3.1.2.11.7", v5, from_client,
          "10 [ S'MQTT' 05 02 003C [ 17 02 ] S'c' ]", E::invalid_property_value),
      bad("connect_request_response_information_2", "5.0 section 3.1.2.11.6", v5, from_client,
          "10 [ S'MQTT' 05 02 003C [ 19 02 ] S'c' ]", E::invalid_property_value),
      bad("connack_maximum_qos_2", "5.0 section 3.2.2.3.4", v5, from_server,
          "20 [ 00 00 [ 24 02 ] ]", E::invalid_property_value),
      bad("connack_retain_available_2", "5.0 section 3.2.2.3.5", v5, from_server,
          "20 [ 00 00 [ 25 02 ] ]", E::invalid_property_value),
      bad("connack_wildcard_subscription_available_2", "5.0 section 3.2.2.3.11", v5, from_server,
          "20 [ 00 00 [ 28 02 ] ]", E::invalid_property_value),
      bad("connack_subscription_id_available_2", "5.0 section 3.2.2.3.12", v5, from_server,
          "20 [ 00 00 [ 29 02 ] ]", E::invalid_property_value),
      bad("connack_shared_subscription_available_2", "5.0 section 3.2.2.3.13", v5, from_server,
          "20 [ 00 00 [ 2A 02 ] ]", E::invalid_property_value),
      bad("publish_payload_format_indicator_2", "5.0 section 3.3.2.3.2 (0 or 1)", v5, from_client,
          "30 [ S'a' [ 01 02 ] ]", E::invalid_property_value),
      bad("subscribe_subscription_id_0", "5.0 section 3.8.2.1.2", v5, from_client,
          "82 [ 0001 [ 0B 00 ] S'a' 00 ]", E::invalid_property_value),
      bad("publish_subscription_id_0", "5.0 section 3.3.2.3.8", v5, from_server,
          "30 [ S'a' [ 0B 00 ] ]", E::invalid_property_value),
      bad("publish_topic_alias_0", "5.0 [MQTT-3.3.2-8]", v5, from_client, "30 [ S'a' [ 23 0000 ] ]",
          E::topic_alias_zero),
      bad("publish_topic_alias_0_from_server", "5.0 [MQTT-3.3.2-8]", v5, from_server,
          "30 [ S'a' [ 23 0000 ] 'x' ]", E::topic_alias_zero),
      bad("publish_subscription_id_from_client", "5.0 [MQTT-3.3.4-6]", v5, from_client,
          "30 [ S'a' [ 0B 01 ] ]", E::subscription_id_from_client),
      bad("disconnect_session_expiry_from_server", "5.0 [MQTT-3.14.2-2]", v5, from_server,
          "E0 [ 00 [ 11 00000000 ] ]", E::session_expiry_from_server),
      bad("connect_auth_data_without_method", "5.0 section 3.1.2.11.10", v5, from_client,
          "10 [ S'MQTT' 05 02 003C [ 16 0002 ABCD ] S'c' ]", E::auth_data_without_method),
      bad("connack_auth_data_without_method", "5.0 section 3.2.2.3.18", v5, from_server,
          "20 [ 00 00 [ 16 0001 AB ] ]", E::auth_data_without_method),
      bad("auth_data_without_method", "5.0 section 3.15.2.2.3", v5, from_client,
          "F0 [ 18 [ 16 0001 AB ] ]", E::auth_data_without_method),

      // --- CONNECT. ---------------------------------------------------------------------------
      bad("connect_protocol_name_mqtx", "3.1.1 [MQTT-3.1.2-1]", v311, from_client,
          "10 [ S'MQTX' 04 02 003C S'c' ]", E::unsupported_protocol_name),
      bad("connect_protocol_name_lowercase_v5", "5.0 [MQTT-3.1.2-1]", v5, from_client,
          "10 [ S'mqtt' 05 02 003C [ ] S'c' ]", E::unsupported_protocol_name),
      bad("connect_mqisdp_level_4", "3.1.1 [MQTT-3.1.2-1] (\"MQIsdp\" is MQTT 3.1 only)", v311,
          from_client, "10 [ S'MQIsdp' 04 02 003C S'c' ]", E::unsupported_protocol_name),
      bad("connect_mqisdp_level_5", "5.0 [MQTT-3.1.2-1] (\"MQIsdp\" is MQTT 3.1 only)", v5,
          from_client, "10 [ S'MQIsdp' 05 02 003C [ ] S'c' ]", E::unsupported_protocol_name),
      bad("connect_level_6", "5.0 [MQTT-3.1.2-2]", v5, from_client,
          "10 [ S'MQTT' 06 02 003C [ ] S'c' ]", E::unsupported_protocol_version),
      bad("connect_level_0", "3.1.1 [MQTT-3.1.2-2]", v311, from_client,
          "10 [ S'MQTT' 00 02 003C S'c' ]", E::unsupported_protocol_version),
      bad("connect_reserved_flag_v311", "3.1.1 [MQTT-3.1.2-3]", v311, from_client,
          "10 [ S'MQTT' 04 03 003C S'c' ]", E::connect_reserved_flag),
      bad("connect_reserved_flag_v5", "5.0 [MQTT-3.1.2-3]", v5, from_client,
          "10 [ S'MQTT' 05 01 003C [ ] S'c' ]", E::connect_reserved_flag),
      bad("connect_will_qos_3_v311", "3.1.1 [MQTT-3.1.2-14]", v311, from_client,
          "10 [ S'MQTT' 04 1E 003C S'c' S'w' S'bye' ]", E::invalid_will_qos),
      bad("connect_will_qos_3_v5", "5.0 [MQTT-3.1.2-12]", v5, from_client,
          "10 [ S'MQTT' 05 1E 003C [ ] S'c' [ ] S'w' S'bye' ]", E::invalid_will_qos),
      bad("connect_will_qos_3_v31", "3.1 section 3.1 (Will QoS 0, 1 or 2)", v31, from_client,
          "10 [ S'MQIsdp' 03 1E 003C S'c' S'w' S'bye' ]", E::invalid_will_qos),
      bad("connect_will_qos_without_will_v311", "3.1.1 [MQTT-3.1.2-13]", v311, from_client,
          "10 [ S'MQTT' 04 0A 003C S'c' ]", E::will_flags_without_will),
      bad("connect_will_qos_without_will_v5", "5.0 [MQTT-3.1.2-11]", v5, from_client,
          "10 [ S'MQTT' 05 12 003C [ ] S'c' ]", E::will_flags_without_will),
      bad("connect_will_retain_without_will_v5", "5.0 [MQTT-3.1.2-13]", v5, from_client,
          "10 [ S'MQTT' 05 22 003C [ ] S'c' ]", E::will_flags_without_will),
      bad("connect_will_retain_without_will_v311", "3.1.1 [MQTT-3.1.2-15]", v311, from_client,
          "10 [ S'MQTT' 04 22 003C S'c' ]", E::will_flags_without_will),
      bad("connect_password_without_username", "3.1.1 [MQTT-3.1.2-22]", v311, from_client,
          "10 [ S'MQTT' 04 42 003C S'c' S'p' ]", E::password_without_username),
      bad("connect_will_topic_plus_v5", "5.0 [MQTT-4.7.0-1] [MQTT-3.1.3-11]", v5, from_client,
          "10 [ S'MQTT' 05 06 003C [ ] S'c' [ ] S'a/+' S'bye' ]", E::invalid_will_topic),
      bad("connect_will_topic_hash_v311", "3.1.1 [MQTT-4.7.1-1] [MQTT-3.1.3-10]", v311, from_client,
          "10 [ S'MQTT' 04 06 003C S'c' S'#' S'bye' ]", E::invalid_will_topic),
      bad("connect_will_topic_empty_v5", "5.0 [MQTT-4.7.3-1]", v5, from_client,
          "10 [ S'MQTT' 05 06 003C [ ] S'c' [ ] S'' S'bye' ]", E::invalid_will_topic),

      // --- CONNACK. ---------------------------------------------------------------------------
      bad("connack_reserved_flags_v311", "3.1.1 section 3.2.2.1 (bits 7-1 reserved)", v311,
          from_server, "20 02 02 00", E::connack_reserved_flags),
      bad("connack_reserved_flags_v5", "5.0 [MQTT-3.2.2-1]", v5, from_server, "20 [ 80 00 [ ] ]",
          E::connack_reserved_flags),
      bad("connack_session_present_on_failure_v311", "3.1.1 [MQTT-3.2.2-4]", v311, from_server,
          "20 02 01 05", E::session_present_on_failure),
      bad("connack_session_present_on_failure_v5", "5.0 [MQTT-3.2.2-6]", v5, from_server,
          "20 [ 01 80 [ ] ]", E::session_present_on_failure),
      bad("connack_code_01_v5", "5.0 section 3.2.2.2 (Table 3-1)", v5, from_server,
          "20 [ 00 01 [ ] ]", E::invalid_reason_code),
      bad("connack_code_8b_v5", "5.0 section 3.2.2.2 (Table 3-1)", v5, from_server,
          "20 [ 00 8B [ ] ]", E::invalid_reason_code),
      bad("connack_code_06_v311", "3.1.1 section 3.2.2.3 (6-255 Reserved)", v311, from_server,
          "20 02 00 06", E::invalid_reason_code),
      bad("connack_code_80_v311", "3.1.1 section 3.2.2.3 (6-255 Reserved)", v311, from_server,
          "20 02 00 80", E::invalid_reason_code),
      bad("connack_code_06_v31", "3.1 section 3.2 (6-255 Reserved)", v31, from_server,
          "20 02 00 06", E::invalid_reason_code),

      // --- PUBLISH. ---------------------------------------------------------------------------
      bad("publish_qos_3_v311", "3.1.1 [MQTT-3.3.1-4]", v311, from_client, "36 [ S'a' 0001 ]",
          E::invalid_qos),
      bad("publish_qos_3_v5", "5.0 [MQTT-3.3.1-4]", v5, from_server, "36 [ S'a' 0001 [ ] ]",
          E::invalid_qos),
      bad("publish_qos_3_v31", "3.1 section 3.3 (QoS 3 Reserved)", v31, from_client,
          "36 [ S'a' 0001 ]", E::invalid_qos),
      bad("publish_dup_qos_0_v311", "3.1.1 [MQTT-3.3.1-2]", v311, from_client, "38 [ S'a' ]",
          E::dup_on_qos0),
      bad("publish_dup_qos_0_v5", "5.0 [MQTT-3.3.1-2]", v5, from_server, "39 [ S'a' [ ] ]",
          E::dup_on_qos0),
      bad("publish_topic_plus_v311", "3.1.1 [MQTT-3.3.2-2]", v311, from_client, "30 [ S'a/+' ]",
          E::invalid_topic_name),
      bad("publish_topic_hash_v5", "5.0 [MQTT-3.3.2-2]", v5, from_client, "30 [ S'#' [ ] ]",
          E::invalid_topic_name),
      bad("publish_topic_hash_inside_v5", "5.0 [MQTT-3.3.2-2]", v5, from_server, "30 [ S'a#' [ ] ]",
          E::invalid_topic_name),
      bad("publish_topic_plus_v31", "3.1 section 4.7 (no wildcards in topic names)", v31,
          from_client, "30 [ S'+' ]", E::invalid_topic_name),
      bad("publish_empty_topic_v311", "3.1.1 [MQTT-4.7.3-1]", v311, from_client, "30 [ 0000 'x' ]",
          E::empty_topic_name),
      bad("publish_empty_topic_no_alias_v5", "5.0 section 3.3.2.1 [MQTT-4.7.3-1]", v5, from_client,
          "30 [ 0000 [ ] ]", E::empty_topic_name),
      bad("publish_empty_topic_other_property_v5", "5.0 section 3.3.2.1", v5, from_server,
          "30 [ 0000 [ 01 01 ] 'x' ]", E::empty_topic_name),
      bad("publish_packet_id_0_v311", "3.1.1 [MQTT-2.3.1-1]", v311, from_client, "32 [ S'a' 0000 ]",
          E::zero_packet_id),
      bad("publish_packet_id_0_v5", "5.0 [MQTT-2.2.1-3]", v5, from_client, "34 [ S'a' 0000 [ ] ]",
          E::zero_packet_id),
      bad("publish_packet_id_0_from_server_v5", "5.0 [MQTT-2.2.1-4]", v5, from_server,
          "32 [ S'a' 0000 [ ] ]", E::zero_packet_id),

      // --- SUBSCRIBE and UNSUBSCRIBE. ---------------------------------------------------------
      bad("subscribe_packet_id_0_v311", "3.1.1 [MQTT-2.3.1-1]", v311, from_client,
          "82 [ 0000 S'a' 00 ]", E::zero_packet_id),
      bad("unsubscribe_packet_id_0_v5", "5.0 [MQTT-2.2.1-3]", v5, from_client,
          "A2 [ 0000 [ ] S'a' ]", E::zero_packet_id),
      bad("subscribe_no_filters_v311", "3.1.1 [MQTT-3.8.3-3]", v311, from_client, "82 [ 0001 ]",
          E::no_topic_filters),
      bad("subscribe_no_filters_v5", "5.0 [MQTT-3.8.3-2]", v5, from_client, "82 [ 0001 [ ] ]",
          E::no_topic_filters),
      bad("subscribe_no_filters_v31", "3.1 section 3.8 (payload holds the filters)", v31,
          from_client, "82 [ 0001 ]", E::no_topic_filters),
      bad("unsubscribe_no_filters_v311", "3.1.1 [MQTT-3.10.3-2]", v311, from_client, "A2 [ 0001 ]",
          E::no_topic_filters),
      bad("unsubscribe_no_filters_v5", "5.0 [MQTT-3.10.3-2]", v5, from_client, "A2 [ 0001 [ ] ]",
          E::no_topic_filters),
      bad("subscribe_filter_hash_not_last", "5.0 [MQTT-4.7.1-1]", v5, from_client,
          "82 [ 0001 [ ] S'a/#/b' 00 ]", E::invalid_topic_filter),
      bad("subscribe_filter_plus_in_level", "3.1.1 [MQTT-4.7.1-3]", v311, from_client,
          "82 [ 0001 S'a+' 00 ]", E::invalid_topic_filter),
      bad("subscribe_filter_empty", "5.0 [MQTT-4.7.3-1]", v5, from_client, "82 [ 0001 [ ] S'' 00 ]",
          E::invalid_topic_filter),
      bad("subscribe_filter_hash_then_text", "3.1.1 [MQTT-4.7.1-2]", v311, from_client,
          "82 [ 0001 S'#a' 00 ]", E::invalid_topic_filter),
      bad("subscribe_filter_text_then_hash", "5.0 [MQTT-4.7.1-1]", v5, from_client,
          "82 [ 0001 [ ] S'a#' 00 ]", E::invalid_topic_filter),
      bad("subscribe_filter_plus_then_text", "5.0 [MQTT-4.7.1-2]", v5, from_client,
          "82 [ 0001 [ ] S'+a' 00 ]", E::invalid_topic_filter),
      bad("subscribe_second_filter_invalid", "5.0 [MQTT-4.7.1-2]", v5, from_client,
          "82 [ 0001 [ ] S'ok' 00 S'a+' 00 ]", E::invalid_topic_filter),
      bad("subscribe_filter_plus_in_level_v31", "3.1 section 4.7 (+ occupies a whole level)", v31,
          from_client, "82 [ 0001 S'a+' 00 ]", E::invalid_topic_filter),
      bad("unsubscribe_filter_hash_not_last", "5.0 [MQTT-4.7.1-1]", v5, from_client,
          "A2 [ 0001 [ ] S'a/#/b' ]", E::invalid_topic_filter),
      bad("unsubscribe_filter_empty", "3.1.1 [MQTT-4.7.3-1]", v311, from_client, "A2 [ 0001 S'' ]",
          E::invalid_topic_filter),
      bad("share_empty_share_name", "5.0 [MQTT-4.8.2-1]", v5, from_client,
          "82 [ 0001 [ ] S'$share//x' 00 ]", E::invalid_shared_subscription),
      bad("share_no_filter", "5.0 [MQTT-4.8.2-2]", v5, from_client,
          "82 [ 0001 [ ] S'$share/g' 00 ]", E::invalid_shared_subscription),
      bad("share_empty_filter", "5.0 [MQTT-4.8.2-2]", v5, from_client,
          "82 [ 0001 [ ] S'$share/g/' 00 ]", E::invalid_shared_subscription),
      // Tern, like Mosquitto, treats "$share/" filters as shared subscriptions in every version,
      // so 3.1.1 clients get the same syntax check.
      bad("share_no_filter_v311", "5.0 [MQTT-4.8.2-2]", v311, from_client,
          "82 [ 0001 S'$share/x' 00 ]", E::invalid_shared_subscription),
      bad("share_name_with_plus", "5.0 [MQTT-4.8.2-2]", v5, from_client,
          "82 [ 0001 [ ] S'$share/g+/x' 00 ]", E::invalid_shared_subscription),
      bad("share_name_is_hash", "5.0 [MQTT-4.8.2-2]", v5, from_client,
          "82 [ 0001 [ ] S'$share/#/x' 00 ]", E::invalid_shared_subscription),
      bad("unsubscribe_share_no_filter", "5.0 [MQTT-4.8.2-2]", v5, from_client,
          "A2 [ 0001 [ ] S'$share/g' ]", E::invalid_shared_subscription),
      bad("subscribe_options_bit_6_v5", "5.0 [MQTT-3.8.3-5]", v5, from_client,
          "82 [ 0001 [ ] S'a' 40 ]", E::subscription_options_reserved),
      bad("subscribe_options_bit_7_v5", "5.0 [MQTT-3.8.3-5]", v5, from_client,
          "82 [ 0001 [ ] S'a' 80 ]", E::subscription_options_reserved),
      bad("subscribe_options_bit_2_v311", "3.1.1 [MQTT-3-8.3-4]", v311, from_client,
          "82 [ 0001 S'a' 04 ]", E::subscription_options_reserved),
      bad("subscribe_qos_3_v311", "3.1.1 [MQTT-3-8.3-4]", v311, from_client, "82 [ 0001 S'a' 03 ]",
          E::invalid_subscription_qos),
      bad("subscribe_qos_3_v5", "5.0 section 3.8.3.1", v5, from_client, "82 [ 0001 [ ] S'a' 03 ]",
          E::invalid_subscription_qos),
      bad("subscribe_qos_3_v31", "3.1 section 3.8 (Requested QoS 0, 1 or 2)", v31, from_client,
          "82 [ 0001 S'a' 03 ]", E::invalid_subscription_qos),
      bad("subscribe_retain_handling_3", "5.0 section 3.8.3.1", v5, from_client,
          "82 [ 0001 [ ] S'a' 30 ]", E::invalid_retain_handling),
      bad("subscribe_no_local_on_shared", "5.0 [MQTT-3.8.3-4]", v5, from_client,
          "82 [ 0001 [ ] S'$share/g/x' 04 ]", E::no_local_on_shared),

      // --- SUBACK and UNSUBACK. ---------------------------------------------------------------
      bad("suback_no_codes_v311", "3.1.1 [MQTT-3.8.4-5] section 3.9.3", v311, from_server,
          "90 [ 0001 ]", E::no_reason_codes),
      bad("suback_no_codes_v5", "5.0 [MQTT-3.8.4-6] section 3.9.3", v5, from_server,
          "90 [ 0001 [ ] ]", E::no_reason_codes),
      bad("unsuback_no_codes_v5", "5.0 section 3.11.3", v5, from_server, "B0 [ 0001 [ ] ]",
          E::no_reason_codes),
      bad("suback_code_03_v5", "5.0 [MQTT-3.9.3-2]", v5, from_server, "90 [ 0001 [ ] 03 ]",
          E::invalid_reason_code),
      bad("suback_second_code_11_v5", "5.0 [MQTT-3.9.3-2]", v5, from_server,
          "90 [ 0001 [ ] 00 11 ]", E::invalid_reason_code),
      bad("suback_code_87_v311", "3.1.1 [MQTT-3.9.3-2]", v311, from_server, "90 [ 0001 87 ]",
          E::invalid_reason_code),
      bad("suback_code_03_v31", "3.1 section 3.9 (granted QoS 0, 1 or 2)", v31, from_server,
          "90 [ 0001 03 ]", E::invalid_reason_code),
      bad("unsuback_code_01_v5", "5.0 [MQTT-3.11.3-2]", v5, from_server, "B0 [ 0001 [ ] 01 ]",
          E::invalid_reason_code),
      bad("unsuback_code_9e_v5", "5.0 [MQTT-3.11.3-2]", v5, from_server, "B0 [ 0001 [ ] 9E ]",
          E::invalid_reason_code),

      // --- Reason codes of the other acknowledgements, DISCONNECT and AUTH. -------------------
      bad("puback_code_01_v5", "5.0 [MQTT-3.4.2-1]", v5, from_client, "40 03 0001 01",
          E::invalid_reason_code),
      bad("puback_code_92_v5", "5.0 [MQTT-3.4.2-1]", v5, from_server, "40 [ 0001 92 [ ] ]",
          E::invalid_reason_code),
      bad("pubrec_code_11_v5", "5.0 [MQTT-3.5.2-1]", v5, from_client, "50 03 0001 11",
          E::invalid_reason_code),
      bad("pubrel_code_80_v5", "5.0 [MQTT-3.6.2-1]", v5, from_client, "62 03 0001 80",
          E::invalid_reason_code),
      bad("pubrel_code_10_v5", "5.0 [MQTT-3.6.2-1]", v5, from_server, "62 [ 0001 10 [ ] ]",
          E::invalid_reason_code),
      bad("pubcomp_code_10_v5", "5.0 [MQTT-3.7.2-1]", v5, from_client, "70 03 0001 10",
          E::invalid_reason_code),
      bad("disconnect_code_01_v5", "5.0 [MQTT-3.14.2-1]", v5, from_client, "E0 01 01",
          E::invalid_reason_code),
      bad("disconnect_code_84_v5", "5.0 [MQTT-3.14.2-1]", v5, from_server, "E0 [ 84 [ ] ]",
          E::invalid_reason_code),
      bad("auth_code_01_v5", "5.0 [MQTT-3.15.2-1]", v5, from_client, "F0 [ 01 [ 15 S'x' ] ]",
          E::invalid_reason_code),
      bad("auth_code_80_v5", "5.0 [MQTT-3.15.2-1]", v5, from_server, "F0 [ 80 [ 15 S'x' ] ]",
          E::invalid_reason_code),
  };
}

const std::vector<Row>& all_malformed_rows() {
  static const std::vector<Row> rows = malformed_rows();
  return rows;
}

class MalformedPacket : public testing::TestWithParam<Row> {};

TEST_P(MalformedPacket, IsRejectedWithTheExpectedError) {
  const Row& row = GetParam();
  SCOPED_TRACE(testing::Message() << "row " << row.name << " " << row.rule << " {" << row.notation
                                  << "}");
  const Parsed parsed = parse_notation(row.notation);
  ASSERT_TRUE(parsed.error.empty()) << "bad notation: " << parsed.error;

  const Outcome outcome = run(parsed.bytes, row.version, row.sender, row.max_packet_size);
  const Outcome::Kind wanted =
      row.stage == Stage::framer ? Outcome::Kind::framer_error : Outcome::Kind::decode_error;
  ASSERT_EQ(outcome.kind, wanted) << "expected " << errc_name(row.expect)
                                  << (row.stage == Stage::framer ? " from the Framer"
                                                                 : " from decode()")
                                  << ", got: " << describe_outcome(outcome);
  EXPECT_EQ(errc_name(outcome.error), errc_name(row.expect)) << row.rule;
}

TEST_P(MalformedPacket, MapsToTheSpecifiedReasonCode) {
  const Row& row = GetParam();
  SCOPED_TRACE(testing::Message() << "row " << row.name << " " << row.rule);
  const ReasonExpectation expectation = expected_reason(row.expect);
  const ReasonCode actual = tern::mqtt::reason_code(row.expect);
  std::string allowed;
  for (ReasonCode code : expectation.allowed) {
    if (!allowed.empty()) allowed += " or ";
    allowed += std::string(tern::mqtt::to_string(code));
  }
  EXPECT_THAT(expectation.allowed, testing::Contains(actual))
      << "reason_code(" << errc_name(row.expect) << ") is 0x" << std::hex
      << static_cast<int>(actual) << " (" << tern::mqtt::to_string(actual) << "); MQTT 5.0 wants "
      << allowed << ": " << expectation.why;
  EXPECT_FALSE(tern::mqtt::describe(row.expect).empty());
}

INSTANTIATE_TEST_SUITE_P(Table, MalformedPacket, testing::ValuesIn(all_malformed_rows()),
                         [](const testing::TestParamInfo<Row>& param_info) {
                           return row_test_name(param_info.param);
                         });

TEST(MalformedTable, HasAtLeastNinetyRowsEachCitingARule) {
  EXPECT_GE(all_malformed_rows().size(), 90u);
  std::set<std::string> names;
  for (const Row& row : all_malformed_rows()) {
    EXPECT_TRUE(row.rule.find("[MQTT-") != std::string::npos ||
                row.rule.find("section") != std::string::npos)
        << row.name << " cites no statement id or section: " << row.rule;
    EXPECT_TRUE(names.insert(row.name).second) << "duplicate row name " << row.name;
  }
}

// Every error that decoding or framing can produce has at least one row; string_too_long is
// only produced by encode().
TEST(MalformedTable, CoversEveryDecodeError) {
  std::set<Errc> covered;
  for (const Row& row : all_malformed_rows())
    covered.insert(row.expect);
  for (int i = 0; i <= kLastErrc; ++i) {
    const auto error = static_cast<Errc>(i);
    if (error == Errc::string_too_long) continue;
    EXPECT_TRUE(covered.count(error)) << "no row produces " << errc_name(error);
  }
}

// Between them the rows cover all three versions.
TEST(MalformedTable, CoversAllThreeVersions) {
  std::set<Version> versions;
  for (const Row& row : all_malformed_rows())
    versions.insert(row.version);
  EXPECT_EQ(versions.size(), 3u);
}

// The notation itself, so that a bad row cannot hide behind a parser bug.
TEST(MalformedTable, NotationParser) {
  const Parsed parsed = parse_notation("10 [ S'MQTT' 04 [ ] 003C ] 'ab'");
  ASSERT_TRUE(parsed.error.empty()) << parsed.error;
  const std::vector<std::uint8_t> expected = {0x10, 0x0A, 0x00, 0x04, 'M',  'Q', 'T',
                                              'T',  0x04, 0x00, 0x00, 0x3C, 'a', 'b'};
  EXPECT_EQ(parsed.bytes, expected);
  const Parsed long_bracket = parse_notation("[ " + std::string(200, 'A') + " ]");
  ASSERT_TRUE(long_bracket.error.empty());
  ASSERT_EQ(long_bracket.bytes.size(), 101u);  // 200 hex digits: 100 bytes of 0xAA
  EXPECT_EQ(long_bracket.bytes[0], 0x64);      // 100: one length byte
  const Parsed bigger = parse_notation("[ " + std::string(400, 'A') + " ]");
  ASSERT_EQ(bigger.bytes.size(), 202u);
  EXPECT_EQ(bigger.bytes[0], 0xC8);  // 200 = 0xC8 0x01
  EXPECT_EQ(bigger.bytes[1], 0x01);
  EXPECT_FALSE(parse_notation("[ 00").error.empty());
  EXPECT_FALSE(parse_notation("0").error.empty());
  EXPECT_FALSE(parse_notation("'abc").error.empty());
}

// ---------------------------------------------------------------------------------------------
// Positive controls: valid packets close to the malformed ones decode, so that the table above
// cannot pass by rejecting everything.

struct ValidRow {
  std::string name;
  std::string rule;
  Version version;
  Sender sender;
  std::string notation;
  PacketType type;
  std::uint32_t max_packet_size = kMaxPacketSize;
};

void PrintTo(const ValidRow& row, std::ostream* os) {
  *os << row.name << " " << row.rule << " {" << row.notation << "}";
}

ValidRow good(std::string name, std::string rule, Version version, Sender sender,
              std::string notation, PacketType type,
              std::uint32_t max_packet_size = kMaxPacketSize) {
  return ValidRow{std::move(name), std::move(rule), version, sender, std::move(notation), type,
                  max_packet_size};
}

std::vector<ValidRow> valid_rows() {
  using T = PacketType;
  return {
      good("connect_v31", "3.1 section 3.1", v31, from_client, "10 [ S'MQIsdp' 03 02 003C S'c' ]",
           T::connect),
      good("connect_v311", "3.1.1 section 3.1", v311, from_client, "10 [ S'MQTT' 04 02 003C S'c' ]",
           T::connect),
      good("connect_v5", "5.0 section 3.1", v5, from_client, "10 [ S'MQTT' 05 02 003C [ ] S'c' ]",
           T::connect),
      good("connect_will_username_password_v311", "3.1.1 section 3.1.3", v311, from_client,
           "10 [ S'MQTT' 04 EE 003C S'c' S'w' S'bye' S'u' S'p' ]", T::connect),
      good("connect_password_without_username_v5", "5.0 section 3.1.2.9", v5, from_client,
           "10 [ S'MQTT' 05 42 003C [ ] S'c' S'p' ]", T::connect),
      good("connect_will_qos_2_retain_v5", "5.0 [MQTT-3.1.2-12]", v5, from_client,
           "10 [ S'MQTT' 05 36 003C [ ] S'c' [ 01 01 18 00000005 ] S'w' S'bye' ]", T::connect),
      good("connect_many_properties_v5", "5.0 section 3.1.2.11", v5, from_client,
           "10 [ S'MQTT' 05 02 003C [ 11 00000001 21 0001 27 00000001 17 01 19 01 15 S'm' "
           "16 0001 AB 26 S'k' S'v' 26 S'k' S'v' ] S'c' ]",
           T::connect),
      good("connack_v311", "3.1.1 section 3.2", v311, from_server, "20 02 01 00", T::connack),
      good("connack_failure_v311", "3.1.1 section 3.2.2.3", v311, from_server, "20 02 00 05",
           T::connack),
      good("connack_v5_properties", "5.0 section 3.2.2.3", v5, from_server,
           "20 [ 01 00 [ 21 0001 24 01 25 00 27 00000080 28 01 29 01 2A 01 22 000A ] ]",
           T::connack),
      good("connack_failure_v5", "5.0 section 3.2.2.2", v5, from_server, "20 [ 00 95 [ ] ]",
           T::connack),
      good("publish_qos_0_v311", "3.1.1 section 3.3", v311, from_client, "30 [ S'a/b' 'x' ]",
           T::publish),
      good("publish_qos_2_dup_retain_v311", "3.1.1 section 3.3.1", v311, from_client,
           "3D [ S'a' 0001 'x' ]", T::publish),
      good("publish_empty_payload_v31", "3.1 section 3.3", v31, from_client, "32 [ S'a' 0001 ]",
           T::publish),
      good("publish_empty_topic_with_alias_v5", "5.0 section 3.3.2.3.4", v5, from_client,
           "30 [ 0000 [ 23 0005 ] 'x' ]", T::publish),
      good("publish_subscription_ids_from_server_v5", "5.0 [MQTT-3.3.4-4]", v5, from_server,
           "30 [ S'a' [ 0B 01 0B FFFFFF7F ] ]", T::publish),
      good("publish_repeated_user_property_v5", "5.0 section 3.3.2.3.7", v5, from_client,
           "30 [ S'a' [ 26 S'k' S'1' 26 S'k' S'2' ] ]", T::publish),
      good("publish_bom_topic_v5", "5.0 [MQTT-1.5.4-3]", v5, from_client,
           "30 [ 0004 EFBBBF61 [ ] ]", T::publish),
      good("publish_max_code_point_topic_v311", "5.0 section 1.5.4 (U+10FFFF is valid)", v311,
           from_client, "30 [ 0004 F48FBFBF ]", T::publish),
      good("publish_noncharacter_and_control_topic_v5", "5.0 section 1.5.4 (SHOULD NOT only)", v5,
           from_client, "30 [ 0004 EFBFBF01 [ ] ]", T::publish),
      good("publish_dollar_topic_v5", "5.0 section 4.7.2", v5, from_server, "30 [ S'$SYS/x' [ ] ]",
           T::publish),
      good("puback_v311", "3.1.1 section 3.4", v311, from_client, "40 02 0001", T::puback),
      good("puback_short_v5", "5.0 [MQTT-3.4.2-1] (Remaining Length 2)", v5, from_client,
           "40 02 0001", T::puback),
      good("puback_reason_only_v5", "5.0 section 3.4.2.2.1 (no Property Length)", v5, from_server,
           "40 03 0001 10", T::puback),
      good("pubrec_with_reason_string_v5", "5.0 section 3.5.2.2.2", v5, from_client,
           "50 [ 0001 80 [ 1F S'no' ] ]", T::pubrec),
      good("pubrel_v311", "3.1.1 section 3.6", v311, from_client, "62 02 0001", T::pubrel),
      good("pubrel_92_v5", "5.0 section 3.6.2.1", v5, from_server, "62 03 0001 92", T::pubrel),
      good("pubcomp_v5", "5.0 section 3.7", v5, from_client, "70 03 0001 92", T::pubcomp),
      good("subscribe_v31", "3.1 section 3.8", v31, from_client, "82 [ 0001 S'a/+' 01 ]",
           T::subscribe),
      good("subscribe_wildcards_v311", "3.1.1 section 4.7.1", v311, from_client,
           "82 [ 0001 S'#' 00 S'+/+' 01 S'sport/+/player' 02 S'a/#' 00 ]", T::subscribe),
      good("subscribe_options_v5", "5.0 section 3.8.3.1", v5, from_client,
           "82 [ 0001 [ 0B FFFFFF7F ] S'a' 2E S'+' 1D ]", T::subscribe),
      good("subscribe_shared_v5", "5.0 section 4.8.2", v5, from_client,
           "82 [ 0001 [ ] S'$share/g/x' 01 S'$share/g/#' 00 S'$share/g/+/y' 02 ]", T::subscribe),
      good("suback_v311", "3.1.1 section 3.9", v311, from_server, "90 [ 0001 00 01 02 80 ]",
           T::suback),
      good("suback_v5", "5.0 section 3.9.3", v5, from_server, "90 [ 0001 [ ] 02 87 9E A1 A2 ]",
           T::suback),
      good("unsubscribe_v311", "3.1.1 section 3.10", v311, from_client,
           "A2 [ 0001 S'a/#' S'$share/g/x' ]", T::unsubscribe),
      good("unsubscribe_v5", "5.0 section 3.10", v5, from_client,
           "A2 [ 0001 [ 26 S'k' S'v' ] S'$share/g/x' ]", T::unsubscribe),
      good("unsuback_v311", "3.1.1 section 3.11", v311, from_server, "B0 02 0001", T::unsuback),
      good("unsuback_v5", "5.0 section 3.11.3", v5, from_server, "B0 [ 0001 [ ] 00 11 8F ]",
           T::unsuback),
      good("pingreq_v31", "3.1 section 3.12", v31, from_client, "C0 00", T::pingreq),
      good("pingresp_v311", "3.1.1 section 3.13", v311, from_server, "D0 00", T::pingresp),
      good("disconnect_v311", "3.1.1 section 3.14", v311, from_client, "E0 00", T::disconnect),
      good("disconnect_empty_v5", "5.0 section 3.14.2.1 (Remaining Length 0)", v5, from_server,
           "E0 00", T::disconnect),
      good("disconnect_session_expiry_from_client_v5", "5.0 section 3.14.2.2.2", v5, from_client,
           "E0 [ 04 [ 11 0000003C ] ]", T::disconnect),
      good("disconnect_server_reference_from_server_v5", "5.0 section 3.14.2.2.5", v5, from_server,
           "E0 [ 9C [ 1C S'other' 1F S'moved' ] ]", T::disconnect),
      good("auth_empty_v5", "5.0 section 3.15.2.1 (Remaining Length 0)", v5, from_server, "F0 00",
           T::auth),
      good("auth_method_and_data_v5", "5.0 section 3.15.2.2", v5, from_client,
           "F0 [ 18 [ 15 S'SCRAM' 16 0002 ABCD ] ]", T::auth),
      good("auth_reauthenticate_v5", "5.0 section 3.15.2.1", v5, from_client,
           "F0 [ 19 [ 15 S'SCRAM' ] ]", T::auth),
      good("packet_exactly_at_limit", "5.0 section 3.1.2.11.4", v311, from_client,
           "30 [ S'a' 'payload' ]", T::publish, 12),
      good("remaining_length_128", "5.0 section 1.5.5", v311, from_client,
           "30 8001 0001 61 " + std::string(250, 'A'), T::publish),
  };
}

const std::vector<ValidRow>& all_valid_rows() {
  static const std::vector<ValidRow> rows = valid_rows();
  return rows;
}

class ValidPacket : public testing::TestWithParam<ValidRow> {};

TEST_P(ValidPacket, Decodes) {
  const ValidRow& row = GetParam();
  SCOPED_TRACE(testing::Message() << "row " << row.name << " " << row.rule << " {" << row.notation
                                  << "}");
  const Parsed parsed = parse_notation(row.notation);
  ASSERT_TRUE(parsed.error.empty()) << "bad notation: " << parsed.error;
  const Outcome outcome = run(parsed.bytes, row.version, row.sender, row.max_packet_size);
  ASSERT_EQ(outcome.kind, Outcome::Kind::ok) << describe_outcome(outcome);
  EXPECT_EQ(tern::mqtt::type_of(*outcome.packet), row.type);
}

INSTANTIATE_TEST_SUITE_P(Table, ValidPacket, testing::ValuesIn(all_valid_rows()),
                         [](const testing::TestParamInfo<ValidRow>& param_info) {
                           return param_info.param.name + "_" + sanitize(param_info.param.rule);
                         });

// Decodes one valid packet given in notation; fails the test when it does not decode.
std::optional<Packet> decode_valid(std::string_view notation, Version version, Sender sender) {
  const Parsed parsed = parse_notation(notation);
  EXPECT_TRUE(parsed.error.empty()) << parsed.error;
  Outcome outcome = run(parsed.bytes, version, sender, kMaxPacketSize);
  EXPECT_EQ(outcome.kind, Outcome::Kind::ok) << describe_outcome(outcome);
  return std::move(outcome.packet);
}

// Field checks on a few controls, so that "decodes" also means "decodes to the right thing".
TEST(ValidPacketFields, PasswordWithoutUsernameIsAllowedInV5) {
  auto packet = decode_valid("10 [ S'MQTT' 05 42 003C [ ] S'c' S'p' ]", v5, from_client);
  ASSERT_TRUE(packet.has_value());
  const auto* connect = std::get_if<Connect>(&*packet);
  ASSERT_NE(connect, nullptr);
  EXPECT_EQ(connect->version, v5);
  EXPECT_EQ(connect->client_id, "c");
  EXPECT_FALSE(connect->username.has_value());
  EXPECT_EQ(connect->password, std::optional<std::string>("p"));
  EXPECT_EQ(connect->keep_alive, 60);
}

TEST(ValidPacketFields, ConnectV31ReportsItsVersion) {
  auto packet = decode_valid("10 [ S'MQIsdp' 03 02 003C S'c' ]", v31, from_client);
  ASSERT_TRUE(packet.has_value());
  const auto* connect = std::get_if<Connect>(&*packet);
  ASSERT_NE(connect, nullptr);
  EXPECT_EQ(connect->version, v31);
  EXPECT_TRUE(connect->clean_start);
}

TEST(ValidPacketFields, WillQos2RetainWithProperties) {
  auto packet = decode_valid("10 [ S'MQTT' 05 36 003C [ ] S'c' [ 01 01 18 00000005 ] S'w' S'bye' ]",
                             v5, from_client);
  ASSERT_TRUE(packet.has_value());
  const auto* connect = std::get_if<Connect>(&*packet);
  ASSERT_NE(connect, nullptr);
  ASSERT_TRUE(connect->will.has_value());
  EXPECT_EQ(connect->will->topic, "w");
  EXPECT_EQ(connect->will->payload, "bye");
  EXPECT_EQ(connect->will->qos, QoS::exactly_once);
  EXPECT_TRUE(connect->will->retain);
  EXPECT_EQ(connect->will->properties.payload_format_indicator, std::optional<std::uint8_t>(1));
  EXPECT_EQ(connect->will->properties.will_delay_interval, std::optional<std::uint32_t>(5));
}

TEST(ValidPacketFields, EmptyTopicWithTopicAlias) {
  auto packet = decode_valid("30 [ 0000 [ 23 0005 ] 'x' ]", v5, from_client);
  ASSERT_TRUE(packet.has_value());
  const auto* publish = std::get_if<Publish>(&*packet);
  ASSERT_NE(publish, nullptr);
  EXPECT_EQ(publish->topic, "");
  EXPECT_EQ(publish->properties.topic_alias, std::optional<std::uint16_t>(5));
  EXPECT_EQ(publish->payload, "x");
}

TEST(ValidPacketFields, SubscriptionIdentifiersFromServer) {
  auto packet = decode_valid("30 [ S'a' [ 0B 01 0B FFFFFF7F ] ]", v5, from_server);
  ASSERT_TRUE(packet.has_value());
  const auto* publish = std::get_if<Publish>(&*packet);
  ASSERT_NE(publish, nullptr);
  EXPECT_EQ(publish->properties.subscription_identifiers,
            (std::vector<std::uint32_t>{1, tern::mqtt::kMaxSubscriptionId}));
}

TEST(ValidPacketFields, BomIsKeptInTopic) {
  auto packet = decode_valid("30 [ 0004 EFBBBF61 [ ] ]", v5, from_client);
  ASSERT_TRUE(packet.has_value());
  const auto* publish = std::get_if<Publish>(&*packet);
  ASSERT_NE(publish, nullptr);
  EXPECT_EQ(publish->topic,
            "\xEF\xBB\xBF"
            "a");  // [MQTT-1.5.4-3]: not stripped
}

TEST(ValidPacketFields, PublishFlags) {
  auto packet = decode_valid("3D [ S'a' 0102 'x' ]", v311, from_client);
  ASSERT_TRUE(packet.has_value());
  const auto* publish = std::get_if<Publish>(&*packet);
  ASSERT_NE(publish, nullptr);
  EXPECT_EQ(publish->qos, QoS::exactly_once);
  EXPECT_TRUE(publish->dup);
  EXPECT_TRUE(publish->retain);
  EXPECT_EQ(publish->packet_id, 0x0102);
  EXPECT_EQ(publish->payload, "x");
}

TEST(ValidPacketFields, SubscriptionOptions) {
  auto packet = decode_valid("82 [ 0001 [ 0B FFFFFF7F ] S'a' 2E S'+' 1D ]", v5, from_client);
  ASSERT_TRUE(packet.has_value());
  const auto* subscribe = std::get_if<Subscribe>(&*packet);
  ASSERT_NE(subscribe, nullptr);
  ASSERT_EQ(subscribe->subscriptions.size(), 2u);
  const auto& first = subscribe->subscriptions[0];
  EXPECT_EQ(first.filter, "a");
  EXPECT_EQ(first.max_qos, QoS::exactly_once);  // 0x2E: QoS 2, No Local, RAP, RH 2
  EXPECT_TRUE(first.no_local);
  EXPECT_TRUE(first.retain_as_published);
  EXPECT_EQ(first.retain_handling, RetainHandling::do_not_send);
  const auto& second = subscribe->subscriptions[1];
  EXPECT_EQ(second.max_qos, QoS::at_least_once);  // 0x1D: QoS 1, No Local, RAP, RH 1
  EXPECT_EQ(second.retain_handling, RetainHandling::send_if_new_subscription);
  EXPECT_EQ(subscribe->properties.subscription_identifiers,
            (std::vector<std::uint32_t>{tern::mqtt::kMaxSubscriptionId}));
}

TEST(ValidPacketFields, DisconnectFromClientWithSessionExpiry) {
  auto packet = decode_valid("E0 [ 04 [ 11 0000003C ] ]", v5, from_client);
  ASSERT_TRUE(packet.has_value());
  const auto* disconnect = std::get_if<Disconnect>(&*packet);
  ASSERT_NE(disconnect, nullptr);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::disconnect_with_will);
  EXPECT_EQ(disconnect->properties.session_expiry_interval, std::optional<std::uint32_t>(60));
}

}  // namespace
