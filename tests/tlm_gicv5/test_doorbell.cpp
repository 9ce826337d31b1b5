// Non-resident vPEs and their doorbells (reference §5.4, §8.9; issue 4 point 5).
#include "common/scripted_platform.h"
#include "tlm_gicv5/irs_regs.h"

#include <gtest/gtest.h>

using namespace gicv5;
using namespace test;
using cpu_stubs::pe_line;

namespace {

constexpr unsigned HOST_PE = 0, VCPU_PE = 1;
constexpr uint32_t DOORBELL_LPI = 100;
const uint64_t ist_base = platform::memory_config{}.base + 0x800000;

uint64_t addr(irs_reg r) { return platform::irs_config{}.config_frame + desc(r).offset; }
void wait_op(pe& p) { p.idle_until(p.local_time() + sc_core::sc_time(3, sc_core::SC_US)); }

// The host: a linear IST, its CPU interface on, the doorbell LPI enabled and aimed at itself.
void host_doorbell_lpi(pe& p) {
    p.write32(addr(irs_reg::IRS_IST_CFGR), 0x0000000C);
    p.write64(addr(irs_reg::IRS_IST_BASER), ist_base | 1);
    wait_op(p);
    at_el(p, exception_level::EL1, [&] {
        p.msr(sysreg::ICC_PCR_EL1, PRIORITY_LOWEST);
        p.msr(sysreg::ICC_CR0_EL1, 1);
        p.insn(gic_insn::CDPRI, lpi(DOORBELL_LPI).encode() | CD_OPERAND::PRIORITY.make(0x08));
        p.insn(gic_insn::CDAFF, lpi(DOORBELL_LPI).encode() | CD_OPERAND::IAFFID.make(HOST_PE));
        p.insn(gic_insn::CDEN, lpi(DOORBELL_LPI).encode());
    });
}
// KVM's per-vPE step (§5.3): select the vPE, then IRS_VPE_DBR with the doorbell and DBV.
void set_doorbell(pe& p, unsigned vpe) {
    p.write64(addr(irs_reg::IRS_VPE_SELR),
              IRS_VPE_SELR::VPE_ID.make(vpe) | IRS_VPE_SELR::S.make(1));
    wait_op(p);
    p.write64(addr(irs_reg::IRS_VPE_DBR),
              IRS_VPE_DBR::INTID.make(DOORBELL_LPI) | IRS_VPE_DBR::DBV.make(1));
    wait_op(p);
}
// KVM vgic_v5_put() on the WFI path: V = 0 with DB = 1 and DBPM.
void put_with_doorbell(pe& p, uint8_t dbpm) {
    p.msr(sysreg::ICH_CONTEXTR_EL2,
          ICH_CONTEXTR_EL2::DB.make(1) | ICH_CONTEXTR_EL2::DBPM.make(dbpm));
}
bool host_doorbell_pending(pe& host) {
    return at_el(host, exception_level::EL1, [&] {
        host.insn(gic_insn::CDRCFG, lpi(DOORBELL_LPI).encode());
        return ICC_ICSR_EL1::Pending.test(host.mrs(sysreg::ICC_ICSR_EL1));
    });
}

// One script drives both PEs: the host PE's part (its CPU interface and the doorbell LPI)
// through the host PE, the rest on the vCPU PE.
void ready(scripted_platform& s, pe& p) {
    host_doorbell_lpi(*s.plat->pes[HOST_PE]);
    boot_and_load(s, p);
    guest_enable(p);
    guest_spi(p, 7, 0x10);
    guest_spi(p, 8, 0x18);
    set_doorbell(p, 0);
}

} // namespace

