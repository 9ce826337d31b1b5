// GIC system instructions and the ICC_/ICH_ system registers the model implements
// (reference §4.1, §4.2, §5.1, §5.2): encodings, operand layouts and result formats.
#pragma once

#include "tlm_gicv5/bits.h"

#include <cstddef>
#include <cstdint>

namespace gicv5 {

enum class exception_level : uint8_t { EL0 = 0, EL1 = 1, EL2 = 2, EL3 = 3 };

// X(name, op1, CRm, op2, sysl). All have op0 = 1, CRn = 12. sysl = 1 for GICR (a read).
#define GICV5_GIC_INSNS(X)                                                                         \
    X(GSB_SYS, 0, 0, 0, 0)                                                                         \
    X(GSB_ACK, 0, 0, 1, 0)                                                                         \
    X(CDDIS, 0, 1, 0, 0)                                                                           \
    X(CDEN, 0, 1, 1, 0)                                                                            \
    X(CDPRI, 0, 1, 2, 0)                                                                           \
    X(CDAFF, 0, 1, 3, 0)                                                                           \
    X(CDPEND, 0, 1, 4, 0)                                                                          \
    X(CDRCFG, 0, 1, 5, 0)                                                                          \
    X(CDEOI, 0, 1, 7, 0)                                                                           \
    X(CDDI, 0, 2, 0, 0)                                                                            \
    X(CDHM, 0, 2, 1, 0)                                                                            \
    X(CDIA, 0, 3, 0, 1)                                                                            \
    X(CDNMIA, 0, 3, 1, 1)                                                                          \
    X(VDDIS, 4, 1, 0, 0)                                                                           \
    X(VDEN, 4, 1, 1, 0)                                                                            \
    X(VDPRI, 4, 1, 2, 0)                                                                           \
    X(VDAFF, 4, 1, 3, 0)                                                                           \
    X(VDPEND, 4, 1, 4, 0)                                                                          \
    X(VDRCFG, 4, 1, 5, 0)                                                                          \
    X(VDDI, 4, 2, 0, 0)                                                                            \
    X(VDHM, 4, 2, 1, 0)

enum class gic_insn : uint8_t {
#define GICV5_X(n, ...) n,
    GICV5_GIC_INSNS(GICV5_X)
#undef GICV5_X
        count
};
constexpr std::size_t gic_insn_count = static_cast<std::size_t>(gic_insn::count);

struct insn_desc {
    const char* name;
    uint8_t op1, crm, op2;
    bool sysl;
};
inline constexpr insn_desc gic_insns[] = {
#define GICV5_X(n, o1, m, o2, l) {#n, o1, m, o2, l != 0},
    GICV5_GIC_INSNS(GICV5_X)
#undef GICV5_X
};
constexpr const insn_desc& desc(gic_insn i) { return gic_insns[static_cast<std::size_t>(i)]; }
// op1 of the hypervisor's GIC instructions (VD*) and of the ICH_*_EL2 registers: EL2 only.
constexpr uint8_t OP1_EL2 = 4;
constexpr bool needs_el2(gic_insn i) { return desc(i).op1 == OP1_EL2; }

// Operands of the GIC CD* instructions (reference §4.1).
namespace CD_OPERAND {
constexpr field ID{23, 0}, IRM{28, 28}, TYPE{31, 29}, PENDING{32, 32}, HM{32, 32}, IAFFID{47, 32},
    PRIORITY{39, 35};
}
// Operands of the GIC VD* instructions (reference §5.1). Verified: VDPEND's ID, TYPE, VM [47:32]
// and PENDING [63]. The rest is not public; the model's choice, by analogy, kept here and in the
// README's table: every VD* names its VM in [47:32] like VDPEND; a CD* field that lies at bit 32
// or above moves to the top of the word, as PENDING did (HM [63], PRIORITY [63:59], IAFFID
// [63:48]); IRM stays at [28]. VDRCFG takes only ID and TYPE and acts on the VM resident on this
// PE (KVM leaves bits [63:32] zero and issues it while the vPE is resident).
namespace VD_OPERAND {
constexpr field ID{23, 0}, IRM{28, 28}, TYPE{31, 29}, VM{47, 32}, PENDING{63, 63}, HM{63, 63},
    PRIORITY{63, 59}, IAFFID{63, 48};
}
// Result of GICR CDIA / CDNMIA.
namespace CDIA_RESULT {
constexpr field ID{23, 0}, TYPE{31, 29}, VALID{32, 32};
}

// X(name, op0, op1, CRn, CRm, op2)
#define GICV5_SYSREGS(X)                                                                           \
    X(ICC_PPI_HMR0_EL1, 3, 0, 12, 10, 0)                                                           \
    X(ICC_PPI_HMR1_EL1, 3, 0, 12, 10, 1)                                                           \
    X(ICC_IDR0_EL1, 3, 0, 12, 10, 2)                                                               \
    X(ICC_HPPIR_EL1, 3, 0, 12, 10, 3)                                                              \
    X(ICC_ICSR_EL1, 3, 0, 12, 10, 4)                                                               \
    X(ICC_IAFFIDR_EL1, 3, 0, 12, 10, 5)                                                            \
    X(ICC_PPI_ENABLER0_EL1, 3, 0, 12, 10, 6)                                                       \
    X(ICC_PPI_ENABLER1_EL1, 3, 0, 12, 10, 7)                                                       \
    X(ICC_PPI_CACTIVER0_EL1, 3, 0, 12, 13, 0)                                                      \
    X(ICC_PPI_CACTIVER1_EL1, 3, 0, 12, 13, 1)                                                      \
    X(ICC_PPI_SACTIVER0_EL1, 3, 0, 12, 13, 2)                                                      \
    X(ICC_PPI_SACTIVER1_EL1, 3, 0, 12, 13, 3)                                                      \
    X(ICC_PPI_CPENDR0_EL1, 3, 0, 12, 13, 4)                                                        \
    X(ICC_PPI_CPENDR1_EL1, 3, 0, 12, 13, 5)                                                        \
    X(ICC_PPI_SPENDR0_EL1, 3, 0, 12, 13, 6)                                                        \
    X(ICC_PPI_SPENDR1_EL1, 3, 0, 12, 13, 7)                                                        \
    X(ICC_PPI_PRIORITYR0_EL1, 3, 0, 12, 14, 0)                                                     \
    X(ICC_PPI_PRIORITYR1_EL1, 3, 0, 12, 14, 1)                                                     \
    X(ICC_PPI_PRIORITYR2_EL1, 3, 0, 12, 14, 2)                                                     \
    X(ICC_PPI_PRIORITYR3_EL1, 3, 0, 12, 14, 3)                                                     \
    X(ICC_PPI_PRIORITYR4_EL1, 3, 0, 12, 14, 4)                                                     \
    X(ICC_PPI_PRIORITYR5_EL1, 3, 0, 12, 14, 5)                                                     \
    X(ICC_PPI_PRIORITYR6_EL1, 3, 0, 12, 14, 6)                                                     \
    X(ICC_PPI_PRIORITYR7_EL1, 3, 0, 12, 14, 7)                                                     \
    X(ICC_PPI_PRIORITYR8_EL1, 3, 0, 12, 15, 0)                                                     \
    X(ICC_PPI_PRIORITYR9_EL1, 3, 0, 12, 15, 1)                                                     \
    X(ICC_PPI_PRIORITYR10_EL1, 3, 0, 12, 15, 2)                                                    \
    X(ICC_PPI_PRIORITYR11_EL1, 3, 0, 12, 15, 3)                                                    \
    X(ICC_PPI_PRIORITYR12_EL1, 3, 0, 12, 15, 4)                                                    \
    X(ICC_PPI_PRIORITYR13_EL1, 3, 0, 12, 15, 5)                                                    \
    X(ICC_PPI_PRIORITYR14_EL1, 3, 0, 12, 15, 6)                                                    \
    X(ICC_PPI_PRIORITYR15_EL1, 3, 0, 12, 15, 7)                                                    \
    X(ICC_APR_EL1, 3, 1, 12, 0, 0)                                                                 \
    X(ICC_CR0_EL1, 3, 1, 12, 0, 1)                                                                 \
    X(ICC_PCR_EL1, 3, 1, 12, 0, 2)                                                                 \
    X(ICC_HAPR_EL1, 3, 1, 12, 0, 3)                                                                \
    X(ICH_APR_EL2, 3, 4, 12, 8, 4)                                                                 \
    X(ICH_PPI_DVIR0_EL2, 3, 4, 12, 10, 0)                                                          \
    X(ICH_PPI_DVIR1_EL2, 3, 4, 12, 10, 1)                                                          \
    X(ICH_PPI_ENABLER0_EL2, 3, 4, 12, 10, 2)                                                       \
    X(ICH_PPI_ENABLER1_EL2, 3, 4, 12, 10, 3)                                                       \
    X(ICH_PPI_PENDR0_EL2, 3, 4, 12, 10, 4)                                                         \
    X(ICH_PPI_PENDR1_EL2, 3, 4, 12, 10, 5)                                                         \
    X(ICH_PPI_ACTIVER0_EL2, 3, 4, 12, 10, 6)                                                       \
    X(ICH_PPI_ACTIVER1_EL2, 3, 4, 12, 10, 7)                                                       \
    X(ICH_PPI_PRIORITYR0_EL2, 3, 4, 12, 14, 0)                                                     \
    X(ICH_PPI_PRIORITYR1_EL2, 3, 4, 12, 14, 1)                                                     \
    X(ICH_PPI_PRIORITYR2_EL2, 3, 4, 12, 14, 2)                                                     \
    X(ICH_PPI_PRIORITYR3_EL2, 3, 4, 12, 14, 3)                                                     \
    X(ICH_PPI_PRIORITYR4_EL2, 3, 4, 12, 14, 4)                                                     \
    X(ICH_PPI_PRIORITYR5_EL2, 3, 4, 12, 14, 5)                                                     \
    X(ICH_PPI_PRIORITYR6_EL2, 3, 4, 12, 14, 6)                                                     \
    X(ICH_PPI_PRIORITYR7_EL2, 3, 4, 12, 14, 7)                                                     \
    X(ICH_PPI_PRIORITYR8_EL2, 3, 4, 12, 15, 0)                                                     \
    X(ICH_PPI_PRIORITYR9_EL2, 3, 4, 12, 15, 1)                                                     \
    X(ICH_PPI_PRIORITYR10_EL2, 3, 4, 12, 15, 2)                                                    \
    X(ICH_PPI_PRIORITYR11_EL2, 3, 4, 12, 15, 3)                                                    \
    X(ICH_PPI_PRIORITYR12_EL2, 3, 4, 12, 15, 4)                                                    \
    X(ICH_PPI_PRIORITYR13_EL2, 3, 4, 12, 15, 5)                                                    \
    X(ICH_PPI_PRIORITYR14_EL2, 3, 4, 12, 15, 6)                                                    \
    X(ICH_PPI_PRIORITYR15_EL2, 3, 4, 12, 15, 7)                                                    \
    X(ICH_HPPIR_EL2, 3, 4, 12, 8, 5)                                                               \
    X(ICH_HFGRTR_EL2, 3, 4, 12, 9, 4)                                                              \
    X(ICH_HFGWTR_EL2, 3, 4, 12, 9, 6)                                                              \
    X(ICH_HFGITR_EL2, 3, 4, 12, 9, 7)                                                              \
    X(ICH_CONTEXTR_EL2, 3, 4, 12, 11, 6)                                                           \
    X(ICH_VMCR_EL2, 3, 4, 12, 11, 7)

enum class sysreg : uint8_t {
#define GICV5_X(n, ...) n,
    GICV5_SYSREGS(GICV5_X)
#undef GICV5_X
        count
};
struct sysreg_desc {
    const char* name;
    uint8_t op0, op1, crn, crm, op2;
};
inline constexpr sysreg_desc sysregs[] = {
#define GICV5_X(n, o0, o1, n_, m, o2) {#n, o0, o1, n_, m, o2},
    GICV5_SYSREGS(GICV5_X)
#undef GICV5_X
};
constexpr const sysreg_desc& desc(sysreg r) { return sysregs[static_cast<std::size_t>(r)]; }

namespace ICC_ICSR_EL1 {
constexpr field F{0, 0}, Enabled{1, 1}, Pending{2, 2}, IRM{3, 3}, Active{4, 4}, HM{5, 5},
    Priority{15, 11}, IAFFID{47, 32};
}
// PPIs (reference §1, §4.2): 128 per PE in two 64-bit banks; architected numbers.
constexpr unsigned PPI_COUNT = 128;
constexpr unsigned PPI_SW_PPI = 3, PPI_PMUIRQ = 23, PPI_CTIIRQ = 24, PPI_CNTHP = 26, PPI_CNTV = 27,
                   PPI_CNTHV = 28, PPI_CNTP = 30;

namespace ICC_IDR0_EL1 {
constexpr field ID_BITS{3, 0}, PRI_BITS{7, 4}, GCIE_LEGACY{11, 8};
}
namespace ICC_HPPIR_EL1 {
constexpr field ID{23, 0}, TYPE{31, 29}, HPPIV{32, 32};
}
namespace ICC_IAFFIDR_EL1 {
constexpr field IAFFID{15, 0};
}
namespace ICC_HAPR_EL1 {
constexpr field PRIORITY{7, 0};
}
namespace ICC_CR0_EL1 {
constexpr field EN{0, 0}, LINK{1, 1}, LINK_IDLE{2, 2};
}
namespace ICC_PCR_EL1 {
constexpr field PRIORITY{4, 0};
}
namespace ICH_CONTEXTR_EL2 {
constexpr field VM{15, 0}, VPE{47, 32}, DBPM{59, 55}, DB{60, 60}, IRICHPPIDIS{61, 61}, F{62, 62},
    V{63, 63};
}
namespace ICH_VMCR_EL2 {
constexpr field EN{0, 0}, VPMR{31, 27};
}
// Fine-grained traps of the guest's GIC accesses to EL2 (reference §5.2). ICH_HFGRTR_EL2 and
// ICH_HFGWTR_EL2 share one layout (read and write traps).
namespace ICH_HFGxTR_EL2 {
constexpr field APR{0, 0}, IDRn{1, 1}, CR0{2, 2}, HAPR{3, 3}, HPPIR{4, 4}, PCR{5, 5}, ICSR{6, 6},
    IAFFIDR{7, 7}, PPI_HMRn{16, 16}, PPI_ENABLERn{17, 17}, PPI_PENDRn{18, 18},
    PPI_PRIORITYRn{19, 19}, PPI_ACTIVERn{20, 20};
}
namespace ICH_HFGITR_EL2 {
constexpr field CDEN{0, 0}, CDDIS{1, 1}, CDPRI{2, 2}, CDAFF{3, 3}, CDPEND{4, 4}, CDRCFG{5, 5},
    CDHM{6, 6}, CDEOI{7, 7}, CDDI{8, 8}, CDIA{9, 9}, CDNMIA{10, 10};
}

namespace ICH_HPPIR_EL2 {
constexpr field ID{23, 0}, TYPE{31, 29}, HPPIV{32, 32};
}

} // namespace gicv5
