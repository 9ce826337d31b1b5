// The `script:` section of a config: every step form loads into a typed step, and malformed
// steps are rejected with FILE:LINE:COLUMN and the key path. Nothing here runs a simulation.
#include "config_loader.h"

#include "sim/sim_test_util.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using namespace gicv5_sim;
using platform::script_kind;

using sim_test::all;
using sim_test::write_file;

// Two script PEs and no VMs or sources; `steps` is the text of the script list.
const std::string header = "pes: [{role: script}, {role: script}]\nvms: []\nsources: []\nscript:\n";

TEST(ScriptConfig, EveryStepFormLoadsIntoATypedStep) {
    const std::string path = write_file(header + R"(  - {pe: 0, mmio_write: 0x2f1a0080, value: 1}
  - {pe: 0, mmio_read: 0x2f1a0180, size: 8, expect: 0x3, mask: 0x1, status: ok}
  - {pe: 1, sys: gic cdpri, xt: 0x000000F860000005}
  - {pe: 0, sys: GICR CDIA, expect: 0x0000000160000005}
  - {pe: 0, sysreg_read: ICC_ICSR_EL1, expect: 0, mask: 0x15}
  - {pe: 0, sysreg_write: ICC_PCR_EL1, value: 0x1f}
  - {pe: 0, spi_line: 5, level: 1}
  - {pe: 0, wait: 1us}
  - {pe: 0, expect_line: {pe: 1, line: virq, level: 0}}
  - {pe: 0, el: 2}
  - {pe: 0, mmio_read: 0x0, status: address_error}
)");
    const load_result r = load_config(path);
    ASSERT_TRUE(r.ok()) << all(r.errors);
    const std::vector<platform::script_step>& s = r.config.platform.script;
    ASSERT_EQ(s.size(), 11u);
    EXPECT_EQ(s[0].kind, script_kind::mmio_write);
    EXPECT_EQ(s[0].addr, 0x2f1a0080u);
    EXPECT_EQ(s[0].value, 1u);
    EXPECT_EQ(s[0].size, 4u);
    EXPECT_EQ(s[0].origin, path + ":5");
    EXPECT_EQ(s[1].kind, script_kind::mmio_read);
    EXPECT_EQ(s[1].size, 8u);
    EXPECT_EQ(s[1].expect, 0x3u);
    EXPECT_EQ(s[1].mask, 0x1u);
    EXPECT_EQ(s[2].pe, 1u);
    EXPECT_EQ(s[2].insn, gicv5::gic_insn::CDPRI);
    EXPECT_EQ(s[2].xt, 0x000000F860000005u);
    EXPECT_FALSE(s[2].expect);
    EXPECT_EQ(s[3].insn, gicv5::gic_insn::CDIA);
    EXPECT_EQ(s[3].expect, 0x0000000160000005u);
    EXPECT_EQ(s[4].reg, gicv5::sysreg::ICC_ICSR_EL1);
    EXPECT_EQ(s[5].kind, script_kind::sysreg_write);
    EXPECT_EQ(s[5].value, 0x1fu);
    EXPECT_EQ(s[6].spi, 5u);
    EXPECT_TRUE(s[6].level);
    EXPECT_EQ(s[7].time, sc_core::sc_time(1, sc_core::SC_US));
    EXPECT_EQ(s[8].line.pe, 1u);
    EXPECT_EQ(s[8].line.line, cpu_stubs::pe_line::virq);
    EXPECT_FALSE(s[8].line.level);
    EXPECT_EQ(s[9].el, gicv5::exception_level::EL2);
    EXPECT_EQ(s[10].status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_FALSE(s[0].expect);
    EXPECT_EQ(s[0].mask, ~uint64_t{0});
}

TEST(ScriptConfig, AnUnknownMnemonicIsRejectedWithFileLineColumnAndTheValidNames) {
    const std::string path = write_file(header + "  - {pe: 0, sys: GIC CDFOO, xt: 5}\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_EQ(r.errors[0].rfind(path + ":5:18: script.0.sys: expected a GIC instruction, one of "
                                       "GSB SYS, GSB ACK, GIC CDDIS, ",
                                0),
              0u)
        << r.errors[0];
    EXPECT_NE(r.errors[0].find("GICR CDIA"), std::string::npos);
    EXPECT_NE(r.errors[0].find("got 'GIC CDFOO'"), std::string::npos);
}

