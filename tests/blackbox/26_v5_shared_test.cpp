// 26: shared subscriptions, $share/{ShareName}/{filter} (MQTT 5.0 section 4.8.2): one member of
// each group gets each message, picked by shared_subscription_strategy (round_robin, random,
// sticky); messages of a member whose session ends go to another member; no retained messages;
// groups are independent of each other and of normal subscriptions.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "v5_helpers.h"

namespace tern::blackbox {
namespace {

using Clock = std::chrono::steady_clock;
using mqtt::ReasonCode;

// A connected MQTT 5.0 client subscribed to `filter` at `qos`, which must be granted.
std::unique_ptr<RawClient> member(const BrokerProcess& broker, const std::string& client_id,
                                  const std::string& filter, QoS qos = QoS::at_least_once) {
  auto client = std::make_unique<RawClient>(broker, Version::v5);
  connect_v5(*client, client_id);
  client->subscribe(filter, qos);
  return client;
}

// The payloads each of `members` receives (acknowledging each) until `total` have come in all or
// kWait passes; then each member must get nothing more.
std::vector<std::vector<std::string>> collect(const std::vector<RawClient*>& members,
                                              std::size_t total) {
  std::vector<std::vector<std::string>> got(members.size());
  std::size_t count = 0;
  auto deadline = Clock::now() + kWait;
  while (count < total && Clock::now() < deadline) {
    for (std::size_t i = 0; i < members.size() && count < total; ++i) {
      auto packet = members[i]->receive(10ms);
      if (!packet) continue;
      if (auto* publish = std::get_if<mqtt::Publish>(&*packet)) {
        members[i]->ack(*publish);
        got[i].push_back(publish->payload);
        ++count;
      } else {
        ADD_FAILURE() << "member " << i << " got " << describe(*packet);
      }
    }
  }
  EXPECT_EQ(count, total) << "messages received by the members together";
  for (RawClient* client : members)
    client->expect_nothing();
  return got;
}

std::vector<std::size_t> sizes(const std::vector<std::vector<std::string>>& got) {
  std::vector<std::size_t> counts;
  for (const auto& payloads : got)
    counts.push_back(payloads.size());
  return counts;
}

// Every payload of `got`, each must appear once: no message went to two members.
std::set<std::string> once_each(const std::vector<std::vector<std::string>>& got) {
  std::set<std::string> all;
  for (const auto& payloads : got) {
    for (const std::string& payload : payloads)
      EXPECT_TRUE(all.insert(payload).second) << payload << " went to two members of a group";
  }
  return all;
}

std::set<std::string> numbered(int count, const std::string& prefix = "m") {
  std::set<std::string> all;
  for (int i = 0; i < count; ++i)
    all.insert(prefix + std::to_string(i));
  return all;
}

void publish_numbered(RawClient& publisher, const std::string& topic, int count,
                      const std::string& prefix = "m") {
  for (int i = 0; i < count; ++i)
    publisher.publish(topic, prefix + std::to_string(i), QoS::at_least_once);
}

// ---- Strategies -------------------------------------------------------------------------------

// Section 4.8.2: each message goes to one member of the group; round robin (the default) takes
// the members in turn: 2 members x 10 messages = 5 each.
TEST(V5Shared26, RoundRobinSpreadsEvenly) {
  BrokerProcess broker;
  auto a = member(broker, "rr-a", "$share/g/rr/t");
  auto b = member(broker, "rr-b", "$share/g/rr/t");
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "rr-pub");
  publish_numbered(publisher, "rr/t", 10);
  auto got = collect({a.get(), b.get()}, 10);
  EXPECT_EQ(once_each(got), numbered(10));
  EXPECT_EQ(sizes(got), (std::vector<std::size_t>{5, 5}));
}

// Round robin over three members, also at QoS 0: 3 x 4.
TEST(V5Shared26, RoundRobinOverThreeMembersAtQos0) {
  BrokerProcess broker;
  auto a = member(broker, "rr3-a", "$share/g/rr3/+", QoS::at_most_once);
  auto b = member(broker, "rr3-b", "$share/g/rr3/+", QoS::at_most_once);
  auto c = member(broker, "rr3-c", "$share/g/rr3/+", QoS::at_most_once);
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "rr3-pub");
  for (int i = 0; i < 12; ++i)
    publisher.publish("rr3/t", "m" + std::to_string(i), QoS::at_most_once);
  publisher.send(mqtt::Pingreq{});
  publisher.expect<mqtt::Pingresp>();
  auto got = collect({a.get(), b.get(), c.get()}, 12);
  EXPECT_EQ(once_each(got), numbered(12));
  EXPECT_EQ(sizes(got), (std::vector<std::size_t>{4, 4, 4}));
}

