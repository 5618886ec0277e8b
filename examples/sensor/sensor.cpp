// sensor: publishes a temperature every few seconds the way Home Assistant and Node-RED
// expect it. BASE/temperature holds the latest reading (retained, so a new dashboard shows it at
// once); BASE/availability is `online` (retained) while the sensor runs and `offline` when it
// stops: published by the sensor itself on Ctrl-C, by the broker (its will) when it dies.
// Readings taken while the broker is away wait in the client's offline queue.
//
//   sensor -h 127.0.0.1 -b home/livingroom -i 5             # simulated temperature
//   sensor -b home/cpu -f /sys/class/thermal/thermal_zone0/temp --scale 0.001
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "../common/example_cli.h"

namespace {

using namespace std::chrono_literals;
using tern::client::Error;
using tern::client::RobustClient;
using tern::mqtt::QoS;
using SteadyClock = std::chrono::steady_clock;

void usage() {
  std::cout << "usage: sensor [-h HOST] [-p PORT] [-u USER -P PASSWORD] [--id CLIENT_ID]\n"
               "              [-b BASE] [-i SECONDS] [-f FILE [--scale FACTOR]] [-q QOS]\n"
               "              [-n COUNT] [-k KEEPALIVE] [--tls] [--cafile FILE]\n"
               "Publishes BASE/temperature (default BASE: sensor/1) every SECONDS (default 5;\n"
               "fractions allowed), simulated or read from FILE (a number, times FACTOR), and\n"
               "BASE/availability online/offline. -n stops after COUNT readings.\n";
}

std::optional<double> to_double(const std::string& text) {
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value)) return std::nullopt;
  return value;
}

// A slow swing around 21 °C with a little wobble: plausible numbers without hardware.
double simulated(double seconds) {
  return 21.0 + 1.5 * std::sin(seconds / 300.0 * 2 * M_PI) + 0.2 * std::sin(seconds * 1.7);
}

std::optional<double> read_file(const std::string& path, double scale) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text)) return std::nullopt;
  auto value = to_double(text);
  if (!value) return std::nullopt;
  return *value * scale;
}

}  // namespace

int main(int argc, char** argv) {
  if (tern::examples::wants_help(argc, argv)) {
    usage();
    return 0;
  }
  std::cout << std::unitbuf;
  tern::examples::CommonOptions common;
  std::string base = "sensor/1";
  double interval = 5.0;
  std::string file;
  double scale = 1.0;
  int qos = 1;
  long count = 0;  // 0: forever
  bool parsed = tern::examples::parse_common(
      argc, argv, common, [&](std::string_view flag, const std::string& value) {
        if (flag == "-b") {
          base = value;
        } else if (flag == "-i") {
          auto seconds = to_double(value);
          if (!seconds || *seconds < 0.01) return false;
          interval = *seconds;
        } else if (flag == "-f") {
          file = value;
        } else if (flag == "--scale") {
          auto factor = to_double(value);
          if (!factor) return false;
          scale = *factor;
        } else if (flag == "-q") {
          auto q = tern::examples::to_number(value, 0, 2);
          if (!q) return false;
          qos = static_cast<int>(*q);
        } else if (flag == "-n") {
          auto n = tern::examples::to_number(value, 1, 1'000'000'000);
          if (!n) return false;
          count = *n;
        } else {
          return false;
        }
        return true;
      });
  if (!parsed) return 2;
  if (common.client_id.empty()) common.client_id = "sensor-" + base;
  const std::string temperature_topic = base + "/temperature";
  const std::string availability = base + "/availability";

  auto options = tern::examples::robust_options(common);
  tern::mqtt::Will will;
  will.topic = availability;
  will.payload = "offline";
  will.qos = QoS::at_least_once;
  will.retain = true;
  options.connect.will = will;
  RobustClient client(options);
  client.on_connect([&](bool) {
    std::cout << "connected to " << common.host << " as " << client.client_id() << "\n";
    // After the connection the will is armed: say we are here (again, if the broker restarted
    // without our retained messages).
    (void)client.publish(availability, "online", QoS::at_least_once, true);
  });
  client.on_disconnect(
      [](const Error& e) { std::cout << "connection lost: " << e.to_string() << "\n"; });
  client.on_connect_failed([](const Error& e, std::chrono::milliseconds retry_in) {
    std::cout << "cannot connect: " << e.to_string() << "; again in " << retry_in.count()
              << " ms\n";
  });

  tern::examples::install_stop_handlers();
  (void)client.connect();
  auto start = SteadyClock::now();
  auto period =
      std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(interval));
  auto next = start;
  long sent = 0;
  while (!tern::examples::stop_requested() && (count == 0 || sent < count)) {
    auto now = SteadyClock::now();
    if (now >= next) {
      std::optional<double> value =
          file.empty() ? simulated(std::chrono::duration<double>(now - start).count())
                       : read_file(file, scale);
      if (value) {
        char text[32];
        std::snprintf(text, sizeof text, "%.1f", *value);
        auto published = client.publish(temperature_topic, text, static_cast<QoS>(qos), true);
        std::cout << "temperature " << text
                  << (published ? "" : " not sent: " + published.error().to_string()) << "\n";
        ++sent;
      } else {
        std::cout << "cannot read a number from " << file << "\n";
      }
      next += period;
      if (next < now) next = now + period;  // after a long stall, no burst of catch-up readings
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - SteadyClock::now());
    auto polled = client.poll(std::clamp(wait, 0ms, 250ms));
    if (!polled) {
      std::cout << "stopped: " << polled.error().to_string() << "\n";
      return 1;
    }
  }
  std::cout << "stopping\n";
  if (client.connected()) {
    (void)client.publish(availability, "offline", QoS::at_least_once, true);
    if (auto flushed = client.flush(2s); !flushed) {
      std::cout << "not everything was sent: " << flushed.error().to_string() << "\n";
    }
  }
  (void)client.disconnect();  // clean: the broker discards the will
  return 0;
}
