// IRS: the GICv5 Interrupt Routing Service (reference §2, §3, §5).
//
// Interface
//   config_frame  TLM target (base protocol), 1 binding. The Non-secure IRS config frame, 64 KiB:
//                 the registers of irs_regs.h at their architected offsets. 32-bit registers take
//                 4-byte accesses, 64-bit registers 8-byte accesses or 4-byte ones at either half.
//                 Writing a half writes the register with that half replaced, except that the low
//                 half of IRS_SPI_VMR, IRS_VPE_DBR, IRS_VM_DBR, IRS_VMAP_* and IRS_SAVE_VMR is
//                 only stored, and the high half's write acts on both (README). Another size, a
//                 misaligned access or byte enables give TLM_GENERIC_ERROR_RESPONSE /
//                 TLM_BYTE_ENABLE_ERROR_RESPONSE; a streaming width below the length
//                 TLM_BURST_ERROR_RESPONSE; an offset past the frame TLM_ADDRESS_ERROR_RESPONSE.
//                 Reserved offsets are RAZ/WI. transport_dbg takes the same accesses: it reads
//                 registers, and writes their writable bits, with no side effect and no timing.
//   mem           TLM initiator (base protocol), 1 binding. Every IST, VM table, VPE table and
//                 vIST access, each timed by the target, after the table port lets it go (one
//                 of table_outstanding accesses, each holding its slot for t_table_port). With
//                 params.dmi, once a response allows it the IRS asks for DMI (with a dmi_path
//                 extension, dmi_path.h) and then accesses the granted range directly, booking
//                 the resources the path reported and adding the grant's read or write latency
//                 per access instead (same timing, less host time); an invalidation from the
//                 target drops the grant.
//   stream_in     stream_protocol target, one binding per PE (pe_count); binding index = the PE's
//                 IAFFID. Each binding has a port of its own (detail/fan_sockets.h): binding n
//                 PEs to a multi-socket cost n^2/2 checks.
//   stream_out    stream_protocol initiator, one binding per PE, in the same order as stream_in.
//   setlpi_frame  TLM target (base protocol), 1 binding. The SETLPI frame, 64 KiB: a 4-byte write
//                 of IRS_SETLPIR (offset 0) makes LPI ID[23:0] pending; reads are zero. Bad
//                 accesses get the config frame's error responses.
//   spi_in        one irq_signal_if per physical SPI this IRS owns: spi_in[i] is the wire of SPI
//                 spi_base + i. A level change takes effect at sc_time_stamp() + delay.
//   set_hop_recorder(hop_recorder*)  optional measurement hook (hop_recorder.h): ISTE writes of
//                 vIST commands, their wait for the engine and the HPPI offers they cause;
//                 nullptr (default) = none.
//   resources()   the IRS's timed resources (timed_resource.h), for statistics and observers:
//                 the command engine, the table port, and the link down to each PE.
//
// Timing under load: the command engine serves `engines` commands at once, first come, first
// served in simulated time across every PE (timed_resource.h). A stream command occupies it for
// t_process and takes effect after its wait and t_process; a VMAP or selector operation
// occupies it for t_vmap, a SETLPI write for t_setlpi, a doorbell for t_doorbell and an SPI wire
// sample for t_process, and each of those waits for the engine only (its own service is not
// added to its effect, as before the engine was modelled). Each message down a link (HPPI
// offers, the replies to activate, request_config and make_resident) holds that link for
// link_occupancy.
//
// Parameters (irs_params)
//   pe_count        2       PEs served, IAFFIDs 0 .. pe_count-1 (IRS_IDR1.PE_CNT)
//   iaffid_bits     16      IAFFID width (IRS_IDR1.IAFFID_BITS + 1), 1..16; pe_count must fit
//   spi_base        0       first physical SPI ID this IRS owns (IRS_IDR7.SPI_BASE)
//   spi_irs_range   0       physical SPIs this IRS owns (IRS_IDR6.SPI_IRS_RANGE)
//   spi_range       0       size of the system's SPI ID space (IRS_IDR5.SPI_RANGE); at least
//                           spi_base + spi_irs_range
//   pri_bits        5       implemented priority bits (IRS_IDR1.PRI_BITS + 1), 1..5; the low
//                           bits of a physical priority that are not implemented read as zero
//   lpi_id_bits     16      largest LPI ID width of the IST (IRS_IDR2.ID_BITS); 0 = no LPIs
//   min_lpi_id_bits 12      smallest (IRS_IDR2.MIN_LPI_ID_BITS)
//   ist_two_level   true    two-level ISTs supported (IRS_IDR2.IST_LEVELS)
//   ist_l2sz        0b001   supported L2 sizes, bit 0 = 4 KiB, 1 = 16 KiB, 2 = 64 KiB
//                           (IRS_IDR2.IST_L2SZ)
//   iste_cache      0       ISTE words the IRS caches (write-back, LRU); 0 = none. While a table
//                           is valid, memory may then lag behind the IRS's view of it
//   swe             true    software-error records in IRS_SWERR_* (IRS_IDR0.SWE)
//   istmd_sz        0       0: 4-byte ISTEs (IRS_IDR2.ISTMD = 0); else IRS_IDR2.ISTMD_SZ: 8-byte
//                           ISTEs below that many ID bits, 16-byte ones from it on
//   vm_id_bits      4       VM ID width (IRS_IDR3.VM_ID_BITS), 1..16
//   vpe_id_bits     4       vPE ID width per VM (IRS_IDR4.VPE_ID_BITS), 1..16
//   vmd             true    the IRS keeps a VM descriptor per VM (IRS_IDR3.VMD), at VMTE word 0
//   vmd_sz          6       VM descriptor size 2^vmd_sz bytes, 4..12 (IRS_IDR3.VMD_SZ)
//   vped_sz         6       vPE descriptor size 2^vped_sz bytes, 4..12 (IRS_IDR4.VPED_SZ)
//   t_reg           20 ns   one config-frame register access
//   t_process       10 ns   handling one stream command, HPPI selection included
//   t_hop           20 ns   IRS -> CPU interface message (one way)
//   t_op            1 us    a VMAP or selector operation until its IDLE bit reads 1 again
//   dmi             true    table accesses through DMI where the memory grants it
//   engines         1       commands the IRS processes at once; 0: no limit
//   t_vmap          100 ns  engine time of a VMAP or selector operation
//   t_setlpi        10 ns   engine time of an IRS_SETLPIR write
//   t_doorbell      10 ns   engine time of a vPE doorbell
//   table_outstanding 16    table accesses in flight at once; 0: no limit
//   t_table_port    40 ns   how long one table access holds its slot
//   link_occupancy  5 ns    how long one message holds the link down to a PE; 0: no limit
//
// What is modelled so far: wired physical SPIs (selection, trigger mode, resampling, handing to a
// VM), LPIs in a linear or two-level IST and the SETLPI frame, PE selection and 1-of-N, the VM
// table (linear or two-level) with VM and vPE descriptors, VMAP of VMs, vPEs and LPI and SPI
// vISTs (linear or two-level), vPE selection and doorbells, save and quiesce, the stream
// commands and HPPI forwarding to PEs and resident vPEs, software-error records. The ID
// registers advertise exactly that.
#pragma once

