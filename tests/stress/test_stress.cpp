// The stress suite (CTest label stress): random edge and level injections across 16 VMs on 64
// PEs, judged by an independent scoreboard (stress_checker.h), and random VM migrations (save,
// teardown, restore) mid-run. The size and the seed come from the environment:
//   GICV5_STRESS_INJECTIONS  injections of the platform run (default 1,000,000; CI's setting)
//   GICV5_STRESS_SEED        the seed (default 1)
// The long setting is GICV5_STRESS_INJECTIONS=10000000 (README, Tests). A failure prints the
// seed, the command that replays it and the last events of the SPI at fault.
#include "common/scripted_platform.h"
#include "tlm_gicv5/insn.h"
#include "stress/stress_checker.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>

using namespace platform;
using sc_core::SC_MS;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

uint64_t env_or(const char* name, uint64_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}
uint64_t seed() { return env_or("GICV5_STRESS_SEED", 1); }

uint64_t injections() { return env_or("GICV5_STRESS_INJECTIONS", 1000000); }

std::string replay(const char* test) {
    return "replay: GICV5_STRESS_SEED=" + std::to_string(seed()) +
           " GICV5_STRESS_INJECTIONS=" + std::to_string(injections()) +
           " build/tests/test_stress --gtest_filter=Stress." + test;
}

constexpr unsigned VMS = 16, VCPUS = 8, SPIS = 64, HOST_PES = 4, PES = 64;
constexpr double EDGE_HZ = 40e3, LEVEL_HZ = 10e3; // per VM

// 16 VMs of 8 vCPUs each dealt over 60 vCPU PEs (128 vCPUs: oversubscribed, so residency
// changes), idle vCPUs in WFI (doorbells), the guests' irqbalance moving SPIs between vCPUs and
// priorities; per VM an edge Poisson source on SPIs 0..31 and a level one on 32..63, from the 4
// host PEs. The VMs differ: tracking ap_list or none, EOI mode, nesting, a guest timer.
platform_config stress_config(uint64_t injections) {
    platform_config c;
    c.seed = seed();
    // 1 % over the mean time the target takes, so that the Poisson count reaches it.
    c.duration = sc_time(1.01 * static_cast<double>(injections) / (VMS * (EDGE_HZ + LEVEL_HZ)),
                         sc_core::SC_SEC);
    c.drain_timeout = sc_time(50, SC_MS);
    c.irs.vm_id_bits = 5;
    c.hypervisor.time_slice = sc_time(10, SC_US); // vCPUs sharing a PE take turns often
    c.pes.assign(PES, {pe_role::vcpu});
    for (unsigned i = 0; i < HOST_PES; ++i)
        c.pes[i].role = pe_role::host;
    c.vms.clear();
    c.sources.clear();
    for (unsigned v = 0; v < VMS; ++v) {
        vm_config vm;
        vm.spis = SPIS;
        vm.vcpus = VCPUS;
        vm.tracking = v % 2 == 0 ? tracking_policy::ap_list : tracking_policy::none;
        vm.exit_interval = sc_time(20 + 5 * (v % 4), SC_US);
        vm.guest.handler_time = sc_time(1 + v % 3, SC_US);
        vm.guest.wfi = true;
        vm.guest.rebalance_every = 4;
        vm.guest.eoi = v % 4 == 1 ? eoi_mode::together : eoi_mode::split;
        vm.guest.nested = v % 4 == 2;
        if (v % 4 == 3)
            vm.guest.timer_period = sc_time(1, SC_MS);
        c.vms.push_back(vm);
        source_config edge;
        edge.kind = source_kind::poisson;
        edge.rate_hz = EDGE_HZ;
        edge.vm = v;
        edge.spi_first = 0;
        edge.spi_count = SPIS / 2;
        edge.host_pe = v % HOST_PES;
        source_config level = edge;
        level.trigger = trigger_mode::level;
        level.rate_hz = LEVEL_HZ;
        level.spi_first = SPIS / 2;
        level.host_pe = (v + 1) % HOST_PES;
        c.sources.push_back(edge);
        c.sources.push_back(level);
    }
    return c;
}

} // namespace

