// The run loop (platform/run.h): how it reports progress without a process of its own, whatever the
// duration, and what a long drain costs.
#include "platform/run.h"
#include "platform/script.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

using namespace platform;

namespace {

// One script PE that waits `wait`; no VMs, no sources.
platform_config waiting_config(const sc_core::sc_time& duration, const sc_core::sc_time& wait) {
    platform_config c;
    c.duration = duration;
    c.pes.assign(1, pe_config{pe_role::script});
    c.vms.clear();
    c.sources.clear();
    script_step s;
    s.kind = script_kind::wait;
    s.time = wait;
    c.script = {s};
    return c;
}

struct progress_log {
    std::vector<sc_core::sc_time> at;
    progress_fn fn() {
        return [this](const sc_core::sc_time& now, double) { at.push_back(now); };
    }
};

} // namespace

// duration / 100 rounds to zero below 100 resolution units: the cuts must still move forward.
TEST(RunLoop, ADurationOfOnePicosecondEnds) {
    progress_log log;
    const run_results r = run(waiting_config(sc_core::sc_time(1, sc_core::SC_PS),
                                             sc_core::sc_time(3, sc_core::SC_PS)),
                              nullptr, log.fn());
    EXPECT_GE(sc_core::sc_time_stamp(), sc_core::sc_time(3, sc_core::SC_PS));
    EXPECT_TRUE(r.script_failures.empty());
    ASSERT_FALSE(log.at.empty());
    for (std::size_t i = 1; i < log.at.size(); ++i)
        EXPECT_GT(log.at[i], log.at[i - 1]) << "progress reported twice at the same time";
}

// A script wait 100,000 durations long: progress every 1/100 of the duration up to it, then at
// doubling intervals, so the drain costs a few dozen cuts, not ten million.
TEST(RunLoop, AWaitFarBeyondTheDurationCostsCutsThatGrowWithItsLogarithm) {
    progress_log log;
    const sc_core::sc_time duration(10, sc_core::SC_US), wait(1, sc_core::SC_SEC);
    run(waiting_config(duration, wait), nullptr, log.fn());
    EXPECT_GE(sc_core::sc_time_stamp(), wait);
    const auto before = std::count_if(log.at.begin(), log.at.end(),
                                      [&](const sc_core::sc_time& t) { return t <= duration; });
    EXPECT_EQ(before, 100);
    // log2(1 s / 100 ns) is about 23.
    EXPECT_LE(log.at.size() - before, 30u);
    EXPECT_GE(log.at.size() - before, 15u);
}
