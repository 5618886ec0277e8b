// PUBLISH handling of WorkerCore: messages in, routing to subscribers, QoS 1/2 flows out.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "broker/worker_core.h"

namespace tern::broker {

using mqtt::QoS;

namespace {

QoS min_qos(QoS a, QoS b) {
  return static_cast<QoS>(std::min(static_cast<int>(a), static_cast<int>(b)));
}

std::size_t message_bytes(const Outgoing& out) {
  return out.message->topic.size() + out.message->payload.size();
}

}  // namespace

void WorkerCore::handle_publish(ClientState& client, mqtt::Publish& publish) {
  Session& session = *client.session;
  BrokerStats::add(shared_.stats.publish_received);

  if (publish.qos == QoS::exactly_once && session.awaiting_pubrel.contains(publish.packet_id)) {
    // A re-sent QoS 2 PUBLISH that was delivered already: acknowledge, do not deliver twice.
    send(client, make_ack<mqtt::Pubrec>(publish.packet_id));
    return;
  }

  if (!within_depth(publish.topic)) {
    // MQTT 3.1.1 has no reply for a topic the server will not take; closing is what Mosquitto
    // does for the same limit.
    drop(client, "topic has too many levels");
    return;
  }
  bool accepted = true;
  std::uint32_t limit = shared_.limits.message_size_limit;
  if (limit > 0 && publish.payload.size() > limit) {
    // Mosquitto's behaviour for 3.1.1: acknowledge and drop.
    spdlog::info("Dropped message of {} bytes from {}: over message_size_limit.",
                 publish.payload.size(), client.client_id);
    BrokerStats::add(shared_.stats.publish_dropped);
    accepted = false;
  } else if (publish.topic.starts_with("$")) {
    // Topics starting with '$' belong to the server (MQTT 3.1.1 section 4.7.2).
    spdlog::info("Dropped message from {} to reserved topic '{}'.", client.client_id,
                 publish.topic);
    accepted = false;
  } else if (publish.retain && !shared_.limits.retain_available) {
    drop(client, "retained message while retain_available is false");
    return;
  }

  if (accepted) {
    auto message = std::make_shared<Message>();
    message->topic = std::move(publish.topic);
    message->payload = std::move(publish.payload);
    message->qos = publish.qos;
    message->retain = publish.retain;
    message->properties = std::move(publish.properties);
    if (message->retain) shared_.retain(message);
    route(message, &session);
  }

  switch (publish.qos) {
    case QoS::at_most_once:
      break;
    case QoS::at_least_once:
      send(client, make_ack<mqtt::Puback>(publish.packet_id));
      break;
    case QoS::exactly_once:
      session.awaiting_pubrel.insert(publish.packet_id);
      if (SessionStore* store = store_of(session)) {
        store->pubrel_awaited(session.client_id, publish.packet_id);
      }
      send(client, make_ack<mqtt::Pubrec>(publish.packet_id));
      break;
  }
}

void WorkerCore::publish_internal(Message message) {
  auto shared = std::make_shared<Message>(std::move(message));
  if (shared->retain) shared_.retain(shared);
  route(shared, nullptr);
}

// Finds every session subscribed to the message's topic and hands each its copy: directly when
// this worker owns the session, through the owner's queue otherwise. One copy per session, at
// the highest QoS of its matching subscriptions (MQTT 3.1.1 section 3.3.5).
void WorkerCore::route(const MessagePtr& message, const Session* /*publisher*/) {
  matches_.clear();
  {
    std::shared_lock lock(shared_.subscriptions_lock);
    shared_.subscriptions.match(
        message->topic, [&](const Subscriber& subscriber) { matches_.push_back(subscriber); },
        [&](std::string_view, std::span<const Subscriber> members) {
          // Shared subscriptions (MQTT 5.0 section 4.8.2): one member per group.
          if (!members.empty()) {
            matches_.push_back(members[std::hash<const void*>{}(message.get()) % members.size()]);
          }
        });
  }
  if (matches_.empty()) return;
  std::sort(matches_.begin(), matches_.end(), [](const Subscriber& a, const Subscriber& b) {
    return a.session < b.session ||
           (a.session == b.session && a.options.max_qos > b.options.max_qos);
  });
  SessionId previous = 0;
  for (const Subscriber& match : matches_) {
    if (match.session == previous) continue;  // a lower-QoS overlap of the same session
    previous = match.session;
    // [MQTT-3.3.1-9]: the retain flag is cleared on messages to established subscriptions.
    QoS qos = shared_.limits.upgrade_outgoing_qos ? match.options.max_qos
                                                  : min_qos(message->qos, match.options.max_qos);
    Delivery delivery{match.session, {message, qos, false}};
    unsigned owner = session_owner(match.session);
    if (owner == index_) {
      deliver(delivery);
    } else {
      outbox_.post(owner, std::move(delivery));
    }
  }
}

void WorkerCore::deliver(const Delivery& delivery) {
  Session* session = sessions_.find(delivery.session);
  if (!session) return;  // the session ended meanwhile
  deliver_to(*session, delivery.out);
}

void WorkerCore::deliver_to(Session& session, Outgoing out) {
  const BrokerLimits& limits = shared_.limits;
  ClientState* client = session.client;
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
  bool window_open =
      limits.max_inflight_messages == 0 || session.inflight.size() < limits.max_inflight_messages;
  if (client && window_open && session.queue.empty()) {
    std::uint16_t packet_id = next_packet_id(session);
    session.inflight.push_back({packet_id, out, false});
    if (store) store->delivery_added(session.client_id, {out.seq, out, packet_id, false});
    send_publish(session, out, packet_id, false);
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

std::uint16_t WorkerCore::next_packet_id(Session& session) {
  // The next id not in flight; the window is far smaller than 65,535, so this ends quickly.
  while (true) {
    session.last_packet_id = static_cast<std::uint16_t>(session.last_packet_id + 1);
    if (session.last_packet_id == 0) continue;
    std::uint16_t id = session.last_packet_id;
    bool used = std::any_of(session.inflight.begin(), session.inflight.end(),
                            [id](const Inflight& f) { return f.packet_id == id; });
    if (!used) return id;
  }
}

void WorkerCore::send_publish(Session& session, const Outgoing& out, std::uint16_t packet_id,
                              bool dup) {
  ClientState& client = *session.client;
  const Message& message = *out.message;
  scratch_.clear();
  auto header = mqtt::encode_publish_header(message.topic, out.qos, out.retain, dup, packet_id,
                                            &message.properties, message.payload.size(),
                                            client.version, scratch_);
  if (!header) {
    BrokerStats::add(shared_.stats.publish_dropped);
    return;
  }
  client.link->send(scratch_);
  client.link->send_shared(out.message, message.payload);
  BrokerStats::add(shared_.stats.messages_sent);
  BrokerStats::add(shared_.stats.publish_sent);
}

void WorkerCore::pump(Session& session) {
  const BrokerLimits& limits = shared_.limits;
  while (session.client && !session.queue.empty()) {
    Outgoing& next = session.queue.front();
    if (next.qos != QoS::at_most_once) {
      bool window_open = limits.max_inflight_messages == 0 ||
                         session.inflight.size() < limits.max_inflight_messages;
      if (!window_open) return;
      std::uint16_t packet_id = next_packet_id(session);
      session.inflight.push_back({packet_id, next, false});
      if (SessionStore* store = store_of(session)) {
        store->delivery_sent(session.client_id, next.seq, packet_id);
      }
      send_publish(session, next, packet_id, false);
    } else {
      send_publish(session, next, 0, false);
    }
    session.queued_bytes -= std::min(session.queued_bytes, message_bytes(next));
    session.queue.pop_front();
  }
}

void WorkerCore::resume(Session& session) {
  // [MQTT-4.4.0-1]: unacknowledged PUBLISHes again with DUP set, PUBRELs again as they were.
  for (const Inflight& inflight : session.inflight) {
    if (inflight.released) {
      send(*session.client, make_ack<mqtt::Pubrel>(inflight.packet_id));
    } else {
      send_publish(session, inflight.out, inflight.packet_id, true);
    }
  }
  pump(session);
}

void WorkerCore::handle_puback(ClientState& client, std::uint16_t packet_id) {
  Session& session = *client.session;
  SessionStore* store = store_of(session);
  std::erase_if(session.inflight, [&](const Inflight& f) {
    bool acknowledged = f.packet_id == packet_id && f.out.qos == QoS::at_least_once;
    if (acknowledged && store) store->delivery_removed(session.client_id, f.out.seq);
    return acknowledged;
  });
  pump(session);
}

void WorkerCore::handle_pubrec(ClientState& client, std::uint16_t packet_id) {
  Session& session = *client.session;
  for (Inflight& f : session.inflight) {
    if (f.packet_id == packet_id && f.out.qos == QoS::exactly_once && !f.released) {
      if (SessionStore* store = store_of(session)) {
        store->delivery_released(session.client_id, f.out.seq);
      }
      f.released = true;
      f.out.message.reset();  // only the PUBREL is re-sent from here on
    }
  }
  send(client, make_ack<mqtt::Pubrel>(packet_id));
}

void WorkerCore::handle_pubcomp(ClientState& client, std::uint16_t packet_id) {
  Session& session = *client.session;
  SessionStore* store = store_of(session);
  std::erase_if(session.inflight, [&](const Inflight& f) {
    bool completed = f.packet_id == packet_id && f.released;
    if (completed && store) store->delivery_removed(session.client_id, f.out.seq);
    return completed;
  });
  pump(session);
}

}  // namespace tern::broker
