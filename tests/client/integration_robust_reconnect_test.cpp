// RobustClient against tern and mosquitto that are killed with SIGKILL and started again on the
// same port: no QoS 1 message lost, subscriptions restored when the new broker has no session
// (Session Present 0, MQTT 3.1.1 §3.2.2.2), callbacks, and the offline queue.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "integration_common.h"
#include "tern/client/robust.h"

extern char** environ;

namespace tern::client::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::uint16_t probe_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

bool accepts(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// A broker process that can be killed and started again on the same port (the launcher of
// broker_launcher.h picks a new port for each broker). No persistence: a restarted broker has
// no sessions and no retained messages.
class RestartableBroker {
 public:
  explicit RestartableBroker(BrokerKind kind) : kind_(kind), port_(probe_free_port()) {}
  ~RestartableBroker() { stop(SIGTERM); }
  RestartableBroker(const RestartableBroker&) = delete;
  RestartableBroker& operator=(const RestartableBroker&) = delete;

  std::uint16_t port() const { return port_; }

  bool start() {
    std::string config;
    if (kind_ == BrokerKind::mosquitto) config += "user root\n";
    config += "listener " + std::to_string(port_) + " 127.0.0.1\nallow_anonymous true\n";
    auto path = dir_.write("broker.conf", config);
    auto log = dir_.path() / "broker.log";
    std::string binary = kind_ == BrokerKind::mosquitto ? "/usr/sbin/mosquitto" : TERN_BINARY;
    std::vector<std::string> args{binary, "-c", path.string()};
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      pid_ = -1;
      return false;
    }
    auto deadline = Clock::now() + 10s;
    while (Clock::now() < deadline) {
      if (accepts(port_)) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) break;  // exited: see the log
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << to_string(kind_) << " did not start on port " << port_ << "; log:\n"
                  << log_text();
    stop(SIGKILL);
    return false;
  }

  // SIGKILL: the broker dies with its connections, as in a crash.
  void kill() { stop(SIGKILL); }

  std::string log_text() const {
    std::ifstream in(dir_.path() / "broker.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  void stop(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    auto deadline = Clock::now() + 5s;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0 && Clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }

  BrokerKind kind_;
  TempDir dir_;
  std::uint16_t port_;
  pid_t pid_ = -1;
};

ConnectOptions plain_options(std::uint16_t port, std::string client_id) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.client_id = std::move(client_id);
  o.connect_timeout = 5s;
  o.connack_timeout = 5s;
  o.request_timeout = 5s;
  return o;
}

RobustOptions robust_options(std::uint16_t port, std::string client_id) {
  RobustOptions o;
  o.connect.host = "127.0.0.1";
  o.connect.port = port;
  o.connect.client_id = std::move(client_id);
  o.connect.connect_timeout = 2s;
  o.connect.connack_timeout = 2s;
  o.connect.request_timeout = 5s;
  o.reconnect.initial_delay = 20ms;
  o.reconnect.max_delay = 100ms;
  return o;
}

// Counts what the client's callbacks report; filled on the client's thread, read by the test.
struct Events {
  std::atomic<int> connects{0};
  std::atomic<int> disconnects{0};
  std::atomic<int> session_present{0};
  std::mutex mutex;
  std::vector<std::string> payloads;
  std::vector<ErrorCode> disconnect_codes;

  void attach(RobustClient& c) {
    c.on_connect([this](bool present) {
      session_present += present ? 1 : 0;
      ++connects;
    });
    c.on_disconnect([this](const Error& e) {
      std::lock_guard lock(mutex);
      disconnect_codes.push_back(e.code);
      ++disconnects;
    });
    c.set_callback([this](const std::string&, const std::string& payload) {
      std::lock_guard lock(mutex);
      payloads.push_back(payload);
    });
  }
  std::vector<std::string> received() {
    std::lock_guard lock(mutex);
    return payloads;
  }
};

// Polls a RobustClient on its own thread until stopped.
class Poller {
 public:
  explicit Poller(RobustClient& client)
      : thread_([this, &client] {
          while (!stop_) {
            auto r = client.poll(20ms);
            if (!r) std::this_thread::sleep_for(5ms);
          }
        }) {}
  ~Poller() {
    stop_ = true;
    thread_.join();
  }
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

template <class Pred>
bool eventually(Pred pred, Clock::duration within = 10s) {
  auto deadline = Clock::now() + within;
  while (!pred()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class RobustReconnectTest : public ::testing::TestWithParam<BrokerKind> {};
INSTANTIATE_TEST_SUITE_P(Brokers, RobustReconnectTest,
                         ::testing::Values(BrokerKind::tern, BrokerKind::mosquitto),
                         [](const auto& test_info) {
                           return std::string(to_string(test_info.param));
                         });

// A publisher sends QoS 1 messages while the broker is killed and started again; the
// subscriber must get every one of them. QoS 1 allows duplicates [MQTT-4.3.2]: counted, not
// failed. The publisher's clock is held while the broker is down so that it reconnects only
// after the subscriber has subscribed again: the new broker drops messages for which it has no
// subscription yet.
TEST_P(RobustReconnectTest, NoQos1MessageLostAcrossKill9) {
  RestartableBroker broker(GetParam());
  ASSERT_TRUE(broker.start());

  RobustClient sub(robust_options(broker.port(), "robust-sub"));
  Events sub_events;
  sub_events.attach(sub);
  ASSERT_TRUE(sub.connect());
  ASSERT_TRUE(sub.subscribe("load/#", mqtt::QoS::at_least_once));

  std::atomic<bool> held{false};
  TimePoint held_at{};
  RobustEnvironment env = RobustEnvironment::system();
  env.now = [&] { return held ? held_at : Clock::now(); };
  env.random = [] { return 0.5; };  // a delay > 0: no attempt is due while the clock is held
  RobustClient pub(robust_options(broker.port(), "robust-pub"), env);
  Events pub_events;
  pub_events.attach(pub);
  ASSERT_TRUE(pub.connect());

  // The brokers hold back messages beyond their in-flight window (20 by default) for a
  // subscriber until it acknowledges; those die with a killed broker although the publisher
  // had its PUBACK. So the subscriber catches up first, and the burst sent just before the kill
  // fits in the window: each of its messages is either forwarded at once or unacknowledged.
  constexpr int kTotal = 400;
  constexpr int kBurst = 15;
  constexpr int kKillAt = 200;
  {
    Poller poller(sub);
    for (int i = 1; i <= kTotal; ++i) {
      if (i == kKillAt - kBurst) {
        // Meanwhile the publisher reads its PUBACKs, so that only the burst is in flight.
        ASSERT_TRUE(eventually([&] {
          (void)pub.poll(1ms);
          return sub_events.received().size() >= static_cast<std::size_t>(i - 1) &&
                 pub.stats().unacknowledged == 0;
        }));
      }
      if (i == kKillAt) {
        held_at = Clock::now();
        held = true;
        broker.kill();
      }
      ASSERT_TRUE(pub.publish("load/" + std::to_string(i % 4), std::to_string(i),
                              mqtt::QoS::at_least_once));
      // No reading of acknowledgements during the burst: they are in flight at the kill.
      if (i < kKillAt - kBurst || i > kKillAt) (void)pub.poll(0ms);
    }
    EXPECT_GT(pub.stats().offline_queued, 0u);
    ASSERT_TRUE(broker.start());
    ASSERT_TRUE(eventually([&] { return sub_events.connects.load() == 2; }))
        << "the subscriber did not reconnect";
    // on_connect comes after the subscriptions were restored (sub is its poller's now).
    held = false;
    auto flushed = pub.flush(10s);
    ASSERT_TRUE(flushed) << flushed.error().to_string();
    (void)eventually([&] {
      std::set<std::string> unique;
      for (const auto& p : sub_events.received())
        unique.insert(p);
      return unique.size() == kTotal;
    });
  }
  std::map<std::string, int> seen;
  for (const auto& p : sub_events.received())
    ++seen[p];

  int duplicates = 0;
  for (int i = 1; i <= kTotal; ++i) {
    int n = seen[std::to_string(i)];
    EXPECT_GE(n, 1) << "message " << i << " lost";
    duplicates += std::max(0, n - 1);
  }
  RecordProperty("duplicates", duplicates);
  std::cout << "QoS 1 duplicates after the restart: " << duplicates << "\n";
  EXPECT_EQ(pub_events.connects.load(), 2);
  EXPECT_EQ(pub_events.disconnects.load(), 1);
  EXPECT_EQ(sub_events.disconnects.load(), 1);
  EXPECT_EQ(pub_events.session_present.load(), 0);  // a new broker: no session to resume
  EXPECT_EQ(pub.stats().unacknowledged, 0u);
  EXPECT_TRUE(pub.disconnect());
  EXPECT_TRUE(sub.disconnect());
}

// Session Present 0 after the restart: the client subscribes again to everything it holds, and
// the on_connect / on_disconnect callbacks say what happened.
TEST_P(RobustReconnectTest, SubscriptionsRestoredWithoutSession) {
  RestartableBroker broker(GetParam());
  ASSERT_TRUE(broker.start());
  RobustClient sub(robust_options(broker.port(), "robust-restore"));
  Events events;
  events.attach(sub);
  std::vector<bool> presents;
  sub.on_connect([&](bool present) {
    presents.push_back(present);
    ++events.connects;
  });
  ASSERT_TRUE(sub.connect());
  ASSERT_TRUE(sub.subscribe("a/+", mqtt::QoS::at_least_once));
  ASSERT_TRUE(sub.subscribe(
      {mqtt::Subscription{"b/#", mqtt::QoS::exactly_once}, {"c", mqtt::QoS::at_most_once}}));
  ASSERT_TRUE(sub.unsubscribe("c"));

  broker.kill();
  ASSERT_TRUE(broker.start());
  auto deadline = Clock::now() + 10s;
  while (events.connects.load() < 2 && Clock::now() < deadline)
    (void)sub.poll(50ms);
  ASSERT_EQ(presents, (std::vector<bool>{false, false}));
  EXPECT_EQ(sub.stats().resubscribed, 2u);  // a/+ and b/#, not the unsubscribed c
  ASSERT_EQ(events.disconnects.load(), 1);
  EXPECT_TRUE(events.disconnect_codes[0] == ErrorCode::connection_closed ||
              events.disconnect_codes[0] == ErrorCode::network)
      << to_string(events.disconnect_codes[0]);

  Connection publisher(plain_options(broker.port(), "restore-publisher"));
  ASSERT_TRUE(publisher.connect());
  for (const char* topic : {"a/1", "b/x/y", "c"})
    ASSERT_TRUE(publisher.publish(topic, topic, mqtt::QoS::at_least_once));
  deadline = Clock::now() + 5s;
  while (events.received().size() < 2 && Clock::now() < deadline)
    (void)sub.poll(50ms);
  (void)sub.poll(200ms);  // "c" would come now if it were subscribed
  EXPECT_EQ(events.received(), (std::vector<std::string>{"a/1", "b/x/y"}));
}

// With the broker down from the start: publish() queues, in order, up to the bound; the queue
// is flushed in order once the broker is up.
TEST_P(RobustReconnectTest, OfflineQueueFlushedInOrder) {
  RestartableBroker broker(GetParam());
  auto o = robust_options(broker.port(), "robust-offline");
  o.offline.max_messages = 20;
  RobustClient pub(o);
  Events events;
  events.attach(pub);
  auto first = pub.connect();
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, ErrorCode::connection_refused);
  for (int i = 0; i < 20; ++i) {
    auto qos = i == 0 ? mqtt::QoS::at_most_once : mqtt::QoS::at_least_once;
    ASSERT_TRUE(pub.publish("q", std::to_string(i), qos));
  }
  ASSERT_TRUE(pub.publish("q", "20", mqtt::QoS::exactly_once));  // drops the QoS 0 message "0"
  EXPECT_EQ(pub.stats().dropped_qos0, 1u);
  auto rejected = pub.publish("q", "21", mqtt::QoS::at_least_once);  // nothing left to drop
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::queue_full);
  EXPECT_EQ(pub.stats().offline_queued, 20u);

  ASSERT_TRUE(broker.start());
  Connection sub(plain_options(broker.port(), "offline-subscriber"));
  ASSERT_TRUE(sub.connect());
  ASSERT_TRUE(sub.subscribe("q", mqtt::QoS::exactly_once));
  auto flushed = pub.flush(10s);
  ASSERT_TRUE(flushed) << flushed.error().to_string();
  EXPECT_EQ(events.connects.load(), 1);
  std::vector<std::string> got;
  auto deadline = Clock::now() + 5s;
  while (got.size() < 20 && Clock::now() < deadline) {
    auto m = sub.wait_message(100ms);
    ASSERT_TRUE(m) << why(m);
    if (*m) got.push_back((*m)->payload);
  }
  std::vector<std::string> expected;
  for (int i = 1; i <= 20; ++i)
    expected.push_back(std::to_string(i));
  EXPECT_EQ(got, expected);
  EXPECT_EQ(pub.stats().offline_queued, 0u);
}

}  // namespace
}  // namespace tern::client::test
