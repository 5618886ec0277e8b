// Tests of every directive: its happy path, its default, its bounds and its errors with their exact
// "file:line: reason" text.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "test_util.h"

namespace tern::config {
namespace {

using test::parse_error;
using test::parse_ok;

// --- Listeners

TEST(ConfigListener, PortAndAddress) {
  Config c = parse_ok("listener 1883\nlistener 8883 10.0.0.1\n");
  ASSERT_EQ(c.listeners.size(), 2u);  // no default listener: nothing configured it
  EXPECT_EQ(c.listeners[0].port, 1883);
  EXPECT_EQ(c.listeners[0].bind_address, "");  // every interface
  EXPECT_EQ(c.listeners[0].declared_at, "t.conf:1");
  EXPECT_EQ(c.listeners[1].port, 8883);
  EXPECT_EQ(c.listeners[1].bind_address, "10.0.0.1");
  EXPECT_EQ(c.listeners[1].declared_at, "t.conf:2");
}

TEST(ConfigListener, SettingsApplyToTheLatestListener) {
  Config c = parse_ok(
      "listener 1883\n"
      "max_connections 10\n"
      "listener 9001\n"
      "protocol websockets\n"
      "socket_domain ipv6\n"
      "bind_interface eth0\n"
      "max_topic_alias 0\n"
      "max_connections -1\n");
  ASSERT_EQ(c.listeners.size(), 2u);
  EXPECT_EQ(c.listeners[0].max_connections, 10);
  EXPECT_EQ(c.listeners[0].protocol, Protocol::mqtt);
  EXPECT_EQ(c.listeners[0].max_topic_alias, 10);
  EXPECT_EQ(c.listeners[1].protocol, Protocol::websockets);
  EXPECT_EQ(c.listeners[1].socket_domain, SocketDomain::ipv6);
  EXPECT_EQ(c.listeners[1].bind_interface, "eth0");
  EXPECT_EQ(c.listeners[1].max_topic_alias, 0);
  EXPECT_EQ(c.listeners[1].max_connections, -1);
}

TEST(ConfigListener, SettingsBeforeAnyListenerConfigureTheDefaultListener) {
  Config c = parse_ok("max_connections 5\nlistener 1884\n");
  ASSERT_EQ(c.listeners.size(), 2u);
  EXPECT_EQ(c.listeners[0].port, 1883);
  EXPECT_EQ(c.listeners[0].max_connections, 5);
  EXPECT_EQ(c.listeners[0].bind_address, "");  // a listener exists, so not loopback-only
  EXPECT_EQ(c.listeners[1].port, 1884);
  EXPECT_EQ(c.listeners[1].max_connections, -1);
}

TEST(ConfigListener, ListenerSettingAloneKeepsLoopbackDefault) {
  Config c = parse_ok("max_connections 5\n");
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(c.listeners[0].bind_address, "localhost");
  EXPECT_EQ(c.listeners[0].max_connections, 5);
}

TEST(ConfigListener, PortAndBindAddressConfigureTheDefaultListener) {
  Config c = parse_ok("port 1884\n");
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(c.listeners[0].port, 1884);
  EXPECT_EQ(c.listeners[0].bind_address, "");  // all interfaces once a port is chosen
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0], "t.conf:1: 'port' is deprecated by Mosquitto; prefer 'listener'");

  c = parse_ok("bind_address 127.0.0.1\nport 1999\nlistener 2000\n");
  ASSERT_EQ(c.listeners.size(), 2u);
  EXPECT_EQ(c.listeners[0].port, 1999);
  EXPECT_EQ(c.listeners[0].bind_address, "127.0.0.1");
  EXPECT_EQ(c.listeners[1].port, 2000);
}

TEST(ConfigListener, CommentAfterPortIsIgnoredLikeMosquitto) {
  Config c = parse_ok("listener 1883 # plain MQTT\n");
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(c.listeners[0].bind_address, "");
}

