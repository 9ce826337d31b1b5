// The hypervisor agent's VM lifecycle against the real hardware model: teardown (reference
// §5.3, §6.2, §8.13), save and restore (§6.2 save/restore, §8.14).
#include "common/scripted_platform.h"

#include "tlm_gicv5/vm_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace gicv5;
using namespace test;
using platform::trigger_mode;

namespace {
constexpr unsigned VCPU_PE = 1;
const sc_core::sc_time RUN_LIMIT(5, sc_core::SC_MS);

void el2(pe& p, const std::function<void()>& f) { at_el(p, exception_level::EL2, f); }
void inject(scripted_platform& s, pe& p, unsigned spi, bool level = true, unsigned vm = 0) {
    el2(p, [&] { s.agent().kvm_vgic_inject_irq(p, vm, spi, level); });
}
void guest_handle(pe& p, uint32_t id) {
    ASSERT_EQ(cdia(p), cdia_valid(id));
    cdeoi(p);
    cddi(p, id);
    settle(p);
}
const platform::kvm::vgic_dist& dist(scripted_platform& s, unsigned vm = 0) {
    return s.agent().dist(vm);
}
uint64_t vdpends(scripted_platform& s) {
    uint64_t n = 0;
    for (const auto& c : s.plat->cpuifs)
        n += c->insn_count(gic_insn::VDPEND);
    return n;
}
uint64_t irs_reg_addr(irs_reg r) { return platform::irs_config{}.config_frame + desc(r).offset; }
uint64_t vmte_word_of(scripted_platform& s, unsigned vm, vmte_word w) {
    return s.mem64(vmte_word_address(s.agent().vm_table(), static_cast<uint16_t>(vm), w));
}

struct ack_recorder : platform::kvm::ack_notifier {
    std::vector<unsigned> gsis;
    void irq_acked(unsigned, unsigned gsi, const sc_core::sc_time&) override {
        gsis.push_back(gsi);
    }
};

// Records the agent's ("kvm") warnings instead of failing the test; every other report goes to
// the handler sc_test_main installed, where warnings fail the test.
class kvm_warnings {
public:
    kvm_warnings() {
        s_seen.clear();
        s_prev = sc_core::sc_report_handler::set_handler(&handle);
    }
    ~kvm_warnings() { sc_core::sc_report_handler::set_handler(s_prev); }
    kvm_warnings(const kvm_warnings&) = delete;
    kvm_warnings& operator=(const kvm_warnings&) = delete;
    const std::vector<std::string>& seen() const { return s_seen; }

private:
    static void handle(const sc_core::sc_report& r, const sc_core::sc_actions& a) {
        if (r.get_severity() == sc_core::SC_WARNING && std::string(r.get_msg_type()) == "kvm") {
            s_seen.emplace_back(r.get_msg());
            return;
        }
        s_prev(r, a);
    }
    static inline sc_core::sc_report_handler_proc s_prev = nullptr;
    static inline std::vector<std::string> s_seen;
};

iste make_iste(bool pending, bool active, bool enable, uint8_t prio,
               handling_mode hm = handling_mode::edge) {
    iste e;
    e.pending = pending;
    e.active = active;
    e.enable = enable;
    e.priority = prio;
    e.hm = hm;
    return e;
}
} // namespace

