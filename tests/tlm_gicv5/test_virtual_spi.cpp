// A virtual SPI through the IRS and the CPU interface: VDPEND, HPPI selection, the guest's
// acknowledge, priority drop and deactivate, VDRCFG (reference §4.3, §5, §8).
#include "common/scripted_platform.h"
#include "tlm_gicv5/irs_regs.h"

#include <gtest/gtest.h>

using namespace gicv5;
using namespace test;

namespace {
constexpr unsigned VCPU_PE = 1;
}

TEST(VirtualSpi, VdpendToADisabledSpiPendsItWithoutDeliveryUntilTheGuestEnablesIt) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 7, 0x10, 0, handling_mode::edge, /*enable=*/false);
        vdpend(p, 7, true);
        settle(p);
        EXPECT_TRUE(s.iste(7).pending);
        EXPECT_FALSE(p.virq());
        EXPECT_EQ(cdia(p), 0u); // VALID = 0
        at_el(p, exception_level::EL1, [&] { p.insn(gic_insn::CDEN, spi(7).encode()); });
        settle(p);
        EXPECT_TRUE(p.virq());
        EXPECT_EQ(cdia(p), cdia_valid(7));
    });
    s.run();
}

TEST(VirtualSpi, AcknowledgingAnEdgeSpiMakesItActiveAndNotPending) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 3, 0x08);
        vdpend(p, 3, true);
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(3));
        settle(p);
        EXPECT_TRUE(s.iste(3).active);
        EXPECT_FALSE(s.iste(3).pending);
        EXPECT_EQ(p.mrs(sysreg::ICH_APR_EL2), uint64_t{1} << 0x08);
        EXPECT_FALSE(p.virq());
        cdeoi(p);
        EXPECT_EQ(p.mrs(sysreg::ICH_APR_EL2), 0u);
        cddi(p, 3);
        settle(p);
        EXPECT_FALSE(s.iste(3).active);
    });
    s.run();
}

TEST(VirtualSpi, ALevelSpiStaysPendingWhenAcknowledgedUntilItsSourceDrops) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 4, 0x08, 0, handling_mode::level);
        vdpend(p, 4, true);
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(4));
        settle(p);
        EXPECT_TRUE(s.iste(4).active);
        EXPECT_TRUE(s.iste(4).pending); // §8.2: Activate clears Pending only for HM = Edge
        cdeoi(p);
        cddi(p, 4);
        settle(p);
        EXPECT_TRUE(p.virq()); // still pending, so delivered again
        vdpend(p, 4, false);   // the line drops: VDPEND with PENDING = 0
        settle(p);
        EXPECT_FALSE(s.iste(4).pending);
        EXPECT_FALSE(p.virq());
    });
    s.run();
}

TEST(VirtualSpi, AnEdgeRepeatedWhileActiveIsDeliveredOnceMoreAfterDeactivation) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 9, 0x10);
        vdpend(p, 9, true);
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(9));
        cdeoi(p);
        vdpend(p, 9, true);
        vdpend(p, 9, true); // two edges while active merge into one pending
        settle(p);
        EXPECT_TRUE(s.iste(9).pending && s.iste(9).active);
        EXPECT_FALSE(p.virq()); // active: not a candidate
        cddi(p, 9);
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(9));
        cdeoi(p);
        cddi(p, 9);
        settle(p);
        EXPECT_EQ(cdia(p), 0u);
    });
    s.run();
}

TEST(VirtualSpi, TheHighestPriorityWinsAndEqualPrioritiesGoOldestFirst) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 20, 0x10);
        guest_spi(p, 10, 0x10);
        guest_spi(p, 30, 0x04);
        vdpend(p, 20, true);
        vdpend(p, 10, true);
        vdpend(p, 30, true);
        settle(p);
        std::vector<uint64_t> order;
        for (int i = 0; i < 3; ++i) {
            order.push_back(cdia(p));
            cdeoi(p);
            settle(p);
        }
        EXPECT_EQ(order, (std::vector<uint64_t>{cdia_valid(30), cdia_valid(20), cdia_valid(10)}));
    });
    s.run();
}

