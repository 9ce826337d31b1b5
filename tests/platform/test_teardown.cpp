// Building and tearing down a platform cost time linear in its PEs. SystemC 2.3.4 forgets a
// destroyed object by a linear search: from the end in its port and export registries, from the
// front in its module registry and a parent's child list, moving the last entry into the hole
// (tlm_gicv5/detail/teardown_markers.h). These tests check the order the platform destroys its
// per-PE parts in, and the bus its per-initiator sockets, against those searches (without timing
// the host): the ports' searches end at once when the objects go last made first, and the child
// list's (which the module registry's, holding the same modules in the same order, follows) when
// two empty markers made before them go first. The speed itself: gicv5-bench's pes case.
#include "platform/gicv5_platform.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

using platform::gicv5_platform;
using sc_core::sc_object;

namespace {

constexpr unsigned PES = 64;

platform::platform_config many_pes() {
    platform::platform_config cfg;
    cfg.pes.resize(PES, {platform::pe_role::vcpu});
    return cfg;
}

// The platform's children that teardown_order() holds, in the order they were made.
std::vector<const sc_object*> parts_as_made(const gicv5_platform& top) {
    const std::vector<const sc_object*> order = top.teardown_order();
    const std::set<const sc_object*> parts(order.begin(), order.end());
    std::vector<const sc_object*> made;
    for (const sc_object* c : top.get_child_objects())
        if (parts.count(c))
            made.push_back(c);
    return made;
}

void expect_last_made_first(bool protocol_checks) {
    gicv5_platform top("top", many_pes(), platform::build_options{true, protocol_checks});
    const std::vector<const sc_object*> order = top.teardown_order();
    const std::vector<const sc_object*> made = parts_as_made(top);
    // A CPU interface and a PE per PE, with checks (also on when the suite sets
    // GICV5_PROTOCOL_CHECKS=1) also the checkers of its two stream links and its MMIO; and the
    // two markers.
    const char* env = std::getenv("GICV5_PROTOCOL_CHECKS");
    const bool checks = protocol_checks || (env && std::string(env) == "1");
    ASSERT_EQ(order.size(), 2 + PES * (checks ? 5u : 2u));
    ASSERT_EQ(made.size(), order.size()) << "every part is a child of the platform";
    EXPECT_EQ(order[0], made[0]) << "the markers go first, and were made first";
    EXPECT_EQ(order[1], made[1]);
    EXPECT_TRUE(std::equal(order.begin() + 2, order.end(), made.rbegin()))
        << "the parts go last made first";
}

TEST(Teardown, DestroysThePerPePartsLastMadeFirst) { expect_last_made_first(false); }

TEST(Teardown, DestroysThePerPePartsLastMadeFirstWithProtocolCheckers) {
    expect_last_made_first(true);
}

// SystemC's child list search (from the front, the last entry moved into the hole), replayed on
// `list` for the objects of `order`: the most entries one search reads to find its object.
std::size_t longest_search(std::vector<const sc_object*> list,
                           const std::vector<const sc_object*>& order) {
    std::size_t longest = 0;
    for (const sc_object* o : order) {
        const auto at = std::find(list.begin(), list.end(), o);
        EXPECT_NE(at, list.end());
        if (at == list.end())
            break;
        longest = std::max<std::size_t>(longest, at - list.begin() + 1);
        *at = list.back();
        list.pop_back();
    }
    return longest;
}

TEST(Teardown, EachSearchOfTheChildListEndsWithinTheFirstEntries) {
    gicv5_platform top("top", many_pes(), platform::build_options{true, true});
    // Before the markers: the memory, the bus, the IRS and the bus's own checkers.
    const auto& children = top.get_child_objects();
    const std::size_t before = static_cast<std::size_t>(
        std::find(children.begin(), children.end(), top.teardown_order().front()) -
        children.begin());
    EXPECT_LT(before, 10u);
    // The drain monitor's process, made after the parts, is still a child here: it takes the
    // first marker's slot, and each part the second's.
    const std::vector<const sc_object*> list(children.begin(), children.end());
    EXPECT_LE(longest_search(list, top.teardown_order()), before + 2);
}

// The children of `m` made after its markers `marker`0 and `marker`1 (at least `at_least` of
// them), destroyed after the markers last made first: each search of m's child list ends within
// the first entries.
void expect_cheap_teardown(const sc_core::sc_module& m, const std::string& marker,
                           std::size_t at_least) {
    const std::vector<sc_object*>& children = m.get_child_objects();
    const std::string name = std::string(m.name()) + "." + marker;
    const auto first = std::find_if(children.begin(), children.end(),
                                    [&](const sc_object* o) { return o->name() == name + "0"; });
    ASSERT_NE(first, children.end());
    ASSERT_NE(first + 1, children.end());
    EXPECT_EQ((*(first + 1))->name(), name + "1");
    std::vector<const sc_object*> order{*first, *(first + 1)};
    order.insert(order.end(), children.rbegin(),
                 std::vector<sc_object*>::const_reverse_iterator(first + 2));
    EXPECT_GE(order.size(), 2 + at_least);
    std::vector<const sc_object*> list(children.begin(), children.end());
    const std::size_t before = static_cast<std::size_t>(first - children.begin());
    EXPECT_LE(longest_search(list, order), before + 2);
}

// The bus: a target socket per initiator (a multi-socket's bindings cost n^2 to check), each
// made after the bus's two markers and destroyed after them, last made first (sc_vector).
TEST(Teardown, EachSearchOfTheBussChildListEndsWithinTheFirstEntries) {
    gicv5_platform top("top", many_pes());
    ASSERT_EQ(top.bus.target_socket.size(), PES + 1) << "one per PE and one for the IRS";
    expect_cheap_teardown(top.bus, "teardown_marker", 2 * (PES + 1)); // each socket, its port
}

// The IRS: a port per PE for each stream socket, made after its markers; with no SPIs, nothing
// else follows them.
TEST(Teardown, EachSearchOfTheIrssChildListEndsWithinTheFirstEntries) {
    platform::platform_config cfg = many_pes();
    cfg.irs.spi_irs_range = 0;
    gicv5_platform top("top", cfg);
    EXPECT_EQ(top.irs.stream_in.size(), PES);
    EXPECT_EQ(top.irs.stream_out.size(), PES);
    expect_cheap_teardown(top.irs, "stream_marker", 2 * PES);
}

} // namespace