TEST(LifecycleTeardown, DrainsTheApListWithoutNotifyingAndRefusesLaterInjections) {
    scripted_platform s;
    ack_recorder acks;
    s.agent().register_ack_notifier(0, acks);
    s.agent().set_spi_config(0, 7, trigger_mode::level);
    kvm_warnings warnings;
    uint64_t vdpend_at_teardown = 0;
    platform::kvm::vm_stats at_teardown;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        for (uint32_t id = 0; id < 6; ++id)
            guest_spi(p, id, 0x10);
        guest_spi(p, 6, 0x08);
        guest_spi(p, 7, 0x10, 0, handling_mode::level);
        // SPI 1: consumed and folded before the teardown: the one notification.
        inject(s, p, 1);
        settle(p);
        guest_handle(p, 1);
        el2(p, [&] { s.agent().vcpu_exit(p, 0, 0); });
        // SPI 4 active in the guest (dropped, not deactivated); 2 and 3 pending; 6 consumed
        // but not folded yet; 7 level with its line high.
        inject(s, p, 4);
        settle(p);
        ASSERT_EQ(cdia(p), cdia_valid(4));
        cdeoi(p);
        inject(s, p, 2);
        inject(s, p, 3);
        inject(s, p, 6);
        settle(p);
        guest_handle(p, 6);
        inject(s, p, 7, true);
        settle(p);
        ASSERT_EQ(dist(s).ap_list.size(), 5u);
        // KVM destroys a VM only once its vCPUs are gone.
        el2(p, [&] { s.agent().vcpu_put(p, 0, 0, false); });
        el2(p, [&] { s.agent().vm_teardown(p, 0); });
        vdpend_at_teardown = vdpends(s);
        at_teardown = dist(s).stats;
        EXPECT_TRUE(dist(s).ap_list.empty());
        for (const auto& irq : dist(s).spis) {
            EXPECT_EQ(irq.refcount, 0u) << irq.intid;
            EXPECT_FALSE(irq.on_ap_list) << irq.intid;
        }
        // Later: injections refused without a GIC access, exits fold nothing.
        inject(s, p, 2);
        inject(s, p, 5);
        el2(p, [&] { s.agent().vcpu_exit(p, 0, 0); });
        settle(p);
        EXPECT_FALSE(IRS_SWERR_STATUSR::V.test(p.read64(irs_reg_addr(irs_reg::IRS_SWERR_STATUSR))));
    });
    s.run(RUN_LIMIT);
    EXPECT_TRUE(dist(s).torn_down);
    EXPECT_FALSE(dist(s).leaked);
    EXPECT_EQ(dist(s).stats.teardown_drops, 5u);
    EXPECT_EQ(acks.gsis, std::vector<unsigned>{1}); // none for the five dropped at teardown
    EXPECT_EQ(dist(s).stats.notifier_calls, 1u);
    // The IRS let go of the VM: VMTE VALID and the SPI vIST's IST_VALID are clear.
    EXPECT_FALSE(VMTE_W0::VALID.test(vmte_word_of(s, 0, vmte_word::vmd)));
    EXPECT_FALSE(VIST_DESC::IST_VALID.test(vmte_word_of(s, 0, vmte_word::spi_vist)));
    EXPECT_EQ(vdpends(s), vdpend_at_teardown);
    EXPECT_EQ(dist(s).stats.vdpend, at_teardown.vdpend);
    EXPECT_EQ(dist(s).stats.vdrcfg, at_teardown.vdrcfg);
    EXPECT_EQ(dist(s).stats.folds, at_teardown.folds);
    EXPECT_EQ(dist(s).stats.refused_injections, 2u);
    ASSERT_EQ(warnings.seen().size(), 1u); // warned once
    EXPECT_NE(warnings.seen()[0].find("refused"), std::string::npos);
    EXPECT_EQ(s.plat->irs.ignored_requests(), 0u);
}

TEST(LifecycleTeardown, AFailedUnmapLeaksTheVm) {
    scripted_platform s;
    kvm_warnings warnings;
    s.on(VCPU_PE, [&](pe& p) {
        el2(p, [&] {
            s.agent().host_init(p);
            s.agent().vm_init(p, 0);
        });
        inject(s, p, 2);
        // A VMAP operation still in flight (not the agent's) makes the IRS ignore the unmap
        // (§8.12): re-mapping vPE 0, which is already mapped, keeps IRS_VMT_STATUSR busy.
        p.write64(irs_reg_addr(irs_reg::IRS_VMAP_VPER), IRS_VMAP_VPER::VPE_ID.make(0) |
                                                            IRS_VMAP_VPER::VM_ID.make(0) |
                                                            IRS_VMAP_VPER::M.make(1));
        el2(p, [&] { s.agent().vm_teardown(p, 0); });
    });
    s.run(RUN_LIMIT);
    EXPECT_TRUE(dist(s).leaked);
    EXPECT_TRUE(dist(s).torn_down);
    EXPECT_TRUE(VMTE_W0::VALID.test(vmte_word_of(s, 0, vmte_word::vmd))); // the IRS still has it
    EXPECT_TRUE(dist(s).ap_list.empty()); // software state goes all the same
    EXPECT_EQ(dist(s).spis[2].refcount, 0u);
    ASSERT_EQ(warnings.seen().size(), 1u);
    EXPECT_NE(warnings.seen()[0].find("leaked"), std::string::npos);
    EXPECT_EQ(s.plat->irs.ignored_requests(), 1u); // the unmap written before IDLE
}

