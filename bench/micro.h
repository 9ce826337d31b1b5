// The pure C++ parts of the model under Google Benchmark: HPPI selection and ISTE coding.
#pragma once

#include <string>
#include <vector>

namespace bench {

struct micro_result {
    std::string name;
    double ns = 0; // host ns per iteration
};

// Runs the registered micro-benchmarks; args are Google Benchmark's own (--benchmark_filter...).
std::vector<micro_result> run_micro(int argc, char** argv);

} // namespace bench
