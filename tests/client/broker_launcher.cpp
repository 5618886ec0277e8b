// Broker processes and a throwaway CA for the integration tests (see broker_launcher.h).
#include "broker_launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace tern::client::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string_view to_string(BrokerKind kind) {
  return kind == BrokerKind::tern ? "tern" : "mosquitto";
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tern-client-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
  path_ = pattern;
  // Mosquitto started as root may drop to its own user: let it read what we write here.
  std::filesystem::permissions(path_, std::filesystem::perms(0755));
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write(std::string_view name, std::string_view text) const {
  auto file = path_ / name;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  return file;
}

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// Waits for the child until `deadline`; its exit status, or std::nullopt if still running.
std::optional<int> wait_until(pid_t pid, Clock::time_point deadline) {
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

std::uint16_t free_port() {
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

bool run(const std::string& command) {
  int rc = std::system((command + " >/dev/null 2>&1").c_str());
  if (rc != 0) ADD_FAILURE() << "failed: " << command;
  return rc == 0;
}

}  // namespace

TestCa make_test_ca(const std::filesystem::path& dir) {
  TestCa ca;
  auto p = [&](const char* name) { return (dir / name).string(); };
  const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  std::ofstream(p("server.ext")) << "subjectAltName=DNS:localhost\n";
  ca.ok = run("openssl req -x509 " + key + " -keyout " + p("ca.key") + " -out " + p("ca.crt") +
              " -days 2 -subj /CN=tern-test-ca") &&
          run("openssl req -x509 " + key + " -keyout " + p("other.key") + " -out " +
              p("other.crt") + " -days 2 -subj /CN=tern-other-ca") &&
          run("openssl req " + key + " -keyout " + p("server.key") + " -out " + p("server.csr") +
              " -subj /CN=localhost") &&
          run("openssl x509 -req -in " + p("server.csr") + " -CA " + p("ca.crt") + " -CAkey " +
              p("ca.key") + " -CAcreateserial -out " + p("server.crt") + " -days 2 -extfile " +
              p("server.ext")) &&
          run("openssl req " + key + " -keyout " + p("client.key") + " -out " + p("client.csr") +
              " -subj /CN=tern-test-client") &&
          run("openssl x509 -req -in " + p("client.csr") + " -CA " + p("ca.crt") + " -CAkey " +
              p("ca.key") + " -CAcreateserial -out " + p("client.crt") + " -days 2");
  for (const char* f : {"ca.key", "other.key", "server.key", "client.key"}) {
    std::error_code ignored;
    std::filesystem::permissions(dir / f, std::filesystem::perms(0644), ignored);
  }
  ca.ca_cert = p("ca.crt");
  ca.other_ca_cert = p("other.crt");
  ca.server_cert = p("server.crt");
  ca.server_key = p("server.key");
  ca.client_cert = p("client.crt");
  ca.client_key = p("client.key");
  return ca;
}

Broker::Broker(BrokerKind kind, BrokerSetup setup) : kind_(kind) {
  for (int attempt = 0; attempt < 8 && pid_ < 0; ++attempt) {
    if (!start(setup)) break;
  }
  if (pid_ < 0) ADD_FAILURE() << to_string(kind_) << " did not start; log:\n" << log();
}

// One attempt on fresh ports; false when the failure was not a port clash (do not retry).
bool Broker::start(const BrokerSetup& setup) {
  std::uint16_t port = free_port();
  std::uint16_t tls_port = setup.tls ? free_port() : 0;
  bool mosquitto = kind_ == BrokerKind::mosquitto;
  std::string config;
  // As root, mosquitto drops to its own user unless told otherwise (ignored when not root).
  if (mosquitto) config += "user root\n";
  config += "listener " + std::to_string(port) + " 127.0.0.1\n";
  if (setup.tls) {
    config += "listener " + std::to_string(tls_port) + " 127.0.0.1\n";
    config += "cafile " + setup.tls->ca_cert.string() + "\n";
    config += "certfile " + setup.tls->server_cert.string() + "\n";
    config += "keyfile " + setup.tls->server_key.string() + "\n";
    if (setup.require_client_certificate) config += "require_certificate true\n";
  }
  // Mosquitto 2 refuses anonymous clients unless told; per listener without per_listener
  // settings, so the line is global here.
  config += std::string("allow_anonymous ") + (setup.anonymous ? "true" : "false") + "\n";
  config += setup.config + "\n";
  auto path = dir_.write("broker.conf", config);
  std::string binary = mosquitto ? "/usr/sbin/mosquitto" : TERN_BINARY;
  pid_t pid = spawn({binary, "-c", path.string()}, dir_.path() / "broker.log");
  if (pid < 0) return false;
  auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline) {
    if (accepts(port) && (tls_port == 0 || accepts(tls_port))) {
      pid_ = pid;
      port_ = port;
      tls_port_ = tls_port;
      return true;
    }
    if (auto code = wait_until(pid, Clock::now())) {
      std::string text = log();
      // A port taken between the probe and the bind: try other ports.
      return text.find("in use") != std::string::npos ||
             text.find("cannot listen") != std::string::npos;
    }
    std::this_thread::sleep_for(10ms);
  }
  ::kill(pid, SIGKILL);
  wait_until(pid, Clock::now() + 5s);
  return false;
}

Broker::~Broker() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (!wait_until(pid_, Clock::now() + 5s)) {
    ADD_FAILURE() << to_string(kind_) << " did not stop after SIGTERM; log:\n" << log();
    ::kill(pid_, SIGKILL);
    wait_until(pid_, Clock::now() + 5s);
  }
}

std::string Broker::log() const {
  return read_file(dir_.path() / "broker.log");
}

}  // namespace tern::client::test
