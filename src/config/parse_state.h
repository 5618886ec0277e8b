// Internal to the config layer: the state of one parse, shared by the line reader (config.cpp)
// and the directive handlers (directives.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace tern::config {

// One directive line, split. Views point into the text being parsed.
struct Args {
  std::string_view name;
  std::vector<std::string_view> words;  // the arguments, split at blanks
  std::string_view rest;                // everything after the name, trimmed
};

// What a handler reports: nothing when the line was applied, otherwise the reason it was not
// (the caller adds file and line).
using Status = std::optional<std::string>;
inline constexpr std::nullopt_t kOk = std::nullopt;

struct ParseState {
  Config config;  // listeners and security are completed by finish_config()

  // `port`, `bind_address` and listener settings written before the first `listener` line.
  Listener default_listener;
  bool default_listener_used = false;
  bool local_only = true;              // no `listener`, `port` or `bind_address` seen
  std::vector<Listener> listeners;     // from `listener` lines, in order
  std::optional<std::size_t> current;  // index into listeners; empty: the default listener

  std::set<std::string> seen_strings;   // "scope/name" of single-valued strings already set
  std::set<std::string> anonymous_set;  // scopes where allow_anonymous was written
  bool security_seen = false;           // any security directive so far
  bool log_dest_set = false;            // the first log_dest replaces the default
  bool log_type_set = false;            // the first log_type replaces the default

  std::string file;  // location of the line being applied
  int line = 0;

  // The listener that listener settings apply to now.
  Listener& listener() {
    if (!current) {
      default_listener_used = true;
      return default_listener;
    }
    return listeners[*current];
  }
  std::string listener_scope() const {
    return current ? "listener:" + std::to_string(*current) : std::string("listener:default");
  }

  // The security settings that security directives apply to now.
  Security& security() {
    security_seen = true;
    return config.per_listener_settings ? listener().security : config.security;
  }
  std::string security_scope() const {
    return config.per_listener_settings ? listener_scope() : std::string("global");
  }

  std::string location() const { return file + ":" + std::to_string(line); }
  void warn(std::string_view text) {
    config.warnings.push_back(location() + ": " + std::string(text));
  }
};

// Applies one directive line. include_dir is handled by the caller, not here.
Status apply_directive(ParseState& state, const Args& args);

// Completes the Config once every line is applied: the final listener list, per-listener
// security, log settings.
Config finish_config(ParseState& state);

}  // namespace tern::config
