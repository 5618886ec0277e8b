// Session: the client protocol engine (see session.h). Requests and packets in, bytes and
// events out; the caller's clock and socket.
#include "tern/client/session.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <utility>

#include "mqtt/codec.h"
#include "mqtt/errc.h"
#include "mqtt/topic.h"

namespace tern::client {

using mqtt::PacketType;
using mqtt::QoS;
using mqtt::ReasonCode;
using mqtt::Version;

namespace {

std::string code_text(ReasonCode code) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(code));
  return std::string(mqtt::to_string(code)) + " (" + hex + ")";
}

template <class Ack>
Ack make_ack(std::uint16_t id, ReasonCode code = ReasonCode::success) {
  Ack ack;
  ack.packet_id = id;
  ack.reason_code = code;
  return ack;
}

bool is_failure(ReasonCode code) {
  return static_cast<std::uint8_t>(code) >= 0x80;
}

Error invalid(std::string message) {
  return Error{ErrorCode::invalid_argument, std::move(message)};
}

}  // namespace

std::string generate_client_id() {
  std::random_device device;
  std::uint64_t bits = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  char text[24];
  std::snprintf(text, sizeof text, "tern-%016llx", static_cast<unsigned long long>(bits));
  return text;
}

std::string_view to_string(Session::State state) {
  switch (state) {
    case Session::State::disconnected:
      return "disconnected";
    case Session::State::connecting:
      return "connecting";
    case Session::State::connected:
      return "connected";
  }
  return "?";
}

Session::Session(SessionOptions options) : options_(std::move(options)) {}

// ---- Driving the session. ----

Status Session::start(TimePoint now) {
  if (state_ != State::disconnected)
    return invalid("start() while " + std::string(to_string(state_)));
  const auto& o = options_;
  if (o.will) {
    if (!mqtt::is_valid_topic_name(o.will->topic)) return invalid("invalid will topic");
    if (static_cast<int>(o.will->qos) > 2) return invalid("invalid will QoS");
  }
  if (o.version != Version::v5 && o.password && !o.username) {
    // [MQTT-3.1.2-22]: before 5.0 a password needs a user name.
    return invalid("a password needs a user name before MQTT 5.0");
  }

  mqtt::Connect connect;
  connect.version = o.version;
  connect.clean_start = o.clean_start;
  connect.keep_alive = o.keep_alive;
  connect.will = o.will;
  connect.username = o.username;
  connect.password = o.password;
  if (o.version == Version::v5) connect.properties = o.properties;
  if (!o.client_id.empty()) {
    client_id_ = o.client_id;
  } else if (o.version == Version::v3_1 && client_id_.empty()) {
    client_id_ = generate_client_id();  // MQTT 3.1 has no empty client identifier
  } else if (o.version == Version::v3_1_1 && !o.clean_start && client_id_.empty()) {
    return invalid("an empty client id needs clean session [MQTT-3.1.3-7]");
  }
  connect.client_id = client_id_;
  if (auto size = mqtt::encoded_size(connect, o.version); !size) {
    return Error{ErrorCode::packet_too_large, std::string(mqtt::describe(size.error()))};
  }

  // A new connection: nothing of the old one's bytes, frames or aliases carries over.
  output_.clear();
  std::uint32_t max_in = mqtt::kMaxPacketSize;
  if (o.version == Version::v5 && o.properties.maximum_packet_size) {
    max_in = *o.properties.maximum_packet_size;
  }
  framer_ = mqtt::Framer(max_in);
  inbound_aliases_.clear();
  requests_.clear();
  pingresp_deadline_.reset();
  now_ = now;
  connack_deadline_ = now + o.connack_timeout;
  state_ = State::connecting;
  send(connect);
  return {};
}

