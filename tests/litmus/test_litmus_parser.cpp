// gicv5-litmus's reading of herd7 litmus files and kinds.txt (sc_main/litmus/): what a user's
// test file means, and the errors a bad one gets.
#include "litmus/litmus.h"
#include "litmus/outcome.h"
#include "litmus/runner.h"

#include <gtest/gtest.h>

using namespace litmus;

namespace {

const char* const two_pe = R"(AArch64 MP-example
(* a comment *)
{
 [INTID(A)]=(enabled:1, pending:1, affinity:P1, priority:3);
 0:X1=gicval_t:(intid:A); 0:X4=x; // trailing comment
 1:X4=x;
}
 P0             | P1            ;
 GIC CDDIS, X1  | LDR W3, [X4]  ;
 GSB SYS        | DSB LD        ;
 MOV W3, #1     | GICR X2, CDIA ;
 STR W3, [X4]   |               ;

exists(1:X3=1 /\ 1:X2=gicval_t:(valid:1, intid:A))
)";

std::string error_of(const std::string& text) {
    try {
        parse(text, "bad.litmus");
    } catch (const parse_error& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST(LitmusParser, ReadsTheInitialStateProgramsAndCondition) {
    const test t = parse(two_pe, "mp.litmus");
    EXPECT_EQ(t.name, "MP-example");
    EXPECT_TRUE(t.skip.empty());
    ASSERT_EQ(t.pes(), 2u);
    ASSERT_EQ(t.interrupts.size(), 1u);
    EXPECT_EQ(t.interrupts[0].name, "A");
    EXPECT_EQ(*t.interrupts[0].state.find("affinity"), "P1");
    EXPECT_EQ(t.intids, std::vector<std::string>{"A"});
    EXPECT_EQ(t.locations, std::vector<std::string>{"x"});
    ASSERT_EQ(t.programs[0].size(), 4u);
    EXPECT_EQ(t.programs[0][0].o, op::gic);
    EXPECT_EQ(t.programs[0][0].gic, gicv5::gic_insn::CDDIS);
    EXPECT_EQ(t.programs[0][1].o, op::gsb_sys);
    EXPECT_EQ(t.programs[0][3].o, op::str);
    EXPECT_TRUE(t.programs[0][3].w);
    ASSERT_EQ(t.programs[1].size(), 3u);
    EXPECT_EQ(t.programs[1][2].o, op::gicr);
    EXPECT_EQ(t.programs[1][2].gic, gicv5::gic_insn::CDIA);
    EXPECT_EQ(t.programs[1][2].rd, 2u);
    EXPECT_EQ(t.programs[1][2].line, 11);
    EXPECT_EQ(t.condition.k, cond_expr::kind::conj);
    EXPECT_EQ(t.condition.sub.size(), 2u);
}

TEST(LitmusParser, TheConditionHoldsOnlyForTheOutcomeItNames) {
    test t = parse(two_pe, "mp.litmus");
    resolve(t);
    final_state s;
    s.regs[{1, 3}] = 1;
    s.regs[{1, 2}] = gicv5::CDIA_RESULT::VALID.make(1) | gicv5::spi(0).encode();
    EXPECT_TRUE(holds(t, t.condition, s));
    EXPECT_EQ(outcome(t, s), "1:X3=1; 1:X2=(valid:1,intid:A)");
    s.regs[{1, 2}] = 0; // no interrupt acknowledged
    EXPECT_FALSE(holds(t, t.condition, s));
}

TEST(LitmusParser, AnUnknownInstructionIsAnErrorNamingFileAndLine) {
    std::string text = two_pe;
    text.replace(text.find("GSB SYS "), 8, "FROB X9 ");
    EXPECT_EQ(error_of(text), "bad.litmus:10: unknown instruction 'FROB X9'");
}

TEST(LitmusParser, AnUnknownGicOperationOrRegisterIsAnError) {
    std::string text = two_pe;
    text.replace(text.find("CDDIS"), 5, "CDXYZ");
    EXPECT_EQ(error_of(text), "bad.litmus:9: unknown GIC instruction 'GIC CDXYZ'");
    text = two_pe;
    text.replace(text.find("MOV W3, #1"), 10, "MRS X5, FOO");
    EXPECT_EQ(error_of(text), "bad.litmus:11: unknown system register 'FOO'");
}

TEST(LitmusParser, AnUnknownFieldOfARecordIsAnErrorNamingItsLine) {
    std::string text = two_pe;
    text.replace(text.find("priority:3"), 10, "colour:3");
    test t = parse(text, "bad.litmus");
    final_state s;
    EXPECT_THROW(
        {
            try {
                litmus::encode(t, t.interrupts[0].state, view::icsr);
            } catch (const parse_error& e) {
                EXPECT_STREQ(e.what(), "bad.litmus:4: unknown field 'colour' of an interrupt's "
                                       "state (intval_t)");
                throw;
            }
        },
        parse_error);
}

TEST(LitmusParser, WhatTheModelCannotRunIsSkippedWithTheReasonNotAnError) {
    const test t = parse(R"(AArch64 coWex
{
 [INTID(A)]=(enabled:1, pending:1);
 0:X1=gicval_t:(intid:A);
}
 P0                ;
 GIC  CDDIS, X1    ;
 GSB  SYS          ;
 DAIFClr  PSTATE.I ;

exists(async(P0, IRQ))
)",
                         "coWex.litmus");
    EXPECT_NE(t.skip.find("PSTATE.I"), std::string::npos) << t.skip;
    EXPECT_NE(unsupported(t).find("PSTATE.I"), std::string::npos);
}

TEST(LitmusParser, WaitLabelsAndBranchesParse) {
    const test t = parse(R"(AArch64 ctrl
{
 0:X5=intval_t:(active:0);
}
 P0                                  ;
 MRS  X2, ICC_ICSR_EL1               ;
 CMP  X2, X5                         ;
 B.NE L0                             ;
 WAIT (MRS  X0, ISR_EL1; X0=(I=1))   ;
 L0:                                 ;
 NOP                                 ;
exists(0:X0=(I=0))
)",
                         "ctrl.litmus");
    ASSERT_EQ(t.programs[0].size(), 6u);
    EXPECT_EQ(t.programs[0][2].o, op::b);
    EXPECT_EQ(t.programs[0][2].cond, "NE");
    EXPECT_EQ(t.programs[0][3].o, op::wait);
    EXPECT_EQ(t.programs[0][3].body->o, op::mrs);
    EXPECT_EQ(t.programs[0][4].o, op::label);
}

