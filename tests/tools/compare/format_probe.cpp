// format_probe: tools/common's option parser and renderer behind a line protocol, so that
// probe_sub.py (a paho-mqtt subscriber) can stand in for tern_sub in test_sub_output.py and check
// the renderer against mosquitto_sub before tern_sub exists (and apart from it afterwards).
//
//   format_probe [tern_sub flags]    reads one received message per line on stdin:
//   TOPIC PAYLOAD QOS RETAIN MID SECONDS NANOSECONDS [PROPERTY...]
// TOPIC, PAYLOAD and string values are hex ("-" for empty); PROPERTY is pfi=N, exp=N, ct=HEX,
// rt=HEX, cd=HEX, sid=N (repeatable), ta=N or up=KEYHEX:VALUEHEX (repeatable). Each message's
// output goes to stdout and its error lines to stderr, as tern_sub prints them.
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/format.h"
#include "common/options.h"

namespace {

std::string unhex(const std::string& hex) {
  if (hex == "-") return {};
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

tern::mqtt::Publish parse_message(const std::string& line, tern::tools::Timestamp& received) {
  std::istringstream in(line);
  std::string topic, payload, token;
  int qos = 0, retain = 0;
  unsigned mid = 0;
  in >> topic >> payload >> qos >> retain >> mid >> received.seconds >> received.nanoseconds;
  tern::mqtt::Publish m;
  m.topic = unhex(topic);
  m.payload = unhex(payload);
  m.qos = static_cast<tern::mqtt::QoS>(qos);
  m.retain = retain != 0;
  m.packet_id = static_cast<std::uint16_t>(mid);
  tern::mqtt::Properties& p = m.properties;
  while (in >> token) {
    std::size_t eq = token.find('=');
    std::string key = token.substr(0, eq), value = token.substr(eq + 1);
    if (key == "pfi") p.payload_format_indicator = static_cast<std::uint8_t>(std::stoul(value));
    if (key == "exp") p.message_expiry_interval = static_cast<std::uint32_t>(std::stoul(value));
    if (key == "ct") p.content_type = unhex(value);
    if (key == "rt") p.response_topic = unhex(value);
    if (key == "cd") p.correlation_data = unhex(value);
    if (key == "sid") p.subscription_identifiers.push_back(std::stoul(value));
    if (key == "ta") p.topic_alias = static_cast<std::uint16_t>(std::stoul(value));
    if (key == "up") {
      std::size_t colon = value.find(':');
      p.user_properties.push_back({unhex(value.substr(0, colon)), unhex(value.substr(colon + 1))});
    }
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = tern::tools::parse_sub_options(args);
  if (!parsed.ok()) {
    std::fputs(tern::tools::error_text(tern::tools::Tool::sub, *parsed.error).c_str(), stderr);
    return 1;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    tern::tools::Timestamp received;
    tern::mqtt::Publish m = parse_message(line, received);
    tern::tools::Rendered r = tern::tools::render_message(parsed.options.output, m, received);
    std::fwrite(r.text.data(), 1, r.text.size(), stdout);
    std::fflush(stdout);
    std::fputs(r.error.c_str(), stderr);
  }
  return 0;
}
