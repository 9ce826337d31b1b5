// A counting allocator: the global operator new and delete of any executable that links
// alloc_counter.cpp count the allocations made and the bytes live. The benchmark reads host memory
// per modelled interrupt from it, and a test proves that the reaction path allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace alloc_counter {

struct snapshot {
    uint64_t allocations = 0; // operator new calls so far
    int64_t live_bytes = 0;   // bytes allocated and not yet freed
};

snapshot now();

} // namespace alloc_counter
