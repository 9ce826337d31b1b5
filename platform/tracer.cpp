#include "platform/tracer.h"

#include "platform/gicv5_platform.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace platform {

namespace {
// Track groups ("pid"s) of the trace.
constexpr unsigned PID_PES = 1, PID_VCPUS = 2, PID_AGENT = 3, PID_RESOURCES = 4;
constexpr uint64_t FS_PER_US = 1000000000, FS_PER_NS = 1000000;

// Femtoseconds per unit of sc_time::value(): integer arithmetic keeps the output exact.
uint64_t fs_per_unit() {
    const double fs = sc_core::sc_get_time_resolution().to_seconds() * 1e15;
    return std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(fs)));
}

// Microseconds, as the trace format wants them, with no trailing zeros.
std::string us(uint64_t fs) {
    char buf[48];
    int n =
        std::snprintf(buf, sizeof buf, "%" PRIu64 ".%09" PRIu64, fs / FS_PER_US, fs % FS_PER_US);
    while (buf[n - 1] == '0')
        --n;
    if (buf[n - 1] == '.')
        --n;
    return std::string(buf, static_cast<std::size_t>(n));
}

const char* role_name(pe_role r) {
    switch (r) {
    case pe_role::host: return "host";
    case pe_role::vcpu: return "vcpu";
    case pe_role::script: return "script";
    case pe_role::iss: return "iss";
    }
    return "?";
}
} // namespace

chrome_tracer::chrome_tracer(std::ostream& out, const platform_config& cfg)
    : m_out(out), m_fs_per_unit(fs_per_unit()) {
    m_out << "{\"traceEvents\":[\n";
    meta("process_name", PID_PES, 0, "PEs");
    meta("process_name", PID_VCPUS, 0, "vCPUs");
    meta("process_name", PID_AGENT, 0, "IRS / host agent");
    // The resources' process is named up front, but has tracks only if one queues.
    meta("process_name", PID_RESOURCES, 0, "Resources");
    for (unsigned pid : {PID_PES, PID_VCPUS, PID_AGENT, PID_RESOURCES})
        line(("{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":" + std::to_string(pid) +
              ",\"args\":{\"sort_index\":" + std::to_string(pid) + "}}")
                 .c_str());
    for (unsigned i = 0; i < cfg.pes.size(); ++i)
        meta("thread_name", PID_PES, i,
             "PE " + std::to_string(i) + " (" + role_name(cfg.pes[i].role) + ")");
    unsigned base = 0;
    for (unsigned v = 0; v < cfg.vms.size(); ++v) {
        const vm_config& vm = cfg.vms[v];
        m_vcpus.push_back(std::max(vm.vcpus, 1u));
        m_vcpu_base.push_back(base);
        for (unsigned c = 0; c < vm.vcpus; ++c)
            meta("thread_name", PID_VCPUS, base + c,
                 "VM " + std::to_string(v) + " vCPU " + std::to_string(c));
        base += vm.vcpus;
        m_notifier.push_back(vm.tracking == tracking_policy::ap_list);
        m_spis.emplace_back(vm.spis);
    }
    meta("thread_name", PID_AGENT, 0, "hypervisor agent");
    m_notified.resize(cfg.vms.size());
    m_counter_fs.assign(cfg.vms.size(), 0);
    // The counters start at 0, so the track shows from the beginning.
    for (unsigned v = 0; v < cfg.vms.size(); ++v)
        if (m_notifier[v])
            line(("{\"name\":\"VM " + std::to_string(v) + " AP list\",\"ph\":\"C\",\"pid\":" +
                  std::to_string(PID_AGENT) + ",\"tid\":0,\"ts\":0,\"args\":{\"length\":0}}")
                     .c_str());
}

void chrome_tracer::finish() { m_out << "\n],\"displayTimeUnit\":\"ns\"}\n"; }

void chrome_tracer::line(const char* text) {
    if (!m_first)
        m_out << ",\n";
    m_first = false;
    m_out << text;
}

