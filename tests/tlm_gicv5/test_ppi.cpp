// PPIs at the physical CPU interface: the ICC_PPI_* registers, fixed handling modes, wires, and
// how PPIs compete with the IRS's interrupts (reference §1, §4.2, §4.3).
#include "common/scripted_platform.h"
#include "tlm_gicv5/irs_regs.h"

#include <gtest/gtest.h>

using namespace gicv5;
using namespace test;
using cpu_stubs::pe_line;

namespace {

uint64_t mrs1(pe& p, sysreg r) {
    return at_el(p, exception_level::EL1, [&] { return p.mrs(r); });
}
void msr1(pe& p, sysreg r, uint64_t v) {
    at_el(p, exception_level::EL1, [&] { p.msr(r, v); });
}
uint64_t ack(pe& p) {
    return at_el(p, exception_level::EL1, [&] { return p.insn(gic_insn::CDIA); });
}
void insn1(pe& p, gic_insn i, uint64_t op) {
    at_el(p, exception_level::EL1, [&] { p.insn(i, op); });
}
constexpr uint64_t valid(intid i) { return i.encode() | CDIA_RESULT::VALID.make(1); }
// The PPI wire n of PE 0's CPU interface, as a timer would drive it.
void wire(scripted_platform& s, pe& p, unsigned n, bool level) {
    s.plat->cpuifs[0]->ppi_in[n].irq_signal(level, p.local_time() - sc_core::sc_time_stamp());
    settle(p);
}
// Linux's gicv5_cpu_enable_interrupts(): PPIs off, priorities, PCR, EN (reference §9.1).
void enable(pe& p, uint8_t ppi_prio = 0x1f) {
    msr1(p, sysreg::ICC_PPI_ENABLER0_EL1, 0);
    msr1(p, sysreg::ICC_PPI_ENABLER1_EL1, 0);
    for (unsigned n = 0; n < 16; ++n)
        msr1(p, static_cast<sysreg>(static_cast<unsigned>(sysreg::ICC_PPI_PRIORITYR0_EL1) + n),
             0x0101010101010101ull * ppi_prio);
    msr1(p, sysreg::ICC_PCR_EL1, PRIORITY_LOWEST);
    msr1(p, sysreg::ICC_CR0_EL1, 1);
}

} // namespace

TEST(Ppi, HandlingModesAreFixedLevelExceptSwPpi) { // R_CFSKX
    scripted_platform s;
    s.on(0, [&](pe& p) {
        EXPECT_EQ(mrs1(p, sysreg::ICC_PPI_HMR0_EL1), ~(uint64_t{1} << PPI_SW_PPI));
        EXPECT_EQ(mrs1(p, sysreg::ICC_PPI_HMR1_EL1), ~uint64_t{0});
        msr1(p, sysreg::ICC_PPI_HMR0_EL1, 0); // read-only
        EXPECT_EQ(mrs1(p, sysreg::ICC_PPI_HMR0_EL1), ~(uint64_t{1} << PPI_SW_PPI));
    });
    s.run();
}

TEST(Ppi, ALevelPpiFollowsItsWireAndIsDeliveredAgainAfterDeactivationWhileHigh) {
    scripted_platform s;
    s.on(0, [&](pe& p) {
        enable(p);
        msr1(p, sysreg::ICC_PPI_ENABLER0_EL1, uint64_t{1} << PPI_CNTV);
        wire(s, p, PPI_CNTV, true);
        EXPECT_TRUE(mrs1(p, sysreg::ICC_PPI_SPENDR0_EL1) >> PPI_CNTV & 1);
        EXPECT_TRUE(p.line(pe_line::irq));
        EXPECT_EQ(ack(p), valid(ppi(PPI_CNTV)));
        EXPECT_TRUE(mrs1(p, sysreg::ICC_PPI_SACTIVER0_EL1) >> PPI_CNTV & 1);
        EXPECT_TRUE(mrs1(p, sysreg::ICC_PPI_SPENDR0_EL1) >> PPI_CNTV & 1); // level: still pending
        insn1(p, gic_insn::CDEOI, 0);
        insn1(p, gic_insn::CDDI, ppi(PPI_CNTV).encode());
        EXPECT_FALSE(mrs1(p, sysreg::ICC_PPI_SACTIVER0_EL1) >> PPI_CNTV & 1);
        EXPECT_TRUE(p.line(pe_line::irq)); // the wire is still high
        // Software cannot clear a level PPI's pending state; only its wire can.
        msr1(p, sysreg::ICC_PPI_CPENDR0_EL1, uint64_t{1} << PPI_CNTV);
        EXPECT_TRUE(mrs1(p, sysreg::ICC_PPI_SPENDR0_EL1) >> PPI_CNTV & 1);
        wire(s, p, PPI_CNTV, false);
        EXPECT_FALSE(p.line(pe_line::irq));
    });
    s.run();
}

