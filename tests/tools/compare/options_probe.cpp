// options_probe: tools/common's command-line parser behind the interface of the real tools, so
// that test_errors.py can hold it against mosquitto_pub/mosquitto_sub/mosquitto_rr before
// tern_pub, tern_sub and tern_rr exist (and apart from them afterwards).
//
// Run as options_probe_pub, options_probe_sub or options_probe_rr (links to one binary; the name
// picks the tool). It prints what the tool prints for a refused command line, --help or
// --version, and exits 1 as mosquitto does. A command line that parses stands for a tool that
// then fails to connect: "Error: Connection refused", exit code 1 (test_errors.py only ever
// points tools at a port where nothing listens).
#include <cstdio>
#include <string>
#include <vector>

#include "common/options.h"

namespace {

using namespace tern::tools;

template <typename Options>
int finish(Tool tool, const ParseResult<Options>& r) {
  if (r.action == Action::help) {
    std::fputs(usage(tool).c_str(), stdout);
    return 1;
  }
  if (r.action == Action::version) {
    std::printf("%s\n", version_line(tool).c_str());
    return 1;
  }
  if (r.error) {
    if (r.error->hint == ErrorHint::full_usage) std::fputs(usage(tool).c_str(), stdout);
    std::fputs(error_text(tool, *r.error).c_str(), stderr);
    return 1;
  }
  std::fputs("Error: Connection refused\n", stderr);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = argv[0];
  std::vector<std::string> args(argv + 1, argv + argc);
  auto ends_with = [&name](const std::string& suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with("_pub")) return finish(Tool::pub, parse_pub_options(args));
  if (ends_with("_sub")) return finish(Tool::sub, parse_sub_options(args));
  if (ends_with("_rr")) return finish(Tool::rr, parse_rr_options(args));
  std::fprintf(stderr, "options_probe: run me as options_probe_pub, _sub or _rr\n");
  return 2;
}
