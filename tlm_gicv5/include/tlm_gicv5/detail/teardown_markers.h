// Destroying many SystemC objects in time linear in their number.
//
// SystemC 2.3.4 forgets a destroyed object by a linear search, moving the last entry into the
// hole: its port and export registries search from the end, its module registry and a parent's
// child list from the front. Destroyed in creation order, or in any order a std::vector's
// destructor gives, each search runs past about all the others: time that grows as their number
// squared (a quarter of the time of a 32k-PE run). Destroyed last made first, each port and
// export is the last entry. And two empty modules made just before the run of objects and
// destroyed first (release()) leave the two front slots of the child list and of the module
// registry to the last entries: one object made after the run and still there, and the last of
// the run; each one destroyed next then sits in those front slots. So every search ends within
// the first few entries. (The platform, the bus and the IRS make thousands of objects per
// platform, one or more per PE.)
#pragma once

#include <systemc>

#include <array>
#include <memory>
#include <string>

namespace gicv5::detail {

class teardown_markers {
public:
    // Makes the two markers, `name`0 and `name`1, in the module being constructed.
    explicit teardown_markers(const std::string& name) {
        for (std::size_t i = 0; i < m_markers.size(); ++i)
            m_markers[i] = std::make_unique<marker>((name + std::to_string(i)).c_str());
    }
    ~teardown_markers() { release(); }
    teardown_markers(const teardown_markers&) = delete;
    teardown_markers& operator=(const teardown_markers&) = delete;
    // Destroys them: first, before the run of objects, last made first (or as a member declared
    // after the run's owners, which C++ destroys before them).
    void release() {
        for (auto& m : m_markers)
            m.reset();
    }
    // The markers, in the order release() destroys them (nullptr once it has).
    std::array<const sc_core::sc_object*, 2> objects() const {
        return {m_markers[0].get(), m_markers[1].get()};
    }

private:
    struct marker : sc_core::sc_module {
        explicit marker(const sc_core::sc_module_name& name) : sc_module(name) {}
    };
    std::array<std::unique_ptr<marker>, 2> m_markers;
};

} // namespace gicv5::detail
