// Helpers the sim tests share: a config file per test, and errors as one text.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace sim_test {

// Writes text to a file named after the running test; returns its path.
inline std::string write_file(const std::string& text, const std::string& suffix = ".yaml") {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string path =
        ::testing::TempDir() + "gicv5_" + info->test_suite_name() + "_" + info->name() + suffix;
    std::ofstream(path) << text;
    return path;
}

inline std::string all(const std::vector<std::string>& errors) {
    std::string text;
    for (const std::string& e : errors)
        text += e + "\n";
    return text;
}

} // namespace sim_test
