// IRS: the physical IST, LPIs and the SETLPI frame (reference §3, §2.2, §9.1 steps 12-18).
#include "tlm_gicv5/irs.h"

#include "tlm_gicv5/insn.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace gicv5 {

using sc_core::sc_time;

namespace {
constexpr unsigned L1_ENTRY_BYTES = 8;
} // namespace

void irs::IRS_IST_BASER_write(uint64_t value, sc_time& delay) {
    uint64_t& baser = reg(irs_reg::IRS_IST_BASER);
    sc_time work = delay + op_wait(delay);
    if (m_ist.valid) {
        // §3 validity rule: while VALID = 1 the address is read-only; only 1 -> 0 is accepted.
        if (!IRS_IST_BASER::VALID.test(value)) {
            iste_flush(0, work); // §3: VALID 1 -> 0 writes cached ISTE state back
            ist_close(m_ist, m_physical, work);
            baser = IRS_IST_BASER::VALID.set(baser, 0);
        }
    } else {
        const uint64_t cfgr = reg(irs_reg::IRS_IST_CFGR);
        detail::ist_geometry g;
        g.id_bits = static_cast<unsigned>(IRS_IST_CFGR::LPI_ID_BITS.get(cfgr));
        g.istsz = static_cast<unsigned>(IRS_IST_CFGR::ISTSZ.get(cfgr));
        g.l2sz = static_cast<unsigned>(IRS_IST_CFGR::L2SZ.get(cfgr));
        g.two_level = IRS_IST_CFGR::STRUCTURE.test(cfgr);
        bool ok = IRS_IST_BASER::VALID.test(value);
        if (ok && !ist_supported(g, intid_type::LPI)) {
            ignore("IRS_IST_BASER made valid with an IRS_IST_CFGR that IRS_IDR2 does not allow");
            ok = false;
        }
        if (ok)
            ist_open(m_ist, m_physical, intid_type::LPI, g, addr_of(IRS_IST_BASER::ADDR, value),
                     work);
        baser = IRS_IST_BASER::VALID.set(value, ok);
    }
    m_ist_busy_until = std::max(sim_now() + work, m_ist_busy_until) + m_params.t_op;
}

bool irs::ist_supported(const detail::ist_geometry& g, intid_type type) const {
    // The ISTE size IRS_IDR2 asks for (reference §3): 4 bytes without ISTMD; else 8 bytes below
    // ISTMD_SZ ID bits and 16 from there on.
    const unsigned want_istsz = m_params.istmd_sz == 0 ? 0 : g.id_bits < m_params.istmd_sz ? 1 : 2;
    const bool ids_ok = type == intid_type::LPI
                            ? m_params.lpi_id_bits != 0 && g.id_bits >= m_params.min_lpi_id_bits &&
                                  g.id_bits <= m_params.lpi_id_bits
                            : g.id_bits <= MAX_SPI_VIST_ID_BITS;
    return ids_ok && g.istsz == want_istsz &&
           (!g.two_level ||
            (m_params.ist_two_level && g.l2sz <= 2 && (m_params.ist_l2sz >> g.l2sz & 1)));
}

void irs::ist_open(detail::ist_state& ist, detail::interrupt_space& sp, intid_type type,
                   const detail::ist_geometry& g, uint64_t base, sc_time& work) {
    ist = detail::ist_state{};
    ist.type = type;
    ist.base = base;
    ist.id_bits = g.id_bits;
    ist.istsz = g.istsz;
    ist.valid = true;
    if (!g.two_level) {
        ist.linear_nodes.resize(std::size_t{1} << g.id_bits);
        for (uint32_t id = 0; id < ist.linear_nodes.size(); ++id)
            ist.linear_nodes[id].set_id(intid{type, id});
        // A table handed over with live entries (a restored vIST) starts from what memory holds.
        ist_scan(sp, base, ist.linear_nodes.data(), static_cast<uint32_t>(ist.linear_nodes.size()),
                 ist.entry_shift(), work);
        return;
    }
    ist.two_level = true;
    ist.l2bits = (10 - g.istsz) + 2 * g.l2sz;
    const unsigned l1_bits = g.id_bits > ist.l2bits ? g.id_bits - ist.l2bits : 0;
    ist.l2_addr.assign(std::size_t{1} << l1_bits, 0);
    ist.l2_nodes.resize(ist.l2_addr.size());
    // L2 tables already made valid (a table handed over whole) are picked up once here.
    std::vector<uint64_t> l1(ist.l2_addr.size());
    if (mem_access(tlm::TLM_READ_COMMAND, base, l1.data(),
                   static_cast<unsigned>(l1.size() * L1_ENTRY_BYTES), work))
        for (std::size_t i = 0; i < l1.size(); ++i)
            if (L1_ISTE::VALID.test(l1[i]))
                ist_map_l2(ist, sp, i, addr_of(L1_ISTE::L2_ADDR, l1[i]), work);
}

