// The sc_signal<bool> adapters (signal_adapters.h): an IRS and a CPU interface wired to plain
// signals, as an integrator's platform would wire them, and the output adapter's timing.
#include "tlm_gicv5/signal_adapters.h"

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstring>

using namespace gicv5;
using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

// The table memory the IRS needs bound; physical SPIs never reach it.
struct no_memory : sc_core::sc_module {
    tlm_utils::simple_target_socket<no_memory> socket;
    explicit no_memory(const sc_core::sc_module_name& n) : sc_module(n), socket("socket") {
        socket.register_b_transport(this, &no_memory::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& tx, sc_time&) {
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    }
};

irs_params spis(uint32_t n) {
    irs_params p;
    p.pe_count = 1;
    p.spi_irs_range = n;
    p.spi_range = n;
    return p;
}

// One IRS and one CPU interface; SPI 5's wire and the PE's interrupt lines as sc_signals.
struct wired : sc_core::sc_module {
    irs gic{"irs", spis(64)};
    cpu_interface cpu{"cpuif", cpu_interface_params{}};
    no_memory mem{"mem"};
    tlm_utils::simple_initiator_socket<wired> mmio{"mmio"}, setlpi{"setlpi"}; // the frames' users
    irs_spi_signals spi_wires{"spi_wires", gic};
    cpu_interface_signals lines{"lines", cpu};
    sc_core::sc_vector<sc_core::sc_signal<bool>> spi{"spi", gic.spi_in.size()};
    sc_core::sc_signal<bool> irq{"irq"}, fiq{"fiq"}, nmi{"nmi"}, virq{"virq"};

    explicit wired(const sc_core::sc_module_name& n) : sc_module(n) {
        gic.mem.bind(mem.socket);
        mmio.bind(gic.config_frame);
        setlpi.bind(gic.setlpi_frame);
        cpu.stream_out.bind(gic.stream_in);
        gic.stream_out.bind(cpu.stream_in);
        for (std::size_t i = 0; i < spi.size(); ++i)
            spi_wires.spi[i].bind(spi[i]);
        lines.irq.bind(irq);
        lines.fiq.bind(fiq);
        lines.nmi.bind(nmi);
        lines.virq.bind(virq);
    }
};

void irs_write(wired& w, irs_reg r, uint32_t value) {
    tlm::tlm_generic_payload tx;
    tx.set_write();
    tx.set_address(desc(r).offset);
    tx.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
    tx.set_data_length(4);
    tx.set_streaming_width(4);
    sc_time d = sc_core::SC_ZERO_TIME;
    w.mmio->b_transport(tx, d);
    ASSERT_EQ(tx.get_response_status(), tlm::TLM_OK_RESPONSE);
}

} // namespace

TEST(SignalAdapters, AnSpiSignalReachesTheIrsAndTheIrqSignalFollowsTheCpuInterface) {
    wired w("w");
    namespace CD = CD_OPERAND;
    const uint64_t spi5 = spi(5).encode();
    bool raised = false, lowered = false;
    uint64_t ack = 0;
    sc_core::sc_spawn([&] {
        sc_time d = sc_core::SC_ZERO_TIME;
        gic_cpu_if& c = w.cpu;
        irs_write(w, irs_reg::IRS_CR0, 1); // IRSEN
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
