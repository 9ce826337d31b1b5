// The guest's IRS as KVM emulates it (platform/kvm/guest_irs.h): what a guest kernel and the
// KVM selftests read and write in the 128 KiB region, and what KVM is asked to do about it.
#include "platform/kvm/guest_irs.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

using namespace gicv5;
using platform::kvm::guest_irs;
using platform::kvm::guest_irs_host;
using platform::kvm::guest_irs_params;
using platform::kvm::guest_irs_state;

namespace {

// KVM as the emulation sees it; records every call.
struct fake_host : guest_irs_host {
    std::set<unsigned> vcpus{0, 1};
    unsigned vpe_bits = 4;
    std::map<unsigned, bool> level; // irq->config per SPI: absent = edge
    bool map_ok = true, unmap_ok = true;

    std::vector<bool> enable_changes;
    std::vector<std::pair<unsigned, bool>> trigger_modes;
    std::vector<unsigned> maps; // id_bits of each map_lpi_ist() call
    unsigned unmaps = 0;
    std::vector<uint32_t> lpis;

    bool vcpu_exists(unsigned id) const override { return vcpus.count(id) != 0; }
    unsigned online_vcpus() const override { return static_cast<unsigned>(vcpus.size()); }
    unsigned vpe_id_bits() const override { return vpe_bits; }
    void irs_enable_changed(bool en) override { enable_changes.push_back(en); }
    bool spi_level(unsigned spi) const override {
        auto it = level.find(spi);
        return it != level.end() && it->second;
    }
    void spi_trigger_mode(unsigned spi, bool lvl) override {
        trigger_modes.emplace_back(spi, lvl);
        level[spi] = lvl;
    }
    bool map_lpi_ist(unsigned id_bits) override {
        maps.push_back(id_bits);
        return map_ok;
    }
    bool unmap_lpi_ist() override {
        ++unmaps;
        return unmap_ok;
    }
    void set_lpi(uint32_t id) override { lpis.push_back(id); }
};

constexpr uint64_t SETLPI_FRAME = IRS_CONFIG_FRAME_SIZE;
constexpr uint64_t IST_GPA = 0x08020000; // the selftests' LPI IST: just past their IRS region

uint64_t off(irs_reg r) { return desc(r).offset; }
unsigned width(irs_reg r) { return desc(r).width / 8u; }

uint64_t rd(guest_irs& irs, irs_reg r) {
    uint64_t v = ~uint64_t{0};
    EXPECT_EQ(irs.read(off(r), width(r), v), tlm::TLM_OK_RESPONSE) << desc(r).name;
    return v;
}
void wr(guest_irs& irs, irs_reg r, uint64_t v) {
    EXPECT_EQ(irs.write(off(r), width(r), v), tlm::TLM_OK_RESPONSE) << desc(r).name;
}

// A linear IST of 2^bits 4-byte ISTEs, as the selftest and a Linux guest program it.
uint64_t linear_cfgr(unsigned bits, unsigned istsz = 0) {
    return IRS_IST_CFGR::LPI_ID_BITS.make(bits) | IRS_IST_CFGR::ISTSZ.make(istsz);
}
uint64_t valid_baser(uint64_t gpa) { return (gpa & IRS_IST_BASER::ADDR.mask()) | 1u; }

} // namespace

TEST(GuestIrs, Cr0ReadsIdleAlwaysAndKvmReloadsTheVcpusOnlyWhenIrsenChanges) {
    fake_host host;
    guest_irs irs({}, host);
    EXPECT_EQ(rd(irs, irs_reg::IRS_CR0), IRS_CR0::IDLE.make(1));
    EXPECT_FALSE(irs.enabled());
    wr(irs, irs_reg::IRS_CR0, IRS_CR0::IRSEN.make(1));
    EXPECT_EQ(rd(irs, irs_reg::IRS_CR0), IRS_CR0::IDLE.make(1) | IRS_CR0::IRSEN.make(1));
    EXPECT_TRUE(irs.enabled());
    wr(irs, irs_reg::IRS_CR0, IRS_CR0::IRSEN.make(1)); // no edge: no reload
    wr(irs, irs_reg::IRS_CR0, 0);
    wr(irs, irs_reg::IRS_CR0, 0);
    EXPECT_EQ(host.enable_changes, (std::vector<bool>{true, false}));
    EXPECT_EQ(rd(irs, irs_reg::IRS_CR0), IRS_CR0::IDLE.make(1));
}

