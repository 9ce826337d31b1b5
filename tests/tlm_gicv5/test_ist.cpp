// The physical IST and LPIs, programmed as the Linux host driver does (reference §3, §9.1 steps
// 12-18), and the SETLPI frame.
#include "common/scripted_platform.h"
#include "tlm_gicv5/detail/iste_cache.h"
#include "tlm_gicv5/irs_regs.h"

#include <gtest/gtest.h>

using namespace gicv5;
using namespace test;
using cpu_stubs::pe_line;

namespace {

const platform::irs_config irs_cfg{};
const uint64_t ist_base = platform::memory_config{}.base + 0x10000;
const uint64_t l2_base = platform::memory_config{}.base + 0x20000;

uint64_t addr(irs_reg r) { return irs_cfg.config_frame + desc(r).offset; }
void wait_ist_idle(pe& p) {
    while (!IRS_IST_STATUSR::IDLE.test(p.read32(addr(irs_reg::IRS_IST_STATUSR))))
        p.spend(sc_core::sc_time(1, sc_core::SC_US)); // Linux polls every 1 us
}
void enable_cpu(pe& p) {
    p.write32(addr(irs_reg::IRS_CR0), 1);
    at_el(p, exception_level::EL1, [&] {
        p.msr(sysreg::ICC_PCR_EL1, PRIORITY_LOWEST);
        p.msr(sysreg::ICC_CR0_EL1, 1);
    });
}
// gicv5_irs_init_ist(): check BASER.VALID = 0, write CFGR, then BASER with VALID, poll IDLE.
void init_ist(pe& p, uint32_t cfgr) {
    EXPECT_FALSE(IRS_IST_BASER::VALID.test(p.read64(addr(irs_reg::IRS_IST_BASER))));
    p.write32(addr(irs_reg::IRS_IST_CFGR), cfgr);
    p.write64(addr(irs_reg::IRS_IST_BASER), ist_base | 1);
    wait_ist_idle(p);
}
void lpi_setup(pe& p, uint32_t id, uint8_t prio = 0x1f) { enable_lpi(p, id, prio); }
void setlpi(pe& p, uint32_t id) { p.write32(irs_cfg.setlpi_frame + IRS_SETLPIR_OFFSET, id); }
uint64_t rcfg(pe& p, intid i) {
    return at_el(p, exception_level::EL1, [&] {
        p.insn(gic_insn::CDRCFG, i.encode());
        return p.mrs(sysreg::ICC_ICSR_EL1);
    });
}
uint64_t ack(pe& p) {
    return at_el(p, exception_level::EL1, [&] { return p.insn(gic_insn::CDIA); });
}
constexpr uint64_t valid_lpi(uint32_t id) { return lpi(id).encode() | CDIA_RESULT::VALID.make(1); }

} // namespace

TEST(Ist, ALinearIstCarriesAnLpiFromSetlpiToAcknowledge) {
    scripted_platform s;
    s.on(0, [&](pe& p) {
        enable_cpu(p);
        init_ist(p, 0x0000000C); // linear, 4-byte ISTEs, 12 ID bits (reference §9.1 step 15)
        EXPECT_TRUE(IRS_IST_BASER::VALID.test(p.read64(addr(irs_reg::IRS_IST_BASER))));
        lpi_setup(p, 5);
        setlpi(p, 5);
        settle(p);
        EXPECT_TRUE(p.line(pe_line::irq));
        EXPECT_EQ(ack(p), valid_lpi(5));
        settle(p);
        // The ISTE in memory: active, not pending, enabled, priority 0x1F.
        const iste e = iste::decode(static_cast<uint32_t>(s.mem64(ist_base + 5 * 4)));
        EXPECT_TRUE(e.active);
        EXPECT_FALSE(e.pending);
        EXPECT_TRUE(e.enable);
        EXPECT_EQ(e.priority, 0x1fu);
    });
    s.run();
}

TEST(Ist, AnLpiBeyondTheIstIdBitsHasNoEffectAndFaultsAConfigRead) { // §8.6
    scripted_platform s;
    s.on(0, [&](pe& p) {
        enable_cpu(p);
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(rcfg(p, lpi(5)))); // no IST yet
        init_ist(p, 0x0000000C);
        EXPECT_FALSE(ICC_ICSR_EL1::F.test(rcfg(p, lpi(4095))));
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(rcfg(p, lpi(4096))));
        setlpi(p, 4096);
        settle(p);
        EXPECT_FALSE(p.line(pe_line::irq));
    });
    s.run();
    EXPECT_GT(s.plat->irs.ignored_requests(), 0u);
}

