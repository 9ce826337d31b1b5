// The software of a PE that runs guest vCPUs: a host scheduler that time-shares the PE among the
// vCPUs placed on it, and each vCPU's guest.
//
// Guest side (Linux's order, reference §4.3 item 7 and §9.2): on the virtual IRQ, GICR CDIA (then
// GICR CDNMIA for a superpriority interrupt); if VALID: GSB ACK, the priority drop (GIC CDEOI) at
// once in eoi split mode, the handler for handler_time, then the drop if not done yet and the
// deactivate (GIC CDDI). With nesting, an interrupt that beats the running priority preempts the
// handler. At its first run, vCPU 0 configures its VM's SPIs as a guest OS does: CDPRI, CDAFF,
// CDHM, CDEN each; each vCPU enables SW_PPI, and a vCPU with a timer its timer PPI
// (ICC_PPI_PRIORITYR, ICC_PPI_ENABLER), and starts the timer. With wfi, a guest with nothing to do
// for wfi_after executes WFI.
//
// Host side, all at EL2 on this PE (KVM's vcpu_run loop):
// - a vCPU exits every exit_interval of its running time, at each host timer tick, and on a
//   physical IRQ; each exit runs
//   the hypervisor's exit handler (for KVM: the fold of the vGIC state) and costs exit_cost;
// - a WFI exit blocks the vCPU unless something is pending for it: the hypervisor makes it
//   non-resident, with a doorbell request when one can ring (vgic_v5_put); the doorbell, a
//   physical LPI aimed at this PE, a kick or its timer wakes it;
// - vCPUs that are runnable take turns, round robin, for time_slice each; a switch puts one
//   (no doorbell) and loads the next (vgic_v5_load);
// - with no runnable vCPU the PE idles until a physical IRQ (a doorbell) or the timer of a
//   blocked vCPU (KVM's background timer wakes it).
#pragma once

