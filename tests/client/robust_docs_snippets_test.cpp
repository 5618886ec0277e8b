// The C++ snippets of docs/client.md, verbatim apart from the function around each, so that the
// page cannot drift from the library: they must compile. The ones that need no server run.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>

#include "tern/client/connection.h"
#include "tern/client/robust.h"
#include "tern/client/simple.h"

namespace tern::client::docs {

using namespace std::chrono_literals;

// ---- "Connect" ----
void connect_snippet() {
  tern::client::SimpleClient c("yourClientID", "192.168.1.10", 1883, "user", "password");
  c.connect();
}

// ---- "Publish" ----
void publish_snippet(tern::client::SimpleClient& c) {
  c.publish("Bkgk2zXb4", "hello");
  c.publish("sensor/1", "21.5", /*retain=*/true, /*qos=*/1);  // waits for the PUBACK
}

// ---- "Subscribe" and "Wait for messages" ----
void subscribe_snippet(tern::client::SimpleClient& c) {
  c.set_callback([](const std::string& topic, const std::string& msg) {
    std::cout << topic << " " << msg << "\n";
  });
  c.subscribe("yourTopic");
  while (true) {
    c.wait_msg();
  }
}

// ---- "Remote light" with SimpleClient ----
int remote_light_simple() {
  const std::string topic = "yourTopic";
  tern::client::SimpleClient c("yourClientID", "192.168.1.10", 1883, "user", "password",
                               /*keepalive=*/30);
  try {
    c.set_callback([&](const std::string& t, const std::string& msg) {
      std::cout << t << " " << msg << "\n";
      if (t != topic) return;
      if (msg == "on") std::cout << "light on\n";
      if (msg == "off") std::cout << "light off\n";
    });
    c.connect();
    c.subscribe(topic);
    while (true) {
      c.wait_msg();  // PINGREQs go out by themselves: no timer needed
    }
  } catch (const tern::client::MqttError& e) {
    std::cerr << e.what() << "\n";
    c.disconnect();
    return 1;
  }
}

// ---- "The robust client" ----
int robust_snippet(std::atomic<bool>& running) {
  tern::client::RobustOptions o;
  o.connect.host = "192.168.1.10";
  o.connect.client_id = "light-1";
  o.connect.username = "user";
  o.connect.password = "password";
  o.connect.keep_alive = 30;
  o.reconnect.initial_delay = 500ms;  // then 1 s, 2 s, ... up to max_delay, with jitter
  o.reconnect.max_delay = 30s;
  o.offline.max_messages = 1000;  // publish() while offline queues up to this

  tern::client::RobustClient c(o);
  c.set_callback([](const std::string& topic, const std::string& payload) {
    std::cout << topic << " " << payload << "\n";
  });
  c.on_connect([](bool session_present) {
    std::cout << "connected, session " << (session_present ? "resumed" : "new") << "\n";
  });
  c.on_disconnect([](const tern::client::Error& e) { std::cout << e.to_string() << "\n"; });

  (void)c.connect();  // a failure is not final: poll() keeps trying
  if (auto s = c.subscribe("yourTopic", tern::mqtt::QoS::at_least_once); !s) {
    std::cerr << s.error().to_string() << "\n";
  }
  while (running) {
    if (auto r = c.poll(500ms); !r) {  // only fails when giving up (max_attempts)
      std::cerr << r.error().to_string() << "\n";
      return 1;
    }
    (void)c.publish("sensor/1", "21.5", tern::mqtt::QoS::at_least_once);
  }
  (void)c.flush(2s);
  (void)c.disconnect();
  return 0;
}

// ---- "The Connection" (MQTT 5.0) ----
int connection_snippet() {
  tern::client::ConnectOptions o;
  o.host = "localhost";
  o.version = tern::mqtt::Version::v5;
  o.client_id = "tool-1";
  o.properties.session_expiry_interval = 3600;
  tern::client::Connection c(o);
  auto connected = c.connect();
  if (!connected) {
    std::cerr << connected.error().to_string() << "\n";  // e.g. connack_refused (0x87)
    return 1;
  }
  tern::mqtt::Properties p;
  p.message_expiry_interval = 60;
  p.content_type = "text/plain";
  p.user_properties.push_back({"site", "lab"});
  auto published = c.publish("sensor/1", "21.5", tern::mqtt::QoS::exactly_once, false, p);
  if (!published) std::cerr << published.error().to_string() << "\n";
  auto sub = c.subscribe("cmd/#", tern::mqtt::QoS::at_least_once);
  if (sub && static_cast<int>(sub->reason_codes[0]) >= 0x80) std::cerr << "refused\n";
  if (auto m = c.wait_message(5s); m && *m) {
    std::cout << (*m)->topic << " " << (*m)->payload << "\n";
  }
  (void)c.disconnect();
  return 0;
}

// ---- "TLS" ----
void tls_snippet() {
  tern::client::TlsOptions tls;
  tls.enabled = true;
  tls.ca_file = "/etc/mosquitto/ca_certificates/ca.crt";
  tls.cert_file = "client.crt";  // only if the server asks for a client certificate
  tls.key_file = "client.key";
  tern::client::SimpleClient c("yourClientID", "broker.example", 8883, "", "", 60, tls);

  tern::client::RobustOptions o;
  o.connect.host = "broker.example";
  o.connect.tls = tls;  // port 0: 8883 with TLS
}

}  // namespace tern::client::docs

namespace tern::client {
namespace {

TEST(DocsSnippets, Compile) {
  // Referenced so that every snippet is compiled and linked; those needing a server do not run.
  void (*snippets[])() = {&docs::connect_snippet, &docs::tls_snippet};
  EXPECT_NE(snippets[0], nullptr);
  EXPECT_NE(&docs::publish_snippet, nullptr);
  EXPECT_NE(&docs::subscribe_snippet, nullptr);
  EXPECT_NE(&docs::remote_light_simple, nullptr);
  EXPECT_NE(&docs::robust_snippet, nullptr);
  EXPECT_NE(&docs::connection_snippet, nullptr);
}

TEST(DocsSnippets, TlsOptionsNeedNoServer) {
  docs::tls_snippet();  // constructing clients does not connect
}

}  // namespace
}  // namespace tern::client
