// tern_sub's and tern_rr's output of a received message (tools/common/format.h). The expected
// bytes were taken from Debian's mosquitto_sub 2.0.11 for the same messages (through a Tern
// broker, which sends properties in identifier order); tests/tools/compare/ checks the same
// against the real mosquitto_sub.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include "common/format.h"
#include "common/options.h"

namespace tern::tools {
namespace {

using namespace std::string_literals;

// 2020-05-06T21:48:00 UTC and 123,456,789 ns.
constexpr Timestamp kTime{1588801680, 123456789};

class Format : public testing::Test {
 protected:
  void SetUp() override { set_zone("UTC0"); }
  static void set_zone(const char* zone) {
    setenv("TZ", zone, 1);
    tzset();
  }

  static mqtt::Publish message(std::string payload, std::string topic = "x/y") {
    mqtt::Publish m;
    m.topic = std::move(topic);
    m.payload = std::move(payload);
    return m;
  }
  static OutputOptions with_format(std::string format) {
    OutputOptions o;
    o.format = std::move(format);
    return o;
  }
  static std::string render(const OutputOptions& o, const mqtt::Publish& m) {
    Rendered r = render_message(o, m, kTime);
    EXPECT_EQ(r.error, "");
    return r.text;
  }
  static std::string render(const std::string& format, const mqtt::Publish& m) {
    return render(with_format(format), m);
  }
};

// A message with every property a PUBLISH to a subscriber can carry (MQTT 5.0 §3.3.2.3).
mqtt::Publish with_properties() {
  mqtt::Publish m;
  m.topic = "x/y";
  m.payload = "x";
  mqtt::Properties& p = m.properties;
  p.payload_format_indicator = 1;
  p.message_expiry_interval = 100;
  p.content_type = "ct";
  p.response_topic = "r/t";
  p.correlation_data = "c\x01"s + "d";
  p.subscription_identifiers = {7, 9};
  p.user_properties = {{"k", "v"}, {"k", "v2"}};
  return m;
}

TEST_F(Format, DefaultIsThePayloadAndANewline) {
  EXPECT_EQ(render(OutputOptions{}, message("hello")), "hello\n");
  std::string binary = "a\0b\xff\xfe\x01"s + "c";
  EXPECT_EQ(render(OutputOptions{}, message(binary)), binary + "\n");
}

TEST_F(Format, DefaultPrintsNothingForAnEmptyPayload) {
  EXPECT_EQ(render(OutputOptions{}, message("")), "");
}

TEST_F(Format, NoEndOfLine) {
  OutputOptions o;
  o.eol = false;
  EXPECT_EQ(render(o, message("hi")), "hi");
}

TEST_F(Format, VerboseIsTopicSpacePayload) {
  OutputOptions o;
  o.verbose = true;
  EXPECT_EQ(render(o, message("hello")), "x/y hello\n");
  EXPECT_EQ(render(o, message("", "a b/\xc3\xa9")), "a b/\xc3\xa9 (null)\n");
  o.eol = false;
  EXPECT_EQ(render(o, message("hello")), "x/y hello");
  EXPECT_EQ(render(o, message("")), "");
}

TEST_F(Format, FormatEndsWithANewlineUnlessNoEndOfLine) {
  EXPECT_EQ(render("%t", message("p")), "x/y\n");
  OutputOptions o = with_format("%t");
  o.eol = false;
  EXPECT_EQ(render(o, message("p")), "x/y");
  // An empty payload still prints a line with -F.
  EXPECT_EQ(render("[%p]", message("")), "[]\n");
}

TEST_F(Format, PercentAndEscapes) {
  mqtt::Publish m = message("x");
  m.qos = mqtt::QoS::at_least_once;
  EXPECT_EQ(render(R"(%%|@@|\\|\0|\a|\e|\n|\r|\t|\v|%q)", m), "%|@|\\|\0|\a|\x1b|\n|\r|\t|\v|1\n"s);
}

TEST_F(Format, TopicWidthPrecisionAndAlignment) {
  EXPECT_EQ(render("%t|%10t|%-10t|%.2t|%5.1t|%-5.1t|%010t|%.0t", message("x")),
            "x/y|       x/y|x/y       |x/|    x|x    |       x/y|\n");
}

TEST_F(Format, PayloadLengthHexAndTheirWidthQuirks) {
  std::string binary = "a\0b\xff\xfe\x01"s + "c";
  // mosquitto_sub: a width cuts %p short; for %x it halves the bytes and counts digits; "%-p"
  // pads with one blank per byte.
  EXPECT_EQ(render("%x|%X|%l|%10x|%-10x|%3p|%-3p|%-p|%08l|%-8l|%05p", message(binary)),
            "610062fffe0163|610062FFFE0163|7|    610062|610062    |a\0b|a\0b|"s + binary +
                "       |00000007|7       |a\0b\xff\xfe\n"s);
  EXPECT_EQ(render("%05p|%-5x|%5x|%1x|%-1x", message("ab")), "000ab|61   |   61| | \n");
}

TEST_F(Format, MessageIdQosAndRetain) {
  mqtt::Publish m = message("x");
  m.qos = mqtt::QoS::exactly_once;
  m.packet_id = 513;
  m.retain = true;
  EXPECT_EQ(render("%m %q %r|%6m|%-6m|%06m", m), "513 2 1|   513|513   |000513\n");
  EXPECT_EQ(render("%m %q %r", message("x")), "0 0 0\n");
}

TEST_F(Format, AbsentPropertiesPadAsMosquittoDoes) {
  // Missing %A %E %F %S pad with the pad character, missing %C with blanks, missing %R and %D
  // print nothing at all.
  EXPECT_EQ(
      render("%A|%5A|%05A|%-5A|%C|%5C|%05C|%D|%E|%F|%P|%R|%5R|%S|%05S|%03E|%02F", message("x")),
      "|     |00000|     ||     |     ||||||||00000|000|00\n");
}

TEST_F(Format, Properties) {
  // MQTT 5.0 §3.3.2.3: the properties the subscriber receives.
  mqtt::Publish m = with_properties();
  m.properties.message_expiry_interval = 4294967295u;  // printed as a C int, like mosquitto
  m.properties.user_properties = {{"k", "v"}, {"a", "b"}};
  EXPECT_EQ(render("%S|%05S|%-4S|%E|%08E|%F|%C|%8C|%-8C|%.1C|%R|%-6R|%P|%D|%A", m),
            "7|00007|7   |-1|-0000001|1|ct|      ct|ct      |c|r/t|r/t   |k:v a:b|c\x01"
            "d|\n"s);
  m.properties.topic_alias = 12;
  EXPECT_EQ(render("%A|%4A|%04A", m), "12|  12|0012\n");
}

TEST_F(Format, JsonEscapesThePayloadAsCJson) {
  EXPECT_EQ(render("%j", message("he\"l\\lo/")),
            R"({"tst":"2020-05-06T21:48:00.123456Z+0000","topic":"x/y","qos":0,"retain":0,)"
            R"("payloadlen":8,"payload":"he\"l\\lo/"})"
            "\n");
  EXPECT_EQ(render("%j", message("a\nb\x01\x7f\xc3\xa9")),
            R"({"tst":"2020-05-06T21:48:00.123456Z+0000","topic":"x/y","qos":0,"retain":0,)"
            R"("payloadlen":7,"payload":"a\nb\u0001)"
            "\x7f\xc3\xa9\"}\n");
}

