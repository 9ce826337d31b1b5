#include "config_loader.h"

#include "report.h"
#include "schema.h"
#include "script_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace gicv5_sim {
namespace {

using namespace schema;
using namespace platform;

constexpr uint64_t u64_max = std::numeric_limits<uint64_t>::max();
// Indices of VMs, vCPUs and PEs: VM and vPE IDs have at most 16 bits (vm_id_bits, vpe_id_bits).
constexpr uint64_t index_max = 65535;
// PEs: what the platform builds, runs and tears down in time linear in their number on a 24 GiB
// machine (README, How many PEs: each PE's thread stack takes two of the kernel's 65,530 memory
// maps, so about 32k is the edge).
constexpr uint64_t pe_count_max = 16384;
constexpr uint64_t pe_index_max = pe_count_max - 1;

// Root keys live in sim_config::platform; this turns a platform_config member into an accessor.
template <class T>
auto in_platform(T platform_config::*member) {
    return [member](auto& c) -> auto& { return c.platform.*member; };
}

const keys_of<timing_config>& timing_keys() {
    using S = timing_config;
    static const keys_of<S> keys{
        time_key<S>("gic_insn", &S::gic_insn, false,
                    "A GIC system instruction at the CPU interface"),
        time_key<S>("stream_hop", &S::stream_hop, false, "CPU interface to IRS or back, one way"),
        time_key<S>("irs_process", &S::irs_process, false,
                    "IRS handling of one command, HPPI selection included: the IRS command "
                    "engine's time for a stream command"),
        time_key<S>("mmio", &S::mmio, false, "One config-frame register access, bus included"),
        time_key<S>("irs_op", &S::irs_op, false,
                    "A VMAP or selector operation, until its IDLE bit returns"),
        time_key<S>("quantum", &S::quantum, false, "TLM global quantum (temporal decoupling)"),
        time_key<S>("link_occupancy", &S::link_occupancy, false,
                    "How long one stream message holds its link between a CPU interface and the "
                    "IRS, each direction; 0: no limit"),
        time_key<S>("bus_occupancy", &S::bus_occupancy, false,
                    "How long one bus transaction holds the bus; 0: no limit"),
    };
    return keys;
}

const keys_of<memory_config>& memory_keys() {
    using S = memory_config;
    static const keys_of<S> keys{
        address_key<S>("base", &S::base,
                       "Physical base address of the memory; the memory must end at or below "
                       "2^56"),
        size_key<S>("size", &S::size,
                    "Size of that memory; at least what the IRS tables of the config need"),
        time_key<S>("read_latency", &S::read_latency, false, "One read access"),
        time_key<S>("write_latency", &S::write_latency, false, "One write access"),
        integer_key<S>("banks", &S::banks, 0, 1024, "banks",
                       "Accesses served at once, by every initiator together; 0: no limit"),
        time_key<S>("occupancy", &S::occupancy, false, "How long one access holds its bank"),
        number_key<S>("bandwidth", &S::bandwidth, "B/ns",
                      "Bytes per ns of one bank: an access of len bytes holds its bank "
                      "len / bandwidth longer; 0: no limit"),
    };
    return keys;
}

const keys_of<irs_config>& irs_keys() {
    using S = irs_config;
    static const keys_of<S> keys{
        address_key<S>("config_frame", &S::config_frame,
                       "Base of the IRS config frame (FVP GICv5 platform default); 64 KiB "
                       "aligned, outside memory, ending at or below 2^56"),
        address_key<S>("setlpi_frame", &S::setlpi_frame,
                       "Base of the IRS SETLPI frame (FVP GICv5 platform default); as "
                       "config_frame, and apart from it"),
        integer_key<S>("vm_id_bits", &S::vm_id_bits, 1, 16, "bits",
                       "Width of VM IDs, which run 0 .. 2^bits - 1 (IRS_IDR3.VM_ID_BITS)"),
        integer_key<S>("vpe_id_bits", &S::vpe_id_bits, 1, 16, "bits",
                       "Width of vPE IDs within a VM (IRS_IDR4.VPE_ID_BITS)"),
        integer_key<S>("spi_range", &S::spi_range, 0, 1u << 24, "SPIs",
                       "Size of the system's SPI ID space (IRS_IDR5.SPI_RANGE)"),
        integer_key<S>("spi_base", &S::spi_base, 0, (1u << 24) - 1, "",
                       "First physical SPI ID this IRS owns (IRS_IDR7.SPI_BASE)"),
        integer_key<S>("spi_irs_range", &S::spi_irs_range, 0, 1u << 24, "SPIs",
                       "Physical SPIs this IRS owns (IRS_IDR6.SPI_IRS_RANGE)"),
        integer_key<S>("pri_bits", &S::pri_bits, 1, 5, "bits",
                       "Implemented priority bits (IRS_IDR1.PRI_BITS + 1)"),
        integer_key<S>("iaffid_bits", &S::iaffid_bits, 1, 16, "bits",
                       "IAFFID width (IRS_IDR1.IAFFID_BITS + 1); the PEs' IAFFIDs must fit"),
        bool_key<S>("nmi", &S::nmi,
                    "Superpriority on every PE (SCTLR_ELx.NMI): priority 0 is an NMI"),
        integer_key<S>("lpi_id_bits", &S::lpi_id_bits, 0, 24, "bits",
                       "Largest LPI ID width an IST may have (IRS_IDR2.ID_BITS); 0: no LPIs"),
        integer_key<S>("min_lpi_id_bits", &S::min_lpi_id_bits, 0, 15, "bits",
                       "Smallest LPI ID width an IST may have (IRS_IDR2.MIN_LPI_ID_BITS)"),
        bool_key<S>("ist_two_level", &S::ist_two_level,
                    "Two-level ISTs supported (IRS_IDR2.IST_LEVELS)"),
        integer_key<S>(
            "ist_l2sz", &S::ist_l2sz, 0, 7, "",
            "Supported L2 IST sizes, bit 0 4 KiB, 1 16 KiB, 2 64 KiB (IRS_IDR2.IST_L2SZ)"),
        integer_key<S>(
            "istmd_sz", &S::istmd_sz, 0, 24, "bits",
            "0: 4-byte ISTEs; else IRS_IDR2.ISTMD_SZ (8-byte ISTEs below it, 16 from it)"),
        integer_key<S>("iste_cache", &S::iste_cache, 0, 4096, "entries",
                       "ISTE words the IRS caches, written back on eviction and when their table "
                       "stops being valid; 0: none"),
        bool_key<S>("swe", &S::swe, "Software-error records in IRS_SWERR_* (IRS_IDR0.SWE)"),
        bool_key<S>("dmi", &S::dmi,
                    "The IRS reaches its tables through DMI, each access still timed; false: "
                    "every access through b_transport"),
        integer_key<S>("engines", &S::engines, 0, 64, "engines",
                       "Commands the IRS processes at once; 0: no limit"),
        time_key<S>("vmap_service", &S::vmap_service, false,
                    "Engine time of a VMAP or selector operation"),
        time_key<S>("setlpi_service", &S::setlpi_service, false,
                    "Engine time of an IRS_SETLPIR write"),
        time_key<S>("doorbell_service", &S::doorbell_service, false,
                    "Engine time of a vPE doorbell"),
        integer_key<S>("table_outstanding", &S::table_outstanding, 0, 1024, "accesses",
                       "IRS table accesses in flight at once; 0: no limit"),
        time_key<S>("table_occupancy", &S::table_occupancy, false,
                    "How long one table access holds its slot"),
    };
    return keys;
}

const keys_of<hypervisor_config>& hypervisor_keys() {
    using S = hypervisor_config;
    static const keys_of<S> keys{
        time_key<S>("inject_cost", &S::inject_cost, false, "KVM_IRQ_LINE entry to the first lock"),
        time_key<S>("lock_cost", &S::lock_cost, false, "Acquiring an uncontended spinlock"),
        time_key<S>("exit_cost", &S::exit_cost, false, "vCPU exit and re-entry, fold excluded"),
        time_key<S>("poll_interval", &S::poll_interval, true,
                    "Step of an IDLE-bit poll loop (Linux gicv5_wait_for_op)"),
        time_key<S>("time_slice", &S::time_slice, true,
                    "How long a vCPU runs before the next runnable vCPU of its PE takes a turn"),
        time_key<S>("tick", &S::tick, false,
                    "The host's timer tick (HZ): the vCPU running on a PE exits at each; 0: none"),
    };
    return keys;
}

// The guest image of an ISS PE: a NAME built from guest/NAME.c (looked up in the build's guest
// directory, or in $GICV5_GUEST_DIR), or a path to an ELF file, relative to the config's own
// directory. The loaded config holds the absolute path of a file that exists.
std::string guest_image_path(const std::string& text, const std::string& config_file) {
    if (text.find('/') == std::string::npos && text.size() > 0 &&
        (text.size() < 4 || text.compare(text.size() - 4, 4, ".elf") != 0)) {
        const char* env = std::getenv("GICV5_GUEST_DIR");
        return std::string(env && *env ? env : GICV5_GUEST_DIR) + "/" + text + ".elf";
    }
    if (text[0] == '/')
        return text;
    const std::size_t slash = config_file.rfind('/');
    return slash == std::string::npos ? text : config_file.substr(0, slash + 1) + text;
}

const keys_of<iss_config>& iss_keys() {
    using S = iss_config;
    field<S> elf{"elf",
                 key_kind::value,
                 "guest image name or ELF file path",
                 "",
                 "The guest's code: NAME for an image built from guest/NAME.c, or the path of an "
                 "ELF file (AArch64, loaded into the platform memory), relative to this file",
                 {},
                 {},
                 {}};
    elf.load = [](context& cx, const YAML::Node& node, const YAML::Mark& mark,
                  const std::string& path, S& out) {
        if (!node.IsScalar()) {
            cx.error(mark, path, "a guest image name or an ELF file path", show(node));
            return;
        }
        const std::string text = node.Scalar();
        if (text.empty()) { // none (the default): no ISS guest
            out.elf.clear();
            return;
        }
        const std::string file = guest_image_path(text, cx.file());
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            cx.error(mark, path,
                     "an existing ELF file (" + file +
                         "; guest images are built when aarch64-linux-gnu-gcc is installed)",
                     text);
            return;
        }
        out.elf = file;
    };
    elf.dump = [](const S& s) { return YAML::Node(s.elf); };
    static const keys_of<S> keys{
        elf,
        integer_key<S>("slice", &S::slice, 1, 1000000000, "instructions",
                       "Instructions the ISS runs before it lets the kernel and the interrupt "
                       "inputs in (an IRQ is taken between slices)"),
        time_key<S>("insn_time", &S::insn_time, false,
                    "Simulated time each guest instruction adds to the PE's local time"),
        address_key<S>("control_base", &S::control_base,
                       "Address of the guest's control page (4 KiB: verdict, values, console, "
                       "time, device); not in RAM"),
        integer_key<S>("arg", &S::arg, 0, u64_max, "", "Passed to the guest in x3", true),
    };
    return keys;
}

