#include "cpu_stubs/iss/iss_core.h"

#include <unicorn/unicorn.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace cpu_stubs {

namespace {
constexpr uint32_t WFI_WORD = 0xd503207f;
constexpr uint64_t PAGE = 0x1000;
constexpr uint64_t VECTOR_SYNC = 0x200, VECTOR_IRQ = 0x280; // current EL with SP_ELx
constexpr uint64_t PSTATE_EL1H_MASKED = 0x3c5;              // EL1h, D, A, I, F set
constexpr uint64_t PSTATE_I = 1u << 7;

std::string hex(uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

int x_reg(unsigned x) {
    if (x == 29)
        return UC_ARM64_REG_X29;
    if (x == 30)
        return UC_ARM64_REG_X30;
    return UC_ARM64_REG_X0 + static_cast<int>(x);
}

void check(uc_err e, const char* what) {
    if (e != UC_ERR_OK)
        throw std::runtime_error(std::string("ISS: ") + what + ": " + uc_strerror(e));
}
} // namespace

std::optional<system_word> decode_system_word(uint32_t w) {
    if ((w & 0xffc00000u) != 0xd5000000u) // SYS, SYSL, MSR, MRS (register forms)
        return std::nullopt;
    system_word s;
    s.request.read = (w >> 21) & 1; // L: SYSL or MRS
    s.request.op0 = (w >> 19) & 3;
    s.request.op1 = (w >> 16) & 7;
    s.request.crn = (w >> 12) & 15;
    s.request.crm = (w >> 8) & 15;
    s.request.op2 = (w >> 5) & 7;
    s.rt = w & 31;
    if (s.request.op0 == 0) // hints, barriers, PSTATE access: not system instructions
        return std::nullopt;
    return s;
}

iss_core::iss_core(hooks h) : m_hooks(std::move(h)) {
    check(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &m_uc), "uc_open");
    uc_hook hook;
    check(uc_hook_add(m_uc, &hook, UC_HOOK_INTR, reinterpret_cast<void*>(&on_intr), this, 1, 0),
          "UC_HOOK_INTR");
    check(uc_hook_add(m_uc, &hook, UC_HOOK_BLOCK, reinterpret_cast<void*>(&on_block), this, 1, 0),
          "UC_HOOK_BLOCK");
    check(uc_hook_add(m_uc, &hook, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(&on_unmapped),
                      this, 1, 0),
          "UC_HOOK_MEM_UNMAPPED");
}

iss_core::~iss_core() {
    if (m_uc)
        uc_close(m_uc);
}

void iss_core::map_ram(uint64_t base, uint64_t size, unsigned char* host) {
    check(uc_mem_map_ptr(m_uc, base, size, UC_PROT_ALL, host), "mapping RAM");
    m_ram_base = base;
    m_ram_size = size;
    m_ram = host;
}

uint64_t iss_core::load_elf(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw std::runtime_error("guest ELF " + path + ": cannot be opened");
    const std::vector<unsigned char> img((std::istreambuf_iterator<char>(f)),
                                         std::istreambuf_iterator<char>());
    auto fail_elf = [&](const std::string& why) {
        return std::runtime_error("guest ELF " + path + ": " + why);
    };
    auto rd = [&](std::size_t off, unsigned n) {
        if (off + n > img.size())
            throw fail_elf("truncated");
        uint64_t v = 0;
        std::memcpy(&v, &img[off], n); // ELF64 little-endian on a little-endian host
        return v;
    };
    if (img.size() < 64 || std::memcmp(img.data(), "\x7f"
                                                   "ELF",
                                       4) != 0)
        throw fail_elf("not an ELF file");
    if (img[4] != 2 || img[5] != 1 || rd(18, 2) != 183) // ELFCLASS64, little-endian, EM_AARCH64
        throw fail_elf("not a little-endian ELF64 AArch64 image");
    const uint64_t phoff = rd(32, 8), phentsize = rd(54, 2), phnum = rd(56, 2);
    unsigned loaded = 0;
    for (uint64_t i = 0; i < phnum; ++i) {
        const std::size_t ph = phoff + i * phentsize;
        if (rd(ph, 4) != 1) // PT_LOAD
            continue;
        const uint64_t off = rd(ph + 8, 8), addr = rd(ph + 24, 8), filesz = rd(ph + 32, 8),
                       memsz = rd(ph + 40, 8);
        if (addr < m_ram_base || memsz > m_ram_size || addr - m_ram_base > m_ram_size - memsz)
            throw fail_elf("segment at " + hex(addr) + " (" + std::to_string(memsz) +
                           " bytes) lies outside RAM " + hex(m_ram_base) + ".." +
                           hex(m_ram_base + m_ram_size - 1));
        if (filesz > memsz || off + filesz > img.size())
            throw fail_elf("segment at " + hex(addr) + " is truncated");
        unsigned char* to = m_ram + (addr - m_ram_base);
        std::memcpy(to, &img[off], filesz);
        std::memset(to + filesz, 0, memsz - filesz);
        ++loaded;
    }
    if (loaded == 0)
        throw fail_elf("no loadable segment");
    return rd(24, 8);
}

