// The hypervisor agent's SPI tracking against the real hardware model (reference §6.2).
#include "common/scripted_platform.h"

#include <gtest/gtest.h>

using namespace gicv5;
using namespace test;
using platform::trigger_mode;

namespace {
constexpr unsigned VCPU_PE = 1;

void inject(scripted_platform& s, pe& p, unsigned spi, bool level = true) {
    at_el(p, exception_level::EL2, [&] { s.agent().kvm_vgic_inject_irq(p, 0, spi, level); });
}
void vcpu_exit(scripted_platform& s, pe& p) {
    at_el(p, exception_level::EL2, [&] { s.agent().vcpu_exit(p, 0, 0); });
}
// The guest's whole handling of one interrupt, Linux's order.
void guest_handle(pe& p, uint32_t id) {
    ASSERT_EQ(cdia(p), cdia_valid(id));
    cdeoi(p);
    cddi(p, id);
    settle(p);
}
const platform::kvm::vgic_dist& dist(scripted_platform& s) { return s.agent().dist(0); }
bool listed(scripted_platform& s, unsigned spi) { return dist(s).spis[spi].on_ap_list; }

void ready_guest(scripted_platform& s, pe& p) {
    boot_and_load(s, p);
    guest_enable(p);
    for (uint32_t id = 0; id < 8; ++id)
        guest_spi(p, id, 0x10);
}
} // namespace

TEST(AgentApList, InjectingAListedSpiAgainIssuesOnlyTheVdpend) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        ready_guest(s, p);
        inject(s, p, 5);
        inject(s, p, 5);
    });
    s.run();
    EXPECT_EQ(dist(s).ap_list.size(), 1u);
    EXPECT_EQ(dist(s).stats.ap_list_insertions, 1u);
    EXPECT_EQ(dist(s).stats.vdpend, 2u);
    EXPECT_EQ(dist(s).spis[5].refcount, 1u);
    EXPECT_EQ(s.plat->cpuifs[VCPU_PE]->insn_count(gic_insn::VDPEND), 2u);
}

TEST(AgentApList, AnExitKeepsAnSpiThatIsStillPending) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        ready_guest(s, p);
        inject(s, p, 2);
        settle(p);
        vcpu_exit(s, p);
        EXPECT_TRUE(listed(s, 2));
        EXPECT_TRUE(dist(s).spis[2].pending_latch);
    });
    s.run();
    EXPECT_EQ(dist(s).stats.vdrcfg, 1u);
    EXPECT_EQ(dist(s).stats.notifier_calls, 0u);
}

TEST(AgentApList, AnExitKeepsAnSpiThatIsActive) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        ready_guest(s, p);
        inject(s, p, 2);
        settle(p);
        ASSERT_EQ(cdia(p), cdia_valid(2));
        cdeoi(p);
        settle(p);
        vcpu_exit(s, p);
        EXPECT_TRUE(listed(s, 2));
        EXPECT_TRUE(dist(s).spis[2].active);
        EXPECT_FALSE(dist(s).spis[2].pending_latch); // folded from ICSR: not pending any more
    });
    s.run();
    EXPECT_EQ(dist(s).stats.notifier_calls, 0u);
}

TEST(AgentApList, AnExitDropsAConsumedSpiAndNotifiesItOnce) {
    scripted_platform s;
    struct counter : platform::kvm::ack_notifier {
        std::vector<unsigned> gsis;
        void irq_acked(unsigned, unsigned gsi, const sc_core::sc_time&) override {
            gsis.push_back(gsi);
        }
    } n;
    s.agent().register_ack_notifier(0, n);
    s.on(VCPU_PE, [&](pe& p) {
        ready_guest(s, p);
        inject(s, p, 6);
        settle(p);
        guest_handle(p, 6);
        vcpu_exit(s, p);
        EXPECT_FALSE(listed(s, 6));
        vcpu_exit(s, p); // nothing listed: no second notification
    });
    s.run();
    EXPECT_EQ(n.gsis, std::vector<unsigned>{6}); // the raw SPI number, no type bits
    EXPECT_EQ(dist(s).spis[6].refcount, 0u);
    EXPECT_TRUE(dist(s).ap_list.empty());
}

TEST(AgentApList, SeveralDeliveriesBetweenTwoExitsAreOneConsumption) {
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        ready_guest(s, p);
        for (int i = 0; i < 3; ++i) {
            inject(s, p, 1);
            settle(p);
            guest_handle(p, 1);
        }
        vcpu_exit(s, p);
    });
    s.run();
    EXPECT_EQ(dist(s).stats.ap_list_insertions, 1u);
    EXPECT_EQ(dist(s).stats.notifier_calls, 1u);
    EXPECT_EQ(dist(s).stats.vdpend, 3u);
}

