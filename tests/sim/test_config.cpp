// Units, config loader, expectations and CLI input handling of gicv5-sim. The test harness
// provides main()/sc_main(); nothing here calls platform::run().
#include "cli.h"
#include "config_loader.h"
#include "expect.h"
#include "report.h"
#include "units.h"

#include "sim/sim_test_util.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#ifndef GICV5_SOURCE_DIR
#error "GICV5_SOURCE_DIR (the repository root) must be defined by the build"
#endif

namespace {

using namespace gicv5_sim;
using sc_core::SC_MS;
using sc_core::SC_NS;
using sc_core::SC_PS;
using sc_core::SC_SEC;
using sc_core::sc_time;
using sc_core::SC_US;

// gtest-only string assertions: the test links GTest::gtest, not gmock.
::testing::AssertionResult contains(const char* text_expr, const char* part_expr,
                                    const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << text_expr << " does not contain " << part_expr
                                         << "\n  text: " << text << "\n  part: " << part;
}

::testing::AssertionResult starts_with(const char* text_expr, const char* prefix_expr,
                                       const std::string& text, const std::string& prefix) {
    if (text.rfind(prefix, 0) == 0)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << text_expr << " does not start with " << prefix_expr
                                         << "\n  text:   " << text << "\n  prefix: " << prefix;
}

#define EXPECT_CONTAINS(text, part) EXPECT_PRED_FORMAT2(contains, text, part)
#define EXPECT_STARTS_WITH(text, prefix) EXPECT_PRED_FORMAT2(starts_with, text, prefix)

// Writes a YAML file named after the running test into the GoogleTest temp dir.
using sim_test::all;
using sim_test::write_file;

load_result load_text(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
    return load_config(write_file(yaml), overrides);
}

// ---- units ----------------------------------------------------------------------------------

TEST(Units, DurationsAcceptEveryUnitAndABlankBeforeIt) {
    EXPECT_EQ(*units::parse_duration("20ns").value, sc_time(20, SC_NS));
    EXPECT_EQ(*units::parse_duration("1us").value, sc_time(1, SC_US));
    EXPECT_EQ(*units::parse_duration("1.5 us").value, sc_time(1500, SC_NS));
    EXPECT_EQ(*units::parse_duration("10ms").value, sc_time(10, SC_MS));
    EXPECT_EQ(*units::parse_duration("2s").value, sc_time(2, SC_SEC));
    EXPECT_EQ(*units::parse_duration("100ps").value, sc_time(100, SC_PS));
    EXPECT_EQ(*units::parse_duration("0ns").value, sc_core::SC_ZERO_TIME);
}

TEST(Units, DurationsRejectBareNumbersNegativesUnknownUnitsAndJunk) {
    for (const char* bad :
         {"10", "-1ns", "10parsecs", "10ns junk", "", "ns", "1.ns", "1e3ns", "10NS"})
        EXPECT_FALSE(units::parse_duration(bad)) << bad;
    EXPECT_CONTAINS(units::parse_duration("10").expected, "time unit");
    EXPECT_CONTAINS(units::parse_duration("-1ns").expected, "non-negative");
}

TEST(Units, DurationsFinerThanTheTimeResolutionAreRejected) {
    EXPECT_FALSE(units::parse_duration("0.5ps")); // default resolution: 1 ps
    EXPECT_TRUE(units::parse_duration("1.5ns"));
}

TEST(Units, FrequenciesAreConvertedToHertzAndMustBePositive) {
    EXPECT_DOUBLE_EQ(*units::parse_frequency("100kHz").value, 100e3);
    EXPECT_DOUBLE_EQ(*units::parse_frequency("1MHz").value, 1e6);
    EXPECT_DOUBLE_EQ(*units::parse_frequency("50Hz").value, 50.0);
    EXPECT_DOUBLE_EQ(*units::parse_frequency("2.5 GHz").value, 2.5e9);
    for (const char* bad : {"0Hz", "100", "-1Hz", "1khz", "fast", "1MHz!"})
        EXPECT_FALSE(units::parse_frequency(bad)) << bad;
}

TEST(Units, SizesTakeBinaryUnitsOrPlainIntegers) {
    EXPECT_EQ(*units::parse_size("16MiB").value, 16ull << 20);
    EXPECT_EQ(*units::parse_size("4KiB").value, 4096u);
    EXPECT_EQ(*units::parse_size("1GiB").value, 1ull << 30);
    EXPECT_EQ(*units::parse_size("512B").value, 512u);
    EXPECT_EQ(*units::parse_size("4096").value, 4096u);
    EXPECT_EQ(*units::parse_size("0x1000").value, 4096u);
    for (const char* bad : {"16MB", "1.5MiB", "-1", "0x10KiB", "MiB", "16777216TiB"})
        EXPECT_FALSE(units::parse_size(bad)) << bad;
}

TEST(Units, IntegersAreDecimalOrHexadecimal) {
    EXPECT_EQ(*units::parse_integer("42").value, 42u);
    EXPECT_EQ(*units::parse_integer("0x2f1a0000").value, 0x2f1a0000u);
    EXPECT_EQ(*units::parse_integer("18446744073709551615").value, ~0ull);
    for (const char* bad : {"-1", "1_000", "0x", "12abc", "", " 1", "18446744073709551616"})
        EXPECT_FALSE(units::parse_integer(bad)) << bad;
}

TEST(Units, NumbersArePlainNonNegativeDecimals) {
    EXPECT_DOUBLE_EQ(*units::parse_number("16").value, 16.0);
    EXPECT_DOUBLE_EQ(*units::parse_number("0.5").value, 0.5);
    EXPECT_DOUBLE_EQ(*units::parse_number("0").value, 0.0);
    for (const char* bad : {"-1", "abc", "", "1e3", "inf", "nan", "16B/ns", "1.", ".5", "0x10"})
        EXPECT_FALSE(units::parse_number(bad)) << bad;
    EXPECT_FALSE(units::parse_number(std::string(400, '9'))); // beyond a double: not finite
    EXPECT_CONTAINS(units::parse_number("-1").expected, "non-negative");
    EXPECT_EQ(units::format_number(16), "16");
    EXPECT_EQ(units::format_number(0.5), "0.5");
}

TEST(Units, FormattingPicksTheLargestWholeUnit) {
    EXPECT_EQ(units::format_duration(sc_time(10, SC_MS)), "10ms");
    EXPECT_EQ(units::format_duration(sc_time(1500, SC_NS)), "1500ns");
    EXPECT_EQ(units::format_frequency(100e3), "100kHz");
    EXPECT_EQ(units::format_frequency(1500.5), "1500.5Hz");
    EXPECT_EQ(units::format_size(16ull << 20), "16MiB");
    EXPECT_EQ(units::format_size(1000), "1000");
    EXPECT_EQ(units::format_hex(0x80000000ull), "0x80000000");
}

// ---- loader ---------------------------------------------------------------------------------

TEST(ConfigLoader, DefaultYamlLoadsWithoutErrors) {
    const load_result r = load_config(GICV5_SOURCE_DIR "/configs/default.yaml");
    ASSERT_TRUE(r.ok()) << all(r.errors);
    const platform::platform_config& cfg = r.config.platform;
    ASSERT_EQ(cfg.pes.size(), 2u);
    EXPECT_EQ(cfg.pes[1].role, platform::pe_role::vcpu);
    ASSERT_EQ(cfg.vms.size(), 1u);
    EXPECT_EQ(cfg.vms[0].spis, 64u);
    EXPECT_EQ(cfg.vms[0].exit_interval, sc_time(50, SC_US));
    ASSERT_EQ(cfg.sources.size(), 1u);
    EXPECT_DOUBLE_EQ(cfg.sources[0].rate_hz, 100e3);
    EXPECT_EQ(cfg.duration, sc_time(10, SC_MS));
    EXPECT_EQ(r.config.expectations.size(), 2u);
}

TEST(ConfigLoader, OmittedKeysTakeTheStructDefaults) {
    const load_result r = load_text("seed: 9\ntiming: {quantum: 2us}\n");
    ASSERT_TRUE(r.ok()) << all(r.errors);
    const platform::platform_config defaults;
    EXPECT_EQ(r.config.platform.seed, 9u);
    EXPECT_EQ(r.config.platform.timing.quantum, sc_time(2, SC_US));
    EXPECT_EQ(r.config.platform.timing.gic_insn, defaults.timing.gic_insn);
    EXPECT_EQ(r.config.platform.memory.size, defaults.memory.size);
    EXPECT_EQ(r.config.platform.pes.size(), defaults.pes.size());
}

TEST(ConfigLoader, JsonIsAcceptedAsYaml) {
    const load_result r = load_config(write_file(R"({"seed": 3, "duration": "1ms"})", ".json"));
    ASSERT_TRUE(r.ok()) << all(r.errors);
    EXPECT_EQ(r.config.platform.seed, 3u);
    EXPECT_EQ(r.config.platform.duration, sc_time(1, SC_MS));
}

TEST(ConfigLoader, AListInTheFileReplacesTheDefaultList) {
    const load_result r =
        load_text("sources:\n  - {rate: 1MHz}\n  - {rate: 50Hz, trigger: edge}\n");
    ASSERT_TRUE(r.ok()) << all(r.errors);
    ASSERT_EQ(r.config.platform.sources.size(), 2u);
    EXPECT_DOUBLE_EQ(r.config.platform.sources[0].rate_hz, 1e6);
    EXPECT_DOUBLE_EQ(r.config.platform.sources[1].rate_hz, 50.0);
    EXPECT_EQ(r.config.platform.sources[0].host_pe, 0u); // left out: the entry default
}

TEST(ConfigLoader, UnknownKeyNamesFileLineAndPath) {
    const std::string path = write_file("timing:\n  gic_insn: 10ns\n  quantom: 1us\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_STARTS_WITH(r.errors[0], path + ":3:3: timing.quantom: expected one of the keys ");
    EXPECT_CONTAINS(r.errors[0], "quantum");
    EXPECT_CONTAINS(r.errors[0], "got 'quantom'");
}

TEST(ConfigLoader, WrongTypeIsReported) {
    const std::string path = write_file("seed: 1\nirs:\n  vm_id_bits: [1, 2]\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_STARTS_WITH(r.errors[0], path + ":3:15: irs.vm_id_bits: expected ");
    EXPECT_CONTAINS(r.errors[0], "integer");
    EXPECT_CONTAINS(r.errors[0], "got '[1, 2]'");
}

TEST(ConfigLoader, BadUnitIsReported) {
    const std::string path = write_file("duration: 10 parsecs\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_STARTS_WITH(r.errors[0], path + ":1:11: duration: expected a time unit");
    EXPECT_CONTAINS(r.errors[0], "got '10 parsecs'");
}

TEST(ConfigLoader, OutOfRangeValueIsReported) {
    const std::string path = write_file("irs: {vm_id_bits: 17}\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_EQ(r.errors[0], path + ":1:19: irs.vm_id_bits: expected an integer in 1..16, got '17'");
}

TEST(ConfigLoader, TheTimingUnderLoadKeysLoad) {
    const load_result r = load_text(
        "timing: {link_occupancy: 0ns, bus_occupancy: 3ns}\n"
        "memory: {banks: 0, occupancy: 12ns, bandwidth: 0.5}\n"
        "irs: {engines: 64, vmap_service: 1us, setlpi_service: 0ns, doorbell_service: 7ns,\n"
        "      table_outstanding: 1024, table_occupancy: 50ns}\n");
    ASSERT_TRUE(r.ok()) << all(r.errors);
    const platform::platform_config& c = r.config.platform;
    EXPECT_EQ(c.timing.link_occupancy, sc_core::SC_ZERO_TIME);
    EXPECT_EQ(c.timing.bus_occupancy, sc_time(3, SC_NS));
    EXPECT_EQ(c.memory.banks, 0u);
    EXPECT_EQ(c.memory.occupancy, sc_time(12, SC_NS));
    EXPECT_DOUBLE_EQ(c.memory.bandwidth, 0.5);
    EXPECT_EQ(c.irs.engines, 64u);
    EXPECT_EQ(c.irs.vmap_service, sc_time(1, SC_US));
    EXPECT_EQ(c.irs.setlpi_service, sc_core::SC_ZERO_TIME);
    EXPECT_EQ(c.irs.doorbell_service, sc_time(7, SC_NS));
    EXPECT_EQ(c.irs.table_outstanding, 1024u);
    EXPECT_EQ(c.irs.table_occupancy, sc_time(50, SC_NS));
}

TEST(ConfigLoader, TheTimingUnderLoadKeysRejectValuesOutOfTheirRange) {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"irs.engines=65", "expected an integer in 0..64, got '65'"},
        {"irs.engines=-1", "expected a non-negative integer"},
        {"irs.table_outstanding=1025", "expected an integer in 0..1024"},
        {"memory.banks=2000", "expected an integer in 0..1024"},
        {"memory.bandwidth=abc", "expected a non-negative decimal number"},
        {"memory.bandwidth=-2", "expected a non-negative number"},
        {"memory.occupancy=-1ns", "expected a non-negative duration"},
        {"timing.link_occupancy=5", "expected a time unit"},
        {"irs.vmap_service=fast", "expected a duration"}};
    for (const auto& [set, expected] : bad) {
        const load_result r = load_text("seed: 1\n", {set});
        ASSERT_EQ(r.errors.size(), 1u) << set << "\n" << all(r.errors);
        const std::string key = set.substr(0, set.find('='));
        EXPECT_STARTS_WITH(r.errors[0], "--set " + set + ": " + key + ": " + expected);
    }
}

TEST(ConfigLoader, TwoErrorsInOneFileAreBothReported) {
    const std::string path = write_file("duration: 10\nirs: {vm_id_bits: 0}\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 2u) << all(r.errors);
    EXPECT_STARTS_WITH(r.errors[0], path + ":1:11: duration: ");
    EXPECT_STARTS_WITH(r.errors[1], path + ":2:19: irs.vm_id_bits: expected an integer in 1..16");
}

TEST(ConfigLoader, ErrorsAcrossSectionsAndListsAreAllCollectedInFileOrder) {
    const std::string path = write_file(
        "duration: 10\nvms:\n  - spis: 0\n    guest: {priority: 32}\nsources:\n  - rate: 0Hz\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 4u) << all(r.errors);
    EXPECT_STARTS_WITH(r.errors[0], path + ":1:11: duration: ");
    EXPECT_STARTS_WITH(r.errors[1], path + ":3:11: vms.0.spis: expected an integer in 1..65536");
    EXPECT_STARTS_WITH(r.errors[2], path + ":4:23: vms.0.guest.priority: ");
    EXPECT_STARTS_WITH(r.errors[3],
                       path + ":6:11: sources.0.rate: expected a frequency above 0 Hz");
}

TEST(ConfigLoader, ErrorsInListEntriesAndEnumsNameTheIndex) {
    const std::string path = write_file("pes:\n  - {role: host}\n  - {role: guest}\nsources: []\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_EQ(r.errors[0],
              path + ":3:12: pes.1.role: expected one of host, vcpu, script, iss, got 'guest'");
}

TEST(ConfigLoader, EdgeAndLevelSourcesOfOneVmNeedDisjointSpis) {
    const load_result ok = load_text("sources:\n  - {trigger: level}\n  - {trigger: level}\n");
    ASSERT_TRUE(ok.ok()) << all(ok.errors);
    EXPECT_EQ(ok.config.platform.sources[0].trigger, platform::trigger_mode::level);
    const load_result disjoint = load_text(
        "sources:\n  - {trigger: level, spi_first: 32}\n"
        "  - {trigger: edge, spi_count: 32, kind: poisson}\n"
        "  - {trigger: edge, kind: burst, burst_size: 4, burst_gap: 1us, spi_count: 8}\n");
    ASSERT_TRUE(disjoint.ok()) << all(disjoint.errors);
    EXPECT_EQ(disjoint.config.platform.sources[1].kind, platform::source_kind::poisson);
    EXPECT_EQ(disjoint.config.platform.sources[2].burst_size, 4u);
    EXPECT_EQ(disjoint.config.platform.sources[2].burst_gap, sc_time(1, SC_US));
    const std::string path =
        write_file("sources:\n  - {trigger: level, spi_first: 8, spi_count: 8}\n"
                   "  - {trigger: edge, spi_first: 12}\n");
    const load_result mixed = load_config(path);
    ASSERT_EQ(mixed.errors.size(), 1u) << all(mixed.errors);
    EXPECT_EQ(mixed.errors[0],
              path +
                  ":3:15: sources.1.trigger: expected SPIs apart from those of sources.0 (level), "
                  "since an SPI has one trigger mode; sources.1 (edge) and sources.0 both use 4 "
                  "SPIs of VM 0, the first SPI 12 (separate them with spi_first, spi_count or "
                  "vcpu)");
}

TEST(ConfigLoader, SourcesOnDifferentVcpusMayMixTriggerModes) {
    const load_result r = load_text("vms: [{vcpus: 2}]\npes: [{role: host}, {role: vcpu}]\n"
                                    "sources:\n  - {trigger: level, vcpu: 0}\n"
                                    "  - {trigger: edge, vcpu: 1}\n");
    ASSERT_TRUE(r.ok()) << all(r.errors);
    EXPECT_EQ(r.config.platform.sources[0].vcpu, 0);
    EXPECT_EQ(r.config.platform.sources[1].vcpu, 1);
}

TEST(ConfigLoader, ASourceRangeOutsideItsVmIsRejected) {
    const std::string path = write_file("vms: [{spis: 16}]\nsources:\n"
                                        "  - {spi_first: 16}\n  - {spi_first: 8, spi_count: 9}\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 2u) << all(r.errors);
    EXPECT_EQ(r.errors[0], path + ":3:17: sources.0.spi_first: expected an SPI of VM 0, below "
                                  "vms.0.spis = 16, got 16");
    EXPECT_EQ(r.errors[1], path + ":4:31: sources.1.spi_count: expected spi_first + spi_count <= "
                                  "vms.0.spis = 16, got 8 + 9");
}

TEST(ConfigLoader, ASourceVcpuMustExistAndHaveAnSpiOfTheRange) {
    const std::string path =
        write_file("vms: [{vcpus: 4}]\nsources:\n  - {vcpu: 4}\n"
                   "  - {vcpu: 3, spi_first: 4, spi_count: 3}\n  - {vcpu: -2}\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors); // -2: the loader's error hides the topology
    EXPECT_EQ(r.errors[0],
              path + ":5:12: sources.2.vcpu: expected an integer in -1..65535, got '-2'");
    const std::string path2 = write_file("vms: [{vcpus: 4}]\nsources:\n  - {vcpu: 4}\n"
                                         "  - {vcpu: 3, spi_first: 4, spi_count: 3}\n",
                                         "_2.yaml");
    const load_result r2 = load_config(path2);
    ASSERT_EQ(r2.errors.size(), 2u) << all(r2.errors);
    EXPECT_EQ(r2.errors[0], path2 + ":3:12: sources.0.vcpu: expected -1 or a vCPU of VM 0, below "
                                    "vms.0.vcpus = 4, got 4");
    EXPECT_EQ(r2.errors[1], path2 +
                                ":4:12: sources.1.vcpu: expected a vCPU to which the guest routes "
                                "an SPI of the range (SPI n goes to vCPU n % vms.0.vcpus), "
                                "got 3");
}

TEST(ConfigLoader, BurstsMustEndBeforeTheNextStarts) {
    const std::string path =
        write_file("sources: [{kind: burst, rate: 1MHz, burst_size: 11, burst_gap: 100ns}]\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_STARTS_WITH(r.errors[0], path +
                                        ":1:64: sources.0.burst_gap: expected (burst_size - 1) * "
                                        "burst_gap below 1/rate");
    EXPECT_TRUE(load_text("sources: [{kind: burst, rate: 1MHz, burst_size: 10}]\n").ok());
}

TEST(ConfigLoader, KeyGivenTwiceIsReported) {
    const load_result r = load_text("seed: 1\nseed: 2\n");
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_CONTAINS(r.errors[0], ":2:1: seed: expected a key not already given");
}

TEST(ConfigLoader, MissingFileIsReportedWithItsName) {
    const std::string path = ::testing::TempDir() + "gicv5_no_such_file.yaml";
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_STARTS_WITH(r.errors[0], path + ": cannot open");
}

TEST(ConfigLoader, YamlSyntaxErrorHasFileLineAndColumn) {
    const std::string path = write_file("seed: 1\ntiming: [1, 2\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_STARTS_WITH(r.errors[0], path + ":");
    EXPECT_CONTAINS(r.errors[0], "YAML syntax error");
}

TEST(ConfigLoader, TopLevelMustBeAMapping) {
    const load_result r = load_text("- seed\n- duration\n");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_CONTAINS(r.errors[0], ":1:1: (top level): expected a mapping with keys seed, ");
}

// ---- overrides ------------------------------------------------------------------------------

TEST(ConfigLoader, SetOverridesAreAppliedBeforeValidation) {
    const load_result r = load_config(GICV5_SOURCE_DIR "/configs/default.yaml",
                                      {"duration=1ms", "vms.0.tracking=none", "seed=7", "seed=8"});
    ASSERT_TRUE(r.ok()) << all(r.errors);
    EXPECT_EQ(r.config.platform.duration, sc_time(1, SC_MS));
    EXPECT_EQ(r.config.platform.vms[0].tracking, platform::tracking_policy::none);
    EXPECT_EQ(r.config.platform.seed, 8u);         // the last override wins
    EXPECT_EQ(r.config.platform.vms[0].spis, 64u); // the rest of the entry is kept
}

TEST(ConfigLoader, SetCreatesMissingSectionsAndStartsMissingListsFromTheirDefault) {
    const load_result r =
        load_text("seed: 1\n", {"timing.quantum=2us", "pes.1.role=vcpu", "sources.1.rate=1MHz"});
    ASSERT_TRUE(r.ok()) << all(r.errors);
    EXPECT_EQ(r.config.platform.timing.quantum, sc_time(2, SC_US));
    ASSERT_EQ(r.config.platform.pes.size(), 2u);
    EXPECT_EQ(r.config.platform.pes[1].role, platform::pe_role::vcpu);
    ASSERT_EQ(r.config.platform.sources.size(), 2u); // one past the end appends
    EXPECT_DOUBLE_EQ(r.config.platform.sources[1].rate_hz, 1e6);
}

TEST(ConfigLoader, BadSetPathIsRejectedNamingTheOverride) {
    const load_result r =
        load_text("seed: 1\n", {"timing.foo=1", "pes.9.role=host", "seed.x=1", "no_equals_sign"});
    ASSERT_EQ(r.errors.size(), 4u) << all(r.errors);
    EXPECT_STARTS_WITH(r.errors[0], "--set timing.foo=1: timing.foo: expected one of the keys "
                                    "gic_insn, ");
    EXPECT_STARTS_WITH(r.errors[1], "--set pes.9.role=host: pes.9: expected an index in 0..2");
    EXPECT_STARTS_WITH(r.errors[2], "--set seed.x=1: seed.x: ");
    EXPECT_STARTS_WITH(r.errors[3], "--set no_equals_sign: expected KEY.PATH=VALUE");
}

TEST(ConfigLoader, BadSetValueNamesTheOverrideInsteadOfAFilePosition) {
    const load_result r = load_text("seed: 1\n", {"seed=abc"});
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_STARTS_WITH(r.errors[0], "--set seed=abc: seed: expected a non-negative integer");
}

// ---- expectations ---------------------------------------------------------------------------

TEST(Expectations, ParsePathOperatorAndNumber) {
    auto e = parse_expectation("latency_ns.p99 < 5000");
    ASSERT_TRUE(e) << e.expected;
    EXPECT_EQ(e.value->path, "latency_ns.p99");
    EXPECT_EQ(e.value->op, compare_op::lt);
    EXPECT_DOUBLE_EQ(e.value->value, 5000);
    auto compact = parse_expectation("ap_list.max_length>=-1.5");
    ASSERT_TRUE(compact);
    EXPECT_EQ(compact.value->op, compare_op::ge);
    EXPECT_DOUBLE_EQ(compact.value->value, -1.5);
    for (const char* op : {"==", "!=", "<=", ">=", "<", ">"})
        EXPECT_STREQ(to_string(parse_expectation(std::string("a ") + op + " 1").value->op), op);
}

TEST(Expectations, MalformedExpectationsAreRejected) {
    for (const char* bad :
         {"interrupts.lost = 0", "interrupts.lost ==", "== 0", "interrupts..lost == 0",
          "interrupts.lost == 0 junk", "interrupts.lost == zero", ""})
        EXPECT_FALSE(parse_expectation(bad)) << bad;
}

TEST(Expectations, SyntaxErrorInConfigHasFileLineAndColumn) {
    const std::string path = write_file("expect:\n  - interrupts.lost = 0\n");
    const load_result r = load_config(path);
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_STARTS_WITH(r.errors[0],
                       path + ":2:5: expect.0: expected an expectation 'PATH OP NUMBER'");
    EXPECT_CONTAINS(r.errors[0], "got 'interrupts.lost = 0'");
}

TEST(Expectations, PathThatNoReportHasIsAConfigError) {
    const load_result r = load_text("expect:\n  - interrupts.lost == 0\n  - interrupts.losst == 0\n"
                                    "  - instructions.VDPEND >= 1\n  - config.file == 0\n");
    ASSERT_EQ(r.errors.size(), 2u) << all(r.errors);
    EXPECT_CONTAINS(r.errors[0], ":3:5: expect.1: ");
    EXPECT_CONTAINS(r.errors[1], ":5:5: expect.3: "); // a string, not a number
}

TEST(Expectations, AnyVmIndexIsAcceptedWithAKeyOfAVmEntry) {
    const load_result r = load_text("expect:\n  - vms.0.notifier_latency_ns.p99 <= 5000\n"
                                    "  - vms.12.locks.irq_lock.wait_ns == 0\n"
                                    "  - vms.0.nope == 0\n  - vms.x.vdpend == 0\n"
                                    "  - vms.0.tracking == 0\n  - vms.0.ap_list == 0\n"
                                    "  - vms.0 == 0\n");
    ASSERT_EQ(r.errors.size(), 5u) << all(r.errors);
    for (std::size_t i = 0; i < 5; ++i) // a string, an object and the entry are not numbers
        EXPECT_CONTAINS(r.errors[i], ": expect." + std::to_string(i + 2) + ": ");

    platform::run_results results;
    results.vms.resize(1);
    results.vms[0].notifier_latency.p99_ns = 4000;
    const std::vector<expectation> e = {
        *parse_expectation("vms.0.notifier_latency_ns.p99 <= 5000").value,
        *parse_expectation("vms.1.vdrcfg == 0").value};
    const std::vector<std::string> failures =
        evaluate(e, make_report(platform::platform_config{}, results, "a.yaml"));
    ASSERT_EQ(failures.size(), 1u) << all(failures);
    EXPECT_CONTAINS(failures[0], "no value at 'vms.1.vdrcfg'"); // past the last VM
}

TEST(Expectations, AnyResourceNameIsAcceptedWithAKeyOfAResourceEntry) {
    const load_result r = load_text("expect:\n  - resources.irs_engine.max_queue <= 4\n"
                                    "  - resources.cpuif7_link_up.shortfall.max_ns == 0\n"
                                    "  - resources.bus.nope == 0\n  - resources.bus == 0\n"
                                    "  - resources.bus.queueing_ns == 0\n");
    ASSERT_EQ(r.errors.size(), 3u) << all(r.errors);
    for (std::size_t i = 0; i < 3; ++i) // unknown, the entry and an object are not numbers
        EXPECT_CONTAINS(r.errors[i], ": expect." + std::to_string(i + 2) + ": ");

    platform::run_results results;
    results.resources.push_back({});
    results.resources[0].name = "irs_engine";
    results.resources[0].max_queue = 5;
    const std::vector<expectation> e = {
        *parse_expectation("resources.irs_engine.max_queue <= 4").value,
        *parse_expectation("resources.bus.requests == 0").value};
    const std::vector<std::string> failures =
        evaluate(e, make_report(platform::platform_config{}, results, "a.yaml"));
    ASSERT_EQ(failures.size(), 2u) << all(failures);
    EXPECT_CONTAINS(failures[0], "actual value 5");
    EXPECT_CONTAINS(failures[1], "no value at 'resources.bus.requests'"); // no such resource
}

TEST(Expectations, EvaluationReportsOnlyTheFailuresWithTheirOrigin) {
    const std::string path =
        write_file("expect:\n  - interrupts.lost == 0\n  - interrupts.delivered >= 10\n"
                   "  - drained == 1\n  - instructions.VDPEND > 0\n"
                   "  - instructions.CDEOI == 0\n");
    const load_result r = load_config(path);
    ASSERT_TRUE(r.ok()) << all(r.errors);
    platform::run_results results;
    results.injected = 13;
    results.delivered = 10;
    results.lost = 3;
    results.drained = true;
    results.instructions["VDPEND"] = 13;
    const auto report = make_report(r.config.platform, results, path);
    const std::vector<std::string> failures = evaluate(r.config.expectations, report);
    ASSERT_EQ(failures.size(), 2u) << all(failures);
    EXPECT_EQ(failures[0], "interrupts.lost == 0 (" + path + ":2:5): actual value 3");
    EXPECT_CONTAINS(failures[1], "instructions.CDEOI == 0 (" + path + ":6:5)");
    EXPECT_CONTAINS(failures[1], "no value at 'instructions.CDEOI'");

    results.lost = 0;
    results.instructions["CDEOI"] = 0;
    EXPECT_TRUE(
        evaluate(r.config.expectations, make_report(r.config.platform, results, path)).empty());
}

TEST(Report, HasTheVersionedSchema) {
    const auto report = make_report(platform::platform_config{}, platform::run_results{}, "a.yaml");
    EXPECT_EQ(report["schema"], "gicv5-sim-report");
    EXPECT_EQ(report["schema_version"], 1);
    EXPECT_EQ(report["config"]["file"], "a.yaml");
    for (const char* key : {"interrupts", "latency_ns", "ap_list", "vcpu_exits", "vms",
                            "instructions", "script", "drained", "sim_time_ns", "host_seconds"})
        EXPECT_TRUE(report.contains(key)) << key;
    EXPECT_TRUE(report["vms"].is_array()); // an array even with no VM
    EXPECT_TRUE(report["instructions"].is_object());
    EXPECT_TRUE(report["resources"].is_object()); // an object even with no resource
    EXPECT_EQ(report["script"]["steps"], 0);
    EXPECT_TRUE(report["script"]["failures"].is_array()); // an array even with no script
}

// ---- declared keys and docs -----------------------------------------------------------------

TEST(ConfigKeys, EveryDeclaredKeyAppearsInDocsConfigMdWithItsDefault) {
    std::ifstream in(GICV5_SOURCE_DIR "/docs/config.md");
    ASSERT_TRUE(in) << "cannot read docs/config.md";
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    const std::string doc = all(lines);
    for (const key_info& key : config_keys()) {
        EXPECT_FALSE(key.description.empty()) << key.path;
        if (key.kind != key_kind::value) {
            EXPECT_CONTAINS(doc, "`" + key.path + "`") << "section or list not documented";
            continue;
        }
        const std::string row_start = "| `" + key.path + "` |";
        const std::string* row = nullptr;
        for (const std::string& line : lines)
            if (line.rfind(row_start, 0) == 0)
                row = &line;
        ASSERT_NE(row, nullptr) << "no table row for " << key.path << " in docs/config.md";
        EXPECT_CONTAINS(*row, "| " + key.type + " |") << key.path;
        EXPECT_CONTAINS(*row, "| `" + key.default_value + "` |") << key.path;
    }
}

TEST(ConfigKeys, PrintedDefaultsLoadBackToTheStructDefaults) {
    std::string yaml;
    for (const key_info& key : config_keys())
        if (key.path.find_first_of(".[") == std::string::npos)
            yaml += key.path + ": " + key.default_value + "\n";
    const load_result r = load_text(yaml);
    ASSERT_TRUE(r.ok()) << all(r.errors) << yaml;
    const platform::platform_config d;
    const platform::platform_config& c = r.config.platform;
    EXPECT_EQ(c.seed, d.seed);
    EXPECT_EQ(c.drain_timeout, d.drain_timeout);
    EXPECT_EQ(c.timing.irs_op, d.timing.irs_op);
    EXPECT_EQ(c.memory.base, d.memory.base);
    EXPECT_EQ(c.memory.size, d.memory.size);
    EXPECT_EQ(c.irs.config_frame, d.irs.config_frame);
    EXPECT_EQ(c.hypervisor.poll_interval, d.hypervisor.poll_interval);
    ASSERT_EQ(c.pes.size(), d.pes.size());
    EXPECT_EQ(c.pes[1].role, d.pes[1].role);
    ASSERT_EQ(c.vms.size(), d.vms.size());
    EXPECT_EQ(c.vms[0].guest.priority, d.vms[0].guest.priority);
    ASSERT_EQ(c.sources.size(), d.sources.size());
    EXPECT_DOUBLE_EQ(c.sources[0].rate_hz, d.sources[0].rate_hz);
}

// ---- command line (input errors only: these never reach platform::run) -----------------------

int run_cli(std::vector<std::string> args) {
    args.insert(args.begin(), "gicv5-sim");
    std::vector<char*> argv;
    for (std::string& a : args)
        argv.push_back(a.data());
    return gicv5_sim::main(static_cast<int>(argv.size()), argv.data());
}

TEST(Cli, BadConfigExitsWithStatusTwo) {
    EXPECT_EQ(run_cli({write_file("seed: x\n")}), exit_bad_input);
}

TEST(Cli, BadCommandLineExitsWithStatusTwo) {
    EXPECT_EQ(run_cli({}), exit_bad_input);                         // CONFIG missing
    EXPECT_EQ(run_cli({"a.yaml", "--seed", "-1"}), exit_bad_input); // not a uint64
    EXPECT_EQ(run_cli({"a.yaml", "--no-such-option"}), exit_bad_input);
}

TEST(Cli, HelpExitsWithStatusZero) { EXPECT_EQ(run_cli({"--help"}), exit_ok); }

TEST(Cli, ABadTriggerExitsWithStatusTwoNamingFileLineAndColumn) {
    const std::string path = write_file("sources:\n  - {rate: 1MHz, trigger: pulse}\n");
    ::testing::internal::CaptureStderr();
    const int status = run_cli({path, "--quiet"});
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(status, exit_bad_input);
    EXPECT_EQ(err, path + ":2:27: sources.0.trigger: expected one of edge, level, got 'pulse'\n");
}

TEST(Cli, SourceTopologyErrorsExitWithStatusTwoNamingTheKeyPath) {
    const std::pair<const char*, const char*> cases[] = {
        {"sources:\n  - {trigger: level}\n  - {trigger: edge, spi_first: 60}\n",
         ": sources.1.trigger: expected SPIs apart from those of sources.0 (level)"},
        {"sources: [{spi_first: 60, spi_count: 8}]\n",
         ": sources.0.spi_count: expected spi_first + spi_count <= vms.0.spis = 64"},
        {"sources: [{vcpu: 1}]\n", ": sources.0.vcpu: expected -1 or a vCPU of VM 0"},
    };
    int n = 0;
    for (const auto& [yaml, message] : cases) {
        const std::string path = write_file(yaml, "_" + std::to_string(n++) + ".yaml");
        ::testing::internal::CaptureStderr();
        const int status = run_cli({path, "--quiet"});
        const std::string err = ::testing::internal::GetCapturedStderr();
        EXPECT_EQ(status, exit_bad_input) << yaml;
        EXPECT_STARTS_WITH(err, path + ":"); // then the line and column of the key
        EXPECT_NE(err.find(message), std::string::npos) << err;
    }
}

} // namespace

TEST(ConfigPlacement, AVmsPlacementPutsItsVcpusOnThosePesAndTheOthersAreDealtAround) {
    const load_result r = load_text("pes: [{role: host}, {role: vcpu}, {role: vcpu}]\n"
                                    "vms:\n"
                                    "  - {vcpus: 2, placement: [2, 2]}\n"
                                    "  - {vcpus: 3}\n");
    ASSERT_TRUE(r.ok()) << all(r.errors);
    const auto where = platform::placement(r.config.platform);
    EXPECT_EQ(where[0], (std::vector<unsigned>{2, 2}));
    EXPECT_EQ(where[1], (std::vector<unsigned>{1, 2, 1}));
}

TEST(ConfigPlacement, APlacementOfTheWrongLengthOrOnAPeThatRunsNoVcpusIsAnError) {
    const load_result r = load_text("pes: [{role: host}, {role: vcpu}]\n"
                                    "vms:\n"
                                    "  - {vcpus: 2, placement: [1]}\n"
                                    "  - {vcpus: 1, placement: [0]}\n");
    ASSERT_EQ(r.errors.size(), 2u) << all(r.errors);
    EXPECT_NE(all(r.errors).find("vms.0.placement: expected one PE per vCPU, 2 entries, got 1"),
              std::string::npos)
        << all(r.errors);
    EXPECT_NE(all(r.errors).find("vms.1.placement.0: expected the index of a PE with role vcpu"),
              std::string::npos)
        << all(r.errors);
}

TEST(ConfigPlacement, AnEntryThatIsNotAnIntegerNamesItsIndex) {
    const load_result r = load_text("vms:\n  - {vcpus: 1, placement: [x]}\n");
    ASSERT_EQ(r.errors.size(), 1u) << all(r.errors);
    EXPECT_NE(
        r.errors[0].find(":2:28: vms.0.placement.0: expected an integer in 0..16383, got 'x'"),
        std::string::npos)
        << r.errors[0];
}
