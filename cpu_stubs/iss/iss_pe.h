// The ISS PE: a PE stand-in (cpu_stubs::pe: its CPU interface, bus socket, interrupt inputs and
// quantum keeper) whose program is real AArch64 code, run by an iss_core at EL1.
//
// iss_program (physical PE, EL1) and iss_vcpu_program (a vCPU's guest, iss_vcpu.h) share:
//   - RAM: the platform memory, by DMI over its whole range; the guest's ELF is loaded into it;
//   - slices of `slice` instructions, each instruction charging insn_time to the PE's local time,
//     the quantum keeper synchronising between slices;
//   - GIC instructions and ICC_/ICH_ registers through gicv5::iss_execute() at the PE's
//     exception level and local time, the result in Xt;
//   - the IRQ input (the vIRQ for a vCPU's guest) taken at VBAR_EL1 + 0x280 when PSTATE.I is
//     clear, checked between slices; WFI idles the PE until the input is high;
//   - the guest's control page at control_base (iss_control below): its verdict, values it
//     reports, a console, its local time, and (physical PE) a device that drives SPI lines.
// At entry x0 = the IRS config frame (a vCPU guest: its VM's emulated IRS), x1 = control_base,
// x2 = the PE's IAFFID (a vCPU: its vPE ID), x3 = arg; a vCPU's guest: x4 = its VM's SPI count,
// x5 = the mask of its level SPIs (SPIs 0..63).
#pragma once

#include "cpu_stubs/iss/iss_core.h"
#include "cpu_stubs/pe.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cpu_stubs {

struct iss_params {
    std::string elf;            // the guest image ...
    std::vector<uint32_t> code; // ... or, when elf is empty, these words at code_base (tests)
    uint64_t code_base = 0;
    uint64_t ram_base = 0; // an address in the platform memory (its DMI grant is the guest's RAM)
    uint64_t slice = 1000; // instructions per slice
    sc_time insn_time{1, sc_core::SC_NS}; // charged per instruction
    uint64_t control_base = 0x0a000000;   // the guest's control page (4 KiB)
    uint64_t irs_base = 0;                // x0 at entry
    uint64_t arg = 0;                     // x3 at entry
    uint64_t x4 = 0, x5 = 0;              // a vCPU guest: its VM's SPI count, level mask
};

// What the guest told, and what it ran.
struct iss_result {
    bool exited = false;          // it wrote its verdict
    uint64_t verdict = 0;         // 0: the guest's own checks held
    std::vector<uint64_t> values; // what it reported, in order
    std::string console;
    std::string error; // why it stopped otherwise (a bus error, an exception, a bad ELF)
    uint64_t instructions = 0, gic_accesses = 0, irqs = 0, undefined = 0;
    bool passed() const { return exited && verdict == 0 && error.empty(); }
};

// The control page's registers (offsets; 32-bit but TIME_NS, since Unicorn splits an 8-byte MMIO
// access in two; the guest library's sim.h has the same).
namespace iss_control {
constexpr uint64_t EXIT = 0x00;      // write: the verdict; the guest stops
constexpr uint64_t VALUE = 0x08;     // write: a value for the report
constexpr uint64_t PUTC = 0x10;      // write: a console character
constexpr uint64_t TIME_NS = 0x18;   // read: the PE's local time in ns
constexpr uint64_t DEV_DELAY = 0x20; // write: ns from now at which the device's next change lands
constexpr uint64_t DEV_PULSE = 0x28; // write: SPI ID: its line rises then falls (an edge)
constexpr uint64_t DEV_RAISE = 0x30; // write: SPI ID: its line rises and stays high (level)
constexpr uint64_t DEV_LOWER = 0x38; // write: SPI ID: its line falls (the handler clears it)
// write: the guest's timer, in ns of local time (low half, then high half at +4, which arms
// it): a WFI also ends then, as the guest's virtual timer would end it (KVM's background timer
// wakes a blocked vCPU for it).
constexpr uint64_t WAKE_AT_NS = 0x40;
constexpr uint64_t SIZE = 0x1000;
} // namespace iss_control

