// The IRS's ISTE cache (detail/iste_cache.h).
#include "tlm_gicv5/detail/iste_cache.h"

#include <cassert>

namespace gicv5::detail {

namespace {
std::size_t bucket_count(unsigned entries) {
    std::size_t n = 1; // at most one entry per bucket on average, a power of two
    while (n < entries)
        n *= 2;
    return n;
}
} // namespace

iste_cache::iste_cache(unsigned entries)
    : m_entries(entries), m_valid_bits((entries + 63) / 64, 0),
      m_buckets(new by_addr_set::bucket_type[bucket_count(entries)]),
      m_by_addr(by_addr_set::bucket_traits(m_buckets.get(), bucket_count(entries))) {}

iste_cache::entry* iste_cache::find(uint64_t addr) {
    const auto it = m_by_addr.find(addr);
    if (it == m_by_addr.end())
        return nullptr;
    m_lru.splice(m_lru.end(), m_lru, m_lru.iterator_to(*it));
    return &*it;
}

iste_cache::entry& iste_cache::victim() {
    if (m_by_addr.size() < m_entries.size())
        return m_entries[first_free()];
    return m_lru.front();
}

std::size_t iste_cache::first_free() const {
    for (std::size_t w = 0; w < m_valid_bits.size(); ++w)
        if (m_valid_bits[w] != ~uint64_t{0})
            return w * 64 + static_cast<std::size_t>(__builtin_ctzll(~m_valid_bits[w]));
    return m_entries.size(); // not reached: called only while an entry is free
}

void iste_cache::fill(entry& e, uint64_t addr, uint32_t owner, uint32_t word) {
    if (e.valid)
        drop(e);
    e.valid = true;
    e.dirty = false;
    e.word = word;
    e.owner = owner;
    e.addr = addr;
    [[maybe_unused]] const bool inserted = m_by_addr.insert(e).second;
    assert(inserted && "the address is cached already");
    m_lru.push_back(e);
    const std::size_t i = index_of(e);
    m_valid_bits[i / 64] |= uint64_t{1} << (i % 64);
}

void iste_cache::drop(entry& e) {
    m_by_addr.erase(m_by_addr.iterator_to(e));
    m_lru.erase(m_lru.iterator_to(e));
    e.valid = false;
    const std::size_t i = index_of(e);
    m_valid_bits[i / 64] &= ~(uint64_t{1} << (i % 64));
}

} // namespace gicv5::detail