TEST(VirtualSpi, APriorityEqualToTheMaskIsSignalledAndALowerOneIsNot) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p, 0x10);
        guest_spi(p, 1, 0x11);
        vdpend(p, 1, true);
        settle(p);
        EXPECT_FALSE(p.virq()); // 0x11 > VPMR 0x10
        EXPECT_EQ(cdia(p), 0u);
        guest_spi(p, 2, 0x10);
        vdpend(p, 2, true);
        settle(p);
        EXPECT_TRUE(p.virq()); // 0x10 <= VPMR, as Linux relies on (reference §4.3 item 6)
        EXPECT_EQ(cdia(p), cdia_valid(2));
    });
    s.run();
}

TEST(VirtualSpi, ARunningPriorityHoldsBackEqualPrioritiesUntilThePriorityDrop) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 5, 0x10);
        guest_spi(p, 6, 0x10);
        vdpend(p, 5, true);
        vdpend(p, 6, true);
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(5));
        settle(p);
        EXPECT_FALSE(p.virq()); // 0x10 is not below the running priority 0x10
        cdeoi(p);
        settle(p);
        EXPECT_TRUE(p.virq());
        EXPECT_EQ(cdia(p), cdia_valid(6));
    });
    s.run();
}

TEST(VirtualSpi, VdrcfgReportsTheIsteInIccIcsrForm) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 12, 0x0c, 0, handling_mode::level);
        vdpend(p, 12, true);
        settle(p);
        uint64_t icsr = vdrcfg(p, 12);
        EXPECT_FALSE(ICC_ICSR_EL1::F.test(icsr));
        EXPECT_TRUE(ICC_ICSR_EL1::Enabled.test(icsr));
        EXPECT_TRUE(ICC_ICSR_EL1::Pending.test(icsr));
        EXPECT_FALSE(ICC_ICSR_EL1::Active.test(icsr));
        EXPECT_TRUE(ICC_ICSR_EL1::HM.test(icsr));
        EXPECT_EQ(ICC_ICSR_EL1::Priority.get(icsr), 0x0cu);
        cdia(p);
        settle(p);
        icsr = vdrcfg(p, 12);
        EXPECT_TRUE(ICC_ICSR_EL1::Active.test(icsr));
        // An ID beyond the VM's vIST faults (reference §8.6).
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(vdrcfg(p, 1u << 20)));
    });
    s.run();
}

TEST(VirtualSpi, VdrcfgWithNoResidentVpeFaults) {
    scripted_platform s;
    s.on(0, [&](pe& p) {
        at_el(p, exception_level::EL2, [&] {
            s.agent().host_init(p);
            s.agent().vm_init(p, 0);
        });
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(vdrcfg(p, 0)));
    });
    s.run();
}

TEST(VirtualSpi, AnyHostPeCanPendAnotherPesResidentVm) {
    scripted_platform s;
    bool loaded = false;
    sc_core::sc_event loaded_ev;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 33, 0x10);
        loaded = true;
        loaded_ev.notify(p.local_time() - sc_core::sc_time_stamp());
        EXPECT_TRUE(p.wait_for_virq(p.local_time() + sc_core::sc_time(100, sc_core::SC_US)));
        EXPECT_EQ(cdia(p), cdia_valid(33));
    });
    s.on(0, [&](pe& p) {
        p.wait_for([&] { return loaded; }, loaded_ev);
        vdpend(p, 33, true); // from PE 0, where no vPE is resident
    });
    s.run();
}