void Session::receive(std::span<const std::uint8_t> bytes, TimePoint now) {
  now_ = now;
  while (state_ != State::disconnected) {
    auto frame = framer_.next(bytes);
    if (!frame) {
      violation(mqtt::reason_code(frame.error()), std::string(mqtt::describe(frame.error())));
      return;
    }
    if (!frame->has_value()) return;
    auto packet = mqtt::decode(**frame, options_.version, mqtt::Sender::server);
    if (!packet) {
      violation(mqtt::reason_code(packet.error()), std::string(mqtt::describe(packet.error())));
      return;
    }
    handle(*packet);
  }
}

void Session::tick(TimePoint now) {
  now_ = now;
  if (state_ == State::connecting && now >= connack_deadline_) {
    end(Error{ErrorCode::timeout,
              "no CONNACK within " + std::to_string(options_.connack_timeout.count()) + " ms"});
    return;
  }
  if (state_ != State::connected) return;
  if (pingresp_deadline_) {
    if (now >= *pingresp_deadline_) {
      end(Error{ErrorCode::timeout, "no PINGRESP: the connection is dead"});
    }
    return;
  }
  if (keep_alive_ > 0 && now >= last_sent_ + std::chrono::seconds(keep_alive_)) {
    // [MQTT-3.1.2-23]: a control packet at least every keep alive; PINGREQ when idle.
    (void)ping(now);
  }
}

void Session::connection_lost(Error error) {
  if (state_ != State::disconnected) end(std::move(error));
}

