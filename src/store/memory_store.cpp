#include "store/memory_store.h"

#include <algorithm>
#include <utility>

namespace tern::store {

using broker::StoredDelivery;
using broker::SubscriptionOptions;

// One worker's writer: changes its shard in place; commit has nothing to make durable.
class MemoryStore::Writer final : public broker::SessionStore {
 public:
  explicit Writer(std::shared_ptr<Shard> shard) : shard_(std::move(shard)) {}

  void session_saved(std::string_view client_id, std::chrono::seconds expiry_interval) override {
    auto it = shard_->find(client_id);
    if (it == shard_->end()) it = shard_->emplace(std::string(client_id), Record{}).first;
    it->second.expiry_interval = expiry_interval;
  }
  void session_ended(std::string_view client_id) override {
    if (auto it = shard_->find(client_id); it != shard_->end()) shard_->erase(it);
  }
  void subscription_added(std::string_view client_id, std::string_view filter,
                          const SubscriptionOptions& options) override {
    if (Record* record = find(client_id)) {
      record->subscriptions.insert_or_assign(std::string(filter), options);
    }
  }
  void subscription_removed(std::string_view client_id, std::string_view filter) override {
    Record* record = find(client_id);
    if (!record) return;
    if (auto it = record->subscriptions.find(filter); it != record->subscriptions.end()) {
      record->subscriptions.erase(it);
    }
  }
  void delivery_added(std::string_view client_id, const StoredDelivery& delivery) override {
    if (Record* record = find(client_id))
      record->deliveries.insert_or_assign(delivery.seq, delivery);
  }
  void delivery_sent(std::string_view client_id, std::uint64_t seq,
                     std::uint16_t packet_id) override {
    if (StoredDelivery* delivery = find(client_id, seq)) delivery->packet_id = packet_id;
  }
  void delivery_released(std::string_view client_id, std::uint64_t seq) override {
    if (StoredDelivery* delivery = find(client_id, seq)) {
      delivery->released = true;
      delivery->out.message.reset();  // only the PUBREL is ever sent again
    }
  }
  void delivery_removed(std::string_view client_id, std::uint64_t seq) override {
    if (Record* record = find(client_id)) record->deliveries.erase(seq);
  }
  void pubrel_awaited(std::string_view client_id, std::uint16_t packet_id) override {
    Record* record = find(client_id);
    if (!record) return;
    auto& ids = record->awaiting_pubrel;
    auto at = std::lower_bound(ids.begin(), ids.end(), packet_id);
    if (at == ids.end() || *at != packet_id) ids.insert(at, packet_id);
  }
  void pubrel_received(std::string_view client_id, std::uint16_t packet_id) override {
    if (Record* record = find(client_id)) std::erase(record->awaiting_pubrel, packet_id);
  }
  void commit() override {}

 private:
  Record* find(std::string_view client_id) {
    auto it = shard_->find(client_id);
    return it == shard_->end() ? nullptr : &it->second;
  }
  StoredDelivery* find(std::string_view client_id, std::uint64_t seq) {
    Record* record = find(client_id);
    if (!record) return nullptr;
    auto it = record->deliveries.find(seq);
    return it == record->deliveries.end() ? nullptr : &it->second;
  }

  std::shared_ptr<Shard> shard_;
};

MemoryStore::MemoryStore() = default;
MemoryStore::~MemoryStore() = default;

std::unique_ptr<broker::SessionStore> MemoryStore::open_sessions(unsigned /*worker*/) {
  auto shard = std::make_shared<Shard>();
  std::lock_guard lock(lock_);
  shards_.push_back(shard);
  return std::make_unique<Writer>(std::move(shard));
}

void MemoryStore::retained_set(const broker::MessagePtr& message) {
  std::lock_guard lock(lock_);
  retained_.insert_or_assign(message->topic, message);
}

void MemoryStore::retained_cleared(std::string_view topic) {
  std::lock_guard lock(lock_);
  if (auto it = retained_.find(topic); it != retained_.end()) retained_.erase(it);
}

MemoryStore::Contents MemoryStore::load() {
  std::lock_guard lock(lock_);
  Contents contents;
  for (auto& shard : shards_) {
    for (auto& [client_id, record] : *shard) {
      broker::StoredSession session;
      session.client_id = client_id;
      session.expiry_interval = record.expiry_interval;
      for (auto& [filter, options] : record.subscriptions)
        session.subscriptions.push_back({filter, options});
      for (auto& [seq, delivery] : record.deliveries)
        session.deliveries.push_back(std::move(delivery));
      session.awaiting_pubrel = std::move(record.awaiting_pubrel);
      contents.sessions.push_back(std::move(session));
    }
    shard->clear();
  }
  // Writers still open keep their (now empty) shards; the broker opens new ones after a load.
  shards_.clear();
  for (auto& [topic, message] : retained_)
    contents.retained.push_back(std::move(message));
  retained_.clear();
  return contents;
}

std::size_t MemoryStore::session_count() const {
  std::lock_guard lock(lock_);
  std::size_t count = 0;
  for (const auto& shard : shards_)
    count += shard->size();
  return count;
}

std::size_t MemoryStore::delivery_count() const {
  std::lock_guard lock(lock_);
  std::size_t count = 0;
  for (const auto& shard : shards_) {
    for (const auto& [client_id, record] : *shard)
      count += record.deliveries.size();
  }
  return count;
}

std::size_t MemoryStore::retained_count() const {
  std::lock_guard lock(lock_);
  return retained_.size();
}

}  // namespace tern::store
