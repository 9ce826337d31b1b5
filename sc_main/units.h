// Parsing and printing of the quantities a config file holds: durations, frequencies, sizes and
// plain numbers. Parsers are strict (no bare numbers where a unit is needed, no trailing junk)
// because a silently misread latency makes every measurement of a run wrong.
#pragma once

#include <systemc>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gicv5_sim::units {

// Either a value, or a description of what was expected ("a time unit (fs, ps, ns, us, ms, s)
// after the number"), ready for "expected WHAT, got 'VALUE'".
template <class T>
struct parsed {
    std::optional<T> value;
    std::string expected;

    explicit operator bool() const { return value.has_value(); }
    static parsed ok(T v) { return {std::move(v), {}}; }
    static parsed fail(std::string what) { return {std::nullopt, std::move(what)}; }
};

// "20ns", "1.5 us", "10ms", "2s", "100ps", "0ns". Non-negative; must be a whole number of
// SystemC time resolution steps.
parsed<sc_core::sc_time> parse_duration(std::string_view text);

// "100kHz", "1MHz", "50Hz", "2.5GHz", in Hz. Strictly positive.
parsed<double> parse_frequency(std::string_view text);

// "16MiB", "4KiB", "1GiB", "512B", or a plain integer (decimal or 0x hex), in bytes.
parsed<uint64_t> parse_size(std::string_view text);

// Decimal ("42") or hexadecimal ("0x2f1a0000") unsigned 64-bit integer.
parsed<uint64_t> parse_integer(std::string_view text);

// A plain non-negative decimal number with an optional fraction: "16", "0.5". No unit, sign or
// exponent (the unit is the key's).
parsed<double> parse_number(std::string_view text);

// Inverse of the parsers, choosing the largest unit that keeps the number whole, so that the
// printed text parses back to the same value: "10ms", "100kHz", "16MiB", "0x80000000", "0.5".
std::string format_duration(const sc_core::sc_time& t);
std::string format_frequency(double hz);
std::string format_size(uint64_t bytes);
std::string format_hex(uint64_t value);
std::string format_number(double v);

} // namespace gicv5_sim::units
