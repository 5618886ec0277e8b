// 23: MQTT 5.0 PUBLISH features (MQTT 5.0 section 3.3): Topic Aliases in both directions
// (3.3.2.3.4), Message Expiry Interval (3.3.2.3.3), the properties the broker forwards unchanged
// (Payload Format Indicator, Content Type, Response Topic, Correlation Data, User Properties)
// and Subscription Identifiers (3.3.4, 3.8.2.1.2).
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "v5_helpers.h"

namespace tern::blackbox {
namespace {

// ---- Helpers -----------------------------------------------------------------------------------

mqtt::Publish with_alias(std::string topic, std::string payload, std::uint16_t alias,
                         QoS qos = QoS::at_most_once) {
  // A QoS 1/2 PUBLISH needs a non-zero packet id [MQTT-2.2.1-3], or the codec's check fires first.
  std::uint16_t packet_id = qos == QoS::at_most_once ? 0 : 0x0A11;
  mqtt::Publish publish = make_publish(std::move(topic), std::move(payload), qos, packet_id);
  publish.properties.topic_alias = alias;
  return publish;
}

mqtt::Publish with_expiry(std::string topic, std::string payload, std::uint32_t seconds,
                          QoS qos = QoS::at_least_once, bool retain = false) {
  mqtt::Publish publish = make_publish(std::move(topic), std::move(payload), qos, 0, retain);
  publish.properties.message_expiry_interval = seconds;
  return publish;
}

std::vector<std::uint32_t> sorted(std::vector<std::uint32_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

// ---- Topic Alias: client to broker (3.3.2.3.4) ---------------------------------------------

// The CONNACK announces the Topic Alias Maximum the broker accepts (default 10, 3.2.2.3.8). A
// PUBLISH with a topic and an alias sets the mapping; a later PUBLISH with an empty topic and
// the alias stands for that topic [MQTT-3.3.2-12]. Subscribers get the full topic and no alias
// (their Topic Alias Maximum is 0) [MQTT-3.3.2-11].
TEST(V5Publish23, ClientTopicAliasSetsAndReusesMapping) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "alias-sub");
  subscribe_one(sub, "alias/#", QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  mqtt::Connack connack = connect_v5(pub, "alias-pub");
  EXPECT_EQ(connack.properties.topic_alias_maximum, std::optional<std::uint16_t>(10));

  publish_v5(pub, with_alias("alias/one", "first", 1, QoS::at_least_once));
  publish_v5(pub, with_alias("", "second", 1, QoS::at_least_once));
  publish_v5(pub, with_alias("", "third", 1));  // QoS 0 too
  for (std::string expected : {"first", "second", "third"}) {
    mqtt::Publish got = sub.receive_publish();
    EXPECT_EQ(got.payload, expected);
    EXPECT_EQ(got.topic, "alias/one");
    EXPECT_FALSE(got.properties.topic_alias) << "the subscriber allows no aliases";
  }
  sub.expect_nothing();
}

// A PUBLISH with a non-empty topic and an alias already in use replaces the mapping
// (3.3.2.3.4): later empty-topic PUBLISHes with that alias go to the new topic.
TEST(V5Publish23, ClientTopicAliasCanBeRemapped) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "remap-sub");
  subscribe_one(sub, "remap/#", QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "remap-pub");
  publish_v5(pub, with_alias("remap/a", "1", 3, QoS::at_least_once));
  publish_v5(pub, with_alias("", "2", 3, QoS::at_least_once));
  publish_v5(pub, with_alias("remap/b", "3", 3, QoS::at_least_once));
  publish_v5(pub, with_alias("", "4", 3, QoS::at_least_once));
  // A second alias does not disturb the first.
  publish_v5(pub, with_alias("remap/c", "5", 4, QoS::at_least_once));
  publish_v5(pub, with_alias("", "6", 3, QoS::at_least_once));
  publish_v5(pub, with_alias("", "7", 4, QoS::at_least_once));
  std::vector<std::pair<std::string, std::string>> expected{
      {"remap/a", "1"}, {"remap/a", "2"}, {"remap/b", "3"}, {"remap/b", "4"},
      {"remap/c", "5"}, {"remap/b", "6"}, {"remap/c", "7"}};
  for (const auto& [topic, payload] : expected) {
    mqtt::Publish got = sub.receive_publish();
    EXPECT_EQ(got.topic, topic);
    EXPECT_EQ(got.payload, payload);
  }
  sub.expect_nothing();
}