TEST(GuestIrs, IdRegistersAdvertiseWhatKvmEmulates) {
    fake_host host;
    host.vcpus = {0, 1, 2};
    host.vpe_bits = 3;
    guest_irs_params p;
    p.spis = 96;
    guest_irs irs(p, host);
    const uint64_t idr0 = rd(irs, irs_reg::IRS_IDR0);
    EXPECT_EQ(IRS_IDR0::INT_DOM.get(idr0), 1u); // Non-secure
    EXPECT_EQ(IRS_IDR0::PA_RANGE.get(idr0), 5u);
    EXPECT_EQ(IRS_IDR0::VIRT.get(idr0), 0u);   // no nested virtualization
    EXPECT_EQ(IRS_IDR0::SETLPI.get(idr0), 0u); // KVM has no SETLPI frame
    const uint64_t idr1 = rd(irs, irs_reg::IRS_IDR1);
    EXPECT_EQ(IRS_IDR1::PE_CNT.get(idr1), 3u);
    EXPECT_EQ(IRS_IDR1::IAFFID_BITS.get(idr1), 2u); // vpe_id_bits - 1
    EXPECT_EQ(IRS_IDR1::PRI_BITS.get(idr1), 4u);    // 5 bits
    const uint64_t idr2 = rd(irs, irs_reg::IRS_IDR2);
    EXPECT_EQ(IRS_IDR2::LPI.get(idr2), 1u);
    EXPECT_EQ(IRS_IDR2::ID_BITS.get(idr2), 16u);
    EXPECT_EQ(IRS_IDR2::MIN_LPI_ID_BITS.get(idr2), 12u);
    EXPECT_EQ(IRS_IDR2::IST_LEVELS.get(idr2), 0u); // linear ISTs only
    EXPECT_EQ(IRS_IDR2::ISTMD.get(idr2), 0u);
    EXPECT_EQ(rd(irs, irs_reg::IRS_IDR3), 0u);
    EXPECT_EQ(rd(irs, irs_reg::IRS_IDR4), 0u);
    EXPECT_EQ(rd(irs, irs_reg::IRS_IDR5), 96u); // SPI_RANGE
    EXPECT_EQ(rd(irs, irs_reg::IRS_IDR6), 96u); // SPI_IRS_RANGE: every SPI on this IRS
    EXPECT_EQ(rd(irs, irs_reg::IRS_IDR7), 0u);  // SPI_BASE
    const uint64_t iidr = rd(irs, irs_reg::IRS_IIDR);
    EXPECT_EQ(IRS_IIDR::PRODUCTID.get(iidr), 0x4bu); // 'K'
    EXPECT_EQ(IRS_IIDR::IMPLEMENTER.get(iidr), 0x43bu);
    // The PE count follows the vCPUs KVM has online.
    host.vcpus.insert(7);
    EXPECT_EQ(IRS_IDR1::PE_CNT.get(rd(irs, irs_reg::IRS_IDR1)), 4u);
    // ID registers ignore writes.
    wr(irs, irs_reg::IRS_IDR5, 0);
    wr(irs, irs_reg::IRS_IDR3, 0xffffffff);
    EXPECT_EQ(rd(irs, irs_reg::IRS_IDR5), 96u);
    EXPECT_EQ(rd(irs, irs_reg::IRS_IDR3), 0u);
}

TEST(GuestIrs, SpiStatusIsValidOnlyForASelectedSpiInRange) {
    fake_host host;
    guest_irs irs({}, host); // 32 SPIs
    // Nothing selected yet: KVM starts the selector at -1.
    EXPECT_EQ(rd(irs, irs_reg::IRS_SPI_STATUSR), IRS_SPI_STATUSR::IDLE.make(1));
    for (uint64_t spi : {0u, 31u}) {
        wr(irs, irs_reg::IRS_SPI_SELR, spi);
        EXPECT_EQ(rd(irs, irs_reg::IRS_SPI_SELR), spi);
        EXPECT_EQ(rd(irs, irs_reg::IRS_SPI_STATUSR),
                  IRS_SPI_STATUSR::IDLE.make(1) | IRS_SPI_STATUSR::V.make(1));
    }
    for (uint64_t spi : {32u, 0xffffffu}) {
        wr(irs, irs_reg::IRS_SPI_SELR, spi);
        EXPECT_EQ(rd(irs, irs_reg::IRS_SPI_STATUSR), IRS_SPI_STATUSR::IDLE.make(1));
    }
}

