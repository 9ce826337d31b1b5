// The IRS config frame, driven through the bus from a PE as software would. Offsets, widths and
// reset values come from the register table, never re-typed here.
#include "common/scripted_platform.h"
#include "tlm_gicv5/irs_regs.h"
#include "tlm_gicv5/vm_table.h"

#include <gtest/gtest.h>

using namespace gicv5;
using test::pe;

namespace {

uint64_t reg_addr(const reg_desc& d) { return platform::irs_config{}.config_frame + d.offset; }

tlm::tlm_response_status read_reg(pe& p, const reg_desc& d, uint64_t& v) {
    v = 0;
    return p.access(tlm::TLM_READ_COMMAND, reg_addr(d), &v, d.width / 8u);
}
tlm::tlm_response_status write_reg(pe& p, const reg_desc& d, uint64_t v) {
    return p.access(tlm::TLM_WRITE_COMMAND, reg_addr(d), &v, d.width / 8u);
}
uint64_t read(pe& p, irs_reg r) {
    uint64_t v = 0;
    EXPECT_EQ(read_reg(p, desc(r), v), tlm::TLM_OK_RESPONSE) << desc(r).name;
    return v;
}

// One 32-bit half of a 64-bit register, as a 32-bit processor accesses it.
enum class half : unsigned { low = 0, high = 4 };
void write_half(pe& p, irs_reg r, half h, uint32_t v) {
    EXPECT_EQ(p.access(tlm::TLM_WRITE_COMMAND, reg_addr(desc(r)) + static_cast<unsigned>(h), &v, 4),
              tlm::TLM_OK_RESPONSE)
        << desc(r).name;
}
uint32_t read_half(pe& p, irs_reg r, half h) {
    uint32_t v = 0;
    EXPECT_EQ(p.access(tlm::TLM_READ_COMMAND, reg_addr(desc(r)) + static_cast<unsigned>(h), &v, 4),
              tlm::TLM_OK_RESPONSE)
        << desc(r).name;
    return v;
}
uint32_t lo(uint64_t v) { return static_cast<uint32_t>(v); }
uint32_t hi(uint64_t v) { return static_cast<uint32_t>(v >> 32); }

// After boot_and_load: vPE 1 of VM 0, unmapped, given a descriptor (at the end of memory) so that
// IRS_VMAP_VPER can map it. Returns its VPETE's address.
uint64_t vpe1_entry_with_a_descriptor(test::scripted_platform& s, pe& p) {
    const uint64_t vpete = s.agent().dist(0).vpet + VPETE_BYTES;
    const uint64_t vped = s.plat->cfg.memory.base + s.plat->cfg.memory.size - 0x1000;
    p.write64(vpete, addr_of(VPETE::VPED_ADDR, vped));
    return vpete;
}

} // namespace

TEST(IrsRegisterTable, IsSortedByOffsetWithoutOverlapsAndAligned) {
    for (std::size_t i = 0; i < irs_config_frame_count; ++i) {
        const reg_desc& d = irs_config_frame[i];
        EXPECT_TRUE(d.width == 32 || d.width == 64) << d.name;
        EXPECT_EQ(d.offset % (d.width / 8u), 0u) << d.name;
        EXPECT_EQ(d.wmask & ~(d.width == 32 ? 0xffffffffull : ~0ull), 0u) << d.name;
        if (i > 0) {
            const reg_desc& prev = irs_config_frame[i - 1];
            EXPECT_GE(d.offset, prev.offset + prev.width / 8u) << d.name;
        }
        irs_reg which{};
        EXPECT_EQ(irs_config_lookup(d.offset, &which), &d);
        EXPECT_EQ(static_cast<std::size_t>(which), i);
    }
    EXPECT_STREQ(desc(irs_reg::IRS_VMT_STATUSR).name, "IRS_VMT_STATUSR");
    EXPECT_EQ(desc(irs_reg::IRS_VMT_STATUSR).offset, 0x214u); // not QEMU's 0x124 (reference §2.3)
}

TEST(IrsConfigFrame, EveryRegisterReadsItsResetValue) {
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        for (const reg_desc& d : irs_config_frame) {
            uint64_t v = 0;
            ASSERT_EQ(read_reg(p, d, v), tlm::TLM_OK_RESPONSE) << d.name;
            if (d.access == reg_access::RW) {
                EXPECT_EQ(v, d.reset) << d.name;
            }
        }
    });
    s.run();
}

