// The hypervisor agent (KVM vgic-v5 model). Each function names the KVM code it mirrors.
#include "platform/kvm/vgic_v5.h"

#include "tlm_gicv5/irs_regs.h"
#include "tlm_gicv5/vm_table.h"

#include <algorithm>
#include <sstream>
#include <string>

namespace platform::kvm {

using namespace gicv5;
using cpu_stubs::pe;
using sc_core::sc_time;

namespace {
// The doorbells' priority on the host (above any other host interrupt it has).
constexpr uint8_t DOORBELL_PRIORITY = 0x08;

} // namespace

vgic_v5::vgic_v5(const agent_params& params)
    : m_params(params), m_next_free(params.table_base), m_order(params.pes) {}

vgic_v5::~vgic_v5() = default;

unsigned vgic_v5::create_vm(const vm_config& cfg, const std::vector<unsigned>& placement) {
    auto d = std::make_unique<vgic_dist>();
    d->cpus.resize(cfg.vcpus);
    for (unsigned i = 0; i < cfg.vcpus; ++i) {
        d->cpus[i].vpe_id = cfg.vcpu_id(i);
        if (i < placement.size())
            d->cpus[i].pe = placement[i];
    }
    d->vm_id = static_cast<unsigned>(m_vms.size()); // KVM takes VM IDs from an IDA, lowest first
    d->config = cfg;
    // KVM (kvm_vgic_v5_irs_init): round the SPI count up so the linear SPI vIST is at least
    // 64 bytes (32 x 4 B in the later series), and to a power of two for its ID_BITS.
    d->spi_id_bits = log2_ceil(std::max(cfg.spis, 32u));
    d->vpe_id_bits = cfg.vpe_table_bits(); // the largest vcpu_id's, at least 2 vPEs
    d->spis.resize(cfg.spis);
    for (unsigned i = 0; i < cfg.spis; ++i)
        d->spis[i].intid = spi(i).encode();
    m_vms.push_back(std::move(d));
    return m_vms.back()->vm_id;
}

std::optional<uint64_t> vgic_v5::try_alloc(uint64_t bytes, uint64_t align) {
    const uint64_t a = (m_next_free + align - 1) & ~(align - 1);
    if (a + bytes > m_params.table_base + m_params.table_size)
        return std::nullopt;
    m_next_free = a + bytes;
    return a; // fresh memory reads as zero, as KVM's zeroed allocations
}

uint64_t vgic_v5::alloc(uint64_t bytes, uint64_t align) {
    const std::optional<uint64_t> a = try_alloc(bytes, align);
    if (!a) // the loader sized memory for every table but a guest's LPI IST (try_alloc)
        SC_REPORT_FATAL("kvm", "out of table memory: enlarge memory.size");
    return a.value_or(0);
}

uint64_t vgic_v5::irs_reg_addr(irs_reg r) const {
    return m_params.irs_config_frame + desc(r).offset;
}

void vgic_v5::wait_for_idle(pe& self, irs_reg status, field idle) {
    // As Linux's gicv5_wait_for_op(): poll every poll_interval, give up after 10 ms.
    const sc_time deadline = self.local_time() + sc_time(10, sc_core::SC_MS);
    while (!idle.test(self.read32(irs_reg_addr(status)))) {
        if (self.local_time() >= deadline) {
            SC_REPORT_ERROR("kvm",
                            (std::string(desc(status).name) + " stayed busy for 10 ms").c_str());
            return;
        }
        self.spend(m_params.costs.poll_interval);
        self.sync_if_needed();
    }
}

void vgic_v5::host_init(pe& self) {
    // One system-wide, linear VM table (reference §5.3), 32 bytes per VMTE.
    const uint64_t bytes = uint64_t{VMTE_BYTES} << m_params.vm_id_bits;
    m_vmt = alloc(bytes, 4096);
    self.write32(irs_reg_addr(irs_reg::IRS_VMT_CFGR),
                 static_cast<uint32_t>(IRS_VMT_CFGR::VM_ID_BITS.make(m_params.vm_id_bits)));
    self.write64(irs_reg_addr(irs_reg::IRS_VMT_BASER),
                 addr_of(IRS_VMT_BASER::ADDR, m_vmt) | IRS_VMT_BASER::VALID.make(1));
    wait_for_idle(self, irs_reg::IRS_VMT_STATUSR, IRS_VMT_STATUSR::IDLE);
    // The IRS-private descriptors KVM allocates, zeroed, per VM and per vPE (reference §5.3).
    const uint32_t idr3 = self.read32(irs_reg_addr(irs_reg::IRS_IDR3));
    const uint32_t idr4 = self.read32(irs_reg_addr(irs_reg::IRS_IDR4));
    m_vmd_bytes = IRS_IDR3::VMD.test(idr3) ? uint64_t{1} << IRS_IDR3::VMD_SZ.get(idr3) : 0;
    m_vped_bytes = uint64_t{1} << IRS_IDR4::VPED_SZ.get(idr4);
    m_vpe_id_bits = static_cast<unsigned>(IRS_IDR4::VPE_ID_BITS.get(idr4)) + 1; // width - 1
    // As the Linux host driver at probe: enable the IRS (reference §9.1 step 2).
    self.write32(irs_reg_addr(irs_reg::IRS_CR0), static_cast<uint32_t>(IRS_CR0::IRSEN.make(1)));
    wait_for_idle(self, irs_reg::IRS_CR0, IRS_CR0::IDLE);
    host_ist_init(self);
}

void vgic_v5::host_ist_init(pe& self) {
    // The host kernel's LPI IST (Linux gicv5_irs_init_ist(), reference §9.1 steps 12-18): a
    // linear table big enough for one doorbell LPI per vCPU (KVM's per-VM doorbell domain) and
    // one reschedule IPI per PE.
    const uint32_t idr2 = self.read32(irs_reg_addr(irs_reg::IRS_IDR2));
    if (!IRS_IDR2::LPI.test(idr2))
        return; // no LPIs: no doorbells, and vCPUs never block in WFI
    unsigned lpis = m_params.pes;
    for (const auto& d : m_vms)
        lpis += d->config.vcpus;
    const unsigned id_bits = std::max(static_cast<unsigned>(IRS_IDR2::MIN_LPI_ID_BITS.get(idr2)),
                                      log2_ceil(std::max(lpis, 2u)));
    if (id_bits > IRS_IDR2::ID_BITS.get(idr2))
        return;
    // IRS_IDR2.ISTMD asks for 8- or 16-byte ISTEs (reference §3).
    const unsigned istsz = !IRS_IDR2::ISTMD.test(idr2)              ? 0
                           : id_bits < IRS_IDR2::ISTMD_SZ.get(idr2) ? 1
                                                                    : 2;
    const uint64_t ist = alloc(uint64_t{4} << istsz << id_bits, 4096);
    self.write32(irs_reg_addr(irs_reg::IRS_IST_CFGR),
                 static_cast<uint32_t>(IRS_IST_CFGR::LPI_ID_BITS.make(id_bits) |
                                       IRS_IST_CFGR::ISTSZ.make(istsz)));
    self.write64(irs_reg_addr(irs_reg::IRS_IST_BASER),
                 addr_of(IRS_IST_BASER::ADDR, ist) | IRS_IST_BASER::VALID.make(1));
    wait_for_idle(self, irs_reg::IRS_IST_STATUSR, IRS_IST_STATUSR::IDLE);
    m_lpis = true;
    m_doorbell_owner.resize(std::size_t{1} << id_bits);
    // Linux's IPIs are LPIs: one reschedule IPI per PE, aimed at it (kvm_vcpu_kick() sends it).
    if (m_params.pes > m_doorbell_owner.size())
        return;
    m_ipi_base = m_next_lpi;
    m_next_lpi += m_params.pes;
    for (unsigned pe_index = 0; pe_index < m_params.pes; ++pe_index) {
        const uint64_t id = lpi(m_ipi_base + pe_index).encode();
        self.insn(gic_insn::CDPRI, id | CD_OPERAND::PRIORITY.make(DOORBELL_PRIORITY));
        self.insn(gic_insn::CDAFF, id | CD_OPERAND::IAFFID.make(pe_index));
        self.insn(gic_insn::CDEN, id);
    }
    self.insn(gic_insn::GSB_SYS);
    m_ipis = true;
}

void vgic_v5::doorbell_init(pe& self, vgic_dist& d, unsigned vcpu) {
    // KVM: one LPI of the VM's doorbell domain, aimed at the CPU the vCPU runs on, enabled;
    // then IRS_VPE_DBR names it (DBV = 1, no request yet: early series, reference §5.3).
    vgic_cpu& c = d.cpus[vcpu];
    if (!m_free_lpis.empty()) {
        c.doorbell = *m_free_lpis.begin(); // one a torn-down VM released
        m_free_lpis.erase(m_free_lpis.begin());
    } else if (m_lpis && m_next_lpi < m_doorbell_owner.size()) {
        c.doorbell = m_next_lpi++;
    } else {
        return;
    }
    c.has_doorbell = true;
    m_doorbell_owner[c.doorbell] = {true, d.vm_id, vcpu};
    const uint64_t id = lpi(c.doorbell).encode();
    self.insn(gic_insn::CDPRI, id | CD_OPERAND::PRIORITY.make(DOORBELL_PRIORITY));
    self.insn(gic_insn::CDAFF, id | CD_OPERAND::IAFFID.make(c.pe));
    self.insn(gic_insn::CDEN, id);
    self.insn(gic_insn::GSB_SYS);
    self.write64(irs_reg_addr(irs_reg::IRS_VPE_DBR), IRS_VPE_DBR::INTID.make(c.doorbell) |
                                                         IRS_VPE_DBR::DBPM.make(PRIORITY_LOWEST) |
                                                         IRS_VPE_DBR::DBV.make(1));
    wait_for_idle(self, irs_reg::IRS_VPE_STATUSR, IRS_VPE_STATUSR::IDLE);
}

void vgic_v5::vm_init(pe& self, unsigned vm, bool map_spi_vist) {
    vgic_dist& d = *m_vms[vm];
    const uint16_t id = static_cast<uint16_t>(d.vm_id);
    guest_irs_init(self, d);
    // KVM bring-up order (reference §5.3): fill the VMTE, VMAP_VMR, then per vPE the VPETE,
    // VMAP_VPER, VPE_SELR + VPE_CR0.DPS = 1; then the SPI vIST and VMAP_VISTR.
    if (d.vpe_id_bits > m_vpe_id_bits) {
        SC_REPORT_ERROR("kvm", ("VM " + std::to_string(d.vm_id) + " needs " +
                                std::to_string(d.vpe_id_bits) + " vPE ID bits, the IRS has " +
                                std::to_string(m_vpe_id_bits) + " (IRS_IDR4.VPE_ID_BITS + 1)")
                                   .c_str());
        return;
    }
    d.vpet = alloc(uint64_t{VPETE_BYTES} << d.vpe_id_bits, 64);
    if (m_vmd_bytes != 0) {
        d.vmd = alloc(m_vmd_bytes, m_vmd_bytes);
        self.write64(vmte_word_address(m_vmt, id, vmte_word::vmd),
                     addr_of(VMTE_W0::VMD_ADDR, d.vmd));
    }
    self.write64(vmte_word_address(m_vmt, id, vmte_word::vpet),
                 addr_of(VMTE_W1::VPET_ADDR, d.vpet) | VMTE_W1::VPE_ID_BITS.make(d.vpe_id_bits));
    wait_for_idle(self, irs_reg::IRS_VMT_STATUSR, IRS_VMT_STATUSR::IDLE);
    self.write64(irs_reg_addr(irs_reg::IRS_VMAP_VMR),
                 IRS_VMAP_VMR::VM_ID.make(id) | IRS_VMAP_VMR::M.make(1));
    wait_for_idle(self, irs_reg::IRS_VMT_STATUSR, IRS_VMT_STATUSR::IDLE);

    d.vped.resize(d.config.vcpus);
    for (unsigned vcpu = 0; vcpu < d.config.vcpus; ++vcpu) {
        const unsigned vpe = d.cpus[vcpu].vpe_id; // sparse vcpu_ids leave holes in the table
        d.vped[vcpu] = alloc(m_vped_bytes, m_vped_bytes);
        self.write64(d.vpet + uint64_t{vpe} * VPETE_BYTES, addr_of(VPETE::VPED_ADDR, d.vped[vcpu]));
        self.write64(irs_reg_addr(irs_reg::IRS_VMAP_VPER), IRS_VMAP_VPER::VPE_ID.make(vpe) |
                                                               IRS_VMAP_VPER::VM_ID.make(id) |
                                                               IRS_VMAP_VPER::M.make(1));
        wait_for_idle(self, irs_reg::IRS_VMT_STATUSR, IRS_VMT_STATUSR::IDLE);
        self.write64(irs_reg_addr(irs_reg::IRS_VPE_SELR), IRS_VPE_SELR::VM_ID.make(id) |
                                                              IRS_VPE_SELR::VPE_ID.make(vpe) |
                                                              IRS_VPE_SELR::S.make(1));
        wait_for_idle(self, irs_reg::IRS_VPE_STATUSR, IRS_VPE_STATUSR::IDLE);
        if (!IRS_VPE_STATUSR::V.test(self.read32(irs_reg_addr(irs_reg::IRS_VPE_STATUSR))))
            SC_REPORT_ERROR("kvm", "IRS_VPE_STATUSR.V = 0 after selecting a mapped vPE");
        self.write32(irs_reg_addr(irs_reg::IRS_VPE_CR0),
                     static_cast<uint32_t>(IRS_VPE_CR0::DPS.make(1)));
        wait_for_idle(self, irs_reg::IRS_VPE_STATUSR, IRS_VPE_STATUSR::IDLE);
        doorbell_init(self, d, vcpu);
    }

    // KVM vgic_v5_spi_ist_alloc(): a linear SPI vIST of 4-byte ISTEs.
    d.spi_vist = alloc(uint64_t{4} << d.spi_id_bits, 64);
    if (!map_spi_vist)
        return; // vm_restore() fills it, maps it and makes the VM ready
    vgic_v5_spi_ist_map(self, d);
    vm_ready(self, d);
}

void vgic_v5::vgic_v5_spi_ist_map(pe& self, vgic_dist& d) {
    const uint16_t id = static_cast<uint16_t>(d.vm_id);
    self.write64(vmte_word_address(m_vmt, id, vmte_word::spi_vist),
                 addr_of(VIST_DESC::ADDR, d.spi_vist) | VIST_DESC::ID_BITS.make(d.spi_id_bits));
    self.write64(irs_reg_addr(irs_reg::IRS_VMAP_VISTR),
                 IRS_VMAP_VISTR::TYPE.make(static_cast<uint64_t>(intid_type::SPI)) |
                     IRS_VMAP_VISTR::VM_ID.make(id) | IRS_VMAP_VISTR::M.make(1));
    wait_for_idle(self, irs_reg::IRS_VMT_STATUSR, IRS_VMT_STATUSR::IDLE);
    d.spi_vist_mapped = true;
}

void vgic_v5::vm_ready(pe& self, vgic_dist& d) {
    d.ready = true;
    // The vCPU threads wait on this; notify at the host's local time.
    d.ready_event.notify(self.local_time() - sc_core::sc_time_stamp());
}

namespace {
void wait_ready(pe& self, const vgic_dist& d) {
    self.wait_for([&d] { return d.ready; }, d.ready_event);
}
} // namespace

void vgic_v5::wait_until_ready(pe& self) {
    for (auto& d : m_vms)
        wait_ready(self, *d);
}

void vgic_v5::vcpu_load(pe& self, unsigned vm, unsigned vcpu) {
    vgic_dist& d = *m_vms[vm];
    wait_ready(self, d);
    // KVM vgic_v5_load(): restore the guest's GIC context, then make the vPE resident and check F.
    vgic_cpu& c = d.cpus[vcpu];
    self.msr(sysreg::ICH_APR_EL2, c.apr);
    self.msr(sysreg::ICH_VMCR_EL2, c.vmcr);
    vgic_v5_restore_ppi_state(self, c);
    self.set_cntv(c.timer); // kvm_timer_vcpu_load()
    // KVM always traps the guest's ICC_IAFFIDR_EL1, to answer with the vcpu_id (guest_trap()).
    self.msr(sysreg::ICH_HFGRTR_EL2,
             self.mrs(sysreg::ICH_HFGRTR_EL2) | ICH_HFGxTR_EL2::IAFFIDR.make(1));
    // Merged KVM also hides the IRS's offers while the guest's IRS is disabled (IRICHPPIDIS).
    self.msr(sysreg::ICH_CONTEXTR_EL2,
             ICH_CONTEXTR_EL2::V.make(1) | ICH_CONTEXTR_EL2::VM.make(d.vm_id) |
                 ICH_CONTEXTR_EL2::VPE.make(c.vpe_id) |
                 ICH_CONTEXTR_EL2::IRICHPPIDIS.make(d.merged() && !d.irs_enabled));
    if (ICH_CONTEXTR_EL2::F.test(self.mrs(sysreg::ICH_CONTEXTR_EL2))) {
        if (d.merged()) {
            // vgic_v5_load(): the VM is marked dead (kvm_vm_dead()); its vCPUs run no more.
            if (!d.dead)
                SC_REPORT_WARNING("kvm", ("VM " + std::to_string(d.vm_id) +
                                          " marked dead: ICH_CONTEXTR_EL2.F = 1, its vPE " +
                                          std::to_string(c.vpe_id) + " could not be made resident")
                                             .c_str());
            d.dead = true;
        } else {
            SC_REPORT_ERROR("kvm", "ICH_CONTEXTR_EL2.F = 1: the vPE could not be made resident");
        }
    }
    c.db_fired = false;
    c.request = false;
    c.loaded = true;
    c.has_run = true;
}

void vgic_v5::vcpu_enter(pe& self, unsigned vm, unsigned vcpu) {
    // KVM vgic_v5_flush_ppi_state() on the way back in: latches queued while the vCPU ran (a
    // kicked SW_PPI) join what the hardware holds pending.
    reload_if_asked(self, vm, vcpu); // the guest's IRSEN changed while it ran elsewhere
    vgic_cpu& c = m_vms[vm]->cpus[vcpu];
    if (c.ppi_latch[0] == 0)
        return;
    self.msr(sysreg::ICH_PPI_PENDR0_EL2,
             self.mrs(sysreg::ICH_PPI_PENDR0_EL2) | (c.ppi_latch[0] & ~GUEST_DVI0));
    c.ppi_latch = {};
}

namespace {
// The guest's effective priority mask (reference §10.2): min(lowest active priority, VPMR + 1),
// 0 when its virtual CPU interface is disabled.
unsigned effective_mask(const vgic_cpu& c) {
    if (!ICH_VMCR_EL2::EN.test(c.vmcr))
        return 0;
    const unsigned active = c.apr ? static_cast<unsigned>(__builtin_ctzll(c.apr)) : PRIORITY_LEVELS;
    return std::min(active, static_cast<unsigned>(ICH_VMCR_EL2::VPMR.get(c.vmcr)) + 1);
}

// The priority of guest PPI ppi as KVM saved it (ICH_PPI_PRIORITYR, one byte per PPI).
unsigned ppi_priority(const vgic_cpu& c, unsigned ppi) {
    for (std::size_t i = 0; i < PPI_PRIORITY_REGS.size(); ++i)
        if (PPI_PRIORITY_REGS[i] == ppi / 8)
            return static_cast<unsigned>(c.ppi_priority[i] >> (8 * (ppi % 8))) & 0x1f;
    return PRIORITY_LOWEST;
}
} // namespace

bool vgic_v5::vcpu_has_wakeup(unsigned vm, unsigned vcpu) const {
    // KVM kvm_arch_vcpu_runnable(): its doorbell rang, or a PPI it has enabled is queued
    // (vgic_v5_has_pending_ppi()). Merged KVM counts only a PPI whose priority is strictly
    // below the effective mask; v1-v3 had no priority test here.
    const vgic_dist& d = *m_vms[vm];
    const vgic_cpu& c = d.cpus[vcpu];
    if (c.db_fired || c.request)
        return true;
    const uint64_t queued = c.ppi_latch[0] & c.ppi_enable[0];
    if (!d.merged())
        return queued != 0;
    const unsigned mask = effective_mask(c);
    for (unsigned ppi = 0; ppi < 64; ++ppi)
        if ((queued >> ppi & 1) && ppi_priority(c, ppi) < mask)
            return true;
    return false;
}

void vgic_v5::kvm_vgic_inject_ppi(pe& self, unsigned vm, unsigned vcpu, unsigned ppi) {
    vgic_cpu& c = m_vms[vm]->cpus[vcpu];
    self.spend(m_params.costs.inject_cost);
    if (ppi >= 64 || !(GUEST_PPIS0 & ~GUEST_DVI0 & uint64_t{1} << ppi)) {
        SC_REPORT_WARNING("kvm", "KVM_IRQ_LINE for a PPI the guest cannot be given (SW_PPI only)");
        return;
    }
    c.ppi_latch[0] |= uint64_t{1} << ppi; // SW_PPI is edge: a latch
    // kvm_make_request(KVM_REQ_IRQ_PENDING) and kvm_vcpu_kick().
    kvm_vcpu_kick(self, vm, vcpu);
}

std::optional<uint64_t> vgic_v5::guest_trap(pe& /*self*/, unsigned vm, unsigned vcpu,
                                            const gic_trap& t) {
    if (t.what == gic_trap::kind::read && t.index == static_cast<unsigned>(sysreg::ICC_IAFFIDR_EL1))
        return ICC_IAFFIDR_EL1::IAFFID.make(m_vms[vm]->cpus[vcpu].vpe_id);
    return std::nullopt;
}

bool vgic_v5::kvm_vcpu_kick(pe& self, unsigned vm, unsigned vcpu) {
    if (!m_ipis)
        return false;
    const vgic_cpu& c = m_vms[vm]->cpus[vcpu];
    self.insn(gic_insn::CDPEND, lpi(m_ipi_base + c.pe).encode() | CD_OPERAND::PENDING.make(1));
    return true;
}

bool vgic_v5::vcpu_put(pe& self, unsigned vm, unsigned vcpu, bool wfi) {
    vgic_dist& d = *m_vms[vm];
    vgic_cpu& c = d.cpus[vcpu];
    // KVM vgic_v5_put(): save the guest's context; on the WFI path ask for a doorbell with
    // DBPM = effective mask - 1. v1-v3 (reference §5.4): none when DBPM would be 0. Merged
    // (§10.2): only while the guest's IRS is enabled, and DBPM = 0 too.
    c.apr = self.mrs(sysreg::ICH_APR_EL2);
    c.vmcr = self.mrs(sysreg::ICH_VMCR_EL2);
    vgic_v5_save_ppi_state(self, c);
    c.loaded = false;
    c.timer = self.cntv(); // kvm_timer_vcpu_put(): the next vCPU here gets its own timer
    self.set_cntv({});
    c.db_fired = false;
    const unsigned mask = wfi && c.has_doorbell ? effective_mask(c) : 0;
    const bool db = mask > 0 && (d.merged() ? d.irs_enabled : mask > 1);
    const unsigned dbpm = db ? mask - 1 : 0;
    self.msr(sysreg::ICH_CONTEXTR_EL2,
             ICH_CONTEXTR_EL2::DB.make(db) | ICH_CONTEXTR_EL2::DBPM.make(dbpm));
    return db;
}

namespace {
sysreg ich_ppi_priorityr(unsigned n) {
    return static_cast<sysreg>(static_cast<unsigned>(sysreg::ICH_PPI_PRIORITYR0_EL2) + n);
}
} // namespace

void vgic_v5::vgic_v5_restore_ppi_state(pe& self, vgic_cpu& c) {
    // KVM vgic_v5_flush_ppi_state() + __vgic_v5_restore_ppi_state(): DVIR first, so that the
    // pending write cannot touch a directly injected PPI (§8.17); the edge latches are
    // consumed into PENDR.
    self.msr(sysreg::ICH_PPI_DVIR0_EL2, GUEST_DVI0);
    self.msr(sysreg::ICH_PPI_ACTIVER0_EL2, c.ppi_active[0]);
    self.msr(sysreg::ICH_PPI_ENABLER0_EL2, c.ppi_enable[0]);
    self.msr(sysreg::ICH_PPI_PENDR0_EL2, c.ppi_latch[0]);
    c.ppi_latch = {};
    for (std::size_t i = 0; i < PPI_PRIORITY_REGS.size(); ++i)
        self.msr(ich_ppi_priorityr(PPI_PRIORITY_REGS[i]), c.ppi_priority[i]);
}

void vgic_v5::vgic_v5_save_ppi_state(pe& self, vgic_cpu& c) {
    // KVM __vgic_v5_save_ppi_state() + vgic_v5_fold_ppi_state(): active copied, pending ORed
    // into the edge latches so that an edge that came while the vCPU ran is not lost; DVIR
    // cleared. The guest's enable writes are trapped in KVM; the model reads ENABLER instead.
    c.ppi_active[0] = self.mrs(sysreg::ICH_PPI_ACTIVER0_EL2) & GUEST_PPIS0;
    c.ppi_latch[0] |= self.mrs(sysreg::ICH_PPI_PENDR0_EL2) & GUEST_PPIS0 & ~GUEST_DVI0;
    c.ppi_enable[0] = self.mrs(sysreg::ICH_PPI_ENABLER0_EL2) & GUEST_PPIS0;
    for (std::size_t i = 0; i < PPI_PRIORITY_REGS.size(); ++i)
        c.ppi_priority[i] = self.mrs(ich_ppi_priorityr(PPI_PRIORITY_REGS[i]));
    self.msr(sysreg::ICH_PPI_DVIR0_EL2, 0);
}

vgic_v5::irq_result vgic_v5::host_irq(pe& self) {
    // The host's IRQ entry at EL2: acknowledge, drop, deactivate (a doorbell is edge).
    irq_result r;
    uint64_t ack = self.insn(gic_insn::CDIA);
    if (!CDIA_RESULT::VALID.test(ack))
        ack = self.insn(gic_insn::CDNMIA);
    if (!CDIA_RESULT::VALID.test(ack))
        return r;
    r.taken = true;
    const intid id = intid::decode(ack);
    self.insn(gic_insn::GSB_ACK);
    self.insn(gic_insn::CDEOI);
    self.insn(gic_insn::CDDI, id.encode());
    // A reschedule IPI needs nothing more: taking it made the vCPU exit, or woke the PE.
    if (id.type != intid_type::LPI || id.id >= m_doorbell_owner.size() ||
        !m_doorbell_owner[id.id].valid)
        return r;
    // KVM's doorbell handler: db_fired, KVM_REQ_IRQ_PENDING, kick the vCPU.
    const doorbell_owner& o = m_doorbell_owner[id.id];
    vgic_cpu& c = m_vms[o.vm]->cpus[o.vcpu];
    c.db_fired = true;
    ++c.doorbells;
    r.doorbell = true;
    r.vm = o.vm;
    r.vcpu = o.vcpu;
    return r;
}

void vgic_v5::kvm_vgic_inject_irq(pe& self, unsigned vm, unsigned spi_index, bool level) {
    vgic_dist& d = *m_vms[vm];
    vgic_irq& irq = d.spis[spi_index];
    const sc_time start = self.local_time();
    self.spend(m_params.costs.inject_cost);
    if (injection_refused(d))
        return;
    irq.irq_lock.lock(self, m_order, m_params.costs.lock_cost);
    if (irq.config == trigger_mode::level) {
        irq.line_level = level;
    } else if (level) {
        irq.pending_latch = true;
    } else { // an edge SPI ignores the line going low
        irq.irq_lock.unlock(self, m_order);
        return;
    }
    // KVM: irq->ops->set_pending_state(), i.e. vgic_v5_set_spi_pending_state().
    vgic_v5_set_spi_pending_state(self, d, irq);
    d.stats.vdpend_issues.record(self.local_time() - start);
    if (m_observer)
        m_observer->injected(self, vm, spi_index, level, start);
    if (d.config.tracking == tracking_policy::none || !irq_is_pending(irq)) {
        // The merged design tracks nothing; and a line going low leaves nothing to track
        // (KVM's vgic_target_oracle() finds no target for an SPI neither pending nor active).
        irq.irq_lock.unlock(self, m_order);
        return;
    }
    vgic_v5_spi_queue_irq_unlock(self, d, irq);
}

void vgic_v5::vgic_v5_set_spi_pending_state(pe& self, vgic_dist& d, vgic_irq& irq) {
    // KVM: vgic_v5_set_irq_pend() -> __vgic_v5_vdpend(intid, irq_is_pending(irq), vm_id):
    // GIC VDPEND with PENDING = 1, or 0 when a level line has dropped.
    const uint64_t xt = uint64_t{irq.intid} | VD_OPERAND::VM.make(d.vm_id) |
                        VD_OPERAND::PENDING.make(irq_is_pending(irq));
    self.insn(gic_insn::VDPEND, xt);
    ++d.stats.vdpend;
    d.stats.last_vdpend = xt;
}

void vgic_v5::vgic_v5_spi_queue_irq_unlock(pe& self, vgic_dist& d, vgic_irq& irq) {
    // Entered with irq_lock held; returns with every lock dropped.
    for (;;) {
        if (irq.on_ap_list) { // already listed: the VDPEND was all that was needed
            irq.irq_lock.unlock(self, m_order);
            return;
        }
        // Lock order: AP-list lock before irq_lock, so drop irq_lock and take both in order.
        irq.irq_lock.unlock(self, m_order);
        const sc_time asked = self.local_time();
        d.ap_list_lock.lock(self, m_order, m_params.costs.lock_cost);
        d.stats.ap_list_lock_waits.record(self.local_time() - asked);
        irq.irq_lock.lock(self, m_order, m_params.costs.lock_cost);
        if (irq.on_ap_list) { // another host PE queued it while we held no lock: retry
            d.ap_list_lock.unlock(self, m_order);
            continue;
        }
        ++irq.refcount; // KVM: vgic_get_irq_ref()
        d.ap_list.push_back(irq);
        irq.on_ap_list = true;
        ++d.stats.ap_list_insertions;
        d.stats.ap_list_max_length =
            std::max<uint64_t>(d.stats.ap_list_max_length, d.ap_list.size());
        if (m_observer)
            m_observer->ap_list_changed(self, d.vm_id, d.ap_list.size());
        irq.irq_lock.unlock(self, m_order);
        d.ap_list_lock.unlock(self, m_order);
        // No vCPU kick: the IRS delivers to a resident vPE (reference §6.2).
        return;
    }
}

void vgic_v5::vcpu_exit(pe& self, unsigned vm, unsigned /*vcpu*/) {
    // KVM: kvm_vgic_sync_hwstate() -> vgic_v5_fold_irq_state(). The vPE is still resident.
    vgic_dist& d = *m_vms[vm];
    if (d.config.tracking == tracking_policy::ap_list && !d.torn_down)
        vgic_v5_fold_irq_state(self, d);
}

void vgic_v5::vgic_v5_fold_irq_state(pe& self, vgic_dist& d) {
    const sc_time start = self.local_time();
    d.ap_list_lock.lock(self, m_order, m_params.costs.lock_cost);
    for (auto it = d.ap_list.begin(); it != d.ap_list.end();) {
        vgic_irq& irq = *it;
        irq.irq_lock.lock(self, m_order, m_params.costs.lock_cost);
        // KVM: __vgic_v5_vdrcfg(intid): GIC VDRCFG, ISB, read ICC_ICSR_EL1.
        self.insn(gic_insn::VDRCFG, irq.intid);
        ++d.stats.vdrcfg;
        const uint64_t icsr = self.mrs(sysreg::ICC_ICSR_EL1);
        if (ICC_ICSR_EL1::F.test(icsr)) {
            // The IRS does not know the SPI (VM torn down, or not resident here): keep it.
            irq.irq_lock.unlock(self, m_order);
            ++it;
            continue;
        }
        const bool pending = ICC_ICSR_EL1::Pending.test(icsr);
        irq.active = ICC_ICSR_EL1::Active.test(icsr);
        if (irq.config == trigger_mode::edge)
            irq.pending_latch = pending;
        else if (!pending && !irq.active)
            irq.pending_latch = false;
        if (!irq.active && !irq_is_pending(irq)) {
            // Consumed: tell the notifiers (KVM: kvm_notify_acked_irq(kvm, 0, spi)), with both
            // locks held as in KVM, then drop the SPI and its list reference (vgic_put_irq()).
            const unsigned gsi = static_cast<unsigned>(INTID::ID.get(irq.intid));
            for (ack_notifier* n : d.notifiers)
                n->irq_acked(d.vm_id, gsi, self.local_time());
            ++d.stats.notifier_calls;
            ++irq.notifier_calls;
            it = d.ap_list.erase(it);
            irq.on_ap_list = false;
            --irq.refcount;
            if (m_observer)
                m_observer->ap_list_changed(self, d.vm_id, d.ap_list.size());
        } else {
            ++it;
        }
        irq.irq_lock.unlock(self, m_order);
    }
    d.ap_list_lock.unlock(self, m_order);
    ++d.stats.folds;
    d.stats.fold_time += self.local_time() - start;
    d.stats.fold_time_max = std::max(d.stats.fold_time_max, self.local_time() - start);
    if (m_observer)
        m_observer->folded(self, d.vm_id, start);
}

} // namespace platform::kvm