// Topic Alias mappings belong to one Network Connection [MQTT-3.3.2-7]: after a reconnect,
// even to the same session, an empty topic with the old alias has no mapping: a Protocol Error
// (3.3.4: a zero-length Topic Name without a mapping), DISCONNECT 0x82.
TEST(V5Publish23, ClientTopicAliasDoesNotOutliveTheConnection) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "reconnect-alias-sub");
  subscribe_one(sub, "ra/#", QoS::at_least_once);
  {
    RawClient pub(broker, Version::v5);
    connect_v5(pub, "reconnect-alias-pub", session_expiry(60));
    publish_v5(pub, with_alias("ra/t", "before", 1, QoS::at_least_once));
    pub.disconnect();
  }
  EXPECT_EQ(sub.receive_publish().payload, "before");
  RawClient pub(broker, Version::v5);
  EXPECT_TRUE(connect_v5(pub, "reconnect-alias-pub", session_expiry(60), false).session_present);
  pub.send(with_alias("", "after", 1, QoS::at_least_once));
  EXPECT_EQ(expect_disconnect(pub, kPropertiesUnchecked).reason_code,
            mqtt::ReasonCode::protocol_error);
  sub.expect_nothing();
}

// Topic Alias 0 is not permitted [MQTT-3.3.2-8]: the broker sends DISCONNECT 0x94 Topic Alias
// invalid and closes (3.3.2.3.4); the message goes nowhere.
TEST(V5Publish23, ClientTopicAliasZeroIsInvalid) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "alias0-sub");
  subscribe_one(sub, "alias0/#", QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "alias0-pub");
  pub.send(with_alias("alias0/t", "zero", 0, QoS::at_least_once));
  EXPECT_EQ(expect_disconnect(pub, kPropertiesUnchecked).reason_code,
            mqtt::ReasonCode::topic_alias_invalid);
  sub.expect_nothing();
}

// An alias above the Topic Alias Maximum of the CONNACK (max_topic_alias 3) is invalid
// (3.3.2.3.4, [MQTT-3.2.2-17] for the client): DISCONNECT 0x94. Every alias up to the maximum
// is accepted [MQTT-3.3.2-12].
TEST(V5Publish23, ClientTopicAliasAboveMaximumIsInvalid) {
  BrokerProcess broker("max_topic_alias 3");
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "alias-max-sub");
  subscribe_one(sub, "amax/#", QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  mqtt::Connack connack = connect_v5(pub, "alias-max-pub");
  EXPECT_EQ(connack.properties.topic_alias_maximum, std::optional<std::uint16_t>(3));
  for (std::uint16_t alias = 1; alias <= 3; ++alias) {
    publish_v5(pub, with_alias("amax/" + std::to_string(alias), "ok", alias, QoS::at_least_once));
  }
  for (std::uint16_t alias = 1; alias <= 3; ++alias) {
    EXPECT_EQ(sub.receive_publish().topic, "amax/" + std::to_string(alias));
  }
  pub.send(with_alias("amax/4", "too high", 4, QoS::at_least_once));
  EXPECT_EQ(expect_disconnect(pub, kPropertiesUnchecked).reason_code,
            mqtt::ReasonCode::topic_alias_invalid);
  sub.expect_nothing();
}

// With the default maximum (10), alias 10 is accepted and alias 11 is not.
TEST(V5Publish23, ClientTopicAliasDefaultMaximumIsTen) {
  BrokerProcess broker;
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "alias-ten");
  publish_v5(pub, with_alias("ten/t", "ok", 10, QoS::at_least_once));
  publish_v5(pub, with_alias("", "ok again", 10, QoS::at_least_once));
  pub.send(with_alias("ten/u", "eleven", 11, QoS::at_least_once));
  EXPECT_EQ(expect_disconnect(pub, kPropertiesUnchecked).reason_code,
            mqtt::ReasonCode::topic_alias_invalid);
}

