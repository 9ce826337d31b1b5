// Directed scripts (platform/script.h) run on the assembled platform: steps, checks and the
// messages of failed checks, and the mnemonics taken from the instruction table.
#include "common/scripted_platform.h"
#include "platform/run.h"
#include "platform/script.h"
#include "tlm_gicv5/intid.h"
#include "tlm_gicv5/irs_regs.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace platform;
using gicv5::gic_insn;
using gicv5::sysreg;

namespace {

constexpr uint64_t SPI5 = 0x60000005; // INTID of SPI 5 (reference §9.3)

uint64_t irs(gicv5::irs_reg r) { return irs_config{}.config_frame + gicv5::desc(r).offset; }

script_step step(script_kind kind, unsigned pe = 0) {
    script_step s;
    s.kind = kind;
    s.pe = pe;
    return s;
}
script_step mmio_write(uint64_t addr, uint64_t value) {
    script_step s = step(script_kind::mmio_write);
    s.addr = addr;
    s.value = value;
    return s;
}
script_step mmio_read(uint64_t addr, std::optional<uint64_t> expect) {
    script_step s = step(script_kind::mmio_read);
    s.addr = addr;
    s.expect = expect;
    return s;
}
script_step sys(gic_insn i, uint64_t xt = 0, std::optional<uint64_t> expect = {}, unsigned pe = 0) {
    script_step s = step(script_kind::sys, pe);
    s.insn = i;
    s.xt = xt;
    s.expect = expect;
    return s;
}
script_step sysreg_write(sysreg r, uint64_t value, unsigned pe = 0) {
    script_step s = step(script_kind::sysreg_write, pe);
    s.reg = r;
    s.value = value;
    return s;
}
script_step spi_line(uint32_t spi, bool level) {
    script_step s = step(script_kind::spi_line);
    s.spi = spi;
    s.level = level;
    return s;
}
script_step idle(const sc_core::sc_time& t, unsigned pe = 0) {
    script_step s = step(script_kind::wait, pe);
    s.time = t;
    return s;
}
script_step expect_line(unsigned target, cpu_stubs::pe_line l, bool level, unsigned pe = 0) {
    script_step s = step(script_kind::expect_line, pe);
    s.line = {target, l, level};
    return s;
}

// Script PEs only: no VMs, no sources, no host PE.
platform_config script_config(std::vector<script_step> steps, unsigned pes = 1) {
    platform_config c;
    c.duration = sc_core::sc_time(1, sc_core::SC_US);
    c.pes.assign(pes, pe_config{pe_role::script});
    c.vms.clear();
    c.sources.clear();
    c.script = std::move(steps);
    return c;
}

// Linux's boot and SPI 5 set-up on PE `pe`, targeted at IAFFID `target` (reference §9.1, §9.3).
std::vector<script_step> boot_and_spi5(unsigned target, unsigned pe = 0) {
    std::vector<script_step> s{
        mmio_write(irs(gicv5::irs_reg::IRS_CR0), 1),
        sysreg_write(sysreg::ICC_PCR_EL1, 0x1f, pe),
        sysreg_write(sysreg::ICC_CR0_EL1, 1, pe),
        sys(gic_insn::CDPRI, 0x000000F860000005, {}, pe),
        sys(gic_insn::CDAFF, SPI5 | uint64_t{target} << 32, {}, pe),
        sys(gic_insn::CDEN, SPI5, {}, pe),
    };
    return s;
}

} // namespace

TEST(Script, ABringUpWhoseChecksAllHoldRunsEveryStepWithoutFailures) {
    std::vector<script_step> s = boot_and_spi5(0);
    s.push_back(mmio_read(irs(gicv5::irs_reg::IRS_CR0), 0x3)); // IRSEN, IDLE
    s.push_back(spi_line(5, true));
    s.push_back(idle(sc_core::sc_time(100, sc_core::SC_NS)));
    s.push_back(expect_line(0, cpu_stubs::pe_line::irq, true));
    s.push_back(sys(gic_insn::CDIA, 0, 0x0000000160000005));
    s.push_back(sys(gic_insn::CDEOI));
    s.push_back(sys(gic_insn::CDDI, SPI5));
    const run_results r = run(script_config(s));
    EXPECT_EQ(r.script_steps, s.size());
    EXPECT_TRUE(r.script_failures.empty()) << r.script_failures.front();
    EXPECT_EQ(r.instructions.at("CDIA"), 1u);
    EXPECT_TRUE(r.drained);
}

