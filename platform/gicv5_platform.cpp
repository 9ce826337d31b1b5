#include "platform/gicv5_platform.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace platform {

namespace {
gicv5::irs_params irs_params_from(const platform_config& c) {
    gicv5::irs_params p;
    p.pe_count = static_cast<unsigned>(c.pes.size());
    p.vm_id_bits = c.irs.vm_id_bits;
    p.vpe_id_bits = c.irs.vpe_id_bits;
    p.spi_range = c.irs.spi_range;
    p.spi_base = c.irs.spi_base;
    p.spi_irs_range = c.irs.spi_irs_range;
    p.pri_bits = c.irs.pri_bits;
    p.iaffid_bits = c.irs.iaffid_bits;
    p.lpi_id_bits = c.irs.lpi_id_bits;
    p.min_lpi_id_bits = c.irs.min_lpi_id_bits;
    p.ist_two_level = c.irs.ist_two_level;
    p.ist_l2sz = c.irs.ist_l2sz;
    p.istmd_sz = c.irs.istmd_sz;
    p.iste_cache = c.irs.iste_cache;
    p.swe = c.irs.swe;
    p.dmi = c.irs.dmi;
    p.t_reg = c.timing.mmio;
    p.t_process = c.timing.irs_process;
    p.t_hop = c.timing.stream_hop;
    p.t_op = c.timing.irs_op;
    p.engines = c.irs.engines;
    p.t_vmap = c.irs.vmap_service;
    p.t_setlpi = c.irs.setlpi_service;
    p.t_doorbell = c.irs.doorbell_service;
    p.table_outstanding = c.irs.table_outstanding;
    p.t_table_port = c.irs.table_occupancy;
    p.link_occupancy = c.timing.link_occupancy;
    return p;
}

kvm::agent_params agent_params_from(const platform_config& c) {
    kvm::agent_params p;
    p.irs_config_frame = c.irs.config_frame;
    p.table_base = c.memory.base;
    p.table_size = c.memory.size;
    p.pes = static_cast<unsigned>(c.pes.size());
    p.vm_id_bits = c.irs.vm_id_bits;
    p.costs = c.hypervisor;
    return p;
}

std::vector<unsigned> spis_per_vm(const platform_config& c) {
    std::vector<unsigned> n;
    for (const vm_config& vm : c.vms)
        n.push_back(vm.spis);
    return n;
}

cpu_stubs::vcpu_params vcpu_params_of(const platform_config& c, unsigned vm_index, unsigned vcpu,
                                      const std::vector<bool>& level,
                                      std::shared_ptr<const std::vector<unsigned>> vpe_ids) {
    const vm_config& vm = c.vms[vm_index];
    cpu_stubs::vcpu_params vp;
    vp.vm = vm_index;
    vp.vcpu = vcpu;
    vp.vcpus = vm.vcpus;
    vp.vpe_ids = vpe_ids;
    vp.irs_base = vm.irs_base;
    vp.scripted = vm.guest.scripted;
    for (unsigned spi = 0; spi < vm.spis; ++spi)
        vp.spis.push_back(level[spi] ? gicv5::handling_mode::level : gicv5::handling_mode::edge);
    vp.priority = vm.guest.priority;
    // A source's priority for its SPIs (a later source wins where two share SPIs).
    for (const source_config& src : c.sources)
        if (src.vm == vm_index && src.priority >= 0) {
            if (vp.spi_priority.empty())
                vp.spi_priority.assign(vm.spis, vm.guest.priority);
            for (unsigned spi : source_spis(c, src))
                vp.spi_priority[spi] = static_cast<uint8_t>(src.priority);
        }
    vp.handler_time = vm.guest.handler_time;
    vp.eoi_split = vm.guest.eoi == eoi_mode::split;
    vp.nested = vm.guest.nested;
    vp.wfi = vm.guest.wfi;
    vp.wfi_after = vm.guest.wfi_after;
    vp.timer_period = vm.guest.timer_period;
    vp.rebalance_every = vm.guest.rebalance_every;
    vp.seed = c.seed;
    vp.exit_interval = vm.exit_interval;
    vp.exit_cost = c.hypervisor.exit_cost;
    return vp;
}

cpu_stubs::iss_params iss_params_of(const iss_config& c, uint64_t irs_base, uint64_t ram) {
    cpu_stubs::iss_params p;
    p.ram_base = ram;
    p.elf = c.elf;
    p.slice = c.slice;
    p.insn_time = c.insn_time;
    p.control_base = c.control_base;
    p.irs_base = irs_base;
    p.arg = c.arg;
    return p;
}

iss_results iss_results_of(unsigned pe, const std::string& elf, const cpu_stubs::iss_result& g) {
    iss_results r;
    r.pe = pe;
    r.elf = elf;
    r.exited = g.exited;
    r.verdict = g.verdict;
    r.passed = g.passed();
    r.values = g.values;
    r.console = g.console;
    r.error = g.error;
    r.instructions = g.instructions;
    r.gic_accesses = g.gic_accesses;
    r.irqs = g.irqs;
    r.undefined = g.undefined;
    return r;
}

// Why an ISS guest did not pass, as a failure line; empty when it passed.
std::string iss_failure(const iss_results& r) {
    if (r.passed)
        return "";
    std::string who = "iss guest on pe " + std::to_string(r.pe);
    if (r.vm >= 0)
        who += " (vm " + std::to_string(r.vm) + " vcpu " + std::to_string(r.vcpu) + ")";
    who += ", " + r.elf + ": ";
    if (!r.error.empty())
        return who + r.error;
    if (!r.exited)
        return who + "did not exit before the run ended (no verdict)";
    return who + "verdict " + std::to_string(r.verdict) + " (its own checks failed)";
}
} // namespace

