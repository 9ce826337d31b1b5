// The IRS config frame (reference §2.3): every register the model implements, declared once.
// The model decodes accesses through irs_config_frame[], and the tests iterate over the same table,
// so no offset is typed twice. Offsets not in the table are reserved: RAZ/WI (reference §2.2).
#pragma once

#include "tlm_gicv5/bits.h"

#include <cstddef>
#include <cstdint>

namespace gicv5 {

enum class reg_access : uint8_t {
    RO, // writes ignored
    RW, // writable bits given by wmask; the rest read as the model computes them
};

struct reg_desc {
    const char* name;
    uint32_t offset;
    uint8_t width; // bits: 32 or 64; accesses of this width, or 4 bytes at either half of 64
    reg_access access;
    uint64_t reset; // reset value; for ID registers the value derived from the parameters
    uint64_t wmask; // bits software can change (RW registers)
};

// X(name, offset, width, access, reset, wmask).
// IDR reset values are filled in from irs_params at construction (reset column 0 here).
#define GICV5_IRS_CONFIG_REGS(X)                                                                   \
    X(IRS_IDR0, 0x000, 32, RO, 0, 0)                                                               \
    X(IRS_IDR1, 0x004, 32, RO, 0, 0)                                                               \
    X(IRS_IDR2, 0x008, 32, RO, 0, 0)                                                               \
    X(IRS_IDR3, 0x00C, 32, RO, 0, 0)                                                               \
    X(IRS_IDR4, 0x010, 32, RO, 0, 0)                                                               \
    X(IRS_IDR5, 0x014, 32, RO, 0, 0)                                                               \
    X(IRS_IDR6, 0x018, 32, RO, 0, 0)                                                               \
    X(IRS_IDR7, 0x01C, 32, RO, 0, 0)                                                               \
    X(IRS_IIDR, 0x040, 32, RO, 0, 0)                                                               \
    X(IRS_AIDR, 0x044, 32, RO, 0, 0)                                                               \
    X(IRS_CR0, 0x080, 32, RW, 0x2, 0x1)                                                            \
    X(IRS_CR1, 0x084, 32, RW, 0, 0xffff)                                                           \
    X(IRS_SYNCR, 0x0C0, 32, RW, 0, 0x80000000)                                                     \
    X(IRS_SYNC_STATUSR, 0x0C4, 32, RO, 0x1, 0)                                                     \
    X(IRS_SPI_VMR, 0x100, 64, RW, 0, 0x800000000000ffffull)                                        \
    X(IRS_SPI_SELR, 0x108, 32, RW, 0, 0xffffff)                                                    \
    X(IRS_SPI_DOMAINR, 0x10C, 32, RO, 0, 0)                                                        \
    X(IRS_SPI_RESAMPLER, 0x110, 32, RW, 0, 0xffffff)                                               \
    X(IRS_SPI_CFGR, 0x114, 32, RW, 0, 0x1)                                                         \
    X(IRS_SPI_STATUSR, 0x118, 32, RO, 0x1, 0)                                                      \
    X(IRS_PE_SELR, 0x140, 32, RW, 0, 0xffff)                                                       \
    X(IRS_PE_STATUSR, 0x144, 32, RO, 0x1, 0)                                                       \
    X(IRS_PE_CR0, 0x148, 32, RW, 0, 0x1)                                                           \
    X(IRS_IST_BASER, 0x180, 64, RW, 0, 0x00ffffffffffffc1ull)                                      \
    X(IRS_IST_CFGR, 0x190, 32, RW, 0, 0x101ff)                                                     \
    X(IRS_IST_STATUSR, 0x194, 32, RO, 0x1, 0)                                                      \
    X(IRS_MAP_L2_ISTR, 0x1C0, 32, RW, 0, 0xffffff)                                                 \
    X(IRS_VMT_BASER, 0x200, 64, RW, 0, 0x00fffffffffffff9ull)                                      \
    X(IRS_VMT_CFGR, 0x210, 32, RW, 0, 0x1001f)                                                     \
    X(IRS_VMT_STATUSR, 0x214, 32, RO, 0x1, 0)                                                      \
    X(IRS_VPE_SELR, 0x240, 64, RW, 0, 0x8000ffff0000ffffull)                                       \
    X(IRS_VPE_DBR, 0x248, 64, RW, 0, 0xc000001f00ffffffull)                                        \
    X(IRS_VPE_HPPIR, 0x250, 64, RO, 0, 0)                                                          \
    X(IRS_VPE_CR0, 0x258, 32, RW, 0, 0x1)                                                          \
    X(IRS_VPE_STATUSR, 0x25C, 32, RO, 0x1, 0)                                                      \
    X(IRS_VM_DBR, 0x280, 64, RW, 0, 0x800000000000ffffull)                                         \
    X(IRS_VM_SELR, 0x288, 32, RW, 0, 0xffff)                                                       \
    X(IRS_VM_STATUSR, 0x28C, 32, RO, 0x1, 0)                                                       \
    X(IRS_VMAP_L2_VMTR, 0x2C0, 64, RW, 0, 0x800000000000ffffull)                                   \
    X(IRS_VMAP_VMR, 0x2C8, 64, RW, 0, 0xc00000000000ffffull)                                       \
    X(IRS_VMAP_VISTR, 0x2D0, 64, RW, 0, 0xc000ffffe0000000ull)                                     \
    X(IRS_VMAP_L2_VISTR, 0x2D8, 64, RW, 0, 0x8000ffffe0ffffffull)                                  \
    X(IRS_VMAP_VPER, 0x2E0, 64, RW, 0, 0x8000ffff0000ffffull)                                      \
    X(IRS_SAVE_VMR, 0x300, 64, RW, 0, 0xc00000000000ffffull)                                       \
    X(IRS_SAVE_VM_STATUSR, 0x308, 32, RO, 0x1, 0)                                                  \
    X(IRS_SWERR_STATUSR, 0x3C0, 64, RW, 0, 0x1)                                                    \
    X(IRS_SWERR_SYNDROMER0, 0x3C8, 64, RO, 0, 0)                                                   \
    X(IRS_SWERR_SYNDROMER1, 0x3D0, 64, RO, 0, 0)

enum class irs_reg : uint8_t {
#define GICV5_X(n, ...) n,
    GICV5_IRS_CONFIG_REGS(GICV5_X)
#undef GICV5_X
        count
};

inline constexpr reg_desc irs_config_frame[] = {
#define GICV5_X(n, off, w, acc, rst, wm) {#n, off, w, reg_access::acc, rst, wm},
    GICV5_IRS_CONFIG_REGS(GICV5_X)
#undef GICV5_X
};
inline constexpr std::size_t irs_config_frame_count = static_cast<std::size_t>(irs_reg::count);
static_assert(sizeof(irs_config_frame) / sizeof(irs_config_frame[0]) == irs_config_frame_count);

constexpr const reg_desc& desc(irs_reg r) { return irs_config_frame[static_cast<std::size_t>(r)]; }

// The register at this offset, or nullptr for a reserved offset. Only the base offset matches.
const reg_desc* irs_config_lookup(uint32_t offset, irs_reg* which = nullptr);

constexpr uint32_t IRS_CONFIG_FRAME_SIZE = 0x10000; // 64 KiB (reference §2.2)

// Fields, spec names verbatim.
namespace IRS_IDR0 {
constexpr field INT_DOM{1, 0}, PA_RANGE{5, 2}, VIRT{6, 6}, ONE_N{7, 7}, VIRT_ONE_N{8, 8},
    SETLPI{9, 9}, MEC{10, 10}, MPAM{11, 11}, SWE{12, 12}, IRSID{31, 16};
}
namespace IRS_IDR1 {
constexpr field PE_CNT{15, 0}, IAFFID_BITS{19, 16}, PRI_BITS{22, 20};
}
namespace IRS_IDR2 {
constexpr field ID_BITS{4, 0}, LPI{5, 5}, MIN_LPI_ID_BITS{9, 6}, IST_LEVELS{10, 10},
    IST_L2SZ{13, 11}, ISTMD{14, 14}, ISTMD_SZ{19, 15};
}
namespace IRS_IDR3 {
constexpr field VMD{0, 0}, VMD_SZ{4, 1}, VM_ID_BITS{9, 5}, VMT_LEVELS{10, 10};
}
namespace IRS_IDR4 {
constexpr field VPED_SZ{5, 0}, VPE_ID_BITS{9, 6};
}
namespace IRS_IDR5 {
constexpr field SPI_RANGE{24, 0};
}
namespace IRS_IDR6 {
constexpr field SPI_IRS_RANGE{24, 0};
}
namespace IRS_IDR7 {
constexpr field SPI_BASE{23, 0};
}
namespace IRS_IIDR {
constexpr field IMPLEMENTER{11, 0}, REVISION{15, 12}, VARIANT{19, 16}, PRODUCTID{31, 20};
}
namespace IRS_AIDR {
constexpr field ARCHMINORREV{3, 0}, ARCHMAJORREV{7, 4}, COMPONENT{11, 8};
}
namespace IRS_CR0 {
constexpr field IRSEN{0, 0}, IDLE{1, 1};
}
namespace IRS_SYNCR {
constexpr field SYNC{31, 31};
}
namespace IRS_SYNC_STATUSR {
constexpr field IDLE{0, 0};
}
// IRS_SPI_DOMAINR reads as zero and ignores writes outside the EL3 frame (reference §2.3).
// IRS_SPI_VMR acts on the SPI IRS_SPI_SELR selects: VIRT = 1 gives its wire to VM VM_ID.
namespace IRS_SPI_VMR {
constexpr field VM_ID{15, 0}, VIRT{63, 63};
}
namespace IRS_SPI_SELR {
constexpr field ID{23, 0};
}
namespace IRS_SPI_RESAMPLER {
constexpr field SPI_ID{23, 0};
}
namespace IRS_SPI_CFGR {
constexpr field TM{0, 0};
}
namespace IRS_SPI_STATUSR {
constexpr field IDLE{0, 0}, V{1, 1};
}
namespace IRS_PE_SELR {
constexpr field IAFFID{15, 0};
}
namespace IRS_PE_STATUSR {
constexpr field IDLE{0, 0}, V{1, 1}, ONLINE{2, 2};
}
namespace IRS_PE_CR0 {
constexpr field DPS{0, 0};
}
namespace IRS_IST_BASER {
constexpr field VALID{0, 0}, ADDR{55, 6};
}
namespace IRS_IST_CFGR {
constexpr field LPI_ID_BITS{4, 0}, L2SZ{6, 5}, ISTSZ{8, 7}, STRUCTURE{16, 16};
}
namespace IRS_IST_STATUSR {
constexpr field IDLE{0, 0};
}
namespace IRS_MAP_L2_ISTR {
constexpr field ID{23, 0};
}

// The SETLPI frame (reference §2.2): one register. Its offset is not confirmed by any public
// source; the model puts it at 0 (our choice, documented in the README).
constexpr uint32_t IRS_SETLPI_FRAME_SIZE = 0x10000;
constexpr uint32_t IRS_SETLPIR_OFFSET = 0x0;
namespace IRS_SETLPIR {
constexpr field ID{23, 0};
}

namespace IRS_VMT_BASER {
constexpr field VALID{0, 0}, ADDR{55, 3};
}
namespace IRS_VMT_CFGR {
constexpr field VM_ID_BITS{4, 0}, STRUCTURE{16, 16};
}
namespace IRS_VMT_STATUSR {
constexpr field IDLE{0, 0};
}
namespace IRS_VPE_SELR {
constexpr field VM_ID{15, 0}, VPE_ID{47, 32}, S{63, 63};
}
namespace IRS_VPE_DBR {
constexpr field INTID{23, 0}, DBPM{36, 32}, REQ_DB{62, 62}, DBV{63, 63};
}
namespace IRS_VPE_HPPIR {
constexpr field ID{23, 0}, TYPE{31, 29}, HPPIV{32, 32};
}
namespace IRS_VPE_CR0 {
constexpr field DPS{0, 0};
}
// F (fault) is at bit 2: no public source gives its position (reference §2.3); our choice.
namespace IRS_VPE_STATUSR {
constexpr field IDLE{0, 0}, V{1, 1}, F{2, 2};
}
// VM-level doorbell for 1-of-N virtual routing (IRS_IDR0.VIRT_ONE_N = 0 here: kept, not used).
namespace IRS_VM_DBR {
constexpr field VPE_ID{15, 0}, EN{63, 63};
}
namespace IRS_VM_SELR {
constexpr field VM_ID{15, 0};
}
namespace IRS_VM_STATUSR {
constexpr field IDLE{0, 0}, V{1, 1};
}
namespace IRS_VMAP_L2_VMTR {
constexpr field VM_ID{15, 0}, M{63, 63};
}
namespace IRS_VMAP_VMR {
constexpr field VM_ID{15, 0}, U{62, 62}, M{63, 63};
}
namespace IRS_VMAP_VISTR {
constexpr field TYPE{31, 29}, VM_ID{47, 32}, U{62, 62}, M{63, 63};
}
// IRS_VMAP_L2_VISTR: makes valid the L2 table of a two-level vIST (TYPE 2 = LPI, 3 = SPI) that
// holds ID.
namespace IRS_VMAP_L2_VISTR {
constexpr field ID{23, 0}, TYPE{31, 29}, VM_ID{47, 32}, M{63, 63};
}
// IRS_SAVE_VMR: S = 1 saves VM VM_ID (the IRS writes back what it caches of its tables); Q = 1
// also quiesces it (nothing of it is forwarded until a save with Q = 0). Our reading of the
// register (README).
namespace IRS_SAVE_VMR {
constexpr field VM_ID{15, 0}, Q{62, 62}, S{63, 63};
}
namespace IRS_SAVE_VM_STATUSR {
constexpr field IDLE{0, 0}, Q{1, 1};
}

// Software-error records (reference §2.3). Writing 1 to V clears the record.
namespace IRS_SWERR_STATUSR {
constexpr field V{0, 0}, S0V{1, 1}, S1V{2, 2}, OF{3, 3}, EC{23, 16}, IMP_EC{31, 24};
}
namespace IRS_SWERR_SYNDROMER0 {
constexpr field VM_ID{15, 0}, ID{55, 32}, TYPE{62, 60}, VIRTUAL{63, 63};
}
namespace IRS_SWERR_SYNDROMER1 {
constexpr field ADDR{55, 3};
}
// The error codes the model records in IRS_SWERR_STATUSR.EC. The architecture's encodings are
// not public, so these are the model's own (README, "Modelling choices").
enum class swerr : uint8_t {
    unknown_intid = 0x01,   // a command for an INTID the IRS does not hold (S0V)
    unmapped_vm = 0x02,     // a command or request for a VM, vPE or vIST not mapped (S0V)
    table_access = 0x03,    // a table access that got a bus error (S1V: its address)
    register_misuse = 0x04, // a register write the IRS ignored (bad value, selector or timing)
};

namespace IRS_VMAP_VPER {
constexpr field VPE_ID{15, 0}, VM_ID{47, 32}, M{63, 63};
}

} // namespace gicv5