TEST(Script, AFailedCheckNamesTheStepAndBothValuesAndTheScriptGoesOn) {
    script_step idr5 = mmio_read(irs(gicv5::irs_reg::IRS_IDR5), 65); // SPI_RANGE is 64
    idr5.origin = "a.yaml:7";
    script_step masked = mmio_read(irs(gicv5::irs_reg::IRS_IDR5), 0x1);
    masked.mask = 0x41;
    const run_results r =
        run(script_config({idr5, masked, sys(gic_insn::CDIA, 0, 0x0000000160000005)}));
    EXPECT_EQ(r.script_steps, 3u);
    ASSERT_EQ(r.script_failures.size(), 3u);
    EXPECT_EQ(r.script_failures[0],
              "script.0 (a.yaml:7): pe 0: mmio_read 0x2f1a0014 size 4: expected 0x41, got 0x40");
    EXPECT_EQ(r.script_failures[1], "script.1: pe 0: mmio_read 0x2f1a0014 size 4: expected 0x1 "
                                    "under mask 0x41, got 0x40 (0x40 under the mask)");
    EXPECT_EQ(r.script_failures[2],
              "script.2: pe 0: sys GICR CDIA: expected result 0x160000005, got 0x0");
}

TEST(Script, AnMmioStatusIsCheckedLikeAValue) {
    script_step unmapped = mmio_read(0x0, {});
    unmapped.status = tlm::TLM_ADDRESS_ERROR_RESPONSE; // nothing is mapped at 0: this holds
    script_step mapped = mmio_read(irs(gicv5::irs_reg::IRS_IDR0), {});
    mapped.status = tlm::TLM_ADDRESS_ERROR_RESPONSE; // the IRS answers: this fails
    // Misaligned: an error (a 4-byte access to either half of a 64-bit register is not).
    script_step misaligned = mmio_read(irs(gicv5::irs_reg::IRS_IST_BASER) + 2, 0);
    const run_results r = run(script_config({unmapped, mapped, misaligned}));
    ASSERT_EQ(r.script_failures.size(), 2u);
    EXPECT_EQ(r.script_failures[0],
              "script.1: pe 0: mmio_read 0x2f1a0000 size 4: expected status address_error, got ok");
    EXPECT_EQ(r.script_failures[1], "script.2: pe 0: mmio_read 0x2f1a0182 size 4: expected status "
                                    "ok, got generic_error");
}

TEST(Script, ExpectLineChecksAnotherPesInputAtTheScriptPesLocalTime) {
    // PE1 enables its CPU interface; PE0 waits for that (a wait lets the other PEs catch up),
    // then routes SPI 5 to PE1 and watches PE1's IRQ.
    std::vector<script_step> s{sysreg_write(sysreg::ICC_PCR_EL1, 0x1f, 1),
                               sysreg_write(sysreg::ICC_CR0_EL1, 1, 1),
                               idle(sc_core::sc_time(100, sc_core::SC_NS))};
    for (const script_step& b : boot_and_spi5(1))
        s.push_back(b);
    s.push_back(spi_line(5, true));
    s.push_back(expect_line(1, cpu_stubs::pe_line::irq, false)); // posted: not there yet
    s.push_back(idle(sc_core::sc_time(100, sc_core::SC_NS)));
    s.push_back(expect_line(1, cpu_stubs::pe_line::irq, true));
    s.push_back(expect_line(0, cpu_stubs::pe_line::irq, false));
    const run_results r = run(script_config(s, 2));
    EXPECT_TRUE(r.script_failures.empty()) << r.script_failures.front();
}

TEST(Script, AHypervisorInstructionBelowEl2IsAFailureNotAModelError) {
    script_step el2 = step(script_kind::el);
    el2.el = gicv5::exception_level::EL2;
    // check_topology rejects the first VDPEND in a config; a script built in code runs it.
    const run_results r =
        run(script_config({sys(gic_insn::VDPEND, SPI5), el2, sys(gic_insn::VDRCFG, SPI5)}));
    ASSERT_EQ(r.script_failures.size(), 1u);
    EXPECT_EQ(r.script_failures[0], "script.0: pe 0: sys GIC VDPEND xt 0x60000005: UNDEFINED at "
                                    "EL1: VD* instructions and ICH_*_EL2 registers need EL2; not "
                                    "executed");
    EXPECT_EQ(r.instructions.at("VDPEND"), 0u);
    EXPECT_EQ(r.instructions.at("VDRCFG"), 1u);
}

