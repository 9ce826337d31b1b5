#include "cli.h"

#include "config_loader.h"
#include "expect.h"
#include "report.h"
#include "sweep.h"
#include "units.h"

#include "platform/output_file.h"
#include "platform/run.h"
#include "platform/tracer.h"

#include <CLI/CLI.hpp>
#include <systemc>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#ifndef GICV5_SIM_VERSION
#define GICV5_SIM_VERSION "unknown"
#endif

namespace gicv5_sim {
namespace {

struct options {
    std::string config_path;
    std::vector<std::string> sets;
    std::string report_path = "report.json";
    std::string seed_text;
    std::string trace_path, vcd_path;
    bool quiet = false;
    bool dump_tables = false;                // at the end of the run
    std::vector<std::string> dump_tables_at; // at these simulated times
    // Sweeps (sweep.h).
    std::vector<std::string> sweeps;
    unsigned jobs = 1;
    std::string sweep_dir = "sweep";
    std::string csv_path;
    std::vector<std::string> columns;
    bool emit_jobs = false;
    std::vector<std::string> merge;
};

// CLI11's own unsigned conversion accepts "-1" (wrapping) and reads "010" as octal; the config
// file's integer syntax is used instead so both places agree. The validators have no name, so the
// help shows the value's name alone ("N", not "N:UINT64").
CLI::Validator integer_validator(uint64_t min, uint64_t max) {
    return CLI::Validator(
        [min, max](std::string& text) {
            auto n = units::parse_integer(text);
            if (!n)
                return "expected " + n.expected + ", got '" + text + "'";
            if (*n.value < min || *n.value > max)
                return "expected " + std::to_string(min) + " to " + std::to_string(max) +
                       ", got '" + text + "'";
            return std::string();
        },
        "");
}

void describe(CLI::App& app, options& opt) {
    app.footer(
        "Configuration keys, units and the expect syntax: docs/config.md.\n"
        "Report schema: docs/report.md.\n"
        "A run longer than 2 s shows its progress on stderr when stderr is a terminal.\n"
        "Exit status: 0 run finished and every expectation and script check held; 1 one of\n"
        "them failed; 2 bad command line or config, or an output cannot be written;\n"
        "3 internal error (the simulation or SystemC failed).");
    app.add_option("CONFIG", opt.config_path,
                   "Scenario file, YAML or JSON (see docs/config.md); needed except with --merge")
        ->type_name("");
    app.add_option("--set", opt.sets,
                   "Override a config key before validation, e.g. --set duration=1ms, "
                   "--set vms.0.tracking=none; list entries by index; repeatable, later wins")
        ->type_name("KEY.PATH=VALUE")
        ->allow_extra_args(false); // one value per --set, so CONFIG after it stays positional
    app.add_option("--report", opt.report_path, "Where to write the JSON report")
        ->type_name("FILE")
        ->capture_default_str();
    app.add_option("--seed", opt.seed_text, "Seed of this run, replacing the config's seed")
        ->type_name("N")
        ->check(integer_validator(0, UINT64_MAX));
    app.add_option("--trace", opt.trace_path,
                   "Also write a Chrome trace-event JSON file of the run, for ui.perfetto.dev: "
                   "tracks per PE, vCPU and the agent; injections, handlers, folds; flows; the "
                   "AP-list length and each shared resource's queue depth (docs/trace.md)")
        ->type_name("FILE");
    app.add_option("--vcd", opt.vcd_path,
                   "Also write a VCD waveform of every PE's irq, fiq, nmi and virq inputs, 1 ns "
                   "timescale, for GTKWave (docs/trace.md)")
        ->type_name("FILE");
    app.add_flag("--dump-tables", opt.dump_tables,
                 "Print the interrupt tables on stdout at the end of the run: the IRS registers "
                 "that locate them, the physical IST, the VM table, each VM's vPEs and vISTs "
                 "(entries that are not all zero), read through debug transport");
    app.add_option("--dump-tables-at", opt.dump_tables_at,
                   "The same at a simulated time, e.g. 5ms; repeatable")
        ->type_name("TIME")
        ->check(CLI::Validator(
            [](std::string& text) {
                auto t = units::parse_duration(text);
                return t ? std::string() : "expected " + t.expected + ", got '" + text + "'";
            },
            ""));
    app.add_flag("-q,--quiet", opt.quiet,
                 "Print neither the summary nor SystemC info messages on stdout; errors still go "
                 "to stderr");
    app.add_option("--sweep", opt.sweeps,
                   "Run CONFIG once per value, each run its own process: KEY.PATH=V1,V2,... "
                   "(KEY.PATH,KEY.PATH=...: those keys take each value together); "
                   "repeatable, for the cartesian product (the first varies slowest). Each "
                   "point's report goes to --sweep-dir, and one CSV row per point to --csv")
        ->type_name("KEY.PATH=V1,V2,...")
        ->allow_extra_args(false);
    app.add_option("-j,--jobs", opt.jobs, "Sweep points run at a time, 1 to 1024")
        ->type_name("N")
        ->check(integer_validator(1, 1024))
        ->capture_default_str();
    app.add_option("--sweep-dir", opt.sweep_dir,
                   "Directory for the sweep points' reports (point-NNNN.json) and logs")
        ->type_name("DIR")
        ->capture_default_str();
    app.add_option("--csv", opt.csv_path,
                   "Where the sweep's or --merge's CSV goes "
                   "(default: SWEEP-DIR/sweep.csv)")
        ->type_name("FILE");
    app.add_option("--column", opt.columns,
                   "A report value (dotted path, as in expect:) for the CSV; repeatable; default: "
                   "counts, latency percentiles, AP-list length, VDPEND and VDRCFG, times")
        ->type_name("PATH")
        ->allow_extra_args(false);
    app.add_flag("--emit-jobs", opt.emit_jobs,
                 "With --sweep: print the command line of each point, one per line, and run "
                 "nothing (for GNU parallel or a Slurm array); then --merge their reports");
    app.add_option("--merge", opt.merge,
                   "Write the CSV of these reports (made by the command lines of --emit-jobs)")
        ->type_name("REPORT");
    app.set_version_flag("--version", GICV5_SIM_VERSION);
}

// The path of this executable, for a sweep's runs.
std::string self_executable() {
    std::error_code ec;
    const std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("gicv5-sim") : p.string();
}

// What the command line asks for; each option belongs to some of these.
// (The order indexes check_mode()'s tables.)
enum class mode { run, sweep, emit_jobs, merge };

// An option given in a mode where it does nothing is an error, so that a user who expects a trace
// of a sweep or a CSV of a single run learns at once that none will come.
bool check_mode(const CLI::App& app, mode m) {
    static const char* const mode_names[] = {
        "without --sweep or --merge",
        "with --sweep (each point runs alone; give that point's --set to run it by itself)",
        "with --emit-jobs (it only prints the command lines)",
        "with --merge (it reads only the reports)",
    };
    struct rule {
        const char* name; // as CLI11 names it
        const char* shown;
        bool allowed[4]; // in mode order: run, sweep, emit_jobs, merge
    };
    static const rule rules[] = {
        {"CONFIG", "CONFIG", {true, true, true, false}},
        {"--set", "--set", {true, true, true, false}},
        {"--seed", "--seed", {true, true, true, false}},
        {"--report", "--report", {true, false, false, false}},
        {"--trace", "--trace", {true, false, false, false}},
        {"--vcd", "--vcd", {true, false, false, false}},
        {"--dump-tables", "--dump-tables", {true, false, false, false}},
        {"--dump-tables-at", "--dump-tables-at", {true, false, false, false}},
        {"--jobs", "-j/--jobs", {false, true, false, false}},
        {"--sweep-dir", "--sweep-dir", {false, true, true, false}},
        {"--csv", "--csv", {false, true, false, true}},
        {"--column", "--column", {false, true, false, true}},
    };
    const auto index = static_cast<std::size_t>(m);
    for (const rule& r : rules)
        if (!r.allowed[index] && app.count(r.name) != 0) {
            std::cerr << "gicv5-sim: " << r.shown << " does nothing " << mode_names[index] << "\n";
            return false;
        }
    return true;
}

// Outputs that would overwrite the config or each other (compared as files, so "./r.json" and
// "r.json" or two links to one file are the same).
bool check_distinct_outputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                            const std::vector<std::pair<std::string, std::string>>& inputs) {
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        if (outputs[i].second.empty())
            continue;
        for (const auto& in : inputs)
            if (!in.second.empty() && platform::same_regular_file(outputs[i].second, in.second)) {
                std::cerr << "gicv5-sim: " << outputs[i].first << " '" << outputs[i].second
                          << "' would overwrite " << in.first << "\n";
                return false;
            }
        for (std::size_t j = i + 1; j < outputs.size(); ++j)
            if (!outputs[j].second.empty() &&
                platform::same_regular_file(outputs[i].second, outputs[j].second)) {
                std::cerr << "gicv5-sim: " << outputs[i].first << " and " << outputs[j].first
                          << " name the same file '" << outputs[j].second << "'\n";
                return false;
            }
    }
    return true;
}

