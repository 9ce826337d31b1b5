// Virtual scenario guest (configs/iss_virtual_spis.yaml): the code of a VM's vCPU, run at EL1
// while the hypervisor agent injects virtual SPIs with GIC VDPEND. As a guest kernel's GICv5
// driver: its IRS (KVM's emulation, every access a trap) enabled, the CPU interface up, then
// each SPI of the VM given a priority and this vCPU's vPE ID, the level ones made level through
// IRS_SPI_CFGR and CDHM, and enabled. It then idles in WFI, taking each vIRQ at VBAR_EL1 + 0x280
// (GICR CDIA, GSB ACK, CDEOI at once, the handler, CDDI) and checking what it acknowledged: a
// valid SPI of its VM. At x3 ns (the config's arg, its timer ending the last WFI) it stops.
// Entry: x0 = the VM's IRS, x1 = the control page, x2 = the vPE ID, x3 = when to stop (ns),
// x4 = the VM's SPI count, x5 = its level SPIs (mask).
// Verdict 0: nothing unexpected and at least one SPI handled; 1..3: a bring-up step failed;
// 4: an unexpected INTID; 5: nothing handled; 6: ICC_IAFFIDR_EL1 (trapped to the hypervisor,
// which emulates it) is not this vCPU's vPE ID. Values: SPIs handled, edge, level, unexpected.
#include "lib/gic.h"
#include "lib/irs.h"
#include "lib/sim.h"

static volatile uint32_t handled, edge, level, unexpected;
static uint64_t spis, level_mask;

static void handler(uint32_t intid) {
    const uint32_t id = GIC_INTID_ID(intid);
    if (GIC_INTID_TYPE(intid) != GIC_TYPE_SPI || id >= spis) {
        ++unexpected;
        return;
    }
    ++handled;
    if (id < 64 && (level_mask >> id & 1))
        ++level;
    else
        ++edge;
}

uint32_t guest_main(uint64_t irs, uint64_t ctrl, uint64_t vpe, uint64_t until_ns,
                    uint64_t nspis, uint64_t levels) {
    sim_base = ctrl;
    irs_base = irs;
    spis = nspis;
    level_mask = levels;
    irs_write(IRS_CR0, 1); // the guest's IRS: IRSEN, then IDLE
    if (!irs_poll(IRS_CR0, 2, 1000))
        return 1;
    gic_cpu_init(0x1f);
    // KVM traps ICC_IAFFIDR_EL1 (ICH_HFGRTR_EL2) and answers with the vcpu_id: an exit whose
    // value lands in Xt.
    if ((ICC_READ(ICC_IAFFIDR_EL1) & 0xffff) != vpe)
        return 6;
    for (uint32_t spi = 0; spi < spis; ++spi) {
        const uint32_t intid = GIC_INTID(GIC_TYPE_SPI, spi);
        const int is_level = spi < 64 && (level_mask >> spi & 1);
        if (is_level && !irs_spi_set_type(spi, 1))
            return 2;
        gic_cdpri(gic_prio_operand(intid, 0x10));
        gic_cdaff(gic_aff_operand(intid, (unsigned)vpe));
        if (is_level)
            gic_cdhm(intid | 1ull << 32); // HM: level
        gic_cden(intid);
    }
    if ((ICC_READ(ICC_PCR_EL1) & 0x1f) != 0x1f)
        return 3;
    gic_set_handler(handler, GIC_EOI_SPLIT);
    sim_wake_at(until_ns);
    irq_enable();
    while (sim_time_ns() < until_ns)
        wfi();
    irq_disable();
    sim_value(handled);
    sim_value(edge);
    sim_value(level);
    sim_value(unexpected);
    if (unexpected || gic_spurious)
        return 4;
    if (handled == 0)
        return 5;
    sim_puts("virtual SPIs: every check held\n");
    return 0;
}