TEST(LifecycleSave, ReadsBackTheIstesTheGuestLeftAndResumes) {
    platform::platform_config cfg = two_pe_config();
    cfg.irs.iste_cache = 8; // the save must write back what the IRS caches
    scripted_platform s(cfg);
    s.agent().set_spi_config(0, 3, trigger_mode::level);
    std::vector<uint32_t> saved;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 1, 0x08);
        guest_spi(p, 2, 0x10);
        guest_spi(p, 3, 0x18, 0, handling_mode::level);
        guest_spi(p, 4, 0x04, 0, handling_mode::edge, false); // left disabled
        guest_spi(p, 5, 0x0c);
        inject(s, p, 2); // active
        settle(p);
        ASSERT_EQ(cdia(p), cdia_valid(2));
        cdeoi(p);
        inject(s, p, 5); // active and pending again
        settle(p);
        ASSERT_EQ(cdia(p), cdia_valid(5));
        cdeoi(p);
        inject(s, p, 5);
        inject(s, p, 1);       // pending
        inject(s, p, 3, true); // level, line high
        inject(s, p, 4);       // pending, disabled
        settle(p);
        el2(p, [&] { s.agent().vcpu_put(p, 0, 0, false); });
        el2(p, [&] { saved = s.agent().vm_save(p, 0); });
        // Quiesced: a resident vPE is offered nothing until the VM resumes.
        el2(p, [&] { s.agent().vcpu_load(p, 0, 0); });
        settle(p);
        EXPECT_FALSE(p.virq());
        el2(p, [&] { s.agent().vm_resume(p, 0); });
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(1));
    });
    s.run(RUN_LIMIT);
    ASSERT_EQ(saved.size(), 64u);
    std::vector<iste> want(64);
    want[1] = make_iste(true, false, true, 0x08);
    want[2] = make_iste(false, true, true, 0x10);
    want[3] = make_iste(true, false, true, 0x18, handling_mode::level);
    want[4] = make_iste(true, false, false, 0x04);
    want[5] = make_iste(true, true, true, 0x0c);
    for (unsigned i = 0; i < 64; ++i)
        EXPECT_EQ(saved[i], want[i].encode()) << "SPI " << i;
    EXPECT_EQ(s.plat->irs.ignored_requests(), 0u);
}

