// Connection life cycle of WorkerCore: CONNECT, sessions, takeover, wills, keepalive, expiry.
// PUBLISH and SUBSCRIBE handling are in worker_publish.cpp and worker_subscribe.cpp.
#include "broker/worker_core.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

namespace tern::broker {

using mqtt::Connack;
using mqtt::ReasonCode;
using mqtt::Version;

namespace {

// MQTT 3.1 allows client identifiers of 1 to 23 characters (3.1 section 3.1).
constexpr std::size_t kMaxClientIdV31 = 23;

std::string protocol_name(Version version) {
  switch (version) {
    case Version::v3_1:
      return "p1";
    case Version::v3_1_1:
      return "p2";
    case Version::v5:
      return "p5";
  }
  return "p?";
}

}  // namespace

WorkerCore::WorkerCore(BrokerState& shared, unsigned index, Outbox& outbox)
    : shared_(shared),
      index_(index),
      outbox_(outbox),
      sessions_(index),
      store_(shared.store ? shared.store->open_sessions(index) : nullptr) {}

WorkerCore::~WorkerCore() = default;

ClientState* WorkerCore::on_open(Link* link, Clock::time_point now) {
  auto client = std::make_unique<ClientState>();
  client->link = link;
  client->last_received = now;
  client->opened_at = now;
  now_ = now;
  ClientState* raw = client.get();
  clients_.emplace(raw, std::move(client));
  return raw;
}

void WorkerCore::send(ClientState& client, const mqtt::Packet& packet) {
  scratch_.clear();
  auto size = mqtt::encode(packet, client.version, scratch_);
  if (!size) {
    spdlog::error("cannot encode {} for {}: {}", mqtt::to_string(mqtt::type_of(packet)),
                  client.client_id, mqtt::describe(size.error()));
    return;
  }
  client.link->send(scratch_);
  BrokerStats::add(shared_.stats.messages_sent);
}

PacketOutcome WorkerCore::on_packet(ClientState* client_ptr, mqtt::Packet& packet,
                                    Clock::time_point now) {
  ClientState& client = *client_ptr;
  now_ = now;
  client.last_received = now;
  BrokerStats::add(shared_.stats.messages_received);
  if (auto* connect = std::get_if<mqtt::Connect>(&packet)) {
    if (client.connected) {
      drop(client, "second CONNECT");  // [MQTT-3.1.0-2]
      return {};
    }
    return handle_connect(client, *connect, now);
  }
  if (!client.connected) {
    drop(client, "first packet is not CONNECT");  // [MQTT-3.1.0-1]
    return {};
  }
  std::visit(
      [&](auto& p) {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, mqtt::Publish>) {
          handle_publish(client, p);
        } else if constexpr (std::is_same_v<P, mqtt::Puback>) {
          handle_puback(client, p.packet_id);
        } else if constexpr (std::is_same_v<P, mqtt::Pubrec>) {
          handle_pubrec(client, p.packet_id);
        } else if constexpr (std::is_same_v<P, mqtt::Pubrel>) {
          // QoS 2 from the client, second half: the message was delivered on PUBLISH.
          Session& session = *client.session;
          if (session.awaiting_pubrel.erase(p.packet_id) > 0) {
            if (SessionStore* store = store_of(session)) {
              store->pubrel_received(session.client_id, p.packet_id);
            }
          }
          send(client, make_ack<mqtt::Pubcomp>(p.packet_id));
        } else if constexpr (std::is_same_v<P, mqtt::Pubcomp>) {
          handle_pubcomp(client, p.packet_id);
        } else if constexpr (std::is_same_v<P, mqtt::Subscribe>) {
          handle_subscribe(client, p);
        } else if constexpr (std::is_same_v<P, mqtt::Unsubscribe>) {
          handle_unsubscribe(client, p);
        } else if constexpr (std::is_same_v<P, mqtt::Pingreq>) {
          send(client, mqtt::Pingresp{});
        } else if constexpr (std::is_same_v<P, mqtt::Disconnect>) {
          // A clean DISCONNECT discards the will [MQTT-3.14.4-3].
          spdlog::info("Client {} disconnected.", client.client_id);
          detach(client, /*publish_will=*/false);
          close_link(client);
        } else {
          drop(client, "unexpected packet");
        }
      },
      packet);
  return {};
}

