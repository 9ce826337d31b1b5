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
}

void scoreboard::irq_acked(unsigned vm, unsigned gsi, const sc_core::sc_time& /*at*/) {
    spi_slot* s = slot(vm, gsi);
    if (!s || !s->delivered_since_notify) {
        ++m_unexpected_notifications;
        return;
    }
    s->delivered_since_notify = false;
}

latency_summary scoreboard::latency() const {
    latency_summary l;
    l.count = m_latency_ns.size();
    if (m_latency_ns.empty())
        return l;
    std::vector<double> v = m_latency_ns;
    std::sort(v.begin(), v.end());
    // Nearest-rank percentiles: the smallest sample with at least p% of samples at or below it.
    auto pct = [&v](double p) {
        const std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * v.size()));
        return v[std::max<std::size_t>(rank, 1) - 1];
    };
    l.min_ns = v.front();
    l.max_ns = v.back();
    l.p50_ns = pct(50);
    l.p99_ns = pct(99);
    l.mean_ns = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    return l;
}

} // namespace platform
