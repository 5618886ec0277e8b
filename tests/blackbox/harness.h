// Black-box test harness: the real `tern` binary in a child process, and raw MQTT clients that
// speak to it over TCP with the codec.
//
// BrokerProcess starts `tern -c FILE` on a free loopback port with a configuration written into
// its own temporary directory, captures the broker's stderr to a file there, and stops it with
// SIGTERM in its destructor, where it also fails the test when the broker crashed, did not exit
// with status 0, or printed a sanitizer report. Each test owns its broker, its port and its
// directory, so tests may run in parallel (ctest -j).
//
// RawClient is a blocking socket with a Framer: it sends bytes or encoded packets and receives
// decoded packets. Every wait has a deadline, so a broker that never answers makes a test fail
// rather than hang.
//
// Not thread-safe; use each object from the test's thread only (gtest assertions are used inside).
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mqtt/codec.h"
#include "mqtt/framer.h"
#include "mqtt/packets.h"
#include "mqtt/types.h"

namespace tern::blackbox {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;
using Bytes = std::vector<std::uint8_t>;
using mqtt::QoS;
using mqtt::Version;

// How long a test waits for something it expects to happen (generous: the broker may run under
// sanitizers on a loaded machine) and for something it expects not to happen (short: that wait
// is always paid in full).
inline constexpr Millis kWait = 5s;
inline constexpr Millis kQuiet = 300ms;

// Result of running the binary to completion (configuration errors, --test-config).
struct RunResult {
  int exit_code = -1;  // 128 + N: killed by signal N; -1: timed out and killed
  std::string output;  // stdout and stderr together
};

// The broker under test: TERN_BINARY (the build's own), or $TERN_BLACKBOX_BINARY when set.
const char* tern_binary();

// Runs `tern` with `args` and waits for it to exit (at most `timeout`, then SIGKILL).
RunResult run_tern(const std::vector<std::string>& args, Millis timeout = 10s);

// Failures of `log` that must fail any test: sanitizer reports.
std::optional<std::string> sanitizer_report(std::string_view log);

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to a file in the directory and returns its path.
  std::filesystem::path write(std::string_view name, std::string_view text) const;

 private:
  std::filesystem::path path_;
};

struct BrokerOptions {
  // Lines appended to the configuration after `listener PORT 127.0.0.1`.
  std::string config;
  unsigned threads = 2;  // thread_count: two workers, so connections are handed between them
  bool verbose = false;  // -v
  // Pass the port as `-p PORT` (the default listener on localhost) instead of a `listener` line.
  bool port_on_command_line = false;
};

class BrokerProcess {
 public:
  explicit BrokerProcess(BrokerOptions options = {});
  explicit BrokerProcess(std::string config) : BrokerProcess(BrokerOptions{std::move(config)}) {}
  ~BrokerProcess();
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  // False when the broker could not be started; the constructor has already failed the test.
  bool running() const { return pid_ > 0; }
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const TempDir& dir() const { return dir_; }
  // CPU time (user + system) the broker has used so far, from /proc.
  Millis cpu_time() const;

  // Everything the broker wrote to stderr so far.
  std::string log() const;
  // Waits until the log contains `needle` (true) or `timeout` passes (false).
  bool wait_for_log(std::string_view needle, Millis timeout = kWait) const;
  // Sends `signal` to the broker.
  void signal(int signal) const;
  // SIGTERM, then waits for the exit; returns the exit status (128 + N if killed by signal N).
  // Fails the test on a sanitizer report. Called by the destructor if not called before.
  int stop();

 private:
  bool start_once(const BrokerOptions& options, std::uint16_t port);

  TempDir dir_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
};

// Packet builders.
mqtt::Connect make_connect(std::string client_id, bool clean = true, std::uint16_t keep_alive = 60,
                           Version version = Version::v3_1_1);
mqtt::Publish make_publish(std::string topic, std::string payload, QoS qos = QoS::at_most_once,
                           std::uint16_t packet_id = 0, bool retain = false);
mqtt::Will make_will(std::string topic, std::string payload, QoS qos = QoS::at_most_once,
                     bool retain = false);

template <class Ack>
Ack make_ack(std::uint16_t packet_id) {
  Ack ack;
  ack.packet_id = packet_id;
  return ack;
}

// Hand-made bytes, for packets the encoder would never produce.
// A packet from its first byte and body, with the Remaining Length encoded minimally.
Bytes raw_packet(std::uint8_t first_byte, const Bytes& body);
// A string or binary field: two-byte big-endian length, then the bytes.
Bytes field(std::string_view text);
Bytes concat(std::initializer_list<Bytes> parts);

// A readable one-line description of a packet, for failure messages.
std::string describe(const mqtt::Packet& packet);
std::string hex(std::span<const std::uint8_t> bytes);

class RawClient {
 public:
  // Connects a TCP socket to 127.0.0.1:port (no MQTT yet). Fails the test if it cannot.
  explicit RawClient(std::uint16_t port, Version version = Version::v3_1_1);
  explicit RawClient(const BrokerProcess& broker, Version version = Version::v3_1_1)
      : RawClient(broker.port(), version) {}
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  Version version() const { return version_; }

