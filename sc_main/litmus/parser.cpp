// The herd7 litmus syntax, for the GICv5 subset of herdtools7 catalogue/aarch64-gic.
#include "litmus/litmus.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace litmus {

const std::string* record::find(const std::string& name) const {
    for (const auto& [n, v] : fields)
        if (n == name)
            return &v;
    return nullptr;
}

int test::intid_index(const std::string& n) const {
    const auto it = std::find(intids.begin(), intids.end(), n);
    return it == intids.end() ? -1 : static_cast<int>(it - intids.begin());
}

bool test::is_device(const std::string& loc) const {
    return std::find(device_locations.begin(), device_locations.end(), loc) !=
           device_locations.end();
}

std::optional<uint64_t> parse_number(const std::string& s) {
    if (s.empty())
        return std::nullopt;
    try {
        std::size_t n = 0;
        const uint64_t v = std::stoull(s, &n, 0);
        if (n == s.size())
            return v;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

namespace {

std::string trim(const std::string& s) {
    const std::size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string upper(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

// Splits at `sep` outside parentheses and brackets.
std::vector<std::string> split_top(const std::string& s, char sep) {
    std::vector<std::string> out;
    int depth = 0;
    std::string cur;
    for (char c : s) {
        if (c == '(' || c == '[')
            ++depth;
        else if (c == ')' || c == ']')
            --depth;
        if (c == sep && depth == 0) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

bool is_ident(const std::string& s) {
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

// The parser of one file: remembers the file name for messages.
class parser {
public:
    parser(const std::string& file, test& t) : m_file(file), m_t(t) {}

    [[noreturn]] void fail(int line, const std::string& what) const {
        throw parse_error(m_file + ":" + std::to_string(line) + ": " + what);
    }

    void note_intid(const std::string& n) {
        if (m_t.intid_index(n) < 0)
            m_t.intids.push_back(n);
    }
    void note_location(const std::string& n) {
        if (std::find(m_t.locations.begin(), m_t.locations.end(), n) == m_t.locations.end())
            m_t.locations.push_back(n);
    }

    // (f:v, ...), optionally typed gicval_t: / intval_t:.
    record parse_record(std::string s, int line) {
        record r;
        r.line = line;
        s = trim(s);
        if (starts_with(s, "gicval_t:")) {
            r.kind = rec_kind::gicval;
            s = trim(s.substr(9));
        } else if (starts_with(s, "intval_t:")) {
            r.kind = rec_kind::intval;
            s = trim(s.substr(9));
        }
        if (s.size() < 2 || s.front() != '(' || s.back() != ')')
            fail(line, "expected a record (field:value, ...), got '" + s + "'");
        const std::string body = trim(s.substr(1, s.size() - 2));
        if (body.empty())
            return r;
        for (const std::string& f : split_top(body, ',')) {
            const std::string item = trim(f);
            const std::size_t c = item.find_first_of(":=");
            if (c == std::string::npos)
                fail(line, "expected field:value in a record, got '" + item + "'");
            const std::string name = trim(item.substr(0, c));
            const std::string v = trim(item.substr(c + 1));
            if (name.empty() || v.empty())
                fail(line, "expected field:value in a record, got '" + item + "'");
            if (name == "intid")
                note_intid(v);
            r.fields.emplace_back(name, v);
        }
        return r;
    }

    value parse_value(const std::string& text, int line) {
        const std::string s = trim(text);
        value v;
        if (const std::optional<uint64_t> n = parse_number(s)) {
            v.number = *n;
            return v;
        }
        if (starts_with(s, "(VM")) { // an ICH_CONTEXTR_EL2 value: (VMn, VPEn{, VALID})
            m_t.add_skip("the hypervisor's vPE context (" + s + ") is not modelled by the runner");
            return v;
        }
        if (!s.empty() &&
            (s[0] == '(' || starts_with(s, "gicval_t:") || starts_with(s, "intval_t:"))) {
            v.k = value::kind::rec;
            v.rec = parse_record(s, line);
            return v;
        }
        const std::size_t colon = s.find(':');
        if (colon != std::string::npos && is_ident(s.substr(0, colon))) { // x:red, an MTE tag
            m_t.add_skip("MTE allocation tags (" + s + ") are not modelled");
            v.k = value::kind::location;
            v.location = s.substr(0, colon);
            note_location(v.location);
            return v;
        }
        if (!is_ident(s))
            fail(line, "expected a number, a location or a record, got '" + s + "'");
        v.k = value::kind::location;
        v.location = s;
        note_location(s);
        return v;
    }

    // INTID(A) -> A; ppi(n) -> n.
    std::string inner(const std::string& s, const std::string& head, int line) {
        if (!starts_with(s, head + "(") || s.back() != ')')
            fail(line, "expected " + head + "(...), got '" + s + "'");
        return trim(s.substr(head.size() + 1, s.size() - head.size() - 2));
    }

    void init_item(const std::string& text, int line) {
        const std::size_t eq = text.find('=');
        if (eq == std::string::npos)
            fail(line, "expected LHS=value in the initial state, got '" + text + "'");
        std::string lhs = trim(text.substr(0, eq));
        const std::string rhs = trim(text.substr(eq + 1));
        int pe = -1;
        const std::size_t colon = lhs.find(':');
        if (colon != std::string::npos && lhs[0] != '[' && parse_number(lhs.substr(0, colon))) {
            pe = static_cast<int>(*parse_number(lhs.substr(0, colon)));
            lhs = trim(lhs.substr(colon + 1));
        }
        if (!lhs.empty() && lhs.front() == '[' && lhs.back() == ']') {
            const std::string loc = trim(lhs.substr(1, lhs.size() - 2));
            if (starts_with(loc, "INTID(") && pe < 0) {
                interrupt_init i;
                i.name = inner(loc, "INTID", line);
                i.state = parse_record(rhs, line);
                i.line = line;
                note_intid(i.name);
                m_t.interrupts.push_back(i);
                return;
            }
            if (starts_with(loc, "ppi(") && pe >= 0) {
                interrupt_init i;
                const std::optional<uint64_t> n = parse_number(inner(loc, "ppi", line));
                if (!n || *n >= gicv5::PPI_COUNT)
                    fail(line, "expected a PPI number below 128 in '" + loc + "'");
                i.ppi = static_cast<int>(*n);
                i.pe = static_cast<unsigned>(pe);
                i.name = "ppi" + std::to_string(*n);
                i.state = parse_record(rhs, line);
                i.line = line;
                m_t.interrupts.push_back(i);
                return;
            }
            if (starts_with(loc, "PTE(")) {
                const std::string x = inner(loc, "PTE", line);
                note_location(x);
                if (rhs.find("device") == std::string::npos)
                    m_t.add_skip("page-table entry " + loc + " other than a device mapping");
                else
                    m_t.device_locations.push_back(x);
                return;
            }
            if (loc.find(":INTID(") != std::string::npos) {
                m_t.add_skip("virtual interrupts (" + loc +
                             ") need a VM and a resident vPE, "
                             "which the litmus runner does not build");
                return;
            }
            fail(line, "unknown location '" + lhs + "' in the initial state");
        }
        if (pe < 0)
            fail(line, "expected P:REG=value in the initial state, got '" + text + "'");
        if (starts_with(lhs, "ICH_")) {
            m_t.add_skip("the hypervisor's vPE context (" + lhs +
                         ") is not modelled by the runner");
            return;
        }
        const std::optional<unsigned> r = parse_reg(lhs);
        if (!r)
            fail(line, "expected a register, got '" + lhs + "'");
        m_t.regs[{static_cast<unsigned>(pe), *r}] = parse_value(rhs, line);
    }

    unsigned reg(const std::string& s, int line, bool* w = nullptr) {
        const std::optional<unsigned> r = parse_reg(trim(s), w);
        if (!r)
            fail(line, "expected a register, got '" + trim(s) + "'");
        return *r;
    }

    // [Xn] or [Xn, Xm].
    void address(insn& i, const std::string& s, int line) {
        const std::string a = trim(s);
        if (a.size() < 3 || a.front() != '[' || a.back() != ']')
            fail(line, "expected an address [Xn] or [Xn, Xm], got '" + a + "'");
        const std::vector<std::string> parts = split_top(a.substr(1, a.size() - 2), ',');
        i.rn = reg(parts[0], line);
        if (parts.size() == 2) {
            i.rm = reg(parts[1], line);
            i.has_rm = true;
        } else if (parts.size() > 2) {
            fail(line, "expected an address [Xn] or [Xn, Xm], got '" + a + "'");
        }
    }

    insn instruction(const std::string& text, int line) {
        insn i;
        i.line = line;
        i.text = text;
        const std::size_t sp = text.find_first_of(" \t(");
        const std::string mn = upper(text.substr(0, sp));
        const std::string rest = sp == std::string::npos ? "" : trim(text.substr(sp));
        std::vector<std::string> ops =
            rest.empty() ? std::vector<std::string>{} : split_top(rest, ',');
        for (std::string& o : ops)
            o = trim(o);
        auto want = [&](std::size_t n) {
            if (ops.size() != n)
                fail(line, mn + " expects " + std::to_string(n) + " operand(s): '" + text + "'");
        };
        if (mn == "GIC") {
            if (ops.empty())
                fail(line, "GIC expects an operation: '" + text + "'");
            const std::string name = upper(ops[0]);
            if (starts_with(name, "VD")) {
                m_t.add_skip("virtual interrupts (GIC " + name +
                             ") need a VM, which the litmus "
                             "runner does not build");
                i.o = op::nop;
                return i;
            }
            const std::optional<gicv5::gic_insn> g = gic_named(name);
            if (!g || gicv5::desc(*g).sysl || name.rfind("CD", 0) != 0)
                fail(line, "unknown GIC instruction 'GIC " + ops[0] + "'");
            i.o = op::gic;
            i.gic = *g;
            if (*g == gicv5::gic_insn::CDEOI)
                return i;
            want(2);
            i.rn = reg(ops[1], line);
        } else if (mn == "GICR") {
            want(2);
            const std::string name = upper(ops[1]);
            if (name != "CDIA" && name != "CDNMIA")
                fail(line, "unknown GICR instruction 'GICR " + ops[1] + "'");
            i.o = op::gicr;
            i.gic = name == "CDIA" ? gicv5::gic_insn::CDIA : gicv5::gic_insn::CDNMIA;
            i.rd = reg(ops[0], line);
        } else if (mn == "GSB") {
            want(1);
            const std::string k = upper(ops[0]);
            if (k != "SYS" && k != "ACK")
                fail(line, "unknown barrier 'GSB " + ops[0] + "'");
            i.o = k == "SYS" ? op::gsb_sys : op::gsb_ack;
        } else if (mn == "ISB") {
            i.o = op::isb;
        } else if (mn == "DSB" || mn == "DMB") {
            i.o = op::barrier;
        } else if (mn == "NOP") {
            i.o = op::nop;
        } else if (mn == "MRS") {
            want(2);
            i.o = op::mrs;
            i.rd = reg(ops[0], line);
            i.sysreg = upper(ops[1]);
            check_sysreg(i.sysreg, line);
        } else if (mn == "MSR") {
            want(2);
            i.o = op::msr;
            i.sysreg = upper(ops[0]);
            i.rn = reg(ops[1], line);
            check_sysreg(i.sysreg, line);
        } else if (mn == "MOV") {
            want(2);
            i.rd = reg(ops[0], line, &i.w);
            if (!ops[1].empty() && ops[1][0] == '#') {
                const std::optional<uint64_t> n = parse_number(ops[1].substr(1));
                if (!n)
                    fail(line, "expected an immediate #n, got '" + ops[1] + "'");
                i.o = op::mov_imm;
                i.imm = *n;
            } else {
                i.o = op::mov_reg;
                i.rn = reg(ops[1], line);
            }
        } else if (mn == "EOR") {
            want(3);
            i.o = op::eor;
            i.rd = reg(ops[0], line);
            i.rn = reg(ops[1], line);
            i.rm = reg(ops[2], line);
        } else if (mn == "CMP") {
            want(2);
            i.o = op::cmp;
            i.rn = reg(ops[0], line);
            i.rm = reg(ops[1], line);
        } else if (mn == "LDR" || mn == "STR") {
            if (ops.size() != 2 && ops.size() != 3)
                fail(line, mn + " expects Rt, [Xn{, Xm}]: '" + text + "'");
            i.o = mn == "LDR" ? op::ldr : op::str;
            i.rd = reg(ops[0], line, &i.w);
            const std::size_t lb = rest.find('[');
            if (lb == std::string::npos)
                fail(line, mn + " expects Rt, [Xn{, Xm}]: '" + text + "'");
            address(i, rest.substr(lb), line);
        } else if (mn == "B" || mn == "B.EQ" || mn == "B.NE") {
            want(1);
            i.o = op::b;
            i.cond = mn.size() > 1 ? mn.substr(2) : "";
            i.label = ops[0];
        } else if (mn == "DAIFCLR" || mn == "DAIFSET") {
            m_t.add_skip("PSTATE.I and taken interrupts (" + mn +
                         ") are not modelled: the PE "
                         "stand-in takes no exceptions");
            i.o = op::nop;
        } else if (mn == "STG") {
            m_t.add_skip("MTE allocation tags (STG) are not modelled");
            i.o = op::nop;
        } else if (mn == "WAIT") {
            // WAIT (INSN; REG=value): INSN again until the register matches.
            const std::size_t lp = rest.find('('), rp = rest.rfind(')');
            if (lp != 0 || rp == std::string::npos)
                fail(line, "expected WAIT (instruction; condition): '" + text + "'");
            const std::vector<std::string> parts = split_top(rest.substr(1, rp - 1), ';');
            if (parts.size() != 2)
                fail(line, "expected WAIT (instruction; condition): '" + text + "'");
            i.o = op::wait;
            i.body = std::make_shared<insn>(instruction(trim(parts[0]), line));
            i.until = std::make_shared<cond_expr>(condition(parts[1], line));
            if (i.until->k != cond_expr::kind::atom || i.until->a.k != atom::kind::reg)
                fail(line, "a WAIT's condition must be one register's value: '" + text + "'");
        } else {
            fail(line, "unknown instruction '" + text + "'");
        }
        return i;
    }

    static std::optional<gicv5::gic_insn> gic_named(const std::string& n) {
        for (std::size_t k = 0; k < gicv5::gic_insn_count; ++k)
            if (n == gicv5::gic_insns[k].name)
                return static_cast<gicv5::gic_insn>(k);
        return std::nullopt;
    }

    void check_sysreg(const std::string& r, int line) {
        if (r == "ISR_EL1")
            return;
        if (starts_with(r, "ICH_")) {
            m_t.add_skip("the hypervisor's registers (" + r + ") are not modelled by the runner");
            return;
        }
        for (const gicv5::sysreg_desc& d : gicv5::sysregs)
            if (r == d.name)
                return;
        if (starts_with(r, "ICC_")) {
            m_t.add_skip("the model's CPU interface does not implement " + r);
            return;
        }
        fail(line, "unknown system register '" + r + "'");
    }

    // The final condition (or a WAIT's): \/, /\, ~, parentheses, atoms.
    cond_expr condition(const std::string& text, int line) {
        m_src = text;
        m_pos = 0;
        m_line = line;
        cond_expr e = disj();
        skip_ws();
        if (m_pos < m_src.size() && m_src[m_pos] == ';')
            ++m_pos;
        skip_ws();
        if (m_pos != m_src.size())
            cfail("unexpected '" + m_src.substr(m_pos, 20) + "' in the condition");
        return e;
    }

    int cur_line() const {
        return m_line + static_cast<int>(std::count(m_src.begin(), m_src.begin() + m_pos, '\n'));
    }
    [[noreturn]] void cfail(const std::string& what) const { fail(cur_line(), what); }
    void skip_ws() {
        while (m_pos < m_src.size() && std::isspace(static_cast<unsigned char>(m_src[m_pos])))
            ++m_pos;
    }
    bool eat(const std::string& tok) {
        skip_ws();
        if (m_src.compare(m_pos, tok.size(), tok) != 0)
            return false;
        m_pos += tok.size();
        return true;
    }
    cond_expr disj() {
        cond_expr first = conj();
        if (!(skip_ws(), m_src.compare(m_pos, 2, "\\/") == 0))
            return first;
        cond_expr e;
        e.k = cond_expr::kind::disj;
        e.sub.push_back(std::move(first));
        while (eat("\\/"))
            e.sub.push_back(conj());
        return e;
    }
    cond_expr conj() {
        cond_expr first = factor();
        if (!(skip_ws(), m_src.compare(m_pos, 2, "/\\") == 0))
            return first;
        cond_expr e;
        e.k = cond_expr::kind::conj;
        e.sub.push_back(std::move(first));
        while (eat("/\\"))
            e.sub.push_back(factor());
        return e;
    }
    cond_expr factor() {
        if (eat("~")) {
            cond_expr e;
            e.k = cond_expr::kind::neg;
            e.sub.push_back(factor());
            return e;
        }
        if (eat("(")) {
            cond_expr e = disj();
            if (!eat(")"))
                cfail("expected ')' in the condition");
            return e;
        }
        cond_expr e;
        e.a = parse_atom();
        return e;
    }
    // The text of one atom: up to /\, \/ or an unbalanced ')' at depth 0.
    std::string atom_text() {
        skip_ws();
        const std::size_t start = m_pos;
        int depth = 0;
        while (m_pos < m_src.size()) {
            const char c = m_src[m_pos];
            if (depth == 0 && (m_src.compare(m_pos, 2, "/\\") == 0 ||
                               m_src.compare(m_pos, 2, "\\/") == 0 || c == ')' || c == ';'))
                break;
            if (c == '(' || c == '[')
                ++depth;
            else if (c == ')' || c == ']')
                --depth;
            ++m_pos;
        }
        return trim(m_src.substr(start, m_pos - start));
    }
    atom parse_atom() {
        const int line = cur_line();
        const std::string t = atom_text();
        atom a;
        if (t.empty())
            cfail("expected a condition atom");
        if (starts_with(t, "async(") || starts_with(t, "fault(")) {
            a.k = atom::kind::unsupported;
            a.name = t;
            m_t.add_skip(starts_with(t, "async(") ? "taken interrupts (" + t +
                                                        ") are not modelled: the PE stand-in "
                                                        "takes no exceptions"
                                                  : "faults (" + t + ") are not modelled");
            return a;
        }
        const std::size_t eq = t.find('=');
        if (eq == std::string::npos)
            fail(line, "expected LHS=value in the condition, got '" + t + "'");
        std::string lhs = trim(t.substr(0, eq));
        a.v = parse_value(t.substr(eq + 1), line);
        const std::size_t colon = lhs.find(':');
        if (colon != std::string::npos && lhs[0] != '[' && parse_number(lhs.substr(0, colon))) {
            a.pe = static_cast<int>(*parse_number(lhs.substr(0, colon)));
            lhs = trim(lhs.substr(colon + 1));
        }
        if (!lhs.empty() && lhs.front() == '[' && lhs.back() == ']')
            lhs = trim(lhs.substr(1, lhs.size() - 2));
        if (starts_with(lhs, "INTID(")) {
            a.k = atom::kind::interrupt;
            a.name = inner(lhs, "INTID", line);
            note_intid(a.name);
        } else if (starts_with(lhs, "ppi(")) {
            a.k = atom::kind::interrupt;
            const std::optional<uint64_t> n = parse_number(inner(lhs, "ppi", line));
            if (!n || a.pe < 0)
                fail(line, "expected P:[ppi(n)] in the condition, got '" + lhs + "'");
            a.name = "ppi" + std::to_string(*n);
        } else if (const std::optional<unsigned> r = parse_reg(lhs)) {
            a.reg = *r;
        } else {
            fail(line, "unknown location '" + lhs + "' in the condition");
        }
        return a;
    }

private:
    std::string m_file;
    test& m_t;
    std::string m_src;
    std::size_t m_pos = 0;
    int m_line = 0;
};

// Drops (* ... *) and // ... comments, keeping the newlines.
std::string strip_comments(const std::string& in) {
    std::string out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in.compare(i, 2, "(*") == 0) {
            const std::size_t end = in.find("*)", i + 2);
            const std::size_t stop = end == std::string::npos ? in.size() : end + 2;
            out.append(
                static_cast<std::size_t>(std::count(in.begin() + i, in.begin() + stop, '\n')),
                '\n');
            i = stop - 1;
        } else if (in.compare(i, 2, "//") == 0) {
            while (i < in.size() && in[i] != '\n')
                ++i;
            if (i < in.size())
                out += '\n';
        } else {
            out += in[i];
        }
    }
    return out;
}

} // namespace

std::optional<unsigned> parse_reg(const std::string& s, bool* w) {
    const std::string u = upper(s);
    if (u == "XZR" || u == "WZR") {
        if (w)
            *w = u[0] == 'W';
        return 31;
    }
    if (u.size() < 2 || (u[0] != 'X' && u[0] != 'W'))
        return std::nullopt;
    const std::optional<uint64_t> n = u.find_first_not_of("0123456789", 1) == std::string::npos
                                          ? parse_number(u.substr(1))
                                          : std::nullopt;
    if (!n || *n > 30)
        return std::nullopt;
    if (w)
        *w = u[0] == 'W';
    return static_cast<unsigned>(*n);
}

test parse(const std::string& raw, const std::string& file) {
    test t;
    t.file = file;
    parser p(file, t);
    std::vector<std::string> lines;
    {
        std::istringstream in(strip_comments(raw));
        for (std::string l; std::getline(in, l);)
            lines.push_back(l);
    }
    std::size_t n = 0;
    auto skip_blank = [&] {
        while (n < lines.size() && trim(lines[n]).empty())
            ++n;
    };
    skip_blank();
    if (n == lines.size())
        p.fail(1, "empty litmus file");
    {
        std::istringstream head(lines[n]);
        std::string arch;
        head >> arch >> t.name;
        if (arch != "AArch64" || t.name.empty())
            p.fail(static_cast<int>(n + 1),
                   "expected 'AArch64 NAME', got '" + trim(lines[n]) + "'");
        ++n;
    }
    // Key=value lines (Variant=..., herd's metadata) up to the initial state.
    for (skip_blank(); n < lines.size() && trim(lines[n]).find('{') == std::string::npos;
         ++n, skip_blank()) {
        const std::string l = trim(lines[n]);
        if (l.find('=') == std::string::npos && l[0] != '"') // "a doc string" is herd7's too
            p.fail(static_cast<int>(n + 1), "expected '{' or key=value, got '" + l + "'");
        if (starts_with(l, "Variant=") && l.find("mte") != std::string::npos)
            t.add_skip("MTE tag checks (" + l + ") are not modelled");
        if (starts_with(l, "Verdict=")) { // ours: the verdict in the file, kinds.txt aside
            const std::string v = trim(l.substr(8));
            if (v != "Allow" && v != "Forbid")
                p.fail(static_cast<int>(n + 1),
                       "expected Verdict=Allow or Forbid, got '" + l + "'");
            t.verdict = v;
        }
    }
    if (n == lines.size())
        p.fail(static_cast<int>(n), "expected the initial state '{ ... }'");
    // The initial state: items separated by ';' between { and }.
    {
        std::string item;
        int item_line = 0;
        bool open = false, closed = false;
        int depth = 0;
        for (; n < lines.size() && !closed; ++n) {
            for (char c : lines[n]) {
                if (!open) {
                    if (c == '{')
                        open = true;
                    else if (!std::isspace(static_cast<unsigned char>(c)))
                        p.fail(static_cast<int>(n + 1), "expected '{'");
                    continue;
                }
                if (closed)
                    break;
                if (depth == 0 && (c == ';' || c == '}')) {
                    if (!trim(item).empty())
                        p.init_item(trim(item), item_line);
                    item.clear();
                    if (c == '}')
                        closed = true;
                    continue;
                }
                if (c == '(')
                    ++depth;
                else if (c == ')')
                    --depth;
                if (trim(item).empty() && !std::isspace(static_cast<unsigned char>(c)))
                    item_line = static_cast<int>(n + 1);
                item += c;
            }
            if (!trim(item).empty())
                item += ' ';
        }
        if (!closed)
            p.fail(static_cast<int>(n), "the initial state has no closing '}'");
    }
    // The program: a header P0 | P1 ... then rows of columns.
    skip_blank();
    if (n == lines.size())
        p.fail(static_cast<int>(n), "expected the program header 'P0 | P1 ...'");
    {
        const std::string head = trim(split_top(lines[n], ';')[0]);
        unsigned k = 0;
        for (const std::string& c : split_top(head, '|')) {
            if (trim(c) != "P" + std::to_string(k))
                p.fail(static_cast<int>(n + 1), "expected P" + std::to_string(k) +
                                                    " in the program header, got '" + trim(c) +
                                                    "'");
            ++k;
        }
        t.programs.resize(k);
        ++n;
    }
    auto is_condition = [](const std::string& l) {
        return starts_with(l, "exists") || starts_with(l, "~exists") || starts_with(l, "forall") ||
               starts_with(l, "locations") || starts_with(l, "filter");
    };
    for (; n < lines.size(); ++n) {
        const std::string l = trim(lines[n]);
        if (l.empty())
            continue;
        if (is_condition(l))
            break;
        const int line = static_cast<int>(n + 1);
        // The row ends at its last ';' outside parentheses; anything after it is a comment.
        const std::string row = split_top(lines[n], ';')[0];
        const std::vector<std::string> cols = split_top(row, '|');
        if (cols.size() > t.programs.size())
            p.fail(line, "row has " + std::to_string(cols.size()) + " columns, the header " +
                             std::to_string(t.programs.size()));
        for (std::size_t c = 0; c < cols.size(); ++c) {
            std::string cell = trim(cols[c]);
            if (cell.empty())
                continue;
            // A label, alone or before an instruction: L0: or L0: INSN.
            const std::size_t colon = cell.find(':');
            if (colon != std::string::npos && is_ident(trim(cell.substr(0, colon))) &&
                cell.find('(') > colon) {
                insn lab;
                lab.o = op::label;
                lab.line = line;
                lab.label = trim(cell.substr(0, colon));
                lab.text = cell;
                t.programs[c].push_back(lab);
                cell = trim(cell.substr(colon + 1));
                if (cell.empty())
                    continue;
            }
            t.programs[c].push_back(p.instruction(cell, line));
        }
    }
    // The final condition: the rest of the file.
    for (; n < lines.size(); ++n) {
        const std::string l = trim(lines[n]);
        if (starts_with(l, "locations") || starts_with(l, "filter") || l.empty())
            continue;
        break;
    }
    if (n == lines.size())
        p.fail(static_cast<int>(n), "expected the final condition 'exists (...)'");
    {
        std::string text;
        for (std::size_t k = n; k < lines.size(); ++k)
            text += lines[k] + "\n";
        text = trim(text);
        if (starts_with(text, "~exists")) {
            t.exists = false;
            text = text.substr(7);
        } else if (starts_with(text, "exists")) {
            text = text.substr(6);
        } else {
            p.fail(static_cast<int>(n + 1), "expected 'exists' or '~exists' (the runner does "
                                            "not take forall): '" +
                                                trim(lines[n]) + "'");
        }
        t.condition_text = trim(text);
        t.condition = p.condition(text, static_cast<int>(n + 1));
    }
    // Every branch goes to a label of its own program.
    for (const std::vector<insn>& prog : t.programs)
        for (const insn& i : prog)
            if (i.o == op::b && std::none_of(prog.begin(), prog.end(), [&](const insn& l) {
                    return l.o == op::label && l.label == i.label;
                }))
                p.fail(i.line, "branch to unknown label '" + i.label + "'");
    return t;
}

test parse_file(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw parse_error(path + ": cannot read the file");
    std::ostringstream s;
    s << in.rdbuf();
    return parse(s.str(), path);
}

} // namespace litmus
