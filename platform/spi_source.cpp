#include "platform/spi_source.h"

namespace platform {

spi_source::spi_source(const source_config& cfg, unsigned nr_spis, const sc_core::sc_time& stop,
                       uint64_t seed, kvm::vgic_v5& agent, scoreboard& sb)
    : m_cfg(cfg), m_nr_spis(nr_spis), m_period(1.0 / cfg.rate_hz, sc_core::SC_SEC),
      m_next(m_period), m_stop(stop), m_rng(seed), m_agent(agent), m_sb(sb) {}

void spi_source::fire(cpu_stubs::pe& self) {
    const unsigned spi = static_cast<unsigned>(m_rng() % m_nr_spis);
    m_sb.on_inject(m_cfg.vm, spi, m_next); // the device raised it now, even if the PE is late
    m_agent.kvm_vgic_inject_irq(self, m_cfg.vm, spi, true);
    m_next += m_period;
}

} // namespace platform
