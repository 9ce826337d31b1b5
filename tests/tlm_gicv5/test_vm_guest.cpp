// A VM seen from the hypervisor and from its guest: injection from two PEs racing each other and
// the guest (reference §8.10), who owns the VALID bits of the VM tables (§8.13, §5.3), a VM used
// after its unmap (§5.3 teardown), and the guest's own GIC CD* instructions on its vIST (§4.1,
// §5.4, §8.5).
#include "common/scripted_platform.h"
#include "tlm_gicv5/irs_regs.h"
#include "tlm_gicv5/vm_table.h"

#include <gtest/gtest.h>

#include <vector>

using namespace gicv5;
using namespace test;
using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

constexpr unsigned HOST_PE = 0, VCPU_PE = 1;
constexpr uint64_t SPI_TYPE = static_cast<uint64_t>(intid_type::SPI);
// Memory the agent does not allocate from in these tests: tables built by hand.
const uint64_t own_tables = platform::memory_config{}.base + 0x800000;
// IRS-private VM and vPE descriptors for the tables built by hand (64 bytes, IRS_IDR3/IDR4).
const uint64_t own_vmd = own_tables + 0x2000, own_vped = own_tables + 0x2040;

uint64_t addr(irs_reg r) { return platform::irs_config{}.config_frame + desc(r).offset; }

// As KVM after each VMAP write: poll IRS_VMT_STATUSR.IDLE (reference §2.3).
void wait_vmt(pe& p) {
    for (int i = 0; i < 100; ++i) {
        if (IRS_VMT_STATUSR::IDLE.test(p.read32(addr(irs_reg::IRS_VMT_STATUSR))))
            return;
        p.idle_until(p.local_time() + sc_time(1, SC_US));
    }
    ADD_FAILURE() << "IRS_VMT_STATUSR.IDLE stayed 0";
}
void vmap(pe& p, irs_reg r, uint64_t value) {
    p.write64(addr(r), value);
    wait_vmt(p);
}
void select_and_wait(pe& p, irs_reg r, uint64_t value) {
    if (desc(r).width == 64)
        p.write64(addr(r), value);
    else
        p.write32(addr(r), static_cast<uint32_t>(value));
    p.idle_until(p.local_time() + sc_time(2, SC_US));
}

void clear_swerr(pe& p) {
    p.write64(addr(irs_reg::IRS_SWERR_STATUSR), IRS_SWERR_STATUSR::V.make(1));
}
// The software-error record of a virtual command for SPI `id` of VM `vm`, with code `ec`.
void expect_virtual_record(pe& p, swerr ec, unsigned vm, uint32_t id) {
    const uint64_t st = p.read64(addr(irs_reg::IRS_SWERR_STATUSR));
    EXPECT_TRUE(IRS_SWERR_STATUSR::V.test(st));
    EXPECT_TRUE(IRS_SWERR_STATUSR::S0V.test(st));
    EXPECT_EQ(IRS_SWERR_STATUSR::EC.get(st), static_cast<uint64_t>(ec));
    const uint64_t syn = p.read64(addr(irs_reg::IRS_SWERR_SYNDROMER0));
    EXPECT_TRUE(IRS_SWERR_SYNDROMER0::VIRTUAL.test(syn));
    EXPECT_EQ(IRS_SWERR_SYNDROMER0::VM_ID.get(syn), vm);
    EXPECT_EQ(IRS_SWERR_SYNDROMER0::ID.get(syn), id);
    EXPECT_EQ(IRS_SWERR_SYNDROMER0::TYPE.get(syn), SPI_TYPE);
}

uint64_t contextr(unsigned vm, unsigned vpe) {
    return ICH_CONTEXTR_EL2::V.make(1) | ICH_CONTEXTR_EL2::VM.make(vm) |
           ICH_CONTEXTR_EL2::VPE.make(vpe);
}
// KVM vgic_v5_load(): write ICH_CONTEXTR_EL2, read it back (reference §5.4).
uint64_t make_resident(pe& p, unsigned vm, unsigned vpe) {
    return at_el(p, exception_level::EL2, [&] {
        p.msr(sysreg::ICH_CONTEXTR_EL2, contextr(vm, vpe));
        return p.mrs(sysreg::ICH_CONTEXTR_EL2);
    });
}

// The guest's GIC CDRCFG, then its ICC_ICSR_EL1.
uint64_t guest_cdrcfg(pe& p, uint32_t id) {
    return at_el(p, exception_level::EL1, [&] {
        p.insn(gic_insn::CDRCFG, spi(id).encode());
        return p.mrs(sysreg::ICC_ICSR_EL1);
    });
}
void guest_insn(pe& p, gic_insn i, uint64_t operand) {
    at_el(p, exception_level::EL1, [&] { p.insn(i, operand); });
}