// As iss_execute() decides for an ISS: the CPU interface has no EL0 access at all, and EL1 may
// not touch the ICH_*_EL2 registers. Such a step has no effect and fails naming the rule.
TEST(Script, StepsHonourTheExceptionLevelTheyRunAt) {
    script_step el0 = step(script_kind::el);
    el0.el = gicv5::exception_level::EL0;
    script_step el1 = step(script_kind::el);
    el1.el = gicv5::exception_level::EL1;
    script_step read_vmcr = step(script_kind::sysreg_read);
    read_vmcr.reg = sysreg::ICH_VMCR_EL2;
    script_step read_pcr = step(script_kind::sysreg_read);
    read_pcr.reg = sysreg::ICC_PCR_EL1;
    read_pcr.expect = 0; // the reset value: the EL0 write before it had no effect
    const run_results r = run(script_config({
        el0, sysreg_write(sysreg::ICC_PCR_EL1, 0x3), // 1: EL0 register access
        sys(gic_insn::CDEN, SPI5),                   // 2: EL0 GIC instruction
        sys(gic_insn::CDIA, 0),                      // 3: EL0 GICR
        el1,
        read_pcr,                                 // 5: held
        read_vmcr,                                // 6: ICH_ at EL1
        sysreg_write(sysreg::ICH_VMCR_EL2, 1),    // 7: ICH_ at EL1
        sysreg_write(sysreg::ICC_IAFFIDR_EL1, 1), // 8: read-only
        sys(gic_insn::CDEN, SPI5),                // 9: held
    }));
    ASSERT_EQ(r.script_failures.size(), 6u);
    const char* el0_rule = "UNDEFINED at EL0: the GICv5 CPU interface has no EL0 access";
    const char* el2_rule = "UNDEFINED at EL1: VD* instructions and ICH_*_EL2 registers need EL2";
    const std::vector<std::pair<std::string, const char*>> want = {
        {"script.1:", el0_rule}, {"script.2:", el0_rule},
        {"script.3:", el0_rule}, {"script.6:", el2_rule},
        {"script.7:", el2_rule}, {"script.8:", "UNDEFINED at EL1: an MSR to a read-only register"}};
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(r.script_failures[i].rfind(want[i].first, 0), 0u) << r.script_failures[i];
        EXPECT_NE(r.script_failures[i].find(want[i].second), std::string::npos)
            << r.script_failures[i];
    }
    const auto executed = [&r](const char* name) {
        const auto it = r.instructions.find(name);
        return it == r.instructions.end() ? 0u : it->second;
    };
    EXPECT_EQ(executed("CDEN"), 1u);
    EXPECT_EQ(executed("CDIA"), 0u);
}

TEST(Script, TheRunLastsUntilEveryScriptIsDone) {
    const run_results r = run(script_config({idle(sc_core::sc_time(50, sc_core::SC_US))}));
    EXPECT_GE(r.sim_time_ns, 50000.0); // duration is 1us
    EXPECT_EQ(r.script_steps, 1u);
    EXPECT_TRUE(r.drained);
}

// ---- agent steps: the script PE as a host CPU running KVM's ioctls -------------------------

namespace {

using sc_core::sc_time;
using sc_core::SC_US;

constexpr unsigned SCRIPT_PE = 2;
constexpr uint64_t PENDING = uint64_t{1} << 63; // VDPEND operand bit 63
constexpr unsigned LEVEL_SPI = 8;               // of the idle level source below

// PE 0 boots the hypervisor, PE 1 runs vCPU 0 of VM 0 (the normal guest stub, which takes and
// handles its SPIs), PE 2 runs the script. The vCPU exits only when kicked (exit_interval 1ms).
// SPI 8 is level: a level source that never fires in the run (1 Hz) uses it.
platform_config agent_config(std::vector<script_step> steps) {
    platform_config c;
    c.duration = sc_time(100, SC_US);
    c.drain_timeout = sc_time(50, SC_US);
    c.pes.push_back(pe_config{pe_role::script});
    c.vms[0].exit_interval = sc_time(1, sc_core::SC_MS);
    source_config level;
    level.trigger = trigger_mode::level;
    level.rate_hz = 1;
    level.spi_first = LEVEL_SPI;
    level.spi_count = 1;
    c.sources = {level};
    c.script = std::move(steps);
    return c;
}

script_step agent_step(script_kind kind, std::optional<unsigned> spi = {}) {
    script_step s = step(kind, SCRIPT_PE);
    s.agent.spi = spi;
    return s;
}
script_step irq_line(unsigned spi, bool level) {
    script_step s = agent_step(script_kind::kvm_irq_line, spi);
    s.agent.level = level;
    return s;
}
script_step kick() {
    script_step s = agent_step(script_kind::vcpu_kick);
    s.agent.vcpu = 0;
    return s;
}
script_step expect_agent(std::optional<unsigned> spi = {}) {
    return agent_step(script_kind::expect_agent, spi);
}
script_step at(script_step s, unsigned us) {
    s.at = sc_time(us, SC_US);
    return s;
}
uint64_t vdpend_xt(unsigned spi, bool pending) {
    return gicv5::spi(spi).encode() | (pending ? PENDING : 0);
}

} // namespace

