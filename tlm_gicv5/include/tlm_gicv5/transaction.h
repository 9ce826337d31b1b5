// A plain single-beat generic-payload access, as every initiator in the project makes them.
#pragma once

#include <tlm>

#include <cstdint>

namespace gicv5 {

inline void init_transaction(tlm::tlm_generic_payload& tx, tlm::tlm_command cmd, uint64_t addr,
                             void* data, unsigned len) {
    tx.set_command(cmd);
    tx.set_address(addr);
    tx.set_data_ptr(static_cast<unsigned char*>(data));
    tx.set_data_length(len);
    tx.set_streaming_width(len);
    tx.set_byte_enable_ptr(nullptr);
    tx.set_dmi_allowed(false);
    tx.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

} // namespace gicv5
