// GIC instructions and register accesses from the toolchain side: tests/iss/gic_encodings.S,
// assembled by GNU as (the raw sys/sysl/s3_* forms binutils 2.40 accepts), word by word through
// the ISS PE's decoder (cpu_stubs::decode_system_word, then the model's iss_access decoding), each
// checked against the operation its `expect:` tag names.
#include "cpu_stubs/iss/iss_core.h"
#include "tlm_gicv5/iss_access.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

using namespace gicv5;

namespace {

struct tag {
    std::string name; // GIC instruction (CDIA) or register (ICC_PCR_EL1)
    bool read = false, undefined = false;
    uint32_t word = 0; // 0: not pinned
    std::string line;
};

std::vector<tag> tags() {
    std::ifstream in(GICV5_ENCODINGS_S);
    std::vector<tag> out;
    for (std::string line; std::getline(in, line);) {
        const auto at = line.find("// expect: ");
        if (at == std::string::npos)
            continue;
        std::istringstream words(line.substr(at + 11));
        tag t;
        t.line = line;
        words >> t.name;
        for (std::string w; words >> w && w[0] != '(';) {
            t.read |= w == "read";
            t.undefined |= w == "undefined";
            if (w.rfind("word=", 0) == 0)
                t.word = static_cast<uint32_t>(std::stoul(w.substr(5), nullptr, 16));
        }
        out.push_back(t);
    }
    return out;
}

std::vector<uint32_t> words() {
    std::ifstream in(GICV5_ENCODINGS_BIN, std::ios::binary);
    const std::vector<char> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<uint32_t> w(b.size() / 4);
    std::memcpy(w.data(), b.data(), w.size() * 4);
    return w;
}

} // namespace

TEST(ToolchainEncodings, EveryAssembledGicWordDecodesToTheIntendedOperation) {
    const std::vector<tag> t = tags();
    const std::vector<uint32_t> w = words();
    ASSERT_GT(t.size(), 100u); // every instruction, and an MRS and MSR per register
    ASSERT_EQ(t.size(), w.size()) << "one instruction per expect: line";
    unsigned insns = 0, regs = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        SCOPED_TRACE(t[i].line);
        const auto s = cpu_stubs::decode_system_word(w[i]);
        ASSERT_TRUE(s.has_value()) << std::hex << w[i];
        if (t[i].word != 0) {
            EXPECT_EQ(w[i], t[i].word) << "not the word LLVM and Linux use";
        }
        iss_request q = s->request;
        q.el = q.op1 == OP1_EL2 ? exception_level::EL2 : exception_level::EL1;
        const char* rule = undefined_rule(q);
        EXPECT_EQ(rule != nullptr, t[i].undefined) << (rule ? rule : "defined");
        // The fields name the operation whichever the direction (an UNDEFINED form included).
        if (const auto g = decode_gic_insn(q.op0, q.op1, q.crn, q.crm, q.op2)) {
            EXPECT_EQ(std::string(desc(*g).name), t[i].name);
            if (!t[i].undefined) {
                EXPECT_EQ(q.read, desc(*g).sysl);
            }
            ++insns;
        } else if (const auto r = decode_sysreg(q.op0, q.op1, q.crn, q.crm, q.op2)) {
            EXPECT_EQ(std::string(sysregs[static_cast<std::size_t>(*r)].name), t[i].name);
            EXPECT_EQ(q.read, t[i].read);
            ++regs;
        } else {
            ADD_FAILURE() << "decodes to nothing the model implements";
        }
    }
    EXPECT_GE(insns, gic_insn_count); // every GIC instruction appears at least once
    EXPECT_GE(regs, 2 * static_cast<std::size_t>(sysreg::count));
}

TEST(ToolchainEncodings, GicrCdiaIsSyslAndItsSysFormIsUndefined) {
    const auto sysl = cpu_stubs::decode_system_word(0xd528c300); // sysl x0, #0, c12, c3, #0
    const auto sys = cpu_stubs::decode_system_word(0xd508c300);  // sys #0, c12, c3, #0, x0
    ASSERT_TRUE(sysl && sys);
    EXPECT_TRUE(sysl->request.read);
    EXPECT_FALSE(sys->request.read);
    EXPECT_EQ(undefined_rule(sysl->request), nullptr);
    EXPECT_STREQ(undefined_rule(sys->request), "a GIC instruction used in the wrong direction");
    // A hint (WFI) is not a system instruction of the GIC space.
    EXPECT_FALSE(cpu_stubs::decode_system_word(0xd503207f).has_value());
}