const keys_of<pe_config>& pe_keys() {
    using S = pe_config;
    static const keys_of<S> keys{
        enum_key<S>("role", &S::role,
                    std::vector<std::pair<std::string, pe_role>>{{"host", pe_role::host},
                                                                 {"vcpu", pe_role::vcpu},
                                                                 {"script", pe_role::script},
                                                                 {"iss", pe_role::iss}},
                    "host: runs the hypervisor; vcpu: runs the vCPUs placed on it (the vCPUs "
                    "of all VMs, in order, dealt round robin to these PEs); script: runs its "
                    "steps of script; iss: runs the guest image of iss.elf at EL1"),
        section_key<S>("iss", &S::iss, iss_keys(),
                       "Role iss: the guest image and how the instruction-set simulator runs it"),
    };
    return keys;
}

const keys_of<guest_config>& guest_keys() {
    using S = guest_config;
    static const keys_of<S> keys{
        time_key<S>("handler_time", &S::handler_time, false,
                    "From acknowledge (CDIA) to deactivate (CDDI)"),
        integer_key<S>("priority", &S::priority, 0, 31, "",
                       "Priority the guest gives its SPIs (CDPRI); lower is higher", true),
        enum_key<S>("eoi_mode", &S::eoi,
                    std::vector<std::pair<std::string, eoi_mode>>{{"split", eoi_mode::split},
                                                                  {"together", eoi_mode::together}},
                    "split: priority drop (CDEOI) at acknowledge, deactivate (CDDI) after the "
                    "handler; together: both after the handler"),
        bool_key<S>("nested", &S::nested,
                    "Handlers run with interrupts unmasked: one that beats the running priority "
                    "preempts"),
        bool_key<S>("wfi", &S::wfi,
                    "An idle vCPU executes WFI: it is made non-resident with a doorbell request "
                    "and blocks until the doorbell"),
        time_key<S>("wfi_after", &S::wfi_after, false, "Idle time of a vCPU before its WFI"),
        time_key<S>("timer_period", &S::timer_period, false,
                    "The guest's tick on each vCPU's virtual timer (PPI 27, directly injected "
                    "while the vCPU runs); 0: no timer"),
        bool_key<S>("scripted", &S::scripted,
                    "The guest does nothing of its own (no boot, no handler, no WFI): its code is "
                    "the script's guest steps for its vCPUs"),
        integer_key<S>("rebalance_every", &S::rebalance_every, 0, 1000000, "exits",
                       "The guest's irqbalance: at every Nth return from an exit, the vCPU gives "
                       "one SPI of its VM, picked at random, a new priority (0x04..0x1c) and a "
                       "new target vCPU (CDPRI, CDAFF); 0: never"),
        section_key<S>("iss", &S::iss, iss_keys(),
                       "Real guest code: with iss.elf set, each vCPU of the VM runs that image at "
                       "EL1 on an ISS (and its PE runs no other vCPU); the keys above then do not "
                       "apply"),
    };
    return keys;
}

