#include "platform/table_dump.h"

#include "platform/gicv5_platform.h"
#include "tlm_gicv5/irs_regs.h"
#include "tlm_gicv5/iste.h"
#include "tlm_gicv5/vm_table.h"

#include <cinttypes>
#include <cstdio>
#include <ostream>
#include <string>

namespace platform {

namespace {

using namespace gicv5;

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%" PRIx64, v);
    return b;
}

class reader {
public:
    explicit reader(gicv5_platform& top) : m_top(top) {}
    uint64_t reg(irs_reg r) { return m_top.irs_register(r); }
    uint64_t mem64(uint64_t addr) const { return mem(addr, 8); }
    uint32_t mem32(uint64_t addr) const { return static_cast<uint32_t>(mem(addr, 4)); }

private:
    uint64_t mem(uint64_t addr, unsigned len) const {
        uint64_t v = 0;
        const uint64_t base = m_top.cfg.memory.base;
        if (addr >= base)
            m_top.mem.peek(addr - base, &v, len); // outside memory: reads as 0
        return v;
    }
    gicv5_platform& m_top;
};

void print_iste(std::ostream& out, const char* type, uint32_t id, uint32_t w, bool virt) {
    const iste e = iste::decode(w);
    out << "    " << type << ' ' << id << ": " << hex(w) << ' ' << (e.pending ? "pending " : "")
        << (e.active ? "active " : "") << (e.enable ? "enabled " : "disabled ")
        << (e.hm == handling_mode::level ? "level" : "edge") << (e.irm ? " 1-of-N" : "")
        << " priority " << hex(e.priority) << (virt ? " vPE " : " IAFFID ") << e.iaffid << '\n';
}

// An IST, linear or two-level (reference §3); each entry that is not all zero.
void dump_ist(std::ostream& out, const reader& rd, const char* type, bool virt, uint64_t base,
              unsigned id_bits, unsigned istsz, unsigned l2sz, bool two_level) {
    const unsigned shift = 2 + istsz;
    out << (two_level ? "two-level" : "linear") << ", " << id_bits << " ID bits, "
        << iste_bytes(istsz) << "-byte ISTEs, at " << hex(base) << '\n';
    auto entries = [&](uint64_t table, uint32_t first, uint32_t count) {
        for (uint32_t i = 0; i < count; ++i)
            if (const uint32_t w = rd.mem32(table + (uint64_t{i} << shift)))
                print_iste(out, type, first + i, w, virt);
    };
    if (!two_level) {
        entries(base, 0, uint32_t{1} << id_bits);
        return;
    }
    const unsigned l2bits = (10 - istsz) + 2 * l2sz;
    const uint32_t l1_count = id_bits > l2bits ? uint32_t{1} << (id_bits - l2bits) : 1;
    for (uint32_t i = 0; i < l1_count; ++i) {
        const uint64_t l1 = rd.mem64(base + 8u * i);
        if (!L1_ISTE::VALID.test(l1))
            continue;
        out << "   L2 table " << i << " at " << hex(addr_of(L1_ISTE::L2_ADDR, l1)) << '\n';
        entries(addr_of(L1_ISTE::L2_ADDR, l1), i << l2bits, uint32_t{1} << l2bits);
    }
}

void dump_vm(std::ostream& out, const reader& rd, unsigned vm, uint64_t vmte) {
    const uint64_t w0 = rd.mem64(vmte_word_at(vmte, vmte_word::vmd));
    if (!VMTE_W0::VALID.test(w0))
        return;
    const uint64_t w1 = rd.mem64(vmte_word_at(vmte, vmte_word::vpet));
    const uint64_t vpet = addr_of(VMTE_W1::VPET_ADDR, w1);
    const unsigned vpe_bits = static_cast<unsigned>(VMTE_W1::VPE_ID_BITS.get(w1));
    out << "VM " << vm << ": VMTE at " << hex(vmte) << ", VM descriptor "
        << hex(addr_of(VMTE_W0::VMD_ADDR, w0)) << ", vPE table " << hex(vpet) << " (" << vpe_bits
        << " vPE ID bits)\n";
    for (uint32_t v = 0; v < (uint32_t{1} << vpe_bits); ++v) {
        const uint64_t e = rd.mem64(vpet + 8u * v);
        if (VPETE::VALID.test(e))
            out << "  vPE " << v << ": descriptor " << hex(addr_of(VPETE::VPED_ADDR, e)) << '\n';
    }
    for (const vmte_word w : {vmte_word::lpi_vist, vmte_word::spi_vist}) {
        const uint64_t d = rd.mem64(vmte_word_at(vmte, w));
        const bool lpi = w == vmte_word::lpi_vist;
        if (!VIST_DESC::IST_VALID.test(d)) {
            out << "  " << (lpi ? "LPI" : "SPI") << " vIST: not valid\n";
            continue;
        }
        out << "  " << (lpi ? "LPI" : "SPI") << " vIST: ";
        dump_ist(out, rd, lpi ? "vLPI" : "vSPI", true, addr_of(VIST_DESC::ADDR, d),
                 static_cast<unsigned>(VIST_DESC::ID_BITS.get(d)),
                 static_cast<unsigned>(VIST_DESC::ISTSZ.get(d)),
                 static_cast<unsigned>(VIST_DESC::L2SZ.get(d)), VIST_DESC::STRUCTURE.test(d));
    }
}

} // namespace

