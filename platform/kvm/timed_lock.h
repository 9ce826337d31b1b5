// A host spinlock as a timed resource: acquiring costs time, a held lock makes others spin
// (counted as contention, with the time spun), and the lock order is checked per PE.
// SystemC threads are cooperative and PEs run ahead of the kernel under temporal decoupling, so
// the lock keeps its hold intervals in simulated time in a gicv5::timed_resource (one server):
// a PE takes the lock first come, first served in simulated time, after every hold that was
// asked for before its own request, and spins (idles) until then.
// The error that remains: a hold's length is known only at its release. A PE that asks later in
// simulated time, but runs first on the host, takes the lock in a gap that an earlier-asking
// PE's hold (booked when that one releases, later on the host) then covers, so the two holds
// overlap in simulated time. The calendar moves the later hold back for the holds asked after
// it (counted in the resource's shortfall statistics), but the PE that held it has run on.
#pragma once

#include "cpu_stubs/pe.h"
#include "tlm_gicv5/timed_resource.h"

#include <systemc>

#include <cstdint>
#include <memory>
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
    sc_core::sc_time m_asked, m_held_from; // the current hold: asked for, taken
    // Every hold that may still matter, in simulated time; made at the first lock (a VM has a
    // lock per SPI, most of them never taken).
    std::unique_ptr<gicv5::timed_resource> m_holds;
    uint64_t m_contended = 0;
    sc_core::sc_time m_wait_time;
};

} // namespace platform
