// Memory: a TLM target backed by host memory, with fixed read and write latencies.
//
// Interface
//   socket  TLM target (base protocol), any number of initiators through a router. Reads and
//           writes inside [0, size) with optional byte enables; a streaming width below the data
//           length gives TLM_BURST_ERROR_RESPONSE, an access outside the range
//           TLM_ADDRESS_ERROR_RESPONSE. transport_dbg reads and writes without timing. DMI is
//           granted for the whole range, with the latencies in the grant; an initiator that
//           asks with a gicv5::dmi_path extension learns the banks to book per access.
//   banks()  the gicv5::timed_resource of the banks (statistics, observer).
// Parameters (memory_params)
//   size           16 MiB  bytes. Host storage is reserved lazily (a page when first touched);
//                          a host that cannot map that much address space makes the
//                          constructor throw std::runtime_error naming the size and the reason.
//   read_latency   40 ns   per access
//   write_latency  40 ns   per access
//   banks          4       accesses served at once, by every initiator together; 0: no limit
//   occupancy      10 ns   how long an access holds its bank
//   bandwidth      16      bytes per ns of one bank: an access holds it len / bandwidth more;
//                          0: no limit
// An access waits for a free bank (first come, first served in simulated time), then takes its
// latency; the wait is added to its delay. SIMPLIFICATION: any free bank serves any address (no
// address interleaving).
#pragma once

#include "tlm_gicv5/timed_resource.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <memory>

namespace platform {

struct memory_params {
    uint64_t size = 16ull << 20;
    sc_core::sc_time read_latency{40, sc_core::SC_NS};
    sc_core::sc_time write_latency{40, sc_core::SC_NS};
    unsigned banks = 4;
    sc_core::sc_time occupancy{10, sc_core::SC_NS};
    double bandwidth = 16; // bytes per ns
};

class memory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<memory> socket;

    memory(const sc_core::sc_module_name& name, const memory_params& params);

    uint64_t size() const { return m_size; }
    gicv5::timed_resource& banks() { return m_banks; }
    // Backdoor for inspection (tests, drain checks): no timing, no side effect.
    bool peek(uint64_t offset, void* out, unsigned len) const;

private:
    void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& tx);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi);
    bool in_range(uint64_t addr, uint64_t len) const {
        return addr < m_size && len <= m_size - addr;
    }

    struct unmap {
        uint64_t bytes;
        void operator()(unsigned char* p) const;
    };

    memory_params m_params;
    gicv5::timed_resource m_banks;
    sc_core::sc_time m_per_byte; // bank time per byte (bandwidth)
    uint64_t m_size;
    // Mapped without reserving swap: the host supplies zero pages as they are touched, so a
    // memory larger than the host's costs only what the run uses.
    std::unique_ptr<unsigned char[], unmap> m_data;
};

} // namespace platform
