// The ISS PE's benchmark cases (issue 18 point 6): host time per trapped GIC instruction and per
// guest interrupt taken, on the ISS PE (guest/bench_iss.c) and on the C++ stand-in doing the
// same work, each in a process of its own like the other cases.
//   iss_loop   the guest's empty loop, count = duration_ms * 1000 turns (its own cost)
//   iss_insn   the guest's loop around MRS ICC_PCR_EL1, trapped into the model, same count
//   stub_insn  the stand-in's pe::mrs(ICC_PCR_EL1), same count
//   iss_irq    the guest takes count = duration_ms * 20 edge SPIs, one at a time (WFI, IRQ
//              vector, GICR CDIA, GSB ACK, CDEOI, CDDI)
//   stub_irq   the stand-in takes as many, with the same instructions
// The iss_* cases need the guest image (built by guest/ with the AArch64 cross compiler).
#pragma once

#include "cases.h"

namespace bench {

bool is_iss_case(const std::string& name);
nlohmann::json run_iss_case(const case_args& a);
// Where the guest images are; empty when they were not built.
std::string bench_guest_image();

} // namespace bench