PacketOutcome WorkerCore::handle_connect(ClientState& client, mqtt::Connect& connect,
                                         Clock::time_point now) {
  client.version = connect.version;
  auto refuse = [&](ReasonCode code, std::string_view why) {
    spdlog::info("Client {} from {} refused: {}.", connect.client_id, client.link->address(), why);
    BrokerStats::add(shared_.stats.connections_refused);
    send(client, make_connack(false, code));
    close_link(client);
    return PacketOutcome{};
  };

  if (connect.version == Version::v5) {
    // MQTT 5.0 behaviour is not implemented yet: answer as a 3.1.1 server must, with return
    // code 0x01, rather than half-serve 5.0 clients [MQTT-3.1.2-2].
    client.version = Version::v3_1_1;
    return refuse(ReasonCode::unsupported_protocol_version, "MQTT 5.0 is not supported yet");
  }
  if (connect.client_id.empty()) {
    // [MQTT-3.1.3-8]: a zero-length id needs a clean session; MQTT 3.1 has no empty ids at all.
    if (!connect.clean_start || connect.version == Version::v3_1 ||
        !shared_.limits.allow_zero_length_clientid) {
      return refuse(ReasonCode::client_identifier_not_valid, "empty client id");
    }
    // [MQTT-3.1.3-6]: assign a unique id, chosen so that this worker owns it.
    static thread_local std::mt19937_64 random{std::random_device{}()};
    do {
      connect.client_id = fmt::format("auto-{:016X}", random());
    } while (shared_.owner_of(connect.client_id) != index_);
  }
  if (connect.version == Version::v3_1 && connect.client_id.size() > kMaxClientIdV31) {
    return refuse(ReasonCode::client_identifier_not_valid, "client id longer than 23 characters");
  }
  if (connect.keep_alive > shared_.limits.max_keepalive) {
    // MQTT 3.1.1 cannot tell a client to use less, so the CONNECT is refused, as Mosquitto does.
    return refuse(ReasonCode::client_identifier_not_valid, "keepalive above max_keepalive");
  }
  if (shared_.authenticate && !shared_.authenticate(connect.username, connect.password)) {
    bool anonymous = !connect.username.has_value();
    return refuse(anonymous ? ReasonCode::not_authorized : ReasonCode::bad_username_or_password,
                  anonymous ? "anonymous clients are not allowed" : "bad username or password");
  }

  if (connect.will && !within_depth(connect.will->topic)) {
    // A will that could never be published is refused with the connection, as its PUBLISH
    // would be (handle_publish).
    drop(client, "will topic has too many levels");
    return {};
  }

  unsigned owner = shared_.owner_of(connect.client_id);
  if (owner != index_) return PacketOutcome{owner};

  client.client_id = connect.client_id;
  client.username = connect.username;
  client.keep_alive = connect.keep_alive;
  client.will = std::move(connect.will);
  client.last_received = now;

  // Takeover [MQTT-3.1.4-2]: the existing connection with this id is closed, will and all.
  Session* existing = sessions_.find(client.client_id);
  if (existing && existing->client) {
    ClientState& old = *existing->client;
    spdlog::info("Client {} already connected, closing old connection.", client.client_id);
    detach(old, /*publish_will=*/true);
    close_link(old);
    existing = sessions_.find(client.client_id);  // a clean session has ended
  }

  if (existing && connect.clean_start) {
    end_session(*existing);
    existing = nullptr;
  }
  bool session_present = existing != nullptr;  // [MQTT-3.2.2-2]
  Session* session = existing;
  if (!session) {
    session = &sessions_.create(client.client_id);
    BrokerStats::add(shared_.stats.clients_total);
  }
  sessions_.set_online(*session);
  // MQTT 3.1.1: a clean session ends with its connection, a persistent one lasts until cleaned
  // or until persistent_client_expiration.
  auto expiration = shared_.limits.persistent_client_expiration;
  auto expiry_interval = connect.clean_start      ? std::chrono::seconds{0}
                         : expiration.count() > 0 ? expiration
                                                  : kNeverExpires;
  if (store_ && expiry_interval.count() > 0 &&
      (!session_present || expiry_interval != session->expiry_interval)) {
    store_->session_saved(session->client_id, expiry_interval);
  }
  session->expiry_interval = expiry_interval;
  session->client = &client;
  client.session = session;
  client.connected = true;
  std::uint64_t connected =
      shared_.stats.clients_connected.fetch_add(1, std::memory_order_relaxed) + 1;
  std::uint64_t maximum = BrokerStats::get(shared_.stats.clients_maximum);
  while (connected > maximum &&
         !shared_.stats.clients_maximum.compare_exchange_weak(maximum, connected)) {
  }

  if (shared_.limits.connection_messages) {
    spdlog::info("New client connected from {} as {} ({}, c{}, k{}{}).", client.link->address(),
                 client.client_id, protocol_name(client.version), connect.clean_start ? 1 : 0,
                 client.keep_alive,
                 client.username ? fmt::format(", u'{}'", *client.username) : std::string());
  }
  send(client, make_connack(session_present, ReasonCode::success));
  if (session_present) resume(*session);
  return {};
}