// An empty Topic Name with an alias that was never mapped is a Protocol Error (3.3.2.3.4,
// 3.3.4): DISCONNECT 0x82.
TEST(V5Publish23, UnknownTopicAliasWithEmptyTopicIsProtocolError) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "unknown-alias-sub");
  subscribe_one(sub, "#", QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "unknown-alias-pub");
  publish_v5(pub, with_alias("ua/t", "mapped", 1, QoS::at_least_once));
  EXPECT_EQ(sub.receive_publish().payload, "mapped");
  pub.send(with_alias("", "unmapped", 2, QoS::at_least_once));
  EXPECT_EQ(expect_disconnect(pub, kPropertiesUnchecked).reason_code,
            mqtt::ReasonCode::protocol_error);
  sub.expect_nothing();
}

// max_topic_alias 0: the CONNACK carries no Topic Alias Maximum (absent means 0, 3.2.2.3.8),
// and any alias is invalid: DISCONNECT 0x94.
TEST(V5Publish23, MaxTopicAliasZeroRefusesAliases) {
  BrokerProcess broker("max_topic_alias 0");
  RawClient pub(broker, Version::v5);
  mqtt::Connack connack = connect_v5(pub, "no-alias");
  EXPECT_FALSE(connack.properties.topic_alias_maximum.has_value())
      << *connack.properties.topic_alias_maximum;
  publish_v5(pub, make_publish("plain/t", "plain topics still work", QoS::at_least_once));
  pub.send(with_alias("plain/t", "aliased", 1, QoS::at_least_once));
  EXPECT_EQ(expect_disconnect(pub, kPropertiesUnchecked).reason_code,
            mqtt::ReasonCode::topic_alias_invalid);
}

// ---- Topic Alias: broker to client ----------------------------------------------------------

// Receives `count` PUBLISHes, acknowledging them; returns them with the topic each stands for,
// resolving aliases as a client must [MQTT-3.3.2-10]. Fails on an alias above `maximum`
// [MQTT-3.3.2-11] or an empty topic whose alias was never mapped.
struct Received {
  mqtt::Publish publish;
  std::string resolved_topic;
};
std::vector<Received> receive_resolving(RawClient& client, int count, std::uint16_t maximum,
                                        std::map<std::uint16_t, std::string>& aliases) {
  std::vector<Received> received;
  for (int i = 0; i < count; ++i) {
    mqtt::Publish got = client.receive_publish();
    std::string topic = got.topic;
    if (auto alias = got.properties.topic_alias) {
      EXPECT_GE(*alias, 1) << "[MQTT-3.3.2-8]";
      EXPECT_LE(*alias, maximum) << "[MQTT-3.3.2-11]";
      if (topic.empty()) {
        auto it = aliases.find(*alias);
        if (it == aliases.end()) {
          ADD_FAILURE() << "empty topic with unmapped alias " << *alias;
        } else {
          topic = it->second;
        }
      } else {
        aliases[*alias] = topic;
      }
    } else {
      EXPECT_FALSE(topic.empty()) << "an empty topic needs an alias";
    }
    received.push_back({std::move(got), std::move(topic)});
  }
  return received;
}

