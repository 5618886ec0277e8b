// tern_rr: one request and its response (MQTT 5.0 §4.10), as mosquitto_rr: connect (MQTT 5.0
// unless -V says otherwise), subscribe to the -e response topic, publish the request to -t with
// that Response Topic (and any -D publish properties, such as Correlation Data), print the first
// message that arrives on the response topic (format.h) and disconnect. -W ends the wait with
// "Timed out" and exit code 27; SIGINT / SIGTERM with a DISCONNECT and exit code 0.
//
// Unlike mosquitto_rr 2.0.11, which sends an empty request for -f and -s, tern_rr sends the
// file's or standard input's content.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/failure_text.h"
#include "common/format.h"
#include "common/message_input.h"
#include "common/options.h"
#include "common/stop_signal.h"
#include "common/tool_client.h"

namespace {

using namespace tern::tools;
namespace mqtt = tern::mqtt;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kSlice{100};  // longest wait before looking at signals

std::optional<int> lost(ToolClient& client, const tern::client::Error& error) {
  Failure f = connection_lost(error);
  client.error(f.text);
  return f.exit_code;
}

// Subscribes and sends the request; std::nullopt when the response may come.
std::optional<int> request(ToolClient& client, const RrOptions& o, std::string payload) {
  mqtt::Subscription s;
  s.filter = o.response_topic;
  s.max_qos = o.qos;
  auto granted = client.subscribe({s}, o.subscribe_properties);
  if (!granted) return lost(client, granted.error());
  if (!granted->reason_codes.empty() && static_cast<int>(granted->reason_codes[0]) >= 0x80) {
    client.error(std::string(reason_string(static_cast<int>(granted->reason_codes[0]))) + "\n");
    client.disconnect();
    return 1;
  }
  mqtt::Publish message;
  message.topic = o.topic;
  message.payload = std::move(payload);
  message.qos = o.qos;
  message.properties = o.publish_properties;  // with the Response Topic of -e
  auto id = client.publish(std::move(message));
  if (!id) {
    if (!client.connected()) return lost(client, id.error());
    client.error(publish_refused_text(id.error()));
    client.disconnect();
    return 1;
  }
  return std::nullopt;
}

int run(ToolClient& client, const RrOptions& o, std::string payload,
        std::optional<Clock::time_point> deadline) {
  if (auto rc = request(client, o, std::move(payload))) return *rc;
  mqtt::ReasonCode stop_reason = client.version() == mqtt::Version::v5
                                     ? mqtt::ReasonCode::disconnect_with_will
                                     : mqtt::ReasonCode::success;
  while (true) {
    if (stop_requested()) {
      client.disconnect(stop_reason);
      return 0;
    }
    auto now = Clock::now();
    if (deadline && now >= *deadline) {
      client.disconnect(stop_reason);
      client.error("Timed out\n");
      return kExitTimedOut;
    }
    milliseconds wait = kSlice;
    if (deadline) wait = std::min(wait, std::chrono::ceil<milliseconds>(*deadline - now));
    auto event = client.next_event(wait);
    if (!event) return *lost(client, event.error());
    if (!*event) continue;
    auto* m = std::get_if<tern::client::Message>(&**event);
    if (m == nullptr || (m->retain && o.no_retain)) continue;
    Rendered r = render_message(o.output, to_publish(*m), wall_clock_now());
    std::fwrite(r.text.data(), 1, r.text.size(), stdout);
    std::fflush(stdout);
    if (!r.error.empty()) client.error(r.error);
    client.disconnect();
    return 0;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_rr_options(args);
  if (auto rc = report_parse(Tool::rr, parsed)) return *rc;
  const RrOptions& o = parsed.options;
  auto fail = [&o](const std::string& text) {
    if (!o.connection.quiet) std::fputs(text.c_str(), stderr);
    return 1;
  };
  Payload payload = load_payload(o.mode, o.message, o.file);
  if (!payload.error.empty()) return fail(payload.error);
  if (auto refused = unsupported_option(Tool::rr, o.connection)) return fail(*refused + "\n");

  install_stop_handler();
  ToolClient client(Tool::rr, o.connection);
  std::optional<Clock::time_point> deadline;
  if (o.timeout_s > 0) deadline = Clock::now() + std::chrono::seconds(o.timeout_s);
  if (auto rc = client.connect()) return *rc;
  mark_connected();
  return run(client, o, std::move(payload.bytes), deadline);
}
