// A small platform of its own around the installed tlm_gicv5 and its ISS PE (gicv5_iss): 16 MiB
// of RAM, a bus, an IRS, one CPU interface and one PE that runs a guest ELF on Unicorn. The path
// from the ELF to GICR CDIA: the PE loads the image into the RAM (by DMI), runs it at EL1 in
// slices; each GIC instruction (`sysl x0, #0, c12, c3, #0` is GICR CDIA) traps into the ISS as
// UNDEF, is decoded from its word and executed on the CPU interface by gicv5::iss_execute(), its
// result written to Xt; the CPU interface's IRQ output enters the guest's vector at VBAR_EL1 +
// 0x280. The guest's device (its control page) drives the IRS's SPI wires.
// Usage: iss_platform GUEST.elf [ARG]; guest/physical_spis.c (build/guest/physical_spis.elf)
// brings the IRS up as Linux does and handles edge and level SPIs. Exit status 0 when the guest
// passed its own checks, 1 otherwise.
#include <cpu_stubs/iss/iss_pe.h>
#include <tlm_gicv5/cpu_interface.h>
#include <tlm_gicv5/irs.h>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace sc_core;

constexpr uint64_t RAM_BASE = 0x80000000, RAM_SIZE = 16 << 20;
constexpr uint64_t IRS_CONFIG = 0x2f1a0000, IRS_SETLPI = 0x2f1b0000, FRAME = 0x10000;

// RAM at RAM_BASE, by address on the bus, for the PE (with DMI) and the IRS's table walks.
struct ram : sc_module {
    tlm_utils::multi_passthrough_target_socket<ram> socket{"socket"};
    std::vector<unsigned char> bytes = std::vector<unsigned char>(RAM_SIZE);
    explicit ram(const sc_module_name& n) : sc_module(n) {
        socket.register_b_transport(this, &ram::b_transport);
        socket.register_get_direct_mem_ptr(this, &ram::get_direct_mem_ptr);
    }
    void b_transport(int, tlm::tlm_generic_payload& tx, sc_time& delay) {
        const uint64_t a = tx.get_address() - RAM_BASE;
        if (tx.get_address() < RAM_BASE || a + tx.get_data_length() > bytes.size()) {
            tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        if (tx.is_read())
            std::memcpy(tx.get_data_ptr(), &bytes[a], tx.get_data_length());
        else if (tx.is_write())
            std::memcpy(&bytes[a], tx.get_data_ptr(), tx.get_data_length());
        delay += sc_time(40, SC_NS);
        tx.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    bool get_direct_mem_ptr(int, tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
        dmi.set_dmi_ptr(bytes.data());
        dmi.set_start_address(RAM_BASE);
        dmi.set_end_address(RAM_BASE + RAM_SIZE - 1);
        dmi.allow_read_write();
        return true;
    }
};

// The PE's bus: RAM, the IRS config frame and SETLPI frame; anything else is an address error.
struct bus : sc_module {
    tlm_utils::simple_target_socket<bus> in{"in"};
    tlm_utils::simple_initiator_socket<bus> to_ram{"to_ram"}, to_config{"to_config"},
        to_setlpi{"to_setlpi"};
    explicit bus(const sc_module_name& n) : sc_module(n) {
        in.register_b_transport(this, &bus::b_transport);
        in.register_get_direct_mem_ptr(this, &bus::get_direct_mem_ptr);
    }
    void b_transport(tlm::tlm_generic_payload& tx, sc_time& delay) {
        const uint64_t a = tx.get_address();
        if (a >= IRS_CONFIG && a < IRS_CONFIG + FRAME) {
            tx.set_address(a - IRS_CONFIG);
            to_config->b_transport(tx, delay);
            tx.set_address(a);
        } else if (a >= IRS_SETLPI && a < IRS_SETLPI + FRAME) {
            tx.set_address(a - IRS_SETLPI);
            to_setlpi->b_transport(tx, delay);
            tx.set_address(a);
        } else {
            to_ram->b_transport(tx, delay); // RAM answers an address outside it with an error
        }
    }
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi) {
        return to_ram->get_direct_mem_ptr(tx, dmi);
    }
};

int sc_main(int argc, char* argv[]) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s GUEST.elf [ARG]\n", argv[0]);
        return 2;
    }
    tlm::tlm_global_quantum::instance().set(sc_time(1, SC_US)); // the PE's temporal decoupling

    gicv5::irs_params ip;
    ip.pe_count = 1;
    ip.spi_range = ip.spi_irs_range = 64; // SPIs 0..63, all this IRS's
    gicv5::irs irs("irs", ip);
    gicv5::cpu_interface_params cp;
    cp.iaffid = 0;
    gicv5::cpu_interface cpuif("cpuif", cp);
    ram mem("ram");
    bus b("bus");
    cpu_stubs::pe pe("pe", 0);

    // The PE: its GIC instructions to the CPU interface, its loads and stores to the bus, the
    // CPU interface's outputs to its inputs.
    pe.gic.bind(cpuif.cpu);
    pe.mmio.bind(b.in);
    b.to_ram.bind(mem.socket);
    b.to_config.bind(irs.config_frame);
    b.to_setlpi.bind(irs.setlpi_frame);
    irs.mem.bind(mem.socket);
    cpuif.stream_out.bind(irs.stream_in);
    irs.stream_out.bind(cpuif.stream_in);
    cpuif.irq_out.bind(pe.in(cpu_stubs::pe_line::irq));
    cpuif.fiq_out.bind(pe.in(cpu_stubs::pe_line::fiq));
    cpuif.nmi_out.bind(pe.in(cpu_stubs::pe_line::nmi));
    cpuif.virq_out.bind(pe.in(cpu_stubs::pe_line::virq));
    cpuif.bind_trap(pe);
    pe.cntv_out.bind(cpuif.ppi_in[gicv5::PPI_CNTV]);

    // The guest: at EL1, x0 = the IRS config frame, x1 = its control page, x2 = IAFFID 0,
    // x3 = ARG. Its device drives the IRS's SPI wires.
    cpu_stubs::iss_params gp;
    gp.elf = argv[1];
    gp.ram_base = RAM_BASE;
    gp.irs_base = IRS_CONFIG;
    gp.arg = argc > 2 ? std::strtoull(argv[2], nullptr, 0) : 0;
    cpu_stubs::iss_program guest(gp, [&irs](uint32_t spi, bool level, const sc_time& delay) {
        irs.spi_in.at(spi).irq_signal(level, delay);
    });
    pe.load(guest);

    sc_spawn([&guest] { // the run ends when the guest has written its verdict (or failed)
        if (!guest.done())
            wait(guest.done_event());
        sc_stop();
    });
    sc_start(sc_time(100, SC_MS));
    const cpu_stubs::iss_result r = guest.result();
    std::printf("%s", r.console.c_str());
    std::printf("guest %s: verdict %llu, %llu instructions, %llu GIC accesses, %llu IRQs taken, "
                "%llu GICR CDIA on the CPU interface, at %s%s%s\n",
                r.passed() ? "passed" : "FAILED", static_cast<unsigned long long>(r.verdict),
                static_cast<unsigned long long>(r.instructions),
                static_cast<unsigned long long>(r.gic_accesses),
                static_cast<unsigned long long>(r.irqs),
                static_cast<unsigned long long>(cpuif.insn_count(gicv5::gic_insn::CDIA)),
                sc_time_stamp().to_string().c_str(), r.error.empty() ? "" : "; ",
                r.error.c_str());
    return r.passed() ? 0 : 1;
}
