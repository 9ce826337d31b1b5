#include "platform/timed_lock.h"

#include <string>

namespace platform {

void lock_order::acquiring(unsigned pe, unsigned rank, const char* lock_name) {
    // Every lock this PE holds must rank below the one it takes (reference §6.2 lock order).
    if (m_held[pe] >> rank)
        SC_REPORT_FATAL("lock_order",
                        (std::string("lock order violated taking ") + lock_name).c_str());
    m_held[pe] |= 1u << rank;
}

void timed_lock::lock(cpu_stubs::pe& pe, lock_order& order, const sc_core::sc_time& cost) {
    order.acquiring(pe.index(), m_rank, m_name);
    pe.spend(cost);
    if (m_holder >= 0) {
        ++m_contended;
        const sc_core::sc_time start = pe.local_time();
        while (m_holder >= 0) { // spin: let the holder run, then look again
            pe.spend(cost);
            pe.sync();
        }
        m_wait_time += pe.local_time() - start;
    }
    m_holder = static_cast<int>(pe.index());
}

void timed_lock::unlock(cpu_stubs::pe& pe, lock_order& order) {
    if (m_holder != static_cast<int>(pe.index()))
        SC_REPORT_FATAL("timed_lock",
                        (std::string(m_name) + " released by a PE that does not hold it").c_str());
    m_holder = -1;
    order.released(pe.index(), m_rank);
}

} // namespace platform
