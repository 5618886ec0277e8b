// SimpleClient (umqtt.simple's API) against tern and mosquitto.
#include "integration_common.h"
#include "tern/client/simple.h"

namespace tern::client::test {
namespace {

using Clock = std::chrono::steady_clock;

class SimpleClientTest : public ::testing::TestWithParam<BrokerKind> {};
INSTANTIATE_TEST_SUITE_P(Brokers, SimpleClientTest,
                         ::testing::Values(BrokerKind::tern, BrokerKind::mosquitto),
                         [](const auto& test_info) {
                           return std::string(to_string(test_info.param));
                         });

struct Received {
  std::vector<std::pair<std::string, std::string>> messages;
  SimpleClient::Callback callback() {
    return [this](const std::string& t, const std::string& p) { messages.emplace_back(t, p); };
  }
};

TEST_P(SimpleClientTest, PublishSubscribeAtEachQos) {
  Broker broker(GetParam());
  SimpleClient c("simple-1", "127.0.0.1", broker.port());
  Received got;
  c.set_callback(got.callback());
  EXPECT_FALSE(c.connect());
  c.subscribe("s/#", 2);
  EXPECT_FALSE(c.check_msg());  // nothing yet, and it does not block
  for (int q = 0; q <= 2; ++q)
    c.publish("s/" + std::to_string(q), "m" + std::to_string(q), false, q);
  auto until = Clock::now() + 5s;
  while (got.messages.size() < 3 && Clock::now() < until)
    c.wait_msg();
  ASSERT_EQ(got.messages.size(), 3u);
  EXPECT_EQ(got.messages[0], (std::pair<std::string, std::string>{"s/0", "m0"}));
  EXPECT_EQ(got.messages[2], (std::pair<std::string, std::string>{"s/2", "m2"}));
  c.unsubscribe("s/#");
  c.ping();
  c.disconnect();
}

TEST_P(SimpleClientTest, PublishFromTheCallback) {
  Broker broker(GetParam());
  SimpleClient c("simple-echo", "127.0.0.1", broker.port());
  std::vector<std::string> order;
  int depth = 0;
  bool nested = false;
  c.set_callback([&](const std::string& topic, const std::string& payload) {
    nested = nested || depth > 0;
    ++depth;
    order.push_back(topic);
    if (topic == "cmd") c.publish("reply", payload + "!", false, 2);  // waits for PUBCOMP
    --depth;
  });
  c.connect();
  c.subscribe("cmd", 1);
  c.subscribe("reply", 1);
  c.publish("cmd", "go", false, 1);
  auto until = Clock::now() + 5s;
  while (order.size() < 2 && Clock::now() < until)
    c.wait_msg();
  EXPECT_FALSE(nested);
  EXPECT_EQ(order, (std::vector<std::string>{"cmd", "reply"}));
}

TEST_P(SimpleClientTest, LastWill) {
  Broker broker(GetParam());
  SimpleClient watcher("watcher", "127.0.0.1", broker.port());
  Received got;
  watcher.set_callback(got.callback());
  watcher.connect();
  watcher.subscribe("status/#", 1);
  {
    SimpleClient dying("dying", "127.0.0.1", broker.port());
    dying.set_last_will("status/dying", "offline", false, 1);
    dying.connect();
  }  // destroyed without disconnect()
  auto until = Clock::now() + 5s;
  while (got.messages.empty() && Clock::now() < until)
    watcher.check_msg();
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0].second, "offline");
}

TEST_P(SimpleClientTest, KeepalivePingsWhileChecking) {
  Broker broker(GetParam());
  SimpleClient c("simple-ka", "127.0.0.1", broker.port(), {}, {}, 1);
  c.connect();
  auto until = Clock::now() + 3s;
  while (Clock::now() < until) {
    c.check_msg();
    std::this_thread::sleep_for(50ms);
  }
  c.ping();  // throws if the broker closed the connection for lack of keepalive
}

TEST_P(SimpleClientTest, ErrorsThrowMqttError) {
  Broker broker(GetParam(), BrokerSetup{"password_file " + password_file() + "\n", false});
  SimpleClient good("good", "127.0.0.1", broker.port(), "alice", "secret");
  EXPECT_FALSE(good.connect(false));
  EXPECT_THROW(good.connect(), MqttError);  // already connected
  SimpleClient bad("bad", "127.0.0.1", broker.port(), "alice", "nope");
  try {
    bad.connect();
    ADD_FAILURE() << "connect with a wrong password succeeded";
  } catch (const MqttError& e) {
    EXPECT_EQ(e.error().code, ErrorCode::connack_refused);
    EXPECT_NE(std::string(e.what()).find("refused"), std::string::npos);
  }
  EXPECT_THROW(bad.publish("t", "x"), MqttError);       // not connected
  EXPECT_THROW(good.publish("bad/#", "x"), MqttError);  // invalid topic
  EXPECT_THROW(good.publish("t", "x", false, 3), MqttError);
}

}  // namespace
}  // namespace tern::client::test
