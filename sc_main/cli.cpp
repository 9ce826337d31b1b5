#include "cli.h"

#include "config_loader.h"
#include "expect.h"
#include "report.h"
#include "sweep.h"
#include "units.h"

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
// file's integer syntax is used instead so both places agree.
CLI::Validator uint64_validator() {
    return CLI::Validator(
        [](std::string& text) {
            auto n = units::parse_integer(text);
            return n ? std::string() : "expected " + n.expected + ", got '" + text + "'";
        },
        "UINT64");
}

void describe(CLI::App& app, options& opt) {
    app.footer(
        "Configuration keys, units and the expect syntax: docs/config.md.\n"
        "Report schema: docs/report.md.\n"
        "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 in the environment silences the SystemC banner.\n"
        "A run longer than 2 s shows its progress on stderr when stderr is a terminal.\n"
        "Exit status: 0 run finished and every expectation and script check held; 1 one of\n"
        "them failed; 2 bad command line or config, or the report cannot be written;\n"
        "3 internal error (the simulation or SystemC failed).");
    app.add_option("CONFIG", opt.config_path,
                   "Scenario file, YAML or JSON (see docs/config.md); needed except with --merge");
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
        ->check(uint64_validator());
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
            "TIME"));
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
    app.add_option("-j,--jobs", opt.jobs, "Sweep points run at a time")
        ->type_name("N")
        ->check(CLI::Range(1u, 1024u))
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
        ->type_name("REPORT...");
    app.set_version_flag("--version", GICV5_SIM_VERSION);
}

// The path of this executable, for a sweep's runs.
std::string self_executable() {
    std::error_code ec;
    const std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("gicv5-sim") : p.string();
}

int run_sweep_or_merge(const options& opt) {
    if (!opt.merge.empty())
        return merge_reports(opt.merge, opt.csv_path.empty() ? "sweep.csv" : opt.csv_path,
                             opt.columns);
    sweep_options so;
    so.config_path = opt.config_path;
    so.sets = opt.sets;
    so.seed_text = opt.seed_text;
    so.jobs = opt.jobs;
    so.dir = opt.sweep_dir;
    so.csv_path = opt.csv_path;
    so.columns = opt.columns;
    so.emit_jobs = opt.emit_jobs;
    for (const std::string& text : opt.sweeps) {
        std::string error;
        std::optional<sweep_axis> axis = parse_sweep(text, error);
        if (!axis) {
            std::cerr << "gicv5-sim: " << error << "\n";
            return exit_bad_input;
        }
        so.axes.push_back(std::move(*axis));
    }
    for (const std::string& c : opt.columns)
        if (!is_report_value_path(c)) {
            std::cerr << "gicv5-sim: --column " << c
                      << ": expected a PATH naming a number in the report (docs/report.md)\n";
            return exit_bad_input;
        }
    return run_sweep(so, self_executable());
}

int run_scenario(const options& opt) {
    load_result loaded = load_config(opt.config_path, opt.sets);
    if (!loaded.ok()) {
        for (const std::string& error : loaded.errors)
            std::cerr << error << "\n";
        return exit_bad_input;
    }
    sim_config& cfg = loaded.config;
    if (!opt.seed_text.empty())
        cfg.platform.seed = *units::parse_integer(opt.seed_text).value;

    // Opened before the run so that an unwritable path fails at once, not after a long simulation.
    platform::trace_files traces;
    if (!traces.open(opt.trace_path, opt.vcd_path, std::cerr))
        return exit_bad_input;
    std::ofstream out(opt.report_path, std::ios::trunc);
    if (!out) {
        traces.discard();
        std::cerr << "gicv5-sim: cannot write the report '" << opt.report_path
                  << "': " << std::strerror(errno) << "\n";
        return exit_bad_input;
    }

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
    dumps.out = &std::cout;
    for (const std::string& t : opt.dump_tables_at)
        dumps.at.push_back(*units::parse_duration(t).value);
    platform::run_results results;
    try {
        results = platform::run(cfg.platform, &traces, progress, &dumps);
    } catch (...) {
        traces.discard();
        // No half-written or stale report may be mistaken for the result of this run.
        out.close();
        std::remove(opt.report_path.c_str());
        throw;
    }

    if (progress_shown)
        std::fputc('\n', stderr);
    if (!traces.close(std::cerr))
        return exit_bad_input;
    const nlohmann::ordered_json report =
        make_report(cfg.platform, results, opt.config_path, opt.sets);
    out << report.dump(2) << "\n";
    out.close();
    if (!out) {
        std::cerr << "gicv5-sim: cannot write the report '" << opt.report_path
                  << "': " << std::strerror(errno) << "\n";
        return exit_bad_input;
    }
    if (!opt.quiet)
        std::cout << summary(cfg.platform, results, opt.config_path) << std::flush;

    for (const std::string& failure : results.script_failures)
        std::cerr << "script step failed: " << failure << "\n";
    const std::vector<std::string> failures = evaluate(cfg.expectations, report);
    for (const std::string& failure : failures)
        std::cerr << "expectation failed: " << failure << "\n";
    return failures.empty() && results.script_failures.empty() ? exit_ok : exit_expectation_failed;
}

} // namespace

int main(int argc, char** argv) {
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

    if (opt.config_path.empty() && opt.merge.empty()) {
        std::cerr << "gicv5-sim: expected CONFIG (see --help)\n";
        return exit_bad_input;
    }
    if (opt.emit_jobs && opt.sweeps.empty()) {
        std::cerr << "gicv5-sim: --emit-jobs needs at least one --sweep\n";
        return exit_bad_input;
    }
    try {
        if (!opt.sweeps.empty() || !opt.merge.empty())
            return run_sweep_or_merge(opt);
        return run_scenario(opt);
    } catch (const sc_core::sc_report& e) {
        std::cerr << "gicv5-sim: internal error: SystemC: " << e.what() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "gicv5-sim: internal error: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "gicv5-sim: internal error: unknown exception\n";
    }
    return exit_internal_error;
}

} // namespace gicv5_sim