TEST(GuestIrs, SpiCfgrTriggerModeIsMirroredIntoKvmAndReadsBack) {
    fake_host host;
    guest_irs irs({}, host);
    wr(irs, irs_reg::IRS_SPI_SELR, 5);
    EXPECT_EQ(rd(irs, irs_reg::IRS_SPI_CFGR), 0u); // edge, KVM's default
    wr(irs, irs_reg::IRS_SPI_CFGR, IRS_SPI_CFGR::TM.make(1));
    EXPECT_EQ(rd(irs, irs_reg::IRS_SPI_CFGR), IRS_SPI_CFGR::TM.make(1));
    wr(irs, irs_reg::IRS_SPI_SELR, 6);
    EXPECT_EQ(rd(irs, irs_reg::IRS_SPI_CFGR), 0u); // the mode is per SPI
    wr(irs, irs_reg::IRS_SPI_SELR, 5);
    wr(irs, irs_reg::IRS_SPI_CFGR, 0);
    EXPECT_EQ(host.trigger_modes, (std::vector<std::pair<unsigned, bool>>{{5, true}, {5, false}}));
    // KVM's own change (a restored SPI vIST) is what the guest reads.
    host.level[5] = true;
    EXPECT_EQ(rd(irs, irs_reg::IRS_SPI_CFGR), IRS_SPI_CFGR::TM.make(1));
    // An SPI out of range: the write reaches nothing, the read gives 0.
    wr(irs, irs_reg::IRS_SPI_SELR, 40);
    wr(irs, irs_reg::IRS_SPI_CFGR, IRS_SPI_CFGR::TM.make(1));
    EXPECT_EQ(rd(irs, irs_reg::IRS_SPI_CFGR), 0u);
    EXPECT_EQ(host.trigger_modes.size(), 2u);
}

TEST(GuestIrs, PeStatusIsValidAndOnlineOnlyForAnExistingVcpuId) {
    fake_host host;
    host.vcpus = {17, 3}; // the selftest's sparse vCPU IDs
    guest_irs irs({}, host);
    const uint64_t absent = IRS_PE_STATUSR::IDLE.make(1);
    const uint64_t present = absent | IRS_PE_STATUSR::V.make(1) | IRS_PE_STATUSR::ONLINE.make(1);
    EXPECT_EQ(rd(irs, irs_reg::IRS_PE_STATUSR), absent); // nothing selected yet
    for (auto [id, want] : std::vector<std::pair<uint64_t, uint64_t>>{
             {17, present}, {3, present}, {0, absent}, {1, absent}, {18, absent}}) {
        wr(irs, irs_reg::IRS_PE_SELR, id);
        EXPECT_EQ(rd(irs, irs_reg::IRS_PE_SELR), id);
        EXPECT_EQ(rd(irs, irs_reg::IRS_PE_STATUSR), want) << "vCPU " << id;
        // No 1-of-N routing: a present PE reads DPS = 1.
        EXPECT_EQ(rd(irs, irs_reg::IRS_PE_CR0), IRS_PE_CR0::DPS.make(want == present));
    }
}

TEST(GuestIrs, PeCr0WritesAreIgnored) {
    fake_host host;
    guest_irs irs({}, host);
    wr(irs, irs_reg::IRS_PE_SELR, 1);
    wr(irs, irs_reg::IRS_PE_CR0, 0);
    EXPECT_EQ(rd(irs, irs_reg::IRS_PE_CR0), IRS_PE_CR0::DPS.make(1));
}

