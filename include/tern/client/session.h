// Session: the client side of MQTT 3.1, 3.1.1 and 5.0 as a sans-IO state machine.
//
// Bytes and time go in, actions come out: the caller (Connection, an async client, a test)
// owns the socket and the clock. It calls
//   start(now)             after the transport connected: appends CONNECT to output();
//   receive(bytes, now)    with whatever arrived (any chunking);
//   tick(now)              at (or after) next_deadline();
//   connection_lost(err)   when the transport closed or failed;
// and the user's requests: publish, subscribe, unsubscribe, ping, disconnect. After each call
// it writes out output() (erasing what it wrote), takes the events with next_event(), and arms
// its timer for next_deadline(). When state() becomes State::disconnected the connection is
// over: write what output() holds if possible (a final DISCONNECT) and close the socket.
//
// What the session owns: the Framer and decoder of the current connection, the CONNECT it
// sends, the server's limits from CONNACK, packet identifiers (one is never reused while its
// exchange is open), outbound QoS 1/2 messages until acknowledged, inbound QoS 2 identifiers
// until PUBREL (a QoS 2 message is delivered exactly once), pending SUBSCRIBE/UNSUBSCRIBE,
// keepalive, and the inbound topic aliases of MQTT 5.0. Inbound messages are acknowledged as
// soon as they are handed out as events.
//
// Across connections (call start() again on a new transport) the session keeps its outbound
// messages and inbound QoS 2 identifiers. After the CONNACK: if the server resumed the session
// (Session Present, or MQTT 3.1 with clean session off, which cannot tell), unacknowledged
// PUBLISHes are sent again with DUP set and PUBRELs again [MQTT-4.4.0-1]; if not, unacknowledged
// PUBLISHes are sent again as new messages (DUP clear), QoS 2 messages already PUBREC'd complete
// with a Published event (the server owned them), and inbound QoS 2 identifiers are forgotten.
// Pending SUBSCRIBE/UNSUBSCRIBE requests are dropped when a connection ends (no event): their
// callers must treat the Disconnected event as their failure.
//
// Outbound flow control: at most the server's Receive Maximum (MQTT 5.0, 3.2.2.3.3;
// SessionOptions::max_inflight may lower it, for every version) QoS 1/2 PUBLISHes are
// unacknowledged at once; more wait in a queue, in order (QoS 0 ones behind them too), bounded
// by SessionOptions::max_queued. Publishing while not connected also queues.
//
// Errors: a request the session cannot honour returns an Error. A server that breaks the
// protocol gets a DISCONNECT with the matching reason code (MQTT 5.0 only; earlier versions
// just close) and the session emits ProtocolError; see the Event types below for the rest.
//
// Not thread-safe: one owner drives it. No sockets, threads, clocks or I/O inside.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "mqtt/framer.h"
#include "mqtt/packets.h"
#include "mqtt/types.h"
#include "tern/client/error.h"

