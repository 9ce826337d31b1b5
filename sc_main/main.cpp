// libsystemc defines main() and calls sc_main(); everything else lives in gicv5_sim_lib.
#include "cli.h"

#include <systemc>

int sc_main(int argc, char* argv[]) { return gicv5_sim::main(argc, argv); }
