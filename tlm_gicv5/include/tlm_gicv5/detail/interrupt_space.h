// The IRS's private bookkeeping of interrupt spaces: the physical domain (its PEs and wired SPIs)
// and each mapped VM (its vPEs and what it cached from the VM table at VMAP time, as hardware
// keeps in its VMTE/VPE caches and descriptors). Architected state that lives in memory (ISTs,
// vISTs) stays there; physical SPI state lives in the IRS (reference §1).
#pragma once

#include "tlm_gicv5/detail/hppi_tracker.h"
#include "tlm_gicv5/intid.h"
#include "tlm_gicv5/stream.h"

#include <cstdint>
#include <vector>

namespace gicv5::detail {

// A target of HPPI selection: a PE (physical) or a vPE (virtual).
struct target {
    bool valid = false; // the PE exists / the vPE is mapped
    bool dps = false;   // IRS_PE_CR0.DPS / IRS_VPE_CR0.DPS
    int pe = -1;        // where its HPPI goes: the PE itself, or where the vPE is resident
    hppi_target candidates;
    hppi offered;     // what that PE was last told
    uint64_t dbr = 0; // a vPE's doorbell: IRS_VPE_DBR layout (INTID, DBPM, REQ_DB, DBV)
};

// The targets of one interrupt space. `vm` is meaningful when `virt`.
struct interrupt_space {
    bool virt = false;
    uint16_t vm = 0;
    bool quiesced = false; // IRS_SAVE_VMR.Q: nothing is forwarded or rung
    std::vector<target> targets;
};

// A physical wired SPI (reference §2.5): its ISTE-format state, wire and trigger mode.
struct spi_state {
    uint32_t iste = 0;
    bool line = false;
    bool level_triggered = false; // IRS_SPI_CFGR.TM
    uint64_t vmr = 0;             // IRS_SPI_VMR: when VIRT, the wire belongs to a VM
    candidate node;
};

// The physical LPI IST (reference §3) as the IRS knows it once IRS_IST_BASER is valid. For a
// two-level IST the IRS keeps the L2 addresses of the L1 entries it made valid (an L1 cache);
// each valid L2 table has its candidate nodes.
struct ist_state {
    bool valid = false;
    bool two_level = false;
    uint64_t base = 0;
    unsigned id_bits = 0;
    unsigned istsz = 0;
    unsigned l2bits = 0;
    std::vector<candidate> linear_nodes;
    std::vector<uint64_t> l2_addr; // per L1 index; 0 = that L1 entry is not valid
    std::vector<std::vector<candidate>> l2_nodes;

    unsigned entry_shift() const { return 2 + istsz; }
};

struct vist_state {
    bool valid = false;
    uint64_t base = 0;
    unsigned id_bits = 0;
    unsigned istsz = 0;
    std::vector<candidate> nodes; // one per ID, allocated at VMAP

    bool in_range(uint32_t id) const { return valid && id < (uint64_t{1} << id_bits); }
    uint64_t entry_address(uint32_t id) const { return base + (uint64_t{id} << (2 + istsz)); }
};

struct vm_state {
    bool valid = false;
    uint64_t vm_dbr = 0; // IRS_VM_DBR
    uint64_t vpet_base = 0;
    unsigned vpe_id_bits = 0;
    // spi comes before space: members are destroyed in reverse order, so the candidate lists in
    // space.targets are cleared (unlinking their nodes) before the nodes in spi go away.
    vist_state spi;
    interrupt_space space; // targets = vPEs
};

} // namespace gicv5::detail