TEST(IrsConfigFrame, IdRegistersAdvertiseExactlyWhatIsModelled) {
    platform::platform_config cfg = test::two_pe_config();
    cfg.irs.vm_id_bits = 6;
    cfg.irs.spi_range = 200;
    cfg.irs.spi_base = 32;
    cfg.irs.spi_irs_range = 96;
    cfg.irs.pri_bits = 4;
    cfg.irs.iaffid_bits = 8;
    test::scripted_platform s(cfg);
    s.on(0, [&](pe& p) {
        const uint64_t idr0 = read(p, irs_reg::IRS_IDR0);
        EXPECT_EQ(IRS_IDR0::INT_DOM.get(idr0), 1u); // Non-secure
        EXPECT_TRUE(IRS_IDR0::VIRT.test(idr0));
        EXPECT_TRUE(IRS_IDR0::ONE_N.test(idr0));
        EXPECT_TRUE(IRS_IDR0::SWE.test(idr0));
        EXPECT_TRUE(IRS_IDR0::SETLPI.test(idr0));
        const uint64_t idr1 = read(p, irs_reg::IRS_IDR1);
        EXPECT_EQ(IRS_IDR1::PE_CNT.get(idr1), 2u);
        EXPECT_EQ(IRS_IDR1::PRI_BITS.get(idr1) + 1, 4u);
        EXPECT_EQ(IRS_IDR1::IAFFID_BITS.get(idr1) + 1, 8u);
        const uint64_t idr2 = read(p, irs_reg::IRS_IDR2);
        EXPECT_TRUE(IRS_IDR2::LPI.test(idr2)); // Linux fails probe without it (reference §9.1)
        EXPECT_EQ(IRS_IDR2::ID_BITS.get(idr2), 16u);
        EXPECT_EQ(IRS_IDR2::MIN_LPI_ID_BITS.get(idr2), 12u);
        EXPECT_TRUE(IRS_IDR2::IST_LEVELS.test(idr2));
        EXPECT_EQ(IRS_IDR2::IST_L2SZ.get(idr2), 1u); // 4 KiB L2 tables only
        EXPECT_FALSE(IRS_IDR2::ISTMD.test(idr2));
        const uint64_t idr3 = read(p, irs_reg::IRS_IDR3);
        EXPECT_EQ(IRS_IDR3::VM_ID_BITS.get(idr3), 6u);
        EXPECT_TRUE(IRS_IDR3::VMT_LEVELS.test(idr3));
        EXPECT_TRUE(IRS_IDR3::VMD.test(idr3));     // VMTE word 0 names a VM descriptor
        EXPECT_EQ(IRS_IDR3::VMD_SZ.get(idr3), 6u); // of 64 bytes
        const uint64_t idr4 = read(p, irs_reg::IRS_IDR4);
        EXPECT_EQ(IRS_IDR4::VPED_SZ.get(idr4), 6u);
        EXPECT_EQ(IRS_IDR4::VPE_ID_BITS.get(idr4) + 1, 4u);
        EXPECT_EQ(IRS_IDR5::SPI_RANGE.get(read(p, irs_reg::IRS_IDR5)), 200u);
        EXPECT_EQ(IRS_IDR6::SPI_IRS_RANGE.get(read(p, irs_reg::IRS_IDR6)), 96u);
        EXPECT_EQ(IRS_IDR7::SPI_BASE.get(read(p, irs_reg::IRS_IDR7)), 32u);
    });
    s.run();
}

TEST(IrsConfigFrame, ReadOnlyRegistersIgnoreWrites) {
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        for (const reg_desc& d : irs_config_frame) {
            if (d.access != reg_access::RO)
                continue;
            uint64_t before = 0, after = 0;
            ASSERT_EQ(read_reg(p, d, before), tlm::TLM_OK_RESPONSE);
            EXPECT_EQ(write_reg(p, d, ~before), tlm::TLM_OK_RESPONSE) << d.name;
            p.idle_until(p.local_time() + sc_core::sc_time(10, sc_core::SC_US));
            ASSERT_EQ(read_reg(p, d, after), tlm::TLM_OK_RESPONSE);
            EXPECT_EQ(after, before) << d.name;
        }
    });
    s.run();
}

