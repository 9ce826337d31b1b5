#include "cpu_stubs/iss/iss_vcpu.h"

namespace cpu_stubs {

using gicv5::gic_insn;

namespace {
constexpr uint64_t IRS_REGION = 0x20000; // the VM's emulated config frame and SETLPI frame
}

iss_vcpu_program::iss_vcpu_program(vcpu_params vcpu, const iss_params& iss, vcpu_host_if& host,
                                   guest_observer* observer)
    : m_vcpu(std::move(vcpu)), m_guest(iss, {}), m_host(host), m_observer(observer) {}

template <typename Emulate>
auto iss_vcpu_program::exit_to_host(pe& self, Emulate emulate) {
    self.set_el(exception_level::EL2);
    self.spend(m_vcpu.exit_cost);
    m_host.vcpu_exit(self, m_vcpu.vm, m_vcpu.vcpu);
    ++m_stats.exits;
    const auto result = emulate();
    m_host.vcpu_enter(self, m_vcpu.vm, m_vcpu.vcpu);
    self.set_el(exception_level::EL1);
    return result;
}

gicv5::iss_response iss_vcpu_program::gic(pe& self, const gicv5::iss_request& q) {
    m_trap.reset();
    gicv5::iss_response r = iss_gic_access(self, q);
    if (m_trap) { // ICH_HFG*TR_EL2 trapped it: the hypervisor's emulation gives the value
        const gicv5::gic_trap t = *m_trap;
        m_trap.reset();
        const std::optional<uint64_t> v =
            exit_to_host(self, [&] { return m_host.guest_trap(self, m_vcpu.vm, m_vcpu.vcpu, t); });
        if (q.read && v)
            r.value = *v;
    }
    if (r.undefined || !m_observer)
        return r;
    const auto insn = gicv5::decode_gic_insn(q.op0, q.op1, q.crn, q.crm, q.op2);
    if (!insn)
        return r;
    // The scoreboard follows the SPIs, as with a stand-in guest.
    if ((*insn == gic_insn::CDIA || *insn == gic_insn::CDNMIA) &&
        gicv5::CDIA_RESULT::VALID.test(r.value)) {
        const gicv5::intid id = gicv5::intid::decode(r.value);
        if (id.type == gicv5::intid_type::SPI) {
            m_observer->on_vcpu_acknowledge(m_vcpu.vm, m_vcpu.vcpu, id, self.local_time());
            ++m_stats.handled;
        }
    } else if (*insn == gic_insn::CDDI) {
        const gicv5::intid id = gicv5::intid::decode(q.rt);
        if (id.type == gicv5::intid_type::SPI)
            m_observer->on_deactivate(m_vcpu.vm, id, self.local_time());
    }
    return r;
}

bool iss_vcpu_program::mmio(pe& self, uint64_t addr, unsigned size, bool write, uint64_t& data) {
    const uint64_t base = m_vcpu.irs_base.value_or(0);
    if (!m_vcpu.irs_base || addr < base || addr - base >= IRS_REGION)
        return false;     // no stage-2 mapping: the guest stops with the address in its error
    ++m_stats.mmio_traps; // a stage-2 abort: an exit, the emulated device, back
    return exit_to_host(self, [&] {
               return m_host.guest_mmio(self, m_vcpu.vm, m_vcpu.vcpu, addr, size, write, data);
           }) == tlm::TLM_OK_RESPONSE;
}

bool iss_vcpu_program::take_host_irqs(pe& self) {
    bool mine = false;
    while (self.line(pe_line::irq)) {
        const vcpu_host_if::irq_result r = m_host.host_irq(self);
        if (!r.taken)
            break;
        mine |= r.doorbell && r.vm == m_vcpu.vm && r.vcpu == m_vcpu.vcpu;
    }
    return mine;
}

void iss_vcpu_program::run(pe& self) {
    const guest_end::guard end = m_end.on_return(self); // however the guest ends
    self.set_el(exception_level::EL2);
    self.on_trap([this](pe&, const gicv5::gic_trap& t) { m_trap = t; });
    // The host kernel's physical CPU interface, for the doorbells.
    self.msr(gicv5::sysreg::ICC_PCR_EL1, gicv5::PRIORITY_LOWEST);
    self.msr(gicv5::sysreg::ICC_CR0_EL1, gicv5::ICC_CR0_EL1::EN.make(1));
    m_guest.set_gic_filter([this](pe& p, const gicv5::iss_request& q) { return gic(p, q); });
    const unsigned vpe_id = m_vcpu.vpe_ids && m_vcpu.vcpu < m_vcpu.vpe_ids->size()
                                ? (*m_vcpu.vpe_ids)[m_vcpu.vcpu]
                                : m_vcpu.vcpu;
    if (!m_guest.boot(
            self, vpe_id,
            [this, &self](uint64_t a, unsigned s, bool w, uint64_t& d) {
                return mmio(self, a, s, w, d);
            },
            pe_line::virq))
        return;
    sc_time run_time = sc_core::SC_ZERO_TIME; // guest time, for exit_interval
    for (;;) {
        m_host.vcpu_load(self, m_vcpu.vm, m_vcpu.vcpu);
        if (m_host.vm_dead(m_vcpu.vm))
            return;
        self.set_el(exception_level::EL1);
        sc_time loaded = self.local_time();
        sc_time next_exit = run_time + m_vcpu.exit_interval;
        bool put = false;
        while (!put) {
            const iss_guest::step s = m_guest.run_slice(self, self.line(pe_line::virq));
            if (s == iss_guest::step::done) {
                self.set_el(exception_level::EL2);
                m_host.vcpu_put(self, m_vcpu.vm, m_vcpu.vcpu, false);
                return;
            }
            const sc_time running = run_time + (self.local_time() - loaded);
            const bool wfi = s == iss_guest::step::wfi && !self.line(pe_line::virq);
            if (wfi || self.line(pe_line::irq) || running >= next_exit) {
                // An exit: KVM folds the vGIC state on each (kvm_vgic_sync_hwstate()).
                self.set_el(exception_level::EL2);
                self.spend(m_vcpu.exit_cost);
                m_host.vcpu_exit(self, m_vcpu.vm, m_vcpu.vcpu);
                ++m_stats.exits;
                take_host_irqs(self);
                while (running >= next_exit)
                    next_exit += m_vcpu.exit_interval;
                if (wfi) {
                    run_time = running;
                    put = true;
                } else {
                    m_host.vcpu_enter(self, m_vcpu.vm, m_vcpu.vcpu);
                    self.set_el(exception_level::EL1);
                }
            }
            self.sync_if_needed();
        }
        // WFI: put with a doorbell request, then sleep until something wakes the vCPU.
        m_host.vcpu_put(self, m_vcpu.vm, m_vcpu.vcpu, true);
        bool blocked = !m_host.vcpu_has_wakeup(m_vcpu.vm, m_vcpu.vcpu);
        m_stats.wfi_blocks += blocked;
        while (blocked) {
            if (self.wait_for_line(pe_line::irq, m_guest.wake_at())) {
                const bool doorbell = take_host_irqs(self);
                m_stats.wakeups += doorbell;
                blocked = !doorbell && !m_host.vcpu_has_wakeup(m_vcpu.vm, m_vcpu.vcpu);
            } else {
                blocked = false; // the guest's timer (KVM's background timer wakes it)
            }
        }
        self.sync_if_needed();
    }
}

} // namespace cpu_stubs
