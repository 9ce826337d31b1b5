// GICv5 CPU interface (reference §4.3 life cycle, §5.1 VD* instructions, §5.4 residency).
#include "tlm_gicv5/cpu_interface.h"

#include <algorithm>
#include <optional>

namespace gicv5 {

using sc_core::sc_time;

namespace {
// The ICH_HFGRTR/HFGWTR_EL2 bit that traps a guest's access to r; -1: none does.
int trap_bit(sysreg r) {
    const auto i = static_cast<unsigned>(r);
    if (i >= static_cast<unsigned>(sysreg::ICC_PPI_PRIORITYR0_EL1) &&
        i <= static_cast<unsigned>(sysreg::ICC_PPI_PRIORITYR15_EL1))
        return ICH_HFGxTR_EL2::PPI_PRIORITYRn.lsb;
    switch (r) {
    case sysreg::ICC_APR_EL1: return ICH_HFGxTR_EL2::APR.lsb;
    case sysreg::ICC_IDR0_EL1: return ICH_HFGxTR_EL2::IDRn.lsb;
    case sysreg::ICC_CR0_EL1: return ICH_HFGxTR_EL2::CR0.lsb;
    case sysreg::ICC_HAPR_EL1: return ICH_HFGxTR_EL2::HAPR.lsb;
    case sysreg::ICC_HPPIR_EL1: return ICH_HFGxTR_EL2::HPPIR.lsb;
    case sysreg::ICC_PCR_EL1: return ICH_HFGxTR_EL2::PCR.lsb;
    case sysreg::ICC_ICSR_EL1: return ICH_HFGxTR_EL2::ICSR.lsb;
    case sysreg::ICC_IAFFIDR_EL1: return ICH_HFGxTR_EL2::IAFFIDR.lsb;
    case sysreg::ICC_PPI_HMR0_EL1:
    case sysreg::ICC_PPI_HMR1_EL1: return ICH_HFGxTR_EL2::PPI_HMRn.lsb;
    case sysreg::ICC_PPI_ENABLER0_EL1:
    case sysreg::ICC_PPI_ENABLER1_EL1: return ICH_HFGxTR_EL2::PPI_ENABLERn.lsb;
    case sysreg::ICC_PPI_CPENDR0_EL1:
    case sysreg::ICC_PPI_CPENDR1_EL1:
    case sysreg::ICC_PPI_SPENDR0_EL1:
    case sysreg::ICC_PPI_SPENDR1_EL1: return ICH_HFGxTR_EL2::PPI_PENDRn.lsb;
    case sysreg::ICC_PPI_CACTIVER0_EL1:
    case sysreg::ICC_PPI_CACTIVER1_EL1:
    case sysreg::ICC_PPI_SACTIVER0_EL1:
    case sysreg::ICC_PPI_SACTIVER1_EL1: return ICH_HFGxTR_EL2::PPI_ACTIVERn.lsb;
    default: return -1;
    }
}
// The ICH_HFGITR_EL2 bit that traps a guest's instruction; -1: none does.
int trap_bit(gic_insn i) {
    switch (i) {
    case gic_insn::CDEN: return ICH_HFGITR_EL2::CDEN.lsb;
    case gic_insn::CDDIS: return ICH_HFGITR_EL2::CDDIS.lsb;
    case gic_insn::CDPRI: return ICH_HFGITR_EL2::CDPRI.lsb;
    case gic_insn::CDAFF: return ICH_HFGITR_EL2::CDAFF.lsb;
    case gic_insn::CDPEND: return ICH_HFGITR_EL2::CDPEND.lsb;
    case gic_insn::CDRCFG: return ICH_HFGITR_EL2::CDRCFG.lsb;
    case gic_insn::CDHM: return ICH_HFGITR_EL2::CDHM.lsb;
    case gic_insn::CDEOI: return ICH_HFGITR_EL2::CDEOI.lsb;
    case gic_insn::CDDI: return ICH_HFGITR_EL2::CDDI.lsb;
    case gic_insn::CDIA: return ICH_HFGITR_EL2::CDIA.lsb;
    case gic_insn::CDNMIA: return ICH_HFGITR_EL2::CDNMIA.lsb;
    default: return -1;
    }
}

// The GICR CDIA/CDNMIA result for an acknowledged INTID.
uint64_t cdia_result(intid id) {
    return CDIA_RESULT::ID.make(id.id) | CDIA_RESULT::TYPE.make(static_cast<uint64_t>(id.type)) |
           CDIA_RESULT::VALID.make(1);
}

uint16_t vd_vm(uint64_t op) { return static_cast<uint16_t>(VD_OPERAND::VM.get(op)); }
// Running priority from an APR value: the lowest set bit, or idle (32) when none is set.
unsigned running_priority(uint64_t apr) {
    return apr ? static_cast<unsigned>(__builtin_ctzll(apr)) : PRIORITY_LEVELS;
}
uint64_t drop_priority(uint64_t apr) { return apr & (apr - 1); } // clears the lowest set bit
} // namespace

cpu_interface::cpu_interface(const sc_core::sc_module_name& name,
                             const cpu_interface_params& params)
    : sc_module(name), cpu("cpu"), stream_out("stream_out"), stream_in("stream_in"),
      m_params(params), m_link(std::string(this->name()) + ".link_up", 1, true) {
    cpu.bind(*this);
    stream_in.register_b_transport(this, &cpu_interface::stream_b_transport);
    // R_CFSKX: the architected PPIs are Level, except SW_PPI, which is Edge.
    m_ppi_hm = {~detail::ppi_bit(PPI_SW_PPI), ~uint64_t{0}};
    ppi_in.reserve(PPI_COUNT);
    for (unsigned n = 0; n < PPI_COUNT; ++n)
        ppi_in.emplace_back(*this, n);
}

namespace {
// A PPI and an IRS interrupt of equal priority: the PPI first (R_VVBPS, our choice).
const hppi& better(const hppi& ppi, const hppi& irs) {
    return ppi.valid && (!irs.valid || ppi.prio <= irs.prio) ? ppi : irs;
}
} // namespace

const hppi& cpu_interface::physical_hppi() const { return better(m_ppi_hppi, m_hppi); }
const hppi& cpu_interface::virtual_hppi() const {
    // ICH_CONTEXTR_EL2.IRICHPPIDIS: the IRS's offers for the resident vPE are not taken, only its
    // PPIs (KVM sets it while the guest's emulated IRS is disabled, reference §10.2).
    if (ICH_CONTEXTR_EL2::IRICHPPIDIS.test(m_contextr))
        return m_vppi_hppi;
    return better(m_vppi_hppi, m_vhppi);
}

bool cpu_interface::trapped(gic_trap::kind k, unsigned index, uint64_t value) {
    const uint64_t traps = k == gic_trap::kind::read    ? m_hfgrtr
                           : k == gic_trap::kind::write ? m_hfgwtr
                                                        : m_hfgitr;
    const int bit = k == gic_trap::kind::insn ? trap_bit(static_cast<gic_insn>(index))
                                              : trap_bit(static_cast<sysreg>(index));
    if (bit < 0 || !((traps >> bit) & 1))
        return false;
    if (m_trap)
        m_trap->gic_trapped({k, index, value});
    return true;
}

void cpu_interface::command(stream_cmd cmd, bool virt, uint16_t vm, uint64_t operand_id,
                            uint64_t value, sc_time& delay, bool irm) {
    stream_payload p;
    p.cmd = cmd;
    p.virt = virt;
    p.vm = vm;
    p.id = intid::decode(operand_id);
    p.value = value;
    p.irm = irm;
    // Posted (R_XCLJC, reference §4.3): the PE goes on; the IRS acts t_hop later and is done
    // when the call returns its delay, which a later GSB SYS waits for.
    sc_time d = upstream(delay);
    stream_out->b_transport(p, d);
    m_sys_done = std::max(m_sys_done, sim_now() + d);
}

sc_time cpu_interface::upstream(const sc_time& delay) {
    // The message waits for the link (one message per link_occupancy), then travels t_hop.
    return delay + m_link.acquire(sim_now() + delay, m_params.link_occupancy).wait + m_params.t_hop;
}

void cpu_interface::barrier(const sc_time& done, sc_time& delay) const {
    const sc_time now = sim_now() + delay;
    if (done > now)
        delay += done - now;
}

uint64_t cpu_interface::request_config(bool virt, uint16_t vm, uint64_t operand_id,
                                       sc_time& delay) {
    stream_payload p;
    p.cmd = stream_cmd::request_config;
    p.virt = virt;
    p.vm = vm;
    p.id = intid::decode(operand_id);
    delay = upstream(delay);
    stream_out->b_transport(p, delay);
    delay += m_params.t_hop; // the reply; software reads ICC_ICSR_EL1 after an ISB
    return p.result;
}

uint64_t cpu_interface::execute(gic_insn insn, uint64_t op, exception_level el, sc_time& delay) {
    delay += m_params.t_insn;
    ++m_insn_count[static_cast<std::size_t>(insn)];
    const bool guest = virtual_access(el);
    const uint16_t vm = static_cast<uint16_t>(ICH_CONTEXTR_EL2::VM.get(m_contextr));
    const bool is_vd = needs_el2(insn);
    if (guest && trapped(gic_trap::kind::insn, static_cast<unsigned>(insn), op))
        return 0; // the hypervisor emulates it
    if (is_vd && el < exception_level::EL2) {
        // An ISS gets UNDEFINED for this from iss_execute() (iss_access.h); a PE stub issuing
        // VD* below EL2 through this interface is a bug in the stub.
        SC_REPORT_ERROR(name(), "GIC VD* instruction below EL2");
        return 0;
    }
    if (!is_vd && intid::decode(op).type == intid_type::PPI &&
        (insn == gic_insn::CDDI || insn == gic_insn::CDRCFG || insn == gic_insn::CDEN ||
         insn == gic_insn::CDDIS || insn == gic_insn::CDPRI || insn == gic_insn::CDAFF ||
         insn == gic_insn::CDPEND || insn == gic_insn::CDHM)) {
        // PPIs live here, not in the IRS: CDDI deactivates one; the others do nothing to it.
        const unsigned ppi = intid::decode(op).id;
        if (insn == gic_insn::CDDI && ppi < PPI_COUNT) {
            (guest ? m_vppi : m_ppi).active[ppi / 64] &= ~detail::ppi_bit(ppi);
            recalc_ppi(delay);
        } else if (insn == gic_insn::CDRCFG) {
            (guest ? m_vicsr : m_icsr) = ICC_ICSR_EL1::F.make(1);
        }
        return 0;
    }
    switch (insn) {
    case gic_insn::GSB_SYS:
        // Waits until every command this PE posted has taken effect at the IRS. Effects never
        // depend on the barrier (R_XCLJC); only the PE's time does.
        barrier(m_sys_done, delay);
        return 0;
    case gic_insn::GSB_ACK:
        barrier(m_ack_done, delay); // the weaker barrier: acknowledges (Activates) only
        return 0;
    case gic_insn::CDIA:
        return guest ? virtual_acknowledge(false, delay) : physical_acknowledge(false, delay);
    case gic_insn::CDNMIA:
        return guest ? virtual_acknowledge(true, delay) : physical_acknowledge(true, delay);
    case gic_insn::CDEOI:
        // §4.3: priority drop of the lowest set APR bit; a drop with APR = 0 does nothing.
        if (guest) {
            m_vapr = drop_priority(m_vapr);
            update_virq(delay);
        } else {
            m_apr = drop_priority(m_apr);
            update_irq(delay);
        }
        return 0;
    case gic_insn::CDEN: command(stream_cmd::set_enabled, guest, vm, op, 1, delay); return 0;
    case gic_insn::CDDIS: command(stream_cmd::set_enabled, guest, vm, op, 0, delay); return 0;
    case gic_insn::CDPRI:
        command(stream_cmd::set_priority, guest, vm, op, CD_OPERAND::PRIORITY.get(op), delay);
        return 0;
    case gic_insn::CDAFF:
        command(stream_cmd::set_affinity, guest, vm, op, CD_OPERAND::IAFFID.get(op), delay,
                CD_OPERAND::IRM.test(op));
        return 0;
    case gic_insn::CDPEND:
        command(stream_cmd::set_pending, guest, vm, op, CD_OPERAND::PENDING.get(op), delay);
        return 0;
    case gic_insn::CDHM:
        command(stream_cmd::set_handling, guest, vm, op, CD_OPERAND::HM.get(op), delay);
        return 0;
    case gic_insn::CDDI: command(stream_cmd::deactivate, guest, vm, op, 0, delay); return 0;
    case gic_insn::CDRCFG:
        (guest ? m_vicsr : m_icsr) = request_config(guest, vm, op, delay);
        return 0;
    // §5.1: the VD* forms name their VM, so any host PE can act on any VM's interrupts.
    case gic_insn::VDPEND:
        command(stream_cmd::set_pending, true, vd_vm(op), op, VD_OPERAND::PENDING.get(op), delay);
        return 0;
    case gic_insn::VDEN: command(stream_cmd::set_enabled, true, vd_vm(op), op, 1, delay); return 0;
    case gic_insn::VDDIS: command(stream_cmd::set_enabled, true, vd_vm(op), op, 0, delay); return 0;
    case gic_insn::VDDI: command(stream_cmd::deactivate, true, vd_vm(op), op, 0, delay); return 0;
    case gic_insn::VDHM:
        command(stream_cmd::set_handling, true, vd_vm(op), op, VD_OPERAND::HM.get(op), delay);
        return 0;
    case gic_insn::VDPRI:
        command(stream_cmd::set_priority, true, vd_vm(op), op, VD_OPERAND::PRIORITY.get(op), delay);
        return 0;
    case gic_insn::VDAFF:
        command(stream_cmd::set_affinity, true, vd_vm(op), op, VD_OPERAND::IAFFID.get(op), delay,
                VD_OPERAND::IRM.test(op));
        return 0;
    case gic_insn::VDRCFG:
        // Documented choice (reference §5.1): VDRCFG reads the VM resident on this PE; with no
        // vPE resident the result is a fault.
        m_icsr = resident() ? request_config(true, vm, op, delay) : ICC_ICSR_EL1::F.make(1);
        return 0;
    default:
        ++m_unimplemented; // every instruction of the table is handled above
        return 0;
    }
}

uint64_t cpu_interface::acknowledge(hppi& offer, uint64_t& apr, bool virt, sc_time& delay) {
    const hppi h = offer;
    // §4.3: raise the running priority, then Activate at the IRS. The offer is consumed here;
    // the IRS answers with its next one.
    apr |= uint64_t{1} << h.prio;
    offer = {};
    stream_payload p;
    p.cmd = stream_cmd::activate;
    p.virt = virt;
    p.vm = static_cast<uint16_t>(ICH_CONTEXTR_EL2::VM.get(m_contextr));
    p.id = h.id;
    sc_time d = upstream(delay);
    stream_out->b_transport(p, d);
    m_ack_done = std::max(m_ack_done, sim_now() + d);
    m_sys_done = std::max(m_sys_done, m_ack_done);
    if (!p.ok) { // the IRS replaced the offer meanwhile: nothing was acknowledged
        apr &= ~(uint64_t{1} << h.prio);
        return 0;
    }
    return cdia_result(h.id);
}

sc_time cpu_interface::not_before(const sc_time& delay, const sc_time& at) {
    const sc_time now = sim_now();
    return at > now + delay ? at - now : delay;
}

uint64_t cpu_interface::virtual_acknowledge(bool nmi, sc_time& delay) {
    // §8.5 as for the physical interface: no HPPI of sufficient priority gives VALID = 0, and
    // with superpriority priority 0 is for CDNMIA only. The condition decides, not the vIRQ
    // line: the line may still show an earlier state at this delta cycle.
    const hppi h = virtual_hppi();
    if (!virtual_signalled() || nmi != (m_params.nmi && h.prio == 0))
        return 0;
    if (h.id.type == intid_type::PPI) { // a guest PPI is acknowledged here
        m_vapr |= uint64_t{1} << h.prio;
        m_vppi.activate(h.id.id, !(m_ppi_hm[h.id.id / 64] & detail::ppi_bit(h.id.id)));
        recalc_ppi(delay);
        return cdia_result(h.id);
    }
    // An offer that reaches us only after the PE's local time is not there yet for it.
    if (sim_now() + delay < m_vhppi_at)
        return 0;
    const sc_time at = sim_now() + delay;
    const uint64_t r = acknowledge(m_vhppi, m_vapr, true, delay);
    if (m_hops && CDIA_RESULT::VALID.test(r)) {
        // The line may have been written for a time past the PE's (temporal decoupling): 0.
        m_hops->virq_to_cdia(static_cast<uint16_t>(ICH_CONTEXTR_EL2::VM.get(m_contextr)),
                             at > m_virq_rose ? at - m_virq_rose : sc_core::SC_ZERO_TIME);
        m_virq_high = false; // a line still high after this ack counts as rising again now
    }
    update_virq(delay);
    return r;
}

bool cpu_interface::physical_signalled() const {
    // §4.3/§8.5: below the running priority, within the mask (prio <= PCR), and enabled.
    const hppi& h = physical_hppi();
    return h.valid && ICC_CR0_EL1::EN.test(m_cr0) && h.prio <= ICC_PCR_EL1::PRIORITY.get(m_pcr) &&
           h.prio < running_priority(m_apr);
}

uint64_t cpu_interface::physical_acknowledge(bool nmi, sc_time& delay) {
    // §8.5: with superpriority, priority 0 is acknowledged by CDNMIA only, and CDNMIA
    // acknowledges nothing else.
    const hppi h = physical_hppi();
    if (!physical_signalled() || nmi != (m_params.nmi && h.prio == 0))
        return 0;
    if (h.id.type != intid_type::PPI && sim_now() + delay < m_hppi_at)
        return 0; // the IRS's offer reaches us only after the PE's local time
    if (h.id.type != intid_type::PPI) {
        const uint64_t r = acknowledge(m_hppi, m_apr, false, delay);
        update_irq(delay);
        return r;
    }
    // A PPI is acknowledged here: Active, and for an edge PPI not Pending any more (§4.3).
    m_apr |= uint64_t{1} << h.prio;
    m_ppi.activate(h.id.id, !(m_ppi_hm[h.id.id / 64] & detail::ppi_bit(h.id.id)));
    recalc_ppi(delay);
    return cdia_result(h.id);
}

void cpu_interface::update_irq(const sc_time& delay) {
    const bool signalled = physical_signalled();
    const bool nmi = signalled && m_params.nmi && physical_hppi().prio == 0;
    // The line cannot rise before the offer behind it has arrived (temporal decoupling lets
    // a PE's access run ahead of, or behind, the IRS's message).
    const bool from_irs = signalled && physical_hppi().id.type != intid_type::PPI;
    const sc_time d = from_irs ? not_before(delay, m_hppi_at) : delay;
    irq_out.write(signalled && !nmi, d);
    nmi_out.write(nmi, d);
}

bool cpu_interface::virtual_signalled() const {
    // §4.3/§8.5: below the running priority, within the guest's mask (prio <= VPMR, as Linux
    // needs), and with the virtual interface enabled.
    const hppi& h = virtual_hppi();
    return resident() && h.valid && ICH_VMCR_EL2::EN.test(m_vmcr) &&
           h.prio <= ICH_VMCR_EL2::VPMR.get(m_vmcr) && h.prio < running_priority(m_vapr);
}

void cpu_interface::update_virq(const sc_time& delay) {
    const bool level = virtual_signalled();
    const bool from_irs = level && virtual_hppi().id.type != intid_type::PPI;
    const sc_time d = from_irs ? not_before(delay, m_vhppi_at) : delay;
    if (m_hops) {
        if (level && !m_virq_high)
            m_virq_rose = sim_now() + d;
        m_virq_high = level;
    }
    virq_out.write(level, d);
}

void cpu_interface::write_contextr(uint64_t value, sc_time& delay) {
    const bool want = ICH_CONTEXTR_EL2::V.test(value);
    if (resident()) {
        // Leaving residency: drop the virtual HPPI at once, then tell the IRS (posted).
        m_vhppi = {};
        m_contextr = ICH_CONTEXTR_EL2::V.set(m_contextr, 0);
        recalc_ppi(delay); // the guest's PPIs leave with it
        stream_payload p;
        p.cmd = stream_cmd::make_nonresident;
        p.virt = true;
        // §5.4: leaving with DB = 1 asks for a doorbell when an interrupt beats DBPM.
        p.value = !want && ICH_CONTEXTR_EL2::DB.test(value);
        p.priority = static_cast<uint8_t>(ICH_CONTEXTR_EL2::DBPM.get(value));
        sc_time d = upstream(delay);
        stream_out->b_transport(p, d);
    }
    m_contextr = ICH_CONTEXTR_EL2::F.set(value, 0);
    if (!want)
        return;
    stream_payload p;
    p.cmd = stream_cmd::make_resident;
    p.virt = true;
    p.vm = static_cast<uint16_t>(ICH_CONTEXTR_EL2::VM.get(value));
    p.vpe = static_cast<uint16_t>(ICH_CONTEXTR_EL2::VPE.get(value));
    // V is set first so that the IRS's offer, sent from inside this call, is accepted.
    m_contextr = ICH_CONTEXTR_EL2::V.set(m_contextr, 1);
    delay = upstream(delay);
    stream_out->b_transport(p, delay);
    delay += m_params.t_hop;
    if (!p.ok) { // §5.4: F = 1, the vPE is not resident
        m_vhppi = {};
        m_contextr = ICH_CONTEXTR_EL2::F.set(ICH_CONTEXTR_EL2::V.set(m_contextr, 0), 1);
    }
    recalc_ppi(delay); // the guest's PPIs (restored by the hypervisor) count again
}

uint64_t cpu_interface::read_sysreg(sysreg r, exception_level el, sc_time& delay) {
    delay += m_params.t_insn;
    const bool guest = virtual_access(el);
    if (guest && trapped(gic_trap::kind::read, static_cast<unsigned>(r), 0))
        return 0;
    if (const std::optional<uint64_t> v = read_ppi_sysreg(r, guest))
        return *v;
    switch (r) {
    case sysreg::ICC_IDR0_EL1:
        // 24-bit INTIDs, 5 priority bits, no legacy GICv3 virtual interface (reference §1).
        return ICC_IDR0_EL1::ID_BITS.make(1) | ICC_IDR0_EL1::PRI_BITS.make(4);
    case sysreg::ICC_HPPIR_EL1: {
        const hppi& h = guest ? virtual_hppi() : physical_hppi();
        return ICC_HPPIR_EL1::ID.make(h.id.id) |
               ICC_HPPIR_EL1::TYPE.make(static_cast<uint64_t>(h.id.type)) |
               ICC_HPPIR_EL1::HPPIV.make(h.valid);
    }
    case sysreg::ICC_IAFFIDR_EL1: return ICC_IAFFIDR_EL1::IAFFID.make(m_params.iaffid);
    case sysreg::ICC_HAPR_EL1: {
        // The running priority; 0xFF when nothing is active (our choice for "idle").
        const unsigned rp = running_priority(guest ? m_vapr : m_apr);
        return rp == PRIORITY_LEVELS ? 0xff : rp;
    }
    case sysreg::ICC_ICSR_EL1: return guest ? m_vicsr : m_icsr;
    case sysreg::ICC_APR_EL1: return guest ? m_vapr : m_apr;
    case sysreg::ICC_CR0_EL1:
        // The link to the IRS is always up: LINK and LINK_IDLE read as 1.
        return guest ? ICH_VMCR_EL2::EN.get(m_vmcr)
                     : m_cr0 | ICC_CR0_EL1::LINK.make(1) | ICC_CR0_EL1::LINK_IDLE.make(1);
    case sysreg::ICC_PCR_EL1: return guest ? ICH_VMCR_EL2::VPMR.get(m_vmcr) : m_pcr;
    case sysreg::ICH_APR_EL2: return m_vapr;
    case sysreg::ICH_CONTEXTR_EL2: return m_contextr;
    case sysreg::ICH_HFGRTR_EL2: return m_hfgrtr;
    case sysreg::ICH_HFGWTR_EL2: return m_hfgwtr;
    case sysreg::ICH_HFGITR_EL2: return m_hfgitr;
    case sysreg::ICH_VMCR_EL2: return m_vmcr;
    case sysreg::ICH_HPPIR_EL2:
        return ICH_HPPIR_EL2::ID.make(virtual_hppi().id.id) |
               ICH_HPPIR_EL2::TYPE.make(static_cast<uint64_t>(virtual_hppi().id.type)) |
               ICH_HPPIR_EL2::HPPIV.make(virtual_hppi().valid);
    default: return 0;
    }
}

void cpu_interface::write_sysreg(sysreg r, uint64_t v, exception_level el, sc_time& delay) {
    delay += m_params.t_insn;
    const bool guest = virtual_access(el);
    if (guest && trapped(gic_trap::kind::write, static_cast<unsigned>(r), v))
        return;
    if (write_ppi_sysreg(r, v, guest)) {
        recalc_ppi(delay);
        return;
    }
    switch (r) {
    case sysreg::ICC_APR_EL1: (guest ? m_vapr : m_apr) = v & 0xffffffffu; break;
    case sysreg::ICC_CR0_EL1:
        if (guest)
            m_vmcr = ICH_VMCR_EL2::EN.set(m_vmcr, ICC_CR0_EL1::EN.get(v));
        else
            m_cr0 = v & ICC_CR0_EL1::EN.mask();
        break;
    case sysreg::ICC_PCR_EL1:
        if (guest)
            m_vmcr = ICH_VMCR_EL2::VPMR.set(m_vmcr, ICC_PCR_EL1::PRIORITY.get(v));
        else
            m_pcr = v & ICC_PCR_EL1::PRIORITY.mask();
        break;
    case sysreg::ICH_APR_EL2: m_vapr = v & 0xffffffffu; break;
    case sysreg::ICH_VMCR_EL2:
        m_vmcr = v & (ICH_VMCR_EL2::EN.mask() | ICH_VMCR_EL2::VPMR.mask());
        break;
    case sysreg::ICH_CONTEXTR_EL2: write_contextr(v, delay); return;
    case sysreg::ICH_HFGRTR_EL2: m_hfgrtr = v & 0x1f00ffu; return;
    case sysreg::ICH_HFGWTR_EL2: m_hfgwtr = v & 0x1f00ffu; return;
    case sysreg::ICH_HFGITR_EL2: m_hfgitr = v & 0x7ffu; return;
    default: return; // read-only
    }
    update_virq(delay);
    update_irq(delay);
}

void cpu_interface::stream_b_transport(stream_payload& p, sc_time& delay) {
    if (p.cmd != stream_cmd::set_hppi) {
        SC_REPORT_ERROR(name(), "unexpected downstream stream command");
        return;
    }
    if (!p.virt) {
        m_hppi = p.value ? hppi{true, p.id, p.priority} : hppi{};
        m_hppi_at = sim_now() + delay;
        update_irq(delay);
        return;
    }
    // An offer for a vPE that is no longer resident here is stale: the IRS learns of the
    // residency change from our make_nonresident and stops offering.
    if (!resident() || p.vm != ICH_CONTEXTR_EL2::VM.get(m_contextr) ||
        p.vpe != ICH_CONTEXTR_EL2::VPE.get(m_contextr))
        return;
    m_vhppi = p.value ? hppi{true, p.id, p.priority} : hppi{};
    m_vhppi_at = sim_now() + delay;
    update_virq(delay);
}

} // namespace gicv5
