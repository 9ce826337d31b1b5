// A vCPU whose guest is real AArch64 code on an ISS (iss_pe.h), under the hypervisor agent as
// vcpu_program runs a stand-in guest: the PE runs this one vCPU (KVM's vcpu_run loop for it).
//
// Host side, at EL2 on this PE: vcpu_load() makes the vPE resident, then the guest runs at EL1
// in slices. The vCPU exits every exit_interval of its running time and on a physical IRQ: the
// exit costs exit_cost and runs vcpu_exit() (the fold), the host takes its IRQs, and
// vcpu_enter() resumes the guest. A guest WFI with no vIRQ pending traps: vcpu_put() with a
// doorbell request, and the PE idles until the doorbell (a physical IRQ), something queued for
// the vCPU, or the guest's timer (WAKE_AT_NS); then vcpu_load() again.
// Guest side: its input is the vIRQ; an access to its VM's IRS region (irs_base, 128 KiB)
// traps to the hypervisor's emulation (guest_mmio(), an exit); a GIC access the hypervisor
// traps (ICH_HFG*TR_EL2) is emulated by guest_trap(), an exit too, its value landing in Xt.
// Each valid acknowledge (GICR CDIA/CDNMIA) and deactivate (GIC CDDI) of an SPI is told to the
// observer, as a stand-in guest's handler tells it, so the scoreboard matches them with their
// injections.
#pragma once

#include "cpu_stubs/iss/iss_pe.h"
#include "cpu_stubs/vcpu_program.h"

#include <optional>

namespace cpu_stubs {

class iss_vcpu_program : public pe_program {
public:
    iss_vcpu_program(vcpu_params vcpu, const iss_params& iss, vcpu_host_if& host,
                     guest_observer* observer);
    void run(pe& self) override;

    const vcpu_params& params() const { return m_vcpu; }
    const vcpu_stats& stats() const { return m_stats; }
    iss_result result() const { return m_guest.result(); }
    bool done() const { return m_end.done(); }
    const sc_core::sc_event& done_event() const { return m_end.event(); }

private:
    // An exit to EL2 and back, with `emulate` (a trapped access's emulation) in the middle.
    template <typename Emulate>
    auto exit_to_host(pe& self, Emulate emulate);
    gicv5::iss_response gic(pe& self, const gicv5::iss_request& q);
    bool mmio(pe& self, uint64_t addr, unsigned size, bool write, uint64_t& data);
    // The host's IRQ handler; true when the doorbell of this vCPU rang.
    bool take_host_irqs(pe& self);

    vcpu_params m_vcpu;
    iss_guest m_guest;
    vcpu_host_if& m_host;
    guest_observer* m_observer;
    vcpu_stats m_stats;
    std::optional<gicv5::gic_trap> m_trap; // the guest access just made trapped
    guest_end m_end;
};

} // namespace cpu_stubs