TEST(IrsConfigFrame, WritesKeepOnlyWritableBits) {
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        for (irs_reg r : {irs_reg::IRS_CR1, irs_reg::IRS_VMT_CFGR}) {
            ASSERT_EQ(write_reg(p, desc(r), ~0ull), tlm::TLM_OK_RESPONSE);
            EXPECT_EQ(read(p, r), desc(r).wmask & (desc(r).width == 32 ? 0xffffffffull : ~0ull))
                << desc(r).name;
        }
    });
    s.run();
}

TEST(IrsConfigFrame, ReservedOffsetsReadAsZeroAndIgnoreWrites) {
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        const uint64_t frame = platform::irs_config{}.config_frame;
        for (uint64_t off : {0x020ull, 0x0C8ull, 0x400ull, 0xFFF8ull}) {
            ASSERT_EQ(irs_config_lookup(static_cast<uint32_t>(off)), nullptr);
            uint64_t v = ~0ull;
            EXPECT_EQ(p.access(tlm::TLM_WRITE_COMMAND, frame + off, &v, 8), tlm::TLM_OK_RESPONSE);
            EXPECT_EQ(p.access(tlm::TLM_READ_COMMAND, frame + off, &v, 8), tlm::TLM_OK_RESPONSE);
            EXPECT_EQ(v, 0u) << off;
        }
    });
    s.run();
}

TEST(IrsConfigFrame, AnAccessOfTheWrongWidthIsABusError) {
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        uint64_t v = 0;
        const uint64_t cr0 = reg_addr(desc(irs_reg::IRS_CR0));
        const uint64_t baser = reg_addr(desc(irs_reg::IRS_VMT_BASER));
        EXPECT_EQ(p.access(tlm::TLM_READ_COMMAND, cr0, &v, 8), tlm::TLM_GENERIC_ERROR_RESPONSE);
        EXPECT_EQ(p.access(tlm::TLM_READ_COMMAND, cr0, &v, 2), tlm::TLM_GENERIC_ERROR_RESPONSE);
        EXPECT_EQ(p.access(tlm::TLM_READ_COMMAND, cr0 + 1, &v, 4), tlm::TLM_GENERIC_ERROR_RESPONSE);
        // A 64-bit register takes 4 bytes at either half, nothing narrower or in between.
        for (tlm::tlm_command cmd : {tlm::TLM_READ_COMMAND, tlm::TLM_WRITE_COMMAND}) {
            EXPECT_EQ(p.access(cmd, baser + 2, &v, 4), tlm::TLM_GENERIC_ERROR_RESPONSE);
            EXPECT_EQ(p.access(cmd, baser, &v, 2), tlm::TLM_GENERIC_ERROR_RESPONSE);
            EXPECT_EQ(p.access(cmd, baser + 4, &v, 2), tlm::TLM_GENERIC_ERROR_RESPONSE);
            EXPECT_EQ(p.access(cmd, baser + 4, &v, 8), tlm::TLM_GENERIC_ERROR_RESPONSE);
        }
        EXPECT_EQ(read(p, irs_reg::IRS_VMT_BASER), 0u); // the refused writes changed nothing
    });
    s.run();
}

TEST(IrsConfigFrame, EitherHalfOfA64BitRegisterIsWrittenAndReadOnItsOwnInEitherOrder) {
    // A 32-bit processor accesses IRS_IST_BASER as two words (README, "Bad register accesses").
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        const uint64_t a = 0x0000001234567800ull, b = 0x000000abcdef0040ull; // VALID = 0
        write_half(p, irs_reg::IRS_IST_BASER, half::low, lo(a));
        write_half(p, irs_reg::IRS_IST_BASER, half::high, hi(a));
        EXPECT_EQ(read(p, irs_reg::IRS_IST_BASER), a);
        write_half(p, irs_reg::IRS_IST_BASER, half::high, hi(b));
        EXPECT_EQ(read(p, irs_reg::IRS_IST_BASER), (a & 0xffffffffull) | (b & ~0xffffffffull));
        write_half(p, irs_reg::IRS_IST_BASER, half::low, lo(b));
        EXPECT_EQ(read(p, irs_reg::IRS_IST_BASER), b);
        EXPECT_EQ(read_half(p, irs_reg::IRS_IST_BASER, half::low), lo(b));
        EXPECT_EQ(read_half(p, irs_reg::IRS_IST_BASER, half::high), hi(b));
    });
    s.run();
    EXPECT_EQ(s.plat->irs.ignored_requests(), 0u);
}

