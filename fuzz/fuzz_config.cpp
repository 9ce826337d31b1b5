// libFuzzer target: the YAML config loader (sc_main/config_loader.h) on arbitrary text.
// Beyond not crashing (AddressSanitizer and UBSan are on), it asserts what gicv5-sim relies on:
// a config is either accepted, or refused with at least one error, each naming the file; an
// accepted config passes the platform's own topology check.
#include "config_loader.h"

#include <systemc> // declares sc_main, which libsystemc needs defined

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>

// libFuzzer brings main(); libsystemc's main() and sc_main() are not used.
int sc_main(int, char*[]) { return 0; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const gicv5_sim::load_result r = gicv5_sim::load_config_text(text, "fuzz.yaml", {});
    for (const std::string& e : r.errors)
        if (e.rfind("fuzz.yaml", 0) != 0) {
            std::fprintf(stderr, "an error that does not name the file: %s\n", e.c_str());
            std::abort();
        }
    if (r.ok() && !platform::check_topology(r.config.platform).empty()) {
        std::fprintf(stderr, "an accepted config that fails the topology check\n");
        std::abort();
    }
    return 0;
}