int run_sweep_or_merge(const options& opt, bool dry_run) {
    for (const std::string& c : opt.columns)
        if (!is_report_value_path(c)) {
            std::cerr << "gicv5-sim: --column " << c
                      << ": expected a PATH naming a number in the report (docs/report.md)\n";
            return exit_bad_input;
        }
    if (!opt.merge.empty()) {
        std::vector<std::pair<std::string, std::string>> reports;
        for (const std::string& f : opt.merge)
            reports.emplace_back("the report given to --merge", f);
        const std::string csv = opt.csv_path.empty() ? "sweep.csv" : opt.csv_path;
        if (!check_distinct_outputs({{"--csv", csv}}, reports))
            return exit_bad_input;
        return merge_reports(opt.merge, csv, opt.columns, dry_run);
    }
    sweep_options so;
    so.config_path = opt.config_path;
    so.sets = opt.sets;
    so.seed_text = opt.seed_text;
    so.jobs = opt.jobs;
    so.dir = opt.sweep_dir;
    so.csv_path = opt.csv_path;
    so.columns = opt.columns;
    so.emit_jobs = opt.emit_jobs;
    so.quiet = opt.quiet;
    so.dry_run = dry_run;
    for (const std::string& text : opt.sweeps) {
        std::string error;
        std::optional<sweep_axis> axis = parse_sweep(text, error);
        if (!axis) {
            std::cerr << "gicv5-sim: " << error << "\n";
            return exit_bad_input;
        }
        so.axes.push_back(std::move(*axis));
    }
    std::string error;
    if (!check_sweep(so, error)) {
        std::cerr << "gicv5-sim: " << error << "\n";
        return exit_bad_input;
    }
    if (!check_distinct_outputs({{"--csv", so.csv_path}}, {{"the config", opt.config_path}}))
        return exit_bad_input;
    return run_sweep(so, self_executable());
}