void dump_tables(gicv5_platform& top, std::ostream& out) {
    reader rd(top);
    out << "tables at " << sc_core::sc_time_stamp().to_string() << '\n';
    const uint64_t cr0 = rd.reg(irs_reg::IRS_CR0);
    out << "IRS_CR0 " << hex(cr0) << (IRS_CR0::IRSEN.test(cr0) ? " (IRSEN)" : " (disabled)")
        << '\n';
    const uint64_t ist = rd.reg(irs_reg::IRS_IST_BASER);
    const uint64_t ist_cfg = rd.reg(irs_reg::IRS_IST_CFGR);
    out << "IRS_IST_BASER " << hex(ist) << ", IRS_IST_CFGR " << hex(ist_cfg) << '\n';
    if (IRS_IST_BASER::VALID.test(ist)) {
        out << "IST (physical LPIs): ";
        dump_ist(out, rd, "LPI", false, addr_of(IRS_IST_BASER::ADDR, ist),
                 static_cast<unsigned>(IRS_IST_CFGR::LPI_ID_BITS.get(ist_cfg)),
                 static_cast<unsigned>(IRS_IST_CFGR::ISTSZ.get(ist_cfg)),
                 static_cast<unsigned>(IRS_IST_CFGR::L2SZ.get(ist_cfg)),
                 IRS_IST_CFGR::STRUCTURE.test(ist_cfg));
    }
    const uint64_t vmt = rd.reg(irs_reg::IRS_VMT_BASER);
    const uint64_t vmt_cfg = rd.reg(irs_reg::IRS_VMT_CFGR);
    out << "IRS_VMT_BASER " << hex(vmt) << ", IRS_VMT_CFGR " << hex(vmt_cfg) << '\n';
    if (!IRS_VMT_BASER::VALID.test(vmt))
        return;
    const uint64_t base = addr_of(IRS_VMT_BASER::ADDR, vmt);
    const unsigned vms = 1u << IRS_VMT_CFGR::VM_ID_BITS.get(vmt_cfg);
    const bool two_level = IRS_VMT_CFGR::STRUCTURE.test(vmt_cfg);
    out << "VM table: " << (two_level ? "two-level" : "linear") << ", " << vms << " VM IDs, at "
        << hex(base) << '\n';
    for (unsigned vm = 0; vm < vms; ++vm) {
        uint64_t vmte = vmte_address(base, static_cast<uint16_t>(vm));
        if (two_level) { // 4 KiB L2 tables of 128 VMTEs (D_LSPBK)
            const uint64_t l1 = rd.mem64(base + L1_VMTE_BYTES * (vm / VMTES_PER_L2));
            if (!L1_VMTE::VALID.test(l1))
                continue;
            vmte = vmte_address(addr_of(L1_VMTE::L2_ADDR, l1), vm % VMTES_PER_L2);
        }
        dump_vm(out, rd, vm, vmte);
    }
}

} // namespace platform
