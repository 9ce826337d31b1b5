// Devices that raise virtual SPIs of one VM through the hypervisor agent, as KVM_IRQ_LINE or an
// irqfd would, on the host PE they are attached to.
//
//   event_schedule  when a source's events come: periodic, Poisson or in periodic bursts.
//   spi_source    events at those times, each on one of the source's SPIs picked at random
//                 (seeded), so runs are reproducible. Edge: each event is one injection. Level:
//                 each event raises that SPI's source in the VM's level_lines.
//   level_lines   the level lines of one VM's devices, one per SPI. A raised source asserts its
//                 line (kvm_vgic_inject_irq(..., true)); the guest's acknowledge services the
//                 device, which then drops the line (VDPEND with PENDING = 0) on the host PE that
//                 raised it. Under the AP-list policy the lines are the VM's ack notifier: a
//                 source raised again before its SPI left the list is injected again when the
//                 agent reports the SPI consumed (KVM's irqfd resampler, irqfd_resampler_ack()).
//                 Under policy none there is no notifier: the line is raised again right after
//                 the drop.
//   device_host   one per host PE: runs the sources attached to it at their times, and the drops
//                 and re-injections its level lines ask for, as soon as they are due.
#pragma once

#include "cpu_stubs/host_program.h"
#include "platform/kvm/vgic_v5.h"
#include "platform/platform_config.h"
#include "platform/scoreboard.h"

#include <random>
#include <vector>

namespace platform {

class device_host;
class level_lines;

// The event times of a source (cfg.kind, cfg.rate_hz, cfg.burst_*), from time 0 on. Poisson gaps
// are drawn by inverse CDF from mt19937_64, whose output the standard fixes (unlike
// std::exponential_distribution's), so a seed gives the same times with any standard library.
class event_schedule {
public:
    event_schedule(const source_config& cfg, uint64_t seed);
    const sc_core::sc_time& next() const { return m_next; }
    void advance();
    // Moves the whole schedule later by `origin`: its time 0 becomes origin.
    void shift(const sc_core::sc_time& origin);

private:
    sc_core::sc_time exponential_gap();

    source_config m_cfg;
    sc_core::sc_time m_period, m_next, m_burst_start;
    unsigned m_in_burst = 0; // index of m_next within its burst
    std::mt19937_64 m_rng;
};

class spi_source : public cpu_stubs::host_task {
public:
    // spis: those it picks from (source_spis()). window: how long it injects once started.
    // lines: the VM's level lines for a level source, nullptr for an edge source.
    spi_source(const source_config& cfg, std::vector<unsigned> spis,
               const sc_core::sc_time& window, uint64_t seed, kvm::vgic_v5& agent, scoreboard& sb,
               level_lines* lines = nullptr, device_host* host = nullptr);

    // Its events begin at `at` (the end of the hypervisor's bring-up) and stop at at + window: a
    // device raising interrupts while the VMs are still being built would measure the bring-up's
    // backlog, not the delivery path.
    void start(const sc_core::sc_time& at);

    sc_core::sc_time next_time() const override {
        return m_started && m_when.next() < m_stop ? m_when.next() : gicv5::sim_max_time();
    }
    void fire(cpu_stubs::pe& self) override;

private:
    source_config m_cfg;
    std::vector<unsigned> m_spis;
    event_schedule m_when;
    sc_core::sc_time m_window, m_stop;
    bool m_started = false;
    std::mt19937_64 m_rng;
    kvm::vgic_v5& m_agent;
    scoreboard& m_sb;
    level_lines* m_lines;
    device_host* m_host;
};

class level_lines : public cpu_stubs::guest_observer, public kvm::ack_notifier {
public:
    level_lines(unsigned vm, unsigned nr_spis, tracking_policy tracking, kvm::vgic_v5& agent,
                scoreboard& sb);

    // A device event on `spi` at `at`, run by `host` on its PE `self`: raise the source.
    void raise(cpu_stubs::pe& self, device_host& host, unsigned spi, const sc_core::sc_time& at);

