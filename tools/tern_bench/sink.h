// The sink: a trivial fake broker, to show what rate tern_bench reaches when the broker costs
// (almost) nothing. It answers CONNECT with CONNACK, SUBSCRIBE with SUBACK (granting what was
// asked), UNSUBSCRIBE with UNSUBACK, PINGREQ with PINGRESP, a QoS 1 PUBLISH with PUBACK and a
// QoS 2 one with PUBREC then PUBCOMP, and discards every message: nothing is ever delivered.
//
// `tern_bench sink -p PORT [-h HOST] [-T THREADS]`; -p 0 takes any free port. It prints
// "tern_bench sink: listening on HOST:PORT" on stdout once it accepts connections, and runs until
// SIGINT or SIGTERM. Each thread has its own SO_REUSEPORT listener and epoll loop.
#pragma once

#include "options.h"

namespace tern::bench {

// Returns the process exit code: 0 after a signal, 2 when it cannot listen.
int run_sink(const Options& options);

// Async-signal-safe.
void request_sink_stop();

}  // namespace tern::bench