// The guest handles SPI `id` as Linux does (CDIA, CDEOI, CDDI) until CDIA finds nothing; returns
// how many deliveries it acknowledged.
unsigned guest_drain(pe& p, uint32_t id) {
    unsigned n = 0;
    for (int i = 0; i < 4; ++i) {
        settle(p);
        const uint64_t r = cdia(p);
        if (r == 0)
            break;
        EXPECT_EQ(r, cdia_valid(id));
        cdeoi(p);
        cddi(p, id);
        ++n;
    }
    return n;
}

// Rounds of a race on one SPI of VM 0: in round k the guest (or the vCPU PE's hypervisor) acts at
// guest_time(k), and the host PE's VDPEND comes skew_ns[k] later (earlier when negative). Both
// PEs idle until their time, which syncs them there, so the race is in simulated time.
struct race {
    sc_time start{200, SC_US}, round{20, SC_US}, at{2, SC_US};
    std::vector<int> skew_ns;
    sc_time guest_time(std::size_t k) const { return start + round * double(k) + at; }
    sc_time host_time(std::size_t k) const {
        const int s = skew_ns[k];
        return s >= 0 ? guest_time(k) + sc_time(s, SC_NS) : guest_time(k) - sc_time(-s, SC_NS);
    }
};

// The host PE's part of a race: one VDPEND (PENDING = 1) per round.
void host_vdpends(scripted_platform& s, const race& r, uint32_t id) {
    s.on(HOST_PE, [r, id](pe& p) {
        for (std::size_t k = 0; k < r.skew_ns.size(); ++k) {
            p.idle_until(r.host_time(k));
            // Synced there: the kernel's time is the PE's, so the IRS sees the race in time order.
            EXPECT_EQ(sc_core::sc_time_stamp(), r.host_time(k));
            vdpend(p, id, true);
        }
    });
}

} // namespace

// ---------------------------------------------------------------------------------------------
// §8.10: concurrent injection. VDPEND names its VM, so any host PE can issue it; the IRS must
// serialise the read-modify-write of one ISTE against VDPEND from another PE and against the
// guest's acknowledge and CDEN.

TEST(VmConcurrency, VdpendsFromTwoPesAtNearlyTheSameTimeGiveOneDelivery) { // §8.10, §8.3
    scripted_platform s;
    constexpr uint32_t SPI = 33;
    race r;
    r.skew_ns = {-200, -20, -10, 0, 10, 20, 200};
    host_vdpends(s, r, SPI);
    unsigned deliveries = 0;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, SPI, 0x10);
        ASSERT_LT(p.local_time(), r.start);
        for (std::size_t k = 0; k < r.skew_ns.size(); ++k) {
            p.idle_until(r.guest_time(k));
            EXPECT_EQ(sc_core::sc_time_stamp(), r.guest_time(k));
            vdpend(p, SPI, true); // KVM on this PE, during an exit
            settle(p);
            p.sync(); // the host PE's VDPEND, at most 200 ns away, has reached the IRS
            uint64_t icsr = vdrcfg(p, SPI);
            EXPECT_TRUE(ICC_ICSR_EL1::Pending.test(icsr)) << "skew " << r.skew_ns[k];
            EXPECT_FALSE(ICC_ICSR_EL1::Active.test(icsr)) << "skew " << r.skew_ns[k];
            // Two edges while pending merge into one: one delivery, not two.
            const unsigned n = guest_drain(p, SPI);
            EXPECT_EQ(n, 1u) << "skew " << r.skew_ns[k];
            deliveries += n;
            icsr = vdrcfg(p, SPI);
            EXPECT_FALSE(ICC_ICSR_EL1::Pending.test(icsr)) << "skew " << r.skew_ns[k];
            EXPECT_FALSE(ICC_ICSR_EL1::Active.test(icsr)) << "skew " << r.skew_ns[k];
        }
    });
    s.run();
    EXPECT_EQ(deliveries, r.skew_ns.size());
    EXPECT_EQ(s.plat->irs.ignored_requests(), 0u);
}

