// tern_bench: an MQTT load generator. See options.cpp for the command line, runner.h for the
// phases of a run, docs/benchmarks.md ("The load generator") for how to use it.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "options.h"
#include "report.h"
#include "runner.h"
#include "sink.h"
#include "system.h"
#include "topic_plan.h"

namespace {

using namespace tern::bench;

// A command line that cannot run here (resources, a missing process): one line, exit code 1.
int setup_error(const std::string& message) {
  std::fprintf(stderr, "tern_bench: %s\n", message.c_str());
  return 1;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tern_bench: %s\n\n%s", message.c_str(), std::string(usage()).c_str());
  return 1;
}

void on_signal(int) {
  request_stop();
  request_sink_stop();
}

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

}  // namespace

int main(int argc, char** argv) {
  ParseResult parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (parsed.options.help) {
    std::fputs(std::string(usage()).c_str(), stdout);
    return 0;
  }
  if (!parsed.ok()) return usage_error(parsed.error);
  const Options& options = parsed.options;
  install_signal_handlers();
  if (options.mode == Mode::sink) return run_sink(options);

  PlanResult plan = make_plan(options);
  if (!plan.error.empty()) return usage_error(plan.error);
  // One descriptor per connection, plus epoll, standard streams and the JSON file.
  std::uint64_t needed = std::uint64_t{options.publishers} + options.subscribers + 16 +
                         std::uint64_t{options.threads} * 2;
  if (auto error = ensure_fd_limit(needed)) return setup_error(*error);
  if (options.broker_pid != 0 && !read_rss_kb(options.broker_pid)) {
    return setup_error("cannot read the RSS of --broker-pid " + std::to_string(options.broker_pid) +
                       " (/proc/" + std::to_string(options.broker_pid) + "/status)");
  }
  std::string error;
  auto address = resolve(options.host, options.port, error);
  if (!address) {
    std::fprintf(stderr, "tern_bench: %s\n", error.c_str());
    return 2;
  }

  Results results = run(options, plan.plan, *address);
  int code = exit_code(options, results);
  print_report(options, results, stdout);
  std::fflush(stdout);
  print_problems(options, results, stderr);
  if (!options.json_path.empty()) {
    std::ofstream json(options.json_path, std::ios::trunc);
    json << to_json(options, results, code);
    if (!json) {
      std::fprintf(stderr, "tern_bench: cannot write %s\n", options.json_path.c_str());
      if (code == 0) code = 1;
    }
  }
  return code;
}