TEST(Ist, ATwoLevelIstNeedsItsL2TableMappedThroughTheIrs) { // §3, §9.1 step 18
    scripted_platform s;
    s.on(0, [&](pe& p) {
        enable_cpu(p);
        init_ist(p, 0x00010010); // two-level, 4 KiB L2 (1024 entries), 16 ID bits
        const uint32_t id = 0x1234;
        EXPECT_TRUE(ICC_ICSR_EL1::F.test(rcfg(p, lpi(id)))); // no L2 table yet
        const uint64_t l1_entry = ist_base + 8 * (id >> 10);
        p.write64(l1_entry, l2_base); // L2 address, VALID = 0
        p.write32(addr(irs_reg::IRS_MAP_L2_ISTR), id);
        wait_ist_idle(p);
        EXPECT_EQ(s.mem64(l1_entry), l2_base | 1); // the IRS set VALID
        lpi_setup(p, id, 0x10);
        setlpi(p, id);
        settle(p);
        EXPECT_EQ(ack(p), valid_lpi(id));
        settle(p);
        const iste e = iste::decode(static_cast<uint32_t>(s.mem64(l2_base + 4 * (id & 0x3ff))));
        EXPECT_TRUE(e.active);
        EXPECT_EQ(e.priority, 0x10u);
    });
    s.run();
}

TEST(Ist, TheConfigurationIsLockedWhileTheIstIsValid) { // §3 validity rules
    scripted_platform s;
    s.on(0, [&](pe& p) {
        enable_cpu(p);
        init_ist(p, 0x0000000C);
        p.write32(addr(irs_reg::IRS_IST_CFGR), 0x0000000E);
        EXPECT_EQ(p.read32(addr(irs_reg::IRS_IST_CFGR)), 0x0000000Cu);
        p.write64(addr(irs_reg::IRS_IST_BASER), (ist_base + 0x1000) | 1); // address is read-only
        wait_ist_idle(p);
        EXPECT_EQ(p.read64(addr(irs_reg::IRS_IST_BASER)), ist_base | 1);
    });
    s.run();
}

TEST(Ist, InvalidatingTheIstStopsItsInterruptsAndKeepsTheirStateInMemory) { // §3
    scripted_platform s;
    s.on(0, [&](pe& p) {
        enable_cpu(p);
        init_ist(p, 0x0000000C);
        lpi_setup(p, 9);
        setlpi(p, 9);
        settle(p);
        EXPECT_TRUE(p.line(pe_line::irq));
        p.write64(addr(irs_reg::IRS_IST_BASER), ist_base); // VALID 1 -> 0
        wait_ist_idle(p);
        EXPECT_FALSE(p.line(pe_line::irq));
        EXPECT_TRUE(iste::decode(static_cast<uint32_t>(s.mem64(ist_base + 9 * 4))).pending);
        // Made valid again, the table's pending LPI is a candidate once more.
        p.write64(addr(irs_reg::IRS_IST_BASER), ist_base | 1);
        wait_ist_idle(p);
        settle(p);
        EXPECT_EQ(ack(p), valid_lpi(9));
    });
    s.run();
}

TEST(Ist, AConfigurationIrsIdr2DoesNotAllowLeavesTheIstInvalid) {
    scripted_platform s;
    s.on(0, [&](pe& p) {
        for (uint32_t cfgr : {0x00000014u,    // 20 ID bits > IRS_IDR2.ID_BITS = 16
                              0x00000008u,    // 8 ID bits < MIN_LPI_ID_BITS = 12
                              0x0000008Cu,    // 8-byte ISTEs without ISTMD
                              0x0001002Cu}) { // two-level with 16 KiB L2 tables, not supported
            p.write32(addr(irs_reg::IRS_IST_CFGR), cfgr);
            p.write64(addr(irs_reg::IRS_IST_BASER), ist_base | 1);
            wait_ist_idle(p);
            EXPECT_FALSE(IRS_IST_BASER::VALID.test(p.read64(addr(irs_reg::IRS_IST_BASER)))) << cfgr;
        }
    });
    s.run();
    EXPECT_EQ(s.plat->irs.ignored_requests(), 4u);
}

