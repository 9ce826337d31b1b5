// A VM's vISTs: the LPI vIST (VMTE word 2) next to the SPI vIST (word 3), linear and two-level
// with IRS_VMAP_L2_VISTR, unmapping one alone, and the VM and vPE descriptors the IRS keeps
// (reference §5.3, §8.6, §8.13).
#include "common/scripted_platform.h"
#include "tlm_gicv5/irs_regs.h"
#include "tlm_gicv5/vm_table.h"

#include <gtest/gtest.h>

using namespace gicv5;
using namespace test;

namespace {

constexpr unsigned VCPU_PE = 1;
const uint64_t frame = platform::irs_config{}.config_frame;
// Memory the agent does not allocate from (it starts at the bottom).
const uint64_t scratch = platform::memory_config{}.base + 0x800000;

uint64_t addr(irs_reg r) { return frame + desc(r).offset; }

void wait_vmt_idle(pe& p) {
    while (!IRS_VMT_STATUSR::IDLE.test(p.read32(addr(irs_reg::IRS_VMT_STATUSR))))
        p.spend(sc_core::sc_time(1, sc_core::SC_US));
}

uint64_t vmte_at(scripted_platform& s, vmte_word w, unsigned vm = 0) {
    return vmte_word_address(s.agent().vm_table(), static_cast<uint16_t>(vm), w);
}

void vdpend_lpi(pe& p, uint32_t id) {
    namespace VD = VD_OPERAND;
    at_el(p, exception_level::EL2, [&] {
        p.insn(gic_insn::VDPEND, lpi(id).encode() | VD::VM.make(0) | VD::PENDING.make(1));
    });
}

uint64_t vdrcfg_lpi(pe& p, uint32_t id) {
    return at_el(p, exception_level::EL2, [&] {
        p.insn(gic_insn::VDRCFG, lpi(id).encode());
        return p.mrs(sysreg::ICC_ICSR_EL1);
    });
}

constexpr uint64_t cdia_lpi(uint32_t id) { return lpi(id).encode() | CDIA_RESULT::VALID.make(1); }

uint64_t vmap_vistr(intid_type t, bool unmap = false) {
    return IRS_VMAP_VISTR::TYPE.make(static_cast<uint64_t>(t)) | IRS_VMAP_VISTR::VM_ID.make(0) |
           (unmap ? IRS_VMAP_VISTR::U.make(1) : IRS_VMAP_VISTR::M.make(1));
}

// A two-level LPI vIST of `id_bits` 4-byte ISTEs with 4 KiB L2 tables (1024 IDs each): its L1
// table at scratch, VMTE word 2 filled, VMAP_VISTR TYPE = LPI.
void map_two_level_lpi_vist(scripted_platform& s, pe& p, unsigned id_bits) {
    p.write64(vmte_at(s, vmte_word::lpi_vist), addr_of(VIST_DESC::ADDR, scratch) |
                                                   VIST_DESC::STRUCTURE.make(1) |
                                                   VIST_DESC::ID_BITS.make(id_bits));
    p.write64(addr(irs_reg::IRS_VMAP_VISTR), vmap_vistr(intid_type::LPI));
    wait_vmt_idle(p);
}

uint64_t swerr_status(pe& p) { return p.read64(addr(irs_reg::IRS_SWERR_STATUSR)); }

} // namespace

TEST(LpiVist, AVirtualLpiTravelsFromVdpendToTheGuestsAcknowledge) { // §5.3 step 7
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        at_el(p, exception_level::EL2, [&] { s.agent().map_lpi_vist(p, 0, 12); });
        // The IRS, not software, set IST_VALID in VMTE word 2.
        EXPECT_TRUE(VIST_DESC::IST_VALID.test(s.mem64(vmte_at(s, vmte_word::lpi_vist))));
        guest_enable(p);
        enable_lpi(p, 100, 0x08);
        guest_spi(p, 3, 0x10);
        vdpend(p, 3, true);
        vdpend_lpi(p, 100);
        settle(p);
        // The LPI's vISTE is in the LPI vIST, not the SPI one: 4 bytes per ID.
        const uint32_t word = static_cast<uint32_t>(s.mem64(s.agent().dist(0).lpi_vist + 400));
        EXPECT_TRUE(iste::decode(word).pending);
        EXPECT_EQ(cdia(p), cdia_lpi(100)); // the higher priority of the two
        EXPECT_EQ(cdia(p), 0u);            // the SPI waits for the priority drop
        cdeoi(p);
        settle(p); // the IRS's next offer is on its way
        EXPECT_EQ(cdia(p), cdia_valid(3));
        EXPECT_FALSE(ICC_ICSR_EL1::F.test(vdrcfg_lpi(p, 4095)));
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(vdrcfg_lpi(p, 4096))); // §8.6: beyond its ID bits
    });
    s.run();
}

