// tern_pub, tern_sub and tern_rr as processes against real brokers on free loopback ports (the
// tern binary of this build and Debian's mosquitto): what the comparison tests with mosquitto's
// tools (tests/tools/compare) do not cover. Connections refused by TCP and by CONNACK (MQTT
// 3.1.1 §3.2.2.3, MQTT 5.0 §3.2.2.2) with mosquitto's messages and exit codes, the tools against
// another broker, TLS with a throwaway CA, SIGINT and SIGTERM (a DISCONNECT, so no will:
// [MQTT-3.1.2-10]), reconnecting after a broker restart, and -l with many lines at QoS 1
// arriving complete and in order (MQTT 3.1.1 [MQTT-4.6.0-6], ordered topics).
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "broker_launcher.h"
#include "tern_pubsub_support.h"

namespace tern::pubsub_test {
namespace {

using client::test::Broker;
using client::test::BrokerKind;
using client::test::BrokerSetup;
using client::test::make_test_ca;
using client::test::TempDir;
using client::test::TestCa;

const std::string kTernPasswd = TERN_PASSWD_BINARY;
const std::string kMosquittoPub = "/usr/bin/mosquitto_pub";
const std::string kMosquittoSub = "/usr/bin/mosquitto_sub";
const std::string kSubscribed = "Subscribed (mid:";  // tern_sub -d, once the SUBACK came

std::vector<std::string> at(std::uint16_t port, std::vector<std::string> args) {
  std::vector<std::string> all{"-h", "127.0.0.1", "-p", std::to_string(port)};
  all.insert(all.end(), args.begin(), args.end());
  return all;
}

std::vector<std::string> cmd(const std::string& tool, std::vector<std::string> args) {
  args.insert(args.begin(), tool);
  return args;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

TEST(TernToolsRefused, NothingListening) {
  TempDir dir;
  RefusingPort port = open_refusing_port();
  ASSERT_NE(port.port, 0);
  for (const auto& [tool, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {kTernPub, {"-t", "t", "-m", "x"}},
           {kTernSub, {"-t", "t"}},
           {kTernRr, {"-t", "t", "-e", "r", "-m", "x"}}}) {
    Finished done = run(cmd(tool, at(port.port, args)), dir.path(), {}, 10s);
    EXPECT_EQ(done.exit_code, 1) << tool;
    EXPECT_EQ(done.err, "Error: Connection refused\n") << tool;
  }
  close_refusing_port(port);
}

// A password file written by tern_passwd; the broker refuses a wrong password in its CONNACK,
// and each tool says so as mosquitto's tool does, with the CONNACK's code as exit code.
class TernToolsCredentials : public ::testing::TestWithParam<BrokerKind> {};

TEST_P(TernToolsCredentials, WrongPasswordIsRefusedWithMosquittosMessage) {
  TempDir dir;
  auto file = dir.path() / "passwd";
  ASSERT_EQ(run({kTernPasswd, "-c", "-b", file.string(), "alice", "secret"}, dir.path()).exit_code,
            0);
  Broker broker(GetParam(), BrokerSetup{"password_file " + file.string(), false});
  ASSERT_TRUE(broker.running());
  std::uint16_t port = broker.port();

  Finished good =
      run(cmd(kTernPub, at(port, {"-t", "t", "-m", "x", "-u", "alice", "-P", "secret", "-q", "1"})),
          dir.path());
  EXPECT_EQ(good.exit_code, 0) << good.err;

  for (const char* version : {"311", "5"}) {
    SCOPED_TRACE(version);
    std::vector<std::string> wrong{"-u", "alice", "-P", "wrong", "-V", version};
    auto with = [&wrong](std::vector<std::string> args) {
      args.insert(args.end(), wrong.begin(), wrong.end());
      return args;
    };
    // mosquitto's own tools, for the same broker, say what the tern tools must say.
    Finished m_pub = run(cmd(kMosquittoPub, at(port, with({"-t", "t", "-m", "x"}))), dir.path());
    Finished t_pub = run(cmd(kTernPub, at(port, with({"-t", "t", "-m", "x"}))), dir.path());
    Finished m_sub = run(cmd(kMosquittoSub, at(port, with({"-t", "t"}))), dir.path());
    Finished t_sub = run(cmd(kTernSub, at(port, with({"-t", "t"}))), dir.path());
    Finished t_rr =
        run(cmd(kTernRr, at(port, with({"-t", "t", "-e", "r", "-m", "x"}))), dir.path());
    EXPECT_EQ(t_pub.exit_code, m_pub.exit_code);
    EXPECT_EQ(t_pub.err, m_pub.err);
    EXPECT_EQ(t_sub.exit_code, m_sub.exit_code);
    EXPECT_EQ(t_sub.err, m_sub.err);
    EXPECT_EQ(t_rr.exit_code, m_sub.exit_code);
    EXPECT_EQ(t_rr.err, m_sub.err);
    // Not authorised (3.1.1 return code 5) or Bad User Name or Password / Not authorized (5.0).
    if (std::string(version) == "311") {
      EXPECT_TRUE(t_sub.exit_code == 4 || t_sub.exit_code == 5) << t_sub.exit_code;
      EXPECT_EQ(first_line(t_sub.err).rfind("Connection error: Connection Refused: ", 0), 0u)
          << t_sub.err;
    } else {
      EXPECT_TRUE(t_sub.exit_code == 0x86 || t_sub.exit_code == 0x87) << t_sub.exit_code;
      EXPECT_EQ(first_line(t_sub.err).rfind("Connection error: ", 0), 0u) << t_sub.err;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Brokers, TernToolsCredentials,
                         ::testing::Values(BrokerKind::tern, BrokerKind::mosquitto),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param));
                         });

// One message from tern_pub to tern_sub through `port`, with `extra` flags for both.
void round_trip(const TempDir& dir, std::vector<std::string> connection, const std::string& topic,
                const std::vector<std::string>& extra = {}) {
  auto sub_args = connection;
  sub_args.insert(sub_args.end(),
                  {"-t", topic, "-q", "1", "-C", "1", "-d", "-F", "%t %p %q", "-W", "20"});
  sub_args.insert(sub_args.end(), extra.begin(), extra.end());
  Child sub(cmd(kTernSub, sub_args), dir.path());
  ASSERT_TRUE(sub.wait_for_output(kSubscribed, 10s)) << sub.out() << sub.err();
  auto pub_args = connection;
  pub_args.insert(pub_args.end(), {"-t", topic, "-m", "hello there", "-q", "1"});
  pub_args.insert(pub_args.end(), extra.begin(), extra.end());
  Finished pub = run(cmd(kTernPub, pub_args), dir.path());
  EXPECT_EQ(pub.exit_code, 0) << pub.err;
  ASSERT_EQ(sub.wait(10s), std::optional<int>(0)) << sub.err();
  EXPECT_NE(sub.out().find(topic + " hello there 1\n"), std::string::npos) << sub.out();
}

TEST(TernToolsMosquittoBroker, RoundTrip) {
  TempDir dir;
  Broker broker(BrokerKind::mosquitto);
  ASSERT_TRUE(broker.running());
  round_trip(dir, {"-h", "127.0.0.1", "-p", std::to_string(broker.port())}, "to/mosquitto");
  round_trip(dir, {"-h", "127.0.0.1", "-p", std::to_string(broker.port())}, "to/mosquitto/5",
             {"-V", "5"});
}

TEST(TernToolsMosquittoBroker, RequestResponse) {
  TempDir dir;
  Broker broker(BrokerKind::mosquitto);
  ASSERT_TRUE(broker.running());
  std::string port = std::to_string(broker.port());
  // The responder: tern_sub takes the request and prints its Response Topic, which this test
  // answers with mosquitto_pub (MQTT 5.0 §4.10).
  Child responder({kTernSub, "-h", "127.0.0.1", "-p", port, "-V", "5", "-t", "req", "-C", "1", "-F",
                   "%R", "-d"},
                  dir.path());
  ASSERT_TRUE(responder.wait_for_output(kSubscribed, 10s)) << responder.out();
  Child rr(
      {kTernRr, "-h", "127.0.0.1", "-p", port, "-t", "req", "-e", "resp/me", "-m", "q", "-W", "20"},
      dir.path());
  ASSERT_EQ(responder.wait(10s), std::optional<int>(0));
  EXPECT_NE(responder.out().find("resp/me\n"), std::string::npos) << responder.out();
  Finished answer =
      run({kMosquittoPub, "-h", "127.0.0.1", "-p", port, "-t", "resp/me", "-m", "the answer"},
          dir.path());
  ASSERT_EQ(answer.exit_code, 0);
  EXPECT_EQ(rr.wait(10s), std::optional<int>(0)) << rr.err();
  EXPECT_EQ(rr.out(), "the answer\n");
}

class TernToolsTls : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = make_test_ca(dir_.path());
    ASSERT_TRUE(ca_.ok);
  }
  TempDir dir_;
  TestCa ca_;
};

