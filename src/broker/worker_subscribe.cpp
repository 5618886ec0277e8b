// SUBSCRIBE and UNSUBSCRIBE handling of WorkerCore.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "broker/worker_core.h"
#include "mqtt/topic.h"

namespace tern::broker {

using mqtt::QoS;
using mqtt::ReasonCode;

void WorkerCore::handle_subscribe(ClientState& client, const mqtt::Subscribe& subscribe) {
  Session& session = *client.session;
  mqtt::Suback suback;
  suback.packet_id = subscribe.packet_id;
  std::vector<std::pair<std::string_view, QoS>> retained_to_send;
  for (const mqtt::Subscription& request : subscribe.subscriptions) {
    if (!within_depth(request.filter)) {
      spdlog::info("Refused subscription of {} to a filter of too many levels.", client.client_id);
      suback.reason_codes.push_back(ReasonCode::unspecified_error);  // 0x80 [MQTT-3.9.3-2]
      continue;
    }
    // The broker may grant a lower QoS than asked [MQTT-3.8.4-6].
    QoS granted = std::min(request.max_qos, shared_.limits.max_qos);
    SubscriptionOptions options;
    options.max_qos = granted;
    options.no_local = request.no_local;
    options.retain_as_published = request.retain_as_published;
    if (!subscribe.properties.subscription_identifiers.empty()) {
      options.subscription_id = subscribe.properties.subscription_identifiers.front();
    }
    bool added;
    {
      std::unique_lock lock(shared_.subscriptions_lock);
      added = shared_.subscriptions.subscribe(request.filter, session.id, options);
    }
    if (added) BrokerStats::add(shared_.stats.subscriptions);
    // A repeated filter replaces the subscription [MQTT-3.8.4-3].
    session.subscriptions.insert_or_assign(request.filter, options);
    if (SessionStore* store = store_of(session)) {
      store->subscription_added(session.client_id, request.filter, options);
    }
    suback.reason_codes.push_back(static_cast<ReasonCode>(granted));
    spdlog::debug("{} {} {}", client.client_id, static_cast<int>(granted), request.filter);
    // Retained messages go to new subscriptions, never through shared ones (MQTT 5.0 4.8.2).
    if (!mqtt::is_shared_filter(request.filter))
      retained_to_send.emplace_back(request.filter, granted);
  }
  send(client, suback);
  // After the SUBACK, so a client sees its subscription acknowledged first [MQTT-3.8.4-4].
  for (auto [filter, granted] : retained_to_send)
    send_retained(session, filter, granted);
}

void WorkerCore::send_retained(Session& session, std::string_view filter, QoS granted) {
  std::vector<MessagePtr> found;
  {
    std::lock_guard lock(shared_.retained_lock);
    shared_.retained.match(filter, [&](const MessagePtr& message) { found.push_back(message); });
  }
  for (MessagePtr& message : found) {
    QoS qos = std::min(message->qos, granted);
    // [MQTT-3.3.1-8]: retained messages sent for a new subscription keep the retain flag.
    deliver_to(session, Outgoing{std::move(message), qos, true});
  }
}

void WorkerCore::handle_unsubscribe(ClientState& client, const mqtt::Unsubscribe& unsubscribe) {
  Session& session = *client.session;
  mqtt::Unsuback unsuback;
  unsuback.packet_id = unsubscribe.packet_id;
  for (const std::string& filter : unsubscribe.filters) {
    bool existed;
    {
      std::unique_lock lock(shared_.subscriptions_lock);
      existed = shared_.subscriptions.unsubscribe(filter, session.id);
    }
    if (existed) BrokerStats::sub(shared_.stats.subscriptions);
    if (session.subscriptions.erase(filter) > 0) {
      if (SessionStore* store = store_of(session)) {
        store->subscription_removed(session.client_id, filter);
      }
    }
    unsuback.reason_codes.push_back(existed ? ReasonCode::success
                                            : ReasonCode::no_subscription_existed);
  }
  send(client, unsuback);  // [MQTT-3.10.4-4], even when nothing was subscribed
}

}  // namespace tern::broker
