// The hypervisor agent's rules as merged KVM has them (reference §10.2), next to the v1-v3 ones
// that policy ap_list keeps: vPE IDs are the userspace vcpu_ids, a doorbell is asked for only
// while the guest's IRS is enabled and with DBPM 0 too, a PPI wakes a vCPU only when its
// priority is strictly below the effective mask; and a vCPU in WFI blocks even when no
// doorbell can wake it.
#include "common/scripted_platform.h"

#include "tlm_gicv5/vm_table.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

using namespace gicv5;
using namespace test;
using platform::tracking_policy;

namespace {
constexpr unsigned VCPU_PE = 1;

void el2(pe& p, const std::function<void()>& f) { at_el(p, exception_level::EL2, f); }

platform::platform_config policy(tracking_policy t) {
    platform::platform_config c = two_pe_config();
    c.vms[0].tracking = t;
    return c;
}

// The guest: SW_PPI at priority prio, enabled (as the selftest's bring-up does).
void guest_sw_ppi(pe& p, uint8_t prio) {
    at_el(p, exception_level::EL1, [&] {
        const auto reg = static_cast<sysreg>(static_cast<unsigned>(sysreg::ICC_PPI_PRIORITYR0_EL1) +
                                             PPI_SW_PPI / 8);
        p.msr(reg, uint64_t{prio} << (8 * (PPI_SW_PPI % 8)));
        p.msr(sysreg::ICC_PPI_ENABLER0_EL1, uint64_t{1} << PPI_SW_PPI);
    });
}
} // namespace

TEST(MergedKvm, AVcpusVpeIdIsItsSparseVcpuIdWhichItsGuestReadsAndRoutesWith) { // §10.2, §10.4
    platform::platform_config c = two_pe_config();
    c.irs.vpe_id_bits = 5;
    c.vms[0].vcpus = 2;
    c.vms[0].vcpu_ids = {17, 3};
    c.vms[0].placement = {1, 1};
    scripted_platform s(c);
    s.on(VCPU_PE, [&](pe& p) {
        el2(p, [&] {
            s.agent().host_init(p);
            s.agent().vm_init(p, 0);
        });
        // The vPE table covers IDs 0..31: entries 17 and 3 valid, the holes not.
        const uint64_t vpet = s.agent().dist(0).vpet;
        EXPECT_TRUE(VPETE::VALID.test(s.mem64(vpet + 8 * 17)));
        EXPECT_TRUE(VPETE::VALID.test(s.mem64(vpet + 8 * 3)));
        EXPECT_FALSE(VPETE::VALID.test(s.mem64(vpet + 8 * 0)));
        EXPECT_FALSE(VPETE::VALID.test(s.mem64(vpet + 8 * 1)));
        const std::vector<uint64_t> expect_iaffid{17, 3};
        unsigned loaded = 0;
        // KVM traps the guest's ICC_IAFFIDR_EL1 and answers (a vCPU program does this exit).
        p.set_trap_emulator([&](pe& q, const gic_trap& t) {
            return at_el(q, exception_level::EL2,
                         [&] { return s.agent().guest_trap(q, 0, loaded, t); });
        });
        for (unsigned vcpu : {0u, 1u}) {
            loaded = vcpu;
            el2(p, [&] { s.agent().vcpu_load(p, 0, vcpu); });
            EXPECT_EQ(
                at_el(p, exception_level::EL1, [&] { return p.mrs(sysreg::ICC_IAFFIDR_EL1); }),
                expect_iaffid[vcpu]);
            guest_enable(p);
            guest_spi(p, 5 + vcpu, 0x10, static_cast<uint16_t>(expect_iaffid[vcpu]));
            el2(p, [&] { s.agent().kvm_vgic_inject_irq(p, 0, 5 + vcpu, true); });
            settle(p);
            EXPECT_EQ(cdia(p), cdia_valid(5 + vcpu)) << "vCPU " << vcpu;
            cdeoi(p);
            cddi(p, 5 + vcpu);
            el2(p, [&] { s.agent().vcpu_put(p, 0, vcpu, false); });
        }
        // Untrapped, with no vPE resident, the register is the PE's own IAFFID.
        EXPECT_EQ(at_el(p, exception_level::EL1, [&] { return p.mrs(sysreg::ICC_IAFFIDR_EL1); }),
                  VCPU_PE);
        EXPECT_EQ(s.plat->pes[VCPU_PE]->traps(), 2u); // one trapped read per vCPU
    });
    s.run();
}