// shared_subscription_strategy random: every message to exactly one member. Not all to the same
// member, and not a strict rotation (either has a probability below 1e-13 for 30 messages over 3
// members picked at random).
TEST(V5Shared26, RandomSendsEachMessageToExactlyOneMember) {
  BrokerProcess broker("shared_subscription_strategy random");
  ASSERT_TRUE(broker.running());
  auto a = member(broker, "rnd-a", "$share/g/rnd/t");
  auto b = member(broker, "rnd-b", "$share/g/rnd/t");
  auto c = member(broker, "rnd-c", "$share/g/rnd/t");
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "rnd-pub");
  publish_numbered(publisher, "rnd/t", 30);
  auto got = collect({a.get(), b.get(), c.get()}, 30);
  EXPECT_EQ(once_each(got), numbered(30));
  auto counts = sizes(got);
  EXPECT_LT(*std::max_element(counts.begin(), counts.end()), 30u) << "all to one member";
  bool rotation = true;
  for (const auto& payloads : got) {
    std::set<int> residues;
    for (const std::string& payload : payloads)
      residues.insert(std::stoi(payload.substr(1)) % 3);
    rotation = rotation && residues.size() <= 1;
  }
  EXPECT_FALSE(rotation) << "the members were taken in turn, not at random";
}

// shared_subscription_strategy sticky: all messages of one publisher session go to the same
// member while that member stays; when it leaves, another member takes over.
TEST(V5Shared26, StickyKeepsOneMemberWhileItStays) {
  BrokerProcess broker("shared_subscription_strategy sticky");
  ASSERT_TRUE(broker.running());
  auto a = member(broker, "sticky-a", "$share/g/sticky/t");
  auto b = member(broker, "sticky-b", "$share/g/sticky/t");
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "sticky-pub");
  publish_numbered(publisher, "sticky/t", 10);
  auto got = collect({a.get(), b.get()}, 10);
  EXPECT_EQ(once_each(got), numbered(10));
  auto counts = sizes(got);
  ASSERT_TRUE(counts == (std::vector<std::size_t>{10, 0}) ||
              counts == (std::vector<std::size_t>{0, 10}))
      << "split " << counts[0] << "/" << counts[1];
  bool a_chosen = counts[0] == 10;

  // A second publisher sticks to one member too (either).
  RawClient other(broker, Version::v5);
  connect_v5(other, "sticky-pub-2");
  publish_numbered(other, "sticky/t", 6, "o");
  auto second = sizes(collect({a.get(), b.get()}, 6));
  EXPECT_TRUE(second == (std::vector<std::size_t>{6, 0}) ||
              second == (std::vector<std::size_t>{0, 6}))
      << "split " << second[0] << "/" << second[1];

  // The chosen member leaves: the first publisher's messages now all go to the other one.
  RawClient& chosen = a_chosen ? *a : *b;
  RawClient& remaining = a_chosen ? *b : *a;
  chosen.disconnect();
  publish_numbered(publisher, "sticky/t", 5, "after");
  auto after = collect({&remaining}, 5);
  EXPECT_EQ(once_each(after), numbered(5, "after"));
}

// ---- Members whose session ends --------------------------------------------------------------

// Section 4.8.2: a QoS 1 message in flight to a member that never acknowledges it, whose session
// then ends (Session Expiry 0, socket closed), goes to another member of the group.
TEST(V5Shared26, InflightQos1MessageOfAnEndedSessionGoesToAnotherMember) {
  BrokerProcess broker;
  auto a = member(broker, "lost-a", "$share/g/lost/t");
  auto b = member(broker, "lost-b", "$share/g/lost/t");
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "lost-pub");
  publisher.publish("lost/t", "in flight", QoS::at_least_once);

  // Whichever member got it keeps it unacknowledged and goes away.
  RawClient* holder = nullptr;
  auto deadline = Clock::now() + kWait;
  while (!holder && Clock::now() < deadline) {
    for (RawClient* m : {a.get(), b.get()}) {
      auto packet = m->receive(10ms);
      if (!packet) continue;
      auto* publish = std::get_if<mqtt::Publish>(&*packet);
      ASSERT_TRUE(publish) << describe(*packet);
      EXPECT_EQ(publish->payload, "in flight");
      holder = m;
      break;
    }
  }
  ASSERT_TRUE(holder) << "no member got the message";
  RawClient* other = holder == a.get() ? b.get() : a.get();
  other->expect_nothing();
  holder->close();

  mqtt::Publish again = other->expect<mqtt::Publish>();
  EXPECT_EQ(again.payload, "in flight");
  EXPECT_EQ(again.qos, QoS::at_least_once);
  other->ack(again);
  other->expect_nothing();
}

