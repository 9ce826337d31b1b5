// latency_histogram against the sorted vector of samples it replaces: nearest-rank percentiles,
// exact below 2048 ns, within 0.1% above; count, min, max and mean exact; bounded allocation.
#include "platform/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using platform::distribution;
using platform::latency_histogram;
using platform::latency_summary;
using sc_core::sc_time;

namespace {
sc_time ns(uint64_t v) { return sc_time(static_cast<double>(v), sc_core::SC_NS); }

// The reference: what the scoreboard computed from its sorted vector before the histogram.
struct reference {
    std::vector<double> sorted;
    double sum = 0;

    explicit reference(std::vector<double> samples) : sorted(std::move(samples)) {
        for (double v : sorted)
            sum += v;
        std::sort(sorted.begin(), sorted.end());
    }
    double percentile(double p) const {
        const std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * sorted.size()));
        return sorted[std::max<std::size_t>(rank, 1) - 1];
    }
    double mean() const { return sum / static_cast<double>(sorted.size()); }
};

// Records each sample (whole ns) in a histogram and in the reference.
latency_histogram record_all(const std::vector<uint64_t>& samples, std::vector<double>& as_ns) {
    latency_histogram h;
    for (uint64_t v : samples) {
        h.record(ns(v));
        as_ns.push_back(static_cast<double>(v));
    }
    return h;
}

std::vector<uint64_t> uniform(std::mt19937_64& rng, std::size_t n, uint64_t lo, uint64_t hi) {
    std::uniform_int_distribution<uint64_t> pick(lo, hi);
    std::vector<uint64_t> v(n);
    for (uint64_t& x : v)
        x = pick(rng);
    return v;
}

// Spread evenly over the octaves from 2^lo_bits to 2^hi_bits.
std::vector<uint64_t> log_uniform(std::mt19937_64& rng, std::size_t n, double lo_bits,
                                  double hi_bits) {
    std::uniform_real_distribution<double> pick(lo_bits, hi_bits);
    std::vector<uint64_t> v(n);
    for (uint64_t& x : v)
        x = static_cast<uint64_t>(std::exp2(pick(rng)));
    return v;
}
} // namespace

TEST(LatencyHistogram, EmptyGivesAllZeros) {
    const latency_histogram h;
    const distribution d = h.summary();
    EXPECT_EQ(d.count, 0u);
    EXPECT_EQ(d.p50_ns, 0.0);
    EXPECT_EQ(d.p90_ns, 0.0);
    EXPECT_EQ(d.p99_ns, 0.0);
    EXPECT_EQ(d.max_ns, 0.0);
    EXPECT_EQ(d.mean_ns, 0.0);
    const latency_summary l = h.summary_with_min();
    EXPECT_EQ(l.count, 0u);
    EXPECT_EQ(l.min_ns, 0.0);
    EXPECT_EQ(l.p50_ns, 0.0);
    EXPECT_EQ(l.p99_ns, 0.0);
    EXPECT_EQ(l.max_ns, 0.0);
    EXPECT_EQ(l.mean_ns, 0.0);
    EXPECT_EQ(h.chunks(), 0u);
    EXPECT_EQ(h.bytes(), 0u);
}

TEST(LatencyHistogram, ExactBelow2048NsAgainstASortedVector) {
    std::mt19937_64 rng(1);
    for (std::size_t n : {1u, 2u, 3u, 10u, 99u, 100u, 101u, 1000u, 54321u}) {
        std::vector<double> as_ns;
        const latency_histogram h = record_all(uniform(rng, n, 0, 2047), as_ns);
        const reference ref(as_ns);
        const distribution d = h.summary();
        EXPECT_EQ(d.count, n);
        EXPECT_EQ(d.p50_ns, ref.percentile(50)) << n;
        EXPECT_EQ(d.p90_ns, ref.percentile(90)) << n;
        EXPECT_EQ(d.p99_ns, ref.percentile(99)) << n;
        EXPECT_EQ(d.max_ns, ref.sorted.back()) << n;
        EXPECT_DOUBLE_EQ(d.mean_ns, ref.mean()) << n;
        const latency_summary l = h.summary_with_min();
        EXPECT_EQ(l.count, n);
        EXPECT_EQ(l.min_ns, ref.sorted.front()) << n;
        EXPECT_EQ(l.p50_ns, ref.percentile(50)) << n;
        EXPECT_EQ(l.p99_ns, ref.percentile(99)) << n;
        EXPECT_EQ(l.max_ns, ref.sorted.back()) << n;
        EXPECT_DOUBLE_EQ(l.mean_ns, ref.mean()) << n;
    }
}

