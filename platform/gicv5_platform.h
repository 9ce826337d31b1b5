// The platform assembled from a platform_config:
//
//   PE i --mmio--> router --> memory            (cfg.memory.base; the router's target 1 + i)
//                        |--> IRS config frame  (cfg.irs.config_frame)
//                        \--> IRS SETLPI frame  (cfg.irs.setlpi_frame)
//   IRS --mem--> router                         (its target 0)
//   PE i --gic--> CPU interface i <==stream==> IRS   (IAFFID = i)
//   CPU interface i --virq--> PE i
//
// Host PEs run host_program (PE of the first host role boots the hypervisor: VM table and each
// VM's bring-up; then, through its device_host, the SPI sources attached to it and the line drops
// and re-injections of their level lines). vCPU PEs run vcpu_program, time-sharing the vCPUs
// placed on them (platform_config.h placement()). Script PEs run
// their steps of cfg.script (script_runner). ISS PEs run their guest image (cpu_stubs/iss), its
// device driving the physical SPI lines (spi_line). A drain monitor stops the run once the sources have
// ended (at duration), every script is done, and nothing is pending, active or listed.
#pragma once

#include "cpu_stubs/host_program.h"
#include "cpu_stubs/iss/iss_pe.h"
#include "cpu_stubs/iss/iss_vcpu.h"
#include "cpu_stubs/pe.h"
#include "cpu_stubs/vcpu_program.h"
#include "platform/kvm/vgic_v5.h"
#include "platform/latency_histogram.h"
#include "platform/memory.h"
#include "platform/platform_config.h"
#include "platform/protocol_checker.h"
#include "platform/router.h"
#include "platform/run_results.h"
#include "platform/scoreboard.h"
#include "platform/script.h"
#include "platform/spi_source.h"
#include "tlm_gicv5/cpu_interface.h"
#include "tlm_gicv5/detail/teardown_markers.h"
#include "tlm_gicv5/irs.h"

#include <memory>
#include <vector>

namespace platform {

// The hardware's per-hop samples (tlm_gicv5/hop_recorder.h), as histograms per VM ID.
class hop_samples : public gicv5::hop_recorder {
public:
    void ist_write(uint16_t vm, const sc_core::sc_time& t) override { add(m_ist_write, vm, t); }
    void hppi_offer(uint16_t vm, const sc_core::sc_time& t) override { add(m_hppi_offer, vm, t); }
    void virq_to_cdia(uint16_t vm, const sc_core::sc_time& t) override {
        add(m_virq_to_cdia, vm, t);
    }
    void irs_queue(uint16_t vm, const sc_core::sc_time& t) override {
        if (t != sc_core::SC_ZERO_TIME) {
            add(m_irs_queue, vm, t);
            return;
        }
        if (m_irs_queue_zeros.size() <= vm) // most commands do not queue: just counted
            m_irs_queue_zeros.resize(std::size_t{vm} + 1);
        ++m_irs_queue_zeros[vm];
    }
    distribution irs_queue(unsigned vm) const;
    const latency_histogram& ist_write(unsigned vm) const { return of(m_ist_write, vm); }
    const latency_histogram& hppi_offer(unsigned vm) const { return of(m_hppi_offer, vm); }
    const latency_histogram& virq_to_cdia(unsigned vm) const { return of(m_virq_to_cdia, vm); }

private:
    using per_vm = std::vector<latency_histogram>; // grown at a VM ID's first sample
    static void add(per_vm& s, uint16_t vm, const sc_core::sc_time& t) {
        if (s.size() <= vm)
            s.resize(std::size_t{vm} + 1);
        s[vm].record(t);
    }
    static const latency_histogram& of(const per_vm& s, unsigned vm);
    per_vm m_ist_write, m_hppi_offer, m_virq_to_cdia, m_irs_queue;
    std::vector<uint64_t> m_irs_queue_zeros;
};

// The queueing delays of the platform's timed resources (tlm_gicv5/timed_resource.h), a
// histogram each, and their queue depths passed on to a listener (a tracer), if any.
class resource_samples : public gicv5::resource_observer {
public:
    void resize(std::size_t n) { m_waits.resize(n); }
    void waited(unsigned index, const sc_core::sc_time& wait) override {
        m_waits[index].record(wait);
    }
    void depth_changed(unsigned index, const sc_core::sc_time& at, unsigned depth) override {
        if (m_listener)
            m_listener->depth_changed(index, at, depth);
    }
    void set_listener(gicv5::resource_observer* l) { m_listener = l; }
    // All `requests` of resource `index`: those that waited, and the others at 0.
    distribution queueing(std::size_t index, uint64_t requests) const;

private:
    std::vector<latency_histogram> m_waits; // only the waits above 0
    gicv5::resource_observer* m_listener = nullptr;
};

struct build_options {
    // false: build the hardware and the agent only; a test loads its own programs onto the PEs
    // and drives the simulation itself.
    bool programs = true;
    // Protocol checkers (protocol_checker.h) on every socket binding: the buses, the table
    // accesses and each stream link. Also on when the environment sets GICV5_PROTOCOL_CHECKS=1,
    // as the test suite does for every run, gicv5-sim's included.
    bool protocol_checks = false;
};

class gicv5_platform : public sc_core::sc_module {
public:
    gicv5_platform(const sc_core::sc_module_name& name, const platform_config& cfg,
                   const build_options& options = {});
    ~gicv5_platform() override;