namespace {
// The samples above 0 that a histogram kept, and `zeros` more of 0: the summary of them all.
distribution with_zeros(latency_histogram samples, uint64_t zeros) {
    samples.add_zeros(zeros);
    return samples.summary();
}
} // namespace

distribution hop_samples::irs_queue(unsigned vm) const {
    return with_zeros(of(m_irs_queue, vm),
                      vm < m_irs_queue_zeros.size() ? m_irs_queue_zeros[vm] : 0);
}

distribution resource_samples::queueing(std::size_t index, uint64_t requests) const {
    const uint64_t waited = m_waits[index].count();
    return with_zeros(m_waits[index], requests > waited ? requests - waited : 0);
}

const latency_histogram& hop_samples::of(const per_vm& s, unsigned vm) {
    static const latency_histogram none;
    return vm < s.size() ? s[vm] : none;
}

template <typename Checker, typename Init, typename Target>
void gicv5_platform::bind(std::vector<std::unique_ptr<Checker>>* checks, Init& initiator,
                          Target& target, const std::string& what) {
    if (!checks) {
        initiator.bind(target);
        return;
    }
    checks->push_back(std::make_unique<Checker>(("check_" + what).c_str()));
    initiator.bind(checks->back()->in);
    checks->back()->out.bind(target);
}

