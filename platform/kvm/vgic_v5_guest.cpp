// The agent's side of the guest's own IRS (reference §10.3): the emulation (guest_irs) reached
// through stage-2 traps, and the bridge that gives it what it needs from KVM.
#include "platform/kvm/vgic_v5.h"

#include "tlm_gicv5/irs_regs.h"
#include "tlm_gicv5/vm_table.h"

#include <algorithm>

namespace platform::kvm {

using namespace gicv5;
using cpu_stubs::pe;

// What guest_irs asks of KVM, for one VM. The PE is the one whose trap is being handled:
// KVM emulates on the CPU that took the abort.
class vgic_v5::irs_bridge : public guest_irs_host {
public:
    irs_bridge(vgic_v5& agent, vgic_dist& d) : m_agent(agent), m_d(d) {}
    pe* trap_pe = nullptr;

    bool vcpu_exists(unsigned id) const override {
        return std::any_of(m_d.cpus.begin(), m_d.cpus.end(),
                           [id](const vgic_cpu& c) { return c.vpe_id == id; });
    }
    unsigned online_vcpus() const override { return static_cast<unsigned>(m_d.cpus.size()); }
    unsigned vpe_id_bits() const override { return m_d.vpe_id_bits; }
    void irs_enable_changed(bool enabled) override {
        // KVM_REQ_RELOAD_GICv5 on every vCPU (kvm_make_all_cpus_request(): each is kicked, a
        // blocked one woken): residency is redone with the new IRICHPPIDIS, and a vCPU that
        // blocked without a doorbell while the IRS was off asks for one at its next WFI.
        m_d.irs_enabled = enabled;
        for (unsigned i = 0; i < m_d.cpus.size(); ++i) {
            vgic_cpu& c = m_d.cpus[i];
            c.reload = c.loaded;
            c.request = true;
            // A vCPU that never ran is not asleep, and the trapping one is running here.
            const bool here = c.loaded && trap_pe && c.pe == trap_pe->index();
            if (trap_pe && c.has_run && !here)
                m_agent.kvm_vcpu_kick(*trap_pe, m_d.vm_id, i);
        }
    }
    bool spi_level(unsigned spi) const override {
        return spi < m_d.spis.size() && m_d.spis[spi].config == trigger_mode::level;
    }
    void spi_trigger_mode(unsigned spi, bool level) override {
        if (spi < m_d.spis.size()) // KVM: irq->config
            m_d.spis[spi].config = level ? trigger_mode::level : trigger_mode::edge;
    }
    bool map_lpi_ist(unsigned id_bits) override {
        return trap_pe && m_agent.map_lpi_vist(*trap_pe, m_d.vm_id, id_bits);
    }
    bool unmap_lpi_ist() override { return trap_pe && m_agent.unmap_lpi_vist(*trap_pe, m_d); }
    void set_lpi(uint32_t lpi_id) override {
        if (trap_pe) // KVM injects the vLPI: GIC VDPEND(LPI, 1)
            trap_pe->insn(gic_insn::VDPEND, lpi(lpi_id).encode() | VD_OPERAND::VM.make(m_d.vm_id) |
                                                VD_OPERAND::PENDING.make(1));
    }

private:
    vgic_v5& m_agent;
    vgic_dist& m_d;
};

void vgic_v5::guest_irs_init(pe& self, vgic_dist& d) {
    // kvm_vgic_v5_irs_init(): what the host IRS offers, within KVM's uAPI (SPIs 32..1024 in
    // steps of 32, linear ISTs of 4-byte ISTEs).
    const uint32_t idr1 = self.read32(irs_reg_addr(irs_reg::IRS_IDR1));
    const uint32_t idr2 = self.read32(irs_reg_addr(irs_reg::IRS_IDR2));
    guest_irs_params p;
    p.spis = std::min(1024u, (std::max(d.config.spis, 32u) + 31) / 32 * 32);
    p.priority_bits = static_cast<unsigned>(IRS_IDR1::PRI_BITS.get(idr1)) + 1;
    p.id_bits = std::min(16u, static_cast<unsigned>(IRS_IDR2::ID_BITS.get(idr2)));
    p.min_lpi_id_bits =
        std::min(p.id_bits, static_cast<unsigned>(IRS_IDR2::MIN_LPI_ID_BITS.get(idr2)));
    d.irs_host = std::make_unique<irs_bridge>(*this, d);
    d.irs = std::make_unique<guest_irs>(p, *d.irs_host);
}

bool vgic_v5::map_lpi_vist(pe& self, unsigned vm, unsigned id_bits,
                           const std::function<void(uint64_t)>& fill) {
    vgic_dist& d = *m_vms[vm];
    const uint16_t id = static_cast<uint16_t>(d.vm_id);
    // KVM's allocation fails cleanly when memory is short; so does the map.
    const std::optional<uint64_t> table = try_alloc(uint64_t{4} << id_bits, 4096);
    if (!table)
        return false;
    d.lpi_vist = *table;
    if (fill) // before VMAP_VISTR: the IRS owns (and may cache) a mapped IST
        fill(d.lpi_vist);
    self.write64(vmte_word_address(m_vmt, id, vmte_word::lpi_vist),
                 addr_of(VIST_DESC::ADDR, d.lpi_vist) | VIST_DESC::ID_BITS.make(id_bits));
    wait_for_idle(self, irs_reg::IRS_VMT_STATUSR, IRS_VMT_STATUSR::IDLE);
    self.write64(irs_reg_addr(irs_reg::IRS_VMAP_VISTR),
                 IRS_VMAP_VISTR::TYPE.make(static_cast<uint64_t>(intid_type::LPI)) |
                     IRS_VMAP_VISTR::VM_ID.make(id) | IRS_VMAP_VISTR::M.make(1));
    wait_for_idle(self, irs_reg::IRS_VMT_STATUSR, IRS_VMT_STATUSR::IDLE);
    return VIST_DESC::IST_VALID.test(
        self.read64(vmte_word_address(m_vmt, id, vmte_word::lpi_vist)));
}

bool vgic_v5::unmap_lpi_vist(pe& self, vgic_dist& d) {
    const uint16_t id = static_cast<uint16_t>(d.vm_id);
    self.write64(irs_reg_addr(irs_reg::IRS_VMAP_VISTR),
                 IRS_VMAP_VISTR::TYPE.make(static_cast<uint64_t>(intid_type::LPI)) |
                     IRS_VMAP_VISTR::VM_ID.make(id) | IRS_VMAP_VISTR::U.make(1));
    wait_for_idle(self, irs_reg::IRS_VMT_STATUSR, IRS_VMT_STATUSR::IDLE);
    // The IRS clears IST_VALID when it lets go (§8.13); only then may KVM free the memory (the
    // model's allocator does not reuse it either way).
    return !VIST_DESC::IST_VALID.test(
        self.read64(vmte_word_address(m_vmt, id, vmte_word::lpi_vist)));
}

tlm::tlm_response_status vgic_v5::guest_mmio(pe& self, unsigned vm, unsigned vcpu, uint64_t ipa,
                                             unsigned size, bool write, uint64_t& data) {
    vgic_dist& d = *m_vms[vm];
    const uint64_t base = d.config.irs_base;
    if (!d.irs || ipa < base || ipa - base >= guest_irs::REGION_BYTES)
        return tlm::TLM_ADDRESS_ERROR_RESPONSE; // no emulated device there: KVM exits to the VMM
    auto& bridge = static_cast<irs_bridge&>(*d.irs_host);
    bridge.trap_pe = &self;
    const tlm::tlm_response_status st =
        write ? d.irs->write(ipa - base, size, data) : d.irs->read(ipa - base, size, data);
    bridge.trap_pe = nullptr;
    reload_if_asked(self, vm, vcpu);
    return st;
}

void vgic_v5::reload_if_asked(pe& self, unsigned vm, unsigned vcpu) {
    vgic_cpu& c = m_vms[vm]->cpus[vcpu];
    if (!c.reload)
        return;
    c.reload = false;
    vcpu_put(self, vm, vcpu, false);
    vcpu_load(self, vm, vcpu);
}

} // namespace platform::kvm
