#include "tlm_gicv5/detail/hppi_tracker.h"

namespace gicv5::detail {

void hppi_target::insert(candidate& c) {
    m_lists[c.prio].push_back(c);
    m_mask |= 1u << c.prio;
}

void hppi_target::remove(candidate& c) {
    list& l = m_lists[c.prio];
    l.erase(l.iterator_to(c));
    if (l.empty())
        m_mask &= ~(1u << c.prio);
}

const candidate* hppi_target::best() const {
    if (m_mask == 0)
        return nullptr;
    // Lowest set bit = numerically lowest priority = highest priority (reference §1).
    return &m_lists[static_cast<unsigned>(__builtin_ctz(m_mask))].front();
}

} // namespace gicv5::detail
