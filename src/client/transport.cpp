// Transport: TCP with timeouts and TLS over OpenSSL (see transport.h). The socket is
// non-blocking from the start; the blocking helpers wait with poll().
#include "tern/client/transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tern::client {

using std::chrono::steady_clock;

namespace {

// OpenSSL writes to the socket with write(), not send(MSG_NOSIGNAL): a peer that has closed the
// connection would kill the process with SIGPIPE. While one of these lives, SIGPIPE is blocked
// for this thread, and one raised meanwhile is taken back (EPIPE is reported instead), leaving
// the application's own SIGPIPE handling as it was.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      timespec now{};
      sigtimedwait(&pipe_, nullptr, &now);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

Error sys_error(ErrorCode code, const std::string& what, int err) {
  return Error{code, what + ": " + std::strerror(err)};
}

// Every OpenSSL error queued on this thread, oldest first, and clears the queue.
std::string openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "unknown TLS error" : text;
}

int remaining_ms(steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock::now());
  if (left.count() <= 0) return 0;
  // Round up so that a wait does not end just before its deadline.
  return static_cast<int>(std::min<long long>(left.count() + 1, 24 * 3600 * 1000LL));
}

// Waits for `events` on fd; returns >0 ready, 0 timed out, <0 error (errno).
int wait_fd(int fd, short events, steady_clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 && steady_clock::now() < deadline) continue;
    return n;
  }
}

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

}  // namespace

struct Transport::Impl {
  int fd = -1;
  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx;
  std::unique_ptr<SSL, SslDeleter> ssl;

  ~Impl() {
    if (fd >= 0) ::close(fd);
  }
};

Transport::Transport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Transport::~Transport() = default;

int Transport::fd() const {
  return impl_->fd;
}
bool Transport::is_tls() const {
  return impl_->ssl != nullptr;
}

namespace {

Result<int> connect_tcp(const std::string& host, std::uint16_t port,
                        steady_clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  if (rc == EAI_ADDRFAMILY || rc == EAI_NONAME) {
    // AI_ADDRCONFIG hides loopback-only families on hosts without other addresses; retry.
    hints.ai_flags = AI_NUMERICSERV;
    rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  }
  if (rc != 0) {
    return Error{ErrorCode::resolve_failed, "cannot resolve '" + host + "': " + gai_strerror(rc)};
  }
  Error last{ErrorCode::resolve_failed, "no address for '" + host + "'"};
  for (addrinfo* a = list; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last = sys_error(ErrorCode::network, "socket", errno);
      continue;
    }
    int err = 0;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
      err = errno;
      if (err == EINPROGRESS) {
        int n = wait_fd(fd, POLLOUT, deadline);
        if (n == 0) {
          ::close(fd);
          last = Error{ErrorCode::timeout, "connecting to " + host + ":" + service + " timed out"};
          break;  // the deadline is shared by every address
        }
        socklen_t len = sizeof err;
        if (n < 0) {
          err = errno;
        } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
          err = errno;
        }
      }
    }
    if (err != 0) {
      ::close(fd);
      last = sys_error(err == ECONNREFUSED ? ErrorCode::connection_refused : ErrorCode::network,
                       "connect to " + host + ":" + service, err);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // MQTT packets are small
    ::freeaddrinfo(list);
    return fd;
  }
  ::freeaddrinfo(list);
  return last;
}

Status setup_tls(Transport::Impl& impl, const std::string& host, const TlsOptions& tls,
                 steady_clock::time_point deadline);

}  // namespace

Result<std::unique_ptr<Transport>> Transport::connect(const std::string& host, std::uint16_t port,
                                                      const TlsOptions& tls,
                                                      std::chrono::milliseconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  if (host.empty()) return Error{ErrorCode::invalid_argument, "no host"};
  auto fd = connect_tcp(host, port, deadline);
  if (!fd) return std::move(fd).error();
  auto impl = std::make_unique<Impl>();
  impl->fd = *fd;
  if (tls.enabled) {
    if (auto status = setup_tls(*impl, host, tls, deadline); !status) {
      return std::move(status).error();
    }
  }
  return std::unique_ptr<Transport>(new Transport(std::move(impl)));
}