TEST_F(TernToolsTls, PublishAndSubscribeWithCafile) {
  Broker broker(BrokerKind::mosquitto, BrokerSetup{"", true, &ca_});
  ASSERT_TRUE(broker.running());
  // The server certificate names "localhost" only.
  round_trip(dir_,
             {"-h", "localhost", "-p", std::to_string(broker.tls_port()), "--cafile",
              ca_.ca_cert.string()},
             "over/tls");
}

TEST_F(TernToolsTls, UnknownCaAndWrongHostFail) {
  Broker broker(BrokerKind::mosquitto, BrokerSetup{"", true, &ca_});
  ASSERT_TRUE(broker.running());
  std::string port = std::to_string(broker.tls_port());
  Finished other = run({kTernPub, "-h", "localhost", "-p", port, "--cafile",
                        ca_.other_ca_cert.string(), "-t", "t", "-m", "x"},
                       dir_.path());
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_EQ(first_line(other.err), "Unable to connect (A TLS error occurred.).") << other.err;
  // 127.0.0.1 is not in the certificate: refused, unless --insecure skips the name check.
  std::vector<std::string> by_address{
      kTernPub, "-h", "127.0.0.1", "-p", port, "--cafile", ca_.ca_cert.string(),
      "-t",     "t",  "-m",        "x"};
  Finished mismatch = run(by_address, dir_.path());
  EXPECT_EQ(mismatch.exit_code, 1);
  EXPECT_NE(mismatch.err.find("certificate"), std::string::npos) << mismatch.err;
  by_address.push_back("--insecure");
  Finished insecure = run(by_address, dir_.path());
  EXPECT_EQ(insecure.exit_code, 0) << insecure.err;
}

