#include "platform/run.h"

#include "platform/gicv5_platform.h"
#include "platform/tracer.h"

#include <tlm>

#include <chrono>
#include <memory>

namespace platform {

run_results run(const platform_config& cfg, trace_files* traces) {
    tlm::tlm_global_quantum::instance().set(cfg.timing.quantum);
    auto top = std::make_unique<gicv5_platform>("top", cfg);
    if (traces)
        traces->attach(*top);
    const auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    const auto t1 = std::chrono::steady_clock::now();
    run_results r = top->results();
    r.host_seconds = std::chrono::duration<double>(t1 - t0).count();
    return r;
}

} // namespace platform