// The client's Topic Alias Maximum 2 lets the broker use aliases 1 and 2 towards it: the first
// PUBLISH on a topic carries the topic and an alias, later ones an empty topic and that alias;
// a third topic, with no alias left, goes out as a plain topic every time (Tern's allocation:
// aliases are not re-assigned).
TEST(V5Publish23, BrokerUsesTopicAliasesTowardsTheClient) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "outgoing-alias", topic_alias_maximum(2));
  subscribe_one(sub, "oa/#", QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "outgoing-alias-pub");
  std::vector<std::string> topics{"oa/one",   "oa/one",   "oa/two", "oa/two",
                                  "oa/three", "oa/three", "oa/one", "oa/two"};
  for (std::size_t i = 0; i < topics.size(); ++i) {
    publish_v5(pub, make_publish(topics[i], std::to_string(i), QoS::at_least_once));
  }
  std::map<std::uint16_t, std::string> aliases;
  auto received = receive_resolving(sub, static_cast<int>(topics.size()), 2, aliases);
  ASSERT_EQ(received.size(), topics.size());
  for (std::size_t i = 0; i < topics.size(); ++i) {
    SCOPED_TRACE("message " + std::to_string(i) + " on " + topics[i]);
    EXPECT_EQ(received[i].resolved_topic, topics[i]);
    EXPECT_EQ(received[i].publish.payload, std::to_string(i));
  }
  // First on a topic: topic and alias; again: empty topic and the same alias.
  const mqtt::Publish& one_first = received[0].publish;
  const mqtt::Publish& one_again = received[1].publish;
  const mqtt::Publish& two_first = received[2].publish;
  const mqtt::Publish& two_again = received[3].publish;
  ASSERT_TRUE(one_first.properties.topic_alias);
  ASSERT_TRUE(two_first.properties.topic_alias);
  EXPECT_EQ(one_first.topic, "oa/one");
  EXPECT_EQ(one_again.topic, "");
  EXPECT_EQ(one_again.properties.topic_alias, one_first.properties.topic_alias);
  EXPECT_EQ(two_first.topic, "oa/two");
  EXPECT_EQ(two_again.topic, "");
  EXPECT_EQ(two_again.properties.topic_alias, two_first.properties.topic_alias);
  EXPECT_NE(*one_first.properties.topic_alias, *two_first.properties.topic_alias);
  // No alias left for the third topic: plain, twice.
  for (std::size_t i : {4u, 5u}) {
    EXPECT_EQ(received[i].publish.topic, "oa/three");
    EXPECT_FALSE(received[i].publish.properties.topic_alias);
  }
  // The first two topics keep their aliases.
  EXPECT_EQ(received[6].publish.topic, "");
  EXPECT_EQ(received[6].publish.properties.topic_alias, one_first.properties.topic_alias);
  EXPECT_EQ(received[7].publish.topic, "");
  EXPECT_EQ(received[7].publish.properties.topic_alias, two_first.properties.topic_alias);
}

// A client that sent no Topic Alias Maximum (0) gets no alias at all [MQTT-3.1.2-27], even for
// messages its publisher sent with aliases, and even on a topic repeated many times.
TEST(V5Publish23, BrokerSendsNoTopicAliasWhenTheClientAllowsNone) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "no-outgoing-alias");
  subscribe_one(sub, "noa/#", QoS::at_least_once);
  RawClient zero(broker, Version::v5);
  connect_v5(zero, "zero-outgoing-alias", topic_alias_maximum(0));
  subscribe_one(zero, "noa/#", QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "no-outgoing-alias-pub");
  publish_v5(pub, with_alias("noa/t", "0", 1, QoS::at_least_once));
  for (int i = 1; i < 5; ++i) {
    publish_v5(pub, with_alias("", std::to_string(i), 1, QoS::at_least_once));
  }
  for (RawClient* client : {&sub, &zero}) {
    for (int i = 0; i < 5; ++i) {
      mqtt::Publish got = client->receive_publish();
      EXPECT_EQ(got.topic, "noa/t");
      EXPECT_EQ(got.payload, std::to_string(i));
      EXPECT_FALSE(got.properties.topic_alias);
    }
  }
}

