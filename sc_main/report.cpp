#include "report.h"

#include "expect.h"

#include <cstdio>
#include <sstream>

namespace gicv5_sim {
namespace {

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// A number with three significant digits at most and no trailing zeros: "50", "1.2", "276".
std::string significant(double v) {
    std::string text = fixed(v, v >= 100 ? 0 : v >= 10 ? 1 : 2);
    if (text.find('.') != std::string::npos) {
        text.erase(text.find_last_not_of('0') + 1);
        if (text.back() == '.')
            text.pop_back();
    }
    return text;
}

// A duration in the unit that fits it: "50 s", "1.2 ms", "4.34 us", "270 ns", "500 ps".
std::string human_ns(double ns) {
    struct unit {
        double ns;
        const char* name;
    };
    static const unit units[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "us"}, {1, "ns"}};
    for (const unit& u : units)
        if (ns >= u.ns)
            return significant(ns / u.ns) + " " + u.name;
    return ns > 0 ? significant(ns * 1e3) + " ps" : "0 ns";
}

// Host time: "0.41 s", "18 s".
std::string host_time(double seconds) { return significant(seconds) + " s"; }

std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

nlohmann::ordered_json lock_report(const platform::lock_contention& l) {
    return {{"contended", l.contended}, {"wait_ns", l.wait_ns}};
}

// A latency distribution: count, p50, p90, p99, max, mean (docs/report.md).
nlohmann::ordered_json distribution_report(const platform::distribution& d) {
    return {{"count", d.count}, {"p50", d.p50_ns}, {"p90", d.p90_ns},
            {"p99", d.p99_ns},  {"max", d.max_ns}, {"mean", d.mean_ns}};
}

// The latencies of each vCPU, by vCPU index.
nlohmann::ordered_json
per_vcpu_report(const std::vector<platform::vm_results::vcpu_latencies>& per_vcpu) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < per_vcpu.size(); ++i)
        list.push_back(
            {{"vcpu", i},
             {"latency_ns", distribution_report(per_vcpu[i].latency)},
             {"handling_ns", distribution_report(per_vcpu[i].handling)},
             {"notifier_latency_ns", distribution_report(per_vcpu[i].notifier_latency)}});
    return list;
}

nlohmann::ordered_json vm_report(std::size_t index, const platform::vm_results& v) {
    return {
        {"vm", index},
        {"tracking", v.tracking},
        {"latency_ns", distribution_report(v.latency)},
        {"handling_ns", distribution_report(v.handling)},
        {"per_vcpu", per_vcpu_report(v.per_vcpu)},
        {"vcpu_exits", v.vcpu_exits},
        {"vdpend", v.vdpend},
        {"vdrcfg", v.vdrcfg},
        {"folds", v.folds},
        {"fold_time_ns", {{"mean", v.fold_mean_ns}, {"max", v.fold_max_ns}}},
        {"notifier_latency_ns", distribution_report(v.notifier_latency)},
        {"ap_list",
         {{"max_length", v.ap_list_max_length},
          {"final_length", v.ap_list_final_length},
          {"insertions", v.ap_list_insertions},
          {"notifier_calls", v.notifier_calls}}},
        {"locks",
         {{"ap_list_lock", lock_report(v.ap_list_lock)}, {"irq_lock", lock_report(v.irq_locks)}}},
        {"vcpus",
         {{"wfi_blocks", v.wfi_blocks},
          {"doorbell_wakeups", v.doorbell_wakeups},
          {"timer_irqs", v.timer_irqs},
          {"preempts", v.preempts}}},
        {"hops_ns",
         {{"ap_list_lock", distribution_report(v.hops.ap_list_lock)},
          {"vdpend_issue", distribution_report(v.hops.vdpend_issue)},
          {"ist_write", distribution_report(v.hops.ist_write)},
          {"hppi_offer", distribution_report(v.hops.hppi_offer)},
          {"virq_to_cdia", distribution_report(v.hops.virq_to_cdia)},
          {"irs_queue", distribution_report(v.hops.irs_queue)}}}};
}

// One entry of "resources", keyed by its name there.
nlohmann::ordered_json resource_report(const platform::resource_results& r) {
    return {{"servers", r.servers},
            {"requests", r.requests},
            {"utilisation", r.utilisation},
            {"queueing_ns", distribution_report(r.queueing)},
            {"waited", r.waited},
            {"max_queue", r.max_queue},
            {"shortfall",
             {{"shifted", r.shifted},
              {"mean_ns", r.shortfall_mean_ns},
              {"max_ns", r.shortfall_max_ns}}},
            {"late", r.late}};
}

