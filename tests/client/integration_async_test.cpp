// AsyncClient against real brokers: the tern binary of this build and Debian's mosquitto, over
// MQTT 3.1.1 and 5.0, with the same test bodies. Every wait has a deadline.
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "integration_common.h"
#include "tern/client/async.h"

namespace tern::client::test {
namespace {

using mqtt::QoS;
using mqtt::ReasonCode;
using mqtt::Version;

constexpr auto kWait = 5s;

// Messages received by handlers on the network thread, waited for by the test thread.
class Inbox {
 public:
  AsyncClient::MessageHandler handler() {
    return [this](const Message& m) { add(m); };
  }
  void add(const Message& m) {
    std::lock_guard lock(mutex_);
    messages_.push_back(m);
    changed_.notify_all();
  }
  // Waits until at least `n` messages came; false at the deadline.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
  }
  std::vector<Message> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return messages_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Message> messages_;
};

// A counter the test thread can wait on.
class Counter {
 public:
  void bump() {
    std::lock_guard lock(mutex_);
    ++value_;
    changed_.notify_all();
  }
  bool wait_for(int n, std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return value_ >= n; });
  }
  int value() const {
    std::lock_guard lock(mutex_);
    return value_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int value_ = 0;
};

template <class T>
Result<T> get(std::future<Result<T>>& future, std::chrono::milliseconds timeout = kWait) {
  if (future.wait_for(timeout) != std::future_status::ready) {
    return Error{ErrorCode::timeout, "the test's deadline passed"};
  }
  return future.get();
}
template <class T>
Result<T> get(std::future<Result<T>>&& future, std::chrono::milliseconds timeout = kWait) {
  return get(future, timeout);
}

std::string url_of(const Broker& broker) {
  return "mqtt://127.0.0.1:" + std::to_string(broker.port());
}

AsyncOptions async_options(std::string client_id, Version version) {
  AsyncOptions o;
  o.client_id = std::move(client_id);
  o.version = version;
  o.connect_timeout = 5s;
  o.connack_timeout = 5s;
  o.reconnect.initial_delay = 50ms;
  o.reconnect.max_delay = 400ms;
  return o;
}

// The pid of a broker started by `broker` (found by its configuration file in /proc), so tests
// can kill or pause it.
pid_t pid_of(const Broker& broker) {
  std::string config = (broker.dir().path() / "broker.conf").string();
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(config) != std::string::npos) return static_cast<pid_t>(std::stoi(name));
  }
  return -1;
}

struct Param {
  BrokerKind broker;
  Version version;
};

class AsyncTest : public ::testing::TestWithParam<Param> {
 protected:
  BrokerKind kind() const { return GetParam().broker; }
  Version version() const { return GetParam().version; }
  bool v5() const { return version() == Version::v5; }

  std::unique_ptr<AsyncClient> client(const Broker& broker, std::string id) {
    return client_at(url_of(broker), std::move(id));
  }
  std::unique_ptr<AsyncClient> client_at(const std::string& url, std::string id) {
    auto created = AsyncClient::create(url, async_options(std::move(id), version()));
    EXPECT_TRUE(created.ok()) << why(created);
    return created ? std::move(*created) : nullptr;
  }
  // A connected client; gtest failure otherwise.
  std::unique_ptr<AsyncClient> connected(const Broker& broker, std::string id) {
    auto c = client(broker, std::move(id));
    auto r = get(c->connect());
    EXPECT_TRUE(r.ok()) << why(r) << "\n" << broker.log();
    return c;
  }
};

INSTANTIATE_TEST_SUITE_P(Brokers, AsyncTest,
                         ::testing::Values(Param{BrokerKind::tern, Version::v3_1_1},
                                           Param{BrokerKind::tern, Version::v5},
                                           Param{BrokerKind::mosquitto, Version::v3_1_1},
                                           Param{BrokerKind::mosquitto, Version::v5}),
                         [](const auto& test_info) {
                           return std::string(to_string(test_info.param.broker)) + "_" +
                                  version_name(test_info.param.version);
                         });

