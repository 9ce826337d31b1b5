// Parameter sweeps: the product of the axes, one process per point, the CSV of their reports,
// --emit-jobs and --merge (README "Sweeps").
#include "sim_test_util.h"
#include "sweep.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

using namespace gicv5_sim;

namespace {

std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);)
        lines.push_back(l);
    return lines;
}

// Runs the real gicv5-sim with `args` from a fresh directory; returns its exit status.
int run_sim(const std::string& dir, const std::string& args, const std::string& out = "out") {
    std::filesystem::create_directories(dir);
    const std::string cmd = "cd '" + dir + "' && SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 '" +
                            GICV5_SIM_EXE + "' " + args + " >" + out + ".txt 2>" + out + ".err";
    const int st = std::system(cmd.c_str());
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string fresh_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string dir = ::testing::TempDir() + "gicv5_sweep_" + info->name();
    std::filesystem::remove_all(dir);
    return dir;
}

const std::string small_config = std::string(GICV5_SOURCE_DIR) + "/configs/default.yaml";

} // namespace

namespace {
// A report as text, less what differs between two runs of one scenario: the host timings, and
// the config entry `config_key` (the seed or the overrides that tell the runs apart).
std::string report_text(const std::string& dir, const char* name, const char* config_key) {
    std::ifstream in(dir + "/" + name);
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(in);
    j.erase("host_seconds");
    j.erase("speed");
    j["config"].erase(config_key);
    return j.dump(1);
}
} // namespace

TEST(SweepAxes, AreParsedAndMultipliedWithTheFirstVaryingSlowest) {
    std::string error;
    const auto a = parse_sweep("vms.0.tracking=ap_list,none", error);
    const auto b = parse_sweep("sources.0.rate=1kHz,2kHz,3kHz", error);
    ASSERT_TRUE(a && b) << error;
    const auto points = sweep_points({*a, *b});
    ASSERT_EQ(points.size(), 6u);
    EXPECT_EQ(points[0],
              (std::vector<std::string>{"vms.0.tracking=ap_list", "sources.0.rate=1kHz"}));
    EXPECT_EQ(points[2][1], "sources.0.rate=3kHz");
    EXPECT_EQ(points[3][0], "vms.0.tracking=none");
}

TEST(SweepAxes, KeysSweptTogetherTakeEachValueTogether) {
    // The rate of two devices at once: one axis, not a product.
    std::string error;
    const auto both = parse_sweep("sources.0.rate,sources.1.rate=1kHz,2kHz", error);
    ASSERT_TRUE(both) << error;
    const auto points = sweep_points({*both});
    ASSERT_EQ(points.size(), 2u);
    EXPECT_EQ(points[1],
              (std::vector<std::string>{"sources.0.rate=2kHz", "sources.1.rate=2kHz"}));
    EXPECT_FALSE(parse_sweep("a,,b=1,2", error));
    EXPECT_NE(error.find("key path between each pair of commas"), std::string::npos);
}

TEST(SweepAxes, AMalformedOneIsRefused) {
    std::string error;
    EXPECT_FALSE(parse_sweep("duration", error));
    EXPECT_NE(error.find("expected KEY.PATH=V1,V2"), std::string::npos);
    EXPECT_FALSE(parse_sweep("=1,2", error));
    EXPECT_FALSE(parse_sweep("duration=1ms,,2ms", error));
    EXPECT_NE(error.find("between each pair of commas"), std::string::npos);
}

TEST(SweepCsv, HasTheSweptKeysThenTheColumnsAndQuotesWhatNeedsIt) {
    nlohmann::ordered_json r1 = {{"schema", "gicv5-sim-report"},
                                 {"config", {{"overrides", {"a.b=1", "c=x,y"}}}},
                                 {"latency_ns", {{"p99", 250.5}}}};
    nlohmann::ordered_json r2 = {{"schema", "gicv5-sim-report"},
                                 {"config", {{"overrides", {"a.b=2"}}}},
                                 {"latency_ns", {{"p99", 300}}}};
    std::ostringstream out;
    write_sweep_csv(out, {"r1.json", "r2.json"}, {r1, r2}, {"latency_ns.p99", "missing.path"});
    EXPECT_EQ(out.str(), "report,a.b,c,latency_ns.p99,missing.path\n"
                         "r1.json,1,\"x,y\",250.5,\n"
                         "r2.json,2,,300,\n");
}

