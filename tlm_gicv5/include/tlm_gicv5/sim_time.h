// The kernel's time values the reaction path reads most, without SystemC's out-of-line calls.
#pragma once

#include <systemc>

namespace gicv5 {

// The current time through SystemC's inline accessor (sc_time_stamp() is a library call, and the
// reaction path reads the time dozens of times per interrupt).
// The simulation context is made once per process and never replaced: looked up once.
inline const sc_core::sc_time& sim_now() {
    static sc_core::sc_simcontext* const context = sc_core::sc_get_curr_simcontext();
    return context->time_stamp();
}

// sc_max_time(), computed once: the library call costs as much as a small model function, and the
// schedulers compare against it on every decision.
inline const sc_core::sc_time& sim_max_time() {
    static const sc_core::sc_time t = sc_core::sc_max_time();
    return t;
}

} // namespace gicv5
