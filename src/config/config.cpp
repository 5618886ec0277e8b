// Reading mosquitto.conf: files, lines, include_dir, and the final assembly of the Config. What
// each directive means lives in directives.cpp.
#include "config/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <system_error>

#include "config/parse_state.h"

namespace tern::config {
namespace {

constexpr std::string_view kBlanks = " \t\r\f\v";

std::string_view trim(std::string_view text) {
  auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  auto last = text.find_last_not_of(kBlanks);
  return text.substr(first, last - first + 1);
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t pos = 0;
  while (true) {
    pos = text.find_first_not_of(kBlanks, pos);
    if (pos == std::string_view::npos) break;
    auto end = std::min(text.find_first_of(kBlanks, pos), text.size());
    words.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return words;
}

std::string errno_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}

// The whole file, or the reason it cannot be read.
std::optional<std::string> read_file(const std::string& path, std::string& text) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return "cannot read file: it is a directory";
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return "cannot read file: " + errno_text(errno);
  char buffer[16384];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0)
    text.append(buffer, n);
  bool failed = std::ferror(file) != 0;
  int error = errno;
  std::fclose(file);
  if (failed) return "cannot read file: " + errno_text(error);
  return std::nullopt;
}

// Mosquitto's include_dir order (scmp_p in its conf.c): letters compared without case first, and
// where they differ only in case, by byte; a prefix sorts first.
bool include_order(const std::string& a, const std::string& b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    auto ca = static_cast<unsigned char>(a[i]);
    auto cb = static_cast<unsigned char>(b[i]);
    int folded = std::toupper(ca) - std::toupper(cb);
    if (folded != 0) return folded < 0;
    if (ca != cb) return ca < cb;
  }
  return a.size() < b.size();
}

class Reader {
 public:
  std::optional<ConfigError> parse_file(const std::string& path, int depth) {
    std::string text;
    if (auto reason = read_file(path, text)) return ConfigError{path, 0, *reason};
    return parse_text(text, path, depth);
  }

  // depth 0 is the main file; include_dir is honoured only there, as in Mosquitto.
  std::optional<ConfigError> parse_text(std::string_view text, const std::string& file, int depth) {
    state_.config.files.push_back(file);
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
      std::size_t newline = std::min(text.find('\n', pos), text.size());
      std::string_view raw = text.substr(pos, newline - pos);
      pos = newline + 1;
      ++line_no;
      if (line_no == 1 && raw.starts_with("\xEF\xBB\xBF")) raw.remove_prefix(3);  // UTF-8 BOM
      std::string_view line = trim(raw);
      if (line.empty() || line.front() == '#') continue;

      std::vector<std::string_view> words = split_words(line);
      Args args;
      args.name = words.front();
      args.words.assign(words.begin() + 1, words.end());
      args.rest = trim(line.substr(args.name.size()));
      state_.file = file;
      state_.line = line_no;

      if (args.name == "include_dir") {
        if (auto error = include_dir(args, depth)) return error;
        continue;
      }
      if (auto reason = apply_directive(state_, args)) return ConfigError{file, line_no, *reason};
    }
    return std::nullopt;
  }

  ParseState& state() { return state_; }

 private:
  std::optional<ConfigError> include_dir(const Args& args, int depth) {
    ConfigError here{state_.file, state_.line, ""};
    if (args.rest.empty()) {
      here.message = "missing argument for 'include_dir'";
      return here;
    }
    if (depth > 0) {
      state_.warn("'include_dir' in an included file is ignored (as Mosquitto does)");
      return std::nullopt;
    }
    std::string dir(args.rest);
    std::vector<std::string> paths;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      // Mosquitto's rule: names longer than ".conf" that end in ".conf" (case matters).
      std::string name = it->path().filename().string();
      if (name.size() > 5 && name.ends_with(".conf")) paths.push_back(dir + "/" + name);
    }
    if (ec) {
      here.message = "cannot read include_dir '" + dir + "': " + ec.message();
      return here;
    }
    std::sort(paths.begin(), paths.end(), include_order);
    for (const std::string& path : paths) {
      if (auto error = parse_file(path, depth + 1)) return error;
    }
    return std::nullopt;
  }

  ParseState state_;
};

}  // namespace

std::string ConfigError::to_string() const {
  if (line == 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}

Config finish_config(ParseState& state) {
  Config& config = state.config;

  // allow_anonymous not written for a scope: allowed exactly when no password_file applies.
  auto resolve = [&](Security& security, const std::string& scope) {
    if (!state.anonymous_set.contains(scope)) {
      security.allow_anonymous = security.password_file.empty();
    }
  };
  resolve(config.security, "global");
  if (config.per_listener_settings) {
    resolve(state.default_listener.security, "listener:default");
    for (std::size_t i = 0; i < state.listeners.size(); ++i) {
      resolve(state.listeners[i].security, "listener:" + std::to_string(i));
    }
  }

  // The default listener exists when something configured it or nothing else listens. With no
  // listener, port or bind_address at all it listens on loopback only, like Mosquitto 2.x.
  config.listeners.clear();
  if (state.listeners.empty() || state.default_listener_used) {
    if (state.local_only) state.default_listener.bind_address = "localhost";
    config.listeners.push_back(std::move(state.default_listener));
  }
  for (Listener& listener : state.listeners)
    config.listeners.push_back(std::move(listener));
  if (!config.per_listener_settings) {
    for (Listener& listener : config.listeners)
      listener.security = config.security;
  }
  return std::move(config);
}

ConfigResult load_config_file(const std::string& path) {
  Reader reader;
  if (auto error = reader.parse_file(path, 0)) return *std::move(error);
  return finish_config(reader.state());
}

ConfigResult parse_config(std::string_view text, std::string_view name) {
  Reader reader;
  if (auto error = reader.parse_text(text, std::string(name), 0)) return *std::move(error);
  return finish_config(reader.state());
}

Config default_config() {
  return std::move(parse_config("", "<defaults>")).value();
}

}  // namespace tern::config
