// RetainedStore: set, replace, delete by empty payload, find, wildcard match with the '$' rule,
// pruning, deep topics, and a randomized differential test against mqtt::topic_matches.
#include "broker/retained_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "mqtt/topic.h"

namespace tern::broker {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

MessagePtr make_message(std::string topic, std::string payload = "x",
                        mqtt::QoS qos = mqtt::QoS::at_most_once) {
  auto message = std::make_shared<Message>();
  message->topic = std::move(topic);
  message->payload = std::move(payload);
  message->qos = qos;
  message->retain = true;
  return message;
}

std::vector<std::string> matched_topics(const RetainedStore& store, std::string_view filter) {
  std::vector<std::string> topics;
  store.match(filter, [&](const MessagePtr& message) { topics.push_back(message->topic); });
  std::sort(topics.begin(), topics.end());
  return topics;
}

TEST(RetainedStore, SetFindAndReplace) {
  RetainedStore store;
  EXPECT_EQ(store.find("a/b"), nullptr);
  store.set(make_message("a/b", "one"));
  EXPECT_EQ(store.size(), 1u);
  ASSERT_NE(store.find("a/b"), nullptr);
  EXPECT_EQ(store.find("a/b")->payload, "one");
  EXPECT_EQ(store.find("a"), nullptr);  // an interior node holds no message
  EXPECT_EQ(store.find("a/b/c"), nullptr);

  // [MQTT-3.3.1-5]: a new retained message replaces the one before.
  MessagePtr two = make_message("a/b", "two", mqtt::QoS::exactly_once);
  store.set(two);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.find("a/b"), two);
  EXPECT_EQ(store.node_count(), 2u);
}

TEST(RetainedStore, EmptyPayloadDeletesAndIsNotStored) {
  RetainedStore store;
  store.set(make_message("a/b", "kept"));
  store.set(make_message("a/c", "kept"));
  // MQTT 5.0 [MQTT-3.3.1-6], [MQTT-3.3.1-7]; MQTT 3.1.1 [MQTT-3.3.1-10], [MQTT-3.3.1-11].
  store.set(make_message("a/b", ""));
  EXPECT_EQ(store.find("a/b"), nullptr);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_THAT(matched_topics(store, "a/#"), ElementsAre("a/c"));
  // On a topic with no retained message: nothing is stored.
  store.set(make_message("z/y", ""));
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.node_count(), 2u);  // a, c
}

TEST(RetainedStore, EraseReturnsWhetherThereWasAMessage) {
  RetainedStore store;
  EXPECT_FALSE(store.erase("a"));
  store.set(make_message("a/b/c"));
  EXPECT_FALSE(store.erase("a"));
  EXPECT_FALSE(store.erase("a/b"));
  EXPECT_FALSE(store.erase("a/b/c/d"));
  EXPECT_TRUE(store.erase("a/b/c"));
  EXPECT_FALSE(store.erase("a/b/c"));
  EXPECT_TRUE(store.empty());
  EXPECT_EQ(store.node_count(), 0u);
}

TEST(RetainedStore, ErasePrunesEmptyNodesOnly) {
  RetainedStore store;
  store.set(make_message("a"));
  store.set(make_message("a/b/c/d"));
  store.set(make_message("a/b/x"));
  store.set(make_message("$SYS/uptime"));
  EXPECT_EQ(store.node_count(), 7u);  // a, b, c, d, x, $SYS, uptime
  EXPECT_TRUE(store.erase("a/b/c/d"));
  EXPECT_EQ(store.node_count(), 5u);  // b stays for x
  EXPECT_TRUE(store.erase("a"));
  EXPECT_EQ(store.node_count(), 5u);  // a stays for b/x
  EXPECT_THAT(matched_topics(store, "#"), ElementsAre("a/b/x"));
  EXPECT_TRUE(store.erase("a/b/x"));
  EXPECT_EQ(store.node_count(), 2u);
  EXPECT_TRUE(store.erase("$SYS/uptime"));
  EXPECT_EQ(store.node_count(), 0u);
  EXPECT_EQ(store.size(), 0u);
}