TEST(Stress, RandomInjectionsOnSixtyFourPesAreEachDeliveredOnceOrCoalescedAndApListsDrain) {
    const uint64_t target = injections();
    const platform_config cfg = stress_config(target);
    ASSERT_TRUE(check_topology(cfg).empty()) << check_topology(cfg).front();
    tlm::tlm_global_quantum::instance().set(cfg.timing.quantum);
    auto top = std::make_unique<gicv5_platform>("top", cfg);
    std::vector<std::vector<bool>> level(VMS, std::vector<bool>(SPIS, false));
    std::vector<bool> notified(VMS, false);
    for (unsigned v = 0; v < VMS; ++v) {
        for (unsigned s = SPIS / 2; s < SPIS; ++s)
            level[v][s] = true;
        notified[v] = cfg.vms[v].tracking == tracking_policy::ap_list;
    }
    stress::checker check(level, notified);
    top->agent.set_observer(&check);
    top->add_guest_observer(check);
    for (unsigned v = 0; v < VMS; ++v)
        if (notified[v])
            top->agent.register_ack_notifier(v, check);
    sc_core::sc_start();
    check.finish();

    const std::string why =
        "seed " + std::to_string(seed()) + "\n" + check.report() +
        replay("RandomInjectionsOnSixtyFourPesAreEachDeliveredOnceOrCoalescedAnd"
               "ApListsDrain");
    EXPECT_EQ(check.failures(), 0u) << why;
    EXPECT_TRUE(top->drained()) << why;
    EXPECT_GE(check.injections(), target * 9 / 10); // Poisson: about the target
    // Both scoreboards saw every acknowledge (the platform's splits off the level ones it
    // finds with no event waiting).
    EXPECT_EQ(check.delivered(), top->sb.delivered() + top->sb.spurious())
        << "platform scoreboard: delivered " << top->sb.delivered() << ", spurious "
        << top->sb.spurious() << ", unexpected " << top->sb.unexpected_acknowledges()
        << ", injected " << top->sb.injected() << ", coalesced " << top->sb.coalesced();
    EXPECT_EQ(top->sb.outstanding(), 0u);
    EXPECT_EQ(top->sb.unexpected_acknowledges(), 0u);
    uint64_t notifications = 0, doorbells = 0, switches = 0, rebalances = 0;
    for (unsigned v = 0; v < VMS; ++v) {
        const kvm::vgic_dist& d = top->agent.dist(v);
        EXPECT_TRUE(d.ap_list.empty()) << "VM " << v;
        for (const kvm::vgic_irq& irq : d.spis) {
            EXPECT_EQ(irq.refcount, 0u) << "VM " << v << " INTID " << irq.intid;
            EXPECT_FALSE(irq.on_ap_list) << "VM " << v << " INTID " << irq.intid;
        }
        notifications += d.stats.notifier_calls;
    }
    EXPECT_EQ(check.notifications(), notifications);
    for (const cpu_stubs::vcpu_program* p : top->vcpu_programs()) {
        switches += p->switches();
        for (std::size_t i = 0; i < p->vcpu_count(); ++i) {
            doorbells += p->stats(i).wakeups;
            rebalances += p->stats(i).rebalances;
        }
    }
    // The run did what it is for: vCPUs changed residency, doorbells rang, SPIs moved.
    EXPECT_GT(switches, 0u);
    EXPECT_GT(doorbells, 0u);
    EXPECT_GT(rebalances, 0u);
    std::printf(
        "stress: seed %llu, %llu injections (%llu coalesced), %llu delivered, %llu "
        "notifications, %llu vCPU switches, %llu doorbell wake-ups, %llu SPI moves, "
        "simulated %.1f ms\n",
        static_cast<unsigned long long>(seed()),
        static_cast<unsigned long long>(check.injections()),
        static_cast<unsigned long long>(check.coalesced()),
        static_cast<unsigned long long>(check.delivered()),
        static_cast<unsigned long long>(check.notifications()),
        static_cast<unsigned long long>(switches), static_cast<unsigned long long>(doorbells),
        static_cast<unsigned long long>(rebalances), sc_core::sc_time_stamp().to_seconds() * 1e3);
}