TEST(MergedKvm, SparseVcpuIdsRunEndToEndWithEveryVcpuTakingItsSpis) {
    platform::platform_config c;
    c.duration = sc_core::sc_time(1, sc_core::SC_MS);
    c.irs.vpe_id_bits = 5;
    c.vms[0].spis = 32;
    c.vms[0].vcpus = 2;
    c.vms[0].vcpu_ids = {17, 3};
    c.vms[0].tracking = tracking_policy::none;
    c.sources[0].rate_hz = 100e3;
    tlm::tlm_global_quantum::instance().set(c.timing.quantum);
    platform::gicv5_platform top("top", c);
    sc_core::sc_start();
    const platform::run_results r = top.results();
    EXPECT_GT(r.injected, 50u);
    EXPECT_EQ(r.lost, 0u);
    EXPECT_EQ(r.unexpected_acknowledges, 0u);
    const cpu_stubs::vcpu_program& prog = *top.vcpu_programs().at(0);
    ASSERT_EQ(prog.vcpu_count(), 2u);
    EXPECT_GT(prog.stats(0).handled, 0u); // SPI n goes to vCPU n % 2, by its vPE ID
    EXPECT_GT(prog.stats(1).handled, 0u);
}

namespace {
// vCPU 0 of VM 0 loaded on PE 1 with its guest's mask at pcr, then put on the WFI path.
// Returns whether a doorbell was asked for; doorbells counts those the IRS then rang for an
// SPI of priority 0 injected after the put.
struct wfi_put {
    bool requested = false;
    uint64_t doorbells = 0;
    wfi_put(tracking_policy t, uint8_t pcr, bool irs_enabled) {
        scripted_platform s(policy(t));
        s.on(VCPU_PE, [&](pe& p) {
            boot_and_load(s, p);
            if (!irs_enabled) // the guest turns its IRS off: KVM reloads the vCPU
                guest_irs_enable(s, p, 0, 0, false);
            guest_enable(p, pcr);
            guest_spi(p, 4, 0x00);
            el2(p, [&] { requested = s.agent().vcpu_put(p, 0, 0, true); });
            el2(p, [&] { s.agent().kvm_vgic_inject_irq(p, 0, 4, true); });
            settle(p);
        });
        s.run();
        doorbells = s.plat->irs.doorbells();
    }
};
} // namespace

TEST(MergedKvm, AMaskOfOneAsksForADoorbellWithDbpmZeroWhichAPriorityZeroSpiRings) { // §10.2
    const wfi_put merged(tracking_policy::none, 0x00, true);
    EXPECT_TRUE(merged.requested);
    EXPECT_EQ(merged.doorbells, 1u);
}

TEST(MergedKvm, TheV1ToV3SeriesAskedForNoDoorbellWhenDbpmWouldBeZero) { // §5.4
    const wfi_put v3(tracking_policy::ap_list, 0x00, true);
    EXPECT_FALSE(v3.requested);
    EXPECT_EQ(v3.doorbells, 0u);
}

TEST(MergedKvm, NoDoorbellIsAskedForWhileTheGuestsIrsIsDisabled) { // §10.2
    const wfi_put disabled(tracking_policy::none, PRIORITY_LOWEST, false);
    EXPECT_FALSE(disabled.requested);
    EXPECT_EQ(disabled.doorbells, 0u);
}

TEST(MergedKvm, ADoorbellIsAskedForWhileTheGuestsIrsIsEnabled) { // §10.2
    const wfi_put enabled(tracking_policy::none, PRIORITY_LOWEST, true);
    EXPECT_TRUE(enabled.requested);
    EXPECT_EQ(enabled.doorbells, 1u);
}

namespace {
// vCPU 0 with SW_PPI at 0x10 and its mask at pcr, put in WFI; then KVM_IRQ_LINE(SW_PPI):
// whether the vCPU counts as runnable (kvm_arch_vcpu_runnable()).
bool sw_ppi_wakes(tracking_policy t, uint8_t pcr) {
    scripted_platform s(policy(t));
    bool wakes = false;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p, pcr);
        guest_sw_ppi(p, 0x10);
        el2(p, [&] {
            s.agent().vcpu_put(p, 0, 0, true);
            s.agent().kvm_vgic_inject_ppi(p, 0, 0, PPI_SW_PPI);
        });
        wakes = s.agent().vcpu_has_wakeup(0, 0);
    });
    s.run();
    return wakes;
}
} // namespace

