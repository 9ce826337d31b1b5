// One-call entry point: elaborate the platform described by cfg, simulate it to the end of its
// drain, and return what it measured. SystemC allows one elaboration per process, so this can be
// called once per process.
#pragma once

#include "platform_config.h"
#include "run_results.h"

namespace platform {

class trace_files;

// traces: attached to the platform before the run when given (tracer.h); the caller closes them.
run_results run(const platform_config& cfg, trace_files* traces = nullptr);

} // namespace platform
