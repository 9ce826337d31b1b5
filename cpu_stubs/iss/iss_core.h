// An AArch64 instruction-set simulator core (Unicorn 2.0.1) that runs guest code at EL1 for a PE
// stand-in, in slices of instructions. Unicorn raises UNDEF for the GIC encodings and has no IRQ
// input: both are handled here (README, Real AArch64 code).
//
// Interface
//   map_ram(base, size, host)   guest RAM over the platform memory's own buffer (DMI).
//   load_elf(path)              copies an ELF64 AArch64 image's PT_LOAD segments into mapped RAM;
//                               returns its entry point (a clear std::runtime_error otherwise).
//   start(entry, args)          PC and x0 .. x5 of the guest at its first slice.
//   run_slice(max)              runs at most `max` instructions; returns why it stopped.
//   take_irq()                  the IRQ exception entry: ELR_EL1, SPSR_EL1, PSTATE = EL1h with
//                               DAIF masked, PC = VBAR_EL1 + 0x280 (current EL, SP_ELx).
//   irq_masked()                PSTATE.I.
// Every access outside RAM goes to hooks.mmio (the platform bus, or a hypervisor's emulation):
// a page is mapped as MMIO at the first touch. A GIC system instruction (op0 1 or 3, CRn 12:
// Unicorn implements none) arrives as UNDEF, is decoded from its word and handed to hooks.gic;
// a read's result lands in Xt; if the IRQ input is then high and PSTATE.I clear, the IRQ is taken
// before the next instruction. An UNDEFINED one takes the guest's synchronous exception (VBAR_EL1
// + 0x200, ESR_EL1.EC = 0, ELR_EL1 = its address), as the architecture does. Any other exception
// (SVC, HVC, an abort) stops the guest with an error naming it and its PC.
#pragma once

#include "tlm_gicv5/iss_access.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

struct uc_struct;

namespace cpu_stubs {

// An AArch64 system-instruction word (SYS, SYSL, MSR or MRS, register form) as the model's
// request (op0, op1, CRn, CRm, op2, read = L), and its Rt; nothing for any other word.
struct system_word {
    gicv5::iss_request request;
    unsigned rt = 0;
};
std::optional<system_word> decode_system_word(uint32_t word);

class iss_core {
public:
    struct hooks {
        // Instructions run since the last call, to charge before an access happens.
        std::function<void(uint64_t insns)> charge;
        std::function<gicv5::iss_response(gicv5::iss_request)> gic;
        // A load or store outside RAM: false is a bus error (the guest stops).
        std::function<bool(uint64_t addr, unsigned size, bool write, uint64_t& data)> mmio;
        // The IRQ input's level now: checked after each trapped GIC access too, whose effect
        // (a priority drop, a new mask) may let an interrupt in at the next instruction.
        std::function<bool()> irq;
    };
    enum class stop { slice, wfi, error };

    explicit iss_core(hooks h);
    ~iss_core();
    iss_core(const iss_core&) = delete;
    iss_core& operator=(const iss_core&) = delete;

    void map_ram(uint64_t base, uint64_t size, unsigned char* host);
    uint64_t load_elf(const std::string& path);
    void start(uint64_t entry, const uint64_t (&args)[6]);
    stop run_slice(uint64_t max);
    void take_irq();
    bool irq_masked() const;

    uint64_t pc() const;
    uint64_t reg(unsigned x) const; // X0 .. X30
    uint64_t instructions() const { return m_insns; }
    uint64_t gic_accesses() const { return m_gic; }
    uint64_t irqs_taken() const { return m_irqs; }
    uint64_t undefined_taken() const { return m_undef; }
    // Why the guest stopped with an error (stop::error): empty before.
    const std::string& error() const { return m_error; }
    // Ends the running slice after the current instruction (from a hook; e.g. the guest's exit).
    void stop_now();

private:
    static void on_intr(uc_struct* uc, uint32_t intno, void* self);
    static void on_block(uc_struct* uc, uint64_t addr, uint32_t size, void* self);
    static bool on_unmapped(uc_struct* uc, int type, uint64_t addr, int size, int64_t value,
                            void* self);
    static uint64_t on_mmio_read(uc_struct* uc, uint64_t off, unsigned size, void* self);
    static void on_mmio_write(uc_struct* uc, uint64_t off, unsigned size, uint64_t value,
                              void* self);
    void gic_trap(uint64_t pc, uint32_t word);
    void enter(uint64_t vector_offset, uint64_t elr);
    uint64_t sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) const;
    void set_sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                    uint64_t v);
    void fail(const std::string& why);
    void charge_pending();

    hooks m_hooks;
    uc_struct* m_uc = nullptr;
    uint64_t m_ram_base = 0, m_ram_size = 0;
    unsigned char* m_ram = nullptr;
    uint64_t m_insns = 0;     // instructions run, counted per translated block entered
    uint64_t m_uncharged = 0; // of them, not yet charged to the PE's time
    uint64_t m_gic = 0, m_irqs = 0, m_undef = 0;
    uint64_t m_last_block_end = 0;
    // One per MMIO page mapped (Unicorn's callbacks get an offset into the page and this).
    struct mmio_page {
        iss_core* core;
        uint64_t base;
    };
    std::deque<mmio_page> m_pages;
    std::string m_error;
    bool m_stopped = false;
};

} // namespace cpu_stubs
