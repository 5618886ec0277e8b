// tern_passwd's command line (tools/tern_passwd/options.h): mosquitto_passwd's options and
// operands, the combinations it refuses, and the usernames and passwords a file can hold.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "options.h"

namespace tern::passwd {
namespace {

ParsedOptions parse(std::initializer_list<std::string_view> args) {
  const std::vector<std::string_view> list(args);
  return parse_options(list);
}

Options parse_ok(std::initializer_list<std::string_view> args) {
  ParsedOptions parsed = parse(args);
  EXPECT_TRUE(parsed.options.has_value()) << parsed.error;
  EXPECT_TRUE(parsed.error.empty());
  return parsed.options.value_or(Options{});
}

std::string parse_error(std::initializer_list<std::string_view> args) {
  ParsedOptions parsed = parse(args);
  EXPECT_FALSE(parsed.options.has_value());
  EXPECT_FALSE(parsed.help);
  EXPECT_FALSE(parsed.error.empty());
  return parsed.error;
}

TEST(TernPasswdOptions, FileAndUserAddOrUpdateWithTheDefaults) {
  const Options options = parse_ok({"pw.txt", "alice"});
  EXPECT_EQ(options.mode, Mode::add_or_update);
  EXPECT_EQ(options.file, "pw.txt");
  EXPECT_EQ(options.username, "alice");
  EXPECT_FALSE(options.password.has_value());
  EXPECT_EQ(options.scheme, auth::HashScheme::sha512_pbkdf2);
  EXPECT_EQ(options.iterations, 101);
}

TEST(TernPasswdOptions, EachMode) {
  EXPECT_EQ(parse_ok({"-c", "f", "u"}).mode, Mode::create);
  EXPECT_EQ(parse_ok({"-D", "f", "u"}).mode, Mode::remove);
  const Options upgrade = parse_ok({"-U", "f"});
  EXPECT_EQ(upgrade.mode, Mode::upgrade);
  EXPECT_EQ(upgrade.file, "f");
  EXPECT_TRUE(upgrade.username.empty());
}

TEST(TernPasswdOptions, BatchTakesThePasswordAsThirdOperand) {
  const Options add = parse_ok({"-b", "f", "u", "p w"});
  EXPECT_EQ(add.mode, Mode::add_or_update);
  EXPECT_EQ(add.password, "p w");
  const Options create = parse_ok({"-c", "-b", "f", "u", ""});
  EXPECT_EQ(create.mode, Mode::create);
  EXPECT_EQ(create.password, "");  // mosquitto_passwd -b stores an empty password too
}

TEST(TernPasswdOptions, HashAndIterations) {
  EXPECT_EQ(parse_ok({"-H", "sha512", "-c", "f", "u"}).scheme, auth::HashScheme::sha512);
  EXPECT_EQ(parse_ok({"-H", "sha512-pbkdf2", "f", "u"}).scheme, auth::HashScheme::sha512_pbkdf2);
  EXPECT_EQ(parse_ok({"-I", "1000", "-U", "f"}).iterations, 1000);
  EXPECT_EQ(parse_ok({"-I", "1", "-b", "f", "u", "p"}).iterations, 1);
  // The last -H wins, as in mosquitto_passwd.
  EXPECT_EQ(parse_ok({"-H", "sha512", "-H", "sha512-pbkdf2", "f", "u"}).scheme,
            auth::HashScheme::sha512_pbkdf2);
}

TEST(TernPasswdOptions, OperandsMayStartWithADashAfterTheFirstOne) {
  // As in mosquitto_passwd, options end at the first operand.
  const Options options = parse_ok({"-b", "f", "-u", "-p"});
  EXPECT_EQ(options.username, "-u");
  EXPECT_EQ(options.password, "-p");
  EXPECT_EQ(parse_ok({"--", "-f", "u"}).file, "-f");
  EXPECT_EQ(parse_ok({"-", "u"}).file, "-");
}

TEST(TernPasswdOptions, HelpIsNotAnError) {
  for (std::string_view flag : {"-h", "--help"}) {
    ParsedOptions parsed = parse({flag});
    EXPECT_TRUE(parsed.help) << flag;
    EXPECT_FALSE(parsed.options.has_value());
  }
}

TEST(TernPasswdOptions, ConflictingModesAreRefusedAsMosquittoPasswdDoes) {
  EXPECT_EQ(parse_error({"-c", "-D", "f", "u"}), "-c and -D cannot be used together");
  EXPECT_EQ(parse_error({"-c", "-U", "f"}), "-c and -U cannot be used together");
  EXPECT_EQ(parse_error({"-D", "-U", "f"}), "-D and -U cannot be used together");
  EXPECT_EQ(parse_error({"-b", "-D", "f", "u", "p"}), "-b and -D cannot be used together");
  EXPECT_EQ(parse_error({"-b", "-U", "f"}), "-b and -U cannot be used together");
}

TEST(TernPasswdOptions, WrongNumberOfOperands) {
  EXPECT_EQ(parse_error({}), "no password file given");
  EXPECT_EQ(parse_error({"f"}), "expected a password file and a username, got 1 argument");
  EXPECT_EQ(parse_error({"f", "u", "x"}),
            "expected a password file and a username, got 3 arguments");
  EXPECT_EQ(parse_error({"-c", "f"}), "expected a password file and a username, got 1 argument");
  EXPECT_EQ(parse_error({"-D", "f", "u", "v"}),
            "expected a password file and a username, got 3 arguments");
  EXPECT_EQ(parse_error({"-b", "f", "u"}),
            "expected a password file, a username and a password, got 2 arguments");
  EXPECT_EQ(parse_error({"-U"}), "expected a password file only, got 0 arguments");
  EXPECT_EQ(parse_error({"-U", "f", "u"}), "expected a password file only, got 2 arguments");
  EXPECT_EQ(parse_error({"", "u"}), "the password file name is empty");
}

TEST(TernPasswdOptions, BadOptionsAndValues) {
  EXPECT_EQ(parse_error({"-x", "f", "u"}), "unknown option '-x'");
  EXPECT_EQ(parse_error({"--create", "f", "u"}), "unknown option '--create'");
  EXPECT_EQ(parse_error({"-H"}), "-H needs a value");
  EXPECT_EQ(parse_error({"-c", "-I"}), "-I needs a value");
  EXPECT_EQ(parse_error({"-H", "md5", "f", "u"}),
            "unknown hash 'md5' (-H takes sha512-pbkdf2 or sha512)");
  // mosquitto_passwd reads "-I 12abc" as 12 (atoi); Tern refuses what is not a number.
  for (std::string_view bad : {"0", "-5", "12abc", "", "x", "99999999999"}) {
    EXPECT_EQ(parse_error({"-I", bad, "f", "u"}),
              "-I takes a positive number of iterations, not '" + std::string(bad) + "'");
  }
}

TEST(TernPasswdOptions, UsageNamesEveryOption) {
  const std::string_view text = usage();
  for (std::string_view option : {"-b", "-c", "-D", "-H", "-I", "-U", "sha512-pbkdf2"}) {
    EXPECT_NE(text.find(option), std::string_view::npos) << option;
  }
  EXPECT_TRUE(text.ends_with('\n'));
}

TEST(TernPasswdOptions, UsernamesThatReadBackTheSame) {
  EXPECT_EQ(username_error("alice"), "");
  EXPECT_EQ(username_error("dave.üser"), "");
  EXPECT_EQ(username_error("with inner space"), "");
  EXPECT_EQ(username_error("a#b"), "");
  EXPECT_EQ(username_error(std::string(65535, 'u')), "");
}

TEST(TernPasswdOptions, UsernamesThatCannotBeWritten) {
  EXPECT_EQ(username_error(""), "the username is empty");
  EXPECT_EQ(username_error(std::string(65536, 'u')), "the username is longer than 65535 bytes");
  EXPECT_EQ(username_error("a:b"), "a username must not contain ':'");
  EXPECT_EQ(username_error("a\nb"), "a username must not contain control characters");
  EXPECT_EQ(username_error("a\rb"), "a username must not contain control characters");
  EXPECT_EQ(username_error("a\tb"), "a username must not contain control characters");
  EXPECT_EQ(username_error(std::string("a\0b", 3)),
            "a username must not contain control characters");
  EXPECT_EQ(username_error("\x7f"), "a username must not contain control characters");
  EXPECT_EQ(username_error(" alice"), "a username must not start or end with a blank");
  EXPECT_EQ(username_error("alice "), "a username must not start or end with a blank");
  EXPECT_EQ(username_error("#alice"), "a username must not start with '#'");
}

TEST(TernPasswdOptions, PasswordLength) {
  EXPECT_EQ(password_error(""), "");
  EXPECT_EQ(password_error(std::string(65535, 'p')), "");
  EXPECT_EQ(password_error(std::string(65536, 'p')), "the password is longer than 65535 bytes");
}

}  // namespace
}  // namespace tern::passwd
