// What the controller thread (runner.cpp) and the worker threads (worker.cpp) share: the phase
// of the run, set by the controller, and each worker's counters, written by its worker and read
// by the controller for progress and stop decisions.
//
// Thread-safety: atomics only. Workers publish their counters once per loop turn (relaxed
// stores of thread-local sums), so the controller's view lags by at most one turn.
#pragma once

#include <atomic>
#include <cstdint>

namespace tern::bench {

enum class Phase : int {
  connect,     // open connections, CONNECT, SUBSCRIBE
  publish,     // publishers send; subscribers receive
  drain,       // publishers stop; acknowledgements and deliveries still come in
  disconnect,  // DISCONNECT and close everything, then the workers end
};

struct Control {
  std::atomic<Phase> phase{Phase::connect};
  std::atomic<std::int64_t> connect_start_ns{0};  // set before phase connect is seen
  std::atomic<std::int64_t> publish_start_ns{0};  // set before phase publish
};

// One worker's figures so far. Aligned so that workers do not share cache lines.
struct alignas(64) WorkerCounters {
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> acked{0};     // PUBACK or PUBCOMP with a success code
  std::atomic<std::uint64_t> rejected{0};  // acknowledgements with an error code (MQTT 5.0)
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> expected{0};          // receipts the messages sent so far call for
  std::atomic<std::uint32_t> ready{0};             // connected (and subscribed)
  std::atomic<std::uint32_t> failed{0};            // never got ready
  std::atomic<std::uint32_t> dropped{0};           // lost after being ready
  std::atomic<std::uint32_t> publishers_done{0};   // reached --count
  std::atomic<std::uint32_t> subscribers_done{0};  // sub mode: received --count
  std::atomic<std::int64_t> last_ready_ns{0};
  std::atomic<std::int64_t> last_send_ns{0};
  std::atomic<std::int64_t> last_ack_ns{0};
  std::atomic<std::int64_t> first_receive_ns{0};  // 0: nothing yet
  std::atomic<std::int64_t> last_receive_ns{0};
};

}  // namespace tern::bench
