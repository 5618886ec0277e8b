// tern_passwd: mosquitto_passwd for Tern. Wires the parts together: options (options.h), the
// prompt (prompt.h), the edits (password_edit.h) and the atomic rewrite (file_io.h). Every error
// is one line on stderr, "tern_passwd: FILE: ...", and exit status 1 with the file unchanged.
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password_hash.h"
#include "file_io.h"
#include "options.h"
#include "password_edit.h"
#include "prompt.h"

namespace tern::passwd {
namespace {

constexpr const char* kProgram = "tern_passwd";

int fail(std::string_view message) {
  std::fprintf(stderr, "%s: %.*s\n", kProgram, static_cast<int>(message.size()), message.data());
  return 1;
}

// A username as it may be shown in a message: control bytes replaced, and cut short.
std::string shown(std::string_view username) {
  constexpr std::size_t kMax = 64;
  std::string out = "'";
  for (const char c : username.substr(0, kMax)) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte < 0x20 || byte == 0x7f ? '?' : c;
  }
  if (username.size() > kMax) out += "...";
  out += "'";
  return out;
}

std::string hash_of(const Options& options, std::string_view password) {
  return auth::format_password_hash(
      auth::make_password_hash(password, options.scheme, options.iterations));
}

// The password from -b, or asked for; an error message when there is none.
PromptResult password_of(const Options& options) {
  if (options.password) {
    if (auto error = password_error(*options.password); !error.empty()) {
      return PromptResult{std::nullopt, std::move(error)};
    }
    return PromptResult{*options.password, {}};
  }
  return ask_new_password();
}

int run(const Options& options) {
  const std::string& file = options.file;
  const std::string user = "user " + shown(options.username);
  if (options.mode != Mode::upgrade) {
    if (auto error = username_error(options.username); !error.empty()) {
      return fail(file + ": " + user + ": " + error);
    }
  }

  // Reading and checking the file before asking for a password: a missing or broken file is
  // reported before anyone types anything.
  FileText current;
  if (options.mode != Mode::create) {
    current = read_file(file);
    if (!current.text) return fail(current.error);
    if (auto error = check_file(*current.text, file); !error.empty()) return fail(error);
  }

  EditResult edit;
  switch (options.mode) {
    case Mode::create:
    case Mode::add_or_update: {
      const PromptResult password = password_of(options);
      if (!password.password) return fail(file + ": " + user + ": " + password.error);
      const std::string hash = hash_of(options, *password.password);
      if (options.mode == Mode::create) {
        edit.text = user_line(options.username, hash);
        break;
      }
      // Read again: the prompt may have waited a long time, and someone else may have changed
      // the file meanwhile.
      current = read_file(file);
      if (!current.text) return fail(current.error);
      edit = set_user(*current.text, file, options.username, hash);
      break;
    }
    case Mode::remove:
      edit = remove_user(*current.text, file, options.username);
      break;
    case Mode::upgrade:
      edit = hash_plain_passwords(*current.text, file, [&options](std::string_view password) {
        return hash_of(options, password);
      });
      // Nothing to hash: leave the file alone, modification time included.
      if (edit.text && edit.text == current.text) return 0;
      break;
  }
  if (!edit.text) return fail(edit.error);
  if (auto error = replace_file(file, *edit.text); !error.empty()) return fail(error);
  return 0;
}

}  // namespace
}  // namespace tern::passwd

int main(int argc, char** argv) {
  using namespace tern::passwd;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  const ParsedOptions parsed = parse_options(args);
  if (parsed.help) {
    std::fputs(usage().data(), stdout);
    return 0;
  }
  if (!parsed.options) {
    fail(parsed.error);
    std::fputs(usage().data(), stderr);
    return 1;
  }
  try {
    return run(*parsed.options);
  } catch (const std::exception& error) {  // hashing: no random bytes, libcrypto failure
    return fail(parsed.options->file + ": " + error.what());
  }
}
