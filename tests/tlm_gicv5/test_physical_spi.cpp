// Wired physical SPIs, the IRS's SPI and PE selectors, and the physical CPU interface, driven as
// the Linux host driver drives them (reference §2.5, §4.3, §8, §9).
#include "common/scripted_platform.h"
#include "tlm_gicv5/irs_regs.h"

#include <gtest/gtest.h>

using namespace gicv5;
using namespace test;
using cpu_stubs::pe_line;

namespace {

uint64_t addr(irs_reg r) { return platform::irs_config{}.config_frame + desc(r).offset; }
uint32_t irs_read(pe& p, irs_reg r) { return p.read32(addr(r)); }
void irs_write(pe& p, irs_reg r, uint32_t v) { p.write32(addr(r), v); }
void wait_idle(pe& p) { p.idle_until(p.local_time() + platform::timing_config{}.irs_op); }

// Linux at probe and on the boot CPU (reference §9.1): IRSEN, then the CPU interface.
void linux_boot(pe& p) {
    irs_write(p, irs_reg::IRS_CR0, 1);
    at_el(p, exception_level::EL1, [&] {
        p.msr(sysreg::ICC_PCR_EL1, PRIORITY_LOWEST);
        p.msr(sysreg::ICC_CR0_EL1, 1);
    });
}
// gicv5_hwirq_init() then unmask: CDPRI, CDAFF, CDEN.
void spi_setup(pe& p, uint32_t id, uint8_t prio, uint16_t iaffid = 0) {
    namespace CD = CD_OPERAND;
    at_el(p, exception_level::EL1, [&] {
        p.insn(gic_insn::CDPRI, spi(id).encode() | CD::PRIORITY.make(prio));
        p.insn(gic_insn::CDAFF, spi(id).encode() | CD::IAFFID.make(iaffid));
        p.insn(gic_insn::CDEN, spi(id).encode());
    });
}
// gicv5_spi_irq_set_type(): select, poll IDLE, check V, write TM, poll, check V.
void set_level(pe& p, uint32_t id, bool level) {
    irs_write(p, irs_reg::IRS_SPI_SELR, id);
    wait_idle(p);
    ASSERT_TRUE(IRS_SPI_STATUSR::V.test(irs_read(p, irs_reg::IRS_SPI_STATUSR)));
    irs_write(p, irs_reg::IRS_SPI_CFGR, level);
    wait_idle(p);
    ASSERT_TRUE(IRS_SPI_STATUSR::V.test(irs_read(p, irs_reg::IRS_SPI_STATUSR)));
}
void line(scripted_platform& s, pe& p, uint32_t id, bool level) {
    s.plat->spi_line(id, level, p.local_time() - sc_core::sc_time_stamp());
    settle(p);
}
uint64_t ack(pe& p) {
    return at_el(p, exception_level::EL1, [&] { return p.insn(gic_insn::CDIA); });
}
void eoi(pe& p) {
    at_el(p, exception_level::EL1, [&] { p.insn(gic_insn::CDEOI); });
}
void deactivate(pe& p, uint32_t id) {
    at_el(p, exception_level::EL1, [&] { p.insn(gic_insn::CDDI, spi(id).encode()); });
    settle(p);
}
uint64_t rcfg(pe& p, uint32_t id) {
    return at_el(p, exception_level::EL1, [&] {
        p.insn(gic_insn::CDRCFG, spi(id).encode());
        return p.mrs(sysreg::ICC_ICSR_EL1);
    });
}

} // namespace

TEST(PhysicalSpi, ALineGoingHighPendsAnEdgeSpiAndRaisesIrq) { // R_HHKMN
    scripted_platform s;
    s.on(0, [&](pe& p) {
        linux_boot(p);
        spi_setup(p, 5, 0x1f);
        EXPECT_FALSE(p.line(pe_line::irq));
        line(s, p, 5, true);
        EXPECT_TRUE(p.line(pe_line::irq)); // priority 0x1F equal to PCR 0x1F is signalled
        EXPECT_EQ(ack(p), cdia_valid(5));
        EXPECT_FALSE(p.line(pe_line::irq));
        const uint64_t icsr = rcfg(p, 5);
        EXPECT_TRUE(ICC_ICSR_EL1::Active.test(icsr));
        EXPECT_FALSE(ICC_ICSR_EL1::Pending.test(icsr)); // edge: Activate cleared Pending
        EXPECT_FALSE(ICC_ICSR_EL1::HM.test(icsr));
        line(s, p, 5, false); // an edge SPI ignores the line going low
        eoi(p);
        deactivate(p, 5);
        EXPECT_EQ(ack(p), 0u);
    });
    s.run();
}