int run_scenario(const options& opt, bool dry_run) {
    if (!check_distinct_outputs({{"--report", opt.report_path},
                                 {"--trace", opt.trace_path},
                                 {"--vcd", opt.vcd_path}},
                                {{"the config", opt.config_path}}))
        return exit_bad_input;
    load_result loaded = load_config(opt.config_path, opt.sets);
    if (!loaded.ok()) {
        for (const std::string& error : loaded.errors)
            std::cerr << error << "\n";
        return exit_bad_input;
    }
    if (dry_run)
        return exit_ok;
    sim_config& cfg = loaded.config;
    if (!opt.seed_text.empty())
        cfg.platform.seed = *units::parse_integer(opt.seed_text).value;

    // A closed or read-only stdout fails now, not after the run (and before a file we open takes its
    // descriptor).
    const int stdout_flags = ::fcntl(STDOUT_FILENO, F_GETFL);
    if ((!opt.quiet || opt.dump_tables || !opt.dump_tables_at.empty()) &&
        (stdout_flags == -1 || (stdout_flags & O_ACCMODE) == O_RDONLY)) {
        std::cerr << "gicv5-sim: cannot write standard output: " << std::strerror(EBADF) << "\n";
        return exit_bad_input;
    }
    // Opened before the run so that an unwritable path fails at once, not after a long simulation;
    // each replaces its target only once it is complete.
    platform::trace_files traces;
    if (!traces.open(opt.trace_path, opt.vcd_path, std::cerr))
        return exit_bad_input;
    platform::output_file report_file;
    if (!report_file.open(opt.report_path, "the report", std::cerr))
        return exit_bad_input;
    // What goes to stdout (tables, summary) goes through one checked buffer: a full disk or a
    // closed pipe is an error, not a silently shorter output.
    std::cout.flush();
    platform::output_file out;
    out.open_descriptor(STDOUT_FILENO, "standard output");

    // The platform ends every run with sc_stop(): that is no news to the user.
    sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                            sc_core::SC_DO_NOTHING);
    // SystemC writes its info messages to stdout.
    if (opt.quiet)
        sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);

    // A progress line on a terminal, once a run has taken 2 s of host time.
    bool progress_shown = false;
    platform::progress_fn progress;
    if (!opt.quiet && ::isatty(STDERR_FILENO)) {
        const sc_core::sc_time total = cfg.platform.duration;
        progress = [total, &progress_shown](const sc_core::sc_time& now, double host) {
            if (host < 2.0)
                return;
            progress_shown = true;
            std::fprintf(stderr, "\rgicv5-sim: %3.0f%% of %s simulated%s, %.0f s",
                         std::min(100.0, 100.0 * (now / total)), total.to_string().c_str(),
                         now >= total ? ", draining" : "", host);
            std::fflush(stderr);
        };
    }
    platform::table_dumps dumps;
    dumps.at_end = opt.dump_tables;
    dumps.out = &out.stream();
    for (const std::string& t : opt.dump_tables_at)
        dumps.at.push_back(*units::parse_duration(t).value);
    // On an exception, the temporaries go with their output_file: no half-written or stale file
    // may be mistaken for the result of this run.
    const platform::run_results results =
        platform::run(cfg.platform, &traces, progress, &dumps);

    if (progress_shown)
        std::fputc('\n', stderr);
    for (const std::string& w : results.warnings)
        std::cerr << "gicv5-sim: warning: " << w << "\n";
    // Every file is written before any replaces its target: a failed one leaves all as they were.
    if (!traces.close(std::cerr))
        return exit_bad_input;
    const nlohmann::ordered_json report =
        make_report(cfg.platform, results, opt.config_path, opt.sets);
    report_file.stream() << report.dump(2) << "\n";
    if (!report_file.finish(std::cerr) || !traces.commit(std::cerr) ||
        !report_file.commit(std::cerr))
        return exit_bad_input;
    if (!opt.quiet)
        out.stream() << summary(cfg.platform, results, opt.config_path);
    if (!out.commit(std::cerr))
        return exit_bad_input;

    for (const std::string& failure : results.script_failures)
        std::cerr << "script step failed: " << failure << "\n";
    const std::vector<std::string> failures = evaluate(cfg.expectations, report);
    for (const std::string& failure : failures)
        std::cerr << "expectation failed: " << failure << "\n";
    return failures.empty() && results.script_failures.empty() ? exit_ok : exit_expectation_failed;
}

