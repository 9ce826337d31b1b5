// A processing element stand-in: a thread that runs one program (guest vCPU loop, host work or a
// test script) and gives it the PE's view of the machine: GIC instructions and ICC_/ICH_ registers
// through its CPU interface, MMIO through its bus socket, and local time under temporal decoupling.
//
// Interface
//   gic    sc_port<gicv5::gic_cpu_if>, 1 binding: this PE's CPU interface.
//   mmio   TLM initiator (base protocol), 1 binding: loads and stores to the platform bus.
//   in(pe_line::irq / fiq / nmi / virq)  gicv5::irq_signal_if each: the PE's interrupt inputs,
//          bound to its CPU interface's irq_out, fiq_out, nmi_out and virq_out.
//   gicv5::gic_trap_if (bind a CPU interface's trap output to it): guest GIC accesses trapped
//          to EL2; counted, and passed to the handler set with on_trap().
//   cntv_out  irq_signal_out: the EL1 virtual timer's interrupt (the Generic Timer's CNTV
//          output), high while the timer is enabled and its compare value has passed; bind it
//          to the CPU interface's ppi_in[PPI_CNTV].
// Parameters: index (the PE number, reported in messages). Timing comes from the parts it uses;
// the quantum is the global TLM quantum.
#pragma once

#include "tlm_gicv5/cpu_interface.h"
#include "tlm_gicv5/sim_time.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>

namespace cpu_stubs {

using gicv5::exception_level;
using sc_core::sc_time;

class pe;

enum class pe_line : uint8_t { irq, fiq, nmi, virq };
constexpr unsigned pe_line_count = 4;
const char* to_string(pe_line l);

// Sees every change of a PE's interrupt inputs (a waveform dump); optional.
struct line_observer {
    virtual ~line_observer() = default;
    // Input l of PE `pe` takes `level` at `at` (sc_time_stamp() plus the driver's delay).
    virtual void line_changed(unsigned pe, pe_line l, bool level, const sc_time& at) = 0;
};

struct pe_program {
    virtual ~pe_program() = default;
    virtual void run(pe& self) = 0;
};

class pe : public sc_core::sc_module, public gicv5::gic_trap_if {
public:
    // One interrupt input: its level, and since when (a rising edge can lie ahead of the PE's
    // local time under temporal decoupling).
    class line_input : public gicv5::irq_signal_if {
    public:
        explicit line_input(pe& owner) : m_owner(owner) {}
        void irq_signal(bool level, const sc_time& delay) override;
        bool level_at(const sc_time& t) const { return m_level && t >= m_since; }

    private:
        friend class pe;
        pe& m_owner;
        bool m_level = false;
        sc_time m_since;
    };

    sc_core::sc_port<gicv5::gic_cpu_if> gic;
    tlm_utils::simple_initiator_socket<pe> mmio;
    gicv5::irq_signal_out cntv_out;

    pe(const sc_core::sc_module_name& name, unsigned index);

    void load(pe_program& program) { m_program = &program; } // before the simulation starts
    unsigned index() const { return m_index; }

    // What software on this PE can do. Each adds its cost to the PE's local time.
    uint64_t insn(gicv5::gic_insn i, uint64_t operand = 0);
    uint64_t mrs(gicv5::sysreg r);
    void msr(gicv5::sysreg r, uint64_t value);
    uint32_t read32(uint64_t addr);
    uint64_t read64(uint64_t addr);
    void write32(uint64_t addr, uint32_t value);
    void write64(uint64_t addr, uint64_t value);
    // One bus access; returns the TLM response for code that wants to see errors.
    tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len);

    // The EL1 virtual timer (CNTV_CTL_EL0.ENABLE, CNTV_CVAL_EL0), in simulated time: it fires
    // at `cval`; setting it at the PE's local time raises or lowers cntv_out at once.
    struct timer_state {
        bool enabled = false;
        sc_time cval;
    };
    timer_state cntv() const { return m_cntv; }
    void set_cntv(const timer_state& t);

    exception_level el() const { return m_el; }
    void set_el(exception_level el) { m_el = el; }

