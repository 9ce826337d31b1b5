#include "expect.h"

#include <array>
#include <charconv>
#include <cmath>
#include <utility>

namespace gicv5_sim {
namespace {

bool is_path_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Two-character operators first, so "<=" is not read as "<" followed by "=0".
constexpr std::array<std::pair<std::string_view, compare_op>, 6> operators{{{"==", compare_op::eq},
                                                                            {"!=", compare_op::ne},
                                                                            {"<=", compare_op::le},
                                                                            {">=", compare_op::ge},
                                                                            {"<", compare_op::lt},
                                                                            {">", compare_op::gt}}};

bool holds(double actual, compare_op op, double wanted) {
    switch (op) {
    case compare_op::eq: return actual == wanted;
    case compare_op::ne: return actual != wanted;
    case compare_op::le: return actual <= wanted;
    case compare_op::ge: return actual >= wanted;
    case compare_op::lt: return actual < wanted;
    case compare_op::gt: return actual > wanted;
    }
    return false;
}

} // namespace

const char* to_string(compare_op op) {
    for (const auto& [text, o] : operators)
        if (o == op)
            return text.data(); // the literals are NUL-terminated
    return "?";
}

units::parsed<expectation> parse_expectation(std::string_view text) {
    using result = units::parsed<expectation>;
    const std::string syntax = "an expectation 'PATH OP NUMBER' with OP one of == != <= >= < >, "
                               "e.g. 'interrupts.lost == 0'";
    expectation e;
    e.text = std::string(text);
    std::size_t pos = 0;
    while (pos < text.size() && is_blank(text[pos]))
        ++pos;
    const std::size_t path_start = pos;
    while (pos < text.size() && is_path_char(text[pos]))
        ++pos;
    e.path = std::string(text.substr(path_start, pos - path_start));
    // Every dotted component must be non-empty: no leading, trailing or doubled dots.
    if (e.path.empty() || e.path.front() == '.' || e.path.back() == '.' ||
        e.path.find("..") != std::string::npos)
        return result::fail(syntax);
    while (pos < text.size() && is_blank(text[pos]))
        ++pos;
    bool found = false;
    for (const auto& [op_text, op] : operators) {
        if (text.substr(pos, op_text.size()) == op_text) {
            e.op = op;
            pos += op_text.size();
            found = true;
            break;
        }
    }
    if (!found)
        return result::fail(syntax);
    while (pos < text.size() && is_blank(text[pos]))
        ++pos;
    std::size_t end = text.size();
    while (end > pos && is_blank(text[end - 1]))
        --end;
    const char* first = text.data() + pos;
    const char* last = text.data() + end;
    auto [stop, ec] = std::from_chars(first, last, e.value);
    if (first == last || ec != std::errc() || stop != last || !std::isfinite(e.value))
        return result::fail(syntax);
    return result::ok(std::move(e));
}

const nlohmann::ordered_json* find_path(const nlohmann::ordered_json& root, std::string_view path) {
    const nlohmann::ordered_json* node = &root;
    while (!path.empty()) {
        const std::size_t dot = path.find('.');
        const std::string part(path.substr(0, dot));
        path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
        if (node->is_object()) {
            auto it = node->find(part);
            if (it == node->end())
                return nullptr;
            node = &*it;
        } else if (node->is_array()) {
            std::size_t index = 0;
            auto [stop, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
            if (ec != std::errc() || stop != part.data() + part.size() || index >= node->size())
                return nullptr;
            node = &(*node)[index];
        } else {
            return nullptr;
        }
    }
    return node;
}

std::vector<std::string> evaluate(const std::vector<expectation>& expectations,
                                  const nlohmann::ordered_json& report) {
    std::vector<std::string> failures;
    for (const expectation& e : expectations) {
        std::string head = e.text;
        if (!e.origin.empty())
            head += " (" + e.origin + ")";
        const nlohmann::ordered_json* actual = find_path(report, e.path);
        if (!actual) {
            failures.push_back(head + ": the report has no value at '" + e.path + "'");
        } else if (actual->is_boolean()) {
            if (!holds(actual->get<bool>() ? 1.0 : 0.0, e.op, e.value))
                failures.push_back(head + ": actual value " + actual->dump());
        } else if (!actual->is_number()) {
            failures.push_back(head + ": '" + e.path + "' is a " + actual->type_name() +
                               " in the report, not a number");
        } else if (!holds(actual->get<double>(), e.op, e.value)) {
            failures.push_back(head + ": actual value " + actual->dump());
        }
    }
    return failures;
}

} // namespace gicv5_sim