// A signal makes tern_sub disconnect cleanly: exit code 0 and, over MQTT 3.1.1, a DISCONNECT,
// so the broker discards the will [MQTT-3.1.2-10]. A killed tern_sub, for contrast, leaves
// its will to be published [MQTT-3.1.2-8].
class TernSubSignals : public ::testing::TestWithParam<int> {};

TEST_P(TernSubSignals, ExitsCleanlyAndPromptly) {
  TempDir dir;
  Broker broker(BrokerKind::tern);
  ASSERT_TRUE(broker.running());
  auto connection = at(broker.port(), {});
  const int sig = GetParam();
  const std::string will_topic = "will/" + std::to_string(sig);

  auto watch_args = connection;
  watch_args.insert(watch_args.end(), {"-t", will_topic, "-d", "-F", "WILL %p", "-W", "20"});
  Child watcher(cmd(kTernSub, watch_args), dir.path());
  ASSERT_TRUE(watcher.wait_for_output(kSubscribed, 10s)) << watcher.err();

  auto sub_args = connection;
  sub_args.insert(sub_args.end(), {"-t", "anything", "-d", "-V", "311", "--will-topic", will_topic,
                                   "--will-payload", "gone"});
  Child sub(cmd(kTernSub, sub_args), dir.path());
  ASSERT_TRUE(sub.wait_for_output(kSubscribed, 10s)) << sub.err();
  auto sent = std::chrono::steady_clock::now();
  sub.signal(sig);
  ASSERT_EQ(sub.wait(5s), std::optional<int>(0)) << sub.err();
  EXPECT_LT(std::chrono::steady_clock::now() - sent, 1s);
  EXPECT_NE(sub.out().find("sending DISCONNECT"), std::string::npos) << sub.out();

  // The contrast: killed, no DISCONNECT, the will goes out.
  Child killed(cmd(kTernSub, sub_args), dir.path());
  ASSERT_TRUE(killed.wait_for_output(kSubscribed, 10s)) << killed.err();
  killed.signal(SIGKILL);
  ASSERT_TRUE(watcher.wait_for_output("WILL gone", 10s)) << watcher.out();
  // Exactly one will: the signalled tern_sub left none.
  std::string out = watcher.out();
  EXPECT_EQ(out.find("WILL gone"), out.rfind("WILL gone")) << out;
  watcher.signal(SIGINT);
  EXPECT_EQ(watcher.wait(5s), std::optional<int>(0));
}