TEST(Sweep, RunsEachPointAsAProcessAndWritesOneRowPerPointInPointOrder) {
    const std::string dir = fresh_dir();
    ASSERT_EQ(run_sim(dir, "'" + small_config +
                               "' --set duration=200us --sweep vms.0.tracking=ap_list,none "
                               "--sweep sources.0.rate=100kHz,200kHz -j 3"),
              0);
    const std::vector<std::string> csv = lines_of(dir + "/sweep/sweep.csv");
    ASSERT_EQ(csv.size(), 5u);
    EXPECT_EQ(csv[0].rfind("report,duration,vms.0.tracking,sources.0.rate,interrupts.injected,", 0),
              0u);
    EXPECT_EQ(csv[1].rfind("sweep/point-0000.json,200us,ap_list,100kHz,", 0), 0u);
    EXPECT_EQ(csv[4].rfind("sweep/point-0003.json,200us,none,200kHz,", 0), 0u);
    // The policy shows: VDRCFG (column instructions.VDRCFG) only with the AP list.
    EXPECT_TRUE(std::filesystem::exists(dir + "/sweep/point-0002.log"));
}

TEST(Sweep, EmittedJobsMergedGiveTheSameTableAsTheSweep) {
    const std::string dir = fresh_dir();
    const std::string args =
        "'" + small_config + "' --set duration=200us --sweep vms.0.tracking=ap_list,none";
    ASSERT_EQ(run_sim(dir, args + " --column interrupts.delivered --column instructions.VDRCFG"),
              0);
    ASSERT_EQ(run_sim(dir, args + " --emit-jobs --sweep-dir jobs", "jobs"), 0);
    const std::vector<std::string> jobs = lines_of(dir + "/jobs.txt");
    ASSERT_EQ(jobs.size(), 2u);
    for (const std::string& job : jobs) // as GNU parallel would run them
        ASSERT_EQ(std::system(("cd '" + dir + "' && " + job + " >/dev/null 2>&1").c_str()), 0);
    ASSERT_EQ(run_sim(dir, "--merge jobs/point-0000.json jobs/point-0001.json --csv merged.csv "
                           "--column interrupts.delivered --column instructions.VDRCFG"),
              0);
    std::vector<std::string> swept = lines_of(dir + "/sweep/sweep.csv");
    std::vector<std::string> merged = lines_of(dir + "/merged.csv");
    ASSERT_EQ(swept.size(), 3u);
    ASSERT_EQ(merged.size(), 3u);
    EXPECT_EQ(swept[0], merged[0]);
    for (std::size_t i = 1; i < 3; ++i) // the same figures, from reports in another folder
        EXPECT_EQ(swept[i].substr(swept[i].find(',')), merged[i].substr(merged[i].find(',')));
    EXPECT_NE(merged[1].find(",ap_list,"), std::string::npos);
    EXPECT_EQ(merged[2].substr(merged[2].rfind(',')), ",0"); // policy none: no VDRCFG
}

TEST(Sweep, ABadPointFailsBeforeAnyRunWithTheConfigError) {
    const std::string dir = fresh_dir();
    EXPECT_EQ(run_sim(dir, "'" + small_config + "' --sweep vms.0.tracking=ap_list,sometimes"), 2);
    std::ifstream err(dir + "/out.err");
    const std::string text((std::istreambuf_iterator<char>(err)), {});
    EXPECT_NE(text.find("vms.0.tracking"), std::string::npos) << text;
    EXPECT_FALSE(std::filesystem::exists(dir + "/sweep/point-0000.json"));
}