const keys_of<vm_config>& vm_keys() {
    using S = vm_config;
    static const keys_of<S> keys{
        integer_key<S>("spis", &S::spis, 1, 65536, "SPIs", "Number of virtual SPIs of the VM"),
        integer_key<S>("vcpus", &S::vcpus, 1, 65536, "vCPUs", "Number of vCPUs of the VM"),
        enum_key<S>(
            "tracking", &S::tracking,
            std::vector<std::pair<std::string, tracking_policy>>{
                {"ap_list", tracking_policy::ap_list}, {"none", tracking_policy::none}},
            "How the hypervisor tracks injected SPIs: the per-VM SPI AP list, or not at all"),
        time_key<S>("exit_interval", &S::exit_interval, true,
                    "Time between exits of a vCPU to the hypervisor"),
        section_key<S>("guest", &S::guest, guest_keys(), "What the guest does with its interrupts"),
        integer_list_key<S>("placement", &S::placement, 0, pe_index_max,
                            "The PE (role vcpu) each vCPU runs on, in vCPU order; empty: the "
                            "vCPUs are dealt round robin with those of other VMs"),
        integer_list_key<S>("vcpu_ids", &S::vcpu_ids, 0, 65535,
                            "The vPE ID of each vCPU, in vCPU order: KVM's userspace vcpu_id, "
                            "which may be sparse; the guest reads it in ICC_IAFFIDR_EL1 and "
                            "routes SPIs with it; empty: 0 .. vcpus - 1"),
        enum_key<S>("boot", &S::boot,
                    std::vector<std::pair<std::string, vm_boot>>{{"full", vm_boot::full},
                                                                 {"restore", vm_boot::restore}},
                    "full: brought up at the hypervisor's boot; restore: up to its SPI vIST, "
                    "which a script's ist_restore step fills and maps, its vCPUs waiting until "
                    "then"),
        address_key<S>("irs_base", &S::irs_base,
                       "Guest physical address of the VM's IRS (config frame, then SETLPI "
                       "frame: 128 KiB) that KVM emulates; 64 KiB aligned"),
    };
    return keys;
}