TEST(LpiVist, ADescriptorIrsIdr2DoesNotAllowIsRefusedAndLeftInvalid) { // §3 sizes
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        at_el(p, exception_level::EL2, [&] {
            // 8 ID bits is below IRS_IDR2.MIN_LPI_ID_BITS (12).
            p.write64(vmte_at(s, vmte_word::lpi_vist),
                      addr_of(VIST_DESC::ADDR, scratch) | VIST_DESC::ID_BITS.make(8));
            p.write64(addr(irs_reg::IRS_VMAP_VISTR), vmap_vistr(intid_type::LPI));
            wait_vmt_idle(p);
        });
        EXPECT_FALSE(VIST_DESC::IST_VALID.test(s.mem64(vmte_at(s, vmte_word::lpi_vist))));
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(vdrcfg_lpi(p, 100)));
        EXPECT_TRUE(IRS_SWERR_STATUSR::V.test(swerr_status(p)));
    });
    s.run();
}

TEST(LpiVist, ATwoLevelVistNeedsItsL2TableMappedThroughTheIrs) { // §5.3, IRS_VMAP_L2_VISTR
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        const uint32_t id = 5000; // L1 index 4 of 4 KiB L2 tables (1024 4-byte ISTEs each)
        const uint64_t l2 = scratch + 0x10000;
        at_el(p, exception_level::EL2, [&] {
            map_two_level_lpi_vist(s, p, 14);
            EXPECT_TRUE(ICC_ICSR_EL1::F.test(vdrcfg_lpi(p, id))); // §8.6: no L2 table yet
            vdpend_lpi(p, id);                                    // no effect
            p.write64(scratch + 4 * 8, l2);                       // the L1 entry, VALID = 0
            p.write64(addr(irs_reg::IRS_VMAP_L2_VISTR),
                      IRS_VMAP_L2_VISTR::ID.make(id) |
                          IRS_VMAP_L2_VISTR::TYPE.make(static_cast<uint64_t>(intid_type::LPI)) |
                          IRS_VMAP_L2_VISTR::VM_ID.make(0) | IRS_VMAP_L2_VISTR::M.make(1));
            wait_vmt_idle(p);
        });
        EXPECT_EQ(s.mem64(scratch + 4 * 8), l2 | 1);  // the IRS set the L1 entry's VALID
        EXPECT_EQ(s.mem64(l2 + 4 * (id % 1024)), 0u); // the early VDPEND left nothing
        enable_lpi(p, id, 0x08);
        vdpend_lpi(p, id);
        settle(p);
        EXPECT_TRUE(iste::decode(static_cast<uint32_t>(s.mem64(l2 + 4 * (id % 1024)))).pending);
        EXPECT_EQ(cdia(p), cdia_lpi(id));
    });
    s.run();
    EXPECT_EQ(s.plat->irs.ignored_requests(), 2u); // the VDRCFG and the VDPEND before the L2
}

TEST(LpiVist, AnL2TableMappedWithLiveEntriesIsTakenAsItIs) { // §8.13
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        guest_enable(p);
        const uint32_t id = 1030;
        const uint64_t l2 = scratch + 0x10000;
        // A restored L2 table: the ISTE of 1030 is pending, enabled, priority 0x08, vPE 0.
        iste e;
        e.pending = e.enable = true;
        e.priority = 0x08;
        p.write32(l2 + 4 * (id % 1024), e.encode());
        at_el(p, exception_level::EL2, [&] {
            map_two_level_lpi_vist(s, p, 12);
            p.write64(scratch + 8, l2);
            p.write64(addr(irs_reg::IRS_VMAP_L2_VISTR),
                      IRS_VMAP_L2_VISTR::ID.make(id) |
                          IRS_VMAP_L2_VISTR::TYPE.make(static_cast<uint64_t>(intid_type::LPI)) |
                          IRS_VMAP_L2_VISTR::M.make(1));
            wait_vmt_idle(p);
        });
        settle(p);
        EXPECT_EQ(cdia(p), cdia_lpi(id));
    });
    s.run();
}

