// 05: will messages (MQTT 3.1.1 sections 3.1.2.5 to 3.1.2.7 and 3.1.3.2 to 3.1.3.3).
#include <string>

#include "harness.h"

namespace tern::blackbox {
namespace {

// A watcher subscribed to `topic` at QoS 2.
struct Watcher {
  Watcher(const BrokerProcess& broker, const std::string& topic) : client(broker) {
    client.connect_ok("watcher-" + topic);
    client.subscribe(topic, QoS::exactly_once);
  }
  RawClient client;
};

// [MQTT-3.1.2-8]: the will is published when the network connection closes without DISCONNECT.
TEST(Will05, PublishedWhenTheSocketCloses) {
  BrokerProcess broker;
  Watcher watcher(broker, "will/close");
  RawClient client(broker);
  client.connect_ok("dies", true, 60, make_will("will/close", "socket closed"));
  client.close();
  mqtt::Publish will = watcher.client.receive_publish();
  EXPECT_EQ(will.topic, "will/close");
  EXPECT_EQ(will.payload, "socket closed");
  EXPECT_EQ(will.qos, QoS::at_most_once);
  EXPECT_FALSE(will.retain);
  watcher.client.expect_nothing();  // once only
}

// [MQTT-3.1.2-8]: also when the server closes the connection for a keepalive timeout.
TEST(Will05, PublishedOnKeepaliveTimeout) {
  BrokerProcess broker;
  Watcher watcher(broker, "will/keepalive");
  RawClient client(broker);
  client.connect_ok("silent", true, 1, make_will("will/keepalive", "timed out"));
  EXPECT_EQ(watcher.client.receive_publish(3s).payload, "timed out");
  EXPECT_TRUE(client.expect_closed(1s));
}

// [MQTT-3.1.2-8]: and when the server closes the connection for a protocol violation.
TEST(Will05, PublishedOnProtocolViolation) {
  BrokerProcess broker;
  Watcher watcher(broker, "will/violation");
  RawClient client(broker);
  client.connect_ok("violator", true, 60, make_will("will/violation", "broke the rules"));
  client.send_bytes(Bytes{0x00, 0x00});  // reserved packet type 0
  EXPECT_TRUE(client.expect_closed());
  EXPECT_EQ(watcher.client.receive_publish().payload, "broke the rules");
}

// [MQTT-3.1.4-2]: a takeover closes the old connection, which publishes its will.
TEST(Will05, PublishedOnTakeover) {
  BrokerProcess broker;
  Watcher watcher(broker, "will/takeover");
  RawClient old(broker);
  old.connect_ok("taken", true, 60, make_will("will/takeover", "taken over"));
  RawClient fresh(broker);
  fresh.connect_ok("taken");
  EXPECT_TRUE(old.expect_closed());
  EXPECT_EQ(watcher.client.receive_publish().payload, "taken over");
  watcher.client.expect_nothing();
}

// [MQTT-3.1.2-10], [MQTT-3.14.4-3]: DISCONNECT discards the will.
TEST(Will05, NotPublishedAfterDisconnect) {
  BrokerProcess broker;
  Watcher watcher(broker, "will/none");
  RawClient client(broker);
  client.connect_ok("polite", true, 60, make_will("will/none", "must not appear"));
  client.disconnect();
  watcher.client.expect_nothing();
}

// [MQTT-3.1.2-17]: a will with Will Retain 1 is published as a retained message.
TEST(Will05, WillRetainIsStored) {
  BrokerProcess broker;
  Watcher watcher(broker, "will/retained");
  {
    RawClient client(broker);
    client.connect_ok("retainer", true, 60,
                      make_will("will/retained", "last words", QoS::at_least_once, true));
  }
  mqtt::Publish live = watcher.client.receive_publish();
  EXPECT_EQ(live.payload, "last words");
  EXPECT_FALSE(live.retain) << "[MQTT-3.3.1-9] forwarded to an existing subscription";

  RawClient late(broker);
  late.connect_ok("late");
  late.subscribe("will/retained", QoS::at_least_once);
  mqtt::Publish stored = late.receive_publish();
  EXPECT_EQ(stored.payload, "last words");
  EXPECT_TRUE(stored.retain);
  EXPECT_EQ(stored.qos, QoS::at_least_once);
}

// [MQTT-3.1.2-16]: without Will Retain the will is not retained.
TEST(Will05, WillWithoutRetainIsNotStored) {
  BrokerProcess broker;
  {
    RawClient client(broker);
    client.connect_ok("not-retainer", true, 60, make_will("will/plain", "gone"));
  }
  ASSERT_TRUE(broker.wait_for_log("Client not-retainer closed its connection."));
  RawClient late(broker);
  late.connect_ok("late");
  late.subscribe("will/plain", QoS::at_least_once);
  late.expect_nothing();
}

// The will is published at its Will QoS (capped by each subscription).
TEST(Will05, WillQosIsUsed) {
  BrokerProcess broker;
  RawClient q2(broker);
  q2.connect_ok("q2-watcher");
  q2.subscribe("will/qos", QoS::exactly_once);
  RawClient q0(broker);
  q0.connect_ok("q0-watcher");
  q0.subscribe("will/qos", QoS::at_most_once);
  {
    RawClient client(broker);
    client.connect_ok("qos-will", true, 60, make_will("will/qos", "at qos 2", QoS::exactly_once));
  }
  mqtt::Publish got = q2.receive_publish();
  EXPECT_EQ(got.qos, QoS::exactly_once);
  EXPECT_EQ(got.payload, "at qos 2");
  EXPECT_EQ(q0.expect<mqtt::Publish>().qos, QoS::at_most_once);
}

// Topics starting with '$' are the server's (section 4.7.2): a client can no more publish to
// them with its will than with a PUBLISH; the will is dropped, neither delivered nor retained.
TEST(Will05, WillToDollarTopicIsNotPublished) {
  BrokerProcess broker("sys_interval 0");
  Watcher watcher(broker, "$SYS/#");
  {
    RawClient client(broker);
    client.connect_ok("spoofer", true, 60,
                      make_will("$SYS/broker/version", "spoofed", QoS::at_most_once, true));
  }
  ASSERT_TRUE(broker.wait_for_log("Client spoofer closed its connection."));
  watcher.client.expect_nothing();
  RawClient late(broker);
  late.connect_ok("late");
  late.subscribe("$SYS/#", QoS::at_most_once);
  late.expect_nothing();
}

// The will of a persistent session goes to a subscriber that is offline: queued like any QoS 1
// message.
TEST(Will05, WillReachesOfflinePersistentSubscriber) {
  BrokerProcess broker;
  {
    RawClient sub(broker);
    sub.connect_ok("offline-watcher", false);
    sub.subscribe("will/offline", QoS::at_least_once);
  }
  {
    RawClient client(broker);
    client.connect_ok("dies-later", true, 60,
                      make_will("will/offline", "while away", QoS::at_least_once));
  }
  ASSERT_TRUE(broker.wait_for_log("Client dies-later closed its connection."));
  RawClient sub(broker);
  EXPECT_TRUE(sub.connect_ok("offline-watcher", false));
  EXPECT_EQ(sub.receive_publish().payload, "while away");
}

}  // namespace
}  // namespace tern::blackbox
