// The scenario runner: the controller thread of a run. It builds the workers, hands them the
// connections, and moves the run through its phases (control.h), deciding when each ends:
//
//   connect     until every connection is ready or failed (each has its connect timeout)
//   [conn mode] hold -d seconds, read the broker's RSS
//   publish     until -d passes or every publisher sent --count (sub mode: every subscriber
//               received --count); aborted when nothing moves for 10 s
//   drain       until every QoS 1/2 message is acknowledged and every expected delivery came,
//               or nothing arrived for 1 s
//   disconnect  DISCONNECT, close, join the workers, merge their figures
//
// A progress line goes to stderr every second once a phase has lasted 2 s.
#pragma once

#include "options.h"
#include "results.h"
#include "system.h"
#include "topic_plan.h"

namespace tern::bench {

Results run(const Options& options, const TopicPlan& plan, const Address& address);

// Asks a running run() to stop as if its time were up (async-signal-safe: for SIGINT).
void request_stop();

}  // namespace tern::bench
