// IRS config frame: access decoding, register reads and writes (reference §2.3).
#include "tlm_gicv5/irs.h"

#include <cstring>
#include <optional>

namespace gicv5 {

using sc_core::sc_time;

const reg_desc* irs_config_lookup(uint32_t offset, irs_reg* which) {
    // The table is sorted by offset (checked by a test): binary search on the register start.
    std::size_t lo = 0, hi = irs_config_frame_count;
    while (lo < hi) {
        std::size_t mid = (lo + hi) / 2;
        const reg_desc& d = irs_config_frame[mid];
        if (offset < d.offset)
            hi = mid;
        else if (offset >= d.offset + d.width / 8u)
            lo = mid + 1;
        else {
            if (which)
                *which = static_cast<irs_reg>(mid);
            return &d;
        }
    }
    return nullptr;
}

void irs::reset_registers() {
    for (std::size_t i = 0; i < irs_config_frame_count; ++i)
        m_regs[i] = irs_config_frame[i].reset;
    auto set = [this](irs_reg r, uint64_t v) { reg(r) = v; };
    // Advertise exactly what is modelled: Non-secure domain, virtualization, 48-bit PAs.
    set(irs_reg::IRS_IDR0, IRS_IDR0::INT_DOM.make(1) | IRS_IDR0::PA_RANGE.make(5) |
                               IRS_IDR0::VIRT.make(1) | IRS_IDR0::ONE_N.make(1) |
                               IRS_IDR0::SETLPI.make(1) | IRS_IDR0::SWE.make(m_params.swe));
    set(irs_reg::IRS_IDR1, IRS_IDR1::PE_CNT.make(m_params.pe_count) |
                               IRS_IDR1::IAFFID_BITS.make(m_params.iaffid_bits - 1) |
                               IRS_IDR1::PRI_BITS.make(m_params.pri_bits - 1));
    const unsigned istmd = m_params.istmd_sz != 0;
    set(irs_reg::IRS_IDR2, IRS_IDR2::ID_BITS.make(m_params.lpi_id_bits) |
                               IRS_IDR2::LPI.make(m_params.lpi_id_bits != 0) |
                               IRS_IDR2::MIN_LPI_ID_BITS.make(m_params.min_lpi_id_bits) |
                               IRS_IDR2::IST_LEVELS.make(m_params.ist_two_level) |
                               IRS_IDR2::IST_L2SZ.make(m_params.ist_l2sz) |
                               IRS_IDR2::ISTMD.make(istmd) |
                               IRS_IDR2::ISTMD_SZ.make(m_params.istmd_sz));
    set(irs_reg::IRS_IDR5, IRS_IDR5::SPI_RANGE.make(m_params.spi_range));
    set(irs_reg::IRS_IDR6, IRS_IDR6::SPI_IRS_RANGE.make(m_params.spi_irs_range));
    set(irs_reg::IRS_IDR7, IRS_IDR7::SPI_BASE.make(m_params.spi_base));
    set(irs_reg::IRS_IDR3, IRS_IDR3::VMD.make(m_params.vmd) |
                               IRS_IDR3::VMD_SZ.make(m_params.vmd ? m_params.vmd_sz : 0) |
                               IRS_IDR3::VM_ID_BITS.make(m_params.vm_id_bits) |
                               IRS_IDR3::VMT_LEVELS.make(1));
    set(irs_reg::IRS_IDR4, IRS_IDR4::VPED_SZ.make(m_params.vped_sz) |
                               IRS_IDR4::VPE_ID_BITS.make(m_params.vpe_id_bits - 1));
}

tlm::tlm_response_status irs::check_frame_access(const tlm::tlm_generic_payload& tx,
                                                 uint32_t frame_size) {
    const uint64_t addr = tx.get_address();
    const unsigned len = tx.get_data_length();
    if (tx.get_byte_enable_ptr())
        return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
    if (tx.get_streaming_width() < len)
        return tlm::TLM_BURST_ERROR_RESPONSE;
    if (addr >= frame_size)
        return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    if ((len != 4 && len != 8) || addr % len != 0)
        return tlm::TLM_GENERIC_ERROR_RESPONSE;
    return tlm::TLM_OK_RESPONSE;
}

namespace {

// The bits of a register an access covers: the whole register, or (4 bytes at its offset or
// offset + 4) one half of a 64-bit register.
struct reg_part {
    unsigned shift; // 0 or 32
    uint64_t mask;  // in the register
    bool half;
};

std::optional<reg_part> part_of(const reg_desc& d, uint64_t addr, unsigned len) {
    if (addr == d.offset && len == d.width / 8u)
        return reg_part{0, d.width == 64 ? ~0ull : 0xffffffffull, false};
    if (d.width == 64 && len == 4 && (addr == d.offset || addr == d.offset + 4u)) {
        const unsigned shift = addr == d.offset ? 0u : 32u;
        return reg_part{shift, 0xffffffffull << shift, true};
    }
    return std::nullopt;
}

// Registers whose write asks for an operation whose command bits (M, U, S, Q, VIRT, EN, DBV,
// REQ_DB) are all in bits [63:32]: a write to their low half only stores it, and the write to
// the high half does the operation once, with the stored low half. Each of these operations
// either changes state or is refused before IDLE, so doing it on both halves would act on a
// half-written value and then refuse the second half.
bool acts_on_high_half(irs_reg r) {
    switch (r) {
    case irs_reg::IRS_SPI_VMR:
    case irs_reg::IRS_VPE_DBR:
    case irs_reg::IRS_VM_DBR:
    case irs_reg::IRS_VMAP_L2_VMTR:
    case irs_reg::IRS_VMAP_VMR:
    case irs_reg::IRS_VMAP_VISTR:
    case irs_reg::IRS_VMAP_L2_VISTR:
    case irs_reg::IRS_VMAP_VPER:
    case irs_reg::IRS_SAVE_VMR: return true;
    default: return false;
    }
}

} // namespace

// 4-byte accesses to either half of a 64-bit register. No public GICv5 text was found to quote.
// KVM's vgic-v5 IRS: "the spec supports upper/lower 32-bit accesses to 64-bit IRS registers";
// GICv3 (IHI 0069A 8.1.3, as Xen's vgic-v3 cites it): "unless stated otherwise, the 64-bit
// registers supports both 32-bit and 64-bits access". QEMU's and KVM's GICv5 IRS_IST_BASER take
// a half write as a 64-bit write of the register with that half replaced (deposit64,
// update_64bit_reg); so does this model, except for the registers of acts_on_high_half(). So
// software writes the half holding the trigger bit last: VALID of IRS_IST_BASER and
// IRS_VMT_BASER is in the low half, so high half first. A selector (IRS_VPE_SELR) selects on
// each half; the last selection stands. A half with no writable bits ignores writes: merged,
// the high half of IRS_SWERR_STATUSR would write V = 1 back and clear the record (W1C).
void irs::config_b_transport(tlm::tlm_generic_payload& tx, sc_time& delay) {
    delay += m_params.t_reg;
    tx.set_response_status(check_frame_access(tx, IRS_CONFIG_FRAME_SIZE));
    if (tx.is_response_error())
        return;
    const uint64_t addr = tx.get_address();
    const unsigned len = tx.get_data_length();
    irs_reg r{};
    const reg_desc* d = irs_config_lookup(static_cast<uint32_t>(addr), &r);
    if (!d) { // reserved: RAZ/WI
        if (tx.is_read())
            std::memset(tx.get_data_ptr(), 0, len);
        tx.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    const std::optional<reg_part> part = part_of(*d, addr, len);
    if (!part) {
        tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    if (tx.is_read()) {
        const uint64_t v = (reg_read(r, sim_now() + delay) & part->mask) >> part->shift;
        std::memcpy(tx.get_data_ptr(), &v, len); // little-endian host and bus
    } else if (tx.is_write()) {
        uint64_t v = 0;
        std::memcpy(&v, tx.get_data_ptr(), len);
        v <<= part->shift;
        if (!part->half)
            reg_write(r, v, delay);
        else if (acts_on_high_half(r) && part->shift == 0)
            reg(r) = (reg(r) & ~part->mask) | (v & d->wmask); // waits for the high half
        else if (d->wmask & part->mask)
            reg_write(r, (reg(r) & ~part->mask) | v, delay);
    }
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned irs::config_transport_dbg(tlm::tlm_generic_payload& tx) {
    const uint64_t addr = tx.get_address();
    const unsigned len = tx.get_data_length();
    irs_reg r{};
    const reg_desc* d = irs_config_lookup(static_cast<uint32_t>(addr), &r);
    const std::optional<reg_part> part = d ? part_of(*d, addr, len) : std::nullopt;
    if (!part)
        return 0;
    if (tx.is_read()) {
        const uint64_t v = (reg_read(r, sim_now()) & part->mask) >> part->shift;
        std::memcpy(tx.get_data_ptr(), &v, len);
        return len;
    }
    // Debug writes change the stored value of writable bits only, with no side effect.
    uint64_t v = 0;
    std::memcpy(&v, tx.get_data_ptr(), len);
    const uint64_t bits = d->wmask & part->mask;
    uint64_t& cur = reg(r);
    cur = (cur & ~bits) | (v << part->shift & bits);
    return len;
}

uint64_t irs::reg_read(irs_reg r, const sc_time& at) const {
    const uint64_t v = reg(r);
    switch (r) {
    case irs_reg::IRS_CR0: {
        const bool idle = at >= m_vmt_busy_until && at >= m_vpe_busy_until &&
                          at >= m_sync_busy_until && at >= m_spi_busy_until &&
                          at >= m_pe_busy_until && at >= m_ist_busy_until &&
                          at >= m_save_busy_until && at >= m_vm_busy_until;
        return IRS_CR0::IDLE.set(v, idle);
    }
    case irs_reg::IRS_SYNC_STATUSR: return IRS_SYNC_STATUSR::IDLE.make(at >= m_sync_busy_until);
    case irs_reg::IRS_VMT_STATUSR: return IRS_VMT_STATUSR::IDLE.make(at >= m_vmt_busy_until);
    case irs_reg::IRS_VPE_STATUSR: return IRS_VPE_STATUSR::IDLE.set(v, at >= m_vpe_busy_until);
    case irs_reg::IRS_SPI_STATUSR: return IRS_SPI_STATUSR::IDLE.set(v, at >= m_spi_busy_until);
    case irs_reg::IRS_PE_STATUSR: return IRS_PE_STATUSR::IDLE.set(v, at >= m_pe_busy_until);
    case irs_reg::IRS_SPI_RESAMPLER:
    case irs_reg::IRS_MAP_L2_ISTR: return 0; // write-only triggers
    case irs_reg::IRS_VPE_HPPIR: {
        // The best pending interrupt of the selected vPE, resident or not (reference §5.4).
        const detail::target* vpe = selected_vpe();
        const detail::candidate* best = vpe ? vpe->candidates.best() : nullptr;
        return best ? IRS_VPE_HPPIR::ID.make(best->id().id) |
                          IRS_VPE_HPPIR::TYPE.make(static_cast<uint64_t>(best->id().type)) |
                          IRS_VPE_HPPIR::HPPIV.make(1)
                    : 0;
    }
    case irs_reg::IRS_VM_STATUSR: return IRS_VM_STATUSR::IDLE.set(v, at >= m_vm_busy_until);
    case irs_reg::IRS_SAVE_VM_STATUSR: {
        const std::size_t id = IRS_SAVE_VMR::VM_ID.get(reg(irs_reg::IRS_SAVE_VMR));
        const detail::vm_state* vm = id < m_vms.size() ? m_vms[id].get() : nullptr;
        return IRS_SAVE_VM_STATUSR::IDLE.make(at >= m_save_busy_until) |
               IRS_SAVE_VM_STATUSR::Q.make(vm && vm->valid && vm->space.quiesced);
    }
    case irs_reg::IRS_IST_STATUSR: return IRS_IST_STATUSR::IDLE.make(at >= m_ist_busy_until);
    case irs_reg::IRS_SYNCR: return 0; // SYNC is a write-only trigger
    default: return v;
    }
}

void irs::reg_write(irs_reg r, uint64_t value, sc_time& delay) {
    const reg_desc& d = desc(r);
    if (d.access == reg_access::RO)
        return; // WI
    value &= d.wmask;
    switch (r) {
    case irs_reg::IRS_CR0: IRS_CR0_write(value, delay); return;
    case irs_reg::IRS_SYNCR: IRS_SYNCR_write(delay); return;
    case irs_reg::IRS_VMT_BASER: IRS_VMT_BASER_write(value, delay); return;
    case irs_reg::IRS_VMAP_VMR:
    case irs_reg::IRS_VMAP_VISTR:
    case irs_reg::IRS_VMAP_L2_VISTR:
    case irs_reg::IRS_VMAP_VPER:
    case irs_reg::IRS_VMAP_L2_VMTR: vmap_write(r, value, delay); return;
    case irs_reg::IRS_VPE_SELR: IRS_VPE_SELR_write(value, delay); return;
    case irs_reg::IRS_VPE_CR0: IRS_VPE_CR0_write(value, delay); return;
    case irs_reg::IRS_VPE_DBR: IRS_VPE_DBR_write(value, delay); return;
    case irs_reg::IRS_SAVE_VMR: IRS_SAVE_VMR_write(value, delay); return;
    case irs_reg::IRS_VM_SELR: IRS_VM_SELR_write(value, delay); return;
    case irs_reg::IRS_VM_DBR: IRS_VM_DBR_write(value, delay); return;
    case irs_reg::IRS_SPI_SELR: IRS_SPI_SELR_write(value, delay); return;
    case irs_reg::IRS_SPI_VMR: IRS_SPI_VMR_write(value, delay); return;
    case irs_reg::IRS_SPI_CFGR: IRS_SPI_CFGR_write(value, delay); return;
    case irs_reg::IRS_SPI_RESAMPLER: IRS_SPI_RESAMPLER_write(value, delay); return;
    case irs_reg::IRS_PE_SELR: IRS_PE_SELR_write(value, delay); return;
    case irs_reg::IRS_PE_CR0: IRS_PE_CR0_write(value, delay); return;
    case irs_reg::IRS_IST_BASER: IRS_IST_BASER_write(value, delay); return;
    case irs_reg::IRS_SWERR_STATUSR:
        if (IRS_SWERR_STATUSR::V.test(value)) // W1C: clears the whole record
            for (irs_reg rec : {irs_reg::IRS_SWERR_STATUSR, irs_reg::IRS_SWERR_SYNDROMER0,
                                irs_reg::IRS_SWERR_SYNDROMER1})
                reg(rec) = 0;
        return;
    case irs_reg::IRS_MAP_L2_ISTR: IRS_MAP_L2_ISTR_write(value, delay); return;
    case irs_reg::IRS_IST_CFGR:
        // §3 validity rule: IST_CFGR must not change while the IST is valid.
        if (m_ist.valid) {
            ignore("IRS_IST_CFGR written while IRS_IST_BASER.VALID = 1");
            return;
        }
        break;
    case irs_reg::IRS_VMT_CFGR:
        // Reference §3 validity rule, applied to the VM table as to the IST: the
        // configuration is locked while the table is valid.
        if (vmt_valid()) {
            ignore("IRS_VMT_CFGR written while IRS_VMT_BASER.VALID = 1");
            return;
        }
        break;
    default: break;
    }
    reg(r) = value;
}

void irs::IRS_CR0_write(uint64_t value, sc_time& delay) {
    uint64_t& cr0 = reg(irs_reg::IRS_CR0);
    const bool was = IRS_CR0::IRSEN.test(cr0);
    cr0 = IRS_CR0::IRSEN.set(cr0, IRS_CR0::IRSEN.get(value));
    // §2.4, §8.7: clearing IRSEN recalls every HPPI sent; setting it recomputes all targets.
    if (was != IRS_CR0::IRSEN.test(cr0))
        refresh_all_resident(delay);
}

void irs::IRS_SYNCR_write(sc_time& delay) {
    // SIMPLIFICATION: commands take effect when they arrive, so a sync only has to wait for the
    // operations still in flight (their IDLE times).
    const sc_time at = sim_now() + delay;
    sc_time until = std::max({at, m_vmt_busy_until, m_vpe_busy_until, m_spi_busy_until,
                              m_pe_busy_until, m_ist_busy_until});
    m_sync_busy_until = until;
}

} // namespace gicv5
