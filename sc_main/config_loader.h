// Loads a scenario file (YAML, or JSON as a subset of it) into the typed platform configuration.
// Every key is declared once (type, default, unit, description); config_keys() exposes those
// declarations so that docs/config.md can be checked against them.
#pragma once

#include "expect.h"

#include "platform/platform_config.h"

#include <cstddef>
#include <string>
#include <vector>

namespace gicv5_sim {

// What a scenario file describes: the platform, plus the checks to run on its report.
struct sim_config {
    platform::platform_config platform;
    std::vector<expectation> expectations;
};

struct load_result {
    sim_config config;               // meaningful only when errors is empty
    std::vector<std::string> errors; // "FILE:LINE:COLUMN: key.path: expected WHAT, got 'VALUE'"
    bool ok() const { return errors.empty(); }
};

// Reads path, applies the overrides ("key.path=value", as given to --set) to the document, then
// validates it, collecting every error rather than stopping at the first. An error in a value an
// override supplied is prefixed "--set key.path=value:" instead of a file position. The platform's
// check_topology() runs only when every key was valid (a half-read config would give misleading
// topology messages); its messages are prefixed with the file name.
// The file must be a regular file (not a directory, FIFO or device) of at most
// config_size_limit bytes; YAML must be one document, without tags beyond YAML's core schema.
load_result load_config(const std::string& path, const std::vector<std::string>& overrides = {});

// 16 MiB: far above any real config (the largest in configs/ is a few KiB), far below what
// would exhaust the host while parsing.
constexpr std::size_t config_size_limit = std::size_t{16} << 20;

// As load_config, for a document already in memory; file_name is used in messages only.
load_result load_config_text(const std::string& text, const std::string& file_name,
                             const std::vector<std::string>& overrides = {});

enum class key_kind { value, section, list };

struct key_info {
    std::string path; // "timing.gic_insn"; keys of list entries as "vms[].guest.priority"
    key_kind kind = key_kind::value;
    std::string type;          // "duration", "integer, 1..16", "one of: ap_list, none", ...
    std::string default_value; // as YAML text: "10ns", "0x80000000", "[{role: host}, ...]"
    std::string unit;          // accepted units, or what a number counts ("bits"); may be empty
    std::string description;   // one line
};

// Every key the loader accepts, sections and lists included, in declaration order. Defaults are
// those of a default-constructed platform_config (for keys of list entries: of a
// default-constructed entry).
const std::vector<key_info>& config_keys();

} // namespace gicv5_sim