// MQTT 3.1.1 §4.3: a message at each QoS reaches the handler at min(published, granted); the
// client is configured by URL (with credentials the broker ignores, as anonymous is allowed).
TEST_P(AsyncTest, ConnectByUrlAndRoundTrip) {
  Broker broker(kind());
  ASSERT_TRUE(broker.running());
  std::atomic<int> connects{0};
  Inbox inbox;
  auto c = client_at("mqtt://user:pa%40ss@127.0.0.1:" + std::to_string(broker.port()), "rt");
  c->on_connect([&](bool session_present, const mqtt::Connack& connack) {
    EXPECT_FALSE(session_present);
    EXPECT_EQ(connack.reason_code, ReasonCode::success);
    ++connects;
  });
  auto connected = get(c->connect());
  ASSERT_TRUE(connected.ok()) << why(connected) << "\n" << broker.log();
  EXPECT_FALSE(connected->session_present);
  EXPECT_TRUE(c->connected());
  EXPECT_EQ(c->client_id(), "rt");
  auto sub = get(c->subscribe("rt/#", {QoS::exactly_once}, inbox.handler()));
  ASSERT_TRUE(sub.ok()) << why(sub);
  EXPECT_EQ(sub->reason_codes, std::vector<ReasonCode>{ReasonCode::granted_qos_2});
  for (int q = 0; q <= 2; ++q) {
    auto done =
        get(c->publish("rt/" + std::to_string(q), "p" + std::to_string(q), static_cast<QoS>(q)));
    ASSERT_TRUE(done.ok()) << why(done);
    if (q > 0) {
      EXPECT_NE(done->packet_id, 0);
    }
  }
  ASSERT_TRUE(inbox.wait_for(3));
  auto messages = inbox.messages();
  for (int q = 0; q <= 2; ++q) {
    EXPECT_EQ(messages[q].topic, "rt/" + std::to_string(q));
    EXPECT_EQ(messages[q].payload, "p" + std::to_string(q));
    EXPECT_EQ(messages[q].qos, static_cast<QoS>(q));
  }
  EXPECT_EQ(connects.load(), 1);
  auto unsub = get(c->unsubscribe("rt/#"));
  ASSERT_TRUE(unsub.ok()) << why(unsub);
  ASSERT_TRUE(get(c->publish("rt/x", "after", QoS::at_least_once)).ok());
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(inbox.size(), 3u);  // unsubscribed: no handler runs
  auto gone = get(c->disconnect());
  EXPECT_TRUE(gone.ok()) << why(gone);
  EXPECT_FALSE(c->connected());
}

// MQTT 5.0 §4.7 / §3.3.4: a message matching two subscriptions of one client reaches each
// handler exactly once, whether the server sends one copy (tern) or one per subscription
// (mosquitto with MQTT 5.0; routed by Subscription Identifier).
TEST_P(AsyncTest, OverlappingFiltersReachEachHandlerOnce) {
  Broker broker(kind());
  ASSERT_TRUE(broker.running());
  Inbox plus, hash, fallback;
  auto c = connected(broker, "overlap");
  c->set_default_handler(fallback.handler());
  ASSERT_TRUE(get(c->subscribe("a/+", {QoS::at_least_once}, plus.handler())).ok());
  ASSERT_TRUE(get(c->subscribe("a/#", {QoS::at_least_once}, hash.handler())).ok());
  ASSERT_TRUE(get(c->publish("a/b", "1", QoS::at_least_once)).ok());
  ASSERT_TRUE(plus.wait_for(1));
  ASSERT_TRUE(hash.wait_for(1));
  ASSERT_TRUE(get(c->publish("a/b/c", "2", QoS::at_least_once)).ok());
  ASSERT_TRUE(hash.wait_for(2));
  std::this_thread::sleep_for(300ms);  // time for any duplicate to show
  EXPECT_EQ(plus.size(), 1u);
  EXPECT_EQ(hash.size(), 2u);
  EXPECT_EQ(fallback.size(), 0u);
}

