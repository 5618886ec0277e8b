// MQTT 5.0 steps shared by the black-box tests 20_ to 29_, on top of harness.h: CONNECT with
// properties, SUBSCRIBE with options and Subscription Identifiers, PUBLISH through its whole QoS
// flow with acknowledgements checked, the DISCONNECT a broker sends before it closes, and reason
// codes as readable text.
//
// Each step fails the test (gtest EXPECT/ADD_FAILURE) when the broker does not answer as the spec
// says, and returns what it received so the test can check more. Where the test files checked a
// step differently, the difference is a parameter (DisconnectCheck, AckReason), so each test keeps
// its own assertions. Free functions on caller-owned RawClients; not thread-safe, like RawClient.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness.h"
#include "mqtt/packets.h"
#include "mqtt/properties.h"
#include "mqtt/reason_code.h"

namespace tern::blackbox {

// "0x8E Session taken over": a reason code readable in failure messages, compared as text.
std::string code(mqtt::ReasonCode reason);
std::vector<std::string> codes(const std::vector<mqtt::ReasonCode>& reasons);

// ---- CONNECT --------------------------------------------------------------------------------

// CONNECT properties with one property set (none for session_expiry(std::nullopt)).
mqtt::Properties session_expiry(std::optional<std::uint32_t> seconds);
mqtt::Properties receive_maximum(std::uint16_t maximum);
mqtt::Properties maximum_packet_size(std::uint32_t size);
mqtt::Properties topic_alias_maximum(std::uint16_t maximum);
// Request Problem Information 0 [MQTT-3.1.2-29].
mqtt::Properties no_problem_information();

// A v5 CONNECT with `properties`: the caller may add more.
mqtt::Connect v5_connect(std::string client_id, mqtt::Properties properties = {},
                         bool clean_start = true, std::uint16_t keep_alive = 60);
// The same CONNECT, which the CONNACK must accept; returns the CONNACK.
mqtt::Connack connect_v5(RawClient& client, std::string client_id, mqtt::Properties properties = {},
                         bool clean_start = true, std::uint16_t keep_alive = 60);

// ---- SUBSCRIBE and UNSUBSCRIBE --------------------------------------------------------------

// A subscription to `filter` at `qos` with the default options; the caller may change them.
mqtt::Subscription option(std::string filter, QoS qos);
// SUBSCRIBE with `packet_id` (the client's next one when 0) and an optional Subscription
// Identifier; returns the SUBACK, whose packet id must match [MQTT-3.8.4-2].
mqtt::Suback subscribe_v5(RawClient& client, std::vector<mqtt::Subscription> subscriptions,
                          std::optional<std::uint32_t> subscription_id = std::nullopt,
                          std::uint16_t packet_id = 0);
// One subscription that must be granted its QoS [MQTT-3.8.4-7].
void subscribe_one(RawClient& client, mqtt::Subscription subscription,
                   std::optional<std::uint32_t> subscription_id = std::nullopt);
void subscribe_one(RawClient& client, std::string filter, QoS qos,
                   std::optional<std::uint32_t> subscription_id = std::nullopt);
// UNSUBSCRIBE; returns the UNSUBACK, whose packet id must match [MQTT-3.11.2-1].
mqtt::Unsuback unsubscribe_v5(RawClient& client, std::vector<std::string> filters);

// ---- PUBLISH --------------------------------------------------------------------------------

// What publish_v5 requires of the PUBACK or PUBREC besides its packet id.
enum class AckReason {
  success,  // a Reason Code below 0x80 (success, or 0x10 No matching subscribers)
  any,      // not looked at
};

// PUBLISH `publish` (the client's next packet id for QoS 1 and 2) and complete its QoS flow as
// the sender. The client must subscribe to nothing the publish matches: the next packets are
// the acknowledgements.
void publish_v5(RawClient& client, mqtt::Publish publish, AckReason reason = AckReason::success);

// Sends a PUBLISH and returns the broker's first answer, which must be an acknowledgement of
// type Ack for its packet id.
template <class Ack>
Ack publish_and_expect(RawClient& client, const std::string& topic, std::string payload, QoS qos,
                       std::uint16_t packet_id) {
  client.send(make_publish(topic, std::move(payload), qos, packet_id));
  Ack ack = client.expect<Ack>();
  EXPECT_EQ(ack.packet_id, packet_id);
  return ack;
}

// ---- The broker's DISCONNECT ----------------------------------------------------------------

// How expect_disconnect checks the broker's DISCONNECT besides the close that must follow it
// ([MQTT-3.14.4-1] [MQTT-3.14.4-2], section 4.13.2).
struct DisconnectCheck {
  Millis timeout = kWait;  // for the DISCONNECT to come
  // [MQTT-3.14.2-2]: a server's DISCONNECT carries no Session Expiry Interval.
  bool no_session_expiry = true;
  // PUBLISHes that come first are skipped instead of failing the test.
  bool skip_publishes = false;
};

// The DISCONNECT and the close only: for tests whose subject is elsewhere (the DISCONNECT's
// properties are 27_v5_disconnect_test's).
inline constexpr DisconnectCheck kPropertiesUnchecked{.no_session_expiry = false};

// The broker ends the connection with a DISCONNECT, which is returned, and then closes it.
mqtt::Disconnect expect_disconnect(RawClient& client, DisconnectCheck check = {});
// ... with Reason Code `reason` [MQTT-3.14.2-1].
mqtt::Disconnect expect_disconnect(RawClient& client, mqtt::ReasonCode reason,
                                   DisconnectCheck check = {});

}  // namespace tern::blackbox
