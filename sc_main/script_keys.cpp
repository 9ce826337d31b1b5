#include "script_keys.h"

#include <algorithm>
#include <limits>

namespace gicv5_sim::schema {
namespace {

using platform::line_check;
using platform::script_kind;
using platform::script_step;

constexpr uint64_t u64_max = std::numeric_limits<uint64_t>::max();
constexpr uint64_t index_max = 16383; // PE indices: pes has at most 16,384 entries

// Keys with no default show, in the docs, '-' (absent unless written) or 'required'.
template <class S>
field<S> shown_as(field<S> f, const char* text) {
    f.dump = [text](const S&) { return YAML::Node(std::string(text)); };
    return f;
}

template <class S, class Get>
field<S> level_key(std::string name, Get get, std::string description) {
    return enum_key<S>(std::move(name), get,
                       std::vector<std::pair<std::string, bool>>{{"0", false}, {"1", true}},
                       std::move(description));
}

const keys_of<line_check>& line_keys() {
    using L = line_check;
    using cpu_stubs::pe_line;
    static const keys_of<L> keys{
        shown_as(integer_key<L>("pe", &L::pe, 0, index_max, "", "The PE whose input is checked"),
                 "required"),
        shown_as(enum_key<L>("line", &L::line,
                             std::vector<std::pair<std::string, pe_line>>{{"irq", pe_line::irq},
                                                                          {"fiq", pe_line::fiq},
                                                                          {"nmi", pe_line::nmi},
                                                                          {"virq", pe_line::virq}},
                             "Which interrupt input of that PE"),
                 "required"),
        shown_as(level_key<L>("level", &L::level, "The level the input must have"), "required"),
    };
    return keys;
}

field<script_step> expect_key() {
    using R = units::parsed<std::optional<uint64_t>>;
    auto parse = [](std::string_view text) {
        auto n = units::parse_integer(text);
        return n ? R::ok(*n.value) : R::fail(n.expected);
    };
    auto format = [](const std::optional<uint64_t>& v) {
        return v ? units::format_hex(*v) : std::string("-");
    };
    return scalar_key<script_step>(
        "expect", "integer", "",
        "mmio_read, sys (GICR forms), sysreg_read: the value expected; a mismatch is a failure",
        &script_step::expect, parse, format);
}

const keys_of<script_step>& step_keys() {
    using S = script_step;
    auto parse_insn = [](std::string_view text) {
        using R = units::parsed<gicv5::gic_insn>;
        if (auto i = platform::parse_mnemonic(text))
            return R::ok(*i);
        return R::fail("a GIC instruction, one of " + platform::mnemonic_list());
    };
    auto parse_reg = [](std::string_view text) {
        using R = units::parsed<gicv5::sysreg>;
        if (auto r = platform::parse_sysreg(text))
            return R::ok(*r);
        // The table is long (every ICC_PPI_* register): name a few and point to the docs.
        return R::fail("a system register by its name in gicv5::sysregs[], such as ICC_PCR_EL1, "
                       "ICC_CR0_EL1, ICC_ICSR_EL1 (docs/config.md, script)");
    };
    auto format_reg = [](const gicv5::sysreg& r) { return std::string(gicv5::desc(r).name); };
    using gicv5::exception_level;
    static const keys_of<S> keys{
        shown_as(integer_key<S>("pe", &S::pe, 0, index_max, "",
                                "The PE that runs the step; its role must be script"),
                 "required"),
        shown_as(address_key<S>("mmio_read", &S::addr, "Step: read this address (size bytes)"),
                 "-"),
        shown_as(address_key<S>("mmio_write", &S::addr, "Step: write value to this address"), "-"),
        shown_as(scalar_key<S>("sys", "GIC instruction", "",
                               "Step: execute this GIC instruction (GIC CDEN, GICR CDIA, GSB SYS, "
                               "...) with operand xt",
                               &S::insn, parse_insn, platform::mnemonic),
                 "-"),
        shown_as(scalar_key<S>("sysreg_read", "system register", "",
                               "Step: read this ICC_/ICH_ register", &S::reg, parse_reg,
                               format_reg),
                 "-"),
        shown_as(scalar_key<S>("sysreg_write", "system register", "",
                               "Step: write value to this ICC_/ICH_ register", &S::reg, parse_reg,
                               format_reg),
                 "-"),
        shown_as(integer_key<S>("spi_line", &S::spi, 0, (1u << 24) - 1, "",
                                "Step: drive the wire of this physical SPI ID to level"),
                 "-"),
        shown_as(time_key<S>("wait", &S::time, true, "Step: the PE idles this long"), "-"),
        section_key<S>("expect_line", &S::line, line_keys(),
                       "Step: check an interrupt input of a PE at this PE's local time"),
        shown_as(enum_key<S>("el", &S::el,
                             std::vector<std::pair<std::string, exception_level>>{
                                 {"0", exception_level::EL0},
                                 {"1", exception_level::EL1},
                                 {"2", exception_level::EL2},
                                 {"3", exception_level::EL3}},
                             "Step: the exception level of this PE's later sys and sysreg steps"),
                 "-"),
        enum_key<S>("size", &S::size,
                    std::vector<std::pair<std::string, unsigned>>{{"4", 4u}, {"8", 8u}},
                    "mmio_read, mmio_write: access size in bytes"),
        shown_as(integer_key<S>("value", &S::value, 0, u64_max, "",
                                "mmio_write, sysreg_write: the value written", true),
                 "required"),
        integer_key<S>("xt", &S::xt, 0, u64_max, "",
                       "sys: the operand Xt, raw as the architecture encodes it", true),
        expect_key(),
        integer_key<S>("mask", &S::mask, 0, u64_max, "", "With expect: the bits compared", true),
        enum_key<S>("status", &S::status, platform::status_names(),
                    "mmio_read, mmio_write: the TLM response expected; a mismatch is a failure"),
        shown_as(level_key<S>("level", &S::level, "spi_line: the wire's new level"), "required"),
    };
    return keys;
}

// The step keys, and for each the other keys it allows and requires (besides pe).
struct step_shape {
    std::string key;
    script_kind kind;
    std::vector<std::string> allowed, required;
};

const std::vector<step_shape>& shapes() {
    static const std::vector<step_shape> s{
        {"mmio_read", script_kind::mmio_read, {"size", "expect", "mask", "status"}, {}},
        {"mmio_write", script_kind::mmio_write, {"value", "size", "status"}, {"value"}},
        {"sys", script_kind::sys, {"xt", "expect"}, {}},
        {"sysreg_read", script_kind::sysreg_read, {"expect", "mask"}, {}},
        {"sysreg_write", script_kind::sysreg_write, {"value"}, {"value"}},
        {"spi_line", script_kind::spi_line, {"level"}, {"level"}},
        {"wait", script_kind::wait, {}, {}},
        {"expect_line", script_kind::expect_line, {}, {}},
        {"el", script_kind::el, {}, {}},
    };
    return s;
}

std::string step_key_names() {
    std::string names;
    for (const step_shape& s : shapes())
        names += (names.empty() ? "" : ", ") + s.key;
    return names;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// What a key-by-key load cannot see: one step key per entry, the keys that step allows and
// requires, values that fit the access size, and expect only where there is a result.
void check_shape(context& cx, const YAML::Node& item, const std::string& path, script_step& step) {
    if (!item.IsMap())
        return;                                           // load_map has reported it
    std::vector<std::pair<std::string, YAML::Node>> keys; // file order, for the key's position
    for (const auto& entry : item)
        if (entry.first.IsScalar())
            keys.emplace_back(entry.first.Scalar(), entry.first);
    const auto find = [&keys](const std::string& name) {
        return std::find_if(keys.begin(), keys.end(),
                            [&](const auto& k) { return k.first == name; });
    };
    const auto has = [&](const std::string& name) { return find(name) != keys.end(); };
    const step_shape* shape = nullptr;
    for (const auto& [name, key] : keys) {
        for (const step_shape& s : shapes()) {
            if (s.key != name)
                continue;
            if (shape)
                cx.error(key.Mark(), join(path, name),
                         "one step key per entry; this one already has " + shape->key, name);
            else
                shape = &s;
        }
    }
    if (!has("pe"))
        cx.error(item.Mark(), path, "a key pe: the PE that runs the step", show(item));
    if (!shape) {
        cx.error(item.Mark(), path, "one of the step keys " + step_key_names(), show(item));
        return;
    }
    step.kind = shape->kind;

    std::string allowed = "pe, " + shape->key;
    for (const std::string& a : shape->allowed)
        allowed += ", " + a;
    const keys_of<script_step>& declared = step_keys();
    for (const auto& entry : keys) {
        // Named copies: a lambda cannot capture a structured binding before C++20 (clang).
        const std::string& name = entry.first;
        const auto& key = entry.second;
        const bool known = std::any_of(declared.begin(), declared.end(),
                                       [&](const auto& f) { return f.name == name; });
        const bool step_key = std::any_of(shapes().begin(), shapes().end(),
                                          [&](const step_shape& s) { return s.key == name; });
        // Unknown keys and second step keys have been reported already.
        if (known && !step_key && name != "pe" && !contains(shape->allowed, name))
            cx.error(key.Mark(), join(path, name),
                     "one of the keys " + allowed + " in a " + shape->key + " step", name);
    }
    for (const std::string& r : shape->required)
        if (!has(r))
            cx.error(item.Mark(), path, "a key " + r + " in a " + shape->key + " step", show(item));

    const bool mmio = step.kind == script_kind::mmio_read || step.kind == script_kind::mmio_write;
    if (mmio && step.size == 4) {
        for (const char* k : {"value", "expect", "mask"}) {
            const YAML::Node v = item[k];
            uint64_t n = 0;
            if (!v || !v.IsScalar())
                continue;
            if (auto parsed = units::parse_integer(v.Scalar()))
                n = *parsed.value;
            if (n > 0xffffffffu)
                cx.error(v.Mark(), join(path, k), "a value that fits in 4 bytes (size 4)", show(v));
        }
    }
    if (step.kind == script_kind::sys && has("expect") && !gicv5::desc(step.insn).sysl)
        cx.error(find("expect")->second.Mark(), join(path, "expect"),
                 "a GICR instruction (only those return a result)", platform::mnemonic(step.insn));
    if (has("mask") && !has("expect"))
        cx.error(find("mask")->second.Mark(), join(path, "mask"),
                 "an expect beside it (mask selects the bits expect compares)", "mask");
    if (step.kind == script_kind::expect_line) {
        const YAML::Node line = item["expect_line"];
        if (line.IsMap() && !(line["pe"] && line["line"] && line["level"]))
            cx.error(line.Mark(), join(path, "expect_line"), "a mapping with keys pe, line, level",
                     show(line));
    }
}

// "FILE:LINE" of a step, or where() when an override supplied it.
std::string origin_of(const context& cx, const YAML::Mark& mark, const std::string& path) {
    const std::string where = cx.where(mark, path);
    if (mark.is_null() || where.rfind("--set ", 0) == 0)
        return where;
    return cx.file() + ":" + std::to_string(mark.line + 1);
}

} // namespace

field<sim_config> script_key() {
    field<sim_config> f{"script",
                        key_kind::list,
                        "list",
                        "",
                        "Directed steps, each run in order by a PE with role script (see below)",
                        {},
                        {},
                        {}};
    f.load = [](context& cx, const YAML::Node& node, const YAML::Mark& mark,
                const std::string& path, sim_config& out) {
        if (!node.IsSequence()) {
            cx.error(mark, path, "a list of steps, mappings with pe and one of " + step_key_names(),
                     show(node));
            return;
        }
        std::vector<script_step> steps(node.size());
        for (std::size_t i = 0; i < node.size(); ++i) {
            const YAML::Node item = node[i];
            const std::string item_path = join(path, std::to_string(i));
            load_map(cx, item, item.Mark(), item_path, step_keys(), steps[i]);
            check_shape(cx, item, item_path, steps[i]);
            steps[i].origin = origin_of(cx, item.Mark(), item_path);
        }
        out.platform.script = std::move(steps);
    };
    f.dump = [](const sim_config& c) {
        YAML::Node list(YAML::NodeType::Sequence);
        for (const script_step& s : c.platform.script)
            list.push_back(dump_map(step_keys(), s));
        return list;
    };
    f.children = [](const std::string& path, const sim_config&, std::vector<key_info>& out) {
        describe(step_keys(), path + "[].", script_step{}, out);
    };
    return f;
}

} // namespace gicv5_sim::schema
