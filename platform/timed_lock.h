// A host spinlock as a timed resource: acquiring costs time, a held lock makes others spin
// (counted as contention, with the time spun), and the lock order is checked per PE.
// SystemC threads are cooperative and PEs run ahead of the kernel under temporal decoupling, so
// the lock also remembers its last hold interval in simulated time: a PE whose acquire falls
// inside another PE's interval spins until that release. SIMPLIFICATION: only the last interval
// is kept, and a PE that arrives before it (its thread ran later) is not delayed; the order of
// holders within one quantum may thus differ from simulated-time order.
#pragma once

#include "cpu_stubs/pe.h"

#include <systemc>

#include <cstdint>
#include <vector>

namespace platform {

// Which ranks each PE holds, to check the lock order (a lock of lower rank is taken first).
class lock_order {
public:
    explicit lock_order(unsigned pes) : m_held(pes, 0) {}
    // Every lock this PE holds must rank below the one it takes (reference §6.2 lock order).
    void acquiring(unsigned pe, unsigned rank, const char* lock_name) {
        if (m_held[pe] >> rank)
            violated(lock_name);
        m_held[pe] |= 1u << rank;
    }
    void released(unsigned pe, unsigned rank) { m_held[pe] &= ~(1u << rank); }
    bool holds(unsigned pe, unsigned rank) const { return m_held[pe] & (1u << rank); }

private:
    [[noreturn]] static void violated(const char* lock_name);
    std::vector<uint32_t> m_held;
};

class timed_lock {
public:
    timed_lock(const char* name, unsigned rank) : m_name(name), m_rank(rank) {}

    void lock(cpu_stubs::pe& pe, lock_order& order, const sc_core::sc_time& cost);
    void unlock(cpu_stubs::pe& pe, lock_order& order);
    bool held() const { return m_holder >= 0; }

    uint64_t contended() const { return m_contended; }
    sc_core::sc_time wait_time() const { return m_wait_time; }

private:
    const char* m_name;
    unsigned m_rank;
    int m_holder = -1;
    int m_last_holder = -1;
    sc_core::sc_time m_held_from, m_free_at; // the last hold interval
    uint64_t m_contended = 0;
    sc_core::sc_time m_wait_time;
};

} // namespace platform
