#include "iss_cases.h"

#include "cpu_stubs/host_program.h"
#include "cpu_stubs/iss/iss_pe.h"
#include "platform/gicv5_platform.h"

#include <tlm>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <sys/stat.h>

namespace bench {

using nlohmann::json;
using sc_core::sc_time;
using clk = std::chrono::steady_clock;

namespace {

constexpr uint64_t LOOP = 0, INSN = 1, IRQ = 2; // bench_iss.c's modes

// One physical PE (IAFFID 0) running the case's program, one idle.
platform::platform_config one_pe() {
    platform::platform_config c;
    c.pes = {{platform::pe_role::script}, {platform::pe_role::script}};
    c.vms.clear();
    c.sources.clear();
    return c;
}

// Host time of a whole simulation run, in ms.
template <typename Load>
double timed_run(Load load) {
    load();
    const clk::time_point t0 = clk::now();
    sc_core::sc_start();
    return std::chrono::duration<double, std::milli>(clk::now() - t0).count();
}

// The stand-in's interrupt loop: the guest's bring-up and handler as C++ calls on its PE.
void stub_irqs(cpu_stubs::pe& self, platform::gicv5_platform& top, uint64_t count,
               uint64_t& taken) {
    namespace CD = gicv5::CD_OPERAND;
    self.set_el(gicv5::exception_level::EL1);
    self.write32(top.cfg.irs.config_frame + gicv5::desc(gicv5::irs_reg::IRS_CR0).offset, 1);
    self.msr(gicv5::sysreg::ICC_PCR_EL1, 0x1f);
    self.msr(gicv5::sysreg::ICC_CR0_EL1, 1);
    const uint64_t spi5 = gicv5::spi(5).encode();
    self.insn(gicv5::gic_insn::CDPRI, spi5 | CD::PRIORITY.make(0x10));
    self.insn(gicv5::gic_insn::CDAFF, spi5);
    self.insn(gicv5::gic_insn::CDEN, spi5);
    for (uint64_t i = 0; i < count; ++i) {
        const sc_time at = self.local_time() - gicv5::sim_now() + sc_time(100, sc_core::SC_NS);
        top.spi_line(5, true, at); // the device's pulse, as the ISS PE's device makes it
        top.spi_line(5, false, at + sc_time(10, sc_core::SC_NS));
        self.wait_for_line(cpu_stubs::pe_line::irq, gicv5::sim_max_time());
        const uint64_t ack = self.insn(gicv5::gic_insn::CDIA);
        self.insn(gicv5::gic_insn::GSB_ACK);
        self.insn(gicv5::gic_insn::CDEOI);
        self.insn(gicv5::gic_insn::CDDI, ack & 0xffffffffu);
        taken += gicv5::CDIA_RESULT::VALID.test(ack);
        self.sync_if_needed();
    }
}

} // namespace

std::string bench_guest_image() {
    const std::string path = std::string(GICV5_GUEST_DIR) + "/bench_iss.elf";
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? path : std::string();
}

bool is_iss_case(const std::string& n) {
    return n == "iss_loop" || n == "iss_insn" || n == "stub_insn" || n == "iss_irq" ||
           n == "stub_irq";
}

json run_iss_case(const case_args& a) {
    const bool irq = a.name == "iss_irq" || a.name == "stub_irq";
    const uint64_t count = static_cast<uint64_t>(a.duration_ms * (irq ? 20 : 1000));
    const platform::platform_config cfg = one_pe();
    tlm::tlm_global_quantum::instance().set(cfg.timing.quantum);
    platform::gicv5_platform top("top", cfg, platform::build_options{false});
    json j;
    if (a.name.rfind("iss_", 0) == 0) {
        cpu_stubs::iss_params ip;
        ip.elf = bench_guest_image();
        if (ip.elf.empty())
            throw std::runtime_error("no guest image bench_iss.elf (needs aarch64-linux-gnu-gcc)");
        ip.ram_base = cfg.memory.base;
        ip.irs_base = cfg.irs.config_frame;
        ip.arg = (a.name == "iss_loop" ? LOOP : irq ? IRQ : INSN) << 32 | count;
        cpu_stubs::iss_program prog(ip, [&top](uint32_t spi, bool level, const sc_time& d) {
            top.spi_line(spi, level, d);
        });
        const double ms = timed_run([&] { top.pes[0]->load(prog); });
        const cpu_stubs::iss_result r = prog.result();
        if (!r.passed())
            throw std::runtime_error("bench guest failed: " + r.error + " verdict " +
                                     std::to_string(r.verdict));
        j["count"] = count;
        j["host_ms"] = ms;
        j["ns_per_op"] = ms * 1e6 / static_cast<double>(count);
        j["instructions_per_op"] = static_cast<double>(r.instructions) / static_cast<double>(count);
        j["lost"] = irq ? count - r.irqs : 0;
        return j;
    }
    uint64_t taken = 0;
    cpu_stubs::script_program prog([&](cpu_stubs::pe& self) {
        if (irq) {
            stub_irqs(self, top, count, taken);
            return;
        }
        self.set_el(gicv5::exception_level::EL1);
        for (uint64_t i = 0; i < count; ++i) {
            (void)self.mrs(gicv5::sysreg::ICC_PCR_EL1);
            self.sync_if_needed();
        }
    });
    const double ms = timed_run([&] { top.pes[0]->load(prog); });
    j["count"] = count;
    j["host_ms"] = ms;
    j["ns_per_op"] = ms * 1e6 / static_cast<double>(count);
    j["lost"] = irq ? count - taken : 0;
    return j;
}

} // namespace bench
