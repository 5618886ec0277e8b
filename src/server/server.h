// Server: wires the broker together — the shared state, one Worker per thread, the listening
// sockets and the acceptor that hands new connections to the workers, the $SYS publisher, and
// the signals (SIGINT/SIGTERM stop, SIGHUP reloads the password file).
//
// start() and run() are called from the main thread; stop() from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/password_file.h"
#include "broker/broker_state.h"
#include "config/config.h"
#include "net/event_loop.h"
#include "server/worker.h"

namespace tern::server {

class Server {
 public:
  explicit Server(config::Config config);
  ~Server();

  // Persistence (broker/store.h), before start(): what it holds is restored at start-up and every
  // change is written through it. Not owned; must outlive the server. Without one, sessions and
  // retained messages live in memory only.
  void set_store(broker::Store* store) { store_ = store; }

  // Loads credentials, binds every listener and starts the workers. Throws std::runtime_error
  // with a message fit for the log when something cannot be set up.
  void start();
  // Accepts connections and handles signals until stop() or SIGINT/SIGTERM.
  void run();
  void stop();

  // The ports actually bound, in listener order (port 0 in the config picks a free port).
  const std::vector<std::uint16_t>& bound_ports() const { return bound_ports_; }

 private:
  class Listener;
  class SignalHandler;

  void load_credentials();
  bool authenticate(const std::optional<std::string>& username,
                    const std::optional<std::string>& password);
  void accept_from(Listener& listener);
  void publish_sys(broker::WorkerCore& core);
  void restore();  // from store_, at start-up
  void revoke_stale_clients();

  config::Config config_;
  std::unique_ptr<broker::BrokerState> state_;
  broker::Store* store_ = nullptr;
  std::vector<std::unique_ptr<Worker>> workers_;
  net::EventLoop acceptor_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unique_ptr<SignalHandler> signals_;
  std::vector<std::uint16_t> bound_ports_;
  unsigned next_worker_ = 0;
  std::chrono::steady_clock::time_point started_at_;
  // Replaced on SIGHUP while workers check passwords; the lock guards only the pointer.
  std::mutex credentials_lock_;
  std::shared_ptr<const auth::PasswordFile> passwords_;
};

}  // namespace tern::server
