// Malformed configs (tests/fixtures/bad_configs): each makes gicv5-sim exit 2 with an error that
// names the file, the line and the key. A fixture's first line says which:
//   # expect-error: LINE KEY (what is wrong)
// Bad --set values do the same, naming the override instead of a line.
#include "sim_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace {

const std::string fixtures = std::string(GICV5_SOURCE_DIR) + "/tests/fixtures/bad_configs";

std::vector<std::string> fixture_names() {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(fixtures))
        if (e.path().extension() == ".yaml")
            names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

struct expectation {
    std::string line, key;
};

expectation expected_of(const std::string& path) {
    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    const std::string tag = "# expect-error: ";
    if (first.rfind(tag, 0) != 0)
        return {};
    const std::string rest = first.substr(tag.size());
    const std::size_t space = rest.find(' ');
    const std::size_t paren = rest.find(" (");
    return {rest.substr(0, space), rest.substr(space + 1, paren - space - 1)};
}

class BadConfig : public ::testing::TestWithParam<std::string> {};

} // namespace

TEST_P(BadConfig, ExitsTwoNamingTheFileLineAndKey) {
    const std::string path = fixtures + "/" + GetParam() + ".yaml";
    const expectation want = expected_of(path);
    ASSERT_FALSE(want.line.empty()) << path << ": no '# expect-error: LINE KEY' first line";
    const std::string err = ::testing::TempDir() + "bad_config_" + GetParam() + ".err";
    const std::string cmd = "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 '" + std::string(GICV5_SIM_EXE) +
                            "' '" + path + "' --quiet --report /dev/null >/dev/null 2>'" + err +
                            "'";
    const int st = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 2);
    std::ifstream in(err);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(text.find(path + ":" + want.line + ":"), std::string::npos) << text;
    EXPECT_NE(text.find(want.key), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BadConfig, ::testing::ValuesIn(fixture_names()));

namespace {
// A bad --set value of a timing-under-load key: exit 2, the error naming the override and the key.
using set_case = std::pair<std::string, std::string>; // --set text, what the error expects
class BadSetValue : public ::testing::TestWithParam<set_case> {};

// The --set text with '_' for what a test or file name cannot hold.
std::string plain_name(std::string text) {
    for (char& c : text)
        if (!std::isalnum(static_cast<unsigned char>(c)))
            c = '_';
    return text;
}
} // namespace

TEST_P(BadSetValue, ExitsTwoNamingTheKeyAndWhatWasExpected) {
    const auto& [set, expected] = GetParam();
    const std::string key = set.substr(0, set.find('='));
    const std::string err = ::testing::TempDir() + "bad_set_" + plain_name(set) + ".err";
    const std::string cmd = "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 '" + std::string(GICV5_SIM_EXE) +
                            "' '" + GICV5_SOURCE_DIR + "/configs/default.yaml' --set '" + set +
                            "' --quiet --report /dev/null >/dev/null 2>'" + err + "'";
    const int st = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 2);
    std::ifstream in(err);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(text.find("--set " + set + ": " + key + ": expected " + expected), std::string::npos)
        << text;
}

INSTANTIATE_TEST_SUITE_P(
    TimingUnderLoad, BadSetValue,
    ::testing::Values(set_case{"irs.engines=-1", "a non-negative integer"},
                      set_case{"irs.engines=65", "an integer in 0..64"},
                      set_case{"memory.bandwidth=abc", "a non-negative decimal number"},
                      set_case{"timing.bus_occupancy=-2ns", "a non-negative duration"}),
    [](const auto& info) { return plain_name(info.param.first); });