// Section 4.8.2: QoS 1 messages queued to a member (beyond its Receive Maximum 1) and the one in
// flight go to another member when the first member's session ends.
TEST(V5Shared26, QueuedMessagesOfAnEndedSessionGoToAnotherMember) {
  BrokerProcess broker;
  RawClient a(broker, Version::v5);
  mqtt::Properties one_at_a_time;
  one_at_a_time.receive_maximum = 1;
  connect_v5(a, "queued-a", one_at_a_time);
  a.subscribe("$share/g/queued/t", QoS::at_least_once);
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "queued-pub");
  publish_numbered(publisher, "queued/t", 3);
  mqtt::Publish first = a.expect<mqtt::Publish>();  // not acknowledged
  EXPECT_EQ(first.payload, "m0");
  a.expect_nothing();  // [MQTT-3.3.4-9]: Receive Maximum 1, so the others wait

  auto b = member(broker, "queued-b", "$share/g/queued/t");
  b->expect_nothing();
  a.close();
  auto got = collect({b.get()}, 3);
  EXPECT_EQ(once_each(got), numbered(3));
}

// ---- Retained messages, normal subscriptions, groups ------------------------------------------

// Section 3.3.1.3 (retained messages are sent for a new Non-shared Subscription only) and 4.8.2:
// subscribing to $share/... sends no retained message; live messages come. The normal
// subscription afterwards shows the retained message was there.
TEST(V5Shared26, RetainedMessagesAreNotSentOnSharedSubscribe) {
  BrokerProcess broker;
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "sr-pub");
  publisher.publish("sr/t", "stored", QoS::at_least_once, true);
  auto client = member(broker, "sr-member", "$share/g/sr/t");
  client->expect_nothing();
  publisher.publish("sr/t", "live", QoS::at_least_once);
  EXPECT_EQ(client->receive_publish().payload, "live");
  client->expect_nothing();

  client->subscribe("sr/t", QoS::at_least_once);
  mqtt::Publish retained = client->receive_publish();
  EXPECT_EQ(retained.payload, "stored");
  EXPECT_TRUE(retained.retain);
}

// Section 4.8.2: a session with a shared and a normal subscription that both match gets two
// copies: one through the normal subscription, one as the group's only member.
TEST(V5Shared26, SharedAndNormalSubscriptionGiveTwoCopies) {
  BrokerProcess broker;
  auto client = member(broker, "both", "$share/g/both/t");
  client->subscribe("both/#", QoS::at_least_once);
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "both-pub");
  publisher.publish("both/t", "twice", QoS::at_least_once);
  EXPECT_EQ(client->receive_publish().payload, "twice");
  EXPECT_EQ(client->receive_publish().payload, "twice");
  client->expect_nothing();
}

// Section 4.8.2: groups are independent: each shared subscription (ShareName and filter) gets
// every message once, and a normal subscriber gets every message too.
TEST(V5Shared26, GroupsAreIndependent) {
  BrokerProcess broker;
  auto a = member(broker, "g1-a", "$share/one/groups/#");
  auto b = member(broker, "g1-b", "$share/one/groups/#");
  auto c = member(broker, "g2-c", "$share/two/groups/+");
  auto d = member(broker, "g2-d", "$share/two/groups/+");
  auto e = member(broker, "normal-e", "groups/t");
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "groups-pub");
  publish_numbered(publisher, "groups/t", 10);
  auto one = collect({a.get(), b.get()}, 10);
  EXPECT_EQ(once_each(one), numbered(10));
  auto two = collect({c.get(), d.get()}, 10);
  EXPECT_EQ(once_each(two), numbered(10));
  auto normal = collect({e.get()}, 10);
  EXPECT_EQ(once_each(normal), numbered(10));
}

