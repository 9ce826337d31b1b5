// GICv5 INTID: TYPE[31:29], ID[23:0], bits [28:24] RES0 (reference §1).
#pragma once

#include "tlm_gicv5/bits.h"

#include <cstdint>

namespace gicv5 {

enum class intid_type : uint8_t { none = 0, PPI = 1, LPI = 2, SPI = 3 };

namespace INTID {
constexpr field ID{23, 0};
constexpr field TYPE{31, 29};
} // namespace INTID

struct intid {
    intid_type type = intid_type::none;
    uint32_t id = 0;

    static constexpr intid decode(uint64_t raw) {
        return {static_cast<intid_type>(INTID::TYPE.get(raw)),
                static_cast<uint32_t>(INTID::ID.get(raw))};
    }
    constexpr uint32_t encode() const {
        return static_cast<uint32_t>(INTID::TYPE.make(static_cast<uint64_t>(type)) |
                                     INTID::ID.make(id));
    }
    // Only PPI, LPI and SPI are architected INTID types.
    constexpr bool architected() const {
        return type == intid_type::PPI || type == intid_type::LPI || type == intid_type::SPI;
    }
    friend constexpr bool operator==(intid a, intid b) { return a.type == b.type && a.id == b.id; }
    friend constexpr bool operator!=(intid a, intid b) { return !(a == b); }
};

constexpr intid spi(uint32_t id) { return {intid_type::SPI, id}; }
constexpr intid lpi(uint32_t id) { return {intid_type::LPI, id}; }
constexpr intid ppi(uint32_t id) { return {intid_type::PPI, id}; }

const char* to_string(intid_type t);

// Priority: 5 bits, lower number = higher priority (reference §1).
constexpr unsigned PRIORITY_BITS = 5;
constexpr uint8_t PRIORITY_LOWEST = 0x1f;
constexpr unsigned PRIORITY_LEVELS = 32;

} // namespace gicv5
