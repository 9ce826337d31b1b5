// A timed resource: a number of servers (an IRS's command engines, a table port's outstanding
// accesses, memory banks, a bus, a stream link) that each request occupies for a service time,
// in simulated time. The hardware model and the platform time every shared part through it.
//
// Interface
//   acquire(at, service [, not_before])  a request arriving at the absolute simulated time `at`
//                 (the caller's sc_time_stamp() plus its annotated delay) that needs one server for
//                 `service`. Returns its grant: wait (queueing) and service; the caller annotates
//                 what its hardware spends (an engine: wait + service; a link or a bus that only
//                 serialises: wait). `not_before`: the request cannot start earlier (a lock taken
//                 later than asked, see earliest_start()).
//   earliest_start(at)  when a request arriving at `at` would start, booking nothing (a lock
//                 whose hold is known only at its release books the hold then, with acquire()).
//   finish()      end of run (or any time after): passes on the queue-depth changes still held
//                 back and fills in the times of statistics(); may be called again.
//   set_observer(observer, index)  optional: told each wait above zero as it is granted, and,
//                 with track_depth(true), each change of the number of waiting requests, in
//                 simulated-time order.
// Parameters: name; servers (1 or more; 0: no limit, nothing queues and nothing is booked);
// ordered (only one thread uses it, so requests arrive in time order: no schedule is kept);
// ring (requests kept, default RING = 128).
//
// Scheduling: first come, first served in simulated time: a request takes the next server in
// turn if that one is free when it arrives, else the one that frees first (the lowest-numbered
// of those freeing together); which server serves it changes no time.
// Under temporal decoupling a PE runs up to a quantum ahead of the kernel, so requests reach a
// resource out of simulated-time order. The resource keeps the schedule of its latest ring / 2
// to ring requests (a calendar of busy intervals, one per request, in arrival order): a request is
// placed after the requests that arrived before it in simulated time and never behind one that
// arrived after it, whatever order the threads ran in. Placed ahead of requests already
// granted, it moves them back in the schedule, so that later requests queue behind where they
// really are; but their grants were returned and acted on. That shortfall is the error temporal
// decoupling leaves (at most the work of the requests of one quantum; none with a zero quantum)
// and statistics() reports it apart (shifted, shortfall_*): the schedule's waits are the
// granted ones plus the shortfall.
// Cost and memory: O(1) and a fixed ring of `ring` requests (a full one lets its older half go).
// A request that arrives before more than ring / 2 requests already granted (a queue that deep
// built within one quantum), or before requests the ring has let go, is served after them
// instead (counted: late).
#pragma once

#include "tlm_gicv5/sim_time.h"

#include <systemc>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gicv5 {

class resource_observer {
public:
    virtual ~resource_observer() = default;
    // A request of resource number `index` was granted after waiting `wait` (> 0).
    virtual void waited(unsigned index, const sc_core::sc_time& wait) = 0;
    // From `at` on, `depth` requests wait at resource number `index` (simulated-time order).
    virtual void depth_changed(unsigned index, const sc_core::sc_time& at, unsigned depth) = 0;
};

class timed_resource {
public:
    struct grant {
        sc_core::sc_time wait, service;
        sc_core::sc_time delay() const { return wait + service; }
    };

    // Waits as granted (what the requesters saw); the schedule's are these plus the shortfall.
    // The times are filled in by finish().
    struct statistics {
        uint64_t requests = 0;
        sc_core::sc_time busy;     // service summed over requests
        uint64_t waited = 0;       // requests granted a wait
        sc_core::sc_time wait_sum; // their waits, summed
        sc_core::sc_time wait_max;
        unsigned max_depth = 0; // the most requests waiting that one arriving found, itself
                                // included; at most ring / 2 + 1 (65 by default): what the
                                // schedule holds
        uint64_t shifted = 0;   // requests the schedule moved back after their grant
        sc_core::sc_time shortfall_sum, shortfall_max; // by how much
        uint64_t late = 0;                             // served after later ones (see above)
        sc_core::sc_time last_end;                     // when the last service in the schedule ends
    };
    static constexpr unsigned RING = 128; // requests kept in the schedule, by default

    // ring: requests kept in the schedule, a power of two; one may be placed ahead of at most
    // half as many later ones (MAX_REORDER for the default).
    timed_resource(std::string name, unsigned servers, bool ordered = false, unsigned ring = RING);
    static constexpr unsigned MAX_REORDER = RING / 2;

    const std::string& name() const { return m_name; }
    unsigned servers() const { return m_servers; }
    void set_observer(resource_observer* o, unsigned index) {
        m_observer = o;
        m_index = index;
    }

    [[gnu::always_inline]] grant acquire(const sc_core::sc_time& at,
                                         const sc_core::sc_time& service) {
        return acquire(at, service, at);
    }
    [[gnu::always_inline]] grant acquire(const sc_core::sc_time& at,
                                         const sc_core::sc_time& service,
                                         const sc_core::sc_time& not_before) {
        const tick a = at.value(), st = start_of(a, service.value(), not_before.value());
        return {st == a ? sc_core::SC_ZERO_TIME : time_of(st - a), service};
    }

