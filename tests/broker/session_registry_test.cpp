// SessionRegistry: lookup by client id and session id, ownership encoded in ids, and expiry in
// deadline order (MQTT 5.0 section 3.1.2.11.2; MQTT 3.1.1 persistent_client_expiration).
#include "broker/session_registry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace tern::broker {
namespace {

using namespace std::chrono_literals;

const Clock::time_point t0{std::chrono::hours(1000)};

TEST(SessionRegistry, FindsByClientIdAndById) {
  SessionRegistry registry(3);
  Session& a = registry.create("alpha");
  Session& b = registry.create("beta");
  EXPECT_EQ(registry.size(), 2u);
  EXPECT_EQ(registry.find("alpha"), &a);
  EXPECT_EQ(registry.find(b.id), &b);
  EXPECT_EQ(registry.find("gamma"), nullptr);
  EXPECT_EQ(registry.find(SessionId{12345}), nullptr);
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ(session_owner(a.id), 3u);
  EXPECT_EQ(session_owner(b.id), 3u);
  EXPECT_EQ(a.client_id, "alpha");
}

TEST(SessionRegistry, EraseForgetsBothKeysAndIdsAreNotReused) {
  SessionRegistry registry(0);
  Session& first = registry.create("c");
  SessionId first_id = first.id;
  registry.erase(first);
  EXPECT_TRUE(registry.empty());
  EXPECT_EQ(registry.find("c"), nullptr);
  EXPECT_EQ(registry.find(first_id), nullptr);
  Session& second = registry.create("c");
  EXPECT_NE(second.id, first_id);  // a delivery addressed to the old session cannot reach it
}

TEST(SessionRegistry, ClientIdKeyStaysValidAcrossRehashing) {
  SessionRegistry registry(1);
  for (int i = 0; i < 10'000; ++i)
    registry.create("client-" + std::to_string(i));
  for (int i = 0; i < 10'000; i += 997) {
    Session* session = registry.find("client-" + std::to_string(i));
    ASSERT_NE(session, nullptr);
    EXPECT_EQ(session->client_id, "client-" + std::to_string(i));
  }
}

TEST(SessionRegistry, OfflineSessionsExpireInDeadlineOrder) {
  SessionRegistry registry(0);
  Session& slow = registry.create("slow");
  slow.expiry_interval = 60s;
  Session& quick = registry.create("quick");
  quick.expiry_interval = 10s;
  Session& forever = registry.create("forever");
  forever.expiry_interval = kNeverExpires;
  registry.set_offline(slow, t0);
  registry.set_offline(quick, t0 + 5s);
  registry.set_offline(forever, t0);
  EXPECT_EQ(registry.expiring(), 2u);  // a session that never expires has no deadline

  EXPECT_TRUE(registry.expired(t0 + 14s).empty());
  auto due = registry.expired(t0 + 15s);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0], &quick);
  registry.erase(quick);

  due = registry.expired(t0 + 1000h);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0], &slow);
  EXPECT_EQ(slow.expires_at, t0 + 60s);  // counted from when its client left
}

TEST(SessionRegistry, ReturningClientCancelsItsDeadline) {
  SessionRegistry registry(0);
  Session& session = registry.create("back");
  session.expiry_interval = 30s;
  registry.set_offline(session, t0);
  registry.set_online(session);
  EXPECT_EQ(registry.expiring(), 0u);
  EXPECT_EQ(session.expires_at, kNotExpiring);
  EXPECT_TRUE(registry.expired(t0 + 1h).empty());

  // Leaving again starts a new deadline from the new time.
  registry.set_offline(session, t0 + 2h);
  EXPECT_TRUE(registry.expired(t0 + 2h + 29s).empty());
  EXPECT_EQ(registry.expired(t0 + 2h + 30s).size(), 1u);
}

TEST(SessionRegistry, ZeroIntervalExpiresAtOnce) {
  SessionRegistry registry(0);
  Session& session = registry.create("zero");
  registry.set_offline(session, t0);
  EXPECT_EQ(registry.expired(t0).size(), 1u);
}

TEST(SessionRegistry, LongestFiniteIntervalDoesNotOverflow) {
  SessionRegistry registry(0);
  Session& session = registry.create("long");
  session.expiry_interval = std::chrono::seconds{0xFFFFFFFE};  // about 136 years
  registry.set_offline(session, t0);
  EXPECT_TRUE(registry.expired(t0 + std::chrono::hours(24 * 365 * 100)).empty());
  EXPECT_EQ(registry.expired(t0 + std::chrono::seconds{0xFFFFFFFE}).size(), 1u);
}

TEST(SessionRegistry, ErasingAnOfflineSessionRemovesItsDeadline) {
  SessionRegistry registry(0);
  Session& session = registry.create("gone");
  session.expiry_interval = 5s;
  registry.set_offline(session, t0);
  registry.erase(session);
  EXPECT_EQ(registry.expiring(), 0u);
  EXPECT_TRUE(registry.expired(t0 + 1h).empty());
}

TEST(SessionRegistry, ForEachVisitsEverySession) {
  SessionRegistry registry(0);
  registry.create("a");
  registry.create("b");
  registry.create("c");
  std::string seen;
  registry.for_each([&](const Session& s) { seen += s.client_id; });
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, "abc");
}

}  // namespace
}  // namespace tern::broker
