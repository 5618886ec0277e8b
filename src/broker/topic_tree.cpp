#include "broker/topic_tree.h"

#include <algorithm>
#include <cassert>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/level_hash.h"
#include "mqtt/topic.h"

namespace tern::broker {

namespace detail {

struct SharedGroup {
  std::string name;
  std::vector<Subscriber> members;  // sorted by session, never empty
};

// The literal children of a node. Most nodes have one or a few ("device/17" has "status"), so
// those sit in a small vector scanned in place: one allocation, no buckets. Past kMaxSmall
// children ("device" with a million) they move to a hash map, and back when it shrinks.
template <class Node>
class LiteralChildren {
 public:
  std::size_t size() const { return large_ ? large_->size() : small_.size(); }

  Node* find(std::string_view level) const {
    if (large_) {
      auto it = large_->find(level);
      return it == large_->end() ? nullptr : it->second.get();
    }
    for (const auto& [name, child] : small_) {
      if (name == level) return child.get();
    }
    return nullptr;
  }

  // The slot of `level`, empty when new.
  std::unique_ptr<Node>& slot(std::string_view level) {
    if (!large_ && small_.size() == kMaxSmall) {
      large_ = std::make_unique<Large>();
      for (auto& [name, child] : small_)
        large_->emplace(std::move(name), std::move(child));
      Small().swap(small_);
    }
    if (large_) {
      auto it = large_->find(level);
      if (it == large_->end()) it = large_->emplace(level, nullptr).first;
      return it->second;
    }
    for (auto& [name, child] : small_) {
      if (name == level) return child;
    }
    return small_.emplace_back(level, nullptr).second;
  }

  // Removes `level`, which must exist, and returns its subtree.
  std::unique_ptr<Node> take(std::string_view level) {
    std::unique_ptr<Node> child;
    if (large_) {
      auto it = large_->find(level);
      assert(it != large_->end());
      child = std::move(it->second);
      large_->erase(it);
      if (large_->size() <= kMaxSmall / 2) {
        for (auto& [name, node] : *large_)
          small_.emplace_back(name, std::move(node));
        large_.reset();
      }
      return child;
    }
    auto it = std::find_if(small_.begin(), small_.end(),
                           [&](const auto& entry) { return entry.first == level; });
    assert(it != small_.end());
    child = std::move(it->second);
    small_.erase(it);
    if (small_.empty()) Small().swap(small_);
    return child;
  }

  // Moves every child out (to free a subtree without recursion).
  template <class F>
  void drain(F&& take_child) {
    for (auto& entry : small_)
      take_child(std::move(entry.second));
    if (large_) {
      for (auto& entry : *large_)
        take_child(std::move(entry.second));
    }
  }

 private:
  static constexpr std::size_t kMaxSmall = 8;
  using Small = std::vector<std::pair<std::string, std::unique_ptr<Node>>>;
  using Large = std::unordered_map<std::string, std::unique_ptr<Node>, LevelHash, std::equal_to<>>;
  Small small_;
  std::unique_ptr<Large> large_;
};

struct SubscriptionNode {
  // Groups, which most nodes lack, are allocated only when needed: a node is 80 bytes.
  LiteralChildren<SubscriptionNode> children;
  std::unique_ptr<SubscriptionNode> plus;
  std::unique_ptr<SubscriptionNode> hash;
  std::vector<Subscriber> subscribers;               // sorted by session
  std::unique_ptr<std::vector<SharedGroup>> groups;  // never empty when allocated