TEST_P(AsyncTest, TwoHundredSubscriptions) {
  Broker broker(kind());
  ASSERT_TRUE(broker.running());
  constexpr int kFilters = 200;
  std::vector<Inbox> inboxes(kFilters);
  auto c = connected(broker, "many");
  std::vector<std::future<Result<Subscribed>>> subs;
  for (int i = 0; i < kFilters; ++i) {
    std::string filter = "many/" + std::to_string(i) + (i % 2 ? "/+" : "/#");
    subs.push_back(c->subscribe(filter, {QoS::at_least_once}, inboxes[i].handler()));
  }
  for (auto& s : subs) {
    auto r = get(s);
    ASSERT_TRUE(r.ok()) << why(r);
    EXPECT_EQ(r->reason_codes, std::vector<ReasonCode>{ReasonCode::granted_qos_1});
  }
  std::vector<std::future<Result<Published>>> pubs;
  for (int i = 0; i < kFilters; ++i) {
    pubs.push_back(
        c->publish("many/" + std::to_string(i) + "/x", std::to_string(i), QoS::at_least_once));
  }
  for (auto& p : pubs)
    ASSERT_TRUE(get(p).ok());
  for (int i = 0; i < kFilters; ++i) {
    ASSERT_TRUE(inboxes[i].wait_for(1)) << "filter " << i;
  }
  std::this_thread::sleep_for(100ms);
  for (int i = 0; i < kFilters; ++i) {
    ASSERT_EQ(inboxes[i].size(), 1u) << "filter " << i;
    EXPECT_EQ(inboxes[i].messages()[0].payload, std::to_string(i));
  }
}

// Public methods are thread-safe: several threads publish at once; every completion comes and
// every message arrives once (QoS 1 and 2: MQTT 3.1.1 §4.3.2, §4.3.3).
TEST_P(AsyncTest, ConcurrentPublishersAtEachQos) {
  // Room for the whole burst in the subscriber's queue (MQTT 3.1.1 has no flow control).
  Broker broker(kind(), BrokerSetup{"max_queued_messages 10000\n"});
  ASSERT_TRUE(broker.running());
  Inbox inbox;
  auto sub = connected(broker, "conc-sub");
  auto pub = connected(broker, "conc-pub");
  ASSERT_TRUE(get(sub->subscribe("conc/#", {QoS::exactly_once}, inbox.handler())).ok());
  struct Round {
    QoS qos;
    int threads;
    int per_thread;
  };
  std::size_t expected = 0;
  for (Round round : {Round{QoS::at_least_once, 4, 500}, Round{QoS::exactly_once, 2, 200},
                      Round{QoS::at_most_once, 4, 100}}) {
    std::atomic<int> completed{0}, failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < round.threads; ++t) {
      threads.emplace_back([&, t] {
        std::vector<std::future<Result<Published>>> futures;
        for (int i = 0; i < round.per_thread; ++i) {
          futures.push_back(pub->publish(
              "conc/" + std::to_string(static_cast<int>(round.qos)) + "/" + std::to_string(t),
              std::to_string(i), round.qos));
        }
        for (auto& f : futures) {
          auto r = get(f, 20s);
          (r.ok() ? completed : failed)++;
        }
      });
    }
    for (auto& thread : threads)
      thread.join();
    int total = round.threads * round.per_thread;
    EXPECT_EQ(completed.load(), total);
    EXPECT_EQ(failed.load(), 0);
    expected += static_cast<std::size_t>(total);
    ASSERT_TRUE(inbox.wait_for(expected, 20s))
        << "QoS " << static_cast<int>(round.qos) << ": " << inbox.size() << " of " << expected;
  }
  std::this_thread::sleep_for(200ms);
  auto messages = inbox.messages();
  EXPECT_EQ(messages.size(), expected);
  std::set<std::pair<std::string, std::string>> unique;
  for (const auto& m : messages)
    unique.emplace(m.topic, m.payload);
  EXPECT_EQ(unique.size(), expected);  // each once
}