TEST(LifecycleRestore, ReplaysThePendingSpisAndTheGuestTakesExactlyThose) {
    platform::platform_config cfg = two_pe_config();
    cfg.vms.push_back(cfg.vms[0]); // VM 1: the restore target
    scripted_platform s(cfg);
    // A vIST saved elsewhere: HWU set by that machine's IRS.
    std::vector<uint32_t> saved(64);
    auto with_hwu = [](iste e) {
        e.hwu = 2;
        return e.encode();
    };
    saved[1] = with_hwu(make_iste(true, false, true, 0x08));
    saved[2] = with_hwu(make_iste(false, true, true, 0x10)); // active: not replayed
    saved[3] = with_hwu(make_iste(true, false, true, 0x18, handling_mode::level));
    saved[5] = with_hwu(make_iste(false, false, true, 0x04)); // enabled, idle
    saved[6] = with_hwu(make_iste(true, false, true, 0x0c));
    std::vector<uint32_t> acked;
    uint64_t vdpend_before = 0, vdpend_after = 0;
    s.on(VCPU_PE, [&](pe& p) {
        el2(p, [&] {
            s.agent().host_init(p);
            s.agent().vm_init(p, 0);
            s.agent().vm_init(p, 1, false);
        });
        EXPECT_FALSE(dist(s, 1).ready);
        EXPECT_FALSE(VIST_DESC::IST_VALID.test(vmte_word_of(s, 1, vmte_word::spi_vist)));
        vdpend_before = vdpends(s);
        el2(p, [&] { s.agent().vm_restore(p, 1, saved); });
        vdpend_after = vdpends(s);
        EXPECT_TRUE(dist(s, 1).ready);
        el2(p, [&] { s.agent().vcpu_load(p, 1, 0); });
        guest_enable(p);
        settle(p);
        // The guest handles what it is offered; it quiets the level source before deactivating.
        for (uint64_t ack = cdia(p); CDIA_RESULT::VALID.test(ack); ack = cdia(p)) {
            const uint32_t id = static_cast<uint32_t>(intid::decode(ack).id);
            acked.push_back(id);
            cdeoi(p);
            if (id == 3)
                inject(s, p, 3, false, 1);
            cddi(p, id);
            settle(p);
        }
    });
    s.run(RUN_LIMIT);
    EXPECT_EQ(vdpend_after - vdpend_before, 3u); // one VDPEND per pending SPI
    EXPECT_EQ(dist(s, 1).stats.restored_pending, 3u);
    EXPECT_EQ(acked, (std::vector<uint32_t>{1, 6, 3})); // priority order, each once
    EXPECT_EQ(dist(s, 1).spis[3].config, trigger_mode::level);
    EXPECT_EQ(dist(s, 1).spis[1].config, trigger_mode::edge);
    EXPECT_TRUE(s.iste(2, 1).active); // restored as saved, for the guest to deactivate
    for (unsigned i = 0; i < 64; ++i)
        EXPECT_EQ(s.iste(i, 1).hwu, 0u) << "SPI " << i;
    EXPECT_EQ(s.plat->irs.ignored_requests(), 0u);
}

