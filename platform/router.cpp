#include "platform/router.h"

namespace platform {

router::router(const sc_core::sc_module_name& name)
    : sc_module(name), target_socket("target_socket"), initiator_socket("initiator_socket") {
    target_socket.register_b_transport(this, &router::b_transport);
    target_socket.register_transport_dbg(this, &router::transport_dbg);
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

} // namespace platform
