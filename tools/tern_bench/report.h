// The reports of a run: text for people (stdout), the error summary (stderr), and JSON for
// scripts (--json FILE), written by hand: it is output only.
#pragma once

#include <cstdio>
#include <string>

#include "options.h"
#include "results.h"

namespace tern::bench {

void print_report(const Options& options, const Results& results, std::FILE* out);

// Connections refused, lost or timed out, and why; lost messages. Nothing when all went well.
void print_problems(const Options& options, const Results& results, std::FILE* out);

std::string to_json(const Options& options, const Results& results, int exit_code);

// JSON string literal of `text`, quotes included.
std::string json_string(std::string_view text);

}  // namespace tern::bench