TEST(IrsConfigFrame, ABaseRegistersLowHalfHoldsValidSoItsHighHalfGoesFirst) {
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        const sc_core::sc_time op = platform::timing_config{}.irs_op;
        p.write32(reg_addr(desc(irs_reg::IRS_VMT_CFGR)), 4);
        // High, then low with VALID: the table is made valid at the whole address.
        write_half(p, irs_reg::IRS_VMT_BASER, half::high, 0x12);
        EXPECT_FALSE(IRS_VMT_BASER::VALID.test(read(p, irs_reg::IRS_VMT_BASER)));
        write_half(p, irs_reg::IRS_VMT_BASER, half::low, 0x80000000u | 1);
        EXPECT_FALSE(IRS_VMT_STATUSR::IDLE.test(read(p, irs_reg::IRS_VMT_STATUSR)));
        EXPECT_EQ(read(p, irs_reg::IRS_VMT_BASER), 0x1280000001ull);
        p.idle_until(p.local_time() + op);
        write_half(p, irs_reg::IRS_VMT_BASER, half::low, 0x80000000u); // VALID 1 -> 0
        p.idle_until(p.local_time() + op);
        EXPECT_EQ(read(p, irs_reg::IRS_VMT_BASER), 0x1280000000ull);
        // Low with VALID, then high: valid at once with the high half it had; the high half
        // written after is refused, as the address is read-only while VALID = 1.
        write_half(p, irs_reg::IRS_VMT_BASER, half::low, 0x90000000u | 1);
        write_half(p, irs_reg::IRS_VMT_BASER, half::high, 0x34);
        EXPECT_EQ(read(p, irs_reg::IRS_VMT_BASER), 0x1290000001ull);
    });
    s.run();
}

TEST(IrsConfigFrame, DebugTransportReadsAndWritesEitherHalfOfA64BitRegister) {
    test::scripted_platform s;
    s.run(sc_core::SC_ZERO_TIME);
    auto dbg = [&](tlm::tlm_command cmd, uint32_t offset, uint32_t& v, unsigned len) {
        tlm::tlm_generic_payload tx;
        tx.set_command(cmd);
        tx.set_address(offset);
        tx.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
        tx.set_data_length(len);
        tx.set_streaming_width(len);
        return s.plat->irs.config_frame.get_base_export()->transport_dbg(tx);
    };
    const uint32_t baser = desc(irs_reg::IRS_IST_BASER).offset;
    uint32_t v = 0xffffffffu; // beyond ADDR[55:32]: only the writable bits change
    EXPECT_EQ(dbg(tlm::TLM_WRITE_COMMAND, baser + 4, v, 4), 4u);
    v = 0x1000;
    EXPECT_EQ(dbg(tlm::TLM_WRITE_COMMAND, baser, v, 4), 4u);
    EXPECT_EQ(s.plat->irs_register(irs_reg::IRS_IST_BASER), 0x00ffffff00001000ull);
    EXPECT_EQ(dbg(tlm::TLM_READ_COMMAND, baser + 4, v, 4), 4u);
    EXPECT_EQ(v, 0x00ffffffu);
    EXPECT_EQ(dbg(tlm::TLM_READ_COMMAND, baser + 2, v, 4), 0u);
    EXPECT_EQ(dbg(tlm::TLM_READ_COMMAND, baser + 4, v, 2), 0u);
}

TEST(IrsConfigFrame, IrsEnableIsAcceptedBeforeAnyTableExists) {
    // Linux sets IRSEN at probe, before any IST or VM table (reference §9.1 step 2).
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        p.write32(reg_addr(desc(irs_reg::IRS_CR0)), 1);
        const uint64_t cr0 = read(p, irs_reg::IRS_CR0);
        EXPECT_TRUE(IRS_CR0::IRSEN.test(cr0));
        EXPECT_TRUE(IRS_CR0::IDLE.test(cr0));
    });
    s.run();
}