void chrome_tracer::meta(const char* what, unsigned pid, unsigned tid, const std::string& name) {
    line(("{\"name\":\"" + std::string(what) + "\",\"ph\":\"M\",\"pid\":" + std::to_string(pid) +
          ",\"tid\":" + std::to_string(tid) + ",\"args\":{\"name\":\"" + name + "\"}}")
             .c_str());
    if (std::strcmp(what, "thread_name") == 0)
        line(("{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":" + std::to_string(pid) +
              ",\"tid\":" + std::to_string(tid) +
              ",\"args\":{\"sort_index\":" + std::to_string(tid) + "}}")
                 .c_str());
}

void chrome_tracer::slice(const char* name, unsigned pid, unsigned tid, uint64_t start,
                          uint64_t end, const char* args) {
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "{\"name\":\"%s\",\"ph\":\"X\",\"pid\":%u,\"tid\":%u,\"ts\":%s,\"dur\":%s,"
                  "\"args\":{%s}}",
                  name, pid, tid, us(start).c_str(), us(end - std::min(start, end)).c_str(), args);
    line(buf);
}

void chrome_tracer::flow(const char* name, const flow_start& from, unsigned pid, unsigned tid,
                         uint64_t at) {
    // Both ends bind to the slice around their timestamp, which lies strictly inside it.
    const uint64_t id = m_next_flow++;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "{\"name\":\"%s\",\"cat\":\"flow\",\"ph\":\"s\",\"id\":%" PRIu64
                  ",\"pid\":%u,\"tid\":%u,\"ts\":%s}",
                  name, id, from.pid, from.tid, us(from.fs).c_str());
    line(buf);
    std::snprintf(buf, sizeof buf,
                  "{\"name\":\"%s\",\"cat\":\"flow\",\"ph\":\"f\",\"bp\":\"e\",\"id\":%" PRIu64
                  ",\"pid\":%u,\"tid\":%u,\"ts\":%s}",
                  name, id, pid, tid, us(at).c_str());
    line(buf);
}

chrome_tracer::spi_state* chrome_tracer::spi(unsigned vm, gicv5::intid id) {
    if (id.type != gicv5::intid_type::SPI || vm >= m_spis.size() || id.id >= m_spis[vm].size())
        return nullptr;
    return &m_spis[vm][id.id];
}

void chrome_tracer::on_acknowledge(unsigned vm, gicv5::intid id, const sc_core::sc_time& at) {
    spi_state* s = spi(vm, id);
    if (!s)
        return;
    s->ack_fs = fs(at);
    s->in_handler = true;
    // Injections made after the acknowledge (in local time) wait for the next one.
    auto made_after = std::stable_partition(s->injections.begin(), s->injections.end(),
                                            [&](const flow_start& f) { return f.fs <= s->ack_fs; });
    s->acknowledged.insert(s->acknowledged.end(), s->injections.begin(), made_after);
    s->injections.erase(s->injections.begin(), made_after);
}

void chrome_tracer::on_deactivate(unsigned vm, gicv5::intid id, const sc_core::sc_time& at) {
    spi_state* s = spi(vm, id);
    if (!s || !s->in_handler)
        return;
    s->in_handler = false;
    // SPI n targets vCPU n % vcpus (vcpu_params).
    const unsigned tid = m_vcpu_base[vm] + id.id % m_vcpus[vm];
    const uint64_t end = std::max(fs(at), s->ack_fs);
    char args[64];
    std::snprintf(args, sizeof args, "\"vm\":%u,\"spi\":%u", vm, id.id);
    char name[32];
    std::snprintf(name, sizeof name, "SPI %u", id.id);
    slice(name, PID_VCPUS, tid, s->ack_fs, end, args);
    const uint64_t mid = s->ack_fs + (end - s->ack_fs) / 2;
    for (const flow_start& f : s->acknowledged)
        flow("injection", f, PID_VCPUS, tid, mid);
    s->acknowledged.clear();
    if (m_notifier[vm])
        s->deactivations.push_back({mid, PID_VCPUS, tid});
}