// Mask PCR + 1 = 0x11: a priority equal to PCR is signalled, so it wakes.
TEST(MergedKvm, APpiAtThePriorityMaskWakesAVcpu) { // §10.2, §10.4
    EXPECT_TRUE(sw_ppi_wakes(tracking_policy::none, 0x10));
}

// Mask 0x10: priority 0x10 is not strictly below it.
TEST(MergedKvm, APpiBelowThePriorityMaskDoesNotWakeAVcpu) { // §10.2
    EXPECT_FALSE(sw_ppi_wakes(tracking_policy::none, 0x0f));
}

TEST(MergedKvm, TheV1ToV3SeriesWokeAVcpuForAnyEnabledPpi) { // §6.1
    EXPECT_TRUE(sw_ppi_wakes(tracking_policy::ap_list, 0x0f));
}

namespace {
// VM 0's one vCPU on PE 1 under the real vCPU program, with vcpu_params as `adjust` leaves them
// (edge SPIs by default), for `run_for`; PE 0 boots the hypervisor. The platform is built
// without its own programs.
struct one_vcpu_stub {
    std::unique_ptr<platform::gicv5_platform> plat;
    std::unique_ptr<cpu_stubs::vcpu_program> vcpu;
    std::unique_ptr<cpu_stubs::script_program> host;

    one_vcpu_stub(tracking_policy t, const std::function<void(cpu_stubs::vcpu_params&)>& adjust,
                  const sc_core::sc_time& run_for) {
        platform::platform_config c = policy(t);
        tlm::tlm_global_quantum::instance().set(c.timing.quantum);
        plat = std::make_unique<platform::gicv5_platform>("top", c, platform::build_options{false});
        cpu_stubs::vcpu_params vp;
        vp.spis.assign(c.vms[0].spis, handling_mode::edge);
        adjust(vp);
        vcpu = std::make_unique<cpu_stubs::vcpu_program>(std::vector<cpu_stubs::vcpu_params>{vp},
                                                         c.hypervisor.time_slice, c.hypervisor.tick,
                                                         plat->agent, nullptr);
        host = std::make_unique<cpu_stubs::script_program>([this](cpu_stubs::pe& p) {
            plat->agent.host_init(p);
            plat->agent.vm_init(p, 0);
        });
        plat->pes[0]->load(*host);
        plat->pes[1]->load(*vcpu);
        sc_core::sc_start(run_for);
    }
};
} // namespace

// The guest's mask at 0, so that no doorbell can ring (v1-v3 asks for none), and WFI after 5 us.
TEST(WfiBlocking, AVcpuInWfiBlocksEvenWhenNoDoorbellCanWakeIt) { // issue 16 point 5
    const one_vcpu_stub w(
        tracking_policy::ap_list,
        [](cpu_stubs::vcpu_params& vp) {
            vp.pcr = 0;
            vp.wfi = true;
            vp.wfi_after = sc_core::sc_time(5, sc_core::SC_US);
        },
        sc_core::sc_time(1, sc_core::SC_MS));
    // It blocked once and nothing woke it: not loaded again every wfi_after (about 200 times).
    EXPECT_EQ(w.vcpu->stats(0).wfi_blocks, 1u);
    EXPECT_EQ(w.vcpu->stats(0).exits, 1u);
    EXPECT_EQ(w.plat->irs.doorbells(), 0u);
}

TEST(GuestIrs, UntilTheGuestEnablesItsIrsMergedKvmHidesTheIrssOffersFromTheVpe) { // §10.2, §10.3
    scripted_platform s(policy(tracking_policy::none));
    s.on(VCPU_PE, [&](pe& p) {
        el2(p, [&] {
            s.agent().host_init(p);
            s.agent().vm_init(p, 0);
            s.agent().vcpu_load(p, 0, 0); // IRICHPPIDIS = 1: the guest's IRS is off
        });
        guest_enable(p);
        guest_spi(p, 9, 0x10);
        el2(p, [&] { s.agent().kvm_vgic_inject_irq(p, 0, 9, true); });
        settle(p);
        EXPECT_FALSE(p.virq());
        EXPECT_EQ(cdia(p), 0u);
        guest_irs_enable(s, p); // the trap reloads the vCPU with IRICHPPIDIS = 0
        settle(p);
        EXPECT_TRUE(p.virq());
        EXPECT_EQ(cdia(p), cdia_valid(9));
    });
    s.run();
    EXPECT_TRUE(s.agent().dist(0).irs->enabled());
}