// A source key holding an integer in 0..hi, or -1 for "not set" (its description says what -1
// means): sources[].vcpu and sources[].priority.
field<source_config> int_or_unset_key(std::string name, int source_config::*member, uint64_t hi,
                                      std::string description) {
    const std::string range = "-1.." + std::to_string(hi);
    auto parse = [range, hi](std::string_view text) {
        if (text == "-1")
            return units::parsed<int>::ok(-1);
        auto n = units::parse_integer(text);
        if (!n || *n.value > hi)
            return units::parsed<int>::fail("an integer in " + range);
        return units::parsed<int>::ok(static_cast<int>(*n.value));
    };
    auto format = [](const int& v) { return std::to_string(v); };
    return scalar_key<source_config>(std::move(name), "integer, " + range, "",
                                     std::move(description), member, parse, format);
}

const keys_of<source_config>& source_keys() {
    using S = source_config;
    static const keys_of<S> keys{
        enum_key<S>(
            "kind", &S::kind,
            std::vector<std::pair<std::string, source_kind>>{{"periodic", source_kind::periodic},
                                                             {"poisson", source_kind::poisson},
                                                             {"burst", source_kind::burst}},
            "Injection pattern; periodic: one injection every 1/rate; poisson: "
            "exponentially distributed gaps of mean 1/rate; burst: every 1/rate, "
            "burst_size injections burst_gap apart"),
        enum_key<S>("trigger", &S::trigger,
                    std::vector<std::pair<std::string, trigger_mode>>{
                        {"edge", trigger_mode::edge}, {"level", trigger_mode::level}},
                    "Trigger mode of the source's SPIs: edge, one injection per event; level, "
                    "the device holds its line until the guest services the SPI"),
        frequency_key<S>("rate", &S::rate_hz, "Injections per second (burst: bursts per second)"),
        integer_key<S>("burst_size", &S::burst_size, 1, 65536, "injections",
                       "kind burst: injections per burst"),
        time_key<S>("burst_gap", &S::burst_gap, false,
                    "kind burst: time between the injections of a burst; (burst_size - 1) * "
                    "burst_gap must be below 1/rate"),
        integer_key<S>("vm", &S::vm, 0, index_max, "", "Index of the target VM in vms"),
        integer_key<S>("spi_first", &S::spi_first, 0, index_max, "",
                       "First SPI of the VM the source uses"),
        integer_key<S>("spi_count", &S::spi_count, 0, 65536, "SPIs",
                       "SPIs the source uses from spi_first on; 0: up to the VM's last SPI"),
        int_or_unset_key("vcpu", &source_config::vcpu, index_max,
                         "Only SPIs the guest routes to this vCPU of the VM (SPI n goes to vCPU n "
                         "% vcpus); -1: any"),
        int_or_unset_key("priority", &source_config::priority, 31,
                         "Priority the guest gives the source's SPIs (CDPRI); -1: the VM's "
                         "guest.priority"),
        integer_key<S>("host_pe", &S::host_pe, 0, pe_index_max, "",
                       "Index in pes of the host PE on which the injection (KVM_IRQ_LINE) runs"),
    };
    return keys;
}

