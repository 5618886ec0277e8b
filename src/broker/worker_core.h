// WorkerCore: the MQTT 3.1/3.1.1 server behaviour of one worker thread, free of sockets.
//
// The server layer feeds it decoded packets, closed connections, deliveries posted by other
// workers and clock ticks; it answers through each connection's Link and posts deliveries for
// sessions other workers own through the Outbox. Time comes in as arguments, so keepalive and
// expiry are tested without sleeping.
//
// Not thread-safe: each worker thread has its own WorkerCore. Shared state is in BrokerState.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
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
  Link* link = nullptr;
  mqtt::Version version = mqtt::Version::v3_1_1;
  bool connected = false;  // CONNECT accepted
  bool closing = false;    // the core closed the link; on_closed is still to come
  Session* session = nullptr;
  std::optional<mqtt::Will> will;
  std::uint16_t keep_alive = 0;
  Clock::time_point last_received{};
  Clock::time_point opened_at{};
  std::string client_id;
  std::optional<std::string> username;
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
  void handle_pubrec(ClientState& client, std::uint16_t packet_id);
  void handle_pubcomp(ClientState& client, std::uint16_t packet_id);

  // Whether a topic name or filter has no more levels than max_topic_levels.
  bool within_depth(std::string_view topic) const;
  // Closes the link once; later calls do nothing.
  void close_link(ClientState& client);
  // Closes a connection abnormally: its will is published.
  void drop(ClientState& client, std::string_view reason);
  // Detaches the session from a closing connection; ends it if it is clean.
  void detach(ClientState& client, bool publish_will);
  void end_session(Session& session);

  void route(const MessagePtr& message, const Session* publisher);
  void deliver_to(Session& session, Outgoing out);
  void send_publish(Session& session, const Outgoing& out, std::uint16_t packet_id, bool dup);
  void pump(Session& session);    // sends queued messages while the window has room
  void resume(Session& session);  // re-sends in-flight messages after a reconnect
  void send_retained(Session& session, std::string_view filter, mqtt::QoS granted);
  std::uint16_t next_packet_id(Session& session);
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
  std::unordered_map<ClientState*, std::unique_ptr<ClientState>> clients_;
  SessionRegistry sessions_;
  std::unique_ptr<SessionStore> store_;  // null without persistence
  std::vector<Subscriber> matches_;      // scratch space for route(), reused
  std::vector<std::uint8_t> scratch_;    // scratch space for encoding, reused
};

}  // namespace tern::broker
