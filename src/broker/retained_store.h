// RetainedStore: the last retained message of each topic (MQTT 5.0 section 3.3.1.3), and the
// ones a new subscription's filter matches.
//
// Messages are kept in a tree with one node per topic level, so a filter is matched by walking
// it: a literal level follows one child, '+' every child, '#' the whole subtree. The wildcard
// rules are those of src/mqtt/topic.h and src/broker/topic_tree.h: "sport/#" matches "sport",
// "sport/" and "sport/tennis"; "sport/+" matches "sport/" but not "sport"; "+/+" and "/+" match
// "/finance". Topics starting with '$' live under a separate root, so filters starting with '+'
// or '#' never match them [MQTT-4.7.2-1]: "#" does not return "$SYS/uptime", "$SYS/#" does.
// Nodes left empty by erase are freed at once.
//
// Messages are shared (MessagePtr) and immutable; the store holds one reference to each.
// Expiry (Message Expiry Interval) is the caller's business: it checks at delivery time.
//
// Not thread-safe: the broker owns one store and guards it. const members never modify the
// store, so concurrent find and match calls without writers are safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <type_traits>

#include "broker/message.h"

namespace tern::broker {

namespace detail {
struct RetainedNode;  // defined in retained_store.cpp

// The callback of RetainedStore::match, type-erased so that the tree walk stays in the .cpp.
struct RetainedVisitor {
  void* fn;
  void (*call)(void*, const MessagePtr&);
};
}  // namespace detail

class RetainedStore {
 public:
  RetainedStore();
  ~RetainedStore();
  RetainedStore(const RetainedStore&) = delete;
  RetainedStore& operator=(const RetainedStore&) = delete;

  // Stores `message` (non-null, with a valid topic name) as the retained message of its topic,
  // replacing the one before [MQTT-3.3.1-5]. An empty payload deletes the retained message
  // instead and is not stored: MQTT 5.0 [MQTT-3.3.1-6], [MQTT-3.3.1-7]; MQTT 3.1.1
  // [MQTT-3.3.1-10], [MQTT-3.3.1-11]. Whether a PUBLISH is retained at all (its RETAIN flag,
  // [MQTT-3.3.1-8]) is for the caller to decide.
  void set(MessagePtr message);

  // Deletes the retained message of `topic`. Returns false when there was none.
  bool erase(std::string_view topic);

  // The retained message of exactly `topic`, or null.
  MessagePtr find(std::string_view topic) const;

  // Calls visit(const MessagePtr&) for every retained message whose topic matches `filter`, a
  // valid non-shared topic filter (the caller strips "$share/{group}/"). Order is unspecified.
  // visit must not modify the store. A filter without wildcards allocates nothing.
  template <class F>
  void match(std::string_view filter, F&& visit) const {
    using Fn = std::remove_reference_t<F>;
    detail::RetainedVisitor visitor{
        const_cast<void*>(static_cast<const void*>(&visit)),
        [](void* fn, const MessagePtr& message) { (*static_cast<Fn*>(fn))(message); }};
    match_impl(filter, visitor);
  }

  // Number of retained messages.
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Number of tree nodes besides the two roots: 0 once every message is erased.
  std::size_t node_count() const { return node_count_; }

 private:
  using Node = detail::RetainedNode;

  void match_impl(std::string_view filter, const detail::RetainedVisitor& visitor) const;
  Node& root_for(std::string_view filter_or_topic) const;

  std::unique_ptr<Node> root_;         // topics not starting with '$'
  std::unique_ptr<Node> dollar_root_;  // topics starting with '$' [MQTT-4.7.2-1]
  std::size_t size_ = 0;
  std::size_t node_count_ = 0;
};

}  // namespace tern::broker
