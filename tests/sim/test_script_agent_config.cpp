// The agent steps, guest targets and `at` of a config's `script:` list: each form loads into a
// typed step, and wrong combinations are rejected with FILE:LINE:COLUMN, the key path and what
// was expected. Nothing here runs a simulation.
#include "config_loader.h"

#include "sim/sim_test_util.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace gicv5_sim;
using platform::script_kind;

using sim_test::all;
using sim_test::write_file;

// A host, a vCPU and a script PE; one VM of 2 vCPUs and 32 SPIs, and one waiting for a
// restore; no sources.
const std::string header = "pes: [{role: host}, {role: vcpu}, {role: script}]\n"
                           "vms: [{spis: 32, vcpus: 2}, {spis: 32, boot: restore}]\n"
                           "sources: []\nscript:\n";

TEST(ScriptAgentConfig, EveryAgentStepGuestTargetAndAtLoads) {
    const std::string path =
        write_file(header + R"(  - {pe: 2, at: 20us, kvm_irq_line: {vm: 0, spi: 5, level: 1}}
  - {pe: 2, kvm_irq_line: {vm: 0, vcpu: 1, ppi: 3, level: 0}}
  - {pe: 2, irqfd: {vm: 0, spi: 6}}
  - {pe: 2, resample_irqfd: {vm: 0, spi: 7}}
  - {pe: 2, vcpu_kick: {vm: 0, vcpu: 1}}
  - {pe: 2, ist_save: {vm: 0, keep_quiesced: 1}}
  - {pe: 2, ist_restore: {vm: 1, from: 0, resave: 1}}
  - {pe: 2, vm_teardown: {vm: 0}}
  - {pe: 2, expect_agent: {vm: 0, spi: 5, listed: 1, notifier_calls: 2}}
  - {pe: 2, expect_agent: {vm: 0, ap_list_length: 1, vdpend: 3, vdrcfg: 4, last_vdpend: 0x8000000060000005}}
  - {pe: 2, sys: GIC CDEN, xt: 0x60000005, vm: 0, vcpu: 1}
  - {pe: 2, mmio_read: 0x2f1a0000, vm: 0, vcpu: 0, at: 50us}
  - {pe: 2, wfi: {vm: 0, vcpu: 1}}
)");
    const load_result r = load_config(path);
    ASSERT_TRUE(r.ok()) << all(r.errors);
    const std::vector<platform::script_step>& s = r.config.platform.script;
    ASSERT_EQ(s.size(), 13u);
    EXPECT_EQ(s[0].kind, script_kind::kvm_irq_line);
    EXPECT_EQ(s[0].at, sc_core::sc_time(20, sc_core::SC_US));
    EXPECT_EQ(s[0].agent.spi, 5u);
    EXPECT_FALSE(s[0].agent.ppi);
    EXPECT_TRUE(s[0].agent.level);
    EXPECT_EQ(s[1].agent.vcpu, 1u);
    EXPECT_EQ(s[1].agent.ppi, 3u);
    EXPECT_FALSE(s[1].agent.level);
    EXPECT_FALSE(s[1].at);
    EXPECT_EQ(s[2].kind, script_kind::irqfd);
    EXPECT_EQ(s[2].agent.spi, 6u);
    EXPECT_EQ(s[3].kind, script_kind::resample_irqfd);
    EXPECT_EQ(s[4].kind, script_kind::vcpu_kick);
    EXPECT_EQ(s[4].agent.vcpu, 1u);
    EXPECT_EQ(s[5].kind, script_kind::ist_save);
    EXPECT_TRUE(s[5].agent.keep_quiesced);
    EXPECT_EQ(s[6].kind, script_kind::ist_restore);
    EXPECT_TRUE(s[6].agent.resave);
    EXPECT_EQ(s[7].kind, script_kind::vm_teardown);
    EXPECT_EQ(s[8].kind, script_kind::expect_agent);
    EXPECT_EQ(s[8].agent.listed, 1u);
    EXPECT_EQ(s[8].agent.notifier_calls, 2u);
    EXPECT_FALSE(s[8].agent.vdpend);
    EXPECT_EQ(s[9].agent.ap_list_length, 1u);
    EXPECT_EQ(s[9].agent.vdpend, 3u);
    EXPECT_EQ(s[9].agent.vdrcfg, 4u);
    EXPECT_EQ(s[9].agent.last_vdpend, 0x8000000060000005u);
    ASSERT_TRUE(s[10].guest);
    EXPECT_EQ(s[10].guest->vm, 0u);
    EXPECT_EQ(s[10].guest->vcpu, 1u);
    EXPECT_FALSE(s[9].guest);
    ASSERT_TRUE(s[11].guest);
    EXPECT_EQ(s[11].at, sc_core::sc_time(50, sc_core::SC_US));
    EXPECT_EQ(s[12].kind, script_kind::wfi);
    EXPECT_EQ(s[12].agent.vcpu, 1u);
}

