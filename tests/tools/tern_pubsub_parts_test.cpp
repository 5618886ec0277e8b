// The parts of tern_pub, tern_sub and tern_rr that need no broker: -l's line splitting
// (mosquitto_pub's fgets loop), the texts and exit codes of refused and failed connections
// (mosquitto's tools 2.0.11), and the ConnectOptions built from the command line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/failure_text.h"
#include "common/message_input.h"
#include "common/options.h"
#include "common/tool_client.h"

namespace tern::tools {
namespace {

using mqtt::ReasonCode;
using mqtt::Version;

std::vector<std::string> split_all(std::initializer_list<std::string_view> chunks) {
  LineSplitter splitter;
  std::vector<std::string> out;
  for (std::string_view chunk : chunks)
    splitter.feed(chunk, out);
  if (auto last = splitter.finish()) out.push_back(*last);
  return out;
}

TEST(TernPubLines, OneMessagePerLineInAnyChunking) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split_all({"a\nb\n"}), (V{"a", "b"}));
  EXPECT_EQ(split_all({"a", "\nb", "c\n"}), (V{"a", "bc"}));
  // "\r" stays, an empty line is an empty message, a last line without '\n' counts.
  EXPECT_EQ(split_all({"x\r\n\nlast"}), (V{"x\r", "", "last"}));
  EXPECT_EQ(split_all({""}), V{});
  EXPECT_EQ(split_all({"\n"}), V{""});
}

TEST(TernPubLines, ANulByteEndsTheLineAndTheInput) {
  using V = std::vector<std::string>;
  // mosquitto_pub reads lines as C strings: the message stops at the NUL, and what follows it,
  // the rest of the input included, is never seen.
  EXPECT_EQ(split_all({std::string_view("a\0z\nb\n", 6)}), V{"a"});
  EXPECT_EQ(split_all({"first\n", std::string_view("se\0", 3), "cond\nthird\n"}),
            (V{"first", "se"}));
  LineSplitter splitter;
  std::vector<std::string> out;
  splitter.feed(std::string_view("\0rest", 5), out);
  EXPECT_TRUE(splitter.truncated());
  EXPECT_EQ(splitter.finish(), std::optional<std::string>(""));
}

TEST(TernPubInput, WholeFileAndLimit) {
  auto path =
      std::filesystem::temp_directory_path() / ("tern_pubsub_parts_" + std::to_string(::getpid()));
  {
    std::ofstream f(path, std::ios::binary);
    f << std::string("bin\0ary\n", 8);
  }
  EXPECT_EQ(read_whole_file(path.string(), 100), std::optional<std::string>({"bin\0ary\n", 8}));
  EXPECT_EQ(read_whole_file(path.string(), 4), std::nullopt);
  std::filesystem::remove(path);
  EXPECT_EQ(read_whole_file(path.string(), 100), std::nullopt);
}

// MQTT 3.1.1 §3.2.2.3: the CONNACK return code is the exit code, with libmosquitto's text.
TEST(TernToolsFailures, ConnackRefusedMqtt311) {
  Failure sub = connack_failure(Tool::sub, Version::v3_1_1, ReasonCode::not_authorized);
  EXPECT_EQ(sub.text, "Connection error: Connection Refused: not authorised.\n");
  EXPECT_EQ(sub.exit_code, 5);
  Failure pub = connack_failure(Tool::pub, Version::v3_1_1, ReasonCode::bad_username_or_password);
  EXPECT_EQ(pub.text,
            "Connection error: Connection Refused: bad user name or password.\n"
            "Error: The connection was refused.\n");
  EXPECT_EQ(pub.exit_code, 4);
  // mosquitto_rr names 3.1.1 codes with 5.0 reason strings ("Unknown reason"); tern_rr does not.
  Failure rr = connack_failure(Tool::rr, Version::v3_1, ReasonCode::client_identifier_not_valid);
  EXPECT_EQ(rr.text, "Connection error: Connection Refused: identifier rejected.\n");
  EXPECT_EQ(rr.exit_code, 2);
}

// MQTT 5.0 §3.2.2.2: the reason code is the exit code.
TEST(TernToolsFailures, ConnackRefusedMqtt5) {
  Failure sub = connack_failure(Tool::sub, Version::v5, ReasonCode::not_authorized);
  EXPECT_EQ(sub.text, "Connection error: Not authorized\n");
  EXPECT_EQ(sub.exit_code, 135);
  Failure pub = connack_failure(Tool::pub, Version::v5, ReasonCode::bad_username_or_password);
  EXPECT_EQ(pub.text,
            "Connection error: Bad User Name or Password\n"
            "Error: A network protocol error occurred when communicating with the broker.\n");
  EXPECT_EQ(pub.exit_code, 134);
  Failure old = connack_failure(Tool::rr, Version::v5, ReasonCode::unsupported_protocol_version);
  EXPECT_EQ(old.text,
            "Connection error: Unsupported Protocol Version. Try connecting to an MQTT v5 broker, "
            "or use MQTT v3.x mode.\n");
  EXPECT_EQ(old.exit_code, 0x84);
}