TEST(LifecycleRestore, SaveThenRestoreIntoAFreshVmClearsPendingBeforeTheReplay) {
    platform::platform_config cfg = two_pe_config();
    cfg.vms.push_back(cfg.vms[0]); // VM 1: the migration target
    scripted_platform s(cfg);
    s.agent().set_spi_config(0, 3, trigger_mode::level);
    std::vector<uint32_t> saved;
    uint64_t vdpend_before = 0;
    s.on(VCPU_PE, [&](pe& p) {
        // The source VM: 2 active, 1 and 6 pending (edge), 3 pending (level, line high).
        el2(p, [&] {
            s.agent().host_init(p);
            s.agent().vm_init(p, 0);
            s.agent().vm_init(p, 1, false);
            s.agent().vcpu_load(p, 0, 0);
        });
        guest_enable(p);
        guest_spi(p, 1, 0x08);
        guest_spi(p, 2, 0x10);
        guest_spi(p, 3, 0x18, 0, handling_mode::level);
        guest_spi(p, 6, 0x0c);
        inject(s, p, 2);
        settle(p);
        ASSERT_EQ(cdia(p), cdia_valid(2));
        cdeoi(p);
        inject(s, p, 1);
        inject(s, p, 6);
        inject(s, p, 3, true);
        settle(p);
        el2(p, [&] {
            s.agent().vcpu_put(p, 0, 0, false);
            saved = s.agent().vm_save(p, 0);
            s.agent().vm_teardown(p, 0);
            // The target: written and mapped, replay held back (KVM replays at the first run).
            s.agent().vm_restore(p, 1, saved, false);
        });
        // Before the replay: nothing pending in the table, the pending SPIs on the list.
        for (unsigned i = 0; i < 64; ++i) {
            const iste e = s.iste(i, 1);
            EXPECT_FALSE(e.pending) << "SPI " << i;
            EXPECT_EQ(e.hwu, 0u) << "SPI " << i;
            iste want = iste::decode(saved[i]);
            want.pending = false;
            EXPECT_EQ(e, want) << "SPI " << i;
        }
        EXPECT_EQ(dist(s, 1).restore_pending, (std::vector<unsigned>{1, 3, 6}));
        EXPECT_TRUE(VIST_DESC::IST_VALID.test(vmte_word_of(s, 1, vmte_word::spi_vist)));
        EXPECT_FALSE(dist(s, 1).ready);
        vdpend_before = vdpends(s);
        el2(p, [&] { s.agent().restore_pending_irqs(p, 1); });
        EXPECT_EQ(vdpends(s) - vdpend_before, 3u);
        EXPECT_TRUE(dist(s, 1).ready);
        EXPECT_EQ(dist(s, 1).ap_list.size(), 3u); // tracked as any injection
        settle(p);
        for (unsigned i : {1u, 3u, 6u})
            EXPECT_TRUE(s.iste(i, 1).pending) << "SPI " << i;
        el2(p, [&] { s.agent().vcpu_load(p, 1, 0); });
        guest_enable(p);
        settle(p);
        guest_handle(p, 1);
        guest_handle(p, 6);
        ASSERT_EQ(cdia(p), cdia_valid(3));
        cdeoi(p);
        inject(s, p, 3, false, 1); // the level source goes quiet
        cddi(p, 3);
        settle(p);
        EXPECT_FALSE(CDIA_RESULT::VALID.test(cdia(p))); // nothing else: 2 is only active
        el2(p, [&] { s.agent().vcpu_exit(p, 1, 0); });
    });
    s.run(RUN_LIMIT);
    ASSERT_EQ(saved.size(), 64u);
    EXPECT_TRUE(iste::decode(saved[3]).pending);
    EXPECT_EQ(dist(s, 1).spis[3].config, trigger_mode::level);
    EXPECT_EQ(dist(s, 1).stats.notifier_calls, 3u); // the fold saw the three consumed
    EXPECT_TRUE(dist(s, 1).ap_list.empty());
    EXPECT_EQ(s.plat->irs.ignored_requests(), 0u);
}

TEST(LifecycleTeardown, ReleasesTheVcpusDoorbellsAfterTheUnmap) { // §10.2, issue 16 point 5
    platform::platform_config c = two_pe_config();
    c.vms[0].vcpus = 2;
    c.vms[0].placement = {1, 1};
    scripted_platform s(c);
    std::vector<uint32_t> doorbells;
    s.on(VCPU_PE, [&](pe& p) {
        el2(p, [&] {
            s.agent().host_init(p);
            s.agent().vm_init(p, 0);
        });
        for (const auto& cpu : dist(s).cpus) {
            ASSERT_TRUE(cpu.has_doorbell);
            doorbells.push_back(cpu.doorbell);
        }
        el2(p, [&] { s.agent().vm_teardown(p, 0); });
        // Each doorbell LPI is disabled in the host's IST.
        for (uint32_t db : doorbells) {
            const uint64_t cfg = at_el(p, exception_level::EL2, [&] {
                p.insn(gic_insn::CDRCFG, lpi(db).encode());
                p.insn(gic_insn::GSB_SYS);
                return p.mrs(sysreg::ICC_ICSR_EL1);
            });
            EXPECT_FALSE(ICC_ICSR_EL1::F.test(cfg)) << db;
            EXPECT_FALSE(ICC_ICSR_EL1::Enabled.test(cfg)) << "doorbell LPI " << db;
        }
    });
    s.run(RUN_LIMIT);
    for (const auto& cpu : dist(s).cpus)
        EXPECT_FALSE(cpu.has_doorbell);
    EXPECT_EQ(s.plat->irs.ignored_requests(), 0u);
}

