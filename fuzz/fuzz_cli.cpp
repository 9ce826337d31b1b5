// libFuzzer target: gicv5-sim's command line and config loading together, as a user or a script
// would drive them. An input is a command line, one word per line, then a blank line, then the
// text of a config file; the word "@" stands for that file's path. gicv5_sim::check_command_line()
// goes through everything main() does up to the start of a run (parsing, the options against each
// other and the mode, loading the config and every sweep point's, reading --merge's reports) and
// writes nothing. Beyond not crashing (AddressSanitizer and UBSan are on), it asserts that bad
// input is exit 2: never 3 ("internal error"), and nothing else.
#include "cli.h"

#include <systemc> // declares sc_main, which libsystemc needs defined

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

// libFuzzer brings main(); libsystemc's main() and sc_main() are not used.
int sc_main(int, char*[]) { return 0; }

namespace {
// One config file per process, rewritten for each input.
const std::string& config_path() {
    static const std::string path = [] {
        char name[] = "/tmp/fuzz_cli_XXXXXX.yaml";
        const int fd = ::mkstemps(name, 5);
        if (fd >= 0)
            ::close(fd);
        return std::string(name);
    }();
    return path;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const std::size_t blank = input.find("\n\n");
    const std::string line_text = input.substr(0, blank);
    const std::string config = blank == std::string::npos ? "" : input.substr(blank + 2);
    std::ofstream(config_path(), std::ios::trunc) << config;

    std::vector<std::string> words{"gicv5-sim"};
    std::size_t start = 0;
    while (start <= line_text.size() && !line_text.empty()) {
        const std::size_t end = std::min(line_text.find('\n', start), line_text.size());
        const std::string word = line_text.substr(start, end - start);
        words.push_back(word == "@" ? config_path() : word);
        start = end + 1;
    }
    std::vector<char*> argv;
    for (std::string& w : words)
        argv.push_back(w.data());
    argv.push_back(nullptr);
    const int status = gicv5_sim::check_command_line(static_cast<int>(words.size()), argv.data());
    if (status != gicv5_sim::exit_ok && status != gicv5_sim::exit_bad_input) {
        std::fprintf(stderr, "exit status %d: bad input must be exit 2\n", status);
        std::abort();
    }
    return 0;
}
