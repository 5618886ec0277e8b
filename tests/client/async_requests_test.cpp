// Unit tests of RequestTable (MQTT 5.0 §4.10 request/response bookkeeping: Correlation Data,
// deadlines). No sockets, no sleeping: time is a variable. (The reconnect backoff is tested in
// robust_backoff_test.cpp.)
#include "tern/client/async_requests.h"

#include <gtest/gtest.h>

#include <set>

namespace tern::client {
namespace {

using namespace std::chrono_literals;

Message response(std::optional<std::string> correlation, std::string payload = "answer") {
  Message m;
  m.topic = "resp";
  m.payload = std::move(payload);
  m.properties.correlation_data = std::move(correlation);
  return m;
}

struct Outcome {
  std::optional<Result<Message>> result;
  int calls = 0;
  RequestTable::Completion completion() {
    return [this](Result<Message> r) {
      result.emplace(std::move(r));
      ++calls;
    };
  }
};

TEST(RequestTable, CorrelationDataIsUnique) {
  RequestTable a(1), b(2);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(seen.insert(a.next_correlation_data()).second);
    EXPECT_TRUE(seen.insert(b.next_correlation_data()).second);  // another table's prefix
  }
}

// MQTT 5.0 §4.10.1: the response is matched by its Correlation Data.
TEST(RequestTable, CompletesTheMatchingRequestOnce) {
  RequestTable table(7);
  TimePoint t0{};
  Outcome first, second;
  std::string c1 = table.next_correlation_data();
  std::string c2 = table.next_correlation_data();
  table.add(c1, t0 + 1s, first.completion());
  table.add(c2, t0 + 1s, second.completion());
  EXPECT_TRUE(table.complete(response(c2, "two")));
  ASSERT_EQ(second.calls, 1);
  ASSERT_TRUE(second.result->ok());
  EXPECT_EQ((*second.result)->payload, "two");
  EXPECT_EQ(first.calls, 0);
  // A duplicate response, one without Correlation Data, one of someone else: nothing.
  EXPECT_FALSE(table.complete(response(c2)));
  EXPECT_FALSE(table.complete(response(std::nullopt)));
  EXPECT_FALSE(table.complete(response("other")));
  EXPECT_EQ(second.calls, 1);
  EXPECT_EQ(table.size(), 1u);
}

TEST(RequestTable, ExpiresAtDeadlineWithTimeout) {
  RequestTable table(7);
  TimePoint t0{};
  Outcome early, late;
  std::string c1 = table.next_correlation_data();
  std::string c2 = table.next_correlation_data();
  table.add(c1, t0 + 100ms, early.completion());
  table.add(c2, t0 + 300ms, late.completion());
  EXPECT_EQ(table.next_deadline(), t0 + 100ms);
  EXPECT_EQ(table.expire(t0 + 99ms), 0u);
  EXPECT_EQ(table.expire(t0 + 100ms), 1u);
  ASSERT_EQ(early.calls, 1);
  ASSERT_FALSE(early.result->ok());
  EXPECT_EQ(early.result->error().code, ErrorCode::timeout);
  EXPECT_EQ(table.next_deadline(), t0 + 300ms);
  // The late answer of the expired request finds nothing.
  EXPECT_FALSE(table.complete(response(c1)));
  EXPECT_TRUE(table.complete(response(c2)));
  EXPECT_FALSE(table.next_deadline().has_value());
  EXPECT_EQ(table.expire(t0 + 1h), 0u);
}

TEST(RequestTable, FailAndFailAll) {
  RequestTable table(7);
  TimePoint t0{};
  Outcome a, b, c;
  std::string ca = table.next_correlation_data();
  table.add(ca, t0 + 1s, a.completion());
  table.add(table.next_correlation_data(), t0 + 1s, b.completion());
  table.add(table.next_correlation_data(), t0 + 2s, c.completion());
  EXPECT_TRUE(table.fail(ca, Error{ErrorCode::not_supported, "refused"}));
  EXPECT_FALSE(table.fail(ca, Error{ErrorCode::not_supported, "again"}));
  EXPECT_EQ(a.result->error().code, ErrorCode::not_supported);
  table.fail_all(Error{ErrorCode::disconnected, "stopped"});
  EXPECT_EQ(b.calls, 1);
  EXPECT_EQ(c.calls, 1);
  EXPECT_EQ(c.result->error().code, ErrorCode::disconnected);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_FALSE(table.next_deadline().has_value());
}

// A completion may open a new request (the table is consistent while it runs).
TEST(RequestTable, CompletionMayAddRequests) {
  RequestTable table(7);
  TimePoint t0{};
  Outcome next;
  std::string c1 = table.next_correlation_data();
  std::string c2 = table.next_correlation_data();
  table.add(c1, t0 + 1s, [&](Result<Message>) { table.add(c2, t0 + 5s, next.completion()); });
  EXPECT_EQ(table.expire(t0 + 1s), 1u);
  EXPECT_TRUE(table.contains(c2));
  EXPECT_EQ(table.next_deadline(), t0 + 5s);
}

}  // namespace
}  // namespace tern::client
