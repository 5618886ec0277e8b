// The example programs (examples/remote_light, examples/sensor) run as child processes against
// tern and mosquitto; a Connection plays the dashboard that sends commands and watches the
// state, availability and will topics.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <thread>

#include "integration_common.h"

extern char** environ;

namespace tern::client::test {
namespace {

using Clock = std::chrono::steady_clock;

std::filesystem::path example_binary(const std::string& name) {
  // Examples are built into the same bin/ folder as the broker.
  return std::filesystem::path(TERN_BINARY).parent_path() / name;
}

// A child process whose stdout and stderr come through a pipe, read line by line.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = fds[0];
    ::fcntl(out_, F_SETFL, O_NONBLOCK);
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      (void)wait(5s);
    }
    if (out_ >= 0) ::close(out_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool running() const { return pid_ > 0; }
  void signal(int sig) const { ::kill(pid_, sig); }

  // Waits for a line containing `text`; everything read is kept in output().
  bool wait_for_line(const std::string& text, Clock::duration within = 5s) {
    auto deadline = Clock::now() + within;
    while (true) {
      for (auto pos = output_.find('\n', scanned_); pos != std::string::npos;
           pos = output_.find('\n', scanned_)) {
        std::string line = output_.substr(scanned_, pos - scanned_);
        scanned_ = pos + 1;
        if (line.find(text) != std::string::npos) return true;
      }
      if (Clock::now() >= deadline) return false;
      read_some();
      std::this_thread::sleep_for(5ms);
    }
  }

  // The exit code (128 + signal when killed), or std::nullopt if still running at the end.
  std::optional<int> wait(Clock::duration within) {
    auto deadline = Clock::now() + within;
    while (pid_ > 0) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        read_some();
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      if (Clock::now() >= deadline) return std::nullopt;
      read_some();
      std::this_thread::sleep_for(5ms);
    }
    return std::nullopt;
  }

  const std::string& output() const { return output_; }

 private:
  void read_some() {
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(out_, buffer, sizeof buffer)) > 0)
      output_.append(buffer, static_cast<std::size_t>(n));
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::string output_;
  std::size_t scanned_ = 0;
};

// The dashboard: subscribes to everything under `filter` and collects the messages.
class Watcher {
 public:
  Watcher(const Broker& broker, const std::string& filter, bool credentials,
          std::string client_id = "dashboard")
      : connection_(make(broker, credentials, std::move(client_id))) {
    EXPECT_TRUE(connection_.connect());
    EXPECT_TRUE(connection_.subscribe(filter, mqtt::QoS::at_least_once));
  }
  Connection& connection() { return connection_; }

  // The next message on `topic` within `within`.
  std::optional<Message> next(const std::string& topic, Clock::duration within = 5s) {
    auto deadline = Clock::now() + within;
    while (Clock::now() < deadline) {
      for (auto it = seen_.begin(); it != seen_.end(); ++it) {
        if (it->topic == topic) {
          Message m = std::move(*it);
          seen_.erase(it);
          return m;
        }
      }
      auto m = connection_.wait_message(20ms);
      if (!m) return std::nullopt;
      if (*m) seen_.push_back(std::move(**m));
    }
    return std::nullopt;
  }
  // Every message on `topic` arriving within `within`.
  std::vector<Message> all(const std::string& topic, Clock::duration within) {
    std::vector<Message> found;
    auto deadline = Clock::now() + within;
    while (auto m = next(topic, deadline - Clock::now()))
      found.push_back(std::move(*m));
    return found;
  }

 private:
  static ConnectOptions make(const Broker& broker, bool credentials, std::string client_id) {
    auto o = options_for(broker, std::move(client_id));
    if (credentials) {
      o.username = "alice";
      o.password = "secret";
    }
    return o;
  }
  Connection connection_;
  std::vector<Message> seen_;
};

class ExamplesTest : public ::testing::TestWithParam<BrokerKind> {
 protected:
  void SetUp() override {
    for (const char* name : {"remote_light", "sensor"}) {
      if (!std::filesystem::exists(example_binary(name))) {
        GTEST_SKIP() << example_binary(name) << " is not built (TERN_TOOLS off?)";
      }
    }
  }
};
INSTANTIATE_TEST_SUITE_P(Brokers, ExamplesTest,
                         ::testing::Values(BrokerKind::tern, BrokerKind::mosquitto),
                         [](const auto& test_info) {
                           return std::string(to_string(test_info.param));
                         });

