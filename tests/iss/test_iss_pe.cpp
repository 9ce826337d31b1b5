// The ISS PE (cpu_stubs/iss/iss_pe.h) running real AArch64 code on the platform: the IRQ entry
// only when PSTATE.I is clear and ERET back, WFI idling until an interrupt, a GIC instruction's
// result in Xt, the SYS form of GICR CDIA's fields taking the UNDEFINED exception, and a clear
// error for an access no device answers.
//
// The guests are tests/iss/guests/*.S, assembled with aarch64-linux-gnu-as 2.40; their words are
// kept here so that the test needs no cross toolchain. Layout (offsets from the load address):
// 0 branch to main; 0x800 VBAR_EL1 (sync at +0x200 records ESR_EL1 in x25, ELR_EL1 in x26 and
// skips the instruction; IRQ at +0x280 acknowledges into x23, deactivates, counts in x20, keeps
// ELR_EL1 in x24); 0x1000 main.
#include "common/scripted_platform.h"
#include "cpu_stubs/iss/iss_pe.h"

#include <gtest/gtest.h>

using cpu_stubs::iss_params;
using cpu_stubs::iss_program;
using sc_core::SC_NS;
using sc_core::SC_US;
using sc_core::sc_time;

namespace {

struct piece {
    uint32_t offset;
    std::vector<uint32_t> words;
};
using guest_words = std::vector<piece>;

const guest_words masking{{
    {0x0, {0x14000400}},
    {0xa00, {0xd5385219, 0xd538403a, 0x9100134b, 0xd518402b, 0xd69f03e0}},
    {0xa80, {0xd528c317, 0xd508c03f, 0xd508c1ff, 0x92407eeb, 0xd508c20b, 0x91000694, 0xd5384038, 0xd69f03e0}},
    {0x1000, {0x10ffc009, 0xd518c009, 0xaa0103f3, 0xd2800014, 0x52800029, 0xb9008009, 0xd28003e9, 0xd519c049, 0xd2800029, 0xd519c029, 0xd2ac000a, 0xf28000aa, 0xd508c14a, 0xd508c16a, 0xd508c12a, 0xd2827109, 0xf1000529, 0x54ffffe1, 0xaa1403f5, 0xd50342ff, 0xd2827109, 0xf1000529, 0x54ffffe1, 0xaa1403f6, 0xd50342df, 0xf900027f, 0x14000000}},
}};

const guest_words wfi{{
    {0x0, {0x14000400}},
    {0xa00, {0xd5385219, 0xd538403a, 0x9100134b, 0xd518402b, 0xd69f03e0}},
    {0xa80, {0xd528c317, 0xd508c03f, 0xd508c1ff, 0x92407eeb, 0xd508c20b, 0x91000694, 0xd5384038, 0xd69f03e0}},
    {0x1000, {0x10ffc009, 0xd518c009, 0xaa0103f3, 0xd2800014, 0x52800029, 0xb9008009, 0xd28003e9, 0xd519c049, 0xd2800029, 0xd519c029, 0xd2ac000a, 0xf28000aa, 0xd508c14a, 0xd508c16a, 0xd508c12a, 0xd503207f, 0xf9400e7b, 0xd528c31c, 0xd508c1ff, 0x92407f89, 0xd508c209, 0xf900027f, 0x14000000}},
}};

const guest_words sys_cdia{{
    {0x0, {0x14000400}},
    {0xa00, {0xd5385219, 0xd538403a, 0x9100134b, 0xd518402b, 0xd69f03e0}},
    {0xa80, {0xd528c317, 0xd508c03f, 0xd508c1ff, 0x92407eeb, 0xd508c20b, 0x91000694, 0xd5384038, 0xd69f03e0}},
    {0x1000, {0x10ffc009, 0xd518c009, 0xaa0103f3, 0xd2800014, 0xd2800019, 0xd508c300, 0xaa1903fb, 0xf900027f, 0x14000000}},
}};

const guest_words unmapped{{
    {0x0, {0x14000400}},
    {0xa00, {0xd5385219, 0xd538403a, 0x9100134b, 0xd518402b, 0xd69f03e0}},
    {0xa80, {0xd528c317, 0xd508c03f, 0xd508c1ff, 0x92407eeb, 0xd508c20b, 0x91000694, 0xd5384038, 0xd69f03e0}},
    {0x1000, {0x10ffc009, 0xd518c009, 0xaa0103f3, 0xd2800014, 0xd2a80009, 0xb940012a, 0xf900027f, 0x14000000}},
}};

const guest_words pcr_open{{
    {0x0, {0x14000400}},
    {0xa00, {0xd5385219, 0xd538403a, 0x9100134b, 0xd518402b, 0xd69f03e0}},
    {0xa80, {0xd528c317, 0xd508c03f, 0xd508c1ff, 0x92407eeb, 0xd508c20b, 0x91000694, 0xd5384038, 0xd69f03e0}},
    {0x1000, {0x10ffc009, 0xd518c009, 0xaa0103f3, 0xd2800014, 0x52800029, 0xb9008009, 0xd28003e9, 0xd519c049, 0xd2800029, 0xd519c029, 0xd2ac000a, 0xf28000aa, 0xd508c14a, 0xd508c16a, 0xd508c12a, 0xd2c0100b, 0xaa0a016b, 0xd508c14b, 0xd2800009, 0xd519c049, 0xd50342ff, 0xd2827109, 0xf1000529, 0x54ffffe1, 0xaa1403f5, 0xd28003e9, 0xd519c049, 0xaa1403f6, 0xd50342df, 0xf900027f, 0x14000000}},
}};

constexpr uint64_t LOAD = 0x80800000; // in the platform memory, above the IRS tables
constexpr uint32_t MAIN = 0x1000;

// One physical PE (IAFFID 0) running `g`, and a second, idle one.
struct iss_bench {
    test::scripted_platform p{config()};
    std::unique_ptr<iss_program> prog;
    explicit iss_bench(const guest_words& g) {
        iss_params ip;
        ip.code_base = LOAD;
        for (const piece& pc : g) {
            ip.code.resize(std::max<std::size_t>(ip.code.size(), pc.offset / 4 + pc.words.size()));
            std::copy(pc.words.begin(), pc.words.end(), ip.code.begin() + pc.offset / 4);
        }
        ip.irs_base = p.plat->cfg.irs.config_frame;
        prog = std::make_unique<iss_program>(ip);
        p.plat->pes[0]->load(*prog);
    }
    static platform::platform_config config() {
        platform::platform_config c;
        c.pes = {{platform::pe_role::script}, {platform::pe_role::script}};
        c.vms.clear();
        c.sources.clear();
        return c;
    }
    uint64_t x(unsigned n) { return prog->guest().core().reg(n); }
    // The device raises SPI 5's line at `at`.
    void raise_spi5_at(const sc_time& at) {
        sc_core::sc_spawn([this, at] {
            sc_core::wait(at);
            p.plat->spi_line(5, true);
        });
    }
    uint64_t count(gicv5::gic_insn i) const { return p.plat->cpuifs[0]->insn_count(i); }
};

constexpr uint64_t SPI5_ACK = 0x0000000160000005; // VALID, type SPI, ID 5

} // namespace

