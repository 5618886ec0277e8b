// tern: the broker. Command line as Mosquitto's: -c FILE, -p PORT (repeatable), -v, -d, -h,
// plus --test-config, which checks the configuration and exits.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "config/config.h"
#include "server/server.h"

namespace {

constexpr const char* kUsage =
    "tern version " TERN_VERSION
    " - an MQTT 3.1, 3.1.1 and 5.0 broker\n"
    "\n"
    "Usage: tern [-c config_file] [-d] [-h] [-p port] [-v] [--test-config]\n"
    "\n"
    " -c : read the configuration from a file (mosquitto.conf syntax). Without it the broker\n"
    "      listens on localhost port 1883 with the defaults of docs/configuration.md.\n"
    " -d : run in the background as a daemon.\n"
    " -h : show this help.\n"
    " -p : listen on this port instead of the configured default one; may be repeated.\n"
    " -v : verbose: log everything (log_type all).\n"
    " --test-config : check the configuration, report the first error and exit.\n";

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "Error: %s\n\n%s", message.c_str(), kUsage);
  std::exit(1);
}

void setup_logging(const tern::config::Config& config, bool verbose) {
  std::vector<spdlog::sink_ptr> sinks;
  using namespace tern::config;
  if (config.log_dest & kLogDestStderr) {
    sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  }
  if (config.log_dest & kLogDestStdout) {
    sinks.push_back(std::make_shared<spdlog::sinks::stdout_sink_mt>());
  }
  if ((config.log_dest & kLogDestFile) && !config.log_file.empty()) {
    sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(config.log_file));
  }
  auto logger = std::make_shared<spdlog::logger>("tern", sinks.begin(), sinks.end());
  // Mosquitto's line format: seconds since the epoch, a colon, the message.
  logger->set_pattern(config.log_timestamp ? "%E: %v" : "%v");
  unsigned types = verbose ? kLogTypeAll : config.log_type;
  spdlog::level::level_enum level = spdlog::level::off;
  if (types & kLogTypeError) level = spdlog::level::err;
  if (types & kLogTypeWarning) level = spdlog::level::warn;
  if (types & (kLogTypeNotice | kLogTypeInformation)) level = spdlog::level::info;
  if (types & (kLogTypeDebug | kLogTypeSubscribe | kLogTypeUnsubscribe)) {
    level = spdlog::level::debug;
  }
  logger->set_level(level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_file;
  std::vector<std::uint16_t> ports;
  bool daemonize = false;
  bool verbose = false;
  bool test_config = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-c" || arg == "--config-file") {
      config_file = value();
    } else if (arg == "-p" || arg == "--port") {
      std::string text = value();
      unsigned port = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
      if (ec != std::errc() || end != text.data() + text.size() || port > 65535) {
        usage_error("invalid port '" + text + "'");
      }
      ports.push_back(static_cast<std::uint16_t>(port));
    } else if (arg == "-d" || arg == "--daemon") {
      daemonize = true;
    } else if (arg == "-v" || arg == "--verbose") {
      verbose = true;
    } else if (arg == "--test-config") {
      test_config = true;
    } else if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      usage_error("unknown option '" + arg + "'");
    }
  }

  auto loaded = config_file.empty() ? tern::config::ConfigResult(tern::config::default_config())
                                    : tern::config::load_config_file(config_file);
  if (!loaded) {
    std::fprintf(stderr, "Error: %s\n", loaded.error().to_string().c_str());
    return 1;
  }
  tern::config::Config config = std::move(loaded).value();
  if (!ports.empty()) {
    // As Mosquitto: -p replaces the default listener's port; more -p add listeners.
    tern::config::Listener base = config.listeners.front();
    config.listeners.front().port = ports.front();
    for (std::size_t i = 1; i < ports.size(); ++i) {
      tern::config::Listener extra = base;
      extra.port = ports[i];
      config.listeners.push_back(extra);
    }
  }
  if (test_config) {
    std::printf("%s: configuration OK\n", config_file.empty() ? "defaults" : config_file.c_str());
    return 0;
  }

  setup_logging(config, verbose);
  for (const std::string& warning : config.warnings)
    spdlog::warn("{}", warning);
  try {
    // Before any thread starts: fork() keeps only the calling thread.
    if (daemonize && daemon(/*nochdir=*/1, /*noclose=*/0) != 0) {
      spdlog::error("cannot become a daemon: {}", std::strerror(errno));
      return 1;
    }
    std::string pid_file = config.pid_file;
    tern::server::Server server(std::move(config));
    server.start();
    if (!pid_file.empty()) {
      // After daemon(): the pid of the process that stays.
      std::FILE* file = std::fopen(pid_file.c_str(), "w");
      if (!file) {
        spdlog::error("Error: cannot write pid_file {}: {}", pid_file, std::strerror(errno));
        return 1;
      }
      std::fprintf(file, "%d\n", static_cast<int>(getpid()));
      std::fclose(file);
    }
    server.run();
    if (!pid_file.empty()) std::remove(pid_file.c_str());
    spdlog::info("tern stopped.");
  } catch (const std::exception& e) {
    spdlog::error("Error: {}", e.what());
    return 1;
  }
  return 0;
}