field<sim_config> expect_key() {
    field<sim_config> f{
        "expect",
        key_kind::value,
        "list of strings",
        "",
        "Checks on the report, 'PATH OP NUMBER'; a failed one makes the exit status 1",
        {},
        {},
        {}};
    f.load = [](context& cx, const YAML::Node& node, const YAML::Mark& mark,
                const std::string& path, sim_config& out) {
        if (!node.IsSequence()) {
            cx.error(mark, path, "a list of 'PATH OP NUMBER' strings", show(node));
            return;
        }
        std::vector<expectation> parsed;
        for (std::size_t i = 0; i < node.size(); ++i) {
            const YAML::Node item = node[i];
            const std::string item_path = join(path, std::to_string(i));
            auto e = parse_expectation(item.IsScalar() ? item.Scalar() : std::string());
            if (!e) {
                cx.error(item.Mark(), item_path, e.expected, show(item));
            } else if (!is_report_value_path(e.value->path)) {
                cx.error(item.Mark(), item_path,
                         "a PATH naming a number in the report (see docs/report.md), such as "
                         "interrupts.lost, latency_ns.p99, ap_list.final_length, instructions.CDIA",
                         show(item));
            } else {
                e.value->origin = cx.where(item.Mark(), item_path);
                parsed.push_back(std::move(*e.value));
            }
        }
        out.expectations = std::move(parsed);
    };
    f.dump = [](const sim_config& c) {
        YAML::Node list(YAML::NodeType::Sequence);
        for (const expectation& e : c.expectations)
            list.push_back(e.text);
        return list;
    };
    return f;
}

