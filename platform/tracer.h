// Trace outputs of a run (gicv5-sim --trace, --vcd); docs/trace.md describes what they show.
//
// chrome_tracer writes a Chrome trace-event file (JSON Object Format, for ui.perfetto.dev): one
// track per PE, per vCPU and for the hypervisor agent; injections, guest handlers and AP-list
// folds as slices, flows from injection to acknowledge and from deactivation to the ack
// notifier, the AP-list length of each VM as a counter, the queue depth of each timed resource
// as a counter. It listens on the observer interfaces the platform already has (guest_observer,
// ack_notifier, resource_observer) and on the agent's agent_observer.
//
// vcd_writer dumps every PE's interrupt inputs as a VCD waveform (1 ns timescale).
//
// Both are attached only when asked for; the model then pays one pointer test per event. Times
// are simulated: PE local times for what a PE does (temporal decoupling lets PEs run up to a
// quantum apart), so the same config and seed give the same bytes.
#pragma once

#include "cpu_stubs/pe.h"
#include "cpu_stubs/vcpu_program.h"
#include "platform/kvm/vgic_v5.h"
#include "platform/output_file.h"
#include "platform/platform_config.h"
#include "tlm_gicv5/timed_resource.h"

#include <cstdint>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace platform {

class gicv5_platform;

class chrome_tracer : public cpu_stubs::guest_observer,
                      public kvm::ack_notifier,
                      public kvm::agent_observer,
                      public gicv5::resource_observer {
public:
    chrome_tracer(std::ostream& out, const platform_config& cfg);
    // The names of the resources whose depth_changed() calls follow, by observer index.
    void set_resource_names(std::vector<std::string> names);
    // Ends the JSON document; call once, after the run.
    void finish();

    void on_acknowledge(unsigned vm, gicv5::intid id, const sc_core::sc_time& at) override;
    void on_deactivate(unsigned vm, gicv5::intid id, const sc_core::sc_time& at) override;
    void irq_acked(unsigned vm, unsigned gsi, const sc_core::sc_time& at) override;
    void injected(const cpu_stubs::pe& self, unsigned vm, unsigned spi, bool level,
                  const sc_core::sc_time& start) override;
    void ap_list_changed(const cpu_stubs::pe& self, unsigned vm, std::size_t length) override;
    void folded(const cpu_stubs::pe& self, unsigned vm, const sc_core::sc_time& start) override;
    void waited(unsigned, const sc_core::sc_time&) override {}
    void depth_changed(unsigned index, const sc_core::sc_time& at, unsigned depth) override;

private:
    // A flow whose start is known and whose end is not yet: written as a pair once it ends, so
    // every "s" in the file has its "f".
    struct flow_start {
        uint64_t fs; // femtoseconds, inside the slice it binds to
        unsigned pid, tid;
    };
    struct spi_state {
        std::vector<flow_start> injections;    // not yet acknowledged
        std::vector<flow_start> acknowledged;  // by the acknowledge whose handler runs
        std::vector<flow_start> deactivations; // waiting for the ack notifier
        uint64_t ack_fs = 0;
        bool in_handler = false;
    };
    // A resource's counter: written from its first change on, so the resources that never
    // queue (most links of a large platform) add nothing to the file.
    struct resource_track {
        std::string name;
        uint64_t fs = 0; // the last sample
        unsigned depth = 0;
        bool shown = false;
    };
    uint64_t fs(const sc_core::sc_time& t) const { return t.value() * m_fs_per_unit; }
    spi_state* spi(unsigned vm, gicv5::intid id);
    void line(const char* text);
    void slice(const char* name, unsigned pid, unsigned tid, uint64_t start, uint64_t end,
               const char* args);
    void flow(const char* name, const flow_start& from, unsigned pid, unsigned tid, uint64_t at);
    void meta(const char* what, unsigned pid, unsigned tid, const std::string& name);

    std::ostream& m_out;
    bool m_first = true;
    uint64_t m_fs_per_unit;
    uint64_t m_next_flow = 1;
    std::vector<unsigned> m_vcpus, m_vcpu_base; // per VM
    std::vector<bool> m_notifier;               // per VM: tracking ap_list
    std::vector<std::vector<spi_state>> m_spis;
    std::vector<std::vector<flow_start>> m_notified; // per VM: ended by the running fold
    std::vector<uint64_t> m_counter_fs;              // per VM: the last counter event
    std::vector<resource_track> m_resources;         // by observer index
};

class vcd_writer : public cpu_stubs::line_observer {
public:
    explicit vcd_writer(unsigned pes) : m_pes(pes) {}
    void line_changed(unsigned pe, cpu_stubs::pe_line l, bool level,
                      const sc_core::sc_time& at) override;
    // Writes the whole dump: changes arrive out of time order (drivers' delays, PEs' local
    // times), so they are kept and sorted first.
    void write(std::ostream& out) const;

private:
    struct change {
        uint64_t ns;
        uint32_t var; // pe * pe_line_count + line
        bool level;
    };
    unsigned m_pes;
    std::vector<change> m_changes;
};

// The files named on the command line: opened before the run (a bad path fails at once),
// attached to the platform, written in place of the targets after the run.
class trace_files {
public:
    // Empty paths are not traced. False (with a message on err) when one cannot be opened.
    bool open(const std::string& trace_path, const std::string& vcd_path, std::ostream& err);
    void attach(gicv5_platform& top); // after elaboration, before sc_start
    // Writes what is left, not yet in place; false (with the reason on err) when a write failed.
    bool close(std::ostream& err);
    // After close(): puts the files in place, so that a run whose later outputs fail leaves them
    // all as they were.
    bool commit(std::ostream& err);
    // The run failed: no half-written file may be taken for its trace.
    void discard();

private:
    output_file m_trace, m_vcd;
    std::unique_ptr<chrome_tracer> m_tracer;
    std::unique_ptr<vcd_writer> m_waves;
};

} // namespace platform
