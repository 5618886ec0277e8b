#include "prompt.h"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "options.h"

namespace tern::passwd {
namespace {

// The terminal settings to put back. Read by the signal handler, hence plain globals written
// before the handler is installed.
termios saved_terminal;
volatile std::sig_atomic_t terminal_saved = 0;

constexpr int kRestoringSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

extern "C" void restore_terminal_and_die(int signal_number) {
  if (terminal_saved != 0) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
  // Die of the signal itself, so the parent sees what happened (async-signal-safe calls only).
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

// Echo off for the lifetime of the object; the old settings and signal dispositions come back
// in the destructor.
class NoEcho {
 public:
  NoEcho() {
    if (::tcgetattr(STDIN_FILENO, &saved_terminal) != 0) return;
    terminal_saved = 1;
    struct sigaction action {};
    action.sa_handler = &restore_terminal_and_die;
    ::sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < std::size(kRestoringSignals); ++i) {
      ::sigaction(kRestoringSignals[i], &action, &old_actions_[i]);
    }
    termios quiet = saved_terminal;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    quiet.c_lflag |= ECHONL;  // the Enter key still moves to a new line
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  ~NoEcho() {
    if (terminal_saved == 0) return;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
    terminal_saved = 0;
    for (std::size_t i = 0; i < std::size(kRestoringSignals); ++i) {
      ::sigaction(kRestoringSignals[i], &old_actions_[i], nullptr);
    }
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  struct sigaction old_actions_[std::size(kRestoringSignals)]{};
};

enum class ReadStatus { line, end_of_input, too_long, error };

// Reads one line from standard input byte by byte, so nothing after it is consumed from a pipe
// shared with someone else.
ReadStatus read_line(std::string& line) {
  line.clear();
  bool too_long = false;
  while (true) {
    char c = 0;
    const ssize_t got = ::read(STDIN_FILENO, &c, 1);
    if (got < 0) {
      if (errno == EINTR) continue;
      return ReadStatus::error;
    }
    if (got == 0) {
      if (line.empty() && !too_long) return ReadStatus::end_of_input;
      break;  // a last line without "\n" still counts
    }
    if (c == '\n') break;
    if (too_long) continue;  // read to the end of the line, keep nothing
    line += c;
    // One byte of slack for a "\r" that the end of the line may drop.
    if (line.size() > kMaxFieldLength + 1) {
      too_long = true;
      line.clear();
    }
  }
  if (line.ends_with('\r')) line.pop_back();
  if (too_long || line.size() > kMaxFieldLength) return ReadStatus::too_long;
  return ReadStatus::line;
}

void prompt(const char* text) {
  std::fputs(text, stderr);
  std::fflush(stderr);
}

// Overwrites a string's bytes before it is freed, so the password does not linger in the heap.
void wipe(std::string& text) {
  volatile char* bytes = text.data();
  for (std::size_t i = 0; i < text.size(); ++i)
    bytes[i] = 0;
  text.clear();
}

}  // namespace

PromptResult ask_new_password() {
  const bool terminal = ::isatty(STDIN_FILENO) == 1;
  std::optional<NoEcho> no_echo;
  if (terminal) no_echo.emplace();

  std::string password;
  std::string again;
  const auto failed = [&](std::string reason) {
    wipe(password);
    wipe(again);
    return PromptResult{std::nullopt, std::move(reason)};
  };
  const auto status_error = [](ReadStatus status, bool first) -> std::string {
    switch (status) {
      case ReadStatus::end_of_input:
        return first ? "no password given (standard input ended)"
                     : "password not confirmed (standard input ended)";
      case ReadStatus::too_long:
        return "the password is longer than " + std::to_string(kMaxFieldLength) + " bytes";
      case ReadStatus::error:
        return std::string("cannot read the password: ") + std::strerror(errno);
      case ReadStatus::line:
        break;
    }
    return {};
  };

  if (terminal) prompt("Password: ");
  if (const auto status = read_line(password); status != ReadStatus::line) {
    return failed(status_error(status, true));
  }
  if (password.empty()) return failed("empty password");
  if (terminal) prompt("Reenter password: ");
  if (const auto status = read_line(again); status != ReadStatus::line) {
    return failed(status_error(status, false));
  }
  if (again != password) return failed("passwords do not match");
  wipe(again);
  return PromptResult{std::move(password), {}};
}

}  // namespace tern::passwd
