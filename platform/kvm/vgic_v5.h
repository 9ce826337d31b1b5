// The hypervisor agent: a model of KVM's vgic-v5 software (reference §5.3, §5.4, §6.2), running
// on host PEs. Everything it does to the GIC is an MMIO access or a GIC system instruction
// through the PE it runs on, and takes that PE's time.
//
// Lock order, outermost first (KVM: vgic.c's locking block, reference §6.2):
//   1. vgic_dist::ap_list_lock  (KVM: dist->vgic_v5_spi_ap_list_lock, raw, IRQs off)
//   2. vgic_irq::irq_lock       (KVM: irq->irq_lock)
// Both paths that take both (queueing an SPI, folding on exit) take them in this order; the
// lock_order checker stops the run if any path does not.
//
// SPI tracking is a per-VM policy:
//   ap_list  KVM series v1-v3: an injected SPI is listed on its VM's AP list; every vCPU exit
//            folds the list with one VDRCFG per listed SPI and drops (with the ack notifier)
//            those neither active nor pending in KVM's sense.
//   none     the merged v4+ design: VDPEND only, no list, no notifier.
#pragma once

#include "cpu_stubs/vcpu_program.h"
#include "platform/latency_histogram.h"
#include "platform/platform_config.h"
#include "platform/kvm/guest_irs.h"
#include "platform/kvm/timed_lock.h"
#include "tlm_gicv5/insn.h"
#include "tlm_gicv5/irs_regs.h"

#include <boost/intrusive/list.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace platform::kvm {

// KVM's struct vgic_irq, the fields a v5 SPI uses (reference §6.2 table).
struct vgic_irq {
    boost::intrusive::list_member_hook<> ap_list;
    timed_lock irq_lock{"irq_lock", 2};
    uint32_t intid = 0;      // full v5 INTID: TYPE = SPI, ID = the SPI index
    bool on_ap_list = false; // KVM: irq->vcpu != NULL
    unsigned refcount = 0;   // one reference while listed
    trigger_mode config = trigger_mode::edge;
    bool pending_latch = false;
    bool line_level = false;
    bool active = false;
    uint64_t notifier_calls = 0; // ack notifications of this SPI (a script checks them)
};

// KVM's irq_is_pending(): an edge SPI's latch; a level SPI's latch or its line.
inline bool irq_is_pending(const vgic_irq& irq) {
    return irq.config == trigger_mode::level ? irq.pending_latch || irq.line_level
                                             : irq.pending_latch;
}

// An ack notifier (KVM: struct kvm_irq_ack_notifier), told the raw SPI number (the "GSI").
struct ack_notifier {
    virtual ~ack_notifier() = default;
    virtual void irq_acked(unsigned vm, unsigned gsi, const sc_core::sc_time& at) = 0;
};

// Sees what the agent does, for a trace; optional (one pointer, tested where it would be called).
struct agent_observer {
    virtual ~agent_observer() = default;
    // kvm_vgic_inject_irq() on `self` from `start` to the end of its VDPEND (level: the line's
    // new level; false is a level line's drop).
    virtual void injected(const cpu_stubs::pe& self, unsigned vm, unsigned spi, bool level,
                          const sc_core::sc_time& start) = 0;
    // VM vm's AP list now holds `length` SPIs (an insertion, a fold's drop, a teardown's drop).
    virtual void ap_list_changed(const cpu_stubs::pe& self, unsigned vm, std::size_t length) = 0;
    // A fold of VM vm's AP list ran on `self` from `start` to its local time now.
    virtual void folded(const cpu_stubs::pe& self, unsigned vm, const sc_core::sc_time& start) = 0;
};

struct vm_stats {
    uint64_t vdpend = 0;
    uint64_t vdrcfg = 0;
    uint64_t last_vdpend = 0; // the operand (Xt) of the VM's last GIC VDPEND
    uint64_t ap_list_insertions = 0;
    uint64_t ap_list_max_length = 0;
    uint64_t notifier_calls = 0;
    uint64_t folds = 0;
    sc_core::sc_time fold_time;      // summed over folds
    sc_core::sc_time fold_time_max;  // the longest fold
    uint64_t teardown_drops = 0;     // AP-list entries dropped by vm_teardown()
    uint64_t refused_injections = 0; // kvm_vgic_inject_irq() after vm_teardown()
    uint64_t restored_pending = 0;   // SPIs replayed by restore_pending_irqs()
    // Per-hop samples (report hops_ns): each AP-list lock acquisition on the injection path,
    // from asking to holding; each kvm_vgic_inject_irq() from entry to the end of its VDPEND.
    latency_histogram ap_list_lock_waits;
    latency_histogram vdpend_issues;
};

