// WorkerCore: the MQTT 3.1, 3.1.1 and 5.0 server behaviour of one worker thread, free of sockets.
//
// The server layer feeds it decoded packets, closed connections, deliveries posted by other
// workers and clock ticks; it answers through each connection's Link and posts deliveries for
// sessions other workers own through the Outbox. Time comes in as arguments, so keepalive and
// expiry are tested without sleeping.
//
// Not thread-safe: each worker thread has its own WorkerCore. Shared state is in BrokerState.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/broker_state.h"
#include "broker/link.h"
#include "broker/session.h"
#include "broker/session_registry.h"
#include "broker/store.h"
#include "mqtt/codec.h"

namespace tern::broker {

// A message for a session, routed to the worker that owns it.
struct Delivery {
  SessionId session = 0;
  Outgoing out;
};

// How a worker hands deliveries to another worker (a queue; see server/worker.h).
class Outbox {
 public:
  virtual ~Outbox() = default;
  virtual void post(unsigned worker, Delivery delivery) = 0;
};

// Per-connection state. Created by on_open, owned by the WorkerCore until on_closed.
struct ClientState {
  // Fields ordered by size: one per connection, so padding counts.
  Link* link = nullptr;
  Session* session = nullptr;
  std::unique_ptr<mqtt::Will> will;  // by pointer: most clients have none, and it is large
  Clock::time_point last_received{};
  Clock::time_point opened_at{};
  std::string client_id;
  std::optional<std::string> username;
  // Topic aliases (MQTT 5.0), made on first use: most clients never use them.
  std::unique_ptr<std::vector<std::string>> aliases_in;  // client -> broker, by Topic Alias
  std::unique_ptr<std::unordered_map<std::string, std::uint16_t>> aliases_out;  // by topic

  std::uint32_t slot = 0;                 // in WorkerCore::clients_
  std::uint32_t maximum_packet_size = 0;  // MQTT 5.0; 0: no limit beyond the protocol's
  std::uint16_t keep_alive = 0;
  std::uint16_t receive_maximum = 65'535;  // MQTT 5.0: QoS 1/2 PUBLISHes it takes unacknowledged
  std::uint16_t aliases_in_max = 0;        // the Topic Alias Maximum we granted
  std::uint16_t aliases_out_max = 0;       // the client's Topic Alias Maximum (or ours, lower)
  mqtt::Version version = mqtt::Version::v3_1_1;
  bool connected = false;               // CONNECT accepted
  bool closing = false;                 // the core closed the link; on_closed is still to come
  bool problem_information = true;      // MQTT 5.0: reason strings allowed [MQTT-3.1.2-29]
  bool session_expiry_was_zero = true;  // for the DISCONNECT rule [MQTT-3.14.2-2]
};

// What the server must do after a packet.
struct PacketOutcome {
  // The CONNECT belongs to another worker: move the connection there and give it the CONNECT.
  std::optional<unsigned> hand_over_to;
};

// Packets the core sends, without spelling out every field.
template <class Ack>
Ack make_ack(std::uint16_t packet_id) {
  Ack ack;
  ack.packet_id = packet_id;
  return ack;
}
inline mqtt::Connack make_connack(bool session_present, mqtt::ReasonCode code) {
  mqtt::Connack connack;
  connack.session_present = session_present;
  connack.reason_code = code;
  return connack;
}

class WorkerCore {
 public:
  WorkerCore(BrokerState& shared, unsigned index, Outbox& outbox);
  ~WorkerCore();

  ClientState* on_open(Link* link, Clock::time_point now);
  // On a hand-over `packet` (the CONNECT) is left intact for the worker that takes over.
  PacketOutcome on_packet(ClientState* client, mqtt::Packet& packet, Clock::time_point now);
  // The peer sent bytes that do not decode: `error` says which rule they broke.
  void on_protocol_error(ClientState* client, mqtt::Errc error);
  // The connection is gone (peer closed, socket error, or after close()). Forgets `client`.
  void on_closed(ClientState* client);
  // The connection moved to another worker with its CONNECT (PacketOutcome::hand_over_to).
  void on_handed_over(ClientState* client);
  // Keepalive and session expiry; call about once a second.
  void on_tick(Clock::time_point now);
  // A message routed here by another worker (or this one).
  void deliver(const Delivery& delivery);
  // Publishes a message from the broker itself ($SYS) as if a client had sent it.
  void publish_internal(Message message);
  // The broker is stopping: MQTT 5.0 clients get DISCONNECT 0x8B, then every link is closed.
  void shutdown();
  // An operator's decision (e.g. credentials revoked): connected clients for which `should_go`
  // is true are dropped, MQTT 5.0 ones with DISCONNECT 0x98 Administrative action. Returns how
  // many.
  std::size_t disconnect_where(const std::function<bool(const ClientState&)>& should_go,
                               std::string_view reason);
  // End of a loop turn, before anything is written to a socket: the store makes this turn's
  // records durable (store.h).
  void commit();
  // Recovery: a stored session this worker owns, offline since `now` (store.h).
  void restore(StoredSession stored, Clock::time_point now);

