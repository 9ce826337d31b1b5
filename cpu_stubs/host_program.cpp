#include "cpu_stubs/host_program.h"

namespace cpu_stubs {

void host_program::run(pe& self) {
    self.set_el(exception_level::EL2);
    if (m_boot)
        m_boot(self);
    for (;;) {
        // OPT: a linear pick over the PE's few tasks.
        host_task* next = nullptr;
        for (host_task* t : m_tasks)
            if (!next || t->next_time() < next->next_time())
                next = t;
        if (!next || next->next_time() == gicv5::sim_max_time())
            return;
        self.idle_until(next->next_time());
        next->fire(self);
        self.sync_if_needed();
    }
}

} // namespace cpu_stubs