TEST_F(Format, JsonPayloadEndsAtTheFirstNulAndEmptyIsNull) {
  std::string binary = "a\0b\xff"s;
  EXPECT_EQ(render("%j", message(binary)),
            R"({"tst":"2020-05-06T21:48:00.123456Z+0000","topic":"x/y","qos":0,"retain":0,)"
            R"("payloadlen":4,"payload":"a"})"
            "\n");
  const std::string empty =
      R"({"tst":"2020-05-06T21:48:00.123456Z+0000","topic":"x/y","qos":0,"retain":0,)"
      R"("payloadlen":0,"payload":null})"
      "\n";
  EXPECT_EQ(render("%j", message("")), empty);
  EXPECT_EQ(render("%J", message("")), empty);
}

TEST_F(Format, JsonHasTheMessageIdAboveQosZero) {
  mqtt::Publish m = message("\"");
  m.qos = mqtt::QoS::exactly_once;
  m.packet_id = 1;
  m.retain = true;
  EXPECT_EQ(render("%j", m),
            R"({"tst":"2020-05-06T21:48:00.123456Z+0000","topic":"x/y","qos":2,"retain":1,)"
            R"("payloadlen":1,"mid":1,"payload":"\""})"
            "\n");
}

TEST_F(Format, JsonProperties) {
  EXPECT_EQ(render("%j", with_properties()),
            R"({"tst":"2020-05-06T21:48:00.123456Z+0000","topic":"x/y","qos":0,"retain":0,)"
            R"("payloadlen":1,"properties":{"payload-format-indicator":1,)"
            R"("message-expiry-interval":100,"content-type":"ct","response-topic":"r/t",)"
            R"("correlation-data":"c\u0001d","subscription-identifier":7,)"
            R"("subscription-identifier":9,"user-properties":{"k":"v","k":"v2"}},"payload":"x"})"
            "\n");
}

