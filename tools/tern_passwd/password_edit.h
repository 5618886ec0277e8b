// Password-file edits: the contents of a Mosquitto password file in, the new contents (or why
// not) out. Pure functions over strings: no files, no prompts, no randomness (hashes come in
// ready-made or through a callback), so every rule here is tested without touching a disk. No
// shared state: safe from any thread (as far as the Hasher given is).
//
// What tern_passwd reads, line by line (a line ends in "\n" or "\r\n"; the last may have none):
//   - a blank line, or one whose first non-blank character is '#': kept byte for byte;
//   - "USERNAME:VALUE", blanks around both trimmed as the broker trims them
//     (auth/password_file.h); VALUE is a hash, or a plain-text password before -U;
//   - anything else (no ':', or an empty username) makes the whole edit fail with
//     "NAME:LINE: reason", and the file must then be left as it is. mosquitto_passwd 2.0.11
//     stops at such a line too, but still rewrites the file, dropping the rest of it.
// Lines of other users are copied byte for byte, whatever their VALUE, so a file that
// mosquitto_passwd wrote stays as it was apart from the line being changed. A rewritten line
// keeps its "\r\n" ending if it had one.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tern::passwd {

// The outcome of an edit: the new file contents, or an error message.
struct EditResult {
  std::optional<std::string> text;
  std::string error;  // "NAME:LINE: reason" or "NAME: reason"; empty when `text` has a value
};

// The line for `username` with `hash` ("$7$..." or "$6$..."), newline included.
std::string user_line(std::string_view username, std::string_view hash);

// Why `text` cannot be edited ("NAME:LINE: reason"), or an empty string if it can.
std::string check_file(std::string_view text, std::string_view name);

// Gives `username` the password `hash`: its first line is rewritten in place and any later lines
// of the same user are dropped (the broker refuses a file that names a user twice); a new user
// is appended at the end (after adding the missing final newline, if any).
EditResult set_user(std::string_view text, std::string_view name, std::string_view username,
                    std::string_view hash);

// Removes every line of `username`. An error if there is none, as in mosquitto_passwd -D.
EditResult remove_user(std::string_view text, std::string_view name, std::string_view username);

// Returns the hash field ("$7$...") of a plain-text password. May throw; hash_plain_passwords
// lets the exception through.
using Hasher = std::function<std::string(std::string_view password)>;

// mosquitto_passwd -U: every "user:password" line whose value is not already a valid "$7$" or
// "$6$" hash is rewritten as "user:" + hash(password). Already-hashed lines are kept: unlike
// mosquitto_passwd, which hashes the hash and so locks the user out, running -U twice is
// harmless. An empty password is an error, as in mosquitto_passwd. The password is all of
// VALUE, ':' included (mosquitto_passwd 2.0.11 stops at a second ':').
EditResult hash_plain_passwords(std::string_view text, std::string_view name, const Hasher& hash);

}  // namespace tern::passwd
