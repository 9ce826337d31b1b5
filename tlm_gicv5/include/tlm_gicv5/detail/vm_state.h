// The IRS's private view of the VMs it has mapped: what it cached from the VM table at VMAP time
// (hardware keeps such state in its VMTE/VPE caches and descriptors), plus the HPPI bookkeeping.
// The architected interrupt state itself stays in the vISTs in memory.
#pragma once

#include "tlm_gicv5/detail/hppi_tracker.h"
#include "tlm_gicv5/intid.h"
#include "tlm_gicv5/stream.h"

#include <cstdint>
#include <vector>

namespace gicv5::detail {

struct vist_state {
    bool valid = false;
    uint64_t base = 0;
    unsigned id_bits = 0;
    unsigned istsz = 0;
    std::vector<candidate> nodes; // one per ID, allocated at VMAP

    bool in_range(uint32_t id) const { return valid && id < (uint64_t{1} << id_bits); }
    uint64_t entry_address(uint32_t id) const { return base + (uint64_t{id} << (2 + istsz)); }
};

struct vpe_state {
    bool valid = false;
    bool dps = false;
    int resident_pe = -1;
    hppi_target candidates;
    hppi offered; // what the resident PE was last told
};

struct vm_state {
    uint16_t id = 0;
    bool valid = false;
    uint64_t vpet_base = 0;
    unsigned vpe_id_bits = 0;
    // spi comes before vpes: members are destroyed in reverse order, so the candidate lists in
    // vpes are cleared (unlinking their nodes) before the nodes in spi go away.
    vist_state spi;
    std::vector<vpe_state> vpes;
};

} // namespace gicv5::detail
