// SubscriptionTree: the broker's subscription store. Maps topic filters to the sessions that
// subscribed with them, and a published topic name to every matching subscription.
//
// Wildcard rules (MQTT 5.0 section 4.7; the same in 3.1.1; see src/mqtt/topic.h). Topics are
// split into levels by '/'. In a filter:
//   '+' matches exactly one level, which may be empty: "sport/+/player" matches
//       "sport/tennis/player" but not "sport/tennis/x/player"; "+/+" and "/+" match "/finance",
//       "+" does not; "sport/+" matches "sport/" but not "sport".
//   '#' matches the parent level and any number of levels below: "sport/#" matches "sport",
//       "sport/" and "sport/tennis/player"; "sport/tennis/player1/#" matches
//       "sport/tennis/player1" and "sport/tennis/player1/score/wimbledon"; "#" matches every
//       topic not starting with '$'.
//   A filter starting with '+' or '#' does not match a topic starting with '$' [MQTT-4.7.2-1]:
//       "#" and "+/monitor/Clients" do not match "$SYS/monitor/Clients"; "$SYS/#" and
//       "$SYS/monitor/+" do.
//   Matching is byte-wise and case-sensitive: "ACCOUNTS" does not match "Accounts"; "/finance"
//       and "finance" are different topics (the first has an empty first level).
// A shared subscription "$share/{group}/{filter}" is stored under {filter} in group {group}: a
// message goes to one member of each matching group (the broker picks which), not to all.
//
// Layout (after FlashMQ's subscriptionstore): a tree with one node per filter level. Each node
// keeps its '+' and '#' children in dedicated slots and its literal children in a small vector
// (up to 8) or a hash map (beyond), so a match follows at most three edges per level. Filters and
// topics starting with '$' live under a separate root, so leading wildcards cannot reach them.
// Subscribers of a node are kept sorted by session in a vector: a match reads them as one
// contiguous run, and (un)subscribe finds a session by binary search even when a million
// sessions share one filter. Nodes left empty by unsubscribe are freed at once.
//
// Costs: match does no allocation and visits O(levels x matching '+' and '#' branches) nodes;
// it recurses once per '+' level followed, so the broker bounds topic depth. subscribe and
// unsubscribe walk the filter's levels once, without recursion.
//
// Not thread-safe: the broker owns one tree and guards it (one writer, or a lock around every
// call). const members never modify the tree, so concurrent match calls without writers are safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>

#include "broker/message.h"
#include "mqtt/types.h"

namespace tern::broker {

// What a session asked for in one subscription (MQTT 5.0 section 3.8.3.1).
struct SubscriptionOptions {
  mqtt::QoS max_qos = mqtt::QoS::at_most_once;
  bool no_local = false;
  bool retain_as_published = false;
  std::uint32_t subscription_id = 0;  // 0 = none
  bool operator==(const SubscriptionOptions&) const = default;
};

struct Subscriber {
  SessionId session = 0;
  SubscriptionOptions options;
  bool operator==(const Subscriber&) const = default;
};

namespace detail {
struct SubscriptionNode;  // defined in topic_tree.cpp

// The callbacks of SubscriptionTree::match, type-erased so that the tree walk stays in the .cpp:
// one indirect call per reported subscriber or group.
struct MatchVisitor {
  void* on_subscriber;
  void* on_group;
  void (*call_subscriber)(void*, const Subscriber&);
  void (*call_group)(void*, std::string_view, std::span<const Subscriber>);
};
}  // namespace detail

class SubscriptionTree {
 public:
  SubscriptionTree();
  ~SubscriptionTree();
  SubscriptionTree(const SubscriptionTree&) = delete;
  SubscriptionTree& operator=(const SubscriptionTree&) = delete;

  // Adds `session`'s subscription to `filter`, a valid topic filter (mqtt::is_valid_topic_filter),
  // or replaces its options when it exists [MQTT-3.8.4-3]. "$share/{group}/{f}" is stored under
  // f in group {group}. Returns true when the subscription is new: Retain Handling 1 sends
  // retained messages only then [MQTT-3.3.1-10].
  bool subscribe(std::string_view filter, SessionId session, const SubscriptionOptions& options);

  // Removes `session`'s subscription to `filter` (spelt as subscribed, shared prefix included)
  // and frees the nodes it leaves empty. Returns false when there was no such subscription.
  bool unsubscribe(std::string_view filter, SessionId session);

  // Reports the subscriptions matching `topic`, a valid topic name (mqtt::is_valid_topic_name):
  //   on_subscriber(const Subscriber&) for every matching non-shared subscription;
  //   on_group(std::string_view group, std::span<const Subscriber> members) once per matching
  //     shared filter of a group; members are sorted by session and never empty.
  // A session subscribed through several matching filters is reported once per filter (the
  // broker merges them [MQTT-3.3.4-2]); a group with several matching filters is reported once
  // per filter. Order is unspecified. The callbacks must not modify the tree.
  template <class OnSubscriber, class OnGroup>
  void match(std::string_view topic, OnSubscriber&& on_subscriber, OnGroup&& on_group) const {
    using SubscriberFn = std::remove_reference_t<OnSubscriber>;
    using GroupFn = std::remove_reference_t<OnGroup>;
    detail::MatchVisitor visitor{
        const_cast<void*>(static_cast<const void*>(&on_subscriber)),
        const_cast<void*>(static_cast<const void*>(&on_group)),
        [](void* fn, const Subscriber& subscriber) {
          (*static_cast<SubscriberFn*>(fn))(subscriber);
        },
        [](void* fn, std::string_view group, std::span<const Subscriber> members) {
          (*static_cast<GroupFn*>(fn))(group, members);
        }};
    match_impl(topic, visitor);
  }

  // Number of subscriptions, shared ones included.
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Number of tree nodes besides the two roots: 0 once every subscription is removed.
  std::size_t node_count() const { return node_count_; }

 private:
  using Node = detail::SubscriptionNode;

  void match_impl(std::string_view topic, const detail::MatchVisitor& visitor) const;
  Node& root_for(std::string_view filter_or_topic) const;

  std::unique_ptr<Node> root_;         // filters not starting with '$'
  std::unique_ptr<Node> dollar_root_;  // filters starting with '$' [MQTT-4.7.2-1]
  std::size_t size_ = 0;
  std::size_t node_count_ = 0;
};

}  // namespace tern::broker
