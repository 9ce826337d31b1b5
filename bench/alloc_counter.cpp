#include "alloc_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

// Each block carries its size in a header, so that delete knows what it frees whatever form of
// delete the caller uses. 16 bytes keep the block as aligned as malloc's.
namespace {
constexpr std::size_t header = 16;
std::atomic<uint64_t> g_allocations{0};
std::atomic<int64_t> g_live{0};

void* allocate(std::size_t n) {
    void* raw = std::malloc(n + header);
    if (!raw)
        throw std::bad_alloc();
    *static_cast<std::size_t*>(raw) = n;
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    g_live.fetch_add(static_cast<int64_t>(n), std::memory_order_relaxed);
    return static_cast<char*>(raw) + header;
}

void release(void* p) noexcept {
    if (!p)
        return;
    void* raw = static_cast<char*>(p) - header;
    g_live.fetch_sub(static_cast<int64_t>(*static_cast<std::size_t*>(raw)),
                     std::memory_order_relaxed);
    std::free(raw);
}
} // namespace

namespace alloc_counter {
snapshot now() { return {g_allocations.load(), g_live.load()}; }
} // namespace alloc_counter

void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return allocate(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
