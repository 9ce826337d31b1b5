// The JSON report of a run (schema in docs/report.md) and its short human summary.
#pragma once

#include "platform/platform_config.h"
#include "platform/run_results.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace gicv5_sim {

// Bump when a key is renamed, removed or changes meaning; adding keys keeps the version.
constexpr int report_schema_version = 1;

// The report of one run: schema "gicv5-sim-report", schema_version 1.
// overrides: the run's --set arguments, recorded as config.overrides (a sweep's CSV reads its
// points' values there).
nlohmann::ordered_json make_report(const platform::platform_config& cfg,
                                   const platform::run_results& results,
                                   const std::string& config_path,
                                   const std::vector<std::string>& overrides = {});

// A few lines for stdout: scenario, interrupt counts, latency, AP list, one line per VM, the
// busiest and the most queued resource, drain status, and the script's outcome when the config
// has one.
std::string summary(const platform::platform_config& cfg, const platform::run_results& results,
                    const std::string& config_path);

// Whether an expectation may name this path: a number or boolean in every report, or any
// "instructions.NAME" or number of "resources.NAME" (the names come from the platform, so they
// cannot be checked here). Lets
// the loader catch a misspelt expectation before a long simulation, not after it.
bool is_report_value_path(std::string_view path);

} // namespace gicv5_sim