// A handler may call the client: here it publishes, and another handler sees the result.
TEST_P(AsyncTest, PublishFromInsideHandler) {
  Broker broker(kind());
  ASSERT_TRUE(broker.running());
  Inbox pongs;  // before the client: its handlers may run until the client is gone
  std::atomic<int> waited_inside{-1};
  auto c = connected(broker, "inside");
  AsyncClient* self = c.get();
  ASSERT_TRUE(get(c->subscribe("pong/#", {QoS::at_least_once}, pongs.handler())).ok());
  ASSERT_TRUE(
      get(c->subscribe("ping/#", {QoS::at_least_once}, [self, &waited_inside](const Message& m) {
        auto f = self->publish("pong/" + m.payload, m.payload, QoS::at_least_once);
        // Waiting here would deadlock: wait() refuses.
        auto r = self->wait(f, 1s);
        waited_inside = r.ok() ? 0 : static_cast<int>(r.error().code);
      })).ok());
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(get(c->publish("ping/x", std::to_string(i), QoS::at_least_once)).ok());
  ASSERT_TRUE(pongs.wait_for(10)) << pongs.size();
  EXPECT_EQ(pongs.messages()[9].topic, "pong/9");
  EXPECT_EQ(waited_inside.load(), static_cast<int>(ErrorCode::invalid_argument));
}

// Bad uses are errors: wildcards in a topic name [MQTT-3.3.2-2], an invalid filter
// [MQTT-4.7.1-1], calls before connect() and after stop() (not_connected).
TEST_P(AsyncTest, BadUsesAreErrors) {
  Broker broker(kind());
  ASSERT_TRUE(broker.running());
  auto c = client(broker, "bad");
  auto early = get(c->publish("t", "x"));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::not_connected);
  ASSERT_TRUE(c->start().ok());
  auto idle = get(c->subscribe("t", {}, [](const Message&) {}));
  ASSERT_FALSE(idle.ok());
  EXPECT_EQ(idle.error().code, ErrorCode::not_connected);
  ASSERT_TRUE(get(c->connect()).ok());
  auto wildcard = get(c->publish("a/+", "x"));
  ASSERT_FALSE(wildcard.ok());
  EXPECT_EQ(wildcard.error().code, ErrorCode::invalid_argument);
  auto bad_filter = get(c->subscribe("a/#/b", {}, [](const Message&) {}));
  ASSERT_FALSE(bad_filter.ok());
  EXPECT_EQ(bad_filter.error().code, ErrorCode::invalid_argument);
  auto empty = get(c->publish("", "x"));
  EXPECT_FALSE(empty.ok());
  if (!v5()) {
    auto rr = get(c->request("svc", "x", 1s));
    ASSERT_FALSE(rr.ok());
    EXPECT_EQ(rr.error().code, ErrorCode::not_supported);
  }
  // Still connected and working after the refusals.
  EXPECT_TRUE(get(c->publish("ok", "x", QoS::at_least_once)).ok());
  c->stop();
  EXPECT_FALSE(c->running());
  auto stopped = get(c->publish("t", "x", QoS::at_least_once));
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().code, ErrorCode::not_connected);
  auto refused = get(c->unsubscribe("t"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::not_connected);
}

// A failed first attempt is reported (no broker on that port) and not retried.
TEST_P(AsyncTest, FirstConnectFailureIsReported) {
  std::uint16_t port = 0;
  {
    Broker gone(kind());
    port = gone.port();
  }
  auto c = client_at("mqtt://127.0.0.1:" + std::to_string(port), "nobody");
  auto r = get(c->connect());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::connection_refused) << r.error().to_string();
  EXPECT_FALSE(c->connected());
  auto after = get(c->publish("t", "x", QoS::at_least_once));
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, ErrorCode::not_connected);
}

// stop() while a publish waits for its PUBACK (the broker is paused), a request waits for its
// response and a subscribe for its SUBACK: every future completes with an error, none hangs.
TEST_P(AsyncTest, StopCompletesPendingOperations) {
  Broker broker(kind());
  ASSERT_TRUE(broker.running());
  auto c = connected(broker, "stopper");
  pid_t pid = pid_of(broker);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  std::vector<std::future<Result<Published>>> pubs;
  for (int i = 0; i < 20; ++i)
    pubs.push_back(c->publish("pending", std::to_string(i), QoS::at_least_once));
  auto sub = c->subscribe("pending/#", {QoS::at_least_once}, [](const Message&) {});
  auto req = c->request("svc/none", "x", 30s);
  std::this_thread::sleep_for(100ms);
  auto started = std::chrono::steady_clock::now();
  c->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  ::kill(pid, SIGCONT);
  for (auto& p : pubs) {
    auto r = get(p, 1s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::disconnected) << r.error().to_string();
  }
  auto s = get(sub, 1s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::disconnected);
  auto q = get(req, 1s);
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.error().code, ErrorCode::timeout);  // completed by stop(), not by our deadline
}