TEST(GuestIrs, SpiVmrSyncrAndTheVirtualizationRegistersReadAsZeroAndIgnoreWrites) {
    fake_host host;
    guest_irs irs({}, host);
    for (irs_reg r : {irs_reg::IRS_SPI_VMR, irs_reg::IRS_SYNCR, irs_reg::IRS_SPI_RESAMPLER,
                      irs_reg::IRS_VMT_BASER, irs_reg::IRS_VPE_SELR, irs_reg::IRS_VMAP_VISTR,
                      irs_reg::IRS_SWERR_STATUSR}) {
        wr(irs, r, ~uint64_t{0} >> (64 - desc(r).width));
        EXPECT_EQ(rd(irs, r), 0u) << desc(r).name;
    }
    EXPECT_EQ(rd(irs, irs_reg::IRS_SYNC_STATUSR), IRS_SYNC_STATUSR::IDLE.make(1));
    EXPECT_TRUE(host.enable_changes.empty() && host.maps.empty() && host.trigger_modes.empty());
}

TEST(GuestIrs, TheSelftestsLpiIstIsMappedOnceAndItsAddressIsImmutableWhileValid) {
    fake_host host;
    guest_irs irs({}, host);
    wr(irs, irs_reg::IRS_IST_CFGR, linear_cfgr(12));
    wr(irs, irs_reg::IRS_IST_BASER, valid_baser(IST_GPA));
    EXPECT_EQ(host.maps, (std::vector<unsigned>{12}));
    EXPECT_TRUE(irs.lpi_ist_valid());
    // Read at once, without polling: the operation is already done.
    EXPECT_EQ(rd(irs, irs_reg::IRS_IST_STATUSR), IRS_IST_STATUSR::IDLE.make(1));
    // A changed address while valid is ignored (the selftest flips ADDR bit 0).
    wr(irs, irs_reg::IRS_IST_BASER, valid_baser(IST_GPA) ^ IRS_IST_BASER::ADDR.make(1));
    EXPECT_EQ(rd(irs, irs_reg::IRS_IST_BASER), valid_baser(IST_GPA));
    EXPECT_EQ(host.maps.size(), 1u);
    EXPECT_EQ(host.unmaps, 0u);
}

TEST(GuestIrs, IstCfgrIsIgnoredWhileTheIstIsValid) {
    fake_host host;
    guest_irs irs({}, host);
    wr(irs, irs_reg::IRS_IST_CFGR, linear_cfgr(13));
    EXPECT_EQ(rd(irs, irs_reg::IRS_IST_CFGR), linear_cfgr(13));
    wr(irs, irs_reg::IRS_IST_BASER, valid_baser(IST_GPA));
    wr(irs, irs_reg::IRS_IST_CFGR, linear_cfgr(14));
    EXPECT_EQ(rd(irs, irs_reg::IRS_IST_CFGR), linear_cfgr(13));
    wr(irs, irs_reg::IRS_IST_BASER, 0);
    wr(irs, irs_reg::IRS_IST_CFGR, linear_cfgr(14));
    EXPECT_EQ(rd(irs, irs_reg::IRS_IST_CFGR), linear_cfgr(14));
}

