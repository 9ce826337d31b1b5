#include "litmus/runner.h"

#include "platform/gicv5_platform.h"
#include "tlm_gicv5/intid.h"
#include "tlm_gicv5/irs_regs.h"

#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <sstream>

namespace litmus {

using cpu_stubs::pe;
using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

const sc_time setup_end(20, SC_US);          // the litmus programs start after this
const sc_time settle_time(5, SC_US);         // after the last PE, before the final state is read
const sc_time wait_step(50, SC_NS);          // a WAIT's retry interval
constexpr unsigned wait_tries = 2000;        // 100 us: a WAIT that long never ends
constexpr uint64_t location_offset = 0x1000; // first location, above nothing the platform uses
constexpr uint64_t location_stride = 64;     // a cache line per location

uint64_t mix(uint64_t x) { // splitmix64
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t hash(const std::string& s) {
    uint64_t h = 1469598103934665603ull; // FNV-1a
    for (char c : s)
        h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return h;
}

bool flag(const record& r, const char* f) {
    const std::string* v = r.find(f);
    return v && *v != "0";
}

// One run: its platform and what its PEs share.
struct run_state {
    const test& t;
    run_params p;
    std::unique_ptr<platform::gicv5_platform> plat;
    std::map<std::string, uint64_t> addr;
    unsigned done = 0;
    bool setup_ok = false;
    std::string error;
    final_state fs;
    bool nmi = false;
    bool implicit_eoi = true;
};

class litmus_program : public cpu_stubs::pe_program {
public:
    litmus_program(run_state& r, unsigned pe) : m_r(r), m_pe(pe) {
        for (const auto& [key, v] : r.t.regs)
            if (key.first == pe)
                m_x[key.second] = initial_value(r.t, v, r.addr);
    }

    void run(pe& self) override {
        self.set_el(gicv5::exception_level::EL1);
        self.msr(gicv5::sysreg::ICC_PCR_EL1, gicv5::PRIORITY_LOWEST);
        self.msr(gicv5::sysreg::ICC_CR0_EL1, 1);
        if (m_pe == 0)
            setup(self);
        else
            ppi_setup(self);
        self.idle_until(setup_end);
        if (!m_r.setup_ok) {
            if (m_r.error.empty())
                m_r.error = "the initial state was not set up by " + setup_end.to_string();
            return;
        }
        self.idle_until(setup_end + m_r.p.start.at(m_pe));
        execute(self, m_r.t.programs[m_pe]);
        for (unsigned r = 0; r < 31; ++r)
            m_r.fs.regs[{m_pe, r}] = m_x[r];
        ++m_r.done;
        while (m_r.done < m_r.t.pes())
            self.idle_until(self.local_time() + sc_time(1, SC_US));
        self.idle_until(self.local_time() + settle_time);
        collect(self);
        self.sync();
    }

private:
    void set(unsigned rd, uint64_t v, bool w = false) {
        if (rd < 31)
            m_x[rd] = w ? (v & 0xffffffffu) : v;
    }
    uint64_t get(unsigned r) const { return r < 31 ? m_x[r] : 0; }

    gicv5::intid spi_of(const std::string& name) const {
        return gicv5::spi(static_cast<uint32_t>(m_r.t.intid_index(name)));
    }

    uint64_t acknowledge(pe& self, uint8_t prio) {
        const gicv5::gic_insn ack =
            m_r.nmi && prio == 0 ? gicv5::gic_insn::CDNMIA : gicv5::gic_insn::CDIA;
        for (unsigned k = 0; k < 200; ++k) {
            const uint64_t r = self.insn(ack);
            if (gicv5::CDIA_RESULT::VALID.test(r))
                return r;
            self.idle_until(self.local_time() + sc_time(100, SC_NS));
        }
        return 0;
    }

    // PE 0: the IRS on, then each interrupt of the initial state (see runner.h).
    void setup(pe& self) {
        namespace CD = gicv5::CD_OPERAND;
        const platform::platform_config& cfg = m_r.plat->cfg;
        self.write32(cfg.irs.config_frame + gicv5::desc(gicv5::irs_reg::IRS_CR0).offset, 1);
        self.idle_until(self.local_time() + sc_time(1, SC_US));
        ppi_setup(self);
        for (const interrupt_init& i : m_r.t.interrupts) {
            if (i.ppi >= 0)
                continue;
            const uint64_t id = spi_of(i.name).encode();
            const record& s = i.state;
            const uint8_t prio = static_cast<uint8_t>(
                gicv5::ICC_ICSR_EL1::Priority.get(encode(m_r.t, s, view::icsr).value));
            self.insn(gicv5::gic_insn::CDPRI, id | CD::PRIORITY.make(prio));
            if (!flag(s, "active"))
                continue;
            // Active: pended, acknowledged here and priority-dropped.
            self.insn(gicv5::gic_insn::CDHM, id);
            self.insn(gicv5::gic_insn::CDAFF, id);
            self.insn(gicv5::gic_insn::CDEN, id);
            self.insn(gicv5::gic_insn::CDPEND, id | CD::PENDING.make(1));
            self.insn(gicv5::gic_insn::GSB_SYS);
            const uint64_t r = acknowledge(self, prio);
            if ((r & 0xffffffffu) != id) {
                m_r.error = "setup: PE 0 could not acknowledge " + i.name + " to make it active";
                return;
            }
            self.insn(gicv5::gic_insn::CDEOI);
            self.insn(gicv5::gic_insn::CDDIS, id);
            self.insn(gicv5::gic_insn::GSB_SYS);
        }
        for (const interrupt_init& i : m_r.t.interrupts) {
            if (i.ppi >= 0)
                continue;
            const uint64_t id = spi_of(i.name).encode();
            const encoded e = encode(m_r.t, i.state, view::icsr);
            namespace ICSR = gicv5::ICC_ICSR_EL1;
            const uint64_t aff = ICSR::IAFFID.get(e.value);
            self.insn(gicv5::gic_insn::CDHM, id | CD::HM.make(ICSR::HM.get(e.value)));
            self.insn(gicv5::gic_insn::CDAFF,
                      id | CD::IAFFID.make(aff) | CD::IRM.make(ICSR::IRM.get(e.value)));
            self.insn(gicv5::gic_insn::CDPEND, id | CD::PENDING.make(flag(i.state, "pending")));
            if (flag(i.state, "enabled"))
                self.insn(gicv5::gic_insn::CDEN, id);
        }
        self.insn(gicv5::gic_insn::GSB_SYS);
        m_r.setup_ok = m_r.error.empty();
    }

    // This PE's PPIs: enable, priority, active, and pending through the wire (level) or
    // ICC_PPI_SPENDR (edge).
    void ppi_setup(pe& self) {
        using gicv5::sysreg;
        for (const interrupt_init& i : m_r.t.interrupts) {
            if (i.ppi < 0 || i.pe != m_pe)
                continue;
            const unsigned bank = static_cast<unsigned>(i.ppi) / 64;
            const uint64_t bit = uint64_t{1} << (i.ppi % 64);
            auto reg = [bank](sysreg r0) {
                return static_cast<sysreg>(static_cast<unsigned>(r0) + bank);
            };
            const std::string* pr = i.state.find("priority");
            const unsigned prio = pr ? static_cast<unsigned>(std::stoul(*pr)) : 0;
            const sysreg pri = static_cast<sysreg>(
                static_cast<unsigned>(sysreg::ICC_PPI_PRIORITYR0_EL1) + i.ppi / 8);
            const uint64_t old = self.mrs(pri);
            const unsigned sh = (i.ppi % 8) * 8;
            self.msr(pri, (old & ~(uint64_t{0xff} << sh)) | (uint64_t{prio} << sh));
            if (flag(i.state, "active"))
                self.msr(reg(sysreg::ICC_PPI_SACTIVER0_EL1), bit);
            if (flag(i.state, "pending")) {
                const bool level = (self.mrs(reg(sysreg::ICC_PPI_HMR0_EL1)) & bit) != 0;
                if (level)
                    m_r.plat->cpuifs[m_pe]->ppi_line(static_cast<unsigned>(i.ppi), true,
                                                     self.local_time() - sc_core::sc_time_stamp());
                else
                    self.msr(reg(sysreg::ICC_PPI_SPENDR0_EL1), bit);
            }
            const uint64_t en = self.mrs(reg(sysreg::ICC_PPI_ENABLER0_EL1));
            self.msr(reg(sysreg::ICC_PPI_ENABLER0_EL1),
                     flag(i.state, "enabled") ? en | bit : en & ~bit);
        }
    }

    uint64_t address(const insn& i) const { return get(i.rn) + (i.has_rm ? get(i.rm) : 0); }

    // A store to a device page (its register is a word of RAM, so a load reads back what was
    // stored): the device sees the write mmio latency after the store completes, and pulses the
    // wire of the test's SPI.
    void device_store(pe& self, uint64_t a) {
        for (const std::string& d : m_r.t.device_locations)
            if (m_r.addr.at(d) == a) {
                const sc_time at = self.local_time() + m_r.p.timing.mmio - sc_core::sc_time_stamp();
                m_r.plat->spi_line(0, true, at);
                m_r.plat->spi_line(0, false, at + sc_time(10, SC_NS));
            }
    }

    void step(pe& self, const insn& i) {
        using gicv5::sysreg;
        switch (i.o) {
        case op::gic: self.insn(i.gic, get(i.rn)); break;
        case op::gicr: {
            const uint64_t r = self.insn(i.gic);
            set(i.rd, r);
            // herd7's model has no running priority: drop it at once, as Linux does.
            if (m_r.implicit_eoi && gicv5::CDIA_RESULT::VALID.test(r))
                self.insn(gicv5::gic_insn::CDEOI);
            break;
        }
        case op::gsb_sys: self.insn(gicv5::gic_insn::GSB_SYS); break;
        case op::gsb_ack: self.insn(gicv5::gic_insn::GSB_ACK); break;
        case op::isb:
        case op::barrier:
        case op::nop:
        case op::label: self.spend(sc_time(1, SC_NS)); break;
        case op::mrs:
            if (i.sysreg == "ISR_EL1") {
                self.spend(sc_time(1, SC_NS));
                set(i.rd, (uint64_t{self.line(cpu_stubs::pe_line::irq)} << 7) |
                              (uint64_t{self.line(cpu_stubs::pe_line::fiq)} << 6));
            } else {
                set(i.rd, self.mrs(*sysreg_named(i.sysreg)));
            }
            break;
        case op::msr: self.msr(*sysreg_named(i.sysreg), get(i.rn)); break;
        case op::mov_imm: set(i.rd, i.imm, i.w); break;
        case op::mov_reg: set(i.rd, get(i.rn), i.w); break;
        case op::eor: set(i.rd, get(i.rn) ^ get(i.rm)); break;
        case op::cmp: m_eq = get(i.rn) == get(i.rm); break;
        case op::ldr: {
            const uint64_t a = address(i);
            set(i.rd, i.w ? self.read32(a) : self.read64(a));
            break;
        }
        case op::str: {
            const uint64_t a = address(i);
            if (i.w)
                self.write32(a, static_cast<uint32_t>(get(i.rd)));
            else
                self.write64(a, get(i.rd));
            device_store(self, a);
            break;
        }
        case op::b:
        case op::wait: break; // control flow: execute()
        }
        self.sync_if_needed(); // a quantum keeper's ISS yields here
    }

    void execute(pe& self, const std::vector<insn>& prog) {
        for (std::size_t pc = 0; pc < prog.size();) {
            const insn& i = prog[pc++];
            if (i.o == op::b) {
                self.spend(sc_time(1, SC_NS));
                if (i.cond.empty() || (i.cond == "EQ") == m_eq)
                    pc = static_cast<std::size_t>(std::find_if(prog.begin(), prog.end(),
                                                               [&](const insn& l) {
                                                                   return l.o == op::label &&
                                                                          l.label == i.label;
                                                               }) -
                                                  prog.begin());
                continue;
            }
            if (i.o != op::wait) {
                step(self, i);
                continue;
            }
            for (unsigned k = 0; k < wait_tries; ++k) {
                step(self, *i.body);
                final_state now;
                for (unsigned r = 0; r < 31; ++r)
                    now.regs[{m_pe, r}] = m_x[r];
                now.addresses = m_r.addr;
                cond_expr c = *i.until;
                c.a.pe = static_cast<int>(m_pe);
                if (holds(m_r.t, c, now))
                    break;
                self.idle_until(self.local_time() + wait_step);
            }
        }
    }

    // The final state of the interrupts the condition names: INTIDs by PE 0, PPIs by their PE.
    void collect(pe& self) {
        using gicv5::sysreg;
        namespace ICSR = gicv5::ICC_ICSR_EL1;
        if (m_pe == 0)
            for (std::size_t k = 0; k < m_r.t.intids.size(); ++k) {
                self.insn(gicv5::gic_insn::CDRCFG, gicv5::spi(static_cast<uint32_t>(k)).encode());
                m_r.fs.interrupts[m_r.t.intids[k]] = self.mrs(sysreg::ICC_ICSR_EL1);
            }
        for (const interrupt_init& i : m_r.t.interrupts) {
            if (i.ppi < 0 || i.pe != m_pe)
                continue;
            const unsigned bank = static_cast<unsigned>(i.ppi) / 64;
            const uint64_t bit = uint64_t{1} << (i.ppi % 64);
            auto read = [&](sysreg r0) {
                return (self.mrs(static_cast<sysreg>(static_cast<unsigned>(r0) + bank)) & bit) != 0;
            };
            const uint64_t pri = self.mrs(static_cast<sysreg>(
                static_cast<unsigned>(sysreg::ICC_PPI_PRIORITYR0_EL1) + i.ppi / 8));
            m_r.fs.interrupts[std::to_string(m_pe) + ":" + i.name] =
                ICSR::Enabled.make(read(sysreg::ICC_PPI_ENABLER0_EL1)) |
                ICSR::Pending.make(read(sysreg::ICC_PPI_SPENDR0_EL1)) |
                ICSR::Active.make(read(sysreg::ICC_PPI_SACTIVER0_EL1)) |
                ICSR::HM.make(!read(sysreg::ICC_PPI_HMR0_EL1)) |
                ICSR::Priority.make(pri >> (i.ppi % 8 * 8) & 0x1f);
        }
    }

    static std::optional<gicv5::sysreg> sysreg_named(const std::string& n) {
        for (std::size_t k = 0; k < static_cast<std::size_t>(gicv5::sysreg::count); ++k)
            if (n == gicv5::sysregs[k].name)
                return static_cast<gicv5::sysreg>(k);
        return std::nullopt;
    }

    run_state& m_r;
    unsigned m_pe;
    std::array<uint64_t, 31> m_x{};
    bool m_eq = false;
};

bool uses(const test& t, gicv5::gic_insn g) {
    for (const std::vector<insn>& p : t.programs)
        for (const insn& i : p)
            if ((i.o == op::gicr && i.gic == g) ||
                (i.o == op::wait && i.body->o == op::gicr && i.body->gic == g))
                return true;
    return false;
}

// herd7's GIC model has no running priority, so its tests acknowledge without a priority drop.
// The runner drops it after each valid acknowledge (CDEOI, at once, as Linux's handler does),
// unless the test looks at the running priority or drops it itself.
bool implicit_eoi(const test& t) {
    for (const std::vector<insn>& p : t.programs)
        for (const insn& i : p) {
            const insn& w = i.o == op::wait ? *i.body : i;
            if ((w.o == op::gic && w.gic == gicv5::gic_insn::CDEOI) ||
                (w.o == op::mrs && (w.sysreg == "ICC_HAPR_EL1" || w.sysreg == "ICC_APR_EL1")))
                return false;
        }
    return true;
}

} // namespace

std::string run_params::describe() const {
    std::ostringstream o;
    o << "quantum " << timing.quantum << ", gic_insn " << timing.gic_insn << ", stream_hop "
      << timing.stream_hop << ", irs_process " << timing.irs_process << ", mmio " << timing.mmio
      << ", link_occupancy " << timing.link_occupancy << ", bus_occupancy " << timing.bus_occupancy
      << ", memory " << mem_read << "/" << mem_write << ", starts [";
    for (std::size_t k = 0; k < start.size(); ++k)
        o << (k ? " " : "") << start[k];
    o << "]";
    return o.str();
}

run_params params_for(const test& t, uint64_t seed, unsigned run) {
    std::mt19937_64 rng(mix(seed ^ mix(hash(t.name) ^ mix(run))));
    auto ns = [&](unsigned lo, unsigned hi) {
        return sc_time(static_cast<double>(lo + rng() % (hi - lo + 1)), SC_NS);
    };
    run_params p;
    p.run = run;
    static const sc_time quanta[] = {sc_core::SC_ZERO_TIME, sc_time(10, SC_NS), sc_time(100, SC_NS),
                                     sc_time(1, SC_US)};
    p.timing.quantum = quanta[rng() % 4];
    p.timing.gic_insn = ns(1, 20);
    p.timing.stream_hop = ns(2, 200);
    p.timing.irs_process = ns(2, 100);
    p.timing.mmio = ns(5, 100);
    p.timing.link_occupancy = ns(0, 20);
    p.timing.bus_occupancy = ns(0, 10);
    p.mem_read = ns(5, 100);
    p.mem_write = ns(5, 100);
    for (unsigned k = 0; k < t.pes(); ++k)
        p.start.push_back(ns(0, 400));
    return p;
}

std::string unsupported(const test& t) {
    if (!t.skip.empty())
        return t.skip;
    if (!t.device_locations.empty() && t.intids.size() != 1)
        return "a device page raises an interrupt only when the test has exactly one INTID";
    for (const interrupt_init& i : t.interrupts)
        if (i.ppi >= 0 && i.pe >= t.pes())
            return "a PPI of P" + std::to_string(i.pe) + ", which the test does not have";
    // A PPI pended by software (ICC_PPI_SPENDR) must be Edge; the model's are Level except
    // SW_PPI (R_CFSKX), and writes to a Level PPI's pending bit are ignored.
    for (const std::vector<insn>& p : t.programs)
        for (const insn& i : p)
            if (i.o == op::msr && i.sysreg.find("SPENDR") != std::string::npos)
                for (const interrupt_init& s : t.interrupts)
                    if (s.ppi >= 0 && s.ppi != static_cast<int>(gicv5::PPI_SW_PPI))
                        return "software pends PPI " + std::to_string(s.ppi) + ", which the " +
                               "model makes Level (only SW_PPI is Edge, R_CFSKX)";
    return {};
}

std::vector<run_result> run_batch(const test& t, const std::vector<run_params>& runs) {
    if (runs.empty())
        return {};
    tlm::tlm_global_quantum::instance().set(runs.front().timing.quantum);
    const bool nmi = uses(t, gicv5::gic_insn::CDNMIA);
    std::vector<std::unique_ptr<run_state>> states;
    std::vector<std::unique_ptr<litmus_program>> programs;
    for (const run_params& p : runs) {
        platform::platform_config cfg;
        cfg.sources.clear();
        cfg.vms.clear();
        platform::pe_config script_pe;
        script_pe.role = platform::pe_role::script;
        cfg.pes.assign(std::max(t.pes(), 1u), script_pe);
        cfg.timing = p.timing;
        cfg.memory.size = 1u << 20;
        cfg.memory.read_latency = p.mem_read;
        cfg.memory.write_latency = p.mem_write;
        cfg.irs.spi_range = cfg.irs.spi_irs_range = 64;
        cfg.irs.nmi = nmi;
        auto st = std::make_unique<run_state>(
            run_state{t, p, nullptr, {}, 0, false, {}, {}, nmi, implicit_eoi(t)});
        for (std::size_t k = 0; k < t.locations.size(); ++k)
            st->addr[t.locations[k]] = cfg.memory.base + location_offset + k * location_stride;
        st->fs.addresses = st->addr;
        const std::string name = "run" + std::to_string(p.run);
        st->plat = std::make_unique<platform::gicv5_platform>(name.c_str(), cfg,
                                                              platform::build_options{false});
        for (unsigned pe = 0; pe < t.pes(); ++pe) {
            programs.push_back(std::make_unique<litmus_program>(*st, pe));
            st->plat->pes[pe]->load(*programs.back());
        }
        states.push_back(std::move(st));
    }
    sc_core::sc_start(sc_time(2, sc_core::SC_MS));
    std::vector<run_result> out;
    for (const std::unique_ptr<run_state>& st : states) {
        run_result r;
        r.run = st->p.run;
        r.error = st->error;
        if (r.error.empty() && st->done != t.pes())
            r.error = "a PE did not finish its program";
        if (r.error.empty()) {
            r.reached = holds(t, t.condition, st->fs);
            r.outcome = outcome(t, st->fs);
        }
        out.push_back(r);
    }
    return out;
}

} // namespace litmus
