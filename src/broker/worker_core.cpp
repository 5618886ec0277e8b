// Connection life cycle of WorkerCore: CONNECT, sessions, takeover, wills, keepalive, expiry,
// DISCONNECT. PUBLISH and SUBSCRIBE handling are in worker_publish.cpp and worker_subscribe.cpp.
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

std::chrono::seconds expiry_from_property(std::uint32_t interval) {
  return interval == 0xFFFFFFFF ? kNeverExpires : std::chrono::seconds(interval);
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
  raw->slot = static_cast<std::uint32_t>(clients_.size());
  clients_.push_back(std::move(client));
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
  if (client.maximum_packet_size > 0 && *size > client.maximum_packet_size) {
    // [MQTT-3.1.2-24]: nothing larger than the client allows. A packet too large because of its
    // Reason String or User Properties goes without them ([MQTT-3.4.2-2] and the like).
    mqtt::Packet slim = packet;
    bool trimmed = false;
    std::visit(
        [&](auto& p) {
          if constexpr (requires { p.properties; }) {
            trimmed = p.properties.reason_string || !p.properties.user_properties.empty();
            p.properties.reason_string.reset();
            p.properties.user_properties.clear();
          }
        },
        slim);
    scratch_.clear();
    size = mqtt::encode(slim, client.version, scratch_);
    if (!trimmed || !size || *size > client.maximum_packet_size) return;
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
      drop(client, ReasonCode::protocol_error, "second CONNECT");  // [MQTT-3.1.0-2]
      return {};
    }
    return handle_connect(client, *connect, now);
  }
  if (!client.connected) {
    drop(client, ReasonCode::protocol_error, "first packet is not CONNECT");  // [MQTT-3.1.0-1]
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
          handle_pubrec(client, p);
        } else if constexpr (std::is_same_v<P, mqtt::Pubrel>) {
          handle_pubrel(client, p);
        } else if constexpr (std::is_same_v<P, mqtt::Pubcomp>) {
          handle_pubcomp(client, p.packet_id);
        } else if constexpr (std::is_same_v<P, mqtt::Subscribe>) {
          handle_subscribe(client, p);
        } else if constexpr (std::is_same_v<P, mqtt::Unsubscribe>) {
          handle_unsubscribe(client, p);
        } else if constexpr (std::is_same_v<P, mqtt::Pingreq>) {
          send(client, mqtt::Pingresp{});
        } else if constexpr (std::is_same_v<P, mqtt::Disconnect>) {
          handle_disconnect(client, p);
        } else if constexpr (std::is_same_v<P, mqtt::Auth>) {
          // No authentication method is offered, so no AUTH exchange can be under way
          // [MQTT-4.12.0-1].
          drop(client, ReasonCode::protocol_error, "AUTH without an authentication method");
        } else {
          drop(client, ReasonCode::protocol_error, "unexpected packet");
        }
      },
      packet);
  return {};
}