TEST(ScriptAgent, KvmIrqLineListsTheSpiAndAKickFoldsItWithTheNotifier) {
    script_step listed = expect_agent(5);
    listed.agent.listed = 1;
    listed.agent.ap_list_length = 1;
    listed.agent.vdpend = 1;
    listed.agent.last_vdpend = vdpend_xt(5, true);
    script_step handled = expect_agent(5); // the guest took it; no exit has folded it yet
    handled.agent.listed = 1;
    handled.agent.notifier_calls = 0;
    handled.agent.vdrcfg = 0;
    script_step folded = expect_agent(5);
    folded.agent.listed = 0;
    folded.agent.ap_list_length = 0;
    folded.agent.notifier_calls = 1;
    folded.agent.vdrcfg = 1;
    const run_results r = run(
        agent_config({at(irq_line(5, true), 20), listed, at(handled, 30), kick(), at(folded, 35)}));
    EXPECT_EQ(r.script_steps, 5u);
    EXPECT_TRUE(r.script_failures.empty()) << r.script_failures.front();
    EXPECT_EQ(r.delivered, 1u); // the scoreboard saw the injection and the guest's acknowledge
    EXPECT_EQ(r.unexpected_acknowledges, 0u);
    EXPECT_EQ(r.unexpected_notifications, 0u);
}

TEST(ScriptAgent, EachExpectAgentMismatchIsAFailureNamingBothValues) {
    script_step wrong = expect_agent(5);
    wrong.origin = "f.yaml:9";
    wrong.agent.listed = 0;
    wrong.agent.notifier_calls = 3;
    wrong.agent.ap_list_length = 2;
    wrong.agent.vdpend = 2;
    wrong.agent.vdrcfg = 1;
    wrong.agent.last_vdpend = 0;
    const run_results r = run(agent_config({at(irq_line(5, true), 20), wrong}));
    const std::string at_step = "script.1 (f.yaml:9): pe 2: expect_agent vm 0 spi 5: expected ";
    const std::vector<std::string> want = {
        at_step + "ap_list_length 2, got 1", at_step + "listed 0, got 1",
        at_step + "notifier_calls 3, got 0", at_step + "vdpend 2, got 1",
        at_step + "vdrcfg 1, got 0",         at_step + "last_vdpend 0x0, got 0x8000000060000005"};
    EXPECT_EQ(r.script_failures, want);
}

TEST(ScriptAgent, AnIrqfdIsOneVdpendOnAnEdgeSpiAndARaiseAndDropOnALevelSpi) {
    script_step irqfd_edge = agent_step(script_kind::irqfd, 5);
    script_step edge = expect_agent(5);
    edge.agent.listed = 1;
    edge.agent.vdpend = 1; // the edge SPI ignores the line going low
    edge.agent.last_vdpend = vdpend_xt(5, true);
    script_step irqfd_level = agent_step(script_kind::irqfd, LEVEL_SPI);
    script_step level = expect_agent();
    level.agent.vdpend = 3;
    level.agent.last_vdpend = vdpend_xt(LEVEL_SPI, false);
    const run_results r = run(agent_config({at(irqfd_edge, 20), edge, irqfd_level, level}));
    EXPECT_TRUE(r.script_failures.empty()) << r.script_failures.front();
}

TEST(ScriptAgent, AResampledLineIsLoweredByTheScriptPeWhenTheNotifierComes) {
    // The device drops its level line after the guest serviced it; the fold then finds the SPI
    // consumed, and its notifier has the script PE lower the resampled line: a third VDPEND.
    script_step raised = expect_agent(LEVEL_SPI);
    raised.agent.vdpend = 1;
    raised.agent.listed = 1;
    script_step lowered = expect_agent(LEVEL_SPI);
    lowered.agent.listed = 0;
    lowered.agent.notifier_calls = 1;
    lowered.agent.vdpend = 3;
    lowered.agent.last_vdpend = vdpend_xt(LEVEL_SPI, false);
    const run_results r =
        run(agent_config({at(agent_step(script_kind::resample_irqfd, LEVEL_SPI), 20), raised,
                          at(irq_line(LEVEL_SPI, false), 30), kick(), at(lowered, 40)}));
    EXPECT_TRUE(r.script_failures.empty()) << r.script_failures.front();
}

TEST(ScriptAgent, AResampledLineIsLoweredAfterTheScriptsLastStepToo) {
    const run_results r =
        run(agent_config({at(agent_step(script_kind::resample_irqfd, LEVEL_SPI), 20),
                          at(irq_line(LEVEL_SPI, false), 30), kick()}));
    EXPECT_TRUE(r.script_failures.empty()) << r.script_failures.front();
    ASSERT_EQ(r.vms.size(), 1u);
    EXPECT_EQ(r.vms[0].notifier_calls, 1u);
    EXPECT_EQ(r.vms[0].vdpend, 3u); // raise, the device's drop, the resampler's drop
    EXPECT_TRUE(r.drained);
}

TEST(ScriptAgent, AResampledLevelLineLeftHighIsNeverNotifiedUnderTheApList) {
    // A high level line keeps the SPI pending, so no fold finds it consumed (docs/config.md).
    script_step still = expect_agent(LEVEL_SPI);
    still.agent.listed = 1;
    still.agent.notifier_calls = 0;
    still.agent.vdpend = 1;
    const run_results r =
        run(agent_config({at(agent_step(script_kind::resample_irqfd, LEVEL_SPI), 20),
                          at(kick(), 30), at(still, 40)}));
    EXPECT_EQ(r.script_steps, 3u);
    EXPECT_TRUE(r.script_failures.empty()) << r.script_failures.front();
    EXPECT_FALSE(r.drained); // the SPI stays listed
}

