#include "platform/kvm/timed_lock.h"

#include <cstdlib>
#include <string>

namespace platform {

void lock_order::violated(const char* lock_name) {
    SC_REPORT_FATAL("lock_order", (std::string("lock order violated taking ") + lock_name).c_str());
    std::abort(); // SC_REPORT_FATAL does not return
}

void timed_lock::lock(cpu_stubs::pe& pe, lock_order& order, const sc_core::sc_time& cost) {
    order.acquiring(pe.index(), m_rank, m_name);
    pe.spend(cost);
    const sc_core::sc_time start = pe.local_time();
    if (!m_holds)
        m_holds = std::make_unique<gicv5::timed_resource>(m_name, 1, false, 8); // a few holds
    bool spun = false;
    for (;;) {
        while (m_holder >= 0) { // held now: spin, letting the holder run, then look again
            spun = true;
            pe.spend(cost);
            pe.sync();
        }
        // Held, in simulated time, by holds asked for before ours: their holders ran ahead of
        // us under temporal decoupling and have released it since. Spin until the last release.
        const sc_core::sc_time free_at = m_holds->earliest_start(start);
        if (pe.local_time() >= free_at)
            break;
        spun = true;
        pe.idle_until(free_at);
        // The wait may have yielded to the kernel, and another PE may have taken the lock
        // meanwhile: look again (as KVM re-checks after re-taking a lock).
    }
    if (spun) {
        ++m_contended;
        m_wait_time += pe.local_time() - start;
    }
    m_holder = static_cast<int>(pe.index());
    m_asked = start;
    m_held_from = pe.local_time();
}

void timed_lock::unlock(cpu_stubs::pe& pe, lock_order& order) {
    if (m_holder != static_cast<int>(pe.index()))
        SC_REPORT_FATAL("timed_lock",
                        (std::string(m_name) + " released by a PE that does not hold it").c_str());
    m_holder = -1;
    // The hold, now that its length is known, where it lies in simulated time.
    m_holds->acquire(m_asked, pe.local_time() - m_held_from, m_held_from);
    order.released(pe.index(), m_rank);
}

} // namespace platform