TEST(LpiVist, UnmappingTheLpiVistAloneStopsItsLpisAndKeepsTheSpis) { // §5.3 teardown
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        at_el(p, exception_level::EL2, [&] { s.agent().map_lpi_vist(p, 0, 12); });
        guest_enable(p);
        enable_lpi(p, 7, 0x08);
        vdpend_lpi(p, 7);
        settle(p);
        EXPECT_TRUE(p.virq());
        at_el(p, exception_level::EL2, [&] {
            p.write64(addr(irs_reg::IRS_VMAP_VISTR), vmap_vistr(intid_type::LPI, true));
            wait_vmt_idle(p);
        });
        settle(p);
        EXPECT_FALSE(p.virq()); // its pending LPI is no longer offered ...
        EXPECT_FALSE(VIST_DESC::IST_VALID.test(s.mem64(vmte_at(s, vmte_word::lpi_vist))));
        // ... but stays pending in memory, and the SPI vIST still works.
        EXPECT_TRUE(
            iste::decode(static_cast<uint32_t>(s.mem64(s.agent().dist(0).lpi_vist + 28))).pending);
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(vdrcfg_lpi(p, 7)));
        EXPECT_TRUE(VIST_DESC::IST_VALID.test(s.mem64(vmte_at(s, vmte_word::spi_vist))));
        guest_spi(p, 3, 0x10);
        vdpend(p, 3, true);
        settle(p);
        EXPECT_EQ(cdia(p), cdia_valid(3));
    });
    s.run();
}

TEST(SpiVist, ATwoLevelSpiVistWorksLikeALinearOne) { // §5.3: vISTs linear and two-level
    platform::platform_config cfg = two_pe_config();
    cfg.vms.clear(); // the test brings its VM up by hand
    cfg.pes[1].role = platform::pe_role::script;
    scripted_platform s(cfg);
    s.on(VCPU_PE, [&](pe& p) {
        const uint64_t vmt = scratch, vpet = scratch + 0x1000, l1 = scratch + 0x2000,
                       l2 = scratch + 0x3000, desc = scratch + 0x4000;
        at_el(p, exception_level::EL2, [&] {
            p.write32(addr(irs_reg::IRS_CR0), 1);
            p.write32(addr(irs_reg::IRS_VMT_CFGR), 4);
            p.write64(addr(irs_reg::IRS_VMT_BASER), vmt | 1);
            wait_vmt_idle(p);
            p.write64(vmte_word_address(vmt, 0, vmte_word::vmd), desc);
            p.write64(vmte_word_address(vmt, 0, vmte_word::vpet),
                      vpet | VMTE_W1::VPE_ID_BITS.make(1));
            p.write64(addr(irs_reg::IRS_VMAP_VMR), IRS_VMAP_VMR::M.make(1));
            wait_vmt_idle(p);
            p.write64(vpet, desc + 0x40);
            p.write64(addr(irs_reg::IRS_VMAP_VPER), IRS_VMAP_VPER::M.make(1));
            wait_vmt_idle(p);
            // 2048 SPIs in two-level form; only the L2 table of SPIs 1024..2047 is made valid.
            p.write64(vmte_word_address(vmt, 0, vmte_word::spi_vist),
                      addr_of(VIST_DESC::ADDR, l1) | VIST_DESC::STRUCTURE.make(1) |
                          VIST_DESC::ID_BITS.make(11));
            p.write64(addr(irs_reg::IRS_VMAP_VISTR), vmap_vistr(intid_type::SPI));
            wait_vmt_idle(p);
            p.write64(l1 + 8, l2);
            p.write64(addr(irs_reg::IRS_VMAP_L2_VISTR),
                      IRS_VMAP_L2_VISTR::ID.make(1500) |
                          IRS_VMAP_L2_VISTR::TYPE.make(static_cast<uint64_t>(intid_type::SPI)) |
                          IRS_VMAP_L2_VISTR::M.make(1));
            wait_vmt_idle(p);
            p.msr(sysreg::ICH_CONTEXTR_EL2, ICH_CONTEXTR_EL2::V.make(1));
            EXPECT_FALSE(ICH_CONTEXTR_EL2::F.test(p.mrs(sysreg::ICH_CONTEXTR_EL2)));
        });
        guest_enable(p);
        guest_spi(p, 1500, 0x10);
        guest_spi(p, 20, 0x10); // in the L2 table never mapped: no effect
        vdpend(p, 1500, true);
        vdpend(p, 20, true);
        settle(p);
        EXPECT_TRUE(iste::decode(static_cast<uint32_t>(s.mem64(l2 + 4 * (1500 - 1024)))).pending);
        EXPECT_EQ(cdia(p), cdia_valid(1500));
        EXPECT_EQ(cdia(p), 0u);
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(vdrcfg(p, 20)));
    });
    s.run();
}