// "resources: busiest ...": the resource with the highest utilisation and, when another one
// queued deeper, that one; the first in platform order wins a tie.
std::string resources_line(const std::vector<platform::resource_results>& resources) {
    const platform::resource_results* busiest = &resources.front();
    const platform::resource_results* deepest = &resources.front();
    for (const platform::resource_results& r : resources) {
        if (r.utilisation > busiest->utilisation)
            busiest = &r;
        if (r.max_queue > deepest->max_queue)
            deepest = &r;
    }
    std::ostringstream out;
    out << "resources: busiest " << busiest->name << " " << fixed(busiest->utilisation * 100, 1)
        << "% (max queue " << busiest->max_queue << ", queueing p99 "
        << human_ns(busiest->queueing.p99_ns) << ")";
    if (deepest->max_queue > busiest->max_queue)
        out << "; longest queue " << deepest->name << " " << deepest->max_queue << " (queueing p99 "
            << human_ns(deepest->queueing.p99_ns) << ")";
    out << "\n";
    return out.str();
}

// "VM 0 (ap_list): ...", one line per VM in the summary.
std::string vm_line(std::size_t index, const platform::vm_results& v) {
    std::ostringstream out;
    out << "VM " << index << " (" << v.tracking << "): " << v.vdpend << " VDPEND, " << v.vdrcfg
        << " VDRCFG, " << plural(v.folds, "fold");
    if (v.folds != 0)
        out << " (per exit mean " << human_ns(v.fold_mean_ns) << ", max " << human_ns(v.fold_max_ns)
            << ")";
    const platform::distribution& n = v.notifier_latency;
    if (n.count == 0)
        out << "; notifier latency: no samples";
    else
        out << "; notifier latency p50 " << human_ns(n.p50_ns) << ", p90 " << human_ns(n.p90_ns)
            << ", p99 " << human_ns(n.p99_ns) << ", max " << human_ns(n.max_ns) << ", mean "
            << human_ns(n.mean_ns) << " (" << plural(n.count, "sample") << ")";
    out << "; AP list max " << v.ap_list_max_length << ", final " << v.ap_list_final_length
        << "; contended: AP-list lock " << v.ap_list_lock.contended << " ("
        << human_ns(v.ap_list_lock.wait_ns) << "), SPI locks " << v.irq_locks.contended << " ("
        << human_ns(v.irq_locks.wait_ns) << ")";
    if (v.wfi_blocks != 0 || v.timer_irqs != 0 || v.preempts != 0)
        out << "; vCPUs: " << v.wfi_blocks << " WFI blocks, " << v.doorbell_wakeups
            << " doorbell wake-ups, " << v.timer_irqs << " timer interrupts, " << v.preempts
            << " nested";
    out << "\n";
    return out.str();
}

// One ISS guest: its own verdict and what it ran.
nlohmann::ordered_json iss_report(const platform::iss_results& g) {
    nlohmann::ordered_json j = {{"pe", g.pe},
                                {"vm", g.vm},
                                {"vcpu", g.vcpu},
                                {"elf", g.elf},
                                {"passed", g.passed},
                                {"exited", g.exited},
                                {"verdict", g.verdict},
                                {"values", g.values},
                                {"instructions", g.instructions},
                                {"gic_accesses", g.gic_accesses},
                                {"irqs", g.irqs},
                                {"undefined", g.undefined},
                                {"console", g.console},
                                {"error", g.error}};
    return j;
}

// "iss: pe 0 physical_spis.elf passed (verdict 0), ...", one line per ISS guest.
std::string iss_line(const platform::iss_results& g) {
    std::ostringstream out;
    const std::size_t slash = g.elf.rfind('/');
    out << "iss: pe " << g.pe;
    if (g.vm >= 0)
        out << " (vm " << g.vm << " vcpu " << g.vcpu << ")";
    out << " " << (slash == std::string::npos ? g.elf : g.elf.substr(slash + 1)) << " "
        << (g.passed ? "passed" : "FAILED");
    if (g.exited)
        out << " (verdict " << g.verdict << ")";
    out << ", " << g.instructions << " instructions, " << g.gic_accesses << " GIC accesses, "
        << plural(g.irqs, "IRQ") << " taken";
    if (!g.error.empty())
        out << "; " << g.error;
    out << "\n";
    return out.str();
}

} // namespace

