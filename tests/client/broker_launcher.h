// Broker processes for the client library's integration tests: the tern binary of this build
// or Debian's mosquitto (/usr/sbin/mosquitto), each on a free loopback port, with its
// configuration, log and any files (password file, TLS certificates) in its own temporary
// directory. The destructor stops the broker (SIGTERM, then SIGKILL after 5 s).
//
// Also: a throwaway certificate authority made with the openssl command-line tool, for TLS
// tests (server certificate for "localhost" only, and a client certificate).
//
// Not thread-safe; one test owns each object. Failures are gtest failures.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace tern::client::test {

enum class BrokerKind { tern, mosquitto };
std::string_view to_string(BrokerKind kind);

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(std::string_view name, std::string_view text) const;

 private:
  std::filesystem::path path_;
};

// Files of a throwaway CA made for one test: ca.crt, server.crt/key (CN and subjectAltName
// "localhost" only, so 127.0.0.1 fails host name verification), client.crt/key.
struct TestCa {
  std::filesystem::path ca_cert, server_cert, server_key, client_cert, client_key;
  std::filesystem::path other_ca_cert;  // an unrelated CA: verification with it fails
  bool ok = false;
};
TestCa make_test_ca(const std::filesystem::path& dir);

struct BrokerSetup {
  // Lines appended after the plain listener (and anonymous access, unless `anonymous` is off).
  std::string config;
  bool anonymous = true;
  // When set: a second listener with TLS (tls_port()), with these certificates.
  const TestCa* tls = nullptr;
  bool require_client_certificate = false;
};

class Broker {
 public:
  Broker(BrokerKind kind, BrokerSetup setup = {});
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  bool running() const { return pid_ > 0; }
  BrokerKind kind() const { return kind_; }
  std::uint16_t port() const { return port_; }
  std::uint16_t tls_port() const { return tls_port_; }
  const TempDir& dir() const { return dir_; }
  std::string log() const;

 private:
  bool start(const BrokerSetup& setup);

  BrokerKind kind_;
  TempDir dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::uint16_t tls_port_ = 0;
};

}  // namespace tern::client::test
