// 11: the $SYS tree (Mosquitto's topics, published every sys_interval seconds, retained).
#include <chrono>
#include <map>
#include <string>

#include "harness.h"

namespace tern::blackbox {
namespace {

// Collects $SYS/# for `duration` (or until every topic of `wanted` arrived): topic -> last
// payload, and whether each arrived with the retain flag.
struct SysSnapshot {
  std::map<std::string, std::string> values;
  std::map<std::string, bool> retained;
};

SysSnapshot collect(RawClient& client, const std::vector<std::string>& wanted, Millis duration) {
  SysSnapshot snapshot;
  auto deadline = std::chrono::steady_clock::now() + duration;
  auto complete = [&] {
    for (const std::string& topic : wanted) {
      if (!snapshot.values.contains(topic)) return false;
    }
    return true;
  };
  while (std::chrono::steady_clock::now() < deadline && !complete()) {
    auto packet = client.receive(200ms);
    if (!packet) continue;
    if (auto* p = std::get_if<mqtt::Publish>(&*packet)) {
      snapshot.values[p->topic] = p->payload;
      snapshot.retained.emplace(p->topic, p->retain);
    }
  }
  return snapshot;
}

const std::vector<std::string> kTopics{
    "$SYS/broker/version",
    "$SYS/broker/uptime",
    "$SYS/broker/clients/connected",
    "$SYS/broker/clients/total",
    "$SYS/broker/messages/received",
    "$SYS/broker/messages/sent",
    "$SYS/broker/publish/messages/received",
    "$SYS/broker/publish/messages/sent",
    "$SYS/broker/publish/messages/dropped",
    "$SYS/broker/subscriptions/count",
    "$SYS/broker/retained messages/count",
    "$SYS/broker/load/bytes/received",
    "$SYS/broker/load/bytes/sent",
};

TEST(Sys11, TopicsArePublishedEverySysInterval) {
  BrokerProcess broker("sys_interval 1");
  RawClient client(broker);
  client.connect_ok("sys-all");
  client.subscribe("$SYS/#", QoS::at_most_once);
  SysSnapshot snapshot = collect(client, kTopics, 3s);
  for (const std::string& topic : kTopics)
    EXPECT_TRUE(snapshot.values.contains(topic)) << topic;
  EXPECT_TRUE(snapshot.values["$SYS/broker/version"].starts_with("tern version "));
  EXPECT_TRUE(snapshot.values["$SYS/broker/uptime"].ends_with(" seconds"));
  EXPECT_GE(std::stoi(snapshot.values["$SYS/broker/clients/connected"]), 1);
  EXPECT_GE(std::stoi(snapshot.values["$SYS/broker/subscriptions/count"]), 1);

  // Published again a second later: the uptime moves on.
  std::string uptime = snapshot.values["$SYS/broker/uptime"];
  SysSnapshot later = collect(client, {"$SYS/broker/uptime"}, 2500ms);
  EXPECT_TRUE(later.values.contains("$SYS/broker/uptime"));
  EXPECT_NE(later.values["$SYS/broker/uptime"], uptime);
}

// The $SYS topics are retained: a new subscriber gets the current values at once, with the
// retain flag [MQTT-3.3.1-8].
TEST(Sys11, TopicsAreRetained) {
  BrokerProcess broker("sys_interval 60");
  // The first round is published at the worker's first tick after start-up; wait for it.
  RawClient early(broker);
  early.connect_ok("sys-early");
  early.subscribe("$SYS/broker/version", QoS::at_most_once);
  mqtt::Publish live = early.expect<mqtt::Publish>(3s);
  EXPECT_FALSE(live.retain) << "[MQTT-3.3.1-9] forwarded to an existing subscription";

  RawClient late(broker);
  late.connect_ok("sys-late");
  late.subscribe("$SYS/broker/version", QoS::at_most_once);
  mqtt::Publish stored = late.expect<mqtt::Publish>();
  EXPECT_EQ(stored.topic, "$SYS/broker/version");
  EXPECT_EQ(stored.payload, live.payload);
  EXPECT_TRUE(stored.retain);
}

// Counters follow traffic: after messages through the broker, the received and sent counts of
// PUBLISH packets grow.
TEST(Sys11, PublishCountersFollowTraffic) {
  BrokerProcess broker("sys_interval 1");
  RawClient client(broker);
  client.connect_ok("sys-counter");
  client.subscribe("count/t", QoS::at_least_once);
  for (int i = 0; i < 5; ++i) {
    client.publish("count/t", "x", QoS::at_least_once);
    client.receive_publish();
  }
  client.subscribe("$SYS/broker/publish/messages/+", QoS::at_most_once);
  std::string received;
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < deadline &&
         (received.empty() || std::stoi(received) < 5)) {
    SysSnapshot snapshot = collect(client, {"$SYS/broker/publish/messages/received"}, 1500ms);
    received = snapshot.values["$SYS/broker/publish/messages/received"];
  }
  ASSERT_FALSE(received.empty());
  EXPECT_GE(std::stoi(received), 5);
}

// sys_interval 0 disables $SYS.
TEST(Sys11, SysIntervalZeroDisablesSys) {
  BrokerProcess broker("sys_interval 0");
  RawClient client(broker);
  client.connect_ok("sys-none");
  client.subscribe("$SYS/#", QoS::at_most_once);
  client.expect_nothing(1200ms);
}

}  // namespace
}  // namespace tern::blackbox