void iss_core::start(uint64_t entry, const uint64_t (&args)[6]) {
    for (unsigned i = 0; i < 6; ++i)
        uc_reg_write(m_uc, x_reg(i), &args[i]);
    uc_reg_write(m_uc, UC_ARM64_REG_PC, &entry);
}

uint64_t iss_core::pc() const {
    uint64_t v = 0;
    uc_reg_read(m_uc, UC_ARM64_REG_PC, &v);
    return v;
}

uint64_t iss_core::reg(unsigned x) const {
    uint64_t v = 0;
    uc_reg_read(m_uc, x_reg(x), &v);
    return v;
}

uint64_t iss_core::sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                          unsigned op2) const {
    uc_arm64_cp_reg r{crn, crm, op0, op1, op2, 0};
    uc_reg_read(m_uc, UC_ARM64_REG_CP_REG, &r);
    return r.val;
}

void iss_core::set_sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                          uint64_t v) {
    uc_arm64_cp_reg r{crn, crm, op0, op1, op2, v};
    uc_reg_write(m_uc, UC_ARM64_REG_CP_REG, &r);
}

bool iss_core::irq_masked() const {
    uint64_t pstate = 0;
    uc_reg_read(m_uc, UC_ARM64_REG_PSTATE, &pstate);
    return pstate & PSTATE_I;
}

void iss_core::enter(uint64_t vector_offset, uint64_t elr) {
    // Unicorn takes no asynchronous exception: the entry as the architecture makes it.
    uint64_t pstate = 0;
    uc_reg_read(m_uc, UC_ARM64_REG_PSTATE, &pstate);
    set_sysreg(3, 0, 4, 0, 0, pstate); // SPSR_EL1
    set_sysreg(3, 0, 4, 0, 1, elr);    // ELR_EL1
    const uint64_t next = PSTATE_EL1H_MASKED;
    uc_reg_write(m_uc, UC_ARM64_REG_PSTATE, &next);
    const uint64_t vector = sysreg(3, 0, 12, 0, 0) + vector_offset; // VBAR_EL1
    uc_reg_write(m_uc, UC_ARM64_REG_PC, &vector);
}

void iss_core::take_irq() {
    ++m_irqs;
    enter(VECTOR_IRQ, pc());
}

void iss_core::charge_pending() {
    if (m_uncharged != 0 && m_hooks.charge)
        m_hooks.charge(m_uncharged);
    m_uncharged = 0;
}

void iss_core::fail(const std::string& why) {
    if (m_error.empty())
        m_error = why;
    stop_now();
}

void iss_core::stop_now() {
    m_stopped = true;
    uc_emu_stop(m_uc);
}

iss_core::stop iss_core::run_slice(uint64_t max) {
    m_stopped = false;
    const uint64_t from = pc();
    const uc_err e = uc_emu_start(m_uc, from, ~uint64_t{3}, 0, max);
    charge_pending();
    if (!m_error.empty())
        return stop::error;
    const uint64_t now = pc();
    if (e != UC_ERR_OK) {
        fail("guest stopped at pc " + hex(now) + ": " + uc_strerror(e));
        return stop::error;
    }
    // WFI ends Unicorn's run with PC after it, as the last instruction of its block.
    uint32_t word = 0;
    if (!m_stopped && now == m_last_block_end && now - 4 >= m_ram_base &&
        now - m_ram_base <= m_ram_size && uc_mem_read(m_uc, now - 4, &word, 4) == UC_ERR_OK &&
        word == WFI_WORD)
        return stop::wfi;
    return stop::slice;
}

void iss_core::on_block(uc_struct*, uint64_t addr, uint32_t size, void* self) {
    auto& c = *static_cast<iss_core*>(self);
    c.m_insns += size / 4;
    c.m_uncharged += size / 4;
    c.m_last_block_end = addr + size;
}