TEST(Sweep, MergeRefusesAFileThatIsNotAReport) {
    const std::string dir = fresh_dir();
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/x.json") << "{\"a\": 1}";
    EXPECT_EQ(run_sim(dir, "--merge x.json"), 2);
}

TEST(Determinism, TheSameConfigAndSeedGiveTheSameReportButForHostTimings) {
    // Two processes, as SystemC elaborates once per process; the busiest workload config.
    const std::string dir = fresh_dir();
    const std::string cfg = std::string(GICV5_SOURCE_DIR) + "/configs/kvm_two_policies.yaml";
    ASSERT_EQ(run_sim(dir, "'" + cfg + "' --quiet --report a.json"), 0);
    ASSERT_EQ(run_sim(dir, "'" + cfg + "' --quiet --report b.json"), 0);
    ASSERT_EQ(run_sim(dir, "'" + cfg + "' --quiet --seed 8 --report c.json"), 0);
    auto load = [&](const char* name) { return report_text(dir, name, "seed"); };
    EXPECT_EQ(load("a.json"), load("b.json"));
    EXPECT_NE(load("a.json"), load("c.json")); // another seed, another run
}

TEST(Dmi, TableAccessesThroughDmiGiveTheSameRunAsThroughTheBus) {
    // DMI skips the bus call chain, not the time: every table access still costs the memory's
    // latency, so the whole report is the same.
    const std::string dir = fresh_dir();
    const std::string cfg = std::string(GICV5_SOURCE_DIR) + "/configs/kvm_two_policies.yaml";
    ASSERT_EQ(run_sim(dir, "'" + cfg + "' --quiet --set irs.dmi=true --report on.json"), 0);
    ASSERT_EQ(run_sim(dir, "'" + cfg + "' --quiet --set irs.dmi=false --report off.json"), 0);
    const std::string on = report_text(dir, "on.json", "overrides");
    EXPECT_EQ(on, report_text(dir, "off.json", "overrides"));
    EXPECT_NE(on.find("\"delivered\""), std::string::npos);
}

TEST(DumpTables, ARunWithTableDumpsGivesTheSameReportAsWithout) {
    // The dumps cut the run and resume it, with no event of their own that could reorder the
    // kernel's equal-time events (an extra timed process did, in this config).
    const std::string dir = fresh_dir();
    const std::string cfg = std::string(GICV5_SOURCE_DIR) + "/configs/kvm_two_policies.yaml";
    ASSERT_EQ(run_sim(dir, "'" + cfg + "' --quiet --report plain.json"), 0);
    ASSERT_EQ(run_sim(dir, "'" + cfg +
                               "' --quiet --report dumped.json --dump-tables-at 3ms "
                               "--dump-tables-at 7ms --dump-tables"),
              0);
    EXPECT_EQ(report_text(dir, "plain.json", "file"), report_text(dir, "dumped.json", "file"));
}

TEST(Decoupling, OffTheRunStillDrainsAndTheReportStatesTheLatencyErrorBound) {
    // timing.quantum = 0 turns temporal decoupling off: every PE waits out each access. The
    // report states how late a latency may read: one quantum, so 0 then.
    const std::string dir = fresh_dir();
    const std::string cfg = std::string(GICV5_SOURCE_DIR) + "/configs/kvm_two_policies.yaml";
    ASSERT_EQ(run_sim(dir, "'" + cfg + "' --quiet --set timing.quantum=0ns --report off.json"), 0);
    ASSERT_EQ(run_sim(dir, "'" + cfg + "' --quiet --set timing.quantum=2us --report on.json"), 0);
    auto load = [&](const char* name) {
        std::ifstream in(dir + "/" + name);
        return nlohmann::json::parse(in);
    };
    const nlohmann::json off = load("off.json"), on = load("on.json");
    EXPECT_EQ(off["timing"]["latency_error_bound_ns"], 0.0);
    EXPECT_EQ(on["timing"]["latency_error_bound_ns"], 2000.0);
    for (const nlohmann::json* r : {&off, &on}) {
        EXPECT_EQ((*r)["interrupts"]["lost"], 0);
        EXPECT_TRUE((*r)["drained"].get<bool>());
    }
    EXPECT_EQ(off["interrupts"]["injected"], on["interrupts"]["injected"]);
}

// The same config and seed, twice, in two processes: the same report (host timings aside), the
// same Chrome trace and the same VCD, byte for byte.
class DeterminismOf : public ::testing::TestWithParam<const char*> {};

TEST_P(DeterminismOf, TwoRunsGiveTheSameReportTraceAndVcd) {
    const std::string dir = fresh_dir();
    const std::string cfg = std::string(GICV5_SOURCE_DIR) + "/configs/" + GetParam() + ".yaml";
    for (const char* run : {"a", "b"}) {
        const std::string r = run;
        ASSERT_EQ(run_sim(dir, "'" + cfg + "' --quiet --report " + r + ".json --trace " + r +
                                   ".trace.json --vcd " + r + ".vcd"),
                  0);
    }
    auto bytes = [&](const std::string& name) {
        std::ifstream in(dir + "/" + name, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    EXPECT_EQ(report_text(dir, "a.json", "file"), report_text(dir, "b.json", "file"));
    const std::string trace = bytes("a.trace.json");
    EXPECT_GT(trace.size(), 100u);
    EXPECT_EQ(trace, bytes("b.trace.json"));
    const std::string vcd = bytes("a.vcd");
    EXPECT_GT(vcd.size(), 100u);
    EXPECT_EQ(vcd, bytes("b.vcd"));
}

INSTANTIATE_TEST_SUITE_P(Configs, DeterminismOf,
                         ::testing::Values("default", "kvm_level_resample", "kvm_many_vms",
                                           "kvm_nested_timer", "kvm_poisson_bursts",
                                           "physical_spi_level", "virtual_edge_cases"));
