// SubscriptionRouter: messages to handlers by Subscription Identifier or by filter (see
// async_router.h).
#include "tern/client/async_router.h"

#include <algorithm>
#include <utility>

#include "mqtt/topic.h"

namespace tern::client {

namespace {

constexpr std::uint32_t kMaxSubscriptionId = 268'435'455;  // MQTT 5.0 §3.8.2.1.2

}  // namespace

void SubscriptionRouter::add(const std::string& filter, std::uint32_t subscription_id,
                             Handler handler) {
  remove(filter);
  Route route;
  auto shared = mqtt::parse_shared_filter(filter);
  route.match_filter = shared ? std::string(shared->filter) : filter;
  route.subscription_id = subscription_id;
  route.handler = std::make_shared<const Handler>(std::move(handler));
  if (subscription_id != 0) {
    // An identifier names one route: a later route with the same one takes it over.
    if (auto it = by_id_.find(subscription_id); it != by_id_.end()) {
      routes_.at(it->second).subscription_id = 0;
    }
    by_id_[subscription_id] = filter;
  }
  routes_.emplace(filter, std::move(route));
}

bool SubscriptionRouter::remove(const std::string& filter) {
  auto it = routes_.find(filter);
  if (it == routes_.end()) return false;
  if (it->second.subscription_id != 0) by_id_.erase(it->second.subscription_id);
  routes_.erase(it);
  return true;
}

std::uint32_t SubscriptionRouter::subscription_id(const std::string& filter) const {
  auto it = routes_.find(filter);
  return it == routes_.end() ? 0 : it->second.subscription_id;
}

std::uint32_t SubscriptionRouter::unused_subscription_id() {
  // At most as many probes as routes: an identifier in use is skipped.
  while (true) {
    std::uint32_t id = next_id_;
    next_id_ = next_id_ >= kMaxSubscriptionId ? 1 : next_id_ + 1;
    if (!by_id_.contains(id)) return id;
  }
}

std::vector<SubscriptionRouter::HandlerPtr> SubscriptionRouter::route(
    const Message& message) const {
  std::vector<HandlerPtr> handlers;
  for (std::uint32_t id : message.properties.subscription_identifiers) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) continue;
    const HandlerPtr& handler = routes_.at(it->second).handler;
    if (std::find(handlers.begin(), handlers.end(), handler) == handlers.end()) {
      handlers.push_back(handler);
    }
  }
  if (!handlers.empty()) return handlers;
  for (const auto& [filter, route] : routes_) {
    if (mqtt::topic_matches(route.match_filter, message.topic)) handlers.push_back(route.handler);
  }
  return handlers;
}

}  // namespace tern::client