    run_results results() const;
    // Nothing pending or active in any vIST, nothing listed, nothing waiting at the scoreboard.
    bool drained() const;
    // Drives the wire of physical SPI spi_id (a device's output) at sc_time_stamp() + delay.
    void spi_line(uint32_t spi_id, bool level,
                  const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME);
    // An ISTE as memory holds it now (inspection, no timing).
    gicv5::iste peek_iste(unsigned vm, unsigned spi) const;
    // An IRS config-frame register as debug transport reads it (no timing, no side effect).
    uint64_t irs_register(gicv5::irs_reg r);
    // The vCPU programs, one per PE with role vcpu, in PE order.
    const std::vector<cpu_stubs::vcpu_program*>& vcpu_programs() const { return m_vcpus; }
    // Runs body as guest code of vCPU `vcpu` of VM `vm` (or, with wfi, makes it execute WFI) on
    // the PE where it is loaded, at its EL1, when it next runs; `caller` waits until then and
    // goes on at that time. False, at once, when there is no such vCPU or its VM is dead, and
    // after drain_timeout of waiting when the vCPU has not run it by then (it never will).
    bool
    run_as_guest(cpu_stubs::pe& caller, unsigned vm, unsigned vcpu,
                 const std::function<void(cpu_stubs::pe&, const cpu_stubs::guest_mmio_fn&)>& body,
                 bool wfi = false);
    // Another listener to what the guests acknowledge and deactivate (a tracer); elaboration.
    void add_guest_observer(cpu_stubs::guest_observer& o) { m_observers.add(o); }
    // The shared timed resources (the IRS's engine, table port and links down, each CPU
    // interface's link up, the bus, the memory banks), in report order; their names.
    const std::vector<gicv5::timed_resource*>& resources() const { return m_resources; }
    // Resource i's name below this platform: "irs.engine", "cpuif0.link_up".
    std::string resource_name(std::size_t i) const;
    // The per-PE parts (CPU interfaces, PEs, their checkers) in the order the destructor
    // destroys them: two empty marker modules first, then the parts last made first
    // (tlm_gicv5/detail/teardown_markers.h).
    std::vector<const sc_core::sc_object*> teardown_order() const;
    // Told each resource's queue depth as it changes (index in resources()); one listener.
    void set_resource_listener(gicv5::resource_observer* l) {
        m_resource_samples.set_listener(l);
        for (gicv5::timed_resource* r : m_resources)
            r->track_depth(l != nullptr); // the changes are kept only for a listener
    }

    const platform_config cfg;
    memory mem;
    router bus;
    gicv5::irs irs;
    std::vector<std::unique_ptr<gicv5::cpu_interface>> cpuifs;
    std::vector<std::unique_ptr<cpu_stubs::pe>> pes;
    kvm::vgic_v5 agent;
    scoreboard sb;

private:
    using SC_CURRENT_USER_MODULE = gicv5_platform; // see cpu_stubs/pe.h
    void drain_monitor();
    // The hypervisor's bring-up is done at `at`: the sources' windows begin.
    void start_sources(const sc_core::sc_time& done);

    std::vector<std::unique_ptr<level_lines>> m_level; // per VM; nullptr: no level source
    std::vector<std::vector<bool>> m_level_spis;       // [vm][spi]: a level source uses it
    std::vector<std::unique_ptr<device_host>> m_hosts; // one per host PE
    std::vector<std::unique_ptr<spi_source>> m_sources;
    guest_observers m_observers; // the scoreboard, then each VM's level lines
    std::vector<std::unique_ptr<cpu_stubs::pe_program>> m_programs;
    std::vector<cpu_stubs::vcpu_program*> m_vcpus;
    std::vector<unsigned> m_vcpu_pes;   // the PE of each of m_vcpus
    std::vector<unsigned> m_script_pes; // the PE of each of m_scripts
    std::vector<script_runner*> m_scripts;
    std::vector<std::pair<unsigned, cpu_stubs::iss_program*>> m_iss; // role iss: PE, program
    std::vector<std::pair<unsigned, cpu_stubs::iss_vcpu_program*>> m_iss_vcpus; // ISS guests
    hop_samples m_hops; // attached to the IRS and every CPU interface
    std::vector<gicv5::timed_resource*> m_resources;
    resource_samples m_resource_samples;
    std::vector<std::unique_ptr<base_protocol_checker>> m_bus_checks;
    std::vector<std::unique_ptr<stream_protocol_checker>> m_stream_checks;
    // Binds initiator to target, through a new checker named check_`what` kept in *checks when
    // checks is not null.
    template <typename Checker, typename Init, typename Target>
    void bind(std::vector<std::unique_ptr<Checker>>* checks, Init& initiator, Target& target,
              const std::string& what);
    bool m_drained = false;
    bool m_sources_started = false;
    sc_core::sc_time m_sources_start; // valid once m_sources_started
    sc_core::sc_event m_sources_started_event;
    // Made just before the per-PE parts and destroyed first (see the destructor).
    std::unique_ptr<gicv5::detail::teardown_markers> m_markers;
    // Calls f on the owner (a unique_ptr) of each per-PE part, last made first.
    template <typename F>
    void for_each_part_last_made_first(F f);
};

} // namespace platform
