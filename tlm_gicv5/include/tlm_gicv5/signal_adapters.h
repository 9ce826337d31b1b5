// Plain sc_signal<bool> wires for the model's interrupt wires. Inside, the model's wires are
// immediate callbacks (irq_signal.h: a driver calls its receiver with the new level and the delay
// after which it holds, from whatever process runs); these adapters put an sc_in/sc_out on them,
// each written only by the adapter's own method, so that a platform's sc_signal<bool> has one
// driver and changes in the update phase as SystemC users expect.
//
// Interface
//   signal_in_adapter    in   sc_in<bool>, 1 binding: each change of the signal reaches the
//                             bound model input (bind_target) at once, as a level.
//   signal_out_adapter   is an irq_signal_if: bind a model output to it (for example
//                        cpu_interface::irq_out.bind(adapter)); out sc_out<bool>, 1 binding,
//                        takes each level at the time the model annotated (sc_time_stamp() +
//                        delay), in time order.
//   irs_spi_signals      spi  sc_vector<sc_in<bool>>, one per SPI the IRS owns (its parameter
//                             spi_irs_range): spi[i] drives the wire of SPI spi_base + i.
//   cpu_interface_signals  irq, fiq, nmi, virq  sc_out<bool>: the CPU interface's outputs (it
//                             has no separate vFIQ: the model has the Non-secure domain only, and
//                             a virtual superpriority interrupt raises virq).
// Parameters: none beyond the module bound (the vector's size comes from the IRS).
#pragma once

#include "tlm_gicv5/cpu_interface.h"
#include "tlm_gicv5/irq_signal.h"
#include "tlm_gicv5/irs.h"

#include <systemc>

#include <deque>
#include <utility>

namespace gicv5 {

class signal_in_adapter : public sc_core::sc_module {
public:
    sc_core::sc_in<bool> in;

    explicit signal_in_adapter(const sc_core::sc_module_name& name);
    void bind_target(irq_signal_if& target) { m_target = &target; }

private:
    using SC_CURRENT_USER_MODULE = signal_in_adapter; // for SC_METHOD, without SC_HAS_PROCESS
    void changed();
    irq_signal_if* m_target = nullptr;
};

class signal_out_adapter : public sc_core::sc_module, public irq_signal_if {
public:
    sc_core::sc_out<bool> out;

    explicit signal_out_adapter(const sc_core::sc_module_name& name);
    void irq_signal(bool level, const sc_core::sc_time& delay) override;

private:
    using SC_CURRENT_USER_MODULE = signal_out_adapter;
    void drive();
    // Levels still to be driven, by absolute time (non-decreasing: a later call with an earlier
    // time is ordered in), and the event of the first.
    std::deque<std::pair<sc_core::sc_time, bool>> m_due;
    sc_core::sc_event m_next;
};

class irs_spi_signals : public sc_core::sc_module {
public:
    sc_core::sc_vector<sc_core::sc_in<bool>> spi;

    irs_spi_signals(const sc_core::sc_module_name& name, irs& target);

private:
    sc_core::sc_vector<signal_in_adapter> m_adapters;
};

class cpu_interface_signals : public sc_core::sc_module {
public:
    sc_core::sc_out<bool> irq, fiq, nmi, virq;

    cpu_interface_signals(const sc_core::sc_module_name& name, cpu_interface& source);

private:
    signal_out_adapter m_irq, m_fiq, m_nmi, m_virq;
};

} // namespace gicv5