TEST(IrsVmTables, BringUpSetsTheValidBitsInMemoryThroughTheIrs) {
    test::scripted_platform s;
    s.on(0, [&](pe& p) { test::boot_and_load(s, p, 0); });
    s.run();
    // The agent wrote the tables without VALID bits; the IRS set them in answer to VMAP writes.
    const auto& d = s.agent().dist(0);
    const uint64_t vmt = s.agent().vm_table();
    EXPECT_TRUE(VMTE_W0::VALID.test(s.mem64(vmte_word_address(vmt, 0, vmte_word::vmd))));
    EXPECT_FALSE(VMTE_W0::VALID.test(s.mem64(vmte_word_address(vmt, 1, vmte_word::vmd))));
    const uint64_t spi_desc = s.mem64(vmte_word_address(vmt, 0, vmte_word::spi_vist));
    EXPECT_TRUE(VIST_DESC::IST_VALID.test(spi_desc));
    EXPECT_EQ(addr_of(VIST_DESC::ADDR, spi_desc), d.spi_vist);
    EXPECT_EQ(VIST_DESC::ID_BITS.get(spi_desc), 6u); // 64 SPIs
    EXPECT_TRUE(VPETE::VALID.test(s.mem64(d.vpet)));
    EXPECT_FALSE(VPETE::VALID.test(s.mem64(d.vpet + 8))); // vPE 1 exists in the table, unmapped
    EXPECT_EQ(s.plat->irs.ignored_requests(), 0u);
}

TEST(IrsVmTables, VmapOperationsClearIdleUntilTheOperationCompletes) {
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        p.write32(reg_addr(desc(irs_reg::IRS_VMT_CFGR)), 4);
        p.write64(reg_addr(desc(irs_reg::IRS_VMT_BASER)), 0x80000000ull | 1);
        EXPECT_FALSE(IRS_VMT_STATUSR::IDLE.test(read(p, irs_reg::IRS_VMT_STATUSR)));
        p.idle_until(p.local_time() + platform::timing_config{}.irs_op);
        EXPECT_TRUE(IRS_VMT_STATUSR::IDLE.test(read(p, irs_reg::IRS_VMT_STATUSR)));
        // While the VM table is valid its configuration is locked (reference §3 validity rule).
        p.write32(reg_addr(desc(irs_reg::IRS_VMT_CFGR)), 2);
        EXPECT_EQ(read(p, irs_reg::IRS_VMT_CFGR), 4u);
    });
    s.run();
}

TEST(IrsVmTables, SelectingAnUnmappedVpeReadsValidZeroAndItsConfigWriteFaults) {
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        test::boot_and_load(s, p, 0);
        p.write64(reg_addr(desc(irs_reg::IRS_VPE_SELR)), IRS_VPE_SELR::VM_ID.make(0) |
                                                             IRS_VPE_SELR::VPE_ID.make(1) |
                                                             IRS_VPE_SELR::S.make(1));
        p.idle_until(p.local_time() + platform::timing_config{}.irs_op);
        const uint64_t st = read(p, irs_reg::IRS_VPE_STATUSR);
        EXPECT_TRUE(IRS_VPE_STATUSR::IDLE.test(st));
        EXPECT_FALSE(IRS_VPE_STATUSR::V.test(st));
        p.write32(reg_addr(desc(irs_reg::IRS_VPE_CR0)), 1);
        EXPECT_TRUE(IRS_VPE_STATUSR::F.test(read(p, irs_reg::IRS_VPE_STATUSR)));
    });
    s.run();
    EXPECT_GT(s.plat->irs.ignored_requests(), 0u);
}

