// Runs a litmus test on the timed model: one small platform (gicv5_platform, every PE a script
// PE, no VMs, no sources) per run, many runs side by side in one elaboration.
//
// A run, in simulated time:
//   0        every PE enables its CPU interface (ICC_PCR_EL1 = 31, ICC_CR0_EL1.EN = 1); PE 0
//            enables the IRS (IRS_CR0.IRSEN) and sets up the interrupts of the initial state
//            as a driver does, with GIC instructions: an interrupt that starts active is
//            pended, acknowledged by PE 0 and priority-dropped (CDEOI), so it is active with no
//            running priority left behind; then every interrupt gets its priority, handling
//            mode, affinity, pending and enable state, and GSB SYS. A PPI starts as its PE's
//            ICC_PPI_* registers and its wire say.
//   setup_end (20 us)  + the PE's start offset: each PE runs its litmus program.
//   then     once every PE is done and 5 us have passed, PE 0 reads each interrupt the
//            condition names (CDRCFG, ISB, ICC_ICSR_EL1), and each PE its PPIs.
// Memory locations are words of RAM (8-byte aligned, a cache line apart); a store to a
// device location ([PTE(y)]=(... device ...)) is a device write that pulses the wire of the
// test's SPI (an edge), mmio latency after the store.
//
// Varied per run, from the seed: the PEs' start offsets (0-400 ns), every timing.* hop latency
// of the platform, the memory latencies, and the quantum (0, 10 ns, 100 ns or 1 us). The runs of
// one process share the quantum (it is global to SystemC), so the caller batches runs by it.
#pragma once

#include "litmus/outcome.h"
#include "platform/platform_config.h"

#include <systemc>

#include <string>
#include <vector>

namespace litmus {

struct run_params {
    unsigned run = 0;
    platform::timing_config timing;
    sc_core::sc_time mem_read, mem_write;
    std::vector<sc_core::sc_time> start; // per PE, after setup_end
    std::string describe() const;        // the timing, for a reproduction
};

// Run `run` of test t under `seed`: the same arguments give the same timing.
run_params params_for(const test& t, uint64_t seed, unsigned run);

struct run_result {
    unsigned run = 0;
    std::string error; // non-empty: the run could not be made (setup failed)
    bool reached = false;
    std::string outcome;
};

// Runs these runs of t side by side and returns their results. They must share a quantum.
// Elaborates and simulates: once per process.
std::vector<run_result> run_batch(const test& t, const std::vector<run_params>& runs);

// Why the runner cannot give t a meaning (empty: it can): what the parser could not, and what
// needs more than this platform (an interrupt a device raises when there is not exactly one, a
// software pend of a PPI the model makes level).
std::string unsupported(const test& t);

} // namespace litmus
