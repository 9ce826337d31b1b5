// Directed scripts (platform/script.h) run on the assembled platform: steps, checks and the
// messages of failed checks, and the mnemonics taken from the instruction table.
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
    script_step narrow = mmio_read(irs(gicv5::irs_reg::IRS_IST_BASER), 0); // a 64-bit register
    const run_results r = run(script_config({unmapped, mapped, narrow}));
    ASSERT_EQ(r.script_failures.size(), 2u);
    EXPECT_EQ(r.script_failures[0],
              "script.1: pe 0: mmio_read 0x2f1a0000 size 4: expected status address_error, got ok");
    EXPECT_EQ(r.script_failures[1], "script.2: pe 0: mmio_read 0x2f1a0180 size 4: expected status "
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
        el0,
        sysreg_write(sysreg::ICC_PCR_EL1, 0x3),    // 1: EL0 register access
        sys(gic_insn::CDEN, SPI5),                 // 2: EL0 GIC instruction
        sys(gic_insn::CDIA, 0),                    // 3: EL0 GICR
        el1,
        read_pcr,                                  // 5: held
        read_vmcr,                                 // 6: ICH_ at EL1
        sysreg_write(sysreg::ICH_VMCR_EL2, 1),     // 7: ICH_ at EL1
        sysreg_write(sysreg::ICC_IAFFIDR_EL1, 1),  // 8: read-only
        sys(gic_insn::CDEN, SPI5),                 // 9: held
    }));
    ASSERT_EQ(r.script_failures.size(), 6u);
    const char* el0_rule = "UNDEFINED at EL0: the GICv5 CPU interface has no EL0 access";
    const char* el2_rule = "UNDEFINED at EL1: VD* instructions and ICH_*_EL2 registers need EL2";
    const std::vector<std::pair<std::string, const char*>> want = {
        {"script.1:", el0_rule}, {"script.2:", el0_rule}, {"script.3:", el0_rule},
        {"script.6:", el2_rule}, {"script.7:", el2_rule},
        {"script.8:", "UNDEFINED at EL1: an MSR to a read-only register"}};
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
