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
//   finish()      end of run: every request is final; statistics() is then complete.
//   set_observer(observer, index)  optional: told each final queueing delay above zero and each
//                 change of the number of waiting requests, in simulated-time order.
// Parameters: name; servers (1 or more; 0: unlimited, nothing queues and nothing is booked).
//
// Scheduling: first come, first served in simulated time: a request takes the next server in
// turn if that one is free when it arrives, else the one that frees first (the lowest-numbered
// of those freeing together); which server serves it changes no time. Under temporal decoupling a PE runs up to a quantum
// ahead of the kernel, so requests reach a resource out of simulated-time order. The resource
// keeps the schedule of every request it may still need (a calendar of busy intervals, one per
// request, in arrival order): a request is placed after the requests that arrived before it in
// simulated time and never behind one that arrived after it, whatever order the threads ran in.
// A request placed ahead of ones already granted moves them back in the schedule (later requests
// queue behind their true positions), but their grants were already returned and acted on:
// that shortfall is the error temporal decoupling leaves, at most the work of the requests of
// one quantum, and zero with a zero quantum. statistics() reports it (shortfall_*).
//
// Statistics are taken from the schedule once a request is final: when no earlier request can
// still arrive, that is once sc_time_stamp() has reached its arrival (every thread's local time
// is at or past sc_time_stamp(), so every later request arrives at or after it). A final
// request is dropped (each server remembers when its last one ends). Memory is thus bounded by
// the requests of the decoupling window. Cost: O(1) for a request at or after the latest arrival
// (the common case), O(log n) to place an earlier one plus a step per request it moves back,
// of which there are at most MAX_REORDER: a request that arrives before more requests than that
// already granted (a queue that deep built within one quantum) is served after them instead,
// and counted (statistics().late).
#pragma once

#include "tlm_gicv5/sim_time.h"

#include <systemc>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gicv5 {

class timed_resource;

class resource_observer {
public:
    virtual ~resource_observer() = default;
    // A final request of resource number `index` waited `wait` (> 0) before its service began.
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

    struct statistics {
        uint64_t requests = 0;
        sc_core::sc_time busy;     // service summed over requests
        uint64_t waited = 0;       // final requests that queued
        sc_core::sc_time wait_sum; // their queueing, summed
        sc_core::sc_time wait_max;
        unsigned max_depth = 0;    // the most requests waiting at once
        uint64_t shifted = 0;      // requests the schedule moved back after their grant
        sc_core::sc_time shortfall_sum, shortfall_max; // by how much
        uint64_t late = 0; // arrived before more than MAX_REORDER granted ones: served after them
        sc_core::sc_time last_end; // when the last service ends (set by finish())
    };
    // Requests already granted that an earlier one may still be placed ahead of: beyond this
    // (a queue of more than this many built within one quantum), it is served after them.
    static constexpr unsigned MAX_REORDER = 64;

    // ordered: every request arrives at or after the one before (a resource only one thread
    // uses, a PE's link to the IRS): no schedule is kept, a request queues behind the last.
    timed_resource(std::string name, unsigned servers, bool ordered = false);

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
    // Inline: a platform makes a few dozen requests per interrupt; the common one (arriving at
    // or after every request so far, with a server free) costs a few comparisons and an append.
    [[gnu::always_inline]] grant acquire(const sc_core::sc_time& at,
                                         const sc_core::sc_time& service,
                                         const sc_core::sc_time& not_before) {
        ++m_stats.requests;
        m_stats.busy += service;
        if (m_servers == 0 || service == sc_core::SC_ZERO_TIME) // unlimited: nothing is booked
            return {not_before > at ? not_before - at : sc_core::SC_ZERO_TIME, service};
        if (m_ordered)
            return serve_in_order(at, service, not_before);
        if (m_appends_left == 0)
            advance(sim_now());
        if (at < m_last_key)
            return acquire_earlier(at, service, not_before);
        return append(at, at, service, not_before);
    }
    sc_core::sc_time earliest_start(const sc_core::sc_time& at) {
        if (m_servers != 1 || at < m_last_key)
            return earliest_start_slow(at);
        return std::max(at, m_free[0]); // after every request so far
    }
    void finish();
    // Final figures only; finish() makes them complete.
    const statistics& stats() const { return m_stats; }
    // Requests kept in the schedule now (bounded memory, tested).
    std::size_t live() const { return m_jobs.size() - m_head; }

private:
    struct job {
        // key: its place in arrival order (its arrival, or for a late one the latest arrival
        // before it); arrival: when it asked.
        sc_core::sc_time key, arrival, start, end, granted;
        unsigned server;
        bool counted; // queued or moved: has statistics to take when final
    };
    // Requests kept before the final ones are swept (statistics) and the ended ones dropped.
    static constexpr std::size_t ADVANCE_EVERY = 32;