TEST(PhysicalSpi, ALevelSpiStaysPendingAndActiveUntilItsLineDrops) { // §8.2, R_DMTFM
    scripted_platform s;
    s.on(0, [&](pe& p) {
        linux_boot(p);
        set_level(p, 6, true);
        spi_setup(p, 6, 0x10);
        line(s, p, 6, true);
        EXPECT_EQ(ack(p), cdia_valid(6));
        uint64_t icsr = rcfg(p, 6);
        EXPECT_TRUE(ICC_ICSR_EL1::Pending.test(icsr) && ICC_ICSR_EL1::Active.test(icsr));
        EXPECT_TRUE(ICC_ICSR_EL1::HM.test(icsr)); // the handling mode followed the trigger mode
        eoi(p);
        deactivate(p, 6);
        EXPECT_TRUE(p.line(pe_line::irq)); // still pending: delivered again (reference §9.4)
        line(s, p, 6, false);
        EXPECT_FALSE(p.line(pe_line::irq));
        EXPECT_FALSE(ICC_ICSR_EL1::Pending.test(rcfg(p, 6)));
    });
    s.run();
}

TEST(PhysicalSpi, ChangingTheTriggerModeWhileTheLineIsHighSetsOrClearsPending) { // R_KBPXL
    scripted_platform s;
    s.on(0, [&](pe& p) {
        linux_boot(p);
        at_el(p, exception_level::EL1, [&] { p.insn(gic_insn::CDDIS, spi(7).encode()); });
        line(s, p, 7, true);
        at_el(p, exception_level::EL1, [&] {
            p.insn(gic_insn::CDPEND, spi(7).encode()); // PENDING = 0: clear it by hand
        });
        settle(p);
        EXPECT_FALSE(ICC_ICSR_EL1::Pending.test(rcfg(p, 7)));
        set_level(p, 7, true); // to level: pending follows the (high) line
        EXPECT_TRUE(ICC_ICSR_EL1::Pending.test(rcfg(p, 7)));
        set_level(p, 7, false); // to edge with the line high: pending is cleared
        EXPECT_FALSE(ICC_ICSR_EL1::Pending.test(rcfg(p, 7)));
    });
    s.run();
}

// Linux sets the trigger mode after the device may already hold its line high. The SPI must
// then be pending in level handling mode, as if the line had been sampled then (R_KBPXL with
// R_QBXXV): after a deactivate it is offered again while the line stays high.
TEST(PhysicalSpi, TurningLevelWhileTheLineIsHighMakesItALevelPendingSpi) {
    scripted_platform s;
    s.on(0, [&](pe& p) {
        linux_boot(p);
        spi_setup(p, 8, 0x10);
        at_el(p, exception_level::EL1, [&] { p.insn(gic_insn::CDDIS, spi(8).encode()); });
        line(s, p, 8, true); // sampled as an edge: pending, edge handling mode
        set_level(p, 8, true);
        uint64_t icsr = rcfg(p, 8);
        EXPECT_TRUE(ICC_ICSR_EL1::Pending.test(icsr));
        EXPECT_TRUE(ICC_ICSR_EL1::HM.test(icsr)) << "the handling mode must follow the new mode";
        at_el(p, exception_level::EL1, [&] { p.insn(gic_insn::CDEN, spi(8).encode()); });
        settle(p);
        EXPECT_EQ(ack(p), cdia_valid(8));
        eoi(p);
        deactivate(p, 8);
        EXPECT_TRUE(p.line(pe_line::irq)); // the line is still high: offered again
        EXPECT_EQ(ack(p), cdia_valid(8));
        eoi(p);
        line(s, p, 8, false);
        deactivate(p, 8);
        EXPECT_FALSE(p.line(pe_line::irq));
    });
    s.run();
}

