// What a DMI access still occupies: the shared resources (timed_resource.h) that an access
// through b_transport would book on its way, an interconnect's and the target's.
//
// An initiator that asks for DMI attaches a dmi_path to the get_direct_mem_ptr request (set it,
// call, then clear it: the payload must not own it). Each component on the way that models
// contention appends its resource and the occupancy of one access, in path order (the
// interconnect before the target). The initiator then books them itself on each DMI access, in
// that order, each from the time the previous one let it go, and adds their waits to the
// grant's latency: the same timing as b_transport, without the call chain. A component that
// does not know the extension adds nothing: its contention is not modelled under DMI. A path
// with more hops than it holds is marked `overflow`; the initiator must then not use DMI.
#pragma once

#include "tlm_gicv5/timed_resource.h"

#include <tlm>

#include <array>

namespace gicv5 {

struct dmi_path : tlm::tlm_extension<dmi_path> {
    struct hop {
        timed_resource* resource = nullptr;
        sc_core::sc_time occupancy; // per access
        sc_core::sc_time per_byte;  // plus this per byte of the access (bandwidth)
        sc_core::sc_time occupancy4, occupancy8; // of 4- and 8-byte accesses (ISTEs, words)
        sc_core::sc_time occupancy_of(unsigned bytes) const {
            return bytes == 4 ? occupancy4
                   : bytes == 8 ? occupancy8
                                : occupancy + per_byte * static_cast<double>(bytes);
        }
    };
    static constexpr unsigned MAX_HOPS = 4;
    std::array<hop, MAX_HOPS> hops{};
    unsigned count = 0;
    bool overflow = false;

    void add(timed_resource& r, const sc_core::sc_time& occupancy,
             const sc_core::sc_time& per_byte = sc_core::SC_ZERO_TIME) {
        if (count == MAX_HOPS)
            overflow = true;
        else
            hops[count++] = {&r, occupancy, per_byte, occupancy + per_byte * 4.0,
                             occupancy + per_byte * 8.0};
    }
    void clear() {
        count = 0;
        overflow = false;
    }

    tlm::tlm_extension_base* clone() const override { return new dmi_path(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        *this = static_cast<const dmi_path&>(other);
    }
};

} // namespace gicv5