  std::size_t session_count() const { return sessions_.size(); }
  const SessionRegistry& sessions() const { return sessions_; }
  std::size_t connection_count() const { return clients_.size(); }

 private:
  PacketOutcome handle_connect(ClientState& client, mqtt::Connect& connect, Clock::time_point now);
  void handle_publish(ClientState& client, mqtt::Publish& publish);
  void handle_subscribe(ClientState& client, const mqtt::Subscribe& subscribe);
  void handle_unsubscribe(ClientState& client, const mqtt::Unsubscribe& unsubscribe);
  void handle_puback(ClientState& client, std::uint16_t packet_id);
  void handle_pubrec(ClientState& client, const mqtt::Pubrec& pubrec);
  void handle_pubcomp(ClientState& client, std::uint16_t packet_id);

  void handle_pubrel(ClientState& client, const mqtt::Pubrel& pubrel);
  void handle_disconnect(ClientState& client, const mqtt::Disconnect& disconnect);
  // Resolves a PUBLISH's Topic Alias (MQTT 5.0 section 3.3.2.3.4); false after dropping the client.
  bool resolve_alias(ClientState& client, mqtt::Publish& publish);
  // The refusal of a CONNECT by policy (CONNACK code), or nullopt to go on.
  std::optional<std::pair<mqtt::ReasonCode, std::string_view>> check_connect(
      const mqtt::Connect& connect) const;
  mqtt::Connack accepted_connack(const ClientState& client, const mqtt::Connect& connect,
                                 bool session_present, bool assigned_id) const;

  // Whether a topic name or filter has no more levels than max_topic_levels.
  bool within_depth(std::string_view topic) const;
  // Closes the link once; later calls do nothing.
  void close_link(ClientState& client);
  // Drops `client` from clients_ (destroying it).
  void forget(ClientState* client);
  // Closes a connection abnormally: its will is published. An MQTT 5.0 client is told why first
  // with a DISCONNECT carrying `code` (section 3.14).
  void drop(ClientState& client, mqtt::ReasonCode code, std::string_view reason);
  // Detaches the session from a closing connection; ends it if it is clean.
  void detach(ClientState& client, bool publish_will);
  void end_session(Session& session);
  // The will of a departed client: now, or after its Will Delay Interval (MQTT 5.0 3.1.3.2.2).
  void publish_will(ClientState& client);
  void publish_pending_will(Session& session);
  // Gives the shared-subscription messages `session` still owed to other members of their group.
  void redistribute(Session& session);
  Message will_message(mqtt::Will will) const;

  // Hands the message to every matching session; returns how many.
  std::size_t route(const MessagePtr& message, const Session* publisher);
  // One member of a shared group for `message` (SharedStrategy), or null when none is left.
  const Subscriber* pick_member(std::string_view group, std::span<const Subscriber> members,
                                const MessagePtr& message, const Session* publisher);
  // To the session's owner: delivered here, or posted to the owning worker.
  void dispatch(Delivery delivery);
  void deliver_to(Session& session, Outgoing out);
  // False when the PUBLISH is not sent: expired, or larger than the client's Maximum Packet Size
  // (then it counts as delivered [MQTT-3.1.2-25]).
  bool send_publish(Session& session, const Outgoing& out, std::uint16_t packet_id, bool dup);
  // The client's window for QoS 1/2 PUBLISHes: max_inflight_messages and its Receive Maximum.
  std::size_t window(const Session& session) const;
  // Forgets an in-flight or queued QoS 1/2 message of a persistent session in the store.
  void forget_delivery(Session& session, const Outgoing& out);
  void pump(Session& session);    // sends queued messages while the window has room
  void resume(Session& session);  // re-sends in-flight messages after a reconnect
  void send_retained(Session& session, std::string_view filter, const SubscriptionOptions& options);
  // Stores and indexes a retained message, or clears its topic for an empty payload.
  void retain(const MessagePtr& message);
  // The store's writer when `session` is persistent (its changes are recorded), else null.
  SessionStore* store_of(const Session& session) const {
    return session.expiry_interval.count() > 0 ? store_.get() : nullptr;
  }
  void send(ClientState& client, const mqtt::Packet& packet);

  BrokerState& shared_;
  const unsigned index_;
  Outbox& outbox_;
  Clock::time_point now_{};  // time of the current call
  // Every connection of this worker; each knows its place (ClientState::slot).
  std::vector<std::unique_ptr<ClientState>> clients_;
  SessionRegistry sessions_;
  std::unique_ptr<SessionStore> store_;  // null without persistence
  std::set<std::pair<Clock::time_point, SessionId>> will_deadlines_;
  std::vector<Subscriber> matches_;  // scratch space for route(), reused
  // Next member, by shared group name; looked up by string_view without a temporary string.
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view name) const {
      return std::hash<std::string_view>{}(name);
    }
  };
  std::unordered_map<std::string, std::size_t, NameHash, std::equal_to<>> round_robin_;
  std::mt19937_64 random_{std::random_device{}()};
  std::vector<std::uint8_t> scratch_;  // scratch space for encoding, reused
};

}  // namespace tern::broker
