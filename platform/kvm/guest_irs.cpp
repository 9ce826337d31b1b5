// The guest's IRS as KVM emulates it (guest_irs.h; KVM: vgic-irs-v5.c).
#include "platform/kvm/guest_irs.h"

#include <stdexcept>
#include <string>

namespace platform::kvm {

using namespace gicv5;

namespace {
// Values KVM gives the guest that the project declares nowhere else.
constexpr uint64_t INT_DOM_NON_SECURE = 1;
constexpr uint64_t PRODUCT_ID_KVM = 0x4b; // ASCII 'K' (KVM: vgic.h)
constexpr uint64_t IMPLEMENTER_ARM = 0x43b;
constexpr field SPI_DOMAINR_DOMAIN{1, 0};
// IRS_CR1: KVM keeps SH, OC, IC and the RA/WA hints except VMT_WA (bit 9) and VPET_WA (bit 11).
constexpr uint32_t CR1_KEPT = 0xf5ff;
constexpr uint32_t IST_CFGR_BITS =
    static_cast<uint32_t>(IRS_IST_CFGR::LPI_ID_BITS.mask() | IRS_IST_CFGR::L2SZ.mask() |
                          IRS_IST_CFGR::ISTSZ.mask() | IRS_IST_CFGR::STRUCTURE.mask());
constexpr uint64_t IST_BASER_BITS = IRS_IST_BASER::ADDR.mask() | IRS_IST_BASER::VALID.mask();
// IRS_IST_CFGR.ISTSZ encodings: ISTE of 4, 8 or 16 bytes.
constexpr unsigned ISTSZ_4 = 0, ISTSZ_8 = 1, ISTSZ_16 = 2;

void require(bool ok, const std::string& what) {
    if (!ok)
        throw std::invalid_argument("guest IRS: " + what);
}
} // namespace

guest_irs::guest_irs(const guest_irs_params& params, guest_irs_host& host)
    : m_params(params), m_host(host) {
    const guest_irs_params& p = params;
    require(p.spis >= 32 && p.spis <= 1024 && p.spis % 32 == 0,
            "spis is " + std::to_string(p.spis) + ", expected 32..1024 in steps of 32");
    require(p.priority_bits >= 1 && p.priority_bits <= 5,
            "priority_bits is " + std::to_string(p.priority_bits) + ", expected 1..5");
    require(p.id_bits <= 24 && p.min_lpi_id_bits <= p.id_bits,
            "id_bits " + std::to_string(p.id_bits) + " and min_lpi_id_bits " +
                std::to_string(p.min_lpi_id_bits) + ", expected min_lpi_id_bits <= id_bits <= 24");
    require(p.pa_range <= IRS_IDR0::PA_RANGE.mask() >> IRS_IDR0::PA_RANGE.lsb &&
                p.ist_l2sz <= IRS_IDR2::IST_L2SZ.mask() >> IRS_IDR2::IST_L2SZ.lsb &&
                p.istmd_sz <= IRS_IDR2::ISTMD_SZ.mask() >> IRS_IDR2::ISTMD_SZ.lsb,
            "pa_range, ist_l2sz or istmd_sz does not fit its IDR field");
}

bool guest_irs::lpi_ist_valid() const { return IRS_IST_BASER::VALID.test(m_state.ist_baser); }

tlm::tlm_response_status guest_irs::read(uint64_t offset, unsigned size, uint64_t& data) {
    data = 0;
    if (offset >= REGION_BYTES)
        return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    if ((size != 4 && size != 8) || offset % size != 0)
        return tlm::TLM_GENERIC_ERROR_RESPONSE;
    if (offset >= IRS_CONFIG_FRAME_SIZE)
        return tlm::TLM_OK_RESPONSE; // SETLPI frame: IRS_SETLPIR is write-only, the rest reserved
    irs_reg r{};
    const reg_desc* d = irs_config_lookup(static_cast<uint32_t>(offset), &r);
    if (!d)
        return tlm::TLM_OK_RESPONSE; // reserved: RAZ
    if (d->offset != offset || d->width / 8u != size)
        return tlm::TLM_GENERIC_ERROR_RESPONSE;
    data = reg_read(r);
    return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status guest_irs::write(uint64_t offset, unsigned size, uint64_t data) {
    if (offset >= REGION_BYTES)
        return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    if ((size != 4 && size != 8) || offset % size != 0)
        return tlm::TLM_GENERIC_ERROR_RESPONSE;
    if (size == 4)
        data &= 0xffffffffu;
    if (offset >= IRS_CONFIG_FRAME_SIZE) {
        // IRS_SETLPIR: a 32-bit write, as on the physical frame; anything else is WI. An ID the
        // guest's LPI IST does not hold is dropped, as the IRS drops it.
        const uint32_t id = static_cast<uint32_t>(IRS_SETLPIR::ID.get(data));
        if (m_params.setlpi && offset - IRS_CONFIG_FRAME_SIZE == IRS_SETLPIR_OFFSET && size == 4 &&
            m_ist_mapped && id < (uint64_t{1} << IRS_IST_CFGR::LPI_ID_BITS.get(m_state.ist_cfgr)))
            m_host.set_lpi(id);
        return tlm::TLM_OK_RESPONSE;
    }
    irs_reg r{};
    const reg_desc* d = irs_config_lookup(static_cast<uint32_t>(offset), &r);
    if (!d)
        return tlm::TLM_OK_RESPONSE; // reserved: WI
    if (d->offset != offset || d->width / 8u != size)
        return tlm::TLM_GENERIC_ERROR_RESPONSE;
    reg_write(r, data);
    return tlm::TLM_OK_RESPONSE;
}

// KVM: vgic_v5_is_spi_selr_valid(). One IRS holds every SPI, from ID 0.
bool guest_irs::spi_selected() const { return m_state.spi_selr < m_params.spis; }

uint64_t guest_irs::reg_read(irs_reg r) const {
    const guest_irs_params& p = m_params;
    switch (r) {
    case irs_reg::IRS_IDR0:
        return IRS_IDR0::INT_DOM.make(INT_DOM_NON_SECURE) | IRS_IDR0::PA_RANGE.make(p.pa_range) |
               IRS_IDR0::SETLPI.make(p.setlpi);
    case irs_reg::IRS_IDR1:
        return IRS_IDR1::PE_CNT.make(m_host.online_vcpus()) |
               IRS_IDR1::IAFFID_BITS.make(m_host.vpe_id_bits() - 1) |
               IRS_IDR1::PRI_BITS.make(p.priority_bits - 1);
    case irs_reg::IRS_IDR2:
        return IRS_IDR2::ID_BITS.make(p.id_bits) | IRS_IDR2::LPI.make(1) |
               IRS_IDR2::MIN_LPI_ID_BITS.make(p.min_lpi_id_bits) |
               IRS_IDR2::IST_LEVELS.make(p.ist_levels) | IRS_IDR2::IST_L2SZ.make(p.ist_l2sz) |
               IRS_IDR2::ISTMD.make(p.istmd) | IRS_IDR2::ISTMD_SZ.make(p.istmd_sz);
    case irs_reg::IRS_IDR5: return IRS_IDR5::SPI_RANGE.make(p.spis);
    case irs_reg::IRS_IDR6: return IRS_IDR6::SPI_IRS_RANGE.make(p.spis);
    case irs_reg::IRS_IIDR:
        return IRS_IIDR::PRODUCTID.make(PRODUCT_ID_KVM) |
               IRS_IIDR::IMPLEMENTER.make(IMPLEMENTER_ARM);
    case irs_reg::IRS_CR0: return IRS_CR0::IDLE.make(1) | IRS_CR0::IRSEN.make(m_state.irsen);
    case irs_reg::IRS_CR1: return m_state.cr1;
    case irs_reg::IRS_SYNC_STATUSR: return IRS_SYNC_STATUSR::IDLE.make(1);
    case irs_reg::IRS_SPI_SELR: return m_state.spi_selr;
    case irs_reg::IRS_SPI_DOMAINR: return SPI_DOMAINR_DOMAIN.make(INT_DOM_NON_SECURE);
    case irs_reg::IRS_SPI_CFGR:
        return spi_selected() ? IRS_SPI_CFGR::TM.make(m_host.spi_level(m_state.spi_selr)) : 0;
    case irs_reg::IRS_SPI_STATUSR:
        return IRS_SPI_STATUSR::IDLE.make(1) | IRS_SPI_STATUSR::V.make(spi_selected());
    case irs_reg::IRS_PE_SELR: return m_state.pe_selr;
    case irs_reg::IRS_PE_STATUSR: {
        const bool present = m_host.vcpu_exists(m_state.pe_selr);
        return IRS_PE_STATUSR::IDLE.make(1) | IRS_PE_STATUSR::V.make(present) |
               IRS_PE_STATUSR::ONLINE.make(present);
    }
    // No 1-of-N routing: a present PE always reads DPS = 1 (KVM).
    case irs_reg::IRS_PE_CR0: return IRS_PE_CR0::DPS.make(m_host.vcpu_exists(m_state.pe_selr));
    case irs_reg::IRS_IST_BASER: return m_state.ist_baser;
    case irs_reg::IRS_IST_CFGR: return m_state.ist_cfgr;
    case irs_reg::IRS_IST_STATUSR: return IRS_IST_STATUSR::IDLE.make(1);
    // IDR3/IDR4 and the VM registers (no nested virtualization), IDR7 (SPI_BASE 0), AIDR (IRS,
    // GICv5.0: all fields 0), SPI_VMR, SYNCR, the write-only triggers, SWERR: all zero.
    default: return 0;
    }
}

void guest_irs::reg_write(irs_reg r, uint64_t value) {
    switch (r) {
    case irs_reg::IRS_CR0: {
        const bool en = IRS_CR0::IRSEN.test(value);
        if (en != m_state.irsen) { // KVM reloads the vCPUs on an edge only
            m_state.irsen = en;
            m_host.irs_enable_changed(en);
        }
        return;
    }
    case irs_reg::IRS_CR1: m_state.cr1 = static_cast<uint32_t>(value) & CR1_KEPT; return;
    case irs_reg::IRS_SPI_SELR:
        m_state.spi_selr = static_cast<uint32_t>(IRS_SPI_SELR::ID.get(value));
        return;
    case irs_reg::IRS_SPI_CFGR:
        if (spi_selected()) // else ignored, as KVM ignores it
            m_host.spi_trigger_mode(m_state.spi_selr, IRS_SPI_CFGR::TM.test(value));
        return;
    case irs_reg::IRS_PE_SELR:
        m_state.pe_selr = static_cast<uint32_t>(IRS_PE_SELR::IAFFID.get(value));
        return;
    case irs_reg::IRS_IST_CFGR:
        if (!lpi_ist_valid()) // locked while the IST is valid
            m_state.ist_cfgr = static_cast<uint32_t>(value) & IST_CFGR_BITS;
        return;
    case irs_reg::IRS_IST_BASER: ist_baser_write(value); return;
    // IRS_PE_CR0 (the only sensible value is DPS = 1 and there is no way to fault), SYNCR,
    // SPI_VMR, SPI_RESAMPLER, MAP_L2_ISTR, the ID, status, VM and SWERR registers: ignored.
    default: return;
    }
}

// KVM: vgic_v5_write_irs_ist_baser().
void guest_irs::ist_baser_write(uint64_t value) {
    const bool was = lpi_ist_valid();
    const bool valid = IRS_IST_BASER::VALID.test(value);
    if (was && valid)
        return; // the address cannot change while the IST is valid
    if (was && !valid) {
        if (m_ist_mapped) {
            if (!m_host.unmap_lpi_ist())
                return; // the IRS may still use the vIST: it stays valid and allocated
            m_ist_mapped = false;
        }
        m_restore_pending = false;
    } else if (!was && valid &&
               !map_ist([this](unsigned bits) { return m_host.map_lpi_ist(bits); })) {
        return; // stays invalid, the address not recorded
    }
    m_state.ist_baser = value & IST_BASER_BITS;
}

// KVM: vgic_v5_ist_cfgr_valid(). IDR2.IST_L2SZ is read as the spec defines it, one bit per
// supported L2SZ encoding; KVM compares the encoding with the field, which differs only with
// IST_LEVELS = 1, which KVM never offers.
bool guest_irs::ist_cfgr_valid(uint32_t cfgr) const {
    const guest_irs_params& p = m_params;
    const unsigned bits = static_cast<unsigned>(IRS_IST_CFGR::LPI_ID_BITS.get(cfgr));
    if (bits < p.min_lpi_id_bits || bits > p.id_bits)
        return false;
    const unsigned istsz = !p.istmd ? ISTSZ_4 : bits >= p.istmd_sz ? ISTSZ_16 : ISTSZ_8;
    if (IRS_IST_CFGR::ISTSZ.get(cfgr) != istsz)
        return false;
    if (!IRS_IST_CFGR::STRUCTURE.test(cfgr))
        return true;
    return p.ist_levels && (p.ist_l2sz >> IRS_IST_CFGR::L2SZ.get(cfgr) & 1u);
}

// KVM: vgic_v5_mmio_uaccess_write_irs() for CR0, IST_CFGR and IST_BASER; the others as guest
// writes without their side effects.
bool guest_irs::restore(const guest_irs_state& s) {
    if (m_ist_mapped && ((s.ist_cfgr & IST_CFGR_BITS) != m_state.ist_cfgr ||
                         (s.ist_baser & IST_BASER_BITS) != m_state.ist_baser))
        return false;
    const bool was = lpi_ist_valid();
    m_state.irsen = s.irsen;
    m_state.cr1 = s.cr1 & CR1_KEPT;
    m_state.spi_selr = static_cast<uint32_t>(IRS_SPI_SELR::ID.get(s.spi_selr));
    m_state.pe_selr = static_cast<uint32_t>(IRS_PE_SELR::IAFFID.get(s.pe_selr));
    m_state.ist_cfgr = s.ist_cfgr & IST_CFGR_BITS;
    m_state.ist_baser = s.ist_baser & IST_BASER_BITS;
    if (!was && lpi_ist_valid())
        m_restore_pending = true;
    else if (!lpi_ist_valid())
        m_restore_pending = false;
    return true;
}

bool guest_irs::map_restored_ist() {
    return map_restored_ist([this](unsigned bits) { return m_host.map_lpi_ist(bits); });
}

bool guest_irs::map_restored_ist(const std::function<bool(unsigned id_bits)>& map) {
    if (!m_restore_pending)
        return true;
    if (!map_ist(map))
        return false;
    m_restore_pending = false;
    return true;
}

// The invalid -> valid edge: IRS_IST_CFGR checked, then the vIST mapped in host memory.
bool guest_irs::map_ist(const std::function<bool(unsigned id_bits)>& map) {
    const auto bits = static_cast<unsigned>(IRS_IST_CFGR::LPI_ID_BITS.get(m_state.ist_cfgr));
    if (!ist_cfgr_valid(m_state.ist_cfgr) || !map(bits))
        return false;
    m_ist_mapped = true;
    return true;
}

} // namespace platform::kvm