TEST(ConfigListener, Errors) {
  EXPECT_EQ(parse_error("listener\n"), "t.conf:1: missing argument for 'listener'");
  EXPECT_EQ(parse_error("listener 0\n"), "t.conf:1: 'listener' must be between 1 and 65535, got 0");
  EXPECT_EQ(parse_error("listener 65536\n"),
            "t.conf:1: 'listener' must be between 1 and 65535, got 65536");
  EXPECT_EQ(parse_error("listener -1\n"), "t.conf:1: 'listener' must not be negative, got -1");
  EXPECT_EQ(parse_error("listener mqtt\n"), "t.conf:1: bad number 'mqtt' for 'listener'");
  EXPECT_EQ(parse_error("listener 1883 0.0.0.0 extra\n"),
            "t.conf:1: unexpected argument 'extra' for 'listener'");
  EXPECT_EQ(parse_error("listener 1883\nlistener 1883\n"),
            "t.conf:2: listener 1883 is already declared at t.conf:1");
  EXPECT_EQ(parse_error("listener 1 ::1\nlistener 1 ::1\n"),
            "t.conf:2: listener 1 ::1 is already declared at t.conf:1");
  EXPECT_EQ(parse_ok("listener 1 ::1\nlistener 1 127.0.0.1\n").listeners.size(), 2u);
  EXPECT_EQ(parse_error("port 0\n"), "t.conf:1: 'port' must be between 1 and 65535, got 0");
  EXPECT_EQ(parse_error("bind_address\n"), "t.conf:1: missing argument for 'bind_address'");
  EXPECT_EQ(parse_error("bind_address a b\n"),
            "t.conf:1: unexpected argument 'b' for 'bind_address'");
  EXPECT_EQ(parse_error("protocol mqttsn\n"),
            "t.conf:1: bad value 'mqttsn' for 'protocol' (expected mqtt or websockets)");
  EXPECT_EQ(parse_error("socket_domain ipv5\n"),
            "t.conf:1: bad value 'ipv5' for 'socket_domain' (expected ipv4 or ipv6)");
  EXPECT_EQ(
      parse_error("max_connections -2\n"),
      "t.conf:1: 'max_connections' must be -1 (unlimited) or between 0 and 2147483647, got -2");
  EXPECT_EQ(parse_error("max_connections ten\n"),
            "t.conf:1: bad number 'ten' for 'max_connections'");
  EXPECT_EQ(parse_error("max_topic_alias 65536\n"),
            "t.conf:1: 'max_topic_alias' must be between 0 and 65535, got 65536");
}

// --- Security

TEST(ConfigSecurity, AnonymousAllowedUnlessAPasswordFileIsSet) {
  Config c = parse_ok("listener 1883\n");
  EXPECT_TRUE(c.security.allow_anonymous);
  EXPECT_TRUE(c.listeners[0].security.allow_anonymous);

  c = parse_ok("listener 1883\npassword_file /etc/mosquitto/passwd\nacl_file /etc/mosquitto/acl\n");
  EXPECT_FALSE(c.security.allow_anonymous);
  EXPECT_EQ(c.security.password_file, "/etc/mosquitto/passwd");
  EXPECT_EQ(c.security.acl_file, "/etc/mosquitto/acl");
  EXPECT_EQ(c.listeners[0].security, c.security);

  c = parse_ok("password_file /p\nallow_anonymous true\n");
  EXPECT_TRUE(c.security.allow_anonymous);
  c = parse_ok("allow_anonymous false\n");
  EXPECT_FALSE(c.security.allow_anonymous);
  EXPECT_FALSE(c.listeners[0].security.allow_anonymous);
}

TEST(ConfigSecurity, AllowZeroLengthClientId) {
  EXPECT_FALSE(parse_ok("allow_zero_length_clientid false\n").security.allow_zero_length_clientid);
  EXPECT_TRUE(parse_ok("allow_zero_length_clientid 1\n").security.allow_zero_length_clientid);
}

TEST(ConfigSecurity, GlobalSettingsApplyToEveryListener) {
  Config c = parse_ok("listener 1\npassword_file /p\nlistener 2\n");
  ASSERT_EQ(c.listeners.size(), 2u);
  EXPECT_EQ(c.listeners[0].security.password_file, "/p");
  EXPECT_EQ(c.listeners[1].security.password_file, "/p");
  EXPECT_FALSE(c.listeners[1].security.allow_anonymous);
}