TEST(ScriptAgent, ASwPpiLineKicksItsVcpuAndItsLowLevelDoesNothing) {
    script_step ppi = agent_step(script_kind::kvm_irq_line);
    ppi.agent.vcpu = 0;
    ppi.agent.ppi = gicv5::PPI_SW_PPI;
    script_step low = ppi;
    low.agent.level = false;
    const run_results r = run(agent_config({at(ppi, 20), low, at(kick(), 30)}));
    EXPECT_TRUE(r.script_failures.empty()) << r.script_failures.front();
    EXPECT_EQ(r.instructions.at("CDPEND"), 2u); // the PPI's kick and vcpu_kick: one IPI each
}

TEST(ScriptAgent, ATeardownWithALoadedVcpuFailsAndTheVmStillTakesInjections) {
    script_step teardown = agent_step(script_kind::vm_teardown);
    script_step injected = expect_agent();
    injected.agent.vdpend = 1;
    const run_results r = run(agent_config({at(teardown, 20), irq_line(5, true), injected}));
    ASSERT_EQ(r.script_failures.size(), 1u);
    EXPECT_EQ(r.script_failures[0], "script.0: pe 2: vm_teardown vm 0: vCPU 0 is loaded (KVM "
                                    "destroys a VM only after its vCPUs are put); not run");
}

TEST(ScriptAgent, ATeardownOfAVmWhoseVcpuIsPutUnmapsItsSpiVist) {
    platform_config c = agent_config({});
    c.vms[0].guest.wfi = true; // idle, the vCPU blocks in WFI: put
    c.vms[0].guest.wfi_after = sc_time(1, SC_US);
    script_step teardown = agent_step(script_kind::vm_teardown);
    c.script = {at(teardown, 30), agent_step(script_kind::ist_save), teardown};
    const run_results r = run(c);
    const std::vector<std::string> want = {
        "script.1: pe 2: ist_save vm 0: VM 0 has no mapped SPI vIST; not run",
        "script.2: pe 2: vm_teardown vm 0: VM 0 is already torn down; not run"};
    EXPECT_EQ(r.script_failures, want);
}

TEST(ScriptAgent, IstSaveKeepsAnImageThatOnlyAVmWaitingForARestoreTakes) {
    script_step save = agent_step(script_kind::ist_save);
    script_step restore = agent_step(script_kind::ist_restore);
    script_step unsaved = restore;
    unsaved.agent.from = 1;                  // never saved
    script_step delivered = expect_agent(5); // the save resumed the VM: delivery goes on
    delivered.agent.listed = 0;
    delivered.agent.notifier_calls = 1;
    const run_results r = run(agent_config(
        {at(save, 20), restore, unsaved, irq_line(5, true), at(kick(), 40), at(delivered, 50)}));
    ASSERT_EQ(r.script_failures.size(), 2u);
    EXPECT_EQ(r.script_failures[0],
              "script.1: pe 2: ist_restore vm 0 from 0: VM 0 is not waiting for a restore (it must "
              "be brought up without its SPI vIST mapped); not run");
    EXPECT_EQ(r.script_failures[1], "script.2: pe 2: ist_restore vm 0 from 1: no VM 1 to restore "
                                    "from");
}