std::optional<std::pair<ReasonCode, std::string_view>> WorkerCore::check_connect(
    const mqtt::Connect& connect) const {
  const BrokerLimits& limits = shared_.limits;
  bool v5 = connect.version == Version::v5;
  if (limits.server_reference) {
    // MQTT 5.0 section 4.11: redirect 5.0 clients; older ones can only be told the server is
    // unavailable (return code 3).
    if (!v5) return std::pair{ReasonCode::server_unavailable, "redirected to another server"};
    return std::pair{
        limits.server_moved ? ReasonCode::server_moved : ReasonCode::use_another_server,
        "redirected to another server"};
  }
  if (v5 && connect.properties.authentication_method) {
    // Extended authentication (section 4.12): no method is offered yet.
    return std::pair{ReasonCode::bad_authentication_method, "unsupported authentication method"};
  }
  if (connect.client_id.empty()) {
    // [MQTT-3.1.3-8]: a zero-length id needs a clean session in 3.1.1 (5.0 allows it with any
    // Clean Start [MQTT-3.1.3-6]); MQTT 3.1 has no empty ids at all.
    if ((!v5 && !connect.clean_start) || connect.version == Version::v3_1 ||
        !limits.allow_zero_length_clientid) {
      return std::pair{ReasonCode::client_identifier_not_valid, "empty client id"};
    }
  }
  if (connect.version == Version::v3_1 && connect.client_id.size() > kMaxClientIdV31) {
    return std::pair{ReasonCode::client_identifier_not_valid,
                     "client id longer than 23 characters"};
  }
  if (!v5 && connect.keep_alive > limits.max_keepalive) {
    // MQTT 3.1.1 cannot tell a client to use less, so the CONNECT is refused, as Mosquitto does.
    // A 5.0 client is given Server Keep Alive instead (accepted_connack).
    return std::pair{ReasonCode::client_identifier_not_valid, "keepalive above max_keepalive"};
  }
  if (shared_.authenticate && !shared_.authenticate(connect.username, connect.password)) {
    bool anonymous = !connect.username.has_value();
    return std::pair{anonymous ? ReasonCode::not_authorized : ReasonCode::bad_username_or_password,
                     anonymous ? "anonymous clients are not allowed" : "bad username or password"};
  }
  if (connect.will && !within_depth(connect.will->topic)) {
    return std::pair{ReasonCode::topic_name_invalid, "will topic has too many levels"};
  }
  if (v5 && connect.will) {
    if (connect.will->qos > limits.max_qos) {
      return std::pair{ReasonCode::qos_not_supported, "will QoS above max_qos"};  // [MQTT-3.2.2-12]
    }
    if (connect.will->retain && !limits.retain_available) {
      return std::pair{ReasonCode::retain_not_supported, "retained will"};  // [MQTT-3.2.2-13]
    }
  }
  return std::nullopt;
}

mqtt::Connack WorkerCore::accepted_connack(const ClientState& client, const mqtt::Connect& connect,
                                           bool session_present, bool assigned_id) const {
  Connack connack = make_connack(session_present, ReasonCode::success);
  if (client.version != Version::v5) return connack;
  const BrokerLimits& limits = shared_.limits;
  mqtt::Properties& p = connack.properties;
  if (assigned_id) p.assigned_client_identifier = client.client_id;  // [MQTT-3.2.2-16]
  if (client.keep_alive != connect.keep_alive) p.server_keep_alive = client.keep_alive;
  if (limits.max_inflight_messages > 0 && limits.max_inflight_messages < 65'535) {
    p.receive_maximum = static_cast<std::uint16_t>(limits.max_inflight_messages);
  }
  if (limits.max_qos != mqtt::QoS::exactly_once) {
    p.maximum_qos = static_cast<std::uint8_t>(limits.max_qos);
  }
  if (!limits.retain_available) p.retain_available = 0;
  if (limits.max_packet_size < mqtt::kMaxPacketSize) p.maximum_packet_size = limits.max_packet_size;
  if (limits.max_topic_alias > 0) p.topic_alias_maximum = limits.max_topic_alias;
  if (!limits.shared_subscriptions) p.shared_subscription_available = 0;
  return connack;
}