TEST(LifecycleLoad, AVmWhoseVpeCannotBeMadeResidentIsMarkedDeadWithAWarning) { // §10.2
    platform::platform_config c = two_pe_config();
    c.vms[0].tracking = platform::tracking_policy::none; // merged KVM
    scripted_platform s(c);
    kvm_warnings warnings;
    s.on(VCPU_PE, [&](pe& p) {
        el2(p, [&] {
            s.agent().host_init(p);
            s.agent().vm_init(p, 0);
            // Someone else unmaps the VM behind KVM's back: its vPE cannot be made resident.
            p.write64(irs_reg_addr(irs_reg::IRS_VMAP_VMR),
                      IRS_VMAP_VMR::VM_ID.make(0) | IRS_VMAP_VMR::U.make(1));
            p.spend(sc_core::sc_time(10, sc_core::SC_US));
            s.agent().vcpu_load(p, 0, 0);
        });
    });
    s.run(RUN_LIMIT);
    EXPECT_TRUE(dist(s).dead);
    EXPECT_TRUE(s.agent().vm_dead(0));
    ASSERT_EQ(warnings.seen().size(), 1u);
    EXPECT_NE(warnings.seen()[0].find("marked dead"), std::string::npos);
    // The report says so too.
    const platform::run_results r = s.plat->results();
    ASSERT_FALSE(r.warnings.empty());
    EXPECT_NE(r.warnings.back().find("VM 0 was marked dead"), std::string::npos);
}

namespace {
// The guest's access to its emulated IRS, as the trap reaches KVM.
void guest_irs_write(scripted_platform& s, pe& p, irs_reg r, uint64_t v, unsigned vm = 0) {
    el2(p, [&] {
        ASSERT_EQ(s.agent().guest_mmio(p, vm, 0, s.plat->cfg.vms[vm].irs_base + desc(r).offset,
                                       desc(r).width / 8u, true, v),
                  tlm::TLM_OK_RESPONSE);
    });
}
uint64_t cdia_lpi(uint32_t id) { return lpi(id).encode() | CDIA_RESULT::VALID.make(1); }
void guest_lpi_handle(pe& p, uint32_t id) {
    ASSERT_EQ(cdia(p), cdia_lpi(id));
    at_el(p, exception_level::EL1, [&] {
        p.insn(gic_insn::GSB_ACK);
        p.insn(gic_insn::CDDI, lpi(id).encode()); // the selftest's order: deactivate, then drop
        p.insn(gic_insn::CDEOI);
    });
    settle(p);
}
void guest_lpi_pend(pe& p, uint32_t id) {
    at_el(p, exception_level::EL1,
          [&] { p.insn(gic_insn::CDPEND, lpi(id).encode() | CD_OPERAND::PENDING.make(1)); });
}
} // namespace

