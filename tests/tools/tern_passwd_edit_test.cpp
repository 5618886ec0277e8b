// tern_passwd's edits of a password file's text (tools/tern_passwd/password_edit.h): the line
// that changes changes, every other byte stays.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "password_edit.h"

namespace tern::passwd {
namespace {

// Two real hashes (from tests/auth/data/mosquitto_passwd.txt), for lines that -U must keep.
constexpr std::string_view kAliceHash =
    "$7$101$aSGCEXyz50PK1uit$fKr1B7Dq4SQKfEEJhE71v6xS7MNGA7AQ2Kv7svLS6OZKh2SpZThSd1SH7WquxpWhexP0"
    "Au6GM7URHs+DXLGkWQ==";
constexpr std::string_view kCarolHash =
    "$6$GnohfqlT+Ae2brzY$oGoANXIjHMr4oCIZHZQfdcN5uIigDttQi8lz0y5dXkOv8Wek+I62ZKfy++rVPMYmSNdOCl8"
    "RPTFB2ewDo4LVoA==";

std::string edited(const EditResult& result) {
  EXPECT_TRUE(result.text.has_value()) << result.error;
  EXPECT_TRUE(result.error.empty());
  return result.text.value_or("<error>");
}

std::string failure(const EditResult& result) {
  EXPECT_FALSE(result.text.has_value()) << *result.text;
  return result.error;
}

// A stand-in hasher whose output shows which password it got.
std::string fake_hash(std::string_view password) {
  return "$H(" + std::string(password) + ")";
}

TEST(TernPasswdEdit, UserLine) {
  EXPECT_EQ(user_line("alice", "$7$x"), "alice:$7$x\n");
}

TEST(TernPasswdEdit, SetUserRewritesOnlyThatLine) {
  const std::string before = "# users\nalice:OLD\n\nbob:$6$b\n";
  EXPECT_EQ(edited(set_user(before, "f", "alice", "NEW")), "# users\nalice:NEW\n\nbob:$6$b\n");
  EXPECT_EQ(edited(set_user(before, "f", "bob", "NEW")), "# users\nalice:OLD\n\nbob:NEW\n");
}

TEST(TernPasswdEdit, SetUserMatchesTheTrimmedUsernameAsTheBrokerReadsIt) {
  // auth/password_file.h trims blanks around the username, so "  bob :" is bob's line.
  EXPECT_EQ(edited(set_user("  bob\t: x \nbobby:y\n", "f", "bob", "NEW")), "bob:NEW\nbobby:y\n");
  // Usernames are compared byte for byte, case included.
  EXPECT_EQ(edited(set_user("Bob:x\n", "f", "bob", "NEW")), "Bob:x\nbob:NEW\n");
}

TEST(TernPasswdEdit, SetUserKeepsOtherLinesByteForByte) {
  // CRLF endings, trailing blanks, odd comments and other users' plain passwords are not ours.
  const std::string before = "carol:plain  \r\n   # note: x\r\n\t\r\nalice:OLD\r\ndave : $7$?\n";
  EXPECT_EQ(edited(set_user(before, "f", "alice", "NEW")),
            "carol:plain  \r\n   # note: x\r\n\t\r\nalice:NEW\r\ndave : $7$?\n");
}

TEST(TernPasswdEdit, SetUserAppendsANewUser) {
  EXPECT_EQ(edited(set_user("", "f", "alice", "H")), "alice:H\n");
  EXPECT_EQ(edited(set_user("bob:x\n", "f", "alice", "H")), "bob:x\nalice:H\n");
  // mosquitto_passwd 2.0.11 glues the new user onto a last line without "\n"; Tern adds one.
  EXPECT_EQ(edited(set_user("bob:x", "f", "alice", "H")), "bob:x\nalice:H\n");
  EXPECT_EQ(edited(set_user("bob:x\r\n# end", "f", "alice", "H")), "bob:x\r\n# end\nalice:H\n");
}

TEST(TernPasswdEdit, SetUserOnALastLineWithoutNewlineEndsTheFile) {
  EXPECT_EQ(edited(set_user("bob:x\nalice:OLD", "f", "alice", "H")), "bob:x\nalice:H\n");
}

TEST(TernPasswdEdit, SetUserDropsLaterDuplicates) {
  // The broker refuses a file that names a user twice (mosquitto_passwd would rewrite both).
  EXPECT_EQ(edited(set_user("a:1\nb:2\na:3\nc:4\n a :5\n", "f", "a", "N")), "a:N\nb:2\nc:4\n");
}

TEST(TernPasswdEdit, RemoveUser) {
  EXPECT_EQ(edited(remove_user("a:1\n# c\nb:2\r\nc:3", "f", "b")), "a:1\n# c\nc:3");
  EXPECT_EQ(edited(remove_user("a:1\nb:2\na:3\n", "f", "a")), "b:2\n");
  EXPECT_EQ(edited(remove_user("a:1\n", "f", "a")), "");
}

TEST(TernPasswdEdit, RemoveMissingUserIsAnError) {
  // mosquitto_passwd -D: "Warning: User zz not found in password file." and exit status 1.
  EXPECT_EQ(failure(remove_user("a:1\n", "pw.txt", "zz")), "pw.txt: user 'zz' not found");
  EXPECT_EQ(failure(remove_user("", "pw.txt", "zz")), "pw.txt: user 'zz' not found");
  // A comment that looks like the user is not the user.
  EXPECT_EQ(failure(remove_user("#zz:1\n", "pw.txt", "zz")), "pw.txt: user 'zz' not found");
}

TEST(TernPasswdEdit, BrokenLinesStopEveryEdit) {
  const std::string broken = "a:1\n# fine\n\njust-a-name\nb:2\n";
  const std::string expected = "pw.txt:4: missing ':' between username and password";
  EXPECT_EQ(check_file(broken, "pw.txt"), expected);
  EXPECT_EQ(failure(set_user(broken, "pw.txt", "a", "N")), expected);
  EXPECT_EQ(failure(remove_user(broken, "pw.txt", "a")), expected);
  EXPECT_EQ(failure(hash_plain_passwords(broken, "pw.txt", fake_hash)), expected);
  EXPECT_EQ(check_file("a:1\r\n  :x\n", "pw.txt"), "pw.txt:2: empty username");
  EXPECT_EQ(check_file("a:1\n# c\n \t\r\n\n", "pw.txt"), "");
}

TEST(TernPasswdEdit, HashPlainPasswordsHashesEachPlainLine) {
  EXPECT_EQ(edited(hash_plain_passwords("alice:secret\nbob:pässwörd\n", "f", fake_hash)),
            "alice:$H(secret)\nbob:$H(pässwörd)\n");
}

TEST(TernPasswdEdit, HashPlainPasswordsTrimsAsMosquittoPasswdDoes) {
  // Blanks around username and password go; the password is all the rest, ':' included.
  EXPECT_EQ(edited(hash_plain_passwords(" alice :  a b:c \t\r\n", "f", fake_hash)),
            "alice:$H(a b:c)\r\n");
  EXPECT_EQ(edited(hash_plain_passwords("alice:last", "f", fake_hash)), "alice:$H(last)\n");
}

TEST(TernPasswdEdit, HashPlainPasswordsKeepsHashesCommentsAndBlankLines) {
  const std::string before = "# header: x\n\nalice:" + std::string(kAliceHash) +
                             "\ncarol: " + std::string(kCarolHash) + " \r\nplain:pw\n";
  EXPECT_EQ(edited(hash_plain_passwords(before, "f", fake_hash)),
            "# header: x\n\nalice:" + std::string(kAliceHash) +
                "\ncarol: " + std::string(kCarolHash) + " \r\nplain:$H(pw)\n");
}

TEST(TernPasswdEdit, HashPlainPasswordsTreatsBrokenHashesAsPasswords) {
  // Only a hash the broker can read is a hash; anything else is what the user typed.
  EXPECT_EQ(edited(hash_plain_passwords("a:$7$101$bad\nb:$secret\n", "f", fake_hash)),
            "a:$H($7$101$bad)\nb:$H($secret)\n");
}

TEST(TernPasswdEdit, HashPlainPasswordsTwiceChangesNothing) {
  const std::string once = edited(
      hash_plain_passwords("alice:secret\n", "f", [](auto) { return std::string(kAliceHash); }));
  EXPECT_EQ(edited(hash_plain_passwords(once, "f", fake_hash)), once);
}

TEST(TernPasswdEdit, HashPlainPasswordsRefusesAnEmptyPassword) {
  int calls = 0;
  const auto counting = [&calls](std::string_view password) {
    ++calls;
    return fake_hash(password);
  };
  EXPECT_EQ(failure(hash_plain_passwords("a:x\nb: \t\nc:y\n", "pw.txt", counting)),
            "pw.txt:2: user 'b' has an empty password");
  EXPECT_EQ(calls, 0);  // nothing hashed before the whole file was checked
}

}  // namespace
}  // namespace tern::passwd