gicv5_platform::gicv5_platform(const sc_core::sc_module_name& name, const platform_config& config,
                               const build_options& options)
    : sc_module(name), cfg(config),
      mem("memory",
          memory_params{config.memory.size, config.memory.read_latency, config.memory.write_latency,
                        config.memory.banks, config.memory.occupancy, config.memory.bandwidth}),
      bus("bus", static_cast<unsigned>(config.pes.size()) + 1, config.timing.bus_occupancy),
      irs("irs", irs_params_from(config)), agent(agent_params_from(config)),
      sb(spis_per_vm(config), config.timing.quantum) {
    bus.map(0, cfg.memory.base, cfg.memory.size, "memory");
    bus.map(1, cfg.irs.config_frame, gicv5::IRS_CONFIG_FRAME_SIZE, "IRS config frame");
    bus.map(2, cfg.irs.setlpi_frame, gicv5::IRS_SETLPI_FRAME_SIZE, "IRS SETLPI frame");
    const char* env = std::getenv("GICV5_PROTOCOL_CHECKS");
    const bool checks = options.protocol_checks || (env && std::string(env) == "1");
    auto* bus_checks = checks ? &m_bus_checks : nullptr;
    auto* stream_checks = checks ? &m_stream_checks : nullptr;
    bind(bus_checks, bus.initiator_socket, mem.socket, "memory");
    bind(bus_checks, bus.initiator_socket, irs.config_frame, "irs_config_frame");
    bind(bus_checks, bus.initiator_socket, irs.setlpi_frame, "irs_setlpi_frame");
    bind(bus_checks, irs.mem, bus.target_socket[0], "irs_mem");
    irs.set_hop_recorder(&m_hops);

    m_markers = std::make_unique<gicv5::detail::teardown_markers>("teardown_marker");
    for (unsigned i = 0; i < cfg.pes.size(); ++i) {
        gicv5::cpu_interface_params cp;
        cp.iaffid = static_cast<uint16_t>(i);
        cp.t_insn = cfg.timing.gic_insn;
        cp.t_hop = cfg.timing.stream_hop;
        cp.link_occupancy = cfg.timing.link_occupancy;
        cp.nmi = cfg.irs.nmi;
        auto cpuif =
            std::make_unique<gicv5::cpu_interface>(("cpuif" + std::to_string(i)).c_str(), cp);
        auto p = std::make_unique<cpu_stubs::pe>(("pe" + std::to_string(i)).c_str(), i);
        bind(stream_checks, cpuif->stream_out, irs.stream_in, "stream_up" + std::to_string(i));
        bind(stream_checks, irs.stream_out, cpuif->stream_in, "stream_down" + std::to_string(i));
        cpuif->irq_out.bind(p->in(cpu_stubs::pe_line::irq));
        cpuif->fiq_out.bind(p->in(cpu_stubs::pe_line::fiq));
        cpuif->nmi_out.bind(p->in(cpu_stubs::pe_line::nmi));
        cpuif->virq_out.bind(p->in(cpu_stubs::pe_line::virq));
        cpuif->bind_trap(*p);
        cpuif->set_hop_recorder(&m_hops);
        p->cntv_out.bind(cpuif->ppi_in[gicv5::PPI_CNTV]);
        p->gic.bind(cpuif->cpu);
        bind(bus_checks, p->mmio, bus.target_socket[1 + i], "pe" + std::to_string(i) + "_mmio");
        cpuifs.push_back(std::move(cpuif));
        pes.push_back(std::move(p));
    }

    // The shared timed resources, in report order, each told to the sampler.
    for (gicv5::timed_resource* r : irs.resources())
        m_resources.push_back(r);
    for (const auto& c : cpuifs)
        m_resources.push_back(&c->link());
    m_resources.push_back(&bus.resource());
    m_resources.push_back(&mem.banks());
    m_resource_samples.resize(m_resources.size());
    for (unsigned i = 0; i < m_resources.size(); ++i)
        m_resources[i]->set_observer(&m_resource_samples, i);

    const std::vector<std::vector<unsigned>> where = placement(cfg);
    for (std::size_t v = 0; v < cfg.vms.size(); ++v) {
        const vm_config& vm = cfg.vms[v];
        const unsigned id = agent.create_vm(vm, where[v]);
        if (vm.tracking == tracking_policy::ap_list)
            agent.register_ack_notifier(id, sb);
    }
    if (!options.programs)
        return;

    // The SPIs of level sources are level (check_topology: no edge source uses them): KVM
    // mirrors the guest's trigger mode into irq->config, and the guest sets it with CDHM. A VM
    // with any has level lines, which see the guest's acknowledges and, with an AP list, the
    // notifier.
    m_observers.add(sb);
    m_level.resize(cfg.vms.size());
    m_level_spis.resize(cfg.vms.size());
    for (std::size_t v = 0; v < cfg.vms.size(); ++v)
        m_level_spis[v].assign(cfg.vms[v].spis, false);
    for (const source_config& sc : cfg.sources) {
        if (sc.trigger != trigger_mode::level)
            continue;
        const vm_config& vm = cfg.vms[sc.vm];
        for (unsigned spi : source_spis(cfg, sc)) {
            if (m_level_spis[sc.vm][spi])
                continue;
            m_level_spis[sc.vm][spi] = true;
            agent.set_spi_config(sc.vm, spi, trigger_mode::level);
            sb.set_level(sc.vm, spi);
        }
        if (m_level[sc.vm])
            continue;
        m_level[sc.vm] = std::make_unique<level_lines>(sc.vm, vm.spis, vm.tracking, agent, sb);
        m_observers.add(*m_level[sc.vm]);
        if (vm.tracking == tracking_policy::ap_list)
            agent.register_ack_notifier(sc.vm, *m_level[sc.vm]);
    }

    // Each VM's vcpu_ids, shared by its vCPUs' guests (null: the defaults).
    std::vector<std::shared_ptr<const std::vector<unsigned>>> vpe_ids(cfg.vms.size());
    for (std::size_t v = 0; v < cfg.vms.size(); ++v)
        if (!cfg.vms[v].vcpu_ids.empty())
            vpe_ids[v] = std::make_shared<const std::vector<unsigned>>(cfg.vms[v].vcpu_ids);
    // Host PEs: the first one boots the hypervisor; the others wait for it.
    bool boot_done = false;
    for (unsigned i = 0; i < cfg.pes.size(); ++i) {
        const pe_config& pc = cfg.pes[i];
        if (pc.role == pe_role::host) {
            m_hosts.push_back(std::make_unique<device_host>());
            device_host& host = *m_hosts.back();
            for (std::size_t s = 0; s < cfg.sources.size(); ++s) {
                const source_config& sc = cfg.sources[s];
                if (sc.host_pe != i)
                    continue;
                level_lines* lines =
                    sc.trigger == trigger_mode::level ? m_level[sc.vm].get() : nullptr;
                m_sources.push_back(
                    std::make_unique<spi_source>(sc, source_spis(cfg, sc), cfg.duration,
                                                 cfg.seed * 1000003u + s, agent, sb, lines, &host));
                host.add(*m_sources.back());
            }
            std::vector<cpu_stubs::host_task*> tasks{&host};
            cpu_stubs::host_program::boot_fn boot;
            if (!boot_done) {
                boot = [this](cpu_stubs::pe& self) {
                    agent.host_init(self);
                    for (unsigned vm = 0; vm < agent.vm_count(); ++vm)
                        agent.vm_init(self, vm, cfg.vms[vm].boot == vm_boot::full);
                    start_sources(self.local_time());
                };
                boot_done = true;
            } else {
                boot = [this](cpu_stubs::pe& self) { agent.wait_until_ready(self); };
            }
            m_programs.push_back(std::make_unique<cpu_stubs::host_program>(boot, tasks));
        } else if (pc.role == pe_role::iss) {
            auto prog = std::make_unique<cpu_stubs::iss_program>(
                iss_params_of(pc.iss, cfg.irs.config_frame, cfg.memory.base),
                [this](uint32_t spi, bool level, const sc_core::sc_time& delay) {
                    spi_line(spi, level, delay);
                });
            m_iss.emplace_back(i, prog.get());
            m_programs.push_back(std::move(prog));
        } else if (pc.role == pe_role::script) {
            std::vector<std::pair<std::size_t, script_step>> steps;
            for (std::size_t n = 0; n < cfg.script.size(); ++n)
                if (cfg.script[n].pe == i)
                    steps.emplace_back(n, cfg.script[n]);
            script_env env;
            env.spi_line = [this](uint32_t spi, bool level, const sc_core::sc_time& delay) {
                spi_line(spi, level, delay);
            };
            env.pe = [this](unsigned index) -> cpu_stubs::pe& { return *pes.at(index); };
            // Guest steps: run on the vCPU's PE as its guest code; this script PE waits.
            env.on_vcpu = [this, i](unsigned vm, unsigned vcpu,
                                    const std::function<void(guest_context&)>& body) {
                return run_as_guest(*pes.at(i), vm, vcpu,
                                    [&body](cpu_stubs::pe& g, const cpu_stubs::guest_mmio_fn& m) {
                                        guest_context ctx{g, m};
                                        body(ctx);
                                    });
            };
            // A guest's WFI: the vCPU sleeps through its put until something wakes it.
            env.guest_wfi = [this, i](unsigned vm, unsigned vcpu) {
                return run_as_guest(*pes.at(i), vm, vcpu, {}, true);
            };
            // Agent steps: KVM's ioctls on this PE; their edge injections are the scoreboard's
            // too, so the guest's acknowledges and the notifier match them as a source's.
            env.agent = &agent;
            env.injected = [this](unsigned vm, unsigned spi, const sc_core::sc_time& at) {
                sb.on_inject(vm, spi, at);
            };
            env.guest_observer = &m_observers; // a scripted guest's acknowledges, as a stub's
            env.migrated = [this](unsigned from, unsigned to) { sb.migrate(from, to); };
            auto prog = std::make_unique<script_runner>(std::move(steps), std::move(env));
            m_scripts.push_back(prog.get());
            m_script_pes.push_back(i);
            m_programs.push_back(std::move(prog));
        } else {
            // The vCPUs placed on this PE, in VM then vCPU order.
            std::vector<cpu_stubs::vcpu_params> placed;
            for (unsigned v = 0; v < cfg.vms.size(); ++v)
                for (unsigned c = 0; c < where[v].size(); ++c)
                    if (where[v][c] == i)
                        placed.push_back(vcpu_params_of(cfg, v, c, m_level_spis[v], vpe_ids[v]));
            const vm_config* iss_vm = nullptr; // an ISS guest has its PE to itself
            for (unsigned v = 0; v < cfg.vms.size(); ++v)
                for (unsigned c = 0; c < where[v].size(); ++c)
                    if (where[v][c] == i && !cfg.vms[v].guest.iss.elf.empty())
                        iss_vm = &cfg.vms[v];
            if (iss_vm && placed.size() == 1) {
                const cpu_stubs::vcpu_params& vp = placed.front();
                cpu_stubs::iss_params ip =
                    iss_params_of(iss_vm->guest.iss, *vp.irs_base, cfg.memory.base);
                ip.x4 = vp.spis.size();
                for (std::size_t spi = 0; spi < vp.spis.size() && spi < 64; ++spi)
                    if (vp.spis[spi] == gicv5::handling_mode::level)
                        ip.x5 |= uint64_t{1} << spi;
                auto prog = std::make_unique<cpu_stubs::iss_vcpu_program>(vp, ip, agent,
                                                                          &m_observers);
                m_iss_vcpus.emplace_back(i, prog.get());
                m_programs.push_back(std::move(prog));
            } else {
                auto prog = std::make_unique<cpu_stubs::vcpu_program>(
                    std::move(placed), cfg.hypervisor.time_slice, cfg.hypervisor.tick, agent,
                    &m_observers);
                m_vcpus.push_back(prog.get());
                m_vcpu_pes.push_back(i);
                m_programs.push_back(std::move(prog));
            }
        }
        pes[i]->load(*m_programs.back());
    }
    if (!boot_done)
        start_sources(sc_core::SC_ZERO_TIME); // no host PE: nothing to bring up
    SC_THREAD(drain_monitor);
}

