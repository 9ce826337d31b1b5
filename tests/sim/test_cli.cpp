// The command line's own promises: outputs are written whole or not at all and a failed write is
// exit 2 with the OS's reason; options that do nothing in the mode given are errors; SystemC's
// messages never go to stdout only and never abort; no banner; a readable --help.
#include "report.h"
#include "sim_test_util.h"
#include "sweep.h"

#include <gtest/gtest.h>
#include <systemc>

#include <sys/wait.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace gicv5_sim;

namespace {

const std::string default_config = std::string(GICV5_SOURCE_DIR) + "/configs/default.yaml";

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A fresh directory for this test.
std::string fresh_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string dir =
        ::testing::TempDir() + "gicv5_cli_" + info->test_suite_name() + "_" + info->name();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

struct outcome {
    int status = -1; // exit status; -1 when killed
    std::string out, err;
};

// The real gicv5-sim, from `dir`, with `args` (shell words) and `redirect` for stdout (default:
// a file). `env` goes first on the command line. SYSTEMC_DISABLE_COPYRIGHT_MESSAGE is not set.
outcome sim(const std::string& dir, const std::string& args, const std::string& redirect = "",
            const std::string& env = "") {
    const std::string cmd = "cd '" + dir + "' && " + env + " '" + GICV5_SIM_EXE + "' " + args +
                            (redirect.empty() ? " >stdout.txt" : " " + redirect) +
                            " 2>stderr.txt";
    const int st = std::system(cmd.c_str());
    outcome o;
    o.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    o.out = read(dir + "/stdout.txt");
    o.err = read(dir + "/stderr.txt");
    return o;
}

// Files of `dir` whose names start with a dot: the temporaries of outputs.
std::vector<std::string> temporaries(const std::string& dir) {
    std::vector<std::string> found;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string()[0] == '.')
            found.push_back(e.path().string());
    return found;
}

// A report of the default config, made once per test that needs one.
std::string make_report(const std::string& dir) {
    const outcome o = sim(dir, "'" + default_config + "' --set duration=100us -q --report r.json");
    EXPECT_EQ(o.status, 0) << o.err;
    return dir + "/r.json";
}

// gicv5-sim in this process, stderr captured (only for command lines that run nothing).
std::pair<int, std::string> cli(const std::vector<std::string>& args) {
    ::testing::internal::CaptureStderr();
    const int status = sim_test::run_cli(args);
    return {status, ::testing::internal::GetCapturedStderr()};
}

} // namespace

TEST(CliOutput, AFailedWriteOfStdoutIsExit2WithTheReason) {
    const std::string dir = fresh_dir();
    outcome o = sim(dir, "'" + default_config + "' --set duration=100us", ">/dev/full");
    EXPECT_EQ(o.status, 2);
    EXPECT_NE(o.err.find("cannot write standard output: No space left on device"),
              std::string::npos)
        << o.err;
    o = sim(dir, "'" + default_config + "' --set duration=100us -q --dump-tables", ">/dev/full");
    EXPECT_EQ(o.status, 2);
    EXPECT_NE(o.err.find("No space left on device"), std::string::npos) << o.err;
    // A closed stdout is found before the run.
    o = sim(dir, "'" + default_config + "' --set duration=100us --report r.json", ">&-");
    EXPECT_EQ(o.status, 2);
    EXPECT_NE(o.err.find("cannot write standard output: Bad file descriptor"), std::string::npos)
        << o.err;
    EXPECT_FALSE(std::filesystem::exists(dir + "/r.json"));
    o = sim(dir, "'" + default_config + "' --sweep duration=1ms,2ms --emit-jobs", ">/dev/full");
    EXPECT_EQ(o.status, 2);
    EXPECT_NE(o.err.find("No space left on device"), std::string::npos) << o.err;
}

