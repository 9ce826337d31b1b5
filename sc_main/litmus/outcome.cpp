#include "litmus/outcome.h"

#include "tlm_gicv5/intid.h"

#include <algorithm>
#include <functional>
#include <sstream>

namespace litmus {

namespace {

using gicv5::field;

bool any_field(const record& r, const std::function<bool(const std::string&)>& f) {
    return std::any_of(r.fields.begin(), r.fields.end(), [&](const auto& p) { return f(p.first); });
}

bool is_ppi_field(const std::string& n) { return n.rfind("ppi", 0) == 0; }

[[noreturn]] void bad(const test& t, const record& r, const std::string& what) {
    throw parse_error(t.file + ":" + std::to_string(r.line) + ": " + what);
}

uint64_t number(const test& t, const record& r, const std::string& name, const std::string& v) {
    if (const std::optional<uint64_t> x = parse_number(v))
        return *x;
    bad(t, r, "expected a number for field " + name + ", got '" + v + "'");
}

// The INTID a symbol names: A, B, ... are SPIs 0, 1, ... in first-seen order; ppiN a PPI.
gicv5::intid intid_of(const test& t, const record& r, const std::string& v) {
    if (is_ppi_field(v)) {
        const std::string n = v.substr(3);
        if (!n.empty() && n.find_first_not_of("0123456789") == std::string::npos)
            return gicv5::ppi(static_cast<uint32_t>(std::stoul(n)));
    }
    const int i = t.intid_index(v);
    if (i < 0)
        bad(t, r, "unknown interrupt '" + v + "'");
    return gicv5::spi(static_cast<uint32_t>(i));
}

void put(encoded& e, const field& f, uint64_t v) {
    e.mask |= f.mask();
    e.value = (e.value & ~f.mask()) | f.make(v);
}

// affinity:Pn -> IAFFID n; affinity:1ofN -> IRM.
void affinity(const test& t, const record& r, encoded& e, const std::string& v, const field& iaffid,
              const field& irm) {
    if (v == "1ofN") {
        put(e, irm, 1);
        return;
    }
    if (v.size() < 2 || v[0] != 'P')
        bad(t, r, "expected affinity Pn or 1ofN, got '" + v + "'");
    put(e, iaffid, number(t, r, "affinity", v.substr(1)));
    put(e, irm, 0);
}

uint64_t handling(const test& t, const record& r, const std::string& v) {
    if (v == "edge" || v == "0")
        return 0;
    if (v == "level" || v == "1")
        return 1;
    bad(t, r, "expected handling_mode edge or level, got '" + v + "'");
}

} // namespace

view view_of(const record& r, bool initial) {
    // An initial gicval_t with a valid field is a CDIA result to compare with (CMP).
    const bool result = any_field(r, [](const std::string& n) { return n == "valid"; });
    if (r.kind == rec_kind::gicval)
        return initial && !result ? view::cd_operand : view::cdia_result;
    if (r.kind == rec_kind::intval)
        return view::icsr;
    if (any_field(r, [](const std::string& n) { return n == "valid" || n == "intid"; }))
        return initial && !result ? view::cd_operand : view::cdia_result;
    if (any_field(r, [](const std::string& n) { return n == "I" || n == "F" || n == "A"; }))
        return view::isr;
    if (any_field(r, is_ppi_field))
        return view::ppi_bits;
    return view::icsr;
}

encoded encode(const test& t, const record& r, view v) {
    namespace CD = gicv5::CD_OPERAND;
    namespace RES = gicv5::CDIA_RESULT;
    namespace ICSR = gicv5::ICC_ICSR_EL1;
    encoded e;
    for (const auto& [name, val] : r.fields) {
        auto flag = [&] { return number(t, r, name, val) != 0; };
        switch (v) {
        case view::cd_operand:
            if (name == "intid") {
                const gicv5::intid id = intid_of(t, r, val);
                put(e, CD::ID, id.id);
                put(e, CD::TYPE, static_cast<uint64_t>(id.type));
            } else if (name == "priority") {
                put(e, CD::PRIORITY, number(t, r, name, val));
            } else if (name == "affinity") {
                affinity(t, r, e, val, CD::IAFFID, CD::IRM);
            } else if (name == "pending") {
                put(e, CD::PENDING, flag());
            } else if (name == "handling_mode") {
                put(e, CD::HM, handling(t, r, val));
            } else {
                bad(t, r, "unknown field '" + name + "' of a GIC instruction's operand");
            }
            break;
        case view::cdia_result:
            if (name == "valid") {
                put(e, RES::VALID, flag());
            } else if (name == "intid") {
                const gicv5::intid id = intid_of(t, r, val);
                put(e, RES::ID, id.id);
                put(e, RES::TYPE, static_cast<uint64_t>(id.type));
            } else {
                bad(t, r, "unknown field '" + name + "' of a GICR CDIA result");
            }
            break;
        case view::icsr:
            if (name == "enabled")
                put(e, ICSR::Enabled, flag());
            else if (name == "pending")
                put(e, ICSR::Pending, flag());
            else if (name == "active")
                put(e, ICSR::Active, flag());
            else if (name == "priority")
                put(e, ICSR::Priority, number(t, r, name, val));
            else if (name == "affinity")
                affinity(t, r, e, val, ICSR::IAFFID, ICSR::IRM);
            else if (name == "handling_mode")
                put(e, ICSR::HM, handling(t, r, val));
            else
                bad(t, r, "unknown field '" + name + "' of an interrupt's state (intval_t)");
            break;
        case view::hapr:
            if (name == "priority")
                put(e, field{7, 0}, number(t, r, name, val));
            else
                bad(t, r, "unknown field '" + name + "' of ICC_HAPR_EL1 (the running priority)");
            break;
        case view::isr:
            if (name == "I")
                put(e, field{7, 7}, flag());
            else if (name == "F")
                put(e, field{6, 6}, flag());
            else if (name == "A")
                put(e, field{8, 8}, flag());
            else
                bad(t, r, "unknown field '" + name + "' of ISR_EL1");
            break;
        case view::ppi_bits: {
            // ppiN:v or ppiN.state:v: bit N mod 64 of the bank's register.
            const std::string head = name.substr(0, name.find('.'));
            const std::string n = head.substr(3);
            if (!is_ppi_field(name) || n.empty() ||
                n.find_first_not_of("0123456789") != std::string::npos || std::stoul(n) >= 128)
                bad(t, r, "expected ppiN in a PPI register's value, got '" + name + "'");
            const unsigned bit = static_cast<unsigned>(std::stoul(n) % 64);
            put(e, field{bit, bit}, flag());
            break;
        }
        case view::number: bad(t, r, "a record where a number was expected");
        }
    }
    return e;
}

uint64_t initial_value(const test& t, const value& v, const std::map<std::string, uint64_t>& addr) {
    switch (v.k) {
    case value::kind::number: return v.number;
    case value::kind::location: return addr.at(v.location);
    case value::kind::rec: return encode(t, v.rec, view_of(v.rec, true)).value;
    }
    return 0;
}

namespace {

view atom_view(const atom& a);

// Which PE's program writes register r.
std::vector<unsigned> writers(const test& t, unsigned r) {
    std::vector<unsigned> out;
    for (unsigned pe = 0; pe < t.pes(); ++pe)
        for (const insn& i : t.programs[pe]) {
            const insn& w = i.o == op::wait ? *i.body : i;
            const bool writes = (w.o == op::gicr || w.o == op::mrs || w.o == op::mov_imm ||
                                 w.o == op::mov_reg || w.o == op::eor || w.o == op::ldr) &&
                                w.rd == r;
            if (writes && std::find(out.begin(), out.end(), pe) == out.end())
                out.push_back(pe);
        }
    return out;
}

void resolve(const test& t, cond_expr& e, int line) {
    if (e.k != cond_expr::kind::atom) {
        for (cond_expr& s : e.sub)
            resolve(t, s, line);
        return;
    }
    atom& a = e.a;
    if (a.k == atom::kind::reg && a.pe < 0) {
        const std::vector<unsigned> w = writers(t, a.reg);
        if (t.pes() == 1)
            a.pe = 0;
        else if (w.size() == 1)
            a.pe = static_cast<int>(w[0]);
        else
            throw parse_error(t.file + ":" + std::to_string(line) + ": X" + std::to_string(a.reg) +
                              " in the condition names no PE, and " + std::to_string(w.size()) +
                              " programs write it");
    }
    if (a.k == atom::kind::reg && a.pe >= static_cast<int>(t.pes()))
        throw parse_error(t.file + ":" + std::to_string(line) + ": the condition names P" +
                          std::to_string(a.pe) + ", the test has " + std::to_string(t.pes()) +
                          " PEs");
    // A register last written by MRS ICC_HAPR_EL1 holds a running priority.
    if (a.k == atom::kind::reg)
        for (const insn& i : t.programs[static_cast<std::size_t>(a.pe)])
            if (i.o == op::mrs && i.rd == a.reg)
                a.hapr = i.sysreg == "ICC_HAPR_EL1";
    if (a.k != atom::kind::unsupported && a.v.k == value::kind::rec)
        encode(t, a.v.rec, atom_view(a));
}

// The final value an atom looks at; false when the run did not record it.
bool target(const atom& a, const final_state& s, uint64_t& raw) {
    if (a.k == atom::kind::reg) {
        const auto it = s.regs.find({static_cast<unsigned>(a.pe), a.reg});
        raw = it == s.regs.end() ? 0 : it->second;
        return true;
    }
    const std::string key =
        a.name.rfind("ppi", 0) == 0 ? std::to_string(a.pe) + ":" + a.name : a.name;
    const auto it = s.interrupts.find(key);
    if (it == s.interrupts.end())
        return false;
    raw = it->second;
    return true;
}

view atom_view(const atom& a) {
    if (a.v.k != value::kind::rec)
        return view::number;
    if (a.k == atom::kind::interrupt)
        return view::icsr;
    return a.hapr ? view::hapr : view_of(a.v.rec, false);
}

bool atom_holds(const test& t, const atom& a, const final_state& s) {
    uint64_t raw = 0;
    if (a.k == atom::kind::unsupported || !target(a, s, raw))
        return false;
    switch (a.v.k) {
    case value::kind::number: return raw == a.v.number;
    case value::kind::location: return raw == s.addresses.at(a.v.location);
    case value::kind::rec: return encode(t, a.v.rec, atom_view(a)).matches(raw);
    }
    return false;
}

void collect(const cond_expr& e, std::vector<const atom*>& out) {
    if (e.k == cond_expr::kind::atom)
        out.push_back(&e.a);
    for (const cond_expr& s : e.sub)
        collect(s, out);
}

std::string label(const atom& a) {
    if (a.k == atom::kind::reg)
        return std::to_string(a.pe) + ":X" + std::to_string(a.reg);
    if (a.name.rfind("ppi", 0) == 0)
        return std::to_string(a.pe) + ":[" + a.name + "]";
    return "[INTID(" + a.name + ")]";
}

} // namespace

void resolve(test& t) { resolve(t, t.condition, 0); }

bool holds(const test& t, const cond_expr& e, const final_state& s) {
    switch (e.k) {
    case cond_expr::kind::atom: return atom_holds(t, e.a, s);
    case cond_expr::kind::neg: return !holds(t, e.sub[0], s);
    case cond_expr::kind::conj:
        return std::all_of(e.sub.begin(), e.sub.end(),
                           [&](const cond_expr& c) { return holds(t, c, s); });
    case cond_expr::kind::disj:
        return std::any_of(e.sub.begin(), e.sub.end(),
                           [&](const cond_expr& c) { return holds(t, c, s); });
    }
    return false;
}

std::string outcome(const test& t, const final_state& s) {
    // Per target, in first-seen order: its view, and the fields the condition names.
    std::vector<const atom*> atoms;
    collect(t.condition, atoms);
    struct shown {
        std::string label;
        view v = view::number;
        uint64_t raw = 0;
        std::vector<std::string> fields;
    };
    std::vector<shown> rows;
    for (const atom* a : atoms) {
        uint64_t raw = 0;
        if (a->k == atom::kind::unsupported || !target(*a, s, raw))
            continue;
        const std::string l = label(*a);
        auto it =
            std::find_if(rows.begin(), rows.end(), [&](const shown& r) { return r.label == l; });
        if (it == rows.end()) {
            rows.push_back({l, atom_view(*a), raw, {}});
            it = rows.end() - 1;
        }
        if (a->v.k == value::kind::rec)
            for (const auto& f : a->v.rec.fields)
                if (std::find(it->fields.begin(), it->fields.end(), f.first) == it->fields.end())
                    it->fields.push_back(f.first);
    }
    std::ostringstream out;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const shown& r = rows[k];
        out << (k ? "; " : "") << r.label << "=";
        if (r.v == view::number) {
            out << r.raw;
            continue;
        }
        // Each named field, read back by encoding the candidate values and matching.
        out << "(";
        for (std::size_t f = 0; f < r.fields.size(); ++f) {
            const std::string& name = r.fields[f];
            out << (f ? "," : "") << name << ":";
            std::vector<std::string> candidates;
            if (name == "intid") {
                candidates = t.intids;
            } else if (name == "affinity") {
                candidates.push_back("1ofN");
                for (unsigned p = 0; p < std::max(t.pes(), 16u); ++p)
                    candidates.push_back("P" + std::to_string(p));
            } else if (name == "handling_mode") {
                candidates = {"edge", "level"};
            } else {
                for (unsigned n = 0; n < 32; ++n)
                    candidates.push_back(std::to_string(n));
            }
            std::string shown_value = "?";
            for (const std::string& c : candidates) {
                record probe;
                probe.fields.emplace_back(name, c);
                if (encode(t, probe, r.v).matches(r.raw)) {
                    shown_value = c;
                    break;
                }
            }
            out << shown_value;
        }
        out << ")";
    }
    return out.str();
}

} // namespace litmus
