// Scenario tests: configs from configs/ run end to end through the loader, the platform and the
// command line, judged on report fields.
#include "config_loader.h"
#include "platform/run.h"
#include "sim_test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

const std::string default_config = std::string(GICV5_SOURCE_DIR) + "/configs/default.yaml";

using sim_test::run_cli;

nlohmann::json read_json(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

} // namespace

TEST(DefaultScenario, EveryInjectionIsDeliveredOrCoalescedAndTheApListDrains) {
    const gicv5_sim::load_result loaded = gicv5_sim::load_config(default_config);
    ASSERT_TRUE(loaded.ok()) << loaded.errors.front();
    const platform::run_results r = platform::run(loaded.config.platform);
    // 100 kHz for 10 ms: one injection every 10 us from t = 10 us.
    EXPECT_EQ(r.injected, 999u);
    EXPECT_EQ(r.delivered + r.coalesced, r.injected);
    EXPECT_EQ(r.lost, 0u);
    EXPECT_TRUE(r.drained);
    EXPECT_EQ(r.ap_list_final_length, 0u);
    EXPECT_GT(r.ap_list_insertions, 0u);
    EXPECT_EQ(r.notifier_calls, r.ap_list_insertions);
    EXPECT_LE(r.notifier_calls, r.delivered);
    EXPECT_EQ(r.instructions.at("VDPEND"), r.injected);
    EXPECT_EQ(r.instructions.at("CDIA"), r.delivered);
    EXPECT_EQ(r.instructions.at("CDEOI"), r.delivered);
    EXPECT_EQ(r.instructions.at("CDDI"), r.delivered);
    EXPECT_GE(r.instructions.at("VDRCFG"), r.ap_list_insertions);
    EXPECT_GT(r.vcpu_exits, 0u);
    EXPECT_LE(r.latency.min_ns, r.latency.p50_ns);
    EXPECT_LE(r.latency.p50_ns, r.latency.p99_ns);
    EXPECT_LE(r.latency.p99_ns, r.latency.max_ns);
    EXPECT_GT(r.latency.min_ns, 0.0);
    EXPECT_EQ(r.unexpected_acknowledges, 0u);
    EXPECT_EQ(r.unexpected_notifications, 0u);
    EXPECT_EQ(r.ignored_requests, 0u);
}

TEST(DefaultScenario, TrackingNoneIssuesNoVdrcfgAndNoNotifier) {
    const gicv5_sim::load_result loaded =
        gicv5_sim::load_config(default_config, {"vms.0.tracking=none"});
    ASSERT_TRUE(loaded.ok()) << loaded.errors.front();
    const platform::run_results r = platform::run(loaded.config.platform);
    EXPECT_EQ(r.lost, 0u);
    EXPECT_EQ(r.delivered + r.coalesced, r.injected);
    EXPECT_EQ(r.instructions.at("VDRCFG"), 0u);
    EXPECT_EQ(r.notifier_calls, 0u);
    EXPECT_EQ(r.ap_list_insertions, 0u);
}

namespace {
// The default scenario with its source level, for 2 ms: every event is delivered or coalesced.
platform::run_results run_level_default(const std::string& tracking) {
    const gicv5_sim::load_result loaded = gicv5_sim::load_config(
        default_config, {"duration=2ms", "sources.0.trigger=level", "vms.0.tracking=" + tracking});
    EXPECT_TRUE(loaded.ok()) << loaded.errors.front();
    const platform::run_results r = platform::run(loaded.config.platform);
    EXPECT_GT(r.injected, 0u);
    EXPECT_EQ(r.lost, 0u);
    EXPECT_EQ(r.delivered + r.coalesced, r.injected);
    EXPECT_TRUE(r.drained);
    // Each line is raised, then dropped when the guest services it.
    EXPECT_EQ(r.instructions.at("VDPEND"), 2 * r.delivered);
    EXPECT_EQ(r.instructions.at("CDHM"), 64u); // the guest made its SPIs level
    EXPECT_EQ(r.spurious, 0u);                 // each drop lands long before the CDDI
    EXPECT_EQ(r.unexpected_acknowledges, 0u);
    EXPECT_EQ(r.unexpected_notifications, 0u);
    return r;
}
} // namespace

