// The gicv5-sim command line: load a scenario, run it, write the report, check expectations.
#pragma once

namespace gicv5_sim {

// Process exit statuses of gicv5-sim (documented in docs/config.md).
enum exit_status : int {
    exit_ok = 0,                 // run finished, every expectation and script check held
    exit_expectation_failed = 1, // run finished, an expectation or a script check failed
    exit_bad_input = 2,          // bad command line or config, or an output cannot be written
    exit_internal_error = 3,     // the simulation or SystemC threw
};

// gicv5-sim's command line (README "Using gicv5-sim"). Returns the exit status.
// platform::run() elaborates SystemC, so call this once per process.
int main(int argc, char** argv);

// As main(), up to where a run (or a sweep's points, or --merge's CSV) would start: parses the
// command line, checks the options against each other and loads the config (every sweep point's;
// --merge's reports), and writes nothing. Returns the exit status main() would have returned had
// everything run without fault: 0, or 2 for bad input, 3 for an internal error.
int check_command_line(int argc, char** argv);

// SystemC messages: info on stdout (none with --quiet), warnings and errors on stderr; a fatal
// error throws (the command line ends with exit 3) instead of aborting. main() installs it.
void install_report_handler();

} // namespace gicv5_sim
