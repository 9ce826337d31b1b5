// Benchmark guest (gicv5-bench's iss cases, bench/cases.cpp): x3 = mode << 32 | count.
// mode 0: `count` turns of an empty loop (the loop's own cost); mode 1: `count` turns of a loop
// around one trapped GIC access (MRS ICC_PCR_EL1); mode 2: IRSEN, the CPU interface and edge
// SPI 5 up, then `count` interrupts, one at a time: the device pulses SPI 5, the guest idles in
// WFI and takes it at VBAR_EL1 + 0x280 (GICR CDIA, GSB ACK, CDEOI, CDDI). Verdict 0; value: the
// interrupts handled (mode 2).
#include "lib/gic.h"
#include "lib/irs.h"
#include "lib/sim.h"

static volatile uint32_t taken;
static void handler(uint32_t intid) { taken += intid == GIC_INTID(GIC_TYPE_SPI, 5); }

uint32_t guest_main(uint64_t irs, uint64_t ctrl, uint64_t iaffid, uint64_t arg) {
    sim_base = ctrl;
    irs_base = irs;
    const uint32_t mode = (uint32_t)(arg >> 32), count = (uint32_t)arg;
    if (mode == 0) {
        for (uint32_t i = 0; i < count; ++i)
            __asm__ volatile("" ::: "memory");
        return 0;
    }
    if (mode == 1) {
        for (uint32_t i = 0; i < count; ++i)
            (void)ICC_READ(ICC_PCR_EL1);
        return 0;
    }
    irs_write(IRS_CR0, 1);
    if (!irs_poll(IRS_CR0, 2, 1000))
        return 1;
    gic_cpu_init(0x1f);
    const uint32_t spi5 = GIC_INTID(GIC_TYPE_SPI, 5);
    gic_cdpri(gic_prio_operand(spi5, 0x10));
    gic_cdaff(gic_aff_operand(spi5, (unsigned)iaffid));
    gic_cden(spi5);
    gic_set_handler(handler, GIC_EOI_SPLIT);
    irq_enable();
    for (uint32_t i = 0; i < count; ++i) {
        dev_pulse(5, 100);
        while (taken <= i)
            wfi();
    }
    sim_value(taken);
    return taken == count ? 0 : 2;
}