TEST(DefaultScenario, LevelSourcesWithAnApListDrainAndEachListingIsNotifiedOnce) {
    const platform::run_results r = run_level_default("ap_list");
    EXPECT_GT(r.ap_list_insertions, 0u);
    EXPECT_EQ(r.notifier_calls, r.ap_list_insertions);
    EXPECT_EQ(r.ap_list_final_length, 0u);
}

TEST(DefaultScenario, LevelSourcesWithTrackingNoneDrainWithoutANotifier) {
    const platform::run_results r = run_level_default("none");
    EXPECT_EQ(r.notifier_calls, 0u);
    EXPECT_EQ(r.instructions.at("VDRCFG"), 0u);
}

namespace {
// The default scenario for 2 ms with `sources` in place of its source: nothing is lost.
platform::run_results run_sources(const std::vector<std::string>& sets) {
    std::vector<std::string> all{"duration=2ms"};
    all.insert(all.end(), sets.begin(), sets.end());
    const gicv5_sim::load_result loaded = gicv5_sim::load_config(default_config, all);
    EXPECT_TRUE(loaded.ok()) << loaded.errors.front();
    const platform::run_results r = platform::run(loaded.config.platform);
    EXPECT_GT(r.injected, 0u);
    EXPECT_EQ(r.lost, 0u);
    EXPECT_EQ(r.delivered + r.coalesced, r.injected);
    EXPECT_TRUE(r.drained);
    EXPECT_EQ(r.ap_list_final_length, 0u);
    EXPECT_EQ(r.spurious, 0u);
    EXPECT_EQ(r.unexpected_acknowledges, 0u);
    EXPECT_EQ(r.unexpected_notifications, 0u);
    return r;
}
} // namespace

TEST(SourceScenario, EdgeAndLevelSourcesOnDisjointRangesOfOneVmBothDrain) {
    const platform::run_results r =
        run_sources({"sources=[{trigger: edge, kind: poisson, spi_count: 40},"
                     " {trigger: level, kind: burst, rate: 20kHz, burst_size: 4, burst_gap: 200ns,"
                     " spi_first: 40}]"});
    EXPECT_EQ(r.instructions.at("CDHM"), 24u); // the guest made the level range level, only
    // Poisson 100 kHz and 4 x 20 kHz for 2 ms: about 200 + 160 events.
    EXPECT_GT(r.injected, 300u);
    EXPECT_LT(r.injected, 420u);
    EXPECT_GT(r.coalesced, 0u); // a burst's level events on one line coalesce
    EXPECT_EQ(r.notifier_calls, r.ap_list_insertions);
}

TEST(SourceScenario, EdgeAndLevelSourcesOnTheSpisOfDifferentVcpusBothDrain) {
    const platform::run_results r = run_sources(
        {"vms.0.vcpus=2", "pes.2.role=vcpu",
         "sources=[{trigger: edge, vcpu: 0, kind: poisson}, {trigger: level, vcpu: 1}]"});
    EXPECT_EQ(r.instructions.at("CDHM"), 32u); // the odd SPIs, routed to vCPU 1
}

TEST(Cli, TheDefaultRunWritesAReportAndExitsZero) {
    const std::string report = ::testing::TempDir() + "/report_default.json";
    ASSERT_EQ(run_cli({default_config, "--report", report, "--quiet"}), 0);
    const nlohmann::json j = read_json(report);
    EXPECT_EQ(j["interrupts"]["lost"], 0);
    EXPECT_EQ(j["interrupts"]["injected"].get<uint64_t>(),
              j["interrupts"]["delivered"].get<uint64_t>() +
                  j["interrupts"]["coalesced"].get<uint64_t>());
    EXPECT_EQ(j["ap_list"]["final_length"], 0);
    for (const char* k : {"min", "p50", "p99", "max"})
        EXPECT_TRUE(j["latency_ns"].contains(k)) << k;
    for (const char* k : {"VDPEND", "VDRCFG", "CDIA", "CDEOI", "CDDI"})
        EXPECT_TRUE(j["instructions"].contains(k)) << k;
    EXPECT_TRUE(j.contains("sim_time_ns"));
    EXPECT_TRUE(j.contains("host_seconds"));
}