INSTANTIATE_TEST_SUITE_P(Signals, TernSubSignals, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& param_info) {
                           return std::string(param_info.param == SIGINT ? "SIGINT" : "SIGTERM");
                         });

// A lost connection is made again every second and the filters subscribed again, as
// mosquitto_sub does: tern_sub outlives a broker restart.
TEST(TernSubReconnect, SubscribesAgainAfterTheBrokerRestarts) {
  TempDir dir;
  std::uint16_t port = free_port();
  ASSERT_NE(port, 0);
  std::vector<std::string> broker_args{TERN_BINARY, "-p", std::to_string(port)};
  auto first = std::make_unique<Child>(broker_args, dir.path());
  ASSERT_TRUE(wait_accepting(port, 10s));
  Child sub(cmd(kTernSub, at(port, {"-t", "r", "-C", "1", "-d", "-F", "got %p", "-W", "30"})),
            dir.path());
  ASSERT_TRUE(sub.wait_for_output("Subscribed (mid: 1)", 10s)) << sub.out() << sub.err();
  first->signal(SIGTERM);
  ASSERT_TRUE(first->wait(5s).has_value());
  first.reset();
  Child second(broker_args, dir.path());
  ASSERT_TRUE(wait_accepting(port, 10s));
  ASSERT_TRUE(sub.wait_for_output("Subscribed (mid: 2)", 10s)) << sub.out() << sub.err();
  Finished pub = run(cmd(kTernPub, at(port, {"-t", "r", "-m", "again"})), dir.path());
  EXPECT_EQ(pub.exit_code, 0) << pub.err;
  ASSERT_EQ(sub.wait(10s), std::optional<int>(0)) << sub.err();
  EXPECT_NE(sub.out().find("got again\n"), std::string::npos) << sub.out();
  second.signal(SIGTERM);
  EXPECT_TRUE(second.wait(5s).has_value());
}

// -l: one message per line while connected; at QoS 1 every line arrives, in order.
TEST(TernPubLines, ManyLinesAtQos1ArriveInOrder) {
  TempDir dir;
  // The publisher may run ahead of the subscriber: the broker must queue every message for it
  // rather than drop those over its default bound of 1000 (max_queued_messages).
  Broker broker(BrokerKind::tern, BrokerSetup{"max_queued_messages 10000"});
  ASSERT_TRUE(broker.running());
  constexpr int kLines = 3000;
  std::string input;
  std::string expected;
  for (int i = 0; i < kLines; ++i) {
    std::string line = "line " + std::to_string(i) + (i % 7 == 0 ? std::string(500, 'x') : "");
    input += line + "\n";
    expected += line + "\n";
  }
  auto connection = at(broker.port(), {});
  auto sub_args = connection;
  sub_args.insert(sub_args.end(), {"-t", "lines", "-q", "1", "-C", std::to_string(kLines), "-d",
                                   "-F", "%p", "-W", "40"});
  Child sub(cmd(kTernSub, sub_args), dir.path());
  ASSERT_TRUE(sub.wait_for_output(kSubscribed, 10s)) << sub.err();
  auto pub_args = connection;
  pub_args.insert(pub_args.end(), {"-t", "lines", "-q", "1", "-l", "-M", "5"});
  Finished pub = run(cmd(kTernPub, pub_args), dir.path(), input, 40s);
  EXPECT_EQ(pub.exit_code, 0) << pub.err;
  ASSERT_EQ(sub.wait(40s), std::optional<int>(0)) << sub.err();
  // The debug lines come first ("Client ... ", "Subscribed ..."); then only the payloads.
  std::string out = sub.out();
  std::string payloads;
  std::size_t start = 0;
  while (start < out.size()) {
    std::size_t end = out.find('\n', start);
    std::string line = out.substr(start, end - start);
    if (line.rfind("Client ", 0) != 0 && line.rfind("Subscribed ", 0) != 0) {
      payloads += line + "\n";
    }
    start = end == std::string::npos ? out.size() : end + 1;
  }
  EXPECT_EQ(payloads, expected);
}

}  // namespace
}  // namespace tern::pubsub_test