nlohmann::ordered_json make_report(const platform::platform_config& cfg,
                                   const platform::run_results& r, const std::string& config_path,
                                   const std::vector<std::string>& overrides) {
    nlohmann::ordered_json report;
    report["schema"] = "gicv5-sim-report";
    report["schema_version"] = report_schema_version;
    report["config"] = {{"file", config_path}, {"seed", cfg.seed}, {"overrides", overrides}};
    // Temporal decoupling: a PE runs up to one quantum ahead of the kernel and sees an input that
    // rose meanwhile at its own time, so any latency measured here may be late by up to that much.
    const double quantum_ns = platform::to_ns(cfg.timing.quantum);
    report["timing"] = {{"quantum_ns", quantum_ns}, {"latency_error_bound_ns", quantum_ns}};
    report["interrupts"] = {{"injected", r.injected},
                            {"coalesced", r.coalesced},
                            {"delivered", r.delivered},
                            {"lost", r.lost},
                            {"spurious", r.spurious}};
    report["latency_ns"] = {{"count", r.latency.count}, {"min", r.latency.min_ns},
                            {"p50", r.latency.p50_ns},  {"p99", r.latency.p99_ns},
                            {"max", r.latency.max_ns},  {"mean", r.latency.mean_ns}};
    uint64_t ap_list_vms = 0; // a sweep's series: how many VMs track their SPIs on an AP list
    for (const platform::vm_results& v : r.vms)
        ap_list_vms += v.tracking == "ap_list";
    report["ap_list"] = {{"vms", ap_list_vms},
                         {"max_length", r.ap_list_max_length},
                         {"final_length", r.ap_list_final_length},
                         {"insertions", r.ap_list_insertions},
                         {"notifier_calls", r.notifier_calls}};
    report["vcpu_exits"] = r.vcpu_exits;
    report["scheduling"] = {{"vcpu_switches", r.vcpu_switches}, {"doorbells", r.doorbells}};
    report["vms"] = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < r.vms.size(); ++i)
        report["vms"].push_back(vm_report(i, r.vms[i]));
    // By name, in platform order. Appended directly: operator[] on an ordered_json searches every
    // key before it, quadratic in resources (one link per PE and direction).
    auto& resources = (report["resources"] = nlohmann::ordered_json::object())
                          .get_ref<nlohmann::ordered_json::object_t&>();
    resources.reserve(r.resources.size());
    for (const platform::resource_results& res : r.resources)
        resources.emplace_back(res.name, resource_report(res)); // names are unique
    // Always an object, even when empty, so consumers need no special case.
    report["instructions"] = nlohmann::ordered_json::object();
    for (const auto& [name, count] : r.instructions)
        report["instructions"][name] = count;
    report["checks"] = {{"unexpected_acknowledges", r.unexpected_acknowledges},
                        {"unexpected_notifications", r.unexpected_notifications},
                        {"ignored_requests", r.ignored_requests}};
    report["script"] = {{"steps", r.script_steps}, {"failures", nlohmann::ordered_json::array()}};
    for (const std::string& f : r.script_failures)
        report["script"]["failures"].push_back(f);
    report["iss"] = nlohmann::ordered_json::array();
    for (const platform::iss_results& g : r.iss)
        report["iss"].push_back(iss_report(g));
    report["warnings"] = r.warnings;
    report["sources_start_ns"] = r.sources_start_ns;
    report["drained"] = r.drained;
    report["sim_time_ns"] = r.sim_time_ns;
    report["host_seconds"] = r.host_seconds;
    // Simulated seconds per host second (host timing: varies from run to run).
    report["speed"] = r.host_seconds > 0 ? r.sim_time_ns * 1e-9 / r.host_seconds : 0.0;
    return report;
}