// max_topic_alias_broker 1 caps the aliases the broker uses below the client's maximum (5):
// only the first topic gets an alias.
TEST(V5Publish23, MaxTopicAliasBrokerCapsOutgoingAliases) {
  BrokerProcess broker("max_topic_alias_broker 1");
  ASSERT_TRUE(broker.running());
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "capped-alias", topic_alias_maximum(5));
  subscribe_one(sub, "cap/#", QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "capped-alias-pub");
  for (std::string topic : {"cap/a", "cap/b", "cap/a", "cap/b"}) {
    publish_v5(pub, make_publish(topic, topic, QoS::at_least_once));
  }
  std::map<std::uint16_t, std::string> aliases;
  auto received = receive_resolving(sub, 4, 1, aliases);
  ASSERT_EQ(received.size(), 4u);
  EXPECT_EQ(received[0].publish.topic, "cap/a");
  EXPECT_EQ(received[0].publish.properties.topic_alias, std::optional<std::uint16_t>(1));
  EXPECT_EQ(received[1].publish.topic, "cap/b");
  EXPECT_FALSE(received[1].publish.properties.topic_alias);
  EXPECT_EQ(received[2].publish.topic, "");
  EXPECT_EQ(received[2].publish.properties.topic_alias, std::optional<std::uint16_t>(1));
  EXPECT_EQ(received[3].publish.topic, "cap/b");
  EXPECT_FALSE(received[3].publish.properties.topic_alias);
  for (const Received& r : received)
    EXPECT_EQ(r.resolved_topic, r.publish.payload);
}

// The broker's aliases towards a client belong to one connection too [MQTT-3.3.2-7]: after a
// reconnect to the same session, the first PUBLISH on a topic carries the topic again.
TEST(V5Publish23, BrokerTopicAliasesStartAfreshOnReconnect) {
  BrokerProcess broker;
  mqtt::Properties properties = topic_alias_maximum(4);
  properties.session_expiry_interval = 60;
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "fresh-alias-pub");
  {
    RawClient sub(broker, Version::v5);
    connect_v5(sub, "fresh-alias", properties);
    subscribe_one(sub, "fresh/#", QoS::at_least_once);
    publish_v5(pub, make_publish("fresh/t", "1", QoS::at_least_once));
    publish_v5(pub, make_publish("fresh/t", "2", QoS::at_least_once));
    std::map<std::uint16_t, std::string> aliases;
    auto received = receive_resolving(sub, 2, 4, aliases);
    ASSERT_EQ(received.size(), 2u);
    EXPECT_EQ(received[1].publish.topic, "") << "the second uses the alias";
    sub.disconnect();
  }
  RawClient sub(broker, Version::v5);
  EXPECT_TRUE(connect_v5(sub, "fresh-alias", properties, false).session_present);
  publish_v5(pub, make_publish("fresh/t", "3", QoS::at_least_once));
  mqtt::Publish got = sub.receive_publish();
  EXPECT_EQ(got.topic, "fresh/t");
  EXPECT_EQ(got.payload, "3");
}

// ---- Message Expiry Interval (3.3.2.3.3) ----------------------------------------------------

// A message queued for an offline session whose Message Expiry Interval passes before the
// client returns is deleted, not delivered [MQTT-3.3.2-5]; a message without expiry queued at
// the same time is delivered.
TEST(V5Publish23, ExpiredQueuedMessageIsNotDelivered) {
  BrokerProcess broker;
  {
    RawClient sub(broker, Version::v5);
    connect_v5(sub, "expiry-sub", session_expiry(60));
    subscribe_one(sub, "exp/#", QoS::at_least_once);
    sub.disconnect();
  }
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "expiry-pub");
  publish_v5(pub, with_expiry("exp/t", "short-lived", 1));
  publish_v5(pub, make_publish("exp/t", "no expiry", QoS::at_least_once));
  publish_v5(pub, with_expiry("exp/t", "long-lived", 60));
  std::this_thread::sleep_for(2200ms);

  RawClient sub(broker, Version::v5);
  EXPECT_TRUE(connect_v5(sub, "expiry-sub", session_expiry(60), false).session_present);
  mqtt::Publish first = sub.receive_publish();
  EXPECT_EQ(first.payload, "no expiry");
  EXPECT_FALSE(first.properties.message_expiry_interval);
  mqtt::Publish second = sub.receive_publish();
  EXPECT_EQ(second.payload, "long-lived");
  sub.expect_nothing();
}

