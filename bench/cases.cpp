#include "cases.h"
#include "iss_cases.h"

#include "alloc_counter.h"
#include "cpu_stubs/host_program.h"
#include "platform/gicv5_platform.h"
#include "tlm_gicv5/bits.h"

#include <tlm>

#include <chrono>
#include <memory>
#include <stdexcept>

namespace bench {

using nlohmann::json;
using platform::pe_role;
using platform::platform_config;
using sc_core::SC_MS;
using sc_core::SC_NS;
using sc_core::sc_time;
using clk = std::chrono::steady_clock;

namespace {

double ms_since(clk::time_point t0) {
    return std::chrono::duration<double, std::milli>(clk::now() - t0).count();
}

// A VM whose one vCPU boots, configures its SPIs, then idles in WFI for good.
platform::vm_config idle_vm(unsigned spis, unsigned vcpus, unsigned pe) {
    platform::vm_config v;
    v.spis = spis;
    v.vcpus = vcpus;
    v.guest.wfi = true;
    if (pe != ~0u)
        v.placement.assign(vcpus, pe);
    return v;
}

void check(const platform_config& c) {
    const std::vector<std::string> problems = platform::check_topology(c);
    if (!problems.empty())
        throw std::runtime_error("benchmark config: " + problems.front());
}

// The default scenario (configs/default.yaml: one host PE injecting periodic edge vSPIs at
// 100 kHz into a VM whose vCPU runs on a second PE, AP-list tracking, default latencies), scaled:
// spis SPIs in VM 0, extra PEs that idle (host PEs with no work), extra VMs whose vCPUs share
// one more PE and idle in WFI.
platform_config e2e_config(const case_args& a) {
    platform_config c;
    c.duration = sc_time(a.duration_ms, SC_MS);
    c.timing.quantum = sc_time(a.quantum_ns, SC_NS);
    c.irs.dmi = a.dmi;
    if (!a.contention) { // nothing queues: the IRS engine, its table port, links, bus, banks
        c.irs.engines = 0;
        c.irs.table_outstanding = 0;
        c.timing.link_occupancy = sc_core::SC_ZERO_TIME;
        c.timing.bus_occupancy = sc_core::SC_ZERO_TIME;
        c.memory.banks = 0;
    }
    c.vms[0].spis = a.spis;
    c.sources[0].spi_count = a.source_spis;
    // The path alone, as in the toy round trip: the guest's handler deactivates at once.
    c.vms[0].guest.handler_time = sc_core::SC_ZERO_TIME;
    if (a.vms > 1) {
        c.pes.push_back({pe_role::vcpu});
        c.vms[0].placement = {1};
        for (unsigned v = 1; v < a.vms; ++v)
            c.vms.push_back(idle_vm(64, 1, 2));
    }
    while (c.pes.size() < a.pes)
        c.pes.push_back({pe_role::host});
    c.irs.vm_id_bits = std::max(4u, gicv5::log2_ceil(a.vms));
    return c;
}

json e2e(const case_args& a) {
    const platform_config cfg = e2e_config(a);
    check(cfg);
    tlm::tlm_global_quantum::instance().set(cfg.timing.quantum);
    platform::gicv5_platform top("top", cfg);
    // Boot (VM table, vISTs, the guest configuring every SPI) is not the reaction path: the
    // measurement starts once it is done.
    const sc_time warm = std::min(sc_time(10, SC_MS), cfg.duration / 4);
    sc_core::sc_start(warm);
    const uint64_t delivered0 = top.sb.delivered();
    const alloc_counter::snapshot a0 = alloc_counter::now();
    const uint64_t deltas0 = sc_core::sc_delta_count();
    const clk::time_point t0 = clk::now();
    sc_core::sc_start();
    const double host_ms = ms_since(t0);
    const uint64_t deltas = sc_core::sc_delta_count() - deltas0;
    const alloc_counter::snapshot a1 = alloc_counter::now();
    const uint64_t n = top.sb.delivered() - delivered0;
    json j;
    j["interrupts"] = n;
    j["lost"] = top.sb.outstanding();
    j["host_ms"] = host_ms;
    j["deltas_per_interrupt"] = static_cast<double>(deltas) / static_cast<double>(n);
    j["ns_per_interrupt"] = host_ms * 1e6 / static_cast<double>(n);
    j["allocations_per_interrupt"] =
        static_cast<double>(a1.allocations - a0.allocations) / static_cast<double>(n);
    return j;
}

// GIC VDPEND from a host PE, alone and with the HPPI change it causes. VM 0's vCPU 0 is resident
// on PE 1 (its placement in e2e_config()); SPI 0 is disabled (a VDPEND only rewrites its ISTE), SPI
// 1 enabled (each VDPEND also makes it a candidate or takes it away: HPPI selection, the offer to
// PE 1, its vIRQ line). On the platform of e2e_config() (the scale points: spis, pes, vms), with no
// source.
json vdpend(const case_args& a) {
    platform_config cfg = e2e_config(a);
    cfg.sources.clear();
    check(cfg);
    tlm::tlm_global_quantum::instance().set(cfg.timing.quantum);
    platform::gicv5_platform top("top", cfg, platform::build_options{false});
    namespace VD = gicv5::VD_OPERAND;
    namespace CD = gicv5::CD_OPERAND;
    using gicv5::exception_level;
    using gicv5::gic_insn;
    const long n = 1000000;
    json j;
    cpu_stubs::script_program host([&](cpu_stubs::pe& p) {
        top.agent.host_init(p);
        top.agent.vm_init(p, 0);
        p.idle_until(sc_time(1, SC_MS)); // PE 1 is set up by then
        auto loop = [&](uint32_t spi) {
            const uint64_t op = gicv5::spi(spi).encode() | VD::VM.make(0);
            const clk::time_point t0 = clk::now();
            for (long i = 0; i < n; ++i) {
                p.insn(gic_insn::VDPEND, op | VD::PENDING.make(~i & 1));
                p.sync_if_needed();
            }
            return ms_since(t0) * 1e6 / static_cast<double>(n);
        };
        const double alone = loop(0);
        const double with_hppi = loop(1);
        j["vdpend_ns"] = alone;
        j["vdpend_with_hppi_ns"] = with_hppi;
        j["hppi_update_ns"] = with_hppi - alone;
    });
    cpu_stubs::script_program guest([&](cpu_stubs::pe& p) {
        top.agent.vcpu_load(p, 0, 0);
        p.set_el(exception_level::EL1);
        p.msr(gicv5::sysreg::ICC_PCR_EL1, gicv5::PRIORITY_LOWEST);
        p.msr(gicv5::sysreg::ICC_CR0_EL1, 1);
        for (uint32_t spi = 0; spi < 2; ++spi) {
            const uint64_t id = gicv5::spi(spi).encode();
            p.insn(gic_insn::CDPRI, id | CD::PRIORITY.make(0x10));
            p.insn(gic_insn::CDAFF, id | CD::IAFFID.make(0));
        }
        p.insn(gic_insn::CDEN, gicv5::spi(1).encode());
        p.sync();
    });
    top.pes[0]->load(host);
    top.pes[1]->load(guest);
    sc_core::sc_start();
    return j;
}

// An idle platform: 64 PEs, the first a host PE, the others each running one vCPU that idles
// in WFI; one simulated second after the boot.
json idle(const case_args& a) {
    platform_config cfg;
    cfg.sources.clear();
    cfg.duration = sc_time(2, sc_core::SC_SEC); // the drain monitor waits past the measurement
    cfg.timing.quantum = sc_time(a.quantum_ns, SC_NS);
    cfg.pes.assign(a.pes, {pe_role::vcpu});
    cfg.pes[0].role = pe_role::host;
    cfg.vms.clear();
    const unsigned per_vm = 1u << cfg.irs.vpe_id_bits;
    for (unsigned left = a.pes - 1; left > 0; left -= std::min(left, per_vm))
        cfg.vms.push_back(idle_vm(64, std::min(left, per_vm), ~0u));
    check(cfg);
    tlm::tlm_global_quantum::instance().set(cfg.timing.quantum);
    platform::gicv5_platform top("top", cfg);
    sc_core::sc_start(sc_time(20, SC_MS));
    const clk::time_point t0 = clk::now();
    sc_core::sc_start(sc_time(1, sc_core::SC_SEC));
    json j;
    j["host_ms_per_simulated_second"] = ms_since(t0);
    return j;
}

// Building a platform of `vms` VMs of `spis` SPIs each (4 PEs time-share their vCPUs): the
// construction and elaboration, then the simulated bring-up (VM table, every vIST mapped, every
// guest configuring its SPIs), with the host heap live after each.
json build(const case_args& a) {
    platform_config cfg;
    cfg.sources.clear();
    cfg.timing.quantum = sc_time(a.quantum_ns, SC_NS);
    cfg.pes = {{pe_role::host}, {pe_role::vcpu}, {pe_role::vcpu}, {pe_role::vcpu}, {pe_role::vcpu}};
    cfg.vms.clear();
    for (unsigned v = 0; v < a.vms; ++v)
        cfg.vms.push_back(idle_vm(a.spis, 1, ~0u));
    cfg.irs.vm_id_bits = std::max(4u, gicv5::log2_ceil(a.vms));
    check(cfg);
    tlm::tlm_global_quantum::instance().set(cfg.timing.quantum);
    const int64_t heap0 = alloc_counter::now().live_bytes;
    const clk::time_point t0 = clk::now();
    auto top = std::make_unique<platform::gicv5_platform>("top", cfg);
    sc_core::sc_start(sc_core::SC_ZERO_TIME); // elaboration and the processes' first step
    const double build_ms = ms_since(t0);
    const int64_t heap1 = alloc_counter::now().live_bytes;
    const clk::time_point t1 = clk::now();
    sc_core::sc_start(sc_time(50, SC_MS));
    json j;
    j["build_ms"] = build_ms;
    j["bringup_host_ms"] = ms_since(t1);
    j["heap_after_build"] = heap1 - heap0;
    j["heap_after_bringup"] = alloc_counter::now().live_bytes - heap0;
    j["interrupts"] = uint64_t{a.vms} * a.spis;
    return j;
}

// The default scenario on `pes` PEs (the extra ones vCPU PEs with no vCPU): the host time of
// building it (construction, elaboration, time 0), of a run of duration_ms, and of tearing it
// down, each per PE. Each grows about linearly in PEs, the per-PE figure flat.
json pes(const case_args& a) {
    platform_config cfg;
    cfg.duration = sc_time(a.duration_ms, SC_MS);
    cfg.drain_timeout = cfg.duration;
    cfg.pes.resize(a.pes, {pe_role::vcpu});
    check(cfg);
    tlm::tlm_global_quantum::instance().set(cfg.timing.quantum);
    const clk::time_point t0 = clk::now();
    auto top = std::make_unique<platform::gicv5_platform>("top", cfg);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    const double build_ms = ms_since(t0);
    const clk::time_point t1 = clk::now();
    sc_core::sc_start();
    const double run_ms = ms_since(t1);
    const uint64_t delivered = top->sb.delivered();
    const clk::time_point t2 = clk::now();
    top.reset();
    const double teardown_ms = ms_since(t2);
    const double n = a.pes;
    json j;
    j["pes"] = a.pes;
    j["interrupts"] = delivered;
    j["build_ms"] = build_ms;
    j["run_ms"] = run_ms;
    j["teardown_ms"] = teardown_ms;
    j["us_per_pe"] = (build_ms + run_ms + teardown_ms) * 1e3 / n;
    j["build_us_per_pe"] = build_ms * 1e3 / n;
    j["run_us_per_pe"] = run_ms * 1e3 / n;
    j["teardown_us_per_pe"] = teardown_ms * 1e3 / n;
    return j;
}

} // namespace

json run_case(const case_args& a) {
    if (a.name == "e2e")
        return e2e(a);
    if (a.name == "vdpend")
        return vdpend(a);
    if (a.name == "idle")
        return idle(a);
    if (a.name == "build")
        return build(a);
    if (a.name == "pes")
        return pes(a);
    if (is_iss_case(a.name))
        return run_iss_case(a);
    throw std::runtime_error("unknown case " + a.name);
}

} // namespace bench
