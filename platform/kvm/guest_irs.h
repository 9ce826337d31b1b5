// The guest's IRS as KVM emulates it (reference §10.3; KVM: vgic-irs-v5.c). Each VM has a
// 128 KiB region at a guest physical address: a config frame, then a SETLPI frame. Guest
// accesses to it trap (stage-2 abort) and KVM answers them in software; this class is that
// software, one per VM, called from the agent's trap path. It has no SystemC process and no
// time of its own: the caller charges the trap.
//
// What the guest sees, and where KVM differs from the physical IRS (irs_config_frame.cpp):
// - every operation completes at once: CR0.IDLE and every *_STATUSR.IDLE read 1;
// - no nested virtualization: IDR3, IDR4 and the VM/vPE registers read as zero, ignore writes;
// - IRS_SPI_VMR, SYNCR, SPI_RESAMPLER and MAP_L2_ISTR read as zero and ignore writes;
// - the guest's LPI IST is not the guest's memory: making IRS_IST_BASER valid makes KVM allocate
//   a vIST in host memory and map it (host.map_lpi_ist); the guest's address is only recorded.
// Access sizes and errors are the physical frame's: 4 or 8 bytes, aligned, the register's width.
#pragma once

#include "tlm_gicv5/irs_regs.h"

#include <tlm>

#include <cstdint>
#include <functional>

namespace platform::kvm {

// What the emulation needs from KVM (implemented by the agent; a fake in the tests).
struct guest_irs_host {
    virtual ~guest_irs_host() = default;
    virtual bool vcpu_exists(unsigned vcpu_id) const = 0; // IRS_PE_STATUSR, IRS_PE_CR0
    virtual unsigned online_vcpus() const = 0;            // IRS_IDR1.PE_CNT
    virtual unsigned vpe_id_bits() const = 0;             // IRS_IDR1.IAFFID_BITS + 1
    // IRS_CR0.IRSEN changed: KVM reloads every vCPU (KVM_REQ_RELOAD_GICv5).
    virtual void irs_enable_changed(bool enabled) = 0;
    // IRS_SPI_CFGR.TM of SPI `spi`, kept by KVM in irq->config: read and written through here,
    // so that a restore of the SPI vIST, which sets irq->config too, is seen by the guest.
    virtual bool spi_level(unsigned spi) const = 0;
    virtual void spi_trigger_mode(unsigned spi, bool level) = 0;
    // IRS_IST_BASER invalid -> valid, configuration checked: a linear vIST of 2^id_bits ISTEs in
    // host memory, mapped with IRS_VMAP_VISTR (TYPE = LPI). False: it failed, BASER stays invalid.
    virtual bool map_lpi_ist(unsigned id_bits) = 0;
    // IRS_IST_BASER valid -> invalid: unmap the vIST, free it only if the unmap succeeded.
    // False: the unmap failed, BASER stays valid (the IRS may still use the memory).
    virtual bool unmap_lpi_ist() = 0;
    // A write of IRS_SETLPIR (only with guest_irs_params::setlpi): make vLPI `lpi_id` pending.
    virtual void set_lpi(uint32_t lpi_id) = 0;
};

// What the guest's IRS advertises. The defaults are KVM's (kvm_vgic_v5_irs_init) on a host
// IRS with this model's default parameters.
struct guest_irs_params {
    unsigned spis = 32;            // KVM_DEV_ARM_VGIC_GRP_NR_IRQS: 32..1024 in steps of 32
    unsigned pa_range = 5;         // IRS_IDR0.PA_RANGE: the host's ID_AA64MMFR0_EL1.PARANGE
    unsigned priority_bits = 5;    // IRS_IDR1.PRI_BITS + 1: the host IRS's
    unsigned id_bits = 16;         // IRS_IDR2.ID_BITS: min(16, the host IST's)
    unsigned min_lpi_id_bits = 12; // IRS_IDR2.MIN_LPI_ID_BITS: the host IRS's
    bool ist_levels = false;       // IRS_IDR2.IST_LEVELS: KVM offers linear ISTs only
    unsigned ist_l2sz = 0;         // IRS_IDR2.IST_L2SZ: bit n = L2SZ encoding n supported
    bool istmd = false;            // IRS_IDR2.ISTMD
    unsigned istmd_sz = 0;         // IRS_IDR2.ISTMD_SZ
    // IRS_IDR0.SETLPI. KVM says 0 and leaves the SETLPI frame RAZ/WI (its selftests raise vLPIs
    // with GIC CDPEND); true is our extension: IRS_SETLPIR writes reach host.set_lpi().
    bool setlpi = false;
};

// The registers KVM saves and restores through KVM_DEV_ARM_VGIC_GRP_IRS_REGS (IDR values come
// from guest_irs_params; status registers always read IDLE).
struct guest_irs_state {
    bool irsen = false;           // IRS_CR0.IRSEN
    uint32_t cr1 = 0;             // IRS_CR1, the bits KVM keeps
    uint32_t spi_selr = 0xffffff; // IRS_SPI_SELR.ID: KVM starts with -1, selecting no SPI
    uint32_t pe_selr = 0xffff;    // IRS_PE_SELR.IAFFID: likewise
    uint32_t ist_cfgr = 0;        // IRS_IST_CFGR
    uint64_t ist_baser = 0;       // IRS_IST_BASER: ADDR and VALID
    bool operator==(const guest_irs_state& o) const {
        return irsen == o.irsen && cr1 == o.cr1 && spi_selr == o.spi_selr && pe_selr == o.pe_selr &&
               ist_cfgr == o.ist_cfgr && ist_baser == o.ist_baser;
    }
};

class guest_irs {
public:
    static constexpr uint64_t REGION_BYTES = 0x20000; // config frame + SETLPI frame