TEST(PhysicalSpi, TheResamplerReappliesTheCurrentLine) { // §2.5, §8.15
    scripted_platform s;
    s.on(0, [&](pe& p) {
        linux_boot(p);
        line(s, p, 8, true);
        at_el(p, exception_level::EL1, [&] { p.insn(gic_insn::CDPEND, spi(8).encode()); });
        settle(p);
        EXPECT_FALSE(ICC_ICSR_EL1::Pending.test(rcfg(p, 8)));
        irs_write(p, irs_reg::IRS_SPI_RESAMPLER, 8);
        settle(p);
        EXPECT_TRUE(ICC_ICSR_EL1::Pending.test(rcfg(p, 8)));
    });
    s.run();
}

TEST(PhysicalSpi, ASelectorOutsideTheIrsRangeReadsValidZeroAndItsConfigWriteIsIgnored) { // §8.12
    platform::platform_config cfg = two_pe_config();
    cfg.irs.spi_range = 128;
    cfg.irs.spi_base = 32;
    cfg.irs.spi_irs_range = 32;
    scripted_platform s(cfg);
    s.on(0, [&](pe& p) {
        for (uint32_t id : {31u, 64u, 1000u}) {
            irs_write(p, irs_reg::IRS_SPI_SELR, id); // no IDLE poll first, as Linux
            wait_idle(p);
            const uint32_t st = irs_read(p, irs_reg::IRS_SPI_STATUSR);
            EXPECT_TRUE(IRS_SPI_STATUSR::IDLE.test(st));
            EXPECT_FALSE(IRS_SPI_STATUSR::V.test(st)) << id;
            irs_write(p, irs_reg::IRS_SPI_CFGR, 1);
        }
        irs_write(p, irs_reg::IRS_SPI_SELR, 32);
        wait_idle(p);
        EXPECT_TRUE(IRS_SPI_STATUSR::V.test(irs_read(p, irs_reg::IRS_SPI_STATUSR)));
        EXPECT_EQ(irs_read(p, irs_reg::IRS_SPI_CFGR), 0u); // SPI 32 stayed edge
    });
    s.run();
    EXPECT_EQ(s.plat->irs.ignored_requests(), 3u);
}

TEST(PhysicalSpi, ACommandForAnSpiOutsideTheRangeHasNoEffectAndItsConfigReadFaults) { // §8.6
    scripted_platform s;
    s.on(0, [&](pe& p) {
        linux_boot(p);
        spi_setup(p, 64, 0x10); // SPIs 0..63 exist
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(rcfg(p, 64)));
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(rcfg(p, 0x123456)));
        EXPECT_FALSE(ICC_ICSR_EL1::F.test(rcfg(p, 63)));
        at_el(p, exception_level::EL1, [&] { p.insn(gic_insn::CDRCFG, lpi(5).encode()); });
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(
            at_el(p, exception_level::EL1, [&] { return p.mrs(sysreg::ICC_ICSR_EL1); })));
    });
    s.run();
}

TEST(PhysicalSpi, ClearingIrsenRecallsTheOfferAndSettingItOffersAgain) { // §8.7
    scripted_platform s;
    s.on(0, [&](pe& p) {
        linux_boot(p);
        spi_setup(p, 3, 0x10);
        line(s, p, 3, true);
        EXPECT_TRUE(p.line(pe_line::irq));
        irs_write(p, irs_reg::IRS_CR0, 0);
        settle(p);
        EXPECT_FALSE(p.line(pe_line::irq));
        EXPECT_EQ(ack(p), 0u);
        EXPECT_TRUE(ICC_ICSR_EL1::Pending.test(rcfg(p, 3))); // nothing lost
        irs_write(p, irs_reg::IRS_CR0, 1);
        settle(p);
        EXPECT_EQ(ack(p), cdia_valid(3));
    });
    s.run();
}

TEST(PhysicalSpi, AnAffinityChangeMovesAPendingSpiToItsNewTarget) { // §8.8
    scripted_platform s;
    s.on(0, [&](pe& p) {
        linux_boot(p);
        pe& other = *s.plat->pes[1];
        at_el(other, exception_level::EL1, [&] { // PE 1 idles with its interface enabled
            other.msr(sysreg::ICC_PCR_EL1, PRIORITY_LOWEST);
            other.msr(sysreg::ICC_CR0_EL1, 1);
        });
        spi_setup(p, 9, 0x10, 1);
        line(s, p, 9, true);
        EXPECT_FALSE(p.line(pe_line::irq));
        EXPECT_TRUE(s.plat->pes[1]->line(pe_line::irq));
        at_el(p, exception_level::EL1,
              [&] { p.insn(gic_insn::CDAFF, spi(9).encode() | CD_OPERAND::IAFFID.make(0)); });
        settle(p);
        EXPECT_FALSE(s.plat->pes[1]->line(pe_line::irq));
        EXPECT_TRUE(p.line(pe_line::irq));
        EXPECT_EQ(ack(p), cdia_valid(9));
    });
    s.run();
}