namespace {

// The host's VDPEND races the guest's CDIA of the same edge SPI, already pending and offered.
// Whichever reaches the IRS first, the edge is acknowledged once; a VDPEND after the Activate
// leaves it pending and active and is delivered once more after deactivation; one before it
// merges into the pending state. Clearly separated skews (100 ns and more, several stream hops)
// must give the order of simulated time.
void vdpend_races_cdia(const platform::platform_config& cfg) {
    scripted_platform s(cfg);
    constexpr uint32_t SPI = 17;
    race r;
    r.skew_ns = {-200, -100, -40, -20, -10, 0, 10, 20, 40, 100, 200};
    host_vdpends(s, r, SPI);
    unsigned merged = 0, repended = 0;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, SPI, 0x10);
        ASSERT_LT(p.local_time(), r.start);
        for (std::size_t k = 0; k < r.skew_ns.size(); ++k) {
            const int skew = r.skew_ns[k];
            p.idle_until(r.guest_time(k) - sc_time(5, SC_US));
            vdpend(p, SPI, true); // the first edge
            settle(p);
            ASSERT_TRUE(p.virq()) << "skew " << skew;
            p.idle_until(r.guest_time(k));
            EXPECT_EQ(sc_core::sc_time_stamp(), r.guest_time(k));
            EXPECT_EQ(cdia(p), cdia_valid(SPI)) << "skew " << skew; // never lost to the race
            cdeoi(p);
            settle(p);
            p.sync();
            // Active, so not a candidate even if pending again: no second acknowledge yet.
            EXPECT_EQ(cdia(p), 0u) << "skew " << skew;
            uint64_t icsr = vdrcfg(p, SPI);
            EXPECT_TRUE(ICC_ICSR_EL1::Active.test(icsr)) << "skew " << skew;
            const bool pending = ICC_ICSR_EL1::Pending.test(icsr);
            (pending ? repended : merged)++;
            if (skew <= -100) {
                EXPECT_FALSE(pending) << "a VDPEND before the acknowledge merges; skew " << skew;
            } else if (skew >= 100) {
                EXPECT_TRUE(pending) << "a VDPEND after the acknowledge is a new edge; " << skew;
            }
            cddi(p, SPI);
            EXPECT_EQ(guest_drain(p, SPI), pending ? 1u : 0u) << "skew " << skew;
            icsr = vdrcfg(p, SPI);
            EXPECT_FALSE(ICC_ICSR_EL1::Pending.test(icsr)) << "skew " << skew;
            EXPECT_FALSE(ICC_ICSR_EL1::Active.test(icsr)) << "skew " << skew;
            EXPECT_EQ(p.mrs(sysreg::ICH_APR_EL2), 0u) << "skew " << skew;
        }
    });
    s.run();
    EXPECT_GT(merged, 0u);
    EXPECT_GT(repended, 0u);
    EXPECT_EQ(s.plat->irs.ignored_requests(), 0u);
}

// The host's VDPEND races the guest's CDEN of the same disabled, idle SPI. Both updates of the
// one ISTE must survive, in either order: enabled and pending, delivered exactly once.
void vdpend_races_cden(const platform::platform_config& cfg) {
    scripted_platform s(cfg);
    constexpr uint32_t SPI = 40;
    race r;
    r.skew_ns = {-200, -40, -20, -10, 0, 10, 20, 40, 200};
    host_vdpends(s, r, SPI);
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, SPI, 0x10, 0, handling_mode::edge, /*enable=*/false);
        ASSERT_LT(p.local_time(), r.start);
        for (std::size_t k = 0; k < r.skew_ns.size(); ++k) {
            const int skew = r.skew_ns[k];
            p.idle_until(r.guest_time(k));
            EXPECT_EQ(sc_core::sc_time_stamp(), r.guest_time(k));
            guest_insn(p, gic_insn::CDEN, spi(SPI).encode());
            settle(p);
            p.sync();
            uint64_t icsr = vdrcfg(p, SPI);
            EXPECT_TRUE(ICC_ICSR_EL1::Enabled.test(icsr)) << "skew " << skew;
            EXPECT_TRUE(ICC_ICSR_EL1::Pending.test(icsr)) << "skew " << skew;
            EXPECT_EQ(guest_drain(p, SPI), 1u) << "skew " << skew;
            guest_insn(p, gic_insn::CDDIS, spi(SPI).encode()); // ready for the next round
            settle(p);
            icsr = vdrcfg(p, SPI);
            EXPECT_FALSE(ICC_ICSR_EL1::Enabled.test(icsr)) << "skew " << skew;
            EXPECT_FALSE(ICC_ICSR_EL1::Pending.test(icsr)) << "skew " << skew;
            EXPECT_FALSE(ICC_ICSR_EL1::Active.test(icsr)) << "skew " << skew;
        }
    });
    s.run();
    EXPECT_EQ(s.plat->irs.ignored_requests(), 0u);
}

platform::platform_config with_iste_cache() {
    platform::platform_config cfg = two_pe_config();
    cfg.irs.iste_cache = 8; // the IRS's copy of the ISTE is the one both commands must update
    return cfg;
}

} // namespace

TEST(VmConcurrency, VdpendRacingTheGuestsAcknowledgeLosesNoEdgeAndDeliversNoneTwice) { // §8.10
    vdpend_races_cdia(two_pe_config());
}

TEST(VmConcurrency, VdpendRacingTheGuestsAcknowledgeWithAnIsteCache) { // §8.10, §3 caching
    vdpend_races_cdia(with_iste_cache());
}

