// A small platform of its own around the installed tlm_gicv5: a memory, one processor model of
// its own (a trivial one: it runs a fixed program, as host at EL2 and then as guest at EL1), an
// IRS and a CPU interface, and a device whose interrupt line is a plain sc_signal<bool>. The
// host sets up VM 0 as KVM does (VM table, VMTE, vPE table, SPI vIST, each made valid by the IRS
// through IRS_VMAP_*), gives physical SPI 5 to the VM (IRS_SPI_VMR), and makes vPE 0 resident;
// the guest enables virtual SPI 5; the device raises its line; the guest takes the interrupt
// from its vIRQ line with GICR CDIA, drops its priority and deactivates it.
// Exit status 0 when the guest took virtual SPI 5, 1 otherwise.
#include <tlm_gicv5/cpu_interface.h>
#include <tlm_gicv5/irs.h>
#include <tlm_gicv5/irs_regs.h>
#include <tlm_gicv5/signal_adapters.h>
#include <tlm_gicv5/vm_table.h>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdio>
#include <cstring>
#include <vector>

using namespace sc_core;
using namespace gicv5;

// 1 MiB of RAM at address 0, for the IRS's table walks and the processor's stores.
struct ram : sc_module {
    tlm_utils::multi_passthrough_target_socket<ram> socket{"socket"};
    std::vector<unsigned char> bytes = std::vector<unsigned char>(1 << 20);
    explicit ram(const sc_module_name& n) : sc_module(n) {
        socket.register_b_transport(this, &ram::b_transport);
    }
    void b_transport(int, tlm::tlm_generic_payload& tx, sc_time& delay) {
        const uint64_t a = tx.get_address();
        if (a + tx.get_data_length() > bytes.size() || tx.get_byte_enable_ptr()) {
            tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        if (tx.is_read())
            std::memcpy(tx.get_data_ptr(), &bytes[a], tx.get_data_length());
        else if (tx.is_write())
            std::memcpy(&bytes[a], tx.get_data_ptr(), tx.get_data_length());
        delay += sc_time(50, SC_NS);
        tx.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

// A device that raises its interrupt line once, at 50 us.
struct device : sc_module {
    sc_out<bool> irq{"irq"};
    SC_CTOR(device) { SC_THREAD(run); }
    void run() {
        wait(sc_time(50, SC_US));
        std::printf("%s: device raises its line\n", sc_time_stamp().to_string().c_str());
        irq.write(true);
    }
};

// The processor model: GIC instructions and ICC_/ICH_ registers through the CPU interface's
// gic_cpu_if, memory and IRS registers through two initiator sockets.
struct cpu : sc_module {
    sc_port<gic_cpu_if> gic{"gic"};
    tlm_utils::simple_initiator_socket<cpu> ram_port{"ram_port"}, irs_port{"irs_port"};
    tlm_utils::simple_initiator_socket<cpu> setlpi_port{"setlpi_port"}; // bound, unused
    sc_in<bool> virq{"virq"};
    bool took_it = false;

    SC_CTOR(cpu) { SC_THREAD(run); }

    static constexpr uint64_t VMT = 0x10000, VMD = 0x11000, VPET = 0x12000, VPED = 0x13000,
                              SPI_VIST = 0x14000;

    void access(tlm_utils::simple_initiator_socket<cpu>& s, bool write, uint64_t addr, uint64_t& v,
                unsigned len) {
        tlm::tlm_generic_payload tx;
        tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        tx.set_address(addr);
        tx.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
        tx.set_data_length(len);
        tx.set_streaming_width(len);
        tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time d = SC_ZERO_TIME;
        s->b_transport(tx, d);
        wait(d);
        if (tx.is_response_error())
            SC_REPORT_ERROR(name(), tx.get_response_string().c_str());
    }
    void store(uint64_t addr, uint64_t v) { access(ram_port, true, addr, v, 8); }
    void irs_write(irs_reg r, uint64_t v) {
        access(irs_port, true, desc(r).offset, v, desc(r).width / 8);
    }
    uint64_t irs_read(irs_reg r) {
        uint64_t v = 0;
        access(irs_port, false, desc(r).offset, v, desc(r).width / 8);
        return v;
    }
    // A VMAP operation completes when IRS_VMT_STATUSR.IDLE reads 1 again (reference §2.3).
    void vmap(irs_reg r, uint64_t v) {
        irs_write(r, v);
        while (!IRS_VMT_STATUSR::IDLE.test(irs_read(irs_reg::IRS_VMT_STATUSR)))
            wait(sc_time(1, SC_US));
    }
    uint64_t insn(gic_insn i, uint64_t operand, exception_level el) {
        sc_time d = SC_ZERO_TIME;
        const uint64_t r = gic->execute(i, operand, el, d);
        wait(d);
        return r;
    }
    void msr(sysreg r, uint64_t v, exception_level el) {
        sc_time d = SC_ZERO_TIME;
        gic->write_sysreg(r, v, el, d);
        wait(d);
    }

    void run() {
        const exception_level EL1 = exception_level::EL1, EL2 = exception_level::EL2;
        // The host (KVM's order, reference §5.3): the IRS on, then VM 0's tables.
        irs_write(irs_reg::IRS_CR0, IRS_CR0::IRSEN.make(1));
        irs_write(irs_reg::IRS_VMT_CFGR, IRS_VMT_CFGR::VM_ID_BITS.make(4)); // linear, 16 VMs
        vmap(irs_reg::IRS_VMT_BASER, VMT | IRS_VMT_BASER::VALID.make(1));
        store(vmte_word_address(VMT, 0, vmte_word::vmd), VMD);
        store(vmte_word_address(VMT, 0, vmte_word::vpet), VPET | VMTE_W1::VPE_ID_BITS.make(1));
        vmap(irs_reg::IRS_VMAP_VMR, IRS_VMAP_VMR::M.make(1) | IRS_VMAP_VMR::VM_ID.make(0));
        store(VPET, VPED); // vPE 0's descriptor
        vmap(irs_reg::IRS_VMAP_VPER, IRS_VMAP_VPER::M.make(1));
        // The SPI vIST: linear, 32 SPIs of 4 bytes.
        store(vmte_word_address(VMT, 0, vmte_word::spi_vist),
              SPI_VIST | VIST_DESC::ID_BITS.make(5));
        vmap(irs_reg::IRS_VMAP_VISTR, IRS_VMAP_VISTR::M.make(1) | IRS_VMAP_VISTR::TYPE.make(3));
        // Physical SPI 5 belongs to VM 0: its wire pends the VM's virtual SPI 5.
        irs_write(irs_reg::IRS_SPI_SELR, 5);
        wait(sc_time(2, SC_US)); // the selector operation's IDLE
        irs_write(irs_reg::IRS_SPI_VMR, IRS_SPI_VMR::VIRT.make(1) | IRS_SPI_VMR::VM_ID.make(0));
        // vgic_v5_load(): vPE 0 of VM 0 resident here.
        msr(sysreg::ICH_CONTEXTR_EL2, ICH_CONTEXTR_EL2::V.make(1), EL2);
        // The guest (Linux's order, reference §9): mask, enable, then its SPI.
        msr(sysreg::ICC_PCR_EL1, PRIORITY_LOWEST, EL1);
        msr(sysreg::ICC_CR0_EL1, 1, EL1);
        const uint64_t vspi5 = spi(5).encode();
        insn(gic_insn::CDPRI, vspi5 | CD_OPERAND::PRIORITY.make(0x10), EL1);
        insn(gic_insn::CDAFF, vspi5 | CD_OPERAND::IAFFID.make(0), EL1);
        insn(gic_insn::CDEN, vspi5, EL1);
        std::printf("%s: guest ready, waiting for its vIRQ\n", sc_time_stamp().to_string().c_str());
        while (!virq.read())
            wait(virq.value_changed_event());
        const uint64_t ack = insn(gic_insn::CDIA, 0, EL1);
        took_it = ack == (vspi5 | CDIA_RESULT::VALID.make(1));
        std::printf("%s: guest GICR CDIA -> 0x%llx (%s)\n", sc_time_stamp().to_string().c_str(),
                    static_cast<unsigned long long>(ack),
                    took_it ? "virtual SPI 5" : "not virtual SPI 5");
        insn(gic_insn::CDEOI, 0, EL1);
        insn(gic_insn::CDDI, vspi5, EL1);
        sc_stop();
    }
};

int sc_main(int, char*[]) {
    irs_params p;
    p.pe_count = 1;
    p.spi_irs_range = 32; // SPIs 0..31
    p.spi_range = 32;
    irs gic("irs", p);
    cpu_interface cpuif("cpuif", cpu_interface_params{});
    ram mem("ram");
    cpu pe("cpu");
    device dev("device");

    gic.mem.bind(mem.socket);
    pe.ram_port.bind(mem.socket);
    pe.irs_port.bind(gic.config_frame);
    pe.setlpi_port.bind(gic.setlpi_frame);
    cpuif.stream_out.bind(gic.stream_in);
    gic.stream_out.bind(cpuif.stream_in);
    pe.gic.bind(cpuif.cpu);

    // Plain signals: the device's line into the IRS, the CPU interface's lines out.
    irs_spi_signals spi_wires("spi_wires", gic);
    cpu_interface_signals lines("lines", cpuif);
    sc_vector<sc_signal<bool>> spi("spi", spi_wires.spi.size());
    for (std::size_t i = 0; i < spi.size(); ++i)
        spi_wires.spi[i].bind(spi[i]);
    dev.irq.bind(spi[5]);
    sc_signal<bool> irq("irq"), fiq("fiq"), nmi("nmi"), virq("virq");
    lines.irq.bind(irq);
    lines.fiq.bind(fiq);
    lines.nmi.bind(nmi);
    lines.virq.bind(virq);
    pe.virq.bind(virq);

    sc_start(sc_time(1, SC_MS));
    return pe.took_it ? 0 : 1;
}
