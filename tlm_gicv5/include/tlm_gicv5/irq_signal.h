// Interrupt wires as callback "signal sockets": the driver calls the receiver directly with the
// new level and the annotated delay after which it holds. This avoids sc_signal's multiple-driver
// and update-phase traps when a wire changes inside b_transport (design.md, SystemC facts).
#pragma once

#include <systemc>

namespace gicv5 {

struct irq_signal_if {
    virtual ~irq_signal_if() = default;
    // The wire takes `level` at sc_time_stamp() + delay.
    virtual void irq_signal(bool level, const sc_core::sc_time& delay) = 0;
};

class irq_signal_out {
public:
    void bind(irq_signal_if& target) { m_target = &target; }
    bool bound() const { return m_target != nullptr; }
    // Drives the wire; repeated writes of the same level are filtered.
    void write(bool level, const sc_core::sc_time& delay) {
        if (level == m_level)
            return;
        m_level = level;
        if (m_target)
            m_target->irq_signal(level, delay);
    }
    bool read() const { return m_level; }

private:
    irq_signal_if* m_target = nullptr;
    bool m_level = false;
};

// A guest GIC access the hypervisor trapped (ICH_HFG*TR_EL2): it did not execute; the host is
// told what it was, to emulate it.
struct gic_trap {
    enum class kind : uint8_t { read, write, insn } what = kind::insn;
    unsigned index = 0; // the sysreg or gic_insn, as its enum value
    uint64_t value = 0; // the written value or the instruction's operand
};
struct gic_trap_if {
    virtual ~gic_trap_if() = default;
    virtual void gic_trapped(const gic_trap& t) = 0;
};

// One of a module's numbered input wires: forwards each level change to (owner.*Method)(index).
template <typename Owner, void (Owner::*Method)(unsigned, bool, const sc_core::sc_time&)>
class indexed_signal_in : public irq_signal_if {
public:
    indexed_signal_in(Owner& owner, unsigned index) : m_owner(owner), m_index(index) {}
    void irq_signal(bool level, const sc_core::sc_time& delay) override {
        (m_owner.*Method)(m_index, level, delay);
    }

private:
    Owner& m_owner;
    unsigned m_index;
};

} // namespace gicv5
