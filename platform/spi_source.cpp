#include "platform/spi_source.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace platform {

using sc_core::sc_time;

event_schedule::event_schedule(const source_config& cfg, uint64_t seed)
    : m_cfg(cfg), m_period(1.0 / cfg.rate_hz, sc_core::SC_SEC),
      // Its own stream: the SPI picks of a source stay the same whatever its kind.
      m_rng(seed ^ 0x9e3779b97f4a7c15ull) {
    m_next = m_cfg.kind == source_kind::poisson ? exponential_gap() : m_period;
    m_burst_start = m_next;
}

sc_time event_schedule::exponential_gap() {
    // u in (0, 1) from the top 53 bits; -ln(u) / rate is exponential with mean 1/rate.
    const double u = (static_cast<double>(m_rng() >> 11) + 0.5) * 0x1p-53;
    return sc_time(-std::log(u) / m_cfg.rate_hz, sc_core::SC_SEC);
}

void event_schedule::shift(const sc_time& origin) {
    m_next += origin;
    m_burst_start += origin;
}

void event_schedule::advance() {
    switch (m_cfg.kind) {
    case source_kind::periodic: m_next += m_period; break;
    case source_kind::poisson: m_next += exponential_gap(); break;
    case source_kind::burst:
        if (++m_in_burst == m_cfg.burst_size) {
            m_in_burst = 0;
            m_burst_start += m_period;
        }
        // From the burst's start, not the last event: no rounding builds up.
        m_next = m_burst_start + m_cfg.burst_gap * static_cast<double>(m_in_burst);
        break;
    }
}

spi_source::spi_source(const source_config& cfg, std::vector<unsigned> spis,
                       const sc_time& window, uint64_t seed, kvm::vgic_v5& agent, scoreboard& sb,
                       level_lines* lines, device_host* host)
    : m_cfg(cfg), m_spis(std::move(spis)), m_when(cfg, seed), m_window(window), m_rng(seed),
      m_agent(agent), m_sb(sb), m_lines(lines), m_host(host) {
    if (m_lines && !m_host)
        SC_REPORT_FATAL("spi_source", "a level source needs the device_host that runs it");
    if (m_spis.empty())
        SC_REPORT_FATAL("spi_source", "a source needs at least one SPI");
}

void spi_source::start(const sc_time& at) {
    m_when.shift(at);
    m_stop = at + m_window;
    m_started = true;
}

void spi_source::fire(cpu_stubs::pe& self) {
    const unsigned spi = m_spis[m_rng() % m_spis.size()];
    const sc_time at = m_when.next();
    // The device raised it at its time, even if the PE is late.
    if (m_lines) {
        m_lines->raise(self, *m_host, spi, at);
    } else {
        m_sb.on_inject(m_cfg.vm, spi, at);
        m_agent.kvm_vgic_inject_irq(self, m_cfg.vm, spi, true);
    }
    m_when.advance();
}

// ---- level_lines ----------------------------------------------------------------------------

level_lines::level_lines(unsigned vm, unsigned nr_spis, tracking_policy tracking,
                         kvm::vgic_v5& agent, scoreboard& sb)
    : m_vm(vm), m_tracking(tracking), m_agent(agent), m_sb(sb), m_lines(nr_spis) {}

void level_lines::raise(cpu_stubs::pe& self, device_host& host, unsigned spi, const sc_time& at) {
    line& l = m_lines[spi];
    // An event while the source is high is coalesced into it, at the scoreboard too.
    if (m_sb.on_inject(m_vm, spi, at) != l.raised)
        SC_REPORT_ERROR("level_lines", "the scoreboard and the device disagree on a source");
    if (l.raised)
        return;
    l.raised = true;
    l.raised_at = at;
    if (l.state != line_state::idle)
        return; // the line is still up or listed: the drop or the notifier raises it again
    l.host = &host;
    host.hold();
    assert_line(self, spi);
}

void level_lines::assert_line(cpu_stubs::pe& self, unsigned spi) {
    m_lines[spi].state = line_state::high; // before the call, which may yield
    m_agent.kvm_vgic_inject_irq(self, m_vm, spi, true);
}

void level_lines::on_acknowledge(unsigned vm, gicv5::intid id, const sc_time& at) {
    if (vm != m_vm || id.type != gicv5::intid_type::SPI || id.id >= m_lines.size())
        return;
    line& l = m_lines[id.id];
    // Taken again before the drop reached the IRS (the scoreboard's spurious acknowledge):
    // nothing left to service.
    if (!l.raised || at < l.raised_at)
        return;
    l.raised = false;
    if (l.state == line_state::high) {
        l.state = line_state::serviced;
        l.host->post(*this, id.id, device_host::op::drop, at);
    }
}