bool gicv5_platform::run_as_guest(
    cpu_stubs::pe& caller, unsigned vm, unsigned vcpu,
    const std::function<void(cpu_stubs::pe&, const cpu_stubs::guest_mmio_fn&)>& body, bool wfi) {
    for (std::size_t k = 0; k < m_vcpus.size(); ++k) {
        const std::optional<std::size_t> i = m_vcpus[k]->find(vm, vcpu);
        if (!i)
            continue;
        if (agent.vm_dead(vm))
            return false;
        auto r = std::make_shared<cpu_stubs::guest_request>();
        r->body = body;
        r->wfi = wfi;
        m_vcpus[k]->post_guest(*i, r);
        pes[m_vcpu_pes[k]]->poke(caller.local_time());
        // Waits at most drain_timeout: a vCPU asleep with nothing to wake it never runs it.
        const sc_core::sc_time deadline = caller.local_time() + cfg.drain_timeout;
        caller.sync();
        while (!r->done && sc_core::sc_time_stamp() < deadline)
            sc_core::wait(deadline - sc_core::sc_time_stamp(), r->done_event);
        if (!r->done) {
            r->cancelled = true;
            return false;
        }
        caller.idle_until(r->done_at);
        return true;
    }
    return false;
}

void gicv5_platform::start_sources(const sc_core::sc_time& done) {
    // From the next quantum boundary: the injections then keep one phase to the quantum (and to
    // the PEs' synchronisations) whatever the bring-up took, so that the run's host cost does
    // not depend on how many PEs and VMs the bring-up had to set up.
    sc_core::sc_time at = done;
    const sc_core::sc_time& q = cfg.timing.quantum;
    if (q != sc_core::SC_ZERO_TIME && done.value() % q.value() != 0)
        at = sc_core::sc_time::from_value((done.value() / q.value() + 1) * q.value());
    for (auto& s : m_sources)
        s->start(at);
    m_sources_start = at;
    m_sources_started = true;
    if (sc_core::sc_is_running())
        m_sources_started_event.notify(at - sc_core::sc_time_stamp());
}

