// The protocol checkers (platform/protocol_checker.h): each rule they check is broken once by a
// faulty target and seen; a well-behaved platform run breaks none (the whole suite runs with the
// checkers on every binding: GICV5_PROTOCOL_CHECKS=1).
#include "common/scripted_platform.h"
#include "platform/protocol_checker.h"
#include "tlm_gicv5/transaction.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

// A target that breaks one rule, chosen by the test.
struct faulty_target : sc_core::sc_module {
    enum class fault { none, no_response, moves_address, decreases_delay, bad_dmi };
    tlm_utils::simple_target_socket<faulty_target> socket;
    fault f = fault::none;
    unsigned char mem[64] = {};
    SC_CTOR(faulty_target) : socket("socket") {
        socket.register_b_transport(this, &faulty_target::b_transport);
        socket.register_get_direct_mem_ptr(this, &faulty_target::get_direct_mem_ptr);
    }
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
        if (f == fault::moves_address)
            tx.set_address(tx.get_address() + 4);
        if (f == fault::decreases_delay)
            delay = sc_core::SC_ZERO_TIME;
        else
            delay += sc_core::sc_time(10, sc_core::SC_NS);
        if (f != fault::no_response)
            tx.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
        dmi.set_dmi_ptr(mem);
        dmi.set_start_address(0x100); // not the requested address
        dmi.set_end_address(0x13f);
        dmi.allow_read_write();
        return f == fault::bad_dmi;
    }
};

struct initiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<initiator> socket;
    SC_CTOR(initiator) : socket("socket") {}
};

std::vector<std::string> g_reports;
void collect(const sc_core::sc_report& r, const sc_core::sc_actions&) {
    g_reports.push_back(r.get_msg());
}

} // namespace

TEST(ProtocolChecker, SeesEachBrokenRuleAndNothingOnAGoodAccess) {
    initiator ini("ini");
    platform::base_protocol_checker check("check");
    faulty_target tgt("tgt");
    ini.socket.bind(check.in);
    check.out.bind(tgt.socket);
    sc_core::sc_report_handler::set_handler(collect);
    uint32_t v = 0;
    auto access = [&](faulty_target::fault f, sc_core::sc_time delay) {
        tgt.f = f;
        g_reports.clear();
        tlm::tlm_generic_payload tx;
        gicv5::init_transaction(tx, tlm::TLM_READ_COMMAND, 0x10, &v, 4);
        ini.socket->b_transport(tx, delay);
        return g_reports;
    };
    const sc_core::sc_time d(5, sc_core::SC_NS);
    EXPECT_TRUE(access(faulty_target::fault::none, d).empty());
    const uint64_t before = platform::protocol_violations();
    EXPECT_EQ(access(faulty_target::fault::no_response, d).size(), 1u);
    EXPECT_EQ(access(faulty_target::fault::moves_address, d).size(), 1u);
    EXPECT_EQ(access(faulty_target::fault::decreases_delay, d).size(), 1u);
    // A DMI grant that does not cover the requested address.
    tgt.f = faulty_target::fault::bad_dmi;
    g_reports.clear();
    tlm::tlm_generic_payload tx;
    gicv5::init_transaction(tx, tlm::TLM_READ_COMMAND, 0x10, &v, 4);
    tlm::tlm_dmi dmi;
    ini.socket->get_direct_mem_ptr(tx, dmi);
    EXPECT_EQ(g_reports.size(), 1u);
    EXPECT_EQ(platform::protocol_violations() - before, 4u);
    sc_core::sc_report_handler::set_handler(sc_core::sc_report_handler::default_handler);
}

TEST(ProtocolChecker, ARunOfThePlatformWithCheckersOnEveryBindingBreaksNoRule) {
    platform::platform_config cfg; // the default scenario, with its sources
    cfg.duration = sc_core::sc_time(2, sc_core::SC_MS);
    tlm::tlm_global_quantum::instance().set(cfg.timing.quantum);
    platform::build_options o;
    o.protocol_checks = true;
    platform::gicv5_platform top("top", cfg, o);
    sc_core::sc_start();
    EXPECT_GT(top.sb.delivered(), 100u);
    EXPECT_EQ(platform::protocol_violations(), 0u);
}

TEST(ProtocolChecker, TheTestSuiteTurnsThemOnForEveryPlatformItBuilds) {
    // sc_test_main sets GICV5_PROTOCOL_CHECKS=1: a platform built with default options has a
    // checker on each binding (buses, table accesses, both stream directions of each PE).
    test::scripted_platform s;
    for (const char* name : {"top.check_memory", "top.check_irs_mem", "top.check_pe1_mmio",
                             "top.check_stream_up1", "top.check_stream_down1"})
        EXPECT_NE(sc_core::sc_find_object(name), nullptr) << name;
}