TEST(CliOutput, AFailedWriteOfTheReportTraceVcdOrCsvIsExit2WithTheReason) {
    const std::string dir = fresh_dir();
    const std::string base = "'" + default_config + "' --set duration=100us -q ";
    for (const char* what : {"--report", "--trace", "--vcd"}) {
        const outcome o = sim(dir, base + what + " /dev/full");
        EXPECT_EQ(o.status, 2) << what;
        EXPECT_NE(o.err.find("'/dev/full': No space left on device"), std::string::npos)
            << what << ": " << o.err;
    }
    const std::string report = make_report(dir);
    const outcome o = sim(dir, "--merge '" + report + "' --csv /dev/full");
    EXPECT_EQ(o.status, 2);
    EXPECT_NE(o.err.find("cannot write the CSV '/dev/full': No space left on device"),
              std::string::npos)
        << o.err;
}

TEST(CliOutput, AFailedRunLeavesTheEarlierFilesAsTheyWereAndNoTemporary) {
    const std::string dir = fresh_dir();
    for (const char* name : {"report.json", "trace.json", "waves.vcd"})
        std::ofstream(dir + "/" + name) << "earlier\n";
    // The VCD cannot be written: the run fails after the report and the trace were opened.
    const outcome o =
        sim(dir, "'" + default_config +
                     "' --set duration=100us -q --trace trace.json --vcd /dev/full");
    EXPECT_EQ(o.status, 2);
    EXPECT_EQ(read(dir + "/report.json"), "earlier\n");
    EXPECT_EQ(read(dir + "/trace.json"), "earlier\n");
    EXPECT_EQ(temporaries(dir), std::vector<std::string>{});
    // A run that succeeds replaces them whole, with the permissions a new file gets.
    const outcome ok = sim(dir, "'" + default_config +
                                    "' --set duration=100us -q --trace trace.json --vcd waves.vcd");
    EXPECT_EQ(ok.status, 0) << ok.err;
    EXPECT_EQ(read(dir + "/report.json").rfind("{", 0), 0u);
    EXPECT_NE(read(dir + "/waves.vcd"), "earlier\n");
    EXPECT_NE(read(dir + "/trace.json"), "earlier\n");
    EXPECT_EQ(temporaries(dir), std::vector<std::string>{});
    const auto perms = std::filesystem::status(dir + "/report.json").permissions();
    EXPECT_NE(perms & std::filesystem::perms::others_read, std::filesystem::perms::none);
}

TEST(CliOutput, AnUnwritableCsvFailsBeforeTheSweepRuns) {
    const std::string dir = fresh_dir();
    const outcome o =
        sim(dir, "'" + default_config + "' --sweep duration=100us,200us --csv nodir/x.csv");
    EXPECT_EQ(o.status, 2);
    EXPECT_NE(o.err.find("cannot write the CSV 'nodir/x.csv': No such file or directory"),
              std::string::npos)
        << o.err;
    EXPECT_FALSE(std::filesystem::exists(dir + "/sweep/point-0000.log"));
}

TEST(CliOutput, OutputsMayNotOverwriteTheConfigOrEachOther) {
    const std::string dir = fresh_dir();
    const std::string config = dir + "/c.yaml";
    std::filesystem::copy_file(default_config, config);
    const std::string text = read(config);
    for (const char* what : {"--report", "--trace", "--vcd"}) {
        const outcome o = sim(dir, std::string("c.yaml -q ") + what + " ./c.yaml");
        EXPECT_EQ(o.status, 2) << what;
        EXPECT_NE(o.err.find("would overwrite the config"), std::string::npos) << o.err;
    }
    EXPECT_EQ(read(config), text);
    outcome o = sim(dir, "c.yaml -q --trace out.json --report ./out.json");
    EXPECT_EQ(o.status, 2);
    EXPECT_NE(o.err.find("--report and --trace name the same file"), std::string::npos) << o.err;
    o = sim(dir, "c.yaml -q --trace t.json --vcd t.json");
    EXPECT_EQ(o.status, 2);
    // Device files are no files to protect: both may go to /dev/null.
    o = sim(dir, "c.yaml -q --set duration=100us --trace /dev/null --vcd /dev/null");
    EXPECT_EQ(o.status, 0) << o.err;
}

