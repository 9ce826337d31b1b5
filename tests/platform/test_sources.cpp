// Source workloads: when events come (periodic, Poisson, bursts) and which SPIs a source picks
// from (its range, its vCPU). Pure schedule checks: no simulation runs.
#include "platform/platform_config.h"
#include "platform/scoreboard.h"
#include "platform/spi_source.h"

#include <gtest/gtest.h>

#include <vector>

using platform::event_schedule;
using platform::source_config;
using platform::source_kind;
using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {
std::vector<sc_time> times(const source_config& cfg, uint64_t seed, std::size_t n) {
    event_schedule s(cfg, seed);
    std::vector<sc_time> out;
    for (std::size_t i = 0; i < n; ++i, s.advance())
        out.push_back(s.next());
    return out;
}

source_config poisson(double rate_hz) {
    source_config c;
    c.kind = source_kind::poisson;
    c.rate_hz = rate_hz;
    return c;
}
} // namespace

TEST(EventSchedule, PeriodicEventsComeEveryPeriodFromOnePeriodOn) {
    source_config c;
    c.rate_hz = 100e3;
    const std::vector<sc_time> t = times(c, 1, 4);
    for (std::size_t i = 0; i < t.size(); ++i)
        EXPECT_EQ(t[i], sc_time(10.0 * double(i + 1), SC_US));
}

TEST(EventSchedule, PoissonGapsAverageOneOverTheRate) {
    const std::size_t n = 50000;
    const std::vector<sc_time> t = times(poisson(100e3), 1, n);
    const double mean_us = t.back().to_seconds() * 1e6 / double(n);
    EXPECT_NEAR(mean_us, 10.0, 0.3); // 3 %; the standard error is 0.45 %
    // Exponential: about 1 - 1/e of the gaps are shorter than the mean.
    std::size_t shorter = 0;
    for (std::size_t i = 1; i < n; ++i)
        shorter += (t[i] - t[i - 1]) < sc_time(10, SC_US);
    EXPECT_NEAR(double(shorter) / double(n - 1), 0.632, 0.01);
    for (std::size_t i = 1; i < n; ++i)
        ASSERT_LE(t[i - 1], t[i]);
}

TEST(EventSchedule, PoissonTimesRepeatForASeedAndDifferForAnother) {
    EXPECT_EQ(times(poisson(1e6), 7, 1000), times(poisson(1e6), 7, 1000));
    EXPECT_NE(times(poisson(1e6), 7, 1000), times(poisson(1e6), 8, 1000));
}

TEST(EventSchedule, PoissonTimesAreFixedByTheSeedAlone) {
    // An inverse CDF on mt19937_64, whose output the standard fixes: the same on any library.
    const std::vector<sc_time> t = times(poisson(1e6), 1, 4);
    const double ps[] = {1511431, 1571962, 2823766, 4305821};
    for (std::size_t i = 0; i < 4; ++i)
        EXPECT_EQ(t[i], sc_time(ps[i], sc_core::SC_PS)) << i;
}

TEST(EventSchedule, BurstsOfBurstSizeEventsBurstGapApartStartEveryPeriod) {
    source_config c;
    c.kind = source_kind::burst;
    c.rate_hz = 10e3; // a burst every 100 us
    c.burst_size = 5;
    c.burst_gap = sc_time(250, SC_NS);
    const std::vector<sc_time> t = times(c, 1, 15);
    for (std::size_t b = 0; b < 3; ++b)
        for (std::size_t i = 0; i < 5; ++i)
            EXPECT_EQ(t[b * 5 + i],
                      sc_time(100.0 * double(b + 1), SC_US) + sc_time(250.0 * double(i), SC_NS))
                << "burst " << b << " event " << i;
}

TEST(SourceSpis, TheRangeAndTheVcpuSelectTheSpis) {
    platform::platform_config cfg;
    cfg.vms[0].spis = 16;
    cfg.vms[0].vcpus = 3;
    source_config& s = cfg.sources[0];
    EXPECT_EQ(platform::source_spis(cfg, s).size(), 16u); // default: all of them
    s.spi_first = 4;
    s.spi_count = 6;
    EXPECT_EQ(platform::source_spis(cfg, s), (std::vector<unsigned>{4, 5, 6, 7, 8, 9}));
    s.vcpu = 1; // SPI n goes to vCPU n % 3
    EXPECT_EQ(platform::source_spis(cfg, s), (std::vector<unsigned>{4, 7}));
    s.spi_count = 0; // to the last SPI
    EXPECT_EQ(platform::source_spis(cfg, s), (std::vector<unsigned>{4, 7, 10, 13}));
    s.vcpu = 3; // no such vCPU
    EXPECT_TRUE(platform::source_spis(cfg, s).empty());
}

TEST(Scoreboard, AnAcknowledgeLessThanAQuantumBeforeItsInjectionIsStillItsDelivery) {
    // Temporal decoupling: the guest's PE may run behind the injecting host PE in local time by
    // up to a quantum, and take the interrupt at a time before the injection's.
    platform::scoreboard sb({4}, sc_time(1, SC_US));
    const sc_time injected(10, SC_US);
    EXPECT_FALSE(sb.on_inject(0, 1, injected));
    sb.on_vcpu_acknowledge(0, 0, gicv5::spi(1), injected - sc_time(400, SC_NS));
    EXPECT_EQ(sb.delivered(), 1u);
    EXPECT_EQ(sb.unexpected_acknowledges(), 0u);
    EXPECT_EQ(sb.latency().min_ns, 0.0); // read as no latency, not as a negative one
    // More than a quantum early it cannot be that injection's delivery.
    EXPECT_FALSE(sb.on_inject(0, 2, injected));
    sb.on_vcpu_acknowledge(0, 0, gicv5::spi(2), injected - sc_time(1.5, SC_US));
    EXPECT_EQ(sb.unexpected_acknowledges(), 1u);
    EXPECT_EQ(sb.outstanding(), 1u);
}

TEST(Scoreboard, AMigrationMovesTheWaitingInjectionsToTheVmThatDeliversThem) {
    // ist_save of VM 0 then ist_restore into VM 1: SPI 2 injected into VM 0 is VM 1's now.
    platform::scoreboard sb({4, 4});
    const sc_time injected(10, SC_US);
    EXPECT_FALSE(sb.on_inject(0, 2, injected));
    sb.migrate(0, 1);
    sb.on_vcpu_acknowledge(1, 0, gicv5::spi(2), injected + sc_time(50, SC_US));
    EXPECT_EQ(sb.delivered(), 1u);
    EXPECT_EQ(sb.outstanding(), 0u);
    EXPECT_EQ(sb.unexpected_acknowledges(), 0u);
    EXPECT_EQ(sb.latency().max_ns, 50000.0); // from the injection into VM 0
    // VM 0 holds nothing any more: an acknowledge there is unexpected.
    sb.on_vcpu_acknowledge(0, 0, gicv5::spi(2), injected + sc_time(60, SC_US));
    EXPECT_EQ(sb.unexpected_acknowledges(), 1u);
}
