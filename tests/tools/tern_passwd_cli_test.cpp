// tern_passwd end to end: the binary in a child process, in every mode, with passwords from -b,
// from piped standard input and typed on a (pseudo-)terminal. Every file it writes is checked
// with the broker's own reader and hasher (auth/password_file.h, auth/password_hash.h); the
// brokers themselves are in tern_passwd_broker_test.cpp.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "auth/password_file.h"
#include "auth/password_hash.h"
#include "harness.h"
#include "tern_passwd_process.h"

namespace tern::passwd_test {
namespace {

namespace fs = std::filesystem;
using blackbox::TempDir;

// The file made by the real mosquitto_passwd 2.0.11 (see tests/auth/data/README.md) and some of
// its passwords.
const fs::path kMosquittoFile = fs::path(kTestData) / "auth" / "data" / "mosquitto_passwd.txt";

// The parsed hash of `user` in `text`, found the way the broker finds it.
std::optional<auth::PasswordHash> hash_of(std::string_view text, std::string_view user) {
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || line.substr(0, colon) != user) continue;
    return auth::parse_password_hash(line.substr(colon + 1)).hash;
  }
  return std::nullopt;
}

// `password` is `user`'s password in the file at `path`, for the broker's code: the whole file
// loads, PasswordFile::check accepts it and refuses another, and recomputing the hash from the
// stored salt and iterations gives the stored hash.
void expect_password(const fs::path& path, std::string_view user, std::string_view password,
                     auth::HashScheme scheme = auth::HashScheme::sha512_pbkdf2,
                     int iterations = auth::kDefaultIterations) {
  SCOPED_TRACE("user " + std::string(user));
  const auto loaded = auth::PasswordFile::load(path.string());
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  EXPECT_TRUE(loaded.file->check(user, password));
  EXPECT_FALSE(loaded.file->check(user, std::string(password) + "x"));

  const auto hash = hash_of(read_text(path), user);
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(hash->scheme, scheme);
  EXPECT_EQ(hash->salt.size(), auth::kSaltLength);
  if (scheme == auth::HashScheme::sha512_pbkdf2) {
    EXPECT_EQ(hash->iterations, iterations);
  }
  const auto recomputed = auth::compute_hash(*hash, password);
  ASSERT_TRUE(recomputed.has_value());
  EXPECT_EQ(*recomputed, hash->hash);
}

// The lines of `text`, each with its ending.
std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    const auto length = newline == std::string_view::npos ? text.size() : newline + 1;
    lines.emplace_back(text.substr(0, length));
    text.remove_prefix(length);
  }
  return lines;
}

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

// An error as tern_passwd must report it: exit status 1, nothing on stdout, one line on stderr
// that starts with the program name and contains each of `parts`.
void expect_error(const Exec& run, std::initializer_list<std::string_view> parts) {
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err.rfind("tern_passwd: ", 0), 0u) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  for (std::string_view part : parts) {
    EXPECT_NE(run.err.find(part), std::string::npos) << "'" << part << "' not in: " << run.err;
  }
}

// A usage error: the reason, then the usage, on stderr; exit status 1.
void expect_usage_error(const Exec& run, std::string_view reason) {
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err.rfind("tern_passwd: " + std::string(reason) + "\n", 0), 0u) << run.err;
  EXPECT_NE(run.err.find("Usage: tern_passwd"), std::string::npos) << run.err;
}

void expect_ok(const Exec& run) {
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(run.out, "");
}

// --- -c: create ------------------------------------------------------------------------------

TEST(TernPasswdCli, CreateInBatchMode) {
  TempDir dir;
  const auto file = dir.path() / "pw";
  expect_ok(tern_passwd({"-c", "-b", file.string(), "alice", "secret"}));
  const std::string text = read_text(file);
  EXPECT_EQ(lines_of(text).size(), 1u);
  EXPECT_EQ(text.rfind("alice:$7$101$", 0), 0u) << text;
  expect_password(file, "alice", "secret");
  EXPECT_EQ(mode_of(file), 0600u);
}