TEST(ConfigSecurity, PerListenerSettings) {
  Config c = parse_ok(
      "per_listener_settings true\n"
      "listener 1883\n"
      "password_file /one\n"
      "listener 1884\n"
      "allow_anonymous false\n"
      "listener 1885\n"
      "acl_file /three\n"
      "allow_zero_length_clientid false\n");
  EXPECT_TRUE(c.per_listener_settings);
  ASSERT_EQ(c.listeners.size(), 3u);
  EXPECT_EQ(c.listeners[0].security.password_file, "/one");
  EXPECT_FALSE(c.listeners[0].security.allow_anonymous);
  EXPECT_EQ(c.listeners[1].security.password_file, "");
  EXPECT_FALSE(c.listeners[1].security.allow_anonymous);
  EXPECT_TRUE(c.listeners[2].security.allow_anonymous);
  EXPECT_EQ(c.listeners[2].security.acl_file, "/three");
  EXPECT_FALSE(c.listeners[2].security.allow_zero_length_clientid);
  EXPECT_EQ(c.security, Security{});  // the global settings were not touched
}

TEST(ConfigSecurity, PerListenerSettingsMustComeFirst) {
  EXPECT_EQ(parse_error("password_file /p\nper_listener_settings true\n"),
            "t.conf:2: 'per_listener_settings' must come before any password_file, acl_file, "
            "allow_anonymous or allow_zero_length_clientid");
  // Once true it stays true, as in Mosquitto.
  EXPECT_TRUE(
      parse_ok("per_listener_settings true\nper_listener_settings false\n").per_listener_settings);
  EXPECT_FALSE(
      parse_ok("allow_anonymous true\nper_listener_settings false\n").per_listener_settings);
}

TEST(ConfigSecurity, DuplicatePathsAreErrorsPerScope) {
  EXPECT_EQ(parse_error("password_file /a\npassword_file /b\n"),
            "t.conf:2: duplicate 'password_file' value");
  EXPECT_EQ(parse_error("acl_file /a\nlistener 1\nacl_file /b\n"),
            "t.conf:3: duplicate 'acl_file' value");
  Config c =
      parse_ok("per_listener_settings true\nlistener 1\nacl_file /a\nlistener 2\nacl_file /b\n");
  EXPECT_EQ(c.listeners[0].security.acl_file, "/a");
  EXPECT_EQ(c.listeners[1].security.acl_file, "/b");
}