const keys_of<sim_config>& root_keys() {
    using S = sim_config;
    using P = platform_config;
    static const keys_of<S> keys{
        integer_key<S>("seed", in_platform(&P::seed), 0, u64_max, "",
                       "Seed of the run's pseudo-random choices; the same seed repeats a run"),
        time_key<S>("duration", in_platform(&P::duration), true,
                    "Simulated time during which the sources inject; they stop at this time "
                    "(a script may run longer)"),
        time_key<S>("drain_timeout", in_platform(&P::drain_timeout), false,
                    "After duration, how long the run may take to drain; also how long a guest "
                    "step waits for its vCPU to run it"),
        section_key<S>("timing", in_platform(&P::timing), timing_keys(),
                       "Per-hop latencies of the hardware model, and how long a message or "
                       "transaction holds its link or the bus"),
        section_key<S>("memory", in_platform(&P::memory), memory_keys(),
                       "Main memory, where the IRS tables live"),
        section_key<S>("irs", in_platform(&P::irs), irs_keys(), "The Interrupt Routing Service"),
        section_key<S>("hypervisor", in_platform(&P::hypervisor), hypervisor_keys(),
                       "Costs of the hypervisor's own software, on top of its GIC accesses"),
        list_key<S>("pes", in_platform(&P::pes), pe_keys(), 1,
                    "The processing elements, by index; each is a host PE, runs one vCPU, or "
                    "runs script steps",
                    pe_count_max),
        list_key<S>("vms", in_platform(&P::vms), vm_keys(), 0, "The virtual machines, by index"),
        list_key<S>("sources", in_platform(&P::sources), source_keys(), 0,
                    "The interrupt sources, each injecting virtual SPIs of a VM"),
        expect_key(),
        script_key(),
    };
    return keys;
}

} // namespace

const std::vector<key_info>& config_keys() {
    static const std::vector<key_info> keys = [] {
        std::vector<key_info> out;
        describe(root_keys(), "", sim_config{}, out);
        return out;
    }();
    return keys;
}