// The PUBLISH to a subscriber carries the received interval minus the time the message waited
// in the broker [MQTT-3.3.2-6]: never more than the original; after two seconds queued, at most
// the original minus one (whatever the rounding).
TEST(V5Publish23, MessageExpiryIntervalIsForwardedAsRemainingTime) {
  BrokerProcess broker;
  RawClient online(broker, Version::v5);
  connect_v5(online, "remaining-online");
  subscribe_one(online, "rem/#", QoS::at_least_once);
  {
    RawClient sub(broker, Version::v5);
    connect_v5(sub, "remaining-offline", session_expiry(60));
    subscribe_one(sub, "rem/#", QoS::at_least_once);
    sub.disconnect();
  }
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "remaining-pub");
  publish_v5(pub, with_expiry("rem/t", "ten seconds", 10));

  mqtt::Publish now = online.receive_publish();
  ASSERT_TRUE(now.properties.message_expiry_interval);
  EXPECT_LE(*now.properties.message_expiry_interval, 10u);
  EXPECT_GE(*now.properties.message_expiry_interval, 8u);

  std::this_thread::sleep_for(2100ms);
  RawClient sub(broker, Version::v5);
  EXPECT_TRUE(connect_v5(sub, "remaining-offline", session_expiry(60), false).session_present);
  mqtt::Publish later = sub.receive_publish();
  EXPECT_EQ(later.payload, "ten seconds");
  ASSERT_TRUE(later.properties.message_expiry_interval);
  EXPECT_LE(*later.properties.message_expiry_interval, 9u);
  EXPECT_GE(*later.properties.message_expiry_interval, 1u);
}

// A retained message whose Message Expiry Interval has passed is no longer sent on subscribe
// (3.3.2.3.3: "the Server MUST delete the copy"); before that it is, with its remaining
// interval, while a retained message without expiry on another topic lasts.
TEST(V5Publish23, ExpiredRetainedMessageIsNotSentOnSubscribe) {
  BrokerProcess broker;
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "retained-expiry-pub");
  publish_v5(pub, with_expiry("rexp/short", "short", 1, QoS::at_least_once, true));
  publish_v5(pub, make_publish("rexp/forever", "forever", QoS::at_least_once, 0, true));
  {
    RawClient early(broker, Version::v5);
    connect_v5(early, "retained-expiry-early");
    subscribe_one(early, "rexp/short", QoS::at_least_once);
    mqtt::Publish got = early.receive_publish();
    EXPECT_EQ(got.payload, "short");
    EXPECT_TRUE(got.retain);
    ASSERT_TRUE(got.properties.message_expiry_interval);
    EXPECT_LE(*got.properties.message_expiry_interval, 1u);
  }
  std::this_thread::sleep_for(2200ms);
  RawClient late(broker, Version::v5);
  connect_v5(late, "retained-expiry-late");
  subscribe_one(late, "rexp/#", QoS::at_least_once);
  mqtt::Publish got = late.receive_publish();
  EXPECT_EQ(got.payload, "forever");
  EXPECT_TRUE(got.retain);
  late.expect_nothing();
}

// ---- Properties forwarded unchanged -----------------------------------------------------------

mqtt::Publish with_all_properties(std::string topic, QoS qos, bool retain = false) {
  mqtt::Publish publish = make_publish(std::move(topic), "{\"temperature\": 21.5}", qos, 0, retain);
  publish.properties.payload_format_indicator = 1;
  publish.properties.content_type = "application/json; charset=utf-8";
  publish.properties.response_topic = "replies/for/me";
  publish.properties.correlation_data = std::string("\x00\x01\xFFid-42", 7);
  publish.properties.user_properties = {{"b", "2"}, {"a", "1"}, {"b", "2"},
                                        {"b", "3"}, {"", ""},   {"unicode", "\xC3\xA9t\xC3\xA9"}};
  return publish;
}

