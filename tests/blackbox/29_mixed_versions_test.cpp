// 29: clients of different protocol versions on one broker (MQTT 3.1, 3.1.1 and 5.0): messages,
// retained messages and wills cross versions; an MQTT 3.1/3.1.1 receiver gets a plain PUBLISH
// without the 5.0 properties (MQTT 3.1.1 section 3.3.2 has no property field), an MQTT 5.0
// receiver of a 3.1/3.1.1 message gets none; the QoS is the minimum of the message's and the
// subscription's [MQTT-3.8.4-8] (3.1.1: [MQTT-3.8.4-6]).
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "v5_helpers.h"

namespace tern::blackbox {
namespace {

using mqtt::ReasonCode;

std::string name(Version version) {
  return std::string(mqtt::to_string(version));
}

// Every property a PUBLISH from a client may carry, except a Topic Alias.
mqtt::Properties rich_properties() {
  mqtt::Properties properties;
  properties.payload_format_indicator = 1;
  properties.message_expiry_interval = 3600;
  properties.content_type = "text/plain";
  properties.response_topic = "mixed/reply";
  properties.correlation_data = std::string("\x01\x02\x00\x03", 4);
  properties.user_properties = {{"key", "value"}, {"key", "again"}, {"other", ""}};
  return properties;
}

mqtt::Publish rich_publish(std::string topic, std::string payload, QoS qos, bool retain = false) {
  mqtt::Publish publish = make_publish(std::move(topic), std::move(payload), qos, 0, retain);
  publish.properties = rich_properties();
  return publish;
}

// ---- Older versions to MQTT 5.0 ---------------------------------------------------------------

// An MQTT 3.1 or 3.1.1 publisher reaches an MQTT 5.0 subscriber at QoS 0, 1 and 2: same topic
// and payload, the QoS of the message, RETAIN 0, and no properties.
TEST(V5Mixed29, OlderPublisherToV5SubscriberAtEachQos) {
  BrokerProcess broker;
  RawClient sub(broker, Version::v5);
  sub.connect_ok("mixed-v5-sub");
  sub.subscribe("up/#", QoS::exactly_once);
  for (Version version : {Version::v3_1, Version::v3_1_1}) {
    SCOPED_TRACE(name(version));
    RawClient pub(broker, version);
    pub.connect_ok("mixed-old-pub");
    for (int qos = 0; qos <= 2; ++qos) {
      SCOPED_TRACE("QoS " + std::to_string(qos));
      std::string payload = name(version) + " at " + std::to_string(qos);
      pub.publish("up/t", payload, static_cast<QoS>(qos));
      mqtt::Publish got = sub.receive_publish();
      EXPECT_EQ(got.topic, "up/t");
      EXPECT_EQ(got.payload, payload);
      EXPECT_EQ(got.qos, static_cast<QoS>(qos));
      EXPECT_FALSE(got.retain);
      EXPECT_TRUE(got.properties.empty()) << "properties out of nowhere";
    }
    pub.disconnect();
  }
  sub.expect_nothing();
}

// ---- MQTT 5.0 to older versions ---------------------------------------------------------------

// An MQTT 5.0 publisher with every property reaches MQTT 3.1 and 3.1.1 subscribers as a plain
// PUBLISH in their version: the payload is exact (no property bytes in it), at each QoS. The
// MQTT 5.0 subscriber beside them gets the properties.
TEST(V5Mixed29, V5PublisherWithPropertiesToOlderSubscribers) {
  BrokerProcess broker;
  RawClient v311(broker);
  v311.connect_ok("mixed-311-sub");
  v311.subscribe("down/#", QoS::exactly_once);
  RawClient v31(broker, Version::v3_1);
  v31.connect_ok("mixed-31-sub");
  v31.subscribe("down/+", QoS::exactly_once);
  RawClient v5(broker, Version::v5);
  v5.connect_ok("mixed-5-sub");
  v5.subscribe("down/t", QoS::exactly_once);
  RawClient pub(broker, Version::v5);
  pub.connect_ok("mixed-5-pub");
  for (int qos = 0; qos <= 2; ++qos) {
    SCOPED_TRACE("QoS " + std::to_string(qos));
    std::string payload = "with properties at " + std::to_string(qos);
    publish_v5(pub, rich_publish("down/t", payload, static_cast<QoS>(qos)), AckReason::any);
    for (RawClient* old : {&v311, &v31}) {
      SCOPED_TRACE(name(old->version()));
      mqtt::Publish got = old->receive_publish();
      EXPECT_EQ(got.topic, "down/t");
      EXPECT_EQ(got.payload, payload);
      EXPECT_EQ(got.qos, static_cast<QoS>(qos));
      EXPECT_FALSE(got.retain);
    }
    mqtt::Publish got = v5.receive_publish();
    EXPECT_EQ(got.payload, payload);
    mqtt::Properties expected = rich_properties();
    ASSERT_TRUE(got.properties.message_expiry_interval);
    EXPECT_LE(*got.properties.message_expiry_interval, 3600u);
    expected.message_expiry_interval = got.properties.message_expiry_interval;
    EXPECT_EQ(got.properties, expected) << "MQTT 5.0 properties lost on the way";
  }
  v311.expect_nothing();
  v31.expect_nothing();
  v5.expect_nothing();
}

// A 3.1.1 client's PINGREQ still works after it got a message with properties: the bytes it got
// framed exactly (a PUBLISH with a property field would have shifted them).
TEST(V5Mixed29, OlderSubscriberStaysInSyncAfterManyV5Messages) {
  BrokerProcess broker;
  RawClient old(broker);
  old.connect_ok("mixed-sync-sub");
  old.subscribe("sync/t", QoS::at_least_once);
  RawClient pub(broker, Version::v5);
  pub.connect_ok("mixed-sync-pub");
  for (int i = 0; i < 20; ++i)
    publish_v5(pub, rich_publish("sync/t", "n" + std::to_string(i), QoS::at_least_once),
               AckReason::any);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(old.receive_publish().payload, "n" + std::to_string(i));
  old.send(mqtt::Pingreq{});
  old.expect<mqtt::Pingresp>();
}

// ---- QoS across versions ----------------------------------------------------------------------

// [MQTT-3.8.4-8] (5.0) and [MQTT-3.8.4-6] (3.1.1): the delivered QoS is the minimum of the
// message's and the granted QoS, whichever side is MQTT 5.0.
TEST(V5Mixed29, QosIsTheMinimumAcrossVersions) {
  BrokerProcess broker;
  RawClient v5_at_1(broker, Version::v5);
  v5_at_1.connect_ok("min-v5-1");
  v5_at_1.subscribe("min/t", QoS::at_least_once);
  RawClient v311_at_0(broker);
  v311_at_0.connect_ok("min-311-0");
  v311_at_0.subscribe("min/t", QoS::at_most_once);
  RawClient v31_at_2(broker, Version::v3_1);
  v31_at_2.connect_ok("min-31-2");
  v31_at_2.subscribe("min/t", QoS::exactly_once);

  RawClient v311_pub(broker);
  v311_pub.connect_ok("min-311-pub");
  v311_pub.publish("min/t", "qos 2 from 3.1.1", QoS::exactly_once);
  EXPECT_EQ(v5_at_1.receive_publish().qos, QoS::at_least_once);
  EXPECT_EQ(v311_at_0.receive_publish().qos, QoS::at_most_once);
  EXPECT_EQ(v31_at_2.receive_publish().qos, QoS::exactly_once);

  RawClient v5_pub(broker, Version::v5);
  v5_pub.connect_ok("min-v5-pub");
  publish_v5(v5_pub, rich_publish("min/t", "qos 2 from 5.0", QoS::exactly_once), AckReason::any);
  EXPECT_EQ(v5_at_1.receive_publish().qos, QoS::at_least_once);
  EXPECT_EQ(v311_at_0.receive_publish().qos, QoS::at_most_once);
  EXPECT_EQ(v31_at_2.receive_publish().qos, QoS::exactly_once);

  publish_v5(v5_pub, rich_publish("min/t", "qos 1 from 5.0", QoS::at_least_once), AckReason::any);
  EXPECT_EQ(v5_at_1.receive_publish().qos, QoS::at_least_once);
  EXPECT_EQ(v311_at_0.receive_publish().qos, QoS::at_most_once);
  EXPECT_EQ(v31_at_2.receive_publish().qos, QoS::at_least_once);
}

// ---- Retained messages ------------------------------------------------------------------------

// A retained message from MQTT 5.0 with properties is sent to later MQTT 3.1 and 3.1.1
// subscribers as a plain retained PUBLISH (RETAIN 1), and to a later MQTT 5.0 subscriber with
// its properties.
TEST(V5Mixed29, V5RetainedMessageToOlderSubscribers) {
  BrokerProcess broker;
  {
    RawClient pub(broker, Version::v5);
    pub.connect_ok("ret-v5-pub");
    publish_v5(pub, rich_publish("ret5/t", "retained by 5.0", QoS::at_least_once, true),
               AckReason::any);
    pub.disconnect();
  }
  for (Version version : {Version::v3_1, Version::v3_1_1}) {
    SCOPED_TRACE(name(version));
    RawClient sub(broker, version);
    sub.connect_ok("ret-old-sub");
    sub.subscribe("ret5/#", QoS::at_least_once);
    mqtt::Publish got = sub.receive_publish();
    EXPECT_EQ(got.topic, "ret5/t");
    EXPECT_EQ(got.payload, "retained by 5.0");
    EXPECT_TRUE(got.retain);
    EXPECT_EQ(got.qos, QoS::at_least_once);
    sub.expect_nothing();
    sub.disconnect();
  }
  RawClient sub(broker, Version::v5);
  sub.connect_ok("ret-v5-sub");
  sub.subscribe("ret5/t", QoS::at_least_once);
  mqtt::Publish got = sub.receive_publish();
  EXPECT_EQ(got.payload, "retained by 5.0");
  EXPECT_TRUE(got.retain);
  EXPECT_EQ(got.properties.content_type, std::optional<std::string>("text/plain"));
  EXPECT_EQ(got.properties.user_properties, rich_properties().user_properties);
}

// A retained message from MQTT 3.1 or 3.1.1 reaches a later MQTT 5.0 subscriber with RETAIN 1
// and no properties.
TEST(V5Mixed29, OlderRetainedMessageToV5Subscriber) {
  BrokerProcess broker;
  for (Version version : {Version::v3_1, Version::v3_1_1}) {
    RawClient pub(broker, version);
    pub.connect_ok("ret-old-pub");
    pub.publish("retold/" + name(version), "retained by " + name(version), QoS::exactly_once, true);
    pub.disconnect();
  }
  RawClient sub(broker, Version::v5);
  sub.connect_ok("ret-v5-late");
  auto codes = sub.subscribe({{"retold/" + name(Version::v3_1), QoS::exactly_once},
                              {"retold/" + name(Version::v3_1_1), QoS::at_least_once}});
  EXPECT_EQ(codes, (std::vector<ReasonCode>{ReasonCode::granted_qos_2, ReasonCode::granted_qos_1}));
  std::map<std::string, mqtt::Publish> got;  // by topic: the order is not specified
  for (int i = 0; i < 2; ++i) {
    mqtt::Publish publish = sub.receive_publish();
    got[publish.topic] = publish;
  }
  for (auto [version, qos] : {std::pair{Version::v3_1, QoS::exactly_once},
                              std::pair{Version::v3_1_1, QoS::at_least_once}}) {
    SCOPED_TRACE(name(version));
    ASSERT_TRUE(got.contains("retold/" + name(version)));
    const mqtt::Publish& publish = got["retold/" + name(version)];
    EXPECT_EQ(publish.payload, "retained by " + name(version));
    EXPECT_TRUE(publish.retain);
    EXPECT_EQ(publish.qos, qos);
    EXPECT_TRUE(publish.properties.empty());
  }
  sub.expect_nothing();
}

// A retained message published live by MQTT 5.0 reaches a connected 3.1.1 subscriber with
// RETAIN 0 (3.1.1 [MQTT-3.3.1-9]: a message sent to an established subscription), and a 3.1.1
// retained message reaches a connected MQTT 5.0 subscriber with RETAIN 0 too (Retain As
// Published 0, [MQTT-3.3.1-12]).
TEST(V5Mixed29, LiveRetainedMessagesAcrossVersions) {
  BrokerProcess broker;
  RawClient v311(broker);
  v311.connect_ok("live-311");
  v311.subscribe("live/t", QoS::at_least_once);
  RawClient v5(broker, Version::v5);
  v5.connect_ok("live-5");
  v5.subscribe("live/t", QoS::at_least_once);

  RawClient v5_pub(broker, Version::v5);
  v5_pub.connect_ok("live-5-pub");
  publish_v5(v5_pub, rich_publish("live/t", "from 5.0", QoS::at_least_once, true), AckReason::any);
  mqtt::Publish got = v311.receive_publish();
  EXPECT_EQ(got.payload, "from 5.0");
  EXPECT_FALSE(got.retain);
  EXPECT_EQ(v5.receive_publish().payload, "from 5.0");

  RawClient v311_pub(broker);
  v311_pub.connect_ok("live-311-pub");
  v311_pub.publish("live/t", "from 3.1.1", QoS::at_least_once, true);
  got = v5.receive_publish();
  EXPECT_EQ(got.payload, "from 3.1.1");
  EXPECT_FALSE(got.retain);
  EXPECT_TRUE(got.properties.empty());
  EXPECT_EQ(v311.receive_publish().payload, "from 3.1.1");
}

// ---- Wills ------------------------------------------------------------------------------------

// Section 3.1.3.2: an MQTT 5.0 will with Will Properties reaches MQTT 3.1.1 and 3.1 subscribers
// as a plain PUBLISH, and an MQTT 5.0 subscriber with the properties.
TEST(V5Mixed29, V5WillToOlderSubscribers) {
  BrokerProcess broker;
  RawClient v311(broker);
  v311.connect_ok("will-311");
  v311.subscribe("will5/#", QoS::at_least_once);
  RawClient v31(broker, Version::v3_1);
  v31.connect_ok("will-31");
  v31.subscribe("will5/t", QoS::at_least_once);
  RawClient v5(broker, Version::v5);
  v5.connect_ok("will-5-watch");
  v5.subscribe("will5/t", QoS::at_least_once);

  RawClient dying(broker, Version::v5);
  mqtt::Will will = make_will("will5/t", "gone (5.0)", QoS::at_least_once);
  will.properties.payload_format_indicator = 1;
  will.properties.content_type = "text/plain";
  will.properties.response_topic = "will5/reply";
  will.properties.correlation_data = "corr";
  will.properties.user_properties = {{"why", "socket closed"}};
  dying.connect_ok("will-5", true, 60, will);
  dying.close();

  for (RawClient* old : {&v311, &v31}) {
    SCOPED_TRACE(name(old->version()));
    mqtt::Publish got = old->receive_publish();
    EXPECT_EQ(got.topic, "will5/t");
    EXPECT_EQ(got.payload, "gone (5.0)");
    EXPECT_EQ(got.qos, QoS::at_least_once);
    EXPECT_FALSE(got.retain);
  }
  mqtt::Publish got = v5.receive_publish();
  EXPECT_EQ(got.payload, "gone (5.0)");
  EXPECT_EQ(got.properties.payload_format_indicator, std::optional<std::uint8_t>(1));
  EXPECT_EQ(got.properties.content_type, std::optional<std::string>("text/plain"));
  EXPECT_EQ(got.properties.response_topic, std::optional<std::string>("will5/reply"));
  EXPECT_EQ(got.properties.correlation_data, std::optional<std::string>("corr"));
  EXPECT_EQ(got.properties.user_properties,
            (std::vector<mqtt::UserProperty>{{"why", "socket closed"}}));
  v311.expect_nothing();
  v31.expect_nothing();
  v5.expect_nothing();
}

// An MQTT 3.1 or 3.1.1 will reaches an MQTT 5.0 subscriber, without properties.
TEST(V5Mixed29, OlderWillToV5Subscriber) {
  BrokerProcess broker;
  RawClient v5(broker, Version::v5);
  v5.connect_ok("will-old-watch");
  v5.subscribe("willold/#", QoS::exactly_once);
  for (Version version : {Version::v3_1, Version::v3_1_1}) {
    SCOPED_TRACE(name(version));
    RawClient dying(broker, version);
    dying.connect_ok("will-old", true, 60,
                     make_will("willold/" + name(version), "gone", QoS::exactly_once));
    dying.close();
    mqtt::Publish got = v5.receive_publish();
    EXPECT_EQ(got.topic, "willold/" + name(version));
    EXPECT_EQ(got.payload, "gone");
    EXPECT_EQ(got.qos, QoS::exactly_once);
    EXPECT_TRUE(got.properties.empty());
  }
  v5.expect_nothing();
}

// A retained MQTT 5.0 will is stored as a retained message and sent to a later 3.1.1 subscriber
// as a plain retained PUBLISH.
TEST(V5Mixed29, RetainedV5WillToLaterOlderSubscriber) {
  BrokerProcess broker;
  RawClient first(broker, Version::v5);  // sees the will go out
  first.connect_ok("will-ret-first");
  first.subscribe("willret/t", QoS::at_least_once);
  {
    RawClient dying(broker, Version::v5);
    mqtt::Will will = make_will("willret/t", "last words", QoS::at_least_once, true);
    will.properties.user_properties = {{"k", "v"}};
    dying.connect_ok("will-ret-5", true, 60, will);
    dying.close();
  }
  EXPECT_EQ(first.receive_publish().payload, "last words");

  RawClient later(broker);
  later.connect_ok("will-ret-311");
  later.subscribe("willret/t", QoS::at_least_once);
  mqtt::Publish got = later.receive_publish();
  EXPECT_EQ(got.payload, "last words");
  EXPECT_TRUE(got.retain);
  EXPECT_EQ(got.qos, QoS::at_least_once);
  later.expect_nothing();
}

// ---- Sessions across versions -----------------------------------------------------------------

// Messages from an MQTT 5.0 publisher queued for an offline MQTT 3.1.1 persistent session are
// delivered as plain 3.1.1 PUBLISHes when it returns.
TEST(V5Mixed29, QueuedV5MessagesReachAReturningOlderSession) {
  BrokerProcess broker;
  {
    RawClient sub(broker);
    sub.connect_ok("queued-311", false);
    sub.subscribe("queued/t", QoS::at_least_once);
    sub.disconnect();
  }
  RawClient pub(broker, Version::v5);
  pub.connect_ok("queued-v5-pub");
  publish_v5(pub, rich_publish("queued/t", "while away", QoS::at_least_once), AckReason::any);
  publish_v5(pub, rich_publish("queued/t", "still away", QoS::exactly_once), AckReason::any);
  RawClient sub(broker);
  EXPECT_TRUE(sub.connect_ok("queued-311", false));
  EXPECT_EQ(sub.receive_publish().payload, "while away");
  mqtt::Publish second = sub.receive_publish();
  EXPECT_EQ(second.payload, "still away");
  EXPECT_EQ(second.qos, QoS::at_least_once);
  sub.expect_nothing();
}

}  // namespace
}  // namespace tern::blackbox