TEST(CliModes, AnOptionThatDoesNothingInTheModeGivenIsAnError) {
    const std::string c = default_config;
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{c, "--sweep", "duration=1ms", "--trace", "t.json"}, "--trace does nothing with --sweep"},
        {{c, "--sweep", "duration=1ms", "--vcd", "t.vcd"}, "--vcd does nothing with --sweep"},
        {{c, "--sweep", "duration=1ms", "--report", "r.json"}, "--report does nothing"},
        {{c, "--sweep", "duration=1ms", "--dump-tables"}, "--dump-tables does nothing"},
        {{c, "--sweep", "duration=1ms", "--dump-tables-at", "1ms"}, "--dump-tables-at does"},
        {{c, "--sweep", "duration=1ms", "--emit-jobs", "-j", "2"}, "-j/--jobs does nothing"},
        {{c, "--sweep", "duration=1ms", "--emit-jobs", "--csv", "x.csv"}, "--csv does nothing"},
        {{c, "--csv", "x.csv"}, "--csv does nothing without --sweep or --merge"},
        {{c, "--column", "interrupts.lost"}, "--column does nothing without"},
        {{c, "--sweep-dir", "d"}, "--sweep-dir does nothing without"},
        {{c, "-j", "2"}, "-j/--jobs does nothing without"},
        {{"--merge", "r.json", "--set", "duration=1ms"}, "--set does nothing with --merge"},
        {{"--merge", "r.json", "--seed", "2"}, "--seed does nothing with --merge"},
        {{"--merge", "r.json", "--sweep-dir", "d"}, "--sweep-dir does nothing with --merge"},
        {{"--merge", "r.json", "--trace", "t.json"}, "--trace does nothing with --merge"},
        {{c, "--merge", "r.json", "--sweep", "duration=1ms"}, "do not go together"},
    };
    for (const auto& [args, message] : cases) {
        const auto [status, err] = cli(args);
        EXPECT_EQ(status, 2) << message;
        EXPECT_NE(err.find(message), std::string::npos) << err;
    }
}

TEST(CliModes, AnUnknownColumnIsExit2InEveryMode) {
    const std::string c = default_config;
    const std::vector<std::vector<std::string>> cases = {
        {c, "--column", "no.such"},
        {c, "--sweep", "duration=1ms", "--column", "no.such"},
        {c, "--sweep", "duration=1ms", "--emit-jobs", "--column", "no.such"},
        {"--merge", "r.json", "--column", "no.such"},
    };
    for (const auto& args : cases)
        EXPECT_EQ(cli(args).first, 2) << args.size();
}

TEST(CliSweep, AKeySweptTwiceOrAlsoSetIsAnError) {
    auto [status, err] =
        cli({default_config, "--sweep", "duration=1ms", "--sweep", "seed,duration=2ms"});
    EXPECT_EQ(status, 2);
    EXPECT_NE(err.find("duration is swept twice"), std::string::npos) << err;
    std::tie(status, err) =
        cli({default_config, "--set", "duration=5ms", "--sweep", "duration=1ms,2ms"});
    EXPECT_EQ(status, 2);
    EXPECT_NE(err.find("--set duration=5ms does nothing"), std::string::npos) << err;
}

TEST(CliSweep, MorePointsThanAnyMachineRunsAreRefusedBeforeListingThem) {
    std::string seeds = "seed=0", durations = "duration=1us";
    for (int i = 1; i < 400; ++i) {
        seeds += "," + std::to_string(i);
        durations += "," + std::to_string(i + 1) + "us";
    }
    const auto [status, err] = cli({default_config, "--sweep", seeds, "--sweep", durations});
    EXPECT_EQ(status, 2);
    EXPECT_NE(err.find("more than 100000 points"), std::string::npos) << err;
}

TEST(CliSweep, APointKilledByASignalIsReportedAsSuch) {
    const std::string dir = fresh_dir();
    const std::string exe = dir + "/crash.sh";
    std::ofstream(exe) << "#!/bin/sh\nkill -SEGV $$\n";
    std::filesystem::permissions(exe, std::filesystem::perms::owner_all);
    sweep_options so;
    so.config_path = default_config;
    std::string error;
    so.axes.push_back(*parse_sweep("duration=1ms", error));
    so.dir = dir + "/sweep";
    ::testing::internal::CaptureStderr();
    const int status = run_sweep(so, exe);
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(status, 2);
    EXPECT_NE(err.find("point-0000 (duration=1ms) was killed by SIGSEGV"), std::string::npos)
        << err;
}

