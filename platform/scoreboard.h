// The scoreboard: an observer outside the model that checks what came out against what went in.
// Per SPI it knows whether an injection is still waiting to be acknowledged (for an edge SPI that
// is exactly "pending in the vIST"; for a level SPI, its source being high), so an injection that
// finds one waiting was coalesced, and every acknowledge must match one. A level SPI may be taken
// again while its device is still dropping its line, as on hardware: such an acknowledge, with no
// event waiting (or only one raised after it), is spurious, not an error. It also checks that
// each ack notification follows a delivery, and measures how late it comes: from the guest's last
// deactivation of the SPI before it.
#pragma once

#include "cpu_stubs/vcpu_program.h"
#include "platform/kvm/vgic_v5.h"
#include "platform/latency_histogram.h"
#include "platform/run_results.h"

#include <cstdint>
#include <vector>

namespace platform {

class scoreboard : public cpu_stubs::guest_observer, public kvm::ack_notifier {
public:
    // slack: how far apart in local time PEs may run (the TLM quantum): an acknowledge of an edge
    // SPI that early before its injection is still its delivery.
    explicit scoreboard(const std::vector<unsigned>& spis_per_vm,
                        const sc_core::sc_time& slack = sc_core::SC_ZERO_TIME);

    // SPI `spi` of VM `vm` is level-triggered (elaboration).
    void set_level(unsigned vm, unsigned spi) { slot(vm, spi)->level = true; }
    // Returns true when the injection was coalesced into one still waiting.
    bool on_inject(unsigned vm, unsigned spi, const sc_core::sc_time& at);
    // VM `from`'s state was restored into VM `to` (a migration): injections still waiting in
    // `from` are `to`'s to deliver, same SPI, same injection time.
    void migrate(unsigned from, unsigned to);
    void on_acknowledge(unsigned vm, gicv5::intid id, const sc_core::sc_time& at) override;
    void on_vcpu_acknowledge(unsigned vm, unsigned vcpu, gicv5::intid id,
                             const sc_core::sc_time& at) override;
    void on_deactivate(unsigned vm, gicv5::intid id, const sc_core::sc_time& at) override;
    void irq_acked(unsigned vm, unsigned gsi, const sc_core::sc_time& at) override;

    uint64_t injected() const { return m_injected; }
    uint64_t coalesced() const { return m_coalesced; }
    uint64_t delivered() const { return m_delivered; }
    uint64_t spurious() const { return m_spurious; }
    uint64_t outstanding() const { return m_injected - m_coalesced - m_delivered; }
    // Acknowledges with no injection waiting, and notifications with no delivery before them.
    uint64_t unexpected_acknowledges() const { return m_unexpected_acks; }
    uint64_t unexpected_notifications() const { return m_unexpected_notifications; }
    // Injection to acknowledge, acknowledge to deactivate, deactivate to ack notifier.
    struct histograms {
        latency_histogram latency, handling, notifier;
    };
    // Samples are recorded once, per vCPU; a VM's and the run's figures merge them when asked.
    latency_summary latency() const;
    // Guest deactivation (CDDI) to the ack notifier, for VM vm.
    distribution notifier_latency(unsigned vm) const { return of_vm(vm).notifier.summary(); }
    // Injection to the guest's acknowledge, and acknowledge to its deactivation, for VM vm.
    distribution vm_latency(unsigned vm) const { return of_vm(vm).latency.summary(); }
    distribution handling(unsigned vm) const { return of_vm(vm).handling.summary(); }
    // Per vCPU of VM vm, by the index of the vCPU that acknowledged (vCPUs past the last that
    // took one are left out; an acknowledge told without its vCPU counts for vCPU 0).
    const std::vector<histograms>& per_vcpu(unsigned vm) const { return m_vcpu[vm]; }

private:
    struct spi_slot {
        bool waiting = false; // injected, not yet acknowledged
        bool delivered_since_notify = false;
        bool level = false;
        bool deactivated = false; // since the last notification
        bool acked = false;       // acknowledged, not yet deactivated
        unsigned vcpu = 0;        // the vCPU that acknowledged it last
        sc_core::sc_time injected_at, deactivated_at, acked_at;
    };
    spi_slot* slot(unsigned vm, unsigned spi);
    histograms& vcpu_of(unsigned vm, unsigned vcpu) {
        auto& per_vcpu = m_vcpu[vm];
        if (vcpu >= per_vcpu.size())
            per_vcpu.resize(vcpu + 1);
        return per_vcpu[vcpu];
    }
    histograms of_vm(unsigned vm) const;

    sc_core::sc_time m_slack;
    std::vector<std::vector<spi_slot>> m_spis;
    std::vector<std::vector<histograms>> m_vcpu; // per VM, per vCPU (grown at a vCPU's first)
    uint64_t m_injected = 0, m_coalesced = 0, m_delivered = 0, m_spurious = 0;
    uint64_t m_unexpected_acks = 0, m_unexpected_notifications = 0;
};

} // namespace platform