TEST_F(Format, JsonTopicAliasQuirk) {
  // mosquitto_sub prints the Correlation Data's length (or 0) for the Topic Alias.
  mqtt::Publish m = message("x");
  m.properties.topic_alias = 5;
  EXPECT_NE(render("%j", m).find(R"("properties":{"topic-alias":0})"), std::string::npos);
  m.properties.correlation_data = "abc";
  EXPECT_NE(render("%j", m).find(R"("correlation-data":"abc","topic-alias":3})"),
            std::string::npos);
}

TEST_F(Format, PrettyJson) {
  mqtt::Publish m = message("x");
  m.properties.content_type = "ct";
  m.properties.subscription_identifiers = {7};
  m.properties.user_properties = {{"k", "v"}};
  OutputOptions o = with_format("%j");
  o.pretty = true;
  EXPECT_EQ(render(o, m),
            "{\n\t\"tst\":\t\"2020-05-06T21:48:00.123456Z+0000\",\n\t\"topic\":\t\"x/y\",\n"
            "\t\"qos\":\t0,\n\t\"retain\":\t0,\n\t\"payloadlen\":\t1,\n\t\"properties\":\t{\n"
            "\t\t\"content-type\":\t\"ct\",\n\t\t\"subscription-identifier\":\t7,\n"
            "\t\t\"user-properties\":\t{\n\t\t\t\"k\":\t\"v\"\n\t\t}\n\t},\n"
            "\t\"payload\":\t\"x\"\n}\n");
}

TEST_F(Format, JsonPayloadIsParsedAndPrintedAgain) {
  EXPECT_EQ(render("%J", message(R"({"a": 1.50, "b":[1,2, 3e2], "c":"\u00e9\/", "d": -0, )"
                                 R"("e": 1e400, "f": true, "g": null})")),
            R"({"tst":"2020-05-06T21:48:00.123456Z+0000","topic":"x/y","qos":0,"retain":0,)"
            R"("payloadlen":86,"payload":{"a":1.5,"b":[1,2,300],"c":")"
            "\xc3\xa9/\",\"d\":-0,\"e\":null,\"f\":true,\"g\":null}}\n");
}

TEST_F(Format, JsonPayloadWhitespaceEscapesAndControlBytes) {
  std::string payload =
      "  \x01{\"a\" : \"x\\u0000y\", \"b\":\"\\ud83d\\ude00\", \"c\":\"raw\x01\xff\"}\n\t";
  EXPECT_EQ(render("%J", message(payload)),
            R"({"tst":"2020-05-06T21:48:00.123456Z+0000","topic":"x/y","qos":0,"retain":0,)"
            R"("payloadlen":56,"payload":{"a":"x","b":")"
            "\xf0\x9f\x98\x80\",\"c\":\"raw\\u0001\xff\"}}\n");
}

