#include "platform/script.h"

#include <cctype>
#include <cstdio>

namespace platform {

namespace {

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(a[i])) !=
            std::toupper(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// What the step does, for messages: "mmio_read 0x2f1a0080 size 4", "sys GIC CDEN xt 0x60000005".
std::string describe(const script_step& s) {
    std::string d = to_string(s.kind);
    switch (s.kind) {
    case script_kind::mmio_read: return d + " " + hex(s.addr) + " size " + std::to_string(s.size);
    case script_kind::mmio_write:
        return d + " " + hex(s.addr) + " value " + hex(s.value) + " size " + std::to_string(s.size);
    case script_kind::sys: // a GICR form's Xt is its destination, not an operand
        return d + " " + mnemonic(s.insn) + (gicv5::desc(s.insn).sysl ? "" : " xt " + hex(s.xt));
    case script_kind::sysreg_read: return d + " " + gicv5::desc(s.reg).name;
    case script_kind::sysreg_write:
        return d + " " + gicv5::desc(s.reg).name + " value " + hex(s.value);
    case script_kind::spi_line:
        return d + " " + std::to_string(s.spi) + " level " + std::to_string(s.level);
    case script_kind::wait: return d + " " + s.time.to_string();
    case script_kind::expect_line:
        return d + " pe " + std::to_string(s.line.pe) + " " + cpu_stubs::to_string(s.line.line);
    case script_kind::el: return d + " " + std::to_string(static_cast<unsigned>(s.el));
    }
    return d;
}

} // namespace

const char* to_string(script_kind k) {
    switch (k) {
    case script_kind::mmio_read: return "mmio_read";
    case script_kind::mmio_write: return "mmio_write";
    case script_kind::sys: return "sys";
    case script_kind::sysreg_read: return "sysreg_read";
    case script_kind::sysreg_write: return "sysreg_write";
    case script_kind::spi_line: return "spi_line";
    case script_kind::wait: return "wait";
    case script_kind::expect_line: return "expect_line";
    case script_kind::el: return "el";
    }
    return "?";
}

std::string mnemonic(gicv5::gic_insn i) {
    const gicv5::insn_desc& d = gicv5::desc(i);
    const std::string name = d.name;
    if (name.compare(0, 4, "GSB_") == 0)
        return "GSB " + name.substr(4);
    return (d.sysl ? "GICR " : "GIC ") + name;
}

std::optional<gicv5::gic_insn> parse_mnemonic(std::string_view text) {
    for (std::size_t i = 0; i < gicv5::gic_insn_count; ++i) {
        const auto insn = static_cast<gicv5::gic_insn>(i);
        if (same_ignoring_case(text, mnemonic(insn)))
            return insn;
    }
    return std::nullopt;
}

std::string mnemonic_list() {
    std::string list;
    for (std::size_t i = 0; i < gicv5::gic_insn_count; ++i)
        list += (list.empty() ? "" : ", ") + mnemonic(static_cast<gicv5::gic_insn>(i));
    return list;
}

std::optional<gicv5::sysreg> parse_sysreg(std::string_view name) {
    for (std::size_t i = 0; i < static_cast<std::size_t>(gicv5::sysreg::count); ++i)
        if (name == gicv5::sysregs[i].name)
            return static_cast<gicv5::sysreg>(i);
    return std::nullopt;
}

const std::vector<std::pair<std::string, tlm::tlm_response_status>>& status_names() {
    static const std::vector<std::pair<std::string, tlm::tlm_response_status>> names{
        {"ok", tlm::TLM_OK_RESPONSE},
        {"address_error", tlm::TLM_ADDRESS_ERROR_RESPONSE},
        {"generic_error", tlm::TLM_GENERIC_ERROR_RESPONSE},
        {"burst_error", tlm::TLM_BURST_ERROR_RESPONSE},
        {"byte_enable_error", tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE},
        {"command_error", tlm::TLM_COMMAND_ERROR_RESPONSE},
    };
    return names;
}

std::string to_string(tlm::tlm_response_status s) {
    for (const auto& [name, status] : status_names())
        if (status == s)
            return name;
    return "incomplete"; // TLM_INCOMPLETE_RESPONSE: the target never answered
}

void script_runner::run(cpu_stubs::pe& self) {
    self.set_el(gicv5::exception_level::EL1);
    for (const auto& [index, s] : m_steps) {
        step(self, index, s);
        ++m_steps_run;
        self.sync_if_needed();
    }
    self.sync(); // the run's end then covers the script's last wait
    m_done = true;
    m_done_event.notify(sc_core::SC_ZERO_TIME);
}

void script_runner::step(cpu_stubs::pe& self, std::size_t index, const script_step& s) {
    switch (s.kind) {
    case script_kind::mmio_read:
    case script_kind::mmio_write: {
        const bool read = s.kind == script_kind::mmio_read;
        uint64_t data = read ? 0 : s.value;
        const tlm::tlm_response_status st = self.access(
            read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND, s.addr, &data, s.size);
        if (st != s.status)
            fail(index, s, "expected status " + to_string(s.status) + ", got " + to_string(st));
        else if (read && st == tlm::TLM_OK_RESPONSE)
            check(index, s, "", data);
        return;
    }
    case script_kind::sys:
        if (undefined(index, s, gicv5::request_for(s.insn, s.xt, self.el())))
            return;
        check(index, s, "result ", self.insn(s.insn, s.xt));
        return;
    case script_kind::sysreg_read:
        if (undefined(index, s, gicv5::request_for(s.reg, true, 0, self.el())))
            return;
        check(index, s, "", self.mrs(s.reg));
        return;
    case script_kind::sysreg_write:
        if (undefined(index, s, gicv5::request_for(s.reg, false, s.value, self.el())))
            return;
        self.msr(s.reg, s.value);
        return;
    case script_kind::spi_line:
        // A device's wire changes at this PE's local time.
        m_env.spi_line(s.spi, s.level, self.local_time() - sc_core::sc_time_stamp());
        return;
    case script_kind::wait:
        // Idling yields to the kernel even within the quantum, so that the other PEs' steps
        // up to this time have run when the next step looks at shared state.
        self.idle_until(self.local_time() + s.time);
        self.sync();
        return;
    case script_kind::expect_line: {
        self.sync(); // the other PEs catch up to this PE's local time first
        const bool actual = m_env.pe(s.line.pe).in(s.line.line).level_at(self.local_time());
        if (actual != s.line.level)
            fail(index, s,
                 "expected " + std::to_string(s.line.level) + ", got " + std::to_string(actual));
        return;
    }
    case script_kind::el: self.set_el(s.el); return;
    }
}

// A step that is UNDEFINED at the PE's exception level has no effect, as for an ISS
// (iss_execute()); the CPU interface would treat it as a broken stub, so a script gets a failure.
bool script_runner::undefined(std::size_t index, const script_step& s,
                              const gicv5::iss_request& q) {
    const char* rule = gicv5::undefined_rule(q);
    if (rule)
        fail(index, s,
             std::string("UNDEFINED at EL") + std::to_string(static_cast<unsigned>(q.el)) + ": " +
                 rule + "; not executed");
    return rule != nullptr;
}

void script_runner::check(std::size_t index, const script_step& s, const std::string& what,
                          uint64_t actual) {
    if (!s.expect || ((actual ^ *s.expect) & s.mask) == 0)
        return;
    std::string msg = "expected " + what + hex(*s.expect);
    if (s.mask != ~uint64_t{0})
        msg += " under mask " + hex(s.mask) + ", got " + hex(actual) + " (" + hex(actual & s.mask) +
               " under the mask)";
    else
        msg += ", got " + hex(actual);
    fail(index, s, msg);
}

void script_runner::fail(std::size_t index, const script_step& s, const std::string& what) {
    std::string msg = "script." + std::to_string(index);
    if (!s.origin.empty())
        msg += " (" + s.origin + ")";
    msg += ": pe " + std::to_string(s.pe) + ": " + describe(s) + ": " + what;
    m_failures.emplace_back(index, std::move(msg));
}

} // namespace platform