TEST(SetlpiFrame, AccessesOfTheWrongSizeAreBusErrorsAndReadsReturnZero) {
    scripted_platform s;
    s.on(0, [&](pe& p) {
        uint64_t v = 5;
        EXPECT_EQ(p.access(tlm::TLM_WRITE_COMMAND, irs_cfg.setlpi_frame, &v, 2),
                  tlm::TLM_GENERIC_ERROR_RESPONSE);
        EXPECT_EQ(p.access(tlm::TLM_WRITE_COMMAND, irs_cfg.setlpi_frame + 2, &v, 4),
                  tlm::TLM_GENERIC_ERROR_RESPONSE);
        v = ~0ull;
        EXPECT_EQ(p.access(tlm::TLM_READ_COMMAND, irs_cfg.setlpi_frame, &v, 4),
                  tlm::TLM_OK_RESPONSE);
        EXPECT_EQ(v & 0xffffffffu, 0u);
    });
    s.run();
}

TEST(IsteCache, ACachedIsteSkipsMemoryAndIsWrittenBackWhenTheIstStopsBeingValid) { // §3
    platform::platform_config cfg = two_pe_config();
    cfg.irs.iste_cache = 4;
    scripted_platform s(cfg);
    s.on(0, [&](pe& p) {
        enable_cpu(p);
        init_ist(p, 0x0000000C);
        lpi_setup(p, 6); // the ISTE of LPI 6 is now in the IRS's cache
        setlpi(p, 6);
        settle(p);
        EXPECT_TRUE(p.line(pe_line::irq));
        // A config read that hits the cache makes no memory access: its round trip is the
        // instruction, two stream hops and the IRS's processing only.
        const platform::timing_config& t = s.plat->cfg.timing;
        const sc_core::sc_time t0 = p.local_time();
        at_el(p, exception_level::EL1, [&] { p.insn(gic_insn::CDRCFG, lpi(6).encode()); });
        EXPECT_EQ(p.local_time() - t0, t.gic_insn + 2 * t.stream_hop + t.irs_process);
        // Memory still has the state from before the pend: the IRS has not written it back.
        EXPECT_FALSE(iste::decode(static_cast<uint32_t>(s.mem64(ist_base + 6 * 4))).pending);
        p.write64(addr(irs_reg::IRS_IST_BASER), ist_base); // VALID 1 -> 0: write back
        wait_ist_idle(p);
        const iste e = iste::decode(static_cast<uint32_t>(s.mem64(ist_base + 6 * 4)));
        EXPECT_TRUE(e.pending);
        EXPECT_TRUE(e.enable);
        EXPECT_EQ(e.priority, 0x1fu);
    });
    s.run();
}

// The cache on its own: what the IRS relies on when it fills, evicts and writes back.
namespace {
using cache = gicv5::detail::iste_cache;
cache::entry& put(cache& c, uint64_t addr, uint32_t owner = 1) {
    cache::entry& e = c.victim();
    c.fill(e, addr, owner, static_cast<uint32_t>(addr));
    return e;
}
} // namespace

TEST(IsteCache, EvictsTheLeastRecentlyUsedEntryAndFillsAFreeOneFirst) {
    cache c(3);
    cache::entry& a = put(c, 0x100);
    cache::entry& b = put(c, 0x104);
    put(c, 0x108);
    ASSERT_EQ(c.find(0x100), &a);  // a is now the most recently used: b is the oldest
    EXPECT_TRUE(c.victim().valid); // full: an eviction
    EXPECT_EQ(&c.victim(), &b);
    put(c, 0x10c);
    EXPECT_EQ(c.find(0x104), nullptr);
    ASSERT_NE(c.find(0x108), nullptr);
    EXPECT_EQ(c.find(0x108)->word, 0x108u);
    EXPECT_NE(c.find(0x100), nullptr);
    EXPECT_NE(c.find(0x10c), nullptr);
    // A table stops being valid: its entries are free again and taken before any eviction,
    // the lowest-numbered first.
    cache::entry& o = put(c, 0x200, 2); // evicts the oldest, 0x108
    EXPECT_EQ(c.find(0x108), nullptr);
    c.flush(2, [](uint64_t, uint32_t) {});
    EXPECT_EQ(c.find(0x200), nullptr);
    EXPECT_EQ(&c.victim(), &o);
    EXPECT_FALSE(c.victim().valid);
}

