// What the loader refuses so that a run never aborts, hangs or reads what was not meant: a
// memory too small for the IRS tables, address ranges beyond the physical address space, files
// that are not regular or too large, second YAML documents and tags, list indices that do not fit;
// and how it words YAML syntax errors and topology errors that a default list causes.
#include "config_loader.h"

#include "platform/platform_config.h"
#include "sim/sim_test_util.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using namespace gicv5_sim;
using sim_test::all;
using sim_test::write_file;

load_result load_text(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
    return load_config(write_file(yaml), overrides);
}

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)
#define EXPECT_HAS_NOT(text, part) EXPECT_EQ((text).find(part), std::string::npos) << (text)

struct outcome {
    int status = -1; // exit status, or 128 + signal
    std::string err;
};

// gicv5-sim as a process (a run that aborts must not take the test with it).
outcome run_sim(const std::string& args) {
    // One file per test: CTest runs the tests of this file in parallel processes.
    const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string err = ::testing::TempDir() + "gicv5_load_limits_" + t->test_suite_name() +
                            "_" + t->name() + ".err";
    const std::string cmd = "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 '" + std::string(GICV5_SIM_EXE) +
                            "' " + args + " --quiet --report /dev/null >/dev/null 2>'" + err + "'";
    const int st = std::system(cmd.c_str());
    outcome o;
    // system() runs sh, which reports a child killed by a signal as 128 + signal.
    o.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    std::ifstream in(err);
    o.err.assign(std::istreambuf_iterator<char>(in), {});
    return o;
}

// 64 VMs of 65,536 SPIs: each SPI vIST is 256 KiB, 16 MiB in all, beyond the default memory.
std::string many_vms(const std::string& memory) {
    std::string yaml = "irs: {vm_id_bits: 6}\nmemory: {size: " + memory + "}\nvms:\n";
    for (int i = 0; i < 64; ++i)
        yaml += "  - {spis: 65536}\n";
    return yaml + "sources: []\nduration: 1us\n";
}

// ---- memory for the IRS tables -----------------------------------------------------------------

TEST(TableMemory, TheNeedFollowsTheAgentsAllocations) {
    platform::platform_config c; // 1 VM of 64 SPIs and 1 vCPU, 2 PEs, base 0x80000000
    // VM table 32 << 4 = 512 B at 4 KiB; host IST 4 << 12 = 16 KiB at the next 4 KiB; then
    // vPE table 16 B, VM descriptor 64 B, vPE descriptor 64 B, SPI vIST 4 << 6 = 256 B.
    EXPECT_EQ(platform::table_memory_needed(c), 4096u + 16384u + 16u + 48u + 64u + 64u + 256u);
    c.pes = {{platform::pe_role::script}};
    EXPECT_EQ(platform::table_memory_needed(c), 0u) << "no host PE: nothing boots";
}

TEST(TableMemory, AMemoryTooSmallForTheTablesIsALoadErrorNamingTheSizeNeeded) {
    const load_result r = load_text("memory: {size: 10}\n");
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_HAS(r.errors[0], ":1:16: memory.size: expected at least 20928 bytes");
    EXPECT_HAS(r.errors[0], "got 10 bytes");
    EXPECT_HAS_NOT(r.errors[0], "vms is not in") << "the default VM is not what is wrong";
}

TEST(TableMemory, ManyVmsOfManySpisNeedMoreThanTheDefaultMemory) {
    const load_result small = load_text(many_vms("16MiB"));
    ASSERT_EQ(small.errors.size(), 1u) << all(small.errors);
    EXPECT_HAS(small.errors[0], "memory.size: expected at least 16809984 bytes");
    EXPECT_HAS(small.errors[0], "write memory: {size: 17MiB} or more");
    const load_result enough = load_text(many_vms("17MiB"));
    EXPECT_TRUE(enough.ok()) << all(enough.errors);
}

TEST(TableMemory, ExactlyTheSizeNeededRunsAndOneByteLessIsExitTwo) {
    const std::string need = std::to_string(20928);
    const std::string cfg = write_file("duration: 20us\n");
    const outcome ok = run_sim("'" + cfg + "' --set memory.size=" + need);
    EXPECT_EQ(ok.status, 0) << ok.err;
    const outcome less = run_sim("'" + cfg + "' --set memory.size=20927");
    EXPECT_EQ(less.status, 2) << less.err;
    EXPECT_HAS(less.err, "--set memory.size=20927: memory.size: expected at least 20928 bytes");
}

TEST(TableMemory, TheConfigOfManyVmsIsExitTwoNotAnAbort) {
    const outcome o = run_sim("'" + write_file(many_vms("16MiB")) + "'");
    EXPECT_EQ(o.status, 2) << o.err;
    EXPECT_HAS(o.err, "memory.size: expected at least 16809984 bytes");
}