TEST(ScriptAgentConfig, KvmIrqLineWantsExactlyOneOfSpiAndPpiAndOnlySwPpiWithItsVcpu) {
    const std::string path =
        write_file(header + R"(  - {pe: 2, kvm_irq_line: {vm: 0, spi: 5, ppi: 3, level: 1}}
  - {pe: 2, kvm_irq_line: {vm: 0, ppi: 3, level: 1}}
  - {pe: 2, kvm_irq_line: {vm: 0, vcpu: 0, spi: 5, level: 1}}
  - {pe: 2, kvm_irq_line: {vm: 0, vcpu: 0, ppi: 27, level: 1}}
  - {pe: 2, kvm_irq_line: {vm: 0, spi: 5}}
  - {pe: 2, kvm_irq_line: {spi: 5, level: 1}}
)");
    const load_result r = load_config(path);
    const std::vector<std::string> want = {
        path + ":5:27: script.0.kvm_irq_line: expected exactly one of spi (an SPI of the VM) and "
               "ppi (with vcpu), got '{vm: 0, spi: 5, ppi: 3, level: 1}'",
        path + ":6:27: script.1.kvm_irq_line: expected a key vcpu with ppi (the vCPU whose PPI "
               "it is), got '{vm: 0, ppi: 3, level: 1}'",
        path + ":7:41: script.2.kvm_irq_line.vcpu: expected no vcpu with spi (an SPI belongs to "
               "its VM), got '0'",
        path + ":8:49: script.3.kvm_irq_line.ppi: expected 3 (SW_PPI), the only PPI "
               "KVM_IRQ_LINE drives for a guest, got '27'",
        path + ":9:27: script.4.kvm_irq_line: expected a key level, got '{vm: 0, spi: 5}'",
        path + ":10:27: script.5.kvm_irq_line: expected a key vm, got '{spi: 5, level: 1}'"};
    EXPECT_EQ(r.errors, want);
}

TEST(ScriptAgentConfig, EachAgentStepWantsItsOperandsAndNoOthers) {
    const std::string path = write_file(header + R"(  - {pe: 2, irqfd: {vm: 0}}
  - {pe: 2, resample_irqfd: {vm: 0, spi: 1, level: 1}}
  - {pe: 2, vcpu_kick: {vm: 0}}
  - {pe: 2, ist_restore: {vm: 0}}
  - {pe: 2, vm_teardown: 0}
  - {pe: 2, expect_agent: {vm: 0}}
  - {pe: 2, expect_agent: {vm: 0, listed: 1}}
  - {pe: 2, expect_agent: {vm: 0, spi: 1, vdpend: 1}}
  - {pe: 2, expect_agent: {vm: 0, spi: 1, listed: 2}}
  - {pe: 2, wfi: {vm: 0}}
)");
    const load_result r = load_config(path);
    const std::vector<std::string> want = {
        path + ":5:20: script.0.irqfd: expected a key spi, got '{vm: 0}'",
        path + ":6:45: script.1.resample_irqfd.level: expected one of the keys vm, spi, got "
               "'level'",
        path + ":7:24: script.2.vcpu_kick: expected a key vcpu, got '{vm: 0}'",
        path + ":8:26: script.3.ist_restore: expected a key from (the VM whose saved image is "
               "restored), got '{vm: 0}'",
        path + ":9:26: script.4.vm_teardown: expected a mapping with keys vm, got '0'",
        path + ":10:27: script.5.expect_agent: expected at least one of ap_list_length, listed, "
               "notifier_calls, vdpend, vdrcfg, last_vdpend, got '{vm: 0}'",
        path + ":11:27: script.6.expect_agent: expected a key spi with listed or notifier_calls "
               "(the SPI they are of), got '{vm: 0, listed: 1}'",
        path + ":12:40: script.7.expect_agent.spi: expected spi only with listed or "
               "notifier_calls, got '1'",
        path + ":13:51: script.8.expect_agent.listed: expected an integer in 0..1, got '2'",
        path + ":14:18: script.9.wfi: expected a key vcpu, got '{vm: 0}'"};
    EXPECT_EQ(r.errors, want);
}

TEST(ScriptAgentConfig, AGuestTargetWantsVmAndVcpuOnAStepThatCanRunAsAGuest) {
    const std::string path =
        write_file(header + R"(  - {pe: 2, sys: GIC CDEN, xt: 0x60000005, vm: 0}
  - {pe: 2, wait: 1us, vm: 0, vcpu: 0}
)");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 3u) << all(r.errors);
    EXPECT_EQ(r.errors[0], path + ":5:44: script.0.vm: expected vm and vcpu together (a guest "
                                  "step runs as vCPU vcpu of VM vm), got 'vm'");
    EXPECT_EQ(r.errors[1], path + ":6:24: script.1.vm: expected one of the keys pe, at, wait in a "
                                  "wait step, got 'vm'");
    EXPECT_EQ(r.errors[2].rfind(path + ":6:31: script.1.vcpu: expected one of the keys", 0), 0u)
        << r.errors[2];
}