TEST(AgentApList, ALevelSpiWhoseLineIsHighIsNeverDroppedEvenAfterDeactivation) {
    scripted_platform s;
    s.agent().set_spi_config(0, 3, trigger_mode::level);
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 3, 0x10, 0, handling_mode::level);
        inject(s, p, 3, true); // line high
        settle(p);
        guest_handle(p, 3);
        vcpu_exit(s, p);
        EXPECT_TRUE(listed(s, 3)); // line still high: pending in KVM's sense
        EXPECT_EQ(dist(s).stats.notifier_calls, 0u);
        inject(s, p, 3, false); // line low: VDPEND with PENDING = 0
        settle(p);
        EXPECT_FALSE(s.iste(3).pending);
        vcpu_exit(s, p);
        EXPECT_FALSE(listed(s, 3));
    });
    s.run();
    EXPECT_EQ(dist(s).stats.notifier_calls, 1u);
    EXPECT_EQ(dist(s).stats.vdpend, 2u);
}

TEST(AgentApList, ALevelSpiReassertedBeforeTheExitStaysListed) {
    scripted_platform s;
    s.agent().set_spi_config(0, 4, trigger_mode::level);
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 4, 0x10, 0, handling_mode::level);
        inject(s, p, 4, true);
        settle(p);
        ASSERT_EQ(cdia(p), cdia_valid(4));
        cdeoi(p);
        inject(s, p, 4, false);
        cddi(p, 4);
        inject(s, p, 4, true); // re-asserted before any exit saw it consumed
        settle(p);
        vcpu_exit(s, p);
        EXPECT_TRUE(listed(s, 4));
    });
    s.run();
    EXPECT_EQ(dist(s).stats.notifier_calls, 0u);
    EXPECT_EQ(dist(s).stats.ap_list_insertions, 1u);
}

TEST(AgentTrackingNone, InjectionIssuesVdpendAndTracksNothing) {
    platform::platform_config cfg = two_pe_config();
    cfg.vms[0].tracking = platform::tracking_policy::none;
    scripted_platform s(cfg);
    s.on(VCPU_PE, [&](pe& p) {
        ready_guest(s, p);
        inject(s, p, 2);
        settle(p);
        guest_handle(p, 2);
        vcpu_exit(s, p);
    });
    s.run();
    EXPECT_EQ(dist(s).stats.vdpend, 1u);
    EXPECT_EQ(dist(s).stats.ap_list_insertions, 0u);
    EXPECT_EQ(dist(s).stats.vdrcfg, 0u);
    EXPECT_EQ(dist(s).stats.notifier_calls, 0u);
}

TEST(AgentApList, TwoHostPesInjectingOneSpiListItOnce) {
    platform::platform_config cfg = two_pe_config();
    cfg.pes.push_back({platform::pe_role::host});
    scripted_platform s(cfg);
    s.on(VCPU_PE, [&](pe& p) { ready_guest(s, p); });
    for (unsigned host : {0u, 2u})
        s.on(host, [&](pe& p) {
            s.agent().wait_until_ready(p);
            p.idle_until(sc_core::sc_time(200, sc_core::SC_US));
            for (int i = 0; i < 5; ++i)
                inject(s, p, 7);
        });
    s.run();
    EXPECT_EQ(dist(s).stats.ap_list_insertions, 1u);
    EXPECT_EQ(dist(s).stats.vdpend, 10u);
    EXPECT_EQ(dist(s).spis[7].refcount, 1u);
}

TEST(AgentApList, ALevelLineHeldAcrossDeactivationIsDeliveredAgainByTheHardwareAlone) { // §8.2
    scripted_platform s;
    s.agent().set_spi_config(0, 3, trigger_mode::level);
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 3, 0x10, 0, handling_mode::level);
        inject(s, p, 3, true);
        settle(p);
        guest_handle(p, 3); // the line stays high
        EXPECT_TRUE(p.virq());
        guest_handle(p, 3); // delivered again, with no help from the agent
    });
    s.run();
    EXPECT_EQ(dist(s).stats.vdpend, 1u);
    EXPECT_EQ(dist(s).stats.vdrcfg, 0u);
}

TEST(AgentApList, ALevelLineDroppedBeforeTheAcknowledgeIsNotDeliveredAndLeavesAtTheNextExit) {
    scripted_platform s;
    s.agent().set_spi_config(0, 6, trigger_mode::level);
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 6, 0x10, 0, handling_mode::level);
        at_el(p, exception_level::EL1, [&] { p.msr(sysreg::ICC_CR0_EL1, 0); }); // masked
        inject(s, p, 6, true);
        inject(s, p, 6, false); // VDPEND with PENDING = 0 before the guest looked
        settle(p);
        EXPECT_FALSE(s.iste(6).pending);
        guest_enable(p);
        settle(p);
        EXPECT_EQ(cdia(p), 0u); // nothing to take
        EXPECT_TRUE(listed(s, 6));
        vcpu_exit(s, p); // neither active nor pending, line low: consumed in KVM's sense
        EXPECT_FALSE(listed(s, 6));
    });
    s.run();
    EXPECT_EQ(dist(s).stats.vdpend, 2u);
    EXPECT_EQ(dist(s).stats.notifier_calls, 1u);
    EXPECT_EQ(dist(s).spis[6].refcount, 0u);
}