    // Behind every request so far: on the next server in turn if it is free by then, else on
    // the one that frees first.
    grant serve_in_order(const sc_core::sc_time& at, const sc_core::sc_time& service,
                         const sc_core::sc_time& not_before);
    [[gnu::always_inline]] grant append(const sc_core::sc_time& key, const sc_core::sc_time& at,
                 const sc_core::sc_time& service, const sc_core::sc_time& not_before) {
        unsigned s = m_next;
        if (m_free[s] > at && m_servers > 1)
            s = first_free(m_free);
        const sc_core::sc_time start = std::max(std::max(at, m_free[s]), not_before);
        m_free[s] = start + service;
        if (++m_next == m_servers)
            m_next = 0;
        const bool waited = start != at;
        m_jobs.push_back({key, at, start, m_free[s], start, s, waited});
        m_interesting += waited;
        m_last_key = key;
        --m_appends_left;
        return {start - at, service};
    }
    sc_core::sc_time earliest_start_slow(const sc_core::sc_time& at);
    grant acquire_earlier(const sc_core::sc_time& at, const sc_core::sc_time& service,
                          const sc_core::sc_time& not_before);
    // Makes every request that arrived up to `now` final, and drops those that have also ended.
    void advance(const sc_core::sc_time& now);
    void finalise(const job& j);
    void flush_depth(const sc_core::sc_time& before, bool all);
    grant insert_earlier(std::size_t pos, const sc_core::sc_time& at,
                         const sc_core::sc_time& service, const sc_core::sc_time& not_before);
    // The servers' free times just before position pos of the schedule, by server.
    void free_before(std::size_t pos, std::vector<sc_core::sc_time>& free);
    unsigned first_free(const std::vector<sc_core::sc_time>& free) const;

    std::string m_name;
    unsigned m_servers;
    bool m_ordered;
    resource_observer* m_observer = nullptr;
    unsigned m_index = 0;
    std::vector<job> m_jobs; // in arrival order, from m_head: the requests not yet final
    std::size_t m_head = 0;
    sc_core::sc_time m_last_key;                 // the latest place in the schedule so far
    std::size_t m_interesting = 0;               // requests kept with `counted` set
    std::size_t m_appends_left = ADVANCE_EVERY; // appends until the next advance()
    std::vector<sc_core::sc_time> m_free;  // by server: free from, after the last request
    std::vector<sc_core::sc_time> m_floor; // by server: the end of the last final request
    unsigned m_next = 0;                  // the server whose turn is next
    std::vector<sc_core::sc_time> m_scratch; // by server, for a request placed earlier
    std::vector<char> m_seen;                // free_before(): servers found
    // Waiting-count changes of final requests not yet swept: (time, +1 arrival / -1 start), a
    // min-heap.
    std::vector<std::pair<sc_core::sc_time, int>> m_depth_events;
    unsigned m_depth = 0;
    statistics m_stats;
};

} // namespace gicv5
