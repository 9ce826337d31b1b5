// timed_resource: first come, first served in simulated time, with a schedule that requests
// arriving out of simulated-time order are placed into (timed_resource.h).
#include "tlm_gicv5/timed_resource.h"

#include <functional>

namespace gicv5 {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

timed_resource::timed_resource(std::string name, unsigned servers, bool ordered, unsigned ring)
    : m_name(std::move(name)), m_servers(servers), m_ordered(ordered && servers == 1),
      m_free(servers, 0), m_floor(servers, 0), m_scratch(servers, 0), m_seen(servers) {
    if (servers != 0 && !m_ordered) {
        unsigned size = 2;
        while (size < ring)
            size *= 2;
        m_ring.resize(size);
        m_mask = size - 1;
        m_cap = size;
        m_drop_at = size;
    }
    m_depth_events.reserve(8); // a lightly used resource never grows it later
}

unsigned timed_resource::first_free(const std::vector<tick>& free) const {
    unsigned best = 0;
    for (unsigned s = 1; s < m_servers; ++s)
        if (free[s] < free[best])
            best = s;
    return best;
}

uint64_t timed_resource::position_of(tick at) const {
    // After the requests placed at or before `at` (equal times keep their host order): scan
    // back over the later ones, a handful in practice.
    uint64_t pos = m_tail;
    while (pos > m_head && at < m_ring[(pos - 1) & m_mask].key)
        --pos;
    return pos;
}

void timed_resource::free_before(uint64_t pos, std::vector<tick>& free) {
    // Each server's free time is the end of the last request before pos that it served, or of
    // the last one that left the ring.
    if (m_servers == 1) {
        free[0] = pos > m_head ? m_ring[(pos - 1) & m_mask].end : m_floor[0];
        return;
    }
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
    if (m_servers == 0)
        return at;
    const tick a = at.value();
    tick free;
    if (m_ordered) {
        free = m_free[first_free(m_free)];
    } else {
        free_before(position_of(a), m_scratch);
        free = m_scratch[first_free(m_scratch)];
    }
    return free > a ? time_of(free) : at;
}

void timed_resource::drop_oldest() {
    // Each server's floor becomes the end of the last request it served among those let go:
    // its free time just before the first one kept.
    const uint64_t until = m_head + m_cap / 2;
    free_before(until, m_floor);
    m_dropped_key = m_ring[(until - 1) & m_mask].key;
    m_head = until;
    m_drop_at = m_head + m_cap;
}

void timed_resource::make_room(uint64_t pos) {
    for (uint64_t i = m_tail; i > pos; --i)
        at_index(i) = at_index(i - 1);
    ++m_tail;
}

timed_resource::tick timed_resource::book_earlier(tick a, tick sv, tick nb) {
    drop_oldest_if_full(); // first: the place found below stays in the ring
    uint64_t pos = position_of(a);
    const uint64_t later = m_tail - pos;
    // Before the requests let out of the ring: after them all (they cannot move).
    const bool late = later > m_cap / 2 || (pos == m_head && a < m_dropped_key);
    if (!late && m_servers > 1 && nb <= a)
        for (unsigned k = 0, s = m_next; k < m_servers; ++k, s = s + 1 == m_servers ? 0 : s + 1)
            if (m_free[s] <= a) {
                // A server free now was free before pos too, and none of the later requests
                // used it (they start after `at`): served at once, nothing else moves.
                make_room(pos);
                m_free[s] = a + sv;
                at_index(pos) = {a, a, a + sv, 0, s};
                return a;
            }
    std::vector<tick>& free = m_scratch;
    if (late) {
        // Too far back to move them all, or before everything the ring holds: after them.
        ++m_stats.late;
        pos = m_tail;
        free = m_free;
    } else {
        free_before(pos, free);
    }
    unsigned s = first_free(free);
    const tick start = std::max({a, free[s], nb});
    free[s] = start + sv;
    const unsigned depth = start != a ? depth_at(a, pos) : 0;
    make_room(pos);
    at_index(pos) = {late ? m_last_key : a, start, free[s], 0, s};
    // The later requests queue behind it now: move each back as first come, first served has
    // it (never earlier than the schedule had it). With one server, one that does not move
    // leaves every later one where it was.
    bool settled = false;
    for (uint64_t i = pos + 1; i < m_tail; ++i) {
        job& j = at_index(i);
        const unsigned js = first_free(free);
        const tick moved = std::max(j.start, free[js]);
        if (m_servers == 1 && moved == j.start) {
            settled = true; // m_free stays as the last request left it
            break;
        }
        if (moved != j.start) {
            if (j.shift == 0)
                ++m_stats.shifted;
            const tick by = moved - j.start;
            j.shift += by;
            m_shortfall_sum += by;
            m_shortfall_max = std::max(m_shortfall_max, j.shift);
        }
        j.end = moved + (j.end - j.start);
        j.start = moved;
        j.server = js;
        free[js] = j.end;
    }
    if (!settled)
        m_free.swap(free); // (the scratch is refilled before its next use)
    if (start != a)
        count_wait(a, start, depth);
    return start;
}

unsigned timed_resource::depth_at(tick at, uint64_t pos) const {
    // Those before it in the schedule that have not started by `at`: their starts rise with
    // their places (with several servers, nearly). A short queue (the common case) is counted
    // back from pos; a longer one is found by a binary search. The ring always holds ring / 2
    // requests: a deeper queue counts as that deep, whatever the ring holds at the moment.
    constexpr unsigned SHORT = 8;
    uint64_t hi = pos;
    const uint64_t most = m_cap / 2;
    for (unsigned k = 0; k < SHORT && hi > m_head; ++k, --hi)
        if (m_ring[(hi - 1) & m_mask].start <= at)
            return static_cast<unsigned>(std::min(pos - hi, most)) + 1;
    uint64_t lo = m_head;
    while (lo < hi) {
        const uint64_t mid = lo + (hi - lo) / 2;
        if (m_ring[mid & m_mask].start > at)
            hi = mid;
        else
            lo = mid + 1;
    }
    return static_cast<unsigned>(std::min(pos - lo, most)) + 1;
}

void timed_resource::count_wait(tick at, tick start, unsigned depth) {
    const tick wait = start - at;
    ++m_stats.waited;
    m_wait_sum += wait;
    m_wait_max = std::max(m_wait_max, wait);
    if (depth == 0) // the request just appended: the scan starts before it
        depth = depth_at(at, m_tail - (m_ordered ? 0 : 1));
    m_stats.max_depth = std::max(m_stats.max_depth, depth);
    if (!m_observer)
        return;
    m_observer->waited(m_index, time_of(wait));
    if (!m_track_depth)
        return;
    // The queue-depth changes, passed on in time order once no earlier one can come: every
    // later request arrives at or after sc_time_stamp().
    const tick now = sim_now().value();
    m_depth_events.emplace_back(std::max(at, m_flushed), +1);
    std::push_heap(m_depth_events.begin(), m_depth_events.end(), std::greater<>());
    m_depth_events.emplace_back(std::max(start, m_flushed), -1);
    std::push_heap(m_depth_events.begin(), m_depth_events.end(), std::greater<>());
    if (now > m_flushed)
        flush_depth(now, false);
}

void timed_resource::flush_depth(tick before, bool all) {
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
            m_observer->depth_changed(m_index, time_of(t), m_depth);
    }
    if (!all)
        m_flushed = before;
}

void timed_resource::finish() {
    flush_depth(0, true);
    tick last = 0;
    for (tick f : m_free)
        last = std::max(last, f);
    m_stats.busy = time_of(m_busy);
    m_stats.wait_sum = time_of(m_wait_sum);
    m_stats.wait_max = time_of(m_wait_max);
    m_stats.shortfall_sum = time_of(m_shortfall_sum);
    m_stats.shortfall_max = time_of(m_shortfall_max);
    m_stats.last_end = time_of(last);
}

} // namespace gicv5