// The PPIs KVM shows a guest (reference §6.1: those with an in-kernel owner, and SW_PPI): the
// virtual timer, directly injected while its vCPU runs (ICH_PPI_DVIR), and SW_PPI. Their
// ICH_PPI_PRIORITYR<n>_EL2 registers are the ones KVM saves and restores.
constexpr uint64_t GUEST_PPIS0 = uint64_t{1} << gicv5::PPI_SW_PPI | uint64_t{1} << gicv5::PPI_CNTV;
constexpr uint64_t GUEST_DVI0 = uint64_t{1} << gicv5::PPI_CNTV;
constexpr std::array<unsigned, 2> PPI_PRIORITY_REGS{gicv5::PPI_SW_PPI / 8, gicv5::PPI_CNTV / 8};

// Per-vCPU state: the guest's GIC context while the vCPU is not loaded (KVM: struct
// vgic_v5_cpu_if), and its doorbell.
struct vgic_cpu {
    uint64_t apr = 0;      // ICH_APR_EL2
    uint64_t vmcr = 0;     // ICH_VMCR_EL2
    uint32_t doorbell = 0; // the physical LPI named in its IRS_VPE_DBR
    bool has_doorbell = false;
    unsigned pe = 0;       // where it runs; its doorbell is aimed there
    unsigned vpe_id = 0;   // merged KVM: the vCPU's userspace vcpu_id (vgic_v5_vpe_id())
    bool db_fired = false; // KVM: vgic_v5.db_fired
    bool loaded = false;   // between vcpu_load and vcpu_put
    bool reload = false;   // KVM_REQ_RELOAD_GICv5: put and load again at the next entry
    bool request = false;  // a request is pending (kvm_request_pending()): it does not sleep
    bool has_run = false;  // loaded at least once
    uint64_t doorbells = 0;
    // The guest's PPIs as KVM shadows them between runs (reference §6.1): enables, active
    // states, pending edge latches (edges seen at exits are folded in), priority registers.
    std::array<uint64_t, 2> ppi_enable{}, ppi_active{}, ppi_latch{};
    std::array<uint64_t, PPI_PRIORITY_REGS.size()> ppi_priority{};
    cpu_stubs::pe::timer_state timer; // KVM's saved virtual timer context (CNTV_CTL, CNTV_CVAL)
};

// Per-VM state (KVM: struct vgic_dist plus the gicv5_vm data).
struct vgic_dist {
    using ap_list_type = boost::intrusive::list<
        vgic_irq, boost::intrusive::member_hook<vgic_irq, boost::intrusive::list_member_hook<>,
                                                &vgic_irq::ap_list>>;
    unsigned vm_id = 0;
    vm_config config;
    std::vector<vgic_irq> spis; // preallocated: nothing is allocated per interrupt
    std::vector<vgic_cpu> cpus;
    ap_list_type ap_list; // KVM: vgic_v5_spi_ap_list_head
    timed_lock ap_list_lock{"ap_list_lock", 1};
    std::vector<ack_notifier*> notifiers;
    // Where the IRS tables of this VM live (guest-visible only to the hypervisor).
    uint64_t vpet = 0, spi_vist = 0, lpi_vist = 0, vmd = 0;
    std::vector<uint64_t> vped; // per vPE
    unsigned vpe_id_bits = 0, spi_id_bits = 0;
    bool ready = false;
    sc_core::sc_event ready_event;
    vm_stats stats;
    // Lifecycle (vgic_v5_lifecycle.cpp).
    bool spi_vist_mapped = false;
    bool torn_down = false; // vm_teardown() ran: injections refused, exits do nothing
    bool quiesced = false;  // saved with Q = 1 and not resumed: its state waits for a restore
    bool leaked = false;    // its unmap failed: VM ID and tables kept for good, as KVM does
    bool refusal_warned = false;
    std::vector<unsigned> restore_pending;      // SPIs to replay with VDPEND before the first run
    std::vector<unsigned> restore_pending_lpis; // likewise, the guest's LPIs (their IDs)
    // The guest's IRS as KVM emulates it (vgic_v5_guest.cpp), made at vm_init().
    std::unique_ptr<guest_irs_host> irs_host;
    std::unique_ptr<guest_irs> irs;
    // Merged KVM (reference §10.2): the guest's emulated IRS_CR0.IRSEN, and whether the VM was
    // marked dead because a vPE could not be made resident (ICH_CONTEXTR_EL2.F = 1).
    bool irs_enabled = false;
    bool dead = false;
    // The merged rules (§10.2) apply under policy none, the v1-v3 ones under ap_list.
    bool merged() const { return config.tracking == tracking_policy::none; }