TEST(Doorbell, ANonResidentVpeRingsItsDoorbellOncePerRequest) { // §8.9
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        ready(s, p);
        put_with_doorbell(p, 0x1f);
        vdpend(p, 7, true);
        settle(p);
        EXPECT_TRUE(s.iste(7).pending); // kept in the vIST
        p.sync(); // let the host PE's time catch up before looking at its line
        EXPECT_TRUE(s.plat->pes[HOST_PE]->line(pe_line::irq));
        EXPECT_TRUE(host_doorbell_pending(*s.plat->pes[HOST_PE]));
        vdpend(p, 8, true); // the request was used up: no second doorbell
        settle(p);
        EXPECT_EQ(s.plat->irs.doorbells(), 1u);
        // Resident again (KVM vgic_v5_load()): both interrupts reach the guest.
        p.msr(sysreg::ICH_CONTEXTR_EL2, ICH_CONTEXTR_EL2::V.make(1));
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(7));
        cdeoi(p);
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(8));
    });
    s.run();
}

TEST(Doorbell, NoDoorbellRingsWithoutARequestOrForAPriorityDbpmMasks) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        ready(s, p);
        p.msr(sysreg::ICH_CONTEXTR_EL2, 0); // non-resident, DB = 0
        vdpend(p, 7, true);
        settle(p);
        EXPECT_EQ(s.plat->irs.doorbells(), 0u);
        p.msr(sysreg::ICH_CONTEXTR_EL2, ICH_CONTEXTR_EL2::V.make(1));
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(7));
        cdeoi(p);
        cddi(p, 7);
        put_with_doorbell(p, 0x0f); // DBPM 0x0f masks priority 0x10, and 0x18
        vdpend(p, 7, true);
        vdpend(p, 8, true);
        settle(p);
        EXPECT_EQ(s.plat->irs.doorbells(), 0u);
        EXPECT_FALSE(host_doorbell_pending(*s.plat->pes[HOST_PE]));
    });
    s.run();
}

// DBPM is a mask as ICC_PCR_EL1 is: a priority equal to it rings, as the guest would take it
// (KVM's DBPM = VPMR when nothing is active, reference §10.2).
TEST(Doorbell, APriorityEqualToDbpmRings) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        ready(s, p);
        put_with_doorbell(p, 0x10);
        vdpend(p, 7, true); // priority 0x10
        settle(p);
        EXPECT_EQ(s.plat->irs.doorbells(), 1u);
        EXPECT_TRUE(host_doorbell_pending(*s.plat->pes[HOST_PE]));
    });
    s.run();
}

TEST(Doorbell, AnInterruptPendingWhenTheVpeLeavesRingsAtOnce) { // §8.9: the race loses nothing
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        ready(s, p);
        at_el(p, exception_level::EL1, [&] { p.msr(sysreg::ICC_PCR_EL1, 0x08); }); // masked
        vdpend(p, 7, true);
        settle(p);
        EXPECT_FALSE(p.virq());
        put_with_doorbell(p, 0x1f);
        settle(p);
        EXPECT_EQ(s.plat->irs.doorbells(), 1u);
        EXPECT_TRUE(host_doorbell_pending(*s.plat->pes[HOST_PE]));
    });
    s.run();
}

TEST(Doorbell, BecomingResidentClearsTheRequest) { // §5.4
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        ready(s, p);
        put_with_doorbell(p, 0x1f);
        p.msr(sysreg::ICH_CONTEXTR_EL2, ICH_CONTEXTR_EL2::V.make(1));
        p.msr(sysreg::ICH_CONTEXTR_EL2, 0); // leaves again without asking
        vdpend(p, 7, true);
        settle(p);
        EXPECT_EQ(s.plat->irs.doorbells(), 0u);
    });
    s.run();
}

TEST(Doorbell, SelectingAVpeLoadsItsDoorbellIntoVpeDbr) { // §2.3
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        ready(s, p);
        p.write64(addr(irs_reg::IRS_VPE_SELR),
                  IRS_VPE_SELR::VPE_ID.make(0) | IRS_VPE_SELR::S.make(1));
        wait_op(p);
        EXPECT_EQ(p.read64(addr(irs_reg::IRS_VPE_DBR)),
                  IRS_VPE_DBR::INTID.make(DOORBELL_LPI) | IRS_VPE_DBR::DBV.make(1));
        // vPE 1 is in the table but not mapped: the selection fails and a DBR write with it too.
        p.write64(addr(irs_reg::IRS_VPE_SELR),
                  IRS_VPE_SELR::VPE_ID.make(1) | IRS_VPE_SELR::S.make(1));
        wait_op(p);
        EXPECT_EQ(p.read64(addr(irs_reg::IRS_VPE_DBR)), 0u);
        p.write64(addr(irs_reg::IRS_VPE_DBR), IRS_VPE_DBR::DBV.make(1));
        EXPECT_FALSE(IRS_VPE_STATUSR::V.test(p.read32(addr(irs_reg::IRS_VPE_STATUSR))));
    });
    s.run();
}

