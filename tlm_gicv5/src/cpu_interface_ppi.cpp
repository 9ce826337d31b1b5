// CPU interface: PPIs, physical and the resident guest's (reference §1, §4.2, §5.2, §6.1).
#include "tlm_gicv5/cpu_interface.h"

namespace gicv5 {

using detail::ppi_bit;
using sc_core::sc_time;

namespace {
// sysreg r as an index into a run of registers starting at `first`, if it is in that run.
bool in_run(sysreg r, sysreg first, unsigned count, unsigned& index) {
    index = static_cast<unsigned>(r) - static_cast<unsigned>(first);
    return static_cast<unsigned>(r) >= static_cast<unsigned>(first) && index < count;
}
} // namespace

void cpu_interface::ppi_line(unsigned ppi, bool level, const sc_time& delay) {
    uint64_t& line = m_ppi_line[ppi / 64];
    const bool was = line & ppi_bit(ppi);
    line = level ? line | ppi_bit(ppi) : line & ~ppi_bit(ppi);
    uint64_t& pend = m_ppi.pend[ppi / 64];
    if (m_ppi_hm[ppi / 64] & ppi_bit(ppi)) // level: pending follows the wire
        pend = level ? pend | ppi_bit(ppi) : pend & ~ppi_bit(ppi);
    else if (level && !was) // edge: a rising edge pends it
        pend |= ppi_bit(ppi);
    recalc_ppi(delay); // a DVI guest PPI follows the same wire
}

detail::ppi_bits cpu_interface::guest_ppi_pending() const {
    detail::ppi_bits p;
    for (unsigned b = 0; b < 2; ++b)
        p[b] = (m_vppi.pend[b] & ~m_vppi_dvi[b]) | (m_ppi_line[b] & m_vppi_dvi[b]);
    return p;
}

void cpu_interface::recalc_ppi(const sc_time& delay) {
    m_ppi_hppi = m_ppi.best(m_ppi.pend);
    m_vppi_hppi = resident() ? m_vppi.best(guest_ppi_pending()) : hppi{};
    update_irq(delay);
    update_virq(delay);
}

std::optional<uint64_t> cpu_interface::read_ppi_sysreg(sysreg r, bool guest) const {
    unsigned i = 0;
    const detail::ppi_bank& icc = guest ? m_vppi : m_ppi; // ICC_PPI_*: the accessor's view
    if (in_run(r, sysreg::ICC_PPI_PRIORITYR0_EL1, PPI_COUNT / 8, i))
        return icc.priority[i];
    if (!guest && in_run(r, sysreg::ICH_PPI_PRIORITYR0_EL2, PPI_COUNT / 8, i))
        return m_vppi.priority[i];
    const detail::ppi_bits icc_pend = guest ? guest_ppi_pending() : m_ppi.pend;
    switch (r) {
    case sysreg::ICC_PPI_HMR0_EL1: return m_ppi_hm[0];
    case sysreg::ICC_PPI_HMR1_EL1: return m_ppi_hm[1];
    case sysreg::ICC_PPI_ENABLER0_EL1: return icc.enable[0];
    case sysreg::ICC_PPI_ENABLER1_EL1: return icc.enable[1];
    case sysreg::ICC_PPI_CACTIVER0_EL1:
    case sysreg::ICC_PPI_SACTIVER0_EL1: return icc.active[0];
    case sysreg::ICC_PPI_CACTIVER1_EL1:
    case sysreg::ICC_PPI_SACTIVER1_EL1: return icc.active[1];
    case sysreg::ICC_PPI_CPENDR0_EL1:
    case sysreg::ICC_PPI_SPENDR0_EL1: return icc_pend[0];
    case sysreg::ICC_PPI_CPENDR1_EL1:
    case sysreg::ICC_PPI_SPENDR1_EL1: return icc_pend[1];
    default: break;
    }
    if (guest)
        return std::nullopt;
    switch (r) { // the hypervisor's view of the guest's PPIs (KVM's save path reads these)
    case sysreg::ICH_PPI_DVIR0_EL2: return m_vppi_dvi[0];
    case sysreg::ICH_PPI_DVIR1_EL2: return m_vppi_dvi[1];
    case sysreg::ICH_PPI_ENABLER0_EL2: return m_vppi.enable[0];
    case sysreg::ICH_PPI_ENABLER1_EL2: return m_vppi.enable[1];
    case sysreg::ICH_PPI_PENDR0_EL2: return guest_ppi_pending()[0];
    case sysreg::ICH_PPI_PENDR1_EL2: return guest_ppi_pending()[1];
    case sysreg::ICH_PPI_ACTIVER0_EL2: return m_vppi.active[0];
    case sysreg::ICH_PPI_ACTIVER1_EL2: return m_vppi.active[1];
    default: return std::nullopt;
    }
}

bool cpu_interface::write_ppi_sysreg(sysreg r, uint64_t v, bool guest) {
    unsigned i = 0;
    detail::ppi_bank& icc = guest ? m_vppi : m_ppi;
    constexpr uint64_t lanes = 0x1f1f1f1f1f1f1f1full; // 5 priority bits in each byte lane
    if (in_run(r, sysreg::ICC_PPI_PRIORITYR0_EL1, PPI_COUNT / 8, i)) {
        icc.priority[i] = v & lanes;
        return true;
    }
    if (!guest && in_run(r, sysreg::ICH_PPI_PRIORITYR0_EL2, PPI_COUNT / 8, i)) {
        m_vppi.priority[i] = v & lanes;
        return true;
    }
    switch (r) {
    case sysreg::ICC_PPI_ENABLER0_EL1: icc.enable[0] = v; return true;
    case sysreg::ICC_PPI_ENABLER1_EL1: icc.enable[1] = v; return true;
    case sysreg::ICC_PPI_CACTIVER0_EL1: icc.active[0] &= ~v; return true;
    case sysreg::ICC_PPI_CACTIVER1_EL1: icc.active[1] &= ~v; return true;
    case sysreg::ICC_PPI_SACTIVER0_EL1: icc.active[0] |= v; return true;
    case sysreg::ICC_PPI_SACTIVER1_EL1: icc.active[1] |= v; return true;
    // Writes to the pending bits of level PPIs are ignored: their wire decides (reference §4.2).
    case sysreg::ICC_PPI_CPENDR0_EL1: icc.pend[0] &= ~(v & ~m_ppi_hm[0]); return true;
    case sysreg::ICC_PPI_CPENDR1_EL1: icc.pend[1] &= ~(v & ~m_ppi_hm[1]); return true;
    case sysreg::ICC_PPI_SPENDR0_EL1: icc.pend[0] |= v & ~m_ppi_hm[0]; return true;
    case sysreg::ICC_PPI_SPENDR1_EL1: icc.pend[1] |= v & ~m_ppi_hm[1]; return true;
    default: break;
    }
    if (guest)
        return false;
    switch (r) { // KVM's restore path (__vgic_v5_restore_ppi_state) writes these
    case sysreg::ICH_PPI_DVIR0_EL2: m_vppi_dvi[0] = v; return true;
    case sysreg::ICH_PPI_DVIR1_EL2: m_vppi_dvi[1] = v; return true;
    case sysreg::ICH_PPI_ENABLER0_EL2: m_vppi.enable[0] = v; return true;
    case sysreg::ICH_PPI_ENABLER1_EL2: m_vppi.enable[1] = v; return true;
    // A DVI PPI's pending state is its wire's: a restore cannot overwrite it (§8.17).
    case sysreg::ICH_PPI_PENDR0_EL2: m_vppi.pend[0] = v & ~m_vppi_dvi[0]; return true;
    case sysreg::ICH_PPI_PENDR1_EL2: m_vppi.pend[1] = v & ~m_vppi_dvi[1]; return true;
    case sysreg::ICH_PPI_ACTIVER0_EL2: m_vppi.active[0] = v; return true;
    case sysreg::ICH_PPI_ACTIVER1_EL2: m_vppi.active[1] = v; return true;
    default: return false;
    }
}

} // namespace gicv5
