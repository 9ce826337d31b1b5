// Memory and router, as a PE sees them through the bus.
#include "common/scripted_platform.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace test;

TEST(Memory, AReadReturnsWhatWasWrittenAndCostsTheConfiguredLatency) {
    scripted_platform s;
    s.on(0, [&](pe& p) {
        const uint64_t a = s.plat->cfg.memory.base + 0x1000;
        const sc_core::sc_time t0 = p.local_time();
        p.write64(a, 0x0123456789abcdefull);
        EXPECT_EQ(p.local_time() - t0, s.plat->cfg.memory.write_latency);
        const sc_core::sc_time t1 = p.local_time();
        EXPECT_EQ(p.read64(a), 0x0123456789abcdefull);
        EXPECT_EQ(p.local_time() - t1, s.plat->cfg.memory.read_latency);
        EXPECT_EQ(p.read32(a + 4), 0x01234567u);
    });
    s.run();
}

TEST(Memory, AnAccessPastTheEndIsAnAddressError) {
    scripted_platform s;
    s.on(0, [&](pe& p) {
        const uint64_t end = s.plat->cfg.memory.base + s.plat->cfg.memory.size;
        uint64_t v = 0;
        EXPECT_EQ(p.access(tlm::TLM_READ_COMMAND, end - 4, &v, 8), tlm::TLM_ADDRESS_ERROR_RESPONSE);
        EXPECT_EQ(p.access(tlm::TLM_READ_COMMAND, end - 8, &v, 8), tlm::TLM_OK_RESPONSE);
    });
    s.run();
}

TEST(Router, AnAddressNoRangeCoversIsAnAddressError) {
    scripted_platform s;
    s.on(0, [&](pe& p) {
        uint32_t v = 0;
        EXPECT_EQ(p.access(tlm::TLM_READ_COMMAND, 0x1000, &v, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    });
    s.run();
}

TEST(Router, DebugTransportReachesMemoryAtTheRoutedAddress) {
    scripted_platform s;
    s.on(0, [&](pe& p) { p.write32(s.plat->cfg.memory.base + 0x40, 0xfeedf00du); });
    s.run();
    // A debug read from the IRS's side of the bus, with the platform address.
    tlm::tlm_generic_payload tx;
    uint32_t v = 0;
    tx.set_read();
    tx.set_address(s.plat->cfg.memory.base + 0x40);
    tx.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    tx.set_data_length(4);
    EXPECT_EQ(s.plat->irs.mem->transport_dbg(tx), 4u);
    EXPECT_EQ(v, 0xfeedf00du);
    EXPECT_EQ(tx.get_address(), s.plat->cfg.memory.base + 0x40);
}

TEST(Router, ADmiGrantThroughTheBusIsInBusAddressesAndCarriesTheMemoryLatencies) {
    scripted_platform s;
    s.on(0, [&](pe& p) { p.write32(s.plat->cfg.memory.base + 0x80, 0x5a5aa5a5u); });
    s.run();
    const auto& m = s.plat->cfg.memory;
    tlm::tlm_generic_payload tx;
    tx.set_read();
    tx.set_address(m.base + 0x80);
    tlm::tlm_dmi dmi;
    ASSERT_TRUE(s.plat->irs.mem->get_direct_mem_ptr(tx, dmi));
    EXPECT_EQ(tx.get_address(), m.base + 0x80); // the requester's address, unchanged
    EXPECT_EQ(dmi.get_start_address(), m.base);
    EXPECT_EQ(dmi.get_end_address(), m.base + m.size - 1);
    EXPECT_TRUE(dmi.is_read_write_allowed());
    EXPECT_EQ(dmi.get_read_latency(), m.read_latency);
    EXPECT_EQ(dmi.get_write_latency(), m.write_latency);
    uint32_t v = 0;
    std::memcpy(&v, dmi.get_dmi_ptr() + 0x80, 4);
    EXPECT_EQ(v, 0x5a5aa5a5u);
    // An address no range covers is refused.
    tx.set_address(0x1000);
    tlm::tlm_dmi none;
    EXPECT_FALSE(s.plat->irs.mem->get_direct_mem_ptr(tx, none));
}