TEST(PhysicalSpi, UnimplementedPriorityBitsReadAsZero) { // §1, §8.5
    platform::platform_config cfg = two_pe_config();
    cfg.irs.pri_bits = 4;
    scripted_platform s(cfg);
    s.on(0, [&](pe& p) {
        spi_setup(p, 1, 0x1f);
        EXPECT_EQ(ICC_ICSR_EL1::Priority.get(rcfg(p, 1)), 0x1eu);
    });
    s.run();
}

TEST(PhysicalSpi, EqualPrioritiesAreAcknowledgedOldestFirst) { // §8.16
    scripted_platform s;
    s.on(0, [&](pe& p) {
        linux_boot(p);
        for (uint32_t id : {40u, 12u, 33u})
            spi_setup(p, id, 0x10);
        for (uint32_t id : {33u, 40u, 12u})
            line(s, p, id, true);
        for (uint32_t id : {33u, 40u, 12u}) {
            EXPECT_EQ(ack(p), cdia_valid(id));
            eoi(p);
            settle(p); // the IRS's next offer takes a round trip to arrive
        }
    });
    s.run();
}

TEST(PhysicalCpuInterface, PriorityZeroIsAnNmiAcknowledgedOnlyByCdnmia) { // §8.5
    platform::platform_config cfg = two_pe_config();
    cfg.irs.nmi = true;
    scripted_platform s(cfg);
    s.on(0, [&](pe& p) {
        linux_boot(p);
        spi_setup(p, 2, 0);
        line(s, p, 2, true);
        EXPECT_TRUE(p.line(pe_line::nmi));
        EXPECT_FALSE(p.line(pe_line::irq));
        EXPECT_EQ(ack(p), 0u); // CDIA must not acknowledge it
        const uint64_t r = at_el(p, exception_level::EL1, [&] { return p.insn(gic_insn::CDNMIA); });
        EXPECT_EQ(r, cdia_valid(2));
        EXPECT_FALSE(p.line(pe_line::nmi));
        EXPECT_EQ(at_el(p, exception_level::EL1, [&] { return p.mrs(sysreg::ICC_HAPR_EL1); }), 0u);
    });
    s.run();
}

TEST(PhysicalCpuInterface, AnInterruptBelowTheMaskOrWithTheInterfaceDisabledIsNotSignalled) {
    scripted_platform s;
    s.on(0, [&](pe& p) {
        irs_write(p, irs_reg::IRS_CR0, 1);
        spi_setup(p, 4, 0x12);
        line(s, p, 4, true);
        EXPECT_FALSE(p.line(pe_line::irq)); // ICC_CR0_EL1.EN = 0
        at_el(p, exception_level::EL1, [&] {
            p.msr(sysreg::ICC_CR0_EL1, 1);
            p.msr(sysreg::ICC_PCR_EL1, 0x11);
        });
        settle(p);
        EXPECT_FALSE(p.line(pe_line::irq)); // 0x12 > PCR 0x11
        at_el(p, exception_level::EL1, [&] { p.msr(sysreg::ICC_PCR_EL1, 0x12); });
        settle(p);
        EXPECT_TRUE(p.line(pe_line::irq));
        const uint64_t hppir =
            at_el(p, exception_level::EL1, [&] { return p.mrs(sysreg::ICC_HPPIR_EL1); });
        EXPECT_EQ(ICC_HPPIR_EL1::ID.get(hppir), 4u);
        EXPECT_TRUE(ICC_HPPIR_EL1::HPPIV.test(hppir));
    });
    s.run();
}