void level_lines::drop(cpu_stubs::pe& self, unsigned spi) {
    line& l = m_lines[spi];
    ++m_drops;
    if (m_tracking == tracking_policy::ap_list) {
        // The SPI stays listed (a high level line is never consumed, reference §8.11) until a
        // fold finds it consumed; the notifier then decides. Set first: that fold may come as
        // soon as the line is low, during the call.
        l.state = line_state::listed;
        m_agent.kvm_vgic_inject_irq(self, m_vm, spi, false);
        return;
    }
    m_agent.kvm_vgic_inject_irq(self, m_vm, spi, false);
    if (l.raised) { // raised again meanwhile, and no notifier will come: raise the line now
        assert_line(self, spi);
        return;
    }
    device_host* host = l.host;
    l.state = line_state::idle;
    l.host = nullptr;
    host->release();
}

void level_lines::irq_acked(unsigned vm, unsigned gsi, const sc_time& at) {
    if (vm != m_vm || gsi >= m_lines.size())
        return;
    line& l = m_lines[gsi];
    if (l.state != line_state::listed)
        return;
    // KVM's irqfd_resampler_ack(): the device is asked whether its source is still up. Runs
    // under the agent's locks, on a vCPU's PE: the injection is left to the line's host.
    if (l.raised) {
        l.state = line_state::resample_due;
        l.host->post(*this, gsi, device_host::op::resample, at);
        return;
    }
    device_host* host = l.host;
    l.state = line_state::idle;
    l.host = nullptr;
    host->release();
}

void level_lines::resample(cpu_stubs::pe& self, unsigned spi) {
    ++m_resamples;
    assert_line(self, spi);
}

// ---- device_host ----------------------------------------------------------------------------

void device_host::post(level_lines& lines, unsigned spi, op o, const sc_time& at) {
    m_requests.push_back({&lines, spi, o, at});
    const sc_time now = sc_core::sc_time_stamp();
    m_wake.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
}

void device_host::release() {
    --m_busy;
    m_wake.notify(sc_core::SC_ZERO_TIME); // fire() may have nothing left to wait for
}

cpu_stubs::host_task* device_host::next_task() const {
    // host_program's choice: the first task with the earliest time.
    cpu_stubs::host_task* next = nullptr;
    for (cpu_stubs::host_task* t : m_tasks)
        if (!next || t->next_time() < next->next_time())
            next = t;
    return next;
}

std::size_t device_host::next_request() const {
    std::size_t best = m_requests.size();
    for (std::size_t i = 0; i < m_requests.size(); ++i)
        if (best == m_requests.size() || m_requests[i].at < m_requests[best].at)
            best = i;
    return best;
}

sc_time device_host::next_time() const {
    sc_time t = gicv5::sim_max_time();
    if (const cpu_stubs::host_task* task = next_task())
        t = task->next_time();
    const std::size_t r = next_request();
    if (r < m_requests.size())
        t = std::min(t, m_requests[r].at);
    if (m_busy > 0) // a request may come at any time: fire() waits for it
        t = std::min(t, sc_core::sc_time_stamp());
    return t;
}

void device_host::fire(cpu_stubs::pe& self) {
    for (;;) {
        cpu_stubs::host_task* task = next_task();
        const sc_time t_task = task ? task->next_time() : gicv5::sim_max_time();
        const std::size_t r = next_request();
        const sc_time t_req = r < m_requests.size() ? m_requests[r].at : gicv5::sim_max_time();
        const sc_time due = std::min(t_task, t_req);
        if (due <= self.local_time()) {
            if (t_req <= t_task) { // a drop must not wait behind an injection
                const request q = m_requests[r];
                m_requests.erase(m_requests.begin() + static_cast<std::ptrdiff_t>(r));
                if (q.o == op::drop)
                    q.lines->drop(self, q.spi);
                else
                    q.lines->resample(self, q.spi);
            } else {
                task->fire(self);
            }
            return;
        }
        if (m_busy == 0 && m_requests.empty())
            return; // nothing can be asked meanwhile: host_program idles until the next task
        // host_program's idle would not wake for a request: wait for it here instead.
        if (self.local_time() > sc_core::sc_time_stamp()) {
            self.sync(); // catch up first: a request may come meanwhile
            continue;
        }
        if (due != gicv5::sim_max_time())
            m_wake.notify(due - sc_core::sc_time_stamp());
        sc_core::wait(m_wake);
    }
}

} // namespace platform
