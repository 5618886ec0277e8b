// SubscriptionTree: the wildcard examples of MQTT 5.0 section 4.7, '$' topics, overlapping and
// replaced subscriptions, shared groups, pruning, no allocation in match, and a randomized
// differential test against mqtt::topic_matches.
#include "broker/topic_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <new>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "mqtt/topic.h"

// Counts operator new calls while a test asks, to check that match does not allocate. Replacing
// the global operator new is allowed by the standard; it only forwards to malloc. The deletes are
// not inlined so that GCC does not take the malloc/free pair inside for a new/free mismatch.
namespace {
std::atomic<bool> g_count_allocations{false};
std::atomic<std::size_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (g_count_allocations.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace tern::broker {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

SubscriptionOptions options_with_id(std::uint32_t id, mqtt::QoS qos = mqtt::QoS::at_most_once) {
  SubscriptionOptions options;
  options.max_qos = qos;
  options.subscription_id = id;
  return options;
}

std::string describe(const Subscriber& s) {
  std::ostringstream os;
  os << "{session " << s.session << ", qos " << static_cast<int>(s.options.max_qos) << ", id "
     << s.options.subscription_id << (s.options.no_local ? ", no_local" : "")
     << (s.options.retain_as_published ? ", rap" : "") << "}";
  return os.str();
}

struct Group {
  std::string name;
  std::vector<Subscriber> members;
  bool operator==(const Group&) const = default;
};

std::string describe(const Group& g) {
  std::string text = g.name;  // not `g.name + ":"`: GCC 12 -Wrestrict false positive at -O3
  text += ':';
  for (const Subscriber& s : g.members)
    (text += ' ') += describe(s);
  return text;
}

void PrintTo(const Group& g, std::ostream* os) {
  *os << describe(g);
}

// Readable and order-free: the descriptions, sorted.
template <class T>
std::vector<std::string> describe_sorted(const std::vector<T>& items) {
  std::vector<std::string> result;
  for (const T& item : items)
    result.push_back(describe(item));
  std::sort(result.begin(), result.end());
  return result;
}

struct Matches {
  std::vector<Subscriber> subscribers;
  std::vector<Group> groups;
};

Matches match_all(const SubscriptionTree& tree, std::string_view topic) {
  Matches matches;
  tree.match(
      topic, [&](const Subscriber& s) { matches.subscribers.push_back(s); },
      [&](std::string_view group, std::span<const Subscriber> members) {
        matches.groups.push_back(Group{std::string(group), {members.begin(), members.end()}});
      });
  return matches;
}

// Sessions of the non-shared matches, sorted.
std::vector<SessionId> sessions(const SubscriptionTree& tree, std::string_view topic) {
  std::vector<SessionId> result;
  for (const Subscriber& s : match_all(tree, topic).subscribers)
    result.push_back(s.session);
  std::sort(result.begin(), result.end());
  return result;
}

bool matches_one(std::string_view filter, std::string_view topic) {
  SubscriptionTree tree;
  tree.subscribe(filter, 1, {});
  return !sessions(tree, topic).empty();
}

struct Example {
  std::string_view filter;
  std::string_view topic;
  bool matches;
};

// MQTT 5.0 sections 4.7.1.2, 4.7.1.3, 4.7.2 and 4.7.3 (the same examples in 3.1.1).
constexpr Example kSpecExamples[] = {
    // 4.7.1.2 multi-level wildcard
    {"sport/tennis/player1/#", "sport/tennis/player1", true},
    {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
    {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
    {"sport/tennis/player1/#", "sport/tennis/player2", false},
    {"sport/tennis/player1/#", "sport/tennis", false},
    {"sport/#", "sport", true},  // '#' includes the parent level
    {"sport/#", "sport/", true},
    {"sport/#", "sport/tennis/player1", true},
    {"sport/#", "sports", false},
    {"#", "sport/tennis/player1", true},
    {"#", "/", true},
    {"sport/tennis/#", "sport/tennis/player1", true},
    {"sport/tennis/#", "sport/tennis", true},
    {"sport/tennis/#", "sport", false},
    // 4.7.1.3 single-level wildcard
    {"sport/tennis/+", "sport/tennis/player1", true},
    {"sport/tennis/+", "sport/tennis/player2", true},
    {"sport/tennis/+", "sport/tennis/player1/ranking", false},
    {"sport/+", "sport", false},
    {"sport/+", "sport/", true},
    {"+", "sport", true},
    {"+/tennis/#", "sport/tennis/player1", true},
    {"+/tennis/#", "sport/tennis", true},
    {"sport/+/player1", "sport/tennis/player1", true},
    {"sport/+/player1", "sport/tennis/x/player1", false},
    {"+/+", "/finance", true},
    {"/+", "/finance", true},
    {"+", "/finance", false},
    {"+/#", "a", true},
    {"+/+/#", "a", false},
    // 4.7.2 topics beginning with '$' [MQTT-4.7.2-1]
    {"#", "$SYS/monitor/Clients", false},
    {"+/monitor/Clients", "$SYS/monitor/Clients", false},
    {"$SYS/#", "$SYS/monitor/Clients", true},
    {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
    {"$SYS/#", "$SYS", true},
    {"+", "$SYS", false},
    {"#", "$", false},
    {"+/#", "$SYS/x", false},
    {"$SYS", "$SYS", true},
    {"+/+", "a/$b", true},  // the rule is about the first character of the topic only
    {"#", "a/$b", true},
    // 4.7.3 topic semantics
    {"ACCOUNTS", "Accounts", false},
    {"Accounts", "Accounts", true},
    {"Accounts payable", "Accounts payable", true},
    {"/finance", "finance", false},
    {"finance", "/finance", false},
    {"/finance", "/finance", true},
    // empty levels
    {"a/+/b", "a//b", true},
    {"a//b", "a//b", true},
    {"a/b", "a//b", false},
    {"a/#", "a//b", true},
    {"/", "/", true},
    {"+/+", "/", true},
    {"+", "/", false},
};

TEST(SubscriptionTree, SpecExamples) {
  for (const Example& example : kSpecExamples) {
    EXPECT_EQ(matches_one(example.filter, example.topic), example.matches)
        << example.filter << " vs " << example.topic;
    // The table agrees with the codec's reference matcher.
    EXPECT_EQ(mqtt::topic_matches(example.filter, example.topic), example.matches)
        << example.filter << " vs " << example.topic;
  }
}

TEST(SubscriptionTree, SpecExamplesInOneTree) {
  SubscriptionTree tree;
  SessionId session = 1;
  std::map<std::string_view, SessionId> session_of;
  for (const Example& example : kSpecExamples) {
    if (!session_of.contains(example.filter)) {
      session_of[example.filter] = session;
      EXPECT_TRUE(tree.subscribe(example.filter, session++, {}));
    }
  }
  EXPECT_EQ(tree.size(), session_of.size());
  for (const Example& example : kSpecExamples) {
    std::vector<SessionId> matched = sessions(tree, example.topic);
    bool found = std::binary_search(matched.begin(), matched.end(), session_of[example.filter]);
    EXPECT_EQ(found, example.matches) << example.filter << " vs " << example.topic;
  }
}

TEST(SubscriptionTree, EmptyTreeMatchesNothing) {
  SubscriptionTree tree;
  Matches matches = match_all(tree, "a/b");
  EXPECT_THAT(matches.subscribers, IsEmpty());
  EXPECT_THAT(matches.groups, IsEmpty());
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_TRUE(tree.empty());
  EXPECT_EQ(tree.node_count(), 0u);
}

TEST(SubscriptionTree, SubscribeReturnsTrueOnlyWhenNewAndReplacesOptions) {
  SubscriptionTree tree;
  EXPECT_TRUE(tree.subscribe("a/+", 7, options_with_id(1, mqtt::QoS::at_most_once)));
  SubscriptionOptions replaced = options_with_id(2, mqtt::QoS::exactly_once);
  replaced.no_local = true;
  replaced.retain_as_published = true;
  // [MQTT-3.8.4-3]: an identical filter replaces the subscription.
  EXPECT_FALSE(tree.subscribe("a/+", 7, replaced));
  EXPECT_EQ(tree.size(), 1u);
  EXPECT_THAT(match_all(tree, "a/b").subscribers, ElementsAre(Subscriber{7, replaced}));
  // Another session, or another filter matching the same topics, is a new subscription.
  EXPECT_TRUE(tree.subscribe("a/+", 8, {}));
  EXPECT_TRUE(tree.subscribe("a/#", 7, {}));
  EXPECT_EQ(tree.size(), 3u);
}

TEST(SubscriptionTree, SubscribersOfAFilterAreReportedSortedBySession) {
  SubscriptionTree tree;
  for (SessionId session : {5, 3, 9, 1, 7})
    tree.subscribe("x", session, {});
  std::vector<SessionId> order;
  tree.match(
      "x", [&](const Subscriber& s) { order.push_back(s.session); },
      [](std::string_view, std::span<const Subscriber>) {});
  EXPECT_THAT(order, ElementsAre(1, 3, 5, 7, 9));
  EXPECT_EQ(tree.node_count(), 1u);
}

TEST(SubscriptionTree, OverlappingSubscriptionsAreReportedOncePerFilter) {
  SubscriptionTree tree;
  tree.subscribe("a/#", 1, options_with_id(10, mqtt::QoS::at_most_once));
  tree.subscribe("a/+", 1, options_with_id(11, mqtt::QoS::at_least_once));
  tree.subscribe("a/b", 1, options_with_id(12, mqtt::QoS::exactly_once));
  tree.subscribe("#", 1, options_with_id(13));
  tree.subscribe("+/b", 2, options_with_id(14));
  tree.subscribe("a/c", 2, options_with_id(15));
  std::vector<std::uint32_t> ids;
  for (const Subscriber& s : match_all(tree, "a/b").subscribers) {
    ids.push_back(s.options.subscription_id);
  }
  // The broker merges session 1's four matches: highest QoS, all identifiers [MQTT-3.3.4-2].
  EXPECT_THAT(ids, UnorderedElementsAre(10, 11, 12, 13, 14));
}

TEST(SubscriptionTree, UnsubscribeOfAnAbsentSubscriptionReturnsFalse) {
  SubscriptionTree tree;
  EXPECT_FALSE(tree.unsubscribe("a/b", 1));
  tree.subscribe("a/b", 1, {});
  tree.subscribe("$share/g/c", 1, {});
  EXPECT_FALSE(tree.unsubscribe("a/b", 2));           // another session
  EXPECT_FALSE(tree.unsubscribe("a", 1));             // an interior node
  EXPECT_FALSE(tree.unsubscribe("a/b/c", 1));         // below the node
  EXPECT_FALSE(tree.unsubscribe("a/+", 1));           // a wildcard is not a literal
  EXPECT_FALSE(tree.unsubscribe("a/#", 1));           //
  EXPECT_FALSE(tree.unsubscribe("$share/g/a/b", 1));  // shared is not the plain filter
  EXPECT_FALSE(tree.unsubscribe("c", 1));             // plain is not the shared filter
  EXPECT_FALSE(tree.unsubscribe("$share/h/c", 1));    // another group
  EXPECT_FALSE(tree.unsubscribe("$share/g/c", 2));    // another member
  EXPECT_EQ(tree.size(), 2u);
  EXPECT_EQ(tree.node_count(), 3u);
  EXPECT_TRUE(tree.unsubscribe("a/b", 1));
  EXPECT_FALSE(tree.unsubscribe("a/b", 1));  // already gone
  EXPECT_TRUE(tree.unsubscribe("$share/g/c", 1));
  EXPECT_FALSE(tree.unsubscribe("$share/g/c", 1));
  EXPECT_TRUE(tree.empty());
  EXPECT_EQ(tree.node_count(), 0u);
}

TEST(SubscriptionTree, UnsubscribePrunesEmptyNodesOnly) {
  SubscriptionTree tree;
  tree.subscribe("a/b/c", 1, {});
  tree.subscribe("a/x", 1, {});
  tree.subscribe("a/b/c/d/e", 2, {});
  EXPECT_EQ(tree.node_count(), 6u);  // a, b, c, d, e, x

  // c keeps its subtree: nothing is freed.
  EXPECT_TRUE(tree.unsubscribe("a/b/c", 1));
  EXPECT_EQ(tree.node_count(), 6u);
  EXPECT_THAT(sessions(tree, "a/b/c/d/e"), ElementsAre(2));
  EXPECT_THAT(sessions(tree, "a/b/c"), IsEmpty());

  // The chain b/c/d/e goes; a stays for x.
  EXPECT_TRUE(tree.unsubscribe("a/b/c/d/e", 2));
  EXPECT_EQ(tree.node_count(), 2u);
  EXPECT_THAT(sessions(tree, "a/x"), ElementsAre(1));

  EXPECT_TRUE(tree.unsubscribe("a/x", 1));
  EXPECT_EQ(tree.node_count(), 0u);
  EXPECT_EQ(tree.size(), 0u);
}

TEST(SubscriptionTree, PruningStopsAtANodeWithSubscribersOrWildcardChildren) {
  SubscriptionTree tree;
  tree.subscribe("a", 1, {});
  tree.subscribe("a/+/#", 1, {});
  tree.subscribe("a/+", 2, {});
  tree.subscribe("$SYS/#", 3, {});
  EXPECT_EQ(tree.node_count(), 5u);  // a, +, #, $SYS, #
  EXPECT_TRUE(tree.unsubscribe("a/+/#", 1));
  EXPECT_EQ(tree.node_count(), 4u);
  EXPECT_THAT(sessions(tree, "a/z"), ElementsAre(2));
  EXPECT_TRUE(tree.unsubscribe("a/+", 2));
  EXPECT_EQ(tree.node_count(), 3u);
  EXPECT_THAT(sessions(tree, "a"), ElementsAre(1));
  EXPECT_TRUE(tree.unsubscribe("a", 1));
  EXPECT_TRUE(tree.unsubscribe("$SYS/#", 3));
  EXPECT_EQ(tree.node_count(), 0u);
}

TEST(SubscriptionTree, ManySubscriptionsAllRemovedLeaveAnEmptyTree) {
  SubscriptionTree tree;
  std::vector<std::string> filters;
  for (int i = 0; i < 1000; ++i) {
    filters.push_back("device/" + std::to_string(i) + "/status");
    filters.push_back("device/" + std::to_string(i % 10) + "/+/x/#");
  }
  filters.push_back("#");
  filters.push_back("$SYS/broker/+");
  std::size_t added = 0;
  for (std::size_t i = 0; i < filters.size(); ++i) {
    added += tree.subscribe(filters[i], i % 3, {}) ? 1 : 0;
  }
  EXPECT_EQ(tree.size(), added);
  EXPECT_GT(tree.node_count(), 2000u);
  for (std::size_t i = 0; i < filters.size(); ++i)
    tree.unsubscribe(filters[i], i % 3);
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_EQ(tree.node_count(), 0u);
  EXPECT_THAT(match_all(tree, "device/1/status").subscribers, IsEmpty());
}

// A node keeps few children in a vector and many in a hash map; lookups work across the moves.
TEST(SubscriptionTree, ManyChildrenOfOneLevelGrowAndShrink) {
  constexpr int kChildren = 40;
  SubscriptionTree tree;
  auto filter = [](int i) { return "n/" + std::to_string(i); };
  for (int i = 0; i < kChildren; ++i) {
    tree.subscribe(filter(i), static_cast<SessionId>(i), {});
    for (int j = 0; j <= i; ++j)
      ASSERT_THAT(sessions(tree, filter(j)), ElementsAre(j)) << i;
  }
  for (int i = 0; i < kChildren; ++i) {
    ASSERT_TRUE(tree.unsubscribe(filter(i), static_cast<SessionId>(i)));
    ASSERT_THAT(sessions(tree, filter(i)), IsEmpty());
    for (int j = i + 1; j < kChildren; ++j)
      ASSERT_THAT(sessions(tree, filter(j)), ElementsAre(j));
    ASSERT_EQ(tree.node_count(), i + 1 == kChildren ? 0u : static_cast<std::size_t>(kChildren - i));
  }
}

TEST(SubscriptionTree, SharedGroupsAreReportedOncePerGroupWithTheirMembers) {
  SubscriptionTree tree;
  EXPECT_TRUE(tree.subscribe("$share/g/a/+", 2, options_with_id(1)));
  EXPECT_TRUE(tree.subscribe("$share/g/a/+", 1, options_with_id(2)));
  EXPECT_TRUE(tree.subscribe("$share/h/a/+", 3, options_with_id(3)));
  EXPECT_TRUE(tree.subscribe("a/+", 4, options_with_id(4)));
  EXPECT_TRUE(tree.subscribe("a/+", 1, options_with_id(5)));            // also shared: both count
  EXPECT_FALSE(tree.subscribe("$share/g/a/+", 1, options_with_id(6)));  // replaced
  EXPECT_EQ(tree.size(), 5u);
  EXPECT_EQ(tree.node_count(), 2u);  // the groups live on the node of "a/+"

  Matches matches = match_all(tree, "a/b");
  EXPECT_THAT(matches.subscribers, UnorderedElementsAre(Subscriber{4, options_with_id(4)},
                                                        Subscriber{1, options_with_id(5)}));
  EXPECT_THAT(
      matches.groups,
      UnorderedElementsAre(
          Group{"g", {Subscriber{1, options_with_id(6)}, Subscriber{2, options_with_id(1)}}},
          Group{"h", {Subscriber{3, options_with_id(3)}}}));
  EXPECT_THAT(match_all(tree, "a").groups, IsEmpty());

  EXPECT_TRUE(tree.unsubscribe("$share/g/a/+", 1));
  matches = match_all(tree, "a/b");
  EXPECT_THAT(matches.groups,
              UnorderedElementsAre(Group{"g", {Subscriber{2, options_with_id(1)}}},
                                   Group{"h", {Subscriber{3, options_with_id(3)}}}));
  EXPECT_TRUE(tree.unsubscribe("$share/h/a/+", 3));  // the last member: the group goes
  EXPECT_THAT(match_all(tree, "a/b").groups,
              ElementsAre(Group{"g", {Subscriber{2, options_with_id(1)}}}));
  EXPECT_TRUE(tree.unsubscribe("$share/g/a/+", 2));
  EXPECT_THAT(match_all(tree, "a/b").groups, IsEmpty());
  EXPECT_EQ(tree.node_count(), 2u);  // "a/+" still has subscribers
  EXPECT_TRUE(tree.unsubscribe("a/+", 4));
  EXPECT_TRUE(tree.unsubscribe("a/+", 1));
  EXPECT_EQ(tree.node_count(), 0u);
}

TEST(SubscriptionTree, OneGroupWithSeveralMatchingFiltersIsReportedPerFilter) {
  SubscriptionTree tree;
  tree.subscribe("$share/g/a/#", 1, {});
  tree.subscribe("$share/g/a/b", 2, {});
  Matches matches = match_all(tree, "a/b");
  EXPECT_THAT(matches.groups, UnorderedElementsAre(Group{"g", {Subscriber{1, {}}}},
                                                   Group{"g", {Subscriber{2, {}}}}));
}

TEST(SubscriptionTree, SharedSubscriptionsFollowTheDollarRule) {
  SubscriptionTree tree;
  tree.subscribe("$share/g/#", 1, {});
  tree.subscribe("$share/g/+/monitor/Clients", 2, {});
  tree.subscribe("$share/g/$SYS/#", 3, {});
  auto members_of = [&](std::string_view topic) {
    std::vector<SessionId> result;
    for (const Group& group : match_all(tree, topic).groups) {
      for (const Subscriber& s : group.members)
        result.push_back(s.session);
    }
    std::sort(result.begin(), result.end());
    return result;
  };
  EXPECT_THAT(members_of("$SYS/monitor/Clients"), ElementsAre(3));  // [MQTT-4.7.2-1]
  EXPECT_THAT(members_of("x/monitor/Clients"), ElementsAre(1, 2));
}

TEST(SubscriptionTree, ShareNameIsNotPartOfTheMatchedFilter) {
  SubscriptionTree tree;
  tree.subscribe("$share/sport/tennis", 1, {});
  EXPECT_THAT(match_all(tree, "tennis").groups, ElementsAre(Group{"sport", {Subscriber{1, {}}}}));
  EXPECT_THAT(match_all(tree, "sport/tennis").groups, IsEmpty());
  EXPECT_THAT(match_all(tree, "$share/sport/tennis").groups, IsEmpty());
}

TEST(SubscriptionTree, DollarShareAloneIsAnOrdinaryDollarFilter) {
  SubscriptionTree tree;
  tree.subscribe("$share", 1, {});  // no '/': not a shared subscription
  EXPECT_THAT(sessions(tree, "$share"), ElementsAre(1));
  EXPECT_THAT(match_all(tree, "$share").groups, IsEmpty());
}

TEST(SubscriptionTree, MatchDoesNotAllocate) {
  SubscriptionTree tree;
  for (int i = 0; i < 100; ++i) {
    tree.subscribe("device/" + std::to_string(i) + "/status", static_cast<SessionId>(i), {});
  }
  tree.subscribe("device/+/status", 1000, {});
  tree.subscribe("device/#", 1001, {});
  tree.subscribe("#", 1002, {});
  tree.subscribe("$share/g/device/+/status", 1003, {});
  // A level longer than the small-string buffer, to catch a std::string built per lookup.
  std::string topic = "device/42/status";
  std::string long_topic = "device/" + std::string(100, 'x') + "/status";
  std::size_t reported = 0;
  auto on_subscriber = [&](const Subscriber&) { ++reported; };
  auto on_group = [&](std::string_view, std::span<const Subscriber>) { ++reported; };

  g_allocations = 0;
  g_count_allocations = true;
  tree.match(topic, on_subscriber, on_group);
  tree.match(long_topic, on_subscriber, on_group);
  g_count_allocations = false;
  EXPECT_EQ(g_allocations.load(), 0u);
  EXPECT_EQ(reported, 5u + 4u);
}

TEST(SubscriptionTree, DeepFiltersDoNotExhaustTheStack) {
  // 30,000 levels: close to the 65,535-byte limit of a filter.
  auto levels = [](int n, std::string_view first, std::string_view rest) {
    std::string text(first);
    for (int i = 1; i < n; ++i)
      (text += '/') += rest;
    return text;
  };
  const std::string deep = levels(30'000, "a", "a");
  SubscriptionTree tree;
  tree.subscribe(deep, 1, {});
  tree.subscribe(deep + "/#", 2, {});
  // Each '+' level followed is one recursion in match: the broker bounds topic depth.
  tree.subscribe(levels(1'000, "a", "+"), 3, {});
  EXPECT_THAT(sessions(tree, deep), ElementsAre(1, 2));
  EXPECT_THAT(sessions(tree, levels(1'000, "a", "a")), ElementsAre(3));
  EXPECT_TRUE(tree.unsubscribe(deep, 1));
  EXPECT_TRUE(tree.unsubscribe(deep + "/#", 2));
  EXPECT_EQ(tree.node_count(), 1'000u);  // "a/+/+/..." remains
  // Destructors free deep trees without recursion.
  SubscriptionTree other;
  other.subscribe(deep, 1, {});
}

// A random sequence of subscribes and unsubscribes over a small alphabet of levels, checked
// after every step against a model that matches with mqtt::topic_matches.
TEST(SubscriptionTree, RandomizedAgainstTopicMatches) {
  std::mt19937 rng(20240607);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const std::vector<std::string> topic_levels = {"a", "b", "c", "", "$x", "$SYS"};
  const std::vector<std::string> filter_levels = {"a", "b", "", "$x", "+", "+", "$SYS"};
  auto random_topic = [&] {
    while (true) {
      std::string topic;
      int levels = 1 + pick(4);
      for (int i = 0; i < levels; ++i) {
        if (i > 0) topic += '/';
        topic += topic_levels[pick(static_cast<int>(topic_levels.size()))];
      }
      if (mqtt::is_valid_topic_name(topic)) return topic;
    }
  };
  auto random_filter = [&] {
    while (true) {
      std::string filter;
      int levels = 1 + pick(4);
      for (int i = 0; i < levels; ++i) {
        if (i > 0) filter += '/';
        filter += i + 1 == levels && pick(4) == 0
                      ? "#"
                      : filter_levels[pick(static_cast<int>(filter_levels.size()))];
      }
      if (pick(5) == 0) filter = (pick(2) ? "$share/g1/" : "$share/g2/") + filter;
      if (mqtt::is_valid_topic_filter(filter)) return filter;
    }
  };

  using Key = std::pair<std::string, SessionId>;
  std::map<Key, SubscriptionOptions> model;
  SubscriptionTree tree;
  std::uint32_t next_id = 1;
  for (int step = 0; step < 3000; ++step) {
    if (model.empty() || pick(5) < 3) {
      std::string filter = random_filter();
      SessionId session = 1 + pick(8);
      SubscriptionOptions options = options_with_id(next_id++, static_cast<mqtt::QoS>(pick(3)));
      bool is_new = model.insert_or_assign({filter, session}, options).second;
      ASSERT_EQ(tree.subscribe(filter, session, options), is_new) << filter;
    } else if (pick(4) == 0) {
      // Probably absent.
      std::string filter = random_filter();
      SessionId session = 1 + pick(8);
      bool present = model.erase({filter, session}) == 1;
      ASSERT_EQ(tree.unsubscribe(filter, session), present) << filter;
    } else {
      auto it = model.begin();
      std::advance(it, pick(static_cast<int>(model.size())));
      ASSERT_TRUE(tree.unsubscribe(it->first.first, it->first.second)) << it->first.first;
      model.erase(it);
    }
    ASSERT_EQ(tree.size(), model.size());

    for (int probe = 0; probe < 3; ++probe) {
      std::string topic = random_topic();
      std::vector<Subscriber> expected_subscribers;
      std::map<std::pair<std::string, std::string>, std::vector<Subscriber>> expected_by_filter;
      for (const auto& [key, options] : model) {
        const auto& [filter, session] = key;
        if (auto shared = mqtt::parse_shared_filter(filter)) {
          if (mqtt::topic_matches(shared->filter, topic)) {
            expected_by_filter[{std::string(shared->share_name), std::string(shared->filter)}]
                .push_back(Subscriber{session, options});
          }
        } else if (mqtt::topic_matches(filter, topic)) {
          expected_subscribers.push_back(Subscriber{session, options});
        }
      }
      std::vector<Group> expected_groups;
      for (auto& [name_and_filter, members] : expected_by_filter) {
        std::sort(members.begin(), members.end(),
                  [](const Subscriber& x, const Subscriber& y) { return x.session < y.session; });
        expected_groups.push_back(Group{name_and_filter.first, members});
      }
      Matches matches = match_all(tree, topic);
      ASSERT_EQ(describe_sorted(matches.subscribers), describe_sorted(expected_subscribers))
          << topic;
      ASSERT_EQ(describe_sorted(matches.groups), describe_sorted(expected_groups)) << topic;
    }
  }

  for (const auto& [key, options] : model)
    ASSERT_TRUE(tree.unsubscribe(key.first, key.second));
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_EQ(tree.node_count(), 0u);
}

}  // namespace
}  // namespace tern::broker
