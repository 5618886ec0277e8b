// Topic names, topic filters, shared subscriptions and matching: MQTT 5.0 sections 4.7 and 4.8.2,
// MQTT 3.1.1 section 4.7. The examples are the non-normative comments of those sections.
//
// Statement identifiers differ between the two specifications:
//   rule                                   MQTT 5.0          MQTT 3.1.1
//   no wildcards in a Topic Name           [MQTT-4.7.0-1]    [MQTT-4.7.1-1]
//   '#' alone, last, after a separator     [MQTT-4.7.1-1]    [MQTT-4.7.1-2]
//   '+' occupies a whole level             [MQTT-4.7.1-2]    [MQTT-4.7.1-3]
//   wildcards do not match "$..." topics   [MQTT-4.7.2-1]    [MQTT-4.7.2-1]
//   at least one character                 [MQTT-4.7.3-1]    [MQTT-4.7.3-1]
//   no U+0000                              [MQTT-4.7.3-2]    [MQTT-4.7.3-2]
//   at most 65,535 bytes                   [MQTT-4.7.3-3]    [MQTT-4.7.3-3]
//   no normalization when matching         [MQTT-4.7.3-4]    [MQTT-4.7.3-4]
//   $share/{ShareName}/{filter}            [MQTT-4.8.2-1], [MQTT-4.8.2-2] (MQTT 5.0 only)