TEST(VmConcurrency, VdpendRacingTheGuestsCdenKeepsBothUpdates) { // §8.10, §8.1
    vdpend_races_cden(two_pe_config());
}

TEST(VmConcurrency, VdpendRacingTheGuestsCdenWithAnIsteCache) { // §8.10, §3 caching
    vdpend_races_cden(with_iste_cache());
}

// ---------------------------------------------------------------------------------------------
// §8.13 table ownership: VMTE, VPETE and vIST VALID bits are set by the IRS in answer to VMAP
// writes, never by software. A VALID bit software writes itself makes nothing valid.

TEST(VmTableOwnership, AVmWhoseVmteSoftwareMarkedValidIsNotMapped) { // §8.13, §5.3
    scripted_platform s;
    constexpr uint16_t VM = 1; // the agent brings up VM 0 only
    constexpr uint32_t SPI = 5;
    const uint64_t vpet = own_tables, vist = own_tables + 0x1000;
    s.on(HOST_PE, [&](pe& p) {
        at_el(p, exception_level::EL2, [&] {
            s.agent().host_init(p);
            s.agent().vm_init(p, 0);
        });
        // VM 1's tables, complete, with every VALID bit set by software: VMTE word 0, the
        // VPETE of vPE 0 and the SPI vIST descriptor; and an enabled, idle ISTE for SPI 5.
        const uint64_t vmt = s.agent().vm_table();
        p.write64(vmte_word_address(vmt, VM, vmte_word::vpet),
                  addr_of(VMTE_W1::VPET_ADDR, vpet) | VMTE_W1::VPE_ID_BITS.make(1));
        p.write64(vpet, own_vped | VPETE::VALID.make(1));
        p.write64(vmte_word_address(vmt, VM, vmte_word::spi_vist),
                  addr_of(VIST_DESC::ADDR, vist) | VIST_DESC::ID_BITS.make(6) |
                      VIST_DESC::IST_VALID.make(1));
        iste e;
        e.enable = true;
        e.priority = 0x10;
        e.iaffid = 0;
        p.write32(vist + 4 * SPI, e.encode());
        p.write64(vmte_word_address(vmt, VM, vmte_word::vmd), own_vmd | VMTE_W0::VALID.make(1));

        select_and_wait(p, irs_reg::IRS_VM_SELR, VM);
        EXPECT_FALSE(IRS_VM_STATUSR::V.test(p.read32(addr(irs_reg::IRS_VM_STATUSR))));

        // VDPEND to it: no effect on its ISTE, and a record naming the VM.
        clear_swerr(p);
        vdpend(p, SPI, true, VM);
        settle(p);
        EXPECT_EQ(p.read32(vist + 4 * SPI), e.encode());
        expect_virtual_record(p, swerr::unmapped_vm, VM, SPI);

        // Its vPE cannot be made resident, so VDRCFG (which reads the resident VM) faults.
        clear_swerr(p);
        const uint64_t ctx = make_resident(p, VM, 0);
        EXPECT_TRUE(ICH_CONTEXTR_EL2::F.test(ctx));
        EXPECT_FALSE(ICH_CONTEXTR_EL2::V.test(ctx));
        const uint64_t st = p.read64(addr(irs_reg::IRS_SWERR_STATUSR));
        EXPECT_TRUE(IRS_SWERR_STATUSR::V.test(st));
        EXPECT_EQ(IRS_SWERR_STATUSR::EC.get(st), static_cast<uint64_t>(swerr::unmapped_vm));
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(vdrcfg(p, SPI)));
        EXPECT_FALSE(p.virq());

        // The same tables mapped through the IRS work: the software VALID bits were all that
        // was missing, and they were not enough.
        vmap(p, irs_reg::IRS_VMAP_VMR, IRS_VMAP_VMR::VM_ID.make(VM) | IRS_VMAP_VMR::M.make(1));
        vmap(p, irs_reg::IRS_VMAP_VPER,
             IRS_VMAP_VPER::VM_ID.make(VM) | IRS_VMAP_VPER::VPE_ID.make(0) |
                 IRS_VMAP_VPER::M.make(1));
        vmap(p, irs_reg::IRS_VMAP_VISTR,
             IRS_VMAP_VISTR::TYPE.make(SPI_TYPE) | IRS_VMAP_VISTR::VM_ID.make(VM) |
                 IRS_VMAP_VISTR::M.make(1));
        EXPECT_FALSE(ICH_CONTEXTR_EL2::F.test(make_resident(p, VM, 0)));
        guest_enable(p);
        settle(p);
        EXPECT_FALSE(p.virq()); // the refused VDPEND left nothing pending
        vdpend(p, SPI, true, VM);
        settle(p);
        EXPECT_TRUE(p.virq());
        EXPECT_EQ(cdia(p), cdia_valid(SPI));
    });
    s.run();
}

