// Helpers the sim tests share: a config file per test, errors as one text, the command line.
#pragma once

#include "cli.h"

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

// gicv5-sim with these arguments, in this process (it elaborates SystemC when it runs a config).
inline int run_cli(std::vector<std::string> args) {
    args.insert(args.begin(), "gicv5-sim");
    std::vector<char*> argv;
    for (std::string& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    return gicv5_sim::main(static_cast<int>(args.size()), argv.data());
}

} // namespace sim_test
