// Helpers shared by the config tests: parse text and expect success or an error, and a temporary
// directory removed with its contents.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "config/config.h"

namespace tern::config::test {

namespace fs = std::filesystem;

inline Config parse_ok(std::string_view text) {
  ConfigResult result = parse_config(text, "t.conf");
  EXPECT_TRUE(result.ok()) << result.error().to_string();
  return result.ok() ? std::move(result).value() : Config{};
}

inline std::string parse_error(std::string_view text) {
  ConfigResult result = parse_config(text, "t.conf");
  return result.ok() ? std::string("<parsed>") : result.error().to_string();
}

// A directory under the system's temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("tern-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, std::string_view text) const {
    fs::path file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
  std::string path(const std::string& name = "") const {
    return name.empty() ? path_.string() : (path_ / name).string();
  }

 private:
  fs::path path_;
};

}  // namespace tern::config::test