    // The same on the times' raw values (sc_time::value()): books a request arriving at `a` for
    // `sv`, starting no earlier than `nb`, and returns its start (its wait is start - a). For a
    // caller that chains resources, each taking the request when the one before lets it go, as
    // a table access does (port, bus, banks), and converts back to sc_time once.
    using tick = sc_core::sc_time::value_type;
    // Inline: a platform makes a few dozen requests per interrupt; the common one (arriving at
    // or after every request so far, with a server free) costs a few comparisons and stores.
    [[gnu::always_inline]] tick start_of(tick a, tick sv, tick nb = 0) {
        ++m_stats.requests;
        m_busy += sv;
        if (sv == 0 || m_servers == 0) // no limit: nothing is booked
            return nb > a ? nb : a;
        if (a < m_last_key && !m_ordered) [[unlikely]]
            return book_earlier(a, sv, nb);
        tick* const free = m_free.data();
        unsigned s = 0;
        if (m_servers > 1) {
            s = m_next;
            if (free[s] > a)
                s = first_free(m_free);
            if (++m_next == m_servers)
                m_next = 0;
        }
        tick start = free[s] > a ? free[s] : a;
        if (nb > start)
            start = nb;
        free[s] = start + sv;
        if (!m_ordered) {
            if (m_tail == m_drop_at) [[unlikely]]
                drop_oldest();
            m_ring[m_tail & m_mask] = {a, start, start + sv, 0, s};
            ++m_tail;
            m_last_key = a;
        }
        if (start != a) [[unlikely]]
            count_wait(a, start, 0);
        return start;
    }
    sc_core::sc_time earliest_start(const sc_core::sc_time& at) {
        if (m_servers != 1 || at.value() < m_last_key || m_free[0] > at.value())
            return earliest_start_slow(at);
        return at; // after every request so far, and the server is free by then
    }
    // Depth changes for the observer (a trace's counter track): kept only when asked for.
    void track_depth(bool on) { m_track_depth = on; }
    void finish();
    // Complete after finish().
    const statistics& stats() const { return m_stats; }
    // Requests kept in the schedule now (bounded by RING, tested).
    std::size_t live() const { return static_cast<std::size_t>(m_tail - m_head); }

private:
    static sc_core::sc_time time_of(tick t) { return sc_core::sc_time::from_value(t); }
    struct job {
        // key: its place in arrival order (its arrival, or for a late one the latest arrival
        // before it); shift: how far the schedule moved it after its grant.
        tick key, start, end, shift;
        unsigned server;
    };
    job& at_index(uint64_t i) { return m_ring[i & m_mask]; }
    // A full ring lets its oldest half go (a few stores per request, amortised); each server
    // keeps when the last of them it served ends.
    void drop_oldest();
    void drop_oldest_if_full() {
        if (m_tail == m_drop_at)
            drop_oldest();
    }
    // Opens place pos for a request: the later ones move up one (the ring has room).
    void make_room(uint64_t pos);
    unsigned first_free(const std::vector<tick>& free) const;
    sc_core::sc_time earliest_start_slow(const sc_core::sc_time& at);
    // start_of() for a request arriving before the latest one so far.
    tick book_earlier(tick at, tick service, tick not_before);
    // The position (ring index) after the requests placed at or before `at`.
    uint64_t position_of(tick at) const;
    // The servers' free times just before ring index pos, by server.
    void free_before(uint64_t pos, std::vector<tick>& free);
    // A granted wait: statistics, the observer, the queue-depth changes it makes.
    // depth: requests waiting when it arrived, 0: counted here (it was just appended).
    void count_wait(tick at, tick start, unsigned depth);
    // Requests waiting when one arrives at `at` (it included), from the schedule before pos.
    unsigned depth_at(tick at, uint64_t pos) const;
    void flush_depth(tick before, bool all);

    std::string m_name;
    unsigned m_servers;
    bool m_ordered;
    resource_observer* m_observer = nullptr;
    unsigned m_index = 0;
    std::vector<tick> m_free;  // by server: free from, after the last request
    std::vector<tick> m_floor; // by server: the end of the last one out of the ring
    unsigned m_next = 0;       // the server whose turn is next
    std::vector<job> m_ring;   // [m_head, m_tail) in arrival order, at index & m_mask
    uint64_t m_mask = 0, m_cap = 0;
    uint64_t m_head = 0, m_tail = 0;
    uint64_t m_drop_at = 0; // m_head + m_cap: the ring is full when m_tail reaches it
    tick m_last_key = 0;    // the latest place in the schedule so far
    tick m_dropped_key = 0; // the place of the latest request out of the ring
    tick m_busy = 0;        // service summed (statistics().busy)
    tick m_shortfall_sum = 0, m_shortfall_max = 0, m_wait_sum = 0, m_wait_max = 0;
    std::vector<tick> m_scratch; // by server, for a request placed earlier
    std::vector<char> m_seen;    // free_before(): servers found
    // Waiting-count changes not yet passed on: (time, +1 arrival / -1 start), a min-heap.
    std::vector<std::pair<tick, int>> m_depth_events;
    tick m_flushed = 0; // changes before this time have been passed on
    bool m_track_depth = false;
    unsigned m_depth = 0;
    statistics m_stats;
};

} // namespace gicv5
