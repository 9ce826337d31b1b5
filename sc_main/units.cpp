#include "units.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

namespace gicv5_sim::units {
namespace {

template <std::size_t N>
using unit_table = std::array<std::pair<std::string_view, double>, N>;

// Scale of each unit in femtoseconds, the smallest SystemC unit. Powers of ten up to 1e15 are
// exact doubles.
constexpr unit_table<6> time_units{
    {{"s", 1e15}, {"ms", 1e12}, {"us", 1e9}, {"ns", 1e6}, {"ps", 1e3}, {"fs", 1.0}}};
constexpr unit_table<4> frequency_units{{{"GHz", 1e9}, {"MHz", 1e6}, {"kHz", 1e3}, {"Hz", 1.0}}};
constexpr std::array<std::pair<std::string_view, unsigned>, 5> size_units{
    {{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}};

constexpr std::string_view time_unit_list = "fs, ps, ns, us, ms, s";
constexpr std::string_view frequency_unit_list = "Hz, kHz, MHz, GHz";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A plain decimal number "12" or "1.5" at the start of text; pos is set past it. No sign and no
// exponent: config values are written by people, and "1e3ns" is more likely a typo than intent.
std::optional<double> leading_number(std::string_view text, std::size_t& pos) {
    pos = 0;
    while (pos < text.size() && is_digit(text[pos]))
        ++pos;
    std::size_t int_digits = pos;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        std::size_t frac_start = pos;
        while (pos < text.size() && is_digit(text[pos]))
            ++pos;
        if (pos == frac_start)
            return std::nullopt; // "1." is not a number
    }
    if (int_digits == 0)
        return std::nullopt;
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + pos, value);
    if (ec != std::errc() || end != text.data() + pos)
        return std::nullopt;
    return value;
}

// The unit after a number, with optional blanks in between ("1.5 us").
std::string_view unit_after(std::string_view text, std::size_t pos) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t'))
        ++pos;
    return text.substr(pos);
}

template <std::size_t N>
std::optional<double> scale_of(const unit_table<N>& table, std::string_view unit) {
    for (const auto& [name, scale] : table)
        if (name == unit)
            return scale;
    return std::nullopt;
}

double resolution_fs() { return std::round(sc_core::sc_get_time_resolution().to_seconds() * 1e15); }

// Shortest text that parses back to the same double.
std::string shortest(double v) {
    std::array<char, 64> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    (void)ec; // 64 characters always suffice for a double
    return std::string(buf.data(), end);
}

} // namespace

parsed<sc_core::sc_time> parse_duration(std::string_view text) {
    using result = parsed<sc_core::sc_time>;
    const std::string example = " (" + std::string(time_unit_list) + "), e.g. 20ns";
    if (!text.empty() && text[0] == '-')
        return result::fail("a non-negative duration");
    std::size_t pos = 0;
    auto number = leading_number(text, pos);
    if (!number)
        return result::fail("a duration: a number and a time unit" + example);
    std::string_view unit = unit_after(text, pos);
    if (unit.empty())
        return result::fail("a time unit after the number" + example);
    auto scale = scale_of(time_units, unit);
    if (!scale)
        return result::fail("a time unit after the number" + example);

    // Counted in resolution steps, as sc_time stores it; a fraction of a step would be rounded
    // away silently by sc_time itself.
    const double res = resolution_fs();
    const double steps = *number * *scale / res;
    if (steps > 9.2e18)
        return result::fail("a duration that fits in a SystemC sc_time");
    const double whole = std::round(steps);
    if (std::fabs(steps - whole) > 1e-6 * std::max(1.0, steps))
        return result::fail("a multiple of the SystemC time resolution (" +
                            sc_core::sc_get_time_resolution().to_string() + ")");
    return result::ok(
        sc_core::sc_time::from_value(static_cast<sc_core::sc_time::value_type>(whole)));
}

