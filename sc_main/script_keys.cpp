#include "script_keys.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace gicv5_sim::schema {
namespace {

using platform::agent_args;
using platform::guest_target;
using platform::line_check;
using platform::script_kind;
using platform::script_step;

constexpr uint64_t u64_max = std::numeric_limits<uint64_t>::max();
constexpr uint64_t index_max = 16383; // PE indices: pes has at most 16,384 entries
// VM and vCPU indices: VM and vPE IDs have at most 16 bits; a VM has up to 65536 SPIs.
constexpr uint64_t vm_index_max = 65535;
constexpr uint64_t spi_index_max = 65535;

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

// A key that is absent unless written ('-'), an integer in 0..hi when it is.
template <class S, class T>
field<S> optional_key(std::string name, std::optional<T> S::*member, uint64_t hi,
                      std::string description, bool hex = false) {
    using R = units::parsed<std::optional<T>>;
    const std::string range = "0.." + std::to_string(hi);
    auto parse = [hi, range](std::string_view text) {
        auto n = units::parse_integer(text);
        if (n && *n.value > hi)
            return R::fail("an integer in " + range);
        if (!n)
            return R::fail(hi == u64_max ? n.expected : n.expected + " in " + range);
        return R::ok(std::optional<T>(static_cast<T>(*n.value)));
    };
    auto format = [hex](const std::optional<T>& v) {
        if (!v)
            return std::string("-");
        return hex ? units::format_hex(*v) : std::to_string(static_cast<uint64_t>(*v));
    };
    return scalar_key<S>(std::move(name), hi == u64_max ? "integer" : "integer, " + range, "",
                         std::move(description), member, parse, format);
}

// A guest step's vm or vcpu: either one makes the step a guest's.
struct guest_field {
    unsigned guest_target::*member;
    unsigned& operator()(script_step& s) const {
        if (!s.guest)
            s.guest.emplace();
        return *s.guest.*member;
    }
    unsigned operator()(const script_step& s) const { return s.guest ? *s.guest.*member : 0; }
};

field<script_step> at_key() {
    using R = units::parsed<std::optional<sc_core::sc_time>>;
    auto parse = [](std::string_view text) {
        auto t = units::parse_duration(text);
        return t ? R::ok(*t.value) : R::fail(t.expected);
    };
    auto format = [](const std::optional<sc_core::sc_time>& t) {
        return t ? units::format_duration(*t) : std::string("-");
    };
    return scalar_key<script_step>(
        "at", "duration", "fs, ps, ns, us, ms, s",
        "Any step: start it at this absolute simulated time (the PE idles until then); a time "
        "the PE has already passed is a failure",
        &script_step::at, parse, format);
}

// The operands of the agent steps, one list per step key (each allows only its own).
using A = agent_args;
field<A> vm_key(const char* what) {
    return shown_as(integer_key<A>("vm", &A::vm, 0, vm_index_max, "", what), "required");
}
field<A> spi_key(const char* what) { return optional_key<A>("spi", &A::spi, spi_index_max, what); }
field<A> vcpu_key(const char* what) {
    return optional_key<A>("vcpu", &A::vcpu, vm_index_max, what);
}

const keys_of<A>& kvm_irq_line_keys() {
    static const keys_of<A> keys{
        vm_key("The VM (index in vms)"),
        spi_key("The VM's SPI whose line is set (or ppi)"),
        vcpu_key("With ppi: the vCPU whose PPI it is"),
        optional_key<A>("ppi", &A::ppi, 127,
                        "The PPI (3, SW_PPI: the only one KVM lets userspace drive), of vcpu"),
        shown_as(level_key<A>("level", &A::level,
                              "The line's new level (a PPI's 0 does nothing: SW_PPI is edge)"),
                 "required"),
    };
    return keys;
}
const keys_of<A>& vm_spi_keys() {
    static const keys_of<A> keys{
        vm_key("The VM (index in vms)"),
        shown_as(spi_key("The VM's SPI the irqfd is routed to"), "required")};
    return keys;
}
const keys_of<A>& vcpu_kick_keys() {
    static const keys_of<A> keys{vm_key("The VM (index in vms)"),
                                 shown_as(vcpu_key("The vCPU kicked"), "required")};
    return keys;
}
const keys_of<A>& wfi_keys() {
    static const keys_of<A> keys{
        vm_key("The VM (index in vms)"),
        shown_as(vcpu_key("The vCPU whose guest executes WFI"), "required")};
    return keys;
}
const keys_of<A>& vm_only_keys() {
    static const keys_of<A> keys{vm_key("The VM (index in vms)")};
    return keys;
}
const keys_of<A>& ist_save_keys() {
    static const keys_of<A> keys{
        vm_key("The VM whose guest IRS registers, SPI vIST and LPI IST are saved"),
        level_key<A>("keep_quiesced", &A::keep_quiesced,
                     "1: leave the VM quiesced after the save (no IRS_SAVE_VMR Q = 0)"),
    };
    return keys;
}
const keys_of<A>& ist_restore_keys() {
    static const keys_of<A> keys{
        vm_key("The VM restored into; it must wait for a restore"),
        shown_as(integer_key<A>("from", &A::from, 0, vm_index_max, "",
                                "The VM whose image an earlier ist_save step of this PE kept"),
                 "required"),
        level_key<A>("resave", &A::resave,
                     "1: before the replay, save the VM again and check the image equals the "
                     "one restored"),
    };
    return keys;
}
const keys_of<A>& expect_agent_keys() {
    static const keys_of<A> keys{
        vm_key("The VM whose agent state is checked"),
        spi_key("With listed or notifier_calls: the VM's SPI they are of"),
        optional_key<A>("ap_list_length", &A::ap_list_length, u64_max, "SPIs on the VM's AP list"),
        optional_key<A>("listed", &A::listed, 1, "1: spi is on the AP list; 0: it is not"),
        optional_key<A>("notifier_calls", &A::notifier_calls, u64_max,
                        "Ack notifications of spi so far"),
        optional_key<A>("vdpend", &A::vdpend, u64_max, "GIC VDPENDs the agent issued for the VM"),
        optional_key<A>("vdrcfg", &A::vdrcfg, u64_max, "GIC VDRCFGs the agent issued for the VM"),
        optional_key<A>("last_vdpend", &A::last_vdpend, u64_max,
                        "The operand Xt of the VM's last GIC VDPEND, raw", true),
    };
    return keys;
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
        section_key<S>("kvm_irq_line", &S::agent, kvm_irq_line_keys(),
                       "Agent step: KVM_IRQ_LINE for an SPI of a VM, or SW_PPI of a vCPU"),
        section_key<S>("irqfd", &S::agent, vm_spi_keys(),
                       "Agent step: an irqfd's injection, level 1 then 0 (irqfd_inject())"),
        section_key<S>("resample_irqfd", &S::agent, vm_spi_keys(),
                       "Agent step: a resampling irqfd's injection, level 1; lowered when the "
                       "ack notifier reports the SPI consumed"),
        section_key<S>("vcpu_kick", &S::agent, vcpu_kick_keys(),
                       "Agent step: kvm_vcpu_kick(), the reschedule IPI that makes the vCPU exit"),
        section_key<S>("vm_teardown", &S::agent, vm_only_keys(),
                       "Agent step: destroy the VM (its vCPUs must not be loaded)"),
        section_key<S>("ist_save", &S::agent, ist_save_keys(),
                       "Agent step: save the VM's guest IRS registers and ISTs (IRS_SAVE_VMR), "
                       "kept by this PE"),
        section_key<S>("ist_restore", &S::agent, ist_restore_keys(),
                       "Agent step: restore a saved image (registers, then ISTs) into a VM "
                       "waiting for it"),
        section_key<S>("expect_agent", &S::agent, expect_agent_keys(),
                       "Agent step: check the agent's state of the VM; a mismatch is a failure"),
        section_key<S>("wfi", &S::agent, wfi_keys(),
                       "Guest step: the vCPU's guest executes WFI; the step ends when it is done"),
        shown_as(integer_key<S>("vm", guest_field{&guest_target::vm}, 0, vm_index_max, "",
                                "sys, sysreg_*, mmio_*: run as a guest of this VM (with vcpu)"),
                 "-"),
        shown_as(integer_key<S>("vcpu", guest_field{&guest_target::vcpu}, 0, vm_index_max, "",
                                "With vm: on the PE where this vCPU is loaded, at its EL1"),
                 "-"),
        at_key(),
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
        {"mmio_read",
         script_kind::mmio_read,
         {"size", "expect", "mask", "status", "vm", "vcpu"},
         {}},
        {"mmio_write",
         script_kind::mmio_write,
         {"value", "size", "status", "vm", "vcpu"},
         {"value"}},
        {"sys", script_kind::sys, {"xt", "expect", "vm", "vcpu"}, {}},
        {"sysreg_read", script_kind::sysreg_read, {"expect", "mask", "vm", "vcpu"}, {}},
        {"sysreg_write", script_kind::sysreg_write, {"value", "vm", "vcpu"}, {"value"}},
        {"spi_line", script_kind::spi_line, {"level"}, {"level"}},
        {"wait", script_kind::wait, {}, {}},
        {"expect_line", script_kind::expect_line, {}, {}},
        {"el", script_kind::el, {}, {}},
        {"kvm_irq_line", script_kind::kvm_irq_line, {}, {}},
        {"irqfd", script_kind::irqfd, {}, {}},
        {"resample_irqfd", script_kind::resample_irqfd, {}, {}},
        {"vcpu_kick", script_kind::vcpu_kick, {}, {}},
        {"vm_teardown", script_kind::vm_teardown, {}, {}},
        {"ist_save", script_kind::ist_save, {}, {}},
        {"ist_restore", script_kind::ist_restore, {}, {}},
        {"expect_agent", script_kind::expect_agent, {}, {}},
        {"wfi", script_kind::wfi, {}, {}},
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

// Which operands each agent step needs, beyond what its own key list allows.
void check_agent_operands(context& cx, const YAML::Node& args, const std::string& path,
                          const script_step& step) {
    if (!args.IsMap())
        return; // load_map has reported it
    const auto has = [&args](const char* key) { return static_cast<bool>(args[key]); };
    const auto need = [&](const char* key, const std::string& why) {
        if (!has(key))
            cx.error(args.Mark(), path, "a key " + std::string(key) + why, show(args));
    };
    const auto refuse = [&](const char* key, const std::string& why) {
        if (has(key))
            cx.error(args[key].Mark(), join(path, key), why, show(args[key]));
    };
    need("vm", "");
    switch (step.kind) {
    case script_kind::kvm_irq_line:
        need("level", "");
        if (has("spi") == has("ppi"))
            cx.error(args.Mark(), path, "exactly one of spi (an SPI of the VM) and ppi (with vcpu)",
                     show(args));
        else if (has("ppi"))
            need("vcpu", " with ppi (the vCPU whose PPI it is)");
        else
            refuse("vcpu", "no vcpu with spi (an SPI belongs to its VM)");
        if (step.agent.ppi && *step.agent.ppi != gicv5::PPI_SW_PPI)
            cx.error(args["ppi"].Mark(), join(path, "ppi"),
                     "3 (SW_PPI), the only PPI KVM_IRQ_LINE drives for a guest", show(args["ppi"]));
        break;
    case script_kind::irqfd:
    case script_kind::resample_irqfd: need("spi", ""); break;
    case script_kind::vcpu_kick:
    case script_kind::wfi: need("vcpu", ""); break;
    case script_kind::ist_restore: need("from", " (the VM whose saved image is restored)"); break;
    case script_kind::expect_agent: {
        // By the keys written, so that a bad value is not reported again as a missing one.
        const bool of_spi = has("listed") || has("notifier_calls");
        if (!of_spi && !has("ap_list_length") && !has("vdpend") && !has("vdrcfg") &&
            !has("last_vdpend"))
            cx.error(args.Mark(), path,
                     "at least one of ap_list_length, listed, notifier_calls, vdpend, vdrcfg, "
                     "last_vdpend",
                     show(args));
        if (of_spi)
            need("spi", " with listed or notifier_calls (the SPI they are of)");
        else
            refuse("spi", "spi only with listed or notifier_calls");
        break;
    }
    default: break;
    }
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

    std::string allowed = "pe, at, " + shape->key;
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
        if (known && !step_key && name != "pe" && name != "at" && !contains(shape->allowed, name))
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
    if (has("vm") != has("vcpu")) {
        const char* given = has("vm") ? "vm" : "vcpu";
        cx.error(find(given)->second.Mark(), join(path, given),
                 "vm and vcpu together (a guest step runs as vCPU vcpu of VM vm)", given);
    }
    if (platform::is_agent_step(step.kind) || step.kind == script_kind::wfi)
        check_agent_operands(cx, item[shape->key], join(path, shape->key), step);
}

// What needs the steps before it: an at no earlier than the PE's previous at (it could never
// hold), and an ist_restore from an image an earlier ist_save of the same PE kept.
void check_order(context& cx, const YAML::Node& list, const std::string& path,
                 const std::vector<script_step>& steps) {
    std::map<unsigned, std::pair<sc_core::sc_time, std::size_t>> last_at; // by PE
    std::set<std::pair<unsigned, unsigned>> saved;                        // (PE, VM)
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const script_step& s = steps[i];
        const YAML::Node item = list[i];
        const std::string item_path = join(path, std::to_string(i));
        if (s.at) {
            const auto before = last_at.find(s.pe);
            if (before != last_at.end() && *s.at < before->second.first)
                cx.error(item["at"].Mark(), join(item_path, "at"),
                         "a time no earlier than the at of step " +
                             std::to_string(before->second.second) + " of PE " +
                             std::to_string(s.pe) + " (" +
                             units::format_duration(before->second.first) + ")",
                         show(item["at"]));
            last_at[s.pe] = {*s.at, i};
        }
        if (s.kind == script_kind::ist_save)
            saved.insert({s.pe, s.agent.vm});
        if (s.kind == script_kind::ist_restore && item.IsMap() && item["ist_restore"].IsMap() &&
            item["ist_restore"]["from"] && saved.count({s.pe, s.agent.from}) == 0)
            cx.error(item["ist_restore"]["from"].Mark(), join(item_path, "ist_restore.from"),
                     "a VM saved by an earlier ist_save step of PE " + std::to_string(s.pe),
                     show(item["ist_restore"]["from"]));
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
        check_order(cx, node, path, steps);
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
