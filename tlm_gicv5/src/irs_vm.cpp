// IRS: the VM table, VMAP operations and vPE selection (reference §2.3, §5.3).
// Each operation does its table walk at once through the memory socket; its IDLE bit returns
// t_op after the walk completes. SIMPLIFICATION: effects are visible at the write, not at IDLE.
#include "tlm_gicv5/irs.h"

#include "tlm_gicv5/vm_table.h"

#include <algorithm>
#include <vector>

namespace gicv5 {

using sc_core::sc_time;

bool irs::vmt_valid() const { return IRS_VMT_BASER::VALID.test(reg(irs_reg::IRS_VMT_BASER)); }

detail::vm_state* irs::mapped_vm(uint16_t vm_id) {
    if (vm_id >= m_vms.size() || !m_vms[vm_id] || !m_vms[vm_id]->valid)
        return nullptr;
    return m_vms[vm_id].get();
}

void irs::IRS_VMT_BASER_write(uint64_t value, sc_time& delay) {
    uint64_t& baser = reg(irs_reg::IRS_VMT_BASER);
    sc_time work = delay + op_wait(delay);
    if (vmt_valid()) {
        // §3 validity rule: while VALID = 1 the address is read-only; only 1 -> 0 is accepted,
        // and it retires every VM mapped through the table.
        if (IRS_VMT_BASER::VALID.test(value))
            return;
        for (std::size_t id = 0; id < m_vms.size(); ++id)
            if (mapped_vm(static_cast<uint16_t>(id)))
                unmap_vm(static_cast<uint16_t>(id), work);
        baser = IRS_VMT_BASER::VALID.set(baser, 0);
    } else {
        const uint64_t cfgr = reg(irs_reg::IRS_VMT_CFGR);
        const unsigned bits = static_cast<unsigned>(IRS_VMT_CFGR::VM_ID_BITS.get(cfgr));
        if (IRS_VMT_BASER::VALID.test(value) && bits > m_params.vm_id_bits) {
            // IRS_IDR3.VM_ID_BITS bounds what software may ask for.
            ignore("IRS_VMT_BASER made valid with an unsupported IRS_VMT_CFGR");
            value = IRS_VMT_BASER::VALID.set(value, 0);
        }
        baser = value;
        m_vmt_l2.clear();
        if (IRS_VMT_BASER::VALID.test(value) && IRS_VMT_CFGR::STRUCTURE.test(cfgr)) {
            // Two levels: L2 tables already made valid are picked up once here.
            m_vmt_l2.assign(((std::size_t{1} << bits) + VMTES_PER_L2 - 1) / VMTES_PER_L2, 0);
            std::vector<uint64_t> l1(m_vmt_l2.size());
            if (mem_access(tlm::TLM_READ_COMMAND, vmt_base(), l1.data(),
                           static_cast<unsigned>(l1.size() * L1_VMTE_BYTES), work))
                for (std::size_t i = 0; i < l1.size(); ++i)
                    if (L1_VMTE::VALID.test(l1[i]))
                        m_vmt_l2[i] = addr_of(L1_VMTE::L2_ADDR, l1[i]);
        }
    }
    m_vmt_busy_until = std::max(sim_now() + work, m_vmt_busy_until) + m_params.t_op;
}

uint64_t irs::vmt_base() const { return addr_of(IRS_VMT_BASER::ADDR, reg(irs_reg::IRS_VMT_BASER)); }

std::optional<uint64_t> irs::vmte_of(uint16_t vm_id) const {
    const uint64_t cfgr = reg(irs_reg::IRS_VMT_CFGR);
    if (!vmt_valid() || vm_id >= (uint64_t{1} << IRS_VMT_CFGR::VM_ID_BITS.get(cfgr)))
        return std::nullopt;
    if (!IRS_VMT_CFGR::STRUCTURE.test(cfgr))
        return vmte_address(vmt_base(), vm_id);
    const uint64_t l2 = m_vmt_l2[vm_id / VMTES_PER_L2];
    if (l2 == 0)
        return std::nullopt;
    return l2 + uint64_t{vm_id % VMTES_PER_L2} * VMTE_BYTES;
}

void irs::IRS_VMAP_L2_VMTR_write(uint64_t value, sc_time& work) {
    const uint16_t vm_id = static_cast<uint16_t>(IRS_VMAP_L2_VMTR::VM_ID.get(value));
    const uint64_t cfgr = reg(irs_reg::IRS_VMT_CFGR);
    if (!vmt_valid() || !IRS_VMT_CFGR::STRUCTURE.test(cfgr) ||
        vm_id >= (uint64_t{1} << IRS_VMT_CFGR::VM_ID_BITS.get(cfgr))) {
        ignore("IRS_VMAP_L2_VMTR with no valid two-level VM table, or a VM beyond it");
        return;
    }
    const std::size_t l1 = vm_id / VMTES_PER_L2;
    const uint64_t entry_addr = vmt_base() + l1 * L1_VMTE_BYTES;
    uint64_t entry = 0;
    // Software wrote the L2 address with VALID = 0; the IRS sets VALID (reference §5.3).
    if (IRS_VMAP_L2_VMTR::M.test(value) && m_vmt_l2[l1] == 0 &&
        mem_read64(entry_addr, entry, work) &&
        mem_write64(entry_addr, L1_VMTE::VALID.set(entry, 1), work))
        m_vmt_l2[l1] = addr_of(L1_VMTE::L2_ADDR, entry);
}

void irs::vmap_write(irs_reg r, uint64_t value, sc_time& delay) {
    reg(r) = value;
    // §8.12: a VMAP write while the previous operation is still in flight must not corrupt state.
    if (sim_now() + delay < m_vmt_busy_until) {
        ignore("VMAP register written before IRS_VMT_STATUSR.IDLE");
        return;
    }
    // The table walk runs from the write on (once the engine takes it); the PE only pays for
    // the register access.
    sc_time work = delay + op_wait(delay);
    switch (r) {
    case irs_reg::IRS_VMAP_VMR: IRS_VMAP_VMR_write(value, work); break;
    case irs_reg::IRS_VMAP_VISTR: IRS_VMAP_VISTR_write(value, work); break;
    case irs_reg::IRS_VMAP_L2_VISTR: IRS_VMAP_L2_VISTR_write(value, work); break;
    case irs_reg::IRS_VMAP_VPER: IRS_VMAP_VPER_write(value, work); break;
    case irs_reg::IRS_VMAP_L2_VMTR: IRS_VMAP_L2_VMTR_write(value, work); break;
    default: SC_REPORT_FATAL(name(), "vmap_write on a register that is not a VMAP register");
    }
    m_vmt_busy_until = sim_now() + work + m_params.t_op;
}

void irs::IRS_VMAP_VMR_write(uint64_t value, sc_time& work) {
    const uint16_t vm_id = static_cast<uint16_t>(IRS_VMAP_VMR::VM_ID.get(value));
    const std::optional<uint64_t> vmte = vmte_of(vm_id);
    if (!vmte)
        ignore("IRS_VMAP_VMR names a VM outside the VM table, or in an L2 table not mapped");
    else if (IRS_VMAP_VMR::U.test(value)) {
        if (mapped_vm(vm_id))
            unmap_vm(vm_id, work);
    } else if (IRS_VMAP_VMR::M.test(value)) {
        uint64_t w0 = 0, w1 = 0;
        if (mapped_vm(vm_id)) {
            ignore("IRS_VMAP_VMR maps a VM that is already mapped");
        } else if (mem_read64(vmte_word_at(*vmte, vmte_word::vmd), w0, work) &&
                   mem_read64(vmte_word_at(*vmte, vmte_word::vpet), w1, work)) {
            const unsigned vpe_bits = static_cast<unsigned>(VMTE_W1::VPE_ID_BITS.get(w1));
            const uint64_t vmd = m_params.vmd ? addr_of(VMTE_W0::VMD_ADDR, w0) : 0;
            if (vpe_bits > m_params.vpe_id_bits) {
                ignore("VMTE asks for more vPE ID bits than IRS_IDR4.VPE_ID_BITS");
            } else if (m_params.vmd &&
                       !mem_write64(desc_word_address(vmd, vmd_word::vm_dbr), 0, work)) {
                ignore("VMTE names a VM descriptor outside memory");
            } else if (mem_write64(vmte_word_at(*vmte, vmte_word::vmd), VMTE_W0::VALID.set(w0, 1),
                                   work)) {
                auto vm = std::make_unique<detail::vm_state>();
                vm->valid = true;
                vm->vmd = vmd;
                vm->vpet_base = addr_of(VMTE_W1::VPET_ADDR, w1);
                vm->vpe_id_bits = vpe_bits;
                vm->space.virt = true;
                vm->space.vm = vm_id;
                vm->space.targets.resize(std::size_t{1} << vpe_bits);
                m_vms[vm_id] = std::move(vm);
            }
        }
    }
}

void irs::unmap_vm(uint16_t vm_id, sc_time& delay) {
    detail::vm_state& vm = *m_vms[vm_id];
    iste_flush(vm_id + 1u, delay);
    for (std::size_t pe = 0; pe < m_resident.size(); ++pe) {
        if (m_resident[pe].valid && m_resident[pe].vm == vm_id) {
            // Recall what the PE was offered; its vPE can no longer be served.
            send_hppi(static_cast<int>(pe), vm.space, m_resident[pe].vpe, hppi{}, delay);
            m_resident[pe].valid = false;
        }
    }
    // §5.3 teardown: VMAP_VMR with U = 1 retires the VM and its vISTs; the IRS clears the VALID
    // bits it set. Later commands for the VM find no VM and are recorded as software errors.
    if (const std::optional<uint64_t> vmte = vmte_of(vm_id)) {
        clear_valid(vmte_word_at(*vmte, vmte_word::vmd), VMTE_W0::VALID, delay);
        for (const vmte_word vw : {vmte_word::lpi_vist, vmte_word::spi_vist})
            if (vm.vist(vist_type(vw))->valid)
                clear_valid(vmte_word_at(*vmte, vw), VIST_DESC::IST_VALID, delay);
    }
    for (std::size_t v = 0; v < vm.space.targets.size(); ++v)
        if (vm.space.targets[v].valid)
            clear_valid(vm.vpet_base + v * VPETE_BYTES, VPETE::VALID, delay);
    m_vms[vm_id].reset();
}

void irs::clear_valid(uint64_t addr, field valid, sc_time& work) {
    uint64_t w = 0;
    if (mem_read64(addr, w, work))
        mem_write64(addr, valid.set(w, 0), work);
}

void irs::IRS_VMAP_VISTR_write(uint64_t value, sc_time& work) {
    const uint16_t vm_id = static_cast<uint16_t>(IRS_VMAP_VISTR::VM_ID.get(value));
    const auto type = static_cast<intid_type>(IRS_VMAP_VISTR::TYPE.get(value));
    detail::vm_state* vm = mapped_vm(vm_id);
    detail::ist_state* vist = vm ? vm->vist(type) : nullptr;
    if (!vm) {
        ignore("IRS_VMAP_VISTR names an unmapped VM");
        return;
    }
    if (!vist) {
        ignore("IRS_VMAP_VISTR with a TYPE other than LPI (2) or SPI (3)");
        return;
    }
    const uint64_t desc_addr = vmte_word_at(*vmte_of(vm_id), vist_word(type));
    if (IRS_VMAP_VISTR::U.test(value)) {
        // §5.3: the LPI vIST (or the SPI vIST) retired alone; its state stays in memory.
        if (vist->valid) {
            iste_flush(vm_id + 1u, work);
            clear_valid(desc_addr, VIST_DESC::IST_VALID, work);
            ist_close(*vist, vm->space, work);
        }
        return;
    }
    if (!IRS_VMAP_VISTR::M.test(value))
        return;
    uint64_t d = 0;
    if (vist->valid) {
        ignore("IRS_VMAP_VISTR maps a vIST that is already mapped");
    } else if (mem_read64(desc_addr, d, work)) {
        detail::ist_geometry g;
        g.id_bits = static_cast<unsigned>(VIST_DESC::ID_BITS.get(d));
        g.istsz = static_cast<unsigned>(VIST_DESC::ISTSZ.get(d));
        g.l2sz = static_cast<unsigned>(VIST_DESC::L2SZ.get(d));
        g.two_level = VIST_DESC::STRUCTURE.test(d);
        if (!ist_supported(g, type))
            ignore("vIST descriptor asks for a geometry IRS_IDR2 does not allow");
        else if (mem_write64(desc_addr, VIST_DESC::IST_VALID.set(d, 1), work))
            ist_open(*vist, vm->space, type, g, addr_of(VIST_DESC::ADDR, d), work);
    }
}

void irs::IRS_VMAP_L2_VISTR_write(uint64_t value, sc_time& work) {
    detail::vm_state* vm = mapped_vm(static_cast<uint16_t>(IRS_VMAP_L2_VISTR::VM_ID.get(value)));
    detail::ist_state* vist =
        vm ? vm->vist(static_cast<intid_type>(IRS_VMAP_L2_VISTR::TYPE.get(value))) : nullptr;
    if (!IRS_VMAP_L2_VISTR::M.test(value))
        return;
    if (!vist || !ist_map_l2_of(*vist, vm->space,
                                static_cast<uint32_t>(IRS_VMAP_L2_VISTR::ID.get(value)), work))
        ignore("IRS_VMAP_L2_VISTR with no valid two-level vIST of that type, or an ID beyond it");
}

void irs::IRS_VMAP_VPER_write(uint64_t value, sc_time& work) {
    const uint16_t vm_id = static_cast<uint16_t>(IRS_VMAP_VPER::VM_ID.get(value));
    const uint16_t vpe_id = static_cast<uint16_t>(IRS_VMAP_VPER::VPE_ID.get(value));
    detail::vm_state* vm = mapped_vm(vm_id);
    if (!vm || vpe_id >= vm->space.targets.size()) {
        ignore("IRS_VMAP_VPER names an unmapped VM or a vPE outside its VPE table");
    } else if (IRS_VMAP_VPER::M.test(value) && !vm->space.targets[vpe_id].valid) {
        const uint64_t a = vm->vpet_base + uint64_t{vpe_id} * VPETE_BYTES;
        uint64_t e = 0;
        if (!mem_read64(a, e, work))
            return;
        // The IRS starts the vPE's descriptor with its reset settings (no doorbell, DPS = 0).
        const uint64_t desc = addr_of(VPETE::VPED_ADDR, e);
        if (!mem_write64(desc_word_address(desc, vped_word::dbr), 0, work) ||
            !mem_write64(desc_word_address(desc, vped_word::cr0), 0, work)) {
            ignore("VPETE names a vPE descriptor outside memory");
        } else if (mem_write64(a, VPETE::VALID.set(e, 1), work)) {
            detail::target& t = vm->space.targets[vpe_id];
            t = detail::target{};
            t.valid = true;
            t.desc = desc;
        }
    }
}

detail::target* irs::selected_vpe() {
    const uint64_t sel = reg(irs_reg::IRS_VPE_SELR);
    detail::vm_state* vm = mapped_vm(static_cast<uint16_t>(IRS_VPE_SELR::VM_ID.get(sel)));
    const uint64_t vpe = IRS_VPE_SELR::VPE_ID.get(sel);
    if (!vm || vpe >= vm->space.targets.size() || !vm->space.targets[vpe].valid)
        return nullptr;
    return &vm->space.targets[vpe];
}

void irs::IRS_VPE_SELR_write(uint64_t value, sc_time& delay) {
    // A selector write is accepted at any time (Linux does not wait for IDLE first, §2.3).
    reg(irs_reg::IRS_VPE_SELR) = value;
    const detail::target* vpe = selected_vpe();
    const bool v = IRS_VPE_SELR::S.test(value) && vpe != nullptr;
    reg(irs_reg::IRS_VPE_STATUSR) = IRS_VPE_STATUSR::V.make(v);
    // §2.3: a successful selection loads IRS_VPE_DBR with that vPE's doorbell settings.
    reg(irs_reg::IRS_VPE_DBR) = v ? vpe->dbr : 0;
    start_op(m_vpe_busy_until, delay);
}

void irs::IRS_VPE_CR0_write(uint64_t value, sc_time& delay) {
    uint64_t& status = reg(irs_reg::IRS_VPE_STATUSR);
    detail::target* vpe = selected_vpe();
    if (!config_write_ok(m_vpe_busy_until, vpe && IRS_VPE_STATUSR::V.test(status), delay,
                         "IRS_VPE_CR0 written before IDLE or with an invalid selector")) {
        status = IRS_VPE_STATUSR::F.set(status, 1);
        return;
    }
    reg(irs_reg::IRS_VPE_CR0) = value;
    vpe->dps = IRS_VPE_CR0::DPS.test(value);
    if (sc_time work = delay; vpe->desc != 0) // in the background, within t_op
        mem_write64(desc_word_address(vpe->desc, vped_word::cr0), value, work);
    status = IRS_VPE_STATUSR::F.set(status, 0);
    start_op(m_vpe_busy_until, delay);
}

} // namespace gicv5