std::optional<TimePoint> Session::next_deadline() const {
  switch (state_) {
    case State::disconnected:
      return std::nullopt;
    case State::connecting:
      return connack_deadline_;
    case State::connected:
      if (pingresp_deadline_) return pingresp_deadline_;
      if (keep_alive_ > 0) return last_sent_ + std::chrono::seconds(keep_alive_);
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Event> Session::next_event() {
  if (events_.empty()) return std::nullopt;
  Event event = std::move(events_.front());
  events_.pop_front();
  return event;
}

// ---- Requests. ----

Result<std::uint16_t> Session::publish(mqtt::Publish message, TimePoint now) {
  now_ = now;
  if (!mqtt::is_valid_topic_name(message.topic)) {
    return invalid("invalid topic name '" + message.topic + "' [MQTT-3.3.2-2]");
  }
  int qos = static_cast<int>(message.qos);
  if (qos > 2) return invalid("QoS must be 0, 1 or 2");
  if (qos > static_cast<int>(server_maximum_qos_)) {
    return Error{ErrorCode::not_supported,
                 "the server's Maximum QoS is " +
                     std::to_string(static_cast<int>(server_maximum_qos_)) + " [MQTT-3.2.2-11]"};
  }
  if (message.retain && !server_retain_available_) {
    return Error{ErrorCode::not_supported, "the server does not support retain [MQTT-3.2.2-14]"};
  }
  if (!message.properties.subscription_identifiers.empty()) {
    return invalid("a client must not send Subscription Identifiers [MQTT-3.3.4-6]");
  }
  if (message.properties.topic_alias) return invalid("outbound topic aliases are not supported");
  message.dup = false;
  message.packet_id = 0;
  bool send_now = state_ == State::connected && queue_.empty() &&
                  (message.qos == QoS::at_most_once || quota_available());
  if (!send_now && queue_.size() >= options_.max_queued) {
    return Error{ErrorCode::queue_full,
                 "outbound queue holds " + std::to_string(queue_.size()) + " messages"};
  }
  if (message.qos != QoS::at_most_once) {
    auto id = allocate_id();
    if (!id) return id;
    message.packet_id = *id;
  }
  auto size = mqtt::encoded_size(message, options_.version);
  if (!size || *size > server_maximum_packet_size_) {
    return Error{ErrorCode::packet_too_large,
                 size ? "the PUBLISH is " + std::to_string(*size) +
                            " bytes, over the server's Maximum Packet Size of " +
                            std::to_string(server_maximum_packet_size_) + " [MQTT-3.1.2-24]"
                      : std::string(mqtt::describe(size.error()))};
  }
  std::uint16_t id = message.packet_id;
  if (id == 0) {
    if (send_now) {
      send(message);
    } else {
      queue_.push_back(std::move(message));
    }
    return std::uint16_t{0};
  }
  outgoing_[id] = Outgoing{std::move(message), Stage::queued, 0};
  if (send_now) {
    send_publish(id, false);
  } else {
    mqtt::Publish stub;  // the message itself stays in outgoing_
    stub.qos = static_cast<QoS>(qos);
    stub.packet_id = id;
    queue_.push_back(std::move(stub));
  }
  return id;
}

Result<std::uint16_t> Session::subscribe(std::vector<mqtt::Subscription> subscriptions,
                                         mqtt::Properties properties, TimePoint now) {
  now_ = now;
  if (state_ != State::connected) return Error{ErrorCode::not_connected, "subscribe"};
  if (subscriptions.empty()) return invalid("SUBSCRIBE needs a topic filter [MQTT-3.8.3-2]");
  for (const auto& s : subscriptions) {
    if (!mqtt::is_valid_topic_filter(s.filter)) {
      return invalid("invalid topic filter '" + s.filter + "' [MQTT-4.7.1-1]");
    }
    if (static_cast<int>(s.max_qos) > 2) return invalid("QoS must be 0, 1 or 2");
    if (static_cast<int>(s.retain_handling) > 2) return invalid("Retain Handling must be 0-2");
    if (options_.version == Version::v5 && s.no_local && mqtt::is_shared_filter(s.filter)) {
      return invalid("No Local on a shared subscription [MQTT-3.8.3-4]");
    }
  }
  mqtt::Subscribe packet;
  packet.subscriptions = std::move(subscriptions);
  packet.properties = std::move(properties);
  auto size = mqtt::encoded_size(packet, options_.version);
  if (!size || *size > server_maximum_packet_size_) {
    return Error{ErrorCode::packet_too_large, "SUBSCRIBE over the server's Maximum Packet Size"};
  }
  auto id = allocate_id();
  if (!id) return id;
  packet.packet_id = *id;
  requests_[*id] = Request{PacketType::subscribe, packet.subscriptions.size()};
  send(packet);
  return *id;
}

Result<std::uint16_t> Session::unsubscribe(std::vector<std::string> filters,
                                           mqtt::Properties properties, TimePoint now) {
  now_ = now;
  if (state_ != State::connected) return Error{ErrorCode::not_connected, "unsubscribe"};
  if (filters.empty()) return invalid("UNSUBSCRIBE needs a topic filter [MQTT-3.10.3-2]");
  for (const auto& f : filters) {
    if (!mqtt::is_valid_topic_filter(f)) return invalid("invalid topic filter '" + f + "'");
  }
  mqtt::Unsubscribe packet;
  packet.filters = std::move(filters);
  packet.properties = std::move(properties);
  auto size = mqtt::encoded_size(packet, options_.version);
  if (!size || *size > server_maximum_packet_size_) {
    return Error{ErrorCode::packet_too_large, "UNSUBSCRIBE over the server's Maximum Packet Size"};
  }
  auto id = allocate_id();
  if (!id) return id;
  packet.packet_id = *id;
  requests_[*id] = Request{PacketType::unsubscribe, packet.filters.size()};
  send(packet);
  return *id;
}

Status Session::ping(TimePoint now) {
  now_ = now;
  if (state_ != State::connected) return Error{ErrorCode::not_connected, "ping"};
  send(mqtt::Pingreq{});
  if (!pingresp_deadline_) {
    std::chrono::milliseconds timeout = options_.pingresp_timeout;
    if (timeout.count() <= 0) {
      timeout = keep_alive_ > 0 ? std::chrono::milliseconds(keep_alive_ * 1000LL)
                                : options_.connack_timeout;
    }
    pingresp_deadline_ = now + timeout;
  }
  return {};
}

Status Session::disconnect(ReasonCode reason_code, mqtt::Properties properties, TimePoint now) {
  now_ = now;
  if (state_ == State::disconnected) return Error{ErrorCode::not_connected, "disconnect"};
  if (options_.version == Version::v5 &&
      !mqtt::is_valid_reason_code(PacketType::disconnect, static_cast<std::uint8_t>(reason_code))) {
    return invalid("reason code " + code_text(reason_code) + " is not valid in DISCONNECT");
  }
  mqtt::Disconnect packet;
  packet.reason_code = reason_code;
  packet.properties = std::move(properties);
  send(packet);
  end(Error{ErrorCode::disconnected, "disconnected by the client"});
  return {};
}

// ---- Internals. ----

void Session::send(const mqtt::Packet& packet) {
  // mqtt::encode reserves exactly what each packet needs, which makes appending to a buffer
  // that is not drained quadratic; grow it geometrically here instead.
  if (output_.capacity() - output_.size() < 1024) output_.reserve(output_.capacity() * 2 + 1024);
  auto written = mqtt::encode(packet, options_.version, output_);
  // Requests were checked with encoded_size and replies are small: encoding cannot fail.
  assert(written.ok());
  (void)written;
  last_sent_ = now_;
}

void Session::end(Error error, mqtt::Properties properties) {
  state_ = State::disconnected;
  requests_.clear();
  pingresp_deadline_.reset();
  emit(Disconnected{std::move(error), std::move(properties)});
}

void Session::violation(ReasonCode code, std::string message) {
  // MQTT 5.0 (4.13): close with a DISCONNECT naming the error. Before 5.0 a client's
  // DISCONNECT means "normal, discard my will", so the connection just closes.
  if (options_.version == Version::v5 && state_ != State::disconnected) {
    mqtt::Disconnect packet;
    packet.reason_code = code;
    send(packet);
  }
  state_ = State::disconnected;
  requests_.clear();
  pingresp_deadline_.reset();
  emit(ProtocolError{Error{ErrorCode::protocol_error, std::move(message), code}});
}

void Session::handle(mqtt::Packet& packet) {
  if (state_ == State::connecting && !std::holds_alternative<mqtt::Connack>(packet)) {
    // [MQTT-3.2.0-1]: the first packet from the server is CONNACK.
    violation(ReasonCode::protocol_error,
              std::string(mqtt::to_string(mqtt::type_of(packet))) + " before CONNACK");
    return;
  }
  if (auto* p = std::get_if<mqtt::Connack>(&packet)) {
    on_connack(*p);
  } else if (auto* publish = std::get_if<mqtt::Publish>(&packet)) {
    on_publish(*publish);
  } else if (auto* puback = std::get_if<mqtt::Puback>(&packet)) {
    on_puback(*puback);
  } else if (auto* pubrec = std::get_if<mqtt::Pubrec>(&packet)) {
    on_pubrec(*pubrec);
  } else if (auto* pubrel = std::get_if<mqtt::Pubrel>(&packet)) {
    on_pubrel(*pubrel);
  } else if (auto* pubcomp = std::get_if<mqtt::Pubcomp>(&packet)) {
    on_pubcomp(*pubcomp);
  } else if (auto* suback = std::get_if<mqtt::Suback>(&packet)) {
    on_suback(*suback);
  } else if (auto* unsuback = std::get_if<mqtt::Unsuback>(&packet)) {
    on_unsuback(*unsuback);
  } else if (std::holds_alternative<mqtt::Pingresp>(packet)) {
    pingresp_deadline_.reset();
    emit(Pong{});
  } else if (auto* disconnect = std::get_if<mqtt::Disconnect>(&packet)) {
    std::string message = "the server sent DISCONNECT: " + code_text(disconnect->reason_code);
    if (disconnect->properties.reason_string) {
      message += ": " + *disconnect->properties.reason_string;
    }
    end(Error{ErrorCode::closed_by_server, std::move(message), disconnect->reason_code},
        std::move(disconnect->properties));
  } else {
    // AUTH (we never start enhanced authentication) and anything a server never sends.
    violation(ReasonCode::protocol_error,
              "unexpected " + std::string(mqtt::to_string(mqtt::type_of(packet))));
  }
}

void Session::on_connack(mqtt::Connack& connack) {
  if (state_ == State::connected) {
    violation(ReasonCode::protocol_error, "a second CONNACK");
    return;
  }
  if (connack.reason_code != ReasonCode::success) {
    std::string message = "CONNACK " + code_text(connack.reason_code);
    if (connack.properties.reason_string) message += ": " + *connack.properties.reason_string;
    end(Error{ErrorCode::connack_refused, std::move(message), connack.reason_code},
        std::move(connack.properties));
    return;
  }
  if (connack.session_present && options_.clean_start) {
    // [MQTT-3.2.2-2] (3.1.1: [MQTT-3.2.2-1]): a clean start never resumes a session.
    violation(ReasonCode::protocol_error, "Session Present with Clean Start [MQTT-3.2.2-2]");
    return;
  }
  connack_ = std::move(connack);
  keep_alive_ = options_.keep_alive;
  server_receive_maximum_ = 65'535;
  server_maximum_qos_ = QoS::exactly_once;
  server_retain_available_ = true;
  server_maximum_packet_size_ = mqtt::kMaxPacketSize;
  if (options_.version == Version::v5) {
    const auto& p = connack_.properties;
    if (p.assigned_client_identifier) client_id_ = *p.assigned_client_identifier;
    if (p.server_keep_alive) keep_alive_ = *p.server_keep_alive;  // [MQTT-3.2.2-21]
    if (p.receive_maximum) server_receive_maximum_ = *p.receive_maximum;
    if (p.maximum_qos) server_maximum_qos_ = static_cast<QoS>(std::min<int>(*p.maximum_qos, 2));
    if (p.retain_available) server_retain_available_ = *p.retain_available != 0;
    if (p.maximum_packet_size) server_maximum_packet_size_ = *p.maximum_packet_size;
  }
  state_ = State::connected;
  bool resumed =
      connack_.session_present || (options_.version == Version::v3_1 && !options_.clean_start);
  emit(Connected{connack_.session_present, connack_});
  resume_after_connack(resumed);
}

void Session::resume_after_connack(bool resumed) {
  if (!resumed) inbound_qos2_.clear();
  std::vector<std::pair<std::uint64_t, std::uint16_t>> sent;
  for (const auto& [id, o] : outgoing_) {
    if (o.stage != Stage::queued) sent.emplace_back(o.order, id);
  }
  std::sort(sent.begin(), sent.end());
  inflight_ = sent.size();
  for (auto [order, id] : sent) {
    Outgoing& o = outgoing_.at(id);
    if (o.stage == Stage::awaiting_pubcomp) {
      if (resumed) {
        send(make_ack<mqtt::Pubrel>(id));  // [MQTT-4.4.0-1]
      } else {
        complete(id, ReasonCode::success, {});  // the server had taken it over with PUBREC
      }
    } else {
      send_publish(id, resumed);  // [MQTT-4.4.0-1]: DUP when resending in a resumed session
    }
  }
  drain_queue();
}

void Session::send_publish(std::uint16_t id, bool dup) {
  Outgoing& o = outgoing_.at(id);
  o.publish.dup = dup;  // [MQTT-3.3.1-1]
  if (o.stage == Stage::queued) {
    o.stage = Stage::awaiting_ack;
    o.order = ++send_counter_;
    ++inflight_;
  }
  send(o.publish);
}

bool Session::quota_available() const {
  std::size_t limit = server_receive_maximum_;  // [MQTT-3.3.4-7]
  if (options_.max_inflight > 0) limit = std::min<std::size_t>(limit, options_.max_inflight);
  return inflight_ < limit;
}

void Session::drain_queue() {
  while (state_ == State::connected && !queue_.empty()) {
    mqtt::Publish& front = queue_.front();
    if (front.qos == QoS::at_most_once) {
      send(front);
    } else if (quota_available()) {
      send_publish(front.packet_id, false);
    } else {
      return;
    }
    queue_.pop_front();
  }
}

void Session::complete(std::uint16_t id, ReasonCode code, mqtt::Properties properties) {
  auto it = outgoing_.find(id);
  if (it == outgoing_.end()) return;
  if (it->second.stage != Stage::queued) --inflight_;
  outgoing_.erase(it);
  emit(Published{id, code, std::move(properties)});
  drain_queue();
}

bool Session::id_in_use(std::uint16_t id) const {
  return outgoing_.contains(id) || requests_.contains(id);
}

Result<std::uint16_t> Session::allocate_id() {
  if (outgoing_.size() + requests_.size() >= 65'535) {
    return Error{ErrorCode::packet_ids_exhausted, "65,535 exchanges are open"};
  }
  // [MQTT-2.2.1-3]: a new identifier, never one whose exchange is open; never 0.
  do {
    if (++last_id_ == 0) last_id_ = 1;
  } while (id_in_use(last_id_));
  return last_id_;
}

void Session::on_publish(mqtt::Publish& publish) {
  if (options_.version == Version::v5 && publish.properties.topic_alias) {
    std::uint16_t alias = *publish.properties.topic_alias;
    std::uint16_t maximum = options_.properties.topic_alias_maximum.value_or(0);
    if (alias > maximum) {
      // [MQTT-3.3.2-9]: not above the Topic Alias Maximum we sent.
      violation(ReasonCode::topic_alias_invalid, "Topic Alias " + std::to_string(alias) +
                                                     " over our maximum " +
                                                     std::to_string(maximum) + " [MQTT-3.3.2-9]");
      return;
    }
    if (publish.topic.empty()) {
      auto it = inbound_aliases_.find(alias);
      if (it == inbound_aliases_.end()) {
        violation(ReasonCode::protocol_error,
                  "Topic Alias " + std::to_string(alias) + " was never set (MQTT 5.0 3.3.2.3.4)");
        return;
      }
      publish.topic = it->second;
    } else {
      inbound_aliases_[alias] = publish.topic;
    }
    publish.properties.topic_alias.reset();
  }
  std::uint16_t id = publish.packet_id;
  auto deliver = [&] {
    emit(Message{std::move(publish.topic), std::move(publish.payload), publish.qos, publish.retain,
                 publish.dup, id, std::move(publish.properties)});
  };
  switch (publish.qos) {
    case QoS::at_most_once:
      deliver();
      break;
    case QoS::at_least_once:
      deliver();
      send(make_ack<mqtt::Puback>(id));  // [MQTT-4.3.2-4]
      break;
    case QoS::exactly_once:
      if (!inbound_qos2_.contains(id)) {
        std::size_t maximum = options_.properties.receive_maximum.value_or(65'535);
        if (options_.version == Version::v5 && inbound_qos2_.size() >= maximum) {
          // [MQTT-3.3.4-9]: no more unacknowledged QoS 2 than our Receive Maximum.
          violation(ReasonCode::receive_maximum_exceeded,
                    "more than " + std::to_string(maximum) + " QoS 2 messages in flight");
          return;
        }
        inbound_qos2_.insert(id);
        deliver();  // once: a duplicate before PUBREL is only acknowledged (3.1.1 [MQTT-4.3.3-2])
      }
      send(make_ack<mqtt::Pubrec>(id));
      break;
  }
}

void Session::on_puback(const mqtt::Puback& ack) {
  auto it = outgoing_.find(ack.packet_id);
  if (it == outgoing_.end() || it->second.stage == Stage::queued) return;  // stale: ignore
  if (it->second.publish.qos != QoS::at_least_once) {
    violation(ReasonCode::protocol_error,
              "PUBACK for QoS 2 message " + std::to_string(ack.packet_id));
    return;
  }
  complete(ack.packet_id, ack.reason_code, ack.properties);
}

void Session::on_pubrec(const mqtt::Pubrec& ack) {
  auto it = outgoing_.find(ack.packet_id);
  bool v5 = options_.version == Version::v5;
  if (it == outgoing_.end() || it->second.stage == Stage::queued) {
    // Nothing to release; answer so the server can end its side (MQTT 5.0 3.6.2.1).
    send(make_ack<mqtt::Pubrel>(
        ack.packet_id, v5 ? ReasonCode::packet_identifier_not_found : ReasonCode::success));
    return;
  }
  if (it->second.publish.qos != QoS::exactly_once) {
    violation(ReasonCode::protocol_error,
              "PUBREC for QoS 1 message " + std::to_string(ack.packet_id));
    return;
  }
  if (is_failure(ack.reason_code)) {
    complete(ack.packet_id, ack.reason_code,
             ack.properties);  // MQTT 5.0 §4.3.3: no PUBREL after an error
    return;
  }
  it->second.stage = Stage::awaiting_pubcomp;
  it->second.publish.payload = {};  // the server owns the message after PUBREC
  send(make_ack<mqtt::Pubrel>(ack.packet_id));
}

void Session::on_pubrel(const mqtt::Pubrel& ack) {
  bool known = inbound_qos2_.erase(ack.packet_id) > 0;
  bool v5 = options_.version == Version::v5;
  send(make_ack<mqtt::Pubcomp>(
      ack.packet_id, known || !v5 ? ReasonCode::success : ReasonCode::packet_identifier_not_found));
}

void Session::on_pubcomp(const mqtt::Pubcomp& ack) {
  auto it = outgoing_.find(ack.packet_id);
  if (it == outgoing_.end() || it->second.stage != Stage::awaiting_pubcomp) return;  // stale
  complete(ack.packet_id, ack.reason_code, ack.properties);
}

void Session::on_suback(mqtt::Suback& ack) {
  auto it = requests_.find(ack.packet_id);
  if (it == requests_.end() || it->second.type != PacketType::subscribe) {
    violation(ReasonCode::protocol_error,
              "SUBACK for no SUBSCRIBE (packet id " + std::to_string(ack.packet_id) + ")");
    return;
  }
  if (ack.reason_codes.size() != it->second.count) {
    // [MQTT-3.8.4-6] / [MQTT-3.9.3-1]: one code per topic filter.
    violation(ReasonCode::protocol_error, "SUBACK with " + std::to_string(ack.reason_codes.size()) +
                                              " codes for " + std::to_string(it->second.count) +
                                              " filters");
    return;
  }
  requests_.erase(it);
  emit(Subscribed{ack.packet_id, std::move(ack.reason_codes), std::move(ack.properties)});
}

void Session::on_unsuback(mqtt::Unsuback& ack) {
  auto it = requests_.find(ack.packet_id);
  if (it == requests_.end() || it->second.type != PacketType::unsubscribe) {
    violation(ReasonCode::protocol_error,
              "UNSUBACK for no UNSUBSCRIBE (packet id " + std::to_string(ack.packet_id) + ")");
    return;
  }
  if (options_.version == Version::v5 && ack.reason_codes.size() != it->second.count) {
    // [MQTT-3.11.3-1]: one code per topic filter.
    violation(ReasonCode::protocol_error, "UNSUBACK with a wrong number of reason codes");
    return;
  }
  requests_.erase(it);
  emit(Unsubscribed{ack.packet_id, std::move(ack.reason_codes), std::move(ack.properties)});
}

}  // namespace tern::client
