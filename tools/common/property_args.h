// MQTT 5.0 properties given on the command line with -D/--property, mosquitto's syntax:
//   -D COMMAND NAME VALUE           e.g. -D publish message-expiry-interval 60
//   -D COMMAND user-property KEY VALUE
// COMMAND is connect, publish, subscribe, unsubscribe, disconnect or will (case-insensitive;
// mosquitto knows the other packet names too and refuses them); NAME is the property's name in
// MQTT 5.0 section 2.2.2.2 written in lower case with dashes.
//
// PropertyArgs keeps, per command, the properties in the order given, because that order
// decides which error mosquitto reports when several are wrong. parse() checks what mosquitto
// checks while reading the arguments (the name exists, the property may be sent in that packet
// (MQTT 5.0 table 2-4), the value fits its type); check() what libmosquitto checks before
// connecting (values a receiver must refuse, and repeats of a property that may appear once).
// A plain value type; not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mqtt/properties.h"

namespace tern::tools {

enum class PropertyCommand : std::uint8_t {
  connect,
  publish,
  subscribe,
  unsubscribe,
  disconnect,
  will
};

struct PropertyArg {
  mqtt::PropertyId id = mqtt::PropertyId::user_property;
  std::uint32_t number = 0;  // Byte, Two/Four Byte Integer and Variable Byte Integer properties
  std::string key = {};      // User Property name
  std::string value = {};    // strings, binary data, User Property value
};

class PropertyArgs {
 public:
  // Reads the words after -D: args[index] is COMMAND. On success `index` is left on the last
  // word used and nullopt is returned; otherwise the one-line error (which may be empty where
  // mosquitto prints none).
  std::optional<std::string> parse(std::span<const std::string> args, std::size_t& index);

  // Appends a property the tool adds itself (-x's Session Expiry Interval, tern_rr's Response
  // Topic); it goes through check() like the others.
  void add(PropertyCommand command, PropertyArg arg);

  // libmosquitto's mosquitto_property_check_all for one command: nullopt, or the error line
  // ("Error in PUBLISH properties: Duplicate property in property list").
  std::optional<std::string> check(PropertyCommand command) const;
  // check() for every command in mosquitto's order (connect, publish, subscribe, unsubscribe,
  // disconnect, will); the first error.
  std::optional<std::string> check_all() const;

  bool has(PropertyCommand command, mqtt::PropertyId id) const;
  const std::vector<PropertyArg>& list(PropertyCommand command) const {
    return lists_[static_cast<std::size_t>(command)];
  }
  // The properties of one command as the codec's value type.
  mqtt::Properties properties(PropertyCommand command) const;

 private:
  std::array<std::vector<PropertyArg>, 6> lists_;
};

}  // namespace tern::tools
