// Transport: one TCP connection to a server, optionally wrapped in TLS (OpenSSL), for the
// client library.
//
// Transport::connect resolves the host, connects with a timeout (every address in turn),
// sets TCP_NODELAY and, for TLS, completes the handshake within the same timeout: TLS 1.2 at
// least, SNI set to the host name, the server's certificate verified against `ca_file` /
// `ca_path` (or the system's default store), and its host name checked unless `insecure`.
//
// After connect the socket is non-blocking, so the transport serves both styles:
//   - an event loop polls fd() and calls read_some / write_some, which never block and report
//     IoStatus::would_block with the direction to wait for (TLS may need to read in order to
//     write and the other way round: IoResult::want_write);
//   - blocking code calls read(deadline) / write_all(deadline), which wait with poll().
//
// The Transport owns its socket and TLS state; the destructor closes them (no TLS
// close_notify; call close() for an orderly shutdown). Not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "tern/client/error.h"

namespace tern::client {

struct TlsOptions {
  bool enabled = false;
  // Trust anchors. Both empty: the system's default store (OpenSSL's default paths).
  std::string ca_file;
  std::string ca_path;
  // Client certificate and key (PEM), for servers that require one.
  std::string cert_file;
  std::string key_file;
  // Skip the host name check of the server's certificate (the chain is still verified), like
  // mosquitto's --insecure.
  bool insecure = false;
  // Name sent as SNI and checked in the certificate; empty: the host connected to.
  std::string server_name;
};

enum class IoStatus {
  ok,           // `bytes` were transferred (> 0)
  would_block,  // nothing now; wait for readability, or writability if want_write
  closed,       // the peer closed the connection (orderly end of stream)
  error,        // the connection failed; `error` says how
};

struct IoResult {
  IoStatus status = IoStatus::ok;
  std::size_t bytes = 0;
  bool want_write = false;  // with would_block: poll for POLLOUT, else POLLIN
  Error error;              // with IoStatus::error
};

class Transport {
 public:
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Connects to host:port (a name, an IPv4 address or an IPv6 address without brackets) within
  // `timeout`, including name resolution's result and the TLS handshake. Errors:
  // resolve_failed, connection_refused, network, timeout, tls.
  static Result<std::unique_ptr<Transport>> connect(const std::string& host, std::uint16_t port,
                                                    const TlsOptions& tls,
                                                    std::chrono::milliseconds timeout);

  // The socket, for poll/epoll. -1 after close().
  int fd() const;
  bool is_tls() const;

  // Non-blocking I/O. A read that returns would_block may still have buffered TLS data to give
  // later; with TLS, call read_some until would_block before polling again.
  IoResult read_some(std::span<std::uint8_t> buffer);
  IoResult write_some(std::span<const std::uint8_t> bytes);
  // Whether TLS holds decrypted bytes not yet read (poll would not report them).
  bool has_buffered_input() const;

  // Blocking helpers. read: waits until some bytes come (returns how many), the peer closes
  // (returns 0), the deadline passes (ErrorCode::timeout) or the connection fails.
  Result<std::size_t> read(std::span<std::uint8_t> buffer,
                           std::chrono::steady_clock::time_point deadline);
  // Writes every byte before the deadline (ErrorCode::timeout) or fails.
  Status write_all(std::span<const std::uint8_t> bytes,
                   std::chrono::steady_clock::time_point deadline);

  // Orderly close: TLS close_notify (best effort, without waiting), then the socket.
  void close();

  struct Impl;  // opaque: the socket and OpenSSL state

 private:
  explicit Transport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tern::client
