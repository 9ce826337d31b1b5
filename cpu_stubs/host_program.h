// Host software on a PE: a boot step (for the hypervisor, bringing up the GIC's VM state through
// MMIO), then work that arrives over time, such as a device's KVM_IRQ_LINE, run in time order.
#pragma once

#include "cpu_stubs/pe.h"

#include <functional>
#include <vector>

namespace cpu_stubs {

// A source of host work: when it next wants the PE, and what it does then.
struct host_task {
    virtual ~host_task() = default;
    // Absolute time of the next activation; sc_core::sc_max_time() when finished.
    virtual sc_time next_time() const = 0;
    virtual void fire(pe& self) = 0;
};

class host_program : public pe_program {
public:
    using boot_fn = std::function<void(pe&)>;
    host_program(boot_fn boot, std::vector<host_task*> tasks)
        : m_boot(std::move(boot)), m_tasks(std::move(tasks)) {}
    void run(pe& self) override;

private:
    boot_fn m_boot;
    std::vector<host_task*> m_tasks;
};

// A test's script, run as the PE's program.
class script_program : public pe_program {
public:
    explicit script_program(std::function<void(pe&)> script) : m_script(std::move(script)) {}
    void run(pe& self) override { m_script(self); }

private:
    std::function<void(pe&)> m_script;
};

} // namespace cpu_stubs
