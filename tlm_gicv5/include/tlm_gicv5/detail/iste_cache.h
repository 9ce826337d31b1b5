// A bounded write-back cache of ISTE words, as an IRS may keep while it owns a table (reference
// §3: software must not read a live IST for state). Least recently used entries are evicted;
// dirty ones are written back on eviction and when their table stops being valid.
#pragma once

#include <cstdint>
#include <vector>

namespace gicv5::detail {

class iste_cache {
public:
    struct entry {
        bool valid = false;
        bool dirty = false;
        uint32_t word = 0;
        uint32_t owner = 0; // which table: 0 = the physical IST, VM ID + 1 = that VM's vISTs
        uint64_t addr = 0;
        uint64_t last_use = 0;
    };

    explicit iste_cache(unsigned entries) : m_entries(entries) {}
    bool enabled() const { return !m_entries.empty(); }

    // OPT: a linear search over the bounded number of entries, independent of table sizes.
    entry* find(uint64_t addr) {
        for (entry& e : m_entries)
            if (e.valid && e.addr == addr) {
                e.last_use = ++m_clock;
                return &e;
            }
        return nullptr;
    }
    // The entry to fill next: a free one, else the least recently used (the caller writes it
    // back first if it is dirty).
    entry& victim() {
        entry* v = &m_entries.front();
        for (entry& e : m_entries) {
            if (!e.valid)
                return e;
            if (e.last_use < v->last_use)
                v = &e;
        }
        return *v;
    }
    void fill(entry& e, uint64_t addr, uint32_t owner, uint32_t word) {
        e = {true, false, word, owner, addr, ++m_clock};
    }
    // Calls writeback(addr, word) for each dirty entry of owner, then drops all of owner's.
    template <typename F>
    void flush(uint32_t owner, F writeback) {
        for (entry& e : m_entries)
            if (e.valid && e.owner == owner) {
                if (e.dirty)
                    writeback(e.addr, e.word);
                e.valid = false;
            }
    }

private:
    std::vector<entry> m_entries;
    uint64_t m_clock = 0;
};

} // namespace gicv5::detail