TEST(ConfigSecurity, TlsSettingsAreStoredPerListener) {
  Config c = parse_ok(
      "listener 8883\n"
      "certfile /etc/tern/server.crt\n"
      "keyfile /etc/tern/server.key\n"
      "cafile /etc/tern/ca.crt\n"
      "capath /etc/ssl/certs\n"
      "require_certificate true\n"
      "tls_version tlsv1.3\n"
      "ciphers ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256\n"
      "listener 1883\n");
  ASSERT_EQ(c.listeners.size(), 2u);
  const TlsSettings& tls = c.listeners[0].tls;
  EXPECT_TRUE(tls.enabled());
  EXPECT_EQ(tls.certfile, "/etc/tern/server.crt");
  EXPECT_EQ(tls.keyfile, "/etc/tern/server.key");
  EXPECT_EQ(tls.cafile, "/etc/tern/ca.crt");
  EXPECT_EQ(tls.capath, "/etc/ssl/certs");
  EXPECT_TRUE(tls.require_certificate);
  EXPECT_EQ(tls.tls_version, "tlsv1.3");
  EXPECT_EQ(tls.ciphers, "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(c.listeners[1].tls, TlsSettings{});
  EXPECT_EQ(parse_error("listener 1\ncertfile /a\ncertfile /b\n"),
            "t.conf:3: duplicate 'certfile' value");
}

// --- Integers: every numeric directive, its bounds and the errors just outside them.

struct IntCase {
  std::string_view name;
  std::int64_t min;
  std::int64_t max;
  std::function<std::int64_t(const Config&)> get;
};

std::vector<IntCase> int_cases() {
  return {
      {"max_queued_messages", 0, 2147483647, [](const Config& c) { return c.max_queued_messages; }},
      {"max_queued_bytes", 0, INT64_MAX,
       [](const Config& c) { return static_cast<std::int64_t>(c.max_queued_bytes); }},
      {"max_inflight_messages", 0, 65535, [](const Config& c) { return c.max_inflight_messages; }},
      {"max_inflight_bytes", 0, INT64_MAX,
       [](const Config& c) { return static_cast<std::int64_t>(c.max_inflight_bytes); }},
      {"message_size_limit", 0, 268435455, [](const Config& c) { return c.message_size_limit; }},
      {"max_packet_size", 20, 268435460, [](const Config& c) { return c.max_packet_size; }},
      {"max_keepalive", 0, 65535, [](const Config& c) { return c.max_keepalive; }},
      {"sys_interval", 0, 65535, [](const Config& c) { return c.sys_interval; }},
      {"autosave_interval", 0, 2147483647, [](const Config& c) { return c.autosave_interval; }},
      {"thread_count", 0, 1024, [](const Config& c) { return c.thread_count; }},
      {"max_topic_alias", 0, 65535, [](const Config& c) { return c.listeners[0].max_topic_alias; }},
      {"max_connections", -1, 2147483647,
       [](const Config& c) { return c.listeners[0].max_connections; }},
  };
}

TEST(ConfigIntegers, BoundsAreAccepted) {
  for (const IntCase& k : int_cases()) {
    for (std::int64_t v : {k.min, k.max, k.min + 1}) {
      std::string line = std::string(k.name) + " " + std::to_string(v) + "\n";
      EXPECT_EQ(k.get(parse_ok(line)), v) << line;
    }
  }
}

TEST(ConfigIntegers, OutOfRangeIsRefused) {
  for (const IntCase& k : int_cases()) {
    std::string name(k.name);
    if (k.max < INT64_MAX) {
      std::string above = std::to_string(k.max + 1);
      std::string expected = "t.conf:1: '" + name + "' must be between " +
                             std::to_string(std::max<std::int64_t>(k.min, 0)) + " and " +
                             std::to_string(k.max) + ", got " + above;
      EXPECT_EQ(parse_error(name + " " + above + "\n"), expected);
    }
    if (k.min == 0) {
      EXPECT_EQ(parse_error(name + " -1\n"),
                "t.conf:1: '" + name + "' must not be negative, got -1");
    }
    EXPECT_EQ(parse_error(name + " 12abc\n"), "t.conf:1: bad number '12abc' for '" + name + "'");
    EXPECT_EQ(parse_error(name + " +5\n"), "t.conf:1: bad number '+5' for '" + name + "'");
    EXPECT_EQ(parse_error(name + "\n"), "t.conf:1: missing argument for '" + name + "'");
    EXPECT_EQ(parse_error(name + " 1 2\n"), "t.conf:1: unexpected argument '2' for '" + name + "'");
  }
  EXPECT_EQ(parse_error("max_packet_size 19\n"),
            "t.conf:1: 'max_packet_size' must be between 20 and 268435460, got 19");
  EXPECT_EQ(parse_error("max_queued_bytes 9223372036854775808\n"),
            "t.conf:1: 'max_queued_bytes' must be between 0 and 9223372036854775807, got "
            "9223372036854775808");
  EXPECT_EQ(parse_error("max_queued_messages 99999999999999999999999\n"),
            "t.conf:1: 'max_queued_messages' must be between 0 and 2147483647, got "
            "99999999999999999999999");
  EXPECT_EQ(parse_error("sys_interval -\n"), "t.conf:1: bad number '-' for 'sys_interval'");
}

TEST(ConfigIntegers, PersistentClientExpiration) {
  struct Case {
    std::string_view text;
    std::uint64_t seconds;
  };
  for (auto [text, seconds] : {Case{"2h", 7200}, Case{"14d", 14 * 86400}, Case{"1w", 604800},
                               Case{"1m", 30 * 86400}, Case{"1y", 365 * 86400}}) {
    Config c = parse_ok("persistent_client_expiration " + std::string(text) + "\n");
    EXPECT_EQ(c.persistent_client_expiration, seconds) << text;
  }
  for (std::string_view bad : {"10", "0d", "-1d", "5x", "d", "1.5d", "99999999999999999y"}) {
    EXPECT_EQ(parse_error("persistent_client_expiration " + std::string(bad) + "\n"),
              "t.conf:1: bad duration '" + std::string(bad) +
                  "' for 'persistent_client_expiration' (expected a positive number followed by "
                  "h, d, w, m or y, e.g. 14d)");
  }
  EXPECT_EQ(parse_error("persistent_client_expiration\n"),
            "t.conf:1: missing argument for 'persistent_client_expiration'");
}

// --- Booleans: every boolean directive.

struct BoolCase {
  std::string_view name;
  std::function<bool(const Config&)> get;
};

TEST(ConfigBooleans, EveryBooleanDirective) {
  std::vector<BoolCase> cases = {
      {"retain_available", [](const Config& c) { return c.retain_available; }},
      {"upgrade_outgoing_qos", [](const Config& c) { return c.upgrade_outgoing_qos; }},
      {"queue_qos0_messages", [](const Config& c) { return c.queue_qos0_messages; }},
      {"check_retain_source", [](const Config& c) { return c.check_retain_source; }},
      {"set_tcp_nodelay", [](const Config& c) { return c.set_tcp_nodelay; }},
      {"log_timestamp", [](const Config& c) { return c.log_timestamp; }},
      {"connection_messages", [](const Config& c) { return c.connection_messages; }},
      {"persistence", [](const Config& c) { return c.persistence; }},
      {"per_listener_settings", [](const Config& c) { return c.per_listener_settings; }},
      {"allow_anonymous", [](const Config& c) { return c.security.allow_anonymous; }},
      {"allow_zero_length_clientid",
       [](const Config& c) { return c.security.allow_zero_length_clientid; }},
      {"require_certificate",
       [](const Config& c) { return c.listeners[0].tls.require_certificate; }},
  };
  for (const BoolCase& k : cases) {
    std::string name(k.name);
    EXPECT_TRUE(k.get(parse_ok(name + " true\n"))) << name;
    EXPECT_TRUE(k.get(parse_ok(name + " 1\n"))) << name;
    EXPECT_FALSE(k.get(parse_ok(name + " false\n"))) << name;
    EXPECT_FALSE(k.get(parse_ok(name + " 0\n"))) << name;
    EXPECT_EQ(parse_error(name + " yes\n"),
              "t.conf:1: bad boolean 'yes' for '" + name + "' (expected true or false)");
    EXPECT_EQ(parse_error(name + " True\n"),
              "t.conf:1: bad boolean 'True' for '" + name + "' (expected true or false)");
    EXPECT_EQ(parse_error(name + "\n"), "t.conf:1: missing argument for '" + name + "'");
    EXPECT_EQ(parse_error(name + " true false\n"),
              "t.conf:1: unexpected argument 'false' for '" + name + "'");
  }
}

// --- Strings

TEST(ConfigStrings, PathsTakeTheRestOfTheLine) {
  Config c = parse_ok(
      "pid_file /run/tern/tern.pid\n"
      "persistence_location /var/lib/my broker/\n"
      "persistence_file tern.db\n"
      "log_timestamp_format %Y-%m-%dT%H:%M:%S \n"
      "data_dir   /srv/tern data\n"
      "user mosquitto\n");
  EXPECT_EQ(c.pid_file, "/run/tern/tern.pid");
  EXPECT_EQ(c.persistence_location, "/var/lib/my broker/");
  EXPECT_EQ(c.persistence_file, "tern.db");
  EXPECT_EQ(c.log_timestamp_format, "%Y-%m-%dT%H:%M:%S");
  EXPECT_EQ(c.data_dir, "/srv/tern data");
  EXPECT_EQ(c.user, "mosquitto");
}

TEST(ConfigStrings, DuplicatesAreErrorsExceptUser) {
  for (std::string_view name : {"pid_file", "persistence_location", "persistence_file",
                                "log_timestamp_format", "data_dir", "bind_interface"}) {
    std::string n(name);
    EXPECT_EQ(parse_error(n + " a\n" + n + " b\n"), "t.conf:2: duplicate '" + n + "' value");
    EXPECT_EQ(parse_error(n + "\n"), "t.conf:1: missing argument for '" + n + "'");
  }
  EXPECT_EQ(parse_ok("user a\nuser b\n").user, "b");
  EXPECT_EQ(parse_error("user\n"), "t.conf:1: missing argument for 'user'");
}

TEST(ConfigStrings, ClientIdPrefixesIsDeprecated) {
  Config c = parse_ok("clientid_prefixes secure-\n");
  EXPECT_EQ(c.clientid_prefixes, "secure-");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0], "t.conf:1: 'clientid_prefixes' is deprecated by Mosquitto");
}