// Teardown in time linear in PEs (tlm_gicv5/detail/teardown_markers.h): the markers, then the
// per-PE parts last made first, which this calls f on (their owners).
template <typename F>
void gicv5_platform::for_each_part_last_made_first(F f) {
    // Made per PE i, in this order: cpuifs[i], pes[i], then with checks the checkers of its
    // stream up and down (m_stream_checks[2i], [2i+1]) and of its MMIO (m_bus_checks[4 + i],
    // after the bus's four).
    const std::size_t bus_fixed = m_bus_checks.size() - std::min(m_bus_checks.size(), pes.size());
    for (std::size_t i = pes.size(); i-- > 0;) {
        if (bus_fixed + i < m_bus_checks.size())
            f(m_bus_checks[bus_fixed + i]);
        for (std::size_t k = 2 * i + 2; k-- > 2 * i;)
            if (k < m_stream_checks.size())
                f(m_stream_checks[k]);
        f(pes[i]);
        f(cpuifs[i]);
    }
}

gicv5_platform::~gicv5_platform() {
    m_markers->release();
    for_each_part_last_made_first([](auto& part) { part.reset(); });
}

std::vector<const sc_core::sc_object*> gicv5_platform::teardown_order() const {
    std::vector<const sc_core::sc_object*> order;
    for (const sc_core::sc_object* m : m_markers->objects())
        order.push_back(m);
    const_cast<gicv5_platform*>(this)->for_each_part_last_made_first(
        [&](const auto& part) { order.push_back(part.get()); });
    return order;
}

