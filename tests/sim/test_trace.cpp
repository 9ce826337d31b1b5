// gicv5-sim --trace and --vcd on the default scenario: a Chrome trace Perfetto can load and a VCD
// GTKWave can, consistent with the report, byte-identical across runs.
#include "sim/sim_test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::string default_config = std::string(GICV5_SOURCE_DIR) + "/configs/default.yaml";

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string temp(const std::string& name) { return ::testing::TempDir() + "/gicv5_trace_" + name; }

} // namespace

TEST(Trace, TheDefaultRunGivesTracksSlicesFlowsAndApListCounters) {
    const std::string trace = temp("default.json"), report = temp("default_report.json");
    ASSERT_EQ(sim_test::run_cli({default_config, "--trace", trace, "--report", report, "--quiet"}),
              0);
    const nlohmann::json r = nlohmann::json::parse(slurp(report));
    const nlohmann::json j = nlohmann::json::parse(slurp(trace));
    EXPECT_EQ(j["displayTimeUnit"], "ns");
    ASSERT_TRUE(j["traceEvents"].is_array());

    std::set<std::string> threads;
    uint64_t handlers = 0, injections = 0, counters = 0;
    std::map<uint64_t, int> flows;              // id -> +1 per start, +2 per finish
    std::map<std::string, uint64_t> flow_kinds; // name -> starts
    for (const nlohmann::json& e : j["traceEvents"]) {
        const std::string ph = e["ph"];
        if (ph == "M" && e["name"] == "thread_name")
            threads.insert(e["args"]["name"].get<std::string>());
        if (ph == "X") {
            EXPECT_GE(e["dur"].get<double>(), 0.0);
            const std::string name = e["name"];
            handlers += name.rfind("SPI ", 0) == 0;
            injections += name == "inject";
        }
        if (ph == "s") {
            flows[e["id"].get<uint64_t>()] += 1;
            ++flow_kinds[e["name"].get<std::string>()];
        }
        if (ph == "f") {
            EXPECT_EQ(e["bp"], "e");
            flows[e["id"].get<uint64_t>()] += 2;
        }
        if (ph == "C" && e["pid"] == 4) { // the resources' queue depths: their own test
            EXPECT_TRUE(e["args"].contains("depth"));
        } else if (ph == "C") {
            EXPECT_EQ(e["name"], "VM 0 AP list");
            EXPECT_TRUE(e["args"].contains("length"));
            ++counters;
        }
    }
    for (const char* t : {"PE 0 (host)", "PE 1 (vcpu)", "VM 0 vCPU 0", "hypervisor agent"})
        EXPECT_EQ(threads.count(t), 1u) << t;
    // One handler slice per acknowledge, one injection slice per VDPEND.
    EXPECT_EQ(handlers, r["interrupts"]["delivered"].get<uint64_t>());
    EXPECT_EQ(injections, r["vms"][0]["vdpend"].get<uint64_t>());
    // Each flow has exactly one start and one finish: injection -> acknowledge for every
    // delivery; deactivation -> notifier for every deactivation a notification consumed (one or
    // more per notification).
    const uint64_t delivered = r["interrupts"]["delivered"].get<uint64_t>();
    const uint64_t notified = r["ap_list"]["notifier_calls"].get<uint64_t>();
    EXPECT_EQ(flow_kinds["injection"], delivered);
    EXPECT_GE(flow_kinds["ack notification"], notified);
    EXPECT_LE(flow_kinds["ack notification"], delivered);
    EXPECT_EQ(flows.size(), flow_kinds["injection"] + flow_kinds["ack notification"]);
    for (const auto& [id, sum] : flows)
        EXPECT_EQ(sum, 3) << "flow " << id;
    // The starting 0, then one value per insertion and one per removal.
    EXPECT_EQ(counters, 1 + r["ap_list"]["insertions"].get<uint64_t>() +
                            r["ap_list"]["notifier_calls"].get<uint64_t>());
}

