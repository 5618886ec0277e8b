// LevelHash: a transparent hash for maps keyed by topic level, so that the topic tree and the
// retained store look children up with a std::string_view level without building a string.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace tern::broker {

struct LevelHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view level) const {
    return std::hash<std::string_view>{}(level);
  }
};

}  // namespace tern::broker