TEST(VmTableOwnership, AVpeteSoftwareMarkedValidCannotBeMadeResident) { // §8.13, §5.4
    scripted_platform s;
    s.on(HOST_PE, [&](pe& p) {
        at_el(p, exception_level::EL2, [&] {
            s.agent().host_init(p);
            s.agent().vm_init(p, 0); // one vCPU: vPE 1 is in the VPE table, never mapped
        });
        const uint64_t vpet = s.agent().dist(0).vpet;
        p.write64(vpet + VPETE_BYTES, own_vped | VPETE::VALID.make(1));
        select_and_wait(p, irs_reg::IRS_VPE_SELR,
                        IRS_VPE_SELR::VM_ID.make(0) | IRS_VPE_SELR::VPE_ID.make(1) |
                            IRS_VPE_SELR::S.make(1));
        EXPECT_FALSE(IRS_VPE_STATUSR::V.test(p.read32(addr(irs_reg::IRS_VPE_STATUSR))));
        uint64_t ctx = make_resident(p, 0, 1);
        EXPECT_TRUE(ICH_CONTEXTR_EL2::F.test(ctx));
        EXPECT_FALSE(ICH_CONTEXTR_EL2::V.test(ctx));
        // Mapped through the IRS, the same entry works.
        vmap(p, irs_reg::IRS_VMAP_VPER,
             IRS_VMAP_VPER::VM_ID.make(0) | IRS_VMAP_VPER::VPE_ID.make(1) |
                 IRS_VMAP_VPER::M.make(1));
        ctx = make_resident(p, 0, 1);
        EXPECT_FALSE(ICH_CONTEXTR_EL2::F.test(ctx));
        EXPECT_TRUE(ICH_CONTEXTR_EL2::V.test(ctx));
    });
    s.run();
}

TEST(VmTableOwnership, AnSpiVistDescriptorSoftwareMarkedValidIsNotUsed) { // §8.13, §5.3
    scripted_platform s;
    constexpr uint16_t VM = 2;
    constexpr uint32_t SPI = 5;
    const uint64_t vpet = own_tables, vist = own_tables + 0x1000;
    s.on(HOST_PE, [&](pe& p) {
        at_el(p, exception_level::EL2, [&] { s.agent().host_init(p); });
        // A VM mapped through the IRS with its vPE, but whose SPI vIST descriptor software marked
        // valid instead of sending IRS_VMAP_VISTR.
        const uint64_t vmt = s.agent().vm_table();
        p.write64(vmte_word_address(vmt, VM, vmte_word::vmd), own_vmd);
        p.write64(vmte_word_address(vmt, VM, vmte_word::vpet),
                  addr_of(VMTE_W1::VPET_ADDR, vpet) | VMTE_W1::VPE_ID_BITS.make(1));
        p.write64(vpet, own_vped);
        vmap(p, irs_reg::IRS_VMAP_VMR, IRS_VMAP_VMR::VM_ID.make(VM) | IRS_VMAP_VMR::M.make(1));
        vmap(p, irs_reg::IRS_VMAP_VPER,
             IRS_VMAP_VPER::VM_ID.make(VM) | IRS_VMAP_VPER::VPE_ID.make(0) |
                 IRS_VMAP_VPER::M.make(1));
        iste e;
        e.enable = true;
        e.priority = 0x10;
        e.iaffid = 0;
        p.write32(vist + 4 * SPI, e.encode());
        p.write64(vmte_word_address(vmt, VM, vmte_word::spi_vist),
                  addr_of(VIST_DESC::ADDR, vist) | VIST_DESC::ID_BITS.make(6) |
                      VIST_DESC::IST_VALID.make(1));
        ASSERT_FALSE(ICH_CONTEXTR_EL2::F.test(make_resident(p, VM, 0)));
        guest_enable(p);

        clear_swerr(p);
        vdpend(p, SPI, true, VM);
        settle(p);
        EXPECT_FALSE(p.virq());
        EXPECT_EQ(p.read32(vist + 4 * SPI), e.encode());
        expect_virtual_record(p, swerr::unknown_intid, VM, SPI); // the VM, but no such SPI
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(vdrcfg(p, SPI)));
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(guest_cdrcfg(p, SPI)));

        vmap(p, irs_reg::IRS_VMAP_VISTR,
             IRS_VMAP_VISTR::TYPE.make(SPI_TYPE) | IRS_VMAP_VISTR::VM_ID.make(VM) |
                 IRS_VMAP_VISTR::M.make(1));
        EXPECT_FALSE(ICC_ICSR_EL1::F.test(vdrcfg(p, SPI)));
        vdpend(p, SPI, true, VM);
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(SPI));
    });
    s.run();
}

// ---------------------------------------------------------------------------------------------
// §5.3 teardown: IRS_VMAP_VMR with U = 1 retires the VM and its SPI vIST. A VM ID other than 0
// is used, so that SYNDROMER0.VM_ID = 0 cannot pass by accident.

