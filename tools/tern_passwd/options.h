// Options: the command line of tern_passwd, which is mosquitto_passwd's (Mosquitto 2.0), read
// into a plain value. Pure functions without I/O or shared state, safe from any thread.
//
//   tern_passwd [-H sha512-pbkdf2 | -H sha512] [-I N] [-c | -D] FILE USER
//   tern_passwd [-H sha512-pbkdf2 | -H sha512] [-I N] [-c] -b FILE USER PASSWORD
//   tern_passwd [-H sha512-pbkdf2 | -H sha512] [-I N] -U FILE
//
// As in mosquitto_passwd, options come first and the first argument that is not an option starts
// the operands (so a username may begin with '-'; "--" also ends the options). Unlike
// mosquitto_passwd, an unknown option, a missing or extra operand, and an iteration count that
// is not a whole positive number are errors rather than file names, ignored, or read up to the
// first non-digit.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "auth/password_hash.h"

namespace tern::passwd {

// The longest username or password: an MQTT UTF-8 string or binary field.
inline constexpr std::size_t kMaxFieldLength = 65535;

enum class Mode {
  add_or_update,  // FILE USER: add the user, or give it a new password
  create,         // -c: a new file with this one user, replacing any existing file
  remove,         // -D: delete the user
  upgrade,        // -U: hash the plain-text passwords of the file
};

struct Options {
  Mode mode = Mode::add_or_update;
  auth::HashScheme scheme = auth::HashScheme::sha512_pbkdf2;
  int iterations = auth::kDefaultIterations;  // for sha512_pbkdf2 only
  std::string file;
  std::string username;                 // empty for upgrade
  std::optional<std::string> password;  // -b: from the command line; otherwise asked for
};

// The outcome of parse_options: options, a request for help (-h, --help), or a usage error
// (the reason, without the usage text).
struct ParsedOptions {
  std::optional<Options> options;
  bool help = false;
  std::string error;
};

// Reads the arguments after the program name.
ParsedOptions parse_options(std::span<const std::string_view> args);

// The usage text, ending in a newline.
std::string_view usage();

// Why `username` cannot be written to a password file, or an empty string if it can. A username
// must read back the same from the file (auth/password_file.h): 1 to 65535 bytes, no ':' (it
// ends the username), no control characters (line breaks would split the line), no blank at
// either end (the reader trims them), and no leading '#' (the line would be a comment).
std::string username_error(std::string_view username);

// Why `password` cannot be stored, or an empty string: an MQTT password is at most 65535 bytes.
std::string password_error(std::string_view password);

}  // namespace tern::passwd