// KVM's selftest "IST save/restore" in small: the source guest's IRS registers and LPI IST go
// with the SPI vIST, the restored VM saves the same image again before it runs, its guest IRS
// reads the source's registers, and the pending LPI is replayed (one VDPEND) and taken.
TEST(ScriptAgent, AnIstRestoreCarriesTheGuestIrsAndItsLpiIstAndAResaveMatches) {
    platform_config c = agent_config({});
    c.sources.clear();
    c.pes.push_back(pe_config{pe_role::vcpu}); // PE 3 runs VM 1's vCPU
    c.vms[0].guest.scripted = true;
    vm_config target = c.vms[0];
    target.boot = vm_boot::restore;
    c.vms.push_back(target);
    const auto guest = [](script_step st, unsigned vm) {
        st.pe = SCRIPT_PE;
        st.guest = guest_target{vm, 0};
        return st;
    };
    const uint64_t irs_base = c.vms[0].irs_base;
    const auto reg = [&](gicv5::irs_reg r) { return irs_base + gicv5::desc(r).offset; };
    script_step baser = mmio_write(reg(gicv5::irs_reg::IRS_IST_BASER), 0x8020001);
    baser.size = 8;
    const uint64_t lpi0 = gicv5::lpi(0).encode();
    script_step save = agent_step(script_kind::ist_save);
    save.agent.keep_quiesced = true;
    script_step restore = agent_step(script_kind::ist_restore);
    restore.agent.vm = 1;
    restore.agent.resave = true;
    script_step replayed = expect_agent();
    replayed.agent.vm = 1;
    replayed.agent.vdpend = 1;
    replayed.agent.last_vdpend = lpi0 | uint64_t{1} << 32 | PENDING;
    script_step baser_back = mmio_read(reg(gicv5::irs_reg::IRS_IST_BASER), 0x8020001);
    baser_back.size = 8;
    c.script = {
        at(guest(mmio_write(reg(gicv5::irs_reg::IRS_CR0), 1), 0), 40),
        guest(mmio_write(reg(gicv5::irs_reg::IRS_IST_CFGR), 0xc), 0), // 12 ID bits, linear
        guest(baser, 0),
        guest(sys(gic_insn::CDPRI, lpi0 | uint64_t{0x08} << 35), 0),
        guest(sys(gic_insn::CDEN, lpi0), 0),
        guest(sys(gic_insn::CDPEND, lpi0 | uint64_t{1} << 32), 0),
        idle(sc_time(1, SC_US), SCRIPT_PE),
        save,
        restore,
        replayed,
        guest(baser_back, 1),
        guest(mmio_read(reg(gicv5::irs_reg::IRS_CR0), 0x3), 1), // IRSEN restored, IDLE
        guest(sysreg_write(sysreg::ICC_PCR_EL1, 0x1f), 1),
        guest(sysreg_write(sysreg::ICC_CR0_EL1, 1), 1),
        idle(sc_time(1, SC_US), SCRIPT_PE),
        guest(sys(gic_insn::CDIA, 0, lpi0 | uint64_t{1} << 32), 1),
    };
    const run_results r = run(c);
    EXPECT_TRUE(r.script_failures.empty()) << r.script_failures.front();
    EXPECT_EQ(r.script_steps, c.script.size());
}

TEST(ScriptAgent, OperandsTheAgentDoesNotHaveFailTheStep) {
    script_step no_vm = irq_line(5, true);
    no_vm.agent.vm = 3;
    script_step no_spi = irq_line(64, true);
    script_step no_vcpu = kick();
    no_vcpu.agent.vcpu = 1;
    const run_results r = run(agent_config({no_vm, no_spi, no_vcpu}));
    const std::vector<std::string> want = {
        "script.0: pe 2: kvm_irq_line vm 3 spi 5 level 1: no VM 3 (the agent has 1 VM)",
        "script.1: pe 2: kvm_irq_line vm 0 spi 64 level 1: VM 0 has no SPI 64 (it has 64 SPIs)",
        "script.2: pe 2: vcpu_kick vm 0 vcpu 1: VM 0 has no vCPU 1 (it has 1 vCPU)"};
    EXPECT_EQ(r.script_failures, want);
}

TEST(ScriptAgent, AGuestWfiBlocksTheScriptPeUntilAnInterruptWakesTheVcpu) {
    platform_config c = agent_config({});
    c.pes.push_back(pe_config{pe_role::script}); // PE 3 injects while PE 2 waits on the WFI
    script_step wfi = agent_step(script_kind::wfi);
    wfi.agent.vcpu = 0;
    script_step woken = expect_agent(); // PE 3's injection at 40us came first
    woken.agent.vdpend = 1;
    script_step inject = irq_line(5, true);
    inject.pe = 3;
    c.script = {at(wfi, 20), woken, at(inject, 40)};
    const run_results r = run(c);
    EXPECT_TRUE(r.script_failures.empty()) << r.script_failures.front();
    ASSERT_EQ(r.vms.size(), 1u);
    EXPECT_EQ(r.vms[0].wfi_blocks, 1u);
    EXPECT_EQ(r.delivered, 1u);
}

// ---- at: an absolute start time -----------------------------------------------------------

TEST(ScriptAt, AStepStartsAtItsTimeAndOneThePeHasPassedFailsAndRunsAtOnce) {
    script_step el2 = step(script_kind::el);
    el2.el = gicv5::exception_level::EL2;
    script_step late = at(el2, 10);
    const run_results r = run(
        script_config({at(step(script_kind::el), 20), idle(sc_time(5, SC_US)), late,
                       sys(gic_insn::VDRCFG, SPI5)})); // runs only at EL2: the late step did run
    EXPECT_GE(r.sim_time_ns, 25000.0);
    ASSERT_EQ(r.script_failures.size(), 1u) << r.script_failures.back();
    EXPECT_EQ(r.script_failures[0], "script.2: pe 0: el 2: at 10us: the PE was already at 25us "
                                    "(its earlier steps ended later)");
    EXPECT_EQ(r.instructions.at("VDRCFG"), 1u);
}

// ---- guest steps, with a stand-in for the platform's vCPU hook ------------------------------

namespace {

struct recorded_access {
    uint64_t addr;
    unsigned size;
    bool write;
    uint64_t data;
};

// Script PEs 0 and 1; the runner runs on PE 0 with `env`, which the test fills.
struct guest_bench {
    test::scripted_platform s{script_config({}, 2)};
    std::vector<recorded_access> accesses;
    std::vector<std::pair<unsigned, unsigned>> asked; // (vm, vcpu) of each on_vcpu call

