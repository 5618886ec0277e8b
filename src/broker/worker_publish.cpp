// PUBLISH handling of WorkerCore: messages in, routing to subscribers, QoS 1/2 flows out.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "broker/worker_core.h"
#include "mqtt/topic.h"

namespace tern::broker {

using mqtt::QoS;
using mqtt::ReasonCode;
using mqtt::Version;

namespace {

QoS min_qos(QoS a, QoS b) {
  return static_cast<QoS>(std::min(static_cast<int>(a), static_cast<int>(b)));
}

std::size_t message_bytes(const Outgoing& out) {
  return out.message ? out.message->topic.size() + out.message->payload.size() : 0;
}

}  // namespace

bool WorkerCore::resolve_alias(ClientState& client, mqtt::Publish& publish) {
  if (client.version != Version::v5 || !publish.properties.topic_alias) {
    if (publish.topic.empty()) {
      // A zero-length topic needs an alias [MQTT-3.3.2-8]; before 5.0 the codec refuses it.
      drop(client, ReasonCode::protocol_error, "empty topic without a topic alias");
      return false;
    }
    return true;
  }
  std::uint16_t alias = *publish.properties.topic_alias;
  publish.properties.topic_alias.reset();  // per connection: never forwarded
  if (alias == 0 || alias > client.aliases_in_max) {
    // [MQTT-3.3.2-9], [MQTT-3.3.2-10]: 0, or above the Topic Alias Maximum we granted.
    drop(client, ReasonCode::topic_alias_invalid, "topic alias out of range");
    return false;
  }
  if (!client.aliases_in) client.aliases_in = std::make_unique<std::vector<std::string>>();
  std::vector<std::string>& aliases = *client.aliases_in;
  if (publish.topic.empty()) {
    if (alias >= aliases.size() || aliases[alias].empty()) {
      drop(client, ReasonCode::protocol_error, "unknown topic alias");  // section 3.3.2.3.4
      return false;
    }
    publish.topic = aliases[alias];
  } else {
    if (alias >= aliases.size()) aliases.resize(alias + 1u);
    aliases[alias] = publish.topic;  // set, or replaced [MQTT-3.3.2-12]
  }
  return true;
}

void WorkerCore::handle_publish(ClientState& client, mqtt::Publish& publish) {
  Session& session = *client.session;
  const BrokerLimits& limits = shared_.limits;
  bool v5 = client.version == Version::v5;
  BrokerStats::add(shared_.stats.publish_received);
  if (!resolve_alias(client, publish)) return;

  auto acknowledge = [&](ReasonCode code, std::string_view why = {}) {
    if (publish.qos == QoS::at_most_once) return;
    // 3.1.1 acknowledgements carry no code: a refused message is acknowledged and dropped.
    if (!v5) code = ReasonCode::success;
    auto fill = [&](auto ack) {
      ack.reason_code = code;
      if (v5 && !why.empty() && client.problem_information) {
        ack.properties.reason_string = std::string(why);
      }
      return ack;
    };
    if (publish.qos == QoS::at_least_once) {
      send(client, fill(make_ack<mqtt::Puback>(publish.packet_id)));
    } else {
      send(client, fill(make_ack<mqtt::Pubrec>(publish.packet_id)));
    }
  };

  if (publish.qos > limits.max_qos && v5) {
    drop(client, ReasonCode::qos_not_supported, "QoS above max_qos");  // [MQTT-3.2.2-11]
    return;
  }
  if (publish.qos == QoS::exactly_once && session.awaiting_pubrel.contains(publish.packet_id)) {
    // A re-sent QoS 2 PUBLISH that was delivered already: acknowledge, do not deliver twice.
    send(client, make_ack<mqtt::Pubrec>(publish.packet_id));
    return;
  }
  if (publish.qos == QoS::at_least_once && session.awaiting_pubrel.contains(publish.packet_id)) {
    acknowledge(ReasonCode::packet_identifier_in_use, "packet identifier in use");
    return;
  }
  if (publish.qos == QoS::exactly_once && v5 && limits.max_inflight_messages > 0 &&
      session.awaiting_pubrel.size() >= limits.max_inflight_messages) {
    // More QoS 2 messages unacknowledged than the Receive Maximum we sent [MQTT-3.3.4-9].
    drop(client, ReasonCode::receive_maximum_exceeded, "receive maximum exceeded");
    return;
  }
  if (!within_depth(publish.topic)) {
    // MQTT 3.1.1 has no reply for a topic the server will not take; closing is what Mosquitto
    // does for the same limit.
    drop(client, ReasonCode::topic_name_invalid, "topic has too many levels");
    return;
  }
  if (publish.retain && !limits.retain_available) {
    drop(client, ReasonCode::retain_not_supported,
         "retained message while retain_available is false");  // [MQTT-3.3.1-13]
    return;
  }

  ReasonCode outcome = ReasonCode::success;
  std::string_view why;
  std::uint32_t limit = limits.message_size_limit;
  if (limit > 0 && publish.payload.size() > limit) {
    // Mosquitto's behaviour: acknowledge and drop; a 5.0 client learns why.
    spdlog::info("Dropped message of {} bytes from {}: over message_size_limit.",
                 publish.payload.size(), client.client_id);
    BrokerStats::add(shared_.stats.publish_dropped);
    outcome = ReasonCode::quota_exceeded;
    why = "message over message_size_limit";
  } else if (publish.topic.starts_with("$")) {
    // Topics starting with '$' belong to the server (MQTT 3.1.1 section 4.7.2).
    spdlog::info("Dropped message from {} to reserved topic '{}'.", client.client_id,
                 publish.topic);
    outcome = ReasonCode::not_authorized;
    why = "topics starting with '$' are reserved";
  } else {
    auto message = std::make_shared<Message>();
    message->topic = std::move(publish.topic);
    message->payload = std::move(publish.payload);
    message->qos = publish.qos;
    message->retain = publish.retain;
    message->properties = std::move(publish.properties);
    if (message->properties.message_expiry_interval) {
      message->expires_at =
          now_ + std::chrono::seconds(*message->properties.message_expiry_interval);
    }
    if (message->retain) shared_.retain(message);
    if (route(message, &session) == 0) outcome = ReasonCode::no_matching_subscribers;
  }

  if (publish.qos == QoS::exactly_once && outcome != ReasonCode::quota_exceeded &&
      outcome != ReasonCode::not_authorized) {
    session.awaiting_pubrel.insert(publish.packet_id);
    if (SessionStore* store = store_of(session)) {
      store->pubrel_awaited(session.client_id, publish.packet_id);
    }
  }
  acknowledge(outcome, why);
}

void WorkerCore::handle_pubrel(ClientState& client, const mqtt::Pubrel& pubrel) {
  // QoS 2 from the client, second half: the message was delivered on PUBLISH.
  Session& session = *client.session;
  mqtt::Pubcomp pubcomp = make_ack<mqtt::Pubcomp>(pubrel.packet_id);
  if (session.awaiting_pubrel.erase(pubrel.packet_id)) {
    if (SessionStore* store = store_of(session)) {
      store->pubrel_received(session.client_id, pubrel.packet_id);
    }
  } else if (client.version == Version::v5) {
    pubcomp.reason_code = ReasonCode::packet_identifier_not_found;  // section 3.7.2.1
  }
  send(client, pubcomp);
}

void WorkerCore::publish_internal(Message message) {
  if (message.properties.message_expiry_interval && !message.expires_at) {
    message.expires_at = now_ + std::chrono::seconds(*message.properties.message_expiry_interval);
  }
  auto shared = std::make_shared<Message>(std::move(message));
  if (shared->retain) shared_.retain(shared);
  route(shared, nullptr);
}

const Subscriber* WorkerCore::pick_member(std::string_view group,
                                          std::span<const Subscriber> members,
                                          const MessagePtr& message, const Session* publisher) {
  if (members.empty()) return nullptr;
  std::size_t index = 0;
  switch (shared_.limits.shared_strategy) {
    case SharedStrategy::round_robin: {
      auto it = round_robin_.find(group);
      if (it == round_robin_.end()) it = round_robin_.emplace(std::string(group), 0).first;
      index = it->second++ % members.size();
      break;
    }
    case SharedStrategy::random:
      index = random_() % members.size();
      break;
    case SharedStrategy::sticky: {
      // The same member for a publisher while the group's membership stays the same.
      std::size_t key = publisher ? std::hash<std::string>{}(publisher->client_id)
                                  : std::hash<std::string_view>{}(message->topic);
      index = (key ^ std::hash<std::string_view>{}(group)) % members.size();
      break;
    }
  }
  return &members[index];
}

// Finds every session subscribed to the message's topic and hands each its copy: directly when
// this worker owns the session, through the owner's queue otherwise. One copy per session, at
// the highest QoS of its matching subscriptions, with all their Subscription Identifiers
// (MQTT 5.0 section 3.3.4).
std::size_t WorkerCore::route(const MessagePtr& message, const Session* publisher) {
  matches_.clear();
  // Shared subscriptions are subscriptions of their own: a session that is also subscribed
  // without sharing, or through two groups, gets one copy through each (MQTT 5.0 section 4.8.2).
  std::vector<std::pair<Subscriber, std::string_view>> shared_picks;
  std::vector<Delivery> shared_deliveries;
  SessionId publisher_id = publisher ? publisher->id : 0;
  {
    std::shared_lock lock(shared_.subscriptions_lock);
    shared_.subscriptions.match(
        message->topic,
        [&](const Subscriber& subscriber) {
          // No Local: not back to the session that published it [MQTT-3.8.3-3].
          if (subscriber.options.no_local && subscriber.session == publisher_id) return;
          matches_.push_back(subscriber);
        },
        [&](std::string_view group, std::span<const Subscriber> members) {
          // Shared subscriptions (MQTT 5.0 section 4.8.2): one member per group.
          if (const Subscriber* member = pick_member(group, members, message, publisher)) {
            shared_picks.emplace_back(*member, group);
          }
        });
    // The group names are views into the tree: copied before the lock is released, and the
    // deliveries dispatched after it (delivering may take time; subscribers wait for the lock).
    for (auto& [member, group] : shared_picks) {
      QoS qos = min_qos(message->qos, member.options.max_qos);
      Outgoing out{message, qos, false};
      out.subscription_ids.add(member.options.subscription_id);
      if (qos != QoS::at_most_once) out.shared_group = std::string(group);
      shared_deliveries.push_back(Delivery{member.session, std::move(out)});
    }
  }
  for (Delivery& delivery : shared_deliveries)
    dispatch(std::move(delivery));
  if (matches_.empty()) return shared_picks.size();
  std::sort(matches_.begin(), matches_.end(), [](const Subscriber& a, const Subscriber& b) {
    return a.session < b.session ||
           (a.session == b.session && a.options.max_qos > b.options.max_qos);
  });
  std::size_t delivered = 0;
  for (std::size_t i = 0; i < matches_.size();) {
    const Subscriber& first = matches_[i];
    // [MQTT-3.3.1-9]: the retain flag is cleared on messages to established subscriptions, unless
    // one asked for Retain As Published [MQTT-3.3.1-12].
    QoS qos = shared_.limits.upgrade_outgoing_qos ? first.options.max_qos
                                                  : min_qos(message->qos, first.options.max_qos);
    Outgoing out{message, qos, false};
    std::size_t j = i;
    for (; j < matches_.size() && matches_[j].session == first.session; ++j) {
      out.subscription_ids.add(matches_[j].options.subscription_id);
      if (matches_[j].options.retain_as_published) out.retain = message->retain;
    }
    dispatch(Delivery{first.session, std::move(out)});
    ++delivered;
    i = j;
  }
  return delivered + shared_picks.size();
}

void WorkerCore::redistribute(Session& session) {
  // MQTT 5.0 section 4.8.2: a QoS 1/2 message of a shared subscription whose session ends before
  // completing it goes to another member. The session is unsubscribed already, so the match
  // below cannot pick it again.
  auto reroute = [&](const Outgoing& out) {
    if (out.shared_group.empty() || !out.message) return;
    std::optional<Subscriber> chosen;
    {
      std::shared_lock lock(shared_.subscriptions_lock);
      shared_.subscriptions.match(
          out.message->topic, [](const Subscriber&) {},
          [&](std::string_view group, std::span<const Subscriber> members) {
            if (chosen || group != out.shared_group) return;
            if (const Subscriber* member = pick_member(group, members, out.message, nullptr)) {
              chosen = *member;
            }
          });
    }
    if (!chosen) return;
    Outgoing again{out.message, min_qos(out.message->qos, chosen->options.max_qos), false};
    again.subscription_ids.add(chosen->options.subscription_id);
    again.shared_group = out.shared_group;
    dispatch(Delivery{chosen->session, std::move(again)});
  };
  // A QoS 2 message already sent stays with its member [MQTT-4.8.2-5]; QoS 1 ones go elsewhere.
  session.inflight.for_each([&](const Inflight& inflight) {
    if (inflight.out.qos == QoS::at_least_once) reroute(inflight.out);
  });
  session.queue.for_each(reroute);
}

void WorkerCore::dispatch(Delivery delivery) {
  unsigned owner = session_owner(delivery.session);
  if (owner == index_) {
    deliver(delivery);
  } else {
    outbox_.post(owner, std::move(delivery));
  }
}

void WorkerCore::deliver(const Delivery& delivery) {
  Session* session = sessions_.find(delivery.session);
  if (!session) return;  // the session ended meanwhile
  deliver_to(*session, delivery.out);
}

std::size_t WorkerCore::window(const Session& session) const {
  std::size_t limit = shared_.limits.max_inflight_messages;
  if (limit == 0) limit = 65'535;
  if (session.client) limit = std::min<std::size_t>(limit, session.client->receive_maximum);
  return limit;
}

void WorkerCore::forget_delivery(Session& session, const Outgoing& out) {
  if (SessionStore* store = store_of(session)) store->delivery_removed(session.client_id, out.seq);
}

void WorkerCore::deliver_to(Session& session, Outgoing out) {
  const BrokerLimits& limits = shared_.limits;
  ClientState* client = session.client;
  if (out.message->expires_at && *out.message->expires_at <= now_) {
    BrokerStats::add(shared_.stats.publish_dropped);  // expired on its way [MQTT-3.3.2-5]
    return;
  }
  if (out.qos == QoS::at_most_once) {
    // QoS 0 is not queued: sent now, or dropped when the client is away or too far behind.
    if (client && client->link->backlog() < limits.max_write_buffer) {
      send_publish(session, out, 0, false);
    } else if (!client && limits.queue_qos0_messages) {
      session.queue.push_back(std::move(out));
    } else {
      BrokerStats::add(shared_.stats.publish_dropped);
    }
    return;
  }
  out.seq = ++session.last_seq;
  SessionStore* store = store_of(session);
  if (client && session.inflight.size() < window(session) && session.queue.empty()) {
    std::uint16_t packet_id = session.inflight.next_packet_id();
    if (!send_publish(session, out, packet_id, false)) return;  // counts as delivered
    if (store) store->delivery_added(session.client_id, {out.seq, out, packet_id, false});
    session.inflight.push_back({packet_id, std::move(out), false});
    return;
  }
  // Bounded queue: over either limit the new message is dropped and counted.
  std::size_t bytes = message_bytes(out);
  bool full =
      (limits.max_queued_messages > 0 && session.queue.size() >= limits.max_queued_messages) ||
      (limits.max_queued_bytes > 0 && session.queued_bytes + bytes > limits.max_queued_bytes);
  if (full) {
    BrokerStats::add(shared_.stats.publish_dropped);
    return;
  }
  session.queued_bytes += bytes;
  if (store) store->delivery_added(session.client_id, {out.seq, out, 0, false});
  session.queue.push_back(std::move(out));
}

bool WorkerCore::send_publish(Session& session, const Outgoing& out, std::uint16_t packet_id,
                              bool dup) {
  ClientState& client = *session.client;
  const Message& message = *out.message;
  std::string_view topic = message.topic;
  mqtt::PublishPropertyOverrides overrides;
  const mqtt::PublishPropertyOverrides* use_overrides = nullptr;
  if (client.version == Version::v5) {
    if (message.expires_at) {
      auto left = std::chrono::ceil<std::chrono::seconds>(*message.expires_at - now_);
      if (left.count() <= 0) {
        BrokerStats::add(shared_.stats.publish_dropped);  // [MQTT-3.3.2-5]
        return false;
      }
      // The remaining lifetime, never more than was given [MQTT-3.3.2-6].
      overrides.message_expiry_interval = static_cast<std::uint32_t>(std::min<std::int64_t>(
          left.count(), message.properties.message_expiry_interval.value_or(0xFFFFFFFF)));
    }
    overrides.subscription_identifiers = out.subscription_ids.view();
    if (client.aliases_out_max > 0) {
      // Section 3.3.2.3.4: the first PUBLISH of a topic maps an alias, later ones send only it.
      if (!client.aliases_out) {
        client.aliases_out = std::make_unique<std::unordered_map<std::string, std::uint16_t>>();
      }
      auto& aliases = *client.aliases_out;
      auto it = aliases.find(message.topic);
      if (it != aliases.end()) {
        overrides.topic_alias = it->second;
        topic = {};
      } else if (aliases.size() < client.aliases_out_max) {
        auto alias = static_cast<std::uint16_t>(aliases.size() + 1);
        aliases.emplace(message.topic, alias);
        overrides.topic_alias = alias;
      }
    }
    use_overrides = &overrides;
  }
  scratch_.clear();
  auto header =
      mqtt::encode_publish_header(topic, out.qos, out.retain, dup, packet_id, &message.properties,
                                  message.payload.size(), client.version, scratch_, use_overrides);
  if (!header) {
    BrokerStats::add(shared_.stats.publish_dropped);
    return false;
  }
  if (client.maximum_packet_size > 0 &&
      *header + message.payload.size() > client.maximum_packet_size) {
    // [MQTT-3.1.2-25]: too large for this client; discarded as if it had been sent.
    if (overrides.topic_alias && !topic.empty()) client.aliases_out->erase(message.topic);
    BrokerStats::add(shared_.stats.publish_dropped);
    return false;
  }
  client.link->send(scratch_);
  client.link->send_shared(out.message, message.payload);
  BrokerStats::add(shared_.stats.messages_sent);
  BrokerStats::add(shared_.stats.publish_sent);
  return true;
}

void WorkerCore::pump(Session& session) {
  while (session.client && !session.queue.empty()) {
    Outgoing& next = session.queue.front();
    if (next.qos != QoS::at_most_once) {
      if (session.inflight.size() >= window(session)) return;
      std::uint16_t packet_id = session.inflight.next_packet_id();
      if (send_publish(session, next, packet_id, false)) {
        if (SessionStore* store = store_of(session)) {
          store->delivery_sent(session.client_id, next.seq, packet_id);
        }
        session.inflight.push_back({packet_id, next, false});
      } else {
        forget_delivery(session, next);  // expired, or too large: done with it
      }
    } else {
      send_publish(session, next, 0, false);
    }
    session.queued_bytes -= std::min(session.queued_bytes, message_bytes(next));
    session.queue.pop_front();
  }
}

void WorkerCore::resume(Session& session) {
  // [MQTT-4.4.0-1]: unacknowledged PUBLISHes again with DUP set, PUBRELs again as they were.
  // The new connection's aliases start empty, so topics are sent in full again.
  session.inflight.visit([&](Inflight& inflight) {
    if (inflight.released) {
      send(*session.client, make_ack<mqtt::Pubrel>(inflight.packet_id));
    } else if (!send_publish(session, inflight.out, inflight.packet_id, true)) {
      forget_delivery(session, inflight.out);
      return false;
    }
    return true;
  });
  pump(session);
}

void WorkerCore::handle_puback(ClientState& client, std::uint16_t packet_id) {
  Session& session = *client.session;
  SessionStore* store = store_of(session);
  Inflight* inflight = session.inflight.find(packet_id);
  if (inflight && inflight->out.qos == QoS::at_least_once) {
    if (store) store->delivery_removed(session.client_id, inflight->out.seq);
    session.inflight.erase(packet_id);
  }
  pump(session);
}

void WorkerCore::handle_pubrec(ClientState& client, const mqtt::Pubrec& pubrec) {
  Session& session = *client.session;
  std::uint16_t packet_id = pubrec.packet_id;
  if (static_cast<std::uint8_t>(pubrec.reason_code) >= 0x80) {
    // A refused PUBREC ends the exchange: no PUBREL, and its place in the window is free
    // ([MQTT-4.3.3-4], section 4.9).
    Inflight* inflight = session.inflight.find(packet_id);
    if (inflight && inflight->out.qos == QoS::exactly_once && !inflight->released) {
      if (SessionStore* store = store_of(session)) {
        store->delivery_removed(session.client_id, inflight->out.seq);
      }
      session.inflight.erase(packet_id);
    }
    pump(session);
    return;
  }
  mqtt::Pubrel pubrel = make_ack<mqtt::Pubrel>(packet_id);
  Inflight* inflight = session.inflight.find(packet_id);
  bool known = inflight && inflight->out.qos == QoS::exactly_once;
  if (known && !inflight->released) {
    if (SessionStore* store = store_of(session)) {
      store->delivery_released(session.client_id, inflight->out.seq);
    }
    inflight->released = true;
    inflight->out.message.reset();  // only the PUBREL is re-sent from here on
  }
  if (!known && client.version == Version::v5) {
    pubrel.reason_code = ReasonCode::packet_identifier_not_found;  // section 3.6.2.1
  }
  send(client, pubrel);
}

void WorkerCore::handle_pubcomp(ClientState& client, std::uint16_t packet_id) {
  Session& session = *client.session;
  SessionStore* store = store_of(session);
  Inflight* inflight = session.inflight.find(packet_id);
  if (inflight && inflight->released) {
    if (store) store->delivery_removed(session.client_id, inflight->out.seq);
    session.inflight.erase(packet_id);
  }
  pump(session);
}

}  // namespace tern::broker