TEST(GuestIrs, AnIstConfigurationKvmCannotBackLeavesBaserInvalidAndMapsNothing) {
    fake_host host;
    guest_irs irs({}, host); // ID_BITS 16, MIN_LPI_ID_BITS 12, no ISTMD, linear only
    const uint64_t bad[] = {
        linear_cfgr(11),                                   // below MIN_LPI_ID_BITS
        linear_cfgr(17),                                   // beyond ID_BITS
        linear_cfgr(12, 1),                                // 8-byte ISTEs without ISTMD
        linear_cfgr(12) | IRS_IST_CFGR::STRUCTURE.make(1), // two-level, not offered
    };
    for (uint64_t cfgr : bad) {
        wr(irs, irs_reg::IRS_IST_CFGR, cfgr);
        wr(irs, irs_reg::IRS_IST_BASER, valid_baser(IST_GPA));
        EXPECT_EQ(rd(irs, irs_reg::IRS_IST_BASER), 0u) << std::hex << cfgr;
    }
    EXPECT_TRUE(host.maps.empty());
    // With metadata, the ISTE size follows ISTMD_SZ; two-level needs a supported L2SZ.
    guest_irs_params p;
    p.istmd = true;
    p.istmd_sz = 14;
    p.ist_levels = true;
    p.ist_l2sz = 0b001; // 4 KiB only
    fake_host host2;
    guest_irs md(p, host2);
    auto accepted = [&](uint64_t cfgr) {
        wr(md, irs_reg::IRS_IST_CFGR, cfgr);
        wr(md, irs_reg::IRS_IST_BASER, valid_baser(IST_GPA));
        const bool ok = md.lpi_ist_valid();
        wr(md, irs_reg::IRS_IST_BASER, 0);
        return ok;
    };
    EXPECT_FALSE(accepted(linear_cfgr(13, 0)));
    EXPECT_TRUE(accepted(linear_cfgr(13, 1))); // below ISTMD_SZ: 8 bytes
    EXPECT_FALSE(accepted(linear_cfgr(14, 1)));
    EXPECT_TRUE(accepted(linear_cfgr(14, 2))); // from ISTMD_SZ: 16 bytes
    EXPECT_TRUE(accepted(linear_cfgr(14, 2) | IRS_IST_CFGR::STRUCTURE.make(1)));
    EXPECT_FALSE(accepted(linear_cfgr(14, 2) | IRS_IST_CFGR::STRUCTURE.make(1) |
                          IRS_IST_CFGR::L2SZ.make(1))); // 16 KiB L2 tables: not supported
    EXPECT_EQ(host2.maps, (std::vector<unsigned>{13, 14, 14}));
}

TEST(GuestIrs, AFailedVistMapLeavesBaserInvalid) {
    fake_host host;
    host.map_ok = false;
    guest_irs irs({}, host);
    wr(irs, irs_reg::IRS_IST_CFGR, linear_cfgr(12));
    wr(irs, irs_reg::IRS_IST_BASER, valid_baser(IST_GPA));
    EXPECT_EQ(host.maps.size(), 1u);
    EXPECT_EQ(rd(irs, irs_reg::IRS_IST_BASER), 0u);
    host.map_ok = true; // the guest may try again
    wr(irs, irs_reg::IRS_IST_BASER, valid_baser(IST_GPA));
    EXPECT_EQ(rd(irs, irs_reg::IRS_IST_BASER), valid_baser(IST_GPA));
}

TEST(GuestIrs, InvalidatingTheIstUnmapsItAndAFailedUnmapKeepsItValid) {
    fake_host host;
    guest_irs irs({}, host);
    wr(irs, irs_reg::IRS_IST_CFGR, linear_cfgr(12));
    wr(irs, irs_reg::IRS_IST_BASER, valid_baser(IST_GPA));
    host.unmap_ok = false;
    wr(irs, irs_reg::IRS_IST_BASER, 0);
    EXPECT_EQ(host.unmaps, 1u);
    EXPECT_EQ(rd(irs, irs_reg::IRS_IST_BASER), valid_baser(IST_GPA));
    host.unmap_ok = true;
    wr(irs, irs_reg::IRS_IST_BASER, IST_GPA + 0x10000); // invalid, a new address
    EXPECT_EQ(host.unmaps, 2u);
    EXPECT_EQ(rd(irs, irs_reg::IRS_IST_BASER), IST_GPA + 0x10000);
    // Invalid to invalid: only the address changes, KVM is not asked.
    wr(irs, irs_reg::IRS_IST_BASER, IST_GPA);
    EXPECT_EQ(rd(irs, irs_reg::IRS_IST_BASER), IST_GPA);
    EXPECT_EQ(host.unmaps, 2u);
    EXPECT_EQ(host.maps.size(), 1u);
}

