// Level sources against the agent and the hardware model: the device drops its line when the
// guest services it, and with an AP list injects again only when the ack notifier reports the SPI
// consumed (KVM's irqfd resampler; reference §6.2, §8.11).
#include "common/scripted_platform.h"
#include "platform/spi_source.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

using namespace gicv5;
using namespace test;
using platform::tracking_policy;
using platform::trigger_mode;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {
constexpr unsigned HOST_PE = 0, VCPU_PE = 1;

sc_time us(double n) { return sc_time(n, SC_US); }

// Device events at fixed times, each raising one SPI's source.
class events : public cpu_stubs::host_task {
public:
    events(platform::level_lines& lines, platform::device_host& host,
           std::vector<std::pair<sc_time, unsigned>> list)
        : m_lines(lines), m_host(host), m_list(std::move(list)) {}
    sc_time next_time() const override {
        return m_next < m_list.size() ? m_list[m_next].first : sc_core::sc_max_time();
    }
    void fire(pe& self) override {
        const auto& [at, spi] = m_list[m_next++];
        m_lines.raise(self, m_host, spi, at);
    }

private:
    platform::level_lines& m_lines;
    platform::device_host& m_host;
    std::vector<std::pair<sc_time, unsigned>> m_list;
    std::size_t m_next = 0;
};

// The platform with VM 0's SPIs level, a device's lines on them, and host PE 0 booting the
// hypervisor and then running the device (its events and its line drops and re-injections).
struct level_rig {
    explicit level_rig(tracking_policy tracking,
                       std::vector<std::pair<sc_time, unsigned>> event_list)
        : s(config(tracking)), lines(0, s.plat->cfg.vms[0].spis, tracking, s.agent(), s.plat->sb),
          ev(lines, host, std::move(event_list)) {
        for (unsigned spi = 0; spi < s.plat->cfg.vms[0].spis; ++spi) {
            s.agent().set_spi_config(0, spi, trigger_mode::level);
            s.plat->sb.set_level(0, spi);
        }
        if (tracking == tracking_policy::ap_list)
            s.agent().register_ack_notifier(0, lines);
        host.add(ev);
        s.on(HOST_PE, [this](pe& p) {
            cpu_stubs::host_program prog(
                [this](pe& self) {
                    s.agent().host_init(self);
                    s.agent().vm_init(self, 0);
                },
                {&host});
            prog.run(p);
            host_done = true; // the host finished: nothing left waiting for a request
        });
    }
    static platform::platform_config config(tracking_policy tracking) {
        platform::platform_config c = two_pe_config();
        c.vms[0].tracking = tracking;
        return c;
    }

    // The guest: load the vCPU, enable, make SPI `id` level.
    void guest_ready(pe& p, uint32_t id) {
        at_el(p, exception_level::EL2, [&] { s.agent().vcpu_load(p, 0, 0); });
        guest_irs_enable(s, p); // waited for the bring-up above: the VM's IRS exists
        guest_enable(p);
        guest_spi(p, id, 0x10, 0, handling_mode::level);
    }
    // The guest acknowledges SPI `id`; `service`: its handler services the device.
    void take(pe& p, uint32_t id, bool service = true) {
        ASSERT_EQ(cdia(p), cdia_valid(id));
        s.plat->sb.on_acknowledge(0, spi(id), p.local_time());
        if (service)
            lines.on_acknowledge(0, spi(id), p.local_time());
        cdeoi(p);
    }
    void exit(pe& p) {
        at_el(p, exception_level::EL2, [&] { s.agent().vcpu_exit(p, 0, 0); });
    }
    const platform::kvm::vgic_dist& dist() { return s.agent().dist(0); }
    bool listed(unsigned spi) { return dist().spis[spi].on_ap_list; }

    scripted_platform s;
    platform::level_lines lines;
    platform::device_host host;
    events ev;
    bool host_done = false;
};
} // namespace

