// sc_main for the GoogleTest executables. SystemC warnings and errors become test failures;
// errors and fatals keep their default actions (so a broken model stops the test).
#include <gtest/gtest.h>
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
    ::testing::InitGoogleTest(&argc, argv);
    sc_core::sc_report_handler::set_handler(report_handler);
    return RUN_ALL_TESTS();
}
