// sc_main for the GoogleTest executables. SystemC warnings and errors become test failures;
// errors and fatals keep their default actions (so a broken model stops the test).
#include <gtest/gtest.h>

#include <cstdlib>
#include <systemc>

namespace {
void report_handler(const sc_core::sc_report& r, const sc_core::sc_actions& actions) {
    if (r.get_severity() >= sc_core::SC_WARNING)
        ADD_FAILURE() << "SystemC "
                      << (r.get_severity() == sc_core::SC_WARNING ? "warning" : "error") << " from "
                      << r.get_msg_type() << ": " << r.get_msg();
    sc_core::sc_report_handler::default_handler(r, actions);
}
} // namespace

int sc_main(int argc, char* argv[]) {
    // Protocol checkers on every socket binding of every platform a test builds, and of every
    // gicv5-sim run a test starts (platform/protocol_checker.h); a violation is an error.
    setenv("GICV5_PROTOCOL_CHECKS", "1", 0);
    ::testing::InitGoogleTest(&argc, argv);
    sc_core::sc_report_handler::set_handler(report_handler);
    return RUN_ALL_TESTS();
}
