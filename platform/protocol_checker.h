// TLM-2.0 protocol checkers: pass-through modules placed on a socket binding in tests, which
// check each call against the rules of IEEE 1666-2011 §14 (base protocol) or, for the GICv5
// stream link, the same rules as they apply to a stream_payload. Each violation is counted and
// reported with SC_REPORT_ERROR, which fails the test that made it.
//
// Interface (both checkers)
//   in   target socket, 1 binding: the initiator's side.
//   out  initiator socket, 1 binding: the target's side.
// Parameters: none. violations() counts the rules broken so far, all checkers together.
//
// Base protocol, b_transport (§14.7, §14.13-17):
//   on entry   response status INCOMPLETE; a data pointer, a data length above 0, a streaming width
//              above 0; byte enables with a length above 0 when given; a known command;
//   on return  response status set (not INCOMPLETE); command, address, data pointer, data length,
//              streaming width and byte-enable pointer and length as they were on entry (an
//              interconnect may change the address on the way, but restores it); the annotated
//              delay not smaller than on entry.
// transport_dbg: the count returned not above the data length; address and command unchanged.
// get_direct_mem_ptr (§11.2.5, §11.2.8): a grant covers the requested address, start <= end, has
//              a pointer, and allows the access requested; the requested address is unchanged.
// invalidate_direct_mem_ptr: start <= end.
// Stream protocol, b_transport: command, VM, vPE and INTID unchanged; delay not smaller.
#pragma once

#include "tlm_gicv5/stream.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/passthrough_target_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>

namespace platform {

// Violations seen by every checker of the process.
uint64_t protocol_violations();

class base_protocol_checker : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<base_protocol_checker> in;
    tlm_utils::simple_initiator_socket<base_protocol_checker> out;

    explicit base_protocol_checker(const sc_core::sc_module_name& name);

private:
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& tx);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi);
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
    void violated(const char* rule, const tlm::tlm_generic_payload& tx);
};

class stream_protocol_checker : public sc_core::sc_module {
public:
    tlm_utils::passthrough_target_socket<stream_protocol_checker, 32, gicv5::stream_protocol_types>
        in;
    tlm_utils::simple_initiator_socket<stream_protocol_checker, 32, gicv5::stream_protocol_types>
        out;

    explicit stream_protocol_checker(const sc_core::sc_module_name& name);

private:
    void b_transport(gicv5::stream_payload& p, sc_core::sc_time& delay);
};

} // namespace platform
