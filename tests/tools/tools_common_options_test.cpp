// The command lines of tern_pub, tern_sub and tern_rr (tools/common/options.h): defaults, each
// flag, and each refusal with mosquitto 2.0.11's error line (checked against Debian's
// mosquitto_pub/mosquitto_sub/mosquitto_rr; tests/tools/compare/ runs both side by side).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/options.h"

namespace tern::tools {
namespace {

using Args = std::vector<std::string>;

struct Refusal {
  Args args;
  std::string message;
  ErrorHint hint = ErrorHint::use_help;
};

template <typename Options>
void expect_refused(ParseResult<Options> (*parse)(std::span<const std::string>),
                    const std::vector<Refusal>& cases) {
  for (const Refusal& c : cases) {
    ParseResult<Options> r = parse(c.args);
    ASSERT_FALSE(r.ok()) << "accepted: " << testing::PrintToString(c.args);
    EXPECT_EQ(r.error->message, c.message) << testing::PrintToString(c.args);
    EXPECT_EQ(r.error->hint, c.hint) << testing::PrintToString(c.args);
  }
}

PubOptions pub(Args args) {
  ParseResult<PubOptions> r = parse_pub_options(args);
  EXPECT_TRUE(r.ok()) << (r.error ? r.error->message : "") << testing::PrintToString(args);
  return r.options;
}

SubOptions sub(Args args) {
  ParseResult<SubOptions> r = parse_sub_options(args);
  EXPECT_TRUE(r.ok()) << (r.error ? r.error->message : "") << testing::PrintToString(args);
  return r.options;
}

RrOptions rr(Args args) {
  ParseResult<RrOptions> r = parse_rr_options(args);
  EXPECT_TRUE(r.ok()) << (r.error ? r.error->message : "") << testing::PrintToString(args);
  return r.options;
}

TEST(PubOptions, Defaults) {
  PubOptions o = pub({"-t", "a/b", "-m", "hello"});
  const ConnectionOptions& c = o.connection;
  EXPECT_EQ(c.host, "localhost");
  EXPECT_FALSE(c.port);
  EXPECT_EQ(c.effective_port(), 1883);
  EXPECT_EQ(c.version, mqtt::Version::v3_1_1);
  EXPECT_EQ(c.keepalive, 60);
  EXPECT_TRUE(c.clean_session);
  EXPECT_FALSE(c.client_id);
  EXPECT_FALSE(c.will);
  EXPECT_FALSE(c.tls.enabled());
  EXPECT_EQ(c.max_inflight, 20u);
  EXPECT_TRUE(c.connect_properties.empty());
  EXPECT_EQ(o.topic, "a/b");
  EXPECT_EQ(o.mode, MessageMode::command_line);
  EXPECT_EQ(o.message, "hello");
  EXPECT_EQ(o.qos, mqtt::QoS::at_most_once);
  EXPECT_FALSE(o.retain);
  EXPECT_EQ(o.repeat_count, 1);
  EXPECT_EQ(o.repeat_delay_us, 0);
}

TEST(PubOptions, ConnectionFlags) {
  PubOptions o =
      pub({"-h",      "broker", "-p",    "1884",   "-A",   "127.0.0.2", "-i", "me",        "-k",
           "5",       "-u",     "user",  "-P",     "pass", "-M",        "7",  "--nodelay", "-d",
           "--quiet", "--host", "other", "--port", "1885", "-t",        "t",  "-n"});
  const ConnectionOptions& c = o.connection;
  EXPECT_EQ(c.host, "other");  // the last one wins, as in mosquitto
  EXPECT_EQ(c.port, 1885);
  EXPECT_EQ(c.bind_address, "127.0.0.2");
  EXPECT_EQ(c.client_id, "me");
  EXPECT_EQ(c.keepalive, 5);
  EXPECT_EQ(c.username, "user");
  EXPECT_EQ(c.password, "pass");
  EXPECT_EQ(c.max_inflight, 7u);
  EXPECT_TRUE(c.nodelay);
  EXPECT_TRUE(c.debug);
  EXPECT_TRUE(c.quiet);
  EXPECT_EQ(o.mode, MessageMode::null);
}

TEST(PubOptions, NumbersAreReadLikeAtoi) {
  // mosquitto uses atoi: trailing junk is ignored, a word that is no number is 0.
  EXPECT_EQ(pub({"-t", "t", "-m", "x", "-q", "1x"}).qos, mqtt::QoS::at_least_once);
  EXPECT_EQ(pub({"-t", "t", "-m", "x", "-q", " 2"}).qos, mqtt::QoS::exactly_once);
  EXPECT_EQ(pub({"-t", "t", "-m", "x", "-q", "abc"}).qos, mqtt::QoS::at_most_once);
  EXPECT_EQ(pub({"-t", "t", "-m", "x", "-p", "abc"}).connection.port, 0);
}

TEST(PubOptions, ProtocolVersions) {
  EXPECT_EQ(pub({"-t", "t", "-n", "-V", "31"}).connection.version, mqtt::Version::v3_1);
  EXPECT_EQ(pub({"-t", "t", "-n", "-V", "mqttv31"}).connection.version, mqtt::Version::v3_1);
  EXPECT_EQ(pub({"-t", "t", "-n", "-V", "311"}).connection.version, mqtt::Version::v3_1_1);
  EXPECT_EQ(pub({"-t", "t", "-n", "--protocol-version", "mqttv311"}).connection.version,
            mqtt::Version::v3_1_1);
  EXPECT_EQ(pub({"-t", "t", "-n", "-V", "5"}).connection.version, mqtt::Version::v5);
  EXPECT_EQ(pub({"-t", "t", "-n", "-V", "mqttv5"}).connection.version, mqtt::Version::v5);
  // -D implies MQTT 5.0; a later -V still decides.
  EXPECT_EQ(pub({"-t", "t", "-n", "-D", "publish", "content-type", "c"}).connection.version,
            mqtt::Version::v5);
  EXPECT_EQ(
      pub({"-t", "t", "-n", "-D", "publish", "content-type", "c", "-V", "311"}).connection.version,
      mqtt::Version::v3_1_1);
}

TEST(PubOptions, MessageSources) {
  PubOptions f = pub({"-t", "t", "-f", "/some/file"});
  EXPECT_EQ(f.mode, MessageMode::file);
  EXPECT_EQ(f.file, "/some/file");
  EXPECT_EQ(pub({"-t", "t", "-l"}).mode, MessageMode::stdin_lines);
  EXPECT_EQ(pub({"-t", "t", "--stdin-line"}).mode, MessageMode::stdin_lines);
  EXPECT_EQ(pub({"-t", "t", "-s"}).mode, MessageMode::stdin_whole);
  EXPECT_EQ(pub({"-t", "t", "--stdin-file"}).mode, MessageMode::stdin_whole);
  EXPECT_EQ(pub({"-t", "t", "--null-message"}).mode, MessageMode::null);
  PubOptions m = pub({"--topic", "t", "--message", ""});
  EXPECT_EQ(m.mode, MessageMode::command_line);
  EXPECT_EQ(m.message, "");
}

TEST(PubOptions, PublishFlags) {
  PubOptions o =
      pub({"-t", "t", "-m", "x", "-q", "2", "-r", "--repeat", "3", "--repeat-delay", "0.25"});
  EXPECT_EQ(o.qos, mqtt::QoS::exactly_once);
  EXPECT_TRUE(o.retain);
  EXPECT_EQ(o.repeat_count, 3);
  EXPECT_EQ(o.repeat_delay_us, 250000);
  EXPECT_TRUE(pub({"-t", "t", "-m", "x", "--retain"}).retain);
}

TEST(PubOptions, Will) {
  PubOptions o = pub({"-t",
                      "t",
                      "-m",
                      "x",
                      "--will-topic",
                      "w/t",
                      "--will-payload",
                      "bye",
                      "--will-qos",
                      "2",
                      "--will-retain",
                      "-V",
                      "5",
                      "-D",
                      "will",
                      "will-delay-interval",
                      "30",
                      "-D",
                      "will",
                      "content-type",
                      "text"});
  ASSERT_TRUE(o.connection.will);
  const WillOptions& w = *o.connection.will;
  EXPECT_EQ(w.topic, "w/t");
  EXPECT_EQ(w.payload, "bye");
  EXPECT_EQ(w.qos, mqtt::QoS::exactly_once);
  EXPECT_TRUE(w.retain);
  EXPECT_EQ(w.properties.will_delay_interval, 30u);
  EXPECT_EQ(w.properties.content_type, "text");
  // Without --will-payload the will is empty.
  EXPECT_FALSE(pub({"-t", "t", "-m", "x", "--will-topic", "w"}).connection.will->payload);
}

TEST(PubOptions, Properties) {
  PubOptions o = pub({"-t",
                      "t",
                      "-m",
                      "x",
                      "-D",
                      "publish",
                      "user-property",
                      "k",
                      "v",
                      "-D",
                      "PUBLISH",
                      "User-Property",
                      "k",
                      "v2",
                      "-D",
                      "publish",
                      "message-expiry-interval",
                      "60",
                      "-D",
                      "publish",
                      "correlation-data",
                      "id-1",
                      "-D",
                      "publish",
                      "response-topic",
                      "r/t",
                      "-D",
                      "publish",
                      "payload-format-indicator",
                      "1",
                      "-D",
                      "publish",
                      "topic-alias",
                      "3",
                      "-D",
                      "connect",
                      "receive-maximum",
                      "10",
                      "-D",
                      "disconnect",
                      "session-expiry-interval",
                      "5"});
  const mqtt::Properties& p = o.publish_properties;
  ASSERT_EQ(p.user_properties.size(), 2u);
  EXPECT_EQ(p.user_properties[1], (mqtt::UserProperty{"k", "v2"}));
  EXPECT_EQ(p.message_expiry_interval, 60u);
  EXPECT_EQ(p.correlation_data, "id-1");
  EXPECT_EQ(p.response_topic, "r/t");
  EXPECT_EQ(p.payload_format_indicator, 1);
  EXPECT_EQ(p.topic_alias, 3);
  EXPECT_EQ(o.connection.connect_properties.receive_maximum, 10);
  EXPECT_EQ(o.connection.disconnect_properties.session_expiry_interval, 5u);
  EXPECT_EQ(o.connection.version, mqtt::Version::v5);
}

TEST(PubOptions, SessionExpiry) {
  // MQTT 5.0 §3.1.2.11.2: the Session Expiry Interval goes in CONNECT.
  auto expiry = [](Args args) {
    return pub(args).connection.connect_properties.session_expiry_interval;
  };
  EXPECT_EQ(expiry({"-t", "t", "-n", "-V", "5", "-x", "60"}), 60u);
  EXPECT_EQ(expiry({"-t", "t", "-n", "-V", "5", "-x", "0x10"}), 16u);  // strtol base 0
  EXPECT_EQ(expiry({"-t", "t", "-n", "-V", "5", "-x", "0"}), std::nullopt);
  EXPECT_EQ(expiry({"-t", "t", "-n", "-V", "5", "-x", "-1", "-i", "me"}), 4294967295u);
  EXPECT_EQ(expiry({"-t", "t", "-n", "-V", "5", "-x", "\u221e", "-i", "me"}), 4294967295u);
  // -c with MQTT 5.0 means a session that never expires.
  PubOptions c = pub({"-t", "t", "-n", "-V", "5", "-c", "-i", "me"});
  EXPECT_FALSE(c.connection.clean_session);
  EXPECT_EQ(c.connection.connect_properties.session_expiry_interval, 4294967295u);
  // Before MQTT 5.0, -x is accepted and has no effect.
  EXPECT_EQ(expiry({"-t", "t", "-n", "-x", "60"}), std::nullopt);
  EXPECT_TRUE(pub({"-t", "t", "-n", "-c", "-i", "me"}).connection.connect_properties.empty());
}

TEST(PubOptions, Url) {
  PubOptions o = pub({"-L", "mqtt://user:pw@example.org:1999/a/b c", "-m", "x"});
  EXPECT_EQ(o.connection.host, "example.org");
  EXPECT_EQ(o.connection.port, 1999);
  EXPECT_EQ(o.connection.username, "user");
  EXPECT_EQ(o.connection.password, "pw");
  EXPECT_EQ(o.topic, "a/b c");
  PubOptions s = pub({"--url", "MQTTS://host/t", "-m", "x"});
  EXPECT_EQ(s.connection.host, "host");
  EXPECT_EQ(s.connection.port, 8883);
  EXPECT_TRUE(s.connection.tls.use_os_certs);
  EXPECT_FALSE(s.connection.username);
  PubOptions u = pub({"-L", "mqtt://only@host/t", "-m", "x"});
  EXPECT_EQ(u.connection.username, "only");
  EXPECT_FALSE(u.connection.password);
  EXPECT_EQ(u.connection.port, 1883);
}

TEST(PubOptions, Tls) {
  PubOptions o = pub({"-t", "t", "-n", "--cafile", "ca.pem", "--cert", "c.pem", "--key", "k.pem",
                      "--insecure", "--tls-version", "tlsv1.3", "--ciphers", "HIGH", "--tls-alpn",
                      "mqtt", "--tls-use-os-certs", "--capath", "/etc/ssl"});
  const TlsOptions& tls = o.connection.tls;
  EXPECT_TRUE(tls.enabled());
  EXPECT_EQ(o.connection.effective_port(), 8883);
  EXPECT_EQ(tls.cafile, "ca.pem");
  EXPECT_EQ(tls.capath, "/etc/ssl");
  EXPECT_EQ(tls.certfile, "c.pem");
  EXPECT_EQ(tls.keyfile, "k.pem");
  EXPECT_TRUE(tls.insecure);
  EXPECT_EQ(tls.version, "tlsv1.3");
  EXPECT_EQ(tls.ciphers, "HIGH");
  EXPECT_EQ(tls.alpn, "mqtt");
  EXPECT_TRUE(tls.use_os_certs);
  PubOptions psk = pub({"-t", "t", "-n", "--psk", "00ff", "--psk-identity", "me"});
  EXPECT_EQ(psk.connection.tls.psk, "00ff");
  EXPECT_EQ(psk.connection.effective_port(), 8883);
}

TEST(PubOptions, TlsEngineAndKeyForm) {
  PubOptions o = pub({"-t", "t", "-n", "--cert", "c.pem", "--key", "k", "--keyform", "engine",
                      "--tls-engine", "pkcs11", "--tls-engine-kpass-sha1", "ab12"});
  EXPECT_EQ(o.connection.tls.keyform, "engine");
  EXPECT_EQ(o.connection.tls.engine, "pkcs11");
  EXPECT_EQ(o.connection.tls.engine_kpass_sha1, "ab12");
  EXPECT_FALSE(o.connection.tls.enabled());  // no CA: mosquitto leaves TLS off
}

TEST(PubOptions, LongForms) {
  PubOptions o = pub({"--topic", "t",        "--message",  "m",           "--disable-clean-session",
                      "--id",    "me",       "--debug",    "--keepalive", "30",
                      "--pw",    "p",        "--username", "u",           "--qos",
                      "1",       "--retain", "--property", "publish",     "content-type",
                      "c"});
  EXPECT_FALSE(o.connection.clean_session);
  EXPECT_EQ(o.connection.client_id, "me");
  EXPECT_TRUE(o.connection.debug);
  EXPECT_EQ(o.connection.keepalive, 30);
  EXPECT_EQ(o.connection.password, "p");
  EXPECT_EQ(o.connection.username, "u");
  EXPECT_EQ(o.qos, mqtt::QoS::at_least_once);
  EXPECT_TRUE(o.retain);
  EXPECT_EQ(o.publish_properties.content_type, "c");
  EXPECT_EQ(pub({"-t", "t", "--file", "f"}).file, "f");
  EXPECT_EQ(pub({"-t", "t", "-n", "--id-prefix", "x"}).connection.id_prefix, "x");
}

TEST(PubOptions, ProxyAndUnixSocket) {
  PubOptions o = pub({"-t", "t", "-n", "--proxy", "socks5h://u:p%3A@proxy:1081"});
  ASSERT_TRUE(o.connection.proxy);
  EXPECT_EQ(o.connection.proxy->host, "proxy");
  EXPECT_EQ(o.connection.proxy->port, 1081);
  EXPECT_EQ(o.connection.proxy->username, "u");
  EXPECT_EQ(o.connection.proxy->password, "p:");
  EXPECT_EQ(pub({"-t", "t", "-n", "--proxy", "socks5h://proxy"}).connection.proxy->port, 1080);
  PubOptions u = pub({"-t", "t", "-n", "--unix", "/run/m.sock"});
  EXPECT_EQ(u.connection.unix_path, "/run/m.sock");
  EXPECT_EQ(u.connection.host, "/run/m.sock");
  EXPECT_EQ(u.connection.port, 0);
}

TEST(PubOptions, ClientIdFor) {
  EXPECT_EQ(pub({"-t", "t", "-n", "-I", "pre-"}).connection.client_id_for(42), "pre-42");
  EXPECT_EQ(pub({"-t", "t", "-n", "-i", "me"}).connection.client_id_for(42), "me");
  EXPECT_EQ(pub({"-t", "t", "-n"}).connection.client_id_for(42), "");
}

TEST(PubOptions, HelpAndVersion) {
  ParseResult<PubOptions> h = parse_pub_options(Args{"--help", "-Z"});
  EXPECT_TRUE(h.ok());
  EXPECT_EQ(h.action, Action::help);
  EXPECT_EQ(parse_pub_options(Args{"--version"}).action, Action::version);
  // An error before --help wins, as in mosquitto.
  ParseResult<PubOptions> e = parse_pub_options(Args{"-Z", "--help"});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error->message, "Error: Unknown option '-Z'.");
}

TEST(PubOptions, MissingValues) {
  std::vector<Refusal> cases = {
      {{"-A"}, "Error: -A argument given but no address specified."},
      {{"-f"}, "Error: -f argument given but no file specified."},
      {{"-h"}, "Error: -h argument given but no host specified."},
      {{"-i"}, "Error: -i argument given but no id specified."},
      {{"-I"}, "Error: -I argument given but no id prefix specified."},
      {{"-k"}, "Error: -k argument given but no keepalive specified."},
      {{"-L"}, "Error: -L argument given but no URL specified."},
      {{"-M"}, "Error: -M argument given but max_inflight not specified."},
      {{"-m"}, "Error: -m argument given but no message specified."},
      {{"-p"}, "Error: -p argument given but no port specified."},
      {{"-P"}, "Error: -P argument given but no password specified."},
      {{"--proxy"}, "Error: --proxy argument given but no proxy url specified."},
      {{"-q"}, "Error: -q argument given but no QoS specified."},
      {{"--repeat"}, "Error: --repeat argument given but no count specified."},
      {{"--repeat-delay"}, "Error: --repeat-delay argument given but no time specified."},
      {{"-t"}, "Error: -t argument given but no topic specified."},
      {{"-u"}, "Error: -u argument given but no username specified."},
      {{"--unix"}, "Error: --unix argument given but no socket path specified."},
      {{"-V"}, "Error: --protocol-version argument given but no version specified."},
      {{"--will-payload"}, "Error: --will-payload argument given but no will payload specified."},
      {{"--will-qos"}, "Error: --will-qos argument given but no will QoS specified."},
      {{"--will-topic"}, "Error: --will-topic argument given but no will topic specified."},
      {{"-x"}, "Error: -x argument given but no session expiry interval specified."},
      {{"--cafile"}, "Error: --cafile argument given but no file specified."},
      {{"--capath"}, "Error: --capath argument given but no directory specified."},
      {{"--cert"}, "Error: --cert argument given but no file specified."},
      {{"--ciphers"}, "Error: --ciphers argument given but no ciphers specified."},
      {{"--key"}, "Error: --key argument given but no file specified."},
      {{"--keyform"}, "Error: --keyform argument given but no keyform specified."},
      {{"--psk"}, "Error: --psk argument given but no key specified."},
      {{"--psk-identity"}, "Error: --psk-identity argument given but no identity specified."},
      {{"--tls-alpn"}, "Error: --tls-alpn argument given but no protocol specified."},
      {{"--tls-engine"}, "Error: --tls-engine argument given but no engine_id specified."},
      {{"--tls-engine-kpass-sha1"},
       "Error: --tls-engine-kpass-sha1 argument given but no kpass sha1 specified."},
      {{"--tls-version"}, "Error: --tls-version argument given but no version specified."},
      {{"-D"}, "Error: --property argument given but not enough arguments specified."},
  };
  expect_refused(parse_pub_options, cases);
}

TEST(PubOptions, BadValues) {
  std::vector<Refusal> cases = {
      {{"-t", "t", "-m", "x", "-q", "3"}, "Error: Invalid QoS given: 3"},
      {{"-q", "-1"}, "Error: Invalid QoS given: -1"},
      {{"-p", "65536"}, "Error: Invalid port given: 65536"},
      {{"-p", "-1"}, "Error: Invalid port given: -1"},
      {{"-k", "4"}, "Error: Invalid keepalive given, it must be between 5 and 65535 inclusive."},
      {{"-k", "65536"},
       "Error: Invalid keepalive given, it must be between 5 and 65535 inclusive."},
      {{"-M", "0"}, "Error: Maximum inflight messages must be greater than 0."},
      {{"--repeat", "0"}, "Error: --repeat argument must be >0."},
      {{"--repeat-delay", "-1"}, "Error: --repeat-delay argument must be >=0.0."},
      {{"-V", "4"}, "Error: Invalid protocol version argument given."},
      {{"--will-qos", "3"}, "Error: Invalid will QoS 3."},
      {{"-x", "-2"}, "Error: session-expiry-interval out of range."},
      {{"-x", "4294967296"}, "Error: session-expiry-interval out of range."},
      {{"-x", "1e3"}, "Error: session-expiry-interval not a number."},
      {{"-x", ""}, "Error: session-expiry-interval not a number."},
      {{"-L", "http://host/t"}, "Error: unsupported URL scheme."},
      {{"-L", "mqtt://host"}, "Error: Invalid URL for -L argument specified - topic missing."},
      {{"-L", "mqtt://host/a/+"},
       "Error: Invalid publish topic 'a/+', does it contain '+' or '#'?"},
      {{"--proxy", "http://p"}, "Error: Unsupported proxy protocol: http://p"},
      {{"--proxy", "socks5h://p:99999"}, "Error: Invalid proxy port 99999"},
      {{"--proxy", "socks5h://u:p@"}, "Error: Invalid proxy."},
  };
  expect_refused(parse_pub_options, cases);
}

TEST(PubOptions, TopicsAndUtf8) {
  std::vector<Refusal> cases = {
      {{"-t", "a/+"}, "Error: Invalid publish topic 'a/+', does it contain '+' or '#'?"},
      {{"-t", "a/#"}, "Error: Invalid publish topic 'a/#', does it contain '+' or '#'?"},
      {{"-t", "\xff"}, "Error: Malformed UTF-8 in -t argument."},
      {{"-t", "a\x01"}, "Error: Malformed UTF-8 in -t argument."},
      {{"-t", std::string(65536, 'a')},
       "Error: Invalid publish topic '" + std::string(65536, 'a') +
           "', does it contain '+' or '#'?"},
      {{"-t", std::string(65537, 'a')}, "Error: Malformed UTF-8 in -t argument."},
      {{"--will-topic", "w/#"}, "Error: Invalid will topic 'w/#', does it contain '+' or '#'?"},
      {{"--will-topic", "\xc0\x80"}, "Error: Malformed UTF-8 in --will-topic argument."},
  };
  expect_refused(parse_pub_options, cases);
  // The empty topic passes the option checks, as in mosquitto.
  EXPECT_EQ(pub({"-t", "", "-m", "x"}).topic, "");
}

TEST(PubOptions, Conflicts) {
  std::vector<Refusal> cases = {
      {{"-m", "x", "-f", "file"}, "Error: Only one type of message can be sent at once."},
      {{"-m", "x", "-l"}, "Error: Only one type of message can be sent at once."},
      {{"-l", "-m", "x"}, "Error: Only one type of message can be sent at once."},
      {{"-l", "-n"}, "Error: Only one type of message can be sent at once."},
      {{"-l", "-s"}, "Error: Only one type of message can be sent at once."},
      {{"-n", "-s"}, "Error: Only one type of message can be sent at once."},
      {{"-i", "id", "-I", "pre"}, "Error: -i and -I argument cannot be used together."},
      {{"-I", "pre", "-i", "id"}, "Error: -i and -I argument cannot be used together."},
      {{"--will-payload", "p"}, "Error: Will payload given, but no will topic given."},
      {{"--will-retain"}, "Error: Will retain given, but no will topic given."},
      {{"--cert", "c"}, "Error: Both certfile and keyfile must be provided if one of them is set."},
      {{"--key", "k"}, "Error: Both certfile and keyfile must be provided if one of them is set."},
      {{"--keyform", "pem"}, "Error: If keyform is set, keyfile must be also specified."},
      {{"--tls-engine-kpass-sha1", "x"},
       "Error: when using tls-engine-kpass-sha1, both tls-engine and keyform must also be "
       "provided."},
      {{"--psk", "00", "--psk-identity", "i", "--cafile", "ca"},
       "Error: Only one of --psk or --cafile/--capath may be used at once."},
      {{"--psk", "00"}, "Error: --psk-identity required if --psk used."},
      {{"-V", "mqttv311", "-c"},
       "Error: You must provide a client id if you are using the -c option."},
      {{"-c", "-I", "pre"}, "Error: You must provide a client id if you are using the -c option."},
      {{"-V", "mqttv5", "-x", "-1"},
       "Error: You must provide a client id if you are using an infinite session expiry "
       "interval."},
      {{"-V", "5", "-c"},
       "Error: You must provide a client id if you are using an infinite session expiry "
       "interval."},
      {{}, "Error: Both topic and message must be supplied.", ErrorHint::full_usage},
      {{"-t", "t"}, "Error: Both topic and message must be supplied.", ErrorHint::full_usage},
      {{"-m", "x"}, "Error: Both topic and message must be supplied.", ErrorHint::full_usage},
      // What libmosquitto refuses when the client is set up.
      {{"-t", "t", "-m", "x", "-i", ""}, "Error: Invalid id.", ErrorHint::none},
      {{"-t", "t", "-m", "x", "-i", "\xff"}, "Error: Invalid id.", ErrorHint::none},
      {{"-t", "t", "-m", "x", "-V", "5", "-c", "-x", "10"}, "Error: Invalid id.", ErrorHint::none},
      {{"-t", "t", "-m", "x", "-P", "pw"},
       "Error: Problem setting username and/or password.",
       ErrorHint::none},
      {{"-t", "t", "-m", "x", "-u", "\xff"},
       "Error: Problem setting username and/or password.",
       ErrorHint::none},
      {{"-t", "t", "-m", "x", "--will-topic", "w", "-D", "will", "content-type", "c", "-V", "311"},
       "Error: Problem setting will.",
       ErrorHint::none},
  };
  expect_refused(parse_pub_options, cases);
  // With MQTT 5.0 a password alone is allowed (MQTT 5.0 §3.1.2.9), and -c with a finite expiry
  // and -I is fine.
  EXPECT_EQ(pub({"-t", "t", "-m", "x", "-P", "pw", "-V", "5"}).connection.password, "pw");
  EXPECT_FALSE(
      pub({"-t", "t", "-m", "x", "-V", "5", "-c", "-x", "10", "-I", "p"}).connection.clean_session);
}

TEST(PubOptions, OptionsOfOtherTools) {
  std::vector<Refusal> cases;
  for (std::string flag : {"-C",
                           "-e",
                           "-E",
                           "-F",
                           "-N",
                           "--pretty",
                           "-R",
                           "--random-filter",
                           "--remove-retained",
                           "--retain-as-published",
                           "--retained-only",
                           "-T",
                           "-U",
                           "-v",
                           "-W",
                           "-w",
                           "--ws",
                           "-o",
                           "-S",
                           "--unknown"}) {
    cases.push_back({{flag, "1"}, "Error: Unknown option '" + flag + "'."});
  }
  expect_refused(parse_pub_options, cases);
}

TEST(SubOptions, Defaults) {
  SubOptions o = sub({"-t", "a/#"});
  EXPECT_EQ(o.topics, (std::vector<std::string>{"a/#"}));
  EXPECT_EQ(o.connection.version, mqtt::Version::v3_1_1);
  EXPECT_EQ(o.qos, mqtt::QoS::at_most_once);
  EXPECT_EQ(o.msg_count, 0);
  EXPECT_EQ(o.timeout_s, 0u);
  EXPECT_FALSE(o.no_retain);
  EXPECT_FALSE(o.retained_only);
  EXPECT_FALSE(o.remove_retained);
  EXPECT_FALSE(o.exit_after_subscribe);
  EXPECT_EQ(o.random_filter, 10000);
  EXPECT_FALSE(o.output.format);
  EXPECT_FALSE(o.output.verbose);
  EXPECT_TRUE(o.output.eol);
  EXPECT_FALSE(o.output.pretty);
}

TEST(SubOptions, EveryFlag) {
  SubOptions o = sub({"-t",
                      "a/+",
                      "--topic",
                      "b/#",
                      "-T",
                      "a/x",
                      "--filter-out",
                      "b/+/c",
                      "-U",
                      "old/#",
                      "--unsubscribe",
                      "older",
                      "-q",
                      "2",
                      "-C",
                      "5",
                      "-W",
                      "7",
                      "-R",
                      "--remove-retained",
                      "-E",
                      "--retain-as-published",
                      "--random-filter",
                      "50.5",
                      "-F",
                      "%t %p",
                      "-v",
                      "--verbose",
                      "-N",
                      "--pretty",
                      "-V",
                      "5",
                      "-D",
                      "subscribe",
                      "subscription-identifier",
                      "12",
                      "-D",
                      "unsubscribe",
                      "user-property",
                      "a",
                      "b"});
  EXPECT_EQ(o.topics, (std::vector<std::string>{"a/+", "b/#"}));
  EXPECT_EQ(o.filter_outs, (std::vector<std::string>{"a/x", "b/+/c"}));
  EXPECT_EQ(o.unsubscribe, (std::vector<std::string>{"old/#", "older"}));
  EXPECT_EQ(o.qos, mqtt::QoS::exactly_once);
  EXPECT_EQ(o.msg_count, 5);
  EXPECT_EQ(o.timeout_s, 7u);
  EXPECT_TRUE(o.no_retain);
  EXPECT_TRUE(o.remove_retained);
  EXPECT_TRUE(o.exit_after_subscribe);
  EXPECT_TRUE(o.retain_as_published);
  EXPECT_EQ(o.random_filter, 505);
  EXPECT_EQ(sub({"-t", "a", "--random-filter", "1000"}).random_filter, 10000);
  EXPECT_EQ(o.output.format, "%t %p");
  EXPECT_TRUE(o.output.verbose);
  EXPECT_FALSE(o.output.eol);
  EXPECT_TRUE(o.output.pretty);
  EXPECT_EQ(o.subscribe_properties.subscription_identifiers, (std::vector<std::uint32_t>{12}));
  EXPECT_EQ(o.unsubscribe_properties.user_properties.size(), 1u);
  EXPECT_TRUE(sub({"-t", "t", "--retained-only"}).retained_only);
}

TEST(SubOptions, UrlAddsItsTopic) {
  SubOptions o = sub({"-L", "mqtt://localhost:1884/a/+", "-t", "b"});
  EXPECT_EQ(o.topics, (std::vector<std::string>{"a/+", "b"}));
  EXPECT_EQ(o.connection.port, 1884);
}

TEST(SubOptions, Refusals) {
  std::vector<Refusal> cases = {
      {{}, "Error: You must specify a topic to subscribe to."},
      {{"-U", "a"}, "Error: You must specify a topic to subscribe to."},
      {{"-t", "a/#/b"},
       "Error: Invalid subscription topic 'a/#/b', are all '+' and '#' wildcards correct?"},
      {{"-t", "a+"},
       "Error: Invalid subscription topic 'a+', are all '+' and '#' wildcards correct?"},
      {{"-t", "a\x01"}, "Error: Malformed UTF-8 in -t argument."},
      {{"-t", "a", "-T", "a#"},
       "Error: Invalid filter topic 'a#', are all '+' and '#' wildcards correct?"},
      {{"-t", "a", "-T", "\xff"}, "Error: Malformed UTF-8 in -T argument."},
      {{"-t", "a", "-U", "a+"},
       "Error: Invalid unsubscribe topic 'a+', are all '+' and '#' wildcards correct?"},
      {{"-t", "a", "-U", "\xff"}, "Error: Malformed UTF-8 in -U argument."},
      {{"-t", "a", "-C", "0"}, "Error: Invalid message count \"0\"."},
      {{"-t", "a", "-C", "abc"}, "Error: Invalid message count \"0\"."},
      {{"-t", "a", "-W", "0"}, "Error: Invalid timeout \"0\"."},
      {{"-t", "a", "--random-filter", "0"},
       "Error: --random-filter chance must be between 0.1-100.0"},
      {{"-t", "a", "--random-filter", "1000.1"},
       "Error: --random-filter chance must be between 0.1-100.0"},
      {{"-t", "a", "--random-filter", "0.09"},
       "Error: --random-filter chance must be between 0.1-100.0"},
      {{"-t", "a", "-F", "%"}, "Error: Incomplete format specifier."},
      {{"-t", "a", "-F", "%z"}, "Error: Invalid format specifier 'z'."},
      {{"-t", "a", "-F", "\\q"}, "Error: Invalid escape specifier 'q'."},
      {{"-t", "a", "-c"}, "Error: You must provide a client id if you are using the -c option."},
      {{"-t", "a", "-R", "--retained-only"},
       "Error: Combining '-R' and '--retained-only' makes no sense.",
       ErrorHint::none},
      {{"-t", "a", "-c", "-V", "5", "-x", "5"},
       "Error: Invalid id and/or clean_session.",
       ErrorHint::none},
      {{"-t", "a", "-c", "-V", "5", "-i", ""},
       "Error: Invalid id and/or clean_session.",
       ErrorHint::none},
      {{"-C"}, "Error: -C argument given but no count specified."},
      {{"-F"}, "Error: -F argument given but no format specified."},
      {{"-T"}, "Error: -T argument given but no topic filter specified."},
      {{"-U"}, "Error: -U argument given but no unsubscribe topic specified."},
      {{"-W"}, "Error: -W argument given but no timeout specified."},
      {{"--random-filter"}, "Error: --random-filter argument given but no chance specified."},
  };
  expect_refused(parse_sub_options, cases);
  // The empty filter passes the option checks, as in mosquitto.
  EXPECT_EQ(sub({"-t", ""}).topics, (std::vector<std::string>{""}));
}

TEST(SubOptions, OptionsOfOtherTools) {
  std::vector<Refusal> cases;
  for (std::string flag : {"-m", "-f", "-l", "-n", "-s", "-r", "--retain", "--repeat",
                           "--repeat-delay", "-e", "-w", "--ws", "-o", "-S"}) {
    cases.push_back({{"-t", "a", flag, "1"}, "Error: Unknown option '" + flag + "'."});
  }
  expect_refused(parse_sub_options, cases);
}

TEST(RrOptions, Defaults) {
  RrOptions o = rr({"-t", "req", "-e", "resp", "-m", "ask"});
  EXPECT_EQ(o.connection.version, mqtt::Version::v5);  // tern_rr speaks MQTT 5.0 by default
  EXPECT_EQ(o.topic, "req");
  EXPECT_EQ(o.response_topic, "resp");
  EXPECT_EQ(o.mode, MessageMode::command_line);
  EXPECT_EQ(o.message, "ask");
  // MQTT 5.0 §4.10: the request carries the Response Topic.
  EXPECT_EQ(o.publish_properties.response_topic, "resp");
  EXPECT_EQ(o.timeout_s, 0u);
}

TEST(RrOptions, EveryFlag) {
  RrOptions o = rr({"-t",       "req",
                    "-e",       "resp",
                    "-s",       "-q",
                    "1",        "-W",
                    "3",        "-R",
                    "-F",       "%p",
                    "-N",       "-v",
                    "--pretty", "-D",
                    "publish",  "correlation-data",
                    "c1",       "-V",
                    "311",      "--retain-as-published"});
  EXPECT_EQ(o.mode, MessageMode::stdin_whole);
  EXPECT_EQ(o.qos, mqtt::QoS::at_least_once);
  EXPECT_EQ(o.timeout_s, 3u);
  EXPECT_TRUE(o.no_retain);
  EXPECT_EQ(o.output.format, "%p");
  EXPECT_FALSE(o.output.eol);
  EXPECT_TRUE(o.output.verbose);
  EXPECT_TRUE(o.output.pretty);
  EXPECT_EQ(o.connection.version, mqtt::Version::v3_1_1);
  EXPECT_EQ(o.publish_properties.correlation_data, "c1");
  EXPECT_EQ(rr({"-t", "q", "-e", "r", "-n"}).mode, MessageMode::null);
  EXPECT_EQ(rr({"-t", "q", "-e", "r", "-f", "file"}).file, "file");
}

TEST(RrOptions, Refusals) {
  std::vector<Refusal> cases = {
      {{"-t", "a", "-m", "x"},
       "Error: All of topic, message, and response topic must be supplied."},
      {{"-t", "a", "-e", "b"},
       "Error: All of topic, message, and response topic must be supplied."},
      {{"-e", "b", "-m", "x"},
       "Error: All of topic, message, and response topic must be supplied."},
      {{"-t", "a", "-e", "b/#", "-m", "x"},
       "Error: Invalid response topic 'b/#', does it contain '+' or '#'?"},
      {{"-t", "a/+", "-e", "b", "-m", "x"},
       "Error: Invalid publish topic 'a/+', does it contain '+' or '#'?"},
      {{"-t", "a", "-e", "\xff", "-m", "x"}, "Error: Malformed UTF-8 in -e argument."},
      {{"-e"}, "Error: -e argument given but no response topic specified."},
      {{"-t", "a", "-e", "b", "-n", "-D", "publish", "response-topic", "x"},
       "Error in PUBLISH properties: Duplicate response topic.",
       ErrorHint::none},
      {{"-t", "a", "-e", "b", "-m", "x", "-c"},
       "Error: You must provide a client id if you are using an infinite session expiry "
       "interval."},
      {{"-t", "a", "-e", "b", "-m", "x", "-c", "-x", "5"},
       "Error: Invalid id and/or clean_session.",
       ErrorHint::none},
      {{"-t", "a", "-e", "b", "-m", "x", "-c", "-V", "311"},
       "Error: You must provide a client id if you are using the -c option."},
  };
  expect_refused(parse_rr_options, cases);
}

TEST(RrOptions, OptionsOfOtherTools) {
  std::vector<Refusal> cases;
  for (std::string flag : {"-l", "-r", "-C", "-E", "-T", "-U", "--retained-only",
                           "--remove-retained", "--random-filter", "--repeat"}) {
    cases.push_back(
        {{"-t", "a", "-e", "b", "-m", "x", flag, "1"}, "Error: Unknown option '" + flag + "'."});
  }
  expect_refused(parse_rr_options, cases);
}

TEST(ErrorText, AddsTheHintAsMosquittoDoes) {
  EXPECT_EQ(error_text(Tool::pub, {"Error: Invalid QoS given: 3", ErrorHint::use_help}),
            "Error: Invalid QoS given: 3\n\nUse 'tern_pub --help' to see usage.\n");
  EXPECT_EQ(error_text(Tool::sub, {"Error: x", ErrorHint::none}), "Error: x\n");
  EXPECT_EQ(error_text(Tool::rr, {"Error: x", ErrorHint::full_usage}), "Error: x\n");
  EXPECT_EQ(error_text(Tool::rr, {"", ErrorHint::use_help}),
            "\nUse 'tern_rr --help' to see usage.\n");
}

TEST(Usage, NamesTheToolAndItsFlags) {
  for (Tool tool : {Tool::pub, Tool::sub, Tool::rr}) {
    std::string text = usage(tool);
    std::string name(tool_name(tool));
    EXPECT_NE(text.find("Usage: " + name), std::string::npos) << text;
    EXPECT_NE(text.find(version_line(tool)), std::string::npos);
    EXPECT_EQ(text.find("Usage: mosquitto"), std::string::npos);
    for (std::string flag : {" -h ", " -p ", " -D ", " --will-topic ", " --cafile ", " -V "}) {
      EXPECT_NE(text.find(flag), std::string::npos) << name << flag;
    }
  }
  EXPECT_NE(usage(Tool::pub).find(" --repeat "), std::string::npos);
  EXPECT_NE(usage(Tool::sub).find(" --retained-only "), std::string::npos);
  EXPECT_NE(usage(Tool::rr).find(" -e "), std::string::npos);
  EXPECT_EQ(version_line(Tool::sub).rfind("tern_sub version ", 0), 0u);
}

}  // namespace
}  // namespace tern::tools