TEST(Ppi, TheSoftwarePpiIsEdgeAndPendsThroughSpendr) {
    scripted_platform s;
    s.on(0, [&](pe& p) {
        enable(p);
        msr1(p, sysreg::ICC_PPI_ENABLER0_EL1, uint64_t{1} << PPI_SW_PPI);
        msr1(p, sysreg::ICC_PPI_SPENDR0_EL1, uint64_t{1} << PPI_SW_PPI);
        settle(p);
        EXPECT_EQ(ack(p), valid(ppi(PPI_SW_PPI)));
        EXPECT_FALSE(mrs1(p, sysreg::ICC_PPI_SPENDR0_EL1) >> PPI_SW_PPI & 1); // edge: cleared
        insn1(p, gic_insn::CDEOI, 0);
        insn1(p, gic_insn::CDDI, ppi(PPI_SW_PPI).encode());
        EXPECT_EQ(ack(p), 0u);
    });
    s.run();
}

TEST(Ppi, APpiGoesBeforeAnIrsInterruptOfEqualPriorityButNotBeforeAHigherOne) { // R_VVBPS
    scripted_platform s;
    s.on(0, [&](pe& p) {
        enable(p, 0x10);
        p.write32(platform::irs_config{}.config_frame + desc(irs_reg::IRS_CR0).offset, 1);
        insn1(p, gic_insn::CDPRI, spi(1).encode() | CD_OPERAND::PRIORITY.make(0x10));
        insn1(p, gic_insn::CDEN, spi(1).encode());
        s.plat->spi_line(1, true, p.local_time() - sc_core::sc_time_stamp());
        msr1(p, sysreg::ICC_PPI_ENABLER0_EL1, uint64_t{1} << PPI_CNTP);
        wire(s, p, PPI_CNTP, true);
        EXPECT_EQ(ack(p), valid(ppi(PPI_CNTP)));
        insn1(p, gic_insn::CDEOI, 0);
        EXPECT_EQ(ack(p), valid(spi(1)));
        insn1(p, gic_insn::CDEOI, 0);
        insn1(p, gic_insn::CDDI, spi(1).encode());
        insn1(p, gic_insn::CDDI, ppi(PPI_CNTP).encode());
        // Now the SPI at 0x08 against the PPI at 0x10 (wire still high): the SPI wins.
        insn1(p, gic_insn::CDPRI, spi(1).encode() | CD_OPERAND::PRIORITY.make(0x08));
        insn1(p, gic_insn::CDPEND, spi(1).encode() | CD_OPERAND::PENDING.make(1));
        settle(p);
        EXPECT_EQ(ack(p), valid(spi(1)));
    });
    s.run();
}

TEST(Ppi, GicCdInstructionsOtherThanCddiDoNotReachAPpi) {
    scripted_platform s;
    s.on(0, [&](pe& p) {
        enable(p);
        insn1(p, gic_insn::CDEN, ppi(PPI_SW_PPI).encode());
        EXPECT_EQ(mrs1(p, sysreg::ICC_PPI_ENABLER0_EL1), 0u);
        insn1(p, gic_insn::CDRCFG, ppi(PPI_SW_PPI).encode());
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(mrs1(p, sysreg::ICC_ICSR_EL1)));
        msr1(p, sysreg::ICC_PPI_PRIORITYR0_EL1, ~uint64_t{0});
        EXPECT_EQ(mrs1(p, sysreg::ICC_PPI_PRIORITYR0_EL1), 0x1f1f1f1f1f1f1f1full); // 5 bits a lane
    });
    s.run();
}

namespace {
void msr2(pe& p, sysreg r, uint64_t v) {
    at_el(p, exception_level::EL2, [&] { p.msr(r, v); });
}
uint64_t mrs2(pe& p, sysreg r) {
    return at_el(p, exception_level::EL2, [&] { return p.mrs(r); });
}
constexpr unsigned GUEST_PE = 1;
} // namespace

