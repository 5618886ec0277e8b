// Test doubles for the broker core: a Link that records and decodes what the core sends, an
// Outbox that keeps posted deliveries, and builders for the packets tests send.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/worker_core.h"
#include "mqtt/codec.h"
#include "mqtt/framer.h"

namespace tern::broker {

using mqtt::QoS;

// A connection in memory: keeps every byte the core sends and decodes them as the client would.
class FakeLink : public Link {
 public:
  explicit FakeLink(mqtt::Version version = mqtt::Version::v3_1_1) : version_(version) {}

  void send(std::span<const std::uint8_t> bytes) override {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  }
  void send_shared(const MessagePtr& owner, std::string_view bytes) override {
    EXPECT_TRUE(owner != nullptr);
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  }
  void close() override { ++close_count_; }
  std::size_t backlog() const override { return 0; }
  std::string_view address() const override { return "test"; }

  bool closed() const { return close_count_ > 0; }
  int close_count() const { return close_count_; }
  std::size_t bytes_sent() const { return bytes_.size(); }

  // Every packet the core sent so far, decoded.
  const std::vector<mqtt::Packet>& packets() {
    std::span<const std::uint8_t> input(bytes_.data() + decoded_, bytes_.size() - decoded_);
    while (true) {
      auto frame = framer_.next(input);
      if (!frame) {
        ADD_FAILURE() << "framing error: " << mqtt::describe(frame.error());
        break;
      }
      if (!frame->has_value()) break;
      auto packet = mqtt::decode(**frame, version_, mqtt::Sender::server);
      if (!packet) {
        ADD_FAILURE() << "decode error: " << mqtt::describe(packet.error());
        break;
      }
      packets_.push_back(std::move(*packet));
    }
    decoded_ = bytes_.size();
    return packets_;
  }

  // The packets of type P sent so far.
  template <class P>
  std::vector<P> all() {
    std::vector<P> found;
    for (const mqtt::Packet& packet : packets()) {
      if (const auto* p = std::get_if<P>(&packet)) found.push_back(*p);
    }
    return found;
  }

 private:
  mqtt::Version version_;
  std::vector<std::uint8_t> bytes_;
  std::size_t decoded_ = 0;
  mqtt::Framer framer_;
  std::vector<mqtt::Packet> packets_;
  int close_count_ = 0;
};

class FakeOutbox : public Outbox {
 public:
  void post(unsigned worker, Delivery delivery) override {
    posts.emplace_back(worker, std::move(delivery));
  }
  std::vector<std::pair<unsigned, Delivery>> posts;
};

inline mqtt::Connect make_connect(std::string client_id, std::uint16_t keep_alive = 0,
                                  bool clean = true) {
  mqtt::Connect connect;
  connect.version = mqtt::Version::v3_1_1;
  connect.client_id = std::move(client_id);
  connect.keep_alive = keep_alive;
  connect.clean_start = clean;
  return connect;
}

inline mqtt::Publish make_publish(std::string topic, std::string payload,
                                  QoS qos = QoS::at_most_once, std::uint16_t packet_id = 0,
                                  bool retain = false) {
  mqtt::Publish publish;
  publish.topic = std::move(topic);
  publish.payload = std::move(payload);
  publish.qos = qos;
  publish.packet_id = packet_id;
  publish.retain = retain;
  return publish;
}

inline mqtt::Subscribe make_subscribe(std::uint16_t packet_id,
                                      std::vector<std::pair<std::string, QoS>> filters) {
  mqtt::Subscribe subscribe;
  subscribe.packet_id = packet_id;
  for (auto& [filter, qos] : filters) {
    mqtt::Subscription subscription;
    subscription.filter = filter;
    subscription.max_qos = qos;
    subscribe.subscriptions.push_back(subscription);
  }
  return subscribe;
}

// A client of the core under test: its fake link and its ClientState.
struct TestClient {
  std::unique_ptr<FakeLink> link = std::make_unique<FakeLink>();
  ClientState* state = nullptr;
};

inline mqtt::Will make_will(std::string topic, std::string payload) {
  mqtt::Will will;
  will.topic = std::move(topic);
  will.payload = std::move(payload);
  return will;
}

}  // namespace tern::broker
