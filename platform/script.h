// Directed scenarios: a config's `script:` steps, each run by one PE with role script, in order
// and at that PE's local time. A step is software on that PE (an MMIO access, a GIC instruction,
// an ICC_/ICH_ register access, a change of exception level, a pause), the outside world (an SPI
// wire), or a check (an expected value, TLM status or interrupt line). A failed check is recorded
// and the script goes on; the run reports every failure.
//
// Agent steps make the script PE a host CPU running KVM's ioctls at EL2 through the hypervisor
// agent (platform/kvm/vgic_v5.h): KVM_IRQ_LINE, irqfds, a vCPU kick, a VM's teardown, the save
// and restore of its guest IRS registers and SPI and LPI ISTs, and checks of the agent's state.
// Guest steps (a sys, sysreg_* or mmio_* step with a guest target) run on the PE where that vCPU is
// loaded, at its EL1.
//
// Timing: each step costs what the hardware charges for it. `wait` idles the PE and yields to
// the kernel (under temporal decoupling a PE otherwise runs a quantum ahead of the others);
// `expect_line` yields too before it looks. GIC commands are posted, so their effects (an IRQ
// line, a pending bit) land a few hops later: a check right after the command that causes it
// needs a `wait` first. `at` starts a step at an absolute time, as a wait up to it would.
#pragma once

#include "cpu_stubs/pe.h"
#include "cpu_stubs/vcpu_program.h"
#include "platform/kvm/guest_irs.h"
#include "tlm_gicv5/insn.h"
#include "tlm_gicv5/iss_access.h"

#include <systemc>
#include <tlm>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace platform {

namespace kvm {
class vgic_v5;
}
struct platform_config;

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
    // Agent steps (operands in script_step::agent), run at EL2 on the script PE.
    kvm_irq_line,   // vm, spi, level; or vm, vcpu, ppi (SW_PPI), level
    irqfd,          // vm, spi: level 1 then 0, as irqfd_inject() does
    resample_irqfd, // vm, spi: level 1; lowered when the ack notifier reports the SPI consumed
    vcpu_kick,      // vm, vcpu
    vm_teardown,    // vm
    ist_save,       // vm; keep_quiesced: guest IRS registers, SPI vIST, LPI IST
    ist_restore,    // vm, from: the image an earlier ist_save of VM `from` kept; resave
    expect_agent,   // vm, and the values to check (spi for listed and notifier_calls)
    wfi,            // vm, vcpu: that vCPU's guest executes WFI (a guest step)
};
const char* to_string(script_kind k);

struct line_check {
    unsigned pe = 0;
    cpu_stubs::pe_line line = cpu_stubs::pe_line::irq;
    bool level = true;
};

// Where a guest step runs: on the PE where vCPU `vcpu` of VM `vm` is loaded, at its EL1.
struct guest_target {
    unsigned vm = 0, vcpu = 0;
};

// The operands of an agent step; which apply depends on the step (script_kind).
struct agent_args {
    unsigned vm = 0;
    std::optional<unsigned> vcpu; // kvm_irq_line with ppi, vcpu_kick, wfi
    std::optional<unsigned> spi;  // the VM's SPI index
    std::optional<unsigned> ppi;  // kvm_irq_line: the PPI number (KVM allows SW_PPI only)
    bool level = true;            // kvm_irq_line
    bool keep_quiesced = false;   // ist_save: no vm_resume() after the save
    unsigned from = 0;            // ist_restore: the VM whose saved image is written
    bool resave = false;          // ist_restore: save again before the replay and compare
    // expect_agent: each value given is compared (listed, notifier_calls: of SPI `spi`).
    std::optional<uint64_t> ap_list_length, listed, notifier_calls, vdpend, vdrcfg, last_vdpend;
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
    agent_args agent;                                        // agent steps
    std::optional<guest_target> guest;  // sys, sysreg_*, mmio_*: run as this vCPU's guest
    std::optional<sc_core::sc_time> at; // any step: starts at this absolute time
};

// True for the steps that run through the hypervisor agent, and for those a guest target may
// move to a vCPU's PE.
bool is_agent_step(script_kind k);
bool may_run_as_guest(script_kind k);

// The agent and guest steps' operands against the config's VMs (vm, vcpu, spi, from in range),
// each problem told to err as (key path, "expected ..., got ..."), as check_topology reports.
void check_script_targets(
    const platform_config& cfg,
    const std::function<void(const std::string& path, const std::string& what)>& err);

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

// A guest step's view of the vCPU it runs as: the PE where the vCPU is loaded (at its EL1), and
// the guest's bus accesses (those to its emulated IRS frame trap to the agent).
struct guest_context {
    cpu_stubs::pe& self;
    std::function<tlm::tlm_response_status(uint64_t addr, unsigned size, bool write,
                                           uint64_t& data)>
        mmio;
};