TEST(VirtualSpi, LeavingResidencyDropsTheVirtualIrqAndReturningRestoresIt) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 2, 0x10);
        vdpend(p, 2, true);
        settle(p);
        EXPECT_TRUE(p.virq());
        const uint64_t ctx = p.mrs(sysreg::ICH_CONTEXTR_EL2);
        p.msr(sysreg::ICH_CONTEXTR_EL2, 0);
        settle(p);
        EXPECT_FALSE(p.virq());
        EXPECT_TRUE(s.iste(2).pending); // kept in the vIST
        p.msr(sysreg::ICH_CONTEXTR_EL2, ctx);
        EXPECT_FALSE(ICH_CONTEXTR_EL2::F.test(p.mrs(sysreg::ICH_CONTEXTR_EL2)));
        settle(p);
        EXPECT_TRUE(p.virq());
        // A vPE that was never mapped cannot be made resident: F = 1.
        p.msr(sysreg::ICH_CONTEXTR_EL2, ICH_CONTEXTR_EL2::V.make(1) | ICH_CONTEXTR_EL2::VM.make(3));
        const uint64_t bad = p.mrs(sysreg::ICH_CONTEXTR_EL2);
        EXPECT_TRUE(ICH_CONTEXTR_EL2::F.test(bad));
        EXPECT_FALSE(ICH_CONTEXTR_EL2::V.test(bad));
    });
    s.run();
}

TEST(VirtualSpi, EachHypervisorInstructionActsOnTheVmItNames) { // §5.1, README operand table
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        namespace VD = VD_OPERAND;
        const uint64_t op = spi(21).encode() | VD::VM.make(0);
        auto vd = [&](gic_insn i, uint64_t operand) {
            at_el(p, exception_level::EL2, [&] { p.insn(i, operand); });
        };
        vd(gic_insn::VDPRI, op | VD::PRIORITY.make(0x0b));
        vd(gic_insn::VDAFF, op | VD::IAFFID.make(0));
        vd(gic_insn::VDHM, op | VD::HM.make(1));
        vd(gic_insn::VDEN, op);
        uint64_t icsr = vdrcfg(p, 21);
        EXPECT_EQ(ICC_ICSR_EL1::Priority.get(icsr), 0x0bu);
        EXPECT_EQ(ICC_ICSR_EL1::IAFFID.get(icsr), 0u);
        EXPECT_TRUE(ICC_ICSR_EL1::HM.test(icsr));
        EXPECT_TRUE(ICC_ICSR_EL1::Enabled.test(icsr));
        vd(gic_insn::VDPEND, op | VD::PENDING.make(1));
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(21)); // the guest sees what the hypervisor set up
        vd(gic_insn::VDDI, op);             // the hypervisor deactivates it (e.g. on restore)
        vd(gic_insn::VDDIS, op);
        icsr = vdrcfg(p, 21);
        EXPECT_FALSE(ICC_ICSR_EL1::Active.test(icsr));
        EXPECT_FALSE(ICC_ICSR_EL1::Enabled.test(icsr));
        EXPECT_TRUE(ICC_ICSR_EL1::Pending.test(icsr)); // level: the acknowledge kept it pending
        vd(gic_insn::VDAFF, op | VD::IAFFID.make(1));  // to vPE 1 of the VM
        EXPECT_EQ(ICC_ICSR_EL1::IAFFID.get(vdrcfg(p, 21)), 1u);
        // A VM that is not mapped: no effect, and a software-error record.
        vd(gic_insn::VDEN, spi(21).encode() | VD::VM.make(5));
        settle(p);
    });
    s.run();
    EXPECT_EQ(s.plat->cpuifs[VCPU_PE]->unimplemented_count(), 0u);
    EXPECT_EQ(s.plat->irs.ignored_requests(), 1u);
}

