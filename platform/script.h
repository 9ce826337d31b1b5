// Directed scenarios: a config's `script:` steps, each run by one PE with role script, in order
// and at that PE's local time. A step is software on that PE (an MMIO access, a GIC instruction,
// an ICC_/ICH_ register access, a change of exception level, a pause), the outside world (an SPI
// wire), or a check (an expected value, TLM status or interrupt line). A failed check is recorded
// and the script goes on; the run reports every failure.
//
// Timing: each step costs what the hardware charges for it. `wait` idles the PE and yields to
// the kernel (under temporal decoupling a PE otherwise runs a quantum ahead of the others);
// `expect_line` yields too before it looks. GIC commands are posted, so their effects (an IRQ
// line, a pending bit) land a few hops later: a check right after the command that causes it
// needs a `wait` first.
#pragma once

#include "cpu_stubs/pe.h"
#include "tlm_gicv5/insn.h"
#include "tlm_gicv5/iss_access.h"

#include <systemc>
#include <tlm>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace platform {

enum class script_kind : uint8_t {
    mmio_read,    // addr, size; optional expect, mask, status
    mmio_write,   // addr, value, size; optional status
    sys,          // insn, xt; optional expect (GICR forms only)
    sysreg_read,  // reg; optional expect, mask
    sysreg_write, // reg, value
    spi_line,     // spi, level: drives the wire of a physical SPI
    wait,         // time: the PE idles that long, letting the other PEs catch up
    expect_line,  // line: an interrupt input of some PE, checked at this PE's local time
    el,           // el: the exception level of later sys and sysreg steps
};
const char* to_string(script_kind k);

struct line_check {
    unsigned pe = 0;
    cpu_stubs::pe_line line = cpu_stubs::pe_line::irq;
    bool level = true;
};

struct script_step {
    script_kind kind = script_kind::wait;
    unsigned pe = 0;    // the PE that runs the step (role script)
    std::string origin; // "FILE:LINE", for messages; may be empty
    uint64_t addr = 0;  // mmio_*
    unsigned size = 4;  // mmio_*: bytes, 4 or 8
    uint64_t value = 0; // mmio_write, sysreg_write
    std::optional<uint64_t> expect;
    uint64_t mask = ~uint64_t{0};                            // bits of expect that are compared
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;  // mmio_*: the expected response
    gicv5::gic_insn insn = gicv5::gic_insn::GSB_SYS;         // sys
    uint64_t xt = 0;                                         // sys: the raw operand
    gicv5::sysreg reg = gicv5::sysreg::ICC_IDR0_EL1;         // sysreg_*
    uint32_t spi = 0;                                        // spi_line: the SPI ID
    bool level = false;                                      // spi_line
    sc_core::sc_time time;                                   // wait
    line_check line;                                         // expect_line
    gicv5::exception_level el = gicv5::exception_level::EL1; // el
};

// The architectural mnemonic of a GIC instruction, from gicv5::gic_insns[]: "GSB SYS" for GSB_x,
// "GICR CDIA" for the SYSL forms, else "GIC CDEN".
std::string mnemonic(gicv5::gic_insn i);
// The instruction a mnemonic names: case-insensitive, words separated by one space.
std::optional<gicv5::gic_insn> parse_mnemonic(std::string_view text);
// Every mnemonic, in table order, comma-separated (for error messages and docs).
std::string mnemonic_list();
// A system register by its exact name in gicv5::sysregs[] ("ICC_PCR_EL1").
std::optional<gicv5::sysreg> parse_sysreg(std::string_view name);
// TLM response status names as configs write them: ok, address_error, generic_error, ...
const std::vector<std::pair<std::string, tlm::tlm_response_status>>& status_names();
std::string to_string(tlm::tlm_response_status s);

// What a script reaches outside its own PE.
struct script_env {
    std::function<void(uint32_t spi, bool level, const sc_core::sc_time& delay)> spi_line;
    std::function<cpu_stubs::pe&(unsigned index)> pe;
};

// The program of one script PE: its steps (with their index in the whole script, for messages)
// run in order; it starts at EL1 and syncs to its local time when done.
class script_runner : public cpu_stubs::pe_program {
public:
    script_runner(std::vector<std::pair<std::size_t, script_step>> steps, script_env env)
        : m_steps(std::move(steps)), m_env(std::move(env)) {}
    void run(cpu_stubs::pe& self) override;

    bool done() const { return m_done; }
    const sc_core::sc_event& done_event() const { return m_done_event; }
    uint64_t steps_run() const { return m_steps_run; }
    // (step index, message), in the order they happened.
    const std::vector<std::pair<std::size_t, std::string>>& failures() const { return m_failures; }

private:
    void step(cpu_stubs::pe& self, std::size_t index, const script_step& s);
    void fail(std::size_t index, const script_step& s, const std::string& what);
    bool undefined(std::size_t index, const script_step& s, const gicv5::iss_request& q);
    void check(std::size_t index, const script_step& s, const std::string& what, uint64_t actual);

    std::vector<std::pair<std::size_t, script_step>> m_steps;
    script_env m_env;
    bool m_done = false;
    sc_core::sc_event m_done_event;
    uint64_t m_steps_run = 0;
    std::vector<std::pair<std::size_t, std::string>> m_failures;
};

} // namespace platform
