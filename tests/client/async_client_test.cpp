// Unit tests of AsyncClient that need no broker: creation from URLs, argument checks, calls on
// a stopped client, wait() and the network thread's life. (The broker tests are in
// integration_async_test.cpp.)
#include <gtest/gtest.h>

#include "tern/client/async.h"

namespace tern::client {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<AsyncClient> make(std::string_view url, AsyncOptions options = {}) {
  auto created = AsyncClient::create(url, std::move(options));
  EXPECT_TRUE(created.ok()) << (created ? "" : created.error().to_string());
  return created ? std::move(*created) : nullptr;
}

template <class T>
Result<T> get(std::future<Result<T>>&& future) {
  if (future.wait_for(5s) != std::future_status::ready) {
    return Error{ErrorCode::timeout, "the test's deadline passed"};
  }
  return future.get();
}

TEST(AsyncClient, CreateFromUrl) {
  auto bad = AsyncClient::create("http://localhost");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  AsyncOptions o;
  o.reconnect.initial_delay = 0ms;
  auto bad_delay = AsyncClient::create("mqtt://localhost", o);
  ASSERT_FALSE(bad_delay.ok());
  EXPECT_EQ(bad_delay.error().code, ErrorCode::invalid_argument);
  auto c = make("mqtts://user:secret@localhost:8884");
  EXPECT_FALSE(c->running());
  EXPECT_FALSE(c->connected());
  EXPECT_FALSE(c->client_id().empty());  // generated, kept for reconnections
  EXPECT_LE(c->client_id().size(), 23u);
}

// Before start(): everything is refused at once, on the calling thread, without hanging.
TEST(AsyncClient, StoppedClientRefuses) {
  auto c = make("mqtt://127.0.0.1:1");
  auto p = get(c->publish("t", "x", mqtt::QoS::at_least_once));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::not_connected);
  auto s = get(c->subscribe("t/#", mqtt::QoS::at_least_once, [](const Message&) {}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::not_connected);
  auto u = get(c->unsubscribe("t/#"));
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code, ErrorCode::not_connected);
  EXPECT_TRUE(get(c->disconnect()).ok());  // nothing to end
  c->stop();                               // and nothing to stop
}

// [MQTT-3.3.2-2] no wildcards in topic names; [MQTT-4.7.1-1] filter syntax; MQTT 5.0 §3.8.2.1.2
// identifier range. Found before anything is posted.
TEST(AsyncClient, InvalidArguments) {
  auto c = make("mqtt://127.0.0.1:1");
  for (const char* topic : {"a/+", "a/#", ""}) {
    auto r = get(c->publish(topic, "x"));
    ASSERT_FALSE(r.ok()) << topic;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << topic;
  }
  for (const char* filter : {"a/#/b", "a+", ""}) {
    auto r = get(c->subscribe(filter, {}, [](const Message&) {}));
    ASSERT_FALSE(r.ok()) << filter;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument) << filter;
  }
  SubscribeOptions too_big;
  too_big.subscription_identifier = 268'435'456;
  auto r = get(c->subscribe("a", too_big, [](const Message&) {}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  auto no_handler = get(c->subscribe("a", {}, nullptr));
  ASSERT_FALSE(no_handler.ok());
  EXPECT_EQ(no_handler.error().code, ErrorCode::invalid_argument);
  Message no_response_topic;
  auto respond = get(c->respond(no_response_topic, "x"));
  ASSERT_FALSE(respond.ok());
  EXPECT_EQ(respond.error().code, ErrorCode::invalid_argument);
}

// MQTT 5.0 §4.10: request/response does not exist before 5.0.
TEST(AsyncClient, RequestNeedsMqtt5) {
  AsyncOptions o;
  o.version = mqtt::Version::v3_1_1;
  auto c = make("mqtt://127.0.0.1:1", o);
  auto r = get(c->request("svc", "x", 1s));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::not_supported);
}

// Nobody listens on port 1 of the loopback: the one attempt fails and is not retried.
TEST(AsyncClient, ConnectFailureAndRestart) {
  auto c = make("mqtt://127.0.0.1:1");
  auto r = get(c->connect());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::connection_refused) << r.error().to_string();
  EXPECT_TRUE(c->running());
  auto p = get(c->publish("t", "x"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::not_connected);
  c->stop();
  EXPECT_FALSE(c->running());
  ASSERT_TRUE(c->start().ok());  // a stopped client starts again
  EXPECT_TRUE(c->running());
  EXPECT_FALSE(get(c->connect()).ok());
}

// wait() bounds the wait, and refuses to wait on the network thread (it would deadlock).
TEST(AsyncClient, WaitTimesOutAndRefusesOnNetworkThread) {
  auto c = make("mqtt://127.0.0.1:1");
  std::promise<Result<int>> never;
  auto future = never.get_future();
  auto r = c->wait(future, 20ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::timeout);
  EXPECT_FALSE(c->on_network_thread());
  // A completion callback runs on the network thread; waiting there is refused.
  std::promise<std::pair<bool, ErrorCode>> seen;
  AsyncClient* self = c.get();
  c->connect([&seen, self](Result<ConnectResult>) {
    std::promise<Result<int>> inner;
    auto f = inner.get_future();
    auto w = self->wait(f, 1s);
    seen.set_value({self->on_network_thread(), w.ok() ? ErrorCode::timeout : w.error().code});
  });
  auto result = seen.get_future();
  ASSERT_EQ(result.wait_for(5s), std::future_status::ready);
  auto [on_thread, code] = result.get();
  EXPECT_TRUE(on_thread);
  EXPECT_EQ(code, ErrorCode::invalid_argument);
}

// stop() from inside a callback does not deadlock; the destructor then joins the thread.
TEST(AsyncClient, StopFromCallback) {
  auto c = make("mqtt://127.0.0.1:1");
  std::promise<void> called;
  AsyncClient* self = c.get();
  c->connect([&called, self](Result<ConnectResult>) {
    self->stop();
    called.set_value();
  });
  ASSERT_EQ(called.get_future().wait_for(5s), std::future_status::ready);
  c.reset();
}

}  // namespace
}  // namespace tern::client
