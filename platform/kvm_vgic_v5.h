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
#include "platform/platform_config.h"
#include "platform/timed_lock.h"
#include "tlm_gicv5/irs_regs.h"

#include <boost/intrusive/list.hpp>

#include <cstdint>
#include <memory>
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

struct vm_stats {
    uint64_t vdpend = 0;
    uint64_t vdrcfg = 0;
    uint64_t ap_list_insertions = 0;
    uint64_t ap_list_max_length = 0;
    uint64_t notifier_calls = 0;
    uint64_t folds = 0;
    sc_core::sc_time fold_time;     // summed over folds
    sc_core::sc_time fold_time_max; // the longest fold
};

// Per-VM state (KVM: struct vgic_dist plus the gicv5_vm data).
struct vgic_dist {
    using ap_list_type = boost::intrusive::list<
        vgic_irq, boost::intrusive::member_hook<vgic_irq, boost::intrusive::list_member_hook<>,
                                                &vgic_irq::ap_list>>;
    unsigned vm_id = 0;
    vm_config config;
    std::vector<vgic_irq> spis; // preallocated: nothing is allocated per interrupt
    ap_list_type ap_list;       // KVM: vgic_v5_spi_ap_list_head
    timed_lock ap_list_lock{"ap_list_lock", 1};
    std::vector<ack_notifier*> notifiers;
    // Where the IRS tables of this VM live (guest-visible only to the hypervisor).
    uint64_t vpet = 0, spi_vist = 0, lpi_vist = 0, vmd = 0;
    std::vector<uint64_t> vped; // per vPE
    unsigned vpe_id_bits = 0, spi_id_bits = 0;
    bool ready = false;
    sc_core::sc_event ready_event;
    vm_stats stats;

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

    // Elaboration: declare a VM; returns its VM ID.
    unsigned create_vm(const vm_config& cfg);
    void register_ack_notifier(unsigned vm, ack_notifier& n) { m_vms[vm]->notifiers.push_back(&n); }

    // Host boot, on a host PE: the system-wide VM table, then each VM's bring-up.
    void host_init(cpu_stubs::pe& self);
    void vm_init(cpu_stubs::pe& self, unsigned vm);
    // KVM, when the guest makes its own IRS_IST_BASER valid: a linear LPI vIST of 2^id_bits
    // 4-byte ISTEs in VMTE word 2, then VMAP_VISTR TYPE = 2 (reference §5.3 step 7).
    void map_lpi_vist(cpu_stubs::pe& self, unsigned vm, unsigned id_bits);
    // For other host PEs: wait until every VM has been brought up.
    void wait_until_ready(cpu_stubs::pe& self);

    // KVM mirrors the guest's trigger-mode choice (its write of the emulated IRS_SPI_CFGR.TM)
    // into irq->config; this sets it directly.
    void set_spi_config(unsigned vm, unsigned spi, trigger_mode mode) {
        m_vms[vm]->spis[spi].config = mode;
    }

    // KVM: kvm_vgic_inject_irq() for an SPI, as KVM_IRQ_LINE or irqfd reach it.
    void kvm_vgic_inject_irq(cpu_stubs::pe& self, unsigned vm, unsigned spi, bool level);

    // cpu_stubs::vcpu_host_if
    void vcpu_load(cpu_stubs::pe& self, unsigned vm, unsigned vcpu) override;
    void vcpu_exit(cpu_stubs::pe& self, unsigned vm, unsigned vcpu) override;

    uint64_t vm_table() const { return m_vmt; }
    unsigned vm_count() const { return static_cast<unsigned>(m_vms.size()); }
    const vgic_dist& dist(unsigned vm) const { return *m_vms[vm]; }

private:
    uint64_t alloc(uint64_t bytes, uint64_t align);
    uint64_t irs_reg_addr(gicv5::irs_reg r) const;
    void wait_for_idle(cpu_stubs::pe& self, gicv5::irs_reg status, gicv5::field idle);
    void vgic_v5_set_spi_pending_state(cpu_stubs::pe& self, vgic_dist& dist, vgic_irq& irq);
    void vgic_v5_spi_queue_irq_unlock(cpu_stubs::pe& self, vgic_dist& dist, vgic_irq& irq);
    void vgic_v5_fold_irq_state(cpu_stubs::pe& self, vgic_dist& dist);

    agent_params m_params;
    uint64_t m_next_free;
    uint64_t m_vmt = 0;
    // What host_init read from IRS_IDR3/IDR4: descriptor sizes in bytes; vmd_bytes 0 = no VMD.
    uint64_t m_vmd_bytes = 0, m_vped_bytes = 0;
    lock_order m_order;
    std::vector<std::unique_ptr<vgic_dist>> m_vms;
};

} // namespace platform::kvm
