// libFuzzer target: the IRS config frame (tlm_gicv5/irs.h) under arbitrary access streams: each
// input is a run of accesses (offset in the 64 KiB frame, size, command, byte enables, data),
// with simulated time passing between them so that operations complete. The platform is built
// once (SystemC elaborates once per process) and keeps its state across inputs, as a long-running
// driver would. Beyond not crashing (ASan, UBSan), it asserts: every access gets a response, one
// the TLM base protocol defines (never INCOMPLETE), the ID registers never change, and no
// physical SPI becomes pending (its wire stays low, and trigger-mode changes, resampling and
// handing an SPI to a VM follow the wire, R_HHKMN, R_KBPXL).
#include "platform/gicv5_platform.h"
#include "tlm_gicv5/irs_regs.h"

#include <systemc> // declares sc_main, which libsystemc needs defined

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

int sc_main(int, char*[]) { return 0; } // libFuzzer brings main()

namespace {

std::unique_ptr<platform::gicv5_platform> g_top;
std::vector<std::pair<gicv5::irs_reg, uint64_t>> g_ids; // ID registers and their values

uint64_t peek(gicv5::irs_reg r) { return g_top->irs_register(r); }

void fail(const char* what) {
    std::fprintf(stderr, "fuzz_config_frame: %s\n", what);
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
    platform::platform_config cfg;
    cfg.sources.clear();
    g_top = std::make_unique<platform::gicv5_platform>("top", cfg, platform::build_options{false});
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    for (std::size_t i = 0; i < gicv5::irs_config_frame_count; ++i) {
        const auto r = static_cast<gicv5::irs_reg>(i);
        const std::string name = gicv5::desc(r).name;
        if (name.rfind("IRS_IDR", 0) == 0 || name == "IRS_IIDR" || name == "IRS_AIDR")
            g_ids.emplace_back(r, peek(r));
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // One access per 16 bytes: offset (2), size code, command, byte-enable pattern, pad, data (8),
    // time to let pass after it (2, in 10 ns units).
    static const unsigned sizes[] = {1, 2, 4, 8, 16, 3, 4, 8};
    for (std::size_t at = 0; at + 16 <= size; at += 16) {
        const uint8_t* a = data + at;
        const uint32_t offset = static_cast<uint32_t>(a[0] | a[1] << 8) & ~0u;
        const unsigned len = sizes[a[2] & 7];
        uint8_t buf[16] = {};
        std::memcpy(buf, a + 6, 8);
        uint8_t be[16];
        for (unsigned i = 0; i < 16; ++i)
            be[i] = (a[4] >> (i % 8)) & 1 ? TLM_BYTE_ENABLED : TLM_BYTE_DISABLED;
        tlm::tlm_generic_payload tx;
        const unsigned c = a[3] % 3;
        tx.set_command(c == 0   ? tlm::TLM_READ_COMMAND
                       : c == 1 ? tlm::TLM_WRITE_COMMAND
                                : tlm::TLM_IGNORE_COMMAND);
        tx.set_address(offset);
        tx.set_data_ptr(buf);
        tx.set_data_length(len);
        tx.set_streaming_width(a[3] & 0x80 ? 1 : len);
        if (a[3] & 0x40) {
            tx.set_byte_enable_ptr(be);
            tx.set_byte_enable_length(len);
        }
        tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        g_top->irs.config_frame.get_base_export()->b_transport(tx, delay);
        const tlm::tlm_response_status st = tx.get_response_status();
        if (st == tlm::TLM_INCOMPLETE_RESPONSE)
            fail("an access came back with no response");
        if (st != tlm::TLM_OK_RESPONSE && st != tlm::TLM_ADDRESS_ERROR_RESPONSE &&
            st != tlm::TLM_GENERIC_ERROR_RESPONSE && st != tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE &&
            st != tlm::TLM_BURST_ERROR_RESPONSE && st != tlm::TLM_COMMAND_ERROR_RESPONSE)
            fail("an access got a response status the base protocol does not define");
        const unsigned ticks = static_cast<unsigned>(a[14] | a[15] << 8) % 2000;
        sc_core::sc_start(delay + sc_core::sc_time(10.0 * ticks, sc_core::SC_NS));
    }
    for (const auto& [r, v] : g_ids)
        if (peek(r) != v)
            fail("an ID register changed");
    // Each SPI's state through GIC CDRCFG on PE 0 (no vPE resident: the physical domain).
    gicv5::cpu_interface& cpu = *g_top->cpuifs[0];
    const platform::irs_config& irs = g_top->cfg.irs;
    for (uint32_t id = irs.spi_base; id < irs.spi_base + irs.spi_irs_range; ++id) {
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        cpu.execute(gicv5::gic_insn::CDRCFG, gicv5::spi(id).encode(), gicv5::exception_level::EL1,
                    d);
        const uint64_t icsr =
            cpu.read_sysreg(gicv5::sysreg::ICC_ICSR_EL1, gicv5::exception_level::EL1, d);
        if (!gicv5::ICC_ICSR_EL1::F.test(icsr) && gicv5::ICC_ICSR_EL1::Pending.test(icsr))
            fail("a physical SPI became pending with its wire low");
    }
    return 0;
}
