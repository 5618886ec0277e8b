// What tern_bench asks of the operating system outside its sockets: the broker's memory, the
// open-file limit, and the broker's address.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>

namespace tern::bench {

// VmRSS of process `pid` in KiB, from /proc/PID/status; std::nullopt when it cannot be read.
std::optional<long> read_rss_kb(int pid);

// Makes sure this process may open `needed` file descriptors, raising the soft limit up to the
// hard one if need be. Returns an error message when even the hard limit is too low.
std::optional<std::string> ensure_fd_limit(std::uint64_t needed);

struct Address {
  sockaddr_storage storage{};
  socklen_t size = 0;
};

// Resolves `host` (a name or a numeric address) and `port`; the error text when it cannot.
std::optional<Address> resolve(const std::string& host, std::uint16_t port, std::string& error);

}  // namespace tern::bench