TEST(VirtualSpi, AnSpiGivenToAVmThroughIrsSpiVmrArrivesInTheGuestAsAVirtualSpi) { // issue 4 pt 8
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 12, 0x10);
        const uint64_t frame = platform::irs_config{}.config_frame;
        p.write32(frame + desc(irs_reg::IRS_SPI_SELR).offset, 12);
        p.idle_until(p.local_time() + sc_core::sc_time(2, sc_core::SC_US));
        p.write64(frame + desc(irs_reg::IRS_SPI_VMR).offset,
                  IRS_SPI_VMR::VM_ID.make(0) | IRS_SPI_VMR::VIRT.make(1));
        p.idle_until(p.local_time() + sc_core::sc_time(2, sc_core::SC_US));
        EXPECT_EQ(p.read64(frame + desc(irs_reg::IRS_SPI_VMR).offset), IRS_SPI_VMR::VIRT.make(1));
        s.plat->spi_line(12, true, p.local_time() - sc_core::sc_time_stamp());
        settle(p);
        EXPECT_TRUE(p.virq());
        EXPECT_FALSE(p.line(cpu_stubs::pe_line::irq)); // not a physical interrupt any more
        EXPECT_EQ(cdia(p), cdia_valid(12));
    });
    s.run();
}

TEST(VirtualSpi, IrsVpeHppirShowsANonResidentVpesBestPendingInterrupt) { // §5.4
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 3, 0x14);
        guest_spi(p, 4, 0x0c);
        p.msr(sysreg::ICH_CONTEXTR_EL2, 0); // not resident any more
        vdpend(p, 3, true);
        vdpend(p, 4, true);
        settle(p);
        const uint64_t frame = platform::irs_config{}.config_frame;
        p.write64(frame + desc(irs_reg::IRS_VPE_SELR).offset, IRS_VPE_SELR::S.make(1));
        p.idle_until(p.local_time() + sc_core::sc_time(2, sc_core::SC_US));
        const uint64_t h = p.read64(frame + desc(irs_reg::IRS_VPE_HPPIR).offset);
        EXPECT_TRUE(IRS_VPE_HPPIR::HPPIV.test(h));
        EXPECT_EQ(IRS_VPE_HPPIR::ID.get(h), 4u);
        EXPECT_EQ(IRS_VPE_HPPIR::TYPE.get(h), 3u);
    });
    s.run();
}

TEST(VirtualSave, SavingWithQuiesceWritesTheVistBackAndStopsDeliveryUntilResumed) { // pt 7
    platform::platform_config cfg = two_pe_config();
    cfg.irs.iste_cache = 8;
    scripted_platform s(cfg);
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 6, 0x10);
        vdpend(p, 6, true);
        settle(p);
        EXPECT_TRUE(p.virq());
        EXPECT_FALSE(s.iste(6).pending); // the IRS holds it in its cache
        const uint64_t frame = platform::irs_config{}.config_frame;
        const uint64_t save = frame + desc(irs_reg::IRS_SAVE_VMR).offset;
        const uint64_t status = frame + desc(irs_reg::IRS_SAVE_VM_STATUSR).offset;
        p.write64(save,
                  IRS_SAVE_VMR::VM_ID.make(0) | IRS_SAVE_VMR::Q.make(1) | IRS_SAVE_VMR::S.make(1));
        p.idle_until(p.local_time() + sc_core::sc_time(2, sc_core::SC_US));
        const uint32_t st = p.read32(status);
        EXPECT_TRUE(IRS_SAVE_VM_STATUSR::IDLE.test(st));
        EXPECT_TRUE(IRS_SAVE_VM_STATUSR::Q.test(st));
        EXPECT_FALSE(p.virq());   // quiesced: recalled
        const iste e = s.iste(6); // now readable without side effects (debug peek)
        EXPECT_TRUE(e.pending);
        EXPECT_TRUE(e.enable);
        EXPECT_EQ(e.priority, 0x10u);
        p.write64(save, IRS_SAVE_VMR::VM_ID.make(0) | IRS_SAVE_VMR::S.make(1)); // resume
        p.idle_until(p.local_time() + sc_core::sc_time(2, sc_core::SC_US));
        EXPECT_FALSE(IRS_SAVE_VM_STATUSR::Q.test(p.read32(status)));
        EXPECT_EQ(cdia(p), cdia_valid(6));
    });
    s.run();
}