namespace {
// Where in the document a key path ("vms.0.vcpus") is: the mark of the deepest node on the path
// that the document has (a key the file leaves to its default points at its parent).
YAML::Mark mark_of_path(const YAML::Node& root, const std::string& path) {
    YAML::Mark mark = root.Mark();
    std::vector<YAML::Node> trail{root}; // nodes are handles: keep each level's alive
    for (const std::string& part : schema::split_path(path)) {
        const YAML::Node& at = trail.back();
        YAML::Node next;
        if (at.IsMap()) {
            for (const auto& kv : at)
                if (kv.first.IsScalar() && kv.first.Scalar() == part)
                    next = kv.second;
        } else if (const auto index = schema::parse_index(part);
                   at.IsSequence() && index && *index < at.size()) {
            next = at[*index];
        }
        if (!next.IsDefined())
            break;
        trail.push_back(next);
        if (!next.Mark().is_null())
            mark = next.Mark();
    }
    return mark;
}

bool has_key(const YAML::Node& map, const std::string& key) {
    for (const auto& kv : map)
        if (kv.first.IsScalar() && kv.first.Scalar() == key)
            return true;
    return false;
}

// The root lists whose defaults a first directed config is easily caught by: what the default
// is, and what to write instead.
struct list_default {
    std::string key;
    const char* what;
};
const list_default list_defaults[] = {
    {"vms", "one VM, which needs a PE with role host to boot it and one with role vcpu to run it"},
    {"sources", "one source, injecting into VM 0 from PE 0, which needs PE 0 to have role host"},
};

void clear_list(platform_config& c, const list_default& d) {
    if (d.key == "vms")
        c.vms.clear();
    else
        c.sources.clear();
}

// What an ISS PE or an ISS guest needs of the rest of the config.
std::vector<std::string> iss_problems(const platform_config& cfg) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < cfg.pes.size(); ++i)
        if (cfg.pes[i].role == pe_role::iss && cfg.pes[i].iss.elf.empty())
            out.push_back("pes." + std::to_string(i) +
                          ".iss.elf: expected the guest image a PE with role iss runs");
    const std::vector<std::vector<unsigned>> where = placement(cfg);
    std::vector<unsigned> vcpus_on(cfg.pes.size());
    for (const auto& vm : where)
        for (unsigned pe : vm)
            if (pe < vcpus_on.size())
                ++vcpus_on[pe];
    for (std::size_t v = 0; v < cfg.vms.size() && v < where.size(); ++v)
        if (!cfg.vms[v].guest.iss.elf.empty())
            for (std::size_t c = 0; c < where[v].size(); ++c)
                if (where[v][c] < vcpus_on.size() && vcpus_on[where[v][c]] > 1)
                    out.push_back("vms." + std::to_string(v) + ".placement." + std::to_string(c) +
                                  ": expected a PE that runs no other vCPU (an ISS guest's vCPU "
                                  "has its PE to itself), got PE " +
                                  std::to_string(where[v][c]) + ", which runs " +
                                  std::to_string(vcpus_on[where[v][c]]) + " vCPUs");
    return out;
}

// Topology problems, each told which defaulted root list (vms, sources: absent from the
// document) caused it, if any. A config of script PEs meets them first, and "expected a PE
// with role host" alone does not say why.
std::vector<std::string> topology_problems(const platform_config& cfg, const YAML::Node& root,
                                           const std::string& file) {
    std::vector<std::string> problems = platform::check_topology(cfg);
    for (std::string& p : iss_problems(cfg))
        problems.push_back(std::move(p));
    std::vector<const list_default*> defaulted;
    for (const list_default& d : list_defaults)
        if (!has_key(root, d.key))
            defaulted.push_back(&d);
    if (problems.empty() || defaulted.empty())
        return problems;
    const auto without = [&cfg](const std::vector<const list_default*>& lists) {
        platform_config c = cfg;
        for (const list_default* d : lists)
            clear_list(c, *d);
        return platform::check_topology(c);
    };
    // Cured: its key has no problem left (clearing a list may change a problem's figures, as
    // memory.size's, without curing it). Caused by a list: its message goes with that list.
    const auto path_of = [](const std::string& p) { return p.substr(0, p.find(':')); };
    const auto has_path = [&path_of](const std::vector<std::string>& v, const std::string& p) {
        return std::any_of(v.begin(), v.end(),
                           [&](const std::string& q) { return path_of(q) == path_of(p); });
    };
    const auto has = [](const std::vector<std::string>& v, const std::string& p) {
        return std::find(v.begin(), v.end(), p) != v.end();
    };
    const std::vector<std::string> none = without(defaulted);
    // Clearing them must not break what the file wrote (sources of the file aimed at a VM).
    for (const std::string& q : none)
        if (!has_path(problems, q))
            return problems;
    std::vector<std::vector<std::string>> each;
    for (const list_default* d : defaulted)
        each.push_back(without({d}));
    for (std::string& p : problems) {
        if (has_path(none, p))
            continue;
        std::vector<const list_default*> causes;
        for (std::size_t i = 0; i < defaulted.size(); ++i)
            if (!has(each[i], p))
                causes.push_back(defaulted[i]);
        if (causes.empty())
            causes = defaulted;
        for (const list_default* d : causes)
            p += "; " + d->key + " is not in " + file + ", so its default applies, " + d->what +
                 ": write '" + d->key + ": []' for a config without " + d->key;
    }
    return problems;
}