// Its VM's SPI 6 level: only the guest's IRS_SPI_CFGR write can make KVM see it so.
TEST(GuestIrs, TheBootVcpuBringsItsIrsUpThroughTrapsAsAGuestKernelDoes) { // §9.1, §10.3
    const one_vcpu_stub b(
        tracking_policy::none,
        [](cpu_stubs::vcpu_params& vp) {
            vp.spis[6] = handling_mode::level;
            vp.irs_base = platform::vm_config{}.irs_base;
        },
        sc_core::sc_time(200, sc_core::SC_US));
    const platform::kvm::vgic_dist& d = b.plat->agent.dist(0);
    EXPECT_TRUE(d.irs->enabled());
    EXPECT_TRUE(d.irs_enabled);
    EXPECT_EQ(d.spis[6].config, platform::trigger_mode::level); // mirrored from IRS_SPI_CFGR.TM
    EXPECT_EQ(d.spis[5].config, platform::trigger_mode::edge);
    // IRSEN, its IDLE poll; SPI_SELR, its IDLE poll and SPI_CFGR for the one level SPI.
    EXPECT_EQ(b.vcpu->stats(0).mmio_traps, 5u);
}

namespace {
// PE 0 boots the hypervisor, PE 1 runs VM 0's one vCPU, whose guest is scripted; PEs 2 and 3
// run the test's programs (a script PE's runner replaced).
struct guest_steps {
    std::unique_ptr<platform::gicv5_platform> plat;
    std::vector<std::unique_ptr<cpu_stubs::script_program>> progs;

    explicit guest_steps(sc_core::sc_time drain_timeout = sc_core::sc_time(10, sc_core::SC_MS)) {
        platform::platform_config c;
        c.drain_timeout = drain_timeout;
        c.sources.clear();
        c.pes = {{platform::pe_role::host},
                 {platform::pe_role::vcpu},
                 {platform::pe_role::script},
                 {platform::pe_role::script}};
        c.vms[0].tracking = tracking_policy::none;
        c.vms[0].vcpu_ids = {5};
        c.vms[0].guest.scripted = true;
        tlm::tlm_global_quantum::instance().set(c.timing.quantum);
        plat = std::make_unique<platform::gicv5_platform>("top", c);
    }
    void run(std::vector<std::function<void(pe&)>> programs) {
        for (std::size_t i = 0; i < programs.size(); ++i) {
            progs.push_back(std::make_unique<cpu_stubs::script_program>(programs[i]));
            plat->pes[2 + i]->load(*progs.back());
        }
        sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_MS));
    }
    const cpu_stubs::vcpu_stats& vcpu() const { return plat->vcpu_programs().at(0)->stats(0); }
};

const sc_core::sc_time booted(100, sc_core::SC_US); // the hypervisor's bring-up is over

// The selftest's guest bring-up (reference §10.4) with SPI 3 at priority 0x10 routed to it.
void selftest_guest_setup(pe& g, const cpu_stubs::guest_mmio_fn& mmio) {
    uint64_t d = IRS_CR0::IRSEN.make(1);
    mmio(0x08000000 + desc(irs_reg::IRS_CR0).offset, 4, true, d);
    g.msr(sysreg::ICC_PCR_EL1, 0x10);
    g.msr(sysreg::ICC_CR0_EL1, 1);
    const uint64_t id = spi(3).encode();
    g.insn(gic_insn::CDPRI, id | CD_OPERAND::PRIORITY.make(0x10));
    g.insn(gic_insn::CDAFF, id | CD_OPERAND::IAFFID.make(5));
    g.insn(gic_insn::CDEN, id);
}
} // namespace

