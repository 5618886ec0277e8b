// Tests of PasswordFile and the Mosquitto password hashes.
//
// data/mosquitto_passwd.txt was made by the real mosquitto_passwd (mosquitto 2.0.11, Debian 12)
// and is checked in unchanged:
//   mosquitto_passwd -c -b FILE alice secret
//   mosquitto_passwd -b FILE bob 'pässwörd'
//   mosquitto_passwd -b FILE empty ''
//   mosquitto_passwd -b FILE longpw "$(the 64-byte kLongPasswordPart below, 4 times)"
//   mosquitto_passwd -H sha512 -b FILE carol legacy-sha512        (the Mosquitto 1.x $6$ form)
//   mosquitto_passwd -b FILE 'dave.üser' x
// The hand-made lines (frank, grace) were computed with Python's hashlib, independently of the
// code under test; each says how.
#include "auth/password_file.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth/password_hash.h"

namespace tern::auth {
namespace {

const std::string kDataDir = TERN_AUTH_TEST_DATA;
const std::string kMosquittoFile = kDataDir + "/mosquitto_passwd.txt";

// UTF-8 spelled out so the test does not depend on the compiler's source character set.
constexpr std::string_view kBobPassword = "p\xC3\xA4ssw\xC3\xB6rd";  // "pässwörd"
constexpr std::string_view kDaveName = "dave.\xC3\xBCser";           // "dave.üser"
constexpr std::string_view kLongPasswordPart =
    "Long password with spaces and symbols !@#%^&*()_+-=[]{};,./<>?~ ";

std::string long_password() {
  std::string out;
  for (int i = 0; i < 4; ++i)
    out += kLongPasswordPart;
  return out;
}

// frank / "hunter2", salt "tern-salt-12" (12 ASCII bytes):
//   base64(sha512(b"hunter2" + salt))
constexpr std::string_view kFrankSha512Line =
    "frank:$6$dGVybi1zYWx0LTEy$p6ssukVpJeEs9D1/EWNoF0QG/jFHpY9Xk53/0Je8gQD8592LQJGTZQ3fumZvLbHk6/"
    "lJ1nQG/sPiZ8NVx0Q7+w==";

// grace / "correct horse", 1000 iterations, 64-byte salt bytes(range(64)) as newer Mosquitto
// releases write: base64(hashlib.pbkdf2_hmac("sha512", b"correct horse", salt, 1000))
constexpr std::string_view kGracePbkdf2Line =
    "grace:$7$1000$AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo"
    "7PD0+Pw==$53KiEygVzVVEVUVTe4h79yMtYp0OxxoKFip82vf7OCrEbcm4/E88oGkCyN0NhQ7fLOSBIpiITuELG/"
    "0ldDPFMQ==";

// A valid 12-byte salt and 64-byte hash, for building malformed lines around them.
constexpr std::string_view kSalt = "aSGCEXyz50PK1uit";
constexpr std::string_view kHash =
    "fKr1B7Dq4SQKfEEJhE71v6xS7MNGA7AQ2Kv7svLS6OZKh2SpZThSd1SH7WquxpWhexP0Au6GM7URHs+DXLGkWQ==";

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const auto part : parts)
    out += part;
  return out;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  while (true) {
    const auto at = text.find(separator);
    out.emplace_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

PasswordFile parse_ok(std::string_view text) {
  auto result = PasswordFile::parse(text, "pw");
  EXPECT_TRUE(result.ok()) << result.error;
  EXPECT_TRUE(result.error.empty());
  return std::move(*result.file);
}

std::string parse_error(std::string_view text) {
  auto result = PasswordFile::parse(text, "pw");
  EXPECT_FALSE(result.ok());
  EXPECT_FALSE(result.file.has_value());
  return result.error;
}

// --- The file made by the real mosquitto_passwd ---------------------------------------------

class MosquittoPasswdFile : public ::testing::Test {
 protected:
  void SetUp() override {
    auto result = PasswordFile::load(kMosquittoFile);
    ASSERT_TRUE(result.ok()) << result.error;
    file_ = std::move(result.file);
  }
  const PasswordFile& file() const { return *file_; }

 private:
  std::optional<PasswordFile> file_;
};

TEST_F(MosquittoPasswdFile, LoadsEveryUser) {
  EXPECT_EQ(file().size(), 6u);
  for (const std::string_view user : {"alice", "bob", "empty", "longpw", "carol"}) {
    EXPECT_TRUE(file().contains(user)) << user;
  }
  EXPECT_TRUE(file().contains(kDaveName));
  EXPECT_FALSE(file().contains("mallory"));
}

TEST_F(MosquittoPasswdFile, AcceptsAliceWithSecret) {
  EXPECT_TRUE(file().check("alice", "secret"));
}

TEST_F(MosquittoPasswdFile, RejectsWrongPassword) {
  EXPECT_FALSE(file().check("alice", "Secret"));
  EXPECT_FALSE(file().check("alice", "secret "));
  EXPECT_FALSE(file().check("alice", "secre"));
  EXPECT_FALSE(file().check("alice", ""));
  EXPECT_FALSE(file().check("alice", kBobPassword));  // another user's password
}

TEST_F(MosquittoPasswdFile, RejectsUnknownUser) {
  EXPECT_FALSE(file().check("mallory", "secret"));
  EXPECT_FALSE(file().check("", "secret"));
  EXPECT_FALSE(file().check("Alice", "secret"));  // usernames are case-sensitive
}

TEST_F(MosquittoPasswdFile, AcceptsUtf8Password) {
  EXPECT_TRUE(file().check("bob", kBobPassword));
  EXPECT_FALSE(file().check("bob", "passwort"));
}

TEST_F(MosquittoPasswdFile, AcceptsUtf8Username) {
  EXPECT_TRUE(file().check(kDaveName, "x"));
  EXPECT_FALSE(file().check("dave.user", "x"));
}

TEST_F(MosquittoPasswdFile, AcceptsEmptyPassword) {
  EXPECT_TRUE(file().check("empty", ""));
  EXPECT_FALSE(file().check("empty", " "));
}

TEST_F(MosquittoPasswdFile, AcceptsLongPassword) {
  const std::string password = long_password();
  ASSERT_EQ(password.size(), 256u);
  EXPECT_TRUE(file().check("longpw", password));
  EXPECT_FALSE(file().check("longpw", password.substr(0, 255)));
}

TEST_F(MosquittoPasswdFile, AcceptsSha512LineFromMosquittoPasswdH) {
  EXPECT_TRUE(file().check("carol", "legacy-sha512"));
  EXPECT_FALSE(file().check("carol", "legacy-sha51"));
}

// --- Hand-made vectors ------------------------------------------------------------------------

TEST(PasswordFile, AcceptsSha512WithKnownSalt) {
  const auto file = parse_ok(kFrankSha512Line);
  EXPECT_TRUE(file.check("frank", "hunter2"));
  EXPECT_FALSE(file.check("frank", "hunter3"));
  // The whole password counts, unlike Mosquitto which stops at a NUL byte.
  EXPECT_FALSE(file.check("frank", std::string_view("hunter2\0x", 9)));
}

TEST(PasswordFile, AcceptsPbkdf2With64ByteSaltAndOtherIterations) {
  const auto file = parse_ok(kGracePbkdf2Line);
  EXPECT_TRUE(file.check("grace", "correct horse"));
  EXPECT_FALSE(file.check("grace", "correct horse battery"));
}

// --- Line format ------------------------------------------------------------------------------

TEST(PasswordFile, IgnoresBlankAndCommentLines) {
  const auto file =
      parse_ok(cat({"# users of the test broker\n", "\n", "   \n", "\t\n", "  # indented comment\n",
                    kFrankSha512Line, "\n", "#alice:not-a-hash\n", "\n"}));
  EXPECT_EQ(file.size(), 1u);
  EXPECT_TRUE(file.check("frank", "hunter2"));
  EXPECT_FALSE(file.contains("#alice"));
}

TEST(PasswordFile, AcceptsCrLfBlanksAndNoFinalNewline) {
  const auto file =
      parse_ok(cat({"# made on Windows\r\n", kFrankSha512Line, "\r\n", " \t",
                    kGracePbkdf2Line.substr(0, 5), " \t:  ", kGracePbkdf2Line.substr(6), " \t"}));
  EXPECT_EQ(file.size(), 2u);
  EXPECT_TRUE(file.check("frank", "hunter2"));
  EXPECT_TRUE(file.check("grace", "correct horse"));
}

TEST(PasswordFile, EmptyFileHasNoUsers) {
  const auto file = parse_ok("");
  EXPECT_EQ(file.size(), 0u);
  EXPECT_FALSE(file.check("alice", "secret"));
  EXPECT_FALSE(file.check("", ""));
}

TEST(PasswordFile, CopyKeepsUsers) {
  const auto original = parse_ok(kFrankSha512Line);
  const PasswordFile copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_TRUE(copy.check("frank", "hunter2"));
  EXPECT_EQ(copy.size(), 1u);
}

// --- Malformed lines: the whole file is refused with "NAME:LINE: reason" ---------------------

TEST(PasswordFileErrors, MissingColon) {
  EXPECT_EQ(parse_error("alice"), "pw:1: missing ':' between username and hash");
  EXPECT_EQ(parse_error(cat({"alice", kHash})), "pw:1: missing ':' between username and hash");
}

TEST(PasswordFileErrors, EmptyUsername) {
  EXPECT_EQ(parse_error(cat({":$7$101$", kSalt, "$", kHash})), "pw:1: empty username");
  EXPECT_EQ(parse_error(cat({"  \t:$7$101$", kSalt, "$", kHash})), "pw:1: empty username");
}

TEST(PasswordFileErrors, UsernameTooLong) {
  const std::string longest(65535, 'u');
  EXPECT_TRUE(PasswordFile::parse(cat({longest, ":$7$101$", kSalt, "$", kHash}), "pw").ok());
  EXPECT_EQ(parse_error(cat({longest, "u:$7$101$", kSalt, "$", kHash})),
            "pw:1: username longer than 65535 bytes");
}

TEST(PasswordFileErrors, DuplicateUser) {
  const std::string line = cat({"alice:$7$101$", kSalt, "$", kHash, "\n"});
  EXPECT_EQ(parse_error(cat({line, "# again\n", line})),
            "pw:3: duplicate user 'alice' (first on line 1)");
}

TEST(PasswordFileErrors, MissingHash) {
  EXPECT_EQ(parse_error("alice:"), "pw:1: missing password hash");
  EXPECT_EQ(parse_error("alice:   "), "pw:1: missing password hash");
}

TEST(PasswordFileErrors, PlainTextPasswordIsNotQuoted) {
  const std::string error = parse_error("alice:secret");
  EXPECT_EQ(error,
            "pw:1: password is not hashed (expected $7$ or $6$; mosquitto_passwd -U hashes it)");
  EXPECT_EQ(error.find("secret"), std::string::npos);
}

TEST(PasswordFileErrors, UnknownHashType) {
  EXPECT_EQ(parse_error(cat({"alice:$5$", kSalt, "$", kHash})),
            "pw:1: unknown password hash type '$5$' (expected $7$ or $6$)");
  EXPECT_EQ(parse_error("alice:$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA"),
            "pw:1: unknown password hash type '$argon2id$' (expected $7$ or $6$)");
  EXPECT_EQ(parse_error("alice:$7"), "pw:1: unknown password hash type '$7' (expected $7$ or $6$)");
}

TEST(PasswordFileErrors, WrongFieldCount) {
  const std::string pbkdf2_shape = "pw:1: $7$ hash must be $7$ITERATIONS$SALT$HASH";
  EXPECT_EQ(parse_error("alice:$7$"), pbkdf2_shape);
  EXPECT_EQ(parse_error(cat({"alice:$7$101$", kSalt})), pbkdf2_shape);
  EXPECT_EQ(parse_error(cat({"alice:$7$", kSalt, "$", kHash})), pbkdf2_shape);
  EXPECT_EQ(parse_error(cat({"alice:$7$101$", kSalt, "$", kHash, "$"})), pbkdf2_shape);
  EXPECT_EQ(parse_error(cat({"alice:$7$101$", kSalt, "$", kHash, "$extra"})), pbkdf2_shape);

  const std::string sha512_shape = "pw:1: $6$ hash must be $6$SALT$HASH";
  EXPECT_EQ(parse_error(cat({"alice:$6$", kSalt})), sha512_shape);
  EXPECT_EQ(parse_error(cat({"alice:$6$101$", kSalt, "$", kHash})), sha512_shape);
}

TEST(PasswordFileErrors, IterationsNotPositive) {
  for (const std::string_view iterations :
       {"0", "-1", "+101", "abc", "101abc", " 101", "", "2147483648", "99999999999999999999"}) {
    EXPECT_EQ(parse_error(cat({"alice:$7$", iterations, "$", kSalt, "$", kHash})),
              cat({"pw:1: iterations must be a positive number, got '", iterations, "'"}))
        << iterations;
  }
  const std::string long_garbage(40, '9');
  EXPECT_EQ(parse_error(cat({"alice:$7$", long_garbage, "$", kSalt, "$", kHash})),
            cat({"pw:1: iterations must be a positive number, got '", long_garbage.substr(0, 32),
                 "...'"}));
  EXPECT_TRUE(PasswordFile::parse(cat({"a:$7$2147483647$", kSalt, "$", kHash}), "pw").ok());
}

TEST(PasswordFileErrors, SaltNotBase64) {
  for (const std::string_view salt :
       {"aSGCEXyz50PK1ui", "aSGCEXyz50PK1ui!", "aSGCEXyz=0PK1uit", "====", "aSGC EXyz50PK1uit"}) {
    EXPECT_EQ(parse_error(cat({"alice:$7$101$", salt, "$", kHash})),
              "pw:1: salt is not valid base64")
        << salt;
  }
  EXPECT_EQ(parse_error(cat({"alice:$6$$", kHash})), "pw:1: salt is not valid base64");
}

TEST(PasswordFileErrors, SaltWrongLength) {
  // base64("saltsalt"), 8 bytes; base64("saltsaltsaltsalt"), 16 bytes.
  EXPECT_EQ(parse_error(cat({"alice:$7$101$c2FsdHNhbHQ=$", kHash})),
            "pw:1: salt must be 12 or 64 bytes, got 8");
  EXPECT_EQ(parse_error(cat({"alice:$6$c2FsdHNhbHRzYWx0c2FsdA==$", kHash})),
            "pw:1: salt must be 12 or 64 bytes, got 16");
  // A hash where the salt belongs decodes fine but is 64 bytes: a valid (long) salt.
  EXPECT_TRUE(PasswordFile::parse(cat({"alice:$6$", kHash, "$", kHash}), "pw").ok());
}

TEST(PasswordFileErrors, HashNotBase64) {
  EXPECT_EQ(parse_error(cat({"alice:$7$101$", kSalt, "$", kHash.substr(1)})),
            "pw:1: hash is not valid base64");
  EXPECT_EQ(parse_error(cat({"alice:$7$101$", kSalt, "$"})), "pw:1: hash is not valid base64");
  EXPECT_EQ(parse_error(cat({"alice:$6$", kSalt, "$*", kHash.substr(1)})),
            "pw:1: hash is not valid base64");
}

TEST(PasswordFileErrors, HashWrongLength) {
  // The first 32 bytes of a hash: 44 base64 characters with one '='.
  EXPECT_EQ(parse_error(cat({"alice:$7$101$", kSalt, "$", kHash.substr(0, 43), "="})),
            "pw:1: hash must be 64 bytes, got 32");
  EXPECT_EQ(parse_error(cat({"alice:$6$", kSalt, "$", kSalt})),
            "pw:1: hash must be 64 bytes, got 12");
}

TEST(PasswordFileErrors, LineNumberCountsEveryLine) {
  const std::string good = cat({"alice:$7$101$", kSalt, "$", kHash, "\r\n"});
  EXPECT_EQ(parse_error(cat({"# header\r\n", "\r\n", good, "bob\r\n"})),
            "pw:4: missing ':' between username and hash");
}

TEST(PasswordFileErrors, NameIsWhatTheCallerGave) {
  const auto result = PasswordFile::parse("alice", "/etc/tern/passwd");
  EXPECT_EQ(result.error, "/etc/tern/passwd:1: missing ':' between username and hash");
}

TEST(PasswordFileErrors, LoadMissingFile) {
  const std::string path = kDataDir + "/no-such-file.txt";
  const auto result = PasswordFile::load(path);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.error, path + ": cannot read: No such file or directory");
}

TEST(PasswordFileErrors, LoadDirectory) {
  const auto result = PasswordFile::load(kDataDir);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.error, kDataDir + ": cannot read: Is a directory");
}

