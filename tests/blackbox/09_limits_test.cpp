// 09: the bounds the broker enforces per client: message_size_limit, max_inflight_messages,
// max_queued_messages, max_queued_bytes (max_packet_size is in 08, max_keepalive in 01).
#include <chrono>
#include <string>
#include <thread>

#include "harness.h"

namespace tern::blackbox {
namespace {

// The value of a $SYS topic, read by a fresh subscriber (retained, so it comes at once), waiting
// until it satisfies `done` or the deadline passes; the last value seen.
template <class Done>
std::string read_sys(const BrokerProcess& broker, const std::string& topic, Done done) {
  RawClient reader(broker);
  reader.connect_ok("sys-reader");
  reader.subscribe(topic, QoS::at_most_once);
  std::string value;
  auto deadline = std::chrono::steady_clock::now() + 4s;
  while (std::chrono::steady_clock::now() < deadline && !done(value)) {
    auto packet = reader.receive(1500ms);
    if (!packet) continue;
    if (auto* p = std::get_if<mqtt::Publish>(&*packet)) value = p->payload;
  }
  return value;
}

// message_size_limit: a larger payload is acknowledged (Mosquitto's behaviour for 3.1.1, which
// cannot say no to a PUBLISH) but not delivered; a payload of exactly the limit is.
TEST(Limits09, MessageSizeLimitDropsLargerPayloads) {
  BrokerProcess broker("message_size_limit 100\nsys_interval 1");
  RawClient sub(broker);
  sub.connect_ok("limit-sub");
  sub.subscribe("limit/t", QoS::exactly_once);
  RawClient pub(broker);
  pub.connect_ok("limit-pub");
  pub.publish("limit/t", std::string(100, 'a'), QoS::at_least_once);
  EXPECT_EQ(sub.receive_publish().payload.size(), 100u);
  for (int qos = 0; qos <= 2; ++qos) {
    SCOPED_TRACE("QoS " + std::to_string(qos));
    pub.publish("limit/t", std::string(101, 'b'), static_cast<QoS>(qos));  // full flow
  }
  sub.expect_nothing();
  EXPECT_TRUE(broker.wait_for_log("Dropped message of 101 bytes from limit-pub"));
  // The connection is still fine.
  pub.publish("limit/t", "small", QoS::at_least_once);
  EXPECT_EQ(sub.receive_publish().payload, "small");
  EXPECT_EQ(read_sys(broker, "$SYS/broker/publish/messages/dropped",
                     [](const std::string& v) { return v == "3"; }),
            "3");
}

// max_inflight_messages: at most N QoS 1/2 messages unacknowledged at once; the rest wait in
// order and go out as acknowledgements free the window.
TEST(Limits09, MaxInflightMessagesBoundsUnacknowledgedMessages) {
  BrokerProcess broker("max_inflight_messages 2");
  RawClient sub(broker);
  sub.connect_ok("window-sub");
  sub.subscribe("window/t", QoS::exactly_once);
  RawClient pub(broker);
  pub.connect_ok("window-pub");
  for (int i = 0; i < 6; ++i)
    pub.publish("window/t", std::to_string(i), i % 2 == 0 ? QoS::at_least_once : QoS::exactly_once);

  mqtt::Publish m0 = sub.expect<mqtt::Publish>();
  mqtt::Publish m1 = sub.expect<mqtt::Publish>();
  EXPECT_EQ(m0.payload, "0");
  EXPECT_EQ(m1.payload, "1");
  sub.expect_nothing();  // the window of 2 is full

  sub.send(make_ack<mqtt::Puback>(m0.packet_id));
  mqtt::Publish m2 = sub.expect<mqtt::Publish>();
  EXPECT_EQ(m2.payload, "2");
  sub.expect_nothing(100ms);

  // QoS 2 stays in the window until PUBCOMP, not PUBREC.
  sub.send(make_ack<mqtt::Pubrec>(m1.packet_id));
  EXPECT_EQ(sub.expect<mqtt::Pubrel>().packet_id, m1.packet_id);
  sub.expect_nothing(100ms);
  sub.send(make_ack<mqtt::Pubcomp>(m1.packet_id));
  mqtt::Publish m3 = sub.expect<mqtt::Publish>();
  EXPECT_EQ(m3.payload, "3");

  sub.ack(m2);
  sub.ack(m3);
  for (std::string expected : {"4", "5"})
    EXPECT_EQ(sub.receive_publish().payload, expected);
  sub.expect_nothing();
}

// The window applies to messages queued while a persistent client was away: on reconnect it
// gets N, and the rest as it acknowledges, in order.
TEST(Limits09, MaxInflightMessagesAppliesOnReconnect) {
  BrokerProcess broker("max_inflight_messages 2");
  {
    RawClient sub(broker);
    sub.connect_ok("window-away", false);
    sub.subscribe("wa/t", QoS::at_least_once);
  }
  ASSERT_TRUE(broker.wait_for_log("Client window-away closed its connection."));
  RawClient pub(broker);
  pub.connect_ok("wa-pub");
  for (int i = 0; i < 5; ++i)
    pub.publish("wa/t", std::to_string(i), QoS::at_least_once);
  RawClient sub(broker);
  EXPECT_TRUE(sub.connect_ok("window-away", false));
  mqtt::Publish m0 = sub.expect<mqtt::Publish>();
  mqtt::Publish m1 = sub.expect<mqtt::Publish>();
  EXPECT_EQ(m0.payload, "0");
  EXPECT_EQ(m1.payload, "1");
  sub.expect_nothing();
  sub.ack(m0);
  sub.ack(m1);
  for (std::string expected : {"2", "3", "4"})
    EXPECT_EQ(sub.receive_publish().payload, expected);
  sub.expect_nothing(100ms);
}

// QoS 0 messages do not use the window: they are sent even when it is full.
TEST(Limits09, Qos0IsNotHeldByTheInflightWindow) {
  BrokerProcess broker("max_inflight_messages 1");
  RawClient sub(broker);
  sub.connect_ok("window0-sub");
  sub.subscribe("window0/t", QoS::at_least_once);
  RawClient pub(broker);
  pub.connect_ok("window0-pub");
  pub.publish("window0/t", "q1", QoS::at_least_once);
  EXPECT_EQ(sub.expect<mqtt::Publish>().payload, "q1");  // not acknowledged
  pub.publish("window0/t", "q0", QoS::at_most_once);
  EXPECT_EQ(sub.expect<mqtt::Publish>().payload, "q0");
}

// max_queued_messages: the queue of an offline persistent session is bounded; messages beyond
// it are dropped and counted in $SYS/broker/publish/messages/dropped.
TEST(Limits09, MaxQueuedMessagesBoundsTheOfflineQueue) {
  BrokerProcess broker("max_queued_messages 3\nsys_interval 1");
  {
    RawClient sub(broker);
    sub.connect_ok("queue-sub", false);
    sub.subscribe("queue/t", QoS::at_least_once);
  }
  ASSERT_TRUE(broker.wait_for_log("Client queue-sub closed its connection."));
  RawClient pub(broker);
  pub.connect_ok("queue-pub");
  for (int i = 0; i < 10; ++i)
    pub.publish("queue/t", std::to_string(i), QoS::at_least_once);

  EXPECT_EQ(read_sys(broker, "$SYS/broker/publish/messages/dropped",
                     [](const std::string& v) { return v == "7"; }),
            "7");

  RawClient sub(broker);
  EXPECT_TRUE(sub.connect_ok("queue-sub", false));
  for (std::string expected : {"0", "1", "2"})  // the oldest are kept, the newest dropped
    EXPECT_EQ(sub.receive_publish().payload, expected);
  sub.expect_nothing();
}

// The same bound for a connected client whose window is full: in flight plus queued at most.
TEST(Limits09, MaxQueuedMessagesBoundsTheQueueBehindTheWindow) {
  BrokerProcess broker("max_inflight_messages 1\nmax_queued_messages 2");
  RawClient sub(broker);
  sub.connect_ok("busy-sub");
  sub.subscribe("busy/t", QoS::at_least_once);
  RawClient pub(broker);
  pub.connect_ok("busy-pub");
  for (int i = 0; i < 6; ++i)
    pub.publish("busy/t", std::to_string(i), QoS::at_least_once);
  for (std::string expected : {"0", "1", "2"})  // 1 in flight + 2 queued
    EXPECT_EQ(sub.receive_publish().payload, expected);
  sub.expect_nothing();
}

// max_queued_bytes bounds the queue by payload bytes as well.
TEST(Limits09, MaxQueuedBytesBoundsTheOfflineQueue) {
  BrokerProcess broker("max_queued_bytes 250");
  {
    RawClient sub(broker);
    sub.connect_ok("bytes-sub", false);
    sub.subscribe("b", QoS::at_least_once);
  }
  ASSERT_TRUE(broker.wait_for_log("Client bytes-sub closed its connection."));
  RawClient pub(broker);
  pub.connect_ok("bytes-pub");
  for (int i = 0; i < 5; ++i)
    pub.publish("b", std::to_string(i) + std::string(99, 'x'), QoS::at_least_once);
  RawClient sub(broker);
  EXPECT_TRUE(sub.connect_ok("bytes-sub", false));
  EXPECT_EQ(sub.receive_publish().payload[0], '0');
  EXPECT_EQ(sub.receive_publish().payload[0], '1');
  sub.expect_nothing();
}

// A subscriber that does not read: QoS 0 messages to it are dropped once its write backlog is
// over the broker's bound (8 MiB), and counted; everyone else is still served.
TEST(Limits09, SlowConsumerQos0IsDroppedOverTheWriteBacklog) {
  BrokerProcess broker("sys_interval 1");
  RawClient slow(broker);
  slow.set_receive_buffer(4096);
  slow.connect_ok("slow-consumer");
  slow.subscribe("flood/t", QoS::at_most_once);
  RawClient pub(broker);
  pub.connect_ok("flooder");
  std::string payload(256 * 1024, 'f');
  Bytes burst;
  // 24 MiB: past the 8 MiB backlog bound even when the kernel's socket buffers take several MiB.
  for (int i = 0; i < 96; ++i)
    burst = concat({burst, pub.encode(make_publish("flood/t", payload))});
  pub.send_bytes(burst);
  EXPECT_NE(read_sys(broker, "$SYS/broker/publish/messages/dropped",
                     [](const std::string& v) { return !v.empty() && v != "0"; }),
            "0");
  expect_broker_serves(broker);
}

// A connection the broker is closing while its peer neither reads nor sends (here: DISCONNECT,
// then a half-close, with megabytes still queued to it) costs no CPU while it waits, and does
// not stop the broker from shutting down cleanly.
TEST(Limits09, ClosingConnectionWithUnreadOutputDoesNotSpin) {
  BrokerProcess broker;
  RawClient slow(broker);
  slow.set_receive_buffer(4096);
  slow.connect_ok("closing-slow");
  slow.subscribe("backlog/t", QoS::at_most_once);
  RawClient pub(broker);
  pub.connect_ok("backlog-pub");
  std::string payload(100 * 1000, 'b');
  for (int i = 0; i < 70; ++i)  // 7 MB: under the backlog bound, over the socket buffers
    pub.publish("backlog/t", payload);
  pub.send(mqtt::Pingreq{});
  pub.expect<mqtt::Pingresp>();
  slow.send(mqtt::Disconnect{});
  slow.shutdown_send();
  ASSERT_TRUE(broker.wait_for_log("Client closing-slow disconnected."));
  std::this_thread::sleep_for(100ms);
  Millis before = broker.cpu_time();
  std::this_thread::sleep_for(1s);
  Millis used = broker.cpu_time() - before;
  EXPECT_LT(used, 300ms) << "the broker is busy while idle";
  expect_broker_serves(broker);
}

}  // namespace
}  // namespace tern::blackbox

