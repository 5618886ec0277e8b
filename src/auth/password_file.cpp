#include "auth/password_file.h"

#include <openssl/rand.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace tern::auth {
namespace {

constexpr std::size_t kMaxUsernameLength = 65535;  // an MQTT UTF-8 string's limit
constexpr std::string_view kBlanks = " \t";

std::string_view trim_blanks(std::string_view text) {
  const auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kBlanks);
  return text.substr(first, last - first + 1);
}

std::string located(std::string_view name, std::size_t line, std::string_view reason) {
  std::string out(name);
  out += ':';
  out += std::to_string(line);
  out += ": ";
  out += reason;
  return out;
}

// The entry an unknown username is hashed against: the first user's scheme and iteration count
// (so it costs what a real user costs), a random salt, and a hash that no password is expected
// to produce. Its comparison result is ignored anyway.
PasswordHash make_dummy(const PasswordHash* model) {
  PasswordHash dummy;
  if (model != nullptr) {
    dummy.scheme = model->scheme;
    dummy.iterations = model->iterations;
    dummy.salt.resize(model->salt.size());
  } else {
    dummy.scheme = HashScheme::sha512_pbkdf2;
    dummy.iterations = kDefaultIterations;
    dummy.salt.resize(kSaltLength);
  }
  // If the generator fails the zero salt and hash still cost the same time; nothing depends
  // on them being secret.
  (void)RAND_bytes(dummy.salt.data(), static_cast<int>(dummy.salt.size()));
  (void)RAND_bytes(dummy.hash.data(), static_cast<int>(dummy.hash.size()));
  return dummy;
}

}  // namespace

PasswordFile::Result PasswordFile::parse(std::string_view text, std::string_view name) {
  PasswordFile file;
  const PasswordHash* first = nullptr;
  std::map<std::string_view, std::size_t, std::less<>> first_seen;  // username -> line

  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);

    const std::string_view content = trim_blanks(line);
    if (content.empty() || content.front() == '#') continue;

    const auto fail = [&](std::string_view reason) {
      return Result{std::nullopt, located(name, line_number, reason)};
    };
    const auto colon = content.find(':');
    if (colon == std::string_view::npos) return fail("missing ':' between username and hash");
    const std::string_view username = trim_blanks(content.substr(0, colon));
    if (username.empty()) return fail("empty username");
    if (username.size() > kMaxUsernameLength) {
      return fail("username longer than " + std::to_string(kMaxUsernameLength) + " bytes");
    }
    if (const auto seen = first_seen.find(username); seen != first_seen.end()) {
      return fail("duplicate user '" + std::string(username) + "' (first on line " +
                  std::to_string(seen->second) + ")");
    }

    auto parsed = parse_password_hash(trim_blanks(content.substr(colon + 1)));
    if (!parsed.hash) return fail(parsed.error);
    first_seen.emplace(username, line_number);
    const auto entry = file.users_.emplace(std::string(username), std::move(*parsed.hash)).first;
    if (first == nullptr) first = &entry->second;  // map nodes do not move on insertion
  }

  file.dummy_ = make_dummy(first);
  return Result{std::move(file), {}};
}

PasswordFile::Result PasswordFile::load(const std::string& path) {
  const auto cannot_read = [&path](int error) {
    return Result{std::nullopt, path + ": cannot read: " + std::strerror(error)};
  };
  errno = 0;
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> stream(std::fopen(path.c_str(), "rb"),
                                                               &std::fclose);
  if (!stream) return cannot_read(errno);

  std::string text;
  char buffer[8192];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, stream.get())) > 0)
    text.append(buffer, got);
  // fread on a directory opens fine on Linux and fails here with EISDIR.
  if (std::ferror(stream.get())) return cannot_read(errno != 0 ? errno : EIO);
  return parse(text, path);
}

bool PasswordFile::check(std::string_view username, std::string_view password) const {
  const auto user = users_.find(username);
  const bool known = user != users_.end();
  // Hash even for an unknown user, so the time taken does not reveal which usernames exist.
  hashes_computed_.increment();
  const bool matches = verify_password(known ? user->second : dummy_, password);
  return known && matches;
}

bool PasswordFile::contains(std::string_view username) const {
  return users_.find(username) != users_.end();
}

std::string make_password_line(std::string_view username, std::string_view password,
                               int iterations) {
  if (username.empty() || username.size() > kMaxUsernameLength ||
      username.find_first_of(":\r\n") != std::string_view::npos ||
      trim_blanks(username) != username || username.front() == '#') {
    throw std::invalid_argument(
        "a username must be 1 to 65535 bytes without ':', line breaks, a leading '#', or blanks "
        "at either end");
  }
  std::string line(username);
  line += ':';
  line += format_password_hash(make_password_hash(password, iterations));
  return line;
}

}  // namespace tern::auth
