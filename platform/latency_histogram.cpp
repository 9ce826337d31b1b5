#include "platform/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace platform {

namespace {

// As to_ns(): through the integer time value, so whole nanoseconds stay whole.
double ns_of_value(uint64_t value) {
    return static_cast<double>(value) / static_cast<double>(latency_histogram::ns_unit());
}

unsigned log2_floor(uint64_t v) { // v > 0
    return 63u - static_cast<unsigned>(__builtin_clzll(v));
}
} // namespace

latency_histogram::latency_histogram(const latency_histogram& other)
    : m_count(other.m_count), m_min(other.m_min), m_max(other.m_max), m_sum(other.m_sum) {
    for (unsigned c = 0; c < CHUNKS; ++c)
        if (other.m_chunks[c]) {
            m_chunks[c] = std::make_unique<counter[]>(chunk_size(c));
            std::copy_n(other.m_chunks[c].get(), chunk_size(c), m_chunks[c].get());
        }
}

latency_histogram& latency_histogram::operator=(const latency_histogram& other) {
    if (this != &other)
        *this = latency_histogram(other);
    return *this;
}

latency_histogram::position latency_histogram::position_of(uint64_t ns) {
    if (ns < LINEAR_LIMIT)
        return {0, static_cast<unsigned>(ns)};
    const unsigned k = log2_floor(ns);
    if (k > TOP_OCTAVE)
        return {CHUNKS - 1, OCTAVE_BUCKETS - 1};
    // The SUB_BITS bits below the leading one pick the bucket within octave k.
    return {k - LINEAR_BITS + 1,
            static_cast<unsigned>(ns >> (k - SUB_BITS)) & (OCTAVE_BUCKETS - 1)};
}

uint64_t latency_histogram::lowest_ns(unsigned chunk, unsigned bucket) {
    if (chunk == 0)
        return bucket;
    const unsigned k = chunk + LINEAR_BITS - 1;
    return (uint64_t{OCTAVE_BUCKETS} + bucket) << (k - SUB_BITS);
}

latency_histogram::counter& latency_histogram::counter_of(uint64_t ns) {
    const position at = position_of(ns);
    std::unique_ptr<counter[]>& chunk = m_chunks[at.chunk];
    if (!chunk) // the only allocation: once per chunk in the histogram's life
        chunk = std::make_unique<counter[]>(chunk_size(at.chunk));
    return chunk[at.bucket];
}

void latency_histogram::merge(const latency_histogram& other) {
    if (other.m_count == 0)
        return;
    for (unsigned c = 0; c < CHUNKS; ++c) {
        if (!other.m_chunks[c])
            continue;
        if (!m_chunks[c])
            m_chunks[c] = std::make_unique<counter[]>(chunk_size(c));
        for (std::size_t b = 0; b < chunk_size(c); ++b) {
            const uint64_t n = uint64_t{m_chunks[c][b]} + other.m_chunks[c][b];
            m_chunks[c][b] =
                static_cast<counter>(std::min<uint64_t>(n, std::numeric_limits<counter>::max()));
        }
    }
    m_min = m_count == 0 ? other.m_min : std::min(m_min, other.m_min);
    m_max = m_count == 0 ? other.m_max : std::max(m_max, other.m_max);
    m_count += other.m_count;
    m_sum += other.m_sum;
}

void latency_histogram::add_zeros(uint64_t n) {
    if (n == 0)
        return;
    counter& zero = counter_of(0);
    zero = static_cast<counter>(std::min<uint64_t>(uint64_t{zero} + n, COUNTER_MAX));
    m_min = 0;
    if (m_count == 0)
        m_max = 0;
    m_count += n;
}

double latency_histogram::mean_ns() const {
    // Whole ns divided exactly, then the rest: the mean of whole-ns samples as their exact sum in
    // ns over the count.
    const unsigned __int128 unit = ns_unit();
    return (static_cast<double>(m_sum / unit) +
            static_cast<double>(m_sum % unit) / static_cast<double>(unit)) /
           static_cast<double>(m_count);
}

double latency_histogram::min_ns() const { return ns_of_value(m_min); }
double latency_histogram::max_ns() const { return ns_of_value(m_max); }

template <std::size_t N>
std::array<double, N> latency_histogram::percentiles(const std::array<double, N>& p) const {
    // Nearest rank, as for a sorted vector: the rank-th smallest, rank = ceil(p% of count) >= 1.
    std::array<uint64_t, N> rank{};
    for (std::size_t i = 0; i < N; ++i)
        rank[i] = std::max<uint64_t>(
            static_cast<uint64_t>(std::ceil(p[i] / 100.0 * static_cast<double>(m_count))), 1);
    std::array<double, N> out;
    out.fill(max_ns()); // a rank no bucket reaches (saturated counters): the maximum
    std::size_t next = 0;
    uint64_t below = 0; // samples in the buckets walked so far
    for (unsigned c = 0; c < CHUNKS && next < N; ++c) {
        const counter* chunk = m_chunks[c].get();
        if (!chunk)
            continue;
        for (unsigned b = 0; b < chunk_size(c) && next < N; ++b) {
            below += chunk[b];
            for (; next < N && below >= rank[next]; ++next)
                out[next] =
                    rank[next] >= m_count // the largest sample: known exactly
                        ? max_ns()
                        : std::clamp(static_cast<double>(lowest_ns(c, b)), min_ns(), max_ns());
        }
    }
    return out;
}

distribution latency_histogram::summary() const {
    distribution d;
    d.count = m_count;
    if (m_count == 0)
        return d;
    const auto p = percentiles<3>({50, 90, 99});
    d.p50_ns = p[0];
    d.p90_ns = p[1];
    d.p99_ns = p[2];
    d.max_ns = max_ns();
    d.mean_ns = mean_ns();
    return d;
}

latency_summary latency_histogram::summary_with_min() const {
    latency_summary l;
    l.count = m_count;
    if (m_count == 0)
        return l;
    const auto p = percentiles<2>({50, 99});
    l.min_ns = min_ns();
    l.p50_ns = p[0];
    l.p99_ns = p[1];
    l.max_ns = max_ns();
    l.mean_ns = mean_ns();
    return l;
}

unsigned latency_histogram::chunks() const {
    return static_cast<unsigned>(std::count_if(m_chunks.begin(), m_chunks.end(),
                                               [](const auto& c) { return c != nullptr; }));
}

std::size_t latency_histogram::bytes() const {
    std::size_t n = 0;
    for (unsigned c = 0; c < CHUNKS; ++c)
        if (m_chunks[c])
            n += chunk_size(c) * sizeof(counter);
    return n;
}

} // namespace platform
