// libFuzzer target: the broker core's packet handling (WorkerCore) driven by hostile clients.
//
// Three clients of one worker, each connected first with a valid CONNECT (3.1.1 or 5.0, clean or
// persistent, chosen by the input), then fed fuzzer bytes through the framer and the decoder, as
// the server layer does, mixed with closes and reconnects, clock ticks and protocol errors. The
// limits (in-flight window, topic aliases, retain, QoS, message size, shared strategy) come from
// the input too. Any crash, sanitizer report or leak fails; the core must also keep its own
// invariants, checked after every step.
//
// Input: byte 0 = limits, byte 1 = client flags, then steps of one op byte (client = op % 3,
// kind = op / 3 % 4) and their arguments.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "broker/broker_state.h"
#include "broker/worker_core.h"
#include "mqtt/codec.h"
#include "mqtt/framer.h"

namespace {

using namespace tern;
using namespace std::chrono_literals;

class SinkLink final : public broker::Link {
 public:
  void send(std::span<const std::uint8_t> bytes) override { sent_ += bytes.size(); }
  void send_shared(const broker::MessagePtr& owner, std::string_view bytes) override {
    if (!owner) __builtin_trap();  // a shared payload must have an owner
    sent_ += bytes.size();
  }
  void close() override {
    if (closed_) __builtin_trap();  // Link::close() is called once per connection
    closed_ = true;
  }
  std::size_t backlog() const override { return 0; }
  std::string_view address() const override { return "fuzz"; }
  bool closed() const { return closed_; }

 private:
  std::size_t sent_ = 0;
  bool closed_ = false;
};

class NoOutbox final : public broker::Outbox {
 public:
  void post(unsigned, broker::Delivery) override {
    __builtin_trap();  // one worker: every session is local
  }
};

struct Client {
  std::unique_ptr<SinkLink> link;
  broker::ClientState* state = nullptr;
  mqtt::Framer framer{64 * 1024};
  mqtt::Version version = mqtt::Version::v3_1_1;
};

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return at_ >= size_; }
  std::uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
  std::span<const std::uint8_t> take(std::size_t n) {
    n = std::min(n, size_ - at_);
    std::span<const std::uint8_t> out(data_ + at_, n);
    at_ += n;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

class Harness {
 public:
  Harness(std::uint8_t limits, std::uint8_t flags) : state_(1), core_(state_, 0, outbox_) {
    broker::BrokerLimits& l = state_.limits;
    l.connection_messages = false;
    l.max_inflight_messages = (limits & 3) == 0 ? 20 : (limits & 3) == 1 ? 2 : 0;
    l.max_topic_alias = (limits & 4) ? 0 : 3;
    l.max_topic_alias_broker = 2;
    l.shared_strategy =
        (limits & 8) ? broker::SharedStrategy::random : broker::SharedStrategy::round_robin;
    l.retain_available = (limits & 16) == 0;
    l.max_qos = (limits & 32) ? mqtt::QoS::at_least_once : mqtt::QoS::exactly_once;
    l.message_size_limit = (limits & 64) ? 64 : 0;
    l.queue_qos0_messages = (limits & 128) != 0;
    l.max_queued_messages = 8;
    l.max_keepalive = 30;
    flags_ = flags;
    for (unsigned i = 0; i < clients_.size(); ++i)
      open(i);
  }

  ~Harness() {
    for (Client& client : clients_)
      close(client);
  }

  void step(Input& in) {
    std::uint8_t op = in.byte();
    unsigned index = op % 3;
    Client& client = clients_[index];
    switch (op / 3 % 4) {
      case 0:
        feed(client, in.take(in.byte()));
        break;
      case 1:
        close(client);
        open(index);
        break;
      case 2:
        now_ += std::chrono::milliseconds(in.byte() * 250);
        core_.on_tick(now_);
        break;
      case 3:
        if (client.state && !client.link->closed()) {
          core_.on_protocol_error(client.state, static_cast<mqtt::Errc>(in.byte() % 43));
        }
        break;
    }
    check();
  }

 private:
  void open(unsigned index) {
    Client& client = clients_[index];
    client.link = std::make_unique<SinkLink>();
    client.framer = mqtt::Framer(64 * 1024);
    client.state = core_.on_open(client.link.get(), now_);
    bool v5 = (flags_ >> index) & 1;
    bool persistent = (flags_ >> (index + 3)) & 1;
    client.version = v5 ? mqtt::Version::v5 : mqtt::Version::v3_1_1;
    mqtt::Connect connect;
    connect.version = client.version;
    connect.client_id = "c" + std::to_string(index);
    connect.clean_start = !persistent;
    connect.keep_alive = (flags_ & 64) ? 5 : 0;
    if (v5) {
      if (persistent) connect.properties.session_expiry_interval = 60;
      connect.properties.receive_maximum = 3;
      connect.properties.topic_alias_maximum = 2;
      if (flags_ & 128) connect.properties.maximum_packet_size = 200;
    }
    if (index == 2) {
      mqtt::Will will;
      will.topic = "will/c2";
      will.payload = "gone";
      will.qos = mqtt::QoS::at_least_once;
      if (v5) will.properties.will_delay_interval = 2;
      connect.will = std::move(will);
    }
    mqtt::Packet packet = connect;
    core_.on_packet(client.state, packet, now_);
  }

  void close(Client& client) {
    if (!client.state) return;
    core_.on_closed(client.state);
    client.state = nullptr;
  }

  // As the server layer does (server/connection.cpp): frames, decode, hand to the core.
  void feed(Client& client, std::span<const std::uint8_t> bytes) {
    if (!client.state || client.link->closed()) return;
    while (!bytes.empty() && !client.link->closed()) {
      auto frame = client.framer.next(bytes);
      if (!frame) {
        core_.on_protocol_error(client.state, frame.error());
        return;
      }
      if (!frame->has_value()) return;
      auto packet = mqtt::decode(**frame, client.state->version, mqtt::Sender::client);
      if (!packet) {
        core_.on_protocol_error(client.state, packet.error());
        return;
      }
      auto outcome = core_.on_packet(client.state, *packet, now_);
      if (outcome.hand_over_to) __builtin_trap();  // one worker owns every client id
    }
  }

  // Invariants the core keeps whatever its clients send.
  void check() {
    const broker::BrokerLimits& limits = state_.limits;
    core_.sessions().for_each([&](const broker::Session& session) {
      if (limits.max_inflight_messages > 0 &&
          session.inflight.size() > limits.max_inflight_messages) {
        __builtin_trap();
      }
      if (limits.max_queued_messages > 0 && session.queue.size() > limits.max_queued_messages) {
        __builtin_trap();
      }
      if (session.client && session.client->session != &session) __builtin_trap();
    });
    if (core_.session_count() > clients_.size()) __builtin_trap();
  }

  broker::BrokerState state_;
  NoOutbox outbox_;
  broker::WorkerCore core_;
  std::array<Client, 3> clients_;
  broker::Clock::time_point now_ = broker::Clock::time_point{} + 1000h;
  std::uint8_t flags_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  Input in(data, size);
  std::uint8_t limits = in.byte();
  std::uint8_t flags = in.byte();
  Harness harness(limits, flags);
  for (int steps = 0; !in.empty() && steps < 256; ++steps)
    harness.step(in);
  return 0;
}