TEST(LatencyHistogram, ExactForFewDistinctValuesAsInTheModel) {
    // The model's latencies: many equal samples and a few outliers.
    latency_histogram h;
    std::vector<double> as_ns;
    for (int i = 0; i < 998; ++i) {
        h.record(ns(270));
        as_ns.push_back(270);
    }
    h.record(ns(4330));
    as_ns.push_back(4330);
    const reference ref(as_ns);
    const latency_summary l = h.summary_with_min();
    EXPECT_EQ(l.min_ns, 270.0);
    EXPECT_EQ(l.p50_ns, 270.0);
    EXPECT_EQ(l.p99_ns, 270.0);
    EXPECT_EQ(l.max_ns, 4330.0);
    EXPECT_DOUBLE_EQ(l.mean_ns, ref.mean());
}

TEST(LatencyHistogram, WithinATenthOfAPercentAbove2048Ns) {
    std::mt19937_64 rng(2);
    // Up to 2^40 ns; 5000 samples keep the reference sum exact in a double.
    for (std::size_t n : {1u, 7u, 100u, 5000u}) {
        std::vector<double> as_ns;
        const latency_histogram h = record_all(log_uniform(rng, n, 11, 40), as_ns);
        const reference ref(as_ns);
        const distribution d = h.summary();
        for (auto [got, p] : {std::pair{d.p50_ns, 50.0}, {d.p90_ns, 90.0}, {d.p99_ns, 99.0}}) {
            const double want = ref.percentile(p);
            EXPECT_LE(got, want) << "p" << p << " of " << n; // a bucket's lowest value
            EXPECT_LE((want - got) / want, 0.001) << "p" << p << " of " << n;
        }
        EXPECT_EQ(d.max_ns, ref.sorted.back());
        EXPECT_DOUBLE_EQ(d.mean_ns, ref.mean());
        EXPECT_EQ(h.summary_with_min().min_ns, ref.sorted.front());
    }
}

TEST(LatencyHistogram, EveryBucketIsNarrowerThanATenthOfAPercent) {
    // A percentile reports the lowest value of its sample's bucket: at most 0.1% below it.
    for (uint64_t base : {uint64_t{2048}, uint64_t{4095}, uint64_t{1} << 20, uint64_t{1} << 39,
                          (uint64_t{1} << 40) - 1}) {
        for (uint64_t v = base; v < base + 3000; v += 7) {
            latency_histogram h;
            h.record(ns(0));
            h.record(ns(v));
            h.record(ns(4 * v));
            const double p50 = h.summary().p50_ns; // rank 2: v's bucket
            EXPECT_LE(p50, static_cast<double>(v));
            EXPECT_LE((static_cast<double>(v) - p50) / static_cast<double>(v), 1.0 / 1024) << v;
        }
    }
}

TEST(LatencyHistogram, APercentileInTheBucketOfTheMinimumOrMaximumIsClampedToIt) {
    latency_histogram h;
    h.record(ns(2049)); // octave 11 has 2-ns buckets: 2048..2049 is one
    h.record(ns(2049));
    h.record(ns(3001));
    EXPECT_EQ(h.summary().p50_ns, 2049.0);
    EXPECT_EQ(h.summary().p99_ns, 3001.0);
}

TEST(LatencyHistogram, ValuesPastTheTopOctaveKeepExactMinMaxAndMean) {
    latency_histogram h;
    const uint64_t big = uint64_t{1} << 50, bigger = uint64_t{3} << 50;
    h.record(ns(big));
    h.record(ns(bigger));
    const latency_summary l = h.summary_with_min();
    EXPECT_EQ(l.min_ns, static_cast<double>(big));
    EXPECT_EQ(l.max_ns, static_cast<double>(bigger));
    EXPECT_DOUBLE_EQ(l.mean_ns, static_cast<double>(big + bigger) / 2);
    EXPECT_EQ(l.p50_ns, static_cast<double>(big));    // the top bucket, clamped to the minimum
    EXPECT_EQ(l.p99_ns, static_cast<double>(bigger)); // the last rank: the maximum
    EXPECT_EQ(h.chunks(), 1u);
}