class RetainedStoreSpec : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* topic :
         {"sport", "sport/", "sport/tennis", "sport/tennis/player1", "sport/tennis/player1/ranking",
          "sport/tennis/player1/score/wimbledon", "sport/tennis/player2", "/finance", "finance",
          "Accounts", "Accounts payable", "a//b", "$SYS/monitor/Clients", "$SYS", "$share/x"}) {
      store_.set(make_message(topic));
    }
  }
  RetainedStore store_;
};

// MQTT 5.0 section 4.7 (the same examples in 3.1.1).
TEST_F(RetainedStoreSpec, MultiLevelWildcard) {
  EXPECT_THAT(matched_topics(store_, "sport/tennis/player1/#"),
              ElementsAre("sport/tennis/player1", "sport/tennis/player1/ranking",
                          "sport/tennis/player1/score/wimbledon"));
  EXPECT_THAT(matched_topics(store_, "sport/#"),
              ElementsAre("sport", "sport/", "sport/tennis", "sport/tennis/player1",
                          "sport/tennis/player1/ranking", "sport/tennis/player1/score/wimbledon",
                          "sport/tennis/player2"));
  EXPECT_THAT(
      matched_topics(store_, "#"),
      ElementsAre("/finance", "Accounts", "Accounts payable", "a//b", "finance", "sport", "sport/",
                  "sport/tennis", "sport/tennis/player1", "sport/tennis/player1/ranking",
                  "sport/tennis/player1/score/wimbledon", "sport/tennis/player2"));
}

TEST_F(RetainedStoreSpec, SingleLevelWildcard) {
  EXPECT_THAT(matched_topics(store_, "sport/tennis/+"),
              ElementsAre("sport/tennis/player1", "sport/tennis/player2"));
  EXPECT_THAT(matched_topics(store_, "sport/+"), ElementsAre("sport/", "sport/tennis"));
  EXPECT_THAT(matched_topics(store_, "+/+"), ElementsAre("/finance", "sport/", "sport/tennis"));
  EXPECT_THAT(matched_topics(store_, "/+"), ElementsAre("/finance"));
  EXPECT_THAT(matched_topics(store_, "+"),
              ElementsAre("Accounts", "Accounts payable", "finance", "sport"));
  EXPECT_THAT(matched_topics(store_, "+/tennis/#"),
              ElementsAre("sport/tennis", "sport/tennis/player1", "sport/tennis/player1/ranking",
                          "sport/tennis/player1/score/wimbledon", "sport/tennis/player2"));
  EXPECT_THAT(matched_topics(store_, "sport/+/player1"), ElementsAre("sport/tennis/player1"));
  EXPECT_THAT(matched_topics(store_, "a/+/b"), ElementsAre("a//b"));
  EXPECT_THAT(matched_topics(store_, "+/+/+/+/+/+"), IsEmpty());
}

TEST_F(RetainedStoreSpec, DollarTopics) {
  // [MQTT-4.7.2-1]
  EXPECT_THAT(matched_topics(store_, "+/monitor/Clients"), IsEmpty());
  EXPECT_THAT(matched_topics(store_, "$SYS/#"), ElementsAre("$SYS", "$SYS/monitor/Clients"));
  EXPECT_THAT(matched_topics(store_, "$SYS/monitor/+"), ElementsAre("$SYS/monitor/Clients"));
  EXPECT_THAT(matched_topics(store_, "$SYS/monitor/Clients"), ElementsAre("$SYS/monitor/Clients"));
  EXPECT_THAT(matched_topics(store_, "$share/+"), ElementsAre("$share/x"));
}

TEST_F(RetainedStoreSpec, ExactFiltersAreCaseSensitive) {
  EXPECT_THAT(matched_topics(store_, "ACCOUNTS"), IsEmpty());
  EXPECT_THAT(matched_topics(store_, "Accounts"), ElementsAre("Accounts"));
  EXPECT_THAT(matched_topics(store_, "Accounts payable"), ElementsAre("Accounts payable"));
  EXPECT_THAT(matched_topics(store_, "/finance"), ElementsAre("/finance"));
  EXPECT_THAT(matched_topics(store_, "finance"), ElementsAre("finance"));
  EXPECT_THAT(matched_topics(store_, "sport/tennis/player3"), IsEmpty());
}