    // guest_observer: the guest's acknowledge services the device (its handler reads the
    // device, which lowers its source).
    void on_acknowledge(unsigned vm, gicv5::intid id, const sc_core::sc_time& at) override;
    void on_deactivate(unsigned /*vm*/, gicv5::intid /*id*/,
                       const sc_core::sc_time& /*at*/) override {}
    // ack_notifier: called by the agent's fold with its locks held, so it only asks the host.
    void irq_acked(unsigned vm, unsigned gsi, const sc_core::sc_time& at) override;

    // What device_host runs on the PE of the line's host.
    void drop(cpu_stubs::pe& self, unsigned spi);
    void resample(cpu_stubs::pe& self, unsigned spi);

    unsigned vm() const { return m_vm; }
    uint64_t drops() const { return m_drops; }         // lines dropped after a service
    uint64_t resamples() const { return m_resamples; } // injections again after a notifier
    bool idle(unsigned spi) const { return m_lines[spi].state == line_state::idle; }

private:
    enum class line_state {
        idle,         // line low, nothing to do
        high,         // asserted; waiting for the guest to service the device
        serviced,     // the guest serviced it; the host must drop the line
        listed,       // dropped; waiting for the notifier (AP list)
        resample_due, // notified while the source was raised again; the host injects again
    };
    struct line {
        bool raised = false; // the source: an event the guest has not serviced yet
        sc_core::sc_time raised_at;
        line_state state = line_state::idle;
        device_host* host = nullptr; // the host that raised the line; it drops and re-injects
    };
    void assert_line(cpu_stubs::pe& self, unsigned spi);

    unsigned m_vm;
    tracking_policy m_tracking;
    kvm::vgic_v5& m_agent;
    scoreboard& m_sb;
    std::vector<line> m_lines;
    uint64_t m_drops = 0, m_resamples = 0;
};

class device_host : public cpu_stubs::host_task {
public:
    void add(cpu_stubs::host_task& task) { m_tasks.push_back(&task); }

    enum class op { drop, resample };
    // From any thread: run `o` for `spi` of `lines` on this host's PE, at `at` or later.
    void post(level_lines& lines, unsigned spi, op o, const sc_core::sc_time& at);
    // A line of this host is not idle: a request may come at any time (hold), or not (release).
    void hold() { ++m_busy; }
    void release();

    sc_core::sc_time next_time() const override;
    void fire(cpu_stubs::pe& self) override;

private:
    struct request {
        level_lines* lines;
        unsigned spi;
        op o;
        sc_core::sc_time at;
    };
    cpu_stubs::host_task* next_task() const;
    std::size_t next_request() const; // index of the earliest; m_requests.size() if none

    std::vector<cpu_stubs::host_task*> m_tasks;
    std::vector<request> m_requests;
    unsigned m_busy = 0;
    sc_core::sc_event m_wake;
};

// Hands what the guest saw to several observers, in order.
class guest_observers : public cpu_stubs::guest_observer {
public:
    void add(cpu_stubs::guest_observer& o) { m_list.push_back(&o); }
    void on_acknowledge(unsigned vm, gicv5::intid id, const sc_core::sc_time& at) override {
        for (guest_observer* o : m_list)
            o->on_acknowledge(vm, id, at);
    }
    void on_vcpu_acknowledge(unsigned vm, unsigned vcpu, gicv5::intid id,
                             const sc_core::sc_time& at) override {
        for (guest_observer* o : m_list)
            o->on_vcpu_acknowledge(vm, vcpu, id, at);
    }
    void on_deactivate(unsigned vm, gicv5::intid id, const sc_core::sc_time& at) override {
        for (guest_observer* o : m_list)
            o->on_deactivate(vm, id, at);
    }

private:
    std::vector<cpu_stubs::guest_observer*> m_list;
};

} // namespace platform