  // Writes all of `bytes`; false if the socket is closed (the broker may have closed it).
  bool send_bytes(std::span<const std::uint8_t> bytes);
  // Encodes `packet` in this client's version (a Connect in its own) and writes it. A Connect
  // also sets this client's version, so later packets are encoded and decoded in it.
  bool send(const mqtt::Packet& packet);
  // The encoding of `packet` in this client's version.
  Bytes encode(const mqtt::Packet& packet) const;

  // The next packet from the broker, or std::nullopt if none came within `timeout` or the
  // connection closed first (see closed()). Bytes that do not decode fail the test.
  std::optional<mqtt::Packet> receive(Millis timeout = kWait);
  // The next packet, which must be a P; fails the test (and returns P{}) otherwise.
  template <class P>
  P expect(Millis timeout = kWait);
  // The broker closed the connection within `timeout`; packets that come first fail the test.
  bool expect_closed(Millis timeout = kWait);
  // Nothing at all arrives for `duration`, and the connection stays open.
  void expect_nothing(Millis duration = kQuiet);
  // Whether the broker closed the connection (seen by a read).
  bool closed() const { return peer_closed_; }
  // Closes the socket abruptly (no DISCONNECT).
  void close();
  // Shuts down the sending side only (the broker reads end-of-file; we can still read).
  void shutdown_send();
  // Shrinks the socket's receive buffer, so that a client that does not read makes the broker's
  // writes back up quickly. Call before connecting to MQTT.
  void set_receive_buffer(int bytes);

  // Higher-level steps that fail the test when the broker does not answer as the spec says.
  // CONNECT, and the CONNACK that must come back.
  mqtt::Connack connect(const mqtt::Connect& connect);
  // CONNECT that must be accepted; returns the Session Present flag.
  bool connect_ok(std::string client_id, bool clean = true, std::uint16_t keep_alive = 60,
                  std::optional<mqtt::Will> will = std::nullopt);
  // SUBSCRIBE to each (filter, QoS); returns the SUBACK return codes.
  std::vector<mqtt::ReasonCode> subscribe(std::vector<std::pair<std::string, QoS>> filters);
  // SUBSCRIBE to one filter, which must be granted `qos`.
  void subscribe(const std::string& filter, QoS qos);
  void unsubscribe(std::vector<std::string> filters);
  // PUBLISH with the full flow of its QoS as the sender (PUBACK, or PUBREC/PUBREL/PUBCOMP).
  void publish(std::string topic, std::string payload, QoS qos = QoS::at_most_once,
               bool retain = false);
  // Receives a PUBLISH and completes its flow as the receiver (PUBACK, or PUBREC, PUBREL in,
  // PUBCOMP out).
  mqtt::Publish receive_publish(Millis timeout = kWait);
  void ack(const mqtt::Publish& publish);  // completes the receiver's flow of `publish`
  void disconnect();                       // DISCONNECT, then close

  std::uint16_t next_id() { return ++last_id_ == 0 ? ++last_id_ : last_id_; }

 private:
  int fd_ = -1;
  Version version_;
  mqtt::Framer framer_;
  // The acknowledgement of this client's own PUBLISH, P. PUBLISHes that come first (the broker
  // may deliver to a client that publishes to itself before acknowledging) are kept for the
  // next receive().
  template <class P>
  P expect_ack();

  Bytes buffer_;                    // received bytes not yet given to the framer
  std::deque<mqtt::Packet> stash_;  // received, not yet returned
  bool peer_closed_ = false;
  std::uint16_t last_id_ = 0;
};

template <class P>
P RawClient::expect(Millis timeout) {
  auto packet = receive(timeout);
  if (!packet) {
    ADD_FAILURE() << "expected " << mqtt::to_string(mqtt::type_of(mqtt::Packet(P{})))
                  << (peer_closed_ ? ", the broker closed the connection" : ", nothing came");
    return P{};
  }
  if (auto* p = std::get_if<P>(&*packet)) return std::move(*p);
  ADD_FAILURE() << "expected " << mqtt::to_string(mqtt::type_of(mqtt::Packet(P{}))) << ", got "
                << describe(*packet);
  return P{};
}

// A fresh client can still connect, subscribe, publish and receive: the broker survived
// whatever the test did to it.
void expect_broker_serves(const BrokerProcess& broker);

template <class P>
P RawClient::expect_ack() {
  std::vector<mqtt::Packet> held;
  P ack;
  while (true) {
    auto packet = receive();
    if (packet && std::holds_alternative<mqtt::Publish>(*packet)) {
      held.push_back(std::move(*packet));
      continue;
    }
    if (!packet) {
      ADD_FAILURE() << "expected " << mqtt::to_string(P::type)
                    << (peer_closed_ ? ", the broker closed the connection" : ", nothing came");
    } else if (auto* p = std::get_if<P>(&*packet)) {
      ack = std::move(*p);
    } else {
      ADD_FAILURE() << "expected " << mqtt::to_string(P::type) << ", got " << describe(*packet);
    }
    stash_.insert(stash_.begin(), held.begin(), held.end());
    return ack;
  }
}

}  // namespace tern::blackbox
