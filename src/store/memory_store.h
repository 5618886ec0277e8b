// MemoryStore: the Store of store.h kept in process memory.
//
// It is the reference implementation of the store contract: it survives a broker core being torn
// down and rebuilt in the same process (which is how the recovery tests restart the core), not a
// process restart. Durable stores implement the same interface and pass the same tests.
//
// Records for a session that was never saved, or for a delivery that does not exist, are
// ignored: the broker core never sends them, and a store must not fail on them.
//
// Threading as store.h requires: each SessionStore is used by one thread; retained writes take a
// lock; load() runs alone.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "broker/store.h"

namespace tern::store {

class MemoryStore final : public broker::Store {
 public:
  MemoryStore();
  ~MemoryStore() override;

  std::unique_ptr<broker::SessionStore> open_sessions(unsigned worker) override;
  void retained_set(const broker::MessagePtr& message) override;
  void retained_cleared(std::string_view topic) override;
  Contents load() override;

  // What is stored now, for tests: sessions across every worker, and retained messages.
  std::size_t session_count() const;
  std::size_t delivery_count() const;
  std::size_t retained_count() const;

  // A session as the store holds it, with everything it owns.
  struct Record {
    std::chrono::seconds expiry_interval{0};
    std::map<std::string, broker::SubscriptionOptions, std::less<>> subscriptions;
    std::map<std::uint64_t, broker::StoredDelivery> deliveries;  // by seq
    std::vector<std::uint16_t> awaiting_pubrel;                  // small: the peer's window
  };
  using Shard = std::map<std::string, Record, std::less<>>;  // by client id

 private:
  class Writer;

  mutable std::mutex lock_;  // guards the retained map and the list of shards
  std::vector<std::shared_ptr<Shard>> shards_;
  std::map<std::string, broker::MessagePtr, std::less<>> retained_;
};

}  // namespace tern::store
