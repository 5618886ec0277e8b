#include "report.h"

#include <cinttypes>
#include <cmath>
#include <string_view>

namespace tern::bench {

namespace {

std::string_view version_name(mqtt::Version version) {
  return version == mqtt::Version::v5 ? "5" : "3.1.1";
}

double us(std::uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, std::isfinite(value) ? value : 0.0);
  return text;
}

std::uint64_t missing(const Results& r) {
  return r.have_losses ? r.losses.lost : 0;
}

std::uint64_t error_total(const Results& r) {
  std::uint64_t total = 0;
  for (const auto& [reason, count] : r.errors)
    total += count;
  return total;
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

void print_report(const Options& o, const Results& r, std::FILE* out) {
  const bool qos0 = o.qos == mqtt::QoS::at_most_once;
  std::fprintf(out, "tern_bench %s: MQTT %s, %s:%u", std::string(to_string(o.mode)).c_str(),
               std::string(version_name(o.version)).c_str(), o.host.c_str(), o.port);
  if (o.mode == Mode::conn) {
    std::fprintf(out, ", %u connections", o.publishers);
    if (o.rate > 0) std::fprintf(out, " at %g/s", o.rate);
    std::fprintf(out, ", held %g s\n", o.duration_s);
  } else {
    std::fprintf(out, ", QoS %d", static_cast<int>(o.qos));
    if (o.publishers > 0) std::fprintf(out, ", %u publishers", o.publishers);
    if (o.subscribers > 0) {
      std::fprintf(out, "%s %u subscribers%s", o.publishers > 0 ? " ->" : ",", o.subscribers,
                   o.shared ? " (shared)" : "");
    }
    if (o.publishers > 0) std::fprintf(out, ", %u B payloads", o.payload);
    std::fprintf(out, "\n ");
    if (o.publishers > 0) std::fprintf(out, " topics '%s'", o.topic.c_str());
    if (o.subscribers > 0) {
      std::fprintf(out, "%s filters '%s'", o.publishers > 0 ? "," : "",
                   o.filter_template().c_str());
    }
    if (o.rate > 0) std::fprintf(out, ", %g msg/s per publisher", o.rate);
    if (o.count > 0) {
      std::fprintf(out, ", %" PRIu64 " messages per %s", o.count,
                   o.mode == Mode::sub ? "subscriber" : "publisher");
    }
    std::fprintf(out, "\n");
  }

  std::fprintf(out, "connections     %u of %u ready in %.3f s: %.0f connections/s\n", r.connected,
               r.connections, r.connect_seconds, r.connect_rate);
  if (r.rss_before_kb || r.rss_after_kb) {
    std::fprintf(out, "broker RSS      %ld kB before, %ld kB after", r.rss_before_kb.value_or(-1),
                 r.rss_after_kb.value_or(-1));
    if (r.rss_per_connection_bytes) {
      std::fprintf(out, ": %.0f bytes per connection", *r.rss_per_connection_bytes);
    }
    std::fprintf(out, "\n");
  }
  if (o.mode != Mode::conn && r.connected == r.connections) {
    if (o.publishers > 0) {
      std::fprintf(out, "sent            %" PRIu64 " in %.3f s: %.0f msg/s\n", r.sent,
                   r.publish_seconds, r.sent_per_s);
      if (!qos0) {
        std::fprintf(out, "acknowledged    %" PRIu64 ": %.0f msg/s", r.acked, r.acked_per_s);
        if (r.rejected) std::fprintf(out, ", %" PRIu64 " refused", r.rejected);
        if (r.unacked) std::fprintf(out, ", %" PRIu64 " NOT ACKNOWLEDGED", r.unacked);
        std::fprintf(out, "\n");
      }
    }
    if (o.subscribers > 0) {
      std::fprintf(out, "received        %" PRIu64, r.received);
      if (o.mode == Mode::pubsub) {
        std::fprintf(out, " of %" PRIu64 " expected", r.losses.expected);
      }
      std::fprintf(out, ": %.0f msg/s\n", r.received_per_s);
      const Histogram& h = r.latency;
      if (h.count() > 0) {
        std::fprintf(out,
                     "latency (us)    p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  "
                     "(mean %.1f)\n",
                     us(h.percentile(50)), us(h.percentile(90)), us(h.percentile(99)),
                     us(h.percentile(99.9)), us(h.max()), h.mean() / 1000.0);
      }
      if (r.have_losses) {
        const LossFigures& l = r.losses;
        std::fprintf(out, "%s %-10" PRIu64, qos0 ? "dropped        " : "lost           ", l.lost);
        std::fprintf(out, "duplicated %" PRIu64 ", out of order %" PRIu64, l.duplicated,
                     l.out_of_order);
        if (l.unexpected) std::fprintf(out, ", unexpected %" PRIu64, l.unexpected);
        if (l.untracked) std::fprintf(out, ", not from tern_bench %" PRIu64, l.untracked);
        if (o.mode == Mode::sub) std::fprintf(out, "  (lost: gaps in sequence numbers)");
        std::fprintf(out, "\n");
      }
    }
  }
  if (r.interrupted) std::fprintf(out, "interrupted: the figures cover the run until then\n");
}

void print_problems(const Options& o, const Results& r, std::FILE* out) {
  if (r.failed > 0) {
    std::fprintf(out, "ERROR: %u of %u connections failed", r.failed, r.connections);
    std::uint32_t untried = r.connections - r.connected - r.failed;
    if (untried > 0) std::fprintf(out, " (%u not attempted)", untried);
    std::fprintf(out, "\n");
  }
  if (r.dropped > 0) {
    std::fprintf(out, "ERROR: %u connections were lost during the run\n", r.dropped);
  }
  if (!r.errors.empty()) {
    if (r.failed == 0 && r.dropped == 0) std::fprintf(out, "WARNING: protocol problems:\n");
    for (const auto& [reason, count] : r.errors) {
      std::fprintf(out, "  %8" PRIu64 "  %s\n", count, reason.c_str());
    }
  }
  if (!r.aborted.empty()) std::fprintf(out, "ERROR: run aborted: %s\n", r.aborted.c_str());
  if (r.drain_end == "quiet") {
    std::fprintf(out, "NOTE: stopped waiting after 1 s in which nothing arrived\n");
  } else if (r.drain_end == "limit") {
    std::fprintf(out, "NOTE: stopped waiting after 60 s with messages still arriving\n");
  }
  if (o.qos != mqtt::QoS::at_most_once) {
    if (missing(r) > 0) {
      std::fprintf(out, "ERROR: LOST %" PRIu64 " messages at QoS %d", missing(r),
                   static_cast<int>(o.qos));
      if (o.mode == Mode::pubsub) std::fprintf(out, " (of %" PRIu64 ")", r.losses.expected);
      std::fprintf(out, "\n");
    }
    if (r.unacked > 0) {
      std::fprintf(out, "ERROR: %" PRIu64 " messages were never acknowledged\n", r.unacked);
    }
  }
}

std::string to_json(const Options& o, const Results& r, int exit_code) {
  const bool qos0 = o.qos == mqtt::QoS::at_most_once;
  std::string j = "{\n";
  auto key = [&](std::string_view name) { j += "  " + json_string(name) + ": "; };
  auto text = [&](std::string_view name, std::string_view value) {
    key(name);
    j += json_string(value) + ",\n";
  };
  auto integer = [&](std::string_view name, std::uint64_t value) {
    key(name);
    j += std::to_string(value) + ",\n";
  };
  auto real = [&](std::string_view name, double value) {
    key(name);
    j += format("%.6g", value) + ",\n";
  };
  auto boolean = [&](std::string_view name, bool value) {
    key(name);
    j += value ? "true,\n" : "false,\n";
  };
  auto optional_int = [&](std::string_view name, std::optional<long> value) {
    key(name);
    j += value ? std::to_string(*value) + ",\n" : "null,\n";
  };

  // The configuration.
  text("tool", "tern_bench");
  text("mode", to_string(o.mode));
  text("version", version_name(o.version));
  integer("qos", static_cast<std::uint64_t>(o.qos));
  text("host", o.host);
  integer("port", o.port);
  // conn mode keeps its -c in `publishers`, but its connections publish nothing.
  integer("publishers", o.mode == Mode::conn ? 0 : o.publishers);
  integer("subscribers", o.subscribers);
  integer("payload", o.payload);
  text("topic", o.topic);
  text("sub_topic", o.filter_template());
  boolean("shared", o.shared);
  real("rate", o.rate);
  real("duration_s", o.duration_s);
  integer("count", o.count);
  integer("inflight", o.inflight);
  integer("threads", o.threads);

  // Connections.
  integer("connections", r.connections);
  integer("connected", r.connected);
  integer("connect_failed", r.failed);
  integer("connections_lost", r.dropped);
  real("connect_time_s", r.connect_seconds);
  real("connect_rate_per_s", r.connect_rate);
  optional_int("broker_rss_kb_before", r.rss_before_kb);
  optional_int("broker_rss_kb_after", r.rss_after_kb);
  key("rss_per_connection_bytes");
  j += r.rss_per_connection_bytes ? format("%.1f", *r.rss_per_connection_bytes) + ",\n" : "null,\n";

  // Messages.
  real("elapsed_s", r.publish_seconds);
  integer("sent", r.sent);
  integer("acked", r.acked);
  integer("rejected", r.rejected);
  integer("unacked", r.unacked);
  integer("received", r.received);
  integer("expected", r.losses.expected);
  real("sent_per_s", r.sent_per_s);
  real("acked_per_s", r.acked_per_s);
  real("received_per_s", r.received_per_s);
  const Histogram& h = r.latency;
  key("latency_us");
  j += "{\"p50\": " + format("%.3f", us(h.percentile(50))) +
       ", \"p90\": " + format("%.3f", us(h.percentile(90))) +
       ", \"p99\": " + format("%.3f", us(h.percentile(99))) +
       ", \"p999\": " + format("%.3f", us(h.percentile(99.9))) +
       ", \"max\": " + format("%.3f", us(h.max())) +
       ", \"mean\": " + format("%.3f", h.mean() / 1000.0) +
       ", \"count\": " + std::to_string(h.count()) + "},\n";
  integer("lost", qos0 ? 0 : missing(r));
  integer("dropped", qos0 ? missing(r) : 0);
  integer("duplicated", r.losses.duplicated);
  integer("out_of_order", r.losses.out_of_order);
  integer("unexpected", r.losses.unexpected);
  integer("untracked", r.losses.untracked);

  // Problems.
  key("errors");
  j += "{\"total\": " + std::to_string(error_total(r)) + ", \"reasons\": {";
  bool first = true;
  for (const auto& [reason, count] : r.errors) {
    j += (first ? "" : ", ") + json_string(reason) + ": " + std::to_string(count);
    first = false;
  }
  j += "}},\n";
  boolean("interrupted", r.interrupted);
  key("aborted");
  j += r.aborted.empty() ? "null,\n" : json_string(r.aborted) + ",\n";
  key("drain_end");
  j += r.drain_end.empty() ? "null,\n" : json_string(r.drain_end) + ",\n";
  key("exit_code");
  j += std::to_string(exit_code) + "\n}\n";
  return j;
}

}  // namespace tern::bench
