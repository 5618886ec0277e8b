// 07: clean and persistent sessions, Session Present, takeover (MQTT 3.1.1 sections 3.1.2.4,
// 3.2.2.2, 3.1.4 and 4.1).
#include <memory>
#include <string>
#include <vector>

#include "harness.h"

namespace tern::blackbox {
namespace {

// [MQTT-3.1.2-6]: a clean session ends with its connection: its subscriptions are gone when the
// client comes back, and Session Present is 0 [MQTT-3.2.2-1].
TEST(Session07, CleanSessionForgetsSubscriptions) {
  BrokerProcess broker;
  {
    RawClient client(broker);
    EXPECT_FALSE(client.connect_ok("cleaner", true));
    client.subscribe("clean/t", QoS::at_least_once);
  }
  RawClient pub(broker);
  pub.connect_ok("clean-pub");
  RawClient client(broker);
  EXPECT_FALSE(client.connect_ok("cleaner", true));
  pub.publish("clean/t", "nobody listens", QoS::at_least_once);
  client.expect_nothing();
}

// [MQTT-3.1.2-4], [MQTT-3.2.2-2]: a persistent session survives its connection: Session Present
// is 1 on return and the subscriptions still work.
TEST(Session07, PersistentSessionKeepsSubscriptions) {
  BrokerProcess broker;
  {
    RawClient client(broker);
    EXPECT_FALSE(client.connect_ok("keeper", false)) << "[MQTT-3.2.2-3] no session yet";
    client.subscribe("keep/t", QoS::at_least_once);
    client.disconnect();
  }
  RawClient client(broker);
  EXPECT_TRUE(client.connect_ok("keeper", false));
  RawClient pub(broker);
  pub.connect_ok("keep-pub");
  pub.publish("keep/t", "still subscribed", QoS::at_least_once);
  EXPECT_EQ(client.receive_publish().payload, "still subscribed");
}

// An UNSUBSCRIBE is part of the persistent session too.
TEST(Session07, UnsubscribeIsKeptInThePersistentSession) {
  BrokerProcess broker;
  {
    RawClient client(broker);
    client.connect_ok("unsub-keeper", false);
    client.subscribe({{"uk/1", QoS::at_least_once}, {"uk/2", QoS::at_least_once}});
    client.unsubscribe({"uk/1"});
    client.disconnect();
  }
  RawClient client(broker);
  EXPECT_TRUE(client.connect_ok("unsub-keeper", false));
  RawClient pub(broker);
  pub.connect_ok("uk-pub");
  pub.publish("uk/1", "unsubscribed", QoS::at_least_once);
  pub.publish("uk/2", "subscribed", QoS::at_least_once);
  EXPECT_EQ(client.receive_publish().payload, "subscribed");
  client.expect_nothing();
}

// [MQTT-3.1.2-5]: QoS 1 and 2 messages that arrive while a persistent client is away are
// stored and delivered, in order, when it returns; QoS 0 messages are not (queue_qos0_messages
// is false by default).
TEST(Session07, MessagesQueuedWhileAwayAreDeliveredOnReconnect) {
  BrokerProcess broker;
  {
    RawClient client(broker);
    client.connect_ok("away", false);
    client.subscribe("away/t", QoS::exactly_once);
  }
  ASSERT_TRUE(broker.wait_for_log("Client away closed its connection."));
  RawClient pub(broker);
  pub.connect_ok("away-pub");
  pub.publish("away/t", "q1-a", QoS::at_least_once);
  pub.publish("away/t", "q0", QoS::at_most_once);
  pub.publish("away/t", "q2", QoS::exactly_once);
  pub.publish("away/t", "q1-b", QoS::at_least_once);

  RawClient client(broker);
  EXPECT_TRUE(client.connect_ok("away", false));
  for (std::string expected : {"q1-a", "q2", "q1-b"}) {
    mqtt::Publish got = client.receive_publish();
    EXPECT_EQ(got.payload, expected);
    EXPECT_FALSE(got.dup) << "never sent before";
  }
  client.expect_nothing();
}

TEST(Session07, QueueQos0MessagesQueuesQos0ForOfflineClients) {
  BrokerProcess broker("queue_qos0_messages true");
  {
    RawClient client(broker);
    client.connect_ok("away0", false);
    client.subscribe("away0/t", QoS::at_least_once);
  }
  ASSERT_TRUE(broker.wait_for_log("Client away0 closed its connection."));
  RawClient pub(broker);
  pub.connect_ok("away0-pub");
  pub.publish("away0/t", "qos0 kept", QoS::at_most_once);
  pub.send(mqtt::Pingreq{});
  pub.expect<mqtt::Pingresp>();
  RawClient client(broker);
  EXPECT_TRUE(client.connect_ok("away0", false));
  EXPECT_EQ(client.expect<mqtt::Publish>().payload, "qos0 kept");
}

// [MQTT-3.1.2-6]: connecting with Clean Session 1 discards an existing session; a later
// persistent connect starts from nothing (Session Present 0).
TEST(Session07, CleanSessionDiscardsAPersistentSession) {
  BrokerProcess broker;
  {
    RawClient client(broker);
    client.connect_ok("discard", false);
    client.subscribe("discard/t", QoS::at_least_once);
  }
  ASSERT_TRUE(broker.wait_for_log("Client discard closed its connection."));
  RawClient pub(broker);
  pub.connect_ok("discard-pub");
  pub.publish("discard/t", "queued then discarded", QoS::at_least_once);
  {
    RawClient client(broker);
    EXPECT_FALSE(client.connect_ok("discard", true)) << "[MQTT-3.2.2-1]";
    client.expect_nothing(100ms);
    client.disconnect();
  }
  RawClient client(broker);
  EXPECT_FALSE(client.connect_ok("discard", false));
  pub.publish("discard/t", "no subscription any more", QoS::at_least_once);
  client.expect_nothing();
}

// [MQTT-3.1.4-2]: a CONNECT with the client id of a connected client closes the old
// connection; the new one works.
TEST(Session07, TakeoverClosesTheOldConnection) {
  BrokerProcess broker;
  RawClient old(broker);
  old.connect_ok("twin");
  RawClient fresh(broker);
  EXPECT_FALSE(fresh.connect_ok("twin"));
  EXPECT_TRUE(old.expect_closed());
  EXPECT_TRUE(broker.wait_for_log("Client twin already connected, closing old connection."));
  fresh.subscribe("twin/t", QoS::at_least_once);
  fresh.publish("twin/t", "alive", QoS::at_least_once);
  EXPECT_EQ(fresh.receive_publish().payload, "alive");
}

// A takeover with Clean Session 0 keeps the persistent session: Session Present 1, the
// subscriptions, and the messages in flight to the old connection (re-sent with DUP 1).
TEST(Session07, TakeoverKeepsThePersistentSession) {
  BrokerProcess broker;
  RawClient old(broker);
  old.connect_ok("twin-persistent", false);
  old.subscribe("twinp/t", QoS::at_least_once);
  RawClient pub(broker);
  pub.connect_ok("twinp-pub");
  pub.publish("twinp/t", "in flight", QoS::at_least_once);
  mqtt::Publish first = old.expect<mqtt::Publish>();  // not acknowledged

  RawClient fresh(broker);
  EXPECT_TRUE(fresh.connect_ok("twin-persistent", false));
  EXPECT_TRUE(old.expect_closed());
  mqtt::Publish again = fresh.expect<mqtt::Publish>();
  EXPECT_EQ(again.payload, "in flight");
  EXPECT_TRUE(again.dup);
  EXPECT_EQ(again.packet_id, first.packet_id);
  fresh.ack(again);
  pub.publish("twinp/t", "after takeover", QoS::at_least_once);
  EXPECT_EQ(fresh.receive_publish().payload, "after takeover");
}

// Repeated takeovers, each from a new socket: every old connection is closed, exactly one
// client stays connected.
TEST(Session07, RepeatedTakeovers) {
  BrokerProcess broker;
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(std::make_unique<RawClient>(broker));
    clients.back()->connect_ok("hot-seat", i % 2 == 0);
    if (i > 0) {
      EXPECT_TRUE(clients[static_cast<std::size_t>(i - 1)]->expect_closed());
    }
  }
  clients.back()->send(mqtt::Pingreq{});
  clients.back()->expect<mqtt::Pingresp>();
}

// $SYS/broker/clients/total counts sessions, connected or not; /connected only the connected
// ones. An offline persistent session stays counted, a closed clean one does not.
TEST(Session07, SysCountsConnectedAndTotalClients) {
  BrokerProcess broker("sys_interval 1");
  {
    RawClient persistent(broker);
    persistent.connect_ok("counted-persistent", false);
    RawClient clean(broker);
    clean.connect_ok("counted-clean", true);
  }
  ASSERT_TRUE(broker.wait_for_log("Client counted-persistent closed its connection."));
  ASSERT_TRUE(broker.wait_for_log("Client counted-clean closed its connection."));
  RawClient sys(broker);
  sys.connect_ok("sys-reader");
  sys.subscribe({{"$SYS/broker/clients/total", QoS::at_most_once},
                 {"$SYS/broker/clients/connected", QoS::at_most_once}});
  // Wait for a round published after the closes: the connected count is then 1 (sys-reader)
  // and the total 2 (sys-reader and the offline persistent session).
  std::string connected;
  std::string total;
  auto deadline = std::chrono::steady_clock::now() + 4s;
  while (std::chrono::steady_clock::now() < deadline && (connected != "1" || total != "2")) {
    auto packet = sys.receive(1500ms);
    if (!packet) continue;
    if (auto* p = std::get_if<mqtt::Publish>(&*packet)) {
      (p->topic.ends_with("connected") ? connected : total) = p->payload;
    }
  }
  EXPECT_EQ(connected, "1");
  EXPECT_EQ(total, "2");
}

}  // namespace
}  // namespace tern::blackbox
