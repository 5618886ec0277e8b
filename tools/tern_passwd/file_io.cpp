#include "file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace tern::passwd {
namespace {

std::string reason(std::string_view what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

// Closes a descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports close's error (on some file systems the last write error).
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

// The file the rename must replace: `path` with symbolic links resolved when it exists, so that
// a link to the password file stays a link.
std::string target_of(const std::string& path) {
  const std::unique_ptr<char, void (*)(void*)> resolved(::realpath(path.c_str(), nullptr),
                                                        &std::free);
  return resolved ? std::string(resolved.get()) : path;
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

}  // namespace

FileText read_file(const std::string& path) {
  const auto failed = [&path](int error) {
    return FileText{std::nullopt, path + ": cannot read: " + std::strerror(error)};
  };
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return failed(errno);
  std::string text;
  char buffer[8192];
  while (true) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      return failed(errno);  // EISDIR for a directory
    }
    if (got == 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
  }
  return FileText{std::move(text), {}};
}

std::string replace_file(const std::string& path, std::string_view contents) {
  const std::string target = target_of(path);
  struct stat old {};
  const bool exists = ::stat(target.c_str(), &old) == 0;
  if (!exists && errno != ENOENT) return path + ": " + reason("cannot stat", errno);
  if (exists && !S_ISREG(old.st_mode)) return path + ": not a regular file";

  const std::string directory = directory_of(target);
  const std::string base = target.substr(target.rfind('/') + 1);
  std::string temp = directory + "/." + base + ".tmp-XXXXXX";
  Fd fd(::mkstemp(temp.data()));  // mode 0600
  if (fd.get() < 0) {
    return path + ": " + reason("cannot create a temporary file in " + directory, errno);
  }

  // Called right after the failing call, before anything else can change errno.
  const auto fail = [&](std::string_view what) {
    const int error = errno;
    ::unlink(temp.c_str());
    return path + ": " + reason(std::string(what) + " " + temp, error);
  };
  if (!write_all(fd.get(), contents)) return fail("cannot write");
  const mode_t mode = exists ? (old.st_mode & 07777) : kNewFileMode;
  if (::fchmod(fd.get(), mode) != 0) return fail("cannot set the permissions of");
  // Keeping the owner needs privileges when it is someone else; without them the new file
  // belongs to whoever ran tern_passwd (or keeps at least the group, if that is allowed).
  if (exists && (old.st_uid != ::geteuid() || old.st_gid != ::getegid()) &&
      ::fchown(fd.get(), old.st_uid, old.st_gid) != 0 &&
      ::fchown(fd.get(), static_cast<uid_t>(-1), old.st_gid) != 0) {
    // Nothing more to try; the contents are what matters.
  }
  if (::fsync(fd.get()) != 0) return fail("cannot sync");
  if (fd.close() != 0) return fail("cannot close");
  if (::rename(temp.c_str(), target.c_str()) != 0) return fail("cannot rename");

  // The rename is in the directory; sync it so a crash cannot bring the old file back. The file
  // is already replaced, so a failure here is not reported.
  Fd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0 && ::fsync(dir.get()) != 0) {
    // Reported by nobody: see above.
  }
  return {};
}

}  // namespace tern::passwd