    // A vCPU hook that runs the body at once on PE 1 at EL1, its bus accesses recorded (reads
    // return 0x1234); vCPU 1 of VM 0 cannot run it.
    script_env env() {
        script_env e;
        e.pe = [this](unsigned i) -> cpu_stubs::pe& { return *s.plat->pes.at(i); };
        e.on_vcpu = [this](unsigned vm, unsigned vcpu,
                           const std::function<void(guest_context&)>& body) {
            asked.emplace_back(vm, vcpu);
            if (vcpu == 1)
                return false;
            cpu_stubs::pe& guest = *s.plat->pes[1];
            guest.set_el(gicv5::exception_level::EL1);
            guest_context ctx{guest,
                              [this](uint64_t addr, unsigned size, bool write, uint64_t& data) {
                                  accesses.push_back({addr, size, write, data});
                                  if (!write)
                                      data = 0x1234;
                                  return tlm::TLM_OK_RESPONSE;
                              }};
            body(ctx);
            return true;
        };
        return e;
    }
    std::vector<std::string> run(std::vector<script_step> steps, script_env e) {
        std::vector<std::pair<std::size_t, script_step>> numbered;
        for (std::size_t i = 0; i < steps.size(); ++i)
            numbered.emplace_back(i, steps[i]);
        script_runner runner(std::move(numbered), std::move(e));
        s.plat->pes[0]->load(runner);
        s.run(sc_time(1, sc_core::SC_MS));
        EXPECT_TRUE(runner.done());
        std::vector<std::string> failures;
        for (const auto& f : runner.failures())
            failures.push_back(f.second);
        return failures;
    }
};

script_step as_guest(script_step s, unsigned vcpu = 0) {
    s.guest = guest_target{0, vcpu};
    return s;
}

} // namespace

TEST(ScriptGuest, AGuestStepRunsOnTheVcpusPeAtEl1WithItsBusAccessesThroughTheHook) {
    guest_bench b;
    script_step el2 = step(script_kind::el);
    el2.el = gicv5::exception_level::EL2; // the script PE's own level: not the guest's
    script_step pcr = step(script_kind::sysreg_read);
    pcr.reg = sysreg::ICC_PCR_EL1;
    script_step guest_pcr = as_guest(pcr);
    guest_pcr.expect = 0x1f;
    script_step own_pcr = pcr;
    own_pcr.expect = 0; // the script PE's own CPU interface was not touched
    script_step vmcr = as_guest(step(script_kind::sysreg_read));
    vmcr.reg = sysreg::ICH_VMCR_EL2; // EL2 only: UNDEFINED at the guest's EL1
    const std::vector<std::string> failures =
        b.run({el2, as_guest(sysreg_write(sysreg::ICC_PCR_EL1, 0x1f)), guest_pcr, own_pcr,
               as_guest(mmio_write(0x2f1e0080, 5)), as_guest(mmio_read(0x2f1e0084, 0x1234)), vmcr},
              b.env());
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0], "script.6: pe 0: vm 0 vcpu 0: sysreg_read ICH_VMCR_EL2: UNDEFINED at "
                           "EL1: VD* instructions and ICH_*_EL2 registers need EL2; not executed");
    ASSERT_EQ(b.accesses.size(), 2u);
    EXPECT_EQ(b.accesses[0].addr, 0x2f1e0080u);
    EXPECT_TRUE(b.accesses[0].write);
    EXPECT_EQ(b.accesses[0].data, 5u);
    EXPECT_EQ(b.accesses[0].size, 4u);
    EXPECT_EQ(b.accesses[1].addr, 0x2f1e0084u);
    EXPECT_FALSE(b.accesses[1].write);
    EXPECT_EQ(b.asked.size(), 5u);
}