void WorkerCore::on_protocol_error(ClientState* client, mqtt::Errc error) {
  if (!client->connected && error == mqtt::Errc::unsupported_protocol_version) {
    // [MQTT-3.1.2-2]: a CONNECT with a level we do not speak gets CONNACK 0x01 (unacceptable
    // protocol level), in the 3.1.1 form every version of the protocol can read, then a close.
    client->version = Version::v3_1_1;
    spdlog::info("Client from {} refused: {}.", client->link->address(), mqtt::describe(error));
    BrokerStats::add(shared_.stats.connections_refused);
    send(*client, make_connack(false, ReasonCode::unsupported_protocol_version));
    close_link(*client);
    return;
  }
  drop(*client, mqtt::describe(error));
}

bool WorkerCore::within_depth(std::string_view topic) const {
  auto separators = static_cast<std::size_t>(std::count(topic.begin(), topic.end(), '/'));
  return separators < shared_.limits.max_topic_levels;
}

void WorkerCore::close_link(ClientState& client) {
  // Link::close() is called once per connection (link.h); on_closed follows later.
  if (client.closing) return;
  client.closing = true;
  client.link->close();
}

void WorkerCore::drop(ClientState& client, std::string_view reason) {
  if (client.closing) return;  // already on its way out
  spdlog::info("Client {} from {} disconnected: {}.",
               client.client_id.empty() ? "<unknown>" : client.client_id, client.link->address(),
               reason);
  detach(client, /*publish_will=*/true);
  close_link(client);
}

void WorkerCore::detach(ClientState& client, bool publish_will) {
  if (!client.connected) return;
  client.connected = false;
  BrokerStats::sub(shared_.stats.clients_connected);
  if (publish_will && client.will && client.will->topic.starts_with("$")) {
    // Topics starting with '$' belong to the server (MQTT 3.1.1 section 4.7.2): a will may not
    // publish there any more than a PUBLISH may (see handle_publish).
    spdlog::info("Dropped will of {} to reserved topic '{}'.", client.client_id,
                 client.will->topic);
  } else if (publish_will && client.will) {
    Message message;
    message.topic = std::move(client.will->topic);
    message.payload = std::move(client.will->payload);
    message.qos = client.will->qos;
    message.retain = client.will->retain;
    message.properties = std::move(client.will->properties);
    client.will.reset();
    publish_internal(std::move(message));
  }
  client.will.reset();
  Session* session = client.session;
  client.session = nullptr;
  if (!session) return;
  session->client = nullptr;
  if (session->expiry_interval.count() == 0) {
    end_session(*session);
  } else {
    sessions_.set_offline(*session, now_);
  }
}

