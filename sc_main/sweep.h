// Parameter sweeps: `--sweep key.path=v1,v2,...` (repeatable, cartesian product; `--sweep
// a.path,b.path=v1,v2` sets both keys to each value together) runs each point
// as its own gicv5-sim process, N at a time, and turns the points' reports into one CSV table;
// `--emit-jobs` prints the command lines instead, for GNU parallel or a Slurm array, and
// `--merge` builds the same CSV from reports made elsewhere.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
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
    bool quiet = false;   // no status lines on stderr
    bool dry_run = false; // check every point's config, then stop: run and write nothing
};

// The most points a sweep may have: far beyond what a machine runs, far below what would exhaust
// its memory while listing them.
constexpr std::size_t max_sweep_points = 100000;

// Checks the axes against each other and the --set list: a key swept twice, or swept and also
// set with --set (which the sweep would override), or a product of more than max_sweep_points.
// False with `error` set.
bool check_sweep(const sweep_options& opt, std::string& error);

// Runs (or, with emit_jobs, prints) every point with `exe` as the gicv5-sim to run. Returns the
// process exit status: 0 if every point finished with its expectations held, 1 if a point's
// expectation failed, 2 for bad input or a point that could not run.
int run_sweep(const sweep_options& opt, const std::string& exe);

// --merge: reads the reports, writes the CSV (with dry_run, only reads). Returns 0, or 2 for a
// file that is missing, unreadable or not a report of this schema version, or a CSV that cannot
// be written.
int merge_reports(const std::vector<std::string>& report_files, const std::string& csv_path,
                  const std::vector<std::string>& columns, bool dry_run = false);

// Why this JSON is not a gicv5-sim report that --merge can read ("schema_version is 2, expected
// 1"), or an empty string when it is one.
std::string report_problem(const nlohmann::ordered_json& report,
                           const std::vector<std::string>& columns);

} // namespace gicv5_sim
