// IRS: wired physical SPIs and PE selection (reference §2.3, §2.5).
#include "tlm_gicv5/irs.h"

namespace gicv5 {

using sc_core::sc_time;

void irs::spi_sample(unsigned index, bool level, const sc_time& delay) {
    detail::spi_state& s = m_spis[index];
    if (s.line == level)
        return;
    s.line = level;
    sample_line(s, delay);
}

void irs::sample_line(detail::spi_state& s, const sc_time& sampled) {
    // The engine takes the sample as it takes a command; the sample waits only for the engine
    // (its own processing is not charged, as before the engine was modelled).
    const sc_time delay = sampled + engine_wait(sampled, m_params.t_process);
    if (IRS_SPI_VMR::VIRT.test(s.vmr)) {
        // The wire belongs to a VM: it pends (or, level, un-pends) the virtual SPI of the same
        // ID in that VM's SPI vIST, as a VDPEND would. Its handling mode is the VM's to set.
        if (!s.line && !s.level_triggered)
            return;
        stream_payload p;
        p.cmd = stream_cmd::set_pending;
        p.virt = true;
        p.vm = static_cast<uint16_t>(IRS_SPI_VMR::VM_ID.get(s.vmr));
        p.id = s.node.id();
        p.value = s.line;
        sc_time work = delay;
        virtual_command(p, work);
        return;
    }
    iste e = iste::decode(s.iste);
    if (s.line) {
        // R_HHKMN, R_QBXXV: a high line makes the SPI pending, and its handling mode follows
        // the trigger mode.
        e.pending = true;
        e.hm = s.level_triggered ? handling_mode::level : handling_mode::edge;
    } else if (s.level_triggered) {
        e.pending = false; // R_DMTFM: a level SPI stops pending when its line drops
    }
    s.iste = e.encode();
    track(m_physical, s.node, e, delay);
}

detail::spi_state* irs::selected_spi() {
    const uint64_t id = IRS_SPI_SELR::ID.get(reg(irs_reg::IRS_SPI_SELR));
    if (id < m_params.spi_base || id - m_params.spi_base >= m_params.spi_irs_range)
        return nullptr;
    return &m_spis[id - m_params.spi_base];
}

void irs::IRS_SPI_SELR_write(uint64_t value, sc_time& delay) {
    // A selector write is accepted at any time (Linux does not wait for IDLE first, §2.3).
    reg(irs_reg::IRS_SPI_SELR) = value;
    const detail::spi_state* s = selected_spi();
    // V: the selected SPI is one this domain may manage (reference §2.3).
    reg(irs_reg::IRS_SPI_STATUSR) = IRS_SPI_STATUSR::V.make(s != nullptr);
    reg(irs_reg::IRS_SPI_CFGR) = IRS_SPI_CFGR::TM.make(s && s->level_triggered);
    reg(irs_reg::IRS_SPI_VMR) = s ? s->vmr : 0;
    start_op(m_spi_busy_until, delay);
}

void irs::IRS_SPI_CFGR_write(uint64_t value, sc_time& delay) {
    detail::spi_state* s = selected_spi();
    if (!config_write_ok(m_spi_busy_until, s, delay,
                         "IRS_SPI_CFGR written before IDLE or with an invalid selector"))
        return;
    reg(irs_reg::IRS_SPI_CFGR) = value;
    const bool level = IRS_SPI_CFGR::TM.test(value);
    if (level != s->level_triggered) {
        s->level_triggered = level;
        // R_KBPXL: to level, pending follows the line; to edge, a high line's pending clears.
        // A high line's SPI takes the new mode's handling mode, as sampling it would
        // (R_QBXXV): a level SPI pending in edge mode would be lost at its activation.
        iste e = iste::decode(s->iste);
        if (level)
            e.pending = s->line;
        else if (s->line)
            e.pending = false;
        if (s->line)
            e.hm = level ? handling_mode::level : handling_mode::edge;
        s->iste = e.encode();
        track(m_physical, s->node, e, delay);
    }
    start_op(m_spi_busy_until, delay);
}

void irs::IRS_SPI_VMR_write(uint64_t value, sc_time& delay) {
    detail::spi_state* s = selected_spi();
    if (!config_write_ok(m_spi_busy_until, s, delay,
                         "IRS_SPI_VMR written before IDLE or with an invalid selector"))
        return;
    reg(irs_reg::IRS_SPI_VMR) = value;
    s->vmr = value;
    if (IRS_SPI_VMR::VIRT.test(value)) {
        // Handed to a VM: it stops being a physical candidate.
        iste e = iste::decode(s->iste);
        e.pending = false;
        s->iste = e.encode();
        track(m_physical, s->node, e, delay);
    }
    start_op(m_spi_busy_until, delay);
}

void irs::IRS_SPI_RESAMPLER_write(uint64_t value, sc_time& delay) {
    const uint64_t id = IRS_SPI_RESAMPLER::SPI_ID.get(value);
    if (id < m_params.spi_base || id - m_params.spi_base >= m_params.spi_irs_range) {
        ignore("IRS_SPI_RESAMPLER names an SPI this IRS does not own");
        return;
    }
    // The same sampling as a line change, on the current line value (reference §2.5).
    sample_line(m_spis[id - m_params.spi_base], delay);
}

void irs::IRS_PE_SELR_write(uint64_t value, sc_time& delay) {
    reg(irs_reg::IRS_PE_SELR) = value;
    const uint64_t iaffid = IRS_PE_SELR::IAFFID.get(value);
    const bool v = iaffid < m_physical.targets.size();
    // SIMPLIFICATION: every PE the IRS serves is online.
    reg(irs_reg::IRS_PE_STATUSR) = IRS_PE_STATUSR::V.make(v) | IRS_PE_STATUSR::ONLINE.make(v);
    reg(irs_reg::IRS_PE_CR0) = IRS_PE_CR0::DPS.make(v && m_physical.targets[iaffid].dps);
    start_op(m_pe_busy_until, delay);
}

void irs::IRS_PE_CR0_write(uint64_t value, sc_time& delay) {
    const uint64_t iaffid = IRS_PE_SELR::IAFFID.get(reg(irs_reg::IRS_PE_SELR));
    if (!config_write_ok(m_pe_busy_until, iaffid < m_physical.targets.size(), delay,
                         "IRS_PE_CR0 written before IDLE or with an invalid selector"))
        return;
    reg(irs_reg::IRS_PE_CR0) = value;
    const bool dps = IRS_PE_CR0::DPS.test(value);
    if (dps != m_physical.targets[iaffid].dps) {
        m_physical.targets[iaffid].dps = dps;
        one_of_n_changed(static_cast<uint16_t>(iaffid), delay);
    }
    start_op(m_pe_busy_until, delay);
}

} // namespace gicv5