#include "cpu_stubs/pe.h"
#include "tlm_gicv5/iste.h"

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace cpu_stubs {

// What the hypervisor does for a vCPU, called on the vCPU's PE at EL2.
struct vcpu_host_if {
    virtual ~vcpu_host_if() = default;
    // KVM vgic_v5_load(): restore the guest's GIC context and make the vPE resident (may wait
    // until its VM is set up).
    virtual void vcpu_load(pe& self, unsigned vm, unsigned vcpu) = 0;
    // KVM's exit path (kvm_vgic_sync_hwstate()): runs on every vCPU exit, the vPE resident.
    virtual void vcpu_exit(pe& self, unsigned vm, unsigned vcpu) = 0;
    // KVM vgic_v5_put(): save the guest's GIC context and make the vPE non-resident; blocking in
    // WFI, ask for a doorbell. Returns whether a doorbell was requested (it is not when the
    // guest's interface is disabled or its priorities leave none that could ring).
    virtual bool vcpu_put(pe& self, unsigned vm, unsigned vcpu, bool wfi) = 0;
    // KVM's entry path after an exit (vgic_v5_flush_ppi_state()): what the hypervisor queued for
    // the guest meanwhile reaches the hardware.
    virtual void vcpu_enter(pe& self, unsigned vm, unsigned vcpu) = 0;
    // KVM kvm_arch_vcpu_runnable(): a blocked vCPU has something to wake for (its doorbell rang,
    // or an interrupt was queued for it).
    virtual bool vcpu_has_wakeup(unsigned vm, unsigned vcpu) const = 0;
    // A guest access that traps to the hypervisor (stage-2 abort), handled on this PE at EL2:
    // the emulated device's response; data is read or written.
    virtual tlm::tlm_response_status guest_mmio(pe& /*self*/, unsigned /*vm*/, unsigned /*vcpu*/,
                                                uint64_t /*ipa*/, unsigned /*size*/, bool /*write*/,
                                                uint64_t& /*data*/) {
        return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    }
    // A guest GIC access the hypervisor traps (ICH_HFG*TR_EL2), emulated on this PE at EL2: the
    // value a read returns, if the hypervisor gives one.
    virtual std::optional<uint64_t> guest_trap(pe& /*self*/, unsigned /*vm*/, unsigned /*vcpu*/,
                                               const gicv5::gic_trap& /*t*/) {
        return std::nullopt;
    }
    // KVM marked the VM dead (KVM_RUN fails from then on): its vCPUs stop running.
    virtual bool vm_dead(unsigned /*vm*/) const { return false; }
    // A physical IRQ taken at EL2 on this PE: acknowledges and handles it.
    struct irq_result {
        bool taken = false;    // an interrupt was acknowledged
        bool doorbell = false; // it was the doorbell of vCPU `vcpu` of VM `vm`
        unsigned vm = 0, vcpu = 0;
    };
    virtual irq_result host_irq(pe& self) = 0;
};

// Who wants to know what the guest saw (a scoreboard).
struct guest_observer {
    virtual ~guest_observer() = default;
    virtual void on_acknowledge(unsigned vm, gicv5::intid id, const sc_time& at) = 0;
    // The same, told which vCPU of the VM took it; by default just on_acknowledge().
    virtual void on_vcpu_acknowledge(unsigned vm, unsigned /*vcpu*/, gicv5::intid id,
                                     const sc_time& at) {
        on_acknowledge(vm, id, at);
    }
    // The guest deactivated it (GIC CDDI) at `at`.
    virtual void on_deactivate(unsigned vm, gicv5::intid id, const sc_time& at) = 0;
};

struct vcpu_params {
    unsigned vm = 0;
    unsigned vcpu = 0;
    unsigned vcpus = 1; // vCPUs of the VM: SPI n targets vCPU n % vcpus
    // Their vPE IDs (the IAFFID), shared by the VM's vCPUs; null: 0 .. vcpus - 1.
    std::shared_ptr<const std::vector<unsigned>> vpe_ids;
    std::vector<gicv5::handling_mode> spis; // the VM's SPIs (index = SPI ID) and their mode
    uint8_t pcr = gicv5::PRIORITY_LOWEST;   // the guest's priority mask (ICC_PCR_EL1) at boot
    // Guest physical address of its VM's emulated IRS region (reference §10.3), which the boot
    // vCPU brings up as a guest kernel does; no value: the guest never touches it.
    std::optional<uint64_t> irs_base;
    // The guest does nothing of its own (no boot, no handler, no WFI): its code is what
    // post_guest() hands it, as a directed scenario's guest steps.
    bool scripted = false;
    uint8_t priority = 0x10;           // the guest's priority for its SPIs and SW_PPI ...
    std::vector<uint8_t> spi_priority; // ... or, when not empty, per SPI
    sc_time handler_time{2, sc_core::SC_US};
    bool eoi_split = true; // priority drop at acknowledge, deactivate after the handler
    bool nested = false;   // the handler runs with interrupts unmasked
    sc_time exit_interval{50, sc_core::SC_US};
    sc_time exit_cost{500, sc_core::SC_NS};
    bool wfi = false;
    sc_time wfi_after{10, sc_core::SC_US}; // idle this long, then WFI
    // The guest's tick on its virtual timer (PPI CNTV): the handler sets the next compare value
    // one period on. Zero: no timer.
    sc_time timer_period = sc_core::SC_ZERO_TIME;
    uint8_t timer_priority = 0x08;
    // The guest's irqbalance: at every rebalance_every-th return from an exit, the vCPU gives
    // one of its VM's SPIs, picked at random, a new priority and a new target vCPU (GIC CDPRI,
    // then GIC CDAFF, as Linux's set_affinity path: no masking, no barrier). 0: never.
    unsigned rebalance_every = 0;
    uint64_t seed = 1; // of the rebalancing's choices
};

// A guest access that traps to the hypervisor: addr, size, write, data (in or out).
using guest_mmio_fn = std::function<tlm::tlm_response_status(uint64_t, unsigned, bool, uint64_t&)>;

// Guest code handed to a vCPU from outside (a script's guest step): run on the PE where the vCPU
// is loaded, at its EL1, the next time it runs guest code. A WFI request instead makes the vCPU
// execute WFI: done at once when a vIRQ is pending, else once the vCPU runs again after the
// hypervisor put it to sleep.
struct guest_request {
    std::function<void(pe&, const guest_mmio_fn&)> body;
    bool wfi = false;
    bool cancelled = false; // its poster gave up waiting: never run it
    bool done = false;
    sc_time done_at;              // the vCPU's local time when it finished
    sc_core::sc_event done_event; // notified at done_at
};

// Counts of one vCPU.
struct vcpu_stats {
    uint64_t exits = 0;   // every exit, WFI included
    uint64_t handled = 0; // interrupts acknowledged and deactivated
    uint64_t wfi_blocks = 0;
    uint64_t wakeups = 0;  // doorbells that woke it
    uint64_t preempts = 0; // nested interrupts taken inside a handler
    uint64_t timer_irqs = 0;
    uint64_t sw_ppis = 0;    // SW_PPI interrupts taken (KVM_IRQ_LINE for a PPI)
    uint64_t rebalances = 0; // SPIs given a new priority and target (rebalance_every)
    uint64_t mmio_traps = 0; // guest accesses that trapped to the hypervisor (its emulated IRS)
};

class vcpu_program : public pe_program {
public:
    // tick: the host's timer tick (a physical timer IRQ that makes the running vCPU exit);
    // zero for none.
    vcpu_program(std::vector<vcpu_params> vcpus, const sc_time& time_slice, const sc_time& tick,
                 vcpu_host_if& host, guest_observer* observer);
    void run(pe& self) override;

    std::size_t vcpu_count() const { return m_vcpus.size(); }
    const vcpu_params& params(std::size_t i) const { return m_vcpus[i].params; }
    const vcpu_stats& stats(std::size_t i) const { return m_vcpus[i].stats; }
    // The index of vCPU `vcpu` of VM `vm` among those placed here, if it is.
    std::optional<std::size_t> find(unsigned vm, unsigned vcpu) const;
    // Queues r for vCPU i (post_guest's caller pokes this program's PE and waits for r.done).
    void post_guest(std::size_t i, std::shared_ptr<guest_request> r) {
        m_vcpus[i].requests.push_back(std::move(r));
    }
    uint64_t switches() const { return m_switches; }

private:
    struct vcpu {
        vcpu_params params;
        vcpu_stats stats;
        bool booted = false;
        bool blocked = false; // in WFI, waiting for its doorbell
        bool dead = false;    // its VM was marked dead: it never runs again
        sc_time run_time;     // guest time run so far (exit_interval counts in it)
        sc_time next_exit;    // in run_time
        sc_time timer_due;    // the compare value the guest last set (when it has a timer)
        uint64_t resumes = 0; // returns from an exit, for rebalance_every
        uint64_t rng = 0;     // state of the rebalancing's choices
        std::deque<std::shared_ptr<guest_request>> requests; // posted guest code, in order
        std::shared_ptr<guest_request> pending_wfi; // a WFI waiting for the vCPU to run again
    };

    vcpu* next_runnable();
    // KVM's background timer of a vCPU blocked in WFI (kvm_timer_schedule): the earliest
    // compare value among them, and waking those due by now.
    sc_time next_blocked_timer() const;
    void wake_due_timers(const sc_time& now);
    bool others_runnable(const vcpu& v) const;
    static unsigned iaffid(const vcpu_params& p, unsigned vcpu_index) {
        return p.vpe_ids && vcpu_index < p.vpe_ids->size() ? (*p.vpe_ids)[vcpu_index] : vcpu_index;
    }
    void run_vcpu(pe& self, vcpu& v);
    void guest_boot(pe& self, vcpu& v);
    // Runs v's posted guest code; true when a WFI request is left for the exit path.
    bool serve_requests(pe& self, vcpu& v);
    static void finish(pe& self, guest_request& r);
    void guest_irs_bringup(pe& self, vcpu& v);
    // A guest access that traps: an exit like any other (the hypervisor folds on it), the
    // hypervisor's emulation (which returns what the access gets), then back into the guest.
    template <typename Emulate>
    auto trapped(pe& self, vcpu& v, Emulate emulate) {
        self.set_el(gicv5::exception_level::EL2);
        self.spend(v.params.exit_cost);
        m_host.vcpu_exit(self, v.params.vm, v.params.vcpu);
        ++v.stats.exits;
        const auto result = emulate();
        m_host.vcpu_enter(self, v.params.vm, v.params.vcpu);
        self.set_el(gicv5::exception_level::EL1);
        return result;
    }
    // A guest access that traps to its emulated device.
    tlm::tlm_response_status guest_mmio(pe& self, vcpu& v, uint64_t ipa, unsigned size, bool write,
                                        uint64_t& data);
    void handle_irq(pe& self, vcpu& v, unsigned depth);
    void rebalance(pe& self, vcpu& v);
    void take_host_irqs(pe& self);

    std::vector<vcpu> m_vcpus;
    sc_time m_time_slice;
    sc_time m_tick;
    vcpu_host_if& m_host;
    guest_observer* m_observer;
    std::size_t m_turn = 0;
    vcpu* m_current = nullptr; // the vCPU running guest code on this PE, if any
    uint64_t m_switches = 0;
};

} // namespace cpu_stubs
