// One-call entry point: elaborate the platform described by cfg, simulate it to the end of its
// drain, and return what it measured. SystemC allows one elaboration per process, so this can be
// called once per process.
#pragma once

#include "platform_config.h"
#include "run_results.h"

#include <systemc>

#include <functional>

namespace platform {

class trace_files;

// Told, now and then during a run, how far it has got: simulated time now, host seconds so far.
using progress_fn = std::function<void(const sc_core::sc_time& now, double host_seconds)>;

// traces: attached to the platform before the run when given (tracer.h); the caller closes them.
// progress: called every 1/100 of the configured duration of simulated time; the run is the
// same whether or not one is given.
run_results run(const platform_config& cfg, trace_files* traces = nullptr,
                const progress_fn& progress = {});

} // namespace platform
