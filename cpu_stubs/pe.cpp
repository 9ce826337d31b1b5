#include "cpu_stubs/pe.h"

#include "tlm_gicv5/transaction.h"

#include <sstream>

namespace cpu_stubs {

pe::pe(const sc_core::sc_module_name& name, unsigned index)
    : sc_module(name), gic("gic"), mmio("mmio"),
      m_index(index), m_lines{line_input(*this), line_input(*this), line_input(*this),
                              line_input(*this)} {
    m_wake |= m_line_event;
    m_wake |= m_deadline_event;
    SC_THREAD(thread);
    SC_METHOD(cntv_fire);
    sensitive << m_cntv_event;
    dont_initialize();
    m_qk.reset();
}

void pe::set_cntv(const timer_state& t) {
    m_cntv = t;
    const sc_time now = gicv5::sim_now();
    const sc_time offset = m_qk.get_local_time();
    const bool fired = t.enabled && t.cval <= local_time();
    cntv_out.write(fired, offset);
    if (t.enabled && !fired)
        m_cntv_event.notify(t.cval - now); // an earlier pending notification wins; see cntv_fire
}

void pe::cntv_fire() {
    const sc_time now = gicv5::sim_now();
    if (!m_cntv.enabled)
        return;
    if (now < m_cntv.cval) { // an earlier notification, from a compare value since moved
        m_cntv_event.notify(m_cntv.cval - now);
        return;
    }
    cntv_out.write(true, sc_core::SC_ZERO_TIME);
}

void pe::thread() {
    // A zero global quantum turns temporal decoupling off: the PE then waits out each access.
    m_decoupled = tlm::tlm_global_quantum::instance().get() != sc_core::SC_ZERO_TIME;
    if (m_program)
        m_program->run(*this);
}

std::optional<uint64_t> pe::emulate_trap() {
    if (!m_pending_trap)
        return std::nullopt;
    const gicv5::gic_trap t = *m_pending_trap;
    m_pending_trap.reset();
    return m_trap_emulator ? m_trap_emulator(*this, t) : std::nullopt;
}

uint64_t pe::insn(gicv5::gic_insn i, uint64_t operand) {
    sc_time d = m_qk.get_local_time();
    const uint64_t r = gic->execute(i, operand, m_el, d);
    m_qk.set(d);
    sync_if_off();
    emulate_trap();
    return r;
}

uint64_t pe::mrs(gicv5::sysreg r) {
    sc_time d = m_qk.get_local_time();
    const uint64_t v = gic->read_sysreg(r, m_el, d);
    m_qk.set(d);
    sync_if_off();
    return emulate_trap().value_or(v);
}

void pe::msr(gicv5::sysreg r, uint64_t value) {
    sc_time d = m_qk.get_local_time();
    gic->write_sysreg(r, value, m_el, d);
    m_qk.set(d);
    sync_if_off();
    emulate_trap();
}

tlm::tlm_response_status pe::access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
    tlm::tlm_generic_payload& tx = m_tx;
    gicv5::init_transaction(tx, cmd, addr, data, len);
    sc_time d = m_qk.get_local_time();
    mmio->b_transport(tx, d);
    m_qk.set(d);
    sync_if_off();
    return tx.get_response_status();
}

namespace {
void check(tlm::tlm_response_status s, const char* who, uint64_t addr) {
    if (s == tlm::TLM_OK_RESPONSE)
        return;
    std::ostringstream msg;
    msg << "bus error at 0x" << std::hex << addr;
    SC_REPORT_ERROR(who, msg.str().c_str());
}
} // namespace

uint32_t pe::read32(uint64_t addr) {
    uint32_t v = 0;
    check(access(tlm::TLM_READ_COMMAND, addr, &v, 4), name(), addr);
    return v;
}
uint64_t pe::read64(uint64_t addr) {
    uint64_t v = 0;
    check(access(tlm::TLM_READ_COMMAND, addr, &v, 8), name(), addr);
    return v;
}
void pe::write32(uint64_t addr, uint32_t value) {
    check(access(tlm::TLM_WRITE_COMMAND, addr, &value, 4), name(), addr);
}
void pe::write64(uint64_t addr, uint64_t value) {
    check(access(tlm::TLM_WRITE_COMMAND, addr, &value, 8), name(), addr);
}

