#include "common/message_input.h"

#include <unistd.h>

#include <cerrno>
#include <fstream>

namespace tern::tools {

std::optional<std::string> read_whole_file(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    data.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (data.size() > limit) return std::nullopt;
  }
  if (in.bad()) return std::nullopt;
  return data;
}

std::optional<std::string> read_whole_fd(int fd, std::size_t limit) {
  std::string data;
  char buffer[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) return data;
    data.append(buffer, static_cast<std::size_t>(n));
    if (data.size() > limit) return std::nullopt;
  }
}

void LineSplitter::feed(std::string_view bytes, std::vector<std::string>& out) {
  while (!bytes.empty() && !truncated_) {
    std::size_t end = bytes.find_first_of(std::string_view("\n\0", 2));
    if (end == std::string_view::npos) {
      line_.append(bytes);
      return;
    }
    line_.append(bytes.substr(0, end));
    if (bytes[end] == '\0') {
      truncated_ = true;  // mosquitto's strlen() stops here; the rest is never seen
      return;
    }
    out.push_back(std::move(line_));
    line_.clear();
    bytes.remove_prefix(end + 1);
  }
}

std::optional<std::string> LineSplitter::finish() {
  if (!truncated_ && line_.empty()) return std::nullopt;
  std::string last = std::move(line_);
  line_.clear();
  return last;
}

Payload load_payload(MessageMode mode, const std::string& message, const std::string& file) {
  Payload payload;
  if (mode == MessageMode::command_line) {
    payload.bytes = message;
  } else if (mode == MessageMode::file) {
    auto data = read_whole_file(file, kMaxPayload);
    if (data)
      payload.bytes = std::move(*data);
    else
      payload.error = "Error loading input file \"" + file + "\".\n";
  } else if (mode == MessageMode::stdin_whole) {
    auto data = read_whole_fd(STDIN_FILENO, kMaxPayload);
    if (data)
      payload.bytes = std::move(*data);
    else
      payload.error = "Error loading input from stdin.\n";
  }
  return payload;
}

}  // namespace tern::tools
