// GICv5 CPU interface of one PE (reference §4, §5.2, §5.4).
//
// Interface
//   cpu         sc_export<gic_cpu_if>: the PE executes GIC system instructions and accesses the
//               ICC_/ICH_ registers through it, with its exception level; each call adds its
//               cost to the caller's local time offset.
//   stream_out  stream_protocol initiator to the IRS (1 binding): commands, posted or with reply.
//   stream_in   stream_protocol target from the IRS (1 binding): HPPI offers and recalls.
//   irq_out     irq_signal_out: IRQ to the PE, for a physical HPPI of sufficient priority.
//   nmi_out     irq_signal_out: NMI to the PE, for such an HPPI of priority 0 when superpriority
//               is enabled (parameter nmi, standing for SCTLR_ELx.NMI).
//   fiq_out     irq_signal_out: FIQ; only other interrupt domains signal it, and the model has
//               the Non-secure domain only, so it stays low.
//   virq_out    irq_signal_out: the virtual IRQ to the PE (the guest's interrupt line), also for a
//               virtual HPPI with superpriority (the PE stub has no separate vNMI input).
//   trap_out    a gic_trap_if* (bind_trap): told of every guest access ICH_HFGRTR/HFGWTR/HFGITR
//               trap; the access then has no effect (a read returns 0).
//   ppi_in      PPI_COUNT irq_signal_if inputs: ppi_in[n] is the wire of PPI n (timers, PMU).
//               A level PPI's pending state follows its wire; an edge PPI pends on a rising edge.
//   set_hop_recorder(hop_recorder*)  optional measurement hook (hop_recorder.h): vIRQ rise to a
//               guest's acknowledge of an IRS offer; nullptr (default) = none.
//   link()      the timed_resource of the link to the IRS (timed_resource.h), for its statistics
//               and observer. The IRS owns the link back (irs::resources()).
//
// Parameters (cpu_interface_params)
//   iaffid   0      this PE's IAFFID (ICC_IAFFIDR_EL1)
//   t_insn   10 ns  cost of one GIC instruction or register access at the CPU interface
//   t_hop    20 ns  CPU interface -> IRS message (one way)
//   link_occupancy  5 ns  how long one message holds the link to the IRS (serialisation: a
//                   message waits while the one before it holds the link); 0: no limit
//   nmi      false  superpriority enabled (SCTLR_ELx.NMI, host and guest): priority 0 is an
//                   NMI, acknowledged only by GICR CDNMIA, in both domains
//
// Domains: an access from EL1 or EL0 while a vPE is resident (ICH_CONTEXTR_EL2.V = 1) acts on
// the virtual CPU interface and the resident VM; any other access acts on the physical domain.
// PPIs (physical): all 128 are implemented; the architected handling modes are fixed (R_CFSKX:
// Level, except SW_PPI which is Edge; CTIIRQ is IMPLEMENTATION DEFINED and Level here). They are
// configured through the ICC_PPI_* registers; GIC CD* instructions other than CDDI that name a
// PPI have no effect (CDRCFG reports F = 1). A PPI and an IRS interrupt of equal priority: the
// PPI goes first (R_VVBPS leaves it IMPLEMENTATION DEFINED).
// Guest PPIs (reference §5.2, §6.1): a second PPI bank, the resident guest's, reached by the
// guest through ICC_PPI_* and by the hypervisor through ICH_PPI_*_EL2. A PPI set in
// ICH_PPI_DVIR is driven directly by its physical wire: its virtual pending state is the wire's,
// whatever ICH_PPI_PENDR holds. Guest PPIs compete with the VM's vIST interrupts for the vIRQ.
#pragma once

#include "tlm_gicv5/sim_time.h"
#include "tlm_gicv5/detail/ppi_bank.h"
#include "tlm_gicv5/hop_recorder.h"
#include "tlm_gicv5/insn.h"
#include "tlm_gicv5/irq_signal.h"
#include "tlm_gicv5/stream.h"
#include "tlm_gicv5/timed_resource.h"

#include <systemc>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace gicv5 {

class gic_cpu_if : public virtual sc_core::sc_interface {
public:
    // A GIC or GSB instruction returns 0; GICR CDIA/CDNMIA return their result.
    virtual uint64_t execute(gic_insn insn, uint64_t operand, exception_level el,
                             sc_core::sc_time& delay) = 0;
    virtual uint64_t read_sysreg(sysreg r, exception_level el, sc_core::sc_time& delay) = 0;
    virtual void write_sysreg(sysreg r, uint64_t value, exception_level el,
                              sc_core::sc_time& delay) = 0;
};

struct cpu_interface_params {
    uint16_t iaffid = 0;
    sc_core::sc_time t_insn{10, sc_core::SC_NS};
    sc_core::sc_time t_hop{20, sc_core::SC_NS};
    sc_core::sc_time link_occupancy{5, sc_core::SC_NS};
    bool nmi = false;
};

class cpu_interface : public sc_core::sc_module, public gic_cpu_if {
public:
    sc_core::sc_export<gic_cpu_if> cpu;
    tlm_utils::simple_initiator_socket<cpu_interface, 32, stream_protocol_types> stream_out;
    tlm_utils::passthrough_target_socket<cpu_interface, 32, stream_protocol_types> stream_in;
    irq_signal_out irq_out;
    irq_signal_out fiq_out;
    irq_signal_out nmi_out;
    irq_signal_out virq_out;

    // ppi_in[n]: the wire of PPI n.
    void ppi_line(unsigned ppi, bool level, const sc_core::sc_time& delay);
    std::vector<indexed_signal_in<cpu_interface, &cpu_interface::ppi_line>> ppi_in;

