// INTID, ISTE and operand encodings against the worked examples of reference §9.3.
#include "tlm_gicv5/insn.h"
#include "tlm_gicv5/intid.h"
#include "tlm_gicv5/iste.h"

#include <gtest/gtest.h>

using namespace gicv5;

TEST(Intid, SpiFiveEncodesAsTheLinuxDriverWritesIt) {
    EXPECT_EQ(spi(5).encode(), 0x60000005u);
    EXPECT_EQ(lpi(0x1234).encode(), 0x40001234u);
    EXPECT_EQ(ppi(27).encode(), 0x2000001bu);
}

TEST(Intid, DecodeSplitsTypeAndIdAndIgnoresRes0Bits) {
    const intid i = intid::decode(0x7f00abcdu); // TYPE 3, RES0 bits [28:24] set, ID 0xabcd
    EXPECT_EQ(i.type, intid_type::SPI);
    EXPECT_EQ(i.id, 0xabcdu);
    EXPECT_EQ(intid::decode(spi(0xffffff).encode()), spi(0xffffff));
}

TEST(Intid, OnlyPpiLpiAndSpiAreArchitectedTypes) {
    EXPECT_TRUE(spi(1).architected());
    EXPECT_TRUE(lpi(1).architected());
    EXPECT_TRUE(ppi(1).architected());
    EXPECT_FALSE(intid::decode(0x00000001u).architected());
    EXPECT_FALSE(intid::decode(0xe0000001u).architected()); // TYPE 7: Linux's GSI convention only
}

TEST(Iste, EachFieldLandsInItsArchitectedBits) {
    EXPECT_EQ(iste{true}.encode(), 0x1u);
    iste e;
    e.active = true;
    EXPECT_EQ(e.encode(), 0x2u);
    e = {};
    e.hm = handling_mode::level;
    EXPECT_EQ(e.encode(), 0x4u);
    e = {};
    e.enable = true;
    EXPECT_EQ(e.encode(), 0x8u);
    e = {};
    e.irm = true;
    EXPECT_EQ(e.encode(), 0x10u);
    e = {};
    e.hwu = 3;
    EXPECT_EQ(e.encode(), 0x600u);
    e = {};
    e.priority = 0x1f;
    EXPECT_EQ(e.encode(), 0xf800u);
    e = {};
    e.iaffid = 0xbeef;
    EXPECT_EQ(e.encode(), 0xbeef0000u);
}

TEST(Iste, DecodeThenEncodeKeepsEveryArchitectedBitAndDropsRes0) {
    const uint32_t word = 0xa5a5ffffu;
    EXPECT_EQ(iste::decode(word).encode(), word & ~L2_ISTE::RES0_MASK);
}

TEST(Iste, CandidateMeansPendingEnabledAndNotActive) {
    iste e;
    e.pending = e.enable = true;
    EXPECT_TRUE(e.candidate());
    e.active = true;
    EXPECT_FALSE(e.candidate());
    e.active = false;
    e.enable = false;
    EXPECT_FALSE(e.candidate());
}

TEST(Operands, VdpendForSpiFiveOfVmSevenMatchesReference) {
    const uint64_t op = spi(5).encode() | VD_OPERAND::VM.make(7) | VD_OPERAND::PENDING.make(1);
    EXPECT_EQ(op, 0x8000000760000005ull);
}

TEST(Operands, CdpriAndCdaffMatchTheLinuxDriverValues) {
    EXPECT_EQ(spi(5).encode() | CD_OPERAND::PRIORITY.make(0x1f), 0x000000f860000005ull);
    EXPECT_EQ(spi(5).encode() | CD_OPERAND::IAFFID.make(0), 0x0000000060000005ull);
    EXPECT_EQ(spi(5).encode() | CD_OPERAND::PENDING.make(1), 0x0000000160000005ull);
}

TEST(Operands, GicInstructionEncodingsFollowTheReferenceTables) {
    EXPECT_EQ(desc(gic_insn::VDPEND).op1, 4);
    EXPECT_EQ(desc(gic_insn::VDPEND).crm, 1);
    EXPECT_EQ(desc(gic_insn::VDPEND).op2, 4);
    EXPECT_EQ(desc(gic_insn::CDDI).crm, 2);
    EXPECT_EQ(desc(gic_insn::CDDI).op2, 0);
    EXPECT_TRUE(desc(gic_insn::CDIA).sysl);
    EXPECT_FALSE(desc(gic_insn::CDEOI).sysl);
    EXPECT_STREQ(desc(gic_insn::VDRCFG).name, "VDRCFG");
}
