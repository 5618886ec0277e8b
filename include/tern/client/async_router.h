// SubscriptionRouter: which of the AsyncClient's message handlers a received message goes to.
//
// Each route is a topic filter (shared subscriptions "$share/name/filter" included, matched by
// their inner filter), an optional MQTT 5.0 Subscription Identifier, and a handler. A message
// goes to every route it belongs to, each once:
//   - when it carries Subscription Identifiers this router knows (MQTT 5.0 §3.3.4: one per
//     matching subscription), to the routes with those identifiers. This is exact even when a
//     server sends one copy per matching subscription (mosquitto does, for MQTT 5.0), because
//     each copy names only its own subscription;
//   - otherwise (MQTT 3.1.1, servers without identifiers, unknown identifiers), to every route
//     whose filter matches the topic (MQTT 5.0 §4.7; mqtt/topic.h). A server that sends one
//     copy per overlapping subscription without identifiers (allowed by MQTT 3.1.1 §3.3.5)
//     makes such a message reach the handlers once per copy.
// Adding a route for a filter that has one replaces it (as a SUBSCRIBE replaces a subscription,
// [MQTT-3.8.4-3]).
//
// Handlers are shared: route() returns them by shared_ptr, so a handler may cause routes to be
// removed while the caller still runs the ones it got. Plain data; not thread-safe (the
// AsyncClient's network thread owns it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tern/client/session.h"

namespace tern::client {

class SubscriptionRouter {
 public:
  using Handler = std::function<void(const Message&)>;
  using HandlerPtr = std::shared_ptr<const Handler>;

  // Adds or replaces the route of `filter` (a valid topic filter; the caller checks).
  // `subscription_id` 0: none.
  void add(const std::string& filter, std::uint32_t subscription_id, Handler handler);
  // Removes the route of `filter`; false when there was none.
  bool remove(const std::string& filter);
  bool contains(const std::string& filter) const { return routes_.contains(filter); }
  std::size_t size() const { return routes_.size(); }
  // The identifier of `filter`'s route (0: none or no route).
  std::uint32_t subscription_id(const std::string& filter) const;
  // An identifier no route uses, from 1 up (MQTT 5.0 §3.8.2.1.2: 1 to 268,435,455).
  std::uint32_t unused_subscription_id();

  // The handlers `message` goes to, each once, in filter order; empty when none.
  std::vector<HandlerPtr> route(const Message& message) const;

 private:
  struct Route {
    std::string match_filter;  // the filter topics are matched against (inner for $share)
    std::uint32_t subscription_id = 0;
    HandlerPtr handler;
  };

  std::map<std::string, Route, std::less<>> routes_;  // by filter as subscribed
  std::map<std::uint32_t, std::string> by_id_;        // identifier -> filter
  std::uint32_t next_id_ = 1;
};

}  // namespace tern::client
