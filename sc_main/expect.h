// Expectations: checks written in a config file's `expect:` list, "PATH OP NUMBER", evaluated
// against the JSON report once the run is over. They turn a scenario into a regression test.
#pragma once

#include "units.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace gicv5_sim {

enum class compare_op { eq, ne, le, ge, lt, gt };

struct expectation {
    std::string text; // as written, for messages
    std::string path; // dotted path into the report, e.g. "latency_ns.p99"
    compare_op op = compare_op::eq;
    double value = 0;
    std::string origin; // where it was written ("configs/default.yaml:40:5"); may be empty
};

// "==", "!=", "<=", ">=", "<", ">".
const char* to_string(compare_op op);

// Parses "PATH OP NUMBER" (blanks around OP optional). origin is left empty. On failure,
// .expected describes the accepted syntax.
units::parsed<expectation> parse_expectation(std::string_view text);

// The value at a dotted path ("ap_list.final_length"; array elements by index), or nullptr.
const nlohmann::ordered_json* find_path(const nlohmann::ordered_json& root, std::string_view path);

// One message per expectation that does not hold, e.g.
// "interrupts.lost == 0 (configs/default.yaml:40:5): actual value 3".
// A path missing from the report, or naming something other than a number or boolean (true
// counts as 1), fails the expectation.
std::vector<std::string> evaluate(const std::vector<expectation>& expectations,
                                  const nlohmann::ordered_json& report);

} // namespace gicv5_sim