TEST(VmDescriptors, TheIrsKeepsAVpesDoorbellSettingsInItsDescriptor) { // §5.3, IRS_IDR4.VPED_SZ
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        const uint64_t vped = s.agent().dist(0).vped[0];
        const uint64_t dbr =
            IRS_VPE_DBR::INTID.make(8200) | IRS_VPE_DBR::DBPM.make(0x1f) | IRS_VPE_DBR::DBV.make(1);
        at_el(p, exception_level::EL2, [&] {
            p.write64(addr(irs_reg::IRS_VPE_SELR), IRS_VPE_SELR::S.make(1)); // VM 0, vPE 0
            p.spend(sc_core::sc_time(2, sc_core::SC_US));
            p.write64(addr(irs_reg::IRS_VPE_DBR), dbr);
            p.spend(sc_core::sc_time(2, sc_core::SC_US));
        });
        p.sync();
        EXPECT_EQ(s.mem64(desc_word_address(vped, vped_word::dbr)), dbr);
        EXPECT_EQ(s.mem64(desc_word_address(vped, vped_word::cr0)), 1u); // DPS, from vm_init
        // The VM descriptor is in VMTE word 0 next to the VALID bit the IRS set.
        EXPECT_EQ(s.mem64(vmte_at(s, vmte_word::vmd)), s.agent().dist(0).vmd | 1);
    });
    s.run();
}

TEST(VmDescriptors, AVpeWhoseDescriptorIsOutsideMemoryIsNotMapped) { // §8.13
    scripted_platform s;
    s.on(VCPU_PE, [&](pe& p) {
        boot_and_load(s, p);
        const uint64_t vpete = s.agent().dist(0).vpet + 8 * 1; // vPE 1: not brought up
        at_el(p, exception_level::EL2, [&] {
            p.write64(vpete, 0x1000); // no memory there
            p.write64(addr(irs_reg::IRS_VMAP_VPER),
                      IRS_VMAP_VPER::VPE_ID.make(1) | IRS_VMAP_VPER::M.make(1));
            wait_vmt_idle(p);
            p.write64(addr(irs_reg::IRS_VPE_SELR),
                      IRS_VPE_SELR::VPE_ID.make(1) | IRS_VPE_SELR::S.make(1));
            p.spend(sc_core::sc_time(2, sc_core::SC_US));
            EXPECT_FALSE(IRS_VPE_STATUSR::V.test(p.read32(addr(irs_reg::IRS_VPE_STATUSR))));
        });
        EXPECT_FALSE(VPETE::VALID.test(s.mem64(vpete)));
    });
    s.run();
}

// IRS_IDR4.VPE_ID_BITS is a 4-bit field for widths 1..16, so it holds the width minus one, as
// IRS_IDR1.IAFFID_BITS does; IRS_IDR3.VM_ID_BITS (5 bits) and the VMTE's VPE_ID_BITS hold the
// width itself. A VMTE may ask for exactly the width IDR4 reports, and no more.
namespace {
void check_vpe_id_width(unsigned bits) {
    platform::platform_config cfg = two_pe_config();
    cfg.vms.clear(); // the test brings its VMs up by hand
    cfg.pes[1].role = platform::pe_role::script;
    cfg.irs.vpe_id_bits = bits;
    scripted_platform s(cfg);
    s.on(VCPU_PE, [&](pe& p) {
        const uint64_t vmt = scratch;
        at_el(p, exception_level::EL2, [&] {
            const uint32_t idr4 = p.read32(addr(irs_reg::IRS_IDR4));
            const auto width = static_cast<unsigned>(IRS_IDR4::VPE_ID_BITS.get(idr4)) + 1;
            EXPECT_EQ(width, bits);
            EXPECT_EQ(IRS_IDR3::VM_ID_BITS.get(p.read32(addr(irs_reg::IRS_IDR3))),
                      cfg.irs.vm_id_bits);
            p.write32(addr(irs_reg::IRS_CR0), 1);
            p.write32(addr(irs_reg::IRS_VMT_CFGR), 4);
            p.write64(addr(irs_reg::IRS_VMT_BASER), vmt | 1);
            wait_vmt_idle(p);
            for (uint16_t vm : {0, 1}) { // VM 0 asks for the width, VM 1 for one bit more
                p.write64(vmte_word_address(vmt, vm, vmte_word::vmd),
                          scratch + 0x2000 + 0x100 * vm);
                p.write64(vmte_word_address(vmt, vm, vmte_word::vpet),
                          (scratch + 0x1000) | VMTE_W1::VPE_ID_BITS.make(width + vm));
                p.write64(addr(irs_reg::IRS_VMAP_VMR),
                          IRS_VMAP_VMR::VM_ID.make(vm) | IRS_VMAP_VMR::M.make(1));
                wait_vmt_idle(p);
            }
        });
        EXPECT_TRUE(VMTE_W0::VALID.test(s.mem64(vmte_word_address(vmt, 0, vmte_word::vmd))));
        EXPECT_FALSE(VMTE_W0::VALID.test(s.mem64(vmte_word_address(vmt, 1, vmte_word::vmd))));
    });
    s.run();
}
} // namespace

TEST(VmTable, AVmteMayAskForTheVpeIdWidthIrsIdr4ReportsAndNoMore) { check_vpe_id_width(4); }

TEST(VmTable, SixteenVpeIdBitsAreReportedAsFifteenInTheFourBitField) { check_vpe_id_width(16); }
