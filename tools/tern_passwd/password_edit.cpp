#include "password_edit.h"

#include <vector>

#include "auth/password_hash.h"

namespace tern::passwd {
namespace {

constexpr std::string_view kBlanks = " \t";

std::string_view trim_blanks(std::string_view text) {
  const auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kBlanks);
  return text.substr(first, last - first + 1);
}

// One line of the file as read: all of its bytes, and what tern_passwd understands of it.
struct Line {
  std::string_view raw;  // the whole line, ending included
  bool crlf = false;     // ends in "\r\n"
  bool is_user = false;  // false for blank and comment lines
  std::string_view username;
  std::string_view value;  // after the ':', trimmed
};

struct Lines {
  std::vector<Line> lines;
  std::string error;
};

Lines split(std::string_view text, std::string_view name) {
  Lines out;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto newline = text.find('\n');
    Line line;
    line.raw = text.substr(0, newline == std::string_view::npos ? text.size() : newline + 1);
    text.remove_prefix(line.raw.size());

    std::string_view body = line.raw;
    if (body.ends_with('\n')) body.remove_suffix(1);
    if (body.ends_with('\r')) {
      body.remove_suffix(1);
      line.crlf = line.raw.ends_with('\n');
    }
    const std::string_view content = trim_blanks(body);
    if (!content.empty() && content.front() != '#') {
      const auto colon = content.find(':');
      const auto fail = [&](std::string_view reason) {
        out.error = std::string(name) + ':' + std::to_string(number) + ": " + std::string(reason);
        return std::move(out);
      };
      if (colon == std::string_view::npos) return fail("missing ':' between username and password");
      line.is_user = true;
      line.username = trim_blanks(content.substr(0, colon));
      line.value = trim_blanks(content.substr(colon + 1));
      if (line.username.empty()) return fail("empty username");
    }
    out.lines.push_back(line);
  }
  return out;
}

std::string ending(const Line& line) {
  return line.crlf ? "\r\n" : "\n";
}

EditResult failed(std::string error) {
  return EditResult{std::nullopt, std::move(error)};
}

}  // namespace

std::string user_line(std::string_view username, std::string_view hash) {
  std::string line(username);
  line += ':';
  line += hash;
  line += '\n';
  return line;
}

std::string check_file(std::string_view text, std::string_view name) {
  return split(text, name).error;
}

EditResult set_user(std::string_view text, std::string_view name, std::string_view username,
                    std::string_view hash) {
  Lines parsed = split(text, name);
  if (!parsed.error.empty()) return failed(std::move(parsed.error));

  std::string out;
  out.reserve(text.size() + username.size() + hash.size() + 2);
  bool done = false;
  for (const Line& line : parsed.lines) {
    if (!line.is_user || line.username != username) {
      out += line.raw;
    } else if (!done) {
      out += username;
      out += ':';
      out += hash;
      out += ending(line);
      done = true;
    }  // else: a later duplicate of the user, dropped
  }
  if (!done) {
    if (!out.empty() && !out.ends_with('\n')) out += '\n';
    out += user_line(username, hash);
  }
  return EditResult{std::move(out), {}};
}

EditResult remove_user(std::string_view text, std::string_view name, std::string_view username) {
  Lines parsed = split(text, name);
  if (!parsed.error.empty()) return failed(std::move(parsed.error));

  std::string out;
  out.reserve(text.size());
  bool found = false;
  for (const Line& line : parsed.lines) {
    if (line.is_user && line.username == username) {
      found = true;
    } else {
      out += line.raw;
    }
  }
  if (!found) {
    return failed(std::string(name) + ": user '" + std::string(username) + "' not found");
  }
  return EditResult{std::move(out), {}};
}

EditResult hash_plain_passwords(std::string_view text, std::string_view name, const Hasher& hash) {
  Lines parsed = split(text, name);
  if (!parsed.error.empty()) return failed(std::move(parsed.error));

  // Check every line before hashing any, so an error costs no hashing.
  std::size_t number = 0;
  for (const Line& line : parsed.lines) {
    ++number;
    if (line.is_user && line.value.empty()) {
      return failed(std::string(name) + ':' + std::to_string(number) + ": user '" +
                    std::string(line.username) + "' has an empty password");
    }
  }

  std::string out;
  out.reserve(text.size() * 2);
  for (const Line& line : parsed.lines) {
    if (!line.is_user || auth::parse_password_hash(line.value).hash) {
      out += line.raw;
      continue;
    }
    out += line.username;
    out += ':';
    out += hash(line.value);
    out += ending(line);
  }
  return EditResult{std::move(out), {}};
}

}  // namespace tern::passwd