void irs::ist_map_l2(detail::ist_state& ist, detail::interrupt_space& sp, std::size_t l1,
                     uint64_t l2_addr, sc_time& work) {
    ist.l2_addr[l1] = l2_addr;
    auto& nodes = ist.l2_nodes[l1];
    nodes.resize(std::size_t{1} << ist.l2bits);
    for (uint32_t j = 0; j < nodes.size(); ++j)
        nodes[j].set_id(intid{ist.type, static_cast<uint32_t>(l1 << ist.l2bits) | j});
    ist_scan(sp, l2_addr, nodes.data(), static_cast<uint32_t>(nodes.size()), ist.entry_shift(),
             work);
}

bool irs::ist_map_l2_of(detail::ist_state& ist, detail::interrupt_space& sp, uint32_t id,
                        sc_time& work) {
    if (!ist.valid || !ist.two_level || id >= (uint64_t{1} << ist.id_bits))
        return false;
    const std::size_t l1 = id >> ist.l2bits;
    const uint64_t entry_addr = ist.base + l1 * L1_ENTRY_BYTES;
    uint64_t entry = 0;
    // §3: software wrote the L2 address with VALID = 0; the IRS sets VALID. Making an L2 table
    // valid while it holds pending entries is CONSTRAINED UNPREDICTABLE (§8.13); the model reads
    // it once and takes its entries as they are. Mapping a valid L2 table again does nothing.
    if (ist.l2_addr[l1] == 0 && mem_read64(entry_addr, entry, work) &&
        mem_write64(entry_addr, L1_ISTE::VALID.set(entry, 1), work))
        ist_map_l2(ist, sp, l1, addr_of(L1_ISTE::L2_ADDR, entry), work);
    return true;
}

void irs::ist_scan(detail::interrupt_space& sp, uint64_t addr, detail::candidate* nodes,
                   uint32_t count, unsigned shift, sc_time& work) {
    const unsigned stride = 1u << shift;
    std::vector<unsigned char> table(std::size_t{count} * stride);
    if (!mem_access(tlm::TLM_READ_COMMAND, addr, table.data(), static_cast<unsigned>(table.size()),
                    work))
        return;
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t word = 0;
        std::memcpy(&word, &table[std::size_t{i} * stride], 4);
        const iste e = iste::decode(word);
        if (e.candidate())
            track(sp, nodes[i], e, work);
    }
}

void irs::ist_close(detail::ist_state& ist, detail::interrupt_space& sp, const sc_time& delay) {
    // §3: once an IST is not valid its interrupts stop being candidates; their state stays in
    // memory.
    ist.for_each_node([&](detail::candidate& c) {
        if (c.linked())
            list_of(sp, c.target).remove(c);
    });
    ist = detail::ist_state{};
    // OPT: a loop over targets, at invalidation only.
    for (uint16_t t = 0; t < sp.targets.size(); ++t)
        update_hppi(sp, t, delay);
}

void irs::IRS_MAP_L2_ISTR_write(uint64_t value, sc_time& delay) {
    sc_time work = delay + op_wait(delay);
    if (!ist_map_l2_of(m_ist, m_physical, static_cast<uint32_t>(IRS_MAP_L2_ISTR::ID.get(value)),
                       work))
        ignore("IRS_MAP_L2_ISTR with no valid two-level IST, or an ID beyond it");
    m_ist_busy_until = std::max(sim_now() + work, m_ist_busy_until) + m_params.t_op;
}

void irs::setlpi_b_transport(tlm::tlm_generic_payload& tx, sc_time& delay) {
    delay += m_params.t_reg;
    tx.set_response_status(check_frame_access(tx, IRS_SETLPI_FRAME_SIZE));
    if (tx.is_response_error())
        return;
    const uint64_t addr = tx.get_address();
    const unsigned len = tx.get_data_length();
    if (tx.is_read()) {
        std::memset(tx.get_data_ptr(), 0, len); // write-only register; the rest is reserved
        return;
    }
    if (addr != IRS_SETLPIR_OFFSET || len != 4 || !tx.is_write())
        return; // reserved: WI
    uint32_t v = 0;
    std::memcpy(&v, tx.get_data_ptr(), 4);
    pend_lpi(static_cast<uint32_t>(IRS_SETLPIR::ID.get(v)), delay, m_params.t_setlpi);
}

} // namespace gicv5
