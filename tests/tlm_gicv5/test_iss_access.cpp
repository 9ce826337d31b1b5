// The ISS-facing entry point (iss_access.h): raw encodings of reference §4-5, as an instruction-
// set simulator forwards them, on an IRS and a CPU interface wired by hand.
#include "common/mini_gic.h"
#include "tlm_gicv5/iss_access.h"

#include <gtest/gtest.h>

using namespace gicv5;
using sc_core::SC_US;
using sc_core::sc_time;
using test::wired;

namespace {

// An encoding as reference §4-5 write it: op0, op1, CRn, CRm, op2.
struct enc {
    uint8_t op0, op1, crn, crm, op2;
};
iss_response sys(gic_cpu_if& c, enc e, uint64_t xt, exception_level el = exception_level::EL1) {
    return iss_execute(c, {e.op0, e.op1, e.crn, e.crm, e.op2, false, xt, el});
}
iss_response sysl(gic_cpu_if& c, enc e, exception_level el = exception_level::EL1) {
    return iss_execute(c, {e.op0, e.op1, e.crn, e.crm, e.op2, true, 0, el});
}
constexpr enc GIC_CDPRI{1, 0, 12, 1, 2}, GIC_CDAFF{1, 0, 12, 1, 3}, GIC_CDEN{1, 0, 12, 1, 1},
    GIC_CDRCFG{1, 0, 12, 1, 5}, GIC_CDEOI{1, 0, 12, 1, 7}, GIC_CDDI{1, 0, 12, 2, 0},
    GICR_CDIA{1, 0, 12, 3, 0}, GSB_ACK{1, 0, 12, 0, 1}, GIC_VDPEND{1, 4, 12, 1, 4},
    ICC_ICSR{3, 0, 12, 10, 4}, ICC_IDR0{3, 0, 12, 10, 2}, ICC_PCR{3, 1, 12, 0, 2},
    ICC_CR0{3, 1, 12, 0, 1}, ICH_CONTEXTR{3, 4, 12, 11, 6};

} // namespace

TEST(IssAccess, TheLinuxSpiPathByRawEncodingsDeliversAndAcknowledgesSpi5) { // reference §9.3
    wired w("w");
    gic_cpu_if& c = w.cpu;
    std::vector<iss_response> steps;
    uint64_t icsr = 1;
    sc_core::sc_spawn([&] {
        test::irs_write(w, irs_reg::IRS_CR0, 1);
        steps.push_back(sys(c, ICC_PCR, 0x1f));
        steps.push_back(sys(c, ICC_CR0, 1));
        steps.push_back(sys(c, GIC_CDPRI, 0x000000F860000005)); // step 15
        steps.push_back(sys(c, GIC_CDAFF, 0x0000000060000005)); // step 16
        steps.push_back(sys(c, GIC_CDEN, 0x60000005));          // step 22
        sc_core::wait(sc_time(1, SC_US));
        w.spi[5].write(true); // the device raises the line of SPI 5
        sc_core::wait(sc_time(1, SC_US));
        steps.push_back(sysl(c, GICR_CDIA)); // step 23
        steps.push_back(sys(c, GSB_ACK, 0));
        steps.push_back(sys(c, GIC_CDEOI, 0));           // step 25
        steps.push_back(sys(c, GIC_CDDI, 0x60000005));   // step 26
        steps.push_back(sys(c, GIC_CDRCFG, 0x60000005)); // step 27
        icsr = sysl(c, ICC_ICSR).value;
    });
    sc_core::sc_start(sc_time(10, SC_US));
    ASSERT_EQ(steps.size(), 10u);
    for (const iss_response& r : steps) {
        EXPECT_FALSE(r.undefined);
        EXPECT_GT(r.time, sc_core::SC_ZERO_TIME); // every access costs the CPU interface's time
    }
    EXPECT_EQ(steps[5].value, 0x0000000160000005u); // VALID, SPI 5
    EXPECT_FALSE(ICC_ICSR_EL1::F.test(icsr));
    EXPECT_EQ(ICC_ICSR_EL1::Priority.get(icsr), 0x1fu);
}

TEST(IssAccess, EncodingsUndefinedInTheirStateAreReportedAndHaveNoEffect) {
    wired w("w");
    gic_cpu_if& c = w.cpu;
    const exception_level EL0 = exception_level::EL0, EL2 = exception_level::EL2;
    sc_core::sc_spawn([&] {
        const uint64_t idr0 = sysl(c, ICC_IDR0).value;
        EXPECT_TRUE(sys(c, GIC_VDPEND, 0x8000000160000005).undefined); // VD* at EL1
        EXPECT_FALSE(sys(c, GIC_VDPEND, 0x8000000160000005, EL2).undefined);
        EXPECT_TRUE(sys(c, ICH_CONTEXTR, uint64_t{1} << 63).undefined); // ICH_* at EL1
        EXPECT_EQ(sysl(c, ICH_CONTEXTR, EL2).value, 0u);                // ... had no effect
        EXPECT_TRUE(sys(c, ICC_IDR0, 0).undefined);                     // read-only
        EXPECT_EQ(sysl(c, ICC_IDR0).value, idr0);
        EXPECT_TRUE(sys(c, GICR_CDIA, 0).undefined);        // GICR is SYSL only
        EXPECT_TRUE(sysl(c, GIC_CDEN).undefined);           // GIC is SYS only
        EXPECT_TRUE(sys(c, ICC_PCR, 0x1f, EL0).undefined);  // no EL0 access
        EXPECT_TRUE(sys(c, {1, 0, 12, 7, 7}, 0).undefined); // no such instruction
        EXPECT_TRUE(sys(c, {1, 6, 12, 1, 1}, 0x60000005, exception_level::EL3).undefined); // LDEN
        iss_request secure{
            3, 1, 12, 0, 2, false, 0x1f, exception_level::EL1, security_state::secure};
        EXPECT_TRUE(iss_execute(c, secure).undefined); // only the Non-secure domain
        EXPECT_EQ(sysl(c, ICC_PCR).value, 0u);
    });
    sc_core::sc_start(sc_time(10, SC_US));
}

TEST(IssAccess, EveryImplementedEncodingDecodesToItself) {
    for (std::size_t i = 0; i < gic_insn_count; ++i) {
        const insn_desc& d = gic_insns[i];
        EXPECT_EQ(decode_gic_insn(1, d.op1, 12, d.crm, d.op2), static_cast<gic_insn>(i)) << d.name;
        EXPECT_FALSE(decode_sysreg(1, d.op1, 12, d.crm, d.op2).has_value()) << d.name;
    }
    for (std::size_t i = 0; i < static_cast<std::size_t>(sysreg::count); ++i) {
        const sysreg_desc& d = sysregs[i];
        EXPECT_EQ(decode_sysreg(d.op0, d.op1, d.crn, d.crm, d.op2), static_cast<sysreg>(i))
            << d.name;
        EXPECT_FALSE(decode_gic_insn(d.op0, d.op1, d.crn, d.crm, d.op2).has_value()) << d.name;
    }
}