namespace tern::client {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// What the CONNECT says and how the session behaves. Changes take effect at the next start().
struct SessionOptions {
  mqtt::Version version = mqtt::Version::v3_1_1;
  // Empty: MQTT 5.0 lets the server assign one (client_id() tells it after CONNACK); MQTT 3.1.1
  // allows it with clean_start only [MQTT-3.1.3-7]; MQTT 3.1 requires one, so one is generated.
  std::string client_id;
  bool clean_start = true;        // "clean session" before MQTT 5.0
  std::uint16_t keep_alive = 60;  // seconds; 0 turns keepalive off
  std::optional<mqtt::Will> will;
  std::optional<std::string> username;
  std::optional<std::string> password;
  // MQTT 5.0 CONNECT properties, sent as they are: session_expiry_interval, receive_maximum
  // (bounds inbound QoS 2 in flight), maximum_packet_size (bounds what we accept: the framer's
  // limit), topic_alias_maximum (inbound aliases we accept), request_problem_information,
  // request_response_information, user_properties. Enhanced authentication is not supported.
  mqtt::Properties properties;
  // No CONNACK within this after start(): the connection fails with ErrorCode::timeout.
  std::chrono::milliseconds connack_timeout{10'000};
  // No PINGRESP within this after a PINGREQ: the connection is dead (ErrorCode::timeout).
  // Zero: the keep alive interval.
  std::chrono::milliseconds pingresp_timeout{0};
  // Our own limit on unacknowledged QoS 1/2 PUBLISHes (0: only the server's Receive Maximum).
  std::uint16_t max_inflight = 0;
  // Bound of the outbound queue (messages waiting for quota or for a connection).
  std::size_t max_queued = 65'536;
};

// ---- Events: what happened, in order. ----

// CONNACK accepted. `connack` holds the server's properties (MQTT 5.0: Assigned Client
// Identifier, Server Keep Alive, Receive Maximum, Maximum QoS, Topic Alias Maximum, ...).
struct Connected {
  bool session_present = false;
  mqtt::Connack connack;
};

// An application message from the server, its topic alias already resolved (the Topic Alias
// property is removed).
struct Message {
  std::string topic;
  std::string payload;
  mqtt::QoS qos = mqtt::QoS::at_most_once;
  bool retain = false;
  bool dup = false;
  std::uint16_t packet_id = 0;  // 0 for QoS 0
  mqtt::Properties properties;
};

// A QoS 1 or 2 publish we sent is complete: PUBACK, PUBCOMP, or a PUBACK/PUBREC with an error
// reason code (>= 0x80, MQTT 5.0). The packet identifier is free again.
struct Published {
  std::uint16_t packet_id = 0;
  mqtt::ReasonCode reason_code = mqtt::ReasonCode::success;
  mqtt::Properties properties;
};

// SUBACK: one reason code per filter, in order (granted QoS, or >= 0x80 refused).
struct Subscribed {
  std::uint16_t packet_id = 0;
  std::vector<mqtt::ReasonCode> reason_codes;
  mqtt::Properties properties;
};

// UNSUBACK: one reason code per filter in MQTT 5.0; empty before.
struct Unsubscribed {
  std::uint16_t packet_id = 0;
  std::vector<mqtt::ReasonCode> reason_codes;
  mqtt::Properties properties;
};

struct Pong {};

// The connection is over (state() is disconnected). error.code says how:
//   connack_refused   CONNACK with a failure code (reason_code; properties: the CONNACK's),
//   closed_by_server  the server's DISCONNECT (reason_code, properties: its Reason String,
//                     Server Reference, ...),
//   timeout           no CONNACK or no PINGRESP in time,
//   disconnected      our disconnect(),
//   connection_closed / network / tls / ...  what connection_lost() was given.
struct Disconnected {
  Error error;
  mqtt::Properties properties;
};

// The server broke the protocol; the connection is over (state() is disconnected) and, for MQTT
// 5.0, output() ends with our DISCONNECT carrying error.reason_code.
struct ProtocolError {
  Error error;
};

using Event = std::variant<Connected, Message, Published, Subscribed, Unsubscribed, Pong,
                           Disconnected, ProtocolError>;

class Session {
 public:
  enum class State {
    disconnected,  // no connection: before start(), and after any connection ended
    connecting,    // CONNECT sent, waiting for CONNACK
    connected,
  };

  explicit Session(SessionOptions options = {});

  // Options for the next start(); e.g. clean_start off when reconnecting.
  SessionOptions& options() { return options_; }
  const SessionOptions& options() const { return options_; }

  // ---- Driving the session. ----

  // A new connection: per-connection state is reset (framer, topic aliases, output), CONNECT is
  // appended to output(). Fails on invalid options (nothing appended) or when not disconnected.
  Status start(TimePoint now);
  // Bytes from the server, in any chunking. Ignored when disconnected.
  void receive(std::span<const std::uint8_t> bytes, TimePoint now);
  // Timers: CONNACK timeout, PINGREQ when idle for keep alive, PINGRESP timeout.
  void tick(TimePoint now);
  // The transport closed or failed: the connection is over (Disconnected with `error`, unless
  // already disconnected). Session state is kept for the next start().
  void connection_lost(Error error);

  // ---- Requests. ----

  // Publishes `message` (its packet_id and dup are ignored). Returns the packet identifier (0
  // for QoS 0); a QoS 1/2 publish ends with a Published event carrying it. Checks the topic
  // name, the server's Maximum QoS, Retain Available and Maximum Packet Size. Sent at once, or
  // queued when over the in-flight limit or not connected.
  Result<std::uint16_t> publish(mqtt::Publish message, TimePoint now);
  // SUBSCRIBE; returns its packet identifier; a Subscribed event answers it. Needs a connection.
  Result<std::uint16_t> subscribe(std::vector<mqtt::Subscription> subscriptions,
                                  mqtt::Properties properties, TimePoint now);
  // UNSUBSCRIBE; returns its packet identifier; an Unsubscribed event answers it.
  Result<std::uint16_t> unsubscribe(std::vector<std::string> filters, mqtt::Properties properties,
                                    TimePoint now);
  // PINGREQ now; a Pong event answers it.
  Status ping(TimePoint now);
  // DISCONNECT (reason code and properties in MQTT 5.0; e.g. disconnect_with_will), then the
  // connection is over: a Disconnected event with ErrorCode::disconnected. Outbound messages in
  // flight are kept for a later session resume.
  Status disconnect(mqtt::ReasonCode reason_code, mqtt::Properties properties, TimePoint now);

  // ---- Outputs. ----

