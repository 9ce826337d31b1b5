// Tearing a platform down costs time linear in its PEs. SystemC 2.3.4 forgets a destroyed object
// by a linear search: from the end in its port and export registries, from the front in its
// module registry and a parent's child list, moving the last entry into the hole. These tests
// check the order the platform destroys its per-PE parts in against those searches (without
// timing the host): the ports' searches end at once when the parts go last made first, and the
// child list's (which the module registry's, holding the same modules in the same order, follows)
// when two empty markers made before the parts go first.
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

// SystemC's child list search, replayed on the platform's real child list in teardown order:
// how many entries each search reads before it finds its object.
std::size_t longest_child_search(const gicv5_platform& top) {
    const std::vector<sc_object*>& children = top.get_child_objects();
    std::vector<const sc_object*> list(children.begin(), children.end());
    std::size_t longest = 0;
    for (const sc_object* o : top.teardown_order()) {
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
    EXPECT_LE(longest_child_search(top), before + 2);
}

} // namespace