TEST(Cli, AFailedExpectationExitsOne) {
    const std::string report = ::testing::TempDir() + "/report_expect.json";
    const std::string cfg = ::testing::TempDir() + "/expect_fails.yaml";
    // Every other key takes its default: injections happen, so this expectation cannot hold.
    std::ofstream(cfg) << "duration: 1ms\nexpect:\n  - interrupts.injected == 0\n";
    EXPECT_EQ(run_cli({cfg, "--report", report, "--quiet"}), 1);
    EXPECT_GT(read_json(report)["interrupts"]["injected"].get<uint64_t>(), 0u);
}

TEST(Cli, ABadConfigExitsTwo) {
    const std::string cfg = ::testing::TempDir() + "/bad.yaml";
    std::ofstream(cfg) << "duration: 10 parsecs\n";
    EXPECT_EQ(run_cli({cfg, "--quiet"}), 2);
}

TEST(Cli, AMissingConfigFileExitsTwo) {
    EXPECT_EQ(run_cli({"/nonexistent/gicv5.yaml", "--quiet"}), 2);
}

TEST(Cli, TheReportHasOneEntryPerVmWithItsPolicysFigures) {
    const std::string cfg = ::testing::TempDir() + "/two_vms.yaml";
    const std::string report = ::testing::TempDir() + "/report_two_vms.json";
    // VM 0 tracks with an AP list and gets a level source; VM 1 tracks nothing.
    std::ofstream(cfg) << "duration: 1ms\n"
                          "pes: [{role: host}, {role: vcpu}, {role: vcpu}]\n"
                          "vms: [{spis: 32, tracking: ap_list}, {spis: 32, tracking: none}]\n"
                          "sources:\n"
                          "  - {trigger: level, rate: 200kHz, vm: 0}\n"
                          "  - {trigger: edge, rate: 200kHz, vm: 1}\n"
                          "expect:\n"
                          "  - vms.0.notifier_latency_ns.p99 <= 60000\n"
                          "  - vms.1.vdrcfg == 0\n";
    ::testing::internal::CaptureStdout();
    const int status = run_cli({cfg, "--report", report});
    const std::string out = ::testing::internal::GetCapturedStdout();
    ASSERT_EQ(status, 0) << out;
    EXPECT_NE(out.find("\nVM 0 (ap_list): "), std::string::npos) << out;
    EXPECT_NE(out.find("\nVM 1 (none): "), std::string::npos) << out;
    const nlohmann::json j = read_json(report);
    EXPECT_EQ(j["interrupts"]["lost"], 0);
    ASSERT_EQ(j["vms"].size(), 2u);
    uint64_t exits = 0, vdpend = 0, vdrcfg = 0;
    for (std::size_t i = 0; i < 2; ++i) {
        const nlohmann::json& v = j["vms"][i];
        SCOPED_TRACE(v.dump());
        EXPECT_EQ(v["vm"], i);
        for (const char* k : {"vcpu_exits", "vdpend", "vdrcfg", "folds"})
            EXPECT_TRUE(v[k].is_number_unsigned()) << k;
        for (const char* k : {"mean", "max"})
            EXPECT_TRUE(v["fold_time_ns"][k].is_number()) << k;
        for (const char* k : {"count", "p50", "p90", "p99", "max", "mean"})
            EXPECT_TRUE(v["notifier_latency_ns"][k].is_number()) << k;
        for (const char* k : {"max_length", "final_length", "insertions", "notifier_calls"})
            EXPECT_TRUE(v["ap_list"][k].is_number_unsigned()) << k;
        for (const char* lock : {"ap_list_lock", "irq_lock"}) {
            EXPECT_TRUE(v["locks"][lock]["contended"].is_number_unsigned()) << lock;
            EXPECT_GE(v["locks"][lock]["wait_ns"].get<double>(), 0.0) << lock;
        }
        EXPECT_GT(v["vcpu_exits"].get<uint64_t>(), 0u);
        EXPECT_EQ(v["ap_list"]["final_length"], 0);
        exits += v["vcpu_exits"].get<uint64_t>();
        vdpend += v["vdpend"].get<uint64_t>();
        vdrcfg += v["vdrcfg"].get<uint64_t>();
    }
    EXPECT_EQ(exits, j["vcpu_exits"].get<uint64_t>());
    EXPECT_EQ(vdpend, j["instructions"]["VDPEND"].get<uint64_t>());
    EXPECT_EQ(vdrcfg, j["instructions"]["VDRCFG"].get<uint64_t>());

    const nlohmann::json& ap = j["vms"][0];
    EXPECT_EQ(ap["tracking"], "ap_list");
    EXPECT_EQ(ap["folds"], ap["vcpu_exits"]); // every exit folds
    EXPECT_GT(ap["fold_time_ns"]["mean"].get<double>(), 0.0);
    EXPECT_GE(ap["fold_time_ns"]["max"].get<double>(), ap["fold_time_ns"]["mean"].get<double>());
    EXPECT_GT(ap["ap_list"]["insertions"].get<uint64_t>(), 0u);
    EXPECT_GE(ap["vdrcfg"].get<uint64_t>(), ap["ap_list"]["insertions"].get<uint64_t>());
    // A level line is raised once per listing (never while listed) and dropped once.
    EXPECT_EQ(ap["vdpend"].get<uint64_t>(), 2 * ap["ap_list"]["insertions"].get<uint64_t>());
    const nlohmann::json& n = ap["notifier_latency_ns"];
    EXPECT_EQ(n["count"], ap["ap_list"]["notifier_calls"]);
    EXPECT_GT(n["count"].get<uint64_t>(), 0u);
    EXPECT_GT(n["p50"].get<double>(), 0.0);
    EXPECT_LE(n["p50"].get<double>(), n["p90"].get<double>());
    EXPECT_LE(n["p90"].get<double>(), n["p99"].get<double>());
    EXPECT_LE(n["p99"].get<double>(), n["max"].get<double>());
    EXPECT_LE(n["mean"].get<double>(), n["max"].get<double>());
    EXPECT_LE(n["max"].get<double>(), 50000.0 + 2000.0); // within one exit interval (50 us)

    const nlohmann::json& none = j["vms"][1];
    EXPECT_EQ(none["tracking"], "none");
    EXPECT_GT(none["vdpend"].get<uint64_t>(), 0u);
    EXPECT_EQ(none["vdrcfg"], 0);
    EXPECT_EQ(none["folds"], 0);
    EXPECT_EQ(none["fold_time_ns"]["max"], 0.0);
    EXPECT_EQ(none["notifier_latency_ns"]["count"], 0);
    EXPECT_EQ(none["notifier_latency_ns"]["p99"], 0.0);
    EXPECT_EQ(none["ap_list"]["insertions"], 0);
    EXPECT_EQ(none["ap_list"]["notifier_calls"], 0);
}