TEST(TableMemory, AHostThatCannotMapTheMemoryIsExitThreeWithTheReason) {
    // Within the physical address space, beyond any host's: nothing is allocated.
    const outcome o = run_sim("'" + write_file("duration: 1us\nmemory: {size: 0xff000000000000}\n") +
                              "'");
    EXPECT_EQ(o.status, 3) << o.err;
    EXPECT_HAS(o.err, "cannot allocate 71776119061217280 bytes of host memory for memory.size: ");
}

// ---- address ranges ------------------------------------------------------------------------------

TEST(Addresses, MemoryAtOrAbove2To56IsRejected) {
    const load_result r = load_text("memory: {base: 0x100000000000000}\n");
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_HAS(r.errors[0], ":1:16: memory.base: expected an address below 2^56");
    EXPECT_TRUE(load_text("memory: {base: 0xfffffff0000000, size: 16MiB}\n").ok());
}

TEST(Addresses, AMemoryThatWrapsPast2To64IsRejectedNotTakenForOneBelowTheFrames) {
    // base + size wraps to 0x7fff0000, above the IRS frames: the old check saw no overlap.
    const load_result r = load_text("memory: {size: 0xffffffffffff0000}\n");
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_HAS(r.errors[0], "memory.size: expected at most 0xffffff80000000 bytes");
    const load_result end = load_text("memory: {base: 0xff000000000000, size: 0x1000000000001}\n");
    ASSERT_EQ(end.errors.size(), 1u) << all(end.errors);
    EXPECT_HAS(end.errors[0], "memory.size: expected at most 0x1000000000000 bytes");
}

TEST(Addresses, IrsFramesMustEndWithinThePhysicalAddressSpace) {
    const load_result r = load_text("irs: {config_frame: 0xffffffffffff0000}\n");
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_HAS(r.errors[0], "irs.config_frame: expected a 64 KiB aligned address below "
                            "0xffffffffff0000");
    const load_result in_memory = load_text("irs: {setlpi_frame: 0x80010000}\n");
    ASSERT_EQ(in_memory.errors.size(), 1u) << all(in_memory.errors);
    EXPECT_HAS(in_memory.errors[0], "irs.setlpi_frame: expected an address outside memory");
}

// ---- files and documents -------------------------------------------------------------------------

TEST(ConfigFile, OnlyARegularFileIsRead) {
    const load_result dir = load_config(::testing::TempDir());
    ASSERT_EQ(dir.errors.size(), 1u);
    EXPECT_HAS(dir.errors[0], "it is a directory");
    const load_result dev = load_config("/dev/zero");
    ASSERT_EQ(dev.errors.size(), 1u);
    EXPECT_HAS(dev.errors[0], "/dev/zero: cannot read the file: it is a character device");
    const std::string fifo = ::testing::TempDir() + "gicv5_load_limits.fifo";
    std::remove(fifo.c_str());
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const load_result pipe = load_config(fifo); // with no writer, an open would block for ever
    std::remove(fifo.c_str());
    ASSERT_EQ(pipe.errors.size(), 1u);
    EXPECT_HAS(pipe.errors[0], "it is a FIFO");
}

TEST(ConfigFile, AFileAboveTheSizeLimitIsRefused) {
    std::string text = "seed: 1\n";
    text.resize(config_size_limit + 1, ' ');
    const load_result r = load_text(text);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_HAS(r.errors[0], ": expected a config of at most 16 MiB");
}

