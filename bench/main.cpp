// gicv5-bench: what the model costs on this machine, as ratios to the SystemC floor
// (../shared/perf-floor, run just before on the same machine and given with --floor).
//
//   build/gicv5-bench [--floor floor.json] [--json] [--repeat N] [--quick]
//
// Each timed platform case runs in a child process (SystemC elaborates once per process); the pure
// C++ parts run under Google Benchmark in this one. A table goes to stdout, or with --json one
// JSON object (its key e2e_ns_per_interrupt is the headline). Exit status 0 whatever the targets
// say; 1 when a case fails or loses an interrupt.
#include "cases.h"
#include "iss_cases.h"
#include "micro.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <systemc> // declares sc_main extern "C"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/utsname.h>
#include <unistd.h>

using nlohmann::json;

namespace {

std::string self_exe() {
    char buf[4096];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        throw std::runtime_error("cannot find this program's path");
    return std::string(buf, static_cast<std::size_t>(n));
}

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("model name", 0) == 0)
            return line.substr(line.find(':') + 2);
    return "unknown";
}

// Runs `gicv5-bench --case ...` and returns the JSON line it printed.
json child(const std::string& exe, const std::string& args) {
    const std::string cmd = "'" + exe + "' --case " + args;
    FILE* f = popen(cmd.c_str(), "r");
    if (!f)
        throw std::runtime_error("cannot run " + cmd);
    std::string out;
    char buf[4096];
    while (std::size_t n = fread(buf, 1, sizeof buf, f))
        out.append(buf, n);
    const int status = pclose(f);
    const std::size_t brace = out.rfind('{');
    if (status != 0 || brace == std::string::npos)
        throw std::runtime_error("case failed: " + args + "\n" + out);
    return json::parse(out.substr(brace));
}

// Keeps in best whichever of best and j has the smaller `key`.
void keep_best(json& best, json j, const char* key) {
    if (best.is_null() || j[key].get<double>() < best[key].get<double>())
        best = std::move(j);
}

// The best of `repeat` runs of a case, by `key` (smallest): the least disturbed by the host.
json best_of(const std::string& exe, const std::string& args, const char* key, unsigned repeat) {
    json best;
    for (unsigned i = 0; i < repeat; ++i) {
        json j = child(exe, args);
        if (j.contains("lost") && j["lost"].get<uint64_t>() != 0)
            throw std::runtime_error("case lost interrupts: " + args);
        keep_best(best, std::move(j), key);
    }
    return best;
}

struct target {
    std::string name;
    double value, limit;
    bool at_most; // value <= limit, else value >= limit
    std::string unit;
    bool met() const { return at_most ? value <= limit : value >= limit; }
};

// SystemC prints its banner in sc_elab_and_sim(), before sc_main() starts, unless this variable is
// set: a static initialiser is the only code of ours that runs earlier.
const bool banner_off = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1) == 0;

} // namespace