  std::size_t child_count() const { return children.size() + (plus ? 1 : 0) + (hash ? 1 : 0); }
  bool empty() const { return subscribers.empty() && !groups && child_count() == 0; }
};

}  // namespace detail

namespace {

using Node = detail::SubscriptionNode;
using detail::SharedGroup;

constexpr std::size_t kEnd = std::string_view::npos;

// Returns the level of `text` that starts at `pos` and moves `pos` to the next level, or to kEnd
// after the last one. "a//b" has the levels "a", "" and "b"; "/" has "" and "".
std::string_view next_level(std::string_view text, std::size_t& pos) {
  std::size_t slash = text.find('/', pos);
  std::string_view level = text.substr(pos, slash == kEnd ? kEnd : slash - pos);
  pos = slash == kEnd ? kEnd : slash + 1;
  return level;
}

Node* find_child(Node& node, std::string_view level) {
  if (level == "+") return node.plus.get();
  if (level == "#") return node.hash.get();
  return node.children.find(level);
}

Node& child_or_create(Node& node, std::string_view level, std::size_t& node_count) {
  std::unique_ptr<Node>* slot;
  if (level == "+") {
    slot = &node.plus;
  } else if (level == "#") {
    slot = &node.hash;
  } else {
    slot = &node.children.slot(level);
  }
  if (!*slot) {
    *slot = std::make_unique<Node>();
    ++node_count;
  }
  return **slot;
}

std::unique_ptr<Node> detach_child(Node& node, std::string_view level) {
  if (level == "+") return std::move(node.plus);
  if (level == "#") return std::move(node.hash);
  return node.children.take(level);
}

// Frees a subtree without recursion: filters may be thousands of levels deep, and unique_ptr's
// own destruction would recurse once per level.
void destroy(std::unique_ptr<Node> subtree) {
  std::vector<std::unique_ptr<Node>> pending;
  pending.push_back(std::move(subtree));
  while (!pending.empty()) {
    std::unique_ptr<Node> node = std::move(pending.back());
    pending.pop_back();
    if (!node) continue;
    if (node->plus) pending.push_back(std::move(node->plus));
    if (node->hash) pending.push_back(std::move(node->hash));
    node->children.drain([&](std::unique_ptr<Node> child) { pending.push_back(std::move(child)); });
  }
}

auto find_session(std::vector<Subscriber>& list, SessionId session) {
  return std::lower_bound(list.begin(), list.end(), session,
                          [](const Subscriber& s, SessionId id) { return s.session < id; });
}

// Inserts or replaces; returns true when inserted.
bool upsert(std::vector<Subscriber>& list, SessionId session, const SubscriptionOptions& options) {
  auto it = find_session(list, session);
  if (it != list.end() && it->session == session) {
    it->options = options;  // [MQTT-3.8.4-3]: an identical filter replaces the subscription
    return false;
  }
  list.insert(it, Subscriber{session, options});
  return true;
}

bool remove(std::vector<Subscriber>& list, SessionId session) {
  auto it = find_session(list, session);
  if (it == list.end() || it->session != session) return false;
  list.erase(it);
  // Give memory back when a crowded filter empties out.
  if (list.capacity() > 16 && list.size() < list.capacity() / 4) list.shrink_to_fit();
  return true;
}

SharedGroup* find_group(Node& node, std::string_view name) {
  if (!node.groups) return nullptr;
  for (SharedGroup& group : *node.groups) {
    if (group.name == name) return &group;
  }
  return nullptr;
}

// The filter to store and its group ("" when not shared).
std::pair<std::string_view, std::string_view> split_shared(std::string_view filter) {
  if (auto shared = mqtt::parse_shared_filter(filter)) {
    return {shared->filter, shared->share_name};
  }
  assert(!mqtt::is_shared_filter(filter) && "invalid shared subscription");
  return {filter, {}};
}

void report(const Node& node, const detail::MatchVisitor& visitor) {
  for (const Subscriber& subscriber : node.subscribers) {
    visitor.call_subscriber(visitor.on_subscriber, subscriber);
  }
  if (node.groups) {
    for (const SharedGroup& group : *node.groups) {
      visitor.call_group(visitor.on_group, group.name, group.members);
    }
  }
}

// `node` has matched the levels of `topic` before `pos` (kEnd: all of them). Follows the literal
// child in a loop and recurses only into '+' children, so the stack grows with the number of
// '+' levels followed, not with the depth of the topic.
void match_from(const Node* node, std::string_view topic, std::size_t pos,
                const detail::MatchVisitor& visitor) {
  while (true) {
    // '#' matches the parent level as well: "sport/#" matches "sport" (MQTT 5.0 4.7.1.2).
    if (node->hash) report(*node->hash, visitor);
    if (pos == kEnd) {
      report(*node, visitor);
      return;
    }
    std::string_view level = next_level(topic, pos);
    if (node->plus) match_from(node->plus.get(), topic, pos, visitor);
    node = node->children.find(level);
    if (node == nullptr) return;
  }
}

}  // namespace

SubscriptionTree::SubscriptionTree()
    : root_(std::make_unique<Node>()), dollar_root_(std::make_unique<Node>()) {}

SubscriptionTree::~SubscriptionTree() {
  destroy(std::move(root_));
  destroy(std::move(dollar_root_));
}

// [MQTT-4.7.2-1]: topics starting with '$' are matched only against filters starting with '$',
// so a filter starting with a wildcard never sees them.
SubscriptionTree::Node& SubscriptionTree::root_for(std::string_view text) const {
  return text.starts_with('$') ? *dollar_root_ : *root_;
}

bool SubscriptionTree::subscribe(std::string_view filter, SessionId session,
                                 const SubscriptionOptions& options) {
  assert(mqtt::is_valid_topic_filter(filter));
  auto [plain, group_name] = split_shared(filter);
  Node* node = &root_for(plain);
  for (std::size_t pos = 0; pos != kEnd;) {
    node = &child_or_create(*node, next_level(plain, pos), node_count_);
  }
  bool added;
  if (group_name.empty()) {
    added = upsert(node->subscribers, session, options);
  } else if (SharedGroup* group = find_group(*node, group_name)) {
    added = upsert(group->members, session, options);
  } else {
    if (!node->groups) node->groups = std::make_unique<std::vector<SharedGroup>>();
    node->groups->push_back(SharedGroup{std::string(group_name), {Subscriber{session, options}}});
    added = true;
  }
  if (added) ++size_;
  return added;
}

bool SubscriptionTree::unsubscribe(std::string_view filter, SessionId session) {
  auto [plain, group_name] = split_shared(filter);
  Node* root = &root_for(plain);
  // Walk down, remembering the deepest node that keeps something besides the path below it:
  // if the subscription's node ends up empty, the chain under that node goes, in one cut.
  Node* cut_parent = root;
  std::string_view cut_level;
  std::size_t cut_depth = 0;
  std::size_t depth = 0;
  Node* node = root;
  for (std::size_t pos = 0; pos != kEnd;) {
    std::string_view level = next_level(plain, pos);
    Node* child = find_child(*node, level);
    if (child == nullptr) return false;
    if (node == root || !node->subscribers.empty() || node->groups || node->child_count() > 1) {
      cut_parent = node;
      cut_level = level;
      cut_depth = depth;
    }
    node = child;
    ++depth;
  }

  if (group_name.empty()) {
    if (!remove(node->subscribers, session)) return false;
  } else {
    SharedGroup* group = find_group(*node, group_name);
    if (group == nullptr || !remove(group->members, session)) return false;
    if (group->members.empty()) {
      std::erase_if(*node->groups, [group](const SharedGroup& g) { return &g == group; });
      if (node->groups->empty()) node->groups.reset();
    }
  }
  --size_;

  if (node->empty()) {
    destroy(detach_child(*cut_parent, cut_level));
    node_count_ -= depth - cut_depth;
  }
  return true;
}

void SubscriptionTree::match_impl(std::string_view topic,
                                  const detail::MatchVisitor& visitor) const {
  match_from(&root_for(topic), topic, 0, visitor);
}

}  // namespace tern::broker
