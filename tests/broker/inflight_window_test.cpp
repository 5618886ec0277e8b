// InflightWindow: messages in flight found by packet identifier, in send order, whatever the
// order of acknowledgements (MQTT 3.1.1 section 4.3: a sender may have many in flight and the
// receiver acknowledges each; MQTT 5.0 section 4.9: up to Receive Maximum of them).
#include "broker/inflight_window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace tern::broker {
namespace {

Inflight entry(std::uint16_t packet_id, std::uint64_t seq) {
  Inflight f;
  f.packet_id = packet_id;
  f.out.qos = mqtt::QoS::at_least_once;
  f.out.seq = seq;
  return f;
}

std::vector<std::uint16_t> ids_in_order(const InflightWindow& window) {
  std::vector<std::uint16_t> ids;
  window.for_each([&](const Inflight& f) { ids.push_back(f.packet_id); });
  return ids;
}

TEST(InflightWindow, FindsAndErasesInSendOrder) {
  InflightWindow window;
  EXPECT_TRUE(window.empty());
  for (std::uint16_t id = 1; id <= 5; ++id)
    window.push_back(entry(id, id));
  EXPECT_EQ(window.size(), 5u);
  ASSERT_NE(window.find(3), nullptr);
  EXPECT_EQ(window.find(3)->out.seq, 3u);
  EXPECT_EQ(window.find(6), nullptr);
  EXPECT_TRUE(window.erase(1));
  EXPECT_FALSE(window.erase(1));  // a duplicate acknowledgement finds nothing
  EXPECT_EQ(window.size(), 4u);
  EXPECT_EQ(ids_in_order(window), (std::vector<std::uint16_t>{2, 3, 4, 5}));
}

TEST(InflightWindow, OutOfOrderAcknowledgementsLeaveTheRestFindable) {
  InflightWindow window;
  for (std::uint16_t id = 1; id <= 10; ++id)
    window.push_back(entry(id, id));
  for (std::uint16_t id : {4, 2, 9, 7})
    EXPECT_TRUE(window.erase(id));
  EXPECT_EQ(ids_in_order(window), (std::vector<std::uint16_t>{1, 3, 5, 6, 8, 10}));
  for (std::uint16_t id : {4, 2, 9, 7})
    EXPECT_EQ(window.find(id), nullptr);
  for (std::uint16_t id : {1, 3, 5, 6, 8, 10}) {
    ASSERT_NE(window.find(id), nullptr) << id;
    EXPECT_EQ(window.find(id)->out.seq, id);
  }
}

TEST(InflightWindow, IdentifiersWrapPastZero) {
  // Packet identifiers are non-zero 16-bit numbers (MQTT 3.1.1 section 2.3.1): after 65,535
  // comes 1.
  InflightWindow window;
  std::uint64_t seq = 0;
  for (std::uint16_t id : {65'533, 65'534, 65'535, 1, 2})
    window.push_back(entry(id, ++seq));
  EXPECT_EQ(window.find(1)->out.seq, 4u);
  EXPECT_EQ(window.find(65'535)->out.seq, 3u);
  EXPECT_EQ(window.find(0), nullptr);
  EXPECT_TRUE(window.erase(65'533));
  EXPECT_EQ(window.find(2)->out.seq, 5u);
}

TEST(InflightWindow, WindowsBuiltOutOfOrderStillFindEveryEntry) {
  // A window restored from a store need not have consecutive identifiers.
  InflightWindow window;
  for (std::uint16_t id : {40, 7, 1000, 8})
    window.push_back(entry(id, id));
  for (std::uint16_t id : {40, 7, 1000, 8})
    ASSERT_NE(window.find(id), nullptr) << id;
  EXPECT_EQ(window.find(41), nullptr);
  EXPECT_TRUE(window.erase(7));
  EXPECT_EQ(ids_in_order(window), (std::vector<std::uint16_t>{40, 1000, 8}));
}

TEST(InflightWindow, VisitRemovesWhatItRejects) {
  InflightWindow window;
  for (std::uint16_t id = 1; id <= 200; ++id)
    window.push_back(entry(id, id));
  window.visit([](Inflight& f) { return f.packet_id % 3 == 0; });
  EXPECT_EQ(window.size(), 66u);
  EXPECT_EQ(window.find(3)->out.seq, 3u);
  EXPECT_EQ(window.find(199), nullptr);
  EXPECT_EQ(window.find(198)->out.seq, 198u);
  window.visit([](Inflight&) { return false; });
  EXPECT_TRUE(window.empty());
  EXPECT_EQ(window.find(198), nullptr);
}

TEST(InflightWindow, AStuckOldestMessageDoesNotLoseLaterOnes) {
  // The oldest message is never acknowledged while tens of thousands of later ones are: holes
  // are squeezed out and every live entry stays findable.
  InflightWindow window;
  std::uint16_t next = 1;
  window.push_back(entry(next++, 0));
  for (std::uint64_t seq = 1; seq <= 200'000; ++seq) {
    std::uint16_t id = next;
    next = static_cast<std::uint16_t>(next + 1 == 65'536 ? 2 : next + 1);  // 1 stays in use
    window.push_back(entry(id, seq));
    ASSERT_TRUE(window.erase(id)) << seq;
    ASSERT_EQ(window.size(), 1u);
  }
  ASSERT_NE(window.find(1), nullptr);
  EXPECT_EQ(window.find(1)->out.seq, 0u);
}

TEST(InflightWindow, MatchesAReferenceModelUnderRandomTraffic) {
  // Against a plain vector scanned each time (what the broker used before): same contents, same
  // order, after random sends and acknowledgements in any order, window up to 65,535.
  std::mt19937 random(7);
  InflightWindow window;
  std::vector<Inflight> model;
  std::uint16_t last_id = 0;
  std::uint64_t seq = 0;
  for (int step = 0; step < 300'000; ++step) {
    bool send = model.size() < 65'535 && (model.empty() || random() % 2 == 0);
    if (send) {
      do {
        last_id = static_cast<std::uint16_t>(last_id + 1);
      } while (last_id == 0 || std::any_of(model.begin(), model.end(), [&](const Inflight& f) {
                 return f.packet_id == last_id;
               }));
      window.push_back(entry(last_id, ++seq));
      model.push_back(entry(last_id, seq));
    } else {
      // Mostly the oldest (in-order acknowledgements), sometimes any.
      std::size_t at = random() % 4 == 0 ? random() % model.size() : 0;
      ASSERT_TRUE(window.erase(model[at].packet_id));
      model.erase(model.begin() + static_cast<std::ptrdiff_t>(at));
    }
    ASSERT_EQ(window.size(), model.size());
    if (step % 10'000 == 0) {
      std::vector<std::uint16_t> expected;
      for (const Inflight& f : model)
        expected.push_back(f.packet_id);
      ASSERT_EQ(ids_in_order(window), expected);
      for (const Inflight& f : model)
        ASSERT_EQ(window.find(f.packet_id)->out.seq, f.out.seq);
    }
  }
}

}  // namespace
}  // namespace tern::broker