#include "tlm_gicv5/sim_time.h"
#include "tlm_gicv5/detail/fan_sockets.h"
#include "tlm_gicv5/detail/interrupt_space.h"
#include "tlm_gicv5/detail/iste_cache.h"
#include "tlm_gicv5/detail/teardown_markers.h"
#include "tlm_gicv5/dmi_path.h"
#include "tlm_gicv5/hop_recorder.h"
#include "tlm_gicv5/irq_signal.h"
#include "tlm_gicv5/iste.h"
#include "tlm_gicv5/irs_regs.h"
#include "tlm_gicv5/stream.h"
#include "tlm_gicv5/timed_resource.h"
#include "tlm_gicv5/vm_table.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace gicv5 {

struct irs_params {
    unsigned pe_count = 2;
    unsigned iaffid_bits = 16;
    uint32_t spi_base = 0;
    uint32_t spi_irs_range = 0;
    uint32_t spi_range = 0;
    unsigned pri_bits = 5;
    unsigned lpi_id_bits = 16;
    unsigned min_lpi_id_bits = 12;
    bool ist_two_level = true;
    unsigned ist_l2sz = 0b001;
    unsigned istmd_sz = 0;
    bool swe = true;
    unsigned iste_cache = 0;
    unsigned vm_id_bits = 4;
    unsigned vpe_id_bits = 4;
    bool vmd = true;
    unsigned vmd_sz = 6;
    unsigned vped_sz = 6;
    sc_core::sc_time t_reg{20, sc_core::SC_NS};
    sc_core::sc_time t_process{10, sc_core::SC_NS};
    sc_core::sc_time t_hop{20, sc_core::SC_NS};
    sc_core::sc_time t_op{1, sc_core::SC_US};
    bool dmi = true;
    unsigned engines = 1;
    sc_core::sc_time t_vmap{100, sc_core::SC_NS};
    sc_core::sc_time t_setlpi{10, sc_core::SC_NS};
    sc_core::sc_time t_doorbell{10, sc_core::SC_NS};
    unsigned table_outstanding = 16;
    sc_core::sc_time t_table_port{40, sc_core::SC_NS};
    sc_core::sc_time link_occupancy{5, sc_core::SC_NS};
};