TEST(RetainedStore, MatchReportsTheStoredMessages) {
  RetainedStore store;
  MessagePtr message = make_message("a/b", "payload", mqtt::QoS::at_least_once);
  store.set(message);
  std::vector<MessagePtr> seen;
  store.match("a/+", [&](const MessagePtr& m) { seen.push_back(m); });
  EXPECT_THAT(seen, ElementsAre(message));  // the same shared message, not a copy
}

TEST(RetainedStore, DeepTopicsDoNotExhaustTheStack) {
  std::string deep = "a";
  for (int i = 1; i < 30'000; ++i)
    deep += "/a";
  RetainedStore store;
  store.set(make_message(deep));
  store.set(make_message(deep + "/b"));
  EXPECT_THAT(matched_topics(store, "#").size(), 2u);
  EXPECT_THAT(matched_topics(store, deep + "/+"), ElementsAre(deep + "/b"));
  EXPECT_TRUE(store.erase(deep + "/b"));
  EXPECT_EQ(store.node_count(), 30'000u);
  EXPECT_TRUE(store.erase(deep));
  EXPECT_EQ(store.node_count(), 0u);
  RetainedStore other;  // the destructor frees a deep tree without recursion
  other.set(make_message(deep));
}

// Random sets and erases over a small alphabet of levels, checked against a map and
// mqtt::topic_matches with random filters.
TEST(RetainedStore, RandomizedAgainstTopicMatches) {
  std::mt19937 rng(20240607);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const std::vector<std::string> topic_levels = {"a", "b", "c", "", "$x", "$SYS"};
  const std::vector<std::string> filter_levels = {"a", "b", "", "$x", "+", "+", "$SYS"};
  auto random_text = [&](const std::vector<std::string>& alphabet, bool filter) {
    while (true) {
      std::string text;
      int levels = 1 + pick(4);
      for (int i = 0; i < levels; ++i) {
        if (i > 0) text += '/';
        text += filter && i + 1 == levels && pick(4) == 0
                    ? "#"
                    : alphabet[pick(static_cast<int>(alphabet.size()))];
      }
      if (filter ? mqtt::is_valid_topic_filter(text) : mqtt::is_valid_topic_name(text)) {
        return text;
      }
    }
  };

  std::map<std::string, std::string> model;  // topic -> payload
  RetainedStore store;
  for (int step = 0; step < 2000; ++step) {
    std::string topic = random_text(topic_levels, false);
    switch (pick(4)) {
      case 0:
        ASSERT_EQ(store.erase(topic), model.erase(topic) == 1) << topic;
        break;
      case 1:
        store.set(make_message(topic, ""));
        model.erase(topic);
        break;
      default: {
        std::string payload = std::to_string(step);
        store.set(make_message(topic, payload));
        model[topic] = payload;
      }
    }
    ASSERT_EQ(store.size(), model.size());

    for (int probe = 0; probe < 3; ++probe) {
      std::string filter = random_text(filter_levels, true);
      std::vector<std::string> expected;
      for (const auto& [t, payload] : model) {
        if (mqtt::topic_matches(filter, t)) expected.push_back(t + "=" + payload);
      }
      std::vector<std::string> actual;
      store.match(filter,
                  [&](const MessagePtr& m) { actual.push_back(m->topic + "=" + m->payload); });
      std::sort(actual.begin(), actual.end());
      std::sort(expected.begin(), expected.end());
      ASSERT_EQ(actual, expected) << filter;
    }
    std::string probe = random_text(topic_levels, false);
    MessagePtr found = store.find(probe);
    auto it = model.find(probe);
    ASSERT_EQ(found != nullptr, it != model.end()) << probe;
    if (found) {
      ASSERT_EQ(found->payload, it->second);
    }
  }

  for (const auto& [topic, payload] : model)
    ASSERT_TRUE(store.erase(topic));
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.node_count(), 0u);
}

}  // namespace
}  // namespace tern::broker