TEST(LevelSource, ASourceDroppedAndRaisedAgainIsSeenThroughTheResampleNotifier) {
    level_rig r(tracking_policy::ap_list, {{us(100), 5}, {us(150), 5}});
    r.s.on(VCPU_PE, [&](pe& p) {
        r.guest_ready(p, 5);
        ASSERT_TRUE(p.wait_for_virq(us(120)));
        r.take(p, 5); // the device drops its line: VDPEND with PENDING = 0
        settle(p);
        EXPECT_EQ(r.dist().stats.vdpend, 2u);
        EXPECT_FALSE(r.s.iste(5).pending);
        cddi(p, 5);
        settle(p);
        EXPECT_TRUE(r.listed(5)); // no exit yet: nobody saw it consumed
        // The source is raised again at 150 us while the SPI is still listed: the device waits
        // for the notifier.
        p.idle_until(us(200));
        EXPECT_FALSE(p.virq());
        EXPECT_EQ(r.dist().stats.vdpend, 2u);
        r.exit(p); // the fold consumes it; the notifier has the host inject again
        EXPECT_EQ(r.dist().stats.notifier_calls, 1u);
        ASSERT_TRUE(p.wait_for_virq(us(220)));
        r.take(p, 5);
        cddi(p, 5);
        settle(p);
        r.exit(p);
    });
    r.s.run();
    EXPECT_EQ(r.lines.resamples(), 1u);
    EXPECT_EQ(r.lines.drops(), 2u);
    EXPECT_EQ(r.dist().stats.ap_list_insertions, 2u);
    EXPECT_EQ(r.dist().stats.notifier_calls, 2u);
    EXPECT_EQ(r.dist().stats.vdpend, 4u); // raise, drop, raise on resample, drop
    EXPECT_FALSE(r.listed(5));
    EXPECT_TRUE(r.lines.idle(5));
    EXPECT_EQ(r.s.plat->sb.delivered(), 2u);
    EXPECT_EQ(r.s.plat->sb.outstanding(), 0u);
    EXPECT_EQ(r.s.plat->sb.unexpected_notifications(), 0u);
    EXPECT_TRUE(r.host_done);
}

TEST(LevelSource, ASpiWhoseSourceStaysHighIsNeverNotifiedAndStaysListedUntilTheSourceDrops) {
    level_rig r(tracking_policy::ap_list, {{us(100), 3}});
    r.s.on(VCPU_PE, [&](pe& p) {
        r.guest_ready(p, 3);
        ASSERT_TRUE(p.wait_for_virq(us(120)));
        r.take(p, 3, false); // the handler leaves the device alone: its source stays high
        cddi(p, 3);
        settle(p);
        for (int i = 0; i < 3; ++i) { // §8.11: pending in KVM's sense, so never consumed
            r.exit(p);
            EXPECT_TRUE(r.listed(3));
        }
        EXPECT_EQ(r.dist().stats.notifier_calls, 0u);
        EXPECT_EQ(r.dist().stats.vdrcfg, 3u);
        EXPECT_TRUE(r.s.iste(3).pending); // the hardware delivers it again by itself
        EXPECT_TRUE(p.virq());
        r.take(p, 3); // this time the handler services the device, which drops its line
        cddi(p, 3);
        settle(p);
        EXPECT_FALSE(r.s.iste(3).pending);
        r.exit(p);
        EXPECT_FALSE(r.listed(3));
    });
    r.s.run();
    EXPECT_EQ(r.dist().stats.notifier_calls, 1u);
    EXPECT_EQ(r.lines.resamples(), 0u);
    EXPECT_TRUE(r.lines.idle(3));
    EXPECT_EQ(r.s.plat->sb.spurious(), 1u); // the second delivery had no new event behind it
    EXPECT_EQ(r.s.plat->sb.unexpected_acknowledges(), 0u);
    EXPECT_TRUE(r.host_done);
}

TEST(LevelSource, WithPolicyNoneTheLineDropsOnServiceAndRisesOnTheNextEvent) {
    level_rig r(tracking_policy::none, {{us(100), 2}, {us(105), 2}, {us(150), 2}});
    r.s.on(VCPU_PE, [&](pe& p) {
        r.guest_ready(p, 2);
        ASSERT_TRUE(p.wait_for_virq(us(120)));
        r.take(p, 2);
        // 105 us: raised again while the line is still up; no notifier will come, so the device
        // raises the line right after its drop.
        p.idle_until(us(110));
        cddi(p, 2);
        ASSERT_TRUE(p.wait_for_virq(us(120)));
        r.take(p, 2);
        cddi(p, 2);
        settle(p);
        EXPECT_FALSE(p.virq());
        ASSERT_TRUE(p.wait_for_virq(us(170))); // 150 us: the next event raises it
        r.take(p, 2);
        cddi(p, 2);
        settle(p);
        r.exit(p);
    });
    r.s.run();
    EXPECT_EQ(r.lines.drops(), 3u);
    EXPECT_EQ(r.dist().stats.vdpend, 6u);
    EXPECT_EQ(r.dist().stats.vdrcfg, 0u);
    EXPECT_EQ(r.dist().stats.notifier_calls, 0u);
    EXPECT_EQ(r.s.plat->sb.delivered(), 3u);
    EXPECT_EQ(r.s.plat->sb.outstanding(), 0u);
    EXPECT_TRUE(r.lines.idle(2));
    EXPECT_TRUE(r.host_done);
}