TEST(ConfigTern, SharedSubscriptionStrategy) {
  EXPECT_EQ(parse_ok("shared_subscription_strategy random\n").shared_subscription_strategy,
            SharedSubscriptionStrategy::random);
  EXPECT_EQ(parse_ok("shared_subscription_strategy sticky\n").shared_subscription_strategy,
            SharedSubscriptionStrategy::sticky);
  EXPECT_EQ(parse_ok("shared_subscription_strategy round_robin\n").shared_subscription_strategy,
            SharedSubscriptionStrategy::round_robin);
  EXPECT_EQ(parse_error("shared_subscription_strategy first\n"),
            "t.conf:1: bad value 'first' for 'shared_subscription_strategy' (expected "
            "round_robin, random or sticky)");
}

// --- Logging

TEST(ConfigLogging, LogDestRepeatsAndReplacesTheDefault) {
  Config c = parse_ok("log_dest stdout\nlog_dest syslog\nlog_dest topic\n");
  EXPECT_EQ(c.log_dest, kLogDestStdout | kLogDestSyslog | kLogDestTopic);

  c = parse_ok("log_dest file /var/log/tern/my broker.log\nlog_dest stderr\n");
  EXPECT_EQ(c.log_dest, kLogDestFile | kLogDestStderr);
  EXPECT_EQ(c.log_file, "/var/log/tern/my broker.log");

  EXPECT_EQ(parse_ok("log_dest stdout\nlog_dest none\n").log_dest, 0u);
  EXPECT_EQ(parse_ok("log_dest none\nlog_dest stdout\n").log_dest, kLogDestStdout);
}

