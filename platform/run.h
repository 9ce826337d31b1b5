// One-call entry point: elaborate the platform described by cfg, simulate it to the end of its
// drain, and return what it measured. SystemC allows one elaboration per process, so this can be
// called once per process.
#pragma once

#include "platform_config.h"
#include "run_results.h"

#include <systemc>

#include <functional>
#include <iosfwd>
#include <vector>

namespace platform {

class trace_files;

// Told, now and then during a run, how far it has got: simulated time now, host seconds so far.
using progress_fn = std::function<void(const sc_core::sc_time& now, double host_seconds)>;

// The interrupt tables printed during a run (table_dump.h), to *out: at each time of `at` that the
// run reaches, and once more at its end when at_end.
struct table_dumps {
    std::vector<sc_core::sc_time> at;
    bool at_end = false;
    std::ostream* out = nullptr;
};

// traces: attached to the platform before the run when given (tracer.h); the caller closes them.
// progress: called every 1/100 of the configured duration of simulated time, then, while the
// run drains, at intervals that double; the run is the same whether or not one is given.
// dumps: the tables printed when given.
run_results run(const platform_config& cfg, trace_files* traces = nullptr,
                const progress_fn& progress = {}, const table_dumps* dumps = nullptr);

} // namespace platform