// SystemC's default handler prints every message on stdout and aborts on a fatal one: here info
// goes to stdout, anything worse to stderr, and a fatal error throws like an error does, so that
// the run ends with "internal error" and exit 3, not a SIGABRT.
bool quiet_reports = false;

void report_handler(const sc_core::sc_report& r, const sc_core::sc_actions& actions) {
    if (actions & sc_core::SC_DISPLAY) {
        if (r.get_severity() == sc_core::SC_INFO) {
            if (!quiet_reports)
                std::cout << sc_core::sc_report_compose_message(r) << std::endl;
        } else {
            std::cerr << sc_core::sc_report_compose_message(r) << std::endl;
        }
    }
    sc_core::sc_actions rest = actions & ~(sc_core::SC_DISPLAY | sc_core::SC_ABORT);
    if (actions & sc_core::SC_ABORT)
        rest |= sc_core::SC_THROW;
    sc_core::sc_report_handler::default_handler(r, rest); // logs, stops; throws last
}

int execute(int argc, char** argv, bool dry_run) {
    install_report_handler();
    CLI::App app{"Simulate the Arm GICv5 platform described by CONFIG and write a JSON report of "
                 "what the run measured.",
                 "gicv5-sim"};
    options opt;
    describe(app, opt);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version arrive here too, with a success code.
        return app.exit(e) == 0 ? exit_ok : exit_bad_input;
    }
    quiet_reports = opt.quiet;

    if (!opt.sweeps.empty() && !opt.merge.empty()) {
        std::cerr << "gicv5-sim: --sweep and --merge do not go together: --merge reads the "
                     "reports of a sweep run elsewhere\n";
        return exit_bad_input;
    }
    if (opt.emit_jobs && opt.sweeps.empty()) {
        std::cerr << "gicv5-sim: --emit-jobs needs at least one --sweep\n";
        return exit_bad_input;
    }
    const mode m = !opt.merge.empty() ? mode::merge
                   : opt.emit_jobs    ? mode::emit_jobs
                   : !opt.sweeps.empty() ? mode::sweep
                                         : mode::run;
    if (opt.config_path.empty() && m != mode::merge) {
        std::cerr << "gicv5-sim: expected CONFIG (see --help)\n";
        return exit_bad_input;
    }
    if (!check_mode(app, m))
        return exit_bad_input;
    try {
        if (m != mode::run)
            return run_sweep_or_merge(opt, dry_run);
        return run_scenario(opt, dry_run);
    } catch (const sc_core::sc_report& e) {
        std::cerr << "gicv5-sim: internal error: SystemC: " << e.what() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "gicv5-sim: internal error: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "gicv5-sim: internal error: unknown exception\n";
    }
    return exit_internal_error;
}

} // namespace

void install_report_handler() { sc_core::sc_report_handler::set_handler(report_handler); }

int main(int argc, char** argv) { return execute(argc, argv, false); }

int check_command_line(int argc, char** argv) { return execute(argc, argv, true); }

} // namespace gicv5_sim
