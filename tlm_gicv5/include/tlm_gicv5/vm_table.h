// VM table, VPE table and virtual IST descriptors in memory (reference §5.3).
// VALID bits in these entries are set by the IRS in answer to VMAP writes, never by software.
#pragma once

#include "tlm_gicv5/bits.h"
#include "tlm_gicv5/intid.h"

#include <cstdint>

namespace gicv5 {

constexpr unsigned VMTE_BYTES = 32; // L2 VMTE: four 64-bit words
constexpr unsigned VPETE_BYTES = 8;

// VMTE word 0: VALID, VM descriptor address.
namespace VMTE_W0 {
constexpr field VALID{0, 0}, VMD_ADDR{55, 3};
}
// VMTE word 1: VPE table address and width of the vPE ID.
namespace VMTE_W1 {
constexpr field VPET_ADDR{55, 3}, VPE_ID_BITS{63, 59};
}
// VMTE words 2 (LPI vIST) and 3 (SPI vIST): a vIST descriptor.
namespace VIST_DESC {
constexpr field IST_VALID{0, 0}, L2SZ{2, 1}, ADDR{55, 6}, ISTSZ{57, 56}, STRUCTURE{58, 58},
    ID_BITS{63, 59};
}
// The model's bound on an SPI vIST: 65,536 SPIs per VM (its nodes are allocated at VMAP).
constexpr unsigned MAX_SPI_VIST_ID_BITS = 16;

enum class vmte_word : unsigned { vmd = 0, vpet = 1, lpi_vist = 2, spi_vist = 3 };
// The VMTE word that describes the vIST of INTID type t (LPI or SPI), and back.
constexpr vmte_word vist_word(intid_type t) {
    return t == intid_type::LPI ? vmte_word::lpi_vist : vmte_word::spi_vist;
}
constexpr intid_type vist_type(vmte_word w) {
    return w == vmte_word::lpi_vist ? intid_type::LPI : intid_type::SPI;
}

// VPE table entry: VALID (set by IRS_VMAP_VPER), VPE descriptor address.
namespace VPETE {
constexpr field VALID{0, 0}, VPED_ADDR{55, 3};
}

// The VM descriptor (VMTE word 0, when IRS_IDR3.VMD) and the vPE descriptor (in the VPETE) are
// IRS-private memory of 2^IRS_IDR3.VMD_SZ and 2^IRS_IDR4.VPED_SZ bytes that software allocates
// zeroed and never reads (reference §5.3). Their layout is IMPLEMENTATION DEFINED; the model
// keeps there the settings it must not lose while a vPE is not resident: word 0 of a vPE
// descriptor holds the vPE's IRS_VPE_DBR image, word 1 its IRS_VPE_CR0; word 0 of a VM
// descriptor holds IRS_VM_DBR.
enum class vped_word : unsigned { dbr = 0, cr0 = 1 };
enum class vmd_word : unsigned { vm_dbr = 0 };
template <typename Word>
constexpr uint64_t desc_word_address(uint64_t desc, Word w) {
    return desc + 8u * static_cast<unsigned>(w);
}

// A two-level VM table (reference §5.3): 8-byte L1 entries, each naming a 4 KiB L2 table of
// 128 VMTEs (spec rule D_LSPBK); the IRS sets VALID in answer to IRS_VMAP_L2_VMTR.
namespace L1_VMTE {
constexpr field VALID{0, 0}, L2_ADDR{55, 12};
}
constexpr unsigned VMTES_PER_L2 = 128;
constexpr unsigned L1_VMTE_BYTES = 8;

constexpr uint64_t vmte_word_at(uint64_t vmte, vmte_word w) {
    return vmte + 8u * static_cast<unsigned>(w);
}

constexpr uint64_t vmte_address(uint64_t vmt_base, uint16_t vm_id) {
    return vmt_base + uint64_t{vm_id} * VMTE_BYTES;
}
constexpr uint64_t vmte_word_address(uint64_t vmt_base, uint16_t vm_id, vmte_word w) {
    return vmte_address(vmt_base, vm_id) + 8u * static_cast<unsigned>(w);
}

} // namespace gicv5