void chrome_tracer::irq_acked(unsigned vm, unsigned gsi, const sc_core::sc_time& at) {
    spi_state* s = spi(vm, gicv5::intid{gicv5::intid_type::SPI, gsi});
    if (!s)
        return;
    // The fold that called the notifier ends these flows when it reports its slice.
    m_notified[vm].insert(m_notified[vm].end(), s->deactivations.begin(), s->deactivations.end());
    s->deactivations.clear();
    char buf[192];
    std::snprintf(buf, sizeof buf,
                  "{\"name\":\"ack notifier\",\"ph\":\"i\",\"s\":\"t\",\"pid\":%u,\"tid\":0,"
                  "\"ts\":%s,\"args\":{\"vm\":%u,\"spi\":%u}}",
                  PID_AGENT, us(fs(at)).c_str(), vm, gsi);
    line(buf);
}

void chrome_tracer::injected(const cpu_stubs::pe& self, unsigned vm, unsigned spi_index, bool level,
                             const sc_core::sc_time& start) {
    const uint64_t b = fs(start), e = std::max(fs(self.local_time()), b);
    char args[64];
    std::snprintf(args, sizeof args, "\"vm\":%u,\"spi\":%u", vm, spi_index);
    slice(level ? "inject" : "line low", PID_PES, self.index(), b, e, args);
    spi_state* s = spi(vm, gicv5::intid{gicv5::intid_type::SPI, spi_index});
    if (level && s)
        s->injections.push_back({b + (e - b) / 2, PID_PES, self.index()});
}

void chrome_tracer::ap_list_changed(const cpu_stubs::pe& self, unsigned vm, std::size_t length) {
    // Per VM the counter's times never go back, so its values stay in the order they happened
    // although PEs' local times may be a quantum apart.
    m_counter_fs[vm] = std::max(m_counter_fs[vm], fs(self.local_time()));
    char buf[192];
    std::snprintf(buf, sizeof buf,
                  "{\"name\":\"VM %u AP list\",\"ph\":\"C\",\"pid\":%u,\"tid\":0,\"ts\":%s,"
                  "\"args\":{\"length\":%zu}}",
                  vm, PID_AGENT, us(m_counter_fs[vm]).c_str(), length);
    line(buf);
}

void chrome_tracer::folded(const cpu_stubs::pe& self, unsigned vm, const sc_core::sc_time& start) {
    const uint64_t b = fs(start), e = std::max(fs(self.local_time()), b);
    char args[32];
    std::snprintf(args, sizeof args, "\"vm\":%u", vm);
    slice("fold", PID_PES, self.index(), b, e, args);
    for (const flow_start& f : m_notified[vm])
        flow("ack notification", f, PID_PES, self.index(), b + (e - b) / 2);
    m_notified[vm].clear();
}

void chrome_tracer::set_resource_names(std::vector<std::string> names) {
    m_resources.assign(names.size(), {});
    for (std::size_t i = 0; i < names.size(); ++i)
        m_resources[i].name = std::move(names[i]) + " queue";
}

void chrome_tracer::depth_changed(unsigned index, const sc_core::sc_time& at, unsigned depth) {
    if (index >= m_resources.size())
        return;
    resource_track& r = m_resources[index];
    if (depth == r.depth) // the same level again (a start and an arrival at one time)
        return;
    char buf[256];
    const char* format = "{\"name\":\"%s\",\"ph\":\"C\",\"pid\":%u,\"tid\":0,\"ts\":%s,"
                         "\"args\":{\"depth\":%u}}";
    if (!r.shown) { // its 0 from the start, written only now that the track has something
        r.shown = true;
        std::snprintf(buf, sizeof buf, format, r.name.c_str(), PID_RESOURCES, "0", 0u);
        line(buf);
    }
    // Calls come in time order per resource; kept non-decreasing all the same, as the AP list.
    r.fs = std::max(r.fs, fs(at));
    r.depth = depth;
    std::snprintf(buf, sizeof buf, format, r.name.c_str(), PID_RESOURCES, us(r.fs).c_str(), depth);
    line(buf);
}

