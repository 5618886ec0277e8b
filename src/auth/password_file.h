// PasswordFile: the users and password hashes of a Mosquitto `password_file`, so that a file
// made by `mosquitto_passwd` works unchanged.
//
// Format, one user per line (schemes in auth/password_hash.h):
//
//   # comment
//   alice:$7$101$BASE64SALT$BASE64HASH
//   carol:$6$BASE64SALT$BASE64HASH
//
// - Lines end in "\n" or "\r\n". Blank lines and lines whose first non-blank character is '#'
//   are ignored.
// - As in Mosquitto, blanks (spaces and tabs) around the username and around the hash are
//   trimmed. The username is everything before the first ':'; it must be non-empty, at most
//   65535 bytes (an MQTT string), and appear only once in the file.
// - Any other line is an error, and the whole file is refused: loading returns
//   "NAME:LINE: reason" (LINE counts from 1) and no users. The broker must then refuse to start
//   and print that message, rather than start with some users missing. This is stricter than
//   Mosquitto 2.0.11, which skips a line without ':' silently, logs and drops an entry whose
//   hash it cannot decode, and starts anyway; it also reads "101abc" as 101 iterations and
//   ignores extra '$' fields. A file that only ever came from mosquitto_passwd has none of
//   these, so it loads unchanged.
//
// Passwords are compared as the exact bytes the client sent (an MQTT password is binary data);
// Mosquitto stops at the first NUL byte, Tern does not, so "ab\0c" does not match "ab". A
// client that sends a username without a password is the caller's case to refuse: check()
// only knows "the empty password", which mosquitto_passwd can store.
//
// Thread-safety: a loaded PasswordFile is immutable; check(), contains() and size() may be
// called from any number of threads at once. Reloading means loading a new PasswordFile and
// swapping it in (the caller's business).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "auth/password_hash.h"

namespace tern::auth {

class PasswordFile {
 public:
  struct Result;  // defined below: a PasswordFile or an error message

  // Reads and parses the file at `path`. Errors are "PATH:LINE: reason", or
  // "PATH: cannot read: <strerror>" when the file cannot be opened or read.
  static Result load(const std::string& path);
  // Parses `text`, the contents of a password file; `name` is used in error messages.
  static Result parse(std::string_view text, std::string_view name);

  // True if `username` is in the file and `password` hashes to its hash.
  //
  // Timing: an unknown user costs one hash too, computed against a dummy entry with the scheme
  // and iteration count of the file's first user (a random salt, a hash nothing matches), so
  // the time taken does not tell whether a username exists. The final comparison is
  // constant-time.
  bool check(std::string_view username, std::string_view password) const;

  // True if `username` has an entry. Costs no hash, so it must not be used to answer a client.
  bool contains(std::string_view username) const;
  std::size_t size() const { return users_.size(); }

  // How many password hashes check() has computed on this object, for tests and statistics:
  // every check() adds exactly one, whether or not the user exists.
  std::uint64_t hashes_computed() const { return hashes_computed_.value(); }

 private:
  // A relaxed atomic counter that copies by value, so PasswordFile stays copyable and movable.
  class Counter {
   public:
    Counter() = default;
    Counter(const Counter& other) : value_(other.value()) {}
    Counter& operator=(const Counter& other) {
      value_.store(other.value(), std::memory_order_relaxed);
      return *this;
    }
    void increment() const { value_.fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

   private:
    mutable std::atomic<std::uint64_t> value_{0};
  };

  PasswordFile() = default;

  std::map<std::string, PasswordHash, std::less<>> users_;
  PasswordHash dummy_;  // what an unknown user is hashed against
  Counter hashes_computed_;
};

// The outcome of PasswordFile::load and ::parse: exactly one of `file` and a non-empty `error`.
struct PasswordFile::Result {
  std::optional<PasswordFile> file;
  std::string error;  // "NAME:LINE: reason"; empty when `file` has a value

  bool ok() const { return file.has_value(); }
  explicit operator bool() const { return ok(); }
};

// Builds the line for `username` with a fresh "$7$" hash of `password` (random 12-byte salt),
// as `mosquitto_passwd` would write it, without the trailing newline:
// "alice:$7$101$BASE64SALT$BASE64HASH". For the `tern_passwd` tool.
// Throws std::invalid_argument if the username could not be read back (empty, longer than
// 65535 bytes, containing ':' or a line break, or with blanks at either end, which loading
// trims) or iterations < 1; std::runtime_error if random bytes or hashing fail.
std::string make_password_line(std::string_view username, std::string_view password,
                               int iterations = kDefaultIterations);

}  // namespace tern::auth