void gicv5_platform::spi_line(uint32_t spi_id, bool level, const sc_core::sc_time& delay) {
    if (spi_id < cfg.irs.spi_base || spi_id - cfg.irs.spi_base >= irs.spi_in.size())
        SC_REPORT_ERROR(name(), "spi_line: no such physical SPI");
    else
        irs.spi_in[spi_id - cfg.irs.spi_base].irq_signal(level, delay);
}

std::string gicv5_platform::resource_name(std::size_t i) const {
    const std::string& full = m_resources[i]->name();
    const std::string prefix = std::string(name()) + ".";
    return full.rfind(prefix, 0) == 0 ? full.substr(prefix.size()) : full;
}

gicv5::iste gicv5_platform::peek_iste(unsigned vm, unsigned spi) const {
    uint32_t w = 0;
    mem.peek(agent.dist(vm).spi_vist - cfg.memory.base + 4u * spi, &w, 4);
    return gicv5::iste::decode(w);
}

uint64_t gicv5_platform::irs_register(gicv5::irs_reg r) {
    uint64_t v = 0;
    tlm::tlm_generic_payload tx;
    tx.set_read();
    tx.set_address(gicv5::desc(r).offset);
    tx.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    tx.set_data_length(gicv5::desc(r).width / 8);
    tx.set_streaming_width(gicv5::desc(r).width / 8);
    irs.config_frame.get_base_export()->transport_dbg(tx);
    return v;
}

bool gicv5_platform::drained() const {
    if (sb.outstanding() != 0)
        return false;
    for (unsigned vm = 0; vm < agent.vm_count(); ++vm) {
        if (!agent.dist(vm).ap_list.empty())
            return false;
        // A VM left quiesced after a save (migrated away) holds pending state that only a
        // restore elsewhere delivers: not in flight here.
        if (agent.dist(vm).quiesced)
            continue;
        // OPT: a scan, but only at drain checks, never per interrupt.
        for (unsigned spi = 0; spi < cfg.vms[vm].spis; ++spi) {
            const gicv5::iste e = peek_iste(vm, spi);
            if (e.pending || e.active)
                return false;
        }
    }
    return true;
}

void gicv5_platform::drain_monitor() {
    if (!m_sources_started)
        wait(m_sources_started_event);
    wait(m_sources_start + cfg.duration - sc_core::sc_time_stamp());
    for (const script_runner* s : m_scripts)
        while (!s->done())
            wait(s->done_event());
    // ISS guests end with their verdict; one that never does is cut at drain_timeout.
    const sc_core::sc_time iss_deadline = sc_core::sc_time_stamp() + cfg.drain_timeout;
    for (const auto& [pe, prog] : m_iss)
        while (!prog->done() && sc_core::sc_time_stamp() < iss_deadline)
            wait(iss_deadline - sc_core::sc_time_stamp(), prog->done_event());
    for (const auto& [pe, prog] : m_iss_vcpus)
        while (!prog->done() && sc_core::sc_time_stamp() < iss_deadline)
            wait(iss_deadline - sc_core::sc_time_stamp(), prog->done_event());
    const sc_core::sc_time step(1, sc_core::SC_US);
    const sc_core::sc_time deadline = sc_core::sc_time_stamp() + cfg.drain_timeout;
    while (sc_core::sc_time_stamp() < deadline) {
        if (drained()) {
            m_drained = true;
            break;
        }
        wait(step);
    }
    sc_core::sc_stop();
}

