// timed_resource: first come, first served in simulated time, with a schedule that requests
// arriving out of simulated-time order are placed into (timed_resource.h).
#include "tlm_gicv5/timed_resource.h"

#include <functional>

namespace gicv5 {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

timed_resource::timed_resource(std::string name, unsigned servers, bool ordered, unsigned ring)
    : m_name(std::move(name)), m_servers(servers), m_ordered(ordered && servers == 1),
      m_free(servers), m_floor(servers), m_scratch(servers), m_seen(servers) {
    if (servers != 0 && !m_ordered) {
        unsigned size = 2;
        while (size < ring)
            size *= 2;
        m_ring.resize(size);
        m_mask = size - 1;
        m_cap = size;
    }
    m_depth_events.reserve(8); // a lightly used resource never grows it later
}

unsigned timed_resource::first_free(const std::vector<sc_time>& free) const {
    unsigned best = 0;
    for (unsigned s = 1; s < m_servers; ++s)
        if (free[s] < free[best])
            best = s;
    return best;
}

uint64_t timed_resource::position_of(const sc_time& at) const {
    // After the requests placed at or before `at` (equal times keep their host order): scan
    // back over the later ones, a handful in practice.
    uint64_t pos = m_tail;
    while (pos > m_head && at < m_ring[(pos - 1) & m_mask].key)
        --pos;
    return pos;
}

void timed_resource::free_before(uint64_t pos, std::vector<sc_time>& free) {
    // Each server's free time is the end of the last request before pos that it served, or of
    // the last one that left the ring.
    free = m_floor;
    std::fill(m_seen.begin(), m_seen.end(), 0);
    unsigned found = 0;
    for (uint64_t i = pos; i > m_head && found < m_servers; --i) {
        const job& j = m_ring[(i - 1) & m_mask];
        if (!m_seen[j.server]) {
            m_seen[j.server] = 1;
            free[j.server] = j.end;
            ++found;
        }
    }
}

sc_time timed_resource::earliest_start_slow(const sc_time& at) {
    if (m_ordered)
        return std::max(at, m_free[first_free(m_free)]);
    free_before(position_of(at), m_scratch);
    return std::max(at, m_scratch[first_free(m_scratch)]);
}

timed_resource::grant timed_resource::acquire_earlier(const sc_time& at, const sc_time& service,
                                                      const sc_time& not_before) {
    uint64_t pos = position_of(at);
    const uint64_t later = m_tail - pos;
    std::vector<sc_time>& free = m_scratch;
    bool late = later > m_cap / 2 || (pos == m_head && m_tail - m_head == m_cap);
    if (late) {
        // Too far back to move them all, or before everything the ring holds: after them.
        ++m_stats.late;
        pos = m_tail;
        free = m_free;
    } else {
        free_before(pos, free);
    }
    unsigned s = first_free(free);
    const sc_time start = std::max({at, free[s], not_before});
    free[s] = start + service;
    const unsigned depth = start != at ? depth_at(at, pos) : 0;
    // Make room at pos: the later requests move up one place (the oldest may leave the ring).
    if (m_tail - m_head == m_cap) {
        const job& oldest = at_index(m_head);
        m_floor[oldest.server] = oldest.end;
        ++m_head;
    }
    for (uint64_t i = m_tail; i > pos; --i)
        at_index(i) = at_index(i - 1);
    at_index(pos) = {late ? m_last_key : at, start, free[s], SC_ZERO_TIME, s};
    ++m_tail;
    // The later requests queue behind it now: move each back as first come, first served has
    // it (never earlier than the schedule had it). With one server, one that does not move
    // leaves every later one where it was.
    bool settled = false;
    for (uint64_t i = pos + 1; i < m_tail; ++i) {
        job& j = at_index(i);
        const unsigned js = first_free(free);
        const sc_time moved = std::max(j.start, free[js]);
        if (m_servers == 1 && moved == j.start) {
            settled = true; // m_free stays as the last request left it
            break;
        }
        if (moved != j.start) {
            if (j.shift == SC_ZERO_TIME)
                ++m_stats.shifted;
            const sc_time by = moved - j.start;
            j.shift += by;
            m_stats.shortfall_sum += by;
            m_stats.shortfall_max = std::max(m_stats.shortfall_max, j.shift);
        }
        j.end = moved + (j.end - j.start);
        j.start = moved;
        j.server = js;
        free[js] = j.end;
    }
    if (!settled)
        m_free = free;
    if (start != at)
        count_wait(at, start, depth);
    return {start - at, service};
}

unsigned timed_resource::depth_at(const sc_time& at, uint64_t pos) const {
    // Those before it in the schedule that have not started by `at`, scanning back from pos
    // (their starts rise with their places, so the scan stops at the first one that started).
    unsigned n = 1;
    for (uint64_t i = pos; i > m_head && m_ring[(i - 1) & m_mask].start > at; --i)
        ++n;
    return n;
}

void timed_resource::count_wait(const sc_time& at, const sc_time& start, unsigned depth) {
    const sc_time wait = start - at;
    ++m_stats.waited;
    m_stats.wait_sum += wait;
    if (wait > m_stats.wait_max)
        m_stats.wait_max = wait;
    if (depth == 0) // the request just appended: the scan starts before it
        depth = depth_at(at, m_tail - (m_ordered ? 0 : 1));
    m_stats.max_depth = std::max(m_stats.max_depth, depth);
    if (!m_observer)
        return;
    m_observer->waited(m_index, wait);
    if (!m_track_depth)
        return;
    // The queue-depth changes, passed on in time order once no earlier one can come: every
    // later request arrives at or after sc_time_stamp().
    const sc_time& now = sim_now();
    m_depth_events.emplace_back(std::max(at, m_flushed), +1);
    std::push_heap(m_depth_events.begin(), m_depth_events.end(), std::greater<>());
    m_depth_events.emplace_back(std::max(start, m_flushed), -1);
    std::push_heap(m_depth_events.begin(), m_depth_events.end(), std::greater<>());
    if (now > m_flushed)
        flush_depth(now, false);
}

void timed_resource::flush_depth(const sc_time& before, bool all) {
    // Equal times: starts (-1) before arrivals (+1), so a request served at once is not counted.
    auto& q = m_depth_events; // a min-heap on (time, change)
    while (!q.empty() && (all || q.front().first < before)) {
        const auto [t, change] = q.front();
        std::pop_heap(q.begin(), q.end(), std::greater<>());
        q.pop_back();
        m_depth = change > 0 ? m_depth + 1 : m_depth - 1;
        // One sample per time: the last change at a time gives the level from then on.
        const bool last_at_t = q.empty() || q.front().first != t;
        if (m_observer && last_at_t)
            m_observer->depth_changed(m_index, t, m_depth);
    }
    if (!all)
        m_flushed = before;
}

void timed_resource::finish() {
    flush_depth(SC_ZERO_TIME, true);
    for (const sc_time& f : m_free)
        m_stats.last_end = std::max(m_stats.last_end, f);
}

} // namespace gicv5
