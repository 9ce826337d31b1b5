#include "platform/router.h"

#include "tlm_gicv5/dmi_path.h"
#include "tlm_gicv5/sim_time.h"

#include <algorithm>

namespace platform {

router::router(const sc_core::sc_module_name& name, unsigned initiators,
               const sc_core::sc_time& occupancy)
    : sc_module(name), initiator_socket("initiator_socket"), target_socket("target_socket"),
      m_markers("teardown_marker"), m_occupancy(occupancy), m_bus(this->name(), 1) {
    target_socket.init(initiators); // after the markers
    for (unsigned i = 0; i < initiators; ++i) {
        const int id = static_cast<int>(i);
        target_socket[i].register_b_transport(this, &router::b_transport, id);
        target_socket[i].register_transport_dbg(this, &router::transport_dbg, id);
        target_socket[i].register_get_direct_mem_ptr(this, &router::get_direct_mem_ptr, id);
    }
    initiator_socket.register_invalidate_direct_mem_ptr(this, &router::invalidate_direct_mem_ptr);
}

router::~router() {
    m_markers.release(); // then the target sockets go, last made first (sc_vector)
}

void router::map(unsigned port, uint64_t base, uint64_t size, const std::string& what) {
    for (const range& r : m_ranges)
        if (base < r.base + r.size && r.base < base + size)
            SC_REPORT_FATAL(name(), ("address range of " + what + " overlaps " + r.what).c_str());
    m_ranges.push_back({base, size, port, what});
}

const router::range* router::decode(uint64_t addr) const {
    // OPT: linear over the few ranges of a platform.
    for (const range& r : m_ranges)
        if (addr >= r.base && addr - r.base < r.size)
            return &r;
    return nullptr;
}

void router::b_transport(int, tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    const uint64_t addr = tx.get_address();
    const range* r = decode(addr);
    if (!r) {
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    delay += m_bus.acquire(gicv5::sim_now() + delay, m_occupancy).wait;
    tx.set_address(addr - r->base);
    initiator_socket[r->port]->b_transport(tx, delay);
    tx.set_address(addr); // TLM rule: the initiator sees its own address again
}

unsigned router::transport_dbg(int, tlm::tlm_generic_payload& tx) {
    const uint64_t addr = tx.get_address();
    const range* r = decode(addr);
    if (!r)
        return 0;
    tx.set_address(addr - r->base);
    const unsigned n = initiator_socket[r->port]->transport_dbg(tx);
    tx.set_address(addr);
    return n;
}

bool router::get_direct_mem_ptr(int, tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi) {
    const uint64_t addr = tx.get_address();
    const range* r = decode(addr);
    if (!r)
        return false;
    if (auto* path = tx.get_extension<gicv5::dmi_path>())
        path->add(m_bus, m_occupancy);
    tx.set_address(addr - r->base);
    const bool granted = initiator_socket[r->port]->get_direct_mem_ptr(tx, dmi);
    tx.set_address(addr);
    // The target's grant, in its own addresses, back to bus addresses within its range (the
    // pointer stays that of the start address, so only the end is clipped).
    const uint64_t last = r->size - 1;
    if (dmi.get_start_address() > last)
        return false;
    dmi.set_end_address(std::min<uint64_t>(dmi.get_end_address(), last));
    dmi.set_start_address(dmi.get_start_address() + r->base);
    dmi.set_end_address(dmi.get_end_address() + r->base);
    return granted;
}

void router::invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end) {
    for (const range& r : m_ranges) {
        if (static_cast<int>(r.port) != port || start >= r.size)
            continue;
        const uint64_t s = r.base + start;
        const uint64_t e = r.base + std::min<uint64_t>(end, r.size - 1);
        for (unsigned i = 0; i < target_socket.size(); ++i)
            target_socket[i]->invalidate_direct_mem_ptr(s, e);
    }
}

} // namespace platform
