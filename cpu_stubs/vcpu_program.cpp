#include "cpu_stubs/vcpu_program.h"

#include "tlm_gicv5/irs_regs.h"

#include <algorithm>
#include <cmath>

namespace cpu_stubs {

using gicv5::gic_insn;
using gicv5::sysreg;
namespace CD = gicv5::CD_OPERAND;

namespace {
constexpr unsigned MAX_NESTING = 4; // priority levels a handler can be preempted through
}

vcpu_program::vcpu_program(std::vector<vcpu_params> vcpus, const sc_time& time_slice,
                           const sc_time& tick, vcpu_host_if& host, guest_observer* observer)
    : m_time_slice(time_slice), m_tick(tick), m_host(host), m_observer(observer) {
    for (vcpu_params& p : vcpus) {
        vcpu v;
        v.params = std::move(p);
        v.next_exit = v.params.exit_interval;
        v.rng = v.params.seed ^ (uint64_t{v.params.vm} << 32 | v.params.vcpu);
        m_vcpus.push_back(std::move(v));
    }
}

void vcpu_program::run(pe& self) {
    self.set_el(exception_level::EL2);
    // A trapped guest GIC access is an exit: the hypervisor emulates it, then the guest resumes.
    self.set_trap_emulator([this](pe& p, const gicv5::gic_trap& t) -> std::optional<uint64_t> {
        if (!m_current || p.el() != exception_level::EL1)
            return std::nullopt;
        const vcpu_params& vp = m_current->params;
        return trapped(p, *m_current, [&] { return m_host.guest_trap(p, vp.vm, vp.vcpu, t); });
    });
    // The host kernel on this PE enables its physical CPU interface, for the doorbells (EL2
    // reaches the physical interface whatever is resident).
    self.msr(sysreg::ICC_PCR_EL1, gicv5::PRIORITY_LOWEST);
    self.msr(sysreg::ICC_CR0_EL1, gicv5::ICC_CR0_EL1::EN.make(1));
    for (;;) {
        if (vcpu* v = next_runnable()) {
            run_vcpu(self, *v);
        } else {
            // Every vCPU here blocks in WFI: idle until a doorbell or a blocked vCPU's timer.
            if (self.wait_for_line(pe_line::irq, next_blocked_timer()))
                take_host_irqs(self);
            wake_due_timers(self.local_time());
        }
        self.sync_if_needed();
    }
}

vcpu_program::vcpu* vcpu_program::next_runnable() {
    // Round robin from the one after the last that ran.
    for (std::size_t n = 0; n < m_vcpus.size(); ++n) {
        vcpu& v = m_vcpus[(m_turn + n) % m_vcpus.size()];
        if (!v.blocked && !v.dead) {
            m_turn = (m_turn + n + 1) % m_vcpus.size();
            return &v;
        }
    }
    return nullptr;
}

sc_time vcpu_program::next_blocked_timer() const {
    sc_time t = gicv5::sim_max_time();
    for (const vcpu& v : m_vcpus)
        if (v.blocked && v.params.timer_period != sc_core::SC_ZERO_TIME)
            t = std::min(t, v.timer_due);
    return t;
}

void vcpu_program::wake_due_timers(const sc_time& now) {
    for (vcpu& v : m_vcpus)
        if (v.blocked && v.params.timer_period != sc_core::SC_ZERO_TIME && v.timer_due <= now)
            v.blocked = false; // kvm_bg_timer_expire() -> kvm_vcpu_wake_up()
}

bool vcpu_program::others_runnable(const vcpu& v) const {
    return std::any_of(m_vcpus.begin(), m_vcpus.end(),
                       [&v](const vcpu& o) { return &o != &v && !o.blocked && !o.dead; });
}

void vcpu_program::run_vcpu(pe& self, vcpu& v) {
    const vcpu_params& p = v.params;
    m_host.vcpu_load(self, p.vm, p.vcpu);
    if (m_host.vm_dead(p.vm)) { // KVM_RUN fails from now on: the vCPU thread gives up
        v.dead = true;
        return;
    }
    self.set_el(exception_level::EL1);
    m_current = &v;
    struct not_running { // however run_vcpu returns
        vcpu*& current;
        ~not_running() { current = nullptr; }
    } guard{m_current};
    if (v.pending_wfi) { // the guest's WFI ends: it runs again
        if (!v.pending_wfi->cancelled)
            finish(self, *v.pending_wfi);
        v.pending_wfi.reset();
    }
    if (!v.booted) {
        if (!p.scripted)
            guest_boot(self, v);
        v.booted = true;
    }
    const sc_time loaded = self.local_time();
    const sc_time slice_end = loaded + m_time_slice;
    sc_time idle_since = loaded;
    auto running = [&] { return v.run_time + (self.local_time() - loaded); };
    for (;;) {
        const bool wfi_now = serve_requests(self, v);
        sc_time deadline = self.local_time() + (v.next_exit - running());
        if (others_runnable(v))
            deadline = std::min(deadline, slice_end);
        if (p.wfi)
            deadline = std::min(deadline, idle_since + p.wfi_after);
        deadline = std::min(deadline, next_blocked_timer()); // the host's timer IRQ
        if (m_tick != sc_core::SC_ZERO_TIME) // the next host tick, a multiple of m_tick
            deadline = std::min(deadline, m_tick * (std::floor(self.local_time() / m_tick) + 1));
        // A scripted guest takes its vIRQs in its own steps; a poke brings posted guest code. A
        // guest's WFI with nothing pending traps at once: no wait.
        const sc_time until = std::max(deadline, self.local_time());
        std::optional<pe_line> line;
        if (!wfi_now) {
            line = p.scripted ? self.wait_for_any({pe_line::irq}, until, true)
                              : self.wait_for_any({pe_line::virq, pe_line::irq}, until, true);
            if (!line && self.take_poke())
                continue;
        }
        if (line == pe_line::virq) {
            handle_irq(self, v, 0);
            idle_since = self.local_time();
            self.sync_if_needed();
            continue;
        }
        // An exit to the hypervisor: a physical IRQ, the exit interval, the end of the slice or
        // WFI. KVM folds the vGIC state on each (kvm_vgic_sync_hwstate()).
        self.set_el(exception_level::EL2);
        self.spend(p.exit_cost);
        m_host.vcpu_exit(self, p.vm, p.vcpu);
        ++v.stats.exits;
        if (line == pe_line::irq)
            take_host_irqs(self);
        wake_due_timers(self.local_time());
        while (running() >= v.next_exit)
            v.next_exit += p.exit_interval;
        const bool idle =
            wfi_now || (p.wfi && !self.virq() && self.local_time() >= idle_since + p.wfi_after);
        const bool slice_over = others_runnable(v) && self.local_time() >= slice_end;
        if (idle || slice_over) {
            v.run_time = running();
            // KVM's WFI path (kvm_vcpu_block()) sleeps whether or not a doorbell was requested:
            // without one only a kick or the timer wakes it. It does not sleep when
            // kvm_arch_vcpu_runnable() already holds.
            m_host.vcpu_put(self, p.vm, p.vcpu, idle);
            v.blocked = idle && !m_host.vcpu_has_wakeup(p.vm, p.vcpu);
            v.stats.wfi_blocks += v.blocked;
            m_switches += slice_over;
            return;
        }
        m_host.vcpu_enter(self, p.vm, p.vcpu);
        self.set_el(exception_level::EL1);
        if (p.rebalance_every != 0 && ++v.resumes % p.rebalance_every == 0)
            rebalance(self, v);
        self.sync_if_needed();
    }
}

std::optional<std::size_t> vcpu_program::find(unsigned vm, unsigned vcpu) const {
    for (std::size_t i = 0; i < m_vcpus.size(); ++i)
        if (m_vcpus[i].params.vm == vm && m_vcpus[i].params.vcpu == vcpu)
            return i;
    return std::nullopt;
}

void vcpu_program::finish(pe& self, guest_request& r) {
    r.done = true;
    r.done_at = self.local_time();
    r.done_event.notify(r.done_at - sc_core::sc_time_stamp());
}

bool vcpu_program::serve_requests(pe& self, vcpu& v) {
    while (!v.requests.empty()) {
        const std::shared_ptr<guest_request> req = std::move(v.requests.front());
        v.requests.pop_front();
        guest_request& r = *req;
        if (r.cancelled)
            continue;
        if (r.wfi) {
            if (!self.virq()) { // WFI with nothing pending traps: the exit path puts it to sleep
                v.pending_wfi = req;
                return true;
            }
            finish(self, r); // an interrupt is pending: WFI completes at once
            continue;
        }
        const guest_mmio_fn mmio = [this, &self, &v](uint64_t a, unsigned size, bool write,
                                                     uint64_t& d) {
            return guest_mmio(self, v, a, size, write, d);
        };
        r.body(self, mmio);
        self.set_el(exception_level::EL1); // guest code cannot leave EL1 by itself
        finish(self, r);
    }
    return false;
}

void vcpu_program::take_host_irqs(pe& self) {
    // The host's IRQ handler at EL2, until the physical line is low.
    while (self.line(pe_line::irq)) {
        const vcpu_host_if::irq_result r = m_host.host_irq(self);
        if (!r.taken)
            break; // the offer behind the line is not there yet at this PE's time
        // KVM's doorbell handler: db_fired, then kvm_vcpu_kick() makes the vCPU runnable.
        for (vcpu& o : m_vcpus)
            if (r.doorbell && o.params.vm == r.vm && o.params.vcpu == r.vcpu && o.blocked) {
                o.blocked = false;
                ++o.stats.wakeups;
            }
    }
    // A kick (reschedule IPI) wakes a blocked vCPU that has something queued for it.
    for (vcpu& o : m_vcpus)
        if (o.blocked && m_host.vcpu_has_wakeup(o.params.vm, o.params.vcpu))
            o.blocked = false;
}

void vcpu_program::guest_boot(pe& self, vcpu& v) {
    // As Linux's gicv5_cpu_enable_interrupts(): priority mask, then enable (reference §9.1).
    self.msr(sysreg::ICC_PCR_EL1, v.params.pcr);
    self.msr(sysreg::ICC_CR0_EL1, gicv5::ICC_CR0_EL1::EN.make(1));
    const vcpu_params& p = v.params;
    // A PPI's priority and enable, as the guest's drivers set them.
    auto enable_ppi = [&self](unsigned ppi, uint8_t prio) {
        const auto prio_reg =
            static_cast<sysreg>(static_cast<unsigned>(sysreg::ICC_PPI_PRIORITYR0_EL1) + ppi / 8);
        const unsigned lane = 8 * (ppi % 8);
        self.msr(prio_reg,
                 (self.mrs(prio_reg) & ~(uint64_t{0xff} << lane)) | uint64_t{prio} << lane);
        const sysreg enabler =
            ppi < 64 ? sysreg::ICC_PPI_ENABLER0_EL1 : sysreg::ICC_PPI_ENABLER1_EL1;
        self.msr(enabler, self.mrs(enabler) | uint64_t{1} << (ppi % 64));
    };
    enable_ppi(gicv5::PPI_SW_PPI, p.priority);
    if (p.timer_period != sc_core::SC_ZERO_TIME) {
        // The arch timer driver: the timer PPI, then the first tick.
        enable_ppi(gicv5::PPI_CNTV, p.timer_priority);
        v.timer_due = self.local_time() + p.timer_period;
        self.set_cntv({true, v.timer_due});
    }
    if (p.vcpu != 0)
        return; // the boot vCPU configures the VM's interrupt controller and SPIs
    if (p.irs_base)
        guest_irs_bringup(self, v);
    for (uint32_t id = 0; id < p.spis.size(); ++id) {
        const uint64_t intid = gicv5::spi(id).encode();
        const uint8_t prio = id < p.spi_priority.size() ? p.spi_priority[id] : p.priority;
        self.insn(gic_insn::CDPRI, intid | CD::PRIORITY.make(prio));
        self.insn(gic_insn::CDAFF, intid | CD::IAFFID.make(iaffid(p, id % p.vcpus)));
        if (p.spis[id] == gicv5::handling_mode::level)
            self.insn(gic_insn::CDHM, intid | CD::HM.make(1));
        self.insn(gic_insn::CDEN, intid);
    }
}

tlm::tlm_response_status vcpu_program::guest_mmio(pe& self, vcpu& v, uint64_t ipa, unsigned size,
                                                  bool write, uint64_t& data) {
    // A stage-2 abort.
    ++v.stats.mmio_traps;
    const vcpu_params& p = v.params;
    return trapped(self, v,
                   [&] { return m_host.guest_mmio(self, p.vm, p.vcpu, ipa, size, write, data); });
}

void vcpu_program::guest_irs_bringup(pe& self, vcpu& v) {
    // As a guest kernel's GICv5 driver (reference §9.1, §10.4): IRS_CR0.IRSEN, then poll IDLE;
    // each SPI whose trigger mode is not KVM's default (edge) selected, polled and given it in
    // IRS_SPI_CFGR (the driver's irq_set_type; an edge SPI needs no write).
    const uint64_t base = *v.params.irs_base;
    auto reg = [base](gicv5::irs_reg r) { return base + gicv5::desc(r).offset; };
    auto poll = [&](gicv5::irs_reg r, gicv5::field idle) {
        uint64_t d = 0;
        for (int tries = 0; tries < 1000; ++tries) { // KVM's emulation is idle at once
            if (guest_mmio(self, v, reg(r), 4, false, d) != tlm::TLM_OK_RESPONSE || idle.test(d))
                return;
        }
    };
    uint64_t d = gicv5::IRS_CR0::IRSEN.make(1);
    guest_mmio(self, v, reg(gicv5::irs_reg::IRS_CR0), 4, true, d);
    poll(gicv5::irs_reg::IRS_CR0, gicv5::IRS_CR0::IDLE);
    const std::vector<gicv5::handling_mode>& spis = v.params.spis;
    for (uint32_t id = 0; id < spis.size(); ++id) {
        if (spis[id] != gicv5::handling_mode::level)
            continue;
        d = gicv5::IRS_SPI_SELR::ID.make(id);
        guest_mmio(self, v, reg(gicv5::irs_reg::IRS_SPI_SELR), 4, true, d);
        poll(gicv5::irs_reg::IRS_SPI_STATUSR, gicv5::IRS_SPI_STATUSR::IDLE);
        d = gicv5::IRS_SPI_CFGR::TM.make(1);
        guest_mmio(self, v, reg(gicv5::irs_reg::IRS_SPI_CFGR), 4, true, d);
    }
}

void vcpu_program::rebalance(pe& self, vcpu& v) {
    const vcpu_params& p = v.params;
    if (p.spis.empty())
        return;
    // splitmix64: deterministic per seed, VM and vCPU.
    v.rng += 0x9e3779b97f4a7c15u;
    uint64_t r = v.rng;
    r = (r ^ (r >> 30)) * 0xbf58476d1ce4e5b9u;
    r = (r ^ (r >> 27)) * 0x94d049bb133111ebu;
    r ^= r >> 31;
    const uint64_t intid = gicv5::spi(static_cast<uint32_t>(r % p.spis.size())).encode();
    // Priorities 0x04..0x1c: never 0 (superpriority), always above the guest's mask.
    const auto prio = static_cast<uint8_t>(0x04 + (r >> 24) % 0x19);
    self.insn(gic_insn::CDPRI, intid | CD::PRIORITY.make(prio));
    self.insn(gic_insn::CDAFF,
              intid | CD::IAFFID.make(iaffid(p, static_cast<unsigned>((r >> 40) % p.vcpus))));
    ++v.stats.rebalances;
}

void vcpu_program::handle_irq(pe& self, vcpu& v, unsigned depth) {
    const vcpu_params& p = v.params;
    uint64_t r = self.insn(gic_insn::CDIA);
    if (!gicv5::CDIA_RESULT::VALID.test(r))
        r = self.insn(gic_insn::CDNMIA); // a superpriority interrupt, as Linux's NMI path
    if (!gicv5::CDIA_RESULT::VALID.test(r))
        return; // the HPPI went away before the acknowledge
    const gicv5::intid id = gicv5::intid::decode(r);
    const bool ppi = id.type == gicv5::intid_type::PPI;
    const bool tick = ppi && id.id == gicv5::PPI_CNTV;
    v.stats.sw_ppis += ppi && id.id == gicv5::PPI_SW_PPI;
    if (m_observer && !ppi) // the scoreboard follows the SPIs
        m_observer->on_vcpu_acknowledge(p.vm, p.vcpu, id, self.local_time());
    self.insn(gic_insn::GSB_ACK);
    if (p.eoi_split)
        self.insn(gic_insn::CDEOI);
    if (tick) {
        // The timer handler sets the next compare value, which lowers the timer's output.
        while (v.timer_due <= self.local_time())
            v.timer_due += p.timer_period;
        self.set_cntv({true, v.timer_due});
        ++v.stats.timer_irqs;
    }
    // With interrupts unmasked in the handler, one that beats the running priority preempts it
    // (the vIRQ line rises only for such a one); the handler resumes after it.
    sc_time left = p.handler_time;
    while (left > sc_core::SC_ZERO_TIME) {
        const sc_time start = self.local_time();
        if (!p.nested || depth >= MAX_NESTING) {
            self.idle_until(start + left);
            break;
        }
        if (!self.wait_for_line(pe_line::virq, start + left))
            break; // the handler ran to its end
        left -= self.local_time() - start;
        ++v.stats.preempts;
        handle_irq(self, v, depth + 1);
    }
    if (!p.eoi_split)
        self.insn(gic_insn::CDEOI);
    self.insn(gic_insn::CDDI, id.encode());
    if (m_observer && !ppi)
        m_observer->on_deactivate(p.vm, id, self.local_time());
    ++v.stats.handled;
}

} // namespace cpu_stubs
