// SUBSCRIBE and UNSUBSCRIBE handling of WorkerCore.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "broker/worker_core.h"
#include "mqtt/topic.h"

namespace tern::broker {

using mqtt::QoS;
using mqtt::ReasonCode;
using mqtt::Version;

void WorkerCore::handle_subscribe(ClientState& client, const mqtt::Subscribe& subscribe) {
  Session& session = *client.session;
  const BrokerLimits& limits = shared_.limits;
  bool v5 = client.version == Version::v5;
  mqtt::Suback suback;
  suback.packet_id = subscribe.packet_id;
  if (v5 && session.awaiting_pubrel.contains(subscribe.packet_id)) {
    // The id belongs to a QoS 2 exchange still open (section 3.9.3, 0x91).
    suback.reason_codes.assign(subscribe.subscriptions.size(),
                               ReasonCode::packet_identifier_in_use);
    send(client, suback);
    return;
  }
  std::uint32_t subscription_id = subscribe.properties.subscription_identifiers.empty()
                                      ? 0
                                      : subscribe.properties.subscription_identifiers.front();
  std::vector<std::pair<std::string_view, SubscriptionOptions>> retained_to_send;
  for (const mqtt::Subscription& request : subscribe.subscriptions) {
    if (!within_depth(request.filter)) {
      spdlog::info("Refused subscription of {} to a filter of too many levels.", client.client_id);
      suback.reason_codes.push_back(ReasonCode::unspecified_error);  // 0x80 [MQTT-3.9.3-2]
      continue;
    }
    bool shared = mqtt::is_shared_filter(request.filter);
    if (shared && !limits.shared_subscriptions) {
      suback.reason_codes.push_back(v5 ? ReasonCode::shared_subscriptions_not_supported
                                       : ReasonCode::unspecified_error);
      continue;
    }
    // The broker may grant a lower QoS than asked [MQTT-3.8.4-6].
    QoS granted = std::min(request.max_qos, limits.max_qos);
    SubscriptionOptions options;
    options.max_qos = granted;
    // No Local on a shared subscription is a Protocol Error [MQTT-3.8.3-4]; the codec refuses it.
    options.no_local = request.no_local;
    options.retain_as_published = request.retain_as_published;
    options.subscription_id = subscription_id;
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
    // Retained messages are never sent through shared subscriptions (MQTT 5.0 section 4.8.2);
    // otherwise as Retain Handling says: 0 always, 1 only when the subscription is new, 2 never
    // [MQTT-3.3.1-9], [MQTT-3.3.1-10], [MQTT-3.3.1-11].
    bool send = !shared;
    if (request.retain_handling == mqtt::RetainHandling::send_if_new_subscription)
      send = send && added;
    if (request.retain_handling == mqtt::RetainHandling::do_not_send) send = false;
    if (send) retained_to_send.emplace_back(request.filter, options);
  }
  send(client, suback);
  // After the SUBACK, so a client sees its subscription acknowledged first [MQTT-3.8.4-4].
  for (const auto& [filter, options] : retained_to_send)
    send_retained(session, filter, options);
}

void WorkerCore::send_retained(Session& session, std::string_view filter,
                               const SubscriptionOptions& options) {
  std::vector<MessagePtr> found;
  {
    std::lock_guard lock(shared_.retained_lock);
    shared_.retained.match(filter, [&](const MessagePtr& message) { found.push_back(message); });
  }
  for (MessagePtr& message : found) {
    QoS qos = std::min(message->qos, options.max_qos);
    // [MQTT-3.3.1-8]: retained messages sent for a new subscription keep the retain flag.
    Outgoing out{std::move(message), qos, true};
    out.subscription_ids.add(options.subscription_id);
    deliver_to(session, std::move(out));  // drops it when expired
  }
}

void WorkerCore::handle_unsubscribe(ClientState& client, const mqtt::Unsubscribe& unsubscribe) {
  Session& session = *client.session;
  mqtt::Unsuback unsuback;
  unsuback.packet_id = unsubscribe.packet_id;
  if (client.version == Version::v5 && session.awaiting_pubrel.contains(unsubscribe.packet_id)) {
    unsuback.reason_codes.assign(unsubscribe.filters.size(), ReasonCode::packet_identifier_in_use);
    send(client, unsuback);
    return;
  }
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