TEST_F(Format, PrettyJsonPayload) {
  OutputOptions o = with_format("%J");
  o.pretty = true;
  EXPECT_EQ(render(o, message(R"({"a":{"b":[1,{}],"c":[]},"d":{}})")),
            "{\n\t\"tst\":\t\"2020-05-06T21:48:00.123456Z+0000\",\n\t\"topic\":\t\"x/y\",\n"
            "\t\"qos\":\t0,\n\t\"retain\":\t0,\n\t\"payloadlen\":\t32,\n\t\"payload\":\t{\n"
            "\t\t\"a\":\t{\n\t\t\t\"b\":\t[1, {\n\t\t\t\t}],\n\t\t\t\"c\":\t[]\n\t\t},\n"
            "\t\t\"d\":\t{\n\t\t}\n\t}\n}\n");
}

TEST_F(Format, InvalidJsonPayloadPrintsAnErrorAndNothingForIt) {
  for (std::string payload : {"notjson"s, "{\"a\":1}\0x"s, "[1,]"s, "{\"a\" 1}"s, "01x"s}) {
    Rendered r = render_message(with_format("<%J>"), message(payload), kTime);
    EXPECT_EQ(r.text, "<>\n") << payload;
    EXPECT_EQ(r.error, "Error: Message payload is not valid JSON on topic x/y.\n") << payload;
  }
}

TEST_F(Format, Times) {
  EXPECT_EQ(render("%I|%U|@Y-@m-@d @H:@M:@S|@N|@z", message("x")),
            "2020-05-06T21:48:00+0000|1588801680.123456789|2020-05-06 21:48:00|123456789|+0000\n");
  EXPECT_EQ(render("%30I|%-26I|%.10I", message("x")),
            "      2020-05-06T21:48:00+0000|2020-05-06T21:48:00+0000  |2020-05-06\n");
}

TEST_F(Format, TimesUseTheLocalZone) {
  set_zone("CET-1");
  EXPECT_EQ(render("%I @H", message("x")), "2020-05-06T22:48:00+0100 22\n");
  EXPECT_NE(render("%j", message("x")).find("\"tst\":\"2020-05-06T22:48:00.123456Z+0100\""),
            std::string::npos);
}

TEST_F(Format, EndOfFormatSequencesPrintNothing) {
  // check_format refuses these; the renderer still does what mosquitto_sub would.
  EXPECT_EQ(render("a%", message("x")), "a\n");
  EXPECT_EQ(render("a@", message("x")), "a\n");
  EXPECT_EQ(render("a\\", message("x")), "a\n");
  EXPECT_EQ(render("%z|\\q", message("x")), "|\n");
}

TEST(CheckFormat, AcceptsEverySpecifier) {
  EXPECT_EQ(check_format("%% %A %C %D %E %F %I %j %J %l %m %P %p %q %R %r %S %t %U %x %X"),
            std::nullopt);
  EXPECT_EQ(check_format("%-05.3t %010p %.7C @Y @N @@ \\\\ \\0 \\a \\e \\n \\r \\t \\v"),
            std::nullopt);
  EXPECT_EQ(check_format(""), std::nullopt);
}

TEST(CheckFormat, RefusesWhatMosquittoRefuses) {
  const std::string incomplete = "Error: Incomplete format specifier.";
  EXPECT_EQ(check_format("%"), incomplete);
  EXPECT_EQ(check_format("%-"), incomplete);
  EXPECT_EQ(check_format("%0"), incomplete);
  EXPECT_EQ(check_format("%5"), incomplete);
  EXPECT_EQ(check_format("%5."), incomplete);
  EXPECT_EQ(check_format("%5.3"), incomplete);
  EXPECT_EQ(check_format("x@"), incomplete);
  EXPECT_EQ(check_format("%z"), "Error: Invalid format specifier 'z'.");
  EXPECT_EQ(check_format("%0-5t"), "Error: Invalid format specifier '-'.");
  EXPECT_EQ(check_format("x\\"), "Error: Incomplete escape specifier.");
  EXPECT_EQ(check_format("\\q"), "Error: Invalid escape specifier 'q'.");
}

TEST(WallClock, IsNow) {
  Timestamp t = wall_clock_now();
  EXPECT_NEAR(static_cast<double>(t.seconds), static_cast<double>(std::time(nullptr)), 2.0);
  EXPECT_GE(t.nanoseconds, 0);
  EXPECT_LT(t.nanoseconds, 1'000'000'000);
}

}  // namespace
}  // namespace tern::tools
