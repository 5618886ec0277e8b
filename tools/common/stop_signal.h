// SIGINT and SIGTERM for tern_sub and tern_rr, as mosquitto_sub handles them: once the broker
// has accepted the connection, a signal asks the tool's loop to send DISCONNECT and exit 0;
// before that (still connecting) the process ends at once with exit code 255, as
// mosquitto_sub's exit(-1).
//
// The handler only sets a flag (and calls _exit before the CONNACK): async-signal-safe. It is
// installed without SA_RESTART, so a blocking poll() returns early with EINTR; the tools' loops
// wait in slices short enough to notice the flag promptly anyway. Process-wide state; the
// functions may be called from the main thread only.
#pragma once

namespace tern::tools {

// Installs the handler for SIGINT and SIGTERM.
void install_stop_handler();
// From now on a signal asks for an orderly stop instead of ending the process.
void mark_connected();
// Whether SIGINT or SIGTERM arrived since install_stop_handler().
bool stop_requested();

}  // namespace tern::tools