TEST(TernPasswdCli, CreateReplacesAnExistingFileAndKeepsItsMode) {
  TempDir dir;
  const auto file = dir.write("pw", "bob:x\ncarol:y\n");
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  expect_ok(tern_passwd({"-c", "-b", file.string(), "alice", "secret"}));
  EXPECT_EQ(lines_of(read_text(file)).size(), 1u);
  expect_password(file, "alice", "secret");
  EXPECT_EQ(mode_of(file), 0640u);
}

TEST(TernPasswdCli, CreateAsksForThePasswordTwiceOnStandardInput) {
  TempDir dir;
  const auto file = dir.path() / "pw";
  expect_ok(tern_passwd({"-c", file.string(), "alice"}, "typed secret\ntyped secret\n"));
  expect_password(file, "alice", "typed secret");
}

TEST(TernPasswdCli, PromptAcceptsCrlfAndAMissingFinalNewline) {
  TempDir dir;
  const auto file = dir.path() / "pw";
  expect_ok(tern_passwd({"-c", file.string(), "alice"}, "pw1\r\npw1"));
  expect_password(file, "alice", "pw1");
}

TEST(TernPasswdCli, PromptErrorsLeaveNoFile) {
  TempDir dir;
  const auto file = dir.path() / "pw";
  expect_error(tern_passwd({"-c", file.string(), "alice"}, "one\ntwo\n"),
               {file.string(), "user 'alice'", "passwords do not match"});
  expect_error(tern_passwd({"-c", file.string(), "alice"}, "\n\n"), {"empty password"});
  expect_error(tern_passwd({"-c", file.string(), "alice"}, ""), {"no password given"});
  expect_error(tern_passwd({"-c", file.string(), "alice"}, "only once\n"),
               {"password not confirmed"});
  const std::string huge(65536, 'p');
  expect_error(tern_passwd({"-c", file.string(), "alice"}, huge + "\n" + huge + "\n"),
               {"longer than 65535 bytes"});
  EXPECT_FALSE(fs::exists(file));
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(TernPasswdCli, LongestPasswordFromThePrompt) {
  TempDir dir;
  const auto file = dir.path() / "pw";
  const std::string longest(65535, 'p');
  expect_ok(tern_passwd({"-c", file.string(), "alice"}, longest + "\n" + longest + "\n"));
  expect_password(file, "alice", longest);
}

TEST(TernPasswdCli, EmptyPasswordInBatchModeAsMosquittoPasswdAllows) {
  TempDir dir;
  const auto file = dir.path() / "pw";
  expect_ok(tern_passwd({"-c", "-b", file.string(), "alice", ""}));
  const auto loaded = auth::PasswordFile::load(file.string());
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  EXPECT_TRUE(loaded.file->check("alice", ""));
  EXPECT_FALSE(loaded.file->check("alice", "x"));
}

// --- -H and -I -------------------------------------------------------------------------------

TEST(TernPasswdCli, Sha512WritesTheMosquitto1Form) {
  TempDir dir;
  const auto file = dir.path() / "pw";
  expect_ok(tern_passwd({"-H", "sha512", "-c", "-b", file.string(), "carol", "legacy"}));
  EXPECT_EQ(read_text(file).rfind("carol:$6$", 0), 0u);
  expect_password(file, "carol", "legacy", auth::HashScheme::sha512);
}

TEST(TernPasswdCli, IterationsAreWrittenAndUsed) {
  TempDir dir;
  const auto file = dir.path() / "pw";
  expect_ok(tern_passwd(
      {"-I", "1000", "-H", "sha512-pbkdf2", "-c", "-b", file.string(), "alice", "secret"}));
  EXPECT_EQ(read_text(file).rfind("alice:$7$1000$", 0), 0u);
  expect_password(file, "alice", "secret", auth::HashScheme::sha512_pbkdf2, 1000);
}

TEST(TernPasswdCli, EverySaltIsNew) {
  TempDir dir;
  const auto file = dir.path() / "pw";
  expect_ok(tern_passwd({"-c", "-b", file.string(), "a", "same"}));
  expect_ok(tern_passwd({"-b", file.string(), "b", "same"}));
  const std::string text = read_text(file);
  const auto a = hash_of(text, "a");
  const auto b = hash_of(text, "b");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->salt, b->salt);
  EXPECT_NE(a->hash, b->hash);
}

