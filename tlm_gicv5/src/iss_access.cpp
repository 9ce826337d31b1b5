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

namespace {
// What a request names, decoded once, and the rule that makes it UNDEFINED if one does.
struct decoded {
    std::optional<gic_insn> insn;
    std::optional<sysreg> reg;
    const char* undefined = nullptr;
};

decoded decode(const iss_request& q) {
    decoded d;
    if (q.security != security_state::non_secure)
        d.undefined = "the model implements the Non-secure interrupt domain only";
    else if (q.el == exception_level::EL0)
        d.undefined = "the GICv5 CPU interface has no EL0 access";
    else if (q.op1 == OP1_EL2 && q.el < exception_level::EL2)
        d.undefined = "VD* instructions and ICH_*_EL2 registers need EL2";
    else if ((d.insn = decode_gic_insn(q.op0, q.op1, q.crn, q.crm, q.op2))) {
        // GICR (SYSL) reads a result; GIC and GSB (SYS) take Rt as their operand.
        if (desc(*d.insn).sysl != q.read)
            d.undefined = "a GIC instruction used in the wrong direction";
    } else if ((d.reg = decode_sysreg(q.op0, q.op1, q.crn, q.crm, q.op2))) {
        if (!q.read && read_only(*d.reg))
            d.undefined = "an MSR to a read-only register";
    } else {
        d.undefined = "not an encoding this model implements";
    }
    return d;
}
} // namespace

const char* undefined_rule(const iss_request& q) { return decode(q).undefined; }

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
    const decoded d = decode(q);
    sc_core::sc_time t = q.offset;
    if (d.undefined)
        r.undefined = true;
    else if (d.insn)
        r.value = cpu.execute(*d.insn, q.read ? 0 : q.rt, q.el, t);
    else if (q.read)
        r.value = cpu.read_sysreg(*d.reg, q.el, t);
    else
        cpu.write_sysreg(*d.reg, q.rt, q.el, t);
    r.time = t - q.offset;
    return r;
}

} // namespace gicv5