int sc_main(int argc, char** argv) {
    CLI::App app{"gicv5-bench: host cost of the tlm-gicv5 model, against the SystemC floor"};
    bench::case_args ca;
    std::string floor_file;
    bool as_json = false, quick = false;
    unsigned repeat = 3;
    app.add_option("--case", ca.name, "run one platform case in this process (internal)");
    app.add_option("--spis", ca.spis, "case: SPIs per VM");
    app.add_option("--pes", ca.pes, "case: PEs");
    app.add_option("--vms", ca.vms, "case: VMs");
    app.add_option("--source-spis", ca.source_spis, "case e2e: SPIs the source uses (0: all)");
    app.add_option("--quantum-ns", ca.quantum_ns, "case: TLM global quantum, ns (0: off)");
    app.add_option("--duration-ms", ca.duration_ms, "case: simulated duration, ms");
    app.add_option("--dmi", ca.dmi, "case: the IRS reaches its tables through DMI (true/false)");
    app.add_option("--contention", ca.contention,
                   "case: the shared parts queue (true/false; false: all unlimited)");
    app.add_option("--floor", floor_file,
                   "perf-floor's --json output, measured just before on this machine (one line "
                   "per run: the fastest counts)");
    app.add_flag("--json", as_json, "print one JSON object instead of a table");
    app.add_option("--repeat", repeat, "runs of each timed case; the best counts")
        ->check(CLI::Range(1u, 100u));
    app.add_flag("--quick", quick, "short runs (a smoke test; figures are noisier)");
    app.allow_extras(); // Google Benchmark's own --benchmark_* flags
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }

    try {
        if (!ca.name.empty()) {
            // The JSON line is the child's whole output: no SystemC info notes (sc_stop's).
            sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
            std::cout << bench::run_case(ca).dump() << std::endl;
            return 0;
        }
        const std::string exe = self_exe();
        const double dur = quick ? 100 : 1000; // ms of injection per e2e case
        if (quick)
            repeat = 1;
        auto e2e_args = [](const std::string& extra, double duration_ms) {
            std::ostringstream a;
            a << "e2e --duration-ms " << duration_ms << ' ' << extra;
            return a.str();
        };
        auto e2e = [&](const std::string& extra, double duration_ms) {
            return best_of(exe, e2e_args(extra, duration_ms), "ns_per_interrupt", repeat);
        };

        json r;
        json floor;
        if (!floor_file.empty()) {
            std::ifstream in(floor_file);
            if (!in)
                throw std::runtime_error("cannot read " + floor_file);
            // One JSON line per perf-floor run: the fastest round trip counts, as the best of
            // our own runs does (both the least disturbed by the host).
            for (std::string line; std::getline(in, line);) {
                if (line.find('{') == std::string::npos)
                    continue;
                json run = json::parse(line);
                if (floor.is_null() || run["toy_round_trip_ns"].get<double>() <
                                           floor["toy_round_trip_ns"].get<double>())
                    floor = std::move(run);
            }
            if (!floor.contains("toy_round_trip_ns"))
                throw std::runtime_error(floor_file + " holds no perf-floor --json line");
            r["floor"] = floor;
        }
        const json base = e2e("", dur);
        r["e2e_ns_per_interrupt"] = base["ns_per_interrupt"];
        r["e2e_kernel_steps_per_interrupt"] = base["deltas_per_interrupt"];
        r["virtual_spis_per_host_second"] = 1e9 / base["ns_per_interrupt"].get<double>();
        r["allocations_per_interrupt"] = base["allocations_per_interrupt"];
        const json vd = best_of(exe, "vdpend", "vdpend_ns", repeat);
        r["vdpend_ns"] = vd["vdpend_ns"];
        r["hppi_update_ns"] = vd["hppi_update_ns"];

        // Each scale point keeps the traffic (one source, 32 SPIs of VM 0 at most) and grows one
        // dimension of the platform: what grows with it is the model's cost, not the host's
        // cache footprint of the traffic (measured apart below).
        // The two ends run in turn (lo, hi, lo, hi, ...), so that a burst of load on the host
        // falls on both ends rather than on one and shows as growth.
        auto scale = [&](const char* what, const std::string& flag, unsigned lo, unsigned hi) {
            const std::string lo_args =
                e2e_args(flag + " " + std::to_string(lo) + " --source-spis 32", dur);
            const std::string hi_args =
                e2e_args(flag + " " + std::to_string(hi) + " --source-spis 32", dur);
            // GIC VDPEND alone and the HPPI update on the same two platforms.
            const std::string vd_lo = "vdpend " + flag + " " + std::to_string(lo);
            const std::string vd_hi = "vdpend " + flag + " " + std::to_string(hi);
            json a, b, va, vb;
            for (unsigned i = 0; i < repeat; ++i) {
                keep_best(a, best_of(exe, lo_args, "ns_per_interrupt", 1), "ns_per_interrupt");
                keep_best(b, best_of(exe, hi_args, "ns_per_interrupt", 1), "ns_per_interrupt");
                keep_best(va, best_of(exe, vd_lo, "vdpend_with_hppi_ns", 1), "vdpend_with_hppi_ns");
                keep_best(vb, best_of(exe, vd_hi, "vdpend_with_hppi_ns", 1), "vdpend_with_hppi_ns");
            }
            const double growth =
                b["ns_per_interrupt"].get<double>() / a["ns_per_interrupt"].get<double>();
            r["scale"][what] = {{"from", lo},
                                {"to", hi},
                                {"from_ns", a["ns_per_interrupt"]},
                                {"to_ns", b["ns_per_interrupt"]},
                                {"growth", growth},
                                {"vdpend_from_ns", va["vdpend_ns"]},
                                {"vdpend_to_ns", vb["vdpend_ns"]},
                                {"hppi_update_from_ns", va["hppi_update_ns"]},
                                {"hppi_update_to_ns", vb["hppi_update_ns"]}};
        };
        scale("spis_per_vm", "--spis", 32, 65536);
        scale("pes", "--pes", 4, 256);
        scale("vms", "--vms", 1, 64);
        // The same 65,536-SPI VM with its source spread over every SPI: each interrupt then
        // touches cold per-SPI state (vIST entry, IRS node, KVM's vgic_irq, scoreboard slot).
        const json spread = e2e("--spis 65536", dur);
        r["scale"]["spis_per_vm"]["spread_ns"] = spread["ns_per_interrupt"];
        r["scale"]["spis_per_vm"]["spread_growth"] =
            spread["ns_per_interrupt"].get<double>() /
            r["scale"]["spis_per_vm"]["from_ns"].get<double>();

        const json no_dmi = e2e("--dmi false", dur);
        r["e2e_without_dmi_ns"] = no_dmi["ns_per_interrupt"];
        // What modelling contention costs: the same case with every shared part unlimited (the
        // requests still pass through the resources, which book nothing).
        const json free_run = e2e("--contention false", dur);
        r["contention"] = {{"on_ns", base["ns_per_interrupt"]},
                           {"off_ns", free_run["ns_per_interrupt"]},
                           {"cost", base["ns_per_interrupt"].get<double>() /
                                        free_run["ns_per_interrupt"].get<double>()}};
        const json off = e2e("--quantum-ns 0", dur / 10);
        r["decoupling"] = {{"on_ns", base["ns_per_interrupt"]},
                           {"off_ns", off["ns_per_interrupt"]},
                           {"speedup", off["ns_per_interrupt"].get<double>() /
                                           base["ns_per_interrupt"].get<double>()}};

        const json idle = best_of(exe, "idle --pes 64", "host_ms_per_simulated_second", repeat);
        r["idle_64pe_host_ms_per_simulated_second"] = idle["host_ms_per_simulated_second"];

        const json small = child(exe, "build --vms 64 --spis 64");
        const json big = best_of(exe, "build --vms 64 --spis 4096", "build_ms", repeat);
        const double extra_irqs =
            big["interrupts"].get<double>() - small["interrupts"].get<double>();
        // Construction allocates the platform's software state per SPI (the agent's vgic_irq,
        // the scoreboard's slot); bring-up, the model's (the IRS's candidate node per vIST entry).
        auto per_irq = [&](const char* key) {
            return (big[key].get<double>() - small[key].get<double>()) / extra_irqs;
        };
        r["bytes_per_interrupt"] = per_irq("heap_after_bringup") - per_irq("heap_after_build");
        r["platform_bytes_per_interrupt"] = per_irq("heap_after_bringup");
        r["build_64vm_4096spi_ms"] = big["build_ms"];
        r["bringup_64vm_4096spi_host_ms"] = big["bringup_host_ms"];

        // Building, running and tearing down the default scenario on many PEs, per PE, at two
        // sizes: flat when each grows linearly in PEs (README: the number of PEs).
        const unsigned pes_lo = quick ? 1024 : 2048, pes_hi = quick ? 4096 : 16384;
        auto pes_case = [&](unsigned n) {
            return best_of(exe, "pes --duration-ms 0.1 --pes " + std::to_string(n), "us_per_pe",
                           repeat);
        };
        const json plo = pes_case(pes_lo), phi = pes_case(pes_hi);
        r["scale"]["pes_build"] = {
            {"from", pes_lo},
            {"to", pes_hi},
            {"from_us_per_pe", plo["us_per_pe"]},
            {"to_us_per_pe", phi["us_per_pe"]},
            {"to_build_ms", phi["build_ms"]},
            {"to_run_ms", phi["run_ms"]},
            {"to_teardown_ms", phi["teardown_ms"]},
            {"growth", phi["us_per_pe"].get<double>() / plo["us_per_pe"].get<double>()}};

        for (const bench::micro_result& m : bench::run_micro(argc, argv))
            r["micro_ns"][m.name] = m.ns;

        // The ISS PE (cpu_stubs/iss): host time per trapped GIC instruction and per guest
        // interrupt taken, next to the C++ stand-in doing the same; absent without the guest
        // image (built by guest/ with the AArch64 cross compiler).
        if (!bench::bench_guest_image().empty()) {
            auto op = [&](const std::string& name) {
                return best_of(exe, name + " --duration-ms " + std::to_string(dur), "ns_per_op",
                               repeat);
            };
            const json loop = op("iss_loop"), insn = op("iss_insn"), stub_insn = op("stub_insn");
            const json irq = op("iss_irq"), stub_irq = op("stub_irq");
            r["iss"] = {
                {"gic_insn_ns", insn["ns_per_op"].get<double>() - loop["ns_per_op"].get<double>()},
                {"gic_insn_with_loop_ns", insn["ns_per_op"]},
                {"loop_turn_ns", loop["ns_per_op"]},
                {"stub_gic_insn_ns", stub_insn["ns_per_op"]},
                {"interrupt_ns", irq["ns_per_op"]},
                {"stub_interrupt_ns", stub_irq["ns_per_op"]},
                {"guest_instructions_per_interrupt", irq["instructions_per_op"]}};
        }

        utsname u{};
        uname(&u);
        r["machine"] = {{"cpu", cpu_model()},
                        {"cores", sysconf(_SC_NPROCESSORS_ONLN)},
                        {"kernel", std::string(u.sysname) + " " + u.release}};

        std::vector<target> targets;
        if (floor.contains("toy_round_trip_ns"))
            targets.push_back(
                {"end to end / toy_round_trip_ns",
                 base["ns_per_interrupt"].get<double>() / floor["toy_round_trip_ns"].get<double>(),
                 1.5, true, "x"});
        targets.push_back({"virtual SPIs per host second",
                           r["virtual_spis_per_host_second"].get<double>() / 1e6, 2.0, false,
                           "M/s"});
        for (const char* s : {"spis_per_vm", "pes", "vms"})
            targets.push_back({std::string("growth over ") + s,
                               r["scale"][s]["growth"].get<double>(), 1.2, true, "x"});
        targets.push_back({"growth over pes of build, run, teardown per PE",
                           r["scale"]["pes_build"]["growth"].get<double>(), 1.5, true, "x"});
        targets.push_back({"idle 64-PE platform, host per simulated s",
                           r["idle_64pe_host_ms_per_simulated_second"].get<double>(), 10, true,
                           "ms"});
        targets.push_back({"host bytes per interrupt beyond its ISTE (model)",
                           r["bytes_per_interrupt"].get<double>(), 32, true, "B"});
        targets.push_back({"build 64 VMs x 4096 SPIs", r["build_64vm_4096spi_ms"].get<double>(),
                           200, true, "ms"});
        targets.push_back(
            {"decoupling on vs off", r["decoupling"]["speedup"].get<double>(), 5, false, "x"});
        for (const target& t : targets)
            r["targets"].push_back({{"name", t.name},
                                    {"value", t.value},
                                    {"limit", t.limit},
                                    {"at_most", t.at_most},
                                    {"met", t.met()}});

        if (as_json) {
            std::cout << r.dump(2) << std::endl;
            return 0;
        }
        std::printf("machine: %s, %ld cores\n", r["machine"]["cpu"].get<std::string>().c_str(),
                    r["machine"]["cores"].get<long>());
        if (!floor.is_null())
            std::printf("floor (perf-floor): toy round trip %.1f ns, thread switch %.1f ns, "
                        "b_transport %.1f ns\n",
                        floor["toy_round_trip_ns"].get<double>(),
                        floor["thread_switch_ns"].get<double>(),
                        floor["b_transport_ns"].get<double>());
        std::printf("\n%-52s %12s\n", "figure", "value");
        auto row = [](const std::string& name, double v, const char* unit, int digits = 1) {
            std::printf("%-52s %12.*f %s\n", name.c_str(), digits, v, unit);
        };
        row("end-to-end virtual SPI (default scenario)", r["e2e_ns_per_interrupt"], "ns");
        row("virtual SPIs per host second", r["virtual_spis_per_host_second"].get<double>() / 1e6,
            "M");
        row("GIC VDPEND alone (ISTE read-modify-write)", r["vdpend_ns"], "ns");
        row("HPPI update (selection, offer, vIRQ)", r["hppi_update_ns"], "ns");
        for (const char* s : {"spis_per_vm", "pes", "vms"}) {
            const json& sc = r["scale"][s];
            row(std::string("end to end, ") + s + " = " +
                    std::to_string(sc["from"].get<unsigned>()),
                sc["from_ns"], "ns");
            row(std::string("end to end, ") + s + " = " + std::to_string(sc["to"].get<unsigned>()),
                sc["to_ns"], "ns");
            for (const char* end : {"from", "to"}) {
                const std::string at =
                    std::string(s) + " = " + std::to_string(sc[end].get<unsigned>());
                row("  GIC VDPEND alone, " + at, sc[std::string("vdpend_") + end + "_ns"], "ns");
                row("  HPPI update, " + at, sc[std::string("hppi_update_") + end + "_ns"], "ns");
            }
        }
        row("end to end, spis_per_vm = 65536, source over all of them",
            r["scale"]["spis_per_vm"]["spread_ns"], "ns");
        row("end to end, temporal decoupling off", r["decoupling"]["off_ns"], "ns");
        row("idle 64-PE platform, host per simulated second",
            r["idle_64pe_host_ms_per_simulated_second"], "ms");
        row("end to end, table accesses through b_transport (no DMI)", r["e2e_without_dmi_ns"],
            "ns");
        row("end to end, no contention (every shared part unlimited)", r["contention"]["off_ns"],
            "ns");
        row("  contention modelled vs not", r["contention"]["cost"], "x", 2);
        row("host bytes per interrupt beyond its ISTE (model)", r["bytes_per_interrupt"], "B");
        row("host bytes per interrupt, whole platform (+ KVM model, scoreboard)",
            r["platform_bytes_per_interrupt"], "B");
        row("allocations per interrupt (end to end)", r["allocations_per_interrupt"], "");
        row("build 64 VMs x 4096 SPIs (construct, elaborate)", r["build_64vm_4096spi_ms"], "ms");
        row("bring-up 64 VMs x 4096 SPIs (simulated, host time)", r["bringup_64vm_4096spi_host_ms"],
            "ms");
        for (const char* end : {"from", "to"}) {
            const json& sc = r["scale"]["pes_build"];
            row("build, run and teardown per PE, pes = " + std::to_string(sc[end].get<unsigned>()),
                sc[std::string(end) + "_us_per_pe"], "us");
        }
        row("  build alone (construct, elaborate, time 0), pes = " + std::to_string(pes_hi),
            r["scale"]["pes_build"]["to_build_ms"], "ms");
        row("  teardown alone, pes = " + std::to_string(pes_hi),
            r["scale"]["pes_build"]["to_teardown_ms"], "ms");
        for (auto& [name, ns] : r["micro_ns"].items())
            row("micro " + name, ns, "ns");
        if (r.contains("iss")) {
            const json& i = r["iss"];
            row("ISS PE: trapped GIC access (MRS ICC_PCR_EL1), net", i["gic_insn_ns"], "ns");
            row("  stand-in PE: the same access (pe::mrs)", i["stub_gic_insn_ns"], "ns");
            row("ISS PE: guest interrupt taken (WFI, vector, ack..CDDI)", i["interrupt_ns"], "ns");
            row("  stand-in PE: the same interrupt", i["stub_interrupt_ns"], "ns");
            row("  guest instructions per interrupt", i["guest_instructions_per_interrupt"], "");
        } else {
            std::printf("(no guest image: the ISS PE's figures are not measured)\n");
        }
        std::printf("\n%-52s %12s %10s  %s\n", "target", "measured", "limit", "");
        for (const target& t : targets)
            std::printf("%-52s %10.2f %-2s %s%-7.1f %s\n", t.name.c_str(), t.value, t.unit.c_str(),
                        t.at_most ? "<= " : ">= ", t.limit, t.met() ? "met" : "MISSED");
        if (floor.is_null())
            std::printf("(no --floor: the ratio to the SystemC floor is not computed)\n");
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "gicv5-bench: " << e.what() << std::endl;
        return 1;
    }
}