TEST(CliMerge, SaysWhatIsWrongWithEachFile) {
    const std::string dir = fresh_dir();
    const std::string report = make_report(dir);
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(read(report));
    auto write = [&](const char* name, const nlohmann::ordered_json& v) {
        std::ofstream(dir + "/" + name) << v.dump();
        return dir + "/" + name;
    };
    nlohmann::ordered_json newer = j;
    newer["schema_version"] = report_schema_version + 1;
    nlohmann::ordered_json text_count = j;
    text_count["interrupts"]["injected"] = "many";
    nlohmann::ordered_json bad_overrides = j;
    bad_overrides["config"]["overrides"] = 3;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {dir, "it is a directory, not a report"},
        {dir + "/missing.json", "no such file"},
        {write("newer.json", newer), "its schema_version is 2, this gicv5-sim reads 1"},
        {write("text.json", text_count), "its interrupts.injected is string, expected a number"},
        {write("overrides.json", bad_overrides), "its config.overrides is not a list"},
        {write("array.json", nlohmann::ordered_json::array()), "it is not a JSON object"},
    };
    for (const auto& [file, message] : cases) {
        const auto [status, err] = cli({"--merge", report, file, "--csv", dir + "/x.csv"});
        EXPECT_EQ(status, 2) << message;
        EXPECT_NE(err.find("'" + file + "': " + message), std::string::npos) << err;
    }
    EXPECT_FALSE(std::filesystem::exists(dir + "/x.csv"));
}

TEST(CliSystemC, MessagesGoToStderrAndAFatalOneThrowsInsteadOfAborting) {
    install_report_handler();
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    SC_REPORT_WARNING("/gicv5/test", "a warning");
    bool threw = false;
    try {
        SC_REPORT_FATAL("/gicv5/test", "a fatal error");
    } catch (const sc_core::sc_report& r) {
        threw = true;
        EXPECT_NE(std::string(r.what()).find("a fatal error"), std::string::npos);
    }
    const std::string out = ::testing::internal::GetCapturedStdout();
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_TRUE(threw);
    EXPECT_EQ(out, "");
    EXPECT_NE(err.find("a warning"), std::string::npos) << err;
    EXPECT_NE(err.find("a fatal error"), std::string::npos) << err;
}

TEST(CliFirstContact, NoSystemCBannerOnAnyCall) {
    const std::string dir = fresh_dir();
    const std::string env = "env -u SYSTEMC_DISABLE_COPYRIGHT_MESSAGE";
    for (const std::string& args :
         std::vector<std::string>{"--help", "--version", "'" + default_config + "' --set duration=100us",
          "'" + default_config + "' --set duration=-1"}) {
        const outcome o = sim(dir, args, "", env);
        EXPECT_EQ(o.out.find("Copyright"), std::string::npos) << args;
        EXPECT_EQ(o.err.find("Copyright"), std::string::npos) << args << ": " << o.err;
    }
}

