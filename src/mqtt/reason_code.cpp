#include "mqtt/reason_code.h"

#include <algorithm>
#include <array>

namespace tern::mqtt {

std::string_view to_string(ReasonCode code) {
  switch (code) {
    case ReasonCode::success:
      return "Success";
    case ReasonCode::granted_qos_1:
      return "Granted QoS 1";
    case ReasonCode::granted_qos_2:
      return "Granted QoS 2";
    case ReasonCode::disconnect_with_will:
      return "Disconnect with Will Message";
    case ReasonCode::no_matching_subscribers:
      return "No matching subscribers";
    case ReasonCode::no_subscription_existed:
      return "No subscription existed";
    case ReasonCode::continue_authentication:
      return "Continue authentication";
    case ReasonCode::reauthenticate:
      return "Re-authenticate";
    case ReasonCode::unspecified_error:
      return "Unspecified error";
    case ReasonCode::malformed_packet:
      return "Malformed Packet";
    case ReasonCode::protocol_error:
      return "Protocol Error";
    case ReasonCode::implementation_specific_error:
      return "Implementation specific error";
    case ReasonCode::unsupported_protocol_version:
      return "Unsupported Protocol Version";
    case ReasonCode::client_identifier_not_valid:
      return "Client Identifier not valid";
    case ReasonCode::bad_username_or_password:
      return "Bad User Name or Password";
    case ReasonCode::not_authorized:
      return "Not authorized";
    case ReasonCode::server_unavailable:
      return "Server unavailable";
    case ReasonCode::server_busy:
      return "Server busy";
    case ReasonCode::banned:
      return "Banned";
    case ReasonCode::server_shutting_down:
      return "Server shutting down";
    case ReasonCode::bad_authentication_method:
      return "Bad authentication method";
    case ReasonCode::keep_alive_timeout:
      return "Keep Alive timeout";
    case ReasonCode::session_taken_over:
      return "Session taken over";
    case ReasonCode::topic_filter_invalid:
      return "Topic Filter invalid";
    case ReasonCode::topic_name_invalid:
      return "Topic Name invalid";
    case ReasonCode::packet_identifier_in_use:
      return "Packet Identifier in use";
    case ReasonCode::packet_identifier_not_found:
      return "Packet Identifier not found";
    case ReasonCode::receive_maximum_exceeded:
      return "Receive Maximum exceeded";
    case ReasonCode::topic_alias_invalid:
      return "Topic Alias invalid";
    case ReasonCode::packet_too_large:
      return "Packet too large";
    case ReasonCode::message_rate_too_high:
      return "Message rate too high";
    case ReasonCode::quota_exceeded:
      return "Quota exceeded";
    case ReasonCode::administrative_action:
      return "Administrative action";
    case ReasonCode::payload_format_invalid:
      return "Payload format invalid";
    case ReasonCode::retain_not_supported:
      return "Retain not supported";
    case ReasonCode::qos_not_supported:
      return "QoS not supported";
    case ReasonCode::use_another_server:
      return "Use another server";
    case ReasonCode::server_moved:
      return "Server moved";
    case ReasonCode::shared_subscriptions_not_supported:
      return "Shared Subscriptions not supported";
    case ReasonCode::connection_rate_exceeded:
      return "Connection rate exceeded";
    case ReasonCode::maximum_connect_time:
      return "Maximum connect time";
    case ReasonCode::subscription_identifiers_not_supported:
      return "Subscription Identifiers not supported";
    case ReasonCode::wildcard_subscriptions_not_supported:
      return "Wildcard Subscriptions not supported";
  }
  return "Unknown reason code";
}

namespace {

template <std::size_t N>
bool contains(const std::array<std::uint8_t, N>& codes, std::uint8_t code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

// MQTT 5.0 section 3.2.2.2.
constexpr std::array<std::uint8_t, 22> kConnack = {0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86,
                                                   0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97,
                                                   0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F};
// Sections 3.4.2.1 (PUBACK) and 3.5.2.1 (PUBREC) share one list.
constexpr std::array<std::uint8_t, 9> kPubackPubrec = {0x00, 0x10, 0x80, 0x83, 0x87,
                                                       0x90, 0x91, 0x97, 0x99};
// Sections 3.6.2.1 (PUBREL) and 3.7.2.1 (PUBCOMP).
constexpr std::array<std::uint8_t, 2> kPubrelPubcomp = {0x00, 0x92};
// Section 3.9.3.
constexpr std::array<std::uint8_t, 12> kSuback = {0x00, 0x01, 0x02, 0x80, 0x83, 0x87,
                                                  0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2};
// Section 3.11.3.
constexpr std::array<std::uint8_t, 7> kUnsuback = {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91};
// Section 3.14.2.1.
constexpr std::array<std::uint8_t, 29> kDisconnect = {
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94,
    0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2};
// Section 3.15.2.1.
constexpr std::array<std::uint8_t, 3> kAuth = {0x00, 0x18, 0x19};

}  // namespace

bool is_valid_reason_code(PacketType type, std::uint8_t code) {
  switch (type) {
    case PacketType::connack:
      return contains(kConnack, code);
    case PacketType::puback:
    case PacketType::pubrec:
      return contains(kPubackPubrec, code);
    case PacketType::pubrel:
    case PacketType::pubcomp:
      return contains(kPubrelPubcomp, code);
    case PacketType::suback:
      return contains(kSuback, code);
    case PacketType::unsuback:
      return contains(kUnsuback, code);
    case PacketType::disconnect:
      return contains(kDisconnect, code);
    case PacketType::auth:
      return contains(kAuth, code);
    default:
      return false;
  }
}

ConnackReturnCode connack_return_code_v3(ReasonCode code) {
  switch (code) {
    case ReasonCode::success:
      return ConnackReturnCode::accepted;
    case ReasonCode::unsupported_protocol_version:
      return ConnackReturnCode::unacceptable_protocol_version;
    case ReasonCode::client_identifier_not_valid:
      return ConnackReturnCode::identifier_rejected;
    case ReasonCode::bad_username_or_password:
      return ConnackReturnCode::bad_username_or_password;
    case ReasonCode::not_authorized:
    case ReasonCode::banned:
    case ReasonCode::bad_authentication_method:
      return ConnackReturnCode::not_authorized;
    default:
      return ConnackReturnCode::server_unavailable;
  }
}

}  // namespace tern::mqtt