class irs : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<irs> config_frame;
    tlm_utils::simple_target_socket<irs> setlpi_frame;
    tlm_utils::simple_initiator_socket<irs> mem;
    detail::fan_in_target_socket<irs, stream_protocol_types> stream_in;
    detail::fan_out_initiator_socket<stream_protocol_types> stream_out;

private:
    // Made before the stream sockets' per-PE ports and destroyed before them (~irs()).
    detail::teardown_markers m_stream_markers;

public:
    // spi_in[i]: the wire of SPI spi_base + i.
    void spi_sample(unsigned index, bool level, const sc_core::sc_time& delay);
    std::vector<indexed_signal_in<irs, &irs::spi_sample>> spi_in;

    irs(const sc_core::sc_module_name& name, const irs_params& params);
    ~irs() override;

    const irs_params& params() const { return m_params; }
    // Software or guest misuse that the architecture answers by ignoring it (counted, logged once
    // per kind).
    uint64_t ignored_requests() const { return m_ignored; }
    uint64_t doorbells() const { return m_doorbells; }
    void set_hop_recorder(hop_recorder* r) { m_hops = r; }
    std::vector<timed_resource*> resources();

private:
    // Config frame (irs_config_frame.cpp).
    // The access rules both frames share: OK, or the error response the access gets.
    static tlm::tlm_response_status check_frame_access(const tlm::tlm_generic_payload& tx,
                                                       uint32_t frame_size);
    void config_b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned config_transport_dbg(tlm::tlm_generic_payload& tx);
    uint64_t reg_read(irs_reg r, const sc_core::sc_time& at) const;
    void reg_write(irs_reg r, uint64_t value, sc_core::sc_time& delay);
    void reset_registers();
    void IRS_CR0_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_SYNCR_write(sc_core::sc_time& delay);

    // Physical SPIs and PEs (irs_spi.cpp).
    void sample_line(detail::spi_state& s, const sc_core::sc_time& delay);
    detail::spi_state* selected_spi();
    void IRS_SPI_SELR_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_SPI_VMR_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_SPI_CFGR_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_SPI_RESAMPLER_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_PE_SELR_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_PE_CR0_write(uint64_t value, sc_core::sc_time& delay);
    void physical_command(stream_payload& p, sc_core::sc_time& delay);

    // The physical IST and LPIs (irs_ist.cpp).
    void IRS_IST_BASER_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_MAP_L2_ISTR_write(uint64_t value, sc_core::sc_time& delay);
    // Whether IRS_IDR2 (and, for SPI vISTs, the model's bound) allows an IST of geometry g.
    bool ist_supported(const detail::ist_geometry& g, intid_type type) const;
    // The IST operations shared by the physical IST and the vISTs: open makes `ist` valid and
    // tracks, in sp, the candidates it already holds; map_l2_of answers IRS_MAP_L2_ISTR or
    // IRS_VMAP_L2_VISTR for the L2 table holding `id` (false if the IST has no such entry);
    // close stops its interrupts being candidates (their state stays in memory).
    void ist_open(detail::ist_state& ist, detail::interrupt_space& sp, intid_type type,
                  const detail::ist_geometry& g, uint64_t base, sc_core::sc_time& work);
    bool ist_map_l2_of(detail::ist_state& ist, detail::interrupt_space& sp, uint32_t id,
                       sc_core::sc_time& work);
    void ist_map_l2(detail::ist_state& ist, detail::interrupt_space& sp, std::size_t l1,
                    uint64_t l2_addr, sc_core::sc_time& work);
    void ist_close(detail::ist_state& ist, detail::interrupt_space& sp,
                   const sc_core::sc_time& delay);
    // Tracks, in sp, the candidates among `count` ISTEs (2^shift bytes each) of a table read
    // from memory at `addr` once.
    void ist_scan(detail::interrupt_space& sp, uint64_t addr, detail::candidate* nodes,
                  uint32_t count, unsigned shift, sc_core::sc_time& work);
    void setlpi_b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    // Makes physical LPI id pending (IRS_SETLPIR, doorbells), after `service` at the engine.
    void pend_lpi(uint32_t id, const sc_core::sc_time& delay, const sc_core::sc_time& service);

    // VM tables (irs_vm.cpp).
    void IRS_VMT_BASER_write(uint64_t value, sc_core::sc_time& delay);
    // The VMAP registers: vmap_write() checks IDLE and times the operation; the handlers do the
    // table walk, adding its memory time to `work`.
    void vmap_write(irs_reg r, uint64_t value, sc_core::sc_time& delay);
    void IRS_VMAP_VMR_write(uint64_t value, sc_core::sc_time& work);
    void IRS_VMAP_L2_VMTR_write(uint64_t value, sc_core::sc_time& work);
    // Where VM vm_id's VMTE is: linear, or through an L2 table the IRS made valid.
    std::optional<uint64_t> vmte_of(uint16_t vm_id) const;
    void IRS_VMAP_VISTR_write(uint64_t value, sc_core::sc_time& work);
    void IRS_VMAP_L2_VISTR_write(uint64_t value, sc_core::sc_time& work);
    // Clears, in memory, a VALID bit the IRS set in a table entry (a read, then a write).
    void clear_valid(uint64_t addr, field valid, sc_core::sc_time& work);
    // Keeps a vPE's doorbell settings in its descriptor (vm_table.h).
    void store_vped(const detail::target& vpe, const sc_core::sc_time& delay);
    void IRS_VMAP_VPER_write(uint64_t value, sc_core::sc_time& work);
    void IRS_VPE_SELR_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_VPE_CR0_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_VPE_DBR_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_SAVE_VMR_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_VM_SELR_write(uint64_t value, sc_core::sc_time& delay);
    void IRS_VM_DBR_write(uint64_t value, sc_core::sc_time& delay);
    // §5.4: rings a non-resident vPE's doorbell if one was requested and its best pending
    // interrupt beats DBPM; once per request.
    void check_doorbell(detail::interrupt_space& sp, uint16_t vpe, const sc_core::sc_time& delay);
    bool vmt_valid() const;
    uint64_t vmt_base() const;
    detail::vm_state* mapped_vm(uint16_t vm_id);
    detail::target* selected_vpe();
    const detail::target* selected_vpe() const { return const_cast<irs*>(this)->selected_vpe(); }
    void unmap_vm(uint16_t vm_id, sc_core::sc_time& delay);

    // Memory socket (irs.cpp). Return false (and log) on a failed access.
    bool mem_access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                    sc_core::sc_time& delay);
    bool mem_read64(uint64_t addr, uint64_t& v, sc_core::sc_time& d);
    void invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end);
    bool mem_write64(uint64_t addr, uint64_t v, sc_core::sc_time& d);

    // Stream commands and HPPI (irs.cpp).
    void stream_b_transport(int pe, stream_payload& p, sc_core::sc_time& delay);
    void handle_stream(int pe, stream_payload& p, sc_core::sc_time& delay);
    void virtual_command(stream_payload& p, sc_core::sc_time& delay);
    // A command on an ISTE in memory: read, apply, write back if changed, track.
    void memory_command(uint64_t addr, detail::candidate& node, detail::interrupt_space& sp,
                        stream_payload& p, sc_core::sc_time& delay);
    // ISTE words through the optional cache. owner: 0 = physical IST, VM ID + 1 = a vIST.
    bool iste_read(uint64_t addr, uint32_t owner, uint32_t& word, sc_core::sc_time& delay);
    bool iste_write(uint64_t addr, uint32_t owner, uint32_t word, sc_core::sc_time& delay);
    void iste_flush(uint32_t owner, sc_core::sc_time& delay);
    // Applies a state-changing command to an ISTE; false for an acknowledge that finds it no
    // longer a candidate. request_config only fills p.result.
    bool apply_command(iste& e, stream_payload& p) const;
    void make_resident(int pe, stream_payload& p, sc_core::sc_time& delay);
    void make_nonresident(int pe, stream_payload& p, sc_core::sc_time& delay);
    // Keeps node's candidacy in step with the ISTE it stands for; recomputes affected targets.
    void track(detail::interrupt_space& sp, detail::candidate& node, const iste& e,
               const sc_core::sc_time& delay);
    void update_hppi(detail::interrupt_space& sp, uint16_t t, const sc_core::sc_time& delay);
    // 1-of-N routing (§2.4): the PEs with IRS_PE_CR0.DPS = 0 take turns.
    detail::hppi_target& list_of(detail::interrupt_space& sp, uint16_t t);
    uint16_t pick_one_of_n();
    void one_of_n_changed(uint16_t pe, const sc_core::sc_time& delay);
    void rehome(detail::candidate& c, const sc_core::sc_time& delay);
    void send_hppi(int pe, const detail::interrupt_space& sp, uint16_t t, const hppi& o,
                   const sc_core::sc_time& delay);
    void refresh_all_resident(const sc_core::sc_time& delay);
    // Software or guest misuse: no effect beyond a software-error record (when IRS_IDR0.SWE)
    // and a count; logged once per kind. p names the INTID for S0V; addr is the S1V address.
    void software_error(swerr ec, const char* what, const stream_payload* p = nullptr,
                        const uint64_t* addr = nullptr);
    void ignore(const char* what) { software_error(swerr::register_misuse, what); }
    // Books `service` of engine time for work arriving at `delay`; returns the wait for it.
    sc_core::sc_time engine_wait(const sc_core::sc_time& delay, const sc_core::sc_time& service) {
        return m_engine.acquire(sim_now() + delay, service).wait;
    }
    sc_core::sc_time op_wait(const sc_core::sc_time& delay) {
        return engine_wait(delay, m_params.t_vmap);
    }
    // A message down to PE pe leaving at `delay`: its wait for the link. Forced inline: it is on
    // every HPPI change, and GCC's own choice moves with the size of the unit.
    [[gnu::always_inline]] sc_core::sc_time downstream_wait(int pe, const sc_core::sc_time& delay) {
        return m_links[static_cast<std::size_t>(pe)]
            .acquire(sim_now() + delay, m_params.link_occupancy)
            .wait;
    }
    // A selector-protected operation: starts once the engine takes it and keeps its IDLE bit
    // low for t_op.
    void start_op(sc_core::sc_time& busy_until, const sc_core::sc_time& delay) {
        busy_until = sim_now() + delay + op_wait(delay) + m_params.t_op;
    }
    // §8.12: a config write before IDLE, or with no valid selection, fails without effect.
    bool config_write_ok(const sc_core::sc_time& busy_until, bool selected,
                         const sc_core::sc_time& delay, const char* what) {
        if (selected && sim_now() + delay >= busy_until)
            return true;
        ignore(what);
        return false;
    }

    uint64_t& reg(irs_reg r) { return m_regs[static_cast<std::size_t>(r)]; }
    uint64_t reg(irs_reg r) const { return m_regs[static_cast<std::size_t>(r)]; }

    irs_params m_params;
    std::array<uint64_t, irs_config_frame_count> m_regs{};
    sc_core::sc_time m_vmt_busy_until = sc_core::SC_ZERO_TIME;
    sc_core::sc_time m_vpe_busy_until = sc_core::SC_ZERO_TIME;
    sc_core::sc_time m_sync_busy_until = sc_core::SC_ZERO_TIME;
    sc_core::sc_time m_spi_busy_until = sc_core::SC_ZERO_TIME;
    sc_core::sc_time m_pe_busy_until = sc_core::SC_ZERO_TIME;
    sc_core::sc_time m_ist_busy_until = sc_core::SC_ZERO_TIME;
    sc_core::sc_time m_save_busy_until = sc_core::SC_ZERO_TIME;
    sc_core::sc_time m_vm_busy_until = sc_core::SC_ZERO_TIME;
    // m_spis and m_ist before m_physical, for the same destruction-order reason as in vm_state.
    std::vector<detail::spi_state> m_spis; // index: SPI ID - spi_base
    detail::ist_state m_ist;
    detail::interrupt_space m_physical;     // targets = PEs
    detail::hppi_target m_one_of_n_waiting; // 1-of-N candidates while no PE participates
    std::vector<uint16_t> m_one_of_n;       // participating PEs (DPS = 0), in IAFFID order
    std::size_t m_one_of_n_turn = 0;
    std::vector<std::unique_ptr<detail::vm_state>> m_vms; // index: VM ID
    std::vector<uint64_t> m_vmt_l2; // two-level VM table: L2 address per L1 index, 0 = invalid
    struct residency {
        bool valid = false;
        uint16_t vm = 0, vpe = 0;
    };
    std::vector<residency> m_resident; // per PE
    timed_resource m_engine;
    timed_resource m_table_port;
    std::vector<timed_resource> m_links; // down to each PE
    dmi_path m_dmi_path;                 // what a DMI table access books, with m_dmi
    detail::iste_cache m_cache;
    uint64_t m_ignored = 0;
    uint64_t m_doorbells = 0;
    hop_recorder* m_hops = nullptr;
    // The payload of every table access, reused: constructing one allocates.
    tlm::tlm_generic_payload m_mem_tx;
    tlm::tlm_dmi m_dmi; // the table memory's DMI grant, when m_dmi_valid
    bool m_dmi_valid = false;
    // With a recorder: arrival of the virtual command being handled (HPPI offer hop), if any.
    bool m_in_virtual = false;
    sc_core::sc_time m_virtual_arrival;
    std::vector<const char*> m_logged_sites; // each kind of ignored request is logged once
};

} // namespace gicv5
