// Child processes for the tests of tern_pub, tern_sub and tern_rr: a tool running in the
// background with its standard output and error in files, which a test can signal, wait for
// with a deadline, and read while it runs (to see tern_sub's "Subscribed" line under -d).
// Children die with the test process (PR_SET_PDEATHSIG); the destructor kills one still running.
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

namespace tern::pubsub_test {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

inline const std::string kTernPub = TERN_PUB_BINARY;
inline const std::string kTernSub = TERN_SUB_BINARY;
inline const std::string kTernRr = TERN_RR_BINARY;

class Child {
 public:
  // Starts `args` (args[0] an absolute path) with `input` as its whole standard input; output
  // goes to files in `dir`.
  Child(const std::vector<std::string>& args, const std::filesystem::path& dir,
        std::string_view input = {});
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool started() const { return pid_ > 0; }
  void signal(int signal) const;
  // The exit code (128 + N when killed by signal N) once the child exited within `timeout`.
  std::optional<int> wait(Millis timeout);
  // Waits until standard output contains `needle`, the child exits, or `timeout` passes.
  bool wait_for_output(std::string_view needle, Millis timeout);

  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

struct Finished {
  int exit_code = -1;  // -1: did not end in time (then killed)
  std::string out;
  std::string err;
};

// Runs `args` to completion (at most `timeout`, then SIGKILL).
Finished run(const std::vector<std::string>& args, const std::filesystem::path& dir,
             std::string_view input = {}, Millis timeout = 20s);

// A loopback port bound (so no one else gets it) but not listening: connecting is refused.
// The descriptor stays open until close_refusing_port().
struct RefusingPort {
  int fd = -1;
  std::uint16_t port = 0;
};
RefusingPort open_refusing_port();
void close_refusing_port(RefusingPort& port);

// A loopback port that was free a moment ago (bound to port 0, then closed).
std::uint16_t free_port();
// Waits until 127.0.0.1:port accepts a connection (true) or `timeout` passes (false).
bool wait_accepting(std::uint16_t port, Millis timeout);

}  // namespace tern::pubsub_test
