// IRS: the GICv5 Interrupt Routing Service (reference §2, §3, §5).
//
// Interface
//   config_frame  TLM target (base protocol), 1 binding. The Non-secure IRS config frame, 64 KiB:
//                 the registers of irs_regs.h at their architected offsets. 32-bit registers take
//                 4-byte accesses, 64-bit registers 8-byte accesses; another size, a misaligned
//                 access or byte enables give TLM_GENERIC_ERROR_RESPONSE / TLM_BYTE_ENABLE_ERROR_
//                 RESPONSE. Reserved offsets are RAZ/WI. transport_dbg reads and writes registers
//                 without side effects on writes of RO bits and without timing.
//   mem           TLM initiator (base protocol), 1 binding. Every VM table, VPE table and vIST
//                 access, each timed by the target.
//   stream_in     stream_protocol target, one binding per PE; binding index = the PE's IAFFID.
//   stream_out    stream_protocol initiator, one binding per PE, in the same order as stream_in.
//
// Parameters (irs_params)
//   pe_count        2       PEs served, IAFFIDs 0 .. pe_count-1 (IRS_IDR1.PE_CNT)
//   vm_id_bits      4       VM ID width (IRS_IDR3.VM_ID_BITS), 1..16
//   vpe_id_bits     4       vPE ID width per VM (IRS_IDR4.VPE_ID_BITS), 1..16
//   t_reg           20 ns   one config-frame register access
//   t_process       10 ns   handling one stream command, HPPI selection included
//   t_hop           20 ns   IRS -> CPU interface message (one way)
//   t_op            1 us    a VMAP or selector operation until its IDLE bit reads 1 again
//
// What is modelled so far: the VM table (linear), VMAP of VMs, vPEs and SPI vISTs (linear, 4-byte
// ISTEs), vPE selection, the virtual SPI stream commands and HPPI forwarding to resident vPEs.
// The ID registers advertise exactly that: no physical SPIs, no LPIs, no physical IST.
#pragma once

#include "tlm_gicv5/detail/vm_state.h"
#include "tlm_gicv5/iste.h"
#include "tlm_gicv5/irs_regs.h"
#include "tlm_gicv5/stream.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace gicv5 {

struct irs_params {
    unsigned pe_count = 2;
    unsigned vm_id_bits = 4;
    unsigned vpe_id_bits = 4;
    sc_core::sc_time t_reg{20, sc_core::SC_NS};
    sc_core::sc_time t_process{10, sc_core::SC_NS};
    sc_core::sc_time t_hop{20, sc_core::SC_NS};
    sc_core::sc_time t_op{1, sc_core::SC_US};
};

class irs : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<irs> config_frame;
    tlm_utils::simple_initiator_socket<irs> mem;
    tlm_utils::multi_passthrough_target_socket<irs, 32, stream_protocol_types> stream_in;
    tlm_utils::multi_passthrough_initiator_socket<irs, 32, stream_protocol_types> stream_out;

    irs(const sc_core::sc_module_name& name, const irs_params& params);
    ~irs() override;

    const irs_params& params() const { return m_params; }
    // Software or guest misuse that the architecture answers by ignoring it (counted, logged once
    // per kind).
    uint64_t ignored_requests() const { return m_ignored; }

private:
    // Config frame (irs_config_frame.cpp).
    void config_b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned config_transport_dbg(tlm::tlm_generic_payload& tx);
    uint64_t reg_read(irs_reg r, const sc_core::sc_time& at) const;
    void reg_write(irs_reg r, uint64_t value, sc_core::sc_time& delay);
    void reset_registers();
    void IRS_CR0_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_SYNCR_write(sc_core::sc_time& delay);

    // VM tables (irs_vm.cpp).
    void IRS_VMT_BASER_write(uint64_t value, sc_core::sc_time& delay);
    // The VMAP registers: vmap_write() checks IDLE and times the operation; the handlers do the
    // table walk, adding its memory time to `work`.
    void vmap_write(irs_reg r, uint64_t value, sc_core::sc_time& delay);
    void IRS_VMAP_VMR_write(uint64_t value, sc_core::sc_time& work);
    void IRS_VMAP_VISTR_write(uint64_t value, sc_core::sc_time& work);
    void IRS_VMAP_VPER_write(uint64_t value, sc_core::sc_time& work);
    void IRS_VPE_SELR_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_VPE_CR0_write(uint64_t value, sc_core::sc_time& delay);
    bool vmt_valid() const;
    uint64_t vmt_base() const;
    detail::vm_state* mapped_vm(uint16_t vm_id);
    detail::vpe_state* selected_vpe();
    void unmap_vm(uint16_t vm_id, sc_core::sc_time& delay);

    // Memory socket (irs.cpp). Return false (and log) on a failed access.
    bool mem_access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                    sc_core::sc_time& delay);
    bool mem_read64(uint64_t addr, uint64_t& v, sc_core::sc_time& d);
    bool mem_write64(uint64_t addr, uint64_t v, sc_core::sc_time& d);

    // Stream commands and HPPI (irs.cpp).
    void stream_b_transport(int pe, stream_payload& p, sc_core::sc_time& delay);
    void virtual_command(stream_payload& p, sc_core::sc_time& delay);
    void make_resident(int pe, stream_payload& p, sc_core::sc_time& delay);
    void make_nonresident(int pe, stream_payload& p, sc_core::sc_time& delay);
    void track(detail::vm_state& vm, uint32_t id, const iste& e, const sc_core::sc_time& delay);
    void update_hppi(detail::vm_state& vm, uint16_t vpe, const sc_core::sc_time& delay);
    void send_hppi(int pe, uint16_t vm, uint16_t vpe, const hppi& o,
                   const sc_core::sc_time& delay);
    void refresh_all_resident(const sc_core::sc_time& delay);
    void ignore(const char* what);

    irs_params m_params;
    std::array<uint64_t, irs_config_frame_count> m_regs{};
    sc_core::sc_time m_vmt_busy_until = sc_core::SC_ZERO_TIME;
    sc_core::sc_time m_vpe_busy_until = sc_core::SC_ZERO_TIME;
    sc_core::sc_time m_sync_busy_until = sc_core::SC_ZERO_TIME;
    std::vector<std::unique_ptr<detail::vm_state>> m_vms; // index: VM ID
    struct residency {
        bool valid = false;
        uint16_t vm = 0, vpe = 0;
    };
    std::vector<residency> m_resident; // per PE
    uint64_t m_ignored = 0;
    std::vector<const char*> m_logged_sites; // each kind of ignored request is logged once
};

} // namespace gicv5