// The guest's side of an ISS PE: the core, its control page and its result.
class iss_guest {
public:
    // Drives physical SPI `spi`'s line at sc_time_stamp() + delay; null: no device.
    using spi_line_fn = std::function<void(uint32_t spi, bool level, const sc_time& delay)>;
    // Another access outside RAM and the control page (the bus, or the hypervisor's emulation).
    using mmio_fn = std::function<bool(uint64_t, unsigned, bool, uint64_t&)>;

    iss_guest(const iss_params& p, spi_line_fn spi_line);
    // Maps the platform memory (DMI through self's bus socket) and loads the image; false with
    // result().error set when it cannot. `x2` is the IAFFID the guest is told.
    // `irq`: the input the guest takes as its IRQ (a vCPU's guest: the vIRQ).
    bool boot(pe& self, uint64_t x2, mmio_fn mmio, pe_line irq = pe_line::irq);
    // Runs until the guest exits, fails, or executes WFI (true: WFI) or a slice ends (false).
    enum class step { slice, wfi, done };
    // One slice on self, taking the IRQ first if `irq` is high and PSTATE.I clear.
    step run_slice(pe& self, bool irq);
    bool done() const { return m_result.exited || !m_result.error.empty(); }
    // When the guest's timer ends a WFI (sim_max_time() when it set none).
    sc_time wake_at() const { return m_wake_at; }
    iss_result result() const;
    iss_core& core() { return *m_core; }
    // What a GIC access did on top of iss_execute() (a vCPU's trap to the hypervisor).
    void set_gic_filter(std::function<gicv5::iss_response(pe&, const gicv5::iss_request&)> f) {
        m_gic = std::move(f);
    }

private:
    bool control(pe& self, uint64_t off, bool write, uint64_t& data);
    iss_params m_params;
    spi_line_fn m_spi_line;
    std::unique_ptr<iss_core> m_core;
    pe* m_self = nullptr;
    mmio_fn m_mmio;
    std::function<gicv5::iss_response(pe&, const gicv5::iss_request&)> m_gic;
    iss_result m_result;
    sc_time m_dev_delay = sc_core::SC_ZERO_TIME;
    uint64_t m_wake_low = 0;
    sc_time m_wake_at = gicv5::sim_max_time();
};

// The end of a guest program's run(), however it returned: a flag, and an event notified at the
// PE's local time then. run() holds the guard that on_return() gives.
class guest_end {
public:
    bool done() const { return m_done; }
    const sc_core::sc_event& event() const { return m_event; }

    class guard {
    public:
        guard(guest_end& end, pe& self) : m_end(end), m_self(self) {}
        guard(const guard&) = delete;
        guard& operator=(const guard&) = delete;
        ~guard() {
            m_end.m_done = true;
            m_end.m_event.notify(m_self.local_time() - gicv5::sim_now());
        }

    private:
        guest_end& m_end;
        pe& m_self;
    };
    [[nodiscard]] guard on_return(pe& self) { return {*this, self}; }

private:
    bool m_done = false;
    sc_core::sc_event m_event;
};

// A physical PE that runs the guest at EL1 until it exits.
class iss_program : public pe_program {
public:
    iss_program(const iss_params& p, iss_guest::spi_line_fn spi_line = {})
        : m_guest(p, std::move(spi_line)) {}
    void run(pe& self) override;
    iss_result result() const { return m_guest.result(); }
    iss_guest& guest() { return m_guest; }
    // The guest stopped (its verdict, or an error): notified at the PE's local time then.
    bool done() const { return m_end.done(); }
    const sc_core::sc_event& done_event() const { return m_end.event(); }

private:
    iss_guest m_guest;
    guest_end m_end;
};

// A GIC access of the guest on `self` through iss_execute(), at its EL and local time; the
// access's time is spent.
gicv5::iss_response iss_gic_access(pe& self, gicv5::iss_request q);

} // namespace cpu_stubs