TEST(ConfigLogging, LogDestErrors) {
  EXPECT_EQ(parse_error("log_dest\n"), "t.conf:1: missing argument for 'log_dest'");
  EXPECT_EQ(parse_error("log_dest file\n"), "t.conf:1: missing file name for 'log_dest file'");
  EXPECT_EQ(parse_error("log_dest file /a\nlog_dest file /b\n"),
            "t.conf:2: duplicate 'log_dest file' value");
  EXPECT_EQ(parse_error("log_dest stdout stderr\n"),
            "t.conf:1: unexpected argument 'stderr' for 'log_dest'");
  EXPECT_EQ(parse_error("log_dest dlt\n"),
            "t.conf:1: bad value 'dlt' for 'log_dest' (expected stderr, stdout, file, syslog, "
            "topic or none)");
}

TEST(ConfigLogging, LogTypeRepeats) {
  Config c = parse_ok("log_type error\nlog_type subscribe\nlog_type unsubscribe\n");
  EXPECT_EQ(c.log_type, kLogTypeError | kLogTypeSubscribe | kLogTypeUnsubscribe);
  c = parse_ok(
      "log_type debug\nlog_type websockets\nlog_type warning\nlog_type notice\n"
      "log_type information\n");
  EXPECT_EQ(c.log_type, kLogTypeDebug | kLogTypeWebsockets | kLogTypeWarning | kLogTypeNotice |
                            kLogTypeInformation);
  EXPECT_EQ(parse_ok("log_type all\n").log_type, kLogTypeAll);
  EXPECT_EQ(parse_ok("log_type all\nlog_type none\n").log_type, 0u);
  EXPECT_EQ(parse_ok("log_type none\nlog_type error\n").log_type, kLogTypeError);
  EXPECT_EQ(parse_error("log_type verbose\n"),
            "t.conf:1: bad value 'verbose' for 'log_type' (expected error, warning, notice, "
            "information, debug, subscribe, unsubscribe, websockets, all or none)");
  EXPECT_EQ(parse_error("log_type\n"), "t.conf:1: missing argument for 'log_type'");
}

}  // namespace
}  // namespace tern::config