    ~vgic_dist() { ap_list.clear(); } // the list does not own its nodes
};

struct agent_params {
    uint64_t irs_config_frame = 0x2f1a0000ull;
    uint64_t table_base = 0; // memory the agent may allocate IRS tables from
    uint64_t table_size = 0;
    unsigned pes = 2;
    unsigned vm_id_bits = 4;
    hypervisor_config costs;
};

class vgic_v5 : public cpu_stubs::vcpu_host_if {
public:
    explicit vgic_v5(const agent_params& params);
    ~vgic_v5() override;

    // Elaboration: declare a VM whose vCPU i runs on PE placement[i]; returns its VM ID.
    unsigned create_vm(const vm_config& cfg, const std::vector<unsigned>& placement);
    void register_ack_notifier(unsigned vm, ack_notifier& n) { m_vms[vm]->notifiers.push_back(&n); }
    void set_observer(agent_observer* o) { m_observer = o; } // elaboration; nullptr: none

    // Host boot, on a host PE: the system-wide VM table, then each VM's bring-up.
    void host_init(cpu_stubs::pe& self);
    // map_spi_vist = false stops before the SPI vIST is mapped (it is allocated, zeroed) and
    // leaves the VM not ready: vm_restore() fills it, maps it and lets the vCPUs run.
    void vm_init(cpu_stubs::pe& self, unsigned vm, bool map_spi_vist = true);
    // KVM, when the guest makes its own IRS_IST_BASER valid: a linear LPI vIST of 2^id_bits
    // 4-byte ISTEs in VMTE word 2, then VMAP_VISTR TYPE = 2 (reference §5.3 step 7). False when
    // the table memory is short or the IRS did not take it.
    bool map_lpi_vist(cpu_stubs::pe& self, unsigned vm, unsigned id_bits,
                      const std::function<void(uint64_t)>& fill = {}); // fill: writes the table
    // For other host PEs: wait until every VM has been brought up.
    void wait_until_ready(cpu_stubs::pe& self);

    // KVM mirrors the guest's trigger-mode choice (its write of the emulated IRS_SPI_CFGR.TM)
    // into irq->config; this sets it directly.
    void set_spi_config(unsigned vm, unsigned spi, trigger_mode mode) {
        m_vms[vm]->spis[spi].config = mode;
    }

    // A guest access (IPA) that stage 2 does not map traps here, on the vCPU's PE at EL2: the
    // VM's emulated IRS region (vm_config::irs_base, 128 KiB) answers it; anything else is an
    // address error (KVM would exit to the VMM).
    tlm::tlm_response_status guest_mmio(cpu_stubs::pe& self, unsigned vm, unsigned vcpu,
                                        uint64_t ipa, unsigned size, bool write,
                                        uint64_t& data) override;

    // KVM: kvm_vgic_inject_irq() for an SPI, as KVM_IRQ_LINE or irqfd reach it.
    void kvm_vgic_inject_irq(cpu_stubs::pe& self, unsigned vm, unsigned spi, bool level);

