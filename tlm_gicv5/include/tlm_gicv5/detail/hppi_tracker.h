// Per-target HPPI selection in O(1) (design.md: no scan on the hot path).
// Each interrupt that can be a candidate owns a preallocated node; a target keeps one intrusive
// list per priority plus a bitmap of non-empty priorities. The best candidate is the front of the
// list of the lowest set bit. Tie-break among equal priorities: the oldest candidate first (the one
// that became a candidate earliest), which is deterministic; the architecture leaves it
// implementation defined (reference §2.4, §8.16).
#pragma once

#include "tlm_gicv5/intid.h"

#include <boost/intrusive/list.hpp>

#include <array>
#include <cstdint>

namespace gicv5::detail {

// 24 bytes: the host memory the model keeps per interrupt besides its ISTE in simulated memory.
struct candidate {
    boost::intrusive::list_member_hook<> node; // safe_link: is_linked() tells membership
    uint32_t raw_id = 0; // the INTID, encoded (intid.h): 4 bytes where struct intid takes 8
    uint8_t prio = 0;
    bool one_of_n = false; // linked as a 1-of-N (IRM = 1) interrupt
    uint16_t target = 0;   // where it is linked; NO_TARGET: a 1-of-N interrupt waiting for a PE
    intid id() const { return intid::decode(raw_id); }
    void set_id(intid i) { raw_id = i.encode(); }
    bool linked() const { return node.is_linked(); }
};
static_assert(sizeof(candidate) <= 24, "a candidate node is per interrupt: keep it small");
constexpr uint16_t NO_TARGET = 0xffff;

class hppi_target {
public:
    void insert(candidate& c);
    void remove(candidate& c);
    const candidate* best() const;
    bool empty() const { return m_mask == 0; }
    // Calls f on every candidate; f must not change the lists.
    template <typename F>
    void for_each(F f) {
        for (list& l : m_lists)
            for (candidate& c : l)
                f(c);
    }

private:
    using list = boost::intrusive::list<
        candidate,
        boost::intrusive::member_hook<candidate, boost::intrusive::list_member_hook<>,
                                      &candidate::node>,
        boost::intrusive::constant_time_size<false>>;
    std::array<list, PRIORITY_LEVELS> m_lists;
    uint32_t m_mask = 0; // bit p set: m_lists[p] is not empty
};

} // namespace gicv5::detail