TEST(LitmusParser, ABranchToAMissingLabelIsAnError) {
    EXPECT_EQ(error_of("AArch64 b\n{\n}\n P0 ;\n B L7 ;\nexists(0:X0=0)\n"),
              "bad.litmus:5: branch to unknown label 'L7'");
}

TEST(LitmusParser, AVerdictLineInTheFileGivesTheVerdict) {
    const test t =
        parse("AArch64 v\nVerdict=Forbid\n{\n}\n P0 ;\n NOP ;\nexists(0:X0=1)\n", "v.litmus");
    ASSERT_TRUE(t.verdict.has_value());
    EXPECT_EQ(*t.verdict, "Forbid");
    EXPECT_EQ(error_of("AArch64 v\nVerdict=Maybe\n{\n}\n P0 ;\n NOP ;\nexists(0:X0=1)\n"),
              "bad.litmus:2: expected Verdict=Allow or Forbid, got 'Verdict=Maybe'");
}

TEST(LitmusKinds, ReadsVerdictsAndTellsCommentedOnes) {
    const auto k = parse_kinds("coWR-gic\t\t\tForbid\n"
                               "coWR-gic.dis.ack\tAllow\n"
                               "# MP-fSPI+dsb.st+gsb.ack\t\tForbid\n"
                               "# a comment that is not a verdict\n"
                               "\n",
                               "kinds.txt");
    ASSERT_EQ(k.size(), 3u);
    EXPECT_EQ(k.at("coWR-gic").verdict, "Forbid");
    EXPECT_FALSE(k.at("coWR-gic").commented);
    EXPECT_EQ(k.at("coWR-gic.dis.ack").verdict, "Allow");
    EXPECT_EQ(k.at("MP-fSPI+dsb.st+gsb.ack").verdict, "Forbid");
    EXPECT_TRUE(k.at("MP-fSPI+dsb.st+gsb.ack").commented);
}

TEST(LitmusKinds, AMalformedLineIsAnErrorNamingFileAndLine) {
    try {
        parse_kinds("a\tAllow\nb\tMaybe\n", "kinds.txt");
        FAIL() << "no error";
    } catch (const parse_error& e) {
        EXPECT_STREQ(e.what(), "kinds.txt:2: expected 'name<TAB>Allow|Forbid', got 'b\tMaybe'");
    }
}