namespace {

Status setup_tls(Transport::Impl& impl, const std::string& host, const TlsOptions& tls,
                 steady_clock::time_point deadline) {
  ERR_clear_error();
  impl.ctx.reset(SSL_CTX_new(TLS_client_method()));
  SSL_CTX* ctx = impl.ctx.get();
  if (!ctx) return Error{ErrorCode::tls, openssl_errors()};
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Brokers often close without close_notify; that is an end of stream, not an error.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (tls.ca_file.empty() && tls.ca_path.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      return Error{ErrorCode::tls, "system CA store: " + openssl_errors()};
    }
  } else if (SSL_CTX_load_verify_locations(ctx, tls.ca_file.empty() ? nullptr : tls.ca_file.c_str(),
                                           tls.ca_path.empty() ? nullptr : tls.ca_path.c_str()) !=
             1) {
    return Error{ErrorCode::tls,
                 "CA file/path '" + tls.ca_file + tls.ca_path + "': " + openssl_errors()};
  }
  if (!tls.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1) {
      return Error{ErrorCode::tls, "certificate '" + tls.cert_file + "': " + openssl_errors()};
    }
    const std::string& key = tls.key_file.empty() ? tls.cert_file : tls.key_file;
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      return Error{ErrorCode::tls, "key '" + key + "': " + openssl_errors()};
    }
  }
  impl.ssl.reset(SSL_new(ctx));
  SSL* ssl = impl.ssl.get();
  if (!ssl) return Error{ErrorCode::tls, openssl_errors()};
  SSL_set_fd(ssl, impl.fd);
  SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  const std::string& name = tls.server_name.empty() ? host : tls.server_name;
  // SNI is for names only (RFC 6066 section 3); an address literal gets none.
  in6_addr scratch{};
  bool literal = ::inet_pton(AF_INET, name.c_str(), &scratch) == 1 ||
                 ::inet_pton(AF_INET6, name.c_str(), &scratch) == 1;
  if (!literal) SSL_set_tlsext_host_name(ssl, name.c_str());
  if (!tls.insecure) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    int ok = literal ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                     : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
    if (ok != 1) return Error{ErrorCode::tls, "cannot check host name '" + name + "'"};
  }
  while (true) {
    SigpipeBlock no_sigpipe;
    int rc = SSL_connect(ssl);
    if (rc == 1) return {};
    int err = SSL_get_error(ssl, rc);
    short events = 0;
    if (err == SSL_ERROR_WANT_READ) {
      events = POLLIN;
    } else if (err == SSL_ERROR_WANT_WRITE) {
      events = POLLOUT;
    } else {
      std::string detail;
      long verify = SSL_get_verify_result(ssl);
      if (verify != X509_V_OK) {
        detail = std::string("certificate verification failed: ") +
                 X509_verify_cert_error_string(verify);
        ERR_clear_error();
      } else if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        detail = errno != 0 ? std::strerror(errno) : "the server closed the connection";
      } else {
        detail = openssl_errors();
      }
      return Error{ErrorCode::tls, "TLS handshake with " + name + ": " + detail};
    }
    int n = wait_fd(impl.fd, events, deadline);
    if (n == 0) return Error{ErrorCode::timeout, "TLS handshake with " + name + " timed out"};
    if (n < 0) return sys_error(ErrorCode::network, "poll", errno);
  }
}

}  // namespace

IoResult Transport::read_some(std::span<std::uint8_t> buffer) {
  IoResult result;
  if (impl_->fd < 0) return {IoStatus::error, 0, false, Error{ErrorCode::not_connected, "closed"}};
  if (buffer.empty()) return result;
  if (SSL* ssl = impl_->ssl.get()) {
    ERR_clear_error();
    size_t n = 0;
    SigpipeBlock no_sigpipe;  // reading may write (TLS 1.3 key updates, alerts)
    int rc = SSL_read_ex(ssl, buffer.data(), buffer.size(), &n);
    if (rc == 1) {
      result.bytes = n;
      return result;
    }
    int err = SSL_get_error(ssl, rc);
    switch (err) {
      case SSL_ERROR_WANT_READ:
        return {IoStatus::would_block, 0, false, {}};
      case SSL_ERROR_WANT_WRITE:
        return {IoStatus::would_block, 0, true, {}};
      case SSL_ERROR_ZERO_RETURN:
        return {IoStatus::closed, 0, false, {}};
      case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
          if (errno == 0) return {IoStatus::closed, 0, false, {}};
          return {IoStatus::error, 0, false, sys_error(ErrorCode::network, "read", errno)};
        }
        [[fallthrough]];
      default:
        return {IoStatus::error, 0, false, Error{ErrorCode::tls, openssl_errors()}};
    }
  }
  while (true) {
    ssize_t n = ::recv(impl_->fd, buffer.data(), buffer.size(), 0);
    if (n > 0) {
      result.bytes = static_cast<std::size_t>(n);
      return result;
    }
    if (n == 0) return {IoStatus::closed, 0, false, {}};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::would_block, 0, false, {}};
    return {IoStatus::error, 0, false, sys_error(ErrorCode::network, "read", errno)};
  }
}