TEST(IssPe, TakesTheIrqAtVbarPlus0x280OnlyOncePstateIIsClearAndErets) {
    iss_bench b(masking);
    // The device's edge lands while the guest still runs with PSTATE.I set (its 10 us loop).
    b.raise_spi5_at(sc_time(3, SC_US));
    b.p.run(sc_time(1, sc_core::SC_MS));
    const cpu_stubs::iss_result r = b.prog->result();
    ASSERT_TRUE(r.passed()) << r.error;
    EXPECT_EQ(b.x(21), 0u);       // not taken while masked, though the line was high
    EXPECT_EQ(b.x(22), 1u);       // taken once unmasked, and ERET came back to the loop
    EXPECT_EQ(b.x(23), SPI5_ACK); // GICR CDIA's result in its Xt
    // ELR_EL1: an instruction of the unmasked loop (main + 0x50 .. 0x58), where ERET returned.
    EXPECT_GE(b.x(24), LOAD + MAIN + 0x50);
    EXPECT_LE(b.x(24), LOAD + MAIN + 0x5c);
    EXPECT_EQ(r.irqs, 1u);
    EXPECT_EQ(b.count(gicv5::gic_insn::CDDI), 1u);
    EXPECT_GT(r.instructions, 20000u); // both loops ran, charged at 1 ns each
}

TEST(IssPe, WfiIdlesThePeUntilAnInterruptAndGicrCdiaLandsInXt) {
    iss_bench b(wfi);
    b.raise_spi5_at(sc_time(50, SC_US));
    b.p.run(sc_time(1, sc_core::SC_MS));
    const cpu_stubs::iss_result r = b.prog->result();
    ASSERT_TRUE(r.passed()) << r.error;
    EXPECT_GE(b.x(27), 50000u); // the guest's clock after WFI: not before the interrupt
    EXPECT_LT(b.x(27), 51000u);
    EXPECT_LT(r.instructions, 100u); // idle, not spinning
    EXPECT_EQ(b.x(28), SPI5_ACK);     // the masked IRQ is acknowledged by the code after WFI
    EXPECT_EQ(r.irqs, 0u);
}

TEST(IssPe, TheSysFormOfGicrCdiaFieldsTakesTheUndefinedException) {
    iss_bench b(sys_cdia);
    b.p.run(sc_time(1, sc_core::SC_MS));
    const cpu_stubs::iss_result r = b.prog->result();
    ASSERT_TRUE(r.passed()) << r.error;
    EXPECT_EQ(b.x(27), uint64_t{1} << 25);      // ESR_EL1: EC 0 (unknown reason), IL 1
    EXPECT_EQ(b.x(26), LOAD + MAIN + 0x14);     // ELR_EL1: the SYS instruction
    EXPECT_EQ(r.undefined, 1u);
    EXPECT_EQ(b.count(gicv5::gic_insn::CDIA), 0u); // no acknowledge happened
}

TEST(IssPe, AnAccessNoDeviceAnswersStopsTheGuestWithAClearError) {
    iss_bench b(unmapped);
    b.p.run(sc_time(1, sc_core::SC_MS));
    const cpu_stubs::iss_result r = b.prog->result();
    EXPECT_FALSE(r.passed());
    EXPECT_FALSE(r.exited);
    EXPECT_NE(r.error.find("load of 4 bytes from 0x40000000"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("bus error"), std::string::npos) << r.error;
}

TEST(IssPe, AnIrqLetInByATrappedAccessIsTakenBeforeTheNextInstruction) {
    iss_bench b(pcr_open);
    b.raise_spi5_at(sc_time(3, SC_US)); // pending while ICC_PCR_EL1 = 0 masks it
    b.p.run(sc_time(1, sc_core::SC_MS));
    const cpu_stubs::iss_result r = b.prog->result();
    ASSERT_TRUE(r.passed()) << r.error;
    EXPECT_EQ(b.x(21), 0u); // not taken while the priority mask held it back
    EXPECT_EQ(b.x(22), 1u); // taken right after the MSR that opened the mask ...
    EXPECT_EQ(b.x(24), LOAD + MAIN + 0x6c); // ... the next instruction, where ERET returned
    EXPECT_EQ(b.x(23), SPI5_ACK);
}
