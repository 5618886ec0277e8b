// Asking for a new password twice, as mosquitto_passwd does.
//
// On a terminal (standard input is a tty) the prompts go to standard error and echo is turned
// off while the password is typed; SIGINT, SIGTERM, SIGHUP and SIGQUIT restore the terminal
// before the process dies of them. Otherwise the password and its confirmation are the first two
// lines of standard input, without prompts, so that scripts and tests can pipe them in
// (`printf 'pw\npw\n' | tern_passwd FILE USER`). A line ends at "\n"; one "\r" before it is
// dropped too.
//
// Uses the process's standard input and signal handlers: call from the main thread only, once.
#pragma once

#include <optional>
#include <string>

namespace tern::passwd {

struct PromptResult {
  std::optional<std::string> password;
  std::string error;  // "passwords do not match", "empty password", ...
};

// Reads a password and its confirmation from standard input. Refuses an empty password (as
// mosquitto_passwd does; `-b FILE USER ''` stores one), one longer than 65535 bytes, and a
// confirmation that differs.
PromptResult ask_new_password();

}  // namespace tern::passwd
