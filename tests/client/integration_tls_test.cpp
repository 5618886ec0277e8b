// TLS against mosquitto (tern has no TLS listener yet: docs/configuration.md, "TLS"), with a
// CA and certificates made by the openssl tool for each test.
#include <thread>
#include <vector>

#include "integration_common.h"
#include "tern/client/simple.h"
#include "tern/client/transport.h"

namespace tern::client::test {
namespace {

class Tls : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = make_test_ca(dir_.path());
    ASSERT_TRUE(ca_.ok);
  }
  ConnectOptions tls_options(const Broker& broker, std::string host = "localhost") {
    auto o = options_for(broker, "tls-client");
    o.host = std::move(host);
    o.port = broker.tls_port();
    o.tls.enabled = true;
    o.tls.ca_file = ca_.ca_cert.string();
    return o;
  }
  TempDir dir_;
  TestCa ca_;
};

TEST_F(Tls, PublishSubscribeOverTls) {
  Broker broker(BrokerKind::mosquitto, BrokerSetup{"", true, &ca_});
  ASSERT_TRUE(broker.running());
  Connection c(tls_options(broker));
  auto r = c.connect();
  ASSERT_TRUE(r.ok()) << why(r) << "\n" << broker.log();
  ASSERT_NE(c.transport(), nullptr);
  EXPECT_TRUE(c.transport()->is_tls());
  ASSERT_TRUE(c.subscribe("tls/#", mqtt::QoS::exactly_once).ok());
  std::string big(200'000, 'x');  // several TLS records
  ASSERT_TRUE(c.publish("tls/a", big, mqtt::QoS::exactly_once).ok());
  auto m = c.wait_message(5s);
  ASSERT_TRUE(m.ok() && m->has_value()) << why(m);
  EXPECT_EQ((*m)->payload, big);
  EXPECT_TRUE(c.disconnect().ok());
}

TEST_F(Tls, UnknownCaIsRefused) {
  Broker broker(BrokerKind::mosquitto, BrokerSetup{"", true, &ca_});
  auto o = tls_options(broker);
  o.tls.ca_file = ca_.other_ca_cert.string();
  Connection c(o);
  auto r = c.connect();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::tls);
  EXPECT_NE(r.error().message.find("certificate"), std::string::npos) << r.error().message;
}

// The certificate names "localhost" only: 127.0.0.1 fails the host check unless insecure.
TEST_F(Tls, HostNameVerificationAndInsecure) {
  Broker broker(BrokerKind::mosquitto, BrokerSetup{"", true, &ca_});
  Connection strict(tls_options(broker, "127.0.0.1"));
  auto r = strict.connect();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::tls) << r.error().to_string();
  auto o = tls_options(broker, "127.0.0.1");
  o.tls.insecure = true;
  Connection insecure(o);
  auto ok = insecure.connect();
  EXPECT_TRUE(ok.ok()) << why(ok);
  // server_name names the expected host instead of the address connected to.
  auto named = tls_options(broker, "127.0.0.1");
  named.tls.server_name = "localhost";
  Connection by_name(named);
  auto ok2 = by_name.connect();
  EXPECT_TRUE(ok2.ok()) << why(ok2);
}

TEST_F(Tls, ClientCertificate) {
  Broker broker(BrokerKind::mosquitto, BrokerSetup{"", true, &ca_, true});
  Connection without(tls_options(broker));
  auto refused = without.connect();
  ASSERT_FALSE(refused.ok());
  // TLS 1.3 reports a missing certificate after the handshake: a TLS error or a closed socket.
  EXPECT_TRUE(refused.error().code == ErrorCode::tls ||
              refused.error().code == ErrorCode::connection_closed ||
              refused.error().code == ErrorCode::network)
      << refused.error().to_string();
  auto o = tls_options(broker);
  o.tls.cert_file = ca_.client_cert.string();
  o.tls.key_file = ca_.client_key.string();
  Connection with(o);
  auto ok = with.connect();
  EXPECT_TRUE(ok.ok()) << why(ok);
}