void pe::idle_until(const sc_time& until) {
    if (until <= local_time())
        return;
    // Within the quantum the PE just runs ahead; past it, it yields to the kernel.
    m_qk.set(until - gicv5::sim_now());
    sync_if_needed();
}

bool pe::wait_for_line(pe_line l, const sc_time& until) {
    return wait_for_any({l}, until).has_value();
}

void pe::poke(const sc_time& at) {
    m_poked = true;
    m_poke_at = at;
    if (sc_core::sc_get_status() == sc_core::SC_RUNNING)
        m_line_event.notify();
    else
        m_line_event.notify(sc_core::SC_ZERO_TIME);
}

std::optional<pe_line> pe::wait_for_any(std::initializer_list<pe_line> lines, const sc_time& until,
                                        bool pokeable) {
    for (;;) {
        // A line high now wins, in `lines` order; else the earliest rise before `until`.
        std::optional<pe_line> first;
        for (pe_line l : lines) {
            const line_input& in = m_lines[static_cast<unsigned>(l)];
            if (in.m_level && local_time() >= in.m_since)
                return l;
            if (in.m_level && in.m_since <= until &&
                (!first || in.m_since < m_lines[static_cast<unsigned>(*first)].m_since))
                first = l;
        }
        if (pokeable && m_poked && m_poke_at <= until &&
            (!first || m_poke_at < m_lines[static_cast<unsigned>(*first)].m_since)) {
            if (m_poke_at > local_time())
                idle_until(m_poke_at);
            return std::nullopt; // the caller sees take_poke()
        }
        if (first) {
            idle_until(m_lines[static_cast<unsigned>(*first)].m_since);
            return first;
        }
        if (local_time() >= until)
            return std::nullopt;
        // One wait, from the kernel's time, for the first rise or `until`: no separate catch-up
        // to local time first (a thread switch per interrupt saved). A rise before local time is
        // seen at local time, as if the PE had synchronised and then looked.
        const sc_time ahead = local_time();
        if (until != gicv5::sim_max_time() && until != m_deadline_armed) {
            m_deadline_event.cancel(); // the deadline moved: the only case that leaves a stale one
            m_deadline_event.notify(until - gicv5::sim_now());
            m_deadline_armed = until;
        }
        sc_core::wait(m_wake);
        if (gicv5::sim_now() >= m_deadline_armed)
            m_deadline_armed = sc_core::SC_ZERO_TIME; // it fired (or was due): none pending
        m_qk.reset();
        if (ahead > gicv5::sim_now())
            m_qk.set(ahead - gicv5::sim_now());
    }
}

void pe::line_input::irq_signal(bool level, const sc_time& delay) {
    m_level = level;
    m_since = gicv5::sim_now() + delay;
    // The PE wakes now, not at the rise: it then idles to the rise time in its own local time
    // (wait_for_any), as temporal decoupling allows, and no timed kernel step is spent per
    // interrupt. Beyond the quantum it synchronises first, as any PE does.
    // An immediate notification is only allowed while processes run (IEEE 1666 5.10.8); a wire
    // driven at elaboration or between runs wakes the PE at the next delta instead.
    if (level) {
        if (sc_core::sc_get_status() == sc_core::SC_RUNNING)
            m_owner.m_line_event.notify();
        else
            m_owner.m_line_event.notify(sc_core::SC_ZERO_TIME);
    }
    if (m_owner.m_line_observer)
        m_owner.m_line_observer->line_changed(
            m_owner.m_index, static_cast<pe_line>(this - m_owner.m_lines.data()), level, m_since);
}

const char* to_string(pe_line l) {
    switch (l) {
    case pe_line::irq: return "irq";
    case pe_line::fiq: return "fiq";
    case pe_line::nmi: return "nmi";
    case pe_line::virq: return "virq";
    }
    return "?";
}

} // namespace cpu_stubs