#include "mqtt/topic.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace tern::mqtt {
namespace {

using namespace std::string_view_literals;

// The topics of the examples in MQTT 5.0 section 4.7.1.2.
constexpr std::string_view kPlayer1 = "sport/tennis/player1";
constexpr std::string_view kRanking = "sport/tennis/player1/ranking";
constexpr std::string_view kWimbledon = "sport/tennis/player1/score/wimbledon";

// =============================================================================================
// Multi-level wildcard (MQTT 5.0 section 4.7.1.2, 3.1.1 section 4.7.1.2).

TEST(TopicTest, MultiLevelWildcardMatchesParentAndChildren) {
  // "if a Client subscribes to "sport/tennis/player1/#", it would receive messages published
  // using these Topic Names: "sport/tennis/player1", "sport/tennis/player1/ranking",
  // "sport/tennis/player1/score/wimbledon"".
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", kPlayer1));
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", kRanking));
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", kWimbledon));
  // ""sport/#" also matches the singular "sport", since # includes the parent level."
  EXPECT_TRUE(topic_matches("sport/#", "sport"));
  EXPECT_TRUE(topic_matches("sport/#", "sport/"));
  EXPECT_TRUE(topic_matches("sport/#", kWimbledon));
  // "#" matches every topic that does not start with '$'.
  EXPECT_TRUE(topic_matches("#", kPlayer1));
  EXPECT_TRUE(topic_matches("#", "/"));
  EXPECT_TRUE(topic_matches("#", "a"));
  // Not a sibling or a prefix that is not a whole level.
  EXPECT_FALSE(topic_matches("sport/tennis/player1/#", "sport/tennis/player2"));
  EXPECT_FALSE(topic_matches("sport/tennis/player1/#", "sport/tennis/player10"));
  EXPECT_FALSE(topic_matches("sport/tennis/player1/#", "sport/tennis"));
  EXPECT_FALSE(topic_matches("sport/#", "sports"));
  EXPECT_FALSE(topic_matches("sport/#", "sportswear/shoes"));
}

TEST(TopicTest, MultiLevelWildcardPlacement_MQTT_4_7_1_1) {
  // MQTT 5.0 [MQTT-4.7.1-1] (3.1.1 [MQTT-4.7.1-2]): "The multi-level wildcard character MUST be
  // specified either on its own or following a topic level separator. In either case it MUST be
  // the last character specified in the Topic Filter."
  EXPECT_TRUE(is_valid_topic_filter("#"));  // "valid and will receive every Application Message"
  EXPECT_TRUE(is_valid_topic_filter("sport/tennis/#"));
  EXPECT_FALSE(is_valid_topic_filter("sport/tennis#"));
  EXPECT_FALSE(is_valid_topic_filter("sport/tennis/#/ranking"));
  EXPECT_TRUE(is_valid_topic_filter("/#"));
  EXPECT_TRUE(is_valid_topic_filter("+/#"));
  EXPECT_FALSE(is_valid_topic_filter("#/"));
  EXPECT_FALSE(is_valid_topic_filter("##"));
  EXPECT_FALSE(is_valid_topic_filter("#a"));
  EXPECT_FALSE(is_valid_topic_filter("a/#b"));
  EXPECT_FALSE(is_valid_topic_filter("a/b#"));
  EXPECT_FALSE(is_valid_topic_filter("#/#"));
  EXPECT_FALSE(is_valid_topic_filter("a/#/#"));
}

// =============================================================================================
// Single-level wildcard (MQTT 5.0 section 4.7.1.3, 3.1.1 section 4.7.1.3).

TEST(TopicTest, SingleLevelWildcardMatchesExactlyOneLevel) {
  // ""sport/tennis/+" matches "sport/tennis/player1" and "sport/tennis/player2", but not
  // "sport/tennis/player1/ranking"."
  EXPECT_TRUE(topic_matches("sport/tennis/+", "sport/tennis/player1"));
  EXPECT_TRUE(topic_matches("sport/tennis/+", "sport/tennis/player2"));
  EXPECT_FALSE(topic_matches("sport/tennis/+", kRanking));
  // ""sport/+" does not match "sport" but it does match "sport/"."
  EXPECT_FALSE(topic_matches("sport/+", "sport"));
  EXPECT_TRUE(topic_matches("sport/+", "sport/"));
  // "sport/+/player1" is valid.
  EXPECT_TRUE(topic_matches("sport/+/player1", kPlayer1));
  EXPECT_FALSE(topic_matches("sport/+/player1", "sport/tennis/x/player1"));
  // "+/tennis/#" is valid.
  EXPECT_TRUE(topic_matches("+/tennis/#", kPlayer1));
  EXPECT_TRUE(topic_matches("+/tennis/#", "sport/tennis"));
  EXPECT_FALSE(topic_matches("+/tennis/#", "sport/golf/player1"));
  // "+" alone matches a one-level topic.
  EXPECT_TRUE(topic_matches("+", "sport"));
  EXPECT_FALSE(topic_matches("+", "sport/tennis"));
  EXPECT_TRUE(topic_matches("+/+/+", kPlayer1));
  EXPECT_FALSE(topic_matches("+/+", kPlayer1));
}

TEST(TopicTest, LeadingSlashFinance) {
  // MQTT 5.0 section 4.7.1.3: ""/finance" matches "+/+" and "/+", but not "+"".
  EXPECT_TRUE(topic_matches("+/+", "/finance"));
  EXPECT_TRUE(topic_matches("/+", "/finance"));
  EXPECT_FALSE(topic_matches("+", "/finance"));
  // Section 4.7.3: "/finance" is different from "finance".
  EXPECT_FALSE(topic_matches("finance", "/finance"));
  EXPECT_FALSE(topic_matches("/finance", "finance"));
  EXPECT_TRUE(topic_matches("/finance", "/finance"));
}

TEST(TopicTest, SingleLevelWildcardPlacement_MQTT_4_7_1_2) {
  // MQTT 5.0 [MQTT-4.7.1-2] (3.1.1 [MQTT-4.7.1-3]): "The single-level wildcard can be used at any
  // level in the Topic Filter, including first and last levels. Where it is used, it MUST occupy
  // an entire level of the filter."
  EXPECT_TRUE(is_valid_topic_filter("+"));
  EXPECT_TRUE(is_valid_topic_filter("+/tennis/#"));
  EXPECT_FALSE(is_valid_topic_filter("sport+"));
  EXPECT_TRUE(is_valid_topic_filter("sport/+/player1"));
  EXPECT_TRUE(is_valid_topic_filter("+/+"));
  EXPECT_TRUE(is_valid_topic_filter("/+"));
  EXPECT_TRUE(is_valid_topic_filter("+/"));
  EXPECT_TRUE(is_valid_topic_filter("+//+"));
  EXPECT_FALSE(is_valid_topic_filter("++"));
  EXPECT_FALSE(is_valid_topic_filter("+a"));
  EXPECT_FALSE(is_valid_topic_filter("a+/b"));
  EXPECT_FALSE(is_valid_topic_filter("a/+b"));
  EXPECT_FALSE(is_valid_topic_filter("a/b+c/d"));
  EXPECT_FALSE(is_valid_topic_filter("+#"));
  EXPECT_FALSE(is_valid_topic_filter("#+"));
}

// =============================================================================================
// Topics beginning with '$' (MQTT 5.0 section 4.7.2, 3.1.1 section 4.7.2).

TEST(TopicTest, WildcardsDoNotMatchDollarTopics_MQTT_4_7_2_1) {
  // [MQTT-4.7.2-1]: "The Server MUST NOT match Topic Filters starting with a wildcard character
  // (# or +) with Topic Names beginning with a $ character."
  // "A subscription to "#" will not receive any messages published to a topic beginning with a $"
  EXPECT_FALSE(topic_matches("#", "$SYS/monitor/Clients"));
  EXPECT_FALSE(topic_matches("#", "$SYS"));
  EXPECT_FALSE(topic_matches("#", "$"));
  // "A subscription to "+/monitor/Clients" will not receive any messages published to
  // "$SYS/monitor/Clients""
  EXPECT_FALSE(topic_matches("+/monitor/Clients", "$SYS/monitor/Clients"));
  EXPECT_FALSE(topic_matches("+/#", "$SYS/monitor/Clients"));
  EXPECT_FALSE(topic_matches("+", "$SYS"));
  EXPECT_FALSE(topic_matches("+/+/+", "$SYS/monitor/Clients"));
  // "A subscription to "$SYS/#" will receive messages published to topics beginning with "$SYS/""
  EXPECT_TRUE(topic_matches("$SYS/#", "$SYS/monitor/Clients"));
  EXPECT_TRUE(topic_matches("$SYS/#", "$SYS/"));
  EXPECT_TRUE(topic_matches("$SYS/#", "$SYS"));
  // "A subscription to "$SYS/monitor/+" will receive messages published to
  // "$SYS/monitor/Clients""
  EXPECT_TRUE(topic_matches("$SYS/monitor/+", "$SYS/monitor/Clients"));
  EXPECT_TRUE(topic_matches("$SYS/monitor/Clients", "$SYS/monitor/Clients"));
  // Only a '$' at the start of the topic is special.
  EXPECT_TRUE(topic_matches("+/$SYS", "a/$SYS"));
  EXPECT_TRUE(topic_matches("#", "a/$SYS"));
  EXPECT_TRUE(topic_matches("a/+", "a/$b"));
  // Any topic beginning with '$', not only $SYS.
  EXPECT_FALSE(topic_matches("#", "$share/x"));
  EXPECT_FALSE(topic_matches("+/x", "$foo/x"));
  EXPECT_TRUE(topic_matches("$foo/+", "$foo/x"));
  EXPECT_FALSE(topic_matches("$SYS/#", "$SYSTEM/x"));
}

// =============================================================================================
// Topic semantic and usage (MQTT 5.0 section 4.7.3, 3.1.1 section 4.7.3).

TEST(TopicTest, AtLeastOneCharacter_MQTT_4_7_3_1) {
  EXPECT_FALSE(is_valid_topic_name(""));
  EXPECT_FALSE(is_valid_topic_filter(""));
}

TEST(TopicTest, NoNullCharacter_MQTT_4_7_3_2) {
  EXPECT_FALSE(is_valid_topic_name("a\0b"sv));
  EXPECT_FALSE(is_valid_topic_name("\0"sv));
  EXPECT_FALSE(is_valid_topic_filter("a/\0/#"sv));
  EXPECT_FALSE(is_valid_topic_filter("\0"sv));
}

TEST(TopicTest, Length65535BytesIsTheMaximum_MQTT_4_7_3_3) {
  const std::string longest(65'535, 'x');
  EXPECT_TRUE(is_valid_topic_name(longest));
  EXPECT_TRUE(is_valid_topic_filter(longest));
  const std::string too_long(65'536, 'x');
  EXPECT_FALSE(is_valid_topic_name(too_long));
  EXPECT_FALSE(is_valid_topic_filter(too_long));
  // Counted in bytes, not characters: 21,845 three-byte characters are 65,535 bytes.
  std::string euros;
  for (int i = 0; i < 21'845; ++i)
    euros += "\xE2\x82\xAC";
  EXPECT_TRUE(is_valid_topic_name(euros));
  EXPECT_FALSE(is_valid_topic_name(euros + "x"));
  // A filter at the limit ending in a wildcard.
  std::string filter(65'533, 'f');
  filter += "/#";
  EXPECT_TRUE(is_valid_topic_filter(filter));
}

TEST(TopicTest, TopicNamesMustBeWellFormedUtf8) {
  // Topic Names and Filters are UTF-8 Encoded Strings (MQTT 5.0 section 1.5.4 [MQTT-1.5.4-1]).
  EXPECT_TRUE(is_valid_topic_name("sport/\xC3\xA9t\xC3\xA9/\xF0\x9F\x8E\xBE"));
  EXPECT_TRUE(is_valid_topic_filter("sport/\xC3\xA9t\xC3\xA9/+"));
  EXPECT_FALSE(is_valid_topic_name("sport/\xC3"));            // truncated
  EXPECT_FALSE(is_valid_topic_name("sport/\xC0\xAF"));        // overlong '/'
  EXPECT_FALSE(is_valid_topic_name("a/\xED\xA0\x80"));        // surrogate U+D800
  EXPECT_FALSE(is_valid_topic_name("\xFF"));                  // never in UTF-8
  EXPECT_FALSE(is_valid_topic_filter("a/\x80/#"));            // lone continuation byte
  EXPECT_FALSE(is_valid_topic_filter("\xF4\x90\x80\x80/+"));  // above U+10FFFF
}

TEST(TopicTest, NoWildcardsInTopicNames_MQTT_4_7_0_1) {
  // MQTT 5.0 [MQTT-4.7.0-1] (3.1.1 [MQTT-4.7.1-1]): "The wildcard characters can be used in
  // Topic Filters, but MUST NOT be used within a Topic Name." Also [MQTT-3.3.2-2].
  EXPECT_FALSE(is_valid_topic_name("#"));
  EXPECT_FALSE(is_valid_topic_name("+"));
  EXPECT_FALSE(is_valid_topic_name("sport/#"));
  EXPECT_FALSE(is_valid_topic_name("sport/+/player1"));
  EXPECT_FALSE(is_valid_topic_name("sport+"));
  EXPECT_FALSE(is_valid_topic_name("sport/tennis#"));
  EXPECT_TRUE(is_valid_topic_name(kPlayer1));
}

TEST(TopicTest, ValidTopicNamesFromTheSpecification) {
  // Section 4.7.3: "Topic Names and Topic Filters can include the space character" ("Accounts
  // payable" is a valid Topic Name), "A leading or trailing '/' creates a distinct Topic Name or
  // Topic Filter", "A Topic Name or Topic Filter consisting only of the '/' character is valid".
  EXPECT_TRUE(is_valid_topic_name("Accounts payable"));
  EXPECT_TRUE(is_valid_topic_name("/finance"));
  EXPECT_TRUE(is_valid_topic_name("finance/"));
  EXPECT_TRUE(is_valid_topic_name("/"));
  EXPECT_TRUE(is_valid_topic_name("//"));
  EXPECT_TRUE(is_valid_topic_filter("/"));
  EXPECT_TRUE(is_valid_topic_filter("Accounts payable/+"));
  // '$' topics are valid names (a client may publish to them; the server decides).
  EXPECT_TRUE(is_valid_topic_name("$SYS/monitor/Clients"));
  EXPECT_TRUE(is_valid_topic_filter("$SYS/#"));
  EXPECT_TRUE(is_valid_topic_filter("$SYS/monitor/+"));
  // Control characters and non-characters are allowed (senders only SHOULD NOT use them).
  EXPECT_TRUE(
      is_valid_topic_name("a\x01"
                          "b"));
  EXPECT_TRUE(is_valid_topic_name("a/\xEF\xBF\xBF"));
}

TEST(TopicTest, EmptyLevels) {
  // Section 4.7.1.1: "Adjacent Topic level separators indicate a zero length topic level."
  EXPECT_TRUE(is_valid_topic_name("a//b"));
  EXPECT_TRUE(is_valid_topic_filter("a//b"));
  EXPECT_TRUE(topic_matches("a//b", "a//b"));
  EXPECT_FALSE(topic_matches("a/b", "a//b"));
  EXPECT_FALSE(topic_matches("a//b", "a/b"));
  EXPECT_TRUE(topic_matches("a/+/b", "a//b"));
  EXPECT_FALSE(topic_matches("a/+/b", "a/b"));
  EXPECT_TRUE(topic_matches("a/#", "a//b"));
  EXPECT_TRUE(topic_matches("+/+", "/"));
  EXPECT_FALSE(topic_matches("+", "/"));
  EXPECT_TRUE(topic_matches("/", "/"));
  EXPECT_TRUE(topic_matches("#", "//"));
  EXPECT_TRUE(topic_matches("+/+/+", "//"));
  EXPECT_TRUE(topic_matches("//#", "//"));
}

TEST(TopicTest, TrailingSlash) {
  // "a/" has two levels, "a" and "".
  EXPECT_TRUE(topic_matches("a/+", "a/"));
  EXPECT_TRUE(topic_matches("a/#", "a/"));
  EXPECT_TRUE(topic_matches("a/#", "a"));
  EXPECT_FALSE(topic_matches("a/+", "a"));
  EXPECT_FALSE(topic_matches("a", "a/"));
  EXPECT_FALSE(topic_matches("a/", "a"));
  EXPECT_TRUE(topic_matches("a/", "a/"));
  EXPECT_TRUE(topic_matches("+/", "a/"));
  EXPECT_FALSE(topic_matches("+/", "a"));
  EXPECT_FALSE(topic_matches("+", "a/"));
  EXPECT_TRUE(topic_matches("a/+/#", "a/"));
  EXPECT_FALSE(topic_matches("a/+/#", "a"));
}

TEST(TopicTest, CaseSensitiveAndByteWise_MQTT_4_7_3_4) {
  // Section 4.7.3: "ACCOUNTS" and "Accounts" are two different Topic Names.
  EXPECT_FALSE(topic_matches("ACCOUNTS", "Accounts"));
  EXPECT_FALSE(topic_matches("Accounts", "ACCOUNTS"));
  EXPECT_TRUE(topic_matches("Accounts", "Accounts"));
  EXPECT_FALSE(topic_matches("sport/Tennis/+", "sport/tennis/player1"));
  EXPECT_FALSE(topic_matches("$sys/#", "$SYS/monitor"));
  // [MQTT-4.7.3-4]: no normalization: precomposed U+00E9 is not "e" + U+0301.
  EXPECT_TRUE(topic_matches("caf\xC3\xA9", "caf\xC3\xA9"));
  EXPECT_FALSE(topic_matches("caf\xC3\xA9", "cafe\xCC\x81"));
  EXPECT_FALSE(topic_matches("cafe\xCC\x81", "caf\xC3\xA9"));
  // Exact matches need every byte.
  EXPECT_FALSE(topic_matches("a/b", "a/bc"));
  EXPECT_FALSE(topic_matches("a/bc", "a/b"));
  EXPECT_FALSE(topic_matches("a/b/c", "a/b"));
  EXPECT_FALSE(topic_matches("a/b", "a/b/c"));
  EXPECT_FALSE(topic_matches("a b", "a/b"));
}

TEST(TopicTest, CombinedWildcards) {
  EXPECT_TRUE(topic_matches("+/+/#", kPlayer1));
  EXPECT_TRUE(topic_matches("+/+/#", "sport/tennis"));
  EXPECT_FALSE(topic_matches("+/+/#", "sport"));
  EXPECT_TRUE(topic_matches("sport/+/+/score/#", kWimbledon));
  EXPECT_FALSE(topic_matches("sport/+/+/score/#", kRanking));
  EXPECT_TRUE(topic_matches("+/tennis/+/#", kPlayer1));
}

// =============================================================================================
// has_wildcard

TEST(TopicTest, HasWildcard) {
  EXPECT_TRUE(has_wildcard("#"));
  EXPECT_TRUE(has_wildcard("+"));
  EXPECT_TRUE(has_wildcard("sport/#"));
  EXPECT_TRUE(has_wildcard("sport/+/player1"));
  EXPECT_TRUE(has_wildcard("$SYS/monitor/+"));
  EXPECT_FALSE(has_wildcard("sport/tennis/player1"));
  EXPECT_FALSE(has_wildcard("/"));
  EXPECT_FALSE(has_wildcard("$SYS/monitor/Clients"));
  EXPECT_TRUE(has_wildcard("$share/group/sport/#"));
  EXPECT_FALSE(has_wildcard("$share/group/sport/tennis"));
}

// =============================================================================================
// Shared subscriptions (MQTT 5.0 section 4.8.2).

TEST(TopicTest, SharedSubscriptionSyntax_MQTT_4_8_2_1_and_4_8_2_2) {
  // [MQTT-4.8.2-1] "A Shared Subscription's Topic Filter MUST start with $share/ and MUST contain
  // a ShareName that is at least one character long." [MQTT-4.8.2-2] "The ShareName MUST NOT
  // contain the characters "/", "+" or "#", but MUST be followed by a "/" character. This "/"
  // character MUST be followed by a Topic Filter."
  // Section 4.8.2 examples: "$share/consumer1/sport/tennis/+" and "$share/consumer2/sport/
  // tennis/+" are shared; "/finance" with ShareName "myShare" is "$share/myShare//finance".
  for (std::string_view filter :
       {"$share/consumer1/sport/tennis/+"sv, "$share/consumer2/sport/tennis/+"sv,
        "$share/myShare//finance"sv, "$share/g/#"sv, "$share/g/+"sv, "$share/g/a"sv,
        "$share/g/$SYS/#"sv, "$share/\xC3\xA9quipe/a/b"sv, "$share/g/a//b"sv}) {
    SCOPED_TRACE(filter);
    EXPECT_TRUE(is_valid_topic_filter(filter));
    EXPECT_TRUE(is_shared_filter(filter));
  }
  for (std::string_view filter : {"$share//a"sv,    // empty ShareName
                                  "$share/"sv,      // empty ShareName, no filter
                                  "$share/g"sv,     // no "/" after the ShareName
                                  "$share/g/"sv,    // empty filter [MQTT-4.7.3-1]
                                  "$share/g+/a"sv,  // '+' in ShareName
                                  "$share/+/a"sv,   // '+' as ShareName
                                  "$share/g#/a"sv,  // '#' in ShareName
                                  "$share/#/a"sv,   // '#' as ShareName
                                  "$share/#"sv,     // '#' as ShareName, no filter
                                  "$share/g/a#"sv,  // invalid filter
                                  "$share/g/a/#/b"sv, "$share/g/sport+"sv}) {
    SCOPED_TRACE(filter);
    EXPECT_FALSE(is_valid_topic_filter(filter));
    EXPECT_FALSE(parse_shared_filter(filter).has_value());
  }
}

TEST(TopicTest, ParseSharedFilter) {
  auto shared = parse_shared_filter("$share/consumer1/sport/tennis/+");
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->share_name, "consumer1");
  EXPECT_EQ(shared->filter, "sport/tennis/+");

  // The filter keeps its leading empty level: "$share/myShare//finance" shares "/finance".
  shared = parse_shared_filter("$share/myShare//finance");
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->share_name, "myShare");
  EXPECT_EQ(shared->filter, "/finance");

  shared = parse_shared_filter("$share/g/#");
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->share_name, "g");
  EXPECT_EQ(shared->filter, "#");

  // The views point into the argument.
  const std::string text = "$share/group/a/b/c";
  shared = parse_shared_filter(text);
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->share_name.data(), text.data() + 7);
  EXPECT_EQ(shared->filter.data(), text.data() + 13);
  EXPECT_EQ(shared->filter, "a/b/c");
}

TEST(TopicTest, NonSharedFilters) {
  // Not starting with "$share/": ordinary filters, shared or not by this rule alone.
  for (std::string_view filter : {"sport/tennis/+"sv, "#"sv, "$SYS/#"sv, "share/g/a"sv,
                                  "$SHARE/g/a"sv, "$sharex/g/a"sv, "a/$share/g/b"sv}) {
    SCOPED_TRACE(filter);
    EXPECT_FALSE(is_shared_filter(filter));
    EXPECT_FALSE(parse_shared_filter(filter).has_value());
    EXPECT_TRUE(is_valid_topic_filter(filter));
  }
}

}  // namespace
}  // namespace tern::mqtt

namespace tern::mqtt {
namespace {

// Found by fuzz_topic: the shared-filter parser must apply the same text rules as
// is_valid_topic_filter, so callers other than the decoder cannot get an ill-formed filter.
TEST(SharedFilterText, IllFormedUtf8IsNotAShareFilter) {
  EXPECT_FALSE(parse_shared_filter("$share/g/\xff").has_value());
  EXPECT_FALSE(parse_shared_filter(std::string("$share/g/a\0b", 12)).has_value());
  EXPECT_TRUE(parse_shared_filter("$share/g/caf\xc3\xa9").has_value());
}

}  // namespace
}  // namespace tern::mqtt