void vcd_writer::line_changed(unsigned pe, cpu_stubs::pe_line l, bool level,
                              const sc_core::sc_time& at) {
    static const uint64_t unit = fs_per_unit();
    m_changes.push_back({at.value() * unit / FS_PER_NS,
                         pe * cpu_stubs::pe_line_count + static_cast<uint32_t>(l), level});
}

namespace {
// VCD identifier codes: letters only, which no VCD reader can mistake for a keyword or a value.
std::string vcd_code(uint32_t n) {
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::string s;
    do {
        s += letters[n % 52];
        n /= 52;
    } while (n != 0);
    return s;
}
} // namespace

void vcd_writer::write(std::ostream& out) const {
    out << "$version gicv5-sim $end\n$timescale 1 ns $end\n$scope module top $end\n";
    for (unsigned p = 0; p < m_pes; ++p) {
        out << "$scope module pe" << p << " $end\n";
        for (unsigned l = 0; l < cpu_stubs::pe_line_count; ++l)
            out << "$var wire 1 " << vcd_code(p * cpu_stubs::pe_line_count + l) << ' '
                << cpu_stubs::to_string(static_cast<cpu_stubs::pe_line>(l)) << " $end\n";
        out << "$upscope $end\n";
    }
    out << "$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n";
    for (uint32_t v = 0; v < m_pes * cpu_stubs::pe_line_count; ++v)
        out << '0' << vcd_code(v) << '\n';
    out << "$end\n";
    std::vector<change> sorted = m_changes;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const change& a, const change& b) { return a.ns < b.ns; });
    uint64_t now = 0;
    for (const change& c : sorted) {
        if (c.ns != now)
            out << '#' << c.ns << '\n';
        now = c.ns;
        out << (c.level ? '1' : '0') << vcd_code(c.var) << '\n';
    }
}

bool trace_files::open(const std::string& trace_path, const std::string& vcd_path,
                       std::ostream& err) {
    if (!trace_path.empty() && !m_trace.open(trace_path, "the trace", err))
        return false;
    if (!vcd_path.empty() && !m_vcd.open(vcd_path, "the VCD", err)) {
        m_trace.discard();
        return false;
    }
    return true;
}

void trace_files::attach(gicv5_platform& top) {
    if (m_trace.is_open()) {
        m_tracer = std::make_unique<chrome_tracer>(m_trace.stream(), top.cfg);
        top.add_guest_observer(*m_tracer);
        top.agent.set_observer(m_tracer.get());
        std::vector<std::string> names; // "irs.engine", "cpuif0.link_up"
        for (std::size_t i = 0; i < top.resources().size(); ++i)
            names.push_back(top.resource_name(i));
        m_tracer->set_resource_names(std::move(names));
        top.set_resource_listener(m_tracer.get());
        for (unsigned vm = 0; vm < top.agent.vm_count(); ++vm)
            if (top.cfg.vms[vm].tracking == tracking_policy::ap_list)
                top.agent.register_ack_notifier(vm, *m_tracer);
    }
    if (m_vcd.is_open()) {
        m_waves = std::make_unique<vcd_writer>(static_cast<unsigned>(top.pes.size()));
        for (auto& p : top.pes)
            p->observe_lines(m_waves.get());
    }
}

bool trace_files::close(std::ostream& err) {
    if (m_trace.is_open() && m_tracer)
        m_tracer->finish();
    if (m_vcd.is_open() && m_waves)
        m_waves->write(m_vcd.stream());
    // Both are tried, so each failure is reported; neither is put in place if one failed.
    const bool trace_ok = m_trace.finish(err);
    const bool vcd_ok = m_vcd.finish(err);
    if (!trace_ok || !vcd_ok)
        discard();
    return trace_ok && vcd_ok;
}

bool trace_files::commit(std::ostream& err) {
    const bool trace_ok = m_trace.commit(err);
    return m_vcd.commit(err) && trace_ok;
}

void trace_files::discard() {
    m_trace.discard();
    m_vcd.discard();
}

} // namespace platform
