#include "platform/scoreboard.h"

namespace platform {

double to_ns(const sc_core::sc_time& t) {
    // Through the integer time value, so whole nanoseconds stay whole.
    return static_cast<double>(t.value()) /
           static_cast<double>(sc_core::sc_time(1, sc_core::SC_NS).value());
}

scoreboard::scoreboard(const std::vector<unsigned>& spis_per_vm, const sc_core::sc_time& slack)
    : m_slack(slack) {
    for (unsigned n : spis_per_vm)
        m_spis.emplace_back(n);
    m_vcpu.resize(spis_per_vm.size());
}

scoreboard::spi_slot* scoreboard::slot(unsigned vm, unsigned spi) {
    if (vm >= m_spis.size() || spi >= m_spis[vm].size())
        return nullptr;
    return &m_spis[vm][spi];
}

bool scoreboard::on_inject(unsigned vm, unsigned spi, const sc_core::sc_time& at) {
    spi_slot* s = slot(vm, spi);
    ++m_injected;
    if (s->waiting) {
        ++m_coalesced;
        return true;
    }
    s->waiting = true;
    s->injected_at = at;
    return false;
}

void scoreboard::migrate(unsigned from, unsigned to) {
    if (from >= m_spis.size() || to >= m_spis.size() || from == to)
        return;
    for (std::size_t spi = 0; spi < m_spis[from].size(); ++spi) {
        spi_slot& src = m_spis[from][spi];
        if (!src.waiting || spi >= m_spis[to].size())
            continue;
        spi_slot& dst = m_spis[to][spi];
        if (dst.waiting)
            ++m_coalesced; // one was waiting there already: the two are one pending SPI now
        dst.waiting = true;
        dst.injected_at = src.injected_at;
        dst.level = src.level;
        src.waiting = false;
    }
}

void scoreboard::on_acknowledge(unsigned vm, gicv5::intid id, const sc_core::sc_time& at) {
    on_vcpu_acknowledge(vm, 0, id, at);
}

void scoreboard::on_vcpu_acknowledge(unsigned vm, unsigned vcpu, gicv5::intid id,
                                     const sc_core::sc_time& at) {
    spi_slot* s = id.type == gicv5::intid_type::SPI ? slot(vm, id.id) : nullptr;
    // An acknowledge before the waiting injection cannot be its delivery, unless by less than
    // the decoupling slack: PEs run up to a quantum apart in local time, so a guest PE behind the
    // injecting host PE may take the interrupt at a local time before the injection's (its vPE
    // made resident meanwhile finds the vIST entry already pending). Its latency reads 0. Edge
    // SPIs only: a level SPI taken before its event is the line's previous high, not yet dropped
    // (spurious), as its device (level_lines) judges it too.
    const sc_core::sc_time& slack = s && s->level ? sc_core::SC_ZERO_TIME : m_slack;
    if (!s || !s->waiting || at + slack < s->injected_at) {
        ++(s && s->level ? m_spurious : m_unexpected_acks);
        return;
    }
    s->waiting = false;
    s->delivered_since_notify = true;
    ++m_delivered;
    s->vcpu = vcpu;
    vcpu_of(vm, vcpu).latency.record(at > s->injected_at ? at - s->injected_at
                                                         : sc_core::SC_ZERO_TIME);
    s->acked = true;
    s->acked_at = at;
}

scoreboard::histograms scoreboard::of_vm(unsigned vm) const {
    histograms h;
    for (const histograms& c : m_vcpu[vm]) {
        h.latency.merge(c.latency);
        h.handling.merge(c.handling);
        h.notifier.merge(c.notifier);
    }
    return h;
}

latency_summary scoreboard::latency() const {
    latency_histogram all;
    for (const auto& per_vm : m_vcpu)
        for (const histograms& c : per_vm)
            all.merge(c.latency);
    return all.summary_with_min();
}

void scoreboard::on_deactivate(unsigned vm, gicv5::intid id, const sc_core::sc_time& at) {
    spi_slot* s = id.type == gicv5::intid_type::SPI ? slot(vm, id.id) : nullptr;
    if (!s)
        return;
    // The last one counts: the SPI cannot be consumed before it.
    s->deactivated = true;
    s->deactivated_at = at;
    if (s->acked) { // the handling of a delivery: acknowledge to deactivate
        s->acked = false;
        const sc_core::sc_time t = at > s->acked_at ? at - s->acked_at : sc_core::SC_ZERO_TIME;
        vcpu_of(vm, s->vcpu).handling.record(t);
    }
}

void scoreboard::irq_acked(unsigned vm, unsigned gsi, const sc_core::sc_time& at) {
    spi_slot* s = slot(vm, gsi);
    if (!s || !s->delivered_since_notify) {
        ++m_unexpected_notifications;
        return;
    }
    s->delivered_since_notify = false;
    if (s->deactivated) {
        s->deactivated = false;
        // A fold on another vCPU's PE may run behind the CDDI's PE in local time (temporal
        // decoupling), although it saw the deactivation: then it came at once.
        const sc_core::sc_time t =
            at > s->deactivated_at ? at - s->deactivated_at : sc_core::SC_ZERO_TIME;
        vcpu_of(vm, s->vcpu).notifier.record(t);
    }
}

} // namespace platform