// --- make_password_line -------------------------------------------------------------------

TEST(MakePasswordLine, RoundTrips) {
  const std::string line = make_password_line("alice", "secret");
  const auto file = parse_ok(line);
  EXPECT_TRUE(file.check("alice", "secret"));
  EXPECT_FALSE(file.check("alice", "secret2"));

  const auto utf8 = parse_ok(make_password_line(kDaveName, kBobPassword));
  EXPECT_TRUE(utf8.check(kDaveName, kBobPassword));

  const auto empty = parse_ok(make_password_line("empty", ""));
  EXPECT_TRUE(empty.check("empty", ""));
}

TEST(MakePasswordLine, HasMosquittoPasswdShape) {
  // username ':' then '$' 7 '$' 101 '$' SALT '$' HASH: four '$'-separated fields after the
  // leading '$', as mosquitto_passwd writes them (compare with alice in the real file).
  // Checked once by hand against the real broker: mosquitto 2.0.11 given a password_file with
  // a line from make_password_line answers CONNACK 0 for the password and 5 for another.
  const std::string line = make_password_line("alice", "secret");
  ASSERT_EQ(line.find('\n'), std::string::npos);
  const auto halves = split(line, ':');
  ASSERT_EQ(halves.size(), 2u);
  EXPECT_EQ(halves[0], "alice");
  const auto fields = split(halves[1], '$');
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(fields[0], "");
  EXPECT_EQ(fields[1], "7");
  EXPECT_EQ(fields[2], "101");
  EXPECT_EQ(fields[3].size(), kSalt.size());  // 12 bytes: 16 characters, no padding
  EXPECT_EQ(fields[4].size(), kHash.size());  // 64 bytes: 88 characters, "==" at the end
  EXPECT_TRUE(fields[4].ends_with("=="));
  const auto salt = base64_decode(fields[3]);
  ASSERT_TRUE(salt.has_value());
  EXPECT_EQ(salt->size(), kSaltLength);
}