// A scripted guest's handler is its guest steps: its acknowledge and deactivation of an SPI
// reach the guest observer (the scoreboard) as a vCPU stub's do; a CDIA that finds nothing, the
// script PE's own instructions and an LPI's acknowledge do not.
TEST(ScriptGuest, AGuestStepsSpiAcknowledgeAndDeactivationAreToldToTheGuestObserver) {
    struct recorder : cpu_stubs::guest_observer {
        std::vector<std::string> seen;
        void on_acknowledge(unsigned vm, gicv5::intid id, const sc_time&) override {
            seen.push_back("ack vm " + std::to_string(vm) + " " + std::to_string(id.encode()));
        }
        void on_vcpu_acknowledge(unsigned vm, unsigned vcpu, gicv5::intid id,
                                 const sc_time&) override {
            seen.push_back("ack vm " + std::to_string(vm) + " vcpu " + std::to_string(vcpu) + " " +
                           std::to_string(id.encode()));
        }
        void on_deactivate(unsigned vm, gicv5::intid id, const sc_time&) override {
            seen.push_back("deactivate vm " + std::to_string(vm) + " " +
                           std::to_string(id.encode()));
        }
    } observer;
    guest_bench b;
    script_env e = b.env();
    e.guest_observer = &observer;
    // SPI 5 set up on PE 1 (the "vCPU"), pended with CDPEND, then taken by guest steps.
    const std::vector<script_step> steps = {
        mmio_write(irs(gicv5::irs_reg::IRS_CR0), 1),
        as_guest(sysreg_write(sysreg::ICC_PCR_EL1, 0x1f)),
        as_guest(sysreg_write(sysreg::ICC_CR0_EL1, 1)),
        as_guest(sys(gic_insn::CDPRI, 0x000000F860000005)),
        as_guest(sys(gic_insn::CDAFF, SPI5 | uint64_t{1} << 32)),
        as_guest(sys(gic_insn::CDEN, SPI5)),
        as_guest(sys(gic_insn::CDPEND, SPI5 | uint64_t{1} << 32)),
        idle(sc_time(1, SC_US)),
        sys(gic_insn::CDIA, 0, 0), // the script PE's own interface: nothing, and not told
        as_guest(sys(gic_insn::CDIA, 0, SPI5 | uint64_t{1} << 32)),
        as_guest(sys(gic_insn::CDDI, SPI5)),
        as_guest(sys(gic_insn::CDEOI)),
        as_guest(sys(gic_insn::CDIA, 0, 0)),                   // nothing left: not told
        as_guest(sys(gic_insn::CDDI, gicv5::ppi(3).encode())), // not an SPI: not told
    };
    const std::vector<std::string> failures = b.run(steps, e);
    EXPECT_TRUE(failures.empty()) << failures.front();
    const std::vector<std::string> want = {"ack vm 0 vcpu 0 " + std::to_string(SPI5),
                                           "deactivate vm 0 " + std::to_string(SPI5)};
    EXPECT_EQ(observer.seen, want);
}

TEST(ScriptGuest, AGuestStepFailsWhenTheVcpuCannotRunIt) {
    guest_bench b;
    script_step on_vcpu1 = as_guest(sys(gic_insn::CDEN, SPI5), 1);
    const std::vector<std::string> failures = b.run({on_vcpu1}, b.env());
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0], "script.0: pe 0: vm 0 vcpu 1: sys GIC CDEN xt 0x60000005: cannot run "
                           "on vCPU 1 of VM 0 (no such vCPU, its VM is dead, or it ran no guest "
                           "code within drain_timeout)");
}

TEST(ScriptGuest, WithoutTheVcpuHookAGuestStepFails) {
    guest_bench b;
    script_env no_hook = b.env();
    no_hook.on_vcpu = nullptr;
    const std::vector<std::string> failures = b.run({as_guest(sys(gic_insn::CDEN, SPI5))}, no_hook);
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0], "script.0: pe 0: vm 0 vcpu 0: sys GIC CDEN xt 0x60000005: this "
                           "platform cannot run guest steps (it has no vCPU hook)");
}

TEST(ScriptMnemonics, EveryTableInstructionHasAMnemonicThatParsesBack) {
    for (std::size_t i = 0; i < gicv5::gic_insn_count; ++i) {
        const auto insn = static_cast<gic_insn>(i);
        EXPECT_EQ(parse_mnemonic(mnemonic(insn)), insn) << mnemonic(insn);
    }
    EXPECT_EQ(mnemonic(gic_insn::GSB_SYS), "GSB SYS");
    EXPECT_EQ(mnemonic(gic_insn::GSB_ACK), "GSB ACK");
    EXPECT_EQ(mnemonic(gic_insn::CDEN), "GIC CDEN");
    EXPECT_EQ(mnemonic(gic_insn::CDIA), "GICR CDIA"); // sysl: the GICR form
    EXPECT_EQ(mnemonic(gic_insn::VDPEND), "GIC VDPEND");
}

TEST(ScriptMnemonics, ParsingIgnoresCaseButWantsSingleSpacesAndTheRightForm) {
    EXPECT_EQ(parse_mnemonic("gicr cdia"), gic_insn::CDIA);
    EXPECT_EQ(parse_mnemonic("Gsb Sys"), gic_insn::GSB_SYS);
    EXPECT_FALSE(parse_mnemonic("GIC  CDEN"));
    EXPECT_FALSE(parse_mnemonic("GIC CDIA")); // CDIA is a GICR instruction
    EXPECT_FALSE(parse_mnemonic("GICR CDEN"));
    EXPECT_FALSE(parse_mnemonic("CDEN"));
    EXPECT_FALSE(parse_mnemonic("GSB_SYS"));
    EXPECT_EQ(parse_sysreg("ICC_PCR_EL1"), sysreg::ICC_PCR_EL1);
    EXPECT_FALSE(parse_sysreg("icc_pcr_el1")); // system registers by exact name
}