TEST(AgentApList, AFoldRacingAReassertNeverLeavesAPendingSpiUnlisted) { // §8.10, §8.11
    // In round k the vCPU PE folds at t(k) while the host PE re-injects the consumed SPI 7
    // skew[k] later (earlier when negative). Whichever wins the locks, the SPI ends pending and
    // listed; a drop is followed by a fresh insertion, and each drop notifies once.
    const std::vector<int> skew_ns{-200, -60, -30, -10, 0, 10, 30, 60, 200};
    const sc_core::sc_time start(300, sc_core::SC_US), round(20, sc_core::SC_US);
    auto t = [&](std::size_t k) { return start + round * double(k); };
    platform::platform_config cfg = two_pe_config();
    scripted_platform s(cfg);
    s.on(0, [&](pe& p) {
        s.agent().wait_until_ready(p);
        for (std::size_t k = 0; k < skew_ns.size(); ++k) {
            const sc_core::sc_time d(std::abs(skew_ns[k]), sc_core::SC_NS);
            p.idle_until(skew_ns[k] < 0 ? t(k) - d : t(k) + d);
            inject(s, p, 7);
        }
    });
    s.on(VCPU_PE, [&](pe& p) {
        ready_guest(s, p);
        inject(s, p, 7); // listed once before the rounds
        settle(p);
        guest_handle(p, 7);
        for (std::size_t k = 0; k < skew_ns.size(); ++k) {
            p.idle_until(t(k));
            vcpu_exit(s, p);
            p.idle_until(t(k) + sc_core::sc_time(5, sc_core::SC_US));
            EXPECT_TRUE(listed(s, 7)) << "skew " << skew_ns[k];
            EXPECT_TRUE(s.iste(7).pending) << "skew " << skew_ns[k];
            guest_handle(p, 7); // consume it for the next round
        }
    });
    s.run();
    const auto& st = dist(s).stats;
    EXPECT_EQ(st.ap_list_insertions, 1 + st.notifier_calls); // every drop re-listed
    EXPECT_GE(st.notifier_calls, 1u);                        // the early re-asserts lose
    EXPECT_LT(st.notifier_calls, skew_ns.size());            // the late ones win
    EXPECT_EQ(dist(s).spis[7].refcount, 1u);
}

TEST(AgentLocks, TwoHostPesInjectingOneSpiAtOnceSpinOnItsLock) { // issue 5 point 5
    // Both host PEs inject SPI 7 at the same simulated times: one of them finds the SPI's lock
    // held (by the other, which holds it over its VDPEND) and spins until it is released.
    platform::platform_config cfg = two_pe_config();
    cfg.pes.push_back({platform::pe_role::host});
    scripted_platform s(cfg);
    s.on(VCPU_PE, [&](pe& p) { ready_guest(s, p); });
    for (unsigned host : {0u, 2u})
        s.on(host, [&](pe& p) {
            s.agent().wait_until_ready(p);
            for (int i = 0; i < 5; ++i) {
                p.idle_until(sc_core::sc_time(200 + 10 * i, sc_core::SC_US));
                inject(s, p, 7);
            }
        });
    s.run();
    const platform::kvm::vgic_irq& irq = dist(s).spis[7];
    // At most once per round (the second PE to arrive), and in most rounds: within a quantum
    // the PE whose thread runs second may have arrived first (timed_lock.h, SIMPLIFICATION).
    EXPECT_LE(irq.irq_lock.contended(), 5u);
    EXPECT_GE(irq.irq_lock.contended(), 3u);
    // Each spin lasts at least the holder's VDPEND (one GIC instruction, 10 ns).
    EXPECT_GE(irq.irq_lock.wait_time(),
              sc_core::sc_time(10, sc_core::SC_NS) * static_cast<double>(irq.irq_lock.contended()));
    EXPECT_EQ(dist(s).stats.vdpend, 10u);
}

