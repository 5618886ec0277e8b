// -D/--property (tools/common/property_args.h): names, the packets each property may travel in
// (MQTT 5.0 table 2-4), value ranges per type (MQTT 5.0 §1.5), and the checks libmosquitto makes
// before connecting.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/property_args.h"

namespace tern::tools {
namespace {

using Args = std::vector<std::string>;
using mqtt::PropertyId;

// Parses one -D (args start at COMMAND); the error, or "" when accepted.
std::string parse_one(PropertyArgs& props, const Args& args, std::size_t* end = nullptr) {
  std::size_t index = 0;
  std::optional<std::string> error = props.parse(args, index);
  if (end != nullptr) *end = index;
  return error.value_or("");
}

std::string parse_one(const Args& args) {
  PropertyArgs props;
  return parse_one(props, args);
}

TEST(PropertyArgs, ReadsEachTypeAndLeavesTheIndexOnTheLastWord) {
  PropertyArgs props;
  std::size_t end = 0;
  EXPECT_EQ(parse_one(props, {"publish", "message-expiry-interval", "4294967295", "next"}, &end),
            "");
  EXPECT_EQ(end, 2u);
  EXPECT_EQ(parse_one(props, {"publish", "user-property", "k", "v", "next"}, &end), "");
  EXPECT_EQ(end, 3u);
  EXPECT_EQ(parse_one(props, {"publish", "payload-format-indicator", "1"}), "");
  EXPECT_EQ(parse_one(props, {"publish", "topic-alias", "65535"}), "");
  EXPECT_EQ(parse_one(props, {"publish", "correlation-data", std::string("\x01\xff", 2)}), "");
  EXPECT_EQ(parse_one(props, {"publish", "content-type", "text/plain"}), "");
  EXPECT_EQ(parse_one(props, {"subscribe", "subscription-identifier", "268435455"}), "");
  mqtt::Properties p = props.properties(PropertyCommand::publish);
  EXPECT_EQ(p.message_expiry_interval, 4294967295u);
  EXPECT_EQ(p.user_properties, (std::vector<mqtt::UserProperty>{{"k", "v"}}));
  EXPECT_EQ(p.payload_format_indicator, 1);
  EXPECT_EQ(p.topic_alias, 65535);
  EXPECT_EQ(p.correlation_data, std::string("\x01\xff", 2));
  EXPECT_EQ(p.content_type, "text/plain");
  EXPECT_EQ(props.properties(PropertyCommand::subscribe).subscription_identifiers,
            (std::vector<std::uint32_t>{268435455}));
  EXPECT_TRUE(props.has(PropertyCommand::publish, PropertyId::topic_alias));
  EXPECT_FALSE(props.has(PropertyCommand::connect, PropertyId::topic_alias));
  EXPECT_EQ(props.check_all(), std::nullopt);
}

TEST(PropertyArgs, NamesAreCaseInsensitive) {
  PropertyArgs props;
  EXPECT_EQ(parse_one(props, {"CONNECT", "Receive-Maximum", "5"}), "");
  EXPECT_EQ(props.properties(PropertyCommand::connect).receive_maximum, 5);
}

TEST(PropertyArgs, EveryCommandItsOwnList) {
  PropertyArgs props;
  EXPECT_EQ(parse_one(props, {"connect", "session-expiry-interval", "1"}), "");
  EXPECT_EQ(parse_one(props, {"connect", "request-problem-information", "0"}), "");
  EXPECT_EQ(parse_one(props, {"connect", "request-response-information", "1"}), "");
  EXPECT_EQ(parse_one(props, {"connect", "topic-alias-maximum", "10"}), "");
  EXPECT_EQ(parse_one(props, {"connect", "maximum-packet-size", "1000"}), "");
  EXPECT_EQ(parse_one(props, {"connect", "authentication-method", "m"}), "");
  EXPECT_EQ(parse_one(props, {"connect", "authentication-data", "d"}), "");
  EXPECT_EQ(parse_one(props, {"unsubscribe", "user-property", "a", "b"}), "");
  EXPECT_EQ(parse_one(props, {"disconnect", "reason-string", "bye"}), "");
  EXPECT_EQ(parse_one(props, {"disconnect", "server-reference", "other"}), "");
  EXPECT_EQ(parse_one(props, {"will", "will-delay-interval", "9"}), "");
  EXPECT_EQ(parse_one(props, {"will", "response-topic", "r"}), "");
  mqtt::Properties c = props.properties(PropertyCommand::connect);
  EXPECT_EQ(c.session_expiry_interval, 1u);
  EXPECT_EQ(c.request_problem_information, 0);
  EXPECT_EQ(c.request_response_information, 1);
  EXPECT_EQ(c.topic_alias_maximum, 10);
  EXPECT_EQ(c.maximum_packet_size, 1000u);
  EXPECT_EQ(c.authentication_method, "m");
  EXPECT_EQ(c.authentication_data, "d");
  EXPECT_EQ(props.properties(PropertyCommand::unsubscribe).user_properties.size(), 1u);
  EXPECT_EQ(props.properties(PropertyCommand::disconnect).reason_string, "bye");
  EXPECT_EQ(props.properties(PropertyCommand::disconnect).server_reference, "other");
  EXPECT_EQ(props.properties(PropertyCommand::will).will_delay_interval, 9u);
  EXPECT_EQ(props.properties(PropertyCommand::will).response_topic, "r");
  EXPECT_EQ(props.check_all(), std::nullopt);
}

TEST(PropertyArgs, NotEnoughWords) {
  const std::string error = "Error: --property argument given but not enough arguments specified.";
  EXPECT_EQ(parse_one({}), error);
  EXPECT_EQ(parse_one({"connect"}), error);
  EXPECT_EQ(parse_one({"connect", "receive-maximum"}), error);
  EXPECT_EQ(parse_one({"connect", "user-property", "key"}), error);
}

TEST(PropertyArgs, UnknownNames) {
  EXPECT_EQ(parse_one({"pub", "user-property", "a", "b"}),
            "Error: Invalid command given in --property argument.");
  EXPECT_EQ(parse_one({"pingreq", "reason-string", "x"}),
            "Error: Invalid command given in --property argument.");
  EXPECT_EQ(parse_one({"publish", "foo", "1"}),
            "Error: Invalid property name given in --property argument.");
}

TEST(PropertyArgs, PropertiesOutsideTheirPackets) {
  // MQTT 5.0 table 2-4, as libmosquitto encodes it.
  EXPECT_EQ(parse_one({"connect", "will-delay-interval", "1"}),
            "Error: will-delay-interval property not allowed for connect in --property argument.");
  EXPECT_EQ(parse_one({"connect", "subscription-identifier", "1"}),
            "Error: subscription-identifier property not allowed for connect in --property "
            "argument.");
  EXPECT_EQ(parse_one({"subscribe", "content-type", "x"}),
            "Error: content-type property not allowed for subscribe in --property argument.");
  EXPECT_EQ(parse_one({"connect", "content-type", "x"}),
            "Error: content-type property not allowed for connect in --property argument.");
  EXPECT_EQ(parse_one({"publish", "reason-string", "x"}),
            "Error: reason-string property not allowed for publish in --property argument.");
  EXPECT_EQ(parse_one({"will", "topic-alias", "1"}),
            "Error: topic-alias property not allowed for will in --property argument.");
  EXPECT_EQ(parse_one({"connack", "content-type", "x"}),
            "Error: content-type property not allowed for connack in --property argument.");
  // Allowed in the packet, but not something a client tool sends.
  EXPECT_EQ(parse_one({"publish", "subscription-identifier", "5"}),
            "Error: subscription-identifier property not supported for publish in --property "
            "argument.");
  EXPECT_EQ(parse_one({"auth", "authentication-method", "x"}),
            "Error: authentication-method property not supported for auth in --property "
            "argument.");
  EXPECT_EQ(parse_one({"puback", "reason-string", "x"}),
            "Error: reason-string property not supported for puback in --property argument.");
  EXPECT_EQ(parse_one({"pubcomp", "reason-string", "x"}),
            "Error: reason-string property not supported for pubcomp in --property argument.");
  EXPECT_EQ(parse_one({"connack", "maximum-qos", "1"}),
            "Error: maximum-qos property not supported for connack in --property argument.");
}

TEST(PropertyArgs, ValueRanges) {
  // Byte (MQTT 5.0 §1.5.1), Two and Four Byte Integers (§1.5.2, §1.5.3), read with atol.
  EXPECT_EQ(parse_one({"publish", "payload-format-indicator", "256"}),
            "Error: Property value (256) out of range for property payload-format-indicator.");
  EXPECT_EQ(parse_one({"connect", "request-problem-information", "-1"}),
            "Error: Property value (-1) out of range for property request-problem-information.");
  EXPECT_EQ(parse_one({"connect", "receive-maximum", "65536"}),
            "Error: Property value (65536) out of range for property receive-maximum.");
  EXPECT_EQ(parse_one({"connect", "session-expiry-interval", "4294967296"}),
            "Error: Property value (4294967296) out of range for property "
            "session-expiry-interval.");
  EXPECT_EQ(parse_one({"connect", "session-expiry-interval", "99999999999999999999"}),
            "Error: Property value (9223372036854775807) out of range for property "
            "session-expiry-interval.");
  EXPECT_EQ(parse_one({"subscribe", "subscription-identifier", "-1"}),
            "Error: Property value (-1) out of range for property subscription-identifier.");
  // Variable Byte Integer (§1.5.5): at most 268,435,455.
  EXPECT_EQ(parse_one({"subscribe", "subscription-identifier", "268435456"}),
            "Error adding property subscription-identifier 4");
  // Binary Data and UTF-8 strings (§1.5.6, §1.5.4).
  EXPECT_EQ(parse_one({"publish", "correlation-data", std::string(65536, 'a')}),
            "Error: Property value too long for property correlation-data.");
  EXPECT_EQ(parse_one({"publish", "content-type", std::string(65536, 'a')}),
            "Error adding property content-type 6");
  EXPECT_EQ(parse_one({"publish", "content-type", "\xff"}), "Error adding property content-type 6");
  EXPECT_EQ(parse_one({"publish", "response-topic", "a\x01"}),
            "Error adding property response-topic 6");
  EXPECT_EQ(parse_one({"publish", "user-property", "\xff", "v"}),
            "Error adding property user-property 7");
  // Words that are not numbers are 0, and trailing junk is ignored (atol).
  PropertyArgs props;
  EXPECT_EQ(parse_one(props, {"publish", "payload-format-indicator", "abc"}), "");
  EXPECT_EQ(parse_one(props, {"publish", "message-expiry-interval", "12x"}), "");
  EXPECT_EQ(props.properties(PropertyCommand::publish).payload_format_indicator, 0);
  EXPECT_EQ(props.properties(PropertyCommand::publish).message_expiry_interval, 12u);
  // libmosquitto checks only the name of a user property; empty strings are fine.
  EXPECT_EQ(parse_one({"publish", "user-property", "k", "\xff"}), "");
  EXPECT_EQ(parse_one({"publish", "user-property", "", ""}), "");
  EXPECT_EQ(parse_one({"publish", "content-type", ""}), "");
}

TEST(PropertyArgs, CheckRefusesValuesAReceiverMustRefuse) {
  const std::string protocol =
      "A network protocol error occurred when communicating with the broker.";
  struct Case {
    Args args;
    std::string error;
  };
  std::vector<Case> cases = {
      // [MQTT-3.3.2-8]: Topic Alias 0 is not permitted.
      {{"publish", "topic-alias", "0"}, "Error in PUBLISH properties: " + protocol},
      // MQTT 5.0 §3.1.2.11.3: Receive Maximum 0 is a Protocol Error.
      {{"connect", "receive-maximum", "0"}, "Error in CONNECT properties: " + protocol},
      // §3.1.2.11.4: Maximum Packet Size 0 is a Protocol Error.
      {{"connect", "maximum-packet-size", "0"}, "Error in CONNECT properties: " + protocol},
      // §3.1.2.11.7: Request Problem Information other than 0 or 1.
      {{"connect", "request-problem-information", "2"}, "Error in CONNECT properties: " + protocol},
      // §3.3.2.3.2: Payload Format Indicator 0 or 1.
      {{"will", "payload-format-indicator", "2"}, "Error in Will properties: " + protocol},
  };
  for (const Case& c : cases) {
    PropertyArgs props;
    ASSERT_EQ(parse_one(props, c.args), "");
    EXPECT_EQ(props.check_all(), c.error) << testing::PrintToString(c.args);
  }
}

TEST(PropertyArgs, CheckRefusesRepeats) {
  // MQTT 5.0 §2.2.2.2: a property other than User Property may appear once.
  PropertyArgs props;
  ASSERT_EQ(parse_one(props, {"publish", "content-type", "x"}), "");
  ASSERT_EQ(parse_one(props, {"publish", "user-property", "a", "1"}), "");
  ASSERT_EQ(parse_one(props, {"publish", "user-property", "a", "2"}), "");
  EXPECT_EQ(props.check_all(), std::nullopt);
  ASSERT_EQ(parse_one(props, {"publish", "content-type", "y"}), "");
  EXPECT_EQ(props.check(PropertyCommand::publish),
            "Error in PUBLISH properties: Duplicate property in property list");
  EXPECT_EQ(props.check(PropertyCommand::connect), std::nullopt);

  // The first bad property in the list decides the message.
  PropertyArgs first_invalid;
  ASSERT_EQ(parse_one(first_invalid, {"publish", "topic-alias", "0"}), "");
  ASSERT_EQ(parse_one(first_invalid, {"publish", "content-type", "x"}), "");
  ASSERT_EQ(parse_one(first_invalid, {"publish", "content-type", "y"}), "");
  EXPECT_EQ(first_invalid.check_all(),
            "Error in PUBLISH properties: A network protocol error occurred when communicating "
            "with the broker.");

  // A property added by the tool counts too (-x with -D connect session-expiry-interval).
  PropertyArgs added;
  ASSERT_EQ(parse_one(added, {"connect", "session-expiry-interval", "10"}), "");
  added.add(PropertyCommand::connect, {.id = PropertyId::session_expiry_interval, .number = 5});
  EXPECT_EQ(added.check_all(), "Error in CONNECT properties: Duplicate property in property list");
}

TEST(PropertyArgs, CheckAllGoesInMosquittoOrder) {
  PropertyArgs props;
  ASSERT_EQ(parse_one(props, {"will", "content-type", "a"}), "");
  ASSERT_EQ(parse_one(props, {"will", "content-type", "b"}), "");
  ASSERT_EQ(parse_one(props, {"disconnect", "reason-string", "a"}), "");
  ASSERT_EQ(parse_one(props, {"disconnect", "reason-string", "b"}), "");
  EXPECT_EQ(props.check_all(),
            "Error in DISCONNECT properties: Duplicate property in property list");
}

}  // namespace
}  // namespace tern::tools