TEST(GuestTraps, TrappedGuestAccessesReachTheHostAndHaveNoEffect) { // §5.2 ICH_HFG*TR_EL2
    scripted_platform s;
    std::vector<gic_trap> seen;
    s.plat->pes[VCPU_PE]->on_trap([&](pe&, const gic_trap& t) { seen.push_back(t); });
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        at_el(p, exception_level::EL2, [&] {
            p.msr(sysreg::ICH_HFGITR_EL2, ICH_HFGITR_EL2::CDEN.make(1));
            p.msr(sysreg::ICH_HFGWTR_EL2, ICH_HFGxTR_EL2::PPI_ENABLERn.make(1));
        });
        guest_enable(p);       // ICC_PCR / ICC_CR0: not trapped
        guest_spi(p, 3, 0x10); // its CDEN traps; CDPRI, CDAFF, CDHM do not
        at_el(p, exception_level::EL1, [&] { p.msr(sysreg::ICC_PPI_ENABLER0_EL1, 0x8); });
        const uint64_t icsr = vdrcfg(p, 3);
        EXPECT_FALSE(ICC_ICSR_EL1::Enabled.test(icsr)); // the trapped CDEN did nothing
        EXPECT_EQ(ICC_ICSR_EL1::Priority.get(icsr), 0x10u);
        EXPECT_EQ(
            at_el(p, exception_level::EL2, [&] { return p.mrs(sysreg::ICH_PPI_ENABLER0_EL2); }),
            0u);
    });
    s.run();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].what, gic_trap::kind::insn);
    EXPECT_EQ(seen[0].index, static_cast<unsigned>(gic_insn::CDEN));
    EXPECT_EQ(seen[0].value, spi(3).encode());
    EXPECT_EQ(seen[1].what, gic_trap::kind::write);
    EXPECT_EQ(seen[1].index, static_cast<unsigned>(sysreg::ICC_PPI_ENABLER0_EL1));
    EXPECT_EQ(seen[1].value, 0x8u);
    EXPECT_EQ(s.plat->pes[VCPU_PE]->traps(), 2u);
}

TEST(VirtualRestore, AVistRestoredWithPendingClearedIsReplayedWithVdpend) { // §8.14
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        // The VM's saved SPI vIST, as KVM restores it before the vIST is mapped: PENDING and HWU
        // cleared (HWU must not move between machines); the pending SPIs are kept on a list.
        at_el(p, exception_level::EL2, [&] { s.agent().host_init(p); });
        iste saved;
        saved.enable = true;
        saved.priority = 0x10;
        saved.iaffid = 0;
        saved.hwu = 0; // cleared on restore
        at_el(p, exception_level::EL2, [&] { s.agent().vm_init(p, 0); });
        // vm_init mapped a zeroed vIST; write the restored entry, then re-map it as KVM would.
        const uint64_t vist = s.agent().dist(0).spi_vist;
        const uint64_t frame = platform::irs_config{}.config_frame;
        const uint64_t vistr = frame + desc(irs_reg::IRS_VMAP_VISTR).offset;
        const uint64_t spi_vist = IRS_VMAP_VISTR::TYPE.make(3) | IRS_VMAP_VISTR::VM_ID.make(0);
        p.write64(vistr, spi_vist | IRS_VMAP_VISTR::U.make(1)); // unmap
        p.idle_until(p.local_time() + sc_core::sc_time(3, sc_core::SC_US));
        p.write32(vist + 4 * 14, saved.encode());
        p.write64(vistr, spi_vist | IRS_VMAP_VISTR::M.make(1)); // map again
        p.idle_until(p.local_time() + sc_core::sc_time(3, sc_core::SC_US));
        at_el(p, exception_level::EL2, [&] { s.agent().vcpu_load(p, 0, 0); });
        guest_enable(p);
        settle(p);
        EXPECT_FALSE(p.virq()); // restored as not pending: nothing yet
        vdpend(p, 14, true);    // vgic_v5_restore_pending_irqs(): replay
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(14));
    });
    s.run();
    EXPECT_EQ(s.plat->irs.ignored_requests(), 0u);
}
