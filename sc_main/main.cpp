// libsystemc defines main() and calls sc_main(); everything else lives in gicv5_sim_lib.
#include "cli.h"

#include <systemc>

#include <cstdlib>

namespace {
// SystemC prints its banner in sc_elab_and_sim(), before sc_main() starts, unless this variable is
// set: a static initialiser is the only code of ours that runs earlier. Nothing of gicv5-sim's
// output (--help, --version, the summary, a sweep's points) wants it.
const bool banner_off = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1) == 0;
} // namespace

int sc_main(int argc, char* argv[]) { return gicv5_sim::main(argc, argv); }
