#include "platform/memory.h"

#include "tlm_gicv5/dmi_path.h"
#include "tlm_gicv5/sim_time.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace platform {

namespace {
// Zeroed host storage for `bytes`, mapped lazily; MAP_NORESERVE keeps the kernel's overcommit
// heuristic from refusing a memory larger than the host when few of its pages are touched.
unsigned char* map_storage(const std::string& who, uint64_t bytes) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        throw std::runtime_error(who + ": cannot allocate " + std::to_string(bytes) +
                                 " bytes of host memory for memory.size: " + std::strerror(errno));
    return static_cast<unsigned char*>(p);
}
} // namespace

void memory::unmap::operator()(unsigned char* p) const { ::munmap(p, bytes); }

memory::memory(const sc_core::sc_module_name& name, const memory_params& params)
    : sc_module(name), socket("socket"), m_params(params),
      m_banks(std::string(this->name()) + ".banks", params.banks),
      m_per_byte(params.bandwidth > 0 ? sc_core::sc_time(1.0 / params.bandwidth, sc_core::SC_NS)
                                      : sc_core::SC_ZERO_TIME),
      m_size(params.size),
      m_data(map_storage(this->name(), params.size ? params.size : 1),
             unmap{params.size ? params.size : 1}) {
    socket.register_b_transport(this, &memory::b_transport);
    socket.register_transport_dbg(this, &memory::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &memory::get_direct_mem_ptr);
}

bool memory::peek(uint64_t offset, void* out, unsigned len) const {
    if (!in_range(offset, len))
        return false;
    std::memcpy(out, &m_data[offset], len);
    return true;
}

void memory::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    const uint64_t addr = tx.get_address();
    const unsigned len = tx.get_data_length();
    if (!in_range(addr, len)) {
        tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (tx.get_streaming_width() < len) {
        tx.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    // Every initiator's accesses share the banks.
    delay += m_banks
                 .acquire(gicv5::sim_now() + delay,
                          m_params.occupancy + m_per_byte * len)
                 .wait;
    unsigned char* data = tx.get_data_ptr();
    const unsigned char* be = tx.get_byte_enable_ptr();
    const unsigned be_len = tx.get_byte_enable_length();
    if (tx.is_read()) {
        delay += m_params.read_latency;
        if (!be)
            std::memcpy(data, &m_data[addr], len);
        else
            for (unsigned i = 0; i < len; ++i)
                if (be[i % be_len] == TLM_BYTE_ENABLED)
                    data[i] = m_data[addr + i];
    } else if (tx.is_write()) {
        delay += m_params.write_latency;
        if (!be)
            std::memcpy(&m_data[addr], data, len);
        else
            for (unsigned i = 0; i < len; ++i)
                if (be[i % be_len] == TLM_BYTE_ENABLED)
                    m_data[addr + i] = data[i];
    }
    tx.set_dmi_allowed(true);
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned memory::transport_dbg(tlm::tlm_generic_payload& tx) {
    const uint64_t addr = tx.get_address();
    if (addr >= m_size)
        return 0;
    const unsigned len =
        static_cast<unsigned>(std::min<uint64_t>(tx.get_data_length(), m_size - addr));
    if (tx.is_read())
        std::memcpy(tx.get_data_ptr(), &m_data[addr], len);
    else if (tx.is_write())
        std::memcpy(&m_data[addr], tx.get_data_ptr(), len);
    return len;
}

bool memory::get_direct_mem_ptr(tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi) {
    if (m_size == 0)
        return false;
    if (auto* path = tx.get_extension<gicv5::dmi_path>())
        path->add(m_banks, m_params.occupancy, m_per_byte);
    dmi.set_dmi_ptr(m_data.get());
    dmi.set_start_address(0);
    dmi.set_end_address(m_size - 1);
    dmi.allow_read_write();
    dmi.set_read_latency(m_params.read_latency);
    dmi.set_write_latency(m_params.write_latency);
    return true;
}

} // namespace platform
