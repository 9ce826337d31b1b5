#include "platform/run.h"

#include "platform/gicv5_platform.h"
#include "platform/table_dump.h"
#include "platform/tracer.h"

#include <tlm>

#include <algorithm>
#include <chrono>
#include <memory>

namespace platform {
namespace {

// Where the run is cut to report progress: every 1/100 of the duration up to it, then at
// intervals that double, so that a drain (a script's long wait, say) costs a number of cuts that
// grows with the log of its length, not with it. Never less than the time resolution: a zero
// step would cut the run at the same time forever.
class progress_cuts {
public:
    explicit progress_cuts(const sc_core::sc_time& duration)
        : duration_(duration),
          step_(std::max(duration / 100.0, sc_core::sc_get_time_resolution())),
          next_(step_) {}

    const sc_core::sc_time& next() const { return next_; }

    void advance() {
        if (next_ >= duration_)
            step_ = step_ * 2.0;
        next_ = next_ + step_;
    }

private:
    sc_core::sc_time duration_, step_, next_;
};

// Simulates up to `until`, or less when the run ends (sc_stop) or has nothing left to do.
void run_until(const sc_core::sc_time& until) {
    while (sc_core::sc_get_status() != sc_core::SC_STOPPED && sc_core::sc_time_stamp() < until) {
        if (!sc_core::sc_pending_activity()) {
            sc_core::sc_start(); // no event left: the run ends here (a starved platform)
            return;
        }
        sc_core::sc_start(until - sc_core::sc_time_stamp());
    }
}

} // namespace

run_results run(const platform_config& cfg, trace_files* traces, const progress_fn& progress,
                const table_dumps* dumps) {
    tlm::tlm_global_quantum::instance().set(cfg.timing.quantum);
    auto top = std::make_unique<gicv5_platform>("top", cfg);
    if (traces)
        traces->attach(*top);
    const auto t0 = std::chrono::steady_clock::now();
    // The run is cut at the progress times and at the dump times, then resumed: no process or
    // event of its own, which would reorder the kernel's equal-time events, so the run is the same
    // whether anyone listens or not, with or without dumps.
    std::vector<sc_core::sc_time> dump_at;
    if (dumps && dumps->out)
        dump_at = dumps->at;
    std::sort(dump_at.begin(), dump_at.end());
    auto dump = dump_at.begin();
    progress_cuts cuts(cfg.duration);
    sc_core::sc_start(sc_core::SC_ZERO_TIME); // elaborate and run time 0's deltas
    while (sc_core::sc_get_status() != sc_core::SC_STOPPED && sc_core::sc_pending_activity()) {
        const bool dump_first = dump != dump_at.end() && *dump <= cuts.next();
        run_until(dump_first ? *dump : cuts.next());
        if (sc_core::sc_get_status() == sc_core::SC_STOPPED)
            break; // ended before the cut: a dump due later is not taken (the run never got there)
        if (dump_first) {
            dump_tables(*top, *dumps->out);
            ++dump;
            continue;
        }
        cuts.advance();
        if (progress)
            progress(sc_core::sc_time_stamp(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    if (sc_core::sc_get_status() != sc_core::SC_STOPPED)
        sc_core::sc_start(); // let the kernel finish what is left (nothing: it returns at once)
    const auto t1 = std::chrono::steady_clock::now();
    if (dumps && dumps->out && dumps->at_end)
        dump_tables(*top, *dumps->out);
    run_results r = top->results();
    r.host_seconds = std::chrono::duration<double>(t1 - t0).count();
    return r;
}

} // namespace platform