// The same ShareName with another filter is another shared subscription: both match, so a member
// of both gets two copies while a member of one gets one.
TEST(V5Shared26, SameShareNameWithAnotherFilterIsAnotherSubscription) {
  BrokerProcess broker;
  auto client = member(broker, "two-filters", "$share/g/tf/+");
  client->subscribe("$share/g/tf/t", QoS::at_least_once);
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "tf-pub");
  publisher.publish("tf/t", "matches both", QoS::at_least_once);
  EXPECT_EQ(client->receive_publish().payload, "matches both");
  EXPECT_EQ(client->receive_publish().payload, "matches both");
  publisher.publish("tf/u", "matches one", QoS::at_least_once);
  EXPECT_EQ(client->receive_publish().payload, "matches one");
  client->expect_nothing();
}

// [MQTT-3.10.4-1] [MQTT-3.11.3-2]: UNSUBSCRIBE from $share/... (0x00), then the other member
// gets every message; a second UNSUBSCRIBE finds nothing (0x11).
TEST(V5Shared26, UnsubscribeFromASharedSubscription) {
  BrokerProcess broker;
  auto a = member(broker, "unsub-a", "$share/g/unsub/t");
  auto b = member(broker, "unsub-b", "$share/g/unsub/t");
  mqtt::Unsubscribe unsubscribe;
  unsubscribe.packet_id = a->next_id();
  unsubscribe.filters = {"$share/g/unsub/t", "$share/other/unsub/t"};
  a->send(unsubscribe);
  auto unsuback = a->expect<mqtt::Unsuback>();
  EXPECT_EQ(unsuback.packet_id, unsubscribe.packet_id);
  EXPECT_EQ(codes(unsuback.reason_codes),
            (std::vector<std::string>{code(ReasonCode::success),
                                      code(ReasonCode::no_subscription_existed)}));

  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "unsub-pub");
  publish_numbered(publisher, "unsub/t", 4);
  auto got = collect({a.get(), b.get()}, 4);
  EXPECT_EQ(sizes(got), (std::vector<std::size_t>{0, 4}));

  unsubscribe.packet_id = a->next_id();
  unsubscribe.filters = {"$share/g/unsub/t"};
  a->send(unsubscribe);
  EXPECT_EQ(codes(a->expect<mqtt::Unsuback>().reason_codes),
            std::vector<std::string>{code(ReasonCode::no_subscription_existed)});
}

// [MQTT-3.8.4-8] with section 4.8.2: each member gets the message at the minimum of the
// message's QoS and its own granted QoS.
TEST(V5Shared26, EachMemberGetsItsOwnGrantedQos) {
  BrokerProcess broker;
  auto low = member(broker, "qos-low", "$share/g/sq/t", QoS::at_most_once);
  auto high = member(broker, "qos-high", "$share/g/sq/t", QoS::exactly_once);
  RawClient publisher(broker, Version::v5);
  connect_v5(publisher, "sq-pub");
  publisher.publish("sq/t", "a", QoS::exactly_once);
  publisher.publish("sq/t", "b", QoS::exactly_once);
  std::map<RawClient*, QoS> qos;
  auto deadline = Clock::now() + kWait;
  while (qos.size() < 2 && Clock::now() < deadline) {
    for (RawClient* m : {low.get(), high.get()}) {
      auto packet = m->receive(10ms);
      if (!packet) continue;
      auto* publish = std::get_if<mqtt::Publish>(&*packet);
      ASSERT_TRUE(publish) << describe(*packet);
      m->ack(*publish);
      EXPECT_FALSE(qos.contains(m)) << "round robin: one message each";
      qos[m] = publish->qos;
    }
  }
  ASSERT_EQ(qos.size(), 2u);
  EXPECT_EQ(qos[low.get()], QoS::at_most_once);
  EXPECT_EQ(qos[high.get()], QoS::exactly_once);
}

// [MQTT-3.8.3-4]: No Local on a shared subscription is a Protocol Error: DISCONNECT 0x82.
TEST(V5Shared26, NoLocalOnASharedSubscriptionIsProtocolError0x82) {
  BrokerProcess broker;
  RawClient client(broker, Version::v5);
  connect_v5(client, "shared-no-local");
  mqtt::Subscribe subscribe;
  subscribe.packet_id = 1;
  mqtt::Subscription subscription;
  subscription.filter = "$share/g/nl/t";
  subscription.no_local = true;
  subscribe.subscriptions.push_back(subscription);
  client.send(subscribe);
  auto disconnect = client.expect<mqtt::Disconnect>();
  EXPECT_EQ(code(disconnect.reason_code), code(ReasonCode::protocol_error));
  EXPECT_TRUE(client.expect_closed());
}

}  // namespace
}  // namespace tern::blackbox