TEST(IrsPeSelection, LinuxRegistersEachPeWithoutPollingBeforeTheSelector) { // §9.1 steps 8-11
    scripted_platform s;
    s.on(0, [&](pe& p) {
        irs_write(p, irs_reg::IRS_CR0, 1); // before any table exists
        for (uint32_t iaffid : {0u, 1u}) {
            irs_write(p, irs_reg::IRS_PE_SELR, iaffid);
            wait_idle(p);
            const uint32_t st = irs_read(p, irs_reg::IRS_PE_STATUSR);
            EXPECT_TRUE(IRS_PE_STATUSR::IDLE.test(st));
            EXPECT_TRUE(IRS_PE_STATUSR::V.test(st));
            irs_write(p, irs_reg::IRS_PE_CR0, 1);
            wait_idle(p);
            EXPECT_TRUE(IRS_PE_STATUSR::IDLE.test(irs_read(p, irs_reg::IRS_PE_STATUSR)));
            EXPECT_EQ(irs_read(p, irs_reg::IRS_PE_CR0), 1u);
        }
        irs_write(p, irs_reg::IRS_PE_SELR, 2); // only two PEs
        wait_idle(p);
        EXPECT_FALSE(IRS_PE_STATUSR::V.test(irs_read(p, irs_reg::IRS_PE_STATUSR)));
    });
    s.run();
    EXPECT_EQ(s.plat->irs.ignored_requests(), 0u);
}

TEST(Barriers, GsbSysWaitsForThePostedCommandsToTakeEffect) { // §4.3 item 5
    scripted_platform s;
    const platform::timing_config t = s.plat->cfg.timing;
    s.on(0, [&](pe& p) {
        at_el(p, exception_level::EL1, [&] {
            sc_core::sc_time t0 = p.local_time();
            p.insn(gic_insn::GSB_SYS); // nothing in flight: the barrier's own cost
            EXPECT_EQ(p.local_time() - t0, t.gic_insn);
            t0 = p.local_time();
            p.insn(gic_insn::CDEN, spi(3).encode()); // posted: the PE pays only the instruction
            EXPECT_EQ(p.local_time() - t0, t.gic_insn);
            p.insn(gic_insn::GSB_SYS);
            EXPECT_EQ(p.local_time() - t0, t.gic_insn + t.stream_hop + t.irs_process);
            t0 = p.local_time();
            p.insn(gic_insn::CDEN, spi(4).encode());
            p.insn(gic_insn::GSB_ACK); // does not wait for a CDEN
            EXPECT_EQ(p.local_time() - t0, 2 * t.gic_insn);
        });
    });
    s.run();
}

TEST(OneOfN, PesWithDpsZeroTakeTurnsAtOneOfNInterrupts) { // §2.4, IRM = 1
    scripted_platform s;
    pe* other = nullptr;
    s.on(0, [&](pe& p) {
        other = s.plat->pes[1].get();
        linux_boot(p);
        at_el(*other, exception_level::EL1, [&] {
            other->msr(sysreg::ICC_PCR_EL1, PRIORITY_LOWEST);
            other->msr(sysreg::ICC_CR0_EL1, 1);
        });
        for (uint32_t id : {20u, 21u}) {
            spi_setup(p, id, 0x10);
            at_el(p, exception_level::EL1, [&] { // IRM = 1: any participating PE
                p.insn(gic_insn::CDAFF, spi(id).encode() | CD_OPERAND::IRM.make(1));
            });
            line(s, p, id, true);
        }
        // Both PEs have DPS = 0 after reset: the first goes to PE 0, the next to PE 1.
        EXPECT_EQ(ack(p), cdia_valid(20));
        EXPECT_TRUE(other->line(pe_line::irq));
        EXPECT_EQ(ICC_HPPIR_EL1::ID.get(at_el(*other, exception_level::EL1,
                                              [&] { return other->mrs(sysreg::ICC_HPPIR_EL1); })),
                  21u);
    });
    s.run();
}