std::string summary(const platform::platform_config& cfg, const platform::run_results& r,
                    const std::string& config_path) {
    std::ostringstream out;
    out << "gicv5-sim: " << config_path << ", seed " << cfg.seed << ", "
        << plural(cfg.pes.size(), "PE") << ", " << plural(cfg.vms.size(), "VM") << ", "
        << plural(cfg.sources.size(), "source") << "\n";
    out << "run: " << human_ns(r.sim_time_ns) << " simulated in " << host_time(r.host_seconds)
        << ", "
        << (r.drained ? "drained" : "NOT drained (interrupts still pending, active or listed)")
        << "\n";
    out << "interrupts: " << r.injected << " injected, " << r.coalesced << " coalesced, "
        << r.delivered << " delivered, " << r.lost << " lost";
    if (r.spurious != 0) // level SPIs only: rare, so only shown when there are some
        out << ", " << r.spurious << " spurious";
    out << "\n";
    if (r.latency.count == 0) {
        out << "latency: no samples\n";
    } else {
        out << "latency: min " << human_ns(r.latency.min_ns) << ", p50 "
            << human_ns(r.latency.p50_ns) << ", p99 " << human_ns(r.latency.p99_ns) << ", max "
            << human_ns(r.latency.max_ns) << ", mean " << human_ns(r.latency.mean_ns) << " ("
            << plural(r.latency.count, "sample") << ")\n";
    }
    out << "AP list: max length " << r.ap_list_max_length << ", final length "
        << r.ap_list_final_length << ", " << plural(r.ap_list_insertions, "insertion") << ", "
        << plural(r.notifier_calls, "notifier call") << "; " << plural(r.vcpu_exits, "vCPU exit")
        << "\n";
    for (std::size_t i = 0; i < r.vms.size(); ++i)
        out << vm_line(i, r.vms[i]);
    if (!r.resources.empty())
        out << resources_line(r.resources);
    // Zero counts are left to the report: the platform lists every instruction it models.
    out << "instructions:";
    const char* sep = " ";
    for (const auto& [name, count] : r.instructions) {
        if (count == 0)
            continue;
        out << sep << name << " " << count;
        sep = ", ";
    }
    if (*sep == ' ')
        out << " none executed";
    out << "\n";
    if (!cfg.script.empty())
        out << "script: " << plural(r.script_steps, "step") << " run, "
            << (r.script_failures.empty()
                    ? std::string("every check held")
                    : plural(r.script_failures.size(), "failure") + " (listed on stderr)")
            << "\n";
    for (const platform::iss_results& g : r.iss)
        out << iss_line(g);
    if (r.unexpected_acknowledges || r.unexpected_notifications || r.ignored_requests)
        out << "checks: " << r.unexpected_acknowledges << " unexpected acknowledges, "
            << r.unexpected_notifications << " unexpected notifications, " << r.ignored_requests
            << " requests ignored by the IRS\n";
    return out.str();
}

bool is_report_value_path(std::string_view path) {
    const std::string_view prefix = "instructions.";
    if (path.substr(0, prefix.size()) == prefix)
        return path.size() > prefix.size() &&
               path.find('.', prefix.size()) == std::string_view::npos;
    // "vms.N.KEY": any index (how many VMs there are is the config's business), then a number in
    // an entry of vms.
    const std::string_view vms = "vms.";
    if (path.substr(0, vms.size()) == vms) {
        const std::size_t dot = path.find('.', vms.size());
        const std::string_view index = path.substr(vms.size(), dot - vms.size());
        if (dot == std::string_view::npos || index.empty() ||
            index.find_first_not_of("0123456789") != std::string_view::npos)
            return false;
        static const nlohmann::ordered_json vm_shape = vm_report(0, platform::vm_results{});
        const nlohmann::ordered_json* value = find_path(vm_shape, path.substr(dot + 1));
        return value && (value->is_number() || value->is_boolean());
    }
    // "iss.N.KEY" and "iss.N.values.M": any index (the config says which PEs run guests).
    const std::string_view iss = "iss.";
    if (path.substr(0, iss.size()) == iss) {
        const std::size_t dot = path.find('.', iss.size());
        const std::string_view index = path.substr(iss.size(), dot - iss.size());
        if (dot == std::string_view::npos || index.empty() ||
            index.find_first_not_of("0123456789") != std::string_view::npos)
            return false;
        const std::string_view key = path.substr(dot + 1);
        const std::string_view values = "values.";
        if (key.substr(0, values.size()) == values)
            return key.size() > values.size() &&
                   key.find_first_not_of("0123456789", values.size()) == std::string_view::npos;
        static const nlohmann::ordered_json iss_shape = iss_report(platform::iss_results{});
        const nlohmann::ordered_json* value = find_path(iss_shape, key);
        return value && (value->is_number() || value->is_boolean());
    }
    // "resources.NAME.KEY": any name (the platform names its resources), then a number in an
    // entry of resources.
    const std::string_view resources = "resources.";
    if (path.substr(0, resources.size()) == resources) {
        const std::size_t dot = path.find('.', resources.size());
        if (dot == std::string_view::npos || dot == resources.size())
            return false;
        static const nlohmann::ordered_json resource_shape =
            resource_report(platform::resource_results{});
        const nlohmann::ordered_json* value = find_path(resource_shape, path.substr(dot + 1));
        return value && (value->is_number() || value->is_boolean());
    }
    // The shape of a report does not depend on the values, so an empty run stands for any run.
    static const nlohmann::ordered_json shape =
        make_report(platform::platform_config{}, platform::run_results{}, "");
    const nlohmann::ordered_json* value = find_path(shape, path);
    return value && (value->is_number() || value->is_boolean());
}

} // namespace gicv5_sim
