#include "platform/scoreboard.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace platform {

double to_ns(const sc_core::sc_time& t) {
    // Through the integer time value, so whole nanoseconds stay whole.
    return static_cast<double>(t.value()) /
           static_cast<double>(sc_core::sc_time(1, sc_core::SC_NS).value());
}

scoreboard::scoreboard(const std::vector<unsigned>& spis_per_vm, std::size_t expected_samples) {
    for (unsigned n : spis_per_vm)
        m_spis.emplace_back(n);
    m_notifier_ns.resize(spis_per_vm.size());
    m_vm_latency_ns.resize(spis_per_vm.size());
    m_handling_ns.resize(spis_per_vm.size());
    m_vcpu.resize(spis_per_vm.size());
    m_latency_ns.reserve(expected_samples);
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

void scoreboard::on_acknowledge(unsigned vm, gicv5::intid id, const sc_core::sc_time& at) {
    spi_slot* s = id.type == gicv5::intid_type::SPI ? slot(vm, id.id) : nullptr;
    // An acknowledge before the waiting injection (at the guest's local time, under temporal
    // decoupling) cannot be its delivery.
    if (!s || !s->waiting || at < s->injected_at) {
        ++(s && s->level ? m_spurious : m_unexpected_acks);
        return;
    }
    s->waiting = false;
    s->delivered_since_notify = true;
    ++m_delivered;
    m_latency_ns.push_back(to_ns(at - s->injected_at));
    m_vm_latency_ns[vm].push_back(m_latency_ns.back());
    s->acked = true;
    s->acked_at = at;
}

void scoreboard::on_vcpu_acknowledge(unsigned vm, unsigned vcpu, gicv5::intid id,
                                     const sc_core::sc_time& at) {
    const std::size_t before = m_latency_ns.size();
    on_acknowledge(vm, id, at);
    if (m_latency_ns.size() == before)
        return; // not a delivery
    slot(vm, id.id)->vcpu = vcpu;
    vcpu_of(vm, vcpu).latency_ns.push_back(m_latency_ns.back());
}

scoreboard::vcpu_samples& scoreboard::vcpu_of(unsigned vm, unsigned vcpu) {
    auto& per_vcpu = m_vcpu[vm];
    if (vcpu >= per_vcpu.size())
        per_vcpu.resize(vcpu + 1);
    return per_vcpu[vcpu];
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
        m_handling_ns[vm].push_back(at > s->acked_at ? to_ns(at - s->acked_at) : 0.0);
        vcpu_of(vm, s->vcpu).handling_ns.push_back(m_handling_ns[vm].back());
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
        m_notifier_ns[vm].push_back(at > s->deactivated_at ? to_ns(at - s->deactivated_at) : 0.0);
        vcpu_of(vm, s->vcpu).notifier_ns.push_back(m_notifier_ns[vm].back());
    }
}

namespace {
// Nearest-rank percentile of sorted samples: the smallest with at least p% at or below it.
double percentile(const std::vector<double>& sorted, double p) {
    const std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * sorted.size()));
    return sorted[std::max<std::size_t>(rank, 1) - 1];
}
} // namespace

distribution summarize(std::vector<double> v) {
    distribution d;
    d.count = v.size();
    if (v.empty())
        return d;
    std::sort(v.begin(), v.end());
    d.p50_ns = percentile(v, 50);
    d.p90_ns = percentile(v, 90);
    d.p99_ns = percentile(v, 99);
    d.max_ns = v.back();
    d.mean_ns = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    return d;
}

latency_summary scoreboard::latency() const {
    latency_summary l;
    l.count = m_latency_ns.size();
    if (m_latency_ns.empty())
        return l;
    std::vector<double> v = m_latency_ns;
    std::sort(v.begin(), v.end());
    l.min_ns = v.front();
    l.max_ns = v.back();
    l.p50_ns = percentile(v, 50);
    l.p99_ns = percentile(v, 99);
    l.mean_ns = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    return l;
}

} // namespace platform
