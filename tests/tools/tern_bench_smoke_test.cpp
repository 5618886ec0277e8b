// tern_bench end to end: the binary against the real broker (started by the black-box harness on
// a free loopback port), against its own sink, and against brokers that refuse, ignore or are not
// there. The tests check exit codes and the figures of --json; never timing.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.h"

namespace tern::blackbox {
namespace {

using Clock = std::chrono::steady_clock;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Starts `args` with stdout and stderr into `output`; the child dies with the test.
pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& output) {
  std::vector<char*> argv;
  for (const std::string& arg : args)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) return -1;
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out);
  return pid;
}

// Exit code of `pid` (128 + N for signal N); kills it and returns -1 after `timeout`.
int wait_for(pid_t pid, Millis timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (done < 0) return -1;
    if (Clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(5ms);
  }
}

struct BenchRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
  std::string json;    // the --json file

  // A top-level number of the JSON report; NaN when missing or null.
  double number(std::string_view key) const {
    std::string needle = "\"" + std::string(key) + "\": ";
    std::size_t at = json.find(needle);
    if (at == std::string::npos) {
      ADD_FAILURE() << "no '" << key << "' in the JSON report:\n" << json;
      return std::nan("");
    }
    const char* start = json.c_str() + at + needle.size();
    char* end = nullptr;
    double value = std::strtod(start, &end);
    return end == start ? std::nan("") : value;
  }
};