// --- Adding and updating ---------------------------------------------------------------------

TEST(TernPasswdCli, AddToAFileMadeByMosquittoPasswdKeepsItsLines) {
  TempDir dir;
  const std::string original = read_text(kMosquittoFile);
  ASSERT_FALSE(original.empty()) << kMosquittoFile;
  const auto file = dir.write("pw", original);
  expect_ok(tern_passwd({"-b", file.string(), "zed", "new one"}));
  const std::string text = read_text(file);
  EXPECT_EQ(text.substr(0, original.size()), original);
  EXPECT_EQ(lines_of(text).size(), lines_of(original).size() + 1);
  expect_password(file, "zed", "new one");
  expect_password(file, "alice", "secret");  // mosquitto_passwd's own line still works
}

TEST(TernPasswdCli, UpdateAMosquittoPasswdUserChangesOnlyItsLine) {
  TempDir dir;
  const std::string original = read_text(kMosquittoFile);
  const auto file = dir.write("pw", original);
  expect_ok(tern_passwd({file.string(), "bob"}, "changed\nchanged\n"));
  const auto before = lines_of(original);
  const auto after = lines_of(read_text(file));
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (before[i].starts_with("bob:")) {
      EXPECT_NE(after[i], before[i]);
      EXPECT_TRUE(after[i].starts_with("bob:$7$101$"));
    } else {
      EXPECT_EQ(after[i], before[i]) << "line " << i + 1;
    }
  }
  expect_password(file, "bob", "changed");
  const auto loaded = auth::PasswordFile::load(file.string());
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded.file->check("bob", "pässwörd"));  // the old password
  EXPECT_TRUE(loaded.file->check("carol", "legacy-sha512"));
}