namespace {
platform::platform_config two_vms() {
    platform::platform_config cfg = two_pe_config();
    cfg.vms = {platform::vm_config{}, platform::vm_config{}};
    return cfg;
}
// Brings up VMs 0 and 1 and makes vPE 0 of VM 1 resident on p.
void boot_two_vms_and_load_vm1(scripted_platform& s, pe& p) {
    at_el(p, exception_level::EL2, [&] {
        s.agent().host_init(p);
        s.agent().vm_init(p, 0);
        s.agent().vm_init(p, 1);
        s.agent().vcpu_load(p, 1, 0);
    });
}
void unmap_vm(pe& p, uint16_t vm) {
    vmap(p, irs_reg::IRS_VMAP_VMR, IRS_VMAP_VMR::VM_ID.make(vm) | IRS_VMAP_VMR::U.make(1));
}
} // namespace

TEST(VmUnmap, AnUnmappedVmGetsNothingAndItsVpeCannotComeBack) { // §5.3, §5.4, §8.6
    scripted_platform s(two_vms());
    constexpr uint16_t VM = 1;
    s.on(VCPU_PE, [&](pe& p) {
        boot_two_vms_and_load_vm1(s, p);
        guest_enable(p);
        guest_spi(p, 7, 0x10);
        guest_spi(p, 8, 0x10);
        vdpend(p, 7, true, VM);
        settle(p);
        ASSERT_TRUE(p.virq());
        const uint64_t vmt = s.agent().vm_table();
        const uint64_t w0 = vmte_word_address(vmt, VM, vmte_word::vmd);
        const uint64_t w3 = vmte_word_address(vmt, VM, vmte_word::spi_vist);
        ASSERT_TRUE(VMTE_W0::VALID.test(s.mem64(w0)));
        ASSERT_TRUE(VIST_DESC::IST_VALID.test(s.mem64(w3)));

        at_el(p, exception_level::EL2, [&] { unmap_vm(p, VM); });
        settle(p);
        // The resident vPE loses its virtual interrupt.
        EXPECT_FALSE(p.virq());
        EXPECT_EQ(cdia(p), 0u);
        // The IRS cleared the VALID bits it had set, and only VM 1's.
        EXPECT_FALSE(VMTE_W0::VALID.test(s.mem64(w0)));
        EXPECT_FALSE(VIST_DESC::IST_VALID.test(s.mem64(w3)));
        EXPECT_EQ(addr_of(VIST_DESC::ADDR, s.mem64(w3)), s.agent().dist(VM).spi_vist);
        EXPECT_FALSE(VPETE::VALID.test(s.mem64(s.agent().dist(VM).vpet))); // its vPE 0
        EXPECT_TRUE(VMTE_W0::VALID.test(s.mem64(vmte_word_address(vmt, 0, vmte_word::vmd))));

        // VDPEND to it: no delivery, its vIST untouched, a record naming it.
        clear_swerr(p);
        vdpend(p, 8, true, VM);
        settle(p);
        EXPECT_FALSE(p.virq());
        EXPECT_FALSE(s.iste(8, VM).pending);
        expect_virtual_record(p, swerr::unmapped_vm, VM, 8);
        // VDRCFG from this PE, which still holds VM 1's context (as KVM's fold on an exit that
        // races the teardown): a fault, and a record naming the VM.
        clear_swerr(p);
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(vdrcfg(p, 8)));
        expect_virtual_record(p, swerr::unmapped_vm, VM, 8);

        // Its vPE cannot be made resident again.
        at_el(p, exception_level::EL2, [&] { p.msr(sysreg::ICH_CONTEXTR_EL2, 0); });
        const uint64_t ctx = make_resident(p, VM, 0);
        EXPECT_TRUE(ICH_CONTEXTR_EL2::F.test(ctx));
        EXPECT_FALSE(ICH_CONTEXTR_EL2::V.test(ctx));

        // VM 0 is unaffected.
        at_el(p, exception_level::EL2, [&] {
            p.msr(sysreg::ICH_CONTEXTR_EL2, 0);
            s.agent().vcpu_load(p, 0, 0);
        });
        guest_enable(p);
        guest_spi(p, 7, 0x10);
        vdpend(p, 7, true, 0);
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(7));
    });
    s.run();
}

