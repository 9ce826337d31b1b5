// Test harness: the real platform (memory, router, IRS, CPU interfaces, PEs, agent) with test
// scripts as the PEs' programs, and the steps a hypervisor and a guest take, as script helpers.
#pragma once

#include "cpu_stubs/host_program.h"
#include "platform/gicv5_platform.h"

#include <functional>
#include <memory>
#include <vector>

namespace test {

using cpu_stubs::pe;
using gicv5::exception_level;

// Two PEs (0: host, 1: vCPU 0 of VM 0), one VM with 64 SPIs, no sources.
inline platform::platform_config two_pe_config() {
    platform::platform_config c;
    c.sources.clear();
    return c;
}

class scripted_platform {
public:
    explicit scripted_platform(const platform::platform_config& cfg = two_pe_config()) {
        tlm::tlm_global_quantum::instance().set(cfg.timing.quantum);
        plat =
            std::make_unique<platform::gicv5_platform>("top", cfg, platform::build_options{false});
    }
    // Runs `script` as PE `index`'s program.
    void on(unsigned index, std::function<void(pe&)> script) {
        m_programs.push_back(std::make_unique<cpu_stubs::script_program>(std::move(script)));
        plat->pes[index]->load(*m_programs.back());
    }
    void run(const sc_core::sc_time& limit = sc_core::sc_time(100, sc_core::SC_MS)) {
        sc_core::sc_start(limit);
    }
    platform::kvm::vgic_v5& agent() { return plat->agent; }
    gicv5::iste iste(unsigned spi, unsigned vm = 0) const { return plat->peek_iste(vm, spi); }
    uint64_t mem64(uint64_t addr) const {
        uint64_t v = 0;
        plat->mem.peek(addr - plat->cfg.memory.base, &v, 8);
        return v;
    }

    std::unique_ptr<platform::gicv5_platform> plat;

private:
    std::vector<std::unique_ptr<cpu_stubs::script_program>> m_programs;
};

// Runs f at exception level el, then returns to the level the PE was at.
template <typename F>
auto at_el(pe& p, exception_level el, F f) {
    const exception_level old = p.el();
    p.set_el(el);
    struct restore {
        pe& p;
        exception_level el;
        ~restore() { p.set_el(el); }
    } r{p, old};
    return f();
}

// The guest's write of IRS_CR0.IRSEN = 1 to its emulated IRS, as the trap reaches KVM (a booted
// guest kernel has done it; merged KVM asks for doorbells only then, reference §10.2).
inline void guest_irs_enable(scripted_platform& s, pe& p, unsigned vm = 0, unsigned vcpu = 0,
                             bool enable = true) {
    uint64_t d = gicv5::IRS_CR0::IRSEN.make(enable);
    at_el(p, exception_level::EL2, [&] {
        s.agent().guest_mmio(
            p, vm, vcpu, s.plat->cfg.vms[vm].irs_base + gicv5::desc(gicv5::irs_reg::IRS_CR0).offset,
            4, true, d);
    });
}

// The hypervisor: VM table, VM 0's bring-up (the guest's IRS enabled), then vCPU `vcpu` of VM 0
// made resident here.
inline void boot_and_load(scripted_platform& s, pe& p, unsigned vcpu = 0) {
    at_el(p, exception_level::EL2, [&] {
        s.agent().host_init(p);
        s.agent().vm_init(p, 0);
        guest_irs_enable(s, p, 0, vcpu);
        s.agent().vcpu_load(p, 0, vcpu);
    });
}

// The guest: enable its CPU interface with mask `pmr`, as Linux does at boot (reference §9.1).
inline void guest_enable(pe& p, uint8_t pmr = gicv5::PRIORITY_LOWEST) {
    at_el(p, exception_level::EL1, [&] {
        p.msr(gicv5::sysreg::ICC_PCR_EL1, pmr);
        p.msr(gicv5::sysreg::ICC_CR0_EL1, 1);
    });
}

// The guest: configure and enable one SPI (CDPRI, CDAFF, CDHM, CDEN).
inline void guest_spi(pe& p, uint32_t id, uint8_t prio, uint16_t vpe = 0,
                      gicv5::handling_mode hm = gicv5::handling_mode::edge, bool enable = true) {
    namespace CD = gicv5::CD_OPERAND;
    const uint64_t i = gicv5::spi(id).encode();
    at_el(p, exception_level::EL1, [&] {
        p.insn(gicv5::gic_insn::CDPRI, i | CD::PRIORITY.make(prio));
        p.insn(gicv5::gic_insn::CDAFF, i | CD::IAFFID.make(vpe));
        p.insn(gicv5::gic_insn::CDHM, i | CD::HM.make(static_cast<uint64_t>(hm)));
        if (enable)
            p.insn(gicv5::gic_insn::CDEN, i);
    });
}

// Configures and enables one LPI at EL1 as gicv5_lpi_config_reset() and unmask do (CDPRI, CDAFF,
// CDHM edge, CDEN): the host's physical LPI, or the guest's virtual one while a vPE is resident.
inline void enable_lpi(pe& p, uint32_t id, uint8_t prio, uint16_t iaffid = 0) {
    namespace CD = gicv5::CD_OPERAND;
    const uint64_t i = gicv5::lpi(id).encode();
    at_el(p, exception_level::EL1, [&] {
        p.insn(gicv5::gic_insn::CDPRI, i | CD::PRIORITY.make(prio));
        p.insn(gicv5::gic_insn::CDAFF, i | CD::IAFFID.make(iaffid));
        p.insn(gicv5::gic_insn::CDHM, i);
        p.insn(gicv5::gic_insn::CDEN, i);
    });
}

// The hypervisor: GIC VDPEND for SPI `id` of VM `vm`.
inline void vdpend(pe& p, uint32_t id, bool pending, unsigned vm = 0) {
    namespace VD = gicv5::VD_OPERAND;
    at_el(p, exception_level::EL2, [&] {
        p.insn(gicv5::gic_insn::VDPEND,
               gicv5::spi(id).encode() | VD::VM.make(vm) | VD::PENDING.make(pending));
    });
}

// The guest's GICR CDIA: the raw result (VALID in bit 32).
inline uint64_t cdia(pe& p) {
    return at_el(p, exception_level::EL1, [&] { return p.insn(gicv5::gic_insn::CDIA); });
}
inline void cdeoi(pe& p) {
    at_el(p, exception_level::EL1, [&] { p.insn(gicv5::gic_insn::CDEOI); });
}
inline void cddi(pe& p, uint32_t id) {
    at_el(p, exception_level::EL1, [&] { p.insn(gicv5::gic_insn::CDDI, gicv5::spi(id).encode()); });
}
// The hypervisor's GIC VDRCFG, then ICC_ICSR_EL1.
inline uint64_t vdrcfg(pe& p, uint32_t id) {
    return at_el(p, exception_level::EL2, [&] {
        p.insn(gicv5::gic_insn::VDRCFG, gicv5::spi(id).encode());
        return p.mrs(gicv5::sysreg::ICC_ICSR_EL1);
    });
}
// Lets posted commands and HPPI offers land: idle for a while.
inline void settle(pe& p) { p.idle_until(p.local_time() + sc_core::sc_time(1, sc_core::SC_US)); }

constexpr uint64_t cdia_valid(uint32_t spi_id) {
    return gicv5::spi(spi_id).encode() | gicv5::CDIA_RESULT::VALID.make(1);
}

} // namespace test