TEST(Trace, AQueueingIrsEngineGivesAQueueDepthCounter) {
    // One engine (the default) taking 3 us per command: commands queue at it.
    const std::string trace = temp("queue.json");
    ASSERT_EQ(sim_test::run_cli({default_config, "--set", "timing.irs_process=3us", "--set",
                                 "duration=1ms", "--trace", trace, "--report",
                                 temp("queue_report.json"), "--quiet"}),
              0);
    const nlohmann::json j = nlohmann::json::parse(slurp(trace));
    std::set<std::string> processes;
    std::map<std::string, std::vector<double>> times; // counter -> its samples' ts
    unsigned engine_max = 0;
    for (const nlohmann::json& e : j["traceEvents"]) {
        if (e["ph"] == "M" && e["name"] == "process_name")
            processes.insert(e["args"]["name"].get<std::string>());
        if (e["ph"] != "C")
            continue;
        const std::string name = e["name"];
        times[name].push_back(e["ts"].get<double>());
        if (e["pid"] != 4)
            continue;
        // "irs.engine queue": without the top module's name.
        EXPECT_NE(name.rfind("top.", 0), 0u) << name;
        EXPECT_EQ(name.substr(std::max<std::size_t>(name.size(), 6) - 6), " queue") << name;
        if (times[name].size() == 1) {
            EXPECT_EQ(e["args"]["depth"], 0) << name; // the track's start
        }
        if (name == "irs.engine queue")
            engine_max = std::max(engine_max, e["args"]["depth"].get<unsigned>());
    }
    EXPECT_EQ(processes.count("Resources"), 1u);
    ASSERT_EQ(times.count("irs.engine queue"), 1u);
    EXPECT_GT(engine_max, 0u);
    for (const auto& [name, ts] : times) {
        EXPECT_EQ(ts.front(), 0.0) << name; // each track starts at 0
        EXPECT_TRUE(std::is_sorted(ts.begin(), ts.end())) << name;
    }
}

TEST(Trace, TheDefaultRunGivesAVcdOfEveryLine) {
    const std::string vcd = temp("default.vcd"), report = temp("vcd_report.json");
    ASSERT_EQ(sim_test::run_cli({default_config, "--vcd", vcd, "--report", report, "--quiet"}), 0);
    const nlohmann::json r = nlohmann::json::parse(slurp(report));
    std::istringstream in(slurp(vcd));
    std::string line, virq1; // PE 1 runs the vCPU
    std::map<std::string, std::string> vars;
    unsigned rises = 0, falls = 0;
    bool defs_done = false, timescale = false;
    uint64_t last_time = 0;
    while (std::getline(in, line)) {
        if (line == "$timescale 1 ns $end")
            timescale = true;
        if (line == "$enddefinitions $end")
            defs_done = true;
        if (line.rfind("$var wire 1 ", 0) == 0) {
            std::istringstream w(line.substr(12));
            std::string code, name;
            w >> code >> name;
            vars[code] = name;
            if (name == "virq" && vars.size() > 4)
                virq1 = code;
        }
        if (line[0] == '#') {
            const uint64_t t = std::stoull(line.substr(1));
            EXPECT_GE(t, last_time);
            last_time = t;
        }
        if (defs_done && (line[0] == '0' || line[0] == '1') && line.substr(1) == virq1)
            ++(line[0] == '1' ? rises : falls);
    }
    EXPECT_TRUE(timescale);
    EXPECT_TRUE(defs_done);
    EXPECT_EQ(vars.size(), 8u); // irq, fiq, nmi, virq of 2 PEs
    ASSERT_FALSE(virq1.empty());
    // Each delivery needs vIRQ high; one rise may carry several (another already pending).
    const uint64_t delivered = r["interrupts"]["delivered"].get<uint64_t>();
    EXPECT_GE(rises, 1u);
    EXPECT_LE(rises, delivered);
    EXPECT_GE(rises, delivered / 2);
    EXPECT_EQ(falls, rises + 1); // the initial 0, and it ends low: drained
}

TEST(Trace, TwoRunsGiveTheSameBytes) {
    // One SystemC elaboration per process: run the binary twice.
    std::string outputs[2][2];
    for (int n = 0; n < 2; ++n) {
        const std::string t = temp("same" + std::to_string(n) + ".json");
        const std::string v = temp("same" + std::to_string(n) + ".vcd");
        const std::string cmd = std::string("\"") + GICV5_SIM_EXE + "\" \"" + default_config +
                                "\" --quiet --report \"" + temp("same_report.json") +
                                "\" --trace \"" + t + "\" --vcd \"" + v + "\"";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
        outputs[n][0] = slurp(t);
        outputs[n][1] = slurp(v);
    }
    EXPECT_FALSE(outputs[0][0].empty());
    EXPECT_FALSE(outputs[0][1].empty());
    EXPECT_TRUE(outputs[0][0] == outputs[1][0]) << "trace files differ";
    EXPECT_TRUE(outputs[0][1] == outputs[1][1]) << "VCD files differ";
}

TEST(Trace, AnUnwritablePathExitsTwoWithAMessage) {
    const std::string bad = "/nonexistent-gicv5-dir/out";
    for (const auto& [option, what] : {std::pair{"--trace", "the trace"}, {"--vcd", "the VCD"}}) {
        ::testing::internal::CaptureStderr();
        EXPECT_EQ(sim_test::run_cli({default_config, option, bad, "--report",
                                     temp("bad_report.json"), "--quiet"}),
                  2)
            << option;
        const std::string err = ::testing::internal::GetCapturedStderr();
        EXPECT_NE(err.find(std::string("cannot write ") + what + " '" + bad +
                           "': No such file or directory"),
                  std::string::npos)
            << err;
    }
}
