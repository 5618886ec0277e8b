// tern_pub: publishes a message and exits, or with -l one message per line of standard input
// while it stays connected; mosquitto_pub's command line, output and exit codes (options.h,
// failure_text.h). QoS 1 and 2 messages are complete (PUBACK / PUBCOMP) before the DISCONNECT.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/failure_text.h"
#include "common/message_input.h"
#include "common/options.h"
#include "common/tool_client.h"

namespace {

using namespace tern::tools;
namespace mqtt = tern::mqtt;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kSlice{100};        // longest wait without looking at stdin
constexpr std::size_t kMaxBacklog = 1024;  // messages held before -l stops reading stdin

mqtt::Publish make_message(const PubOptions& o, std::string payload) {
  mqtt::Publish m;
  m.topic = o.topic;
  m.payload = std::move(payload);
  m.qos = o.qos;
  m.retain = o.retain;
  m.properties = o.publish_properties;
  return m;
}

// Sends through `client`, reporting what mosquitto_pub reports; std::nullopt when the ack
// may follow, or the exit code.
class Publisher {
 public:
  explicit Publisher(ToolClient& client) : client_(client) {}

  // Sends one message; the acknowledgement is collected by pump().
  std::optional<int> send(mqtt::Publish message) {
    auto id = client_.publish(std::move(message));
    if (!id) {
      if (!client_.connected()) return lost(id.error());
      client_.error(publish_refused_text(id.error()));
      client_.disconnect();
      return 1;
    }
    if (*id != 0) ++outstanding_;
    return std::nullopt;
  }

  // Handles what arrives within `timeout`.
  std::optional<int> pump(milliseconds timeout) {
    auto event = client_.next_event(timeout);
    if (!event) return lost(event.error());
    if (!*event) return std::nullopt;
    if (auto* done = std::get_if<tern::client::Published>(&**event)) {
      if (outstanding_ > 0) --outstanding_;
      int code = static_cast<int>(done->reason_code);
      if (code >= 0x80) {
        client_.error("Warning: Publish " + std::to_string(done->packet_id) +
                      " failed: " + std::string(reason_string(code)) + ".\n");
        if (done->properties.reason_string) client_.error(*done->properties.reason_string + "\n");
      }
    }
    return std::nullopt;
  }

  // Waits until every QoS 1/2 message sent is complete.
  std::optional<int> drain() {
    while (outstanding_ > 0) {
      if (auto rc = pump(kSlice)) return rc;
    }
    return std::nullopt;
  }

  // Keeps the connection alive for `duration` (--repeat-delay).
  std::optional<int> idle(std::chrono::microseconds duration) {
    auto until = Clock::now() + duration;
    while (Clock::now() < until) {
      auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
      if (auto rc = pump(std::min(kSlice, std::max(left, milliseconds(1))))) return rc;
    }
    return std::nullopt;
  }

  std::size_t outstanding() const { return outstanding_; }

 private:
  std::optional<int> lost(const tern::client::Error& error) {
    Failure f = connection_lost(error);
    client_.error(f.text);
    return f.exit_code;
  }

  ToolClient& client_;
  std::size_t outstanding_ = 0;
};

// -m, -f, -s, -n: the message --repeat times, each after the previous one is complete and
// --repeat-delay has passed.
int publish_repeated(ToolClient& client, const PubOptions& o, const std::string& payload) {
  Publisher publisher(client);
  for (int i = 0; i < o.repeat_count; ++i) {
    if (i > 0 && o.repeat_delay_us > 0) {
      if (auto rc = publisher.idle(std::chrono::microseconds(o.repeat_delay_us))) return *rc;
    }
    if (auto rc = publisher.send(make_message(o, payload))) return *rc;
    if (auto rc = publisher.drain()) return *rc;
  }
  client.disconnect();
  return 0;
}

// -l: a message per line as the lines arrive; at the end of input, wait for the last
// acknowledgements and disconnect.
int publish_lines(ToolClient& client, const PubOptions& o) {
  Publisher publisher(client);
  LineSplitter splitter;
  std::vector<std::string> lines;
  char buffer[64 * 1024];
  bool end = false;
  while (!end) {
    if (publisher.outstanding() >= kMaxBacklog) {
      if (auto rc = publisher.pump(kSlice)) return *rc;
      continue;
    }
    pollfd input{STDIN_FILENO, POLLIN, 0};
    int ready = ::poll(&input, 1, static_cast<int>(kSlice.count()));
    if (ready > 0) {
      ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
      if (n > 0) {
        splitter.feed(std::string_view(buffer, static_cast<std::size_t>(n)), lines);
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        end = true;
      }
    } else if (ready < 0 && errno != EINTR) {
      end = true;
    }
    if (splitter.truncated()) end = true;  // nothing after a NUL byte counts
    if (end) {
      if (auto last = splitter.finish()) lines.push_back(std::move(*last));
    }
    for (std::string& line : lines) {
      if (auto rc = publisher.send(make_message(o, std::move(line)))) return *rc;
    }
    lines.clear();
    if (auto rc = publisher.pump(milliseconds(0))) return *rc;
  }
  if (auto rc = publisher.drain()) return *rc;
  client.disconnect();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_pub_options(args);
  if (auto rc = report_parse(Tool::pub, parsed)) return *rc;
  const PubOptions& o = parsed.options;
  auto fail = [&o](const std::string& text) {
    if (!o.connection.quiet) std::fputs(text.c_str(), stderr);
    return 1;
  };

  Payload payload = load_payload(o.mode, o.message, o.file);
  if (!payload.error.empty()) return fail(payload.error);
  if (auto refused = unsupported_option(Tool::pub, o.connection)) return fail(*refused + "\n");

  ToolClient client(Tool::pub, o.connection);
  if (auto rc = client.connect()) return *rc;
  if (o.mode == MessageMode::stdin_lines) return publish_lines(client, o);
  return publish_repeated(client, o, payload.bytes);
}
