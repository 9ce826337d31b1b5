// sc_spawn (the progress ticker) needs the dynamic-process API.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "platform/run.h"

#include "platform/gicv5_platform.h"
#include "platform/table_dump.h"
#include "platform/tracer.h"

#include <tlm>

#include <algorithm>
#include <chrono>
#include <memory>

namespace platform {

run_results run(const platform_config& cfg, trace_files* traces, const progress_fn& progress,
                const table_dumps* dumps) {
    tlm::tlm_global_quantum::instance().set(cfg.timing.quantum);
    auto top = std::make_unique<gicv5_platform>("top", cfg);
    if (traces)
        traces->attach(*top);
    const auto t0 = std::chrono::steady_clock::now();
    // The progress ticker runs whether or not anyone listens, so that a run with a terminal is the
    // same as one without: it only waits on its own timed events and touches nothing else.
    sc_core::sc_spawn(
        [step = cfg.duration / 100.0, &progress, t0] {
            for (;;) {
                sc_core::wait(step);
                if (progress)
                    progress(sc_core::sc_time_stamp(),
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
                                 .count());
            }
        },
        "progress");
    if (dumps && dumps->out) {
        // The run is cut at each time and resumed: no process or event of its own, which would
        // reorder the kernel's equal-time events, so the run is the same with or without dumps.
        std::vector<sc_core::sc_time> at = dumps->at;
        std::sort(at.begin(), at.end());
        for (const sc_core::sc_time& t : at) {
            if (sc_core::sc_get_status() == sc_core::SC_STOPPED)
                break; // the run ended before t
            if (t > sc_core::sc_time_stamp())
                sc_core::sc_start(t - sc_core::sc_time_stamp());
            dump_tables(*top, *dumps->out);
        }
    }
    if (sc_core::sc_get_status() != sc_core::SC_STOPPED)
        sc_core::sc_start();
    const auto t1 = std::chrono::steady_clock::now();
    if (dumps && dumps->out && dumps->at_end)
        dump_tables(*top, *dumps->out);
    run_results r = top->results();
    r.host_seconds = std::chrono::duration<double>(t1 - t0).count();
    return r;
}

} // namespace platform
