// Where tern_pub's and tern_rr's payloads come from besides the command line: a whole file (-f),
// the whole of standard input (-s), or standard input one line at a time (-l), read the way
// mosquitto_pub 2.0.11 reads them.
//
// -l follows mosquitto_pub's fgets loop: each line without its '\n' is one message ("\r" stays,
// an empty line is an empty message), a last line without '\n' is a message too, and a line is
// a C string there, so a NUL byte ends it and everything after the NUL, the rest of the input
// included, is lost; that line's message goes out at the end of the input.
//
// LineSplitter is a plain value fed with chunks as they arrive; not thread-safe. The read
// functions block on their descriptor.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/options.h"

namespace tern::tools {

// MQTT's largest payload (Remaining Length's maximum less the smallest PUBLISH header).
inline constexpr std::size_t kMaxPayload = 268'435'455;

// The payload of a single message of tern_pub or tern_rr: -m's text, -f's file, -s's standard
// input, or nothing (-n, and -l, which reads lines itself). `error` is mosquitto_pub's message
// when the file or standard input cannot be read.
struct Payload {
  std::string bytes;
  std::string error;
};
Payload load_payload(MessageMode mode, const std::string& message, const std::string& file);

// The whole file, or std::nullopt when it cannot be read. At most `limit` bytes are accepted
// (MQTT's largest payload); a bigger file is std::nullopt too.
std::optional<std::string> read_whole_file(const std::string& path, std::size_t limit);

// Everything until end of file on descriptor `fd` (standard input for -s), or std::nullopt on a
// read error or over `limit` bytes.
std::optional<std::string> read_whole_fd(int fd, std::size_t limit);

class LineSplitter {
 public:
  // Appends `bytes` and moves every completed line's message to `out`.
  void feed(std::string_view bytes, std::vector<std::string>& out);
  // End of input: the last message (a line without '\n', or the one cut at a NUL byte), if any.
  std::optional<std::string> finish();
  // A NUL byte was seen: further input is ignored.
  bool truncated() const { return truncated_; }

 private:
  std::string line_;  // the line being read, up to its NUL byte when truncated_
  bool truncated_ = false;
};

}  // namespace tern::tools
