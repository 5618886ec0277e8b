#include "tern_pubsub_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <thread>

namespace tern::pubsub_test {
namespace {

using Clock = std::chrono::steady_clock;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int next_id() {
  static int counter = 0;
  return ++counter;
}

}  // namespace

Child::Child(const std::vector<std::string>& args, const std::filesystem::path& dir,
             std::string_view input) {
  int id = next_id();
  out_path_ = dir / ("child" + std::to_string(id) + ".out");
  err_path_ = dir / ("child" + std::to_string(id) + ".err");
  auto in_path = dir / ("child" + std::to_string(id) + ".in");
  {
    std::ofstream in(in_path, std::ios::binary);
    in.write(input.data(), static_cast<std::streamsize>(input.size()));
  }
  std::vector<char*> argv;
  for (const std::string& arg : args)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int in = ::open(in_path.c_str(), O_RDONLY);
    int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) ::_exit(127);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
}

Child::~Child() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void Child::signal(int signal) const {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, signal);
}

std::optional<int> Child::wait(Millis timeout) {
  if (exit_code_ || pid_ <= 0) return exit_code_;
  auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = exit_code_of(status);
      return exit_code_;
    }
    if (done < 0 && errno != EINTR) return std::nullopt;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

bool Child::wait_for_output(std::string_view needle, Millis timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (out().find(needle) != std::string::npos) return true;
    if (wait(0ms) || Clock::now() >= deadline) return out().find(needle) != std::string::npos;
    std::this_thread::sleep_for(10ms);
  }
}

std::string Child::out() const {
  return read_file(out_path_);
}

std::string Child::err() const {
  return read_file(err_path_);
}

Finished run(const std::vector<std::string>& args, const std::filesystem::path& dir,
             std::string_view input, Millis timeout) {
  Child child(args, dir, input);
  Finished result;
  if (auto code = child.wait(timeout)) result.exit_code = *code;
  result.out = child.out();
  result.err = child.err();
  return result;
}

RefusingPort open_refusing_port() {
  RefusingPort port;
  port.fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (port.fd < 0 || ::bind(port.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return port;
  }
  socklen_t length = sizeof address;
  ::getsockname(port.fd, reinterpret_cast<sockaddr*>(&address), &length);
  port.port = ntohs(address.sin_port);
  return port;
}

void close_refusing_port(RefusingPort& port) {
  if (port.fd >= 0) ::close(port.fd);
  port.fd = -1;
}

std::uint16_t free_port() {
  RefusingPort port = open_refusing_port();
  close_refusing_port(port);
  return port.port;
}

bool wait_accepting(std::uint16_t port, Millis timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (ok) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

}  // namespace tern::pubsub_test
