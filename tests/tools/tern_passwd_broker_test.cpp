// Password files written by tern_passwd, used by real brokers: Debian's Mosquitto 2.0.11
// (/usr/sbin/mosquitto) and Tern (the build's own tern binary, via the black-box harness), each
// on a free loopback port with `allow_anonymous false`, checked with mosquitto_pub: the right
// password connects, a wrong one and no credentials are refused with a CONNACK refusal (MQTT
// 3.1.1 §3.2.2.3: return code 4 or 5), not with a broken connection.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>

#include "harness.h"
#include "tern_passwd_process.h"

namespace tern::passwd_test {
namespace {

namespace fs = std::filesystem;
using blackbox::TempDir;

// The users every test writes with tern_passwd, in each hash form.
struct User {
  std::string name;
  std::string password;
};
const User kPbkdf2{"alice", "s3cret pässword"};
const User kSha512{"carol", "legacy-sha512"};
const User kIterations{"ivan", "many rounds"};
const User kPrompted{"petra", "typed at the prompt"};

// Writes a password file with tern_passwd in every mode that adds a user, plus a user deleted
// again and a plain-text user hashed by -U. Returns false (after failing the test) on error.
bool write_password_file(const fs::path& file) {
  const auto ok = [](const Exec& run) {
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.exit_code == 0;
  };
  write_text(file, "# written for the broker tests\numa:plain upgraded\n");
  return ok(tern_passwd({"-U", file.string()})) &&
         ok(tern_passwd({"-b", file.string(), kPbkdf2.name, kPbkdf2.password})) &&
         ok(tern_passwd({"-H", "sha512", "-b", file.string(), kSha512.name, kSha512.password})) &&
         ok(tern_passwd(
             {"-I", "2000", "-b", file.string(), kIterations.name, kIterations.password})) &&
         ok(tern_passwd({file.string(), kPrompted.name},
                        kPrompted.password + "\n" + kPrompted.password + "\n")) &&
         ok(tern_passwd({"-b", file.string(), "gone", "x"})) &&
         ok(tern_passwd({"-D", file.string(), "gone"}));
}

// mosquitto_pub publishing one message as `user` with `password` (nothing for no credentials).
Exec publish(std::uint16_t port, const std::string& user, const std::string& password) {
  std::vector<std::string> args{
      kMosquittoPub,      "-h", "127.0.0.1", "-p", std::to_string(port), "-t",
      "tern_passwd/test", "-m", "hello"};
  if (!user.empty()) {
    args.insert(args.end(), {"-u", user, "-P", password});
  }
  return run(args, {}, 10s);
}

void expect_accepted(std::uint16_t port, const User& user) {
  const Exec result = publish(port, user.name, user.password);
  EXPECT_EQ(result.exit_code, 0) << user.name << ": " << result.out << result.err;
}

// Refused at the MQTT level: mosquitto_pub prints the CONNACK refusal and exits non-zero.
void expect_refused(std::uint16_t port, const std::string& user, const std::string& password) {
  const Exec result = publish(port, user, password);
  EXPECT_NE(result.exit_code, 0) << user;
  EXPECT_NE((result.out + result.err).find("Connection Refused"), std::string::npos)
      << user << ": " << result.out << result.err;
}

void check_broker(std::uint16_t port) {
  for (const User& user : {kPbkdf2, kSha512, kIterations, kPrompted}) {
    expect_accepted(port, user);
    expect_refused(port, user.name, user.password + "!");
  }
  expect_accepted(port, User{"uma", "plain upgraded"});
  expect_refused(port, "gone", "x");
  expect_refused(port, "", "");
}

// Debian's mosquitto on a free port with the password file. Started as root it would switch to
// the `mosquitto` user, which cannot read a 0600 file of root's: `user root` keeps it root.
class Mosquitto {
 public:
  Mosquitto(const TempDir& dir, const fs::path& password_file) {
    for (int attempt = 0; attempt < 3 && !running_; ++attempt) {
      port_ = free_port();
      const auto config =
          dir.write("mosquitto.conf", "listener " + std::to_string(port_) +
                                          " 127.0.0.1\nallow_anonymous false\npassword_file " +
                                          password_file.string() + "\n" +
                                          (::geteuid() == 0 ? "user root\n" : ""));
      log_ = dir.path() / "mosquitto.log";
      process_.emplace(std::vector<std::string>{kMosquitto, "-c", config.string()}, log_);
      const auto deadline = std::chrono::steady_clock::now() + 10s;
      while (!running_ && !process_->exited() && std::chrono::steady_clock::now() < deadline) {
        running_ = accepts(port_);
        if (!running_) std::this_thread::sleep_for(20ms);
      }
      if (!running_) process_.reset();  // the port was taken meanwhile, or it failed: again
    }
    if (!running_) ADD_FAILURE() << "mosquitto did not start:\n" << read_text(log_);
  }

  bool running() const { return running_; }
  std::uint16_t port() const { return port_; }
  std::string log() const { return read_text(log_); }

 private:
  std::optional<Background> process_;
  fs::path log_;
  std::uint16_t port_ = 0;
  bool running_ = false;
};

TEST(TernPasswdBroker, MosquittoAcceptsTheFile) {
  if (!is_executable(kMosquitto) || !is_executable(kMosquittoPub)) {
    GTEST_SKIP() << "needs " << kMosquitto << " and " << kMosquittoPub;
  }
  TempDir dir;
  const auto file = dir.path() / "passwd";
  ASSERT_TRUE(write_password_file(file));
  Mosquitto broker(dir, file);
  ASSERT_TRUE(broker.running());
  check_broker(broker.port());
  // Mosquitto logs and skips entries it cannot read; there must be none.
  EXPECT_EQ(broker.log().find("Error"), std::string::npos) << broker.log();
}

TEST(TernPasswdBroker, TernAcceptsTheFile) {
  if (!is_executable(kMosquittoPub)) GTEST_SKIP() << "needs " << kMosquittoPub;
  TempDir dir;
  const auto file = dir.path() / "passwd";
  ASSERT_TRUE(write_password_file(file));
  blackbox::BrokerProcess broker("password_file " + file.string() + "\nallow_anonymous false\n");
  ASSERT_TRUE(broker.running());
  check_broker(broker.port());
}

}  // namespace
}  // namespace tern::passwd_test