PacketOutcome WorkerCore::handle_connect(ClientState& client, mqtt::Connect& connect,
                                         Clock::time_point now) {
  client.version = connect.version;
  bool v5 = connect.version == Version::v5;
  if (v5) client.problem_information = connect.properties.request_problem_information != 0;
  if (auto refusal = check_connect(connect)) {
    auto [code, why] = *refusal;
    spdlog::info("Client {} from {} refused: {}.", connect.client_id, client.link->address(), why);
    BrokerStats::add(shared_.stats.connections_refused);
    Connack connack = make_connack(false, code);
    if (v5 && client.problem_information) connack.properties.reason_string = std::string(why);
    if (v5 && shared_.limits.server_reference) {
      connack.properties.server_reference = *shared_.limits.server_reference;
    }
    send(client, connack);
    close_link(client);
    return {};
  }

  bool assigned_id = false;
  if (connect.client_id.empty()) {
    // [MQTT-3.1.3-6]: assign a unique id, chosen so that this worker owns it.
    do {
      connect.client_id = fmt::format("auto-{:016X}", random_());
    } while (shared_.owner_of(connect.client_id) != index_);
    assigned_id = true;
  }
  unsigned owner = shared_.owner_of(connect.client_id);
  if (owner != index_) return PacketOutcome{owner};

  const BrokerLimits& limits = shared_.limits;
  client.client_id = connect.client_id;
  client.username = connect.username;
  client.keep_alive = connect.keep_alive;
  if (connect.will) client.will = std::make_unique<mqtt::Will>(std::move(*connect.will));
  client.last_received = now;
  std::uint32_t asked_expiry = 0;
  if (v5) {
    const mqtt::Properties& p = connect.properties;
    client.receive_maximum = p.receive_maximum.value_or(65'535);
    client.maximum_packet_size = p.maximum_packet_size.value_or(0);
    client.problem_information = p.request_problem_information.value_or(1) != 0;
    client.aliases_out_max =
        std::min(p.topic_alias_maximum.value_or(0), limits.max_topic_alias_broker);
    client.aliases_in_max = limits.max_topic_alias;
    asked_expiry = p.session_expiry_interval.value_or(0);
    client.session_expiry_was_zero = asked_expiry == 0;
    // Section 3.2.2.3.14: the server may set the keep alive the client must use.
    if (limits.max_keepalive < 65'535 &&
        (client.keep_alive == 0 || client.keep_alive > limits.max_keepalive)) {
      client.keep_alive = limits.max_keepalive;
    }
  }

  // Takeover [MQTT-3.1.4-2]: the existing connection with this id is closed, will and all.
  Session* existing = sessions_.find(client.client_id);
  if (existing && existing->client) {
    ClientState& old = *existing->client;
    spdlog::info("Client {} already connected, closing old connection.", client.client_id);
    drop(old, ReasonCode::session_taken_over, "session taken over");
    existing = sessions_.find(client.client_id);  // a session that ended with it is gone
  }

  if (existing && connect.clean_start) {
    end_session(*existing);  // [MQTT-3.1.2-4]; publishes a will still waiting (3.1.3.2.2)
    existing = nullptr;
  }
  bool session_present = existing != nullptr;  // [MQTT-3.2.2-2]
  Session* session = existing;
  if (!session) {
    session = &sessions_.create(client.client_id);
    BrokerStats::add(shared_.stats.clients_total);
  }
  sessions_.set_online(*session);
  if (session->pending_will) {
    // The client is back before its will's delay ran out [MQTT-3.1.3-9].
    will_deadlines_.erase({session->pending_will->at, session->id});
    session->pending_will.reset();
  }
  // MQTT 3.1.1: a clean session ends with its connection, a persistent one lasts until cleaned or
  // until persistent_client_expiration. MQTT 5.0: the Session Expiry Interval says how long;
  // persistent_client_expiration bounds the ones that never expire.
  auto expiration = limits.persistent_client_expiration;
  std::chrono::seconds expiry_interval =
      v5 ? expiry_from_property(asked_expiry)
         : (connect.clean_start ? std::chrono::seconds{0} : kNeverExpires);
  if (expiry_interval == kNeverExpires && expiration.count() > 0) expiry_interval = expiration;
  if (store_ && expiry_interval.count() > 0 &&
      (!session_present || expiry_interval != session->expiry_interval)) {
    store_->session_saved(session->client_id, expiry_interval);
  }
  if (store_ && expiry_interval.count() == 0 && session->expiry_interval.count() > 0) {
    store_->session_ended(session->client_id);  // from here on it ends with the connection
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

  if (limits.connection_messages) {
    spdlog::info("New client connected from {} as {} ({}, c{}, k{}{}).", client.link->address(),
                 client.client_id, protocol_name(client.version), connect.clean_start ? 1 : 0,
                 client.keep_alive,
                 client.username ? fmt::format(", u'{}'", *client.username) : std::string());
  }
  send(client, accepted_connack(client, connect, session_present, assigned_id));
  if (session_present) resume(*session);
  return {};
}

void WorkerCore::handle_disconnect(ClientState& client, const mqtt::Disconnect& disconnect) {
  if (client.version == Version::v5) {
    if (auto expiry = disconnect.properties.session_expiry_interval) {
      if (client.session_expiry_was_zero && *expiry != 0) {
        // [MQTT-3.14.2-2]: a session that was to end cannot be made to last at the last moment.
        drop(client, ReasonCode::protocol_error, "session expiry set on DISCONNECT after 0");
        return;
      }
      Session& session = *client.session;
      auto interval = expiry_from_property(*expiry);
      auto expiration = shared_.limits.persistent_client_expiration;
      if (interval == kNeverExpires && expiration.count() > 0) interval = expiration;
      if (store_ && interval != session.expiry_interval) {
        if (interval.count() == 0) {
          store_->session_ended(session.client_id);
        } else {
          store_->session_saved(session.client_id, interval);
        }
      }
      session.expiry_interval = interval;
    }
    if (disconnect.reason_code == ReasonCode::disconnect_with_will) {
      // Section 3.14.2.1: the client asks for its will to be published.
      spdlog::info("Client {} disconnected with its will.", client.client_id);
      detach(client, /*publish_will=*/true);
      close_link(client);
      return;
    }
  }
  // A normal DISCONNECT discards the will [MQTT-3.14.4-3].
  spdlog::info("Client {} disconnected.", client.client_id);
  detach(client, /*publish_will=*/false);
  close_link(client);
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
  drop(*client, mqtt::reason_code(error), mqtt::describe(error));
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

void WorkerCore::drop(ClientState& client, ReasonCode code, std::string_view reason) {
  if (client.closing) return;  // already on its way out
  spdlog::info("Client {} from {} disconnected: {}.",
               client.client_id.empty() ? "<unknown>" : client.client_id, client.link->address(),
               reason);
  if (client.version == Version::v5 && client.connected) {
    // Section 3.14: a 5.0 client learns why before the close; a DISCONNECT may only follow a
    // CONNACK [MQTT-3.14.0-1].
    mqtt::Disconnect disconnect;
    disconnect.reason_code = code;
    if (client.problem_information) disconnect.properties.reason_string = std::string(reason);
    send(client, disconnect);
  }
  detach(client, /*publish_will=*/true);
  close_link(client);
}

Message WorkerCore::will_message(mqtt::Will will) const {
  Message message;
  message.topic = std::move(will.topic);
  message.payload = std::move(will.payload);
  message.qos = will.qos;
  message.retain = will.retain;
  message.properties = std::move(will.properties);
  // Will properties that are not application-message properties stay behind (3.1.3.2).
  message.properties.will_delay_interval.reset();
  // Its Message Expiry Interval starts when it is published (3.1.3.2.3), in publish_internal.
  return message;
}

void WorkerCore::publish_will(ClientState& client) {
  if (!client.will) return;
  mqtt::Will will = std::move(*client.will);
  client.will.reset();
  if (will.topic.starts_with("$")) {
    // Topics starting with '$' belong to the server (MQTT 3.1.1 section 4.7.2): a will may not
    // publish there any more than a PUBLISH may (see handle_publish).
    spdlog::info("Dropped will of {} to reserved topic '{}'.", client.client_id, will.topic);
    return;
  }
  std::uint32_t delay = will.properties.will_delay_interval.value_or(0);
  Session* session = client.session;
  if (delay > 0 && session && session->expiry_interval.count() > 0) {
    // [MQTT-3.1.3-9]: held until the delay passes or the session ends, whichever is first.
    session->pending_will = std::make_unique<PendingWill>(
        PendingWill{will_message(std::move(will)), now_ + std::chrono::seconds(delay)});
    will_deadlines_.emplace(session->pending_will->at, session->id);
    return;
  }
  publish_internal(will_message(std::move(will)));
}

void WorkerCore::publish_pending_will(Session& session) {
  if (!session.pending_will) return;
  will_deadlines_.erase({session.pending_will->at, session.id});
  Message will = std::move(session.pending_will->message);
  session.pending_will.reset();
  publish_internal(std::move(will));
}

void WorkerCore::detach(ClientState& client, bool publish_will_now) {
  if (!client.connected) return;
  client.connected = false;
  BrokerStats::sub(shared_.stats.clients_connected);
  if (publish_will_now) publish_will(client);
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
  publish_pending_will(session);  // the session ends before the will's delay [MQTT-3.1.3-9]
  redistribute(session);
  BrokerStats::sub(shared_.stats.clients_total);
  if (SessionStore* store = store_of(session)) store->session_ended(session.client_id);
  sessions_.erase(session);  // destroys `session`
}

void WorkerCore::on_closed(ClientState* client) {
  if (client->connected) {
    spdlog::info("Client {} closed its connection.", client->client_id);
    detach(*client, /*publish_will=*/true);
  }
  forget(client);
}

void WorkerCore::on_handed_over(ClientState* client) {
  forget(client);
}

void WorkerCore::forget(ClientState* client) {
  // The last client takes the leaving one's place in the vector.
  std::uint32_t slot = client->slot;
  if (slot + 1u != clients_.size()) {
    clients_[slot] = std::move(clients_.back());
    clients_[slot]->slot = slot;
  }
  clients_.pop_back();
}

void WorkerCore::shutdown() {
  for (auto& client : clients_) {
    if (client->closing) continue;
    if (client->connected && client->version == Version::v5) {
      mqtt::Disconnect disconnect;
      disconnect.reason_code = ReasonCode::server_shutting_down;  // section 3.14.2.1
      send(*client, disconnect);
    }
    // Wills are not published: every subscriber is being disconnected too.
    detach(*client, /*publish_will=*/false);
    close_link(*client);
  }
}

std::size_t WorkerCore::disconnect_where(const std::function<bool(const ClientState&)>& should_go,
                                         std::string_view reason) {
  std::vector<ClientState*> leaving;
  for (auto& client : clients_) {
    if (client->connected && !client->closing && should_go(*client)) {
      leaving.push_back(client.get());
    }
  }
  for (ClientState* client : leaving)
    drop(*client, ReasonCode::administrative_action, reason);
  return leaving.size();
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
    if (store) {
      store->subscription_added(session.client_id, subscription.filter, subscription.options);
    }
    session.subscriptions.insert_or_assign(std::move(subscription.filter), subscription.options);
  }
  // In flight first (they were sent before anything still queued), each with its packet id; the
  // client gets them again with DUP set when it returns (resume).
  for (StoredDelivery& delivery : stored.deliveries) {
    session.last_seq = std::max(session.last_seq, delivery.seq);
    delivery.out.seq = delivery.seq;
    if (store) store->delivery_added(session.client_id, delivery);
    if (delivery.packet_id != 0) {
      session.inflight.set_last_packet_id(delivery.packet_id);
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

void WorkerCore::on_tick(Clock::time_point now) {
  now_ = now;
  // Keepalive: one and a half times the interval without a packet [MQTT-3.1.2-24].
  std::vector<ClientState*> expired;
  std::vector<ClientState*> silent;
  for (auto& client : clients_) {
    if (!client->connected && !client->closing &&
        now - client->opened_at > shared_.limits.connect_timeout) {
      silent.push_back(client.get());
    }
    if (client->connected && client->keep_alive > 0 &&
        now - client->last_received > std::chrono::milliseconds(client->keep_alive * 1500)) {
      expired.push_back(client.get());
    }
  }
  for (ClientState* client : expired)
    drop(*client, ReasonCode::keep_alive_timeout, "keepalive timeout");
  for (ClientState* client : silent)
    drop(*client, ReasonCode::maximum_connect_time, "no CONNECT in time");

  // Wills whose delay has passed (MQTT 5.0 section 3.1.3.2.2).
  while (!will_deadlines_.empty() && will_deadlines_.begin()->first <= now) {
    Session* session = sessions_.find(will_deadlines_.begin()->second);
    if (!session) {
      will_deadlines_.erase(will_deadlines_.begin());
      continue;
    }
    publish_pending_will(*session);
  }

  for (Session* session : sessions_.expired(now)) {
    spdlog::info("Expiring client {}.", session->client_id);
    end_session(*session);
  }
}

}  // namespace tern::broker
