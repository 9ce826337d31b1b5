// A herd7 litmus test of the GICv5 subset (herdtools7 catalogue/aarch64-gic), as parsed: the
// initial state of interrupts, registers and memory, one program per PE, and the final
// condition. What the parser recognises but the model cannot give a meaning to (virtual
// interrupts, page tables, MTE tags, exceptions) makes the test `skip` with the reason; what it
// does not recognise at all is a parse_error naming the file and line.
#pragma once

#include "tlm_gicv5/insn.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace litmus {

// "FILE:LINE: what".
struct parse_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A record value as herd7 writes it: gicval_t:(intid:A, priority:1), intval_t:(active:0),
// (I:1), (ppi0:1). Field values stay symbols (A, P1, 1ofN, edge) until the runner encodes them.
enum class rec_kind { untyped, gicval, intval };
struct record {
    rec_kind kind = rec_kind::untyped;
    int line = 0;                                            // where it was written
    std::vector<std::pair<std::string, std::string>> fields; // in the order written
    const std::string* find(const std::string& name) const;
};

// A value in the init block or the condition: a number, a location (x), or a record.
struct value {
    enum class kind { number, location, rec } k = kind::number;
    uint64_t number = 0;
    std::string location;
    record rec;
};

// [INTID(A)]=(...) or P:[ppi(n)]=(...): the initial state of one interrupt.
struct interrupt_init {
    std::string name; // "A", or "ppi64"
    int ppi = -1;     // the PPI number, -1 for an INTID
    unsigned pe = 0;  // a PPI's PE
    record state;
    int line = 0;
};

enum class op {
    gic,     // GIC CDxx, Xt
    gicr,    // GICR Xt, CDIA / CDNMIA
    gsb_sys, // GSB SYS
    gsb_ack, // GSB ACK
    isb,     // ISB
    barrier, // DSB / DMB (any option): the PE stand-in performs accesses in program order
    nop,     // NOP
    mrs,     // MRS Xt, REG
    msr,     // MSR REG, Xt
    mov_imm, // MOV Xd, #imm
    mov_reg, // MOV Xd, Xn
    eor,     // EOR Xd, Xn, Xm
    ldr,     // LDR Xt, [Xn{, Xm}]
    str,     // STR Xt, [Xn{, Xm}]
    cmp,     // CMP Xn, Xm
    b,       // B label; B.EQ / B.NE label (cond)
    label,   // L0:
    wait,    // WAIT(insn; REG=value): repeats insn until the register matches
};

struct cond_expr;

struct insn {
    op o = op::nop;
    int line = 0;
    std::string text;                // as written, for messages
    gicv5::gic_insn gic{};           // gic, gicr
    unsigned rd = 0, rn = 0, rm = 0; // register numbers; 31 = XZR
    bool has_rm = false;
    bool w = false; // 32-bit (W) form of ldr, str, mov
    uint64_t imm = 0;
    std::string sysreg;               // mrs, msr: the name as written (ICC_ICSR_EL1, ISR_EL1)
    std::string cond;                 // b: "", "EQ" or "NE"
    std::string label;                // b, label
    std::shared_ptr<insn> body;       // wait: the instruction repeated
    std::shared_ptr<cond_expr> until; // wait: its exit condition (one register atom)
};

// One atom of the final condition.
struct atom {
    enum class kind { reg, interrupt, unsupported } k = kind::reg;
    int pe = -1;       // reg: -1 when written without a PE (X0=...)
    unsigned reg = 0;  // reg: register number
    std::string name;  // interrupt: "A" or "ppi64"; unsupported: the text
    bool hapr = false; // reg: last written by MRS ICC_HAPR_EL1 (a running priority)
    value v;
};

struct cond_expr {
    enum class kind { atom, conj, disj, neg } k = kind::atom;
    atom a;
    std::vector<cond_expr> sub;
};

struct test {
    std::string file;
    std::string name;
    std::string skip; // non-empty: not run, and why
    std::vector<interrupt_init> interrupts;
    std::vector<std::string> intids; // INTID names in first-seen order: SPI 0, 1, ..
    std::map<std::pair<unsigned, unsigned>, value> regs; // (pe, reg) -> initial value
    std::vector<std::string> locations;                  // memory locations in first-seen order
    std::vector<std::string> device_locations; // of those, the device pages (raise an SPI)
    std::vector<std::vector<insn>> programs;   // one per PE
    bool exists = true;                        // false: ~exists
    cond_expr condition;
    std::string condition_text;
    std::optional<std::string> verdict; // "Allow" / "Forbid": Verdict= in the file, or kinds.txt
    bool verdict_commented = false;     // taken from a "# name Verdict" line of kinds.txt
    unsigned pes() const { return static_cast<unsigned>(programs.size()); }
    int intid_index(const std::string& n) const;
    bool is_device(const std::string& loc) const;
    void add_skip(const std::string& why) {
        if (skip.empty())
            skip = why;
    }
};

// Parses one litmus file's text; `file` names it in messages. Throws parse_error.
test parse(const std::string& text, const std::string& file);
test parse_file(const std::string& path);

// kinds.txt: "name<whitespace>Verdict" lines, and "# name Verdict" lines (verdict known, not
// yet run by herd). Blank lines and other comments are ignored; a malformed line is an error.
struct kind_entry {
    std::string verdict;
    bool commented = false;
};
std::map<std::string, kind_entry> parse_kinds(const std::string& text, const std::string& file);

// "12" / "0x1f" / "017" (as herd7 and strtoull read them) -> the value; nullopt when s is not
// wholly a number.
std::optional<uint64_t> parse_number(const std::string& s);

// "X3" / "W3" / "XZR" -> 3 / 3 / 31; nullopt when not a register.
std::optional<unsigned> parse_reg(const std::string& s, bool* w = nullptr);

} // namespace litmus