    // Local time: sc_time_stamp() plus the offset this PE runs ahead (temporal decoupling).
    sc_time local_time() const { return gicv5::sim_now() + m_qk.get_local_time(); }
    void spend(const sc_time& t) { m_qk.inc(t); }
    void sync() { m_qk.sync(); } // yield to the kernel until local time
    void sync_if_needed() {
        if (m_qk.due())
            m_qk.sync();
    }
    // Idle until the absolute time `until`.
    void idle_until(const sc_time& until);
    line_input& in(pe_line l) { return m_lines[static_cast<unsigned>(l)]; }
    // Before the simulation starts; nullptr: none (then a line change costs one pointer test).
    void observe_lines(line_observer* o) { m_line_observer = o; }
    // The level of an interrupt input at the PE's local time.
    bool line(pe_line l) const { return m_lines[static_cast<unsigned>(l)].level_at(local_time()); }
    // Idle until input l is high (true) or until `until` (false), whichever comes first.
    bool wait_for_line(pe_line l, const sc_time& until);
    // Idle until one of `lines` is high, or until `until`; returns that line (of those already
    // high, the first in `lines` order), or nothing at `until`. With `pokeable`, a poke() also
    // ends the wait (nothing returned, poked() true).
    std::optional<pe_line> wait_for_any(std::initializer_list<pe_line> lines, const sc_time& until,
                                        bool pokeable = false);
    // Another process asks this PE's program to look at something (a request it posted) from
    // absolute time `at`: a pokeable wait ends then. take_poke() says whether one came, and
    // forgets it.
    void poke(const sc_time& at);
    bool take_poke() {
        const bool p = m_poked && local_time() >= m_poke_at;
        if (p)
            m_poked = false;
        return p;
    }
    bool wait_for_virq(const sc_time& until) { return wait_for_line(pe_line::virq, until); }
    bool virq() const { return line(pe_line::virq); }

    // Guest GIC accesses the hypervisor trapped (ICH_HFG*TR_EL2): counted, and handed to the
    // host's handler if one is set (the host PE stub's exception entry).
    void gic_trapped(const gicv5::gic_trap& t) override {
        ++m_traps;
        if (m_trap_handler)
            m_trap_handler(*this, t);
        m_pending_trap = t;
    }
    void on_trap(std::function<void(pe&, const gicv5::gic_trap&)> h) {
        m_trap_handler = std::move(h);
    }
    // The hypervisor's emulation of a trapped access (an exit to EL2), run on this PE once the
    // access has returned: a read takes the value it gives, if any (else the trapped read's 0).
    using trap_emulator = std::function<std::optional<uint64_t>(pe&, const gicv5::gic_trap&)>;
    void set_trap_emulator(trap_emulator e) { m_trap_emulator = std::move(e); }
    uint64_t traps() const { return m_traps; }
    // Idle until ready() holds, re-checking whenever `changed` fires.
    template <typename Pred>
    void wait_for(Pred ready, const sc_core::sc_event& changed) {
        while (!ready()) {
            if (m_qk.get_local_time() > sc_core::SC_ZERO_TIME)
                m_qk.sync(); // catch up first: ready() may become true meanwhile
            else
                sc_core::wait(changed);
        }
    }

private:
    // What SC_HAS_PROCESS would declare; spelled out because that macro is deprecated in
    // SystemC 3.0 and SC_CTOR cannot take the extra constructor argument.
    using SC_CURRENT_USER_MODULE = pe;
    void thread();
    void cntv_fire(); // the timer's compare value is reached
    // Without temporal decoupling (a zero global quantum), each access is waited out at once.
    void sync_if_off() {
        if (!m_decoupled)
            m_qk.sync();
    }

    unsigned m_index;
    pe_program* m_program = nullptr;
    exception_level m_el = exception_level::EL2;
    // The standard quantum keeper, with need_sync() through the inline time accessor.
    struct quantum_keeper : tlm_utils::tlm_quantumkeeper {
        bool due() const { return gicv5::sim_now() + m_local_time >= m_next_sync_point; }
    };
    quantum_keeper m_qk;
    bool m_decoupled = true;
    // The one payload this PE's accesses reuse: constructing one allocates its extension array.
    tlm::tlm_generic_payload m_tx;
    std::array<line_input, pe_line_count> m_lines;
    uint64_t m_traps = 0;
    std::function<void(pe&, const gicv5::gic_trap&)> m_trap_handler;
    trap_emulator m_trap_emulator;
    std::optional<gicv5::gic_trap> m_pending_trap; // the access just made trapped
    std::optional<uint64_t> emulate_trap();
    sc_core::sc_event m_line_event; // any input rose
    // The deadline of wait_for_any() as an event of its own, notified only when the deadline
    // changes: a wait with a timeout would arm, and mostly cancel, a timed notification per
    // interrupt, each left in the kernel's queue until its time (design.md: no churn).
    sc_core::sc_event m_deadline_event;
    sc_time m_deadline_armed = sc_core::SC_ZERO_TIME; // zero: none pending
    sc_core::sc_event_or_list m_wake;                 // m_line_event | m_deadline_event
    line_observer* m_line_observer = nullptr;
    timer_state m_cntv;
    sc_core::sc_event m_cntv_event;
    bool m_poked = false;
    sc_time m_poke_at;
};

} // namespace cpu_stubs
