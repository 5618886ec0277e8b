#include "options.h"

#include <charconv>

namespace tern::passwd {
namespace {

ParsedOptions usage_error(std::string reason) {
  return ParsedOptions{std::nullopt, false, std::move(reason)};
}

std::optional<int> positive_number(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 1) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

ParsedOptions parse_options(std::span<const std::string_view> args) {
  if (args.empty()) return usage_error("no password file given");

  Options options;
  bool batch = false;
  bool create = false;
  bool remove = false;
  bool upgrade = false;
  std::size_t next = 0;
  for (; next < args.size(); ++next) {
    const std::string_view arg = args[next];
    if (arg == "--") {
      ++next;
      break;
    }
    if (arg.size() < 2 || arg.front() != '-') break;  // the first operand ("-" is a file name)

    if (arg == "-h" || arg == "--help") return ParsedOptions{std::nullopt, true, {}};
    if (arg == "-b") {
      batch = true;
    } else if (arg == "-c") {
      create = true;
    } else if (arg == "-D") {
      remove = true;
    } else if (arg == "-U") {
      upgrade = true;
    } else if (arg == "-H" || arg == "-I") {
      if (next + 1 == args.size()) return usage_error(std::string(arg) + " needs a value");
      const std::string_view value = args[++next];
      if (arg == "-H") {
        if (value == "sha512-pbkdf2") {
          options.scheme = auth::HashScheme::sha512_pbkdf2;
        } else if (value == "sha512") {
          options.scheme = auth::HashScheme::sha512;
        } else {
          return usage_error("unknown hash '" + std::string(value) +
                             "' (-H takes sha512-pbkdf2 or sha512)");
        }
      } else {
        const auto iterations = positive_number(value);
        if (!iterations) {
          return usage_error("-I takes a positive number of iterations, not '" +
                             std::string(value) + "'");
        }
        options.iterations = *iterations;
      }
    } else {
      return usage_error("unknown option '" + std::string(arg) + "'");
    }
  }

  // The same pairs mosquitto_passwd refuses, plus -b with -U (which it ignores).
  const auto conflict = [](std::string_view a, std::string_view b) {
    return usage_error(std::string(a) + " and " + std::string(b) + " cannot be used together");
  };
  if (create && remove) return conflict("-c", "-D");
  if (create && upgrade) return conflict("-c", "-U");
  if (remove && upgrade) return conflict("-D", "-U");
  if (batch && remove) return conflict("-b", "-D");
  if (batch && upgrade) return conflict("-b", "-U");

  const std::span<const std::string_view> operands = args.subspan(next);
  std::size_t wanted = 2;  // FILE USER
  std::string_view shape = "a password file and a username";
  if (upgrade) {
    wanted = 1;
    shape = "a password file only";
  } else if (batch) {
    wanted = 3;
    shape = "a password file, a username and a password";
  }
  if (operands.size() != wanted) {
    return usage_error("expected " + std::string(shape) + ", got " +
                       std::to_string(operands.size()) +
                       (operands.size() == 1 ? " argument" : " arguments"));
  }

  options.mode = upgrade  ? Mode::upgrade
                 : create ? Mode::create
                 : remove ? Mode::remove
                          : Mode::add_or_update;
  options.file = operands[0];
  if (operands[0].empty()) return usage_error("the password file name is empty");
  if (!upgrade) options.username = operands[1];
  if (batch) options.password = std::string(operands[2]);
  return ParsedOptions{std::move(options), false, {}};
}

std::string_view usage() {
  return "tern_passwd manages Mosquitto password files, for Tern and Mosquitto brokers.\n"
         "\n"
         "Usage: tern_passwd [-H sha512-pbkdf2 | -H sha512] [-I iterations] [-c | -D] "
         "passwordfile username\n"
         "       tern_passwd [-H sha512-pbkdf2 | -H sha512] [-I iterations] [-c] -b "
         "passwordfile username password\n"
         "       tern_passwd [-H sha512-pbkdf2 | -H sha512] [-I iterations] -U passwordfile\n"
         "\n"
         " -b : batch mode: the password is the last argument (visible to other users in ps\n"
         "      and kept in the shell's history; prefer the prompt).\n"
         " -c : create the file with this one user, replacing the file if it exists.\n"
         " -D : delete the user from the file.\n"
         " -H : the hash: sha512-pbkdf2 ($7$, PBKDF2-HMAC-SHA512, the default) or sha512\n"
         "      ($6$, for Mosquitto 1.6 and earlier).\n"
         " -I : PBKDF2 iterations for sha512-pbkdf2 (default 101).\n"
         " -U : hash every plain-text password of the file (user:password lines); lines that\n"
         "      already hold a $7$ or $6$ hash are left as they are.\n"
         " -h : this help.\n"
         "\n"
         "Without -b the password is asked for twice: without echo on a terminal, or as two\n"
         "lines of standard input when that is not a terminal.\n"
         "Other lines of the file (other users, comments, blank lines) are kept byte for byte.\n"
         "The file is replaced atomically (a temporary file in the same directory, synced,\n"
         "then renamed over it): an existing file keeps its permissions and owner, a new file\n"
         "is created with mode 0600.\n"
         "Exit status: 0 on success, 1 on any error (the file is then left unchanged).\n";
}

std::string username_error(std::string_view username) {
  if (username.empty()) return "the username is empty";
  if (username.size() > kMaxFieldLength) {
    return "the username is longer than " + std::to_string(kMaxFieldLength) + " bytes";
  }
  if (username.find(':') != std::string_view::npos) return "a username must not contain ':'";
  for (const char c : username) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return "a username must not contain control characters";
  }
  if (username.front() == ' ' || username.back() == ' ') {
    return "a username must not start or end with a blank";
  }
  if (username.front() == '#') return "a username must not start with '#'";
  return {};
}

std::string password_error(std::string_view password) {
  if (password.size() > kMaxFieldLength) {
    return "the password is longer than " + std::to_string(kMaxFieldLength) + " bytes";
  }
  return {};
}

}  // namespace tern::passwd
