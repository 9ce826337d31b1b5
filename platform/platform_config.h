// The typed configuration of a platform. sc_main fills it from YAML (the only place that parses
// files); the platform builds from it. Every default here is the documented default of the key
// of the same name in docs/config.md.
#pragma once

#include "platform/script.h"

#include <systemc>

#include <cstdint>
#include <string>
#include <vector>

namespace platform {

using sc_core::SC_MS;
using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;

// Per-hop latencies of the hardware model.
struct timing_config {
    sc_time gic_insn{10, SC_NS};      // a GIC system instruction at the CPU interface
    sc_time stream_hop{20, SC_NS};    // CPU interface <-> IRS, one way
    sc_time irs_process{10, SC_NS};   // IRS handling of one command, HPPI selection included
    sc_time mmio{20, SC_NS};          // one config-frame register access, bus included
    sc_time irs_op{1, SC_US};         // a VMAP or selector operation until its IDLE bit returns
    sc_time quantum{1, SC_US};        // TLM global quantum (temporal decoupling)
    sc_time link_occupancy{5, SC_NS}; // one stream message holds its link, each direction; 0: none
    sc_time bus_occupancy{2, SC_NS};  // one bus transaction holds the bus; 0: no limit
};

struct memory_config {
    uint64_t base = 0x80000000ull;
    uint64_t size = 16ull << 20;
    sc_time read_latency{40, SC_NS};
    sc_time write_latency{40, SC_NS};
    unsigned banks = 4;           // accesses served at once, all initiators; 0: no limit
    sc_time occupancy{10, SC_NS}; // how long one access holds its bank
    double bandwidth = 16;        // bytes per ns of a bank (adds len / bandwidth); 0: no limit
};

struct irs_config {
    uint64_t config_frame = 0x2f1a0000ull; // FVP GICv5 platform default
    uint64_t setlpi_frame = 0x2f1b0000ull; // FVP GICv5 platform default
    unsigned vm_id_bits = 4;               // VM IDs 0 .. 2^bits - 1 (IRS_IDR3.VM_ID_BITS)
    unsigned vpe_id_bits = 4;              // vPE IDs per VM (IRS_IDR4.VPE_ID_BITS)
    unsigned spi_range = 64;               // the system's SPI IDs 0 .. spi_range-1 (IRS_IDR5)
    unsigned spi_base = 0;                 // first physical SPI this IRS owns (IRS_IDR7)
    unsigned spi_irs_range = 64;           // physical SPIs this IRS owns (IRS_IDR6)
    unsigned pri_bits = 5;                 // implemented priority bits (IRS_IDR1.PRI_BITS + 1)
    unsigned iaffid_bits = 16;             // IAFFID width (IRS_IDR1.IAFFID_BITS + 1)
    bool nmi = false;                      // superpriority enabled on every PE (SCTLR_ELx.NMI)
    unsigned lpi_id_bits = 16;             // largest IST ID width (IRS_IDR2.ID_BITS); 0: no LPIs
    unsigned min_lpi_id_bits = 12;         // smallest (IRS_IDR2.MIN_LPI_ID_BITS)
    bool ist_two_level = true;             // two-level ISTs supported (IRS_IDR2.IST_LEVELS)
    unsigned ist_l2sz = 1;                 // L2 sizes supported: bit 0 4K, 1 16K, 2 64K
    unsigned istmd_sz = 0;                 // 0: 4-byte ISTEs; else IRS_IDR2.ISTMD_SZ
    unsigned iste_cache = 0;               // ISTE words the IRS caches (write-back); 0: none
    bool swe = true;                       // software-error records (IRS_IDR0.SWE)
    bool dmi = true;                       // table accesses through DMI (same timing)
    unsigned engines = 1;                  // commands the IRS processes at once; 0: no limit
    sc_time vmap_service{100, SC_NS};      // engine time of a VMAP or selector operation
    sc_time setlpi_service{10, SC_NS};     // engine time of an IRS_SETLPIR write
    sc_time doorbell_service{10, SC_NS};   // engine time of a vPE doorbell
    unsigned table_outstanding = 16;       // table accesses in flight at once; 0: no limit
    sc_time table_occupancy{40, SC_NS};    // how long one table access holds its slot
};

// Costs of the hypervisor's own software, on top of the GIC accesses it makes.
struct hypervisor_config {
    sc_time inject_cost{100, SC_NS}; // KVM_IRQ_LINE entry to the first lock
    sc_time lock_cost{20, SC_NS};    // acquiring an uncontended spinlock
    sc_time exit_cost{500, SC_NS};   // vCPU exit and re-entry, fold excluded
    sc_time poll_interval{1, SC_US}; // step of an IDLE-bit poll loop (Linux gicv5_wait_for_op)
    sc_time time_slice{1, SC_MS};    // a vCPU's turn on a PE it shares with runnable vCPUs
    sc_time tick{4, SC_MS};          // the host's timer tick: the running vCPU exits; 0: none
};

enum class tracking_policy { ap_list, none };
enum class trigger_mode { edge, level };

enum class eoi_mode { split, together };

// Real AArch64 code on an ISS PE (cpu_stubs/iss): a PE with role iss, or a VM whose guest runs
// it (guest.iss.elf set).
struct iss_config {
    std::string elf;                  // the guest image (the loader gives an absolute path)
    uint64_t slice = 1000;            // instructions per slice
    sc_time insn_time{1, SC_NS};      // charged to the PE's local time per instruction
    uint64_t control_base = 0x0a000000; // the guest's control page (verdict, console, device)
    uint64_t arg = 0;                 // x3 at entry
};

struct guest_config {
    sc_time handler_time{2, SC_US}; // from acknowledge (CDIA) to deactivate (CDDI)
    uint8_t priority = 0x10;        // priority the guest gives its SPIs (CDPRI)
    eoi_mode eoi = eoi_mode::split; // priority drop at acknowledge, or with the deactivate
    bool nested = false;            // handlers run with interrupts unmasked
    bool wfi = false;               // an idle vCPU executes WFI (blocks until its doorbell)
    sc_time wfi_after{10, SC_US};   // idle time before that WFI
    sc_time timer_period{0, SC_US}; // the guest's tick on its virtual timer; 0: none
    unsigned rebalance_every = 0;   // exits between the guest's SPI moves (irqbalance); 0: never
    // The guest does nothing of its own (no boot, no handler, no WFI): its code is the script's
    // guest steps for its vCPUs (a KVM selftest's guest code, say).
    bool scripted = false;
    // The guest is real code (an ISS guest, cpu_stubs/iss/iss_vcpu.h) when iss.elf is set.
    iss_config iss;
};

// full: the hypervisor brings the VM up at boot; restore: up to its SPI vIST, which a script's
// ist_restore step fills and maps (KVM's device-attribute restore into a new VM), and its vCPUs
// wait until then.
enum class vm_boot { full, restore };

struct vm_config {
    unsigned spis = 64;
    unsigned vcpus = 1;
    tracking_policy tracking = tracking_policy::ap_list;
    sc_time exit_interval{50, SC_US};
    guest_config guest;
    std::vector<unsigned> placement; // PE of each vCPU (role vcpu); empty: dealt round robin
    // The vPE ID of each vCPU, KVM's userspace vcpu_id (may be sparse); empty: 0 .. vcpus - 1.
    std::vector<unsigned> vcpu_ids;
    // Guest physical address of the VM's IRS region (config frame + SETLPI frame, 128 KiB), which
    // KVM emulates (reference §10.3); the selftests put it here.
    uint64_t irs_base = 0x08000000;
    vm_boot boot = vm_boot::full;
    unsigned vcpu_id(unsigned i) const { return vcpu_ids.empty() ? i : vcpu_ids[i]; }
    // The VM's vPE table covers IDs 0 .. 2^bits - 1: KVM sizes it for the largest vcpu_id,
    // rounded up to a power of two, at least 2 (vgic_v5_vmte_init()).
    unsigned vpe_table_bits() const;
};

// vcpu: runs the vCPUs placed on it (see placement()). script: runs the config's script steps
// for this PE (platform/script.h), starting at EL1. iss: runs the guest image of `iss` at EL1.
enum class pe_role { host, vcpu, script, iss };

struct pe_config {
    pe_config(pe_role r = pe_role::host) : role(r) {} // {pe_role::vcpu} as before
    pe_role role;
    iss_config iss; // role iss
};

// periodic: one event every 1/rate; poisson: exponential gaps of mean 1/rate; burst: every
// 1/rate, burst_size events burst_gap apart.
enum class source_kind { periodic, poisson, burst };

struct source_config {
    source_kind kind = source_kind::periodic;
    trigger_mode trigger = trigger_mode::edge;
    double rate_hz = 100e3;
    unsigned burst_size = 8;       // burst: events per burst
    sc_time burst_gap{100, SC_NS}; // burst: time between the events of a burst
    unsigned spi_first = 0;        // the VM's SPIs the source uses: spi_first ..
    unsigned spi_count = 0;        // .. spi_first + spi_count - 1; 0: up to the VM's last SPI
    int vcpu = -1;                 // only SPIs the guest routes to this vCPU; -1: any
    int priority = -1;             // the guest's priority for these SPIs; -1: guest.priority
    unsigned vm = 0;
    unsigned host_pe = 0; // the host PE on which the injection (KVM_IRQ_LINE) runs
};

struct platform_config {
    uint64_t seed = 1;
    sc_time duration{10, SC_MS};      // sources stop at this time
    sc_time drain_timeout{10, SC_MS}; // after duration, how long the run may take to drain
    timing_config timing;
    memory_config memory;
    irs_config irs;
    hypervisor_config hypervisor;
    std::vector<pe_config> pes{{pe_role::host}, {pe_role::vcpu}};
    std::vector<vm_config> vms{vm_config{}};
    std::vector<source_config> sources{source_config{}};
    std::vector<script_step> script; // in order; each step runs on its PE (role script)
};

// The architecture's largest physical address space (FEAT_D128, and the IRS's 56-bit address
// fields): every address range of a config must end at or below it.
constexpr uint64_t physical_address_limit = uint64_t{1} << 56;

// Bytes from memory.base up to the end of the last IRS table that the hypervisor agent
// allocates in memory at boot (kvm/vgic_v5.cpp, in its order and alignments): the VM table, the
// host's LPI IST, and per VM its vPE table, VM and vPE descriptors and SPI vIST. 0 when no PE
// has role host (nothing boots). memory.size must be at least this.
uint64_t table_memory_needed(const platform_config& cfg);

// Structural checks that need the whole config (indices in range, one PE per vCPU, script steps
// on script PEs, address ranges, a memory that holds the IRS tables, ...).
// Returns one message per problem, naming the key path; empty when the config is consistent.
std::vector<std::string> check_topology(const platform_config& cfg);

// The SPIs of its VM that source `src` picks from, in increasing order: its range, less those
// the guest routes to another vCPU than src.vcpu (SPI n goes to vCPU n % vcpus). Empty when the
// range or the vCPU does not fit the VM (check_topology reports that).
std::vector<unsigned> source_spis(const platform_config& cfg, const source_config& src);

// Where each vCPU runs: result[vm][vcpu] is a PE index. A VM with a placement list runs its vCPUs
// there; the vCPUs of the other VMs, in VM then vCPU order, are dealt round robin to the PEs with
// role vcpu, in PE order. Empty lists when there is no such PE.
std::vector<std::vector<unsigned>> placement(const platform_config& cfg);

} // namespace platform
