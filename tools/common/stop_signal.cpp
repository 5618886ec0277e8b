#include "common/stop_signal.h"

#include <unistd.h>

#include <csignal>

namespace tern::tools {

namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_connected = 0;

extern "C" void on_stop_signal(int) {
  if (g_connected == 0) _exit(255);
  g_stop = 1;
}

}  // namespace

void install_stop_handler() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void mark_connected() {
  g_connected = 1;
}

bool stop_requested() {
  return g_stop != 0;
}

}  // namespace tern::tools
