#include <cstdint>

#include "mqtt/property_codec.h"
#include "mqtt/topic.h"

namespace tern::mqtt {

namespace {

constexpr std::uint16_t bit(PropertyScope scope) {
  return static_cast<std::uint16_t>(1u << static_cast<unsigned>(scope));
}

using enum PropertyScope;
constexpr std::uint16_t kMessage = bit(publish) | bit(will);
constexpr std::uint16_t kAcks = bit(connack) | bit(puback) | bit(pubrec) | bit(pubrel) |
                                bit(pubcomp) | bit(suback) | bit(unsuback) | bit(disconnect) |
                                bit(auth);
constexpr std::uint16_t kEverywhere = 0x3FFF;

// Where each property may appear: MQTT 5.0 section 2.2.2.2, table 2-4. 0 = unknown identifier.
constexpr std::uint16_t allowed_scopes(std::uint8_t id) {
  switch (static_cast<PropertyId>(id)) {
    case PropertyId::payload_format_indicator:
    case PropertyId::message_expiry_interval:
    case PropertyId::content_type:
    case PropertyId::response_topic:
    case PropertyId::correlation_data:
      return kMessage;
    case PropertyId::subscription_identifier:
      return bit(publish) | bit(subscribe);
    case PropertyId::session_expiry_interval:
      return bit(connect) | bit(connack) | bit(disconnect);
    case PropertyId::assigned_client_identifier:
    case PropertyId::server_keep_alive:
    case PropertyId::response_information:
    case PropertyId::maximum_qos:
    case PropertyId::retain_available:
    case PropertyId::wildcard_subscription_available:
    case PropertyId::subscription_identifier_available:
    case PropertyId::shared_subscription_available:
      return bit(connack);
    case PropertyId::authentication_method:
    case PropertyId::authentication_data:
      return bit(connect) | bit(connack) | bit(auth);
    case PropertyId::request_problem_information:
    case PropertyId::request_response_information:
      return bit(connect);
    case PropertyId::will_delay_interval:
      return bit(will);
    case PropertyId::server_reference:
      return bit(connack) | bit(disconnect);
    case PropertyId::reason_string:
      return kAcks;
    case PropertyId::receive_maximum:
    case PropertyId::topic_alias_maximum:
    case PropertyId::maximum_packet_size:
      return bit(connect) | bit(connack);
    case PropertyId::topic_alias:
      return bit(publish);
    case PropertyId::user_property:
      return kEverywhere;
  }
  return 0;
}

// Stores a property that may appear once; a repeat is a Protocol Error (section 2.2.2.2).
template <class T>
void set_once(wire::Reader& reader, std::optional<T>& field, T value) {
  if (field) reader.fail(Errc::duplicate_property);
  field = std::move(value);
}

// Properties whose only values are 0 and 1.
void set_flag(wire::Reader& reader, std::optional<std::uint8_t>& field) {
  std::uint8_t value = reader.u8();
  if (value > 1) reader.fail(Errc::invalid_property_value);
  set_once(reader, field, value);
}

// A two- or four-byte integer where 0 is a Protocol Error (Receive Maximum, section 3.1.2.11.3;
// Maximum Packet Size, section 3.1.2.11.4).
template <class T>
void set_nonzero(wire::Reader& reader, std::optional<T>& field, T value) {
  if (value == 0) reader.fail(Errc::invalid_property_value);
  set_once(reader, field, value);
}

void read_one(wire::Reader& r, std::uint8_t id, PropertyScope scope, Sender sender, Properties& p) {
  switch (static_cast<PropertyId>(id)) {
    case PropertyId::payload_format_indicator:
      return set_flag(r, p.payload_format_indicator);
    case PropertyId::message_expiry_interval:
      return set_once(r, p.message_expiry_interval, r.u32());
    case PropertyId::content_type:
      return set_once(r, p.content_type, r.utf8());
    case PropertyId::response_topic: {
      std::string topic = r.utf8();
      // The Response Topic is a Topic Name: no wildcards (section 3.3.2.3.5).
      if (!r.failed() && !is_valid_topic_name(topic)) r.fail(Errc::invalid_property_value);
      return set_once(r, p.response_topic, std::move(topic));
    }
    case PropertyId::correlation_data:
      return set_once(r, p.correlation_data, r.binary());
    case PropertyId::subscription_identifier: {
      std::uint32_t value = r.varint();
      if (!r.failed() && value == 0) r.fail(Errc::invalid_property_value);  // section 3.8.2.1.2
      if (scope == PropertyScope::publish && sender == Sender::client) {
        r.fail(Errc::subscription_id_from_client);
      }
      if (scope == PropertyScope::subscribe && !p.subscription_identifiers.empty()) {
        r.fail(Errc::duplicate_property);
      }
      p.subscription_identifiers.push_back(value);
      return;
    }
    case PropertyId::session_expiry_interval:
      if (scope == PropertyScope::disconnect && sender == Sender::server) {
        r.fail(Errc::session_expiry_from_server);
      }
      return set_once(r, p.session_expiry_interval, r.u32());
    case PropertyId::assigned_client_identifier:
      return set_once(r, p.assigned_client_identifier, r.utf8());
    case PropertyId::server_keep_alive:
      return set_once(r, p.server_keep_alive, r.u16());
    case PropertyId::authentication_method:
      return set_once(r, p.authentication_method, r.utf8());
    case PropertyId::authentication_data:
      return set_once(r, p.authentication_data, r.binary());
    case PropertyId::request_problem_information:
      return set_flag(r, p.request_problem_information);
    case PropertyId::will_delay_interval:
      return set_once(r, p.will_delay_interval, r.u32());
    case PropertyId::request_response_information:
      return set_flag(r, p.request_response_information);
    case PropertyId::response_information:
      return set_once(r, p.response_information, r.utf8());
    case PropertyId::server_reference:
      return set_once(r, p.server_reference, r.utf8());
    case PropertyId::reason_string:
      return set_once(r, p.reason_string, r.utf8());
    case PropertyId::receive_maximum:
      return set_nonzero(r, p.receive_maximum, r.u16());
    case PropertyId::topic_alias_maximum:
      return set_once(r, p.topic_alias_maximum, r.u16());
    case PropertyId::topic_alias: {
      std::uint16_t alias = r.u16();
      if (!r.failed() && alias == 0) r.fail(Errc::topic_alias_zero);  // [MQTT-3.3.2-8]
      return set_once(r, p.topic_alias, alias);
    }
    case PropertyId::maximum_qos:
      return set_flag(r, p.maximum_qos);
    case PropertyId::retain_available:
      return set_flag(r, p.retain_available);
    case PropertyId::user_property: {
      std::string name = r.utf8();
      std::string value = r.utf8();
      p.user_properties.push_back({std::move(name), std::move(value)});
      return;
    }
    case PropertyId::maximum_packet_size:
      return set_nonzero(r, p.maximum_packet_size, r.u32());
    case PropertyId::wildcard_subscription_available:
      return set_flag(r, p.wildcard_subscription_available);
    case PropertyId::subscription_identifier_available:
      return set_flag(r, p.subscription_identifier_available);
    case PropertyId::shared_subscription_available:
      return set_flag(r, p.shared_subscription_available);
  }
}

template <class W>
void put_u8(W& w, PropertyId id, const std::optional<std::uint8_t>& v) {
  if (!v) return;
  w.u8(static_cast<std::uint8_t>(id));
  w.u8(*v);
}
template <class W>
void put_u16(W& w, PropertyId id, const std::optional<std::uint16_t>& v) {
  if (!v) return;
  w.u8(static_cast<std::uint8_t>(id));
  w.u16(*v);
}
template <class W>
void put_u32(W& w, PropertyId id, const std::optional<std::uint32_t>& v) {
  if (!v) return;
  w.u8(static_cast<std::uint8_t>(id));
  w.u32(*v);
}
// UTF-8 strings and Binary Data have the same layout.
template <class W>
void put_string(W& w, PropertyId id, const std::optional<std::string>& v) {
  if (!v) return;
  w.u8(static_cast<std::uint8_t>(id));
  w.binary(*v);
}

// The properties in identifier order, without the Property Length.
template <class W>
void write_fields(W& w, const Properties& p, const PublishPropertyOverrides* o) {
  using enum PropertyId;
  put_u8(w, payload_format_indicator, p.payload_format_indicator);
  put_u32(w, message_expiry_interval, o ? o->message_expiry_interval : p.message_expiry_interval);
  put_string(w, content_type, p.content_type);
  put_string(w, response_topic, p.response_topic);
  put_string(w, correlation_data, p.correlation_data);
  std::span<const std::uint32_t> subscription_identifiers =
      o ? o->subscription_identifiers : std::span<const std::uint32_t>(p.subscription_identifiers);
  for (std::uint32_t id : subscription_identifiers) {
    w.u8(static_cast<std::uint8_t>(subscription_identifier));
    w.varint(id);
  }
  put_u32(w, session_expiry_interval, p.session_expiry_interval);
  put_string(w, assigned_client_identifier, p.assigned_client_identifier);
  put_u16(w, server_keep_alive, p.server_keep_alive);
  put_string(w, authentication_method, p.authentication_method);
  put_string(w, authentication_data, p.authentication_data);
  put_u8(w, request_problem_information, p.request_problem_information);
  put_u32(w, will_delay_interval, p.will_delay_interval);
  put_u8(w, request_response_information, p.request_response_information);
  put_string(w, response_information, p.response_information);
  put_string(w, server_reference, p.server_reference);
  put_string(w, reason_string, p.reason_string);
  put_u16(w, receive_maximum, p.receive_maximum);
  put_u16(w, topic_alias_maximum, p.topic_alias_maximum);
  put_u16(w, topic_alias, o ? o->topic_alias : p.topic_alias);
  put_u8(w, maximum_qos, p.maximum_qos);
  put_u8(w, retain_available, p.retain_available);
  for (const UserProperty& up : p.user_properties) {
    w.u8(static_cast<std::uint8_t>(user_property));
    w.utf8(up.name);
    w.utf8(up.value);
  }
  put_u32(w, maximum_packet_size, p.maximum_packet_size);
  put_u8(w, wildcard_subscription_available, p.wildcard_subscription_available);
  put_u8(w, subscription_identifier_available, p.subscription_identifier_available);
  put_u8(w, shared_subscription_available, p.shared_subscription_available);
}

template <class W>
void write_with_length(W& w, const Properties& p, const PublishPropertyOverrides* o = nullptr) {
  wire::SizeCounter counter;
  write_fields(counter, p, o);
  w.varint(static_cast<std::uint32_t>(counter.size()));
  write_fields(w, p, o);
}

}  // namespace

Properties read_properties(wire::Reader& reader, PropertyScope scope, Sender sender) {
  Properties properties;
  std::uint32_t length = reader.varint();
  wire::Reader r = reader.sub(length, Errc::property_length_invalid);
  while (!r.failed() && !r.at_end()) {
    std::uint8_t id = r.u8();  // a one-byte Variable Byte Integer: every identifier is < 128
    std::uint16_t scopes = allowed_scopes(id);
    if (scopes == 0) {
      r.fail(Errc::unknown_property);
    } else if ((scopes & bit(scope)) == 0) {
      r.fail(Errc::property_not_allowed);  // section 2.2.2.2: a Malformed Packet
    } else {
      read_one(r, id, scope, sender, properties);
    }
  }
  if (r.failed()) reader.fail(r.error());
  // Section 3.1.2.11.10 / 3.2.2.3.18 / 3.15.2.2.3: data without a method is a Protocol Error.
  if (properties.authentication_data && !properties.authentication_method) {
    reader.fail(Errc::auth_data_without_method);
  }
  return properties;
}

void write_properties(wire::SizeCounter& writer, const Properties& properties) {
  write_with_length(writer, properties);
}

void write_properties(wire::ByteWriter& writer, const Properties& properties) {
  write_with_length(writer, properties);
}

void write_properties(wire::SizeCounter& writer, const Properties& properties,
                      const PublishPropertyOverrides& overrides) {
  write_with_length(writer, properties, &overrides);
}

void write_properties(wire::ByteWriter& writer, const Properties& properties,
                      const PublishPropertyOverrides& overrides) {
  write_with_length(writer, properties, &overrides);
}

}  // namespace tern::mqtt