// A parse error as "FILE:LINE:COL: YAML syntax error: what, in words".
std::string syntax_error(const context& cx, const YAML::Mark& mark, const std::string& what) {
    return cx.where(mark, "") + ": YAML syntax error: " + what;
}
} // namespace

load_result load_config_text(const std::string& text, const std::string& file_name,
                             const std::vector<std::string>& overrides) {
    load_result result;
    context cx(file_name);
    try {
        YAML::Node root;
        try {
            if (auto problem = check_yaml_events(text)) {
                result.errors.push_back(cx.where(problem->mark, "") + ": " + problem->message);
                return result;
            }
            root = YAML::Load(text);
        } catch (const YAML::ParserException& e) {
            result.errors.push_back(syntax_error(cx, e.mark, plain_yaml_error(e.msg)));
            return result;
        }
        if (root.IsNull())
            root = YAML::Node(YAML::NodeType::Map); // an empty file: all defaults
        if (!root.IsMap()) {
            cx.error(root.Mark(), "", "a mapping with keys " + key_names(root_keys()), show(root));
            result.errors = std::move(cx.errors());
            return result;
        }
        for (const std::string& text_of_set : overrides) {
            const override_outcome o = apply_override(root, text_of_set, config_keys());
            if (o.ok) {
                cx.add_override(o.path, text_of_set);
            } else {
                cx.raw_error("--set " + text_of_set + ": " + (o.path.empty() ? "" : o.path + ": ") +
                             "expected " + o.expected + ", got '" + o.got + "'");
            }
        }
        load_map(cx, root, root.Mark(), "", root_keys(), result.config);
        // Topology of a half-read config would be judged on defaults standing in for bad values.
        if (cx.errors().empty()) {
            // Each problem names its key path first; it is reported where the file sets it.
            for (const std::string& problem :
                 topology_problems(result.config.platform, root, file_name)) {
                const std::string path = problem.substr(0, problem.find(':'));
                cx.raw_error(cx.where(mark_of_path(root, path), path) + ": " + problem);
            }
        }
    } catch (const YAML::Exception& e) {
        cx.raw_error(file_name + ": cannot process the YAML document: " + e.what());
    }
    result.errors = std::move(cx.errors());
    return result;
}

namespace {
load_result failed_load(std::string message) {
    load_result result;
    result.errors.push_back(std::move(message));
    return result;
}

// What a path is, when it is not a regular file, for "it is WHAT".
std::string kind_of(mode_t mode) {
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}
} // namespace

load_result load_config(const std::string& path, const std::vector<std::string>& overrides) {
    // Only a regular file: a FIFO would block the open, /dev/zero would never end.
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return failed_load(path + ": cannot open the file: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        return failed_load(path + ": cannot read the file: it is " + kind_of(st.st_mode) +
                           "; expected a regular file holding a YAML config");
    // O_NONBLOCK: should the path have become a FIFO since the stat, the open does not wait.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return failed_load(path + ": cannot open the file: " + std::strerror(errno));
    // Stop once past the limit, not at the size stat gave: a file that grows, or one whose size
    // stat does not tell (/proc), is still bounded.
    std::string text;
    std::array<char, 65536> buf{};
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const int e = errno;
            ::close(fd);
            return failed_load(path + ": cannot read the file: " + std::strerror(e));
        }
        if (n == 0)
            break;
        text.append(buf.data(), static_cast<std::size_t>(n));
        if (text.size() > config_size_limit) {
            ::close(fd);
            return failed_load(path + ": expected a config of at most " +
                               std::to_string(config_size_limit >> 20) +
                               " MiB, the file is larger");
        }
    }
    ::close(fd);
    return load_config_text(text, path, overrides);
}

} // namespace gicv5_sim
