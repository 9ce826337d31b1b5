// What a finished run measured; sc_main turns it into the JSON report.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sc_core {
class sc_time;
}

namespace platform {

// A simulated time in nanoseconds (exact for whole nanoseconds).
double to_ns(const sc_core::sc_time& t);

struct latency_summary {
    uint64_t count = 0;
    double min_ns = 0, p50_ns = 0, p99_ns = 0, max_ns = 0, mean_ns = 0;
};

// Samples in ns, with nearest-rank percentiles (latency_histogram.h); all 0 without samples.
struct distribution {
    uint64_t count = 0;
    double p50_ns = 0, p90_ns = 0, p99_ns = 0, max_ns = 0, mean_ns = 0;
};

struct lock_contention {
    uint64_t contended = 0; // acquisitions that found the lock held
    double wait_ns = 0;     // time spent spinning on them
};

// One VM, as the hypervisor agent saw it (issue points 3 and 5: cost of the AP-list policy).
struct vm_results {
    std::string tracking; // "ap_list" or "none"
    uint64_t vcpu_exits = 0;
    uint64_t vdpend = 0; // GIC VDPEND issued for this VM, lines dropped included
    uint64_t vdrcfg = 0;
    uint64_t folds = 0; // exits that folded the AP list
    double fold_mean_ns = 0, fold_max_ns = 0;
    distribution latency;  // injection to the guest's acknowledge
    distribution handling; // the guest's acknowledge to its deactivation
    // The same three latencies per vCPU, by the vCPU that acknowledged.
    struct vcpu_latencies {
        distribution latency, handling, notifier_latency;
    };
    std::vector<vcpu_latencies> per_vcpu; // index: vCPU
    distribution notifier_latency;        // the guest's last CDDI of an SPI to its ack notification
    uint64_t ap_list_max_length = 0;
    uint64_t ap_list_final_length = 0;
    uint64_t ap_list_insertions = 0;
    uint64_t notifier_calls = 0;
    lock_contention ap_list_lock; // vgic_dist::ap_list_lock
    lock_contention irq_locks;    // summed over the VM's vgic_irq::irq_lock
    // Its vCPUs, summed: WFI blocks, doorbells that woke one, virtual-timer interrupts taken,
    // interrupts taken inside a handler (nesting).
    uint64_t wfi_blocks = 0, doorbell_wakeups = 0, timer_irqs = 0, preempts = 0;
    // Per-hop latencies of a virtual SPI's path (issue 6 point 4; docs/report.md hops_ns).
    struct hop_distributions {
        distribution ap_list_lock; // AP-list lock on the injection path: asking to holding
        distribution vdpend_issue; // kvm_vgic_inject_irq() entry to the end of its VDPEND
        distribution ist_write;    // IRS read-modify-write of a vIST ISTE that writes it
        distribution hppi_offer;   // virtual command at the IRS to the HPPI offer it causes
        distribution virq_to_cdia; // vIRQ rising to the guest's acknowledge
        distribution irs_queue;    // a virtual command's wait for the IRS command engine
    } hops;
};

// One shared timed resource (tlm_gicv5/timed_resource.h): an IRS engine, the table port, a
// stream link, the bus, the memory banks.
struct resource_results {
    std::string name;       // irs_engine, irs_table_port, irs_link_downN, cpuifN_link_up, bus,
                            // memory_banks
    unsigned servers = 0;   // 0: no limit (nothing queues)
    uint64_t requests = 0;
    double utilisation = 0; // service summed / (servers x simulated time)
    distribution queueing;  // each request's wait before its service, 0 included
    uint64_t waited = 0;    // requests that queued
    unsigned max_queue = 0; // the most requests waiting at once
    // Temporal decoupling's error: requests that an earlier one, placed after them, moved back
    // in the schedule once they had gone on; by how much (timed_resource.h).
    uint64_t shifted = 0;
    double shortfall_mean_ns = 0, shortfall_max_ns = 0;
    uint64_t late = 0; // placed behind later ones (a deeper queue than MAX_REORDER in a quantum)
};

// A guest that ran real code on an ISS PE (cpu_stubs/iss): its own verdict and what it ran.
struct iss_results {
    unsigned pe = 0;
    int vm = -1, vcpu = -1; // a vCPU's guest; -1: a physical PE's
    std::string elf;
    bool exited = false;  // it wrote its verdict
    uint64_t verdict = 0; // 0: its own checks held
    bool passed = false;  // exited with verdict 0 and no error
    std::vector<uint64_t> values; // what it reported, in order
    std::string console;
    std::string error; // why it stopped otherwise
    uint64_t instructions = 0, gic_accesses = 0, irqs = 0, undefined = 0;
};

struct run_results {
    // Scoreboard.
    uint64_t injected = 0;
    uint64_t coalesced = 0;  // injections that found the SPI already pending
    uint64_t delivered = 0;  // acknowledged by the guest
    uint64_t spurious = 0;   // a level SPI acknowledged again before its line drop landed
    uint64_t lost = 0;       // injected - coalesced - delivered after the drain
    latency_summary latency; // injection to guest acknowledge
    // Hypervisor agent, summed over VMs.
    uint64_t ap_list_max_length = 0;
    uint64_t ap_list_final_length = 0;
    uint64_t ap_list_insertions = 0;
    uint64_t notifier_calls = 0;
    uint64_t vcpu_exits = 0;
    std::vector<vm_results> vms; // per VM, in VM order
    uint64_t vcpu_switches = 0;  // a vCPU put so that another of its PE could run
    uint64_t doorbells = 0;      // doorbells the IRS rang
    std::vector<resource_results> resources; // in platform order
    // GIC instructions executed, by name (VDPEND, VDRCFG, CDIA, CDEOI, CDDI, ...), all PEs.
    std::map<std::string, uint64_t> instructions;
    // Cross-checks that must stay 0: an acknowledge with no injection waiting, an ack
    // notification with no delivery before it, and requests the IRS ignored as misuse.
    uint64_t unexpected_acknowledges = 0;
    uint64_t unexpected_notifications = 0;
    uint64_t ignored_requests = 0;
    // Directed script (cfg.script): steps run, and one message per failed check, in step order.
    uint64_t script_steps = 0;
    std::vector<std::string> script_failures;
    // ISS PE guests, in PE order (a guest that did not pass is also a script failure).
    std::vector<iss_results> iss;
    // When the hypervisor's bring-up ended and the sources' window (duration) began; 0 with no
    // host PE.
    double sources_start_ns = 0;
    // What a user should know about what the figures mean (the CLI prints them on stderr).
    std::vector<std::string> warnings;
    bool drained = false; // nothing pending, active or listed at the end
    double sim_time_ns = 0;
    double host_seconds = 0;
};

} // namespace platform
