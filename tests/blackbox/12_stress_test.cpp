// 12: many clients at once. A thousand clients each subscribe to their own topic and publish QoS
// 1 messages to their neighbour's; every message must arrive exactly once, in order, as sent
// (MQTT 3.1.1 section 4.6: per-topic order), and the broker's memory must come back near where it
// started once they leave. Bounded in count (kClients x kMessages) and time (kDeadline).
#include <poll.h>
#include <sys/socket.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

// Clang spells "built with AddressSanitizer" through __has_feature, GCC with a macro.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TERN_TEST_UNDER_ASAN 1
#endif
#endif

namespace tern::blackbox {
namespace {

constexpr int kClients = 1000;
constexpr int kMessages = 20;
constexpr auto kDeadline = 60s;

// Resident set size of a process in KiB, from /proc.
long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return -1;
}

std::string topic_of(int client) {
  return "stress/" + std::to_string(client);
}
std::string payload_of(int from, int seq) {
  return "from " + std::to_string(from) + " #" + std::to_string(seq);
}

TEST(Stress, ThousandClientsQos1EveryMessageOnceInOrderAndMemoryReturns) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.running());
  {
    // Warm-up so that the baseline includes the broker's steady-state allocations.
    RawClient warm(broker);
    warm.send(make_connect("warm-up"));
    warm.expect<mqtt::Connack>();
  }
  std::this_thread::sleep_for(200ms);
  long rss_before = rss_kib(broker.pid());

  std::vector<std::unique_ptr<RawClient>> clients;
  clients.reserve(kClients);
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(broker));
    ASSERT_TRUE(clients.back()->send(make_connect("stress-" + std::to_string(i))));
  }
  for (auto& client : clients)
    ASSERT_EQ(client->expect<mqtt::Connack>().reason_code, mqtt::ReasonCode::success);
  for (int i = 0; i < kClients; ++i) {
    mqtt::Subscribe subscribe;
    subscribe.packet_id = 1;
    subscribe.subscriptions.push_back({topic_of(i), QoS::at_least_once});
    ASSERT_TRUE(clients[i]->send(subscribe));
  }
  for (auto& client : clients)
    client->expect<mqtt::Suback>();

  // Everyone publishes to the next client's topic.
  for (int seq = 0; seq < kMessages; ++seq) {
    for (int i = 0; i < kClients; ++i) {
      int to = (i + 1) % kClients;
      ASSERT_TRUE(
          clients[i]->send(make_publish(topic_of(to), payload_of(i, seq), QoS::at_least_once,
                                        static_cast<std::uint16_t>(seq + 1))));
    }
  }

  // Each client must see kMessages PUBACKs and kMessages PUBLISHes from its predecessor, in order.
  std::vector<int> received(kClients, 0), acked(kClients, 0);
  int done = 0;
  auto deadline = std::chrono::steady_clock::now() + kDeadline;
  std::vector<pollfd> fds(kClients);
  while (done < kClients && std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < kClients; ++i)
      fds[i] = {clients[i]->fd(), POLLIN, 0};
    if (poll(fds.data(), fds.size(), 1000) <= 0) continue;
    for (int i = 0; i < kClients; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      // Everything that is already here, without blocking.
      while (auto packet = clients[i]->receive(0ms)) {
        bool was_done = received[i] == kMessages && acked[i] == kMessages;
        if (auto* publish = std::get_if<mqtt::Publish>(&*packet)) {
          int from = (i + kClients - 1) % kClients;
          ASSERT_EQ(publish->topic, topic_of(i));
          ASSERT_EQ(publish->payload, payload_of(from, received[i])) << "client " << i;
          ASSERT_FALSE(publish->dup);
          ++received[i];
          clients[i]->send(make_ack<mqtt::Puback>(publish->packet_id));
        } else if (std::holds_alternative<mqtt::Puback>(*packet)) {
          ++acked[i];
        } else {
          FAIL() << "unexpected " << describe(*packet);
        }
        ASSERT_LE(received[i], kMessages);
        ASSERT_LE(acked[i], kMessages);
        if (!was_done && received[i] == kMessages && acked[i] == kMessages) ++done;
      }
    }
  }
  long rss_peak = rss_kib(broker.pid());
  ASSERT_EQ(done, kClients) << "clients that got all their messages and acks, within "
                            << kDeadline.count() << " s";

  for (auto& client : clients)
    client->send(mqtt::Disconnect{});
  clients.clear();
  ASSERT_TRUE(broker.wait_for_log("Client stress-999 disconnected."));
#if defined(__SANITIZE_ADDRESS__) || defined(TERN_TEST_UNDER_ASAN)
  // AddressSanitizer's allocator keeps freed memory in quarantine, so RSS cannot come back under
  // it; the memory half of this test runs in the ordinary builds.
  std::printf("broker RSS with %d clients: %ld KiB; return not checked under ASan\n", kClients,
              rss_peak);
  return;
#endif
  // "Near its start": within 4 MiB of the baseline, against tens of MiB with the clients on.
  // The workers hand freed memory back to the system every few seconds, so poll for it.
  long rss_after = rss_kib(broker.pid());
  auto memory_deadline = std::chrono::steady_clock::now() + 15s;
  while (rss_after - rss_before >= 4 * 1024 && std::chrono::steady_clock::now() < memory_deadline) {
    std::this_thread::sleep_for(250ms);
    rss_after = rss_kib(broker.pid());
  }
  // Reported, not asserted: what the broker held while the crowd was connected.
  std::printf("broker RSS: %ld KiB before, %ld KiB with %d clients, %ld KiB after\n", rss_before,
              rss_peak, kClients, rss_after);
  EXPECT_LT(rss_after - rss_before, 4 * 1024) << "RSS before " << rss_before << " KiB, peak "
                                              << rss_peak << " KiB, after " << rss_after << " KiB";
}

}  // namespace
}  // namespace tern::blackbox