TEST(MakePasswordLine, SaltIsFresh) {
  EXPECT_NE(make_password_line("alice", "secret"), make_password_line("alice", "secret"));
}

TEST(MakePasswordLine, TakesIterations) {
  const std::string line = make_password_line("alice", "secret", 1000);
  EXPECT_TRUE(line.starts_with("alice:$7$1000$"));
  EXPECT_TRUE(parse_ok(line).check("alice", "secret"));
  EXPECT_THROW((void)make_password_line("alice", "secret", 0), std::invalid_argument);
  EXPECT_THROW((void)make_password_line("alice", "secret", -5), std::invalid_argument);
}

TEST(MakePasswordLine, RefusesUsernamesThatCannotBeReadBack) {
  for (const std::string_view username :
       {"", "a:b", "a\nb", "a\rb", " alice", "alice\t", "#alice"}) {
    EXPECT_THROW((void)make_password_line(username, "x"), std::invalid_argument) << username;
  }
  EXPECT_THROW((void)make_password_line(std::string(65536, 'u'), "x"), std::invalid_argument);
  EXPECT_NO_THROW((void)make_password_line(std::string(65535, 'u'), "x"));
}

// --- Timing: an unknown user costs a hash too (behaviour, not measured time) ------------------

TEST(PasswordFileTiming, EveryCheckComputesOneHash) {
  const auto file = parse_ok(cat({kFrankSha512Line, "\n", kGracePbkdf2Line, "\n"}));
  EXPECT_EQ(file.hashes_computed(), 0u);
  EXPECT_TRUE(file.check("frank", "hunter2"));
  EXPECT_EQ(file.hashes_computed(), 1u);
  EXPECT_FALSE(file.check("frank", "wrong"));
  EXPECT_EQ(file.hashes_computed(), 2u);
  EXPECT_FALSE(file.check("mallory", "hunter2"));  // unknown: hashed against the dummy entry
  EXPECT_EQ(file.hashes_computed(), 3u);
  EXPECT_FALSE(file.check("", ""));
  EXPECT_EQ(file.hashes_computed(), 4u);
  EXPECT_TRUE(file.contains("frank"));  // contains() is not an answer to a client: no hash
  EXPECT_EQ(file.hashes_computed(), 4u);
}