TEST(OneOfN, APeLeavingOneOfNHandsItsInterruptsToAnotherAndNoneLeavesThemWaiting) {
    scripted_platform s;
    s.on(0, [&](pe& p) {
        linux_boot(p);
        auto dps = [&](uint32_t iaffid, uint32_t v) {
            irs_write(p, irs_reg::IRS_PE_SELR, iaffid);
            wait_idle(p);
            irs_write(p, irs_reg::IRS_PE_CR0, v);
            wait_idle(p);
        };
        dps(1, 1); // only PE 0 participates
        spi_setup(p, 30, 0x10);
        at_el(p, exception_level::EL1,
              [&] { p.insn(gic_insn::CDAFF, spi(30).encode() | CD_OPERAND::IRM.make(1)); });
        line(s, p, 30, true);
        EXPECT_TRUE(p.line(pe_line::irq));
        dps(0, 1); // now nobody: the interrupt waits, nothing is lost
        settle(p);
        EXPECT_FALSE(p.line(pe_line::irq));
        EXPECT_TRUE(ICC_ICSR_EL1::Pending.test(rcfg(p, 30)));
        dps(0, 0); // PE 0 is back and gets it
        settle(p);
        EXPECT_EQ(ack(p), cdia_valid(30));
    });
    s.run();
}

TEST(StreamTiming, AnOfferIsNotSeenBeforeItArrives) { // the stream link is asynchronous (§2.1)
    scripted_platform s;
    const platform::timing_config t = s.plat->cfg.timing;
    s.on(0, [&](pe& p) {
        linux_boot(p);
        spi_setup(p, 10, 0x10);
        spi_setup(p, 11, 0x10);
        line(s, p, 10, true);
        line(s, p, 11, true);
        EXPECT_EQ(ack(p), cdia_valid(10));
        eoi(p);
        // The IRS's next offer leaves after the Activate arrives and takes a hop back.
        EXPECT_EQ(ack(p), 0u);
        p.idle_until(p.local_time() + 2 * t.stream_hop + t.irs_process);
        EXPECT_EQ(ack(p), cdia_valid(11));
    });
    s.run();
}

TEST(PhysicalCpuInterface, DropsAndDeactivatesThatFindNothingDoNothing) { // §8.4
    scripted_platform s;
    s.on(0, [&](pe& p) {
        linux_boot(p);
        spi_setup(p, 1, 0x08);
        spi_setup(p, 2, 0x10);
        eoi(p); // APR = 0: nothing to drop
        EXPECT_EQ(at_el(p, exception_level::EL1, [&] { return p.mrs(sysreg::ICC_APR_EL1); }), 0u);
        deactivate(p, 2); // not active: no effect
        EXPECT_FALSE(ICC_ICSR_EL1::Active.test(rcfg(p, 2)));
        // Nested: SPI 2 (0x10) acknowledged, then SPI 1 (0x08) preempts it.
        line(s, p, 2, true);
        EXPECT_EQ(ack(p), cdia_valid(2));
        line(s, p, 1, true);
        EXPECT_EQ(ack(p), cdia_valid(1));
        const auto apr = [&] {
            return at_el(p, exception_level::EL1, [&] { return p.mrs(sysreg::ICC_APR_EL1); });
        };
        EXPECT_EQ(apr(), (uint64_t{1} << 0x08) | (uint64_t{1} << 0x10));
        // CDEOI names no interrupt: it drops the lowest set bit, the running priority 0x08.
        eoi(p);
        EXPECT_EQ(apr(), uint64_t{1} << 0x10);
        EXPECT_EQ(at_el(p, exception_level::EL1, [&] { return p.mrs(sysreg::ICC_HAPR_EL1); }),
                  0x10u);
    });
    s.run();
}

TEST(IrsSync, SyncrIdleReturnsOnceTheOperationsInFlightAreDone) { // §2.3
    scripted_platform s;
    s.on(0, [&](pe& p) {
        irs_write(p, irs_reg::IRS_SPI_SELR, 1); // an operation that takes irs_op
        irs_write(p, irs_reg::IRS_SYNCR, 1u << 31);
        EXPECT_FALSE(IRS_SYNC_STATUSR::IDLE.test(irs_read(p, irs_reg::IRS_SYNC_STATUSR)));
        EXPECT_FALSE(IRS_CR0::IDLE.test(irs_read(p, irs_reg::IRS_CR0)));
        wait_idle(p);
        EXPECT_TRUE(IRS_SYNC_STATUSR::IDLE.test(irs_read(p, irs_reg::IRS_SYNC_STATUSR)));
        EXPECT_TRUE(IRS_CR0::IDLE.test(irs_read(p, irs_reg::IRS_CR0)));
        EXPECT_EQ(irs_read(p, irs_reg::IRS_SYNCR), 0u); // SYNC is a trigger
    });
    s.run();
}