TEST(AgentLocks, APeWaitingOutAnEarlierHoldFindsTheLockTakenMeanwhileAndSpinsAgain) {
    // PE 0 holds the lock over [100 us, 105 us] of its local time, ahead of the kernel. PE 1
    // arrives at 100.2 us and waits that hold out, yielding to the kernel until 105 us. Meanwhile
    // PE 2, at kernel time 104.5 us but 105.2 us in its own time, takes the lock and holds it
    // across a yield to 107.2 us. PE 1 must then wait for that hold too: two holders at once
    // would be a broken lock (the stress suite found it, 64 PEs, 10 us time slices).
    platform::platform_config cfg = two_pe_config();
    cfg.pes.push_back({platform::pe_role::host});
    scripted_platform s(cfg);
    platform::lock_order order(3);
    platform::timed_lock lock("test_lock", 0);
    const sc_core::sc_time cost(10, sc_core::SC_NS);
    auto at = [](double us) { return sc_core::sc_time(us, sc_core::SC_US); };
    sc_core::sc_time pe1_holds;
    s.on(0, [&](pe& p) {
        p.idle_until(at(100));
        p.sync();
        lock.lock(p, order, cost);
        p.spend(at(105) - p.local_time()); // runs ahead: no yield
        lock.unlock(p, order);
    });
    s.on(1, [&](pe& p) {
        p.idle_until(at(100.2));
        p.sync();
        lock.lock(p, order, cost);
        pe1_holds = p.local_time();
        lock.unlock(p, order);
    });
    s.on(2, [&](pe& p) {
        p.idle_until(at(104.5));
        p.sync();
        p.spend(at(0.7)); // 105.2 us in local time, the kernel still at 104.5 us
        lock.lock(p, order, cost);
        p.spend(at(2));
        p.sync(); // a long critical section: the other PEs run meanwhile
        lock.unlock(p, order);
    });
    s.run();
    EXPECT_GE(pe1_holds, at(107.2)); // after PE 2's release, not alongside its hold
    EXPECT_EQ(lock.contended(), 1u); // PE 1 waited; PE 2 came after PE 0's release
    EXPECT_FALSE(lock.held());
}

TEST(AgentLocks, InjectionsThatDoNotOverlapNeverSpin) {
    platform::platform_config cfg = two_pe_config();
    cfg.pes.push_back({platform::pe_role::host});
    scripted_platform s(cfg);
    s.on(VCPU_PE, [&](pe& p) { ready_guest(s, p); });
    for (unsigned host : {0u, 2u})
        s.on(host, [&, host](pe& p) {
            s.agent().wait_until_ready(p);
            for (int i = 0; i < 5; ++i) {
                // 5 us apart: each injection is long over when the other PE's comes.
                p.idle_until(sc_core::sc_time(200 + 10 * i + 5 * (host == 2), sc_core::SC_US));
                inject(s, p, 7);
            }
        });
    s.run();
    EXPECT_EQ(dist(s).spis[7].irq_lock.contended(), 0u);
    EXPECT_EQ(dist(s).ap_list_lock.contended(), 0u);
}

TEST(AgentPpi, ASwPpiPendingAtPutIsFoldedIntoItsLatchAndRestoredAtLoad) { // §6.1
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        at_el(p, exception_level::EL1, [&] {
            p.msr(sysreg::ICC_PPI_PRIORITYR0_EL1, uint64_t{0x10} << (8 * PPI_SW_PPI));
            p.msr(sysreg::ICC_PPI_ENABLER0_EL1, uint64_t{1} << PPI_SW_PPI);
            p.msr(sysreg::ICC_PCR_EL1, 0); // masked: the guest cannot take it yet
            p.msr(sysreg::ICC_CR0_EL1, 1);
        });
        at_el(p, exception_level::EL2, [&] {
            s.agent().kvm_vgic_inject_ppi(p, 0, 0, PPI_SW_PPI);
            s.agent().vcpu_enter(p, 0, 0); // the kick's exit and re-entry flush the latch
            EXPECT_EQ(p.mrs(sysreg::ICH_PPI_PENDR0_EL2), uint64_t{1} << PPI_SW_PPI);
            s.agent().vcpu_put(p, 0, 0, false);
            // Folded: the edge that came while the vCPU ran is kept for its next run.
            EXPECT_EQ(dist(s).cpus[0].ppi_latch[0], uint64_t{1} << PPI_SW_PPI);
            EXPECT_EQ(p.mrs(sysreg::ICH_PPI_DVIR0_EL2), 0u);
            s.agent().vcpu_load(p, 0, 0);
            EXPECT_EQ(p.mrs(sysreg::ICH_PPI_PENDR0_EL2), uint64_t{1} << PPI_SW_PPI);
            EXPECT_EQ(dist(s).cpus[0].ppi_latch[0], 0u); // consumed by the flush
        });
        at_el(p, exception_level::EL1, [&] { p.msr(sysreg::ICC_PCR_EL1, PRIORITY_LOWEST); });
        settle(p);
        EXPECT_EQ(cdia(p), ppi(PPI_SW_PPI).encode() | CDIA_RESULT::VALID.make(1));
    });
    s.run();
}
