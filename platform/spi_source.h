// A device that raises edge SPIs of one VM at a fixed rate, through the hypervisor agent as
// KVM_IRQ_LINE would, on the host PE it is attached to. Each activation picks one of the VM's
// SPIs at random (seeded), so runs are reproducible.
#pragma once

#include "cpu_stubs/host_program.h"
#include "platform/kvm_vgic_v5.h"
#include "platform/platform_config.h"
#include "platform/scoreboard.h"

#include <random>

namespace platform {

class spi_source : public cpu_stubs::host_task {
public:
    spi_source(const source_config& cfg, unsigned nr_spis, const sc_core::sc_time& stop,
               uint64_t seed, kvm::vgic_v5& agent, scoreboard& sb);

    sc_core::sc_time next_time() const override {
        return m_next < m_stop ? m_next : sc_core::sc_max_time();
    }
    void fire(cpu_stubs::pe& self) override;

private:
    source_config m_cfg;
    unsigned m_nr_spis;
    sc_core::sc_time m_period, m_next, m_stop;
    std::mt19937_64 m_rng;
    kvm::vgic_v5& m_agent;
    scoreboard& m_sb;
};

} // namespace platform