    cpu_interface(const sc_core::sc_module_name& name, const cpu_interface_params& params);
    void bind_trap(gic_trap_if& target) { m_trap = &target; }

    uint64_t execute(gic_insn insn, uint64_t operand, exception_level el,
                     sc_core::sc_time& delay) override;
    uint64_t read_sysreg(sysreg r, exception_level el, sc_core::sc_time& delay) override;
    void write_sysreg(sysreg r, uint64_t value, exception_level el,
                      sc_core::sc_time& delay) override;

    uint64_t insn_count(gic_insn i) const { return m_insn_count[static_cast<std::size_t>(i)]; }
    // Instructions the model does not implement yet (ignored, counted).
    uint64_t unimplemented_count() const { return m_unimplemented; }
    const cpu_interface_params& params() const { return m_params; }
    void set_hop_recorder(hop_recorder* r) { m_hops = r; }
    timed_resource& link() { return m_link; }

private:
    bool resident() const { return ICH_CONTEXTR_EL2::V.test(m_contextr); }
    bool virtual_access(exception_level el) const {
        return el <= exception_level::EL1 && resident();
    }
    uint64_t virtual_acknowledge(bool nmi, sc_core::sc_time& delay);
    uint64_t physical_acknowledge(bool nmi, sc_core::sc_time& delay);
    bool physical_signalled() const; // the physical HPPI has sufficient priority
    bool virtual_signalled() const;  // the virtual HPPI has sufficient priority
    // The physical HPPI: the better of the IRS's offer and the best PPI.
    const hppi& physical_hppi() const;
    const hppi& virtual_hppi() const; // the better of the vIST offer and the best guest PPI
    void recalc_ppi(const sc_core::sc_time& delay);
    detail::ppi_bits guest_ppi_pending() const; // DVI PPIs take their wire's level
    // PPI registers (cpu_interface_ppi.cpp); nullopt / false: not a PPI register.
    std::optional<uint64_t> read_ppi_sysreg(sysreg r, bool guest) const;
    bool write_ppi_sysreg(sysreg r, uint64_t v, bool guest);
    void update_irq(const sc_core::sc_time& delay);
    // A message to the IRS leaving at `delay`: the delay at which it arrives there.
    sc_core::sc_time upstream(const sc_core::sc_time& delay);
    void command(stream_cmd cmd, bool virt, uint16_t vm, uint64_t operand_id, uint64_t value,
                 sc_core::sc_time& delay, bool irm = false);
    // Acknowledges `offer`: sets its bit in `apr`, sends Activate; returns the CDIA result.
    uint64_t acknowledge(hppi& offer, uint64_t& apr, bool virt, sc_core::sc_time& delay);
    uint64_t request_config(bool virt, uint16_t vm, uint64_t operand_id, sc_core::sc_time& delay);
    void write_contextr(uint64_t value, sc_core::sc_time& delay);
    // A guest access the hypervisor traps: reported, and true (the caller skips the access).
    bool trapped(gic_trap::kind k, unsigned index, uint64_t value);
    // Advances delay to `done` if that lies ahead: what a GSB waits for.
    void barrier(const sc_core::sc_time& done, sc_core::sc_time& delay) const;
    void update_virq(const sc_core::sc_time& delay);
    void stream_b_transport(stream_payload& p, sc_core::sc_time& delay);

    cpu_interface_params m_params;
    uint64_t m_contextr = 0; // ICH_CONTEXTR_EL2
    uint64_t m_vmcr = 0;     // ICH_VMCR_EL2: the guest's EN and priority mask
    uint64_t m_vapr = 0;     // ICH_APR_EL2: the guest's active priorities
    uint64_t m_icsr = 0;     // ICC_ICSR_EL1 of the physical domain (VDRCFG/CDRCFG at EL2)
    uint64_t m_vicsr = 0;    // ICC_ICSR_EL1 as the guest sees it
    uint64_t m_cr0 = 0, m_pcr = 0, m_apr = 0; // physical ICC_CR0/PCR/APR_EL1
    hppi m_vhppi;                             // the IRS's latest offer for the resident vPE
    hppi m_hppi;                            // the IRS's latest offer for this PE (physical domain)
    sc_core::sc_time m_hppi_at, m_vhppi_at; // when those offers arrived
    // The delay after which something that depends on an offer arriving at `at` can happen.
    static sc_core::sc_time not_before(const sc_core::sc_time& delay, const sc_core::sc_time& at);
    // PPIs: the physical bank, the resident guest's bank, the fixed handling modes, the wires.
    detail::ppi_bank m_ppi, m_vppi;
    detail::ppi_bits m_ppi_hm{}, m_ppi_line{}, m_vppi_dvi{};
    hppi m_ppi_hppi, m_vppi_hppi; // the best of each bank
    sc_core::sc_time m_sys_done;  // when every posted command has taken effect (GSB SYS)
    sc_core::sc_time m_ack_done;  // when every Activate has taken effect (GSB ACK)
    std::array<uint64_t, gic_insn_count> m_insn_count{};
    uint64_t m_unimplemented = 0;
    uint64_t m_hfgrtr = 0, m_hfgwtr = 0, m_hfgitr = 0; // ICH_HFG{R,W,I}TR_EL2
    gic_trap_if* m_trap = nullptr;
    hop_recorder* m_hops = nullptr;
    // With a recorder: the level last written to virq_out, and when it last rose.
    bool m_virq_high = false;
    sc_core::sc_time m_virq_rose;
    timed_resource m_link; // the link to the IRS, this direction
};

} // namespace gicv5