namespace tern::blackbox {
namespace {

// max_connections (per listener): the connection over the limit is closed at once, and a place
// frees up when a client leaves.
TEST(Limits09, MaxConnectionsRefusesTheConnectionOverTheLimit) {
  BrokerProcess broker("max_connections 2\n");
  ASSERT_TRUE(broker.running());
  auto first = std::make_unique<RawClient>(broker);
  first->connect_ok("first");
  RawClient second(broker);
  second.connect_ok("second");
  {
    RawClient third(broker);
    third.send(make_connect("third"));
    EXPECT_TRUE(third.expect_closed());
  }
  EXPECT_TRUE(broker.wait_for_log("max_connections reached"));
  first.reset();  // closes its socket; its place is given back
  ASSERT_TRUE(broker.wait_for_log("Client first closed its connection."));
  RawClient fourth(broker);
  fourth.connect_ok("fourth");
}

}  // namespace
}  // namespace tern::blackbox

namespace tern::blackbox {
namespace {

// Topic depth is bounded (BrokerLimits::max_topic_levels, 201 levels as in Mosquitto), so a
// filter or topic of thousands of '/' cannot drive the tree walks deep. The deepest allowed
// topic works end to end.
std::string levels(std::size_t count) {
  std::string topic = "l";
  for (std::size_t i = 1; i < count; ++i)
    topic += "/l";
  return topic;
}

TEST(Limits09, DeepestAllowedTopicIsDelivered) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("deep-sub");
  EXPECT_EQ(sub.subscribe({{levels(200) + "/+", QoS::at_least_once}}),
            (std::vector<mqtt::ReasonCode>{mqtt::ReasonCode::granted_qos_1}));
  RawClient pub(broker);
  pub.connect_ok("deep-pub");
  pub.publish(levels(201), "deep", QoS::at_least_once);
  EXPECT_EQ(sub.receive_publish().payload, "deep");
}

TEST(Limits09, FilterOverTheDepthLimitIsRefusedInTheSuback) {
  BrokerProcess broker;
  RawClient sub(broker);
  sub.connect_ok("too-deep-sub");
  // [MQTT-3.9.3-2]: 0x80 for the refused filter, the others granted.
  EXPECT_EQ(sub.subscribe({{levels(202), QoS::at_least_once}, {"ok/#", QoS::at_most_once}}),
            (std::vector<mqtt::ReasonCode>{mqtt::ReasonCode::unspecified_error,
                                           mqtt::ReasonCode::success}));
  EXPECT_EQ(sub.subscribe({{std::string(60000, '/'), QoS::at_most_once}}),
            (std::vector<mqtt::ReasonCode>{mqtt::ReasonCode::unspecified_error}));
  expect_broker_serves(broker);
}

TEST(Limits09, PublishOverTheDepthLimitClosesTheConnection) {
  BrokerProcess broker;
  RawClient pub(broker);
  pub.connect_ok("too-deep-pub");
  pub.send(make_publish(std::string(60000, '/'), "x", QoS::at_least_once, 1));
  EXPECT_TRUE(pub.expect_closed());
  EXPECT_TRUE(broker.wait_for_log("topic has too many levels"));
  expect_broker_serves(broker);
}

TEST(Limits09, WillOverTheDepthLimitIsRefusedWithTheConnection) {
  BrokerProcess broker;
  RawClient client(broker);
  mqtt::Connect connect = make_connect("too-deep-will");
  connect.will = make_will(levels(202), "gone");
  mqtt::Connack connack = client.connect(connect);
  EXPECT_NE(connack.reason_code, mqtt::ReasonCode::success);
  EXPECT_TRUE(client.expect_closed());
  expect_broker_serves(broker);
}

}  // namespace
}  // namespace tern::blackbox
