// The sc_signal<bool> adapters (signal_adapters.h): an IRS and a CPU interface wired to plain
// signals, as an integrator's platform would wire them, and the output adapter's timing.
#include "common/mini_gic.h"

#include <gtest/gtest.h>

using namespace gicv5;
using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;
using test::wired;

TEST(SignalAdapters, AnSpiSignalReachesTheIrsAndTheIrqSignalFollowsTheCpuInterface) {
    wired w("w");
    namespace CD = CD_OPERAND;
    const uint64_t spi5 = spi(5).encode();
    bool raised = false, lowered = false;
    uint64_t ack = 0;
    sc_core::sc_spawn([&] {
        sc_time d = sc_core::SC_ZERO_TIME;
        gic_cpu_if& c = w.cpu;
        test::irs_write(w, irs_reg::IRS_CR0, 1); // IRSEN
        c.write_sysreg(sysreg::ICC_PCR_EL1, PRIORITY_LOWEST, exception_level::EL1, d);
        c.write_sysreg(sysreg::ICC_CR0_EL1, 1, exception_level::EL1, d);
        c.execute(gic_insn::CDPRI, spi5 | CD::PRIORITY.make(0x10), exception_level::EL1, d);
        c.execute(gic_insn::CDAFF, spi5 | CD::IAFFID.make(0), exception_level::EL1, d);
        c.execute(gic_insn::CDEN, spi5, exception_level::EL1, d);
        sc_core::wait(d + sc_time(1, SC_US));
        w.spi[5].write(true); // the device raises its line
        sc_core::wait(sc_time(1, SC_US));
        raised = w.irq.read();
        d = sc_core::SC_ZERO_TIME;
        ack = c.execute(gic_insn::CDIA, 0, exception_level::EL1, d);
        c.execute(gic_insn::CDEOI, 0, exception_level::EL1, d);
        c.execute(gic_insn::CDDI, spi5, exception_level::EL1, d);
        sc_core::wait(d + sc_time(1, SC_US));
        lowered = !w.irq.read(); // edge: the acknowledge took it
    });
    sc_core::sc_start(sc_time(10, SC_US));
    EXPECT_TRUE(raised);
    EXPECT_EQ(ack, spi5 | CDIA_RESULT::VALID.make(1));
    EXPECT_TRUE(lowered);
    EXPECT_FALSE(w.fiq.read());
    EXPECT_FALSE(w.nmi.read());
    EXPECT_FALSE(w.virq.read());
}

TEST(SignalAdapters, TheOutputSignalTakesEachLevelAtItsAnnotatedTimeInTimeOrder) {
    signal_out_adapter a("a");
    sc_core::sc_signal<bool> line("line");
    a.out.bind(line);
    bool at_5 = true, at_15 = false, at_25 = true, at_35 = false;
    sc_core::sc_spawn([&] {
        // From one caller at time 0: high 10 ns on, low 30 ns on; then from a caller behind in
        // local time, a pulse annotated between them (high at 20 ns) that changes nothing.
        a.irq_signal(true, sc_time(10, SC_NS));
        a.irq_signal(false, sc_time(30, SC_NS));
        a.irq_signal(true, sc_time(20, SC_NS));
        sc_core::wait(sc_time(5, SC_NS));
        at_5 = line.read();
        sc_core::wait(sc_time(10, SC_NS));
        at_15 = line.read();
        sc_core::wait(sc_time(10, SC_NS));
        at_25 = line.read();
        sc_core::wait(sc_time(10, SC_NS));
        at_35 = line.read();
    });
    sc_core::sc_start(sc_time(100, SC_NS));
    EXPECT_FALSE(at_5);
    EXPECT_TRUE(at_15);
    EXPECT_TRUE(at_25);
    EXPECT_FALSE(at_35);
}
