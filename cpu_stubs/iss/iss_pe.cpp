#include "cpu_stubs/iss/iss_pe.h"

#include <cstring>
#include <sstream>

namespace cpu_stubs {

namespace {
uint64_t now_ns(const pe& self) {
    return static_cast<uint64_t>(self.local_time().to_seconds() * 1e9 + 0.5);
}
} // namespace

gicv5::iss_response iss_gic_access(pe& self, gicv5::iss_request q) {
    q.el = self.el();
    q.offset = self.local_time() - gicv5::sim_now();
    const gicv5::iss_response r = gicv5::iss_execute(*self.gic.operator->(), q);
    self.spend(r.time);
    return r;
}

iss_guest::iss_guest(const iss_params& p, spi_line_fn spi_line)
    : m_params(p), m_spi_line(std::move(spi_line)) {}

bool iss_guest::boot(pe& self, uint64_t x2, mmio_fn mmio, pe_line irq) {
    m_self = &self;
    m_mmio = std::move(mmio);
    iss_core::hooks h;
    h.irq = [this, irq] { return m_self->line(irq); };
    h.charge = [this](uint64_t n) { m_self->spend(m_params.insn_time * static_cast<double>(n)); };
    h.gic = [this](const gicv5::iss_request& q) {
        return m_gic ? m_gic(*m_self, q) : iss_gic_access(*m_self, q);
    };
    h.mmio = [this](uint64_t addr, unsigned size, bool write, uint64_t& data) {
        const uint64_t cb = m_params.control_base;
        if (addr >= cb && addr - cb < iss_control::SIZE)
            return control(*m_self, addr - cb, write, data);
        return m_mmio(addr, size, write, data);
    };
    try {
        m_core = std::make_unique<iss_core>(std::move(h));
        // RAM: the platform memory behind the bus, by DMI (a grant covers its whole range).
        tlm::tlm_generic_payload tx;
        tlm::tlm_dmi dmi;
        const uint64_t ram = m_params.elf.empty() ? m_params.code_base : m_params.ram_base;
        tx.set_address(ram);
        tx.set_read();
        if (!self.mmio->get_direct_mem_ptr(tx, dmi) || !dmi.is_read_write_allowed()) {
            std::ostringstream m;
            m << "no DMI to RAM at 0x" << std::hex << ram
              << " (the guest's RAM must be the platform memory)";
            m_result.error = m.str();
            return false;
        }
        m_core->map_ram(dmi.get_start_address(),
                        dmi.get_end_address() - dmi.get_start_address() + 1, dmi.get_dmi_ptr());
        uint64_t entry = m_params.code_base;
        if (!m_params.elf.empty())
            entry = m_core->load_elf(m_params.elf);
        else
            for (std::size_t i = 0; i < m_params.code.size(); ++i)
                std::memcpy(dmi.get_dmi_ptr() + (m_params.code_base - dmi.get_start_address()) +
                                4 * i,
                            &m_params.code[i], 4);
        m_core->start(entry, {m_params.irs_base, m_params.control_base, x2, m_params.arg,
                              m_params.x4, m_params.x5});
    } catch (const std::exception& e) {
        m_result.error = e.what();
        return false;
    }
    return true;
}

bool iss_guest::control(pe& self, uint64_t off, bool write, uint64_t& data) {
    namespace C = iss_control;
    // Unicorn 2.0.1 splits an 8-byte MMIO access into two 4-byte ones, low half first: the
    // registers are 32 bits wide, except TIME_NS, whose high half reads at +4.
    if (off % 8 == 4) {
        if (!write)
            data = off == C::TIME_NS + 4 ? now_ns(self) >> 32 : 0;
        if (write && off == C::WAKE_AT_NS + 4)
            m_wake_at = sc_time(static_cast<double>((data & 0xffffffffu) << 32 | m_wake_low),
                                sc_core::SC_NS);
        return write || off == C::TIME_NS + 4;
    }
    data &= 0xffffffffu;
    if (!write) {
        data = off == C::TIME_NS ? now_ns(self) & 0xffffffffu : 0;
        return off == C::TIME_NS;
    }
    const auto spi = static_cast<uint32_t>(data);
    const sc_time at = self.local_time() - gicv5::sim_now() + m_dev_delay;
    switch (off) {
    case C::EXIT:
        m_result.exited = true;
        m_result.verdict = data;
        m_core->stop_now();
        return true;
    case C::VALUE: m_result.values.push_back(data); return true;
    case C::WAKE_AT_NS: m_wake_low = data; return true;
    case C::PUTC: m_result.console += static_cast<char>(data); return true;
    case C::DEV_DELAY:
        m_dev_delay = sc_time(static_cast<double>(data), sc_core::SC_NS);
        return true;
    case C::DEV_PULSE:
    case C::DEV_RAISE:
    case C::DEV_LOWER:
        if (!m_spi_line)
            return false; // no device on this PE
        m_spi_line(spi, off != C::DEV_LOWER, at);
        if (off == C::DEV_PULSE)
            m_spi_line(spi, false, at + sc_time(10, sc_core::SC_NS));
        m_dev_delay = sc_core::SC_ZERO_TIME;
        return true;
    default: return false;
    }
}

iss_guest::step iss_guest::run_slice(pe& self, bool irq) {
    if (done())
        return step::done;
    if (irq && !m_core->irq_masked())
        m_core->take_irq();
    const iss_core::stop s = m_core->run_slice(m_params.slice);
    if (s == iss_core::stop::error && m_result.error.empty())
        m_result.error = m_core->error();
    if (done())
        return step::done;
    (void)self;
    return s == iss_core::stop::wfi ? step::wfi : step::slice;
}

iss_result iss_guest::result() const {
    iss_result r = m_result;
    if (m_core) {
        r.instructions = m_core->instructions();
        r.gic_accesses = m_core->gic_accesses();
        r.irqs = m_core->irqs_taken();
        r.undefined = m_core->undefined_taken();
    }
    return r;
}

void iss_program::run(pe& self) {
    self.set_el(exception_level::EL1); // Unicorn runs EL1 only: the guest is the PE's kernel
    auto bus = [&self](uint64_t addr, unsigned size, bool write, uint64_t& data) {
        return self.access(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, addr, &data,
                           size) == tlm::TLM_OK_RESPONSE;
    };
    const guest_end::guard end = m_end.on_return(self); // however the guest ends
    if (!m_guest.boot(self, self.index(), bus))
        return;
    for (;;) {
        const iss_guest::step s = m_guest.run_slice(self, self.line(pe_line::irq));
        if (s == iss_guest::step::done)
            return;
        if (s == iss_guest::step::wfi) // WFI wakes on the input whatever PSTATE.I says
            self.wait_for_line(pe_line::irq, m_guest.wake_at());
        self.sync_if_needed();
    }
}

} // namespace cpu_stubs