namespace {
// The options of a usage block, or of --help: every "--name" and "-j".
std::set<std::string> options_in(const std::string& text) {
    // A scan rather than std::regex, which g++ 12 with -fsanitize=address warns about in its own
    // headers (maybe-uninitialized, an error in the sanitizer build).
    auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    std::set<std::string> found;
    for (std::size_t i = 0; i + 1 < text.size(); ++i) {
        const bool starts = i == 0 || std::isspace(static_cast<unsigned char>(text[i - 1])) ||
                            text[i - 1] == '[' || text[i - 1] == ',';
        if (!starts || text[i] != '-')
            continue;
        std::size_t end = i + 1;
        if (text[end] == '-' && end + 1 < text.size() && lower(text[end + 1])) {
            end += 2;
            while (end < text.size() && (lower(text[end]) || text[end] == '-'))
                ++end;
            while (text[end - 1] == '-') // the name ends on a letter
                --end;
        } else if (lower(text[end]) && (end + 1 == text.size() || !word(text[end + 1]))) {
            ++end;
        } else {
            continue;
        }
        found.insert(text.substr(i, end - i));
    }
    return found;
}

// The first ``` block after `heading` in a Markdown file.
std::string usage_block(const std::string& file, const std::string& heading) {
    const std::string text = read(std::string(GICV5_SOURCE_DIR) + "/" + file);
    const std::size_t h = text.find(heading);
    const std::size_t start = text.find("```", h);
    const std::size_t body = text.find('\n', start) + 1;
    return h == std::string::npos ? "" : text.substr(body, text.find("```", body) - body);
}
} // namespace

TEST(CliFirstContact, HelpShowsPlainValueNamesAndTheUsageTheDocsShow) {
    const std::string dir = fresh_dir();
    const outcome o = sim(dir, "--help");
    ASSERT_EQ(o.status, 0);
    for (const char* noise : {":UINT", ":TIME", ":INT", " in [", "TEXT", "REPORT..."})
        EXPECT_EQ(o.out.find(noise), std::string::npos) << noise;
    EXPECT_NE(o.out.find("--seed N "), std::string::npos);
    EXPECT_NE(o.out.find("--dump-tables-at TIME "), std::string::npos);
    std::set<std::string> help = options_in(o.out);
    help.erase("--help");
    help.erase("-h");
    help.erase("--version");
    help.erase("-q"); // the usage shows the long names
    help.erase("--jobs");
    EXPECT_GE(help.size(), 15u) << "--set to --merge, and -j";
    EXPECT_TRUE(help.count("--dump-tables-at") && help.count("-j")) << o.out;
    const std::string readme = usage_block("README.md", "## Using gicv5-sim");
    EXPECT_EQ(options_in(readme), help) << readme;
    EXPECT_EQ(usage_block("docs/config.md", "# gicv5-sim configuration"), readme);
}

TEST(CliSummary, DurationsUseAFittingUnit) {
    platform::platform_config cfg;
    platform::run_results r;
    r.sim_time_ns = 50e9;
    r.host_seconds = 18.04;
    r.latency.count = 3;
    r.latency.min_ns = 300;
    r.latency.p50_ns = 1.2e6;
    r.latency.p99_ns = 4342;
    r.latency.max_ns = 0.5;
    r.latency.mean_ns = 10.02e6;
    const std::string text = summary(cfg, r, "c.yaml");
    EXPECT_NE(text.find("run: 50 s simulated in 18 s"), std::string::npos) << text;
    EXPECT_NE(text.find("latency: min 300 ns, p50 1.2 ms, p99 4.34 us, max 500 ps, mean 10 ms"),
              std::string::npos)
        << text;
}

TEST(CliDryRun, ChecksEverythingBeforeTheRunAndWritesNothing) {
    const std::string dir = fresh_dir();
    const std::string report = dir + "/r.json";
    ::testing::internal::CaptureStderr();
    const auto check = [](std::vector<std::string> args) {
        args.insert(args.begin(), "gicv5-sim");
        std::vector<char*> argv;
        for (std::string& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        return check_command_line(static_cast<int>(args.size()), argv.data());
    };
    EXPECT_EQ(check({default_config, "--report", report, "--trace", dir + "/t.json"}), 0);
    EXPECT_EQ(check({default_config, "--set", "duration=-1", "--report", report}), 2);
    EXPECT_EQ(check({default_config, "--sweep", "duration=1ms,2ms", "--sweep-dir", dir + "/s"}),
              0);
    EXPECT_EQ(check({default_config, "--sweep", "vms.0.tracking=ap_list,sometimes"}), 2);
    EXPECT_EQ(check({default_config, "--report", default_config}), 2);
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("sometimes"), std::string::npos) << err;
    EXPECT_TRUE(std::filesystem::is_empty(dir)); // no report, trace, sweep directory or CSV
}