// KVM's selftest "IST save/restore" for the guest's own IRS (reference §10.3, §10.4): the IRS
// registers and the LPI IST image go with the SPI vIST, restored registers first; the LPI
// image's pending LPI is replayed with VDPEND as a pending SPI is, a save before the replay
// gives the same images back, and the restored guest takes the pending LPI and a new one.
TEST(LifecycleRestore, GuestIrsRegistersAndTheLpiIstImageMoveToANewVmInKvmsOrder) {
    platform::platform_config cfg = two_pe_config();
    cfg.vms.push_back(cfg.vms[0]); // VM 1: the restore target
    scripted_platform s(cfg);
    kvm_warnings warnings;
    std::vector<uint32_t> spi_image, lpi_image;
    platform::kvm::guest_irs_state regs;
    s.on(VCPU_PE, [&](pe& p) {
        el2(p, [&] {
            s.agent().host_init(p);
            s.agent().vm_init(p, 0);
            s.agent().vm_init(p, 1, false);
            s.agent().vcpu_load(p, 0, 0);
        });
        // The source guest: its IRS on, a linear LPI IST of 12 ID bits (KVM maps a vIST), LPIs
        // 0 and 1 at priority 0x08, LPI 0 pending; its CPU interface stays off.
        guest_irs_write(s, p, irs_reg::IRS_CR0, IRS_CR0::IRSEN.make(1));
        guest_irs_write(s, p, irs_reg::IRS_IST_CFGR, IRS_IST_CFGR::LPI_ID_BITS.make(12));
        guest_irs_write(s, p, irs_reg::IRS_IST_BASER, 0x08020000 | IRS_IST_BASER::VALID.make(1));
        enable_lpi(p, 0, 0x08);
        enable_lpi(p, 1, 0x08);
        guest_lpi_pend(p, 0);
        settle(p);
        el2(p, [&] {
            s.agent().vcpu_put(p, 0, 0, false);
            spi_image = s.agent().vm_save(p, 0);
            lpi_image = s.agent().vm_save_lpi_ist(p, 0);
            regs = s.agent().vm_save_irs(0);
        });
        ASSERT_EQ(lpi_image.size(), 4096u);
        EXPECT_EQ(lpi_image[0], make_iste(true, false, true, 0x08).encode());
        EXPECT_EQ(lpi_image[1], make_iste(false, false, true, 0x08).encode());

        el2(p, [&] {
            platform::kvm::vgic_v5& a = s.agent();
            // The LPI image needs the restored IST configuration first (KVM: -EINVAL).
            EXPECT_FALSE(a.vm_restore_lpi_ist(p, 1, lpi_image));
            ASSERT_TRUE(a.vm_restore_irs(1, regs));
            EXPECT_EQ(a.vm_save_irs(1), regs);
            EXPECT_TRUE(dist(s, 1).irs_enabled); // IRSEN restored as the guest's write would
            const std::vector<uint32_t> short_image(lpi_image.begin(), lpi_image.end() - 1);
            EXPECT_FALSE(a.vm_restore_lpi_ist(p, 1, short_image));
            ASSERT_TRUE(a.vm_restore_lpi_ist(p, 1, lpi_image));
            a.vm_restore(p, 1, spi_image, false);
        });
        // In the vIST nothing is pending: LPI 0 waits on the replay list.
        EXPECT_EQ(dist(s, 1).restore_pending_lpis, (std::vector<uint32_t>{0}));
        EXPECT_EQ(static_cast<uint32_t>(s.mem64(dist(s, 1).lpi_vist)),
                  make_iste(false, false, true, 0x08).encode());
        EXPECT_TRUE(VIST_DESC::IST_VALID.test(vmte_word_of(s, 1, vmte_word::lpi_vist)));
        // Saved again before it runs: the images it was given.
        el2(p, [&] {
            EXPECT_EQ(s.agent().vm_save(p, 1), spi_image);
            EXPECT_EQ(s.agent().vm_save_lpi_ist(p, 1), lpi_image);
            s.agent().vm_resume(p, 1);
        });
        const uint64_t vdpend_before = vdpends(s);
        el2(p, [&] { s.agent().restore_pending_irqs(p, 1); });
        EXPECT_EQ(vdpends(s) - vdpend_before, 1u);
        EXPECT_EQ(dist(s, 1).stats.last_vdpend,
                  lpi(0).encode() | VD_OPERAND::VM.make(1) | VD_OPERAND::PENDING.make(1));
        EXPECT_TRUE(dist(s, 1).ready);
        // The restored guest: LPI 0 first, then LPI 1, which it pends itself.
        el2(p, [&] { s.agent().vcpu_load(p, 1, 0); });
        guest_enable(p);
        settle(p);
        guest_lpi_handle(p, 0);
        guest_lpi_pend(p, 1);
        settle(p);
        guest_lpi_handle(p, 1);
        EXPECT_FALSE(CDIA_RESULT::VALID.test(cdia(p)));
        el2(p, [&] { s.agent().vcpu_put(p, 1, 0, false); });
        // A VM that ran takes no register restore.
        EXPECT_FALSE(s.agent().vm_restore_irs(1, regs));
    });
    s.run(RUN_LIMIT);
    EXPECT_EQ(warnings.seen().size(), 3u);
    EXPECT_EQ(s.plat->irs.ignored_requests(), 0u);
}
