// RobustClient without a server: a loopback port that refuses connections, and an injected
// clock, sleep and randomness, so the reconnect schedule and the offline queue are checked
// without waiting.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "tern/client/robust.h"

namespace tern::client {
namespace {

using std::chrono::milliseconds;

// A port bound but not listening: connecting to it is refused at once (ECONNREFUSED).
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~RefusingPort() { ::close(fd_); }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// Time moves only when the client sleeps; randomness is a fixed value.
struct FakeEnvironment {
  TimePoint now = TimePoint{} + std::chrono::hours(1);
  std::vector<milliseconds> sleeps;
  double random = 0.5;

  RobustEnvironment make() {
    RobustEnvironment env;
    env.now = [this] { return now; };
    env.sleep = [this](milliseconds d) {
      sleeps.push_back(d);
      now += d;
    };
    env.random = [this] { return random; };
    return env;
  }
};

RobustOptions options_for(const RefusingPort& port) {
  RobustOptions o;
  o.connect.host = "127.0.0.1";
  o.connect.port = port.port();
  o.connect.client_id = "robust-unit";
  o.connect.connect_timeout = milliseconds(2000);
  o.reconnect.initial_delay = milliseconds(100);
  o.reconnect.max_delay = milliseconds(1000);
  return o;
}

struct Attempts {
  std::vector<milliseconds> delays;
  std::vector<ErrorCode> errors;
  RobustClient::ConnectFailedHandler handler() {
    return [this](const Error& e, milliseconds retry_in) {
      errors.push_back(e.code);
      delays.push_back(retry_in);
    };
  }
};

TEST(RobustClient, ReconnectsOnTheBackoffSchedule) {
  RefusingPort port;
  ASSERT_NE(port.port(), 0);
  FakeEnvironment fake;
  RobustClient c(options_for(port), fake.make());
  Attempts attempts;
  c.on_connect_failed(attempts.handler());
  bool connected = false;
  c.on_connect([&](bool) { connected = true; });

  auto first = c.connect();
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, ErrorCode::connection_refused);
  auto start = fake.now;
  auto polled = c.poll(milliseconds(5000));
  ASSERT_TRUE(polled) << polled.error().to_string();
  EXPECT_EQ(*polled, 0u);
  EXPECT_FALSE(connected);
  EXPECT_EQ(fake.now, start + milliseconds(5000));  // slept through the whole timeout

  // random = 0.5: each delay is half of the ceiling 100, 200, 400, 800, 1000, 1000, ...
  ASSERT_GE(attempts.delays.size(), 7u);
  std::vector<long long> expected{50, 100, 200, 400, 500, 500, 500};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(attempts.delays[i].count(), expected[i]) << "attempt " << i;
    EXPECT_EQ(attempts.errors[i], ErrorCode::connection_refused);
  }
  // The sleeps add up to the attempts' schedule: the client never sleeps past an attempt.
  milliseconds total(0);
  for (auto d : fake.sleeps)
    total += d;
  EXPECT_EQ(total, milliseconds(5000));
  EXPECT_EQ(c.stats().failed_attempts, attempts.delays.size());
  EXPECT_EQ(c.stats().connects, 0u);
}

TEST(RobustClient, JitterBoundsWithRandomDraws) {
  RefusingPort port;
  FakeEnvironment fake;
  auto env = fake.make();
  std::vector<double> draws{0.0, 0.99, 0.25, 0.75, 0.999, 0.1, 0.9, 0.5};
  std::size_t next = 0;
  env.random = [&] { return draws[next++ % draws.size()]; };
  RobustClient c(options_for(port), env);
  Attempts attempts;
  c.on_connect_failed(attempts.handler());
  (void)c.connect();
  ASSERT_TRUE(c.poll(milliseconds(4000)));
  ASSERT_GE(attempts.delays.size(), draws.size());
  for (std::size_t i = 0; i < draws.size(); ++i) {
    long long ceiling = std::min<long long>(100LL << i, 1000);
    EXPECT_GE(attempts.delays[i].count(), 0);
    EXPECT_LE(attempts.delays[i].count(), ceiling) << "attempt " << i;
    EXPECT_EQ(attempts.delays[i].count(), static_cast<long long>(draws[i] * ceiling));
  }
}

