#include "tlm_gicv5/iss_access.h"

namespace gicv5 {

std::optional<gic_insn> decode_gic_insn(uint8_t op0, uint8_t op1, uint8_t crn, uint8_t crm,
                                        uint8_t op2) {
    if (op0 != 1 || crn != 12)
        return std::nullopt;
    for (std::size_t i = 0; i < gic_insn_count; ++i) {
        const insn_desc& d = gic_insns[i];
        if (d.op1 == op1 && d.crm == crm && d.op2 == op2)
            return static_cast<gic_insn>(i);
    }
    return std::nullopt;
}

std::optional<sysreg> decode_sysreg(uint8_t op0, uint8_t op1, uint8_t crn, uint8_t crm,
                                    uint8_t op2) {
    for (std::size_t i = 0; i < static_cast<std::size_t>(sysreg::count); ++i) {
        const sysreg_desc& d = sysregs[i];
        if (d.op0 == op0 && d.op1 == op1 && d.crn == crn && d.crm == crm && d.op2 == op2)
            return static_cast<sysreg>(i);
    }
    return std::nullopt;
}

bool read_only(sysreg r) {
    switch (r) {
    case sysreg::ICC_PPI_HMR0_EL1:
    case sysreg::ICC_PPI_HMR1_EL1:
    case sysreg::ICC_IDR0_EL1:
    case sysreg::ICC_HPPIR_EL1:
    case sysreg::ICC_IAFFIDR_EL1:
    case sysreg::ICC_HAPR_EL1:
    case sysreg::ICH_HPPIR_EL2: return true;
    default: return false;
    }
}

iss_response iss_execute(gic_cpu_if& cpu, const iss_request& q) {
    iss_response r;
    const bool hyp = q.op1 == OP1_EL2;
    if (q.security != security_state::non_secure || q.el == exception_level::EL0 ||
        (hyp && q.el < exception_level::EL2)) {
        r.undefined = true;
        return r;
    }
    if (const std::optional<gic_insn> i = decode_gic_insn(q.op0, q.op1, q.crn, q.crm, q.op2)) {
        // GICR (SYSL) reads a result; GIC and GSB (SYS) take Rt as their operand.
        if (desc(*i).sysl != q.read) {
            r.undefined = true;
            return r;
        }
        r.value = cpu.execute(*i, q.read ? 0 : q.rt, q.el, r.time);
        return r;
    }
    if (const std::optional<sysreg> s = decode_sysreg(q.op0, q.op1, q.crn, q.crm, q.op2)) {
        if (q.read) {
            r.value = cpu.read_sysreg(*s, q.el, r.time);
        } else if (read_only(*s)) {
            r.undefined = true;
        } else {
            cpu.write_sysreg(*s, q.rt, q.el, r.time);
        }
        return r;
    }
    r.undefined = true; // not an encoding this model implements
    return r;
}

} // namespace gicv5
