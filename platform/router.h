// Router: the platform bus. Decodes each access to one target by address range and forwards it
// with the address made relative to the range's base.
//
// Interface
//   target_socket[i]  TLM target (base protocol) of initiator i, 1 binding each; `initiators`
//                     of them. One socket per initiator, not a multi-socket: SystemC checks each
//                     binding of a multi-socket against those before it, which for the PEs of a
//                     big platform cost time that grew as their number squared. They are
//                     made, and destroyed, in time linear in their number.
//   initiator_socket  TLM initiator (base protocol), one binding per target, in map() order.
//   An address no range covers gets TLM_ADDRESS_ERROR_RESPONSE; transport_dbg is forwarded the
//   same way. DMI requests are forwarded, and the granted range translated back to bus addresses
//   and clipped to the target's range; a target's DMI invalidation reaches every initiator. A
//   request carrying a gicv5::dmi_path learns the bus, to be booked per DMI access.
//   resource()  the gicv5::timed_resource of the bus (statistics, observer).
// Parameters: initiators (how many target sockets); occupancy (default 2 ns): how long one
// transaction holds the bus, which serves one at a time, first come, first served in simulated
// time; a transaction's wait is added to its delay; 0: no limit. Ranges are added with map()
// before the simulation starts.
#pragma once

#include "tlm_gicv5/detail/teardown_markers.h"
#include "tlm_gicv5/timed_resource.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/passthrough_target_socket.h>

#include <cstdint>
#include <string>
#include <vector>

namespace platform {

class router : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_initiator_socket<router> initiator_socket;
    sc_core::sc_vector<tlm_utils::passthrough_target_socket_tagged<router>> target_socket;

    router(const sc_core::sc_module_name& name, unsigned initiators,
           const sc_core::sc_time& occupancy = sc_core::sc_time(2, sc_core::SC_NS));
    ~router() override;
    gicv5::timed_resource& resource() { return m_bus; }

    // Routes [base, base + size) to the initiator_socket binding `port`. Overlaps are refused.
    void map(unsigned port, uint64_t base, uint64_t size, const std::string& what);

private:
    struct range {
        uint64_t base, size;
        unsigned port;
        std::string what;
    };
    const range* decode(uint64_t addr) const;
    void b_transport(int id, tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(int id, tlm::tlm_generic_payload& tx);
    bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi);
    void invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end);

    // Made before the target sockets (tlm_gicv5/detail/teardown_markers.h).
    gicv5::detail::teardown_markers m_markers;
    std::vector<range> m_ranges;
    sc_core::sc_time m_occupancy;
    gicv5::timed_resource m_bus;
};

} // namespace platform
