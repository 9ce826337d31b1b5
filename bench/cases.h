// The timed platform cases of the benchmark. SystemC elaborates once per process, so each case
// runs in a process of its own (gicv5-bench --case ...) and prints its figures as one JSON line.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace bench {

// A case and its settings, as on the command line after --case.
struct case_args {
    std::string name;              // e2e, vdpend, idle, build, pes
    unsigned spis = 64;            // SPIs per VM
    unsigned source_spis = 0;      // e2e: the SPIs the source picks among (0: all of VM 0's)
    unsigned pes = 2;              // PEs in the platform
    unsigned vms = 1;              // VMs in the platform
    double quantum_ns = 1000;      // TLM global quantum; 0: temporal decoupling off
    double duration_ms = 1000;     // simulated time the sources inject for
    bool dmi = true;               // the IRS reaches table memory through DMI
    bool contention = true;        // the shared parts queue (false: every one unlimited)
    std::vector<std::string> argv; // the same, as arguments
};

// Runs one case in this process; the figures it measured.
nlohmann::json run_case(const case_args& a);

} // namespace bench