TEST(IrsSoftwareErrors, ACommandForAnUnknownIntidIsRecordedWithItsSyndrome) { // §8.6, §2.3
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        test::at_el(p, exception_level::EL1, [&] { p.insn(gic_insn::CDEN, spi(100).encode()); });
        test::settle(p);
        const uint64_t st = read(p, irs_reg::IRS_SWERR_STATUSR);
        EXPECT_TRUE(IRS_SWERR_STATUSR::V.test(st));
        EXPECT_TRUE(IRS_SWERR_STATUSR::S0V.test(st));
        EXPECT_FALSE(IRS_SWERR_STATUSR::S1V.test(st));
        EXPECT_FALSE(IRS_SWERR_STATUSR::OF.test(st));
        EXPECT_EQ(IRS_SWERR_STATUSR::EC.get(st), static_cast<uint64_t>(swerr::unknown_intid));
        const uint64_t syn = read(p, irs_reg::IRS_SWERR_SYNDROMER0);
        EXPECT_EQ(IRS_SWERR_SYNDROMER0::ID.get(syn), 100u);
        EXPECT_EQ(IRS_SWERR_SYNDROMER0::TYPE.get(syn), 3u);
        EXPECT_FALSE(IRS_SWERR_SYNDROMER0::VIRTUAL.test(syn));
        // A second error while the record is valid only sets OF; the first record stays.
        test::at_el(p, exception_level::EL1, [&] { p.insn(gic_insn::CDEN, lpi(7).encode()); });
        test::settle(p);
        EXPECT_TRUE(IRS_SWERR_STATUSR::OF.test(read(p, irs_reg::IRS_SWERR_STATUSR)));
        EXPECT_EQ(IRS_SWERR_SYNDROMER0::ID.get(read(p, irs_reg::IRS_SWERR_SYNDROMER0)), 100u);
        // Writing 1 to V clears the record.
        p.write64(reg_addr(desc(irs_reg::IRS_SWERR_STATUSR)), 1);
        EXPECT_EQ(read(p, irs_reg::IRS_SWERR_STATUSR), 0u);
        EXPECT_EQ(read(p, irs_reg::IRS_SWERR_SYNDROMER0), 0u);
    });
    s.run();
}

TEST(IrsSoftwareErrors, AnIgnoredRegisterWriteIsRecordedWithoutASyndrome) { // §8.12
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        p.write32(reg_addr(desc(irs_reg::IRS_SPI_SELR)), 1000); // no such SPI
        p.idle_until(p.local_time() + platform::timing_config{}.irs_op);
        p.write32(reg_addr(desc(irs_reg::IRS_SPI_CFGR)), 1);
        const uint64_t st = read(p, irs_reg::IRS_SWERR_STATUSR);
        EXPECT_TRUE(IRS_SWERR_STATUSR::V.test(st));
        EXPECT_FALSE(IRS_SWERR_STATUSR::S0V.test(st));
        EXPECT_EQ(IRS_SWERR_STATUSR::EC.get(st), static_cast<uint64_t>(swerr::register_misuse));
    });
    s.run();
}

TEST(IrsVmTables, ATwoLevelVmTableMapsAVmOnlyOnceItsL2TableIsMappedThroughTheIrs) { // §5.3
    platform::platform_config cfg = test::two_pe_config();
    cfg.irs.vm_id_bits = 8;
    test::scripted_platform s(cfg);
    const uint64_t mem = cfg.memory.base;
    const uint64_t l1 = mem + 0x100000, l2 = mem + 0x101000, vpet = mem + 0x102000;
    const uint16_t vm = 130; // L1 index 1, L2 index 2
    s.on(0, [&](pe& p) {
        const sc_core::sc_time op = sc_core::sc_time(3, sc_core::SC_US);
        p.write32(reg_addr(desc(irs_reg::IRS_VMT_CFGR)),
                  IRS_VMT_CFGR::VM_ID_BITS.make(8) | IRS_VMT_CFGR::STRUCTURE.make(1));
        p.write64(reg_addr(desc(irs_reg::IRS_VMT_BASER)), l1 | 1);
        p.idle_until(p.local_time() + op);
        const uint64_t vmte = l2 + 2 * VMTE_BYTES;
        p.write64(vmte_word_at(vmte, vmte_word::vmd), vpet + 0x100); // its VM descriptor
        p.write64(vmte_word_at(vmte, vmte_word::vpet), vpet | VMTE_W1::VPE_ID_BITS.make(1));
        const uint64_t vmr = IRS_VMAP_VMR::VM_ID.make(vm) | IRS_VMAP_VMR::M.make(1);
        p.write64(reg_addr(desc(irs_reg::IRS_VMAP_VMR)), vmr); // no L2 table yet: refused
        p.idle_until(p.local_time() + op);
        EXPECT_FALSE(VMTE_W0::VALID.test(s.mem64(vmte)));
        p.write64(l1 + 8, l2); // the L1 entry, VALID = 0
        p.write64(reg_addr(desc(irs_reg::IRS_VMAP_L2_VMTR)),
                  IRS_VMAP_L2_VMTR::VM_ID.make(vm) | IRS_VMAP_L2_VMTR::M.make(1));
        p.idle_until(p.local_time() + op);
        EXPECT_EQ(s.mem64(l1 + 8), l2 | 1); // the IRS set VALID
        p.write64(reg_addr(desc(irs_reg::IRS_VMAP_VMR)), vmr);
        p.idle_until(p.local_time() + op);
        EXPECT_TRUE(VMTE_W0::VALID.test(s.mem64(vmte)));
    });
    s.run();
    EXPECT_EQ(s.plat->irs.ignored_requests(), 1u);
}

