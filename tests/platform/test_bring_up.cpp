// The sources' window begins when the hypervisor's bring-up ends: a run's figures measure the
// delivery path, not the backlog of events raised while the VMs were still being built; and a run
// whose sources injected nothing says so.
#include "platform/run.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace platform;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

// n VMs of one vCPU and one host PE; a 100 kHz source on VM 0, whose vCPU has a PE of its own
// (the others idle on a second one). Building a VM takes several IRS operations
// (timing.irs_op, 1 us), so 16 of them take longer than the window.
platform_config many_vms(unsigned n, const sc_time& duration) {
    platform_config c;
    c.duration = duration;
    c.pes = {pe_config{pe_role::host}, pe_config{pe_role::vcpu}, pe_config{pe_role::vcpu}};
    c.vms.assign(n, vm_config{});
    for (unsigned v = 0; v < n; ++v) {
        c.vms[v].placement = {v == 0 ? 1u : 2u};
        c.vms[v].guest.wfi = v != 0;
    }
    return c;
}

} // namespace

TEST(BringUp, TheSourcesInjectForTheirWholeWindowAfterABringUpLongerThanIt) {
    const sc_time window(40, SC_US);
    const run_results r = run(many_vms(16, window));
    EXPECT_GT(r.sources_start_ns, 40000.0) << "the bring-up is meant to outlast the window";
    // 100 kHz over 40 us from the end of the bring-up: one period in, then every period, up to
    // the window's end excluded.
    EXPECT_EQ(r.injected, 3u);
    EXPECT_EQ(r.lost, 0u);
    // None carries the hypervisor's bring-up (over 40 us). One may meet its guest's own IRS
    // bring-up, two trapped accesses of about a microsecond each with their exits.
    EXPECT_LT(r.latency.max_ns, 5000.0);
    EXPECT_GE(r.sim_time_ns, r.sources_start_ns + 40000.0);
    EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
}

TEST(BringUp, TheSourcesStartAtAQuantumBoundarySoTheirPhaseToTheQuantumIsFixed) {
    // However long the bring-up took, the window begins on a multiple of the quantum: the PEs
    // then synchronise at the same points of each injection's path on any platform.
    platform_config c = many_vms(3, sc_time(30, SC_US));
    c.timing.quantum = sc_time(300, sc_core::SC_NS);
    const run_results r = run(c);
    EXPECT_GT(r.sources_start_ns, 0.0);
    EXPECT_EQ(std::fmod(r.sources_start_ns, 300.0), 0.0) << r.sources_start_ns;
    EXPECT_EQ(r.injected, 2u); // at 10 and 20 us into the window
    EXPECT_EQ(r.lost, 0u);
}

TEST(BringUp, ARunWhoseSourcesInjectedNothingWarns) {
    platform_config c = many_vms(1, sc_time(5, SC_US)); // a 100 kHz source: first event at 10 us
    const run_results r = run(c);
    EXPECT_EQ(r.injected, 0u);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("injected nothing"), std::string::npos) << r.warnings[0];
}