// ---- directed scenarios: configs/physical_*.yaml and virtual_*.yaml, one TEST each ----

namespace {

// The configs/*.yaml names, sorted: the directed scenarios (physical_*, virtual_*) or the rest.
std::vector<std::string> config_names(bool directed) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(GICV5_SOURCE_DIR "/configs")) {
        const std::string name = e.path().stem().string();
        const bool is_directed = name.rfind("physical_", 0) == 0 ||
                                 name.rfind("virtual_", 0) == 0 ||
                                 name.rfind("kvm_selftest_", 0) == 0;
        // iss_*: guest code on an ISS PE, run by tests/iss (they need the guest images).
        if (is_directed == directed && e.path().extension() == ".yaml" &&
            name.rfind("iss_", 0) != 0)
            names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

class DirectedScenario : public ::testing::TestWithParam<std::string> {};

} // namespace

TEST_P(DirectedScenario, RunsWithEveryScriptCheckHeldAndExitsZero) {
    const std::string cfg = std::string(GICV5_SOURCE_DIR) + "/configs/" + GetParam() + ".yaml";
    const std::string report = ::testing::TempDir() + "/report_" + GetParam() + ".json";
    ::testing::internal::CaptureStderr();
    const int status = run_cli({cfg, "--report", report, "--quiet"});
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(status, 0) << err;
    const nlohmann::json j = read_json(report);
    EXPECT_GT(j["script"]["steps"].get<uint64_t>(), 0u);
    // Every step ran: a scenario whose checks were never reached does not pass.
    const gicv5_sim::load_result loaded = gicv5_sim::load_config(cfg);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(j["script"]["steps"].get<uint64_t>(), loaded.config.platform.script.size());
    EXPECT_TRUE(j["script"]["failures"].empty()) << j["script"]["failures"].dump(1);
    EXPECT_GE(j["instructions"]["CDIA"].get<uint64_t>(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Configs, DirectedScenario, ::testing::ValuesIn(config_names(true)),
                         [](const auto& info) { return info.param; });

// ---- workload configs: every other configs/*.yaml runs, drains, loses nothing and meets its
// own expect: block ----

namespace {

class WorkloadConfig : public ::testing::TestWithParam<std::string> {};

} // namespace

TEST_P(WorkloadConfig, DrainsLosesNothingAndMeetsItsExpectations) {
    const std::string cfg = std::string(GICV5_SOURCE_DIR) + "/configs/" + GetParam() + ".yaml";
    const std::string report = ::testing::TempDir() + "/report_" + GetParam() + ".json";
    ::testing::internal::CaptureStderr();
    const int status = run_cli({cfg, "--report", report, "--quiet"});
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(status, 0) << err;
    const nlohmann::json j = read_json(report);
    EXPECT_TRUE(j["drained"].get<bool>());
    EXPECT_EQ(j["interrupts"]["lost"].get<uint64_t>(), 0u);
    EXPECT_GT(j["interrupts"]["delivered"].get<uint64_t>(), 0u);
    EXPECT_EQ(j["checks"]["unexpected_acknowledges"].get<uint64_t>(), 0u);
    EXPECT_EQ(j["checks"]["unexpected_notifications"].get<uint64_t>(), 0u);
    for (const auto& vm : j["vms"])
        EXPECT_EQ(vm["ap_list"]["final_length"].get<uint64_t>(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Configs, WorkloadConfig, ::testing::ValuesIn(config_names(false)),
                         [](const auto& info) { return info.param; });

TEST(DirectedScenarioCli, AWrongScriptExpectationIsPrintedAndExitsOne) {
    const std::string cfg = ::testing::TempDir() + "/script_fails.yaml";
    const std::string report = ::testing::TempDir() + "/report_script_fails.json";
    // IRS_IDR5.SPI_RANGE is 64 by default; the next step still runs.
    std::ofstream(cfg) << "pes: [{role: script}]\nvms: []\nsources: []\nscript:\n"
                          "  - {pe: 0, mmio_read: 0x2f1a0014, expect: 65}\n"
                          "  - {pe: 0, mmio_read: 0x2f1a0014, expect: 64}\n";
    ::testing::internal::CaptureStderr();
    const int status = run_cli({cfg, "--report", report, "--quiet"});
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(status, 1);
    const std::string failure = "script.0 (" + cfg +
                                ":5): pe 0: mmio_read 0x2f1a0014 size 4: "
                                "expected 0x41, got 0x40";
    EXPECT_EQ(err, "script step failed: " + failure + "\n");
    const nlohmann::json j = read_json(report);
    EXPECT_EQ(j["script"]["steps"], 2);
    EXPECT_EQ(j["script"]["failures"], nlohmann::json::array({failure}));
}

TEST(Cli, TheReportHasPerHopLatenciesPerVm) {
    const std::string cfg = ::testing::TempDir() + "/hops.yaml";
    const std::string report = ::testing::TempDir() + "/report_hops.json";
    // One single-vCPU VM per policy, edge sources; no ISTE cache, so every ISTE write is a
    // memory read and a memory write.
    std::ofstream(cfg) << "duration: 500us\n"
                          "memory: {read_latency: 40ns, write_latency: 30ns}\n"
                          "irs: {iste_cache: 0}\n"
                          "pes: [{role: host}, {role: vcpu}, {role: vcpu}]\n"
                          "vms: [{spis: 32, tracking: ap_list}, {spis: 32, tracking: none}]\n"
                          "sources:\n"
                          "  - {trigger: edge, rate: 200kHz, vm: 0}\n"
                          "  - {trigger: edge, rate: 200kHz, vm: 1}\n";
    ::testing::internal::CaptureStdout();
    const int status = run_cli({cfg, "--report", report});
    const std::string out = ::testing::internal::GetCapturedStdout();
    ASSERT_EQ(status, 0) << out;
    const nlohmann::json j = read_json(report);
    ASSERT_EQ(j["vms"].size(), 2u);
    const char* hops[] = {"ap_list_lock", "vdpend_issue", "ist_write",
                          "hppi_offer",   "virq_to_cdia", "irs_queue"};
    for (std::size_t i = 0; i < 2; ++i) {
        const nlohmann::json& v = j["vms"][i];
        SCOPED_TRACE(v.dump());
        ASSERT_TRUE(v.contains("hops_ns"));
        const nlohmann::json& h = v["hops_ns"];
        ASSERT_EQ(h.size(), std::size(hops));
        for (const char* hop : hops) {
            const nlohmann::json& d = h[hop];
            SCOPED_TRACE(hop);
            for (const char* f : {"count", "p50", "p90", "p99", "max", "mean"})
                ASSERT_TRUE(d[f].is_number()) << f;
            EXPECT_GE(d["p50"].get<double>(), 0.0);
            EXPECT_LE(d["p50"].get<double>(), d["p90"].get<double>());
            EXPECT_LE(d["p90"].get<double>(), d["p99"].get<double>());
            EXPECT_LE(d["p99"].get<double>(), d["max"].get<double>());
            EXPECT_LE(d["mean"].get<double>(), d["max"].get<double>());
        }
        const uint64_t delivered = v["latency_ns"]["count"].get<uint64_t>();
        EXPECT_GT(delivered, 0u);
        EXPECT_EQ(h["vdpend_issue"]["count"], v["vdpend"]);
        EXPECT_GT(h["vdpend_issue"]["p50"].get<double>(), 0.0);
        EXPECT_GE(h["ist_write"]["count"].get<uint64_t>(), delivered);
        EXPECT_GE(h["ist_write"]["p50"].get<double>(), 40.0 + 30.0);
        EXPECT_GE(h["hppi_offer"]["count"].get<uint64_t>(), delivered);
        EXPECT_GT(h["hppi_offer"]["p50"].get<double>(), 0.0);
        EXPECT_GE(h["virq_to_cdia"]["count"].get<uint64_t>(), delivered);
        EXPECT_GE(h["irs_queue"]["count"].get<uint64_t>(), v["vdpend"].get<uint64_t>());
    }
    const nlohmann::json& ap = j["vms"][0]["hops_ns"]["ap_list_lock"];
    EXPECT_EQ(ap["count"], j["vms"][0]["ap_list"]["insertions"]); // no retries with one host PE
    EXPECT_GT(ap["p50"].get<double>(), 0.0);
    EXPECT_EQ(j["vms"][1]["hops_ns"]["ap_list_lock"]["count"], 0);
    EXPECT_EQ(j["vms"][1]["hops_ns"]["ap_list_lock"]["max"], 0.0);
}

TEST(Cli, TheReportHasTheTimedResourcesAndTheSummaryTheBusiest) {
    const std::string report = ::testing::TempDir() + "/report_resources.json";
    ::testing::internal::CaptureStdout();
    const int status = run_cli({default_config, "--report", report});
    const std::string out = ::testing::internal::GetCapturedStdout();
    ASSERT_EQ(status, 0) << out;
    const nlohmann::json j = read_json(report);
    ASSERT_TRUE(j["resources"].is_object());
    for (const char* name : {"irs_engine", "irs_table_port", "irs_link_down0", "cpuif0_link_up",
                             "bus", "memory_banks"})
        EXPECT_TRUE(j["resources"].contains(name)) << name << " in " << j["resources"].dump();
    const nlohmann::json& e = j["resources"]["irs_engine"];
    SCOPED_TRACE(e.dump());
    EXPECT_EQ(e["servers"], 1);
    EXPECT_GT(e["requests"].get<uint64_t>(), 0u);
    EXPECT_GE(e["utilisation"].get<double>(), 0.0);
    EXPECT_LT(e["utilisation"].get<double>(), 1.0);
    EXPECT_EQ(e["queueing_ns"]["count"], e["requests"]);
    EXPECT_LE(e["waited"].get<uint64_t>(), e["requests"].get<uint64_t>());
    EXPECT_TRUE(e["max_queue"].is_number_unsigned());
    for (const char* k : {"shifted", "mean_ns", "max_ns"})
        EXPECT_TRUE(e["shortfall"][k].is_number()) << k;
    EXPECT_TRUE(e["late"].is_number_unsigned());
    const nlohmann::json& q = j["vms"][0]["hops_ns"]["irs_queue"];
    EXPECT_GT(q["count"].get<uint64_t>(), 0u) << q.dump();
    EXPECT_LE(q["p50"].get<double>(), q["max"].get<double>());
    EXPECT_NE(out.find("\nresources: busiest "), std::string::npos) << out;
}

TEST(Cli, TheReportHasTheLatenciesOfEachVcpuAndTheyAddUpToTheVms) { // issue 6 point 4
    const std::string cfg = ::testing::TempDir() + "/per_vcpu.yaml";
    const std::string report = ::testing::TempDir() + "/report_per_vcpu.json";
    // Three vCPUs on two PEs: vCPUs 0 and 2 share PE 1, so they wait for each other's turns.
    std::ofstream(cfg) << "duration: 2ms\n"
                          "hypervisor: {time_slice: 200us}\n"
                          "pes: [{role: host}, {role: vcpu}, {role: vcpu}]\n"
                          "vms: [{spis: 30, vcpus: 3}]\n"
                          "sources: [{rate: 200kHz, vm: 0}]\n";
    ASSERT_EQ(run_cli({cfg, "--report", report, "--quiet"}), 0);
    const nlohmann::json j = read_json(report);
    const auto& vm = j["vms"][0];
    ASSERT_EQ(vm["per_vcpu"].size(), 3u);
    uint64_t total = 0, handled = 0, notified = 0;
    for (const auto& c : vm["per_vcpu"]) {
        EXPECT_GT(c["latency_ns"]["count"].get<uint64_t>(), 0u);
        EXPECT_LE(c["latency_ns"]["p50"].get<double>(), c["latency_ns"]["p99"].get<double>());
        total += c["latency_ns"]["count"].get<uint64_t>();
        handled += c["handling_ns"]["count"].get<uint64_t>();
        notified += c["notifier_latency_ns"]["count"].get<uint64_t>();
    }
    EXPECT_EQ(total, vm["latency_ns"]["count"].get<uint64_t>());
    EXPECT_EQ(handled, vm["handling_ns"]["count"].get<uint64_t>());
    EXPECT_EQ(notified, vm["notifier_latency_ns"]["count"].get<uint64_t>());
    // vCPU 1 has PE 2 to itself; vCPUs 0 and 2 wait for their turns.
    EXPECT_LT(vm["per_vcpu"][1]["latency_ns"]["p99"].get<double>(),
              vm["per_vcpu"][0]["latency_ns"]["p99"].get<double>());
}

TEST(Cli, DumpTablesPrintsTheVmTableAndTheVistEntriesTheRunLeft) {
    // virtual_kvm_bringup.yaml maps VM 1 with two vPEs and leaves vSPI 9 pending for vPE 1
    // (not resident: it rang the doorbell instead).
    const std::string cfg = std::string(GICV5_SOURCE_DIR) + "/configs/virtual_kvm_bringup.yaml";
    const std::string report = ::testing::TempDir() + "gicv5_dump_tables.json";
    ::testing::internal::CaptureStdout();
    const int status =
        run_cli({cfg, "--report", report, "--quiet", "--dump-tables", "--dump-tables-at", "1ns"});
    const std::string out = ::testing::internal::GetCapturedStdout();
    EXPECT_EQ(status, 0);
    // First the dump at 1 ns (the PEs may have run up to a quantum ahead by then), then the
    // one at the end.
    const std::size_t end = out.find("tables at ", 1);
    ASSERT_EQ(out.rfind("tables at 1 ns\n", 0), 0u) << out;
    ASSERT_NE(end, std::string::npos) << out;
    const std::string last = out.substr(end);
    for (const char* line :
         {"IST (physical LPIs): linear, 12 ID bits, 4-byte ISTEs, at 0x80110000\n",
          "    LPI 200: 0xf808 enabled edge priority 0x1f IAFFID 0\n",
          "VM table: linear, 16 VM IDs, at 0x80100000\n",
          "VM 1: VMTE at 0x80100020, VM descriptor 0x80103000, vPE table 0x80101000",
          "  vPE 1: descriptor 0x80103080\n", "  LPI vIST: not valid\n",
          "  SPI vIST: linear, 5 ID bits, 4-byte ISTEs, at 0x80102000\n",
          "    vSPI 9: 0x18009 pending enabled edge priority 0x10 vPE 1\n"})
        EXPECT_NE(last.find(line), std::string::npos) << line << "\nin\n" << last;
    EXPECT_EQ(last.find("VM 0:"), std::string::npos); // only VM 1 is valid
}
