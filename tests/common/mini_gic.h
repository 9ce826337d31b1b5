// Test harness: one IRS and one CPU interface wired by hand, as an integrator's platform would
// wire them (no platform, no agent): SPI wires and the PE's interrupt lines as sc_signals through
// the adapters, and an initiator for the config frame.
#pragma once

#include "tlm_gicv5/signal_adapters.h"

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

namespace test {

using namespace gicv5;
using sc_core::sc_time;

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

inline irs_params spis(uint32_t n) {
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

inline void irs_write(wired& w, irs_reg r, uint32_t value) {
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

} // namespace test