namespace gicv5 {

void irs::IRS_VM_SELR_write(uint64_t value, sc_time& delay) {
    reg(irs_reg::IRS_VM_SELR) = value;
    const detail::vm_state* vm = mapped_vm(static_cast<uint16_t>(IRS_VM_SELR::VM_ID.get(value)));
    reg(irs_reg::IRS_VM_STATUSR) = IRS_VM_STATUSR::V.make(vm != nullptr);
    reg(irs_reg::IRS_VM_DBR) = vm ? vm->vm_dbr : 0;
    start_op(m_vm_busy_until, delay);
}

void irs::IRS_VM_DBR_write(uint64_t value, sc_time& delay) {
    const uint64_t sel = reg(irs_reg::IRS_VM_SELR);
    detail::vm_state* vm = mapped_vm(static_cast<uint16_t>(IRS_VM_SELR::VM_ID.get(sel)));
    if (!config_write_ok(m_vm_busy_until, vm, delay,
                         "IRS_VM_DBR written before IDLE or with no valid VM selected")) {
        reg(irs_reg::IRS_VM_STATUSR) = IRS_VM_STATUSR::V.set(reg(irs_reg::IRS_VM_STATUSR), 0);
        return;
    }
    reg(irs_reg::IRS_VM_DBR) = value;
    vm->vm_dbr = value;
    if (sc_time work = delay; vm->vmd != 0) // in the background, within t_op
        mem_write64(desc_word_address(vm->vmd, vmd_word::vm_dbr), value, work);
    start_op(m_vm_busy_until, delay);
}

void irs::IRS_SAVE_VMR_write(uint64_t value, sc_time& delay) {
    reg(irs_reg::IRS_SAVE_VMR) = value;
    const uint16_t vm_id = static_cast<uint16_t>(IRS_SAVE_VMR::VM_ID.get(value));
    detail::vm_state* vm = mapped_vm(vm_id);
    if (!IRS_SAVE_VMR::S.test(value))
        return;
    if (!vm) {
        software_error(swerr::unmapped_vm, "IRS_SAVE_VMR names an unmapped VM");
        return;
    }
    sc_time work = delay + op_wait(delay);
    // Saving writes back what the IRS caches of the VM's tables, so that software can read
    // them (KVM saves the SPI vIST as an array of ISTEs, reference §6.2).
    iste_flush(vm_id + 1u, work);
    const bool quiesce = IRS_SAVE_VMR::Q.test(value);
    if (quiesce != vm->space.quiesced) {
        vm->space.quiesced = quiesce;
        for (uint16_t t = 0; t < vm->space.targets.size(); ++t)
            update_hppi(vm->space, t, work); // recall, or offer again
    }
    m_save_busy_until = std::max(sim_now() + work, m_save_busy_until) + m_params.t_op;
}

void irs::IRS_VPE_DBR_write(uint64_t value, sc_time& delay) {
    uint64_t& status = reg(irs_reg::IRS_VPE_STATUSR);
    detail::target* vpe = selected_vpe();
    // §2.3: a DBR write applies only while the selected vPE is still valid; V shows a failure.
    if (!vpe || !IRS_VPE_STATUSR::V.test(status)) {
        status = IRS_VPE_STATUSR::V.set(status, 0);
        ignore("IRS_VPE_DBR written with no valid vPE selected");
        return;
    }
    reg(irs_reg::IRS_VPE_DBR) = value;
    vpe->dbr = value;
    store_vped(*vpe, delay);
    start_op(m_vpe_busy_until, delay);
    const uint64_t sel = reg(irs_reg::IRS_VPE_SELR);
    if (vpe->pe < 0)
        check_doorbell(m_vms[IRS_VPE_SELR::VM_ID.get(sel)]->space,
                       static_cast<uint16_t>(IRS_VPE_SELR::VPE_ID.get(sel)), delay);
}

} // namespace gicv5