TEST(ConfigFile, ASecondDocumentIsAnErrorAtItsLine) {
    const std::string path = write_file("seed: 1\n---\nseed: 2\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_HAS(r.errors[0], path + ":2:1: a second YAML document starts here");
    EXPECT_TRUE(load_text("---\nseed: 1\n---\n").ok()) << "an empty trailing document is no loss";
}

TEST(ConfigFile, TagsBeyondTheCoreSchemaAreErrors) {
    for (const std::string tag : {"!!python/object", "!foo", "!!binary"}) {
        const load_result r = load_text("seed: 1\nduration: " + tag + " 1ms\n");
        ASSERT_EQ(r.errors.size(), 1u) << tag;
        EXPECT_HAS(r.errors[0], ":2:11: the YAML tag '" + tag + "' is not supported");
    }
    EXPECT_TRUE(load_text("seed: !!int 1\nduration: !!str 1ms\n").ok());
    const load_result set = load_text("seed: 1\n", {"seed=!foo 2"});
    ASSERT_EQ(set.errors.size(), 1u);
    EXPECT_HAS(set.errors[0], "--set seed=!foo 2: seed: expected a YAML value after '='");
}

TEST(ConfigFile, AListIndexTooLargeForAnyListIsALoadError) {
    const load_result r = load_text("seed: 1\n", {"vms.99999999999999999999.spis=1"});
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_HAS(r.errors[0], "--set vms.99999999999999999999.spis=1: vms.99999999999999999999: "
                            "expected an index in 0..1");
    const outcome o = run_sim("'" + write_file("seed: 1\n") +
                              "' --set vms.99999999999999999999.spis=1");
    EXPECT_EQ(o.status, 2) << o.err;
}

TEST(ConfigFile, YamlSyntaxErrorsSayWhatIsWrongInWords) {
    const std::pair<std::string, std::string> cases[] = {
        {"seed: 1\nmemory: {size: 1MiB\n", "a '{' that no '}' closes"},
        {"seed: [1, 2\nduration: 1ms\n", "a '[' that no ']' closes"},
        {"seed: 1\n duration: 1ms\n", "a ':' where no mapping value can start"},
        {"seed: 1 duration: 1ms\n", "a ':' where no mapping value can start"},
        {"seed: 'ab\nx: 1", "a quoted string that is not closed"},
        {"seed: 1\n\tduration: 1ms\n", "a tab in the indentation"},
        {"vms:\n  - {spis: 4}\n - {spis: 8}\n", "indentation does not match the keys"},
        {"- 1\nseed: 1\n", "does not continue the mapping or list above"},
        {"seed: " + std::string(600, '[') + std::string(600, ']') + "\n", "nested hundreds deep"},
    };
    for (const auto& [yaml, words] : cases) {
        const load_result r = load_text(yaml);
        ASSERT_EQ(r.errors.size(), 1u) << yaml;
        EXPECT_HAS(r.errors[0], words);
        for (const char* terse : {"illegal map value", "end of map", "end of sequence",
                                  "bad file", "illegal EOF", "illegal tab"})
            EXPECT_HAS_NOT(r.errors[0], terse);
    }
}

// ---- defaults a first directed config meets ------------------------------------------------------

TEST(DefaultLists, ErrorsThatTheDefaultVmsAndSourcesCauseSaySoAndWhatToWrite) {
    const std::string path = write_file("duration: 1us\npes:\n  - {role: script}\nscript:\n"
                                        "  - {pe: 0, wait: 1ns}\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 3u) << all(r.errors);
    EXPECT_HAS(r.errors[0], "pes: expected at least one PE with role host");
    EXPECT_HAS(r.errors[0], "vms is not in " + path + ", so its default applies");
    EXPECT_HAS(r.errors[0], "write 'sources: []' for a config without sources");
    EXPECT_HAS(r.errors[1], "pes: expected at least one PE with role vcpu");
    EXPECT_HAS(r.errors[1], "write 'vms: []' for a config without vms");
    EXPECT_HAS_NOT(r.errors[1], "sources") << "the default source needs no vcpu PE";
    EXPECT_HAS(r.errors[2], "sources.0.host_pe");
    EXPECT_HAS(r.errors[2], "write 'sources: []'");
    EXPECT_TRUE(load_text("duration: 1us\npes:\n  - {role: script}\nvms: []\nsources: []\n"
                          "script:\n  - {pe: 0, wait: 1ns}\n")
                    .ok());
}

TEST(DefaultLists, AProblemOfListsTheFileWroteGetsNoHint) {
    const load_result r = load_text("pes: [{role: host}]\nvms: [{spis: 8}]\nsources: []\n");
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_HAS_NOT(r.errors[0], "default");
    const load_result src = load_text("sources:\n  - {vm: 0, spi_first: 100}\n");
    ASSERT_EQ(src.errors.size(), 1u) << all(src.errors);
    EXPECT_HAS(src.errors[0], "sources.0.spi_first");
    EXPECT_HAS_NOT(src.errors[0], "vms is not in") << "clearing vms would break the sources";
}

} // namespace

// README, How many PEs: 16,384 PEs build, run and tear down in linear time; the loader refuses
// more instead of letting a run die on the kernel's memory-map limit.
TEST(PeLimit, MoreThan16384PesIsALoadError) {
    auto pes = [](std::size_t n) {
        std::string text = "vms: []\nsources: []\npes:\n";
        for (std::size_t i = 0; i < n; ++i)
            text += "  - {role: host}\n";
        return text;
    };
    EXPECT_TRUE(load_text(pes(16384)).ok());
    const load_result r = load_text(pes(16385));
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_NE(r.errors[0].find("pes: expected at most 16384 entries, got '16385 entries'"),
              std::string::npos)
        << r.errors[0];
    const load_result host = load_text("sources: [{host_pe: 16384}]\n");
    ASSERT_FALSE(host.ok());
    EXPECT_NE(host.errors[0].find("expected an integer in 0..16383"), std::string::npos)
        << host.errors[0];
}
