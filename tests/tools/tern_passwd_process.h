// Child processes for the tern_passwd tests: run a program to completion with given standard
// input and capture its standard output and error apart (Exec), or keep one running in the
// background with its output in a file (Background). Children die with the test process
// (PR_SET_PDEATHSIG) and every wait has a deadline, so a hung child fails a test instead of
// hanging it. Paths of the programs under test come from the build (TERN_PASSWD_BINARY, ...).
//
// Not thread-safe; use from the test's thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::passwd_test {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

inline const std::string kTernPasswd = TERN_PASSWD_BINARY;
inline const std::string kTestData = TERN_TEST_DATA;  // the repository's tests/ folder
inline const std::string kMosquitto = "/usr/sbin/mosquitto";
inline const std::string kMosquittoPub = "/usr/bin/mosquitto_pub";
inline const std::string kMosquittoPasswd = "/usr/bin/mosquitto_passwd";

bool is_executable(const std::string& path);

struct Exec {
  int exit_code = -1;  // 128 + N when killed by signal N; -1 when it timed out or did not start
  std::string out;
  std::string err;
};

// Runs `args` (args[0] an absolute path) with `input` as its standard input, to completion or
// `timeout` (then SIGKILL).
Exec run(const std::vector<std::string>& args, std::string_view input = {}, Millis timeout = 20s);

// tern_passwd with `args`.
Exec tern_passwd(const std::vector<std::string>& args, std::string_view input = {});

// A program running in the background, stdin from /dev/null, stdout and stderr into `log`.
class Background {
 public:
  Background(const std::vector<std::string>& args, const std::filesystem::path& log);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  bool started() const { return pid_ > 0; }
  // The exit code if the program has exited by now, without waiting.
  std::optional<int> exited();
  // SIGTERM, at most `timeout` to exit, then SIGKILL; the exit code (128 + N for signal N).
  int stop(Millis timeout = 5s);

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// A loopback TCP port that was free a moment ago (bound to port 0, then closed).
std::uint16_t free_port();
// True once 127.0.0.1:port accepts a connection.
bool accepts(std::uint16_t port);

std::string read_text(const std::filesystem::path& path);
void write_text(const std::filesystem::path& path, std::string_view text);

}  // namespace tern::passwd_test
