// SimpleClient: umqtt.simple's API over Connection; failures become MqttError (see simple.h).
#include "tern/client/simple.h"

#include <utility>

namespace tern::client {

namespace {

template <class T>
T check(Result<T> result) {
  if (!result) throw MqttError(std::move(result).error());
  return std::move(result).value();
}

void check(Status status) {
  if (!status) throw MqttError(std::move(status).error());
}

mqtt::QoS to_qos(int qos) {
  if (qos < 0 || qos > 2) {
    throw MqttError(Error{ErrorCode::invalid_argument, "QoS must be 0, 1 or 2"});
  }
  return static_cast<mqtt::QoS>(qos);
}

}  // namespace

MqttError::MqttError(Error error)
    : std::runtime_error(error.to_string()), error_(std::move(error)) {}

SimpleClient::SimpleClient(std::string client_id, std::string server, std::uint16_t port,
                           std::string user, std::string password, std::uint16_t keepalive,
                           TlsOptions tls) {
  ConnectOptions options;
  options.version = mqtt::Version::v3_1_1;
  options.client_id = std::move(client_id);
  options.host = std::move(server);
  options.port = port;
  if (!user.empty()) {
    options.username = std::move(user);
    options.password = std::move(password);
  }
  options.keep_alive = keepalive;
  options.tls = std::move(tls);
  connection_ = std::make_unique<Connection>(std::move(options));
  connection_->set_message_handler([this](const Message& message) {
    if (callback_) callback_(message.topic, message.payload);
  });
}

SimpleClient::~SimpleClient() = default;

void SimpleClient::set_callback(Callback callback) {
  callback_ = std::move(callback);
}

void SimpleClient::set_last_will(const std::string& topic, const std::string& payload, bool retain,
                                 int qos) {
  mqtt::Will will;
  will.topic = topic;
  will.payload = payload;
  will.retain = retain;
  will.qos = to_qos(qos);
  connection_->options().will = std::move(will);
}

bool SimpleClient::connect(bool clean_session) {
  connection_->options().clean_start = clean_session;
  return check(connection_->connect()).session_present;
}

void SimpleClient::disconnect() {
  check(connection_->disconnect());
}

void SimpleClient::ping() {
  check(connection_->ping());
}

void SimpleClient::publish(const std::string& topic, const std::string& payload, bool retain,
                           int qos) {
  check(connection_->publish(topic, payload, to_qos(qos), retain));
}

void SimpleClient::subscribe(const std::string& topic, int qos) {
  auto result = check(connection_->subscribe(topic, to_qos(qos)));
  if (result.reason_codes.empty() ||
      static_cast<std::uint8_t>(result.reason_codes.front()) >= 0x80) {
    auto code = result.reason_codes.empty() ? mqtt::ReasonCode::unspecified_error
                                            : result.reason_codes.front();
    throw MqttError(
        Error{ErrorCode::not_supported, "subscription to '" + topic + "' refused", code});
  }
}

void SimpleClient::unsubscribe(const std::string& topic) {
  check(connection_->unsubscribe({topic}));
}

void SimpleClient::wait_msg() {
  while (check(connection_->poll(std::chrono::hours(1))) == 0) {
  }
}

bool SimpleClient::check_msg() {
  return check(connection_->poll(std::chrono::milliseconds(0))) > 0;
}

}  // namespace tern::client