TEST(GuestSteps, PostedGuestCodeRunsAtEl1OnThePeWhereItsVcpuIsLoaded) {
    unsigned ran_on = 99;
    exception_level el = exception_level::EL3;
    uint64_t iaffid = 0, cr0 = 0;
    sc_core::sc_time asked, back;
    bool found = false, missing = true;
    guest_steps t;
    t.run({[&](pe& p) {
        p.idle_until(booted);
        asked = p.local_time();
        found = t.plat->run_as_guest(p, 0, 0, [&](pe& g, const cpu_stubs::guest_mmio_fn& mmio) {
            ran_on = g.index();
            el = g.el();
            iaffid = g.mrs(sysreg::ICC_IAFFIDR_EL1);
            mmio(0x08000000 + desc(irs_reg::IRS_CR0).offset, 4, false, cr0);
        });
        back = p.local_time();
        missing = t.plat->run_as_guest(p, 0, 1, [](pe&, const cpu_stubs::guest_mmio_fn&) {});
    }});
    EXPECT_TRUE(found);
    EXPECT_FALSE(missing); // VM 0 has no vCPU 1
    EXPECT_EQ(ran_on, 1u);
    EXPECT_EQ(el, exception_level::EL1);
    EXPECT_EQ(iaffid, 5u);                // its vcpu_id
    EXPECT_TRUE(IRS_CR0::IDLE.test(cr0)); // through the trap to KVM's emulated IRS
    EXPECT_EQ(t.vcpu().mmio_traps, 1u);
    EXPECT_GT(back, asked); // the caller went on once the guest code had run
}

TEST(GuestSteps, WfiSleepsUntilAnInterruptWakesTheVcpuThroughItsDoorbell) { // §10.2, §10.4
    guest_steps t;
    sc_core::sc_time woke;
    uint64_t ack = 0;
    t.run({[&](pe& p) {
               p.idle_until(booted);
               t.plat->run_as_guest(p, 0, 0, selftest_guest_setup);
               t.plat->run_as_guest(p, 0, 0, {}, true); // WFI
               woke = p.local_time();
               t.plat->run_as_guest(p, 0, 0, [&](pe& g, const cpu_stubs::guest_mmio_fn&) {
                   ack = g.insn(gic_insn::CDIA);
               });
           },
           [&](pe& p) { // the host: KVM_IRQ_LINE(SPI 3, 1) at 300 us
               p.idle_until(sc_core::sc_time(300, sc_core::SC_US));
               at_el(p, exception_level::EL2,
                     [&] { t.plat->agent.kvm_vgic_inject_irq(p, 0, 3, true); });
           }});
    EXPECT_GE(woke, sc_core::sc_time(300, sc_core::SC_US));
    EXPECT_LT(woke, sc_core::sc_time(310, sc_core::SC_US));
    EXPECT_EQ(t.vcpu().wfi_blocks, 1u);
    EXPECT_EQ(t.vcpu().wakeups, 1u);
    EXPECT_EQ(t.plat->irs.doorbells(), 1u);
    EXPECT_EQ(ack, cdia_valid(3));
}

TEST(GuestSteps, WfiWithAnInterruptPendingDoesNotSleep) { // §10.4: "WFI never blocks"
    guest_steps t;
    sc_core::sc_time before, after;
    t.run({[&](pe& p) {
        p.idle_until(booted);
        t.plat->run_as_guest(p, 0, 0, selftest_guest_setup);
        at_el(p, exception_level::EL2, [&] { t.plat->agent.kvm_vgic_inject_irq(p, 0, 3, true); });
        p.idle_until(p.local_time() + sc_core::sc_time(5, sc_core::SC_US));
        before = p.local_time();
        t.plat->run_as_guest(p, 0, 0, {}, true);
        after = p.local_time();
    }});
    EXPECT_EQ(t.vcpu().wfi_blocks, 0u);
    EXPECT_LT(after - before, sc_core::sc_time(2, sc_core::SC_US));
}

TEST(GuestSteps, AWfiNothingWakesGivesUpAfterTheDrainTimeoutInsteadOfHanging) {
    guest_steps t(sc_core::sc_time(200, sc_core::SC_US));
    bool ran = true;
    sc_core::sc_time gave_up;
    t.run({[&](pe& p) {
        p.idle_until(booted);
        t.plat->run_as_guest(p, 0, 0, selftest_guest_setup);
        ran = t.plat->run_as_guest(p, 0, 0, {}, true); // nothing will ever wake it
        gave_up = sc_core::sc_time_stamp();
    }});
    EXPECT_FALSE(ran);
    EXPECT_EQ(t.vcpu().wfi_blocks, 1u);
    EXPECT_GE(gave_up, booted + sc_core::sc_time(200, sc_core::SC_US));
    EXPECT_LT(gave_up, booted + sc_core::sc_time(300, sc_core::SC_US));
}
