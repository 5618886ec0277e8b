#include "broker/retained_store.h"

#include <cassert>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "broker/level_hash.h"
#include "mqtt/topic.h"

namespace tern::broker {

namespace detail {

struct RetainedNode {
  using Children =
      std::unordered_map<std::string, std::unique_ptr<RetainedNode>, LevelHash, std::equal_to<>>;

  std::unique_ptr<Children> children;  // allocated with the first child: most nodes are leaves
  MessagePtr message;

  bool empty() const { return !message && !children; }
};

}  // namespace detail

namespace {

using Node = detail::RetainedNode;

constexpr std::size_t kEnd = std::string_view::npos;
// A pending match position meaning "the whole subtree" (after '#'); never a real position, as
// filters are at most 65,535 bytes.
constexpr std::size_t kSubtree = kEnd - 1;

// Returns the level of `text` that starts at `pos` and moves `pos` to the next level, or to kEnd
// after the last one. "a//b" has the levels "a", "" and "b"; "/" has "" and "".
std::string_view next_level(std::string_view text, std::size_t& pos) {
  std::size_t slash = text.find('/', pos);
  std::string_view level = text.substr(pos, slash == kEnd ? kEnd : slash - pos);
  pos = slash == kEnd ? kEnd : slash + 1;
  return level;
}

Node* find_child(const Node& node, std::string_view level) {
  if (!node.children) return nullptr;
  auto it = node.children->find(level);
  return it == node.children->end() ? nullptr : it->second.get();
}

// Frees a subtree without recursion: topics may be thousands of levels deep.
void destroy(std::unique_ptr<Node> subtree) {
  std::vector<std::unique_ptr<Node>> pending;
  pending.push_back(std::move(subtree));
  while (!pending.empty()) {
    std::unique_ptr<Node> node = std::move(pending.back());
    pending.pop_back();
    if (node && node->children) {
      for (auto& [level, child] : *node->children)
        pending.push_back(std::move(child));
    }
  }
}

}  // namespace

RetainedStore::RetainedStore()
    : root_(std::make_unique<Node>()), dollar_root_(std::make_unique<Node>()) {}

RetainedStore::~RetainedStore() {
  destroy(std::move(root_));
  destroy(std::move(dollar_root_));
}

// [MQTT-4.7.2-1]: '$' topics are reachable only from filters starting with '$'.
RetainedStore::Node& RetainedStore::root_for(std::string_view text) const {
  return text.starts_with('$') ? *dollar_root_ : *root_;
}

void RetainedStore::set(MessagePtr message) {
  assert(message && mqtt::is_valid_topic_name(message->topic));
  std::string_view topic = message->topic;
  if (message->payload.empty()) {
    erase(topic);  // [MQTT-3.3.1-6], [MQTT-3.3.1-7]; 3.1.1: [MQTT-3.3.1-10], [MQTT-3.3.1-11]
    return;
  }
  Node* node = &root_for(topic);
  for (std::size_t pos = 0; pos != kEnd;) {
    std::string_view level = next_level(topic, pos);
    if (!node->children) node->children = std::make_unique<Node::Children>();
    auto it = node->children->find(level);
    if (it == node->children->end()) {
      it = node->children->emplace(level, std::make_unique<Node>()).first;
      ++node_count_;
    }
    node = it->second.get();
  }
  if (!node->message) ++size_;
  node->message = std::move(message);  // [MQTT-3.3.1-5]: replaces the one before
}

bool RetainedStore::erase(std::string_view topic) {
  Node* root = &root_for(topic);
  // Walk down, remembering the deepest node that keeps something besides the path below it;
  // once the message is gone, the chain under that node goes in one cut.
  Node* cut_parent = root;
  std::string_view cut_level;
  std::size_t cut_depth = 0;
  std::size_t depth = 0;
  Node* node = root;
  for (std::size_t pos = 0; pos != kEnd;) {
    std::string_view level = next_level(topic, pos);
    Node* child = find_child(*node, level);
    if (child == nullptr) return false;
    if (node == root || node->message || node->children->size() > 1) {
      cut_parent = node;
      cut_level = level;
      cut_depth = depth;
    }
    node = child;
    ++depth;
  }
  if (!node->message) return false;
  node->message.reset();
  --size_;
  if (node->empty()) {
    auto it = cut_parent->children->find(cut_level);
    std::unique_ptr<Node> chain = std::move(it->second);
    cut_parent->children->erase(it);
    if (cut_parent->children->empty()) cut_parent->children.reset();
    destroy(std::move(chain));
    node_count_ -= depth - cut_depth;
  }
  return true;
}

MessagePtr RetainedStore::find(std::string_view topic) const {
  const Node* node = &root_for(topic);
  for (std::size_t pos = 0; pos != kEnd && node != nullptr;) {
    node = find_child(*node, next_level(topic, pos));
  }
  return node ? node->message : nullptr;
}

void RetainedStore::match_impl(std::string_view filter,
                               const detail::RetainedVisitor& visitor) const {
  auto visit = [&](const Node& node) {
    if (node.message) visitor.call(visitor.fn, node.message);
  };

  // Follow the literal levels before the first wildcard without allocating: a filter without
  // wildcards never gets past this loop.
  const Node* node = &root_for(filter);
  std::size_t pos = 0;
  while (true) {
    if (pos == kEnd) {
      visit(*node);
      return;
    }
    std::size_t level_pos = pos;
    std::string_view level = next_level(filter, pos);
    if (level == "+" || level == "#") {
      pos = level_pos;
      break;
    }
    node = find_child(*node, level);
    if (node == nullptr) return;
  }

  // Wildcards fan out: a stack of (node, filter position) pairs still to match, instead of
  // recursion, so deep trees cannot exhaust the stack.
  std::vector<std::pair<const Node*, std::size_t>> pending{{node, pos}};
  while (!pending.empty()) {
    auto [next, next_pos] = pending.back();
    pending.pop_back();
    if (next_pos == kEnd) {
      visit(*next);
      continue;
    }
    if (next_pos == kSubtree) {
      visit(*next);
      if (next->children) {
        for (const auto& [name, child] : *next->children)
          pending.emplace_back(child.get(), kSubtree);
      }
      continue;
    }
    std::string_view level = next_level(filter, next_pos);
    if (level == "#") {
      pending.emplace_back(next, kSubtree);  // the parent level too: "sport/#" matches "sport"
    } else if (level == "+") {
      if (next->children) {
        for (const auto& [name, child] : *next->children)
          pending.emplace_back(child.get(), next_pos);
      }
    } else if (const Node* child = find_child(*next, level)) {
      pending.emplace_back(child, next_pos);
    }
  }
}

}  // namespace tern::broker
