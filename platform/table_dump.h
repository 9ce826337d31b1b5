// The platform's interrupt tables in readable form, for inspection (gicv5-sim --dump-tables):
// the IRS registers that locate them, the physical LPI IST, the VM table with each valid VM's
// vPE table and its LPI and SPI vISTs. Read through debug transport only (the IRS config frame's
// transport_dbg, the memory's backdoor): no timing, no side effect, whatever the run is doing;
// run() takes them between two sc_start() calls.
// ISTEs that are all zero are left out; a table's line says how many entries it has. A dump at a
// simulated time shows what the IRS and memory hold then: under temporal decoupling a PE may
// have run up to one quantum ahead, and what it did there is already in.
#pragma once

#include <iosfwd>

namespace platform {

class gicv5_platform;

void dump_tables(gicv5_platform& top, std::ostream& out);

} // namespace platform
