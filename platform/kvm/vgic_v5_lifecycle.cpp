// The hypervisor agent's VM lifecycle: teardown, save and restore (reference §5.3, §6.2, §8.13,
// §8.14). Like the rest of the agent, every GIC access is an MMIO access or a GIC instruction
// through the PE it runs on.
#include "platform/kvm/vgic_v5.h"

#include "tlm_gicv5/irs_regs.h"
#include "tlm_gicv5/iste.h"
#include "tlm_gicv5/vm_table.h"

#include <algorithm>
#include <string>

namespace platform::kvm {

using namespace gicv5;
using cpu_stubs::pe;

namespace {
std::string vm_name(const vgic_dist& d) { return "VM " + std::to_string(d.vm_id); }

// An IST image as KVM saves it: n 32-bit ISTEs by plain loads, with PENDING set for the IDs of
// a restore whose replay has not run yet (KVM holds their PENDING, not the table).
std::vector<uint32_t> read_image(pe& self, uint64_t table, std::size_t n,
                                 const std::vector<unsigned>& held_pending) {
    std::vector<uint32_t> istes(n);
    for (std::size_t i = 0; i < n; ++i)
        istes[i] = self.read32(table + 4 * i);
    for (const unsigned id : held_pending)
        istes[id] |= static_cast<uint32_t>(L2_ISTE::PENDING.make(1));
    return istes;
}

// A saved image written into a table as KVM-NEW restores it (§8.14): PENDING is replayed with
// VDPEND, not handed to the IRS, and HWU belongs to the machine that saved it, so both are
// cleared. Returns the IDs that were pending, for the replay.
std::vector<unsigned> write_image(pe& self, uint64_t table, const std::vector<uint32_t>& istes) {
    std::vector<unsigned> pending;
    for (unsigned i = 0; i < istes.size(); ++i) {
        if (L2_ISTE::PENDING.test(istes[i]))
            pending.push_back(i);
        const uint64_t cleared = L2_ISTE::HWU.set(L2_ISTE::PENDING.set(istes[i], 0), 0);
        self.write32(table + 4 * i, static_cast<uint32_t>(cleared));
    }
    return pending;
}
} // namespace

bool vgic_v5::injection_refused(vgic_dist& d) {
    if (!d.torn_down)
        return false;
    // KVM cannot inject into a destroyed VM (no fd is left); the model's sources still may.
    ++d.stats.refused_injections;
    if (!d.refusal_warned) {
        d.refusal_warned = true;
        SC_REPORT_WARNING("kvm",
                          ("injection into " + vm_name(d) + " after its teardown refused").c_str());
    }
    return true;
}

void vgic_v5::vm_teardown(pe& self, unsigned vm) {
    vgic_dist& d = *m_vms[vm];
    if (d.torn_down) {
        SC_REPORT_WARNING("kvm", (vm_name(d) + " torn down twice: ignored").c_str());
        return;
    }
    // KVM destroys a VM only once its vCPUs are gone: every one must have been put.
    for (const vgic_cpu& c : d.cpus)
        if (c.loaded) {
            SC_REPORT_ERROR("kvm", (vm_name(d) + " torn down with a vCPU still loaded").c_str());
            return;
        }
    d.torn_down = true; // from here on injections are refused and exits do nothing
    const uint16_t id = static_cast<uint16_t>(d.vm_id);

    // KVM vgic_v5_teardown(): VMAP_VMR with U = 1 retires the VM and both its vISTs.
    self.write64(irs_reg_addr(irs_reg::IRS_VMAP_VMR),
                 IRS_VMAP_VMR::VM_ID.make(id) | IRS_VMAP_VMR::U.make(1));
    wait_for_idle(self, irs_reg::IRS_VMT_STATUSR, IRS_VMT_STATUSR::IDLE);
    // The IRS clears VMTE VALID when it lets go of the VM (§8.13). If it did not, the IRS may
    // still use the tables: KVM then leaks the VM ID and its memory rather than free them.
    if (VMTE_W0::VALID.test(self.read64(vmte_word_address(m_vmt, id, vmte_word::vmd)))) {
        d.leaked = true;
        SC_REPORT_WARNING("kvm", (vm_name(d) + ": IRS_VMAP_VMR U = 1 left the VMTE valid; VM "
                                               "ID and tables leaked")
                                     .c_str());
    }

    // KVM __kvm_vgic_vcpu_destroy() -> vgic_flush_pending_lpis(), here for the per-VM SPI list:
    // AP-list lock, then each SPI's lock; list_del and vgic_put_irq(). Software state goes even
    // when the VM leaked: only what the IRS may use is kept.
    // No ack notifier: KVM's destroy path calls none (kvm_notify_acked_irq() is raised only by
    // the fold), and by then the irqfd resamplers are unregistered (kvm_irqfd_release()).
    d.ap_list_lock.lock(self, m_order, m_params.costs.lock_cost);
    while (!d.ap_list.empty()) {
        vgic_irq& irq = d.ap_list.front();
        irq.irq_lock.lock(self, m_order, m_params.costs.lock_cost);
        d.ap_list.pop_front();
        irq.on_ap_list = false;
        --irq.refcount;
        ++d.stats.teardown_drops;
        if (m_observer)
            m_observer->ap_list_changed(self, d.vm_id, d.ap_list.size());
        irq.irq_lock.unlock(self, m_order);
    }
    d.ap_list_lock.unlock(self, m_order);
    if (!d.leaked)
        release_doorbells(self, d);
}

void vgic_v5::release_doorbells(pe& self, vgic_dist& d) {
    // KVM frees the vCPUs' doorbells after the VM's unmap (reference §10.2): each LPI is
    // disabled and goes back to the host's pool, so a later VM may get it. The IRS forgot the
    // vPEs, and with them their IRS_VPE_DBR, when it retired the VM.
    for (vgic_cpu& c : d.cpus) {
        if (!c.has_doorbell)
            continue;
        self.insn(gic_insn::CDDIS, lpi(c.doorbell).encode());
        m_doorbell_owner[c.doorbell] = {};
        m_free_lpis.insert(c.doorbell);
        c.has_doorbell = false;
        c.doorbell = 0;
        c.db_fired = false;
    }
    self.insn(gic_insn::GSB_SYS);
}

std::vector<uint32_t> vgic_v5::vm_save(pe& self, unsigned vm) {
    vgic_dist& d = *m_vms[vm];
    if (d.torn_down || !d.spi_vist_mapped) {
        SC_REPORT_WARNING("kvm", (vm_name(d) + ": save with no mapped SPI vIST refused").c_str());
        return {};
    }
    // KVM-NEW's SPI vIST save: the IRS writes back what it caches and quiesces the VM, so the
    // table in memory is final (reference §6.2 save/restore).
    self.write64(irs_reg_addr(irs_reg::IRS_SAVE_VMR), IRS_SAVE_VMR::VM_ID.make(d.vm_id) |
                                                          IRS_SAVE_VMR::Q.make(1) |
                                                          IRS_SAVE_VMR::S.make(1));
    wait_for_idle(self, irs_reg::IRS_SAVE_VM_STATUSR, IRS_SAVE_VM_STATUSR::IDLE);
    d.quiesced = true;
    if (!IRS_SAVE_VM_STATUSR::Q.test(self.read32(irs_reg_addr(irs_reg::IRS_SAVE_VM_STATUSR))))
        SC_REPORT_ERROR("kvm", (vm_name(d) + ": IRS_SAVE_VM_STATUSR.Q = 0 after a save with "
                                             "Q = 1")
                                   .c_str());
    return read_image(self, d.spi_vist, d.spis.size(), d.restore_pending); // nr_spis ISTEs
}

std::vector<uint32_t> vgic_v5::vm_save_lpi_ist(pe& self, unsigned vm) {
    vgic_dist& d = *m_vms[vm];
    if (d.torn_down || !d.irs || !d.irs->lpi_ist_valid() || d.irs->restore_pending() ||
        d.lpi_vist == 0)
        return {};
    const auto bits = static_cast<unsigned>(IRS_IST_CFGR::LPI_ID_BITS.get(d.irs->save().ist_cfgr));
    return read_image(self, d.lpi_vist, std::size_t{1} << bits, d.restore_pending_lpis);
}

guest_irs_state vgic_v5::vm_save_irs(unsigned vm) const {
    const vgic_dist& d = *m_vms[vm];
    return d.irs ? d.irs->save() : guest_irs_state{};
}

bool vgic_v5::vm_restore_irs(unsigned vm, const guest_irs_state& regs) {
    vgic_dist& d = *m_vms[vm];
    const bool ran =
        std::any_of(d.cpus.begin(), d.cpus.end(), [](const vgic_cpu& c) { return c.has_run; });
    if (d.torn_down || !d.irs || ran) {
        SC_REPORT_WARNING("kvm", (vm_name(d) + ": IRS register restore into a VM that ran (or "
                                               "has no guest IRS) refused")
                                     .c_str());
        return false;
    }
    if (!d.irs->restore(regs)) {
        SC_REPORT_WARNING("kvm", (vm_name(d) + ": IRS register restore refused: its IST "
                                               "configuration differs from the mapped LPI vIST")
                                     .c_str());
        return false;
    }
    // KVM's uaccess write of IRS_CR0 sets the enable as the guest's would; no vCPU has run, so
    // there is nothing to reload.
    d.irs_enabled = d.irs->enabled();
    return true;
}

bool vgic_v5::vm_restore_lpi_ist(pe& self, unsigned vm, const std::vector<uint32_t>& istes) {
    vgic_dist& d = *m_vms[vm];
    if (d.torn_down || !d.irs || !d.irs->restore_pending()) {
        SC_REPORT_WARNING("kvm", (vm_name(d) + ": LPI IST restore with no restored valid "
                                               "IRS_IST_BASER waiting for its image")
                                     .c_str());
        return false;
    }
    const auto bits = static_cast<unsigned>(IRS_IST_CFGR::LPI_ID_BITS.get(d.irs->save().ist_cfgr));
    if (istes.size() != std::size_t{1} << bits) {
        SC_REPORT_WARNING("kvm",
                          (vm_name(d) + ": LPI IST image of " + std::to_string(istes.size()) +
                           " ISTEs, expected 2^" + std::to_string(bits))
                              .c_str());
        return false;
    }
    // The vIST is filled, the pending LPIs kept for the replay, then mapped.
    const auto fill_and_map = [&](unsigned id_bits) {
        return map_lpi_vist(self, vm, id_bits, [&](uint64_t table) {
            d.restore_pending_lpis = write_image(self, table, istes);
        });
    };
    if (!d.irs->map_restored_ist(fill_and_map)) {
        d.restore_pending_lpis.clear();
        SC_REPORT_WARNING("kvm", (vm_name(d) + ": the restored LPI vIST was not mapped").c_str());
        return false;
    }
    return true;
}

void vgic_v5::vm_resume(pe& self, unsigned vm) {
    vgic_dist& d = *m_vms[vm];
    if (d.torn_down) {
        SC_REPORT_WARNING("kvm", (vm_name(d) + ": resume after teardown refused").c_str());
        return;
    }
    self.write64(irs_reg_addr(irs_reg::IRS_SAVE_VMR),
                 IRS_SAVE_VMR::VM_ID.make(d.vm_id) | IRS_SAVE_VMR::S.make(1));
    wait_for_idle(self, irs_reg::IRS_SAVE_VM_STATUSR, IRS_SAVE_VM_STATUSR::IDLE);
    d.quiesced = false;
}

void vgic_v5::vm_restore(pe& self, unsigned vm, const std::vector<uint32_t>& istes, bool replay) {
    vgic_dist& d = *m_vms[vm];
    if (d.torn_down || d.spi_vist == 0 || d.spi_vist_mapped) {
        SC_REPORT_ERROR("kvm", (vm_name(d) + ": restore needs an SPI vIST allocated and not "
                                             "mapped (vm_init(self, vm, false))")
                                   .c_str());
        return;
    }
    if (istes.size() > d.spis.size()) {
        SC_REPORT_ERROR("kvm", (vm_name(d) + ": restore of more ISTEs than SPIs").c_str());
        return;
    }
    // KVM-NEW: HM is mirrored into irq->config; the table gets the image, pending cleared.
    for (unsigned i = 0; i < istes.size(); ++i)
        d.spis[i].config =
            static_cast<handling_mode>(L2_ISTE::HM.get(istes[i])) == handling_mode::level
                ? trigger_mode::level
                : trigger_mode::edge;
    d.restore_pending = write_image(self, d.spi_vist, istes);
    vgic_v5_spi_ist_map(self, d);
    // Replay only into a vIST the IRS took: it sets IST_VALID in VMTE word 3 (§8.13).
    const uint64_t desc =
        self.read64(vmte_word_address(m_vmt, static_cast<uint16_t>(d.vm_id), vmte_word::spi_vist));
    if (!VIST_DESC::IST_VALID.test(desc)) {
        d.spi_vist_mapped = false;
        SC_REPORT_ERROR("kvm",
                        (vm_name(d) + ": VMAP_VISTR did not map the restored SPI vIST").c_str());
        return;
    }
    if (replay)
        restore_pending_irqs(self, vm);
}

void vgic_v5::restore_pending_irqs(pe& self, unsigned vm) {
    vgic_dist& d = *m_vms[vm];
    if (!d.spi_vist_mapped) {
        SC_REPORT_ERROR("kvm", (vm_name(d) + ": replay with no mapped SPI vIST").c_str());
        return;
    }
    // KVM-NEW vgic_v5_restore_pending_irqs(): VDPEND (PENDING = 1) for each, by the injection
    // path so the AP list tracks it. A level SPI is taken as its line still high: its source
    // lowers it (KVM_IRQ_LINE 0, VDPEND 0) as for any level SPI. Setting only the latch would
    // keep it pending for good (the fold never clears a level latch the ISTE still shows).
    for (const unsigned spi_index : d.restore_pending) {
        kvm_vgic_inject_irq(self, vm, spi_index, true);
        ++d.stats.restored_pending;
    }
    d.restore_pending.clear();
    // The guest's LPIs have no KVM state to track: one VDPEND each.
    for (const unsigned id : d.restore_pending_lpis) {
        const uint64_t xt =
            lpi(id).encode() | VD_OPERAND::VM.make(d.vm_id) | VD_OPERAND::PENDING.make(1);
        self.insn(gic_insn::VDPEND, xt);
        ++d.stats.vdpend;
        d.stats.last_vdpend = xt;
        ++d.stats.restored_pending;
    }
    d.restore_pending_lpis.clear();
    vm_ready(self, d); // the vCPUs may run now
}

} // namespace platform::kvm
