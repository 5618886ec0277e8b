// tern_bench's parts: topic plans (who should receive what), receipt tracking (lost, duplicated,
// out of order), the pre-encoded packets, and the in-flight window.
#include <gtest/gtest.h>

#include <algorithm>

#include "inflight_window.h"
#include "mqtt/codec.h"
#include "mqtt/framer.h"
#include "options.h"
#include "packet_templates.h"
#include "receipt_tracker.h"
#include "topic_plan.h"

namespace tern::bench {
namespace {

Options options_for(std::vector<std::string> args) {
  ParseResult r = parse_options(args);
  EXPECT_TRUE(r.ok()) << r.error;
  return r.options;
}

TopicPlan plan_for(std::vector<std::string> args) {
  PlanResult r = make_plan(options_for(std::move(args)));
  EXPECT_TRUE(r.error.empty()) << r.error;
  return r.plan;
}

// ---- TopicPlan ---------------------------------------------------------------------------------

TEST(TernBenchTopicPlan, Expand) {
  EXPECT_EQ(expand("bench/%i", 7), "bench/7");
  EXPECT_EQ(expand("%i/x/%i", 12), "12/x/12");
  EXPECT_EQ(expand("bench/x", 3), "bench/x");
  EXPECT_EQ(expand("100%", 3), "100%");
  EXPECT_EQ(expand("%%i", 3), "%3");
}

TEST(TernBenchTopicPlan, PairsWhenPublishersEqualSubscribers) {
  TopicPlan plan = plan_for({"pubsub", "-c", "3", "-n", "3"});
  EXPECT_EQ(plan.topics, (std::vector<std::string>{"bench/0", "bench/1", "bench/2"}));
  EXPECT_EQ(plan.filters, plan.topics);
  EXPECT_EQ(plan.receivers, 3u);
  for (std::uint32_t j = 0; j < 3; ++j) {
    EXPECT_EQ(plan.receiver_of[j], j);
    EXPECT_EQ(plan.publishers_of[j], std::vector<std::uint32_t>{j});
  }
  EXPECT_EQ(plan.fanout, (std::vector<std::uint32_t>{1, 1, 1}));
  EXPECT_EQ(plan.expected({10, 20, 30}), 60u);
}

TEST(TernBenchTopicPlan, MoreSubscribersThanPublishers) {
  // Subscribers 2 and 3 listen to topics nobody publishes on.
  TopicPlan plan = plan_for({"pubsub", "-c", "2", "-n", "4"});
  EXPECT_TRUE(plan.publishers_of[3].empty());
  EXPECT_EQ(plan.expected({5, 5}), 10u);
}

TEST(TernBenchTopicPlan, FanOut) {
  TopicPlan plan = plan_for({"pubsub", "-c", "1", "-n", "100", "-t", "bench/x"});
  EXPECT_EQ(plan.fanout, std::vector<std::uint32_t>{100});
  EXPECT_EQ(plan.expected({7}), 700u);
}

TEST(TernBenchTopicPlan, FanIn) {
  TopicPlan plan = plan_for({"pubsub", "-c", "100", "-n", "1", "--sub-topic", "bench/#"});
  EXPECT_EQ(plan.filters, std::vector<std::string>{"bench/#"});
  ASSERT_EQ(plan.publishers_of[0].size(), 100u);
  EXPECT_TRUE(std::is_sorted(plan.publishers_of[0].begin(), plan.publishers_of[0].end()));
  EXPECT_EQ(plan.expected(std::vector<std::uint64_t>(100, 2)), 200u);
}

TEST(TernBenchTopicPlan, WildcardsMatchAsTheCodecSays) {
  TopicPlan plan =
      plan_for({"pubsub", "-c", "12", "-n", "2", "-t", "s/%i/t", "--sub-topic", "s/+/t"});
  EXPECT_EQ(plan.publishers_of[0].size(), 12u);
  plan = plan_for({"pubsub", "-c", "12", "-n", "1", "-t", "s/%i/t", "--sub-topic", "s/1"});
  EXPECT_TRUE(plan.publishers_of[0].empty());
}

TEST(TernBenchTopicPlan, SharedSubscribersFormOneReceiverPerFilter) {
  TopicPlan plan = plan_for({"pubsub", "-c", "4", "-n", "3", "--shared", "--sub-topic", "bench/#"});
  EXPECT_EQ(plan.filters, std::vector<std::string>(3, "$share/bench/bench/#"));
  EXPECT_EQ(plan.receivers, 1u);
  EXPECT_EQ(plan.receiver_of, (std::vector<std::uint32_t>{0, 0, 0}));
  EXPECT_EQ(plan.expected({1, 1, 1, 1}), 4u);  // once per group, not per subscriber

  plan = plan_for({"pubsub", "-c", "2", "-n", "2", "--shared"});
  EXPECT_EQ(plan.receivers, 2u);  // bench/0 and bench/1: two groups
}

TEST(TernBenchTopicPlan, InvalidFiltersAreRefused) {
  PlanResult r = make_plan(options_for({"pubsub", "--sub-topic", "a/#/b"}));
  EXPECT_NE(r.error.find("invalid topic filter 'a/#/b'"), std::string::npos) << r.error;
}

// ---- ReceiptTracker ----------------------------------------------------------------------------

TEST(TernBenchReceipts, CountsLostDuplicatedAndOutOfOrder) {
  TopicPlan plan = plan_for({"pubsub", "-c", "1", "-n", "1"});
  ReceiptTracker t;
  for (std::uint32_t seq : {0u, 1u, 2u, 4u, 3u, 4u, 7u})
    t.record(0, 0, 0, seq);
  LossFigures f = t.figures(plan, {10});
  EXPECT_EQ(f.expected, 10u);
  EXPECT_EQ(f.received, 7u);
  EXPECT_EQ(f.duplicated, 1u);    // the second 4
  EXPECT_EQ(f.out_of_order, 1u);  // 3 after 4
  EXPECT_EQ(f.lost, 4u);          // 5, 6, 8, 9
  EXPECT_EQ(f.unexpected, 0u);
}

TEST(TernBenchReceipts, ReceiptsFromUnmatchedPublishersAreUnexpected) {
  TopicPlan plan = plan_for({"pubsub", "-c", "2", "-n", "2"});
  ReceiptTracker t;
  t.record(0, 0, 0, 0);
  t.record(0, 0, 1, 0);  // subscriber 0 listens to bench/0 only
  LossFigures f = t.figures(plan, {1, 1});
  EXPECT_EQ(f.unexpected, 1u);
  EXPECT_EQ(f.lost, 1u);  // subscriber 1 got nothing
}

TEST(TernBenchReceipts, SharedGroupsMergeAcrossThreads) {
  TopicPlan plan = plan_for({"pubsub", "-c", "1", "-n", "2", "--shared", "-t", "bench/x"});
  ReceiptTracker thread_a;
  ReceiptTracker thread_b;
  // Subscribers 0 and 1 share the group; each got half, and message 2 came twice.
  for (std::uint32_t seq : {0u, 2u, 4u})
    thread_a.record(0, 0, 0, seq);
  for (std::uint32_t seq : {1u, 2u, 3u})
    thread_b.record(1, 0, 0, seq);
  thread_a.merge(thread_b);
  LossFigures f = thread_a.figures(plan, {6});
  EXPECT_EQ(f.expected, 6u);
  EXPECT_EQ(f.received, 6u);
  EXPECT_EQ(f.duplicated, 1u);
  EXPECT_EQ(f.lost, 1u);          // 5
  EXPECT_EQ(f.out_of_order, 0u);  // each subscriber saw its own in order
}

TEST(TernBenchReceipts, WithoutAPlanGapsAreLost) {
  ReceiptTracker t;
  for (std::uint32_t seq : {10u, 11u, 14u})
    t.record(0, 0, 3, seq);
  t.record_untracked();
  LossFigures f = t.figures_without_plan();
  EXPECT_EQ(f.received, 4u);
  EXPECT_EQ(f.lost, 2u);  // 12, 13
  EXPECT_EQ(f.untracked, 1u);
}

TEST(TernBenchReceipts, HugeSequenceNumbersAreNotTracked) {
  ReceiptTracker t;
  EXPECT_TRUE(t.record(0, 0, 0, 0xFFFFFFF0u));
  EXPECT_EQ(t.figures_without_plan().untracked, 1u);
}

// ---- Pre-encoded packets -----------------------------------------------------------------------

mqtt::Packet decode_one(const std::vector<std::uint8_t>& bytes, mqtt::Version version,
                        mqtt::Sender sender) {
  mqtt::Framer framer;
  std::span<const std::uint8_t> input(bytes);
  auto frame = framer.next(input);
  EXPECT_TRUE(frame && *frame);
  EXPECT_TRUE(input.empty()) << "one packet exactly";
  auto packet = mqtt::decode(**frame, version, sender);
  EXPECT_TRUE(packet.ok());
  return packet.ok() ? *packet : mqtt::Packet{mqtt::Pingreq{}};
}

TEST(TernBenchTemplates, PublishDecodesWithThePatchedFields) {
  for (auto version : {mqtt::Version::v3_1_1, mqtt::Version::v5}) {
    for (auto qos : {mqtt::QoS::at_most_once, mqtt::QoS::at_least_once, mqtt::QoS::exactly_once}) {
      SCOPED_TRACE(testing::Message()
                   << "version " << static_cast<int>(version) << " qos " << static_cast<int>(qos));
      PublishTemplate publish("bench/42", qos, 100, 42, version);
      std::vector<std::uint8_t> bytes;
      publish.append(0x1234, 0x0102030405060708ull, 77, bytes);
      EXPECT_EQ(bytes.size(), publish.size());
      auto packet = decode_one(bytes, version, mqtt::Sender::client);
      const auto* p = std::get_if<mqtt::Publish>(&packet);
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(p->topic, "bench/42");
      EXPECT_EQ(p->qos, qos);
      EXPECT_EQ(p->packet_id, qos == mqtt::QoS::at_most_once ? 0 : 0x1234);
      ASSERT_EQ(p->payload.size(), 100u);
      auto header = read_payload_header(p->payload);
      ASSERT_TRUE(header);
      EXPECT_EQ(header->timestamp_ns, 0x0102030405060708ull);
      EXPECT_EQ(header->publisher, 42u);
      EXPECT_EQ(header->sequence, 77u);
    }
  }
}

TEST(TernBenchTemplates, PayloadHeaderNeedsSixteenBytes) {
  EXPECT_FALSE(read_payload_header(std::string(15, 'x')));
  EXPECT_TRUE(read_payload_header(std::string(16, 'x')));
}

TEST(TernBenchTemplates, Acknowledgements) {
  for (auto version : {mqtt::Version::v3_1_1, mqtt::Version::v5}) {
    AckTemplates acks(version);
    std::vector<std::uint8_t> bytes;
    acks.append(mqtt::PacketType::pubrel, 0xBEEF, bytes);
    auto packet = decode_one(bytes, version, mqtt::Sender::client);
    ASSERT_TRUE(std::holds_alternative<mqtt::Pubrel>(packet));
    EXPECT_EQ(std::get<mqtt::Pubrel>(packet).packet_id, 0xBEEF);
    bytes.clear();
    acks.append(mqtt::PacketType::puback, 7, bytes);
    packet = decode_one(bytes, version, mqtt::Sender::client);
    ASSERT_TRUE(std::holds_alternative<mqtt::Puback>(packet));
    EXPECT_EQ(std::get<mqtt::Puback>(packet).packet_id, 7);
  }
}

// ---- InflightWindow ----------------------------------------------------------------------------

TEST(TernBenchInflightWindow, HandsOutEachIdentifierOnceUntilReleased) {
  InflightWindow window(4);
  std::vector<std::uint16_t> ids(4);
  for (auto& id : ids)
    ASSERT_TRUE(window.acquire(id));
  std::uint16_t extra = 0;
  EXPECT_FALSE(window.acquire(extra));
  EXPECT_TRUE(window.full());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::uint16_t>{1, 2, 3, 4}));
  // Out-of-order releases, and one we never handed out twice.
  EXPECT_TRUE(window.release(3));
  EXPECT_FALSE(window.release(3));
  EXPECT_TRUE(window.release(1));
  EXPECT_EQ(window.in_flight(), 2u);
  std::uint16_t a = 0;
  std::uint16_t b = 0;
  ASSERT_TRUE(window.acquire(a));
  ASSERT_TRUE(window.acquire(b));
  EXPECT_EQ(a, 3);  // least recently released first
  EXPECT_EQ(b, 1);
  EXPECT_FALSE(window.acquire(extra));
}

TEST(TernBenchInflightWindow, LimitLowersTheWindow) {
  InflightWindow window(64);
  window.set_limit(2);
  std::uint16_t id = 0;
  EXPECT_TRUE(window.acquire(id));
  EXPECT_TRUE(window.acquire(id));
  EXPECT_FALSE(window.acquire(id));
  window.set_limit(1000);
  EXPECT_EQ(window.limit(), 64u);
}

TEST(TernBenchInflightWindow, Stages) {
  InflightWindow window(2);
  std::uint16_t id = 0;
  ASSERT_TRUE(window.acquire(id));
  EXPECT_EQ(window.stage(id), InflightWindow::Stage::published);
  window.set_stage(id, InflightWindow::Stage::released);
  EXPECT_EQ(window.stage(id), InflightWindow::Stage::released);
  EXPECT_TRUE(window.release(id));
  EXPECT_EQ(window.stage(id), InflightWindow::Stage::free);
  EXPECT_EQ(window.stage(999), InflightWindow::Stage::free);
}

}  // namespace
}  // namespace tern::bench