// Runs tern_bench to completion (it must end by itself within 30 s: no hang) with --json.
BenchRun run_bench(std::vector<std::string> args) {
  TempDir dir;
  auto json = dir.path() / "report.json";
  auto output = dir.path() / "output.txt";
  std::vector<std::string> argv{TERN_BENCH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--json");
  argv.push_back(json.string());
  BenchRun run;
  pid_t pid = spawn(argv, output);
  if (pid < 0) {
    ADD_FAILURE() << "cannot start " << TERN_BENCH_BINARY;
    return run;
  }
  run.exit_code = wait_for(pid, 30s);
  EXPECT_NE(run.exit_code, -1) << "tern_bench did not end within 30 s";
  run.output = slurp(output);
  run.json = slurp(json);
  return run;
}

std::string port_of(const BrokerProcess& broker) {
  return std::to_string(broker.port());
}

// A loopback port nothing listens on (free a moment ago).
std::uint16_t unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// `tern_bench sink -p 0`, stopped with SIGTERM at the end of the test.
class Sink {
 public:
  Sink() {
    pid_ = spawn({TERN_BENCH_BINARY, "sink", "-p", "0"}, dir_.path() / "sink.txt");
    auto deadline = Clock::now() + kWait;
    std::string marker = "listening on 127.0.0.1:";
    while (Clock::now() < deadline) {
      std::string text = slurp(dir_.path() / "sink.txt");
      if (auto at = text.find(marker);
          at != std::string::npos && text.find('\n', at) != std::string::npos) {
        port_ = static_cast<std::uint16_t>(std::stoi(text.substr(at + marker.size())));
        return;
      }
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << "the sink did not start: " << slurp(dir_.path() / "sink.txt");
  }
  ~Sink() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    EXPECT_EQ(wait_for(pid_, kWait), 0) << "the sink did not stop cleanly";
  }
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  std::string port() const { return std::to_string(port_); }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

// ---- Against the broker ------------------------------------------------------------------------

// QoS 1 end to end: everything sent is acknowledged and delivered exactly once. The broker's
// queue is unbounded here: with the default max_queued_messages (1000) a publisher that
// outpaces delivery makes the broker drop messages, as Mosquitto does, and this test is about
// tern_bench's accounting, not that policy.
TEST(TernBenchSmoke, PubSubQos1DeliversEverything) {
  BrokerProcess broker("max_queued_messages 0");
  BenchRun run = run_bench(
      {"pubsub", "-p", port_of(broker), "-c", "2", "-n", "2", "-q", "1", "--count", "2000"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.number("sent"), 4000);
  EXPECT_EQ(run.number("acked"), 4000);
  EXPECT_EQ(run.number("expected"), 4000);
  EXPECT_EQ(run.number("received"), run.number("expected"));
  EXPECT_EQ(run.number("lost"), 0);
  EXPECT_EQ(run.number("duplicated"), 0);
  EXPECT_EQ(run.number("unexpected"), 0);
  EXPECT_NE(run.json.find("\"count\": 4000}"), std::string::npos) << "one latency per message";
  EXPECT_NE(run.json.find("\"drain_end\": \"complete\""), std::string::npos) << run.json;
}

TEST(TernBenchSmoke, PubSubQos0) {
  BrokerProcess broker;
  BenchRun run = run_bench(
      {"pubsub", "-p", port_of(broker), "-c", "2", "-n", "2", "-q", "0", "--count", "1000"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.number("sent"), 2000);
  EXPECT_EQ(run.number("expected"), 2000);
  // QoS 0 may be dropped under load; that is reported, not an error.
  EXPECT_EQ(run.number("received") + run.number("dropped"), 2000);
  EXPECT_EQ(run.number("lost"), 0);
  EXPECT_EQ(run.number("duplicated"), 0);
}

// Fan-in through one shared subscription, QoS 2, two client threads: each message reaches the
// group once.
TEST(TernBenchSmoke, Qos2FanInToASharedGroup) {
  BrokerProcess broker("max_queued_messages 0");
  BenchRun run = run_bench({"pubsub", "-p", port_of(broker), "-c", "3", "-n", "2", "-q", "2",
                            "--shared", "--sub-topic", "bench/#", "--count", "300", "-T", "2"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.number("acked"), 900);
  EXPECT_EQ(run.number("expected"), 900);
  EXPECT_EQ(run.number("received"), 900);
  EXPECT_EQ(run.number("lost"), 0);
  EXPECT_EQ(run.number("duplicated"), 0);
}

TEST(TernBenchSmoke, ConnHoldsTwoHundredConnections) {
  BrokerProcess broker;
  BenchRun run = run_bench({"conn", "-p", port_of(broker), "-c", "200", "-d", "0.2", "-T", "2",
                            "--broker-pid", std::to_string(broker.pid())});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.number("connections"), 200);
  EXPECT_EQ(run.number("connected"), 200);
  EXPECT_EQ(run.number("connect_failed"), 0);
  EXPECT_GT(run.number("connect_rate_per_s"), 0);
  EXPECT_GT(run.number("broker_rss_kb_before"), 0);
  EXPECT_GT(run.number("broker_rss_kb_after"), 0);
  EXPECT_FALSE(std::isnan(run.number("rss_per_connection_bytes")));
}

TEST(TernBenchSmoke, CredentialsAreSent) {
  BrokerProcess broker(std::string("password_file ") + TERN_TEST_DATA +
                       "/auth/data/mosquitto_passwd.txt\nallow_anonymous false");
  BenchRun run = run_bench(
      {"conn", "-p", port_of(broker), "-c", "3", "-d", "0.1", "-u", "alice", "-P", "secret"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.number("connected"), 3);
}

// ---- Refusals: exit code 2, a summary of how many and why, never a hang ------------------------

TEST(TernBenchSmoke, RefusedCredentialsAreExitCode2) {
  BrokerProcess broker(std::string("password_file ") + TERN_TEST_DATA +
                       "/auth/data/mosquitto_passwd.txt\nallow_anonymous false");
  BenchRun run = run_bench({"pubsub", "-p", port_of(broker), "-c", "2", "-n", "3", "-u", "alice",
                            "-P", "wrong", "--count", "10"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("5 of 5 connections failed"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("CONNACK refused: Bad User Name or Password (return code 4)"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(run.number("connect_failed"), 5);
  EXPECT_EQ(run.number("sent"), 0);
}

TEST(TernBenchSmoke, NothingListeningIsExitCode2) {
  BenchRun run = run_bench(
      {"pubsub", "-p", std::to_string(unused_port()), "-c", "2", "-n", "2", "--count", "10"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("4 of 4 connections failed"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("TCP connect: Connection refused"), std::string::npos) << run.output;
}

// A listener that never accepts: TCP connects (the kernel's backlog) but no CONNACK ever comes.
TEST(TernBenchSmoke, SilentBrokerTimesOut) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  BenchRun run = run_bench({"conn", "-p", std::to_string(ntohs(address.sin_port)), "-c", "3",
                            "--connect-timeout", "0.3"});
  ::close(fd);
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("3 of 3 connections failed"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("timed out after 0.3 s waiting for CONNACK"), std::string::npos)
      << run.output;
}

// ---- Against the sink --------------------------------------------------------------------------

// The sink acknowledges and discards: every QoS 1 message is lost, loudly, with exit code 3.
TEST(TernBenchSmoke, LossesAreExitCode3) {
  Sink sink;
  BenchRun run =
      run_bench({"pubsub", "-p", sink.port(), "-c", "1", "-n", "1", "-q", "1", "--count", "20"});
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(run.output.find("LOST 20 messages"), std::string::npos) << run.output;
  EXPECT_EQ(run.number("acked"), 20);
  EXPECT_EQ(run.number("received"), 0);
  EXPECT_EQ(run.number("lost"), 20);
}

TEST(TernBenchSmoke, Mqtt5Qos2AgainstTheSink) {
  Sink sink;
  BenchRun run = run_bench({"pub", "-p", sink.port(), "-V", "5", "-c", "2", "-q", "2", "--count",
                            "100", "--inflight", "8"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.number("sent"), 200);
  EXPECT_EQ(run.number("acked"), 200);
  EXPECT_NE(run.json.find("\"version\": \"5\""), std::string::npos);
}

TEST(TernBenchSmoke, BadOptionsAreExitCode1) {
  BenchRun run = run_bench({"pubsub", "-q", "3"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("-q must be between 0 and 2, got 3"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("Usage: tern_bench"), std::string::npos) << run.output;
  EXPECT_TRUE(run.json.empty());
}

}  // namespace
}  // namespace tern::blackbox
