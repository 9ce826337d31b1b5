// A guest vCPU stand-in: the software a vCPU thread runs on a PE, from the hypervisor's load of
// the vCPU to its guest's interrupt handling and its periodic exits to the host.
//
// Guest side (Linux's order, reference §4.3 item 7 and §9.2): on the virtual IRQ, GICR CDIA; if
// VALID: GSB ACK, GIC CDEOI (priority drop), the handler for handler_time, GIC CDDI (deactivate).
// At boot, vCPU 0 configures its VM's SPIs as a guest OS does: CDPRI, CDAFF, CDHM, CDEN each.
// Host side: every exit_interval of guest time the vCPU exits; the hypervisor's exit handler runs
// on this PE at EL2 (for KVM: the fold of the vGIC state), then the guest resumes.
#pragma once

#include "cpu_stubs/pe.h"
#include "tlm_gicv5/iste.h"

#include <vector>

namespace cpu_stubs {

// What the hypervisor does for a vCPU, called on the vCPU's PE at EL2.
struct vcpu_host_if {
    virtual ~vcpu_host_if() = default;
    // KVM vgic_v5_load(): make the vPE resident (may wait until its VM is set up).
    virtual void vcpu_load(pe& self, unsigned vm, unsigned vcpu) = 0;
    // KVM's exit path (kvm_vgic_sync_hwstate()): runs on every vCPU exit.
    virtual void vcpu_exit(pe& self, unsigned vm, unsigned vcpu) = 0;
};

// Who wants to know what the guest saw (a scoreboard).
struct guest_observer {
    virtual ~guest_observer() = default;
    virtual void on_acknowledge(unsigned vm, gicv5::intid id, const sc_time& at) = 0;
    // The guest deactivated it (GIC CDDI) at `at`.
    virtual void on_deactivate(unsigned vm, gicv5::intid id, const sc_time& at) = 0;
};

struct vcpu_params {
    unsigned vm = 0;
    unsigned vcpu = 0;
    unsigned vcpus = 1;                     // vCPUs of the VM: SPI n targets vCPU n % vcpus
    std::vector<gicv5::handling_mode> spis; // the VM's SPIs (index = SPI ID) and their mode
    uint8_t priority = 0x10;
    sc_time handler_time{2, sc_core::SC_US};
    sc_time exit_interval{50, sc_core::SC_US};
    sc_time exit_cost{500, sc_core::SC_NS};
};

class vcpu_program : public pe_program {
public:
    vcpu_program(const vcpu_params& params, vcpu_host_if& host, guest_observer* observer)
        : m_params(params), m_host(host), m_observer(observer) {}
    void run(pe& self) override;

    uint64_t exits() const { return m_exits; }
    uint64_t handled() const { return m_handled; }

private:
    void guest_boot(pe& self);
    void handle_irq(pe& self);
    void exit_to_host(pe& self);

    vcpu_params m_params;
    vcpu_host_if& m_host;
    guest_observer* m_observer;
    uint64_t m_exits = 0;
    uint64_t m_handled = 0;
};

} // namespace cpu_stubs