TEST_F(Tls, PlainClientOnTlsPortFails) {
  Broker broker(BrokerKind::mosquitto, BrokerSetup{"", true, &ca_});
  auto o = options_for(broker, "plain");
  o.port = broker.tls_port();
  o.connack_timeout = 1s;
  Connection c(o);
  EXPECT_FALSE(c.connect().ok());
}

TEST_F(Tls, SimpleClientOverTls) {
  Broker broker(BrokerKind::mosquitto, BrokerSetup{"", true, &ca_});
  TlsOptions tls;
  tls.enabled = true;
  tls.ca_file = ca_.ca_cert.string();
  SimpleClient c("simple-tls", "localhost", broker.tls_port(), {}, {}, 0, tls);
  std::string got;
  c.set_callback([&](const std::string&, const std::string& payload) { got = payload; });
  c.connect();
  c.subscribe("t", 1);
  c.publish("t", "secure", false, 1);
  c.wait_msg();
  EXPECT_EQ(got, "secure");
}

// The non-blocking API an event loop uses: fd() to poll, read_some/write_some never block.
TEST_F(Tls, NonBlockingTransport) {
  Broker broker(BrokerKind::mosquitto, BrokerSetup{"", true, &ca_});
  TlsOptions tls;
  tls.enabled = true;
  tls.ca_file = ca_.ca_cert.string();
  auto t = Transport::connect("localhost", broker.tls_port(), tls, 5s);
  ASSERT_TRUE(t.ok()) << why(t);
  Transport& transport = **t;
  EXPECT_GE(transport.fd(), 0);
  std::uint8_t buffer[64];
  auto nothing = transport.read_some(buffer);
  EXPECT_EQ(nothing.status, IoStatus::would_block);
  // CONNECT (3.1.1, client id "nb"), written with write_some.
  const std::uint8_t connect[] = {0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 2, 'n', 'b'};
  auto written = transport.write_some(connect);
  ASSERT_EQ(written.status, IoStatus::ok);
  EXPECT_EQ(written.bytes, sizeof connect);
  auto n = transport.read(buffer, std::chrono::steady_clock::now() + 5s);
  ASSERT_TRUE(n.ok()) << why(n);
  ASSERT_EQ(*n, 4u);  // CONNACK
  EXPECT_EQ(buffer[0], 0x20);
  EXPECT_EQ(buffer[3], 0);
  transport.close();
  EXPECT_EQ(transport.fd(), -1);
}

TEST_F(Tls, WritingAfterThePeerClosedIsAnErrorNotSigpipe) {
  // OpenSSL writes with write(): without care, writing to a TLS connection the peer has closed
  // raises SIGPIPE, which kills the process. The transport must report an error instead.
  Broker broker(BrokerKind::mosquitto, BrokerSetup{"", true, &ca_});
  TlsOptions tls;
  tls.enabled = true;
  tls.ca_file = ca_.ca_cert.string();
  auto t = Transport::connect("localhost", broker.tls_port(), tls, 5s);
  ASSERT_TRUE(t.ok()) << why(t);
  Transport& transport = **t;
  // A PINGREQ as the first packet: the server closes the connection [MQTT-3.1.0-1].
  const std::uint8_t pingreq[] = {0xC0, 0};
  ASSERT_EQ(transport.write_some(pingreq).status, IoStatus::ok);
  std::uint8_t buffer[64];
  auto closed = transport.read(buffer, std::chrono::steady_clock::now() + 5s);
  EXPECT_FALSE(closed.ok() && *closed > 0);
  std::vector<std::uint8_t> chunk(4096, 0);
  bool failed = false;
  for (int i = 0; i < 100 && !failed; ++i) {
    IoStatus status = transport.write_some(chunk).status;
    failed = status == IoStatus::error || status == IoStatus::closed;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(failed) << "writes to a closed connection kept succeeding";
}

}  // namespace
}  // namespace tern::client::test