TEST(ScriptAgentConfig, AnAtBeforeAnEarlierAtOfItsPeAndARestoreOfNothingSavedAreRejected) {
    const std::string path =
        write_file(header + R"(  - {pe: 2, at: 20us, vcpu_kick: {vm: 0, vcpu: 0}}
  - {pe: 2, at: 10us, vcpu_kick: {vm: 0, vcpu: 0}}
  - {pe: 2, at: 20us, vcpu_kick: {vm: 0, vcpu: 0}}
  - {pe: 2, at: 1ns, wait: 1us}
  - {pe: 2, ist_restore: {vm: 0, from: 0}}
  - {pe: 2, ist_save: {vm: 0}}
  - {pe: 2, ist_restore: {vm: 0, from: 0}}
  - {pe: 2, at: forever, wait: 1us}
)");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 4u) << all(r.errors);
    EXPECT_EQ(r.errors[0].rfind(path + ":12:17: script.7.at: expected a duration", 0), 0u)
        << r.errors[0];
    EXPECT_EQ(r.errors[1], path + ":6:17: script.1.at: expected a time no earlier than the at of "
                                  "step 0 of PE 2 (20us), got '10us'");
    EXPECT_EQ(r.errors[2], path + ":8:17: script.3.at: expected a time no earlier than the at of "
                                  "step 2 of PE 2 (20us), got '1ns'");
    EXPECT_EQ(r.errors[3], path + ":9:40: script.4.ist_restore.from: expected a VM saved by an "
                                  "earlier ist_save step of PE 2, got '0'");
}

// resave is a level: a restore without it does not save again.
TEST(ScriptAgentConfig, AnIstRestoresResaveIsZeroOrOne) {
    const std::string path = write_file(header + R"(  - {pe: 2, ist_save: {vm: 0}}
  - {pe: 2, ist_restore: {vm: 1, from: 0}}
  - {pe: 2, ist_restore: {vm: 1, from: 0, resave: 2}}
)");
    const load_result r = load_config(path);
    const std::vector<std::string> want = {
        path + ":7:51: script.2.ist_restore.resave: expected one of 0, 1, got '2'"};
    EXPECT_EQ(r.errors, want);
}

// A restore goes into a VM that waits for one (boot: restore), and such a VM gets one, or its
// vCPUs would never run.
TEST(ScriptAgentConfig, ARestoreWantsAVmWaitingForOneAndSuchAVmWantsARestore) {
    const std::string path = write_file(header + R"(  - {pe: 2, ist_save: {vm: 0}}
  - {pe: 2, ist_restore: {vm: 0, from: 0}}
)");
    const load_result r = load_config(path);
    ASSERT_FALSE(r.ok());
    const std::string errors = all(r.errors);
    EXPECT_NE(errors.find("script.1.ist_restore.vm: expected a VM with boot: restore, got VM 0"),
              std::string::npos)
        << errors;
    EXPECT_NE(errors.find("vms.1.boot: expected an ist_restore step for a VM with boot: restore"),
              std::string::npos)
        << errors;
}

// The topology check of agent and guest operands (platform::check_script_targets()), on a
// config already loaded: indices within the config's VMs, vCPUs and SPIs.
TEST(ScriptAgentConfig, AgentAndGuestOperandsMustNameAVmVcpuAndSpiOfTheConfig) {
    const std::string path =
        write_file(header + R"(  - {pe: 2, kvm_irq_line: {vm: 2, spi: 5, level: 1}}
  - {pe: 2, irqfd: {vm: 0, spi: 32}}
  - {pe: 2, vcpu_kick: {vm: 0, vcpu: 2}}
  - {pe: 2, sys: GIC CDEN, vm: 0, vcpu: 2}
  - {pe: 2, sysreg_read: ICC_PCR_EL1, vm: 3, vcpu: 0}
  - {pe: 2, ist_save: {vm: 0}}
  - {pe: 2, ist_restore: {vm: 0, from: 0}}
  - {pe: 2, expect_agent: {vm: 0, spi: 31, listed: 0}}
  - {pe: 2, wfi: {vm: 0, vcpu: 2}}
)");
    const load_result r = load_config(path);
    std::vector<std::string> problems;
    platform::check_script_targets(r.config.platform,
                                   [&](const std::string& key, const std::string& what) {
                                       problems.push_back(key + ": " + what);
                                   });
    const std::vector<std::string> want = {
        "script.0.kvm_irq_line.vm: expected a VM index below 2 (the number of vms), got 2",
        "script.1.irqfd.spi: expected an SPI of VM 0, below vms.0.spis = 32, got 32",
        "script.2.vcpu_kick.vcpu: expected a vCPU of VM 0, below vms.0.vcpus = 2, got 2",
        "script.3.vcpu: expected a vCPU of VM 0, below vms.0.vcpus = 2, got 2",
        "script.4.vm: expected a VM index below 2 (the number of vms), got 3",
        "script.8.wfi.vcpu: expected a vCPU of VM 0, below vms.0.vcpus = 2, got 2"};
    EXPECT_EQ(problems, want);
}

} // namespace
