// The ISS scenarios (configs/iss_*.yaml), each run through gicv5-sim in this process: exit 0, a
// report whose iss entries carry each guest's own verdict (0) and its instruction count, and,
// where the scenario injects virtual SPIs, a scoreboard that lost nothing and agrees with the
// guests' own counts. Built only with the guest images (aarch64-linux-gnu-gcc).
#include "sim/sim_test_util.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

namespace {

nlohmann::json run(const std::string& name) {
    const std::string cfg = std::string(GICV5_SOURCE_DIR) + "/configs/" + name + ".yaml";
    const std::string report = ::testing::TempDir() + "/report_" + name + ".json";
    ::testing::internal::CaptureStderr();
    const int status = sim_test::run_cli({cfg, "--report", report, "--quiet"});
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(status, 0) << err;
    std::ifstream in(report);
    return nlohmann::json::parse(in);
}

} // namespace

TEST(IssScenario, PhysicalGuestBringsTheIrsUpAndHandlesEdgeAndLevelSpis) {
    const nlohmann::json j = run("iss_physical_spis");
    ASSERT_EQ(j["iss"].size(), 1u);
    const nlohmann::json& g = j["iss"][0];
    EXPECT_TRUE(g["passed"].get<bool>()) << g.dump(1);
    EXPECT_EQ(g["verdict"], 0);
    EXPECT_EQ(g["vm"], -1); // a physical PE
    EXPECT_GT(g["instructions"].get<uint64_t>(), 10000u);
    EXPECT_EQ(g["irqs"], 18);           // 9 edge and 9 level SPIs, each taken once
    EXPECT_EQ(g["values"][0], 9);       // the guest's own counts
    EXPECT_EQ(g["values"][1], 9);
    EXPECT_EQ(j["instructions"]["CDIA"], 18); // every acknowledge was a GICR CDIA it trapped
    EXPECT_TRUE(j["script"]["failures"].empty()) << j["script"]["failures"].dump(1);
}

TEST(IssScenario, VirtualGuestsTakeEveryInjectionWithBothTrackingPolicies) {
    const nlohmann::json j = run("iss_virtual_spis");
    ASSERT_EQ(j["iss"].size(), 2u);
    uint64_t handled = 0;
    for (const nlohmann::json& g : j["iss"]) {
        EXPECT_TRUE(g["passed"].get<bool>()) << g.dump(1);
        EXPECT_GE(g["vm"].get<int>(), 0);
        EXPECT_GT(g["instructions"].get<uint64_t>(), 1000u);
        EXPECT_EQ(g["values"][3], 0); // nothing unexpected acknowledged
        handled += g["values"][0].get<uint64_t>();
    }
    EXPECT_EQ(j["vms"][0]["tracking"], "ap_list");
    EXPECT_EQ(j["vms"][1]["tracking"], "none");
    EXPECT_TRUE(j["drained"].get<bool>());
    EXPECT_EQ(j["interrupts"]["lost"], 0);
    EXPECT_GT(j["interrupts"]["delivered"].get<uint64_t>(), 0u);
    EXPECT_EQ(handled, j["interrupts"]["delivered"].get<uint64_t>()); // the scoreboard agrees
    EXPECT_EQ(j["checks"]["unexpected_acknowledges"], 0);
    EXPECT_GT(j["vms"][0]["vdpend"].get<uint64_t>(), 0u);
    EXPECT_GT(j["vms"][1]["vdpend"].get<uint64_t>(), 0u);
}