TEST(RobustClient, GivesUpAfterMaxAttempts) {
  RefusingPort port;
  FakeEnvironment fake;
  auto o = options_for(port);
  o.reconnect.max_attempts = 4;
  RobustClient c(o, fake.make());
  Attempts attempts;
  c.on_connect_failed(attempts.handler());
  (void)c.connect();
  auto polled = c.poll(milliseconds(60'000));
  ASSERT_FALSE(polled);
  EXPECT_EQ(polled.error().code, ErrorCode::connection_refused);
  ASSERT_EQ(attempts.delays.size(), 4u);
  EXPECT_EQ(attempts.delays.back(), milliseconds(0));  // no next attempt
  auto published = c.publish("t", "x", mqtt::QoS::at_least_once);
  ASSERT_FALSE(published);
  EXPECT_EQ(published.error().code, ErrorCode::connection_refused);
  EXPECT_FALSE(c.wait_msg());
  // connect() starts over.
  (void)c.connect();
  EXPECT_EQ(attempts.delays.size(), 5u);
  EXPECT_TRUE(c.publish("t", "x", mqtt::QoS::at_least_once));
}

TEST(RobustClient, PublishOfflineQueuesThenQueueFull) {
  RefusingPort port;
  FakeEnvironment fake;
  auto o = options_for(port);
  o.offline.max_messages = 3;
  RobustClient c(o, fake.make());
  (void)c.connect();
  ASSERT_TRUE(c.publish("a", "0", mqtt::QoS::at_most_once));
  ASSERT_TRUE(c.publish("a", "1", mqtt::QoS::at_least_once));
  ASSERT_TRUE(c.publish("a", "2", mqtt::QoS::exactly_once));
  ASSERT_TRUE(c.publish("a", "3", mqtt::QoS::at_least_once));  // the QoS 0 one makes room
  auto full = c.publish("a", "4", mqtt::QoS::at_least_once);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ErrorCode::queue_full);
  auto s = c.stats();
  EXPECT_EQ(s.offline_queued, 3u);
  EXPECT_EQ(s.dropped_qos0, 1u);
  EXPECT_EQ(s.offline_bytes, 6u);
  // Nothing can be flushed without a server.
  auto flushed = c.flush(milliseconds(1000));
  ASSERT_FALSE(flushed);
  EXPECT_EQ(flushed.error().code, ErrorCode::timeout);
}

TEST(RobustClient, PublishNeverSleeps) {
  RefusingPort port;
  FakeEnvironment fake;
  RobustClient c(options_for(port), fake.make());
  Attempts attempts;
  c.on_connect_failed(attempts.handler());
  (void)c.connect();
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(c.publish("t", std::to_string(i), mqtt::QoS::at_least_once));
  EXPECT_TRUE(fake.sleeps.empty());
  EXPECT_EQ(attempts.delays.size(), 1u);  // the clock did not move: no attempt was due
  fake.now += milliseconds(100);
  ASSERT_TRUE(c.publish("t", "due", mqtt::QoS::at_least_once));
  EXPECT_EQ(attempts.delays.size(), 2u);  // a due attempt is made, without sleeping
  EXPECT_TRUE(fake.sleeps.empty());
  auto checked = c.check_msg();
  ASSERT_TRUE(checked);
  EXPECT_FALSE(*checked);
  EXPECT_TRUE(fake.sleeps.empty());
}

TEST(RobustClient, BeforeConnectAndAfterDisconnect) {
  RefusingPort port;
  FakeEnvironment fake;
  RobustClient c(options_for(port), fake.make());
  auto polled = c.poll(milliseconds(100));
  ASSERT_FALSE(polled);
  EXPECT_EQ(polled.error().code, ErrorCode::not_connected);
  EXPECT_TRUE(c.publish("t", "early", mqtt::QoS::at_least_once));  // queued for connect()
  EXPECT_EQ(c.stats().offline_queued, 1u);
  EXPECT_TRUE(c.disconnect());
  auto after = c.poll(milliseconds(100));
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::disconnected);
  auto sub = c.subscribe("t");
  ASSERT_FALSE(sub);
  EXPECT_EQ(sub.error().code, ErrorCode::disconnected);
}

TEST(RobustClient, SubscribeTimesOutWhileTheServerIsDown) {
  RefusingPort port;
  FakeEnvironment fake;
  auto o = options_for(port);
  o.connect.request_timeout = milliseconds(3000);
  RobustClient c(o, fake.make());
  (void)c.connect();
  auto start = fake.now;
  auto sub = c.subscribe("a/#", mqtt::QoS::at_least_once);
  ASSERT_FALSE(sub);
  EXPECT_EQ(sub.error().code, ErrorCode::timeout);
  EXPECT_NE(sub.error().message.find("refused"), std::string::npos) << sub.error().message;
  EXPECT_EQ(fake.now, start + milliseconds(3000));
}

TEST(RobustClient, PersistentSessionOptions) {
  RefusingPort port;
  auto o = options_for(port);
  o.connect.client_id.clear();
  o.connect.version = mqtt::Version::v5;
  RobustClient c(o);
  EXPECT_FALSE(c.connection().options().clean_start);
  EXPECT_EQ(c.connection().options().properties.session_expiry_interval, 3600u);
  EXPECT_FALSE(c.connection().options().client_id.empty());  // stable across reconnects

  o.persistent_session = false;
  RobustClient clean(o);
  EXPECT_TRUE(clean.connection().options().clean_start);
  EXPECT_FALSE(clean.connection().options().properties.session_expiry_interval);
}

TEST(RobustClient, CallbacksCannotPoll) {
  RefusingPort port;
  FakeEnvironment fake;
  RobustClient c(options_for(port), fake.make());
  std::optional<ErrorCode> inner;
  c.on_connect_failed([&](const Error&, milliseconds) {
    auto r = c.poll(milliseconds(0));
    if (!r) inner = r.error().code;
  });
  (void)c.connect();
  EXPECT_EQ(inner, ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace tern::client