TEST(Doorbell, AVdpendRacingTheVpeBecomingResidentIsDeliveredAndRingsAtMostOnce) { // §8.9
    // In round k the vCPU PE makes vPE 0 resident at t(k) while the host PE's VDPEND comes
    // skew[k] later (earlier when negative). Whichever the IRS sees first, the guest gets the
    // interrupt once, and the doorbell rings only if the VDPEND found the vPE not resident.
    const std::vector<int> skew_ns{-300, -40, -20, -10, 0, 10, 20, 40, 300};
    const sc_core::sc_time start(300, sc_core::SC_US), round(20, sc_core::SC_US);
    auto t = [&](std::size_t k) { return start + round * double(k); };
    auto host_t = [&](std::size_t k) {
        const sc_core::sc_time s(std::abs(skew_ns[k]), sc_core::SC_NS);
        return skew_ns[k] < 0 ? t(k) - s : t(k) + s;
    };
    std::vector<unsigned> rung(skew_ns.size(), 0);
    scripted_platform s;
    s.on(HOST_PE, [&](pe& p) {
        host_doorbell_lpi(p);
        for (std::size_t k = 0; k < skew_ns.size(); ++k) {
            p.idle_until(host_t(k));
            vdpend(p, 7, true);
            p.idle_until(t(k) + sc_core::sc_time(8, sc_core::SC_US));
            // The doorbell's handler (KVM: sets db_fired, kicks the vCPU): acknowledge it.
            at_el(p, exception_level::EL1, [&] {
                while (p.insn(gic_insn::CDIA) ==
                       (lpi(DOORBELL_LPI).encode() | CDIA_RESULT::VALID.make(1))) {
                    ++rung[k];
                    p.insn(gic_insn::CDEOI);
                    p.insn(gic_insn::CDDI, lpi(DOORBELL_LPI).encode());
                    settle(p);
                }
            });
        }
    });
    s.on(VCPU_PE, [&](pe& p) {
        p.idle_until(p.local_time() + sc_core::sc_time(10, sc_core::SC_US)); // the host's IST
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 7, 0x10);
        set_doorbell(p, 0);
        put_with_doorbell(p, 0x1f);
        ASSERT_LT(p.local_time(), start); // bring-up done before the first round
        for (std::size_t k = 0; k < skew_ns.size(); ++k) {
            p.idle_until(t(k));
            p.msr(sysreg::ICH_CONTEXTR_EL2, ICH_CONTEXTR_EL2::V.make(1));
            p.idle_until(t(k) + sc_core::sc_time(3, sc_core::SC_US));
            EXPECT_EQ(cdia(p), cdia_valid(7)) << "round " << k; // nothing lost
            cdeoi(p);
            cddi(p, 7);
            settle(p);
            EXPECT_EQ(cdia(p), 0u) << "round " << k; // and delivered once
            put_with_doorbell(p, 0x1f);              // back to WFI for the next round
        }
    });
    s.run();
    for (std::size_t k = 0; k < skew_ns.size(); ++k)
        EXPECT_LE(rung[k], 1u) << "skew " << skew_ns[k] << " ns";
    EXPECT_EQ(rung.front(), 1u); // the VDPEND found the vPE waiting: its doorbell rang
    EXPECT_EQ(rung.back(), 0u);  // the vPE was resident first: no doorbell
    unsigned total = 0;
    for (unsigned r : rung)
        total += r;
    EXPECT_EQ(s.plat->irs.doorbells(), total);
}
