// Interrupt State Table entries (reference §3): the 32-bit architected L2 ISTE and the
// 8-byte L1 entry of a two-level IST. Only the first word of an ISTE is architected; larger
// ISTEs (8 or 16 bytes) carry IRS-private metadata after it.
#pragma once

#include "tlm_gicv5/bits.h"

#include <cstdint>

namespace gicv5 {

namespace L2_ISTE {
constexpr field PENDING{0, 0};
constexpr field ACTIVE{1, 1};
constexpr field HM{2, 2}; // 0 = edge, 1 = level
constexpr field ENABLE{3, 3};
constexpr field IRM{4, 4}; // 0 = targeted, 1 = 1-of-N
constexpr field HWU{10, 9};
constexpr field PRIORITY{15, 11};
constexpr field IAFFID{31, 16};        // for a virtual interrupt: the target vPE ID
constexpr uint32_t RES0_MASK = 0x1e0u; // bits [8:5]
} // namespace L2_ISTE

namespace L1_ISTE {
constexpr field VALID{0, 0};
constexpr field L2_ADDR{55, 12};
} // namespace L1_ISTE

enum class handling_mode : uint8_t { edge = 0, level = 1 };

// Decoded view of the architected ISTE word.
struct iste {
    bool pending = false;
    bool active = false;
    handling_mode hm = handling_mode::edge;
    bool enable = false;
    bool irm = false;
    uint8_t hwu = 0;
    uint8_t priority = 0;
    uint16_t iaffid = 0;

    static constexpr iste decode(uint32_t w) {
        iste e;
        e.pending = L2_ISTE::PENDING.test(w);
        e.active = L2_ISTE::ACTIVE.test(w);
        e.hm = static_cast<handling_mode>(L2_ISTE::HM.get(w));
        e.enable = L2_ISTE::ENABLE.test(w);
        e.irm = L2_ISTE::IRM.test(w);
        e.hwu = static_cast<uint8_t>(L2_ISTE::HWU.get(w));
        e.priority = static_cast<uint8_t>(L2_ISTE::PRIORITY.get(w));
        e.iaffid = static_cast<uint16_t>(L2_ISTE::IAFFID.get(w));
        return e;
    }
    constexpr uint32_t encode() const {
        return static_cast<uint32_t>(L2_ISTE::PENDING.make(pending) | L2_ISTE::ACTIVE.make(active) |
                                     L2_ISTE::HM.make(static_cast<uint64_t>(hm)) |
                                     L2_ISTE::ENABLE.make(enable) | L2_ISTE::IRM.make(irm) |
                                     L2_ISTE::HWU.make(hwu) | L2_ISTE::PRIORITY.make(priority) |
                                     L2_ISTE::IAFFID.make(iaffid));
    }
    // §2.4: a candidate for the HPPI is pending, enabled and not active.
    constexpr bool candidate() const { return pending && enable && !active; }
    friend constexpr bool operator==(const iste& a, const iste& b) {
        return a.encode() == b.encode();
    }
};

// ISTE size in bytes from an ISTSZ field (0 = 4 B, 1 = 8 B, 2 = 16 B).
constexpr unsigned iste_bytes(unsigned istsz) { return 4u << istsz; }

} // namespace gicv5
