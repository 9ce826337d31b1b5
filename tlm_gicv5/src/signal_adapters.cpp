#include "tlm_gicv5/signal_adapters.h"

#include <algorithm>

namespace gicv5 {

using sc_core::sc_time;

signal_in_adapter::signal_in_adapter(const sc_core::sc_module_name& name)
    : sc_module(name), in("in") {
    SC_METHOD(changed);
    sensitive << in;
    dont_initialize(); // wires start low, as the model's do
}

void signal_in_adapter::changed() {
    if (m_target)
        m_target->irq_signal(in.read(), sc_core::SC_ZERO_TIME);
}

signal_out_adapter::signal_out_adapter(const sc_core::sc_module_name& name)
    : sc_module(name), out("out") {
    SC_METHOD(drive);
    sensitive << m_next;
    dont_initialize();
}

void signal_out_adapter::irq_signal(bool level, const sc_time& delay) {
    const sc_time at = sim_now() + delay;
    // Usually the latest; a PE running behind another in local time may annotate an earlier one.
    auto it = std::upper_bound(m_due.begin(), m_due.end(), at,
                               [](const sc_time& t, const auto& e) { return t < e.first; });
    const bool first = it == m_due.begin();
    m_due.insert(it, {at, level});
    if (first) {
        m_next.cancel(); // only when an earlier change overtakes the pending one
        m_next.notify(at - sim_now());
    }
}

void signal_out_adapter::drive() {
    // Every level due by now, in order: the last one is what the signal takes.
    while (!m_due.empty() && m_due.front().first <= sim_now()) {
        out.write(m_due.front().second);
        m_due.pop_front();
    }
    if (!m_due.empty())
        m_next.notify(m_due.front().first - sim_now());
}

irs_spi_signals::irs_spi_signals(const sc_core::sc_module_name& name, irs& target)
    : sc_module(name), spi("spi", target.spi_in.size()),
      m_adapters("adapter", target.spi_in.size()) {
    for (std::size_t i = 0; i < target.spi_in.size(); ++i) {
        m_adapters[i].in.bind(spi[i]);
        m_adapters[i].bind_target(target.spi_in[i]);
    }
}

cpu_interface_signals::cpu_interface_signals(const sc_core::sc_module_name& name,
                                             cpu_interface& source)
    : sc_module(name), irq("irq"), fiq("fiq"), nmi("nmi"), virq("virq"), m_irq("irq_adapter"),
      m_fiq("fiq_adapter"), m_nmi("nmi_adapter"), m_virq("virq_adapter") {
    source.irq_out.bind(m_irq);
    source.fiq_out.bind(m_fiq);
    source.nmi_out.bind(m_nmi);
    source.virq_out.bind(m_virq);
    m_irq.out.bind(irq);
    m_fiq.out.bind(fiq);
    m_nmi.out.bind(nmi);
    m_virq.out.bind(virq);
}

} // namespace gicv5
