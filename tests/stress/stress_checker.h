// An independent scoreboard for the stress suite: it shares no code with platform::scoreboard and
// sees only what a user of the model can see: the agent's injections (KVM_IRQ_LINE, through the
// agent's observer), the guests' acknowledges and deactivations, and the ack notifier. It checks,
// per SPI of each VM:
//   edge   every injection is delivered exactly once, or coalesced into one still pending:
//          an acknowledge consumes one owed injection, an injection finding one owed coalesces;
//   level  an acknowledge finds the line high (the IRS activates only a pending ISTE, and a level
//          ISTE is pending only while the last VDPEND said so); a notification finds it low
//          (KVM's irq_is_pending(): a level SPI with its line high is never consumed);
//   notifier (AP-list VMs)  once per consumption, in KVM's sense: an injection that makes the SPI
//          pending puts it in flight (on the AP list, if not there yet), and it leaves with exactly
//          one call, once neither pending nor active; for an edge SPI only after a deactivation
//          (a level SPI whose line dropped before the guest took it leaves without one); after
//          the run nothing is in flight.
// Each SPI keeps its last events, so that a failure prints a short log of the SPI at fault.
#pragma once

#include "cpu_stubs/vcpu_program.h"
#include "platform/kvm/vgic_v5.h"

#include <array>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace stress {

