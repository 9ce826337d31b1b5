// libFuzzer target: the GIC system instructions and ICC_/ICH_ register accesses of the CPU
// interfaces (tlm_gicv5/cpu_interface.h) under operand streams from the input, in the physical
// domain and in the virtual one. The platform is built and brought up once (SystemC elaborates
// once per process): a host IST, VM 0 with its SPI and LPI vISTs, vCPU 0 of VM 0 resident on PE 1
// with the guest's ICC_PCR/ICC_CR0 enabled, and PE 0's physical ICC_PCR/ICC_CR0 enabled. Its state
// lives across inputs. Each input is a run of records; each one is an access made directly
// through a CPU interface's export, then simulated time passes. Beyond no crash and no sanitizer
// report, it asserts:
//   1. no interrupt is acknowledged (GICR CDIA/CDNMIA VALID) without an earlier cause in the run;
//   2. memory outside the tables the bring-up made is never written;
//   3. the read-only ID registers (ICC_IDR0, ICC_IAFFIDR, ICC_PPI_HMR0/1, IRS ID registers) keep
//      their values;
//   4. no SystemC error or fatal report (the protocol checkers on every binding report theirs).
#include "platform/gicv5_platform.h"
#include "tlm_gicv5/iste.h"
#include "tlm_gicv5/vm_table.h"

#include <systemc> // declares sc_main, which libsystemc needs defined

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <unordered_set>
#include <vector>

int sc_main(int, char*[]) { return 0; } // libFuzzer brings main()