TEST(TernToolsFailures, NoConnection) {
  using client::Error;
  using client::ErrorCode;
  EXPECT_EQ(connect_failure(Error{ErrorCode::connection_refused, "x"}).text,
            "Error: Connection refused\n");
  EXPECT_EQ(connect_failure(Error{ErrorCode::connection_refused, "x"}).exit_code, 1);
  EXPECT_EQ(connect_failure(Error{ErrorCode::resolve_failed, "x"}).text,
            "Unable to connect (Lookup error.).\n");
  Failure tls = connect_failure(Error{ErrorCode::tls, "certificate verify failed"});
  EXPECT_EQ(tls.exit_code, 1);
  EXPECT_NE(tls.text.find("certificate verify failed"), std::string::npos);
  Failure lost = connection_lost(Error{ErrorCode::connection_closed, "closed"});
  EXPECT_EQ(lost.text, "Error: The connection was lost.\n");
  EXPECT_EQ(lost.exit_code, kExitConnLost);
  Failure kicked =
      connection_lost(Error{ErrorCode::closed_by_server, "x", ReasonCode::session_taken_over});
  EXPECT_NE(kicked.text.find("Session taken over"), std::string::npos);
}

TEST(TernToolsFailures, ReasonStringsAreLibmosquittos) {
  EXPECT_EQ(reason_string(0x87), "Not authorized");
  EXPECT_EQ(reason_string(0x97), "Quota exceeded");
  EXPECT_EQ(reason_string(0x03), "Unknown reason");
  EXPECT_EQ(connack_string(0), "Connection Accepted.");
  EXPECT_EQ(connack_string(9), "Connection Refused: unknown reason.");
}

ConnectionOptions parsed_connection(std::vector<std::string> args) {
  auto parsed = parse_sub_options(args);
  EXPECT_TRUE(parsed.ok()) << parsed.error->message;
  return parsed.options.connection;
}

TEST(TernToolsConnect, OptionsFromTheCommandLine) {
  auto c = parsed_connection({"-t",
                              "a",
                              "-h",
                              "broker",
                              "-p",
                              "1999",
                              "-i",
                              "me",
                              "-k",
                              "30",
                              "-u",
                              "user",
                              "-P",
                              "pw",
                              "-V",
                              "5",
                              "-D",
                              "connect",
                              "receive-maximum",
                              "7",
                              "--will-topic",
                              "w",
                              "--will-qos",
                              "1",
                              "-D",
                              "will",
                              "content-type",
                              "text/plain",
                              "-M",
                              "3"});
  auto o = connect_options(c, 42);
  EXPECT_EQ(o.host, "broker");
  EXPECT_EQ(o.port, 1999);
  EXPECT_FALSE(o.tls.enabled);
  EXPECT_EQ(o.client_id, "me");
  EXPECT_EQ(o.keep_alive, 30);
  EXPECT_EQ(o.username, std::optional<std::string>("user"));
  EXPECT_EQ(o.password, std::optional<std::string>("pw"));
  EXPECT_EQ(o.version, Version::v5);
  EXPECT_EQ(o.properties.receive_maximum, std::optional<std::uint16_t>(7));
  ASSERT_TRUE(o.will.has_value());
  EXPECT_EQ(o.will->topic, "w");
  EXPECT_EQ(o.will->payload, "");
  EXPECT_EQ(o.will->qos, mqtt::QoS::at_least_once);
  EXPECT_EQ(o.will->properties.content_type, std::optional<std::string>("text/plain"));
  EXPECT_EQ(o.max_inflight, 3);
}

TEST(TernToolsConnect, ClientIdsAndTls) {
  // No -i: a generated id, as libmosquitto makes one up; -I: the prefix and the process id.
  auto generated = connect_options(parsed_connection({"-t", "a"}), 42);
  EXPECT_FALSE(generated.client_id.empty());
  EXPECT_LE(generated.client_id.size(), 23u);  // MQTT 3.1's limit
  EXPECT_EQ(connect_options(parsed_connection({"-t", "a", "-I", "p-"}), 42).client_id, "p-42");
  auto tls =
      connect_options(parsed_connection({"-t", "a", "--cafile", "ca.crt", "--insecure", "--cert",
                                         "c", "--key", "k", "-c", "-i", "x", "-V", "311"}),
                      1);
  EXPECT_TRUE(tls.tls.enabled);
  EXPECT_EQ(tls.port, 8883);
  EXPECT_EQ(tls.tls.ca_file, "ca.crt");
  EXPECT_EQ(tls.tls.cert_file, "c");
  EXPECT_EQ(tls.tls.key_file, "k");
  EXPECT_TRUE(tls.tls.insecure);
  EXPECT_FALSE(tls.clean_start);
  auto url = connect_options(parsed_connection({"-L", "mqtts://u:p@example.org/t"}), 1);
  EXPECT_TRUE(url.tls.enabled);  // the system's CA store
  EXPECT_EQ(url.port, 8883);
  EXPECT_EQ(url.username, std::optional<std::string>("u"));
}

TEST(TernToolsConnect, OptionsTheClientLibraryCannotHonourAreRefused) {
  EXPECT_EQ(unsupported_option(Tool::sub, parsed_connection({"-t", "a"})), std::nullopt);
  EXPECT_NE(unsupported_option(Tool::sub, parsed_connection({"-t", "a", "--unix", "/s"})),
            std::nullopt);
  EXPECT_NE(unsupported_option(Tool::sub, parsed_connection({"-t", "a", "--proxy", "socks5h://p"})),
            std::nullopt);
  EXPECT_NE(unsupported_option(Tool::sub,
                               parsed_connection({"-t", "a", "--cafile", "c", "--ciphers", "x"})),
            std::nullopt);
  EXPECT_EQ(unsupported_option(Tool::sub, parsed_connection({"-t", "a", "--cafile", "c",
                                                             "--tls-version", "tlsv1.2"})),
            std::nullopt);
  EXPECT_NE(unsupported_option(Tool::sub, parsed_connection({"-t", "a", "--cafile", "c",
                                                             "--tls-version", "tlsv1.1"})),
            std::nullopt);
}

}  // namespace
}  // namespace tern::tools