void expect_same_properties(const mqtt::Publish& got, const mqtt::Publish& sent) {
  EXPECT_EQ(got.payload, sent.payload);
  EXPECT_EQ(got.properties.payload_format_indicator, sent.properties.payload_format_indicator)
      << "[MQTT-3.3.2-4]";
  EXPECT_EQ(got.properties.content_type, sent.properties.content_type) << "[MQTT-3.3.2-20]";
  EXPECT_EQ(got.properties.response_topic, sent.properties.response_topic) << "[MQTT-3.3.2-15]";
  EXPECT_EQ(got.properties.correlation_data, sent.properties.correlation_data) << "[MQTT-3.3.2-16]";
  EXPECT_EQ(got.properties.user_properties, sent.properties.user_properties)
      << "[MQTT-3.3.2-17] all of them, [MQTT-3.3.2-18] in order, duplicates kept";
}

// The broker forwards Payload Format Indicator [MQTT-3.3.2-4], Content Type [MQTT-3.3.2-20],
// Response Topic [MQTT-3.3.2-15], Correlation Data [MQTT-3.3.2-16] and every User Property in
// order, duplicates included [MQTT-3.3.2-17] [MQTT-3.3.2-18], at QoS 0, 1 and 2.
TEST(V5Publish23, PublicationPropertiesAreForwardedUnchanged) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "props-sub");
  subscribe_one(sub, "props/#", QoS::exactly_once);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "props-pub");
  for (int qos = 0; qos <= 2; ++qos) {
    SCOPED_TRACE("QoS " + std::to_string(qos));
    mqtt::Publish sent = with_all_properties("props/t", static_cast<QoS>(qos));
    publish_v5(pub, sent);
    mqtt::Publish got = sub.receive_publish();
    EXPECT_EQ(got.qos, static_cast<QoS>(qos));
    expect_same_properties(got, sent);
    EXPECT_FALSE(got.properties.message_expiry_interval) << "none was set";
  }
}

// A retained message keeps its properties: a later subscriber gets them with it.
TEST(V5Publish23, RetainedMessageKeepsItsProperties) {
  BrokerProcess broker;
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "retained-props-pub");
  mqtt::Publish sent = with_all_properties("rprops/t", QoS::at_least_once, true);
  publish_v5(pub, sent);
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "retained-props-sub");
  subscribe_one(sub, "rprops/t", QoS::at_least_once);
  mqtt::Publish got = sub.receive_publish();
  EXPECT_TRUE(got.retain);
  expect_same_properties(got, sent);
}

// ---- Subscription Identifiers (3.8.2.1.2, 3.3.4) --------------------------------------------

// A subscription made with a Subscription Identifier: matching messages carry it
// [MQTT-3.3.4-3].
TEST(V5Publish23, SubscriptionIdentifierIsSent) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "subid-one");
  subscribe_one(sub, "sid/#", QoS::at_least_once, 7);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "subid-one-pub");
  publish_v5(pub, make_publish("sid/t", "with id", QoS::at_least_once));
  publish_v5(pub, make_publish("sid/u", "qos 0 too"));
  for (std::string expected : {"with id", "qos 0 too"}) {
    mqtt::Publish got = sub.receive_publish();
    EXPECT_EQ(got.payload, expected);
    EXPECT_EQ(got.properties.subscription_identifiers, (std::vector<std::uint32_t>{7}));
  }
}