TEST(VmUnmap, TheUnmapWritesCachedStateBackAndTheIrsNeverTouchesTheMemoryAgain) { // §8.13, §3
    platform::platform_config cfg = two_vms();
    cfg.irs.iste_cache = 4;
    scripted_platform s(cfg);
    constexpr uint16_t VM = 1;
    s.on(VCPU_PE, [&](pe& p) {
        boot_two_vms_and_load_vm1(s, p);
        guest_enable(p);
        guest_spi(p, 7, 0x10);
        vdpend(p, 7, true, VM);
        settle(p);
        ASSERT_TRUE(p.virq());
        EXPECT_FALSE(s.iste(7, VM).pending); // the IRS holds the ISTE in its cache

        at_el(p, exception_level::EL2, [&] { unmap_vm(p, VM); });
        const iste e = s.iste(7, VM); // written back before the unmap completed
        EXPECT_TRUE(e.pending);
        EXPECT_TRUE(e.enable);
        EXPECT_EQ(e.priority, 0x10u);

        // Software now owns the memory again and reuses it; nothing of the IRS's may land there.
        const uint64_t vist = s.agent().dist(VM).spi_vist;
        const unsigned bytes = 4u << s.agent().dist(VM).spi_id_bits;
        for (unsigned off = 0; off < bytes; off += 8)
            p.write64(vist + off, 0);
        at_el(p, exception_level::EL2, [&] {
            for (uint32_t id = 0; id < 12; ++id) // VM 0 traffic: evicts every cache entry
                vdpend(p, id, true, 0);
            vdpend(p, 7, true, VM);
            // Saving VM 0 writes its cached ISTEs back (irs_regs.h, IRS_SAVE_VMR).
            p.write64(addr(irs_reg::IRS_SAVE_VMR),
                      IRS_SAVE_VMR::VM_ID.make(0) | IRS_SAVE_VMR::S.make(1));
        });
        p.idle_until(p.local_time() + sc_time(3, SC_US));
        for (unsigned off = 0; off < bytes; off += 8)
            EXPECT_EQ(s.mem64(vist + off), 0u) << "offset " << off;
        for (uint32_t id = 0; id < 12; ++id)
            EXPECT_TRUE(s.iste(id, 0).pending) << id; // VM 0's traffic did reach its vIST
    });
    s.run();
}

// ---------------------------------------------------------------------------------------------
// The guest's own GIC CD* instructions (§4.1), at EL1 with its vPE resident, act on its vIST
// through the IRS (§5.1: KVM does not see them).

TEST(GuestCdInstructions, CdpendPendsTheGuestsOwnSpiAndItIsDelivered) { // §4.1, §5.1
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 10, 0x10);
        guest_insn(p, gic_insn::CDPEND, spi(10).encode() | CD_OPERAND::PENDING.make(1));
        settle(p);
        EXPECT_TRUE(s.iste(10).pending);
        EXPECT_TRUE(p.virq());
        EXPECT_EQ(cdia(p), cdia_valid(10));
        cdeoi(p);
        cddi(p, 10);
        // PENDING = 0 clears it: a disabled SPI pended and cleared is not delivered on CDEN.
        guest_spi(p, 11, 0x10, 0, handling_mode::edge, /*enable=*/false);
        guest_insn(p, gic_insn::CDPEND, spi(11).encode() | CD_OPERAND::PENDING.make(1));
        settle(p);
        EXPECT_TRUE(s.iste(11).pending);
        guest_insn(p, gic_insn::CDPEND, spi(11).encode() | CD_OPERAND::PENDING.make(0));
        guest_insn(p, gic_insn::CDEN, spi(11).encode());
        settle(p);
        EXPECT_FALSE(s.iste(11).pending);
        EXPECT_EQ(cdia(p), 0u);
        // The physical SPIs of the same numbers were not touched.
        at_el(p, exception_level::EL2, [&] {
            p.insn(gic_insn::CDRCFG, spi(10).encode());
            EXPECT_FALSE(ICC_ICSR_EL1::Pending.test(p.mrs(sysreg::ICC_ICSR_EL1)));
            EXPECT_FALSE(ICC_ICSR_EL1::Enabled.test(p.mrs(sysreg::ICC_ICSR_EL1)));
        });
        EXPECT_FALSE(p.line(cpu_stubs::pe_line::irq));
    });
    s.run();
}

TEST(GuestCdInstructions, CddisStopsAPendingSpiBeingSignalledWithoutClearingIt) { // §4.1, §8.1
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 12, 0x10);
        vdpend(p, 12, true);
        settle(p);
        ASSERT_TRUE(p.virq());
        guest_insn(p, gic_insn::CDDIS, spi(12).encode());
        guest_insn(p, gic_insn::GSB_SYS, 0); // as Linux after CDDIS (reference §4.3 item 5)
        settle(p);
        EXPECT_FALSE(p.virq());
        EXPECT_EQ(cdia(p), 0u);
        const iste e = s.iste(12);
        EXPECT_FALSE(e.enable);
        EXPECT_TRUE(e.pending);
        guest_insn(p, gic_insn::CDEN, spi(12).encode());
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(12));
    });
    s.run();
}