TEST(PasswordFileTiming, EmptyFileStillHashes) {
  const auto file = parse_ok("# nobody\n");
  EXPECT_FALSE(file.check("alice", "secret"));
  EXPECT_EQ(file.hashes_computed(), 1u);
}

// --- The hash helpers -------------------------------------------------------------------------

TEST(Base64, RoundTripsEveryLength) {
  std::vector<unsigned char> bytes;
  for (int length = 1; length <= 70; ++length) {
    bytes.push_back(static_cast<unsigned char>(length * 37));
    const std::string text = base64_encode(bytes);
    EXPECT_EQ(text.size() % 4, 0u);
    const auto back = base64_decode(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(*back, bytes);
  }
  EXPECT_EQ(base64_encode({}), "");
}

TEST(Base64, KnownVectors) {
  // RFC 4648 section 10.
  const std::string_view foobar = "foobar";
  const auto bytes = [](std::string_view text) {
    return std::vector<unsigned char>(text.begin(), text.end());
  };
  EXPECT_EQ(base64_encode(bytes(foobar.substr(0, 1))), "Zg==");
  EXPECT_EQ(base64_encode(bytes(foobar.substr(0, 2))), "Zm8=");
  EXPECT_EQ(base64_encode(bytes(foobar)), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zg=="), bytes("f"));
  EXPECT_EQ(base64_decode("Zm8="), bytes("fo"));
  EXPECT_EQ(base64_decode("Zm9vYmFy"), bytes("foobar"));
}

TEST(Base64, RejectsMalformed) {
  for (const std::string_view text : {"", "Z", "Zg", "Zg=", "Zg===", "=Zg=", "Z=g=", "Zg==Zg==",
                                      " Zg=", "Zg==\n", "Zm9v-mFy", "Zm9v_mFy", "===="}) {
    EXPECT_FALSE(base64_decode(text).has_value()) << "'" << text << "'";
  }
}

TEST(PasswordHash, FormatIsTheInverseOfParse) {
  for (const auto line : {kFrankSha512Line, kGracePbkdf2Line}) {
    const auto text = line.substr(line.find(':') + 1);
    const auto parsed = parse_password_hash(text);
    ASSERT_TRUE(parsed.hash.has_value()) << parsed.error;
    EXPECT_EQ(format_password_hash(*parsed.hash), text);
  }
  const auto pbkdf2 = parse_password_hash(kGracePbkdf2Line.substr(6));
  ASSERT_TRUE(pbkdf2.hash.has_value());
  EXPECT_EQ(pbkdf2.hash->scheme, HashScheme::sha512_pbkdf2);
  EXPECT_EQ(pbkdf2.hash->iterations, 1000);
  EXPECT_EQ(pbkdf2.hash->salt.size(), kLongSaltLength);
}

}  // namespace
}  // namespace tern::auth
