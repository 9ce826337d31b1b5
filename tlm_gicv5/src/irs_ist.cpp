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
    sc_time work = delay;
    if (m_ist.valid) {
        // §3 validity rule: while VALID = 1 the address is read-only; only 1 -> 0 is accepted.
        if (!IRS_IST_BASER::VALID.test(value)) {
            iste_flush(0, work); // §3: VALID 1 -> 0 writes cached ISTE state back
            ist_invalidate(work);
            baser = IRS_IST_BASER::VALID.set(baser, 0);
        }
    } else {
        const bool ok =
            IRS_IST_BASER::VALID.test(value) &&
            ist_configure(reg(irs_reg::IRS_IST_CFGR), addr_of(IRS_IST_BASER::ADDR, value), work);
        baser = IRS_IST_BASER::VALID.set(value, ok);
    }
    m_ist_busy_until = std::max(sc_core::sc_time_stamp() + work, m_ist_busy_until) + m_params.t_op;
}

bool irs::ist_configure(uint64_t cfgr, uint64_t base, sc_time& work) {
    const unsigned id_bits = static_cast<unsigned>(IRS_IST_CFGR::LPI_ID_BITS.get(cfgr));
    const unsigned istsz = static_cast<unsigned>(IRS_IST_CFGR::ISTSZ.get(cfgr));
    const unsigned l2sz = static_cast<unsigned>(IRS_IST_CFGR::L2SZ.get(cfgr));
    const bool two_level = IRS_IST_CFGR::STRUCTURE.test(cfgr);
    // The ISTE size IRS_IDR2 asks for (reference §3): 4 bytes without ISTMD; else 8 bytes below
    // ISTMD_SZ ID bits and 16 from there on.
    const unsigned want_istsz = m_params.istmd_sz == 0 ? 0 : id_bits < m_params.istmd_sz ? 1 : 2;
    if (m_params.lpi_id_bits == 0 || id_bits < m_params.min_lpi_id_bits ||
        id_bits > m_params.lpi_id_bits || istsz != want_istsz ||
        (two_level && (!m_params.ist_two_level || l2sz > 2 || !(m_params.ist_l2sz >> l2sz & 1)))) {
        ignore("IRS_IST_BASER made valid with an IRS_IST_CFGR that IRS_IDR2 does not allow");
        return false;
    }
    m_ist = detail::ist_state{};
    m_ist.base = base;
    m_ist.id_bits = id_bits;
    m_ist.istsz = istsz;
    if (!two_level) {
        m_ist.linear_nodes.resize(std::size_t{1} << id_bits);
        for (uint32_t id = 0; id < m_ist.linear_nodes.size(); ++id)
            m_ist.linear_nodes[id].id = lpi(id);
        ist_scan(m_physical, base, m_ist.linear_nodes.data(), 1u << id_bits, m_ist.entry_shift(),
                 work);
    } else {
        m_ist.two_level = true;
        m_ist.l2bits = (10 - istsz) + 2 * l2sz;
        const unsigned l1_bits = id_bits > m_ist.l2bits ? id_bits - m_ist.l2bits : 0;
        m_ist.l2_addr.assign(std::size_t{1} << l1_bits, 0);
        m_ist.l2_nodes.resize(m_ist.l2_addr.size());
        // L2 tables already made valid (a table handed over whole) are picked up once here.
        std::vector<uint64_t> l1(m_ist.l2_addr.size());
        if (mem_access(tlm::TLM_READ_COMMAND, base, l1.data(),
                       static_cast<unsigned>(l1.size() * L1_ENTRY_BYTES), work))
            for (std::size_t i = 0; i < l1.size(); ++i)
                if (L1_ISTE::VALID.test(l1[i]))
                    map_l2(i, addr_of(L1_ISTE::L2_ADDR, l1[i]), work);
    }
    m_ist.valid = true;
    return true;
}

void irs::map_l2(std::size_t l1, uint64_t l2_addr, sc_time& work) {
    m_ist.l2_addr[l1] = l2_addr;
    auto& nodes = m_ist.l2_nodes[l1];
    nodes.resize(std::size_t{1} << m_ist.l2bits);
    for (uint32_t j = 0; j < nodes.size(); ++j)
        nodes[j].id = lpi(static_cast<uint32_t>(l1 << m_ist.l2bits) | j);
    ist_scan(m_physical, l2_addr, nodes.data(), static_cast<uint32_t>(nodes.size()),
             m_ist.entry_shift(), work);
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

void irs::ist_invalidate(const sc_time& delay) {
    // §3: once the IST is not valid its interrupts stop being candidates.
    auto drop = [this](detail::candidate& c) {
        if (c.linked())
            list_of(m_physical, c.target).remove(c);
    };
    for (detail::candidate& c : m_ist.linear_nodes)
        drop(c);
    for (auto& block : m_ist.l2_nodes)
        for (detail::candidate& c : block)
            drop(c);
    m_ist = detail::ist_state{};
    // OPT: a loop over PEs, at invalidation only.
    for (uint16_t pe = 0; pe < m_physical.targets.size(); ++pe)
        update_hppi(m_physical, pe, delay);
}

void irs::IRS_MAP_L2_ISTR_write(uint64_t value, sc_time& delay) {
    sc_time work = delay;
    const uint32_t id = static_cast<uint32_t>(IRS_MAP_L2_ISTR::ID.get(value));
    if (!m_ist.valid || !m_ist.two_level || id >= (uint64_t{1} << m_ist.id_bits)) {
        ignore("IRS_MAP_L2_ISTR with no valid two-level IST, or an ID beyond it");
    } else {
        const std::size_t l1 = id >> m_ist.l2bits;
        const uint64_t entry_addr = m_ist.base + l1 * L1_ENTRY_BYTES;
        uint64_t entry = 0;
        // §3: software wrote the L2 address with VALID = 0; the IRS sets VALID.
        // Making an L2 table valid while it holds pending entries is CONSTRAINED UNPREDICTABLE
        // (reference §3); the model reads it once and takes its entries as they are.
        if (m_ist.l2_addr[l1] == 0 && mem_read64(entry_addr, entry, work) &&
            mem_write64(entry_addr, L1_ISTE::VALID.set(entry, 1), work))
            map_l2(l1, addr_of(L1_ISTE::L2_ADDR, entry), work);
    }
    m_ist_busy_until = std::max(sc_core::sc_time_stamp() + work, m_ist_busy_until) + m_params.t_op;
}

bool irs::lpi_locate(uint32_t id, uint64_t& addr, detail::candidate*& node) {
    if (!m_ist.valid || id >= (uint64_t{1} << m_ist.id_bits))
        return false;
    if (!m_ist.two_level) {
        addr = m_ist.base + (uint64_t{id} << m_ist.entry_shift());
        node = &m_ist.linear_nodes[id];
        return true;
    }
    const std::size_t l1 = id >> m_ist.l2bits;
    if (m_ist.l2_addr[l1] == 0)
        return false; // §8.6: a missing L2 table
    const uint32_t l2 = id & ((1u << m_ist.l2bits) - 1);
    addr = m_ist.l2_addr[l1] + (uint64_t{l2} << m_ist.entry_shift());
    node = &m_ist.l2_nodes[l1][l2];
    return true;
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
    pend_lpi(static_cast<uint32_t>(IRS_SETLPIR::ID.get(v)), delay);
}

} // namespace gicv5