class checker : public cpu_stubs::guest_observer,
                public platform::kvm::ack_notifier,
                public platform::kvm::agent_observer {
public:
    // spis[vm]: SPIs of VM vm; level[vm][spi]: that SPI is level-triggered; notified[vm]: the VM
    // has an AP list, whose notifier this checker is registered on.
    checker(const std::vector<std::vector<bool>>& level, const std::vector<bool>& notified)
        : m_notified(notified) {
        m_spis.resize(level.size());
        for (std::size_t vm = 0; vm < level.size(); ++vm) {
            m_spis[vm].resize(level[vm].size());
            for (std::size_t s = 0; s < level[vm].size(); ++s)
                m_spis[vm][s].level = level[vm][s];
        }
    }

    // The SPIs of VM `from` now live in VM `to` (a migration: save, teardown, restore). The
    // teardown drops AP-list entries without a notifier (KVM's destroy path), so deactivations not
    // yet notified are forgiven; owed injections and line levels move with the VM.
    void migrated(unsigned from, unsigned to) {
        for (std::size_t s = 0; s < m_spis[from].size(); ++s) {
            spi& a = m_spis[from][s];
            spi& b = m_spis[to][s];
            b.owed = a.owed;
            b.line = a.line;
            b.level = a.level;
            b.log = a.log;
            b.log_next = a.log_next;
            b.deactivated_since_notify = false;
            b.in_flight = false; // the replay of the pending ones puts them back in flight
            a = spi{};
            log(to, s, 'M', sc_core::sc_time_stamp(), from);
        }
    }

    void injected(const cpu_stubs::pe& self, unsigned vm, unsigned s, bool level,
                  const sc_core::sc_time& start) override {
        spi& x = at(vm, s);
        m_injections += level; // a level line's drop is not an injection
        log(vm, s, level ? 'I' : 'i', start, self.index());
        x.in_flight |= level;
        if (x.level) {
            x.line = level;
            return;
        }
        if (x.owed)
            ++m_coalesced;
        x.owed = true;
    }
    void ap_list_changed(const cpu_stubs::pe&, unsigned, std::size_t) override {}
    void folded(const cpu_stubs::pe&, unsigned, const sc_core::sc_time&) override {}

    void on_acknowledge(unsigned vm, gicv5::intid id, const sc_core::sc_time& at) override {
        on_vcpu_acknowledge(vm, 0, id, at);
    }
    void on_vcpu_acknowledge(unsigned vm, unsigned vcpu, gicv5::intid id,
                             const sc_core::sc_time& when) override {
        if (id.type != gicv5::intid_type::SPI || vm >= m_spis.size() ||
            id.id >= m_spis[vm].size()) {
            fail(vm, 0, "an acknowledge of an interrupt no source injects: " + describe(id));
            return;
        }
        spi& x = at(vm, id.id);
        log(vm, id.id, 'A', when, vcpu);
        ++m_delivered;
        if (x.level) {
            if (!x.line)
                fail(vm, id.id, "a level SPI acknowledged with its line low");
            return;
        }
        if (!x.owed)
            fail(vm, id.id, "an edge SPI acknowledged with no injection owed (a duplicate)");
        x.owed = false;
    }
    void on_deactivate(unsigned vm, gicv5::intid id, const sc_core::sc_time& when) override {
        if (id.type != gicv5::intid_type::SPI || vm >= m_spis.size() || id.id >= m_spis[vm].size())
            return;
        log(vm, id.id, 'D', when, 0);
        at(vm, id.id).deactivated_since_notify = true;
    }
    void irq_acked(unsigned vm, unsigned gsi, const sc_core::sc_time& when) override {
        ++m_notifications;
        if (vm >= m_spis.size() || gsi >= m_spis[vm].size()) {
            fail(vm, 0, "a notification for an SPI that does not exist");
            return;
        }
        spi& x = at(vm, gsi);
        log(vm, gsi, 'N', when, 0);
        if (!m_notified[vm])
            fail(vm, gsi, "a notification in a VM with no AP list");
        if (!x.in_flight)
            fail(vm, gsi, "a notification with no injection since the last one");
        if (!x.level && !x.deactivated_since_notify)
            fail(vm, gsi, "an edge SPI notified with no deactivation since the last notification");
        if (x.level && x.line)
            fail(vm, gsi, "a level SPI notified while its line is high");
        x.deactivated_since_notify = false;
        x.in_flight = false;
    }

    // With the platform quiet (nothing in flight on the way to the IRS), SPI s of VM vm must be
    // pending in its vIST exactly when an edge injection is owed or a level line is high: a
    // pending entry nobody injected, or an injection the table lost, fails here at once.
    void expect_table(unsigned vm, unsigned s, bool pending_in_table) {
        const spi& x = m_spis[vm][s];
        const bool want = x.level ? x.line : x.owed;
        if (pending_in_table != want)
            fail(vm, s,
                 std::string("the vIST entry is ") + (pending_in_table ? "" : "not ") +
                     "pending, but the injections say it should " + (want ? "" : "not ") + "be");
    }

    // After the run has drained: nothing owed, every consumption notified, lines low.
    void finish() {
        for (unsigned vm = 0; vm < m_spis.size(); ++vm)
            for (unsigned s = 0; s < m_spis[vm].size(); ++s) {
                const spi& x = m_spis[vm][s];
                if (x.owed)
                    fail(vm, s, "an edge injection never delivered (lost)");
                if (x.level && x.line)
                    fail(vm, s, "a level line still high after the drain");
                if (m_notified[vm] && x.in_flight)
                    fail(vm, s, "a consumption never notified (still in flight after the drain)");
            }
    }

    uint64_t injections() const { return m_injections; }
    uint64_t coalesced() const { return m_coalesced; }
    uint64_t delivered() const { return m_delivered; }
    uint64_t notifications() const { return m_notifications; }
    uint64_t failures() const { return m_failures; }
    // The first failure and the log of its SPI, oldest event first.
    const std::string& report() const { return m_report; }

private:
    static constexpr std::size_t LOG = 16;
    struct event {
        char kind = 0; // I inject (line high / edge), i line low, A ack, D deactivate, N notify, M
        uint64_t at_ps = 0;
        unsigned who = 0; // PE (I, i), vCPU (A), VM migrated from (M)
    };
    struct spi {
        bool level = false;
        bool owed = false; // edge: an injection waits for its acknowledge
        bool line = false; // level: the line as last injected
        bool deactivated_since_notify = false;
        bool in_flight = false; // injected since the last notification (AP-list VMs)
        std::array<event, LOG> log{};
        std::size_t log_next = 0;
    };

    spi& at(unsigned vm, unsigned s) { return m_spis[vm][s]; }
    void log(unsigned vm, std::size_t s, char kind, const sc_core::sc_time& when, unsigned who) {
        spi& x = m_spis[vm][s];
        x.log[x.log_next++ % LOG] = {kind, when.value(), who};
    }
    static std::string describe(gicv5::intid id) {
        std::ostringstream o;
        o << "INTID type " << static_cast<unsigned>(id.type) << " ID " << id.id;
        return o.str();
    }
    void fail(unsigned vm, unsigned s, const std::string& what) {
        if (m_failures++ != 0)
            return;
        std::ostringstream o;
        o << "VM " << vm << " SPI " << s << ": " << what << "\nlast events of that SPI (time ps,"
          << " event, PE/vCPU): I inject or line high, i line low, A acknowledge, D deactivate,"
          << " N notifier, M migrated here\n";
        if (vm < m_spis.size() && s < m_spis[vm].size()) {
            const spi& x = m_spis[vm][s];
            for (std::size_t n = 0; n < LOG; ++n) {
                const event& e = x.log[(x.log_next + n) % LOG];
                if (e.kind != 0)
                    o << "  " << e.at_ps << ' ' << e.kind << ' ' << e.who << '\n';
            }
        }
        m_report = o.str();
    }

    std::vector<std::vector<spi>> m_spis;
    std::vector<bool> m_notified;
    uint64_t m_injections = 0, m_coalesced = 0, m_delivered = 0, m_notifications = 0;
    uint64_t m_failures = 0;
    std::string m_report;
};

} // namespace stress
