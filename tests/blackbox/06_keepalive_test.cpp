// 06: keepalive (MQTT 3.1.1 sections 3.1.2.10 and 3.12).
#include <chrono>
#include <string>
#include <thread>

#include "harness.h"

namespace tern::blackbox {
namespace {

using Clock = std::chrono::steady_clock;

// [MQTT-3.1.2-24]: with no packet from the client for one and a half times the keepalive, the
// server closes the connection. Keepalive 1 s: closed after 1.5 s (the broker checks twice a
// second, so by 2 s), and not before 1 s.
TEST(Keepalive06, SilentClientIsClosedAfterOneAndAHalfTimesKeepalive) {
  BrokerProcess broker;
  RawClient client(broker);
  auto start = Clock::now();
  client.connect_ok("silent", true, 1);
  EXPECT_TRUE(client.expect_closed(4s));
  auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 1400ms);
  EXPECT_LE(elapsed, 3s);
  EXPECT_TRUE(broker.wait_for_log("Client silent from 127.0.0.1:"));
  EXPECT_TRUE(broker.wait_for_log("disconnected: keepalive timeout."));
}

// [MQTT-3.12.4-1]: PINGREQ gets PINGRESP, and keeps the connection alive well past 1.5 times
// the keepalive.
TEST(Keepalive06, PingreqKeepsTheConnectionAlive) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("pinger", true, 1);
  auto end = Clock::now() + 3s;
  while (Clock::now() < end) {
    client.send(mqtt::Pingreq{});
    client.expect<mqtt::Pingresp>();
    ASSERT_FALSE(client.closed());
    std::this_thread::sleep_for(500ms);
  }
  client.send(mqtt::Pingreq{});
  client.expect<mqtt::Pingresp>();
}

// Any control packet counts as activity, not only PINGREQ.
TEST(Keepalive06, AnyPacketKeepsTheConnectionAlive) {
  BrokerProcess broker;
  RawClient client(broker);
  client.connect_ok("publisher", true, 1);
  auto end = Clock::now() + 2500ms;
  while (Clock::now() < end) {
    client.publish("keep/alive", "tick", QoS::at_least_once);
    std::this_thread::sleep_for(500ms);
  }
  client.send(mqtt::Pingreq{});
  client.expect<mqtt::Pingresp>();
}

// Keepalive 0 turns the mechanism off [MQTT-3.1.2-24 does not apply]: an idle client stays.
TEST(Keepalive06, KeepaliveZeroIsNeverTimedOut) {
  BrokerProcess broker;
  RawClient idle(broker);
  idle.connect_ok("idle", true, 0);
  RawClient timed(broker);
  timed.connect_ok("timed", true, 1);
  EXPECT_TRUE(timed.expect_closed(4s));  // the same wait closes a keepalive-1 client...
  idle.send(mqtt::Pingreq{});            // ...but not this one
  idle.expect<mqtt::Pingresp>();
}

// A client that closes its socket half-way through a packet is an ordinary close: the broker
// logs it and keeps serving others.
TEST(Keepalive06, PartialPacketThenCloseIsHarmless) {
  BrokerProcess broker;
  {
    RawClient client(broker);
    client.connect_ok("partial", true, 60);
    Bytes publish =
        client.encode(make_publish("p/t", std::string(1000, 'x'), QoS::at_least_once, 1));
    publish.resize(publish.size() / 2);
    client.send_bytes(publish);
  }
  ASSERT_TRUE(broker.wait_for_log("Client partial closed its connection."));
  expect_broker_serves(broker);
}

}  // namespace
}  // namespace tern::blackbox