TEST(ScriptConfig, AnUnknownSystemRegisterOrSizeIsRejected) {
    const std::string path = write_file(header + "  - {pe: 0, sysreg_read: ICC_FOO_EL1}\n"
                                                 "  - {pe: 0, mmio_read: 0x2f1a0000, size: 2}\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 2u) << all(r.errors);
    EXPECT_EQ(
        r.errors[0].rfind(path + ":5:26: script.0.sysreg_read: expected a system register", 0), 0u)
        << r.errors[0];
    EXPECT_EQ(r.errors[1], path + ":6:42: script.1.size: expected one of 4, 8, got '2'");
}

TEST(ScriptConfig, AnEntryNeedsPeAndExactlyOneStepKey) {
    const std::string path = write_file(header + "  - {pe: 0}\n"
                                                 "  - {pe: 0, wait: 1us, el: 1}\n"
                                                 "  - {wait: 1us}\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 3u) << all(r.errors);
    EXPECT_EQ(r.errors[0], path + ":5:5: script.0: expected one of the step keys mmio_read, "
                                  "mmio_write, sys, sysreg_read, sysreg_write, spi_line, wait, "
                                  "expect_line, el, kvm_irq_line, irqfd, resample_irqfd, "
                                  "vcpu_kick, vm_teardown, ist_save, ist_restore, expect_agent, "
                                  "wfi, got '{pe: 0}'");
    EXPECT_EQ(r.errors[1], path + ":6:24: script.1.el: expected one step key per entry; this one "
                                  "already has wait, got 'el'");
    EXPECT_EQ(r.errors[2], path + ":7:5: script.2: expected a key pe: the PE that runs the step, "
                                  "got '{wait: 1us}'");
}

TEST(ScriptConfig, KeysAStepDoesNotAllowOrNeedsAreReported) {
    const std::string path = write_file(header + "  - {pe: 0, mmio_read: 0x2f1a0000, value: 1}\n"
                                                 "  - {pe: 0, mmio_write: 0x2f1a0000}\n"
                                                 "  - {pe: 0, sys: GIC CDEN, expect: 0}\n"
                                                 "  - {pe: 0, sysreg_read: ICC_PCR_EL1, mask: 1}\n"
                                                 "  - {pe: 0, expect_line: {pe: 0, line: irq}}\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 5u) << all(r.errors);
    EXPECT_EQ(r.errors[0], path + ":5:36: script.0.value: expected one of the keys pe, at, "
                                  "mmio_read, size, expect, mask, status, vm, vcpu in a mmio_read "
                                  "step, got 'value'");
    EXPECT_EQ(r.errors[1], path + ":6:5: script.1: expected a key value in a mmio_write step, got "
                                  "'{pe: 0, mmio_write: 0x2f1a0000}'");
    EXPECT_EQ(r.errors[2], path + ":7:28: script.2.expect: expected a GICR instruction (only those "
                                  "return a result), got 'GIC CDEN'");
    EXPECT_EQ(r.errors[3].rfind(path + ":8:39: script.3.mask: expected an expect beside it", 0), 0u)
        << r.errors[3];
    EXPECT_EQ(r.errors[4].rfind(path + ":9:26: script.4.expect_line: expected a mapping with keys "
                                       "pe, line, level",
                                0),
              0u)
        << r.errors[4];
}

TEST(ScriptConfig, AValueWiderThanA4ByteAccessIsRejected) {
    const std::string path =
        write_file(header + "  - {pe: 0, mmio_write: 0x2f1a0180, value: 0x100000000}\n"
                            "  - {pe: 0, mmio_write: 0x2f1a0180, value: 0x100000000, size: 8}\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_EQ(r.errors[0], path + ":5:44: script.0.value: expected a value that fits in 4 bytes "
                                  "(size 4), got '0x100000000'");
}

TEST(ScriptConfig, TheTopologyCheckWantsScriptPesSpisOfTheIrsAndEl2ForVdInstructions) {
    const std::string path =
        write_file("pes: [{role: host}, {role: script}]\nvms: []\nsources: []\nscript:\n"
                   "  - {pe: 0, wait: 1us}\n"
                   "  - {pe: 1, expect_line: {pe: 2, line: irq, level: 1}}\n"
                   "  - {pe: 1, spi_line: 64, level: 1}\n"
                   "  - {pe: 1, sys: GIC VDPEND, xt: 0x8000000060000005}\n"
                   "  - {pe: 1, el: 2}\n"
                   "  - {pe: 1, sys: GIC VDPEND, xt: 0x8000000060000005}\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 4u) << all(r.errors);
    EXPECT_EQ(r.errors[0],
              path + ":5:10: script.0.pe: expected the index of a PE with role script, got 0");
    EXPECT_EQ(r.errors[1],
              path + ":6:31: script.1.expect_line.pe: expected a PE index below 2, got 2");
    EXPECT_EQ(r.errors[2],
              path + ":7:23: script.2.spi_line: expected a physical SPI ID this IRS owns, "
                     "in [irs.spi_base, irs.spi_base + irs.spi_irs_range) = [0, 64), "
                     "got 64");
    EXPECT_EQ(r.errors[3],
              path + ":8:18: script.3.sys: GIC VDPEND needs EL2: put a step {pe: 1, el: 2} "
                     "before it");
}

TEST(ScriptConfig, ScriptPesAloneNeedNoHostVmOrSource) {
    const load_result r = load_config(write_file("pes: [{role: script}]\nvms: []\nsources: []\n"));
    EXPECT_TRUE(r.ok()) << all(r.errors);
    EXPECT_TRUE(r.config.platform.vms.empty());
}

TEST(ScriptConfig, ASetOverrideChangesAStepAndNamesItselfInErrors) {
    const std::string path = write_file(header + "  - {pe: 0, wait: 1us}\n");
    const load_result ok = load_config(path, {"script.0.wait=2us"});
    ASSERT_TRUE(ok.ok()) << all(ok.errors);
    EXPECT_EQ(ok.config.platform.script[0].time, sc_core::sc_time(2, sc_core::SC_US));
    const load_result bad = load_config(path, {"script.0.sys=GIC NOPE"});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.errors[0].rfind("--set script.0.sys=GIC NOPE: script.0.sys: expected a GIC "
                                  "instruction",
                                  0),
              0u)
        << bad.errors[0];
}

TEST(ScriptConfig, TheDocsListEveryMnemonicOfTheInstructionTable) {
    std::ifstream in(GICV5_SOURCE_DIR "/docs/config.md");
    ASSERT_TRUE(in) << "cannot read docs/config.md";
    const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::size_t i = 0; i < gicv5::gic_insn_count; ++i) {
        const std::string m = platform::mnemonic(static_cast<gicv5::gic_insn>(i));
        EXPECT_NE(doc.find("`" + m + "`"), std::string::npos) << m << " missing in docs/config.md";
    }
}

} // namespace