namespace {

using namespace gicv5;
using sc_core::SC_NS;
using sc_core::sc_time;
constexpr exception_level EL1 = exception_level::EL1, EL2 = exception_level::EL2;

std::unique_ptr<platform::gicv5_platform> g_top;
std::vector<std::pair<irs_reg, uint64_t>> g_irs_ids; // IRS ID registers and their values
std::vector<std::pair<sysreg, uint64_t>> g_icc_ids;  // ICC read-only registers, per PE alike
constexpr sysreg icc_ids[] = {sysreg::ICC_IDR0_EL1, sysreg::ICC_IAFFIDR_EL1,
                              sysreg::ICC_PPI_HMR0_EL1, sysreg::ICC_PPI_HMR1_EL1};
uint64_t g_hmr[2];                 // ICC_PPI_HMR0/1: level PPIs (their SPENDR bits do nothing)
std::vector<uint32_t> g_doorbells; // the doorbell LPI of each mapped vPE (its descriptor)
std::vector<std::pair<uint64_t, uint64_t>> g_tables; // [begin, end) memory offsets, sorted
std::vector<unsigned char> g_mem, g_now;             // memory after the bring-up; scratch

// Interrupts with a cause so far: (virtual, scope, INTID). The scope of a PPI is its PE (each
// PE has its own PPIs, and a guest bank per CPU interface); of a virtual LPI or SPI its VM.
std::unordered_set<uint64_t> g_caused;
uint64_t key(bool virt, unsigned scope, intid id) {
    return uint64_t{virt} << 63 | uint64_t{scope & 0xffff} << 40 | id.encode();
}

void fail(const char* what, uint64_t value = 0) {
    std::fprintf(stderr, "fuzz_sysinsn: %s (0x%llx)\n", what,
                 static_cast<unsigned long long>(value));
    std::abort();
}

gic_cpu_if& cpu(unsigned pe) { return g_top->cpuifs[pe]->cpu; } // through the export
uint64_t mrs(unsigned pe, sysreg r, exception_level el = EL2) {
    sc_time d;
    return cpu(pe).read_sysreg(r, el, d);
}
void msr(unsigned pe, sysreg r, uint64_t v, exception_level el = EL2) {
    sc_time d;
    cpu(pe).write_sysreg(r, v, el, d);
    sc_core::sc_start(d);
}
uint64_t irs_peek(irs_reg r) { return g_top->irs_register(r); }
uint64_t mem64(uint64_t addr) {
    uint64_t v = 0;
    if (!g_top->mem.peek(addr - g_top->cfg.memory.base, &v, 8))
        fail("a table lies outside memory", addr);
    return v;
}
void add_table(uint64_t addr, uint64_t bytes) {
    const uint64_t at = addr - g_top->cfg.memory.base;
    g_tables.emplace_back(at, at + bytes);
}
// A linear IST or vIST (the only kind the bring-up makes) from its ISTSZ and ID bits.
void add_ist(uint64_t addr, unsigned istsz, unsigned id_bits, bool two_level) {
    if (two_level)
        fail("the bring-up made a two-level IST; the harness expects linear ones");
    add_table(addr, uint64_t{iste_bytes(istsz)} << id_bits);
}

// The tables the bring-up made, from the IRS registers and the VM table (vm_table.h).
void find_tables() {
    const uint64_t baser = irs_peek(irs_reg::IRS_IST_BASER);
    const uint64_t cfgr = irs_peek(irs_reg::IRS_IST_CFGR);
    if (IRS_IST_BASER::VALID.test(baser))
        add_ist(addr_of(IRS_IST_BASER::ADDR, baser), IRS_IST_CFGR::ISTSZ.get(cfgr),
                IRS_IST_CFGR::LPI_ID_BITS.get(cfgr), IRS_IST_CFGR::STRUCTURE.test(cfgr));
    const uint64_t vmt = g_top->agent.vm_table();
    const unsigned vm_bits = IRS_VMT_CFGR::VM_ID_BITS.get(irs_peek(irs_reg::IRS_VMT_CFGR));
    add_table(vmt, uint64_t{VMTE_BYTES} << vm_bits);
    const uint64_t vmd_bytes = uint64_t{1} << IRS_IDR3::VMD_SZ.get(irs_peek(irs_reg::IRS_IDR3));
    const uint64_t vped_bytes = uint64_t{1} << IRS_IDR4::VPED_SZ.get(irs_peek(irs_reg::IRS_IDR4));
    for (unsigned vm = 0; vm < 1u << vm_bits; ++vm) {
        const uint64_t w0 = mem64(vmte_word_address(vmt, vm, vmte_word::vmd));
        if (!VMTE_W0::VALID.test(w0))
            continue;
        if (addr_of(VMTE_W0::VMD_ADDR, w0))
            add_table(addr_of(VMTE_W0::VMD_ADDR, w0), vmd_bytes);
        const uint64_t w1 = mem64(vmte_word_address(vmt, vm, vmte_word::vpet));
        const uint64_t vpet = addr_of(VMTE_W1::VPET_ADDR, w1);
        const unsigned vpes = 1u << VMTE_W1::VPE_ID_BITS.get(w1);
        add_table(vpet, uint64_t{VPETE_BYTES} * vpes);
        for (unsigned vpe = 0; vpe < vpes; ++vpe) {
            const uint64_t e = mem64(vpet + uint64_t{VPETE_BYTES} * vpe);
            if (!VPETE::VALID.test(e))
                continue;
            add_table(addr_of(VPETE::VPED_ADDR, e), vped_bytes);
            const uint64_t dbr =
                mem64(desc_word_address(addr_of(VPETE::VPED_ADDR, e), vped_word::dbr));
            if (IRS_VPE_DBR::DBV.test(dbr))
                g_doorbells.push_back(static_cast<uint32_t>(IRS_VPE_DBR::INTID.get(dbr)));
        }
        for (vmte_word w : {vmte_word::lpi_vist, vmte_word::spi_vist}) {
            const uint64_t d = mem64(vmte_word_address(vmt, vm, w));
            if (VIST_DESC::IST_VALID.test(d))
                add_ist(addr_of(VIST_DESC::ADDR, d), VIST_DESC::ISTSZ.get(d),
                        VIST_DESC::ID_BITS.get(d), VIST_DESC::STRUCTURE.test(d));
        }
    }
    std::sort(g_tables.begin(), g_tables.end());
}

// Who makes a record's access: PE 0 (host) at EL2 or EL1, PE 1 as the guest at EL1 (its vPE is
// resident) or as its hypervisor at EL2.
struct issuer {
    unsigned pe;
    exception_level el;
};
constexpr issuer issuers[] = {{0, EL2}, {0, EL1}, {1, EL1}, {1, EL2}};

// Biases a raw operand towards real interrupts: TYPE mostly PPI, LPI or SPI, small IDs, VM 0
// and vPE or PE 0 or 1; a register value towards one bit or one byte. A quarter stay raw.
uint64_t shape(uint64_t raw, unsigned sel, int insn, int reg) {
    if (sel >= 12)
        return raw;
    if (reg >= 0 && reg != static_cast<int>(sysreg::ICH_CONTEXTR_EL2))
        return sel & 1 ? raw & 0xff : uint64_t{1} << (raw & 63);
    static const uint32_t id_masks[] = {0x7, 0x3f, 0x7f, 0xffffff};
    const unsigned t = static_cast<unsigned>(INTID::TYPE.get(raw));
    uint64_t op = INTID::TYPE.set(raw, t < 6 ? 1 + t % 3 : t) & ~uint64_t{0x0f000000};
    op = INTID::ID.set(op, raw & id_masks[sel & 3]);
    const bool wide = sel & 4;
    if (insn == static_cast<int>(gic_insn::CDAFF) && !wide)
        op = CD_OPERAND::IAFFID.set(op, CD_OPERAND::IAFFID.get(raw) & 1);
    if (insn == static_cast<int>(gic_insn::VDAFF) && !wide)
        op = VD_OPERAND::IAFFID.set(op, VD_OPERAND::IAFFID.get(raw) & 1);
    if (insn >= static_cast<int>(gic_insn::VDDIS))
        op = VD_OPERAND::VM.set(op, sel & 8 ? VD_OPERAND::VM.get(raw) & 0xf : 0);
    if (reg == static_cast<int>(sysreg::ICH_CONTEXTR_EL2)) {
        op = ICH_CONTEXTR_EL2::VM.set(raw, sel & 8 ? ICH_CONTEXTR_EL2::VM.get(raw) & 0xf : 0);
        op = ICH_CONTEXTR_EL2::VPE.set(op, ICH_CONTEXTR_EL2::VPE.get(raw) & (wide ? 0xf : 1));
    }
    return op;
}

// Every cause of pending the model has, and which of them this harness can reach:
//   - GIC CDPEND with PENDING = 1 (physical LPI or SPI; at EL1 with a vPE resident, the VM's);
//   - GIC VDPEND with PENDING = 1 (the VM it names);
//   - ICC_PPI_SPENDR<n>_EL1 writes (edge PPIs only; the guest's bank when virtual);
//   - ICH_PPI_PENDR<n>_EL2 writes (the guest PPI bank of that CPU interface);
//   - a doorbell: ICH_CONTEXTR_EL2 written with DB = 1 while a vPE is resident requests one,
//     and a later pending vIST interrupt rings it, pending the doorbell LPI (irs.cpp);
// and, out of this harness's reach: SPI wires and IRS_SPI_VMR (virtual SPI wires), IRS_SETLPIR,
// IRS_VPE_DBR.REQ_DB, PPI wires (the virtual timer is disabled; a DVI guest PPI follows that
// wire), ISTEs already pending when an IST is made valid (all config-frame or wire actions).
void record_causes(unsigned pe, bool guest, unsigned vm, bool is_insn, bool write, unsigned which,
                   uint64_t v) {
    if (is_insn) {
        const auto i = static_cast<gic_insn>(which);
        if (i == gic_insn::CDPEND && CD_OPERAND::PENDING.test(v))
            g_caused.insert(key(guest, guest ? vm : 0, intid::decode(v)));
        if (i == gic_insn::VDPEND && VD_OPERAND::PENDING.test(v))
            g_caused.insert(
                key(true, static_cast<unsigned>(VD_OPERAND::VM.get(v)), intid::decode(v)));
        return;
    }
    if (!write)
        return;
    const auto r = static_cast<sysreg>(which);
    bool virt = guest;
    uint64_t bits = 0;
    unsigned bank = 0;
    if (r == sysreg::ICC_PPI_SPENDR0_EL1 || r == sysreg::ICC_PPI_SPENDR1_EL1) {
        bank = r == sysreg::ICC_PPI_SPENDR1_EL1;
        bits = v & ~g_hmr[bank];
    } else if ((r == sysreg::ICH_PPI_PENDR0_EL2 || r == sysreg::ICH_PPI_PENDR1_EL2) && !guest) {
        virt = true;
        bank = r == sysreg::ICH_PPI_PENDR1_EL2;
        bits = v;
    } else if (r == sysreg::ICH_CONTEXTR_EL2 && ICH_CONTEXTR_EL2::DB.test(v) &&
               ICH_CONTEXTR_EL2::V.test(mrs(pe, sysreg::ICH_CONTEXTR_EL2))) {
        for (uint32_t db : g_doorbells) // conservatively, any vPE's doorbell
            g_caused.insert(key(false, 0, lpi(db)));
    }
    for (; bits; bits &= bits - 1)
        g_caused.insert(
            key(virt, pe, ppi(bank * 64 + static_cast<unsigned>(__builtin_ctzll(bits)))));
}

void check_acknowledge(unsigned pe, bool guest, unsigned vm, uint64_t r) {
    if (!CDIA_RESULT::VALID.test(r))
        return;
    const intid id = intid::decode(r);
    if (!id.architected() || (r & 0x1f000000u) || (r >> 33))
        fail("an acknowledge returned a malformed INTID", r);
    const unsigned scope = id.type == intid_type::PPI ? pe : guest ? vm : 0;
    if (!g_caused.count(key(guest, scope, id)))
        fail(guest ? "a virtual interrupt was acknowledged with no cause for it"
                   : "a physical interrupt was acknowledged with no cause for it",
             r | uint64_t{pe} << 48 | uint64_t{vm} << 56);
}

// What each input starts from: the knobs the previous one may have turned are set back (traps,
// residency of vCPU 0 on PE 1, the guest's and PE 0's enables and masks). Interrupt state stays.
void normalise() {
    if (ICH_CONTEXTR_EL2::V.test(mrs(0, sysreg::ICH_CONTEXTR_EL2)))
        msr(0, sysreg::ICH_CONTEXTR_EL2, 0);
    msr(0, sysreg::ICC_PCR_EL1, PRIORITY_LOWEST);
    msr(0, sysreg::ICC_CR0_EL1, 1);
    for (unsigned pe = 0; pe < 2; ++pe)
        for (sysreg r : {sysreg::ICH_HFGRTR_EL2, sysreg::ICH_HFGWTR_EL2, sysreg::ICH_HFGITR_EL2})
            msr(pe, r, 0);
    const uint64_t resident =
        ICH_CONTEXTR_EL2::V.make(1) | ICH_CONTEXTR_EL2::VM.make(0) | ICH_CONTEXTR_EL2::VPE.make(0);
    if ((mrs(1, sysreg::ICH_CONTEXTR_EL2) &
         (ICH_CONTEXTR_EL2::V.mask() | ICH_CONTEXTR_EL2::VM.mask() |
          ICH_CONTEXTR_EL2::VPE.mask())) != resident)
        msr(1, sysreg::ICH_CONTEXTR_EL2, resident);
    msr(1, sysreg::ICH_VMCR_EL2,
        ICH_VMCR_EL2::EN.make(1) | ICH_VMCR_EL2::VPMR.make(PRIORITY_LOWEST));
}

void check_read_only() {
    for (const auto& [r, v] : g_irs_ids)
        if (irs_peek(r) != v)
            fail("an IRS ID register changed", static_cast<uint64_t>(r));
    for (unsigned pe = 0; pe < 2; ++pe) {
        // A guest read trapped by ICH_HFGRTR_EL2 returns 0 by design: only untrapped ones count.
        const uint64_t traps = mrs(pe, sysreg::ICH_HFGRTR_EL2);
        const bool el1 = !(traps & (ICH_HFGxTR_EL2::IDRn.mask() | ICH_HFGxTR_EL2::IAFFIDR.mask() |
                                    ICH_HFGxTR_EL2::PPI_HMRn.mask()));
        for (const auto& [r, v] : g_icc_ids) {
            const uint64_t want = r == sysreg::ICC_IAFFIDR_EL1 ? v + pe : v;
            if (mrs(pe, r) != want || (el1 && mrs(pe, r, EL1) != want))
                fail("a read-only ICC register changed", static_cast<uint64_t>(r));
        }
    }
}

void check_memory() {
    g_top->mem.peek(0, g_now.data(), static_cast<unsigned>(g_now.size()));
    uint64_t at = 0;
    for (std::size_t i = 0; i <= g_tables.size(); ++i) {
        const uint64_t end = i < g_tables.size() ? g_tables[i].first : g_now.size();
        if (end > at && std::memcmp(&g_now[at], &g_mem[at], end - at) != 0)
            for (uint64_t o = at;; ++o)
                if (g_now[o] != g_mem[o])
                    fail("memory outside the tables changed, at offset", o);
        if (i < g_tables.size())
            at = std::max(at, g_tables[i].second);
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    using sc_core::sc_report_handler;
    sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
    sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_DISPLAY | sc_core::SC_ABORT);
    sc_report_handler::set_actions(sc_core::SC_FATAL, sc_core::SC_DISPLAY | sc_core::SC_ABORT);
    platform::platform_config cfg;
    cfg.sources.clear();
    cfg.memory.size = 256u << 10; // the tables take ~24 KiB; a small memory is cheap to compare
    cfg.irs.nmi = true;           // priority 0 is for GICR CDNMIA: both acknowledges are live
    g_top = std::make_unique<platform::gicv5_platform>("top", cfg,
                                                       platform::build_options{false, true});
    bool host_done = false, guest_done = false;
    cpu_stubs::script_program host([&](cpu_stubs::pe& p) {
        g_top->agent.host_init(p);
        g_top->agent.vm_init(p, 0);
        g_top->agent.map_lpi_vist(p, 0, 12); // as KVM when the guest's IST is valid: vLPIs too
        p.msr(sysreg::ICC_PCR_EL1, PRIORITY_LOWEST); // EL2: the physical domain
        p.msr(sysreg::ICC_CR0_EL1, 1);
        p.sync();
        host_done = true;
    });
    cpu_stubs::script_program guest([&](cpu_stubs::pe& p) {
        g_top->agent.vcpu_load(p, 0, 0); // waits until VM 0 is ready
        p.set_el(EL1);
        p.msr(sysreg::ICC_PCR_EL1, PRIORITY_LOWEST);
        p.msr(sysreg::ICC_CR0_EL1, 1);
        p.sync();
        guest_done = true;
    });
    g_top->pes[0]->load(host);
    g_top->pes[1]->load(guest);
    sc_core::sc_start(); // until the scripts are done and nothing is left to happen
    if (!host_done || !guest_done)
        fail("the bring-up did not finish");
    for (unsigned pe = 0; pe < 2; ++pe)
        if (ICC_HPPIR_EL1::HPPIV.test(mrs(pe, sysreg::ICC_HPPIR_EL1, EL1)))
            fail("something is pending after the bring-up", pe);
    for (std::size_t i = 0; i < irs_config_frame_count; ++i) {
        const auto r = static_cast<irs_reg>(i);
        const std::string name = desc(r).name;
        if (name.rfind("IRS_IDR", 0) == 0 || name == "IRS_IIDR" || name == "IRS_AIDR")
            g_irs_ids.emplace_back(r, irs_peek(r));
    }
    for (sysreg r : icc_ids)
        g_icc_ids.emplace_back(r, mrs(0, r));
    g_hmr[0] = mrs(0, sysreg::ICC_PPI_HMR0_EL1);
    g_hmr[1] = mrs(0, sysreg::ICC_PPI_HMR1_EL1);
    find_tables();
    g_mem.resize(g_top->mem.size());
    g_now.resize(g_top->mem.size());
    g_top->mem.peek(0, g_mem.data(), static_cast<unsigned>(g_mem.size()));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    normalise();
    // One record per 12 bytes: [0] issuer (bits 1:0), kind (3:2: 0-1 an instruction, 2 a register
    // read, 3 a write), operand shaping (7:4); [1] which instruction or register; [2..9] the
    // operand; [10..11] bits 10:0 time to let pass after it, in 10 ns units (none if bit 15 is
    // set), bits 14:11 how far the PE runs ahead of the kernel (temporal decoupling), in 100 ns.
    constexpr unsigned n_regs = static_cast<unsigned>(sysreg::count);
    for (std::size_t at = 0; at + 12 <= size; at += 12) {
        const uint8_t* a = data + at;
        issuer who = issuers[a[0] & 3];
        const unsigned kind = (a[0] >> 2) & 3;
        const bool is_insn = kind < 2, write = kind == 3;
        const unsigned which = a[1] % (is_insn ? gic_insn_count : n_regs);
        uint64_t raw = 0;
        std::memcpy(&raw, a + 2, 8);
        // A VD* below EL2 is an error the model reports as a bug of the PE stub, not of the
        // software: the hypervisor's VD* go at EL2.
        if (is_insn && desc(static_cast<gic_insn>(which)).op1 == 4)
            who.el = EL2;
        const uint64_t v = shape(raw, a[0] >> 4, is_insn ? static_cast<int>(which) : -1,
                                 write ? static_cast<int>(which) : -1);
        const uint64_t ctx = mrs(who.pe, sysreg::ICH_CONTEXTR_EL2);
        const bool guest = who.el <= EL1 && ICH_CONTEXTR_EL2::V.test(ctx);
        const unsigned vm = static_cast<unsigned>(ICH_CONTEXTR_EL2::VM.get(ctx));
        record_causes(who.pe, guest, vm, is_insn, write, which, v);
        sc_time delay(100.0 * ((a[11] >> 3) & 0xf), SC_NS);
        if (is_insn) {
            const auto i = static_cast<gic_insn>(which);
            const uint64_t r = cpu(who.pe).execute(i, v, who.el, delay);
            if (i == gic_insn::CDIA || i == gic_insn::CDNMIA)
                check_acknowledge(who.pe, guest, vm, r);
        } else if (write) {
            cpu(who.pe).write_sysreg(static_cast<sysreg>(which), v, who.el, delay);
        } else {
            cpu(who.pe).read_sysreg(static_cast<sysreg>(which), who.el, delay);
        }
        const unsigned ticks = a[11] & 0x80 ? 0 : (a[10] | (a[11] & 7) << 8);
        sc_core::sc_start(delay + sc_time(10.0 * ticks, SC_NS));
    }
    check_read_only();
    check_memory();
    return 0;
}