void WorkerCore::end_session(Session& session) {
  if (!session.subscriptions.empty()) {
    std::unique_lock lock(shared_.subscriptions_lock);
    for (const auto& [filter, options] : session.subscriptions) {
      if (shared_.subscriptions.unsubscribe(filter, session.id)) {
        BrokerStats::sub(shared_.stats.subscriptions);
      }
    }
  }
  BrokerStats::sub(shared_.stats.clients_total);
  if (SessionStore* store = store_of(session)) store->session_ended(session.client_id);
  sessions_.erase(session);  // destroys `session`
}

void WorkerCore::on_closed(ClientState* client) {
  if (client->connected) {
    spdlog::info("Client {} closed its connection.", client->client_id);
    detach(*client, /*publish_will=*/true);
  }
  clients_.erase(client);
}

void WorkerCore::commit() {
  if (store_) store_->commit();
}

void WorkerCore::restore(StoredSession stored, Clock::time_point now) {
  now_ = now;
  if (stored.expiry_interval.count() == 0 || sessions_.find(stored.client_id)) return;
  Session& session = sessions_.create(std::move(stored.client_id));
  session.expiry_interval = stored.expiry_interval;
  BrokerStats::add(shared_.stats.clients_total);
  SessionStore* store = store_of(session);
  if (store) store->session_saved(session.client_id, session.expiry_interval);

  for (StoredSubscription& subscription : stored.subscriptions) {
    bool added;
    {
      std::unique_lock lock(shared_.subscriptions_lock);
      added =
          shared_.subscriptions.subscribe(subscription.filter, session.id, subscription.options);
    }
    if (added) BrokerStats::add(shared_.stats.subscriptions);
    if (store)
      store->subscription_added(session.client_id, subscription.filter, subscription.options);
    session.subscriptions.insert_or_assign(std::move(subscription.filter), subscription.options);
  }
  // In flight first (they were sent before anything still queued), each with its packet id; the
  // client gets them again with DUP set when it returns (resume).
  for (StoredDelivery& delivery : stored.deliveries) {
    session.last_seq = std::max(session.last_seq, delivery.seq);
    delivery.out.seq = delivery.seq;
    if (store) store->delivery_added(session.client_id, delivery);
    if (delivery.packet_id != 0) {
      session.last_packet_id = delivery.packet_id;
      session.inflight.push_back({delivery.packet_id, std::move(delivery.out), delivery.released});
    } else {
      session.queued_bytes +=
          delivery.out.message->topic.size() + delivery.out.message->payload.size();
      session.queue.push_back(std::move(delivery.out));
    }
  }
  for (std::uint16_t packet_id : stored.awaiting_pubrel) {
    session.awaiting_pubrel.insert(packet_id);
    if (store) store->pubrel_awaited(session.client_id, packet_id);
  }
  sessions_.set_offline(session, now);
}

void WorkerCore::on_handed_over(ClientState* client) {
  clients_.erase(client);
}

void WorkerCore::on_tick(Clock::time_point now) {
  now_ = now;
  // Keepalive: one and a half times the interval without a packet [MQTT-3.1.2-24].
  std::vector<ClientState*> expired;
  std::vector<ClientState*> silent;
  for (auto& [raw, client] : clients_) {
    if (!client->connected && !client->closing &&
        now - client->opened_at > shared_.limits.connect_timeout) {
      silent.push_back(raw);
    }
    if (client->connected && client->keep_alive > 0 &&
        now - client->last_received > std::chrono::milliseconds(client->keep_alive * 1500)) {
      expired.push_back(raw);
    }
  }
  for (ClientState* client : expired)
    drop(*client, "keepalive timeout");
  for (ClientState* client : silent)
    drop(*client, "no CONNECT in time");

  for (Session* session : sessions_.expired(now)) {
    spdlog::info("Expiring client {}.", session->client_id);
    end_session(*session);
  }
}

}  // namespace tern::broker