TEST(IsteCache, FlushWritesBackTheTablesDirtyEntriesOnlyInEntryOrder) {
    cache c(4);
    put(c, 0x10, 1).dirty = true;
    put(c, 0x20, 2).dirty = true;
    put(c, 0x30, 1);
    put(c, 0x08, 1).dirty = true;
    c.find(0x10); // use order does not change the write-back order
    std::vector<uint64_t> written;
    c.flush(1, [&](uint64_t addr, uint32_t word) {
        EXPECT_EQ(word, static_cast<uint32_t>(addr));
        written.push_back(addr);
    });
    EXPECT_EQ(written, (std::vector<uint64_t>{0x10, 0x08}));
    EXPECT_EQ(c.find(0x10), nullptr);
    EXPECT_EQ(c.find(0x30), nullptr);
    ASSERT_NE(c.find(0x20), nullptr); // another table's entry stays, dirty
    EXPECT_TRUE(c.find(0x20)->dirty);
}

TEST(IsteCache, AFullCacheOfTheLargestSizeFindsEachEntryAndEvictsInUseOrder) {
    constexpr unsigned n = 4096; // irs.iste_cache's largest value
    cache c(n);
    const uint64_t base = 0x8000'0000;
    for (unsigned i = 0; i < n; ++i)
        put(c, base + 4 * i);
    for (unsigned i = 0; i < n; ++i) { // the last put first: it becomes the least recently used
        const uint64_t a = base + 4 * (n - 1 - i);
        ASSERT_NE(c.find(a), nullptr) << a;
        ASSERT_EQ(c.find(a)->addr, a);
    }
    for (unsigned i = 0; i < n; ++i) { // evicted least recently used first: the last put first
        ASSERT_EQ(c.victim().addr, base + 4 * (n - 1 - i)) << i;
        put(c, base + 0x10'0000 + 4 * i);
    }
    EXPECT_EQ(c.find(base), nullptr);
    EXPECT_NE(c.find(base + 0x10'0000), nullptr);
}

TEST(Ist, SixteenByteIstesAndSixteenKibL2TablesFollowIdr2) { // §3 sizes
    platform::platform_config cfg = two_pe_config();
    cfg.irs.istmd_sz = 12; // ISTMD: 16-byte ISTEs from 12 ID bits on
    cfg.irs.ist_l2sz = 0b111;
    scripted_platform s(cfg);
    s.on(0, [&](pe& p) {
        enable_cpu(p);
        // Two-level, ISTSZ 2 (16 bytes), L2SZ 1 (16 KiB: 2^(10 - 2 + 2) = 1024 entries), 16 bits.
        init_ist(p, 0x00010000 | (2u << 7) | (1u << 5) | 16);
        const uint32_t id = 0x0c05; // L1 index 3, L2 index 5
        const uint64_t l1_entry = ist_base + 8 * (id >> 10);
        p.write64(l1_entry, l2_base);
        p.write32(addr(irs_reg::IRS_MAP_L2_ISTR), id);
        wait_ist_idle(p);
        EXPECT_EQ(s.mem64(l1_entry), l2_base | 1);
        lpi_setup(p, id, 0x0c);
        settle(p);
        const iste e = iste::decode(static_cast<uint32_t>(s.mem64(l2_base + 16 * (id & 0x3ff))));
        EXPECT_TRUE(e.enable);
        EXPECT_EQ(e.priority, 0x0cu);
        // An 8-byte ISTE configuration is refused at 16 ID bits (>= ISTMD_SZ wants 16 bytes).
        p.write64(addr(irs_reg::IRS_IST_BASER), ist_base);
        wait_ist_idle(p);
        p.write32(addr(irs_reg::IRS_IST_CFGR), (1u << 7) | 16);
        p.write64(addr(irs_reg::IRS_IST_BASER), ist_base | 1);
        wait_ist_idle(p);
        EXPECT_FALSE(IRS_IST_BASER::VALID.test(p.read64(addr(irs_reg::IRS_IST_BASER))));
    });
    s.run();
}