TEST(IrsVmTables, SelectingAVmReportsWhetherItIsMappedAndCarriesItsVmDoorbell) { // §2.3
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        test::boot_and_load(s, p, 0);
        const sc_core::sc_time op = platform::timing_config{}.irs_op;
        for (uint16_t vm : {uint16_t{0}, uint16_t{3}}) {
            p.write32(reg_addr(desc(irs_reg::IRS_VM_SELR)), vm);
            p.idle_until(p.local_time() + op);
            const uint64_t st = read(p, irs_reg::IRS_VM_STATUSR);
            EXPECT_TRUE(IRS_VM_STATUSR::IDLE.test(st));
            EXPECT_EQ(IRS_VM_STATUSR::V.test(st), vm == 0) << vm; // only VM 0 is mapped
        }
        p.write32(reg_addr(desc(irs_reg::IRS_VM_SELR)), 0);
        p.idle_until(p.local_time() + op);
        const uint64_t dbr = IRS_VM_DBR::VPE_ID.make(0) | IRS_VM_DBR::EN.make(1);
        p.write64(reg_addr(desc(irs_reg::IRS_VM_DBR)), dbr);
        p.idle_until(p.local_time() + op);
        p.write32(reg_addr(desc(irs_reg::IRS_VM_SELR)), 3); // away and back: DBR reloads
        p.idle_until(p.local_time() + op);
        EXPECT_EQ(read(p, irs_reg::IRS_VM_DBR), 0u);
        p.write32(reg_addr(desc(irs_reg::IRS_VM_SELR)), 0);
        p.idle_until(p.local_time() + op);
        EXPECT_EQ(read(p, irs_reg::IRS_VM_DBR), dbr);
    });
    s.run();
}

TEST(IrsVmTables, AVmapWrittenLowHalfThenHighHalfRunsOnceWhenTheHighHalfArrives) {
    test::scripted_platform s;
    uint64_t ignored = 0;
    s.on(0, [&](pe& p) {
        test::boot_and_load(s, p, 0);
        ignored = s.plat->irs.ignored_requests();
        const sc_core::sc_time op = sc_core::sc_time(3, sc_core::SC_US);
        const uint64_t vpete1 = vpe1_entry_with_a_descriptor(s, p);
        const uint64_t vper =
            IRS_VMAP_VPER::VPE_ID.make(1) | IRS_VMAP_VPER::VM_ID.make(0) | IRS_VMAP_VPER::M.make(1);
        write_half(p, irs_reg::IRS_VMAP_VPER, half::low, lo(vper));
        p.idle_until(p.local_time() + op);
        EXPECT_FALSE(VPETE::VALID.test(s.mem64(vpete1))); // the low half alone does nothing
        EXPECT_TRUE(IRS_VMT_STATUSR::IDLE.test(read(p, irs_reg::IRS_VMT_STATUSR)));
        write_half(p, irs_reg::IRS_VMAP_VPER, half::high, hi(vper)); // at once: not refused
        p.idle_until(p.local_time() + op);
        EXPECT_TRUE(VPETE::VALID.test(s.mem64(vpete1)));
        EXPECT_EQ(read(p, irs_reg::IRS_VMAP_VPER), vper);
    });
    s.run();
    EXPECT_EQ(s.plat->irs.ignored_requests(), ignored);
}

