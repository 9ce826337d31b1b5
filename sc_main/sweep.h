// Parameter sweeps: `--sweep key.path=v1,v2,...` (repeatable, cartesian product; `--sweep
// a.path,b.path=v1,v2` sets both keys to each value together) runs each point
// as its own gicv5-sim process, N at a time, and turns the points' reports into one CSV table;
// `--emit-jobs` prints the command lines instead, for GNU parallel or a Slurm array, and
// `--merge` builds the same CSV from reports made elsewhere.
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gicv5_sim {

struct sweep_axis {
    std::string key;                 // config key paths, as --set takes them, comma-separated:
                                     // each takes every value, together
    std::vector<std::string> values; // in the order given
};

// "key.path[,key.path...]=v1,v2,..." -> axis; nullopt (and `error` set) for a malformed one.
std::optional<sweep_axis> parse_sweep(const std::string& text, std::string& error);

// The cartesian product of the axes, the first axis varying slowest: each point is one
// "key=value" per axis, in axis order.
std::vector<std::vector<std::string>> sweep_points(const std::vector<sweep_axis>& axes);

// The report values a CSV row shows when no --column is given.
const std::vector<std::string>& default_sweep_columns();

// One row per report, in the order given: its file, the value of each key set with --set in that
// run (the report's config.overrides; the keys of all reports, first seen first), then each
// column (a dotted report path; empty when a report lacks it).
void write_sweep_csv(std::ostream& out, const std::vector<std::string>& report_files,
                     const std::vector<nlohmann::ordered_json>& reports,
                     const std::vector<std::string>& columns);

struct sweep_options {
    std::string config_path;
    std::vector<std::string> sets; // applied to every point, before the point's own
    std::string seed_text;
    std::vector<sweep_axis> axes;
    unsigned jobs = 1;
    std::string dir = "sweep"; // where the points' reports go: DIR/point-NNNN.json
    std::string csv_path;      // default DIR/sweep.csv
    std::vector<std::string> columns;
    bool emit_jobs = false;
};

// Runs (or, with emit_jobs, prints) every point with `exe` as the gicv5-sim to run. Returns the
// process exit status: 0 if every point finished with its expectations held, 1 if a point's
// expectation failed, 2 for bad input or a point that could not run.
int run_sweep(const sweep_options& opt, const std::string& exe);

// --merge: reads the reports, writes the CSV. Returns 0, or 2 for an unreadable report.
int merge_reports(const std::vector<std::string>& report_files, const std::string& csv_path,
                  const std::vector<std::string>& columns);

} // namespace gicv5_sim
