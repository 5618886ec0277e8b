// Decoding CONNECT (MQTT 5.0 section 3.1, MQTT 3.1.1 section 3.1, MQTT 3.1 section 3.1).
#include "mqtt/decoders.h"
#include "mqtt/property_codec.h"
#include "mqtt/topic.h"

namespace tern::mqtt::detail {

namespace {

// Connect Flags bits (section 3.1.2.3).
constexpr std::uint8_t kReserved = 0x01;
constexpr std::uint8_t kCleanStart = 0x02;
constexpr std::uint8_t kWill = 0x04;
constexpr std::uint8_t kWillQosShift = 3;
constexpr std::uint8_t kWillRetain = 0x20;
constexpr std::uint8_t kPassword = 0x40;
constexpr std::uint8_t kUsername = 0x80;

// The protocol name and level select the version: "MQIsdp" 3 is MQTT 3.1, "MQTT" 4 is 3.1.1,
// "MQTT" 5 is 5.0.
std::optional<Version> read_version(wire::Reader& r) {
  std::string name = r.utf8();
  std::uint8_t level = r.u8();
  if (r.failed()) return std::nullopt;
  if (name != "MQTT" && name != "MQIsdp") {
    r.fail(Errc::unsupported_protocol_name);  // [MQTT-3.1.2-1]
    return std::nullopt;
  }
  if (level < 3 || level > 5) {
    r.fail(Errc::unsupported_protocol_version);  // [MQTT-3.1.2-2]
    return std::nullopt;
  }
  // A known level under the other version's name: the name is wrong for it [MQTT-3.1.2-1].
  if ((level == 3) != (name == "MQIsdp")) {
    r.fail(Errc::unsupported_protocol_name);
    return std::nullopt;
  }
  return static_cast<Version>(level);
}

}  // namespace

Connect decode_connect(wire::Reader& r) {
  Connect p;
  std::optional<Version> version = read_version(r);
  if (!version) return p;
  p.version = *version;
  bool v5 = p.version == Version::v5;

  std::uint8_t flags = r.u8();
  if (r.failed()) return p;
  if (flags & kReserved) r.fail(Errc::connect_reserved_flag);  // [MQTT-3.1.2-3]
  bool has_will = flags & kWill;
  std::uint8_t will_qos = (flags >> kWillQosShift) & 0b11;
  bool will_retain = flags & kWillRetain;
  // [MQTT-3.1.2-11], [MQTT-3.1.2-13], [MQTT-3.1.2-15]: no will, no Will QoS and Will Retain.
  if (!has_will && (will_qos != 0 || will_retain)) r.fail(Errc::will_flags_without_will);
  if (will_qos == 3) r.fail(Errc::invalid_will_qos);  // [MQTT-3.1.2-12]
  bool has_username = flags & kUsername;
  bool has_password = flags & kPassword;
  // [MQTT-3.1.2-22] in 3.1.1; MQTT 5.0 allows a password alone (section 3.1.2.9).
  if (!v5 && has_password && !has_username) r.fail(Errc::password_without_username);
  p.clean_start = flags & kCleanStart;

  p.keep_alive = r.u16();
  if (v5) p.properties = read_properties(r, PropertyScope::connect, Sender::client);
  p.client_id = r.utf8();  // an empty id is the broker's to accept or refuse [MQTT-3.1.3-6]

  if (has_will) {
    Will will;
    will.qos = static_cast<QoS>(will_qos);
    will.retain = will_retain;
    if (v5) will.properties = read_properties(r, PropertyScope::will, Sender::client);
    will.topic = r.utf8();
    if (!r.failed() && !is_valid_topic_name(will.topic)) r.fail(Errc::invalid_will_topic);
    will.payload = r.binary();
    p.will = std::move(will);
  }
  if (has_username) p.username = r.utf8();
  if (has_password) p.password = r.binary();
  return p;
}

}  // namespace tern::mqtt::detail
