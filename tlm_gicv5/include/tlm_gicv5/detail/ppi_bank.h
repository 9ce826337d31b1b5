// The PPI state of one CPU interface view (physical, or the resident guest's): 128 PPIs in two
// 64-bit banks, as the ICC_PPI_* / ICH_PPI_* registers lay them out (reference §4.2, §5.2).
#pragma once

#include "tlm_gicv5/insn.h"
#include "tlm_gicv5/stream.h"

#include <array>
#include <cstdint>

namespace gicv5::detail {

using ppi_bits = std::array<uint64_t, 2>;

constexpr uint64_t ppi_bit(unsigned ppi) { return uint64_t{1} << (ppi % 64); }

struct ppi_bank {
    ppi_bits enable{}, pend{}, active{};
    std::array<uint64_t, PPI_COUNT / 8> priority{}; // 8 PPIs per register, 5 bits a byte

    uint8_t prio(unsigned ppi) const {
        return (priority[ppi / 8] >> (8 * (ppi % 8))) & PRIORITY_LOWEST;
    }
    // The best enabled, pending (by `pending`), inactive PPI; ties: the lowest number.
    // OPT: walks the set bits of two words; independent of the number of SPIs and LPIs.
    hppi best(const ppi_bits& pending) const {
        hppi h;
        for (unsigned bank = 0; bank < 2; ++bank) {
            uint64_t candidates = enable[bank] & pending[bank] & ~active[bank];
            while (candidates) {
                const unsigned ppi = bank * 64 + static_cast<unsigned>(__builtin_ctzll(candidates));
                candidates &= candidates - 1;
                if (!h.valid || prio(ppi) < h.prio)
                    h = {true, intid{intid_type::PPI, ppi}, prio(ppi)};
            }
        }
        return h;
    }
    // §4.3: acknowledged: Active; an edge PPI is no longer pending.
    void activate(unsigned ppi, bool edge) {
        active[ppi / 64] |= ppi_bit(ppi);
        if (edge)
            pend[ppi / 64] &= ~ppi_bit(ppi);
    }
};

} // namespace gicv5::detail