// What a script reaches outside its own PE.
struct script_env {
    std::function<void(uint32_t spi, bool level, const sc_core::sc_time& delay)> spi_line;
    std::function<cpu_stubs::pe&(unsigned index)> pe;
    // The hypervisor agent, for agent steps (nullptr: they fail). Its ack notifier is registered
    // for the VMs of resample_irqfd steps when the runner is built (elaboration).
    kvm::vgic_v5* agent = nullptr;
    // An edge injection by an agent step, at its start (the scoreboard's on_inject); optional.
    std::function<void(unsigned vm, unsigned spi, const sc_core::sc_time& at)> injected;
    // An ist_restore moved VM `from`'s SPI state into VM `to` (a migration): SPIs injected into
    // `from` and not yet taken are now `to`'s to deliver.
    std::function<void(unsigned from, unsigned to)> migrated;
    // Runs body on the PE of vCPU vcpu of VM vm, at its EL1, when it next runs guest code, and
    // blocks the calling script PE until done; false when that cannot be (no such vCPU, VM
    // dead). Empty: guest steps fail.
    std::function<bool(unsigned vm, unsigned vcpu, const std::function<void(guest_context&)>& body)>
        on_vcpu;
    // Told of a guest step's acknowledge (a valid GICR CDIA) and deactivation (GIC CDDI) of an
    // SPI, as a vCPU's own handler tells them, so the scoreboard matches a scripted guest's SPIs
    // with their injections; optional.
    cpu_stubs::guest_observer* guest_observer = nullptr;
    // Makes vCPU vcpu of VM vm execute WFI, and blocks the calling script PE until the WFI is
    // done (at once with a vIRQ pending, else when the vCPU runs again after its put); false
    // when that cannot be. Empty: wfi steps fail.
    std::function<bool(unsigned vm, unsigned vcpu)> guest_wfi;
};

// The program of one script PE: its steps (with their index in the whole script, for messages)
// run in order; it starts at EL1 and syncs to its local time when done.
//
// A resample_irqfd's line is lowered by this PE (KVM irqfd_resampler_ack()): the agent's ack
// notifier runs inside a fold, with its locks held, on the vCPU's PE, so it only queues the
// lowering; this PE does it before its next step, during a wait or at, or after its last step.
class script_runner : public cpu_stubs::pe_program {
public:
    script_runner(std::vector<std::pair<std::size_t, script_step>> steps, script_env env);
    ~script_runner() override;
    void run(cpu_stubs::pe& self) override;

    bool done() const { return m_done; }
    const sc_core::sc_event& done_event() const { return m_done_event; }
    uint64_t steps_run() const { return m_steps_run; }
    // (step index, message), in the order they happened.
    const std::vector<std::pair<std::size_t, std::string>>& failures() const { return m_failures; }

private:
    struct resampler;
    void step(cpu_stubs::pe& self, std::size_t index, const script_step& s);
    // The steps a guest target may move: on `self` with bus accesses through `mmio`.
    void local_step(
        cpu_stubs::pe& self, std::size_t index, const script_step& s,
        const std::function<tlm::tlm_response_status(uint64_t, unsigned, bool, uint64_t&)>& mmio);
    void agent_step(cpu_stubs::pe& self, std::size_t index, const script_step& s);
    // A guest's sys step, told to env.guest_observer when it acknowledged or deactivated an SPI.
    void observe_guest(cpu_stubs::pe& self, const script_step& s, uint64_t result);
    void expect_agent(cpu_stubs::pe& self, std::size_t index, const script_step& s);
    // Idles until `until` (syncing), lowering resampled lines as their notifications come.
    void idle_until(cpu_stubs::pe& self, const sc_core::sc_time& until);
    void lower_resampled(cpu_stubs::pe& self);
    void fail(std::size_t index, const script_step& s, const std::string& what);
    bool undefined(std::size_t index, const script_step& s, const gicv5::iss_request& q);
    void check(std::size_t index, const script_step& s, const std::string& what, uint64_t actual);

    std::vector<std::pair<std::size_t, script_step>> m_steps;
    script_env m_env;
    bool m_done = false;
    sc_core::sc_event m_done_event;
    uint64_t m_steps_run = 0;
    std::vector<std::pair<std::size_t, std::string>> m_failures;
    // What an ist_save keeps of a VM: KVM's device attributes IRS_REGS and IST.
    struct saved_vm {
        kvm::guest_irs_state irs;
        std::vector<uint32_t> spi_ist, lpi_ist; // lpi_ist empty: no mapped LPI IST
    };
    void restore(cpu_stubs::pe& self, std::size_t index, const script_step& s,
                 const saved_vm& image);
    // A failure naming the first ISTE where a re-saved image differs from the restored one.
    void compare_images(std::size_t index, const script_step& s, const char* what,
                        const std::vector<uint32_t>& saved, const std::vector<uint32_t>& again);
    std::map<unsigned, saved_vm> m_saved; // ist_save images, by VM
    std::unique_ptr<resampler> m_resampler;
};

} // namespace platform