// The broker dies (SIGKILL): on_disconnect reports it; a new broker on the same port brings the
// connection back by itself, the subscriptions are restored (the new broker has no session:
// MQTT 3.1.1 §3.2.2.2) and a QoS 1 message published while offline is sent after reconnecting.
TEST_P(AsyncTest, ReconnectsAfterBrokerDiesAndRestoresSubscriptions) {
  auto first = std::make_unique<Broker>(kind());
  ASSERT_TRUE(first->running());
  std::uint16_t port = first->port();
  Counter connects, disconnects;
  std::mutex mutex;
  std::vector<Error> errors;
  Inbox inbox;
  auto c = client(*first, "phoenix");
  c->on_connect([&](bool, const mqtt::Connack&) { connects.bump(); });
  c->on_disconnect([&](const Error& e) {
    {
      std::lock_guard lock(mutex);
      errors.push_back(e);
    }
    disconnects.bump();
  });
  ASSERT_TRUE(get(c->connect()).ok());
  ASSERT_TRUE(get(c->subscribe("r/#", {QoS::at_least_once}, inbox.handler())).ok());

  pid_t pid = pid_of(*first);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_TRUE(disconnects.wait_for(1)) << "no on_disconnect";
  EXPECT_FALSE(c->connected());
  {
    std::lock_guard lock(mutex);
    EXPECT_TRUE(errors[0].code == ErrorCode::connection_closed ||
                errors[0].code == ErrorCode::network)
        << errors[0].to_string();
  }
  // Published while offline: queued, sent after the reconnection.
  auto offline = c->publish("r/offline", "queued", QoS::at_least_once);
  std::this_thread::sleep_for(200ms);  // a few failed attempts with backoff

  BrokerSetup setup;
  setup.config = "listener " + std::to_string(port) + " 127.0.0.1\n";
  Broker second(kind(), setup);
  ASSERT_TRUE(second.running());
  first.reset();  // reaps the killed process
  ASSERT_TRUE(connects.wait_for(2, 10s)) << "no reconnection\n" << second.log();
  EXPECT_TRUE(c->connected());
  auto sent = get(offline, 10s);
  ASSERT_TRUE(sent.ok()) << why(sent);
  // Another client on the new broker: its message reaches the restored subscription.
  auto other = client_at("mqtt://127.0.0.1:" + std::to_string(port), "other");
  ASSERT_TRUE(get(other->connect()).ok());
  std::optional<Result<Published>> done;
  for (int attempt = 0; attempt < 50 && inbox.size() < 2; ++attempt) {
    // The re-SUBSCRIBE races with this publish: publish until the message arrives.
    auto r = get(other->publish("r/after", "restart", QoS::at_least_once));
    ASSERT_TRUE(r.ok()) << why(r);
    inbox.wait_for(2, 100ms);
  }
  ASSERT_TRUE(inbox.wait_for(2)) << inbox.size();
  std::set<std::string> topics;
  for (const auto& m : inbox.messages())
    topics.insert(m.topic);
  EXPECT_TRUE(topics.contains("r/offline"));
  EXPECT_TRUE(topics.contains("r/after"));
  EXPECT_EQ(disconnects.value(), 1);
  c->stop();
  EXPECT_EQ(disconnects.value(), 2);  // stop() reports the end of the connection too
}