parsed<double> parse_frequency(std::string_view text) {
    using result = parsed<double>;
    const std::string example = " (" + std::string(frequency_unit_list) + "), e.g. 100kHz";
    if (!text.empty() && text[0] == '-')
        return result::fail("a frequency above 0 Hz");
    std::size_t pos = 0;
    auto number = leading_number(text, pos);
    if (!number)
        return result::fail("a frequency: a number and a unit" + example);
    std::string_view unit = unit_after(text, pos);
    auto scale = scale_of(frequency_units, unit);
    if (unit.empty() || !scale)
        return result::fail("a frequency unit after the number" + example);
    const double hz = *number * *scale;
    if (!(hz > 0) || !std::isfinite(hz))
        return result::fail("a frequency above 0 Hz");
    return result::ok(hz);
}

parsed<uint64_t> parse_integer(std::string_view text) {
    using result = parsed<uint64_t>;
    int base = 10;
    std::string_view digits = text;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        digits = text.substr(2);
    }
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (ec == std::errc::result_out_of_range)
        return result::fail("an integer below 2^64");
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
        return result::fail("a non-negative integer (decimal, or hexadecimal with 0x)");
    return result::ok(value);
}

parsed<double> parse_number(std::string_view text) {
    using result = parsed<double>;
    if (!text.empty() && text[0] == '-')
        return result::fail("a non-negative number");
    std::size_t pos = 0;
    auto number = leading_number(text, pos);
    // Too many digits for a double fails here too, so the value is always finite.
    if (!number || pos != text.size())
        return result::fail("a non-negative decimal number, e.g. 16 or 0.5");
    return result::ok(*number);
}

parsed<uint64_t> parse_size(std::string_view text) {
    using result = parsed<uint64_t>;
    const std::string expected =
        "a size in bytes: an integer (decimal, or hexadecimal with 0x), optionally followed by "
        "B, KiB, MiB, GiB or TiB, e.g. 16MiB";
    // Hex sizes take no unit: 'B' is also a hex digit.
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        auto whole = parse_integer(text);
        return whole ? whole : result::fail(expected);
    }
    std::size_t pos = 0;
    while (pos < text.size() && is_digit(text[pos]))
        ++pos;
    auto number = parse_integer(text.substr(0, pos));
    if (!number)
        return result::fail(pos == 0 ? expected : number.expected);
    std::string_view unit = unit_after(text, pos);
    if (unit.empty())
        return number;
    for (const auto& [name, shift] : size_units) {
        if (name != unit)
            continue;
        if (shift > 0 && *number.value > (~uint64_t{0} >> shift))
            return result::fail("a size below 2^64 bytes");
        return result::ok(*number.value << shift);
    }
    return result::fail(expected);
}

std::string format_duration(const sc_core::sc_time& t) {
    const auto steps = t.value();
    const double res = resolution_fs();
    if (steps == 0)
        return "0ns";
    for (const auto& [name, scale] : time_units) {
        if (scale < res)
            break;
        const auto per_unit = static_cast<uint64_t>(scale / res);
        if (steps % per_unit == 0)
            return std::to_string(steps / per_unit) + std::string(name);
    }
    return shortest(t.to_seconds() * 1e15) + "fs"; // unreachable: the resolution is a unit
}

std::string format_frequency(double hz) {
    for (const auto& [name, scale] : frequency_units) {
        const double n = hz / scale;
        if (n >= 1 && n == std::floor(n) && n * scale == hz)
            return shortest(n) + std::string(name);
    }
    return shortest(hz) + "Hz";
}

std::string format_size(uint64_t bytes) {
    for (const auto& [name, shift] : size_units) {
        if (shift == 0 || bytes == 0)
            break;
        if ((bytes & ((uint64_t{1} << shift) - 1)) == 0)
            return std::to_string(bytes >> shift) + std::string(name);
    }
    return std::to_string(bytes);
}

std::string format_number(double v) { return shortest(v); }

std::string format_hex(uint64_t value) {
    std::array<char, 24> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value, 16);
    (void)ec;
    return "0x" + std::string(buf.data(), end);
}

} // namespace gicv5_sim::units
