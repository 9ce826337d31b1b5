// Bit-field declarations shared by registers, memory formats and instruction operands.
// A field is declared once as `field{msb, lsb}` and then used to extract and deposit values,
// so no mask or shift is ever typed twice.
#pragma once

#include <cstdint>

namespace gicv5 {

struct field {
    unsigned msb;
    unsigned lsb;

    constexpr unsigned width() const { return msb - lsb + 1; }
    constexpr uint64_t mask() const {
        return (width() >= 64 ? ~uint64_t{0} : ((uint64_t{1} << width()) - 1)) << lsb;
    }
    constexpr uint64_t get(uint64_t word) const { return (word & mask()) >> lsb; }
    constexpr uint64_t set(uint64_t word, uint64_t value) const {
        return (word & ~mask()) | ((value << lsb) & mask());
    }
    constexpr uint64_t make(uint64_t value) const { return (value << lsb) & mask(); }
    // Single-bit convenience: the field as a flag.
    constexpr bool test(uint64_t word) const { return get(word) != 0; }
};

// The bits an ID field needs to number n entries: the smallest b with 2^b >= n.
constexpr unsigned log2_ceil(uint64_t n) {
    unsigned b = 0;
    while (b < 64 && (uint64_t{1} << b) < n)
        ++b;
    return b;
}

// Fields whose value is an address kept in place: ADDR[55:6] holds address bits 55..6.
constexpr uint64_t addr_of(field f, uint64_t word) { return word & f.mask(); }

} // namespace gicv5