  // Bytes to write to the transport, in order. The caller erases what it wrote.
  std::vector<std::uint8_t>& output() { return output_; }
  // The next event, or std::nullopt when there is none.
  std::optional<Event> next_event();
  bool has_events() const { return !events_.empty(); }
  // When tick() must be called next; std::nullopt when no timer runs.
  std::optional<TimePoint> next_deadline() const;

  // ---- State. ----

  State state() const { return state_; }
  mqtt::Version version() const { return options_.version; }
  // The client identifier in use: the options', the generated one (3.1), or the one the
  // server assigned (5.0).
  const std::string& client_id() const { return client_id_; }
  // The last accepted CONNACK.
  const mqtt::Connack& connack() const { return connack_; }
  // Keep alive in force: ours, or the server's Server Keep Alive (MQTT 5.0, 3.2.2.3.14).
  std::uint16_t keep_alive() const { return keep_alive_; }
  // QoS 1/2 PUBLISHes sent and not yet complete.
  std::size_t inflight() const { return inflight_; }
  // Messages waiting to be sent (quota or connection).
  std::size_t queued() const { return queue_.size(); }
  // Outbound QoS 1/2 messages held (in flight or queued).
  std::size_t outbound_held() const { return outgoing_.size(); }
  // Inbound QoS 2 identifiers waiting for PUBREL.
  std::size_t inbound_qos2_pending() const { return inbound_qos2_.size(); }

 private:
  enum class Stage : std::uint8_t { queued, awaiting_ack, awaiting_pubcomp };
  struct Outgoing {
    mqtt::Publish publish;
    Stage stage = Stage::queued;
    std::uint64_t order = 0;  // first-send order, to resend in the same order
  };
  struct Request {
    mqtt::PacketType type = mqtt::PacketType::subscribe;
    std::size_t count = 0;  // filters, to check the acknowledgement's reason codes
  };

  void send(const mqtt::Packet& packet);
  void emit(Event event) { events_.push_back(std::move(event)); }
  void handle(mqtt::Packet& packet);
  void on_connack(mqtt::Connack& connack);
  void on_publish(mqtt::Publish& publish);
  void on_puback(const mqtt::Puback& ack);
  void on_pubrec(const mqtt::Pubrec& ack);
  void on_pubrel(const mqtt::Pubrel& ack);
  void on_pubcomp(const mqtt::Pubcomp& ack);
  void on_suback(mqtt::Suback& ack);
  void on_unsuback(mqtt::Unsuback& ack);
  void complete(std::uint16_t id, mqtt::ReasonCode code, mqtt::Properties properties);
  // Ends the connection: ProtocolError, and DISCONNECT with `code` for MQTT 5.0.
  void violation(mqtt::ReasonCode code, std::string message);
  // Ends the connection with a Disconnected event.
  void end(Error error, mqtt::Properties properties = {});
  void resume_after_connack(bool resumed);
  void send_publish(std::uint16_t id, bool dup);
  void drain_queue();
  bool quota_available() const;
  bool id_in_use(std::uint16_t id) const;
  Result<std::uint16_t> allocate_id();

  SessionOptions options_;
  State state_ = State::disconnected;
  std::string client_id_;
  mqtt::Framer framer_;
  mqtt::Connack connack_;
  std::uint16_t keep_alive_ = 0;

  std::vector<std::uint8_t> output_;
  std::deque<Event> events_;

  TimePoint now_{};
  TimePoint last_sent_{};
  TimePoint connack_deadline_{};
  std::optional<TimePoint> pingresp_deadline_;

  // Server limits from CONNACK (MQTT 5.0; defaults otherwise).
  std::uint16_t server_receive_maximum_ = 65'535;
  mqtt::QoS server_maximum_qos_ = mqtt::QoS::exactly_once;
  bool server_retain_available_ = true;
  std::uint32_t server_maximum_packet_size_ = mqtt::kMaxPacketSize;

  std::uint16_t last_id_ = 0;
  std::uint64_t send_counter_ = 0;
  std::unordered_map<std::uint16_t, Outgoing> outgoing_;  // QoS 1/2, queued or in flight
  std::deque<mqtt::Publish> queue_;  // waiting to be sent (QoS 1/2 ones also in outgoing_)
  std::size_t inflight_ = 0;
  std::unordered_map<std::uint16_t, Request> requests_;  // SUBSCRIBE / UNSUBSCRIBE
  std::unordered_set<std::uint16_t> inbound_qos2_;
  std::unordered_map<std::uint16_t, std::string> inbound_aliases_;
};

std::string_view to_string(Session::State state);

// A random client identifier "tern-" + 16 hex digits (23 characters at most, as MQTT 3.1
// requires).
std::string generate_client_id();

}  // namespace tern::client
