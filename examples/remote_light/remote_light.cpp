// remote_light: the remote light switch of the MicroPython MQTT tutorial, in C++ with Tern's
// RobustClient. It subscribes to its topic and "lights" on `on`, goes dark on `off` (printed
// as `light on` / `light off`), and publishes its state, retained, on TOPIC/state so that a
// dashboard shows it. TOPIC/availability says `online` (retained) while it runs and `offline`
// when it stops, by its own message on Ctrl-C or by its will when it dies.
//
// The tutorial pinged every 20 s with a timer to keep the connection alive; the library sends
// PINGREQ by itself when the connection is idle for the keep alive (30 s here), reconnects
// when the broker goes away, and subscribes again when the broker lost the session.
//
//   remote_light -h 127.0.0.1 -p 1883 -u USER -P PASS -t light/1
//   mosquitto_pub -t light/1 -m on
#include <iostream>
#include <string>

#include "../common/example_cli.h"

namespace {

using namespace std::chrono_literals;
using tern::client::Error;
using tern::client::RobustClient;
using tern::mqtt::QoS;

void usage() {
  std::cout << "usage: remote_light [-h HOST] [-p PORT] [-u USER -P PASSWORD] [-i CLIENT_ID]\n"
               "                    [-t TOPIC] [-k KEEPALIVE] [--tls] [--cafile FILE]\n"
               "Subscribes to TOPIC (default light/1): 'on' and 'off' switch a printed light.\n"
               "Environment: MQTT_HOST, MQTT_PORT, MQTT_USER, MQTT_PASSWORD, MQTT_CLIENT_ID,\n"
               "MQTT_TOPIC.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (tern::examples::wants_help(argc, argv)) {
    usage();
    return 0;
  }
  std::cout << std::unitbuf;  // one line at a time, also into a pipe
  tern::examples::CommonOptions common;
  std::string topic = tern::examples::env_or("MQTT_TOPIC", "light/1");
  bool parsed = tern::examples::parse_common(argc, argv, common,
                                             [&](std::string_view flag, const std::string& value) {
                                               if (flag == "-t") {
                                                 topic = value;
                                               } else if (flag == "-i") {
                                                 common.client_id = value;
                                               } else {
                                                 return false;
                                               }
                                               return true;
                                             });
  if (!parsed) return 2;
  if (common.client_id.empty()) common.client_id = "remote-light-" + topic;
  const std::string state_topic = topic + "/state";
  const std::string availability = topic + "/availability";

  auto options = tern::examples::robust_options(common);
  tern::mqtt::Will will;
  will.topic = availability;
  will.payload = "offline";
  will.qos = QoS::at_least_once;
  will.retain = true;
  options.connect.will = will;
  RobustClient client(options);

  bool light = false;
  auto publish_state = [&] {
    auto sent = client.publish(state_topic, light ? "on" : "off", QoS::at_least_once, true);
    if (!sent) std::cout << "cannot publish the state: " << sent.error().to_string() << "\n";
  };
  client.set_callback([&](const std::string& t, const std::string& payload) {
    if (t != topic) {
      std::cout << "ignored a message on " << t << "\n";
    } else if (payload == "on" || payload == "off") {
      light = payload == "on";
      std::cout << "light " << payload << "\n";  // where the board wrote its RGB LEDs
      publish_state();
    } else {
      std::cout << "ignored '" << payload << "': send on or off\n";
    }
  });
  client.on_connect([&](bool session_present) {
    std::cout << "connected to " << common.host << " as " << client.client_id()
              << (session_present ? " (session resumed)" : "") << "\n";
    // Retained messages may have gone with the broker: say both again.
    (void)client.publish(availability, "online", QoS::at_least_once, true);
    publish_state();
  });
  client.on_disconnect(
      [](const Error& e) { std::cout << "connection lost: " << e.to_string() << "\n"; });
  client.on_connect_failed([](const Error& e, std::chrono::milliseconds retry_in) {
    std::cout << "cannot connect: " << e.to_string() << "; again in " << retry_in.count()
              << " ms\n";
  });

  tern::examples::install_stop_handlers();
  (void)client.connect();  // a failure is reported by on_connect_failed; polling retries
  // The first subscription needs the broker; later ones are restored by the client.
  bool subscribed = false;
  while (!subscribed && !tern::examples::stop_requested()) {
    auto s = client.subscribe(topic, QoS::at_least_once);
    subscribed = s.ok();
    if (!s) std::cout << "cannot subscribe: " << s.error().to_string() << "\n";
  }
  if (subscribed) std::cout << "subscribed to " << topic << "\n";
  while (!tern::examples::stop_requested()) {
    auto polled = client.poll(250ms);
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
  // A clean DISCONNECT: the broker discards the will [MQTT-3.1.2-10].
  (void)client.disconnect();
  return 0;
}
