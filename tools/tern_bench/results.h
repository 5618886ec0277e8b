// Results: every figure of one run, as the runner measured it and the reports print it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "histogram.h"
#include "options.h"
#include "receipt_tracker.h"

namespace tern::bench {

struct Results {
  // Connections.
  std::uint32_t connections = 0;  // attempted
  std::uint32_t connected = 0;    // got ready (CONNACK, and SUBACK for subscribers)
  std::uint32_t failed = 0;       // never got ready
  std::uint32_t dropped = 0;      // lost after getting ready
  double connect_seconds = 0;     // first connection opened to last one ready
  double connect_rate = 0;        // connected / connect_seconds

  // Messages.
  double publish_seconds = 0;  // publishing phase as measured
  std::uint64_t sent = 0;
  std::uint64_t acked = 0;     // PUBACK (QoS 1) or PUBCOMP (QoS 2) with success
  std::uint64_t rejected = 0;  // refused by an MQTT 5.0 reason code
  std::uint64_t unacked = 0;   // QoS 1/2 sent, never acknowledged
  std::uint64_t received = 0;
  double sent_per_s = 0;
  double acked_per_s = 0;
  double received_per_s = 0;
  Histogram latency;         // nanoseconds
  bool have_losses = false;  // pubsub (against the plan) and sub (gaps) modes
  LossFigures losses;

  // The broker's memory (conn mode with --broker-pid).
  std::optional<long> rss_before_kb;
  std::optional<long> rss_after_kb;
  std::optional<double> rss_per_connection_bytes;

  std::map<std::string, std::uint64_t> errors;  // reason -> count
  bool interrupted = false;                     // SIGINT/SIGTERM ended the run early
  std::string aborted;                          // why the run was cut short, if it was
  // How the wait for outstanding acknowledgements and deliveries after publishing ended:
  // "complete", "quiet" (nothing arrived for 1 s) or "limit" (60 s); empty when not waited.
  std::string drain_end;
};

// 0 success; 2 connections refused, lost or timed out, or the run aborted; 3 QoS 1/2 messages
// lost or unacknowledged.
int exit_code(const Options& options, const Results& results);

}  // namespace tern::bench