IoResult Transport::write_some(std::span<const std::uint8_t> bytes) {
  IoResult result;
  if (impl_->fd < 0) return {IoStatus::error, 0, false, Error{ErrorCode::not_connected, "closed"}};
  if (bytes.empty()) return result;
  if (SSL* ssl = impl_->ssl.get()) {
    ERR_clear_error();
    size_t n = 0;
    SigpipeBlock no_sigpipe;
    int rc = SSL_write_ex(ssl, bytes.data(), bytes.size(), &n);
    if (rc == 1) {
      result.bytes = n;
      return result;
    }
    int err = SSL_get_error(ssl, rc);
    switch (err) {
      case SSL_ERROR_WANT_READ:
        return {IoStatus::would_block, 0, false, {}};
      case SSL_ERROR_WANT_WRITE:
        return {IoStatus::would_block, 0, true, {}};
      case SSL_ERROR_ZERO_RETURN:
        return {IoStatus::closed, 0, false, {}};
      case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
          return {IoStatus::error, 0, false,
                  sys_error(ErrorCode::network, "write", errno != 0 ? errno : EPIPE)};
        }
        [[fallthrough]];
      default:
        return {IoStatus::error, 0, false, Error{ErrorCode::tls, openssl_errors()}};
    }
  }
  while (true) {
    ssize_t n = ::send(impl_->fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      result.bytes = static_cast<std::size_t>(n);
      return result;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::would_block, 0, true, {}};
    return {IoStatus::error, 0, false, sys_error(ErrorCode::network, "write", errno)};
  }
}

bool Transport::has_buffered_input() const {
  return impl_->ssl && SSL_pending(impl_->ssl.get()) > 0;
}

Result<std::size_t> Transport::read(std::span<std::uint8_t> buffer,
                                    steady_clock::time_point deadline) {
  while (true) {
    IoResult r = read_some(buffer);
    switch (r.status) {
      case IoStatus::ok:
        return r.bytes;
      case IoStatus::closed:
        return std::size_t{0};
      case IoStatus::error:
        return std::move(r.error);
      case IoStatus::would_block:
        break;
    }
    int n = wait_fd(impl_->fd, r.want_write ? POLLOUT : POLLIN, deadline);
    if (n == 0) return Error{ErrorCode::timeout, "read timed out"};
    if (n < 0) return sys_error(ErrorCode::network, "poll", errno);
  }
}

Status Transport::write_all(std::span<const std::uint8_t> bytes,
                            steady_clock::time_point deadline) {
  while (!bytes.empty()) {
    IoResult r = write_some(bytes);
    switch (r.status) {
      case IoStatus::ok:
        bytes = bytes.subspan(r.bytes);
        continue;
      case IoStatus::closed:
        return Error{ErrorCode::connection_closed, "the connection closed while writing"};
      case IoStatus::error:
        return std::move(r.error);
      case IoStatus::would_block:
        break;
    }
    int n = wait_fd(impl_->fd, r.want_write ? POLLOUT : POLLIN, deadline);
    if (n == 0) return Error{ErrorCode::timeout, "write timed out"};
    if (n < 0) return sys_error(ErrorCode::network, "poll", errno);
  }
  return {};
}

void Transport::close() {
  if (impl_->ssl) {
    ERR_clear_error();
    SigpipeBlock no_sigpipe;
    SSL_shutdown(impl_->ssl.get());  // close_notify, without waiting for the peer's
    ERR_clear_error();
    impl_->ssl.reset();
  }
  if (impl_->fd >= 0) {
    ::close(impl_->fd);
    impl_->fd = -1;
  }
}

}  // namespace tern::client
