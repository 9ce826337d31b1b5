#include "micro.h"

#include "tlm_gicv5/detail/hppi_tracker.h"
#include "tlm_gicv5/iste.h"

#include <benchmark/benchmark.h>

#include <random>

namespace bench {
namespace {

// One HPPI update as the IRS makes it when an ISTE changes: the candidate leaves its priority
// list, joins another, and the best is selected again. range(0) candidates of one target: the
// cost must not depend on it (per-priority lists and a bitmap, no scan).
void BM_HppiUpdate(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::vector<gicv5::detail::candidate> nodes(n);
    gicv5::detail::hppi_target target;
    std::mt19937 rng(1);
    for (std::size_t i = 0; i < n; ++i) {
        nodes[i].set_id(gicv5::spi(static_cast<uint32_t>(i)));
        nodes[i].prio = static_cast<uint8_t>(rng() % gicv5::PRIORITY_LEVELS);
        target.insert(nodes[i]);
    }
    std::vector<uint32_t> picks(4096);
    for (uint32_t& p : picks)
        p = static_cast<uint32_t>(rng() % n);
    std::size_t k = 0;
    for (auto _ : state) {
        gicv5::detail::candidate& c = nodes[picks[k++ % picks.size()]];
        target.remove(c);
        c.prio = static_cast<uint8_t>((c.prio + 7) % gicv5::PRIORITY_LEVELS);
        target.insert(c);
        benchmark::DoNotOptimize(target.best());
    }
}
BENCHMARK(BM_HppiUpdate)->Arg(32)->Arg(65536);

// Decoding an ISTE word, applying a command (pending), encoding it back.
void BM_IsteReadModifyWrite(benchmark::State& state) {
    uint32_t word =
        gicv5::iste{false, false, gicv5::handling_mode::edge, true, false, 0, 0x10, 3}.encode();
    for (auto _ : state) {
        benchmark::DoNotOptimize(word);
        gicv5::iste e = gicv5::iste::decode(word);
        e.pending = !e.pending;
        word = e.encode();
    }
    benchmark::DoNotOptimize(word);
}
BENCHMARK(BM_IsteReadModifyWrite);

class collector : public benchmark::BenchmarkReporter {
public:
    explicit collector(std::vector<micro_result>& out) : m_out(out) {}
    bool ReportContext(const Context&) override { return true; }
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& r : runs)
            m_out.push_back({r.benchmark_name(), r.GetAdjustedRealTime()}); // ns: the default unit
    }

private:
    std::vector<micro_result>& m_out;
};

} // namespace

std::vector<micro_result> run_micro(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    std::vector<micro_result> out;
    collector c(out);
    benchmark::RunSpecifiedBenchmarks(&c);
    benchmark::Shutdown();
    return out;
}

} // namespace bench
