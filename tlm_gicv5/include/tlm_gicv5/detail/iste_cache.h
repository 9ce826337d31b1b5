// A bounded write-back cache of ISTE words, as an IRS may keep while it owns a table (reference
// §3: software must not read a live IST for state). Least recently used entries are evicted;
// dirty ones are written back on eviction and when their table stops being valid.
//
// O(1) per lookup and fill whatever the size (up to 4,096 entries): a hash of the valid entries
// by address and a list of them, least recently used first (Boost.Intrusive, in the entries
// themselves: nothing is allocated after construction). A fill takes the lowest-numbered free
// entry, so that flush() writes back in the same order as ever (entry order).
#pragma once

#include <boost/intrusive/list.hpp>
#include <boost/intrusive/unordered_set.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace gicv5::detail {

class iste_cache {
    using list_hook = boost::intrusive::list_member_hook<
        boost::intrusive::link_mode<boost::intrusive::normal_link>>;
    using set_hook = boost::intrusive::unordered_set_member_hook<
        boost::intrusive::link_mode<boost::intrusive::normal_link>>;

public:
    struct entry {
        bool valid = false;
        bool dirty = false;
        uint32_t word = 0;
        uint32_t owner = 0; // which table: 0 = the physical IST, VM ID + 1 = that VM's vISTs
        uint64_t addr = 0;
        list_hook lru;    // in m_lru while valid
        set_hook by_addr; // in m_by_addr while valid
    };

    explicit iste_cache(unsigned entries);
    iste_cache(const iste_cache&) = delete; // the containers point into m_entries
    iste_cache& operator=(const iste_cache&) = delete;

    bool enabled() const { return !m_entries.empty(); }

    // The valid entry of addr, now the most recently used; nullptr on a miss.
    entry* find(uint64_t addr);
    // The entry to fill next: the lowest-numbered free one, else the least recently used (the
    // caller writes it back first if it is dirty).
    entry& victim();
    // Makes e (from victim()) the most recently used entry, of addr, which must not be cached
    // (find() missed it).
    void fill(entry& e, uint64_t addr, uint32_t owner, uint32_t word);
    // Calls writeback(addr, word) for each dirty entry of owner, in entry order, then drops all
    // of owner's.
    template <typename F>
    void flush(uint32_t owner, F writeback) {
        for (entry& e : m_entries)
            if (e.valid && e.owner == owner) {
                if (e.dirty)
                    writeback(e.addr, e.word);
                drop(e);
            }
    }

private:
    struct addr_of {
        using type = uint64_t;
        uint64_t operator()(const entry& e) const { return e.addr; }
    };
    struct addr_hash {
        // Entries of one table lie 4 bytes apart: mix the bits above the low two.
        std::size_t operator()(uint64_t a) const {
            return static_cast<std::size_t>((a >> 2) * 0x9E3779B97F4A7C15ull >> 20);
        }
    };
    using by_addr_set = boost::intrusive::unordered_set<
        entry, boost::intrusive::member_hook<entry, set_hook, &entry::by_addr>,
        boost::intrusive::key_of_value<addr_of>, boost::intrusive::hash<addr_hash>,
        boost::intrusive::power_2_buckets<true>, boost::intrusive::constant_time_size<true>>;
    using lru_list =
        boost::intrusive::list<entry, boost::intrusive::member_hook<entry, list_hook, &entry::lru>,
                               boost::intrusive::constant_time_size<false>>;

    std::size_t first_free() const;
    std::size_t index_of(const entry& e) const {
        return static_cast<std::size_t>(&e - m_entries.data());
    }
    void drop(entry& e);

    std::vector<entry> m_entries;       // never resized: the containers point into it
    std::vector<uint64_t> m_valid_bits; // bit i: entry i is valid
    std::unique_ptr<by_addr_set::bucket_type[]> m_buckets;
    by_addr_set m_by_addr; // its size: the valid entries
    lru_list m_lru;        // least recently used first
};

} // namespace gicv5::detail