run_results gicv5_platform::results() const {
    run_results r;
    r.injected = sb.injected();
    r.coalesced = sb.coalesced();
    r.delivered = sb.delivered();
    r.spurious = sb.spurious();
    r.lost = sb.outstanding();
    r.latency = sb.latency();
    for (unsigned vm = 0; vm < agent.vm_count(); ++vm) {
        const kvm::vgic_dist& d = agent.dist(vm);
        r.ap_list_max_length = std::max(r.ap_list_max_length, d.stats.ap_list_max_length);
        r.ap_list_final_length += d.ap_list.size();
        r.ap_list_insertions += d.stats.ap_list_insertions;
        r.notifier_calls += d.stats.notifier_calls;

        vm_results v;
        v.tracking = d.config.tracking == tracking_policy::ap_list ? "ap_list" : "none";
        v.vdpend = d.stats.vdpend;
        v.vdrcfg = d.stats.vdrcfg;
        v.folds = d.stats.folds;
        if (d.stats.folds != 0)
            v.fold_mean_ns = to_ns(d.stats.fold_time) / static_cast<double>(d.stats.folds);
        v.fold_max_ns = to_ns(d.stats.fold_time_max);
        v.latency = sb.vm_latency(vm);
        v.handling = sb.handling(vm);
        v.per_vcpu.resize(d.config.vcpus); // a vCPU that took nothing keeps empty figures
        const auto& per_vcpu = sb.per_vcpu(vm);
        for (std::size_t c = 0; c < per_vcpu.size() && c < v.per_vcpu.size(); ++c)
            v.per_vcpu[c] = {per_vcpu[c].latency.summary(), per_vcpu[c].handling.summary(),
                             per_vcpu[c].notifier.summary()};
        v.notifier_latency = sb.notifier_latency(vm);
        v.ap_list_max_length = d.stats.ap_list_max_length;
        v.ap_list_final_length = d.ap_list.size();
        v.ap_list_insertions = d.stats.ap_list_insertions;
        v.notifier_calls = d.stats.notifier_calls;
        v.ap_list_lock = {d.ap_list_lock.contended(), to_ns(d.ap_list_lock.wait_time())};
        for (const kvm::vgic_irq& irq : d.spis) {
            v.irq_locks.contended += irq.irq_lock.contended();
            v.irq_locks.wait_ns += to_ns(irq.irq_lock.wait_time());
        }
        v.hops.ap_list_lock = d.stats.ap_list_lock_waits.summary();
        v.hops.vdpend_issue = d.stats.vdpend_issues.summary();
        v.hops.ist_write = m_hops.ist_write(d.vm_id).summary();
        v.hops.hppi_offer = m_hops.hppi_offer(d.vm_id).summary();
        v.hops.virq_to_cdia = m_hops.virq_to_cdia(d.vm_id).summary();
        v.hops.irs_queue = m_hops.irs_queue(d.vm_id);
        r.vms.push_back(std::move(v));
    }
    for (const cpu_stubs::vcpu_program* v : m_vcpus) {
        r.vcpu_switches += v->switches();
        for (std::size_t c = 0; c < v->vcpu_count(); ++c) {
            const cpu_stubs::vcpu_stats& st = v->stats(c);
            vm_results& vm = r.vms[v->params(c).vm];
            r.vcpu_exits += st.exits;
            vm.vcpu_exits += st.exits;
            vm.wfi_blocks += st.wfi_blocks;
            vm.doorbell_wakeups += st.wakeups;
            vm.timer_irqs += st.timer_irqs;
            vm.preempts += st.preempts;
        }
    }
    for (const auto& [pe, prog] : m_iss_vcpus) {
        const cpu_stubs::vcpu_stats& st = prog->stats();
        vm_results& vm = r.vms[prog->params().vm];
        r.vcpu_exits += st.exits;
        vm.vcpu_exits += st.exits;
        vm.wfi_blocks += st.wfi_blocks;
        vm.doorbell_wakeups += st.wakeups;
    }
    r.doorbells = irs.doorbells();
    const double sim_ns = to_ns(sc_core::sc_time_stamp());
    for (std::size_t i = 0; i < m_resources.size(); ++i) {
        gicv5::timed_resource& res = *m_resources[i];
        res.finish(); // every request is final now
        const gicv5::timed_resource::statistics& st = res.stats();
        resource_results rr;
        rr.name = resource_name(i);
        std::replace(rr.name.begin(), rr.name.end(), '.', '_'); // a key of report paths
        rr.servers = res.servers();
        rr.requests = st.requests;
        if (rr.servers != 0 && sim_ns > 0)
            rr.utilisation = to_ns(st.busy) / (sim_ns * rr.servers);
        rr.queueing = m_resource_samples.queueing(i, st.requests);
        rr.waited = st.waited;
        rr.max_queue = st.max_depth;
        rr.shifted = st.shifted;
        if (st.shifted != 0)
            rr.shortfall_mean_ns = to_ns(st.shortfall_sum) / static_cast<double>(st.shifted);
        rr.shortfall_max_ns = to_ns(st.shortfall_max);
        rr.late = st.late;
        r.resources.push_back(std::move(rr));
    }
    for (std::size_t i = 0; i < gicv5::gic_insn_count; ++i) {
        const auto insn = static_cast<gicv5::gic_insn>(i);
        uint64_t n = 0;
        for (const auto& c : cpuifs)
            n += c->insn_count(insn);
        r.instructions[gicv5::desc(insn).name] = n;
    }
    r.unexpected_acknowledges = sb.unexpected_acknowledges();
    r.unexpected_notifications = sb.unexpected_notifications();
    r.ignored_requests = irs.ignored_requests();
    // Failures in script order, whichever PE ran them.
    std::vector<std::pair<std::size_t, std::string>> failures;
    for (const script_runner* s : m_scripts) {
        r.script_steps += s->steps_run();
        failures.insert(failures.end(), s->failures().begin(), s->failures().end());
    }
    // A script whose step never completed (a guest step its vCPU never ran) fails there.
    for (std::size_t k = 0; k < m_scripts.size(); ++k) {
        if (m_scripts[k]->done())
            continue;
        uint64_t left = m_scripts[k]->steps_run();
        for (std::size_t n = 0; n < cfg.script.size(); ++n)
            if (cfg.script[n].pe == m_script_pes[k] && left-- == 0) {
                const script_step& s = cfg.script[n];
                failures.emplace_back(n, "script." + std::to_string(n) +
                                             (s.origin.empty() ? "" : " (" + s.origin + ")") +
                                             ": pe " + std::to_string(s.pe) + ": " +
                                             to_string(s.kind) +
                                             ": not finished when the run ended at " +
                                             sc_core::sc_time_stamp().to_string());
                break;
            }
    }
    std::stable_sort(failures.begin(), failures.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& f : failures)
        r.script_failures.push_back(std::move(f.second));
    for (const auto& [pe, prog] : m_iss) {
        r.iss.push_back(iss_results_of(pe, cfg.pes[pe].iss.elf, prog->result()));
        if (const std::string f = iss_failure(r.iss.back()); !f.empty())
            r.script_failures.push_back(f);
    }
    for (const auto& [pe, prog] : m_iss_vcpus) {
        const cpu_stubs::vcpu_params& vp = prog->params();
        r.iss.push_back(iss_results_of(pe, cfg.vms[vp.vm].guest.iss.elf, prog->result()));
        r.iss.back().vm = static_cast<int>(vp.vm);
        r.iss.back().vcpu = static_cast<int>(vp.vcpu);
        if (const std::string f = iss_failure(r.iss.back()); !f.empty())
            r.script_failures.push_back(f);
    }
    std::stable_sort(r.iss.begin(), r.iss.end(),
                     [](const iss_results& a, const iss_results& b) { return a.pe < b.pe; });
    // A VM's ISS guests report the SPIs they handled first: the scoreboard must agree.
    std::vector<uint64_t> counted(r.vms.size());
    std::vector<bool> all_counted(r.vms.size(), true);
    for (const auto& [pe, prog] : m_iss_vcpus) {
        const cpu_stubs::iss_result g = prog->result();
        const unsigned vm = prog->params().vm;
        if (g.values.empty())
            all_counted[vm] = false;
        else
            counted[vm] += g.values.front();
    }
    for (unsigned vm = 0; vm < r.vms.size(); ++vm)
        if (all_counted[vm] && !cfg.vms[vm].guest.iss.elf.empty() &&
            counted[vm] != r.vms[vm].latency.count)
            r.script_failures.push_back("vm " + std::to_string(vm) + ": its ISS guests counted " +
                                        std::to_string(counted[vm]) +
                                        " SPIs handled, the scoreboard " +
                                        std::to_string(r.vms[vm].latency.count) + " acknowledged");
    r.drained = m_drained;
    r.sources_start_ns = to_ns(m_sources_start);
    if (!cfg.sources.empty() && r.injected == 0)
        r.warnings.push_back("the sources injected nothing in their " + cfg.duration.to_string() +
                             " window (duration)");
    for (unsigned vm = 0; vm < agent.vm_count(); ++vm)
        if (agent.dist(vm).dead) // merged KVM marked it dead (ICH_CONTEXTR_EL2.F = 1 at a load)
            r.warnings.push_back("VM " + std::to_string(vm) +
                                 " was marked dead: a vPE could not be made resident "
                                 "(ICH_CONTEXTR_EL2.F = 1), and its vCPUs stopped");
    r.sim_time_ns = to_ns(sc_core::sc_time_stamp());
    return r;
}

} // namespace platform
