// tern_sub: subscribes and prints every message that arrives, as mosquitto_sub: the same
// command line (options.h), output (format.h), exit codes and errors (failure_text.h).
//
// The loop, in mosquitto_sub's order: connect, SUBSCRIBE all -t filters in one packet, one
// UNSUBSCRIBE per -U, then messages until -C of them were printed, -E (after the SUBACK),
// --retained-only's first live message, -W's deadline (exit code 27, "Timed out"), or SIGINT /
// SIGTERM (DISCONNECT, exit 0). A lost connection is made again every second and the filters
// subscribed again, as mosquitto_sub's reconnecting loop does; a CONNACK refusal ends the tool.
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/failure_text.h"
#include "common/format.h"
#include "common/options.h"
#include "common/stop_signal.h"
#include "common/tool_client.h"
#include "mqtt/topic.h"

namespace {

using namespace tern::tools;
namespace mqtt = tern::mqtt;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kSlice{100};  // longest wait before looking at signals again
constexpr milliseconds kReconnectDelay{1000};

void write_stdout(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

class Subscriber {
 public:
  Subscriber(ToolClient& client, const SubOptions& options) : client_(client), o_(options) {}

  // SUBSCRIBE and UNSUBSCRIBE after each CONNACK. std::nullopt to go on (also when the
  // connection was lost meanwhile: the loop connects again), or the exit code.
  std::optional<int> subscribe() {
    bool v5 = client_.version() == mqtt::Version::v5;
    std::vector<mqtt::Subscription> subscriptions;
    for (const std::string& topic : o_.topics) {
      mqtt::Subscription s;
      s.filter = topic;
      s.max_qos = o_.qos;
      if (v5) {
        s.retain_as_published = o_.retain_as_published;
        // -R: then the broker sends no retained messages at all (MQTT 5.0 [MQTT-3.3.1-11]).
        if (o_.no_retain) s.retain_handling = mqtt::RetainHandling::do_not_send;
      }
      subscriptions.push_back(std::move(s));
    }
    auto granted = client_.subscribe(std::move(subscriptions), o_.subscribe_properties);
    if (!granted) return failed(granted.error());
    if (o_.connection.debug && !o_.connection.quiet) {
      std::string line = "Subscribed (mid: " + std::to_string(granted->packet_id) + "): ";
      for (std::size_t i = 0; i < granted->reason_codes.size(); ++i) {
        if (i > 0) line += ", ";
        line += std::to_string(static_cast<int>(granted->reason_codes[i]));
      }
      write_stdout(line + "\n");
    }
    bool some_granted = std::any_of(granted->reason_codes.begin(), granted->reason_codes.end(),
                                    [](mqtt::ReasonCode c) { return static_cast<int>(c) < 0x80; });
    if (!some_granted) {
      client_.disconnect();
      client_.error("All subscription requests were denied.\n");
      return 0;
    }
    for (const std::string& filter : o_.unsubscribe) {
      auto done = client_.unsubscribe(filter, o_.unsubscribe_properties);
      if (!done) return failed(done.error());
    }
    if (o_.exit_after_subscribe) {
      client_.disconnect();
      return 0;
    }
    return std::nullopt;
  }

  // One message by mosquitto_sub's rules; true when the tool should disconnect now.
  bool handle(const tern::client::Message& m) {
    if (!processing_) return false;
    if (o_.retained_only && !m.retain) {
      processing_ = false;
      return !removal_sent_;
    }
    if (m.retain && o_.no_retain) return false;
    for (const std::string& filter : o_.filter_outs) {
      if (mqtt::topic_matches(filter, m.topic)) return false;
    }
    if (o_.remove_retained && m.retain) {
      // An empty retained message clears the topic's retained message (MQTT 5.0 [MQTT-3.3.1-6]).
      mqtt::Publish clear;
      clear.topic = m.topic;
      clear.qos = mqtt::QoS::at_least_once;
      clear.retain = true;
      if (client_.publish(std::move(clear))) removal_sent_ = true;
    }
    print(m);
    if (o_.msg_count > 0 && ++printed_ == o_.msg_count) {
      processing_ = false;
      // mosquitto_sub waits for the end of its removals here, and never sees it: it then
      // runs until -W or a signal. Kept, so that both tools end the same way.
      return !removal_sent_;
    }
    return false;
  }

 private:
  std::optional<int> failed(const tern::client::Error& error) {
    if (!client_.connected()) return std::nullopt;  // lost: the loop connects again
    client_.error("Error: " + error.message + "\n");
    client_.disconnect();
    return 1;
  }

  void print(const tern::client::Message& m) {
    // --random-filter: mosquitto_sub prints when random() % 10000 < its value.
    if (o_.random_filter < 10000 && std::rand() % 10000 >= o_.random_filter) return;
    Rendered r = render_message(o_.output, to_publish(m), wall_clock_now());
    write_stdout(r.text);
    if (!r.error.empty()) client_.error(r.error);
  }

  ToolClient& client_;
  const SubOptions& o_;
  bool processing_ = true;
  bool removal_sent_ = false;
  int printed_ = 0;
};

// Sleeps up to `duration`; a signal ends the sleep early.
void pause_for(milliseconds duration) {
  if (duration > milliseconds(0)) ::poll(nullptr, 0, static_cast<int>(duration.count()));
}

int run(ToolClient& client, const SubOptions& o, std::optional<Clock::time_point> deadline) {
  Subscriber subscriber(client, o);
  if (auto rc = subscriber.subscribe()) return *rc;
  // mosquitto_sub ends on a signal or -W with the will published (MQTT 5.0 reason code 4).
  mqtt::ReasonCode stop_reason = client.version() == mqtt::Version::v5
                                     ? mqtt::ReasonCode::disconnect_with_will
                                     : mqtt::ReasonCode::success;
  Clock::time_point next_attempt = Clock::now() + kReconnectDelay;
  bool was_connected = true;
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
    if (deadline) {
      wait = std::min(wait, std::chrono::ceil<milliseconds>(*deadline - now));
    }
    if (!client.connected()) {
      if (was_connected) {
        was_connected = false;
        next_attempt = now + kReconnectDelay;
      }
      if (now < next_attempt) {
        pause_for(std::min(wait, std::chrono::ceil<milliseconds>(next_attempt - now)));
        continue;
      }
      auto failed = client.try_connect();
      if (failed && failed->refused) {
        client.error(failed->failure.text);
        return failed->failure.exit_code;
      }
      if (failed) {
        next_attempt = Clock::now() + kReconnectDelay;
        continue;
      }
      was_connected = true;
      if (auto rc = subscriber.subscribe()) return *rc;
      continue;
    }
    auto event = client.next_event(wait);
    if (!event) continue;  // lost: connected() is false now
    if (!*event) continue;
    if (auto* m = std::get_if<tern::client::Message>(&**event)) {
      if (subscriber.handle(*m)) {
        client.disconnect();
        return 0;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_sub_options(args);
  if (auto rc = report_parse(Tool::sub, parsed)) return *rc;
  const SubOptions& o = parsed.options;
  if (auto refused = unsupported_option(Tool::sub, o.connection)) {
    if (!o.connection.quiet) std::fputs((*refused + "\n").c_str(), stderr);
    return 1;
  }
  if (o.random_filter < 10000) std::srand(static_cast<unsigned>(std::time(nullptr)));
  install_stop_handler();
  ToolClient client(Tool::sub, o.connection);
  std::optional<Clock::time_point> deadline;
  if (o.timeout_s > 0) deadline = Clock::now() + std::chrono::seconds(o.timeout_s);
  if (auto rc = client.connect()) return *rc;
  mark_connected();
  return run(client, o, deadline);
}