TEST(IrsVmTables, AVmapWrittenHighHalfFirstRunsWithTheLowHalfItAlreadyHeld) {
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        test::boot_and_load(s, p, 0);
        const sc_core::sc_time op = sc_core::sc_time(3, sc_core::SC_US);
        const uint64_t vpete1 = vpe1_entry_with_a_descriptor(s, p);
        const uint64_t vper =
            IRS_VMAP_VPER::VPE_ID.make(1) | IRS_VMAP_VPER::VM_ID.make(0) | IRS_VMAP_VPER::M.make(1);
        ASSERT_EQ(read_half(p, irs_reg::IRS_VMAP_VPER, half::low), 0u); // vPE 0, mapped at boot
        write_half(p, irs_reg::IRS_VMAP_VPER, half::high, hi(vper));    // maps vPE 0 again: no-op
        p.idle_until(p.local_time() + op);
        write_half(p, irs_reg::IRS_VMAP_VPER, half::low, lo(vper)); // held for the high half
        p.idle_until(p.local_time() + op);
        EXPECT_FALSE(VPETE::VALID.test(s.mem64(vpete1)));
        EXPECT_EQ(read(p, irs_reg::IRS_VMAP_VPER), vper);
        write_half(p, irs_reg::IRS_VMAP_VPER, half::high, hi(vper));
        p.idle_until(p.local_time() + op);
        EXPECT_TRUE(VPETE::VALID.test(s.mem64(vpete1)));
    });
    s.run();
}

TEST(IrsVmTables, AVpeDoorbellWrittenInHalvesIsAppliedOnceNotRefusedBeforeIdle) {
    test::scripted_platform s;
    uint64_t ignored = 0;
    s.on(0, [&](pe& p) {
        test::boot_and_load(s, p, 0);
        ignored = s.plat->irs.ignored_requests();
        const sc_core::sc_time op = platform::timing_config{}.irs_op;
        const uint64_t sel =
            IRS_VPE_SELR::VM_ID.make(0) | IRS_VPE_SELR::VPE_ID.make(0) | IRS_VPE_SELR::S.make(1);
        const uint64_t dbr = IRS_VPE_DBR::INTID.make(0x123) | IRS_VPE_DBR::DBPM.make(5);
        p.write64(reg_addr(desc(irs_reg::IRS_VPE_SELR)), sel);
        p.idle_until(p.local_time() + op);
        write_half(p, irs_reg::IRS_VPE_DBR, half::low, lo(dbr));
        write_half(p, irs_reg::IRS_VPE_DBR, half::high, hi(dbr));
        p.idle_until(p.local_time() + op);
        // Selecting again reloads IRS_VPE_DBR from the vPE: the doorbell setting took effect.
        write_half(p, irs_reg::IRS_VPE_SELR, half::low, lo(sel));
        write_half(p, irs_reg::IRS_VPE_SELR, half::high, hi(sel));
        p.idle_until(p.local_time() + op);
        EXPECT_TRUE(IRS_VPE_STATUSR::V.test(read(p, irs_reg::IRS_VPE_STATUSR)));
        EXPECT_EQ(read(p, irs_reg::IRS_VPE_DBR), dbr);
    });
    s.run();
    EXPECT_EQ(s.plat->irs.ignored_requests(), ignored);
}

TEST(IrsSoftwareErrors, TheRecordIgnoresItsHighHalfAndItsLowHalfClearsIt) {
    test::scripted_platform s;
    s.on(0, [&](pe& p) {
        test::at_el(p, exception_level::EL1, [&] { p.insn(gic_insn::CDEN, spi(100).encode()); });
        test::settle(p);
        const uint64_t record = read(p, irs_reg::IRS_SWERR_STATUSR);
        ASSERT_TRUE(IRS_SWERR_STATUSR::V.test(record));
        write_half(p, irs_reg::IRS_SWERR_STATUSR, half::high, 0xffffffffu);
        EXPECT_EQ(read(p, irs_reg::IRS_SWERR_STATUSR), record);
        const uint64_t syn = uint64_t{read_half(p, irs_reg::IRS_SWERR_SYNDROMER0, half::high)}
                             << 32;
        EXPECT_EQ(IRS_SWERR_SYNDROMER0::ID.get(syn), 100u);      // a read-only register's half
        write_half(p, irs_reg::IRS_SWERR_STATUSR, half::low, 1); // W1C
        EXPECT_EQ(read(p, irs_reg::IRS_SWERR_STATUSR), 0u);
        EXPECT_EQ(read(p, irs_reg::IRS_SWERR_SYNDROMER0), 0u);
    });
    s.run();
}