    // cpu_stubs::vcpu_host_if
    void vcpu_load(cpu_stubs::pe& self, unsigned vm, unsigned vcpu) override;
    void vcpu_exit(cpu_stubs::pe& self, unsigned vm, unsigned vcpu) override;
    bool vcpu_put(cpu_stubs::pe& self, unsigned vm, unsigned vcpu, bool wfi) override;
    void vcpu_enter(cpu_stubs::pe& self, unsigned vm, unsigned vcpu) override;
    bool vcpu_has_wakeup(unsigned vm, unsigned vcpu) const override;
    bool vm_dead(unsigned vm) const override { return m_vms[vm]->dead; }
    // KVM traps the guest's ICC_IAFFIDR_EL1 (set at load) and returns the vcpu_id
    // (vgic_v5_emulate_iaffidr(): the hardware would give the physical PE's IAFFID).
    std::optional<uint64_t> guest_trap(cpu_stubs::pe& self, unsigned vm, unsigned vcpu,
                                       const gicv5::gic_trap& t) override;
    irq_result host_irq(cpu_stubs::pe& self) override;

    // KVM_IRQ_LINE for a PPI of one vCPU (userspace may drive only SW_PPI, an edge PPI): the
    // pending latch, then KVM_REQ_IRQ_PENDING and a kick of the vCPU
    // (vgic_v5_ppi_queue_irq_unlock): a reschedule IPI to its PE, which makes it exit (or wakes it)
    // so that the next entry flushes the latch into ICH_PPI_PENDR.
    void kvm_vgic_inject_ppi(cpu_stubs::pe& self, unsigned vm, unsigned vcpu, unsigned ppi);
    // KVM kvm_vcpu_kick(): the reschedule IPI to the vCPU's PE, which makes it exit if it runs
    // (or wakes that PE); false when the host has no IPIs (an IRS without LPIs).
    bool kvm_vcpu_kick(cpu_stubs::pe& self, unsigned vm, unsigned vcpu);

    // VM lifecycle (vgic_v5_lifecycle.cpp), run on a host PE at EL2.
    //
    // KVM's kvm_vgic_destroy() with vgic_v5_teardown(): IRS_VMAP_VMR U = 1, then drop every AP-list
    // entry and its reference, without ack notifier, and release the vCPUs' doorbell LPIs. The
    // caller ensures no vCPU of the VM is loaded (an error otherwise) and no injection for it is in
    // flight (KVM destroys a VM only after its last user). A failed unmap leaks the VM (leaked =
    // true, a warning), as KVM leaks the VM ID.
    void vm_teardown(cpu_stubs::pe& self, unsigned vm);
    // Save: IRS_SAVE_VMR S = 1, Q = 1 (the VM stays quiesced), then the SPI vIST read back
    // through memory, one 32-bit ISTE per SPI. A restored SPI not replayed yet reads PENDING, as
    // in the image it came from (so a save right after a restore gives that image back).
    std::vector<uint32_t> vm_save(cpu_stubs::pe& self, unsigned vm);
    // After vm_save(): the guest's LPI IST image (KVM_DEV_ARM_VGIC_GRP_IST, lpi_ist), one 32-bit
    // ISTE per ID (2^IRS_IST_CFGR.LPI_ID_BITS) read from the host vIST, restored LPIs not
    // replayed yet PENDING; empty when the guest has no mapped LPI IST.
    std::vector<uint32_t> vm_save_lpi_ist(cpu_stubs::pe& self, unsigned vm);
    // KVM_DEV_ARM_VGIC_GRP_IRS_REGS: the guest IRS's registers as userspace reads and writes
    // them. A restore goes only into a VM none of whose vCPUs has run, and before its LPI IST
    // image (which needs the restored IST_CFGR and valid IST_BASER); IRS_CR0.IRSEN takes effect
    // as the guest's write would. False: refused (a warning), nothing changed.
    guest_irs_state vm_save_irs(unsigned vm) const;
    bool vm_restore_irs(unsigned vm, const guest_irs_state& regs);
    // KVM's LPI IST restore into a VM whose restored registers made IRS_IST_BASER valid: a vIST
    // allocated in host memory, filled with PENDING and HWU cleared (the pending IDs kept for
    // restore_pending_irqs()), then mapped with IRS_VMAP_VISTR. False (a warning) when no IST
    // waits for its image, the image is not 2^LPI_ID_BITS ISTEs, or the map failed.
    bool vm_restore_lpi_ist(cpu_stubs::pe& self, unsigned vm, const std::vector<uint32_t>& istes);
    // After a save that did not migrate the VM: IRS_SAVE_VMR S = 1, Q = 0, delivery resumes.
    void vm_resume(cpu_stubs::pe& self, unsigned vm);
    // KVM-NEW's SPI vIST restore (reference §6.2, §8.14) into a VM brought up with
    // vm_init(self, vm, false): each ISTE written with PENDING and HWU cleared, HM mirrored into
    // the SPI's trigger mode, the pending ones kept on a list; then VMAP_VISTR. With replay, the
    // list is replayed at once; without, the caller runs restore_pending_irqs() before the
    // first run (KVM does it then). The vCPUs wait until the replay.
    void vm_restore(cpu_stubs::pe& self, unsigned vm, const std::vector<uint32_t>& istes,
                    bool replay = true);
    // KVM-NEW vgic_v5_restore_pending_irqs(): replay each restored pending SPI with VDPEND
    // (PENDING = 1) through kvm_vgic_inject_irq(), so the AP list tracks it, and each restored
    // pending LPI with VDPEND (LPI, PENDING = 1); then the VM is ready to run.
    void restore_pending_irqs(cpu_stubs::pe& self, unsigned vm);

