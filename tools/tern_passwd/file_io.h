// Reading a password file whole, and replacing it so that no reader (a broker reloading it) and
// no crash ever sees it half-written. POSIX only. No shared state: calls may run on any thread,
// but of two writers of one file at once, the one that renames last wins.
//
// replace_file writes the new contents to a temporary file in the same directory (same file
// system, so the rename is atomic), gives it the old file's permissions and owner, fsyncs it,
// renames it over the file and fsyncs the directory so the rename itself survives a crash. A
// symbolic link is followed: the file it points to is replaced and the link stays. A new file is
// created with mode 0600, since a password file holds hashes worth guessing at (Mosquitto 2
// warns about world-readable password files); a broker running as another user then needs
// chown or chmod, as the file's owner decides.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tern::passwd {

// The contents of a file, or an error message "PATH: cannot read: reason".
struct FileText {
  std::optional<std::string> text;
  std::string error;
};

FileText read_file(const std::string& path);

inline constexpr unsigned kNewFileMode = 0600;

// Replaces (or creates) the file at `path` with `contents`. Returns an empty string on success,
// otherwise "PATH: reason"; the file is then unchanged and the temporary file removed.
std::string replace_file(const std::string& path, std::string_view contents);

}  // namespace tern::passwd