    // Throws std::invalid_argument for parameters KVM would refuse (the message names them).
    guest_irs(const guest_irs_params& params, guest_irs_host& host);

    // A guest access at `offset` within the region, of `size` bytes: the TLM response the
    // guest's access gets (OK, or the error the physical frame gives for the same access).
    tlm::tlm_response_status read(uint64_t offset, unsigned size, uint64_t& data);
    tlm::tlm_response_status write(uint64_t offset, unsigned size, uint64_t data);

    bool enabled() const { return m_state.irsen; } // IRS_CR0.IRSEN, for KVM's load/put rules
    bool lpi_ist_valid() const;                    // IRS_IST_BASER.VALID
    const guest_irs_params& params() const { return m_params; }

    // Device-attribute save and restore (userspace, before the VM runs). restore() refuses
    // (false, nothing changed) an IST configuration or base that differs from a vIST already
    // mapped, as KVM does (-EINVAL); it tells the host nothing. A restored valid BASER leaves
    // the vIST to be mapped by map_restored_ist() once the LPI IST image is in (KVM:
    // lpi_ist_restore_pending).
    guest_irs_state save() const { return m_state; }
    bool restore(const guest_irs_state& s);
    bool restore_pending() const { return m_restore_pending; }
    // Maps the vIST of a restored valid BASER. False: its configuration is invalid or the map
    // failed (still pending). True when nothing was pending.
    bool map_restored_ist();
    // The same with `map` in place of host.map_lpi_ist(): KVM's IST restore allocates the vIST,
    // fills it with the saved image and only then maps it.
    bool map_restored_ist(const std::function<bool(unsigned id_bits)>& map);

private:
    uint64_t reg_read(gicv5::irs_reg r) const;
    void reg_write(gicv5::irs_reg r, uint64_t value);
    void ist_baser_write(uint64_t value);
    bool map_ist(const std::function<bool(unsigned id_bits)>& map);
    bool spi_selected() const;
    bool ist_cfgr_valid(uint32_t cfgr) const;

    guest_irs_params m_params;
    guest_irs_host& m_host;
    guest_irs_state m_state;
    bool m_ist_mapped = false;      // the host vIST exists (KVM: vgic_v5_lpi_ist_exists)
    bool m_restore_pending = false; // BASER restored valid, vIST not mapped yet
};

} // namespace platform::kvm