void iss_core::on_intr(uc_struct* uc, uint32_t intno, void* self) {
    auto& c = *static_cast<iss_core*>(self);
    uint64_t pc = 0;
    uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
    uint32_t word = 0;
    uc_mem_read(uc, pc, &word, 4);
    if (intno == 1) { // EXCP_UDEF: what Unicorn does not implement, the GIC space among it
        if (decode_system_word(word)) {
            c.gic_trap(pc, word);
            return;
        }
        c.fail("guest: undefined instruction " + hex(word) + " at pc " + hex(pc) +
               " (not a system instruction the GIC model implements)");
        return;
    }
    // SVC 2, HVC 3 (HVC at EL1 shows as 1 too), SMC 4, aborts, BRK 7, ...: nothing the guest
    // library uses, and Unicorn does not deliver them to the guest's vectors.
    c.fail("guest: exception " + std::to_string(intno) + " at pc " + hex(pc) + " (word " +
           hex(word) + "), which the ISS PE does not emulate");
}

void iss_core::gic_trap(uint64_t pc, uint32_t word) {
    system_word s = *decode_system_word(word);
    if (!s.request.read) // the operand, or the value an MSR writes; XZR reads as 0
        s.request.rt = s.rt == 31 ? 0 : reg(s.rt);
    charge_pending(); // the instructions before this one happen first
    ++m_gic;
    const gicv5::iss_response r = m_hooks.gic(s.request);
    if (r.undefined) {
        // The architected effect of an UNDEFINED encoding: the synchronous exception, EC 0.
        ++m_undef;
        set_sysreg(3, 0, 5, 2, 0, uint64_t{1} << 25); // ESR_EL1: EC 0 (unknown), IL 1
        enter(VECTOR_SYNC, pc);
        return;
    }
    if (s.request.read && s.rt != 31)
        uc_reg_write(m_uc, x_reg(s.rt), &r.value);
    const uint64_t next = pc + 4;
    if (m_hooks.irq && !irq_masked() && m_hooks.irq()) {
        ++m_irqs; // the access let an interrupt in: taken before the next instruction
        enter(VECTOR_IRQ, next);
        return;
    }
    uc_reg_write(m_uc, UC_ARM64_REG_PC, &next);
}

bool iss_core::on_unmapped(uc_struct* uc, int type, uint64_t addr, int size, int64_t, void* self) {
    auto& c = *static_cast<iss_core*>(self);
    if (type == UC_MEM_FETCH_UNMAPPED) {
        c.fail("guest: instruction fetch from " + hex(addr) + ", which is not RAM");
        return false;
    }
    // Any other address is the platform's (or the hypervisor's): one page of MMIO at a time.
    const uint64_t base = addr & ~(PAGE - 1);
    if (addr + static_cast<uint64_t>(size) > base + PAGE) {
        c.fail("guest: access to " + hex(addr) + " crosses a page boundary outside RAM");
        return false;
    }
    c.m_pages.push_back({&c, base});
    mmio_page* p = &c.m_pages.back();
    if (uc_mmio_map(uc, base, PAGE, reinterpret_cast<uc_cb_mmio_read_t>(&on_mmio_read), p,
                    reinterpret_cast<uc_cb_mmio_write_t>(&on_mmio_write), p) != UC_ERR_OK) {
        c.fail("guest: cannot map " + hex(base) + " as MMIO");
        return false;
    }
    return true; // Unicorn retries the access, now through the page's callbacks
}

uint64_t iss_core::on_mmio_read(uc_struct*, uint64_t off, unsigned size, void* page) {
    auto& p = *static_cast<mmio_page*>(page);
    iss_core& c = *p.core;
    c.charge_pending();
    uint64_t data = 0;
    if (!c.m_hooks.mmio(p.base + off, size, false, data))
        c.fail("guest: load of " + std::to_string(size) + " bytes from " + hex(p.base + off) +
               " (pc " + hex(c.pc()) + "): no device answers there (bus error)");
    return data;
}

void iss_core::on_mmio_write(uc_struct*, uint64_t off, unsigned size, uint64_t value, void* page) {
    auto& p = *static_cast<mmio_page*>(page);
    iss_core& c = *p.core;
    c.charge_pending();
    if (!c.m_hooks.mmio(p.base + off, size, true, value))
        c.fail("guest: store of " + std::to_string(size) + " bytes to " + hex(p.base + off) +
               " (pc " + hex(c.pc()) + "): no device answers there (bus error)");
}

} // namespace cpu_stubs