// The tutorial's remote light: user and password, `on` / `off` commands, the retained state,
// and a clean exit on SIGINT: a DISCONNECT, so the broker drops the will [MQTT-3.1.2-10] and
// the only `offline` is the one the program publishes.
TEST_P(ExamplesTest, RemoteLightFollowsCommands) {
  Broker broker(GetParam(), BrokerSetup{"password_file " + password_file() + "\n", false});
  Child light({example_binary("remote_light").string(), "-h", "127.0.0.1", "-p",
               std::to_string(broker.port()), "-u", "alice", "-P", "secret", "-t", "light/1"});
  ASSERT_TRUE(light.running());
  ASSERT_TRUE(light.wait_for_line("subscribed to light/1")) << light.output();
  Watcher dashboard(broker, "light/1/#", true);
  auto online = dashboard.next("light/1/availability");
  ASSERT_TRUE(online);
  EXPECT_EQ(online->payload, "online");
  EXPECT_TRUE(online->retain);  // retained: sent on subscribe [MQTT-3.3.1-6]
  auto initial = dashboard.next("light/1/state");
  ASSERT_TRUE(initial);
  EXPECT_EQ(initial->payload, "off");

  ASSERT_TRUE(dashboard.connection().publish("light/1", "on", mqtt::QoS::at_least_once));
  EXPECT_TRUE(light.wait_for_line("light on")) << light.output();
  auto state = dashboard.next("light/1/state");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->payload, "on");

  ASSERT_TRUE(dashboard.connection().publish("light/1", "blink"));
  EXPECT_TRUE(light.wait_for_line("ignored 'blink'")) << light.output();
  ASSERT_TRUE(dashboard.connection().publish("light/1", "off", mqtt::QoS::exactly_once));
  EXPECT_TRUE(light.wait_for_line("light off")) << light.output();
  state = dashboard.next("light/1/state");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->payload, "off");

  light.signal(SIGINT);
  EXPECT_EQ(light.wait(5s), 0) << light.output();
  auto offline = dashboard.all("light/1/availability", 1s);
  ASSERT_EQ(offline.size(), 1u) << "the will was published as well: not a clean DISCONNECT";
  EXPECT_EQ(offline[0].payload, "offline");
}

TEST_P(ExamplesTest, RemoteLightRefusedCredentialsAreReported) {
  Broker broker(GetParam(), BrokerSetup{"password_file " + password_file() + "\n", false});
  Child light({example_binary("remote_light").string(), "-h", "127.0.0.1", "-p",
               std::to_string(broker.port()), "-u", "alice", "-P", "wrong", "-t", "light/2"});
  EXPECT_TRUE(light.wait_for_line("cannot connect")) << light.output();
  EXPECT_NE(light.output().find("refused"), std::string::npos) << light.output();
  light.signal(SIGTERM);
  EXPECT_TRUE(light.wait(10s).has_value()) << "did not stop on SIGTERM: " << light.output();
}

// The sensor: `online` retained after connecting, a retained reading every interval, its will
// `offline` when killed.
TEST_P(ExamplesTest, SensorPublishesReadingsAndItsWillWhenKilled) {
  Broker broker(GetParam());
  Child sensor({example_binary("sensor").string(), "-h", "127.0.0.1", "-p",
                std::to_string(broker.port()), "-b", "home/s1", "-i", "0.2", "--id", "s1"});
  ASSERT_TRUE(sensor.wait_for_line("temperature")) << sensor.output();
  Watcher dashboard(broker, "home/s1/#", false);
  auto online = dashboard.next("home/s1/availability");
  ASSERT_TRUE(online);
  EXPECT_EQ(online->payload, "online");
  EXPECT_TRUE(online->retain);
  auto readings = dashboard.all("home/s1/temperature", 2s);
  // One retained reading on subscribe, then one per 0.2 s: about 10 in 2 s.
  EXPECT_GE(readings.size(), 6u);
  EXPECT_LE(readings.size(), 14u);
  for (const auto& r : readings) {
    double value = std::stod(r.payload);
    EXPECT_GT(value, 15.0);
    EXPECT_LT(value, 30.0);
  }

  sensor.signal(SIGKILL);
  EXPECT_EQ(sensor.wait(5s), 128 + SIGKILL);
  auto will = dashboard.next("home/s1/availability");
  ASSERT_TRUE(will) << "no will after SIGKILL";
  EXPECT_EQ(will->payload, "offline");
}

// SIGINT: the sensor says `offline` itself and disconnects cleanly (no will on top); readings
// come from a file with -f.
TEST_P(ExamplesTest, SensorStopsCleanlyAndReadsAFile) {
  Broker broker(GetParam());
  auto file = broker.dir().write("temp", "23456\n");
  Child sensor({example_binary("sensor").string(), "-h", "127.0.0.1", "-p",
                std::to_string(broker.port()), "-b", "home/s2", "-i", "0.3", "--id", "s2", "-f",
                file.string(), "--scale", "0.001"});
  ASSERT_TRUE(sensor.wait_for_line("temperature 23.5")) << sensor.output();
  Watcher dashboard(broker, "home/s2/#", false);
  auto reading = dashboard.next("home/s2/temperature");
  ASSERT_TRUE(reading);
  EXPECT_EQ(reading->payload, "23.5");
  auto online = dashboard.next("home/s2/availability");
  ASSERT_TRUE(online);
  EXPECT_EQ(online->payload, "online");

  sensor.signal(SIGINT);
  EXPECT_EQ(sensor.wait(5s), 0) << sensor.output();
  auto offline = dashboard.all("home/s2/availability", 1s);
  ASSERT_EQ(offline.size(), 1u);
  EXPECT_EQ(offline[0].payload, "offline");
  Watcher late(broker, "home/s2/availability", false, "late-dashboard");
  auto retained = late.next("home/s2/availability");
  ASSERT_TRUE(retained);
  EXPECT_EQ(retained->payload, "offline");
  EXPECT_TRUE(retained->retain);
}

}  // namespace
}  // namespace tern::client::test
