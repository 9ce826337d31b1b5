// A latency distribution in bounded memory: a log-linear histogram of whole nanoseconds that
// replaces a growing vector of samples (one record per interrupt, 10 M interrupts per run).
//
//   record(t)        one sample; allocates only the first time its chunk is touched
//   summary()        count, p50, p90, p99, max, mean (run_results.h distribution)
//   summary_with_min()  count, min, p50, p99, max, mean (run_results.h latency_summary)
//
// Geometry (values are t / 1 ns, rounded down):
//   [0, 2048)            one bucket per ns: exact                        chunk 0, 2048 counters
//   [2^k, 2^(k+1)), k>=11  1024 buckets of 2^(k-10) ns: width <= 1/1024 of the value
//                                                                        chunk k-10, 1024 counters
//   >= 2^48 ns (78 h)    clamped into the top bucket (min, max and mean stay exact)
// A chunk is allocated the first time a sample lands in it, so a histogram holds at most
// CHUNKS allocations in its lifetime and one that sees only short latencies stays at 8 KiB.
//
// Count, min, max and mean are exact (the mean from a running sum of the samples in ns, as a
// double: exact for whole ns). Percentiles are nearest rank, as before (the smallest value with
// at least p% of the samples at or below it), reported as the lowest value of the bucket holding
// that rank, clamped to [min, max] (the maximum itself when the rank is the last): exact below
// 2048 ns and for the maximum, at most 0.1% low above. Counters are 32 bits and saturate (4 G
// samples in one bucket); count() does not.
#pragma once

#include "platform/run_results.h"

#include <systemc>

#include <array>
#include <cstdint>
#include <memory>

namespace platform {

class latency_histogram {
public:
    static constexpr unsigned LINEAR_BITS = 11; // exact below 2^11 ns
    static constexpr unsigned SUB_BITS = 10;    // 2^10 buckets per octave above
    static constexpr unsigned TOP_OCTAVE = 47;  // the last octave kept: [2^47, 2^48) ns
    static constexpr uint64_t LINEAR_LIMIT = uint64_t{1} << LINEAR_BITS;
    static constexpr unsigned OCTAVE_BUCKETS = 1u << SUB_BITS;
    static constexpr unsigned CHUNKS = 1 + TOP_OCTAVE - LINEAR_BITS + 1; // linear + octaves

    latency_histogram() = default;
    latency_histogram(const latency_histogram& other);
    latency_histogram& operator=(const latency_histogram& other);
    latency_histogram(latency_histogram&&) noexcept = default;
    latency_histogram& operator=(latency_histogram&&) noexcept = default;

    // Inline: ten records per interrupt on the reaction path; the common case (a latency below
    // 2048 ns, its chunk there) costs a few instructions.
    void record(const sc_core::sc_time& t) {
        const uint64_t value = t.value();
        const uint64_t ns = value / ns_unit();
        counter& n = ns < LINEAR_LIMIT && m_chunks[0] ? m_chunks[0][ns] : counter_of(ns);
        if (n != COUNTER_MAX)
            ++n;
        if (m_count == 0 || value < m_min)
            m_min = value;
        if (m_count == 0 || value > m_max)
            m_max = value;
        ++m_count;
        m_sum += value;
    }
    // Adds other's samples, as if each had been recorded here (summaries of a VM from its vCPUs).
    void merge(const latency_histogram& other);
    // Adds n samples of 0 at once (the requests of a resource that did not queue).
    void add_zeros(uint64_t n);

    uint64_t count() const { return m_count; }
    distribution summary() const;
    latency_summary summary_with_min() const;

    // sc_time values per ns (fixed once the first sc_time exists, long before any sample).
    static uint64_t ns_unit() {
        static const uint64_t unit = sc_core::sc_time(1, sc_core::SC_NS).value();
        return unit;
    }

    // Chunks allocated so far, and the bytes they hold (counters only).
    unsigned chunks() const;
    std::size_t bytes() const;

private:
    using counter = uint32_t;
    static constexpr counter COUNTER_MAX = ~counter{0};
    // The counter of ns, its chunk allocated if this is the chunk's first sample.
    counter& counter_of(uint64_t ns);
    struct position {
        unsigned chunk, bucket;
    };
    static position position_of(uint64_t ns);
    static std::size_t chunk_size(unsigned chunk) {
        return chunk == 0 ? LINEAR_LIMIT : OCTAVE_BUCKETS;
    }
    static uint64_t lowest_ns(unsigned chunk, unsigned bucket);
    // The nearest-rank percentiles p[0] <= p[1] <= ... in ns, in one pass over the buckets.
    template <std::size_t N>
    std::array<double, N> percentiles(const std::array<double, N>& p) const;
    double min_ns() const;
    double max_ns() const;
    double mean_ns() const;

    std::array<std::unique_ptr<counter[]>, CHUNKS> m_chunks;
    uint64_t m_count = 0;
    uint64_t m_min = 0, m_max = 0; // sc_time values of the extremes, exact
    // Of the samples' sc_time values: exact, and no division per sample (GCC and Clang's 128-bit
    // integer).
    unsigned __int128 m_sum = 0;
};

} // namespace platform
