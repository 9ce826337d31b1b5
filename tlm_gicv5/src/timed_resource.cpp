// timed_resource: first come, first served in simulated time, with a schedule that requests
// arriving out of simulated-time order are placed into (timed_resource.h).
#include "tlm_gicv5/timed_resource.h"

#include <functional>

namespace gicv5 {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

timed_resource::timed_resource(std::string name, unsigned servers, bool ordered)
    : m_name(std::move(name)), m_servers(servers), m_ordered(ordered), m_free(servers), m_floor(servers),
      m_scratch(servers), m_seen(servers) {
    if (servers) { // the handful a lightly used resource keeps, without growing later
        m_jobs.reserve(8);
        m_depth_events.reserve(8);
    }
}

timed_resource::grant timed_resource::serve_in_order(const sc_time& at, const sc_time& service,
                                                      const sc_time& not_before) {
    const unsigned s = m_servers == 1 ? 0 : first_free(m_free);
    const sc_time start = std::max({at, m_free[s], not_before});
    m_free[s] = start + service;
    if (start != at) { // final at once: nothing can arrive before it
        finalise(job{at, at, start, m_free[s], start, s, true});
        flush_depth(sim_now(), false);
    }
    return {start - at, service};
}

unsigned timed_resource::first_free(const std::vector<sc_time>& free) const {
    unsigned best = 0;
    for (unsigned s = 1; s < m_servers; ++s)
        if (free[s] < free[best])
            best = s;
    return best;
}

timed_resource::grant timed_resource::acquire_earlier(const sc_time& at, const sc_time& service,
                                                      const sc_time& not_before) {
    advance(sim_now()); // the final requests are not candidates for moving
    // After the requests that arrived at or before `at` (equal times keep their host order),
    // ahead of those that arrived later in simulated time; final ones all arrived before `at`.
    const auto it =
        std::upper_bound(m_jobs.begin() + static_cast<std::ptrdiff_t>(m_head), m_jobs.end(), at,
                         [](const sc_time& t, const job& j) { return t < j.key; });
    if (m_jobs.end() - it <= static_cast<std::ptrdiff_t>(MAX_REORDER))
        return insert_earlier(static_cast<std::size_t>(it - m_jobs.begin()), at, service,
                              not_before);
    ++m_stats.late; // behind more than MAX_REORDER later ones: served after them
    return append(m_last_key, at, service, not_before);
}

sc_time timed_resource::earliest_start_slow(const sc_time& at) {
    if (m_servers == 0)
        return at;
    advance(sim_now());
    const auto pos = static_cast<std::size_t>(
        std::upper_bound(m_jobs.begin() + static_cast<std::ptrdiff_t>(m_head), m_jobs.end(), at,
                         [](const sc_time& t, const job& j) { return t < j.key; }) -
        m_jobs.begin());
    free_before(pos, m_scratch);
    return std::max(at, m_scratch[first_free(m_scratch)]);
}

void timed_resource::free_before(std::size_t pos, std::vector<sc_time>& free) {
    // Each server's free time is the end of the last request before pos that it served, or of
    // the last final one it served (dropped).
    free = m_floor;
    std::fill(m_seen.begin(), m_seen.end(), 0);
    unsigned found = 0;
    for (std::size_t i = pos; i > m_head && found < m_servers; --i) {
        const job& j = m_jobs[i - 1];
        if (!m_seen[j.server]) {
            m_seen[j.server] = 1;
            free[j.server] = j.end;
            ++found;
        }
    }
}

timed_resource::grant timed_resource::insert_earlier(std::size_t pos, const sc_time& at,
                                                     const sc_time& service,
                                                     const sc_time& not_before) {
    std::vector<sc_time>& free = m_scratch;
    free_before(pos, free);
    unsigned s = first_free(free);
    const sc_time start = std::max({at, free[s], not_before});
    free[s] = start + service;
    const bool waited = start != at;
    m_jobs.insert(m_jobs.begin() + static_cast<std::ptrdiff_t>(pos),
                  job{at, at, start, free[s], start, s, waited});
    m_interesting += waited;
    // The later requests queue behind it now: move each back as first come, first served has
    // it (never earlier than the schedule had it). With one server, one that does not move
    // leaves every later one where it was.
    bool settled = false;
    for (std::size_t i = pos + 1; i < m_jobs.size(); ++i) {
        job& j = m_jobs[i];
        s = first_free(free);
        const sc_time moved = std::max({j.start, j.arrival, free[s]});
        if (m_servers == 1 && moved == j.start) {
            settled = true; // m_free stays as the last request left it
            break;
        }
        j.end = moved + (j.end - j.start);
        j.start = moved;
        j.server = s;
        free[s] = j.end;
        if (!j.counted && moved != j.granted) {
            j.counted = true;
            ++m_interesting;
        }
    }
    if (!settled)
        m_free.swap(free);
    return {start - at, service};
}

void timed_resource::finalise(const job& j) {
    const sc_time wait = j.start - j.arrival;
    if (wait > SC_ZERO_TIME) {
        ++m_stats.waited;
        m_stats.wait_sum += wait;
        if (wait > m_stats.wait_max)
            m_stats.wait_max = wait;
        m_depth_events.emplace_back(j.arrival, +1);
        std::push_heap(m_depth_events.begin(), m_depth_events.end(), std::greater<>());
        m_depth_events.emplace_back(j.start, -1);
        std::push_heap(m_depth_events.begin(), m_depth_events.end(), std::greater<>());
        if (m_observer)
            m_observer->waited(m_index, wait);
    }
    if (j.start > j.granted) {
        const sc_time shortfall = j.start - j.granted;
        ++m_stats.shifted;
        m_stats.shortfall_sum += shortfall;
        if (shortfall > m_stats.shortfall_max)
            m_stats.shortfall_max = shortfall;
    }
}

void timed_resource::advance(const sc_time& now) {
    // Final: placed at or before now. A later request arrives at or after now, so it is placed
    // after these (upper_bound) and can move none of them: they are dropped, each server
    // keeping the end of the last it served (m_floor) for requests placed before the rest.
    m_appends_left = ADVANCE_EVERY;
    if (m_last_key <= now && m_interesting == 0) { // the common case: all final, none queued
        m_floor = m_free;
        m_jobs.clear();
        m_head = 0;
    } else {
        const std::size_t n = m_jobs.size();
        std::size_t i = m_head;
        for (; i < n && m_jobs[i].key <= now; ++i) {
            const job& j = m_jobs[i];
            if (j.counted) {
                finalise(j);
                --m_interesting;
            }
            m_floor[j.server] = j.end;
        }
        m_head = i;
        if (m_head == n) {
            if (m_jobs.capacity() > 4096) {
                std::vector<job>().swap(m_jobs); // after a burst: give the memory back
                m_jobs.reserve(8);
            }
            m_jobs.clear();
            m_head = 0;
        } else if (m_head >= 64 && 2 * m_head >= n) { // compact; capacity is kept
            m_jobs.erase(m_jobs.begin(), m_jobs.begin() + static_cast<std::ptrdiff_t>(m_head));
            m_head = 0;
        }
    }
    if (!m_depth_events.empty())
        flush_depth(now, false);
}

void timed_resource::flush_depth(const sc_time& before, bool all) {
    // Every change before `before` is known: the requests that cause later ones arrive later.
    // Equal times: starts (-1) before arrivals (+1), so a request served at once is not counted.
    auto& q = m_depth_events; // a min-heap on (time, change)
    while (!q.empty() && (all || q.front().first < before)) {
        const auto [t, change] = q.front();
        std::pop_heap(q.begin(), q.end(), std::greater<>());
        q.pop_back();
        m_depth = change > 0 ? m_depth + 1 : m_depth - 1;
        m_stats.max_depth = std::max(m_stats.max_depth, m_depth);
        // One sample per time: the last change at a time gives the level from then on.
        const bool last_at_t = q.empty() || q.front().first != t;
        if (m_observer && last_at_t)
            m_observer->depth_changed(m_index, t, m_depth);
    }
}

void timed_resource::finish() {
    for (std::size_t i = m_head; i < m_jobs.size(); ++i)
        if (m_jobs[i].counted)
            finalise(m_jobs[i]);
    m_interesting = 0;
    m_floor = m_free;
    for (const sc_time& f : m_free)
        m_stats.last_end = std::max(m_stats.last_end, f);
    m_head = 0;
    m_jobs.clear();
    m_appends_left = ADVANCE_EVERY;
    flush_depth(SC_ZERO_TIME, true);
}

} // namespace gicv5
