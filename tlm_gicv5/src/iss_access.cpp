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

const char* undefined_rule(const iss_request& q) {
    if (q.security != security_state::non_secure)
        return "the model implements the Non-secure interrupt domain only";
    if (q.el == exception_level::EL0)
        return "the GICv5 CPU interface has no EL0 access";
    if (q.op1 == OP1_EL2 && q.el < exception_level::EL2)
        return "VD* instructions and ICH_*_EL2 registers need EL2";
    if (const std::optional<gic_insn> i = decode_gic_insn(q.op0, q.op1, q.crn, q.crm, q.op2))
        // GICR (SYSL) reads a result; GIC and GSB (SYS) take Rt as their operand.
        return desc(*i).sysl != q.read ? "a GIC instruction used in the wrong direction" : nullptr;
    if (const std::optional<sysreg> s = decode_sysreg(q.op0, q.op1, q.crn, q.crm, q.op2))
        return !q.read && read_only(*s) ? "an MSR to a read-only register" : nullptr;
    return "not an encoding this model implements";
}

iss_request request_for(gic_insn i, uint64_t operand, exception_level el) {
    const insn_desc& d = desc(i);
    iss_request q;
    q.op0 = 1;
    q.op1 = d.op1;
    q.crn = 12;
    q.crm = d.crm;
    q.op2 = d.op2;
    q.read = d.sysl;
    q.rt = d.sysl ? 0 : operand;
    q.el = el;
    return q;
}

iss_request request_for(sysreg r, bool read, uint64_t value, exception_level el) {
    const sysreg_desc& d = sysregs[static_cast<std::size_t>(r)];
    iss_request q;
    q.op0 = d.op0;
    q.op1 = d.op1;
    q.crn = d.crn;
    q.crm = d.crm;
    q.op2 = d.op2;
    q.read = read;
    q.rt = read ? 0 : value;
    q.el = el;
    return q;
}

iss_response iss_execute(gic_cpu_if& cpu, const iss_request& q) {
    iss_response r;
    if (undefined_rule(q)) {
        r.undefined = true;
        return r;
    }
    if (const std::optional<gic_insn> i = decode_gic_insn(q.op0, q.op1, q.crn, q.crm, q.op2)) {
        r.value = cpu.execute(*i, q.read ? 0 : q.rt, q.el, r.time);
        return r;
    }
    const sysreg s = *decode_sysreg(q.op0, q.op1, q.crn, q.crm, q.op2);
    if (q.read)
        r.value = cpu.read_sysreg(s, q.el, r.time);
    else
        cpu.write_sysreg(s, q.rt, q.el, r.time);
    return r;
}

} // namespace gicv5