TEST(GuestCdInstructions, CdrcfgReadsTheGuestsOwnIsteAndFaultsBeyondItsVist) { // §4.1, §8.6
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 13, 0x0c, 0, handling_mode::level);
        vdpend(p, 13, true);
        settle(p);
        const uint64_t host_icsr = vdrcfg(p, 14); // the hypervisor's own ICC_ICSR_EL1
        uint64_t icsr = guest_cdrcfg(p, 13);
        EXPECT_FALSE(ICC_ICSR_EL1::F.test(icsr));
        EXPECT_TRUE(ICC_ICSR_EL1::Enabled.test(icsr));
        EXPECT_TRUE(ICC_ICSR_EL1::Pending.test(icsr));
        EXPECT_FALSE(ICC_ICSR_EL1::Active.test(icsr));
        EXPECT_TRUE(ICC_ICSR_EL1::HM.test(icsr));
        EXPECT_EQ(ICC_ICSR_EL1::Priority.get(icsr), 0x0cu);
        EXPECT_EQ(ICC_ICSR_EL1::IAFFID.get(icsr), 0u);
        EXPECT_EQ(cdia(p), cdia_valid(13));
        settle(p);
        EXPECT_TRUE(ICC_ICSR_EL1::Active.test(guest_cdrcfg(p, 13)));
        // The guest's result is in its own ICC_ICSR_EL1, not in the hypervisor's.
        EXPECT_EQ(at_el(p, exception_level::EL2, [&] { return p.mrs(sysreg::ICC_ICSR_EL1); }),
                  host_icsr);
        // The VM's vIST holds SPIs 0..63: the last is there, the next and far beyond fault.
        EXPECT_FALSE(ICC_ICSR_EL1::F.test(guest_cdrcfg(p, 63)));
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(guest_cdrcfg(p, 64)));
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(guest_cdrcfg(p, 1u << 20)));
    });
    s.run();
}

TEST(GuestCdInstructions, CdnmiaAcknowledgesAPriorityZeroSpiThatCdiaRefuses) { // §8.5, §1
    platform::platform_config cfg = two_pe_config();
    cfg.irs.nmi = true; // superpriority (SCTLR_ELx.NMI)
    scripted_platform s(cfg);
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 3, 0x00);
        vdpend(p, 3, true);
        settle(p);
        EXPECT_EQ(cdia(p), 0u); // CDIA must not acknowledge a superpriority interrupt
        EXPECT_TRUE(s.iste(3).pending);
        EXPECT_EQ(at_el(p, exception_level::EL1, [&] { return p.insn(gic_insn::CDNMIA); }),
                  cdia_valid(3));
        settle(p);
        EXPECT_TRUE(s.iste(3).active);
        EXPECT_FALSE(s.iste(3).pending);
    });
    s.run();
}

TEST(GuestCdInstructions, WithoutSuperpriorityCdiaAcknowledgesPriorityZeroAndCdnmiaNothing) {
    // §8.5, §4.3: CDNMIA acknowledges only a superpriority interrupt.
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        guest_spi(p, 3, 0x00);
        vdpend(p, 3, true);
        settle(p);
        EXPECT_EQ(at_el(p, exception_level::EL1, [&] { return p.insn(gic_insn::CDNMIA); }), 0u);
        EXPECT_TRUE(s.iste(3).pending);
        EXPECT_EQ(cdia(p), cdia_valid(3));
    });
    s.run();
}

TEST(GuestCdInstructions, CdpriKeepsEveryPriorityBitTheGuestIsToldAbout) { // §1, §8.5
    // ICC_IDR0_EL1.PRI_BITS tells the guest how many priority bits its domain has (KVM: 5);
    // low bits beyond those read as zero. A physical IRS with fewer bits must not cut the
    // virtual domain's.
    platform::platform_config cfg = two_pe_config();
    cfg.irs.pri_bits = 4;
    scripted_platform s(cfg);
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        const uint64_t idr0 =
            at_el(p, exception_level::EL1, [&] { return p.mrs(sysreg::ICC_IDR0_EL1); });
        const unsigned bits = static_cast<unsigned>(ICC_IDR0_EL1::PRI_BITS.get(idr0)) + 1;
        ASSERT_GE(bits, 1u);
        ASSERT_LE(bits, PRIORITY_BITS);
        const uint8_t implemented =
            static_cast<uint8_t>(PRIORITY_LOWEST >> (5 - bits) << (5 - bits));
        for (uint8_t prio : {uint8_t{0x11}, uint8_t{0x1f}, uint8_t{0x03}}) {
            guest_insn(p, gic_insn::CDPRI, spi(20).encode() | CD_OPERAND::PRIORITY.make(prio));
            EXPECT_EQ(ICC_ICSR_EL1::Priority.get(guest_cdrcfg(p, 20)), prio & implemented)
                << "priority " << int(prio) << ", " << bits << " bits";
        }
    });
    s.run();
}
