// -D parsing and checking. The tables follow libmosquitto 2.0: property names and types
// (mosquitto_string_to_property_info), which packet may carry which property
// (mosquitto_property_check_command, after MQTT 5.0 table 2-4) and the value checks of
// mosquitto_property_check_all.
#include "common/property_args.h"

#include <strings.h>

#include <algorithm>

#include "common/mosquitto_compat.h"
#include "mqtt/types.h"

namespace tern::tools {

namespace {

using mqtt::PropertyId;

// libmosquitto's MQTT_PROP_TYPE_* numbers: mosquitto prints them in "Error adding property".
enum class Type : int {
  byte = 1,
  int16 = 2,
  int32 = 3,
  varint = 4,
  binary = 5,
  string = 6,
  pair = 7
};

struct PropertyInfo {
  const char* name;
  PropertyId id;
  Type type;
};

constexpr PropertyInfo kProperties[] = {
    {"payload-format-indicator", PropertyId::payload_format_indicator, Type::byte},
    {"message-expiry-interval", PropertyId::message_expiry_interval, Type::int32},
    {"content-type", PropertyId::content_type, Type::string},
    {"response-topic", PropertyId::response_topic, Type::string},
    {"correlation-data", PropertyId::correlation_data, Type::binary},
    {"subscription-identifier", PropertyId::subscription_identifier, Type::varint},
    {"session-expiry-interval", PropertyId::session_expiry_interval, Type::int32},
    {"assigned-client-identifier", PropertyId::assigned_client_identifier, Type::string},
    {"server-keep-alive", PropertyId::server_keep_alive, Type::int16},
    {"authentication-method", PropertyId::authentication_method, Type::string},
    {"authentication-data", PropertyId::authentication_data, Type::binary},
    {"request-problem-information", PropertyId::request_problem_information, Type::byte},
    {"will-delay-interval", PropertyId::will_delay_interval, Type::int32},
    {"request-response-information", PropertyId::request_response_information, Type::byte},
    {"response-information", PropertyId::response_information, Type::string},
    {"server-reference", PropertyId::server_reference, Type::string},
    {"reason-string", PropertyId::reason_string, Type::string},
    {"receive-maximum", PropertyId::receive_maximum, Type::int16},
    {"topic-alias-maximum", PropertyId::topic_alias_maximum, Type::int16},
    {"topic-alias", PropertyId::topic_alias, Type::int16},
    {"maximum-qos", PropertyId::maximum_qos, Type::byte},
    {"retain-available", PropertyId::retain_available, Type::byte},
    {"user-property", PropertyId::user_property, Type::pair},
    {"maximum-packet-size", PropertyId::maximum_packet_size, Type::int32},
    {"wildcard-subscription-available", PropertyId::wildcard_subscription_available, Type::byte},
    {"subscription-identifier-available", PropertyId::subscription_identifier_available,
     Type::byte},
    {"shared-subscription-available", PropertyId::shared_subscription_available, Type::byte},
};

// Every packet name mosquitto knows, and the will; only some may be given properties.
enum class Packet : std::uint8_t {
  connect,
  connack,
  publish,
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
  will,
};

constexpr std::pair<const char*, Packet> kPackets[] = {
    {"connect", Packet::connect},   {"connack", Packet::connack},
    {"publish", Packet::publish},   {"puback", Packet::puback},
    {"pubrec", Packet::pubrec},     {"pubrel", Packet::pubrel},
    {"pubcomp", Packet::pubcomp},   {"subscribe", Packet::subscribe},
    {"suback", Packet::suback},     {"unsubscribe", Packet::unsubscribe},
    {"unsuback", Packet::unsuback}, {"disconnect", Packet::disconnect},
    {"auth", Packet::auth},         {"will", Packet::will},
};

Packet packet_of(PropertyCommand command) {
  switch (command) {
    case PropertyCommand::connect:
      return Packet::connect;
    case PropertyCommand::publish:
      return Packet::publish;
    case PropertyCommand::subscribe:
      return Packet::subscribe;
    case PropertyCommand::unsubscribe:
      return Packet::unsubscribe;
    case PropertyCommand::disconnect:
      return Packet::disconnect;
    case PropertyCommand::will:
      return Packet::will;
  }
  return Packet::connect;
}

// Whether `id` may be sent in `packet` (MQTT 5.0 table 2-4, as libmosquitto encodes it).
bool allowed_in(Packet packet, PropertyId id) {
  auto in = [packet](std::initializer_list<Packet> packets) {
    return std::find(packets.begin(), packets.end(), packet) != packets.end();
  };
  switch (id) {
    case PropertyId::payload_format_indicator:
    case PropertyId::message_expiry_interval:
    case PropertyId::content_type:
    case PropertyId::response_topic:
    case PropertyId::correlation_data:
      return in({Packet::publish, Packet::will});
    case PropertyId::subscription_identifier:
      return in({Packet::publish, Packet::subscribe});
    case PropertyId::session_expiry_interval:
      return in({Packet::connect, Packet::connack, Packet::disconnect});
    case PropertyId::authentication_method:
    case PropertyId::authentication_data:
      return in({Packet::connect, Packet::connack, Packet::auth});
    case PropertyId::assigned_client_identifier:
    case PropertyId::server_keep_alive:
    case PropertyId::response_information:
    case PropertyId::maximum_qos:
    case PropertyId::retain_available:
    case PropertyId::wildcard_subscription_available:
    case PropertyId::subscription_identifier_available:
    case PropertyId::shared_subscription_available:
      return packet == Packet::connack;
    case PropertyId::will_delay_interval:
      return packet == Packet::will;
    case PropertyId::request_problem_information:
    case PropertyId::request_response_information:
      return packet == Packet::connect;
    case PropertyId::server_reference:
      return in({Packet::connack, Packet::disconnect});
    case PropertyId::reason_string:
      return !in({Packet::connect, Packet::publish, Packet::subscribe, Packet::unsubscribe});
    case PropertyId::receive_maximum:
    case PropertyId::topic_alias_maximum:
    case PropertyId::maximum_packet_size:
      return in({Packet::connect, Packet::connack});
    case PropertyId::topic_alias:
      return packet == Packet::publish;
    case PropertyId::user_property:
      return true;
  }
  return false;
}

const PropertyInfo* find_property(const std::string& name) {
  for (const PropertyInfo& info : kProperties) {
    if (strcasecmp(info.name, name.c_str()) == 0) return &info;
  }
  return nullptr;
}

std::optional<Packet> find_packet(const std::string& name) {
  for (const auto& [packet_name, packet] : kPackets) {
    if (strcasecmp(packet_name, name.c_str()) == 0) return packet;
  }
  return std::nullopt;
}

std::string out_of_range(long value, const std::string& name) {
  return "Error: Property value (" + std::to_string(value) + ") out of range for property " + name +
         ".";
}

std::string adding_failed(const std::string& name, Type type) {
  return "Error adding property " + name + " " + std::to_string(static_cast<int>(type));
}

bool is_flag_byte(PropertyId id) {
  switch (id) {
    case PropertyId::request_problem_information:
    case PropertyId::payload_format_indicator:
    case PropertyId::request_response_information:
    case PropertyId::maximum_qos:
    case PropertyId::retain_available:
    case PropertyId::wildcard_subscription_available:
    case PropertyId::subscription_identifier_available:
    case PropertyId::shared_subscription_available:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::optional<std::string> PropertyArgs::parse(std::span<const std::string> args,
                                               std::size_t& index) {
  const std::string kNotEnough =
      "Error: --property argument given but not enough arguments specified.";
  if (index + 2 >= args.size()) return kNotEnough;
  const std::string& command_name = args[index];
  const std::string& property_name = args[index + 1];
  std::optional<Packet> packet = find_packet(command_name);
  if (!packet) return "Error: Invalid command given in --property argument.";
  const PropertyInfo* info = find_property(property_name);
  if (info == nullptr) return "Error: Invalid property name given in --property argument.";
  if (!allowed_in(*packet, info->id)) {
    return "Error: " + property_name + " property not allowed for " + command_name +
           " in --property argument.";
  }

  PropertyArg arg{.id = info->id};
  std::string value;
  if (info->id == PropertyId::user_property) {
    if (index + 3 >= args.size()) return kNotEnough;
    arg.key = args[index + 2];
    value = args[index + 3];
    index += 3;
  } else {
    value = args[index + 2];
    index += 2;
  }

  const std::string not_supported = "Error: " + property_name + " property not supported for " +
                                    command_name + " in --property argument.";
  PropertyCommand command;
  switch (*packet) {
    case Packet::connect:
      command = PropertyCommand::connect;
      break;
    case Packet::publish:
      if (info->id == PropertyId::subscription_identifier) return not_supported;
      command = PropertyCommand::publish;
      break;
    case Packet::subscribe:
      command = PropertyCommand::subscribe;
      break;
    case Packet::unsubscribe:
      command = PropertyCommand::unsubscribe;
      break;
    case Packet::disconnect:
      command = PropertyCommand::disconnect;
      break;
    case Packet::will:
      command = PropertyCommand::will;
      break;
    default:
      // CONNACK, AUTH and the acknowledgements are sent by nobody here. (mosquitto prints no
      // line for CONNACK; we name the problem.)
      return not_supported;
  }

  auto in_range = [&](long low, long high) -> std::optional<std::string> {
    long number = c_atol(value);
    if (number < low || number > high) return out_of_range(number, property_name);
    arg.number = static_cast<std::uint32_t>(number);
    return std::nullopt;
  };
  std::optional<std::string> error;
  switch (info->type) {
    case Type::byte:
      error = in_range(0, 255);
      break;
    case Type::int16:
      error = in_range(0, 65535);
      break;
    case Type::int32:
      error = in_range(0, 4294967295L);
      break;
    case Type::varint:
      error = in_range(0, 4294967295L);
      if (!error && arg.number > mqtt::kMaxVarint) error = adding_failed(property_name, info->type);
      break;
    case Type::binary:
      if (value.size() > 65535) {
        error = "Error: Property value too long for property " + property_name + ".";
      }
      arg.value = value;
      break;
    case Type::string:
      if (value.size() > 65535 || !mosquitto_utf8_ok(value)) {
        error = adding_failed(property_name, info->type);
      }
      arg.value = value;
      break;
    case Type::pair:
      // libmosquitto checks the name only (it validates the value with length 0).
      if (arg.key.size() > 65535 || !mosquitto_utf8_ok(arg.key)) {
        error = adding_failed(property_name, info->type);
      }
      arg.value = value;
      break;
  }
  if (error) return error;
  add(command, std::move(arg));
  return std::nullopt;
}

void PropertyArgs::add(PropertyCommand command, PropertyArg arg) {
  lists_[static_cast<std::size_t>(command)].push_back(std::move(arg));
}

std::optional<std::string> PropertyArgs::check(PropertyCommand command) const {
  static constexpr const char* kLabels[] = {"CONNECT",     "PUBLISH",    "SUBSCRIBE",
                                            "UNSUBSCRIBE", "DISCONNECT", "Will"};
  const std::string prefix =
      std::string("Error in ") + kLabels[static_cast<std::size_t>(command)] + " properties: ";
  const std::vector<PropertyArg>& args = list(command);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const PropertyArg& arg = args[i];
    bool invalid = (is_flag_byte(arg.id) && arg.number > 1) ||
                   (arg.id == PropertyId::maximum_packet_size && arg.number == 0) ||
                   ((arg.id == PropertyId::receive_maximum || arg.id == PropertyId::topic_alias) &&
                    arg.number == 0);
    if (invalid || !allowed_in(packet_of(command), arg.id)) {
      return prefix + "A network protocol error occurred when communicating with the broker.";
    }
    if (arg.id != PropertyId::user_property) {
      for (std::size_t j = i + 1; j < args.size(); ++j) {
        if (args[j].id == arg.id) return prefix + "Duplicate property in property list";
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> PropertyArgs::check_all() const {
  for (PropertyCommand command :
       {PropertyCommand::connect, PropertyCommand::publish, PropertyCommand::subscribe,
        PropertyCommand::unsubscribe, PropertyCommand::disconnect, PropertyCommand::will}) {
    if (auto error = check(command)) return error;
  }
  return std::nullopt;
}

bool PropertyArgs::has(PropertyCommand command, mqtt::PropertyId id) const {
  const std::vector<PropertyArg>& args = list(command);
  return std::any_of(args.begin(), args.end(), [id](const PropertyArg& a) { return a.id == id; });
}

mqtt::Properties PropertyArgs::properties(PropertyCommand command) const {
  mqtt::Properties p;
  for (const PropertyArg& a : list(command)) {
    auto u8 = static_cast<std::uint8_t>(a.number);
    auto u16 = static_cast<std::uint16_t>(a.number);
    switch (a.id) {
      case PropertyId::payload_format_indicator:
        p.payload_format_indicator = u8;
        break;
      case PropertyId::message_expiry_interval:
        p.message_expiry_interval = a.number;
        break;
      case PropertyId::content_type:
        p.content_type = a.value;
        break;
      case PropertyId::response_topic:
        p.response_topic = a.value;
        break;
      case PropertyId::correlation_data:
        p.correlation_data = a.value;
        break;
      case PropertyId::subscription_identifier:
        p.subscription_identifiers.push_back(a.number);
        break;
      case PropertyId::session_expiry_interval:
        p.session_expiry_interval = a.number;
        break;
      case PropertyId::assigned_client_identifier:
        p.assigned_client_identifier = a.value;
        break;
      case PropertyId::server_keep_alive:
        p.server_keep_alive = u16;
        break;
      case PropertyId::authentication_method:
        p.authentication_method = a.value;
        break;
      case PropertyId::authentication_data:
        p.authentication_data = a.value;
        break;
      case PropertyId::request_problem_information:
        p.request_problem_information = u8;
        break;
      case PropertyId::will_delay_interval:
        p.will_delay_interval = a.number;
        break;
      case PropertyId::request_response_information:
        p.request_response_information = u8;
        break;
      case PropertyId::response_information:
        p.response_information = a.value;
        break;
      case PropertyId::server_reference:
        p.server_reference = a.value;
        break;
      case PropertyId::reason_string:
        p.reason_string = a.value;
        break;
      case PropertyId::receive_maximum:
        p.receive_maximum = u16;
        break;
      case PropertyId::topic_alias_maximum:
        p.topic_alias_maximum = u16;
        break;
      case PropertyId::topic_alias:
        p.topic_alias = u16;
        break;
      case PropertyId::maximum_qos:
        p.maximum_qos = u8;
        break;
      case PropertyId::retain_available:
        p.retain_available = u8;
        break;
      case PropertyId::user_property:
        p.user_properties.push_back({a.key, a.value});
        break;
      case PropertyId::maximum_packet_size:
        p.maximum_packet_size = a.number;
        break;
      case PropertyId::wildcard_subscription_available:
        p.wildcard_subscription_available = u8;
        break;
      case PropertyId::subscription_identifier_available:
        p.subscription_identifier_available = u8;
        break;
      case PropertyId::shared_subscription_available:
        p.shared_subscription_available = u8;
        break;
    }
  }
  return p;
}

}  // namespace tern::tools
