// MQTT 5.0 properties (section 2.2.2): one optional field per property identifier.
//
// Properties is a plain value type. Decoding checks each identifier against the packet it came
// in (`PropertyScope`), rejects repeats where the specification forbids them, and checks values
// the specification constrains (e.g. Receive Maximum 0 is a Protocol Error). Encoding writes the
// set fields in identifier order, User Properties in their original order. MQTT 3.1/3.1.1
// packets have no properties; the encoder ignores them there.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tern::mqtt {

enum class PropertyId : std::uint8_t {
  payload_format_indicator = 0x01,
  message_expiry_interval = 0x02,
  content_type = 0x03,
  response_topic = 0x08,
  correlation_data = 0x09,
  subscription_identifier = 0x0B,
  session_expiry_interval = 0x11,
  assigned_client_identifier = 0x12,
  server_keep_alive = 0x13,
  authentication_method = 0x15,
  authentication_data = 0x16,
  request_problem_information = 0x17,
  will_delay_interval = 0x18,
  request_response_information = 0x19,
  response_information = 0x1A,
  server_reference = 0x1C,
  reason_string = 0x1F,
  receive_maximum = 0x21,
  topic_alias_maximum = 0x22,
  topic_alias = 0x23,
  maximum_qos = 0x24,
  retain_available = 0x25,
  user_property = 0x26,
  maximum_packet_size = 0x27,
  wildcard_subscription_available = 0x28,
  subscription_identifier_available = 0x29,
  shared_subscription_available = 0x2A,
};

// Where a property list sits; each property is allowed in some of these (MQTT 5.0 table 2-4).
enum class PropertyScope : std::uint8_t {
  connect,
  connack,
  publish,
  will,
  puback,
  pubrec,
  pubrel,
  pubcomp,
  subscribe,
  suback,
  unsubscribe,
  unsuback,
  disconnect,
  auth,
};

struct UserProperty {
  std::string name;
  std::string value;
  bool operator==(const UserProperty&) const = default;
};

// Binary Data fields (Correlation Data, Authentication Data) are held in std::string as bytes.
struct Properties {
  std::optional<std::uint8_t> payload_format_indicator;
  std::optional<std::uint32_t> message_expiry_interval;
  std::optional<std::string> content_type;
  std::optional<std::string> response_topic;
  std::optional<std::string> correlation_data;
  // Once in SUBSCRIBE; in a PUBLISH to a client, one per matching subscription.
  std::vector<std::uint32_t> subscription_identifiers;
  std::optional<std::uint32_t> session_expiry_interval;
  std::optional<std::string> assigned_client_identifier;
  std::optional<std::uint16_t> server_keep_alive;
  std::optional<std::string> authentication_method;
  std::optional<std::string> authentication_data;
  std::optional<std::uint8_t> request_problem_information;
  std::optional<std::uint32_t> will_delay_interval;
  std::optional<std::uint8_t> request_response_information;
  std::optional<std::string> response_information;
  std::optional<std::string> server_reference;
  std::optional<std::string> reason_string;
  std::optional<std::uint16_t> receive_maximum;
  std::optional<std::uint16_t> topic_alias_maximum;
  std::optional<std::uint16_t> topic_alias;
  std::optional<std::uint8_t> maximum_qos;
  std::optional<std::uint8_t> retain_available;
  std::vector<UserProperty> user_properties;
  std::optional<std::uint32_t> maximum_packet_size;
  std::optional<std::uint8_t> wildcard_subscription_available;
  std::optional<std::uint8_t> subscription_identifier_available;
  std::optional<std::uint8_t> shared_subscription_available;

  bool operator==(const Properties&) const = default;
  // Compared with one shared empty instance: encoders ask this for every acknowledgement, and
  // building a temporary of 27 optionals each time is wasted work on that path.
  bool empty() const {
    static const Properties kEmpty;
    return *this == kEmpty;
  }
};

// What a server changes in a forwarded PUBLISH's properties for each receiver (MQTT 5.0 section
// 3.3.2.3): the remaining Message Expiry Interval [MQTT-3.3.2-6], the Subscription Identifiers of
// that receiver's subscriptions [MQTT-3.3.4-3], and its Topic Alias. The message keeps one
// Properties for every receiver; these replace the fields of the same name when it is encoded.
struct PublishPropertyOverrides {
  std::optional<std::uint32_t> message_expiry_interval;  // when the message has an expiry
  std::span<const std::uint32_t> subscription_identifiers;
  std::optional<std::uint16_t> topic_alias;
};

}  // namespace tern::mqtt
