#include "mqtt/errc.h"

namespace tern::mqtt {

ReasonCode reason_code(Errc error) {
  switch (error) {
    case Errc::packet_too_large:
    case Errc::string_too_long:
      return ReasonCode::packet_too_large;
    case Errc::unsupported_protocol_name:
    case Errc::unsupported_protocol_version:
      return ReasonCode::unsupported_protocol_version;
    case Errc::invalid_will_topic:
    case Errc::invalid_topic_name:
      return ReasonCode::topic_name_invalid;
    case Errc::topic_alias_zero:
      return ReasonCode::topic_alias_invalid;
    // Well-formed packets that break a rule of the protocol (MQTT 5.0 section 4.13).
    case Errc::unexpected_packet:
    case Errc::duplicate_property:
    case Errc::invalid_property_value:
    case Errc::subscription_id_from_client:
    case Errc::session_expiry_from_server:
    case Errc::auth_data_without_method:
    case Errc::session_present_on_failure:
    case Errc::empty_topic_name:
    case Errc::zero_packet_id:
    case Errc::no_topic_filters:
    case Errc::invalid_subscription_qos:
    case Errc::invalid_retain_handling:
    case Errc::no_local_on_shared:
    case Errc::no_reason_codes:
    case Errc::invalid_reason_code:
      return ReasonCode::protocol_error;
    // Packets that cannot be parsed as the specification lays them out.
    case Errc::remaining_length_too_long:
    case Errc::varint_not_minimal:
    case Errc::reserved_packet_type:
    case Errc::invalid_fixed_header_flags:
    case Errc::truncated:
    case Errc::trailing_bytes:
    case Errc::invalid_utf8:
    case Errc::utf8_contains_null:
    case Errc::property_length_invalid:
    case Errc::unknown_property:
    case Errc::property_not_allowed:
    case Errc::connect_reserved_flag:
    case Errc::will_flags_without_will:
    case Errc::invalid_will_qos:
    case Errc::password_without_username:
    case Errc::connack_reserved_flags:
    case Errc::invalid_qos:
    case Errc::dup_on_qos0:
    case Errc::invalid_topic_filter:
    case Errc::invalid_shared_subscription:
    case Errc::subscription_options_reserved:
      return ReasonCode::malformed_packet;
  }
  return ReasonCode::malformed_packet;
}

std::string_view describe(Errc error) {
  switch (error) {
    case Errc::remaining_length_too_long:
      return "variable byte integer longer than 4 bytes (section 1.5.5)";
    case Errc::varint_not_minimal:
      return "variable byte integer not minimally encoded [MQTT-1.5.5-1]";
    case Errc::packet_too_large:
      return "packet larger than the maximum packet size";
    case Errc::reserved_packet_type:
      return "reserved packet type (section 2.1.2)";
    case Errc::invalid_fixed_header_flags:
      return "invalid fixed header flags for the packet type [MQTT-2.1.3-1]";
    case Errc::unexpected_packet:
      return "packet type not allowed in this direction";
    case Errc::truncated:
      return "packet ends inside a field";
    case Errc::trailing_bytes:
      return "unexpected bytes after the last field of the packet";
    case Errc::invalid_utf8:
      return "ill-formed UTF-8 string [MQTT-1.5.4-1]";
    case Errc::utf8_contains_null:
      return "UTF-8 string contains U+0000 [MQTT-1.5.4-2]";
    case Errc::string_too_long:
      return "string or binary field longer than 65,535 bytes";
    case Errc::property_length_invalid:
      return "property length exceeds the packet";
    case Errc::unknown_property:
      return "unknown property identifier [MQTT-2.2.2]";
    case Errc::property_not_allowed:
      return "property not valid for this packet type (section 2.2.2.2)";
    case Errc::duplicate_property:
      return "property included more than once";
    case Errc::invalid_property_value:
      return "property value out of its allowed range";
    case Errc::subscription_id_from_client:
      return "client PUBLISH with a Subscription Identifier [MQTT-3.3.4-6]";
    case Errc::session_expiry_from_server:
      return "server DISCONNECT with a Session Expiry Interval [MQTT-3.14.2-2]";
    case Errc::auth_data_without_method:
      return "Authentication Data without Authentication Method";
    case Errc::unsupported_protocol_name:
      return "unsupported protocol name [MQTT-3.1.2-1]";
    case Errc::unsupported_protocol_version:
      return "unsupported protocol level [MQTT-3.1.2-2]";
    case Errc::connect_reserved_flag:
      return "CONNECT reserved flag is set [MQTT-3.1.2-3]";
    case Errc::will_flags_without_will:
      return "Will QoS or Will Retain set without the Will Flag [MQTT-3.1.2-11] [MQTT-3.1.2-13]";
    case Errc::invalid_will_qos:
      return "Will QoS 3 [MQTT-3.1.2-12]";
    case Errc::password_without_username:
      return "password without user name in MQTT 3.1.1 [MQTT-3.1.2-22]";
    case Errc::invalid_will_topic:
      return "will topic empty or with wildcards [MQTT-4.7.0-1] [MQTT-4.7.3-1]";
    case Errc::connack_reserved_flags:
      return "CONNACK reserved flags are set [MQTT-3.2.2-1]";
    case Errc::session_present_on_failure:
      return "Session Present set on a refused connection [MQTT-3.2.2-6]";
    case Errc::invalid_qos:
      return "QoS 3 [MQTT-3.3.1-4]";
    case Errc::dup_on_qos0:
      return "DUP flag set on a QoS 0 message [MQTT-3.3.1-2]";
    case Errc::invalid_topic_name:
      return "wildcard in a topic name [MQTT-3.3.2-2]";
    case Errc::empty_topic_name:
      return "empty topic name without a Topic Alias [MQTT-4.7.3-1]";
    case Errc::topic_alias_zero:
      return "Topic Alias 0 [MQTT-3.3.2-8]";
    case Errc::zero_packet_id:
      return "packet identifier 0 [MQTT-2.2.1-3] [MQTT-2.2.1-4]";
    case Errc::no_topic_filters:
      return "no topic filter in the payload [MQTT-3.8.3-2]";
    case Errc::invalid_topic_filter:
      return "invalid topic filter [MQTT-4.7.1-1] [MQTT-4.7.1-2]";
    case Errc::invalid_shared_subscription:
      return "invalid shared subscription [MQTT-4.8.2-1] [MQTT-4.8.2-2]";
    case Errc::subscription_options_reserved:
      return "reserved subscription option bits set [MQTT-3.8.3-5]";
    case Errc::invalid_subscription_qos:
      return "subscription Maximum QoS 3";
    case Errc::invalid_retain_handling:
      return "Retain Handling 3";
    case Errc::no_local_on_shared:
      return "No Local on a shared subscription [MQTT-3.8.3-4]";
    case Errc::no_reason_codes:
      return "acknowledgement without reason codes";
    case Errc::invalid_reason_code:
      return "reason code not valid for this packet type";
  }
  return "unknown error";
}

}  // namespace tern::mqtt