TEST(LatencyHistogram, SubNanosecondPartsCountInTheMeanMinAndMax) {
    latency_histogram h;
    h.record(sc_time(1500, sc_core::SC_PS));
    h.record(sc_time(2750, sc_core::SC_PS));
    h.record(sc_time(3250, sc_core::SC_PS));
    const latency_summary l = h.summary_with_min();
    EXPECT_EQ(l.min_ns, 1.5);
    EXPECT_EQ(l.max_ns, 3.25);
    EXPECT_DOUBLE_EQ(l.mean_ns, (1.5 + 2.75 + 3.25) / 3);
    EXPECT_EQ(l.p50_ns, 2.0);  // the 2-ns bucket: rounded down
    EXPECT_EQ(l.p99_ns, 3.25); // the last rank: the maximum
}

TEST(LatencyHistogram, ShortLatenciesTakeOneChunkOf8KiB) {
    latency_histogram h;
    for (uint64_t v = 0; v < 2048; ++v)
        h.record(ns(v));
    EXPECT_EQ(h.chunks(), 1u);
    EXPECT_EQ(h.bytes(), 2048u * 4);
    h.record(ns(5000)); // octave 12
    EXPECT_EQ(h.chunks(), 2u);
    EXPECT_EQ(h.bytes(), 2048u * 4 + 1024u * 4);
}

TEST(LatencyHistogram, NothingIsAllocatedPerSampleOnceItsChunkExists) {
    std::mt19937_64 rng(3);
    latency_histogram h;
    for (uint64_t v : log_uniform(rng, 20000, 0, 30))
        h.record(ns(v));
    const unsigned chunks = h.chunks();
    const std::size_t bytes = h.bytes();
    EXPECT_EQ(chunks, 1u + (30 - 11)); // the linear chunk, octaves 11..29
    for (uint64_t v : log_uniform(rng, 200000, 0, 30))
        h.record(ns(v));
    EXPECT_EQ(h.chunks(), chunks);
    EXPECT_EQ(h.bytes(), bytes);
    EXPECT_EQ(h.count(), 220000u);
}

TEST(LatencyHistogram, AllocatesAtMostOneChunkPerOctaveInItsLife) {
    latency_histogram h;
    for (unsigned k = 0; k < 64; ++k)
        for (uint64_t v : {uint64_t{1} << k, (uint64_t{1} << k) + 1})
            h.record(sc_time::from_value(v)); // every octave of the time value, in ps
    EXPECT_LE(h.chunks(), latency_histogram::CHUNKS);
    EXPECT_LE(latency_histogram::CHUNKS, 40u);
}

TEST(LatencyHistogram, ACopyHoldsTheSameSamplesAndIsIndependent) {
    std::mt19937_64 rng(4);
    latency_histogram a;
    for (uint64_t v : log_uniform(rng, 1000, 0, 25))
        a.record(ns(v));
    latency_histogram b = a;
    EXPECT_EQ(b.chunks(), a.chunks());
    EXPECT_EQ(b.summary().p90_ns, a.summary().p90_ns);
    EXPECT_EQ(b.summary().mean_ns, a.summary().mean_ns);
    b.record(ns(uint64_t{1} << 35));
    EXPECT_EQ(a.count(), 1000u);
    EXPECT_EQ(b.count(), 1001u);
    a = b;
    EXPECT_EQ(a.summary().max_ns, static_cast<double>(uint64_t{1} << 35));
}

TEST(LatencyHistogram, MergingGivesWhatRecordingEverySampleInOneWouldGive) {
    // A VM's figures are its vCPUs' histograms merged: the same as one histogram of them all.
    std::mt19937_64 rng(7);
    latency_histogram a, b, all;
    for (int i = 0; i < 5000; ++i) {
        const sc_core::sc_time t(static_cast<double>(rng() % 200000), sc_core::SC_NS);
        (i % 3 ? a : b).record(t);
        all.record(t);
    }
    latency_histogram merged;
    merged.merge(a);
    merged.merge(b);
    const distribution m = merged.summary(), w = all.summary();
    EXPECT_EQ(m.count, w.count);
    EXPECT_EQ(m.p50_ns, w.p50_ns);
    EXPECT_EQ(m.p90_ns, w.p90_ns);
    EXPECT_EQ(m.p99_ns, w.p99_ns);
    EXPECT_EQ(m.max_ns, w.max_ns);
    EXPECT_DOUBLE_EQ(m.mean_ns, w.mean_ns);
    EXPECT_EQ(merged.summary_with_min().min_ns, all.summary_with_min().min_ns);
}
