#include "v5_helpers.h"

#include <chrono>
#include <cstdio>
#include <utility>
#include <variant>

namespace tern::blackbox {

using mqtt::ReasonCode;

std::string code(ReasonCode reason) {
  char number[8];
  std::snprintf(number, sizeof number, "0x%02X ", static_cast<unsigned>(reason));
  return number + std::string(mqtt::to_string(reason));
}

std::vector<std::string> codes(const std::vector<ReasonCode>& reasons) {
  std::vector<std::string> text;
  for (ReasonCode reason : reasons)
    text.push_back(code(reason));
  return text;
}

namespace {

// Properties with the one member `field` set to `value`.
template <auto field, class T>
mqtt::Properties with(T value) {
  mqtt::Properties properties;
  properties.*field = value;
  return properties;
}

}  // namespace

mqtt::Properties session_expiry(std::optional<std::uint32_t> seconds) {
  return with<&mqtt::Properties::session_expiry_interval>(seconds);
}
mqtt::Properties receive_maximum(std::uint16_t maximum) {
  return with<&mqtt::Properties::receive_maximum>(maximum);
}
mqtt::Properties maximum_packet_size(std::uint32_t size) {
  return with<&mqtt::Properties::maximum_packet_size>(size);
}
mqtt::Properties topic_alias_maximum(std::uint16_t maximum) {
  return with<&mqtt::Properties::topic_alias_maximum>(maximum);
}
mqtt::Properties no_problem_information() {
  return with<&mqtt::Properties::request_problem_information>(std::uint8_t{0});
}

mqtt::Connect v5_connect(std::string client_id, mqtt::Properties properties, bool clean_start,
                         std::uint16_t keep_alive) {
  mqtt::Connect connect = make_connect(std::move(client_id), clean_start, keep_alive, Version::v5);
  connect.properties = std::move(properties);
  return connect;
}

mqtt::Connack connect_v5(RawClient& client, std::string client_id, mqtt::Properties properties,
                         bool clean_start, std::uint16_t keep_alive) {
  std::string id = client_id;
  mqtt::Connack connack = client.connect(
      v5_connect(std::move(client_id), std::move(properties), clean_start, keep_alive));
  EXPECT_EQ(code(connack.reason_code), code(ReasonCode::success))
      << id << ": " << describe(connack);
  return connack;
}

mqtt::Subscription option(std::string filter, QoS qos) {
  mqtt::Subscription subscription;
  subscription.filter = std::move(filter);
  subscription.max_qos = qos;
  return subscription;
}

mqtt::Suback subscribe_v5(RawClient& client, std::vector<mqtt::Subscription> subscriptions,
                          std::optional<std::uint32_t> subscription_id, std::uint16_t packet_id) {
  mqtt::Subscribe subscribe;
  subscribe.packet_id = packet_id != 0 ? packet_id : client.next_id();
  subscribe.subscriptions = std::move(subscriptions);
  if (subscription_id) subscribe.properties.subscription_identifiers.push_back(*subscription_id);
  client.send(subscribe);
  auto suback = client.expect<mqtt::Suback>();
  EXPECT_EQ(suback.packet_id, subscribe.packet_id) << "[MQTT-3.8.4-2]";
  return suback;
}

void subscribe_one(RawClient& client, mqtt::Subscription subscription,
                   std::optional<std::uint32_t> subscription_id) {
  auto granted = static_cast<ReasonCode>(subscription.max_qos);
  std::string filter = subscription.filter;
  auto suback = subscribe_v5(client, {std::move(subscription)}, subscription_id);
  EXPECT_EQ(codes(suback.reason_codes), std::vector<std::string>{code(granted)}) << filter;
}

void subscribe_one(RawClient& client, std::string filter, QoS qos,
                   std::optional<std::uint32_t> subscription_id) {
  subscribe_one(client, option(std::move(filter), qos), subscription_id);
}

mqtt::Unsuback unsubscribe_v5(RawClient& client, std::vector<std::string> filters) {
  mqtt::Unsubscribe unsubscribe;
  unsubscribe.packet_id = client.next_id();
  unsubscribe.filters = std::move(filters);
  client.send(unsubscribe);
  auto unsuback = client.expect<mqtt::Unsuback>();
  EXPECT_EQ(unsuback.packet_id, unsubscribe.packet_id) << "[MQTT-3.11.2-1]";
  return unsuback;
}

void publish_v5(RawClient& client, mqtt::Publish publish, AckReason reason) {
  if (publish.qos != QoS::at_most_once) publish.packet_id = client.next_id();
  client.send(publish);
  const bool must_succeed = reason == AckReason::success;
  if (publish.qos == QoS::at_least_once) {
    auto puback = client.expect<mqtt::Puback>();
    EXPECT_EQ(puback.packet_id, publish.packet_id);
    if (must_succeed) {
      EXPECT_LT(static_cast<int>(puback.reason_code), 0x80) << "PUBACK " << describe(puback);
    }
  } else if (publish.qos == QoS::exactly_once) {
    auto pubrec = client.expect<mqtt::Pubrec>();
    EXPECT_EQ(pubrec.packet_id, publish.packet_id);
    if (must_succeed) {
      EXPECT_LT(static_cast<int>(pubrec.reason_code), 0x80) << "PUBREC " << describe(pubrec);
    }
    client.send(make_ack<mqtt::Pubrel>(publish.packet_id));
    EXPECT_EQ(client.expect<mqtt::Pubcomp>().packet_id, publish.packet_id);
  }
}

mqtt::Disconnect expect_disconnect(RawClient& client, DisconnectCheck check) {
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + check.timeout;
  while (true) {
    auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
    auto packet = client.receive(left > Millis(0) ? left : Millis(0));
    if (!packet) {
      ADD_FAILURE() << "expected DISCONNECT, "
                    << (client.closed() ? "the broker closed the connection without one"
                                        : "nothing came");
      return {};
    }
    if (auto* disconnect = std::get_if<mqtt::Disconnect>(&*packet)) {
      mqtt::Disconnect result = std::move(*disconnect);
      EXPECT_TRUE(client.expect_closed()) << "[MQTT-3.14.4-2] the DISCONNECT is followed by a "
                                             "close";
      if (check.no_session_expiry) {
        EXPECT_FALSE(result.properties.session_expiry_interval)
            << "[MQTT-3.14.2-2] a server DISCONNECT carries no Session Expiry Interval";
      }
      return result;
    }
    if (!check.skip_publishes || !std::holds_alternative<mqtt::Publish>(*packet)) {
      ADD_FAILURE() << "expected DISCONNECT, got " << describe(*packet);
      return {};
    }
  }
}

mqtt::Disconnect expect_disconnect(RawClient& client, ReasonCode reason, DisconnectCheck check) {
  mqtt::Disconnect disconnect = expect_disconnect(client, check);
  EXPECT_EQ(code(disconnect.reason_code), code(reason));
  return disconnect;
}

}  // namespace tern::blackbox
