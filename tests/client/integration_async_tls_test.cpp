// AsyncClient over TLS (mqtts://) against mosquitto (tern has no TLS listener yet), with a
// throwaway CA made by make_test_ca (broker_launcher.h) for each test.
#include <condition_variable>
#include <mutex>

#include "integration_common.h"
#include "tern/client/async.h"

namespace tern::client::test {
namespace {

template <class T>
Result<T> get(std::future<Result<T>>&& future) {
  if (future.wait_for(5s) != std::future_status::ready) {
    return Error{ErrorCode::timeout, "the test's deadline passed"};
  }
  return future.get();
}

class AsyncTls : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = make_test_ca(dir_.path());
    ASSERT_TRUE(ca_.ok);
  }
  AsyncOptions options(std::string id) const {
    AsyncOptions o;
    o.client_id = std::move(id);
    o.version = mqtt::Version::v5;
    o.connect_timeout = 5s;
    o.connack_timeout = 5s;
    o.tls.ca_file = ca_.ca_cert.string();
    return o;
  }
  TempDir dir_;
  TestCa ca_;
};

TEST_F(AsyncTls, PublishSubscribeOverMqtts) {
  Broker broker(BrokerKind::mosquitto, BrokerSetup{"", true, &ca_});
  ASSERT_TRUE(broker.running());
  auto created = AsyncClient::create("mqtts://localhost:" + std::to_string(broker.tls_port()),
                                     options("async-tls"));
  ASSERT_TRUE(created.ok()) << why(created);
  auto& c = *created;
  auto connected = get(c->connect());
  ASSERT_TRUE(connected.ok()) << why(connected) << "\n" << broker.log();
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::string> payloads;
  ASSERT_TRUE(get(c->subscribe("tls/#", {mqtt::QoS::exactly_once}, [&](const Message& m) {
                std::lock_guard lock(mutex);
                payloads.push_back(m.payload);
                arrived.notify_all();
              })).ok());
  std::string big(300'000, 'x');  // many TLS records, partial writes
  for (int i = 0; i < 3; ++i) {
    auto done = get(c->publish("tls/a", big + std::to_string(i), mqtt::QoS::exactly_once));
    ASSERT_TRUE(done.ok()) << why(done);
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(arrived.wait_for(lock, 5s, [&] { return payloads.size() >= 3; }));
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(payloads[i], big + std::to_string(i));
}

// The host name check is on: 127.0.0.1 is not in the certificate, so the attempt fails with a
// TLS error; the future reports it.
TEST_F(AsyncTls, VerificationFailureIsReported) {
  Broker broker(BrokerKind::mosquitto, BrokerSetup{"", true, &ca_});
  ASSERT_TRUE(broker.running());
  auto created = AsyncClient::create("mqtts://127.0.0.1:" + std::to_string(broker.tls_port()),
                                     options("async-tls-bad"));
  ASSERT_TRUE(created.ok());
  auto r = get((*created)->connect());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::tls) << r.error().to_string();
}

}  // namespace
}  // namespace tern::client::test
