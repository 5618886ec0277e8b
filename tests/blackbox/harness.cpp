#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace tern::blackbox {

namespace {

using Clock = std::chrono::steady_clock;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A port that was free a moment ago: bound on 127.0.0.1 port 0, then released. Another process
// may take it before the broker binds it; BrokerProcess retries with a new one then.
std::uint16_t pick_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port = ntohs(address.sin_port);
    }
  }
  ::close(fd);
  return port;
}

// Whether something accepts TCP connections on 127.0.0.1:`port` now.
bool accepts_connections(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

// Forks and execs `args[0]` with stdin from /dev/null and stdout and stderr into `output`.
// The child dies with the test process (PR_SET_PDEATHSIG), so no broker outlives a crashed test.
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
    // Only async-signal-safe calls from here on.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int in = ::open("/dev/null", O_RDONLY);
    if (in >= 0) ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out);
  return pid;
}

// Waits for `pid` to exit until `deadline`; its exit code (128 + N for signal N), nullopt if it
// is still running.
std::optional<int> wait_until(pid_t pid, Clock::time_point deadline) {
  while (true) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (done < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

int wait_or_kill(pid_t pid, Millis timeout) {
  if (auto code = wait_until(pid, Clock::now() + timeout)) return *code;
  ::kill(pid, SIGKILL);
  wait_until(pid, Clock::now() + 10s);
  return -1;
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace

// ---- Running the binary ----------------------------------------------------------------------

const char* tern_binary() {
  // The environment may point the tests at another build of the broker.
  const char* path = std::getenv("TERN_BLACKBOX_BINARY");
  return path && *path ? path : TERN_BINARY;
}

RunResult run_tern(const std::vector<std::string>& args, Millis timeout) {
  TempDir dir;
  std::vector<std::string> argv{tern_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto output = dir.path() / "output.txt";
  RunResult result;
  pid_t pid = spawn(argv, output);
  if (pid < 0) {
    ADD_FAILURE() << "cannot start " << tern_binary() << ": " << std::strerror(errno);
    return result;
  }
  result.exit_code = wait_or_kill(pid, timeout);
  result.output = read_file(output);
  if (auto report = sanitizer_report(result.output)) ADD_FAILURE() << *report;
  return result;
}

std::optional<std::string> sanitizer_report(std::string_view log) {
  for (std::string_view marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                  "runtime error:", "WARNING: ThreadSanitizer"}) {
    if (log.find(marker) != std::string_view::npos) {
      return "sanitizer report in the broker's output:\n" + std::string(log);
    }
  }
  return std::nullopt;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tern-bb-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
  }
  path_ = pattern;
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

// ---- BrokerProcess ---------------------------------------------------------------------------

BrokerProcess::BrokerProcess(BrokerOptions options) {
  log_path_ = dir_.path() / "broker.log";
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::uint16_t port = pick_free_port();
    if (port != 0 && start_once(options, port)) return;
  }
  ADD_FAILURE() << "the broker did not start; last log:\n" << log();
}

bool BrokerProcess::start_once(const BrokerOptions& options, std::uint16_t port) {
  // The suite also runs against Mosquitto (TERN_BLACKBOX_BINARY=/usr/sbin/mosquitto), the
  // reference when writing a test: it lacks Tern's own directives and refuses anonymous clients
  // on a listener unless told otherwise.
  bool mosquitto = std::string_view(tern_binary()).find("mosquitto") != std::string_view::npos;
  std::string config;
  if (!mosquitto) config += "thread_count " + std::to_string(options.threads) + "\n";
  if (!options.port_on_command_line) {
    config += "listener " + std::to_string(port) + " 127.0.0.1\n";
    if (mosquitto) config += "allow_anonymous true\n";
  }
  config += options.config + "\n";
  auto config_path = dir_.write("tern.conf", config);
  std::vector<std::string> args{tern_binary(), "-c", config_path.string()};
  if (options.port_on_command_line) {
    args.push_back("-p");
    args.push_back(std::to_string(port));
  }
  if (options.verbose) args.push_back("-v");
  pid_t pid = spawn(args, log_path_);
  if (pid < 0) return false;

  // Ready when it logs the listen socket of our port; gone when it exits first (port taken).
  std::string ready = "listen socket on port " + std::to_string(port) + ".";
  auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline) {
    // Mosquitto logs the line just before it listens, so there the port must also accept (not
    // probed for Tern: the probe would count against max_connections in the limits tests).
    if (log().find(ready) != std::string::npos && (!mosquitto || accepts_connections(port))) {
      pid_ = pid;
      port_ = port;
      return true;
    }
    if (auto code = wait_until(pid, Clock::now())) {
      std::string text = log();
      if (auto report = sanitizer_report(text)) ADD_FAILURE() << *report;
      if (text.find("cannot listen") == std::string::npos) {
        ADD_FAILURE() << "the broker exited with " << *code << " at start-up:\n" << text;
        return true;  // not a port clash: do not retry
      }
      return false;
    }
    std::this_thread::sleep_for(5ms);
  }
  ADD_FAILURE() << "the broker did not open port " << port << " within 10 s:\n" << log();
  ::kill(pid, SIGKILL);
  wait_until(pid, Clock::now() + 5s);
  return true;
}

BrokerProcess::~BrokerProcess() {
  if (pid_ > 0 && !stopped_) {
    int code = stop();
    EXPECT_EQ(code, 0) << "the broker did not exit cleanly after SIGTERM; log:\n" << log();
  }
}

std::string BrokerProcess::log() const {
  return read_file(log_path_);
}

bool BrokerProcess::wait_for_log(std::string_view needle, Millis timeout) const {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (log().find(needle) != std::string::npos) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

Millis BrokerProcess::cpu_time() const {
  // Fields 14 and 15 of /proc/PID/stat, after the command name in parentheses.
  std::string stat = read_file("/proc/" + std::to_string(pid_) + "/stat");
  std::size_t end = stat.rfind(')');
  if (end == std::string::npos) return Millis(0);
  std::istringstream fields(stat.substr(end + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i)
    fields >> skip;
  long user = 0;
  long system = 0;
  fields >> user >> system;
  return Millis((user + system) * 1000 / ::sysconf(_SC_CLK_TCK));
}

void BrokerProcess::signal(int signal) const {
  if (pid_ > 0 && !stopped_) ::kill(pid_, signal);
}

int BrokerProcess::stop() {
  if (pid_ <= 0 || stopped_) return -1;
  stopped_ = true;
  ::kill(pid_, SIGTERM);
  auto code = wait_until(pid_, Clock::now() + 10s);
  if (!code) {
    ADD_FAILURE() << "the broker did not stop within 10 s of SIGTERM; killed";
    ::kill(pid_, SIGKILL);
    wait_until(pid_, Clock::now() + 10s);
    code = -1;
  }
  if (auto report = sanitizer_report(log())) ADD_FAILURE() << *report;
  return *code;
}

// ---- Packets ---------------------------------------------------------------------------------

mqtt::Connect make_connect(std::string client_id, bool clean, std::uint16_t keep_alive,
                           Version version) {
  mqtt::Connect connect;
  connect.version = version;
  connect.client_id = std::move(client_id);
  connect.clean_start = clean;
  connect.keep_alive = keep_alive;
  return connect;
}

mqtt::Publish make_publish(std::string topic, std::string payload, QoS qos, std::uint16_t packet_id,
                           bool retain) {
  mqtt::Publish publish;
  publish.topic = std::move(topic);
  publish.payload = std::move(payload);
  publish.qos = qos;
  publish.packet_id = packet_id;
  publish.retain = retain;
  return publish;
}

mqtt::Will make_will(std::string topic, std::string payload, QoS qos, bool retain) {
  mqtt::Will will;
  will.topic = std::move(topic);
  will.payload = std::move(payload);
  will.qos = qos;
  will.retain = retain;
  return will;
}

Bytes raw_packet(std::uint8_t first_byte, const Bytes& body) {
  Bytes bytes{first_byte};
  std::size_t length = body.size();
  do {
    std::uint8_t digit = length % 128;
    length /= 128;
    bytes.push_back(static_cast<std::uint8_t>(length > 0 ? digit | 0x80 : digit));
  } while (length > 0);
  bytes.insert(bytes.end(), body.begin(), body.end());
  return bytes;
}

Bytes field(std::string_view text) {
  // Sized once and filled in place: GCC 12 at -O3 misreads insert() after a two-byte
  // initializer list as an out-of-bounds memcpy (-Warray-bounds).
  Bytes bytes(2 + text.size());
  bytes[0] = static_cast<std::uint8_t>(text.size() >> 8);
  bytes[1] = static_cast<std::uint8_t>(text.size() & 0xFF);
  std::copy(text.begin(), text.end(), bytes.begin() + 2);
  return bytes;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const Bytes& part : parts)
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

std::string hex(std::span<const std::uint8_t> bytes) {
  std::string text;
  char buffer[4];
  for (std::size_t i = 0; i < bytes.size() && i < 64; ++i) {
    std::snprintf(buffer, sizeof buffer, "%02X ", static_cast<unsigned>(bytes[i]));
    text += buffer;
  }
  if (bytes.size() > 64) text += "... (" + std::to_string(bytes.size()) + " bytes)";
  return text;
}

std::string describe(const mqtt::Packet& packet) {
  std::string text(mqtt::to_string(mqtt::type_of(packet)));
  if (const auto* p = std::get_if<mqtt::Publish>(&packet)) {
    text += " topic='" + p->topic + "' qos=" + std::to_string(static_cast<int>(p->qos)) +
            " id=" + std::to_string(p->packet_id) + " retain=" + std::to_string(p->retain) +
            " dup=" + std::to_string(p->dup) + " payload='" + p->payload.substr(0, 40) + "'";
  } else if (const auto* c = std::get_if<mqtt::Connack>(&packet)) {
    text += " code=" + std::to_string(static_cast<int>(c->reason_code)) +
            " sp=" + std::to_string(c->session_present);
  }
  return text;
}

// ---- RawClient -------------------------------------------------------------------------------

RawClient::RawClient(std::uint16_t port, Version version) : version_(version) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ADD_FAILURE() << "cannot connect to 127.0.0.1:" << port << ": " << std::strerror(errno);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RawClient::~RawClient() {
  close();
}

void RawClient::shutdown_send() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void RawClient::set_receive_buffer(int bytes) {
  if (fd_ >= 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawClient::send_bytes(std::span<const std::uint8_t> bytes) {
  if (fd_ < 0) return false;
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

Bytes RawClient::encode(const mqtt::Packet& packet) const {
  Bytes bytes;
  auto size = mqtt::encode(packet, version_, bytes);
  if (!size) ADD_FAILURE() << "cannot encode " << describe(packet);
  return bytes;
}

bool RawClient::send(const mqtt::Packet& packet) {
  if (const auto* connect = std::get_if<mqtt::Connect>(&packet)) version_ = connect->version;
  return send_bytes(encode(packet));
}

std::optional<mqtt::Packet> RawClient::receive(Millis timeout) {
  if (!stash_.empty()) {
    mqtt::Packet packet = std::move(stash_.front());
    stash_.pop_front();
    return packet;
  }
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (!buffer_.empty()) {
      std::span<const std::uint8_t> input(buffer_);
      auto frame = framer_.next(input);
      if (!frame) {
        ADD_FAILURE() << "the broker sent bytes that do not frame: "
                      << mqtt::describe(frame.error()) << ": " << hex(buffer_);
        buffer_.clear();
        return std::nullopt;
      }
      if (frame->has_value()) {
        auto packet = mqtt::decode(**frame, version_, mqtt::Sender::server);
        buffer_.erase(buffer_.begin(), buffer_.end() - static_cast<std::ptrdiff_t>(input.size()));
        if (!packet) {
          ADD_FAILURE() << "the broker sent a packet that does not decode: "
                        << mqtt::describe(packet.error());
          return std::nullopt;
        }
        return std::move(*packet);
      }
      buffer_.clear();  // the framer keeps the partial frame
    }
    if (fd_ < 0 || peer_closed_) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;  // timed out
    std::uint8_t chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      peer_closed_ = true;  // 0: orderly close; < 0: reset
      return std::nullopt;
    }
    buffer_.insert(buffer_.end(), chunk, chunk + n);
  }
}

bool RawClient::expect_closed(Millis timeout) {
  auto deadline = Clock::now() + timeout;
  while (!peer_closed_) {
    if (Clock::now() >= deadline) {
      ADD_FAILURE() << "the broker did not close the connection within " << timeout.count()
                    << " ms";
      return false;
    }
    auto packet = receive(Millis(remaining_ms(deadline)));
    if (packet) ADD_FAILURE() << "expected the connection closed, got " << describe(*packet);
  }
  return true;
}

void RawClient::expect_nothing(Millis duration) {
  auto deadline = Clock::now() + duration;
  while (Clock::now() < deadline) {
    auto packet = receive(Millis(remaining_ms(deadline)));
    if (packet) ADD_FAILURE() << "expected nothing, got " << describe(*packet);
    if (peer_closed_) {
      ADD_FAILURE() << "expected nothing, but the broker closed the connection";
      return;
    }
  }
}

mqtt::Connack RawClient::connect(const mqtt::Connect& connect) {
  send(connect);
  return expect<mqtt::Connack>();
}

bool RawClient::connect_ok(std::string client_id, bool clean, std::uint16_t keep_alive,
                           std::optional<mqtt::Will> will) {
  mqtt::Connect packet = make_connect(std::move(client_id), clean, keep_alive, version_);
  packet.will = std::move(will);
  mqtt::Connack connack = connect(packet);
  EXPECT_EQ(connack.reason_code, mqtt::ReasonCode::success) << "CONNACK " << describe(connack);
  return connack.session_present;
}

std::vector<mqtt::ReasonCode> RawClient::subscribe(
    std::vector<std::pair<std::string, QoS>> filters) {
  mqtt::Subscribe subscribe;
  subscribe.packet_id = next_id();
  for (auto& [filter, qos] : filters) {
    mqtt::Subscription subscription;
    subscription.filter = std::move(filter);
    subscription.max_qos = qos;
    subscribe.subscriptions.push_back(std::move(subscription));
  }
  send(subscribe);
  auto suback = expect<mqtt::Suback>();
  EXPECT_EQ(suback.packet_id, subscribe.packet_id) << "[MQTT-3.8.4-2]";
  return suback.reason_codes;
}

void RawClient::subscribe(const std::string& filter, QoS qos) {
  auto codes = subscribe({{filter, qos}});
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0], static_cast<mqtt::ReasonCode>(qos)) << "granted QoS for " << filter;
}

void RawClient::unsubscribe(std::vector<std::string> filters) {
  mqtt::Unsubscribe unsubscribe;
  unsubscribe.packet_id = next_id();
  unsubscribe.filters = std::move(filters);
  send(unsubscribe);
  auto unsuback = expect<mqtt::Unsuback>();
  EXPECT_EQ(unsuback.packet_id, unsubscribe.packet_id) << "[MQTT-3.10.4-4]";
}

void RawClient::publish(std::string topic, std::string payload, QoS qos, bool retain) {
  std::uint16_t id = qos == QoS::at_most_once ? 0 : next_id();
  send(make_publish(std::move(topic), std::move(payload), qos, id, retain));
  if (qos == QoS::at_least_once) {
    EXPECT_EQ(expect_ack<mqtt::Puback>().packet_id, id) << "[MQTT-4.3.2-2]";
  } else if (qos == QoS::exactly_once) {
    EXPECT_EQ(expect_ack<mqtt::Pubrec>().packet_id, id) << "[MQTT-4.3.3-2]";
    send(make_ack<mqtt::Pubrel>(id));
    EXPECT_EQ(expect_ack<mqtt::Pubcomp>().packet_id, id) << "[MQTT-4.3.3-2]";
  }
}

mqtt::Publish RawClient::receive_publish(Millis timeout) {
  auto publish = expect<mqtt::Publish>(timeout);
  ack(publish);
  return publish;
}

void RawClient::ack(const mqtt::Publish& publish) {
  if (publish.qos == QoS::at_least_once) {
    send(make_ack<mqtt::Puback>(publish.packet_id));
  } else if (publish.qos == QoS::exactly_once) {
    send(make_ack<mqtt::Pubrec>(publish.packet_id));
    EXPECT_EQ(expect_ack<mqtt::Pubrel>().packet_id, publish.packet_id) << "[MQTT-4.3.3-1]";
    send(make_ack<mqtt::Pubcomp>(publish.packet_id));
  }
}

void RawClient::disconnect() {
  send(mqtt::Disconnect{});
  expect_closed();
  close();
}

void expect_broker_serves(const BrokerProcess& broker) {
  RawClient client(broker);
  client.connect_ok("still-serving");
  client.subscribe("still/serving", QoS::at_least_once);
  client.publish("still/serving", "yes", QoS::at_least_once);
  auto publish = client.receive_publish();
  EXPECT_EQ(publish.payload, "yes") << "the broker stopped serving";
  client.disconnect();
}

}  // namespace tern::blackbox
