#include "platform/script.h"

#include "platform/kvm/vgic_v5.h"
#include "platform/platform_config.h"
#include "tlm_gicv5/intid.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

namespace platform {

namespace {

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(a[i])) !=
            std::toupper(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// A time in its largest unit with up to three decimals, as configs write it: "5us", "6.2us".
std::string format_time(const sc_core::sc_time& t) {
    static const std::pair<const char*, double> units[] = {{"s", 1e15}, {"ms", 1e12}, {"us", 1e9},
                                                           {"ns", 1e6}, {"ps", 1e3},  {"fs", 1}};
    const double fs = t.to_seconds() * 1e15;
    for (const auto& [name, scale] : units) {
        if (fs < scale && scale > 1)
            continue;
        char buf[48];
        std::snprintf(buf, sizeof buf, "%.3f", fs / scale);
        std::string text = buf;
        text.erase(text.find_last_not_of('0') + 1);
        if (text.back() == '.')
            text.pop_back();
        return text + name;
    }
    return "0s";
}

std::string describe_agent(const script_step& s) {
    const agent_args& a = s.agent;
    std::string d = std::string(to_string(s.kind)) + " vm " + std::to_string(a.vm);
    if (s.kind == script_kind::ist_restore)
        return d + " from " + std::to_string(a.from);
    if (a.vcpu && (s.kind == script_kind::vcpu_kick || s.kind == script_kind::wfi || a.ppi))
        d += " vcpu " + std::to_string(*a.vcpu);
    if (a.ppi && s.kind == script_kind::kvm_irq_line)
        d += " ppi " + std::to_string(*a.ppi);
    else if (a.spi)
        d += " spi " + std::to_string(*a.spi);
    if (s.kind == script_kind::kvm_irq_line)
        d += " level " + std::to_string(a.level);
    return d;
}

// What the step does, for messages: "mmio_read 0x2f1a0080 size 4", "sys GIC CDEN xt 0x60000005".
std::string describe(const script_step& s) {
    if (is_agent_step(s.kind) || s.kind == script_kind::wfi)
        return describe_agent(s);
    std::string d = to_string(s.kind);
    if (s.guest && may_run_as_guest(s.kind))
        d = "vm " + std::to_string(s.guest->vm) + " vcpu " + std::to_string(s.guest->vcpu) + ": " +
            d;
    switch (s.kind) {
    case script_kind::mmio_read: return d + " " + hex(s.addr) + " size " + std::to_string(s.size);
    case script_kind::mmio_write:
        return d + " " + hex(s.addr) + " value " + hex(s.value) + " size " + std::to_string(s.size);
    case script_kind::sys: // a GICR form's Xt is its destination, not an operand
        return d + " " + mnemonic(s.insn) + (gicv5::desc(s.insn).sysl ? "" : " xt " + hex(s.xt));
    case script_kind::sysreg_read: return d + " " + gicv5::desc(s.reg).name;
    case script_kind::sysreg_write:
        return d + " " + gicv5::desc(s.reg).name + " value " + hex(s.value);
    case script_kind::spi_line:
        return d + " " + std::to_string(s.spi) + " level " + std::to_string(s.level);
    case script_kind::wait: return d + " " + s.time.to_string();
    case script_kind::expect_line:
        return d + " pe " + std::to_string(s.line.pe) + " " + cpu_stubs::to_string(s.line.line);
    case script_kind::el: return d + " " + std::to_string(static_cast<unsigned>(s.el));
    default: return d;
    }
}

// Runs f at EL2 (KVM's ioctls run in the host kernel), then returns to the PE's level.
template <class F>
void at_el2(cpu_stubs::pe& self, F f) {
    const gicv5::exception_level old = self.el();
    self.set_el(gicv5::exception_level::EL2);
    f();
    self.set_el(old);
}

std::string count_of(std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

// Why the agent cannot take the step's operands ("" when it can): the loader's topology check
// (check_script_targets()) refuses these; a script built in code meets them here.
std::string target_problem(const kvm::vgic_v5& agent, const script_step& s) {
    const agent_args& a = s.agent;
    if (a.vm >= agent.vm_count())
        return "no VM " + std::to_string(a.vm) + " (the agent has " +
               count_of(agent.vm_count(), "VM") + ")";
    const kvm::vgic_dist& d = agent.dist(a.vm);
    if (a.vcpu && *a.vcpu >= d.cpus.size())
        return "VM " + std::to_string(a.vm) + " has no vCPU " + std::to_string(*a.vcpu) +
               " (it has " + count_of(d.cpus.size(), "vCPU") + ")";
    if (a.spi && *a.spi >= d.spis.size())
        return "VM " + std::to_string(a.vm) + " has no SPI " + std::to_string(*a.spi) +
               " (it has " + count_of(d.spis.size(), "SPI") + ")";
    if (s.kind == script_kind::ist_restore && a.from >= agent.vm_count())
        return "no VM " + std::to_string(a.from) + " to restore from";
    return "";
}

} // namespace

bool is_agent_step(script_kind k) {
    switch (k) {
    case script_kind::kvm_irq_line:
    case script_kind::irqfd:
    case script_kind::resample_irqfd:
    case script_kind::vcpu_kick:
    case script_kind::vm_teardown:
    case script_kind::ist_save:
    case script_kind::ist_restore:
    case script_kind::expect_agent: return true;
    default: return false;
    }
}

bool may_run_as_guest(script_kind k) {
    switch (k) {
    case script_kind::mmio_read:
    case script_kind::mmio_write:
    case script_kind::sys:
    case script_kind::sysreg_read:
    case script_kind::sysreg_write: return true;
    default: return false;
    }
}

void check_script_targets(
    const platform_config& cfg,
    const std::function<void(const std::string& path, const std::string& what)>& err) {
    const auto vm_ok = [&](const std::string& path, unsigned vm) {
        if (vm < cfg.vms.size())
            return true;
        err(path, "expected a VM index below " + std::to_string(cfg.vms.size()) +
                      " (the number of vms), got " + std::to_string(vm));
        return false;
    };
    for (std::size_t i = 0; i < cfg.script.size(); ++i) {
        const script_step& s = cfg.script[i];
        const std::string path = "script." + std::to_string(i);
        if (s.guest && may_run_as_guest(s.kind) && vm_ok(path + ".vm", s.guest->vm) &&
            s.guest->vcpu >= cfg.vms[s.guest->vm].vcpus)
            err(path + ".vcpu", "expected a vCPU of VM " + std::to_string(s.guest->vm) +
                                    ", below vms." + std::to_string(s.guest->vm) +
                                    ".vcpus = " + std::to_string(cfg.vms[s.guest->vm].vcpus) +
                                    ", got " + std::to_string(s.guest->vcpu));
        if (!is_agent_step(s.kind) && s.kind != script_kind::wfi)
            continue;
        const agent_args& a = s.agent;
        const std::string at = path + "." + to_string(s.kind);
        if (!vm_ok(at + ".vm", a.vm))
            continue;
        const vm_config& vm = cfg.vms[a.vm];
        const std::string of_vm = "vms." + std::to_string(a.vm);
        if (a.vcpu && *a.vcpu >= vm.vcpus)
            err(at + ".vcpu", "expected a vCPU of VM " + std::to_string(a.vm) + ", below " + of_vm +
                                  ".vcpus = " + std::to_string(vm.vcpus) + ", got " +
                                  std::to_string(*a.vcpu));
        if (a.spi && *a.spi >= vm.spis)
            err(at + ".spi", "expected an SPI of VM " + std::to_string(a.vm) + ", below " + of_vm +
                                 ".spis = " + std::to_string(vm.spis) + ", got " +
                                 std::to_string(*a.spi));
        if (s.kind == script_kind::ist_restore)
            vm_ok(at + ".from", a.from);
    }
}

const char* to_string(script_kind k) {
    switch (k) {
    case script_kind::mmio_read: return "mmio_read";
    case script_kind::mmio_write: return "mmio_write";
    case script_kind::sys: return "sys";
    case script_kind::sysreg_read: return "sysreg_read";
    case script_kind::sysreg_write: return "sysreg_write";
    case script_kind::spi_line: return "spi_line";
    case script_kind::wait: return "wait";
    case script_kind::expect_line: return "expect_line";
    case script_kind::el: return "el";
    case script_kind::kvm_irq_line: return "kvm_irq_line";
    case script_kind::irqfd: return "irqfd";
    case script_kind::resample_irqfd: return "resample_irqfd";
    case script_kind::vcpu_kick: return "vcpu_kick";
    case script_kind::vm_teardown: return "vm_teardown";
    case script_kind::ist_save: return "ist_save";
    case script_kind::ist_restore: return "ist_restore";
    case script_kind::expect_agent: return "expect_agent";
    case script_kind::wfi: return "wfi";
    }
    return "?";
}

std::string mnemonic(gicv5::gic_insn i) {
    const gicv5::insn_desc& d = gicv5::desc(i);
    const std::string name = d.name;
    if (name.compare(0, 4, "GSB_") == 0)
        return "GSB " + name.substr(4);
    return (d.sysl ? "GICR " : "GIC ") + name;
}

std::optional<gicv5::gic_insn> parse_mnemonic(std::string_view text) {
    for (std::size_t i = 0; i < gicv5::gic_insn_count; ++i) {
        const auto insn = static_cast<gicv5::gic_insn>(i);
        if (same_ignoring_case(text, mnemonic(insn)))
            return insn;
    }
    return std::nullopt;
}

std::string mnemonic_list() {
    std::string list;
    for (std::size_t i = 0; i < gicv5::gic_insn_count; ++i)
        list += (list.empty() ? "" : ", ") + mnemonic(static_cast<gicv5::gic_insn>(i));
    return list;
}

std::optional<gicv5::sysreg> parse_sysreg(std::string_view name) {
    for (std::size_t i = 0; i < static_cast<std::size_t>(gicv5::sysreg::count); ++i)
        if (name == gicv5::sysregs[i].name)
            return static_cast<gicv5::sysreg>(i);
    return std::nullopt;
}

const std::vector<std::pair<std::string, tlm::tlm_response_status>>& status_names() {
    static const std::vector<std::pair<std::string, tlm::tlm_response_status>> names{
        {"ok", tlm::TLM_OK_RESPONSE},
        {"address_error", tlm::TLM_ADDRESS_ERROR_RESPONSE},
        {"generic_error", tlm::TLM_GENERIC_ERROR_RESPONSE},
        {"burst_error", tlm::TLM_BURST_ERROR_RESPONSE},
        {"byte_enable_error", tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE},
        {"command_error", tlm::TLM_COMMAND_ERROR_RESPONSE},
    };
    return names;
}

std::string to_string(tlm::tlm_response_status s) {
    for (const auto& [name, status] : status_names())
        if (status == s)
            return name;
    return "incomplete"; // TLM_INCOMPLETE_RESPONSE: the target never answered
}

// The ack notifier of the VMs of resample_irqfd steps: the lines those steps raised, and the
// lowerings their notifications asked for, which the runner's PE does.
struct script_runner::resampler : kvm::ack_notifier {
    struct lowering {
        unsigned vm, spi;
        sc_core::sc_time at;
    };
    std::set<std::pair<unsigned, unsigned>> armed; // (vm, spi) raised, not yet notified
    std::vector<lowering> due;
    sc_core::sc_event changed;

    void irq_acked(unsigned vm, unsigned gsi, const sc_core::sc_time& at) override {
        if (armed.erase({vm, gsi}) == 0)
            return;
        due.push_back({vm, gsi, at});
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        changed.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
    }
    bool idle() const { return armed.empty() && due.empty(); }
};

script_runner::script_runner(std::vector<std::pair<std::size_t, script_step>> steps, script_env env)
    : m_steps(std::move(steps)), m_env(std::move(env)), m_resampler(std::make_unique<resampler>()) {
    // KVM registers an irqfd's resampler when the irqfd is set up; the agent takes notifiers
    // at elaboration only, so this registers for every VM a resample_irqfd step names.
    std::set<unsigned> vms;
    for (const auto& entry : m_steps)
        if (entry.second.kind == script_kind::resample_irqfd)
            vms.insert(entry.second.agent.vm);
    if (m_env.agent)
        for (unsigned vm : vms)
            if (vm < m_env.agent->vm_count())
                m_env.agent->register_ack_notifier(vm, *m_resampler);
}

script_runner::~script_runner() = default;

void script_runner::run(cpu_stubs::pe& self) {
    self.set_el(gicv5::exception_level::EL1);
    for (const auto& [index, s] : m_steps) {
        lower_resampled(self);
        if (s.at) {
            if (*s.at < self.local_time())
                fail(index, s,
                     "at " + format_time(*s.at) + ": the PE was already at " +
                         format_time(self.local_time()) + " (its earlier steps ended later)");
            else
                idle_until(self, *s.at);
        }
        step(self, index, s);
        ++m_steps_run;
        self.sync_if_needed();
    }
    self.sync(); // the run's end then covers the script's last wait
    m_done = true;
    m_done_event.notify(sc_core::SC_ZERO_TIME);
    // Lines raised by resample_irqfd are lowered as their notifications come, after the script
    // too (a line whose SPI is never consumed keeps this PE waiting, as it does KVM's resampler).
    while (!m_resampler->idle()) {
        lower_resampled(self);
        if (m_resampler->idle())
            break;
        self.sync();
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        if (m_resampler->due.empty()) {
            sc_core::wait(m_resampler->changed);
        } else {
            sc_core::sc_time next = m_resampler->due.front().at;
            for (const auto& l : m_resampler->due)
                next = std::min(next, l.at);
            if (next > now)
                sc_core::wait(next - now, m_resampler->changed);
        }
        self.sync(); // restarts the quantum from the new time
    }
}

void script_runner::lower_resampled(cpu_stubs::pe& self) {
    auto& due = m_resampler->due;
    for (std::size_t i = 0; i < due.size();) {
        if (due[i].at > self.local_time()) {
            ++i;
            continue;
        }
        const resampler::lowering l = due[i];
        due.erase(due.begin() + static_cast<std::ptrdiff_t>(i));
        // KVM irqfd_resampler_ack(): kvm_set_irq(..., 0) for the resampler's GSI.
        at_el2(self, [&] { m_env.agent->kvm_vgic_inject_irq(self, l.vm, l.spi, false); });
        i = 0; // the call may yield, and a notification may have come meanwhile
    }
}

void script_runner::idle_until(cpu_stubs::pe& self, const sc_core::sc_time& until) {
    for (;;) {
        lower_resampled(self);
        if (self.local_time() >= until)
            break;
        if (m_resampler->idle()) { // nothing can come: idle as a plain wait does
            self.idle_until(until);
            break;
        }
        sc_core::sc_time next = until;
        for (const auto& l : m_resampler->due)
            next = std::min(next, l.at);
        self.sync(); // catch up to local time, then sleep until `next` or a notification
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        if (next > now) {
            sc_core::wait(next - now, m_resampler->changed);
            self.sync(); // restarts the quantum from the new time
        }
    }
    // Idling yields to the kernel even within the quantum, so that the other PEs' steps up to
    // this time have run when the next step looks at shared state.
    self.sync();
}

void script_runner::step(cpu_stubs::pe& self, std::size_t index, const script_step& s) {
    if (is_agent_step(s.kind)) {
        agent_step(self, index, s);
        return;
    }
    if (s.kind == script_kind::wfi) {
        const unsigned vm = s.agent.vm, vcpu = s.agent.vcpu.value_or(0);
        if (!m_env.guest_wfi)
            fail(index, s, "this platform cannot run guest steps (it has no vCPU hook)");
        else if (!m_env.guest_wfi(vm, vcpu))
            fail(index, s,
                 "cannot run on vCPU " + std::to_string(vcpu) + " of VM " + std::to_string(vm) +
                     " (no such vCPU, its VM is dead, or it ran no guest code within "
                     "drain_timeout)");
        return;
    }
    if (s.guest && may_run_as_guest(s.kind)) {
        if (!m_env.on_vcpu) {
            fail(index, s, "this platform cannot run guest steps (it has no vCPU hook)");
            return;
        }
        const bool ran = m_env.on_vcpu(s.guest->vm, s.guest->vcpu, [&](guest_context& ctx) {
            local_step(ctx.self, index, s, ctx.mmio);
        });
        if (!ran)
            fail(index, s,
                 "cannot run on vCPU " + std::to_string(s.guest->vcpu) + " of VM " +
                     std::to_string(s.guest->vm) +
                     " (no such vCPU, its VM is dead, or it ran no guest code within "
                     "drain_timeout)");
        return;
    }
    local_step(self, index, s, [&self](uint64_t addr, unsigned size, bool write, uint64_t& data) {
        return self.access(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, addr, &data,
                           size);
    });
}

void script_runner::local_step(
    cpu_stubs::pe& self, std::size_t index, const script_step& s,
    const std::function<tlm::tlm_response_status(uint64_t, unsigned, bool, uint64_t&)>& mmio) {
    switch (s.kind) {
    case script_kind::mmio_read:
    case script_kind::mmio_write: {
        const bool read = s.kind == script_kind::mmio_read;
        uint64_t data = read ? 0 : s.value;
        const tlm::tlm_response_status st = mmio(s.addr, s.size, !read, data);
        if (st != s.status)
            fail(index, s, "expected status " + to_string(s.status) + ", got " + to_string(st));
        else if (read && st == tlm::TLM_OK_RESPONSE)
            check(index, s, "", data);
        return;
    }
    case script_kind::sys: {
        if (undefined(index, s, gicv5::request_for(s.insn, s.xt, self.el())))
            return;
        const uint64_t result = self.insn(s.insn, s.xt);
        check(index, s, "result ", result);
        observe_guest(self, s, result);
        return;
    }
    case script_kind::sysreg_read:
        if (undefined(index, s, gicv5::request_for(s.reg, true, 0, self.el())))
            return;
        check(index, s, "", self.mrs(s.reg));
        return;
    case script_kind::sysreg_write:
        if (undefined(index, s, gicv5::request_for(s.reg, false, s.value, self.el())))
            return;
        self.msr(s.reg, s.value);
        return;
    case script_kind::spi_line:
        // A device's wire changes at this PE's local time.
        m_env.spi_line(s.spi, s.level, self.local_time() - sc_core::sc_time_stamp());
        return;
    case script_kind::wait: idle_until(self, self.local_time() + s.time); return;
    case script_kind::expect_line: {
        self.sync(); // the other PEs catch up to this PE's local time first
        const bool actual = m_env.pe(s.line.pe).in(s.line.line).level_at(self.local_time());
        if (actual != s.line.level)
            fail(index, s,
                 "expected " + std::to_string(s.line.level) + ", got " + std::to_string(actual));
        return;
    }
    case script_kind::el: self.set_el(s.el); return;
    default: return; // agent steps: agent_step()
    }
}

void script_runner::agent_step(cpu_stubs::pe& self, std::size_t index, const script_step& s) {
    if (!m_env.agent) {
        fail(index, s, "this platform has no hypervisor agent");
        return;
    }
    kvm::vgic_v5& agent = *m_env.agent;
    if (const std::string problem = target_problem(agent, s); !problem.empty()) {
        fail(index, s, problem);
        return;
    }
    const agent_args& a = s.agent;
    const kvm::vgic_dist& d = agent.dist(a.vm);
    // KVM_IRQ_LINE / kvm_set_irq() for an SPI; the scoreboard counts an edge SPI's injection.
    const auto set_irq = [&](bool level) {
        if (level && m_env.injected && !d.torn_down && d.spis[*a.spi].config == trigger_mode::edge)
            m_env.injected(a.vm, *a.spi, self.local_time());
        at_el2(self, [&] { agent.kvm_vgic_inject_irq(self, a.vm, *a.spi, level); });
    };
    switch (s.kind) {
    case script_kind::kvm_irq_line:
        if (!a.ppi)
            set_irq(a.level);
        else if (a.level) // SW_PPI is edge: a low level does nothing
            at_el2(self, [&] { agent.kvm_vgic_inject_ppi(self, a.vm, *a.vcpu, *a.ppi); });
        return;
    case script_kind::irqfd: // irqfd_inject(): a pulse
        set_irq(true);
        set_irq(false);
        return;
    case script_kind::resample_irqfd:
        m_resampler->armed.insert({a.vm, *a.spi}); // before the call, which may yield
        set_irq(true);
        return;
    case script_kind::vcpu_kick: {
        bool kicked = false;
        at_el2(self, [&] { kicked = agent.kvm_vcpu_kick(self, a.vm, *a.vcpu); });
        if (!kicked)
            fail(index, s, "the host has no IPIs to kick with (an IRS without LPIs)");
        return;
    }
    case script_kind::vm_teardown:
        for (std::size_t c = 0; c < d.cpus.size(); ++c)
            if (d.cpus[c].loaded) {
                fail(index, s,
                     "vCPU " + std::to_string(c) +
                         " is loaded (KVM destroys a VM only after its vCPUs are put); not run");
                return;
            }
        if (d.torn_down) {
            fail(index, s, "VM " + std::to_string(a.vm) + " is already torn down; not run");
            return;
        }
        at_el2(self, [&] { agent.vm_teardown(self, a.vm); });
        return;
    case script_kind::ist_save:
        if (d.torn_down || !d.spi_vist_mapped) {
            fail(index, s, "VM " + std::to_string(a.vm) + " has no mapped SPI vIST; not run");
            return;
        }
        at_el2(self, [&] {
            saved_vm& image = m_saved[a.vm];
            image.spi_ist = agent.vm_save(self, a.vm);
            image.lpi_ist = agent.vm_save_lpi_ist(self, a.vm);
            image.irs = agent.vm_save_irs(a.vm);
            if (!a.keep_quiesced)
                agent.vm_resume(self, a.vm);
        });
        return;
    case script_kind::ist_restore: {
        const auto image = m_saved.find(a.from);
        if (image == m_saved.end()) {
            fail(index, s,
                 "no image of VM " + std::to_string(a.from) +
                     " saved by an earlier ist_save of this PE; not run");
            return;
        }
        if (d.torn_down || d.spi_vist == 0 || d.spi_vist_mapped) {
            fail(index, s,
                 "VM " + std::to_string(a.vm) +
                     " is not waiting for a restore (it must be brought up without "
                     "its SPI vIST mapped); not run");
            return;
        }
        at_el2(self, [&] { restore(self, index, s, image->second); });
        if (m_env.migrated)
            m_env.migrated(a.from, a.vm);
        return;
    }
    case script_kind::expect_agent: expect_agent(self, index, s); return;
    default: return;
    }
}

void script_runner::observe_guest(cpu_stubs::pe& self, const script_step& s, uint64_t result) {
    if (!s.guest || !m_env.guest_observer)
        return;
    cpu_stubs::guest_observer& o = *m_env.guest_observer;
    if (s.insn == gicv5::gic_insn::CDIA && gicv5::CDIA_RESULT::VALID.test(result)) {
        const gicv5::intid id = gicv5::intid::decode(result);
        if (id.type == gicv5::intid_type::SPI) // the scoreboard follows the SPIs
            o.on_vcpu_acknowledge(s.guest->vm, s.guest->vcpu, id, self.local_time());
    } else if (s.insn == gicv5::gic_insn::CDDI) {
        const gicv5::intid id = gicv5::intid::decode(s.xt);
        if (id.type == gicv5::intid_type::SPI)
            o.on_deactivate(s.guest->vm, id, self.local_time());
    }
}

// KVM's order (its selftest's): the IRS registers, then the IST images (the LPI one needs the
// restored IST_CFGR and IST_BASER), then, before the first run, the replay of pending state.
void script_runner::restore(cpu_stubs::pe& self, std::size_t index, const script_step& s,
                            const saved_vm& image) {
    kvm::vgic_v5& agent = *m_env.agent;
    const unsigned vm = s.agent.vm;
    if (!agent.vm_restore_irs(vm, image.irs)) {
        fail(index, s, "the VM's IRS registers refused the image's; not run");
        return;
    }
    if (!image.lpi_ist.empty() && !agent.vm_restore_lpi_ist(self, vm, image.lpi_ist))
        fail(index, s, "the LPI IST image was not restored");
    agent.vm_restore(self, vm, image.spi_ist, false);
    if (s.agent.resave) {
        const std::vector<uint32_t> spi = agent.vm_save(self, vm);
        const std::vector<uint32_t> lpi = agent.vm_save_lpi_ist(self, vm);
        const kvm::guest_irs_state regs = agent.vm_save_irs(vm);
        agent.vm_resume(self, vm);
        if (!(regs == image.irs))
            fail(index, s, "the re-saved IRS registers differ from the restored ones");
        compare_images(index, s, "SPI", image.spi_ist, spi);
        compare_images(index, s, "LPI", image.lpi_ist, lpi);
    }
    agent.restore_pending_irqs(self, vm);
}

void script_runner::compare_images(std::size_t index, const script_step& s, const char* what,
                                   const std::vector<uint32_t>& saved,
                                   const std::vector<uint32_t>& again) {
    if (saved.size() != again.size()) {
        fail(index, s,
             std::string("re-saved ") + what + " IST has " + count_of(again.size(), "ISTE") +
                 ", the restored one " + std::to_string(saved.size()));
        return;
    }
    const auto diff = std::mismatch(saved.begin(), saved.end(), again.begin());
    if (diff.first != saved.end())
        fail(index, s,
             std::string("re-saved ") + what + " ISTE " +
                 std::to_string(diff.first - saved.begin()) + " is " + hex(*diff.second) +
                 ", restored " + hex(*diff.first));
}

void script_runner::expect_agent(cpu_stubs::pe& self, std::size_t index, const script_step& s) {
    self.sync(); // the other PEs (a vCPU's fold) catch up to this PE's local time first
    const agent_args& a = s.agent;
    const kvm::vgic_dist& d = m_env.agent->dist(a.vm);
    const auto compare = [&](const char* what, const std::optional<uint64_t>& want, uint64_t actual,
                             bool as_hex = false) {
        if (want && *want != actual)
            fail(index, s,
                 std::string("expected ") + what + " " +
                     (as_hex ? hex(*want) : std::to_string(*want)) + ", got " +
                     (as_hex ? hex(actual) : std::to_string(actual)));
    };
    compare("ap_list_length", a.ap_list_length, d.ap_list.size());
    if (a.spi) {
        const kvm::vgic_irq& irq = d.spis[*a.spi];
        compare("listed", a.listed, irq.on_ap_list);
        compare("notifier_calls", a.notifier_calls, irq.notifier_calls);
    }
    compare("vdpend", a.vdpend, d.stats.vdpend);
    compare("vdrcfg", a.vdrcfg, d.stats.vdrcfg);
    compare("last_vdpend", a.last_vdpend, d.stats.last_vdpend, true);
}

// A step that is UNDEFINED at the PE's exception level has no effect, as for an ISS
// (iss_execute()); the CPU interface would treat it as a broken stub, so a script gets a failure.
bool script_runner::undefined(std::size_t index, const script_step& s,
                              const gicv5::iss_request& q) {
    const char* rule = gicv5::undefined_rule(q);
    if (rule)
        fail(index, s,
             std::string("UNDEFINED at EL") + std::to_string(static_cast<unsigned>(q.el)) + ": " +
                 rule + "; not executed");
    return rule != nullptr;
}

void script_runner::check(std::size_t index, const script_step& s, const std::string& what,
                          uint64_t actual) {
    if (!s.expect || ((actual ^ *s.expect) & s.mask) == 0)
        return;
    std::string msg = "expected " + what + hex(*s.expect);
    if (s.mask != ~uint64_t{0})
        msg += " under mask " + hex(s.mask) + ", got " + hex(actual) + " (" + hex(actual & s.mask) +
               " under the mask)";
    else
        msg += ", got " + hex(actual);
    fail(index, s, msg);
}

void script_runner::fail(std::size_t index, const script_step& s, const std::string& what) {
    std::string msg = "script." + std::to_string(index);
    if (!s.origin.empty())
        msg += " (" + s.origin + ")";
    msg += ": pe " + std::to_string(s.pe) + ": " + describe(s) + ": " + what;
    m_failures.emplace_back(index, std::move(msg));
}

} // namespace platform
