// Unit tests of SubscriptionRouter: which handlers a message reaches, by Subscription Identifier
// (MQTT 5.0 §3.3.4) or by filter matching (MQTT 5.0 §4.7). No sockets.
#include "tern/client/async_router.h"

#include <gtest/gtest.h>

#include <map>

namespace tern::client {
namespace {

// Counts calls per handler name.
class Calls {
 public:
  SubscriptionRouter::Handler handler(std::string name) {
    return [this, name](const Message&) { ++counts_[name]; };
  }
  // Runs whatever the router returns for `message`.
  void deliver(const SubscriptionRouter& router, const Message& message) {
    for (const auto& h : router.route(message))
      (*h)(message);
  }
  int operator[](const std::string& name) const {
    auto it = counts_.find(name);
    return it == counts_.end() ? 0 : it->second;
  }

 private:
  std::map<std::string, int> counts_;
};

Message message(std::string topic, std::vector<std::uint32_t> ids = {}) {
  Message m;
  m.topic = std::move(topic);
  m.properties.subscription_identifiers = std::move(ids);
  return m;
}

// MQTT 5.0 §4.7.1: a message on a/b matches both a/+ and a/#; each handler runs once.
TEST(SubscriptionRouter, OverlappingFiltersEachOnce) {
  SubscriptionRouter router;
  Calls calls;
  router.add("a/+", 0, calls.handler("plus"));
  router.add("a/#", 0, calls.handler("hash"));
  router.add("b/#", 0, calls.handler("b"));
  calls.deliver(router, message("a/b"));
  EXPECT_EQ(calls["plus"], 1);
  EXPECT_EQ(calls["hash"], 1);
  EXPECT_EQ(calls["b"], 0);
  // a/b/c: only a/# ('+' is exactly one level).
  calls.deliver(router, message("a/b/c"));
  EXPECT_EQ(calls["plus"], 1);
  EXPECT_EQ(calls["hash"], 2);
  // "a" matches a/# (the parent level) but not a/+ [MQTT-4.7.1-2].
  calls.deliver(router, message("a"));
  EXPECT_EQ(calls["hash"], 3);
  EXPECT_EQ(calls["plus"], 1);
}

TEST(SubscriptionRouter, NoMatchIsEmpty) {
  SubscriptionRouter router;
  Calls calls;
  router.add("x/y", 0, calls.handler("x"));
  EXPECT_TRUE(router.route(message("x/z")).empty());
}

// [MQTT-4.7.2-1]: wildcards at the first level do not match topics starting with '$'.
TEST(SubscriptionRouter, DollarTopicsNotMatchedByLeadingWildcards) {
  SubscriptionRouter router;
  Calls calls;
  router.add("#", 0, calls.handler("all"));
  router.add("$SYS/#", 0, calls.handler("sys"));
  calls.deliver(router, message("$SYS/broker/uptime"));
  EXPECT_EQ(calls["all"], 0);
  EXPECT_EQ(calls["sys"], 1);
}

// MQTT 5.0 §4.8.2: a shared subscription's messages match its inner filter.
TEST(SubscriptionRouter, SharedSubscriptionMatchesInnerFilter) {
  SubscriptionRouter router;
  Calls calls;
  router.add("$share/group/jobs/+", 0, calls.handler("shared"));
  calls.deliver(router, message("jobs/1"));
  EXPECT_EQ(calls["shared"], 1);
  calls.deliver(router, message("other/1"));
  EXPECT_EQ(calls["shared"], 1);
}

// MQTT 5.0 §3.3.4: a copy per matching subscription, each naming its own identifier (what
// mosquitto does): every handler still runs once per message overall.
TEST(SubscriptionRouter, ByIdentifierOneCopyPerSubscription) {
  SubscriptionRouter router;
  Calls calls;
  router.add("a/+", 1, calls.handler("plus"));
  router.add("a/#", 2, calls.handler("hash"));
  calls.deliver(router, message("a/b", {1}));
  calls.deliver(router, message("a/b", {2}));
  EXPECT_EQ(calls["plus"], 1);
  EXPECT_EQ(calls["hash"], 1);
}

// One copy carrying every matching identifier (what tern does).
TEST(SubscriptionRouter, ByIdentifierOneCopyWithAll) {
  SubscriptionRouter router;
  Calls calls;
  router.add("a/+", 7, calls.handler("plus"));
  router.add("a/#", 9, calls.handler("hash"));
  calls.deliver(router, message("a/b", {9, 7}));
  EXPECT_EQ(calls["plus"], 1);
  EXPECT_EQ(calls["hash"], 1);
}

// Unknown identifiers (a subscription of an earlier run, say) fall back to filter matching.
TEST(SubscriptionRouter, UnknownIdentifierFallsBackToMatching) {
  SubscriptionRouter router;
  Calls calls;
  router.add("a/#", 3, calls.handler("hash"));
  calls.deliver(router, message("a/b", {42}));
  EXPECT_EQ(calls["hash"], 1);
}

// [MQTT-3.8.4-3]: subscribing to the same filter again replaces the subscription.
TEST(SubscriptionRouter, AddReplacesAndRemoveForgets) {
  SubscriptionRouter router;
  Calls calls;
  router.add("t", 1, calls.handler("old"));
  router.add("t", 2, calls.handler("new"));
  EXPECT_EQ(router.size(), 1u);
  EXPECT_EQ(router.subscription_id("t"), 2u);
  calls.deliver(router, message("t", {1}));  // identifier 1 is gone: matched by filter
  calls.deliver(router, message("t", {2}));
  EXPECT_EQ(calls["old"], 0);
  EXPECT_EQ(calls["new"], 2);
  EXPECT_TRUE(router.remove("t"));
  EXPECT_FALSE(router.remove("t"));
  EXPECT_FALSE(router.contains("t"));
  EXPECT_TRUE(router.route(message("t", {2})).empty());
}

TEST(SubscriptionRouter, UnusedIdentifiersSkipThoseInUse) {
  SubscriptionRouter router;
  Calls calls;
  router.add("a", 1, calls.handler("a"));
  router.add("b", 2, calls.handler("b"));
  std::uint32_t id = router.unused_subscription_id();
  EXPECT_NE(id, 1u);
  EXPECT_NE(id, 2u);
  EXPECT_GE(id, 1u);
  EXPECT_LE(id, 268'435'455u);
}

// A handler may remove routes while the handlers of the same message run: they stay alive.
TEST(SubscriptionRouter, HandlersOutliveRemoval) {
  SubscriptionRouter router;
  int calls = 0;
  router.add("a/+", 0, [&](const Message&) {
    router.remove("a/+");
    router.remove("a/#");
    ++calls;
  });
  router.add("a/#", 0, [&](const Message&) { ++calls; });
  auto handlers = router.route(message("a/b"));
  ASSERT_EQ(handlers.size(), 2u);
  for (const auto& h : handlers)
    (*h)(message("a/b"));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(router.size(), 0u);
}

// Many filters: only the matching ones run.
TEST(SubscriptionRouter, ManyFilters) {
  SubscriptionRouter router;
  std::vector<int> hits(200, 0);
  for (int i = 0; i < 200; ++i) {
    router.add("many/" + std::to_string(i) + "/#", 0, [&hits, i](const Message&) { ++hits[i]; });
  }
  for (const auto& h : router.route(message("many/17/x")))
    (*h)(message("many/17/x"));
  for (int i = 0; i < 200; ++i)
    EXPECT_EQ(hits[i], i == 17 ? 1 : 0) << i;
}

}  // namespace
}  // namespace tern::client