TEST(GuestIrs, TheSetlpiFrameIsRazWiAsInKvmUnlessSetlpiIsOffered) {
    fake_host host;
    guest_irs kvm({}, host);
    wr(kvm, irs_reg::IRS_IST_CFGR, linear_cfgr(12));
    wr(kvm, irs_reg::IRS_IST_BASER, valid_baser(IST_GPA));
    EXPECT_EQ(kvm.write(SETLPI_FRAME + IRS_SETLPIR_OFFSET, 4, 7), tlm::TLM_OK_RESPONSE);
    EXPECT_TRUE(host.lpis.empty());

    guest_irs_params p;
    p.setlpi = true;
    fake_host h2;
    guest_irs irs(p, h2);
    EXPECT_EQ(IRS_IDR0::SETLPI.get(rd(irs, irs_reg::IRS_IDR0)), 1u);
    EXPECT_EQ(irs.write(SETLPI_FRAME + IRS_SETLPIR_OFFSET, 4, 7), tlm::TLM_OK_RESPONSE);
    EXPECT_TRUE(h2.lpis.empty()); // no LPI IST yet: dropped
    wr(irs, irs_reg::IRS_IST_CFGR, linear_cfgr(12));
    wr(irs, irs_reg::IRS_IST_BASER, valid_baser(IST_GPA));
    EXPECT_EQ(irs.write(SETLPI_FRAME + IRS_SETLPIR_OFFSET, 4, 7), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(irs.write(SETLPI_FRAME + IRS_SETLPIR_OFFSET, 4, 4095), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(irs.write(SETLPI_FRAME + IRS_SETLPIR_OFFSET, 4, 4096), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(irs.write(SETLPI_FRAME + IRS_SETLPIR_OFFSET, 8, 8), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(irs.write(SETLPI_FRAME + 0x40, 4, 9), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h2.lpis, (std::vector<uint32_t>{7, 4095})); // 4096 is beyond 2^12 LPIs
    uint64_t v = 1;
    EXPECT_EQ(irs.read(SETLPI_FRAME + IRS_SETLPIR_OFFSET, 4, v), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, 0u); // write-only
}

TEST(GuestIrs, AccessesGetThePhysicalFramesResponses) {
    fake_host host;
    guest_irs irs({}, host);
    uint64_t v = 0;
    EXPECT_EQ(irs.read(guest_irs::REGION_BYTES, 4, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(irs.write(guest_irs::REGION_BYTES + 0x80, 4, 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(irs.read(off(irs_reg::IRS_CR0), 2, v), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(irs.read(off(irs_reg::IRS_CR0) + 2, 4, v), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(irs.read(off(irs_reg::IRS_CR0), 8, v), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(irs.write(off(irs_reg::IRS_CR0), 8, 1), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_FALSE(irs.enabled());
    // A 64-bit register takes 64-bit accesses only.
    EXPECT_EQ(irs.read(off(irs_reg::IRS_IST_BASER), 4, v), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(irs.write(off(irs_reg::IRS_IST_BASER) + 4, 4, 0), tlm::TLM_GENERIC_ERROR_RESPONSE);
    // Reserved offsets read as zero and ignore writes.
    v = 1;
    EXPECT_EQ(irs.read(0x800, 4, v), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(v, 0u);
    EXPECT_EQ(irs.write(0x800, 8, 1), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(irs.read(SETLPI_FRAME + 0x8, 8, v), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(irs.read(SETLPI_FRAME + 0x2, 4, v), tlm::TLM_GENERIC_ERROR_RESPONSE);
}

TEST(GuestIrs, SavedRegistersRestoreIntoANewVmAndItsLpiIstIsMappedAfterTheImage) {
    fake_host src_host;
    guest_irs src({}, src_host);
    wr(src, irs_reg::IRS_CR0, IRS_CR0::IRSEN.make(1));
    wr(src, irs_reg::IRS_CR1, 0x3f);
    wr(src, irs_reg::IRS_SPI_SELR, 9);
    wr(src, irs_reg::IRS_PE_SELR, 1);
    wr(src, irs_reg::IRS_IST_CFGR, linear_cfgr(12));
    wr(src, irs_reg::IRS_IST_BASER, valid_baser(IST_GPA));
    const guest_irs_state saved = src.save();

    fake_host dst_host;
    guest_irs dst({}, dst_host);
    ASSERT_TRUE(dst.restore(saved));
    EXPECT_EQ(dst.save(), saved);
    for (irs_reg r : {irs_reg::IRS_CR0, irs_reg::IRS_CR1, irs_reg::IRS_SPI_SELR,
                      irs_reg::IRS_PE_SELR, irs_reg::IRS_IST_CFGR, irs_reg::IRS_IST_BASER})
        EXPECT_EQ(rd(dst, r), rd(src, r)) << desc(r).name;
    EXPECT_TRUE(dst.enabled());
    // Restoring tells KVM nothing: no reload, no vIST until the LPI IST image is in.
    EXPECT_TRUE(dst_host.enable_changes.empty());
    EXPECT_TRUE(dst_host.maps.empty());
    EXPECT_TRUE(dst.restore_pending());
    EXPECT_TRUE(dst.map_restored_ist());
    EXPECT_EQ(dst_host.maps, (std::vector<unsigned>{12}));
    EXPECT_FALSE(dst.restore_pending());
    // The restored IST behaves as one the guest made valid.
    wr(dst, irs_reg::IRS_IST_BASER, 0);
    EXPECT_EQ(dst_host.unmaps, 1u);
}

// KVM's IST restore fills the vIST before mapping it, so the mapping is the caller's: the
// configuration is still checked first, and host.map_lpi_ist() is not called.
TEST(GuestIrs, ARestoredIstIsMappedByTheCallersMapOnlyWhenItsConfigurationIsValid) {
    fake_host src_host;
    guest_irs src({}, src_host);
    wr(src, irs_reg::IRS_IST_CFGR, linear_cfgr(12));
    wr(src, irs_reg::IRS_IST_BASER, valid_baser(IST_GPA));
    guest_irs_state saved = src.save();

    fake_host host;
    guest_irs irs({}, host);
    std::vector<unsigned> mapped;
    const auto map = [&](unsigned bits) {
        mapped.push_back(bits);
        return bits == 12;
    };
    // Fewer ID bits than IDR2.MIN_LPI_ID_BITS: refused before any map, still pending.
    saved.ist_cfgr = static_cast<uint32_t>(linear_cfgr(4));
    ASSERT_TRUE(irs.restore(saved));
    EXPECT_FALSE(irs.map_restored_ist(map));
    EXPECT_TRUE(mapped.empty());
    EXPECT_TRUE(irs.restore_pending());
    // The saved configuration: mapped through `map`, never through the host.
    saved.ist_cfgr = static_cast<uint32_t>(linear_cfgr(12));
    ASSERT_TRUE(irs.restore(saved));
    EXPECT_TRUE(irs.map_restored_ist(map));
    EXPECT_EQ(mapped, (std::vector<unsigned>{12}));
    EXPECT_TRUE(host.maps.empty());
    EXPECT_FALSE(irs.restore_pending());
    // Mapped now: a different base is refused as for a vIST the guest made valid.
    saved.ist_baser = valid_baser(IST_GPA + 0x10000);
    EXPECT_FALSE(irs.restore(saved));
}

TEST(GuestIrs, RestoreRefusesAnIstThatDiffersFromTheMappedOne) {
    fake_host host;
    guest_irs irs({}, host);
    wr(irs, irs_reg::IRS_IST_CFGR, linear_cfgr(12));
    wr(irs, irs_reg::IRS_IST_BASER, valid_baser(IST_GPA));
    guest_irs_state s = irs.save();
    s.ist_baser = valid_baser(IST_GPA + 0x10000);
    EXPECT_FALSE(irs.restore(s));
    s = irs.save();
    s.ist_cfgr = static_cast<uint32_t>(linear_cfgr(13));
    EXPECT_FALSE(irs.restore(s));
    EXPECT_EQ(rd(irs, irs_reg::IRS_IST_CFGR), linear_cfgr(12));
    s = irs.save();
    s.spi_selr = 3; // the same IST: accepted
    EXPECT_TRUE(irs.restore(s));
    EXPECT_EQ(rd(irs, irs_reg::IRS_SPI_SELR), 3u);
}

TEST(GuestIrs, SpiCountsOutsideKvmsLimitsAreRefused) {
    fake_host host;
    for (unsigned spis : {0u, 16u, 48u, 1056u}) {
        guest_irs_params p;
        p.spis = spis;
        EXPECT_THROW(guest_irs(p, host), std::invalid_argument) << spis;
    }
    guest_irs_params p;
    p.spis = 1024;
    guest_irs irs(p, host);
    wr(irs, irs_reg::IRS_SPI_SELR, 1023);
    EXPECT_EQ(rd(irs, irs_reg::IRS_SPI_STATUSR),
              IRS_SPI_STATUSR::IDLE.make(1) | IRS_SPI_STATUSR::V.make(1));
}
