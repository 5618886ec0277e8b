// tern_passwd's file handling (tools/tern_passwd/file_io.h): a password file is replaced whole,
// by rename, with its permissions and owner, and never left half-written or with litter.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "file_io.h"
#include "harness.h"
#include "tern_passwd_process.h"

namespace tern::passwd {
namespace {

namespace fs = std::filesystem;
using passwd_test::read_text;
using passwd_test::write_text;

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

// The names in `dir`, so a test can see that no temporary file is left behind.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(TernPasswdFile, ReadWholeFile) {
  blackbox::TempDir dir;
  const std::string text = "a:1\r\nb:2\n" + std::string(100000, 'x');  // beyond one read()
  const auto path = dir.write("pw", text);
  const FileText read = read_file(path);
  ASSERT_TRUE(read.text.has_value()) << read.error;
  EXPECT_EQ(*read.text, text);
}

TEST(TernPasswdFile, ReadErrorsNameTheFile) {
  blackbox::TempDir dir;
  const std::string missing = (dir.path() / "missing").string();
  EXPECT_EQ(read_file(missing).error, missing + ": cannot read: No such file or directory");
  EXPECT_EQ(read_file(dir.path().string()).error,
            dir.path().string() + ": cannot read: Is a directory");
}

TEST(TernPasswdFile, NewFileIsPrivate) {
  blackbox::TempDir dir;
  const auto path = dir.path() / "pw";
  const mode_t old_umask = ::umask(0);  // even a permissive umask gives 0600
  const std::string error = replace_file(path.string(), "a:1\n");
  ::umask(old_umask);
  ASSERT_EQ(error, "");
  EXPECT_EQ(read_text(path), "a:1\n");
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"pw"});
}

TEST(TernPasswdFile, ReplacingKeepsPermissions) {
  blackbox::TempDir dir;
  const auto path = dir.write("pw", "old\n");
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  ASSERT_EQ(replace_file(path.string(), "new\n"), "");
  EXPECT_EQ(read_text(path), "new\n");
  EXPECT_EQ(mode_of(path), 0644u);
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  ASSERT_EQ(replace_file(path.string(), "newer\n"), "");
  EXPECT_EQ(mode_of(path), 0640u);
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"pw"});
}

TEST(TernPasswdFile, ReplacingKeepsTheOwnerWhenAllowedTo) {
  if (::geteuid() != 0) GTEST_SKIP() << "changing a file's owner needs root";
  blackbox::TempDir dir;
  const auto path = dir.write("pw", "old\n");
  ASSERT_EQ(::chown(path.c_str(), 4321, 4322), 0);
  ASSERT_EQ(replace_file(path.string(), "new\n"), "");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, 4321u);
  EXPECT_EQ(info.st_gid, 4322u);
}

TEST(TernPasswdFile, ReplacingIsARenameNotARewrite) {
  // A reader that opened the old file (a broker reloading it) keeps reading all of the old
  // contents: the new file is a different inode that replaced the name in one step.
  blackbox::TempDir dir;
  const std::string old_text = "alice:" + std::string(5000, 'o') + "\n";
  const auto path = dir.write("pw", old_text);
  const int reader = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  struct stat before {};
  ASSERT_EQ(::fstat(reader, &before), 0);

  ASSERT_EQ(replace_file(path.string(), "bob:new\n"), "");
  std::string seen(old_text.size() + 10, '\0');
  const ssize_t got = ::pread(reader, seen.data(), seen.size(), 0);
  ::close(reader);
  ASSERT_GE(got, 0);
  seen.resize(static_cast<std::size_t>(got));
  EXPECT_EQ(seen, old_text);
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_NE(after.st_ino, before.st_ino);
  EXPECT_EQ(read_text(path), "bob:new\n");
}

TEST(TernPasswdFile, ASymbolicLinkStaysALink) {
  blackbox::TempDir dir;
  fs::create_directory(dir.path() / "real");
  const auto target = dir.write("real/pw", "old\n");
  const auto link = dir.path() / "pw-link";
  fs::create_symlink(target, link);
  ASSERT_EQ(replace_file(link.string(), "new\n"), "");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read_text(target), "new\n");
  EXPECT_EQ(names_in(dir.path() / "real"), std::vector<std::string>{"pw"});
}

TEST(TernPasswdFile, RelativePathInTheCurrentDirectory) {
  blackbox::TempDir dir;
  const fs::path previous = fs::current_path();
  fs::current_path(dir.path());
  const std::string error = replace_file("pw", "a:1\n");
  fs::current_path(previous);
  EXPECT_EQ(error, "");
  EXPECT_EQ(read_text(dir.path() / "pw"), "a:1\n");
}

TEST(TernPasswdFile, FailuresLeaveNothingBehind) {
  blackbox::TempDir dir;
  const auto missing_dir = dir.path() / "no" / "pw";
  const std::string error = replace_file(missing_dir.string(), "a:1\n");
  EXPECT_EQ(error.rfind(missing_dir.string() + ": cannot create a temporary file in ", 0), 0u)
      << error;
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;

  fs::create_directory(dir.path() / "sub");
  EXPECT_EQ(replace_file((dir.path() / "sub").string(), "a:1\n"),
            (dir.path() / "sub").string() + ": not a regular file");
  EXPECT_TRUE(fs::is_directory(dir.path() / "sub"));
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"sub"});
}

TEST(TernPasswdFile, ReadOnlyDirectoryLeavesTheOldFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only directories";
  blackbox::TempDir dir;
  const auto path = dir.write("pw", "old\n");
  ASSERT_EQ(::chmod(dir.path().c_str(), 0500), 0);
  const std::string error = replace_file(path.string(), "new\n");
  ::chmod(dir.path().c_str(), 0700);
  EXPECT_NE(error.find("Permission denied"), std::string::npos) << error;
  EXPECT_EQ(read_text(path), "old\n");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"pw"});
}

}  // namespace
}  // namespace tern::passwd
