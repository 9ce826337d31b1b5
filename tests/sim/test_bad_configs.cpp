// Malformed configs (tests/fixtures/bad_configs): each makes gicv5-sim exit 2 with an error that
// names the file, the line and the key. A fixture's first line says which:
//   # expect-error: LINE KEY (what is wrong)
#include "sim_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
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
