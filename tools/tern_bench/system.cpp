#include "system.h"

#include <netdb.h>
#include <sys/resource.h>

#include <cstring>
#include <fstream>

namespace tern::bench {

std::optional<long> read_rss_kb(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      // "VmRSS:	    5028 kB"
      try {
        return std::stol(line.substr(6));
      } catch (...) {
        return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> ensure_fd_limit(std::uint64_t needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return std::nullopt;  // cannot tell: try anyway
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur >= needed) return std::nullopt;
  if (limit.rlim_cur == RLIM_INFINITY) return std::nullopt;
  if (limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= needed) {
    limit.rlim_cur = needed;
    if (setrlimit(RLIMIT_NOFILE, &limit) == 0) return std::nullopt;
  }
  return "this run needs " + std::to_string(needed) +
         " file descriptors (one per connection) but the open-file limit is " +
         std::to_string(limit.rlim_max) + " (ulimit -n): lower -c/-n or raise the limit";
}

std::optional<Address> resolve(const std::string& host, std::uint16_t port, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int result = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (result != 0 || found == nullptr) {
    error = "cannot resolve '" + host + "': " + gai_strerror(result);
    return std::nullopt;
  }
  Address address;
  std::memcpy(&address.storage, found->ai_addr, found->ai_addrlen);
  address.size = found->ai_addrlen;
  freeaddrinfo(found);
  return address;
}

}  // namespace tern::bench
