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
    hppi offered;      // what that PE was last told
    uint64_t dbr = 0;  // a vPE's doorbell: IRS_VPE_DBR layout (INTID, DBPM, REQ_DB, DBV)
    uint64_t desc = 0; // a vPE's descriptor (reference §5.3), where dbr and dps are kept
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

// The geometry of an IST, from IRS_IST_CFGR or a vIST descriptor (reference §3, §5.3).
struct ist_geometry {
    unsigned id_bits = 0;
    unsigned istsz = 0; // ISTE size 4 << istsz bytes
    unsigned l2sz = 0;  // L2 table size 4 KiB << (2 * l2sz)
    bool two_level = false;
};

// An IST as the IRS knows it once it is valid: the physical LPI IST, or a VM's LPI or SPI vIST.
// One candidate node per ID it holds. For a two-level IST the IRS keeps the L2 addresses of the
// L1 entries it made valid (an L1 cache); each valid L2 table has its nodes.
struct ist_state {
    bool valid = false;
    bool two_level = false;
    intid_type type = intid_type::LPI; // the type of the INTIDs it holds
    uint64_t base = 0;
    unsigned id_bits = 0;
    unsigned istsz = 0;
    unsigned l2bits = 0; // ID bits one L2 table covers
    std::vector<candidate> linear_nodes;
    std::vector<uint64_t> l2_addr; // per L1 index; 0 = that L1 entry is not valid
    std::vector<std::vector<candidate>> l2_nodes;

    unsigned entry_shift() const { return 2 + istsz; }
    bool in_range(uint32_t id) const { return valid && id < (uint64_t{1} << id_bits); }
    // Where ID id's ISTE is and which node stands for it; false if the IST does not hold it: not
    // valid, beyond its ID bits, or in a missing L2 table (reference §8.6).
    bool locate(uint32_t id, uint64_t& addr, candidate*& node) {
        if (!in_range(id))
            return false;
        if (!two_level) {
            addr = base + (uint64_t{id} << entry_shift());
            node = &linear_nodes[id];
            return true;
        }
        const std::size_t l1 = id >> l2bits;
        if (l2_addr[l1] == 0)
            return false;
        const uint32_t l2 = id & ((1u << l2bits) - 1);
        addr = l2_addr[l1] + (uint64_t{l2} << entry_shift());
        node = &l2_nodes[l1][l2];
        return true;
    }
    template <typename F>
    void for_each_node(F f) {
        for (candidate& c : linear_nodes)
            f(c);
        for (auto& block : l2_nodes)
            for (candidate& c : block)
                f(c);
    }
};

struct vm_state {
    bool valid = false;
    uint64_t vm_dbr = 0; // IRS_VM_DBR
    uint64_t vmd = 0;    // the VM descriptor, when IRS_IDR3.VMD
    uint64_t vpet_base = 0;
    unsigned vpe_id_bits = 0;
    // The vISTs come before space: members are destroyed in reverse order, so the candidate
    // lists in space.targets are cleared (unlinking their nodes) before the nodes go away.
    ist_state lpi, spi;
    interrupt_space space; // targets = vPEs

    // The vIST that holds INTIDs of type t; nullptr for PPIs (they live in the CPU interface).
    ist_state* vist(intid_type t) {
        return t == intid_type::LPI ? &lpi : t == intid_type::SPI ? &spi : nullptr;
    }
};

} // namespace gicv5::detail
