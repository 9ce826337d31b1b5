// What a litmus record means in the model's registers, and the final condition evaluated on what
// a run left: the registers of each PE and the final state of the interrupts it names.
//
// Records are matched field by field: an atom 1:X2=intval_t:(active:0) holds when the Active
// bit of the ICC_ICSR_EL1 value in X2 is 0, whatever the other fields (herd7's unnamed fields
// take their defaults, and our tests only name the fields they mean). A record held in a
// register as an initial value (the operand of a GIC instruction, or a value CMP compares with)
// has its unnamed fields 0, which are herd7's defaults too (priority 0, affinity P0, edge).
#pragma once

#include "litmus/litmus.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace litmus {

// How a register value is laid out.
enum class view {
    number,      // a plain value, or a memory location's address
    cd_operand,  // the operand of GIC CD* (ID, TYPE, PRIORITY, IAFFID, IRM, PENDING/HM)
    cdia_result, // GICR CDIA/CDNMIA (ID, TYPE, VALID)
    icsr,        // ICC_ICSR_EL1 (Enabled, Pending, Active, IRM, HM, Priority, IAFFID)
    isr,         // ISR_EL1 (I, F, A)
    hapr,        // ICC_HAPR_EL1: the running priority
    ppi_bits,    // an ICC_PPI_* bitmap: ppiN or ppiN.state fields
};

// The view of an initial value (gicval_t: an operand) or a condition value (gicval_t: a CDIA
// result); an untyped record by its fields.
view view_of(const record& r, bool initial);

// The bits of a record's named fields.
struct encoded {
    uint64_t mask = 0, value = 0;
    bool matches(uint64_t raw) const { return (raw & mask) == value; }
};
// Throws parse_error (file:line) for a field the view does not have.
encoded encode(const test& t, const record& r, view v);

// What a run left: each PE's registers, and the final state of each interrupt the condition
// names, as an ICC_ICSR_EL1 value (a PPI's from its ICC_PPI_* registers).
struct final_state {
    std::map<std::pair<unsigned, unsigned>, uint64_t> regs;
    std::map<std::string, uint64_t> interrupts;
    std::map<std::string, uint64_t> addresses; // location -> address (to show X1=x)
};

// Resolves unprefixed registers (X0=...) to the PE whose program writes them, and checks the
// records of the condition; throws parse_error when that cannot be done.
void resolve(test& t);

bool holds(const test& t, const cond_expr& e, const final_state& s);
// The condition's atoms as the run left them, in a canonical text: "1:X2=(active:0); 1:X3=0".
std::string outcome(const test& t, const final_state& s);

// The raw value a register starts with.
uint64_t initial_value(const test& t, const value& v, const std::map<std::string, uint64_t>& addr);

} // namespace litmus
