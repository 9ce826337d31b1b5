// The gicv5-sim command line: load a scenario, run it, write the report, check expectations.
#pragma once

namespace gicv5_sim {

// Process exit statuses of gicv5-sim (documented in docs/config.md).
enum exit_status : int {
    exit_ok = 0,                 // run finished, every expectation and script check held
    exit_expectation_failed = 1, // run finished, an expectation or a script check failed
    exit_bad_input = 2,          // bad command line or config, or the report cannot be written
    exit_internal_error = 3,     // the simulation or SystemC threw
};

// gicv5-sim CONFIG [--set key.path=value]... [--report FILE] [--seed N] [--quiet] [--trace FILE]
// [--vcd FILE]
// Returns the exit status. platform::run() elaborates SystemC, so call this once per process.
int main(int argc, char** argv);

} // namespace gicv5_sim