// Overlapping subscriptions of one session: Tern sends one PUBLISH carrying the identifiers of
// every matching subscription that has one [MQTT-3.3.4-3] [MQTT-3.3.4-4] (order not
// significant); a matching subscription without an identifier adds none; the largest
// identifier (268,435,455) passes intact.
TEST(V5Publish23, OverlappingSubscriptionsSendEveryIdentifierInOnePublish) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "subid-overlap");
  subscribe_one(sub, "ov/#", QoS::at_least_once, 1);
  subscribe_one(sub, "ov/+", QoS::at_least_once, 268435455);
  subscribe_one(sub, "ov/t", QoS::at_least_once);
  subscribe_one(sub, "+/t", QoS::at_least_once, 300);
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "subid-overlap-pub");
  publish_v5(pub, make_publish("ov/t", "all four match", QoS::at_least_once));
  publish_v5(pub, make_publish("ov/u", "two match", QoS::at_least_once));
  mqtt::Publish first = sub.receive_publish();
  EXPECT_EQ(first.payload, "all four match");
  EXPECT_EQ(sorted(first.properties.subscription_identifiers),
            (std::vector<std::uint32_t>{1, 300, 268435455}));
  mqtt::Publish second = sub.receive_publish();
  EXPECT_EQ(second.payload, "two match") << "one PUBLISH per message for the session";
  EXPECT_EQ(sorted(second.properties.subscription_identifiers),
            (std::vector<std::uint32_t>{1, 268435455}));
  sub.expect_nothing();
}

// A subscription made without an identifier: the PUBLISH carries none.
TEST(V5Publish23, NoSubscriptionIdentifierWhenSubscribedWithoutOne) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "subid-none");
  subscribe_one(sub, "nosid/#", QoS::at_least_once);
  RawClient other(broker, Version::v5);
  connect_v5(other, "subid-other");
  subscribe_one(other, "nosid/#", QoS::at_least_once, 9);  // another session's id stays there
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "subid-none-pub");
  publish_v5(pub, make_publish("nosid/t", "plain", QoS::at_least_once));
  mqtt::Publish got = sub.receive_publish();
  EXPECT_EQ(got.payload, "plain");
  EXPECT_TRUE(got.properties.subscription_identifiers.empty());
  EXPECT_EQ(other.receive_publish().properties.subscription_identifiers,
            (std::vector<std::uint32_t>{9}));
}

// Subscribing again to the same filter replaces the subscription [MQTT-3.8.4-3], its
// Subscription Identifier included (3.8.2.1.2): a new identifier replaces the old, and a
// SUBSCRIBE without one removes it.
TEST(V5Publish23, ResubscribingUpdatesTheSubscriptionIdentifier) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "subid-update");
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "subid-update-pub");
  subscribe_one(sub, "upd/t", QoS::at_least_once, 5);
  publish_v5(pub, make_publish("upd/t", "five", QoS::at_least_once));
  EXPECT_EQ(sub.receive_publish().properties.subscription_identifiers,
            (std::vector<std::uint32_t>{5}));
  subscribe_one(sub, "upd/t", QoS::at_least_once, 6);
  publish_v5(pub, make_publish("upd/t", "six", QoS::at_least_once));
  mqtt::Publish six = sub.receive_publish();
  EXPECT_EQ(six.payload, "six");
  EXPECT_EQ(six.properties.subscription_identifiers, (std::vector<std::uint32_t>{6}));
  subscribe_one(sub, "upd/t", QoS::at_least_once);
  publish_v5(pub, make_publish("upd/t", "none", QoS::at_least_once));
  mqtt::Publish none = sub.receive_publish();
  EXPECT_EQ(none.payload, "none");
  EXPECT_TRUE(none.properties.subscription_identifiers.empty());
  sub.expect_nothing();
}

// Retained messages sent because of a SUBSCRIBE carry that subscription's identifier (3.3.4:
// the identifiers of the matching subscriptions go with every PUBLISH they cause).
TEST(V5Publish23, RetainedMessageOnSubscribeCarriesTheIdentifier) {
  BrokerProcess broker;
  RawClient pub(broker, Version::v5);
  connect_v5(pub, "subid-retained-pub");
  publish_v5(pub, make_publish("sret/t", "kept", QoS::at_least_once, 0, true));
  RawClient sub(broker, Version::v5);
  connect_v5(sub, "subid-retained");
  subscribe_one(sub, "sret/#", QoS::at_least_once, 42);
  mqtt::Publish got = sub.receive_publish();
  EXPECT_EQ(got.payload, "kept");
  EXPECT_TRUE(got.retain);
  EXPECT_EQ(got.properties.subscription_identifiers, (std::vector<std::uint32_t>{42}));
}

}  // namespace
}  // namespace tern::blackbox