TEST(Stress, RandomMigrationsMidRunLoseNoInjectionAndNotifyOncePerConsumption) {
    // One PE is the host and runs the guest (as the lifecycle tests do); random injections
    // (edge SPIs 0..31, level lines 32..47), the guest handling one interrupt at a time, exits
    // that fold the AP list, and now and then a migration: put, IRS_SAVE_VMR, teardown
    // (VMAP_VMR U = 1), restore into a fresh VM, the pending SPIs replayed with VDPEND, load.
    using namespace test;
    constexpr unsigned MIGRATIONS = 12, EDGE = 32, LEVEL_END = 48;
    const uint64_t ops = std::max<uint64_t>(injections() / 20, 2000);
    platform_config cfg = two_pe_config();
    cfg.irs.vm_id_bits = 4;
    cfg.vms.assign(MIGRATIONS + 1, cfg.vms[0]);
    scripted_platform s(cfg);
    std::vector<std::vector<bool>> level(cfg.vms.size(), std::vector<bool>(64, false));
    for (auto& v : level)
        std::fill(v.begin() + EDGE, v.begin() + LEVEL_END, true);
    stress::checker check(level, std::vector<bool>(cfg.vms.size(), true));
    s.agent().set_observer(&check);
    for (unsigned v = 0; v < cfg.vms.size(); ++v) {
        s.agent().register_ack_notifier(v, check);
        for (unsigned spi = EDGE; spi < LEVEL_END; ++spi)
            s.agent().set_spi_config(v, spi, trigger_mode::level);
    }
    std::mt19937_64 rng(seed());
    unsigned vm = 0;
    uint64_t migrations = 0, handled = 0;
    auto el2 = [](pe& p, auto f) { at_el(p, gicv5::exception_level::EL2, f); };
    auto inject = [&](pe& p, unsigned spi, bool high) {
        el2(p, [&] { s.agent().kvm_vgic_inject_irq(p, vm, spi, high); });
    };
    // The guest takes one interrupt: acknowledge, drop, maybe quiet a level device, deactivate.
    auto handle_one = [&](pe& p, bool quiet_level) {
        const uint64_t r = cdia(p);
        if (!gicv5::CDIA_RESULT::VALID.test(r))
            return false;
        const gicv5::intid id = gicv5::intid::decode(r);
        check.on_vcpu_acknowledge(vm, 0, id, p.local_time());
        cdeoi(p);
        if (id.id >= EDGE && quiet_level)
            inject(p, id.id, false);
        cddi(p, id.id);
        check.on_deactivate(vm, id, p.local_time());
        ++handled;
        settle(p);
        return true;
    };
    s.on(1, [&](pe& p) {
        el2(p, [&] {
            s.agent().host_init(p);
            s.agent().vm_init(p, 0);
            for (unsigned v = 1; v < cfg.vms.size(); ++v)
                s.agent().vm_init(p, v, false); // the migrations' targets, restored into later
            s.agent().vcpu_load(p, 0, 0);
        });
        guest_enable(p);
        for (uint32_t id = 0; id < LEVEL_END; ++id)
            guest_spi(p, id, static_cast<uint8_t>(0x08 + id % 16), 0,
                      id >= EDGE ? gicv5::handling_mode::level : gicv5::handling_mode::edge);
        for (uint64_t n = 0; n < ops; ++n) {
            const unsigned op = rng() % 100;
            if (op < 40) {
                inject(p, rng() % EDGE, true);
            } else if (op < 55) {
                inject(p, EDGE + rng() % (LEVEL_END - EDGE), rng() % 2);
            } else if (op < 90) {
                handle_one(p, rng() % 2);
            } else if (op < 99 || n < (migrations + 1) * ops / (MIGRATIONS + 1)) {
                // Exits; and spread over the run, the migrations.
                el2(p, [&] { s.agent().vcpu_exit(p, vm, 0); });
            } else {
                el2(p, [&] {
                    s.agent().vcpu_put(p, vm, 0, false);
                    const std::vector<uint32_t> saved = s.agent().vm_save(p, vm);
                    s.agent().vm_teardown(p, vm);
                    s.agent().vm_restore(p, vm + 1, saved, false);
                    check.migrated(vm, vm + 1);
                    ++vm;
                    ++migrations;
                    s.agent().restore_pending_irqs(p, vm);
                    s.agent().vcpu_load(p, vm, 0);
                });
                guest_enable(p);
            }
            settle(p);
            for (unsigned spi = 0; spi < LEVEL_END; ++spi)
                check.expect_table(vm, spi, s.iste(spi, vm).pending);
        }
        // Drain: the devices go quiet, the guest takes what is left, exits fold the AP list.
        for (unsigned spi = EDGE; spi < LEVEL_END; ++spi)
            inject(p, spi, false);
        settle(p);
        while (handle_one(p, true)) {
        }
        for (int i = 0; i < 2; ++i)
            el2(p, [&] { s.agent().vcpu_exit(p, vm, 0); });
    });
    s.run(sc_time(1000, sc_core::SC_SEC));
    check.finish();
    const std::string why =
        "seed " + std::to_string(seed()) + "\n" + check.report() +
        replay("RandomMigrationsMidRunLoseNoInjectionAndNotifyOncePerConsumption");
    EXPECT_EQ(check.failures(), 0u) << why;
    EXPECT_GT(migrations, 0u);
    EXPECT_GT(check.notifications(), 0u);
    EXPECT_TRUE(s.agent().dist(vm).ap_list.empty());
    for (unsigned spi = 0; spi < LEVEL_END; ++spi) {
        EXPECT_FALSE(s.iste(spi, vm).pending) << "SPI " << spi;
        EXPECT_FALSE(s.iste(spi, vm).active) << "SPI " << spi;
    }
    std::printf("stress: seed %llu, %llu operations, %llu migrations, %llu injections (%llu "
                "coalesced), %llu handled, %llu notifications\n",
                static_cast<unsigned long long>(seed()), static_cast<unsigned long long>(ops),
                static_cast<unsigned long long>(migrations),
                static_cast<unsigned long long>(check.injections()),
                static_cast<unsigned long long>(check.coalesced()),
                static_cast<unsigned long long>(handled),
                static_cast<unsigned long long>(check.notifications()));
}