    uint64_t vm_table() const { return m_vmt; }
    unsigned vm_count() const { return static_cast<unsigned>(m_vms.size()); }
    const vgic_dist& dist(unsigned vm) const { return *m_vms[vm]; }

private:
    class irs_bridge;
    void guest_irs_init(cpu_stubs::pe& self, vgic_dist& d);
    bool unmap_lpi_vist(cpu_stubs::pe& self, vgic_dist& d);
    void reload_if_asked(cpu_stubs::pe& self, unsigned vm, unsigned vcpu);
    uint64_t alloc(uint64_t bytes, uint64_t align);
    std::optional<uint64_t> try_alloc(uint64_t bytes, uint64_t align); // none: memory is short
    uint64_t irs_reg_addr(gicv5::irs_reg r) const;
    void wait_for_idle(cpu_stubs::pe& self, gicv5::irs_reg status, gicv5::field idle);
    void host_ist_init(cpu_stubs::pe& self);
    void vgic_v5_restore_ppi_state(cpu_stubs::pe& self, vgic_cpu& c);
    void vgic_v5_save_ppi_state(cpu_stubs::pe& self, vgic_cpu& c);
    void doorbell_init(cpu_stubs::pe& self, vgic_dist& d, unsigned vcpu);
    void release_doorbells(cpu_stubs::pe& self, vgic_dist& d);
    void vgic_v5_spi_ist_map(cpu_stubs::pe& self, vgic_dist& d);
    void vm_ready(cpu_stubs::pe& self, vgic_dist& d);
    // For kvm_vgic_inject_irq(): true (and a warning, once) when the VM was torn down.
    bool injection_refused(vgic_dist& d);
    void vgic_v5_set_spi_pending_state(cpu_stubs::pe& self, vgic_dist& dist, vgic_irq& irq);
    void vgic_v5_spi_queue_irq_unlock(cpu_stubs::pe& self, vgic_dist& dist, vgic_irq& irq);
    void vgic_v5_fold_irq_state(cpu_stubs::pe& self, vgic_dist& dist);

    agent_params m_params;
    uint64_t m_next_free;
    uint64_t m_vmt = 0;
    // What host_init read from IRS_IDR3/IDR4: descriptor sizes in bytes; vmd_bytes 0 = no VMD.
    uint64_t m_vmd_bytes = 0, m_vped_bytes = 0;
    unsigned m_vpe_id_bits = 16; // the vPE ID width IRS_IDR4 reports
    // The host's physical IST, for the doorbells (none when the IRS has no LPIs).
    bool m_lpis = false;
    uint32_t m_next_lpi = 0;
    struct doorbell_owner {
        bool valid = false;
        unsigned vm = 0, vcpu = 0;
    };
    uint32_t m_ipi_base = 0; // LPI of PE i's reschedule IPI: m_ipi_base + i (Linux: IPIs are LPIs)
    bool m_ipis = false;
    std::vector<doorbell_owner> m_doorbell_owner; // index: LPI ID
    std::set<uint32_t> m_free_lpis; // doorbell LPIs released by a teardown, lowest reused first
    lock_order m_order;
    std::vector<std::unique_ptr<vgic_dist>> m_vms;
    agent_observer* m_observer = nullptr;
};

} // namespace platform::kvm
