// The entry point for an instruction-set simulator: a trapped system instruction, as its raw
// encoding, executed on a CPU interface (reference §4.1, §4.2, §5.1, §5.2).
//
// Interface
//   iss_execute(cpu, request)  decodes request (op0, op1, CRn, CRm, op2, read or write, the Rt
//       value, exception level, security state) and, unless the encoding is UNDEFINED in that
//       state, executes it on cpu (the CPU interface's gic_cpu_if export):
//         op0 = 1, CRn = 12   GIC/GSB (SYS, a write of Rt as the operand) and GICR (SYSL, a read)
//                             instructions; op1 0 = CD*, GSB, GICR CDIA/CDNMIA; op1 4 = VD*
//         op0 = 3, CRn = 12   ICC_*_EL1 (op1 0, 1) and ICH_*_EL2 (op1 4) registers (MSR/MRS)
//       and returns the result (a read's value, 0 for a write), the time the access took (to add
//       to the ISS's local time), and whether it was UNDEFINED (no effect, and the ISS takes the
//       exception it would for any UNDEFINED encoding).
//   decode_gic_insn / decode_sysreg  which instruction or register an encoding names, if any.
//
// UNDEFINED here (the model's reading of the architecture; README, Modelling choices):
//   - an encoding in the GIC space above that this model does not implement (among them the
//     EL3 logical-domain instructions GIC LD*, op1 = 6), or one used in the wrong direction
//     (GICR with SYS, GIC or GSB with SYSL, ...);
//   - any of them at EL0 (the GICv5 CPU interface has no EL0 access);
//   - VD* instructions and ICH_*_EL2 registers below EL2;
//   - an MSR to a read-only register: ICC_PPI_HMR0/1_EL1, ICC_IDR0_EL1, ICC_HPPIR_EL1,
//     ICC_IAFFIDR_EL1, ICC_HAPR_EL1, ICH_HPPIR_EL2;
//   - any access from a security state other than Non-secure: the model implements the
//     Non-secure interrupt domain only.
#pragma once

#include "tlm_gicv5/cpu_interface.h"
#include "tlm_gicv5/insn.h"

#include <systemc>

#include <cstdint>
#include <optional>

namespace gicv5 {

enum class security_state : uint8_t { non_secure, secure, realm, root };

struct iss_request {
    uint8_t op0 = 0, op1 = 0, crn = 0, crm = 0, op2 = 0;
    bool read = false; // MRS or SYSL; false: MSR or SYS
    uint64_t rt = 0;   // the value an MSR writes, or a SYS instruction's operand
    exception_level el = exception_level::EL1;
    security_state security = security_state::non_secure;
    // How far the ISS runs ahead of sc_time_stamp() (temporal decoupling): the access happens
    // at that local time; the response's time is what it took on top.
    sc_core::sc_time offset = sc_core::SC_ZERO_TIME;
};

struct iss_response {
    bool undefined = false;
    uint64_t value = 0;                            // an MRS's or SYSL's result
    sc_core::sc_time time = sc_core::SC_ZERO_TIME; // what the access took
};

std::optional<gic_insn> decode_gic_insn(uint8_t op0, uint8_t op1, uint8_t crn, uint8_t crm,
                                        uint8_t op2);
std::optional<sysreg> decode_sysreg(uint8_t op0, uint8_t op1, uint8_t crn, uint8_t crm,
                                    uint8_t op2);
// Whether the register is read-only (an MSR to it is UNDEFINED).
bool read_only(sysreg r);

// The rule that makes the request UNDEFINED (one of the list above, in words), or nullptr when
// it is not. iss_execute() and the platform's directed scripts both follow it.
const char* undefined_rule(const iss_request& request);

// The request for a GIC instruction (with its operand) or a register access, as an ISS would
// decode it.
iss_request request_for(gic_insn i, uint64_t operand, exception_level el);
iss_request request_for(sysreg r, bool read, uint64_t value, exception_level el);

iss_response iss_execute(gic_cpu_if& cpu, const iss_request& request);

} // namespace gicv5