// disconnect(): on_disconnect with ErrorCode::disconnected, no reconnecting; then operations
// fail with not_connected until connect() again, which restores the subscriptions.
TEST_P(AsyncTest, DisconnectStopsReconnectingAndConnectRestores) {
  Broker broker(kind());
  ASSERT_TRUE(broker.running());
  Inbox inbox;
  std::promise<Error> why_promise;
  auto why_future = why_promise.get_future();
  std::atomic<bool> once{false};
  auto c = connected(broker, "bye");  // after what its callbacks use: stop() calls them
  ASSERT_TRUE(get(c->subscribe("bye/#", {QoS::at_least_once}, inbox.handler())).ok());
  c->on_disconnect([&](const Error& e) {
    if (!once.exchange(true)) why_promise.set_value(e);
  });
  ASSERT_TRUE(get(c->disconnect()).ok());
  ASSERT_EQ(why_future.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(why_future.get().code, ErrorCode::disconnected);
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(c->connected());
  auto refused = get(c->publish("bye/x", "x", QoS::at_least_once));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::not_connected);
  ASSERT_TRUE(get(c->connect()).ok());
  ASSERT_TRUE(get(c->publish("bye/x", "back", QoS::at_least_once)).ok());
  ASSERT_TRUE(inbox.wait_for(1));
  EXPECT_EQ(inbox.messages()[0].payload, "back");
}

// MQTT 5.0 §3.3.2.3: User Properties and Content Type reach the handler.
TEST_P(AsyncTest, PropertiesReachTheHandler) {
  if (!v5()) GTEST_SKIP() << "MQTT 5.0 properties";
  Broker broker(kind());
  ASSERT_TRUE(broker.running());
  Inbox inbox;
  auto c = connected(broker, "props");
  ASSERT_TRUE(get(c->subscribe("p/#", {QoS::at_least_once}, inbox.handler())).ok());
  mqtt::Properties properties;
  properties.content_type = "application/json";
  properties.user_properties = {{"k1", "v1"}, {"k2", "v2"}};
  properties.payload_format_indicator = 1;
  ASSERT_TRUE(get(c->publish("p/1", "{}", QoS::at_least_once, false, properties)).ok());
  ASSERT_TRUE(inbox.wait_for(1));
  Message m = inbox.messages()[0];
  EXPECT_EQ(m.properties.content_type, "application/json");
  EXPECT_EQ(m.properties.user_properties, properties.user_properties);
  EXPECT_EQ(m.properties.payload_format_indicator, 1);
  EXPECT_FALSE(m.properties.subscription_identifiers.empty());  // the client assigned one
}

// MQTT 5.0 §4.10: request/response between two AsyncClients, several requests at once, each
// answered by its own Correlation Data.
TEST_P(AsyncTest, RequestResponse) {
  if (!v5()) GTEST_SKIP() << "MQTT 5.0 request/response (3.1.1: BadUsesAreErrors)";
  Broker broker(kind());
  ASSERT_TRUE(broker.running());
  auto responder = connected(broker, "responder");
  AsyncClient* r = responder.get();
  ASSERT_TRUE(
      get(responder->subscribe("svc/echo", {QoS::at_least_once}, [r](const Message& request) {
        mqtt::Properties p;
        p.user_properties = {{"served-by", "responder"}};
        (void)r->respond(request, "echo:" + request.payload, p);
      })).ok());
  auto requester = connected(broker, "requester");
  std::vector<std::future<Result<Message>>> answers;
  for (int i = 0; i < 20; ++i)
    answers.push_back(requester->request("svc/echo", std::to_string(i), 5s));
  for (int i = 0; i < 20; ++i) {
    auto answer = get(answers[i], 6s);
    ASSERT_TRUE(answer.ok()) << why(answer);
    EXPECT_EQ(answer->payload, "echo:" + std::to_string(i));
    ASSERT_EQ(answer->properties.user_properties.size(), 1u);
    EXPECT_EQ(answer->properties.user_properties[0].value, "responder");
    ASSERT_TRUE(answer->properties.correlation_data.has_value());
  }
  // respond() to a message without a Response Topic is refused.
  Message plain;
  plain.topic = "x";
  auto refused = get(requester->respond(plain, "y"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
}

TEST_P(AsyncTest, RequestTimesOut) {
  if (!v5()) GTEST_SKIP() << "MQTT 5.0 request/response";
  Broker broker(kind());
  ASSERT_TRUE(broker.running());
  auto c = connected(broker, "lonely");
  auto started = std::chrono::steady_clock::now();
  auto answer = get(c->request("svc/nobody", "x", 300ms));
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::timeout);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 3s);
}

}  // namespace
}  // namespace tern::client::test
