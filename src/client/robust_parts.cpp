// RobustClient's parts that need no connection: the environment, the backoff and the offline
// queue (see robust.h).
#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <thread>
#include <utility>

#include "tern/client/robust.h"

namespace tern::client {

RobustEnvironment RobustEnvironment::system() {
  RobustEnvironment env;
  env.now = [] { return Clock::now(); };
  env.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  env.random = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  return env;
}

// ---- OfflineQueue. ----

Status OfflineQueue::push(mqtt::Publish message) {
  if (message.qos == mqtt::QoS::at_most_once && !options_.queue_qos0) {
    return Error{ErrorCode::not_connected, "not connected, and QoS 0 messages are not queued"};
  }
  const std::size_t need = cost(message);
  auto fits = [&](std::size_t count, std::size_t bytes) {
    return count + 1 <= options_.max_messages && bytes + need <= options_.max_bytes;
  };
  // How many of the oldest QoS 0 messages must go; the queue changes only if that is enough.
  std::size_t count = messages_.size();
  std::size_t bytes = bytes_;
  std::size_t drop = 0;
  for (auto it = messages_.begin(); !fits(count, bytes) && it != messages_.end(); ++it) {
    if (it->qos != mqtt::QoS::at_most_once) continue;
    --count;
    bytes -= cost(*it);
    ++drop;
  }
  if (!fits(count, bytes)) {
    return Error{ErrorCode::queue_full, "offline queue full (" + std::to_string(messages_.size()) +
                                            " messages, " + std::to_string(bytes_) + " bytes)"};
  }
  for (auto it = messages_.begin(); drop > 0;) {
    if (it->qos == mqtt::QoS::at_most_once) {
      bytes_ -= cost(*it);
      it = messages_.erase(it);
      --drop;
      ++dropped_;
    } else {
      ++it;
    }
  }
  bytes_ += need;
  messages_.push_back(std::move(message));
  return {};
}

std::optional<mqtt::Publish> OfflineQueue::pop() {
  if (messages_.empty()) return std::nullopt;
  mqtt::Publish message = std::move(messages_.front());
  messages_.pop_front();
  bytes_ -= cost(message);
  return message;
}

void OfflineQueue::push_front(mqtt::Publish message) {
  bytes_ += cost(message);
  messages_.push_front(std::move(message));
}

}  // namespace tern::client