TEST(TernPasswdCli, FreshMosquittoPasswdFileRoundTrip) {
  // Whatever mosquitto_passwd writes today, tern_passwd updates; and mosquitto_passwd still
  // updates what tern_passwd wrote.
  if (!is_executable(kMosquittoPasswd)) GTEST_SKIP() << kMosquittoPasswd << " is not installed";
  TempDir dir;
  const auto file = dir.path() / "pw";
  ASSERT_EQ(run({kMosquittoPasswd, "-c", "-b", file.string(), "m1", "p1"}).exit_code, 0);
  ASSERT_EQ(run({kMosquittoPasswd, "-H", "sha512", "-b", file.string(), "m2", "p2"}).exit_code, 0);
  const std::string theirs = read_text(file);
  expect_ok(tern_passwd({"-b", file.string(), "t1", "q1"}));
  EXPECT_EQ(read_text(file).substr(0, theirs.size()), theirs);
  const Exec again = run({kMosquittoPasswd, "-b", file.string(), "m3", "p3"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  expect_password(file, "m1", "p1");
  expect_password(file, "m2", "p2", auth::HashScheme::sha512);
  expect_password(file, "t1", "q1");
  expect_password(file, "m3", "p3");
}

TEST(TernPasswdCli, CommentsBlankLinesAndCrlfAreKept) {
  TempDir dir;
  const std::string original = "# Tern users\r\n\r\nalice:OLD\r\n   # indented: note\n\nbob:x";
  const auto file = dir.write("pw", original);
  expect_ok(tern_passwd({"-b", file.string(), "alice", "a-pw"}));
  expect_ok(tern_passwd({"-b", file.string(), "bob", "b-pw"}));
  const auto lines = lines_of(read_text(file));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "# Tern users\r\n");
  EXPECT_EQ(lines[1], "\r\n");
  EXPECT_TRUE(lines[2].starts_with("alice:$7$") && lines[2].ends_with("==\r\n")) << lines[2];
  EXPECT_EQ(lines[3], "   # indented: note\n");
  EXPECT_EQ(lines[4], "\n");
  EXPECT_TRUE(lines[5].starts_with("bob:$7$") && lines[5].ends_with("==\n")) << lines[5];
  expect_password(file, "alice", "a-pw");
  expect_password(file, "bob", "b-pw");
}

TEST(TernPasswdCli, AddNeedsAnExistingFile) {
  TempDir dir;
  const auto file = dir.path() / "missing";
  // Reported before any password is asked for: stdin is not even read.
  expect_error(tern_passwd({file.string(), "alice"}),
               {file.string(), "cannot read", "No such file or directory"});
  EXPECT_FALSE(fs::exists(file));
}

TEST(TernPasswdCli, BrokenFileIsRefusedAndUntouched) {
  TempDir dir;
  const std::string original = "alice:x\nnot a user line\n";
  const auto file = dir.write("pw", original);
  for (const auto& args : std::vector<std::vector<std::string>>{{"-b", file.string(), "bob", "p"},
                                                                {file.string(), "bob"},
                                                                {"-D", file.string(), "alice"},
                                                                {"-U", file.string()}}) {
    expect_error(tern_passwd(args, "p\np\n"),
                 {file.string() + ":2: missing ':' between username and password"});
    EXPECT_EQ(read_text(file), original);
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(TernPasswdCli, BadUsernamesAreRefusedBeforeAnythingElse) {
  TempDir dir;
  const auto file = dir.path() / "pw";
  expect_error(tern_passwd({"-c", "-b", file.string(), "a:b", "p"}),
               {file.string(), "user 'a:b'", "must not contain ':'"});
  expect_error(tern_passwd({"-c", "-b", file.string(), "a\nb", "p"}),
               {"user 'a?b'", "control characters"});
  expect_error(tern_passwd({"-c", file.string(), ""}, "p\np\n"), {"the username is empty"});
  expect_error(tern_passwd({"-c", "-b", file.string(), "#x", "p"}), {"must not start with '#'"});
  expect_error(tern_passwd({"-c", "-b", file.string(), "x ", "p"}), {"blank"});
  expect_error(tern_passwd({"-c", "-b", file.string(), "x", std::string(65536, 'p')}),
               {"longer than 65535 bytes"});
  EXPECT_FALSE(fs::exists(file));
}

TEST(TernPasswdCli, ASymbolicLinkedFileIsUpdatedThroughTheLink) {
  TempDir dir;
  const auto target = dir.write("real", "# users\n");
  const auto link = dir.path() / "link";
  fs::create_symlink(target, link);
  expect_ok(tern_passwd({"-b", link.string(), "alice", "secret"}));
  EXPECT_TRUE(fs::is_symlink(link));
  expect_password(target, "alice", "secret");
}

// --- -D: delete ------------------------------------------------------------------------------

TEST(TernPasswdCli, DeleteRemovesOnlyThatUser) {
  TempDir dir;
  const std::string original = read_text(kMosquittoFile);
  const auto file = dir.write("pw", original);
  expect_ok(tern_passwd({"-D", file.string(), "bob"}));
  std::string expected;
  for (const auto& line : lines_of(original)) {
    if (!line.starts_with("bob:")) expected += line;
  }
  EXPECT_EQ(read_text(file), expected);
  const auto loaded = auth::PasswordFile::load(file.string());
  ASSERT_TRUE(loaded.ok()) << loaded.error;
  EXPECT_FALSE(loaded.file->contains("bob"));
  EXPECT_TRUE(loaded.file->check("alice", "secret"));
}

TEST(TernPasswdCli, DeleteOfAMissingUserIsAnErrorAsInMosquittoPasswd) {
  TempDir dir;
  const std::string original = "alice:x\n";
  const auto file = dir.write("pw", original);
  struct stat before {};
  ASSERT_EQ(::stat(file.c_str(), &before), 0);
  expect_error(tern_passwd({"-D", file.string(), "zz"}), {file.string(), "user 'zz' not found"});
  EXPECT_EQ(read_text(file), original);
  struct stat after {};
  ASSERT_EQ(::stat(file.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // not even rewritten
  expect_error(tern_passwd({"-D", (dir.path() / "none").string(), "zz"}), {"cannot read"});
}

// --- -U: hash plain-text passwords -----------------------------------------------------------

TEST(TernPasswdCli, UpgradeHashesPlainPasswordsAndKeepsTheRest) {
  TempDir dir;
  const std::string alice_line = lines_of(read_text(kMosquittoFile))[0];
  const std::string original = "# plain users\nann:first pw\n" + alice_line + "ben : p:w \r\n";
  const auto file = dir.write("pw", original);
  expect_ok(tern_passwd({"-U", file.string()}));
  const auto lines = lines_of(read_text(file));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "# plain users\n");
  EXPECT_EQ(lines[2], alice_line);
  EXPECT_TRUE(lines[3].ends_with("\r\n"));
  expect_password(file, "ann", "first pw");
  expect_password(file, "ben", "p:w");
  expect_password(file, "alice", "secret");  // already hashed: left alone, still works
}

TEST(TernPasswdCli, UpgradeTwiceIsHarmless) {
  TempDir dir;
  const auto file = dir.write("pw", "ann:pw\n");
  expect_ok(tern_passwd({"-U", file.string()}));
  const std::string once = read_text(file);
  expect_ok(tern_passwd({"-U", file.string()}));
  EXPECT_EQ(read_text(file), once);
  expect_password(file, "ann", "pw");
}

TEST(TernPasswdCli, UpgradeWithSha512AndIterations) {
  TempDir dir;
  const auto file = dir.write("pw", "ann:a\nben:b\n");
  expect_ok(tern_passwd({"-H", "sha512", "-U", file.string()}));
  expect_password(file, "ann", "a", auth::HashScheme::sha512);
  const auto second = dir.write("pw2", "cat:c\n");
  expect_ok(tern_passwd({"-I", "7", "-U", second.string()}));
  expect_password(second, "cat", "c", auth::HashScheme::sha512_pbkdf2, 7);
}

TEST(TernPasswdCli, UpgradeRefusesAnEmptyPassword) {
  TempDir dir;
  const std::string original = "ann:a\nben:\n";
  const auto file = dir.write("pw", original);
  expect_error(tern_passwd({"-U", file.string()}),
               {file.string() + ":2: user 'ben' has an empty password"});
  EXPECT_EQ(read_text(file), original);
}

// --- The command line ------------------------------------------------------------------------

TEST(TernPasswdCli, UsageErrors) {
  expect_usage_error(tern_passwd({}), "no password file given");
  expect_usage_error(tern_passwd({"-c", "-D", "f", "u"}), "-c and -D cannot be used together");
  expect_usage_error(tern_passwd({"-b", "-D", "f", "u", "p"}), "-b and -D cannot be used together");
  expect_usage_error(tern_passwd({"-X", "f", "u"}), "unknown option '-X'");
  expect_usage_error(tern_passwd({"-H", "md5", "f", "u"}),
                     "unknown hash 'md5' (-H takes sha512-pbkdf2 or sha512)");
  expect_usage_error(tern_passwd({"-I", "0", "f", "u"}),
                     "-I takes a positive number of iterations, not '0'");
  expect_usage_error(tern_passwd({"f"}), "expected a password file and a username, got 1 argument");
  expect_usage_error(tern_passwd({"-U", "f", "g"}),
                     "expected a password file only, got 2 arguments");
}

TEST(TernPasswdCli, HelpGoesToStandardOutput) {
  const Exec help = tern_passwd({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.err, "");
  EXPECT_EQ(help.out.rfind("tern_passwd manages Mosquitto password files", 0), 0u) << help.out;
  EXPECT_NE(help.out.find("Usage: tern_passwd"), std::string::npos);
}

// --- A real terminal -------------------------------------------------------------------------

// tern_passwd on a pseudo-terminal as its controlling terminal and standard input, output and
// error; the test plays the user at the keyboard.
class Terminal {
 public:
  explicit Terminal(const std::vector<std::string>& args) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
    const std::string slave_name = ::ptsname(master_);
    std::vector<char*> argv;
    for (const auto& arg : args)
      argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      ::setsid();  // a new session, whose controlling terminal the slave becomes
      const int slave = ::open(slave_name.c_str(), O_RDWR);
      if (slave < 0) ::_exit(126);
      ::dup2(slave, 0);
      ::dup2(slave, 1);
      ::dup2(slave, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~Terminal() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) ::close(master_);
  }
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& screen() const { return screen_; }

  // Reads what the program shows until `text` is on the screen or 10 s pass.
  bool wait_for(std::string_view text) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (screen_.find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      // Nothing to read, or the program closed the terminal (EIO at once): do not spin.
      if (!read_some(100ms)) std::this_thread::sleep_for(10ms);
    }
    return true;
  }
  void type(std::string_view keys) {
    ASSERT_EQ(::write(master_, keys.data(), keys.size()), static_cast<ssize_t>(keys.size()));
  }
  // Waits for the program to exit (reading its last output) and returns its exit code.
  int wait_exit() {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      read_some(10ms);
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
    }
    return -1;
  }
  // Whether the terminal echoes typed characters now.
  bool echoes() const {
    termios settings{};
    return ::tcgetattr(master_, &settings) == 0 && (settings.c_lflag & ECHO) != 0;
  }

 private:
  bool read_some(std::chrono::milliseconds timeout) {
    pollfd p{master_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buffer[512];
    const ssize_t got = ::read(master_, buffer, sizeof buffer);
    if (got <= 0) return false;  // EIO once the program has closed the terminal
    screen_.append(buffer, static_cast<std::size_t>(got));
    return true;
  }

  int master_ = -1;
  pid_t pid_ = -1;
  std::string screen_;
};

TEST(TernPasswdCli, TypedPasswordIsNotEchoed) {
  TempDir dir;
  const auto file = dir.path() / "pw";
  Terminal terminal({kTernPasswd, "-c", file.string(), "alice"});
  ASSERT_TRUE(terminal.started());
  ASSERT_TRUE(terminal.echoes());  // so that the test below could fail
  ASSERT_TRUE(terminal.wait_for("Password: ")) << terminal.screen();
  terminal.type("s3cret-typed\n");
  ASSERT_TRUE(terminal.wait_for("Reenter password: ")) << terminal.screen();
  terminal.type("s3cret-typed\n");
  EXPECT_EQ(terminal.wait_exit(), 0) << terminal.screen();
  EXPECT_EQ(terminal.screen().find("s3cret"), std::string::npos) << terminal.screen();
  EXPECT_TRUE(terminal.echoes());  // echo is back
  expect_password(file, "alice", "s3cret-typed");
}

TEST(TernPasswdCli, InterruptAtThePromptRestoresEcho) {
  TempDir dir;
  const auto file = dir.path() / "pw";
  Terminal terminal({kTernPasswd, "-c", file.string(), "alice"});
  ASSERT_TRUE(terminal.started());
  ASSERT_TRUE(terminal.wait_for("Password: ")) << terminal.screen();
  EXPECT_FALSE(terminal.echoes());
  ::kill(terminal.pid(), SIGINT);
  EXPECT_EQ(terminal.wait_exit(), 128 + SIGINT);
  EXPECT_TRUE(terminal.echoes());
  EXPECT_FALSE(fs::exists(file));
}

TEST(TernPasswdCli, MismatchOnATerminal) {
  TempDir dir;
  const auto file = dir.path() / "pw";
  Terminal terminal({kTernPasswd, "-c", file.string(), "alice"});
  ASSERT_TRUE(terminal.started());
  ASSERT_TRUE(terminal.wait_for("Password: "));
  terminal.type("one\n");
  ASSERT_TRUE(terminal.wait_for("Reenter password: "));
  terminal.type("two\n");
  EXPECT_EQ(terminal.wait_exit(), 1);
  EXPECT_NE(terminal.screen().find("passwords do not match"), std::string::npos)
      << terminal.screen();
  EXPECT_FALSE(fs::exists(file));
}

}  // namespace
}  // namespace tern::passwd_test