TEST(GuestPpi, APpiTheHypervisorRestoresReachesTheGuestAndItsSaveReadsItBack) { // §6.1
    scripted_platform s;
    s.on(GUEST_PE, [&](pe& p) {
        boot_and_load(s, p);
        // As KVM's __vgic_v5_restore_ppi_state() does at entry.
        msr2(p, sysreg::ICH_PPI_ENABLER0_EL2, uint64_t{1} << PPI_SW_PPI);
        msr2(p, sysreg::ICH_PPI_PRIORITYR0_EL2, uint64_t{0x0c} << (8 * PPI_SW_PPI));
        msr2(p, sysreg::ICH_PPI_PENDR0_EL2, uint64_t{1} << PPI_SW_PPI);
        guest_enable(p);
        settle(p);
        EXPECT_TRUE(p.virq());
        EXPECT_EQ(cdia(p), valid(ppi(PPI_SW_PPI)));
        EXPECT_EQ(mrs2(p, sysreg::ICH_PPI_ACTIVER0_EL2), uint64_t{1} << PPI_SW_PPI);
        EXPECT_EQ(mrs2(p, sysreg::ICH_PPI_PENDR0_EL2), 0u); // edge: consumed
        cdeoi(p);
        at_el(p, exception_level::EL1, [&] { p.insn(gic_insn::CDDI, ppi(PPI_SW_PPI).encode()); });
        EXPECT_EQ(mrs2(p, sysreg::ICH_PPI_ACTIVER0_EL2), 0u);
        EXPECT_FALSE(p.line(pe_line::irq)); // nothing physical happened
    });
    s.run();
}

TEST(GuestPpi, ADirectlyInjectedPpiFollowsItsWireAndARestoreCannotOverwriteIt) { // §8.17
    scripted_platform s;
    s.on(GUEST_PE, [&](pe& p) {
        boot_and_load(s, p);
        msr2(p, sysreg::ICH_PPI_DVIR0_EL2, uint64_t{1} << PPI_CNTV);
        msr2(p, sysreg::ICH_PPI_ENABLER0_EL2, uint64_t{1} << PPI_CNTV);
        msr2(p, sysreg::ICH_PPI_PENDR0_EL2, uint64_t{1} << PPI_CNTV); // the wire is low
        EXPECT_EQ(mrs2(p, sysreg::ICH_PPI_PENDR0_EL2), 0u);
        guest_enable(p);
        settle(p);
        EXPECT_FALSE(p.virq());
        s.plat->cpuifs[GUEST_PE]->ppi_in[PPI_CNTV].irq_signal(
            true, p.local_time() - sc_core::sc_time_stamp()); // the virtual timer fires
        settle(p);
        EXPECT_EQ(cdia(p), valid(ppi(PPI_CNTV)));
        EXPECT_FALSE(p.line(pe_line::irq)); // the physical PPI is not enabled: only the guest
    });
    s.run();
}

TEST(GuestPpi, AGuestPpiGoesBeforeAVirtualSpiOfEqualPriority) { // R_VVBPS
    scripted_platform s;
    s.on(GUEST_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 2, 0x10);
        at_el(p, exception_level::EL1, [&] { // the guest programs its own PPI
            p.msr(sysreg::ICC_PPI_PRIORITYR0_EL1, uint64_t{0x10} << (8 * PPI_SW_PPI));
            p.msr(sysreg::ICC_PPI_ENABLER0_EL1, uint64_t{1} << PPI_SW_PPI);
        });
        vdpend(p, 2, true);
        at_el(p, exception_level::EL1,
              [&] { p.msr(sysreg::ICC_PPI_SPENDR0_EL1, uint64_t{1} << PPI_SW_PPI); });
        settle(p);
        EXPECT_EQ(cdia(p), valid(ppi(PPI_SW_PPI)));
        cdeoi(p);
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(2));
        // The guest's ICC_PPI_* writes went to its own bank, not the physical one.
        EXPECT_EQ(mrs2(p, sysreg::ICH_PPI_ENABLER0_EL2), uint64_t{1} << PPI_SW_PPI);
        msr2(p, sysreg::ICH_CONTEXTR_EL2, 0); // non-resident: EL1 sees the physical bank
        EXPECT_EQ(mrs1(p, sysreg::ICC_PPI_ENABLER0_EL1), 0u);
    });
    s.run();
}
