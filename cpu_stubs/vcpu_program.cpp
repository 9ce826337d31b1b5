#include "cpu_stubs/vcpu_program.h"

namespace cpu_stubs {

using gicv5::gic_insn;
using gicv5::sysreg;
namespace CD = gicv5::CD_OPERAND;

void vcpu_program::run(pe& self) {
    self.set_el(exception_level::EL2);
    m_host.vcpu_load(self, m_params.vm, m_params.vcpu);
    self.set_el(exception_level::EL1);
    guest_boot(self);
    sc_time next_exit = self.local_time() + m_params.exit_interval;
    for (;;) {
        if (self.wait_for_virq(next_exit)) {
            handle_irq(self);
        } else {
            exit_to_host(self);
            next_exit += m_params.exit_interval;
        }
        self.sync_if_needed();
    }
}

void vcpu_program::guest_boot(pe& self) {
    // As Linux's gicv5_cpu_enable_interrupts(): priority mask, then enable (reference §9.1).
    self.msr(sysreg::ICC_PCR_EL1, gicv5::PRIORITY_LOWEST);
    self.msr(sysreg::ICC_CR0_EL1, gicv5::ICC_CR0_EL1::EN.make(1));
    if (m_params.vcpu != 0)
        return; // the boot vCPU configures the VM's SPIs
    for (uint32_t id = 0; id < m_params.spis.size(); ++id) {
        const uint64_t intid = gicv5::spi(id).encode();
        self.insn(gic_insn::CDPRI, intid | CD::PRIORITY.make(m_params.priority));
        self.insn(gic_insn::CDAFF, intid | CD::IAFFID.make(id % m_params.vcpus));
        if (m_params.spis[id] == gicv5::handling_mode::level)
            self.insn(gic_insn::CDHM, intid | CD::HM.make(1));
        self.insn(gic_insn::CDEN, intid);
    }
}

void vcpu_program::handle_irq(pe& self) {
    uint64_t r = self.insn(gic_insn::CDIA);
    if (!gicv5::CDIA_RESULT::VALID.test(r))
        r = self.insn(gic_insn::CDNMIA); // a superpriority interrupt, as Linux's NMI path
    if (!gicv5::CDIA_RESULT::VALID.test(r))
        return; // the HPPI went away before the acknowledge
    const gicv5::intid id = gicv5::intid::decode(r);
    if (m_observer)
        m_observer->on_acknowledge(m_params.vm, id, self.local_time());
    self.insn(gic_insn::GSB_ACK);
    self.insn(gic_insn::CDEOI);
    self.spend(m_params.handler_time);
    self.insn(gic_insn::CDDI, id.encode());
    if (m_observer)
        m_observer->on_deactivate(m_params.vm, id, self.local_time());
    ++m_handled;
}

void vcpu_program::exit_to_host(pe& self) {
    self.set_el(exception_level::EL2);
    self.spend(m_params.exit_cost);
    m_host.vcpu_exit(self, m_params.vm, m_params.vcpu);
    ++m_exits;
    self.set_el(exception_level::EL1);
}

} // namespace cpu_stubs
