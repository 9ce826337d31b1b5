// Physical scenario guest (configs/iss_physical_spis.yaml): the code brings the IRS up as the
// Linux host driver does (gicv5-reference.md §9.1: probe, CPU interface, PE registration, a
// linear IST), configures an edge SPI and a level SPI as §9.2 (priority, affinity, the trigger
// mode set while masked, unmask), then has the platform's device raise them, round after round,
// and checks what it acknowledges. The level SPI's handler lowers the device's line before the
// deactivate, as a driver clears its device's interrupt. The first half of the rounds drops the
// priority at the acknowledge (Linux's order), the second half after the handler.
// x3 (the config's arg): rounds, 8 when 0. Verdict 0: every check held; else the failed step.
// Reported values: edge SPIs handled, level SPIs handled, unexpected INTIDs.
#include "lib/gic.h"
#include "lib/irs.h"
#include "lib/sim.h"

#define EDGE_SPI 5u
#define LEVEL_SPI 9u
#define PRIORITY 0x10u
#define TIMEOUT_NS 1000000u

static volatile uint32_t edge_count, level_count, unexpected;
static uint32_t ist[1u << 12] __attribute__((aligned(65536))); // 12 ID bits, 4-byte ISTEs

static void handler(uint32_t intid) {
    if (GIC_INTID_TYPE(intid) != GIC_TYPE_SPI) {
        ++unexpected;
        return;
    }
    switch (GIC_INTID_ID(intid)) {
    case EDGE_SPI: ++edge_count; break;
    case LEVEL_SPI:
        dev_lower(LEVEL_SPI); // the device's condition is cleared before the deactivate
        ++level_count;
        break;
    default: ++unexpected;
    }
}

// Idles in WFI until *count reaches want; false after timeout_ns.
static int wait_count(volatile uint32_t* count, uint32_t want) {
    const uint64_t end = sim_time_ns() + TIMEOUT_NS;
    while (*count < want) {
        if (sim_time_ns() > end)
            return 0;
        wfi();
    }
    return 1;
}

static int setup_spi(uint32_t spi, unsigned iaffid, int level) {
    const uint32_t intid = GIC_INTID(GIC_TYPE_SPI, spi);
    gic_cdpri(gic_prio_operand(intid, PRIORITY));
    gic_cdaff(gic_aff_operand(intid, iaffid));
    gic_cddis(intid); // irq_set_type runs masked
    gsb_sys();
    if (!irs_spi_set_type(spi, level))
        return 0;
    gic_cden(intid);
    return 1;
}

uint32_t guest_main(uint64_t irs, uint64_t ctrl, uint64_t iaffid, uint64_t rounds) {
    sim_base = ctrl;
    irs_base = irs;
    if (rounds == 0)
        rounds = 8;
    if (!irs_probe())
        return 1;
    gic_cpu_init(0x1f);
    if ((ICC_READ(ICC_IAFFIDR_EL1) & 0xffff) != iaffid)
        return 2;
    if (!irs_register_cpu((unsigned)iaffid))
        return 3;
    if (!irs_init_ist(ist, 12))
        return 4;
    if (!setup_spi(EDGE_SPI, (unsigned)iaffid, 0) || !setup_spi(LEVEL_SPI, (unsigned)iaffid, 1))
        return 5;
    irq_enable();
    for (uint32_t i = 0; i < rounds; ++i) {
        gic_set_handler(handler, i < rounds / 2 ? GIC_EOI_SPLIT : GIC_EOI_TOGETHER);
        dev_pulse(EDGE_SPI, 1000); // an edge 1 us from now
        if (!wait_count(&edge_count, i + 1))
            return 6;
        dev_raise(LEVEL_SPI, 500); // held high until the handler lowers it
        if (!wait_count(&level_count, i + 1))
            return 7;
    }
    // Both at once: each is taken, once.
    dev_pulse(EDGE_SPI, 200);
    dev_raise(LEVEL_SPI, 200);
    if (!wait_count(&edge_count, rounds + 1) || !wait_count(&level_count, rounds + 1))
        return 8;
    // Nothing more comes: 20 us later the counts are the same.
    const uint64_t quiet = sim_time_ns() + 20000;
    while (sim_time_ns() < quiet)
        ;
    irq_disable();
    if (edge_count != rounds + 1 || level_count != rounds + 1 || unexpected || gic_spurious)
        return 9;
    // Neither SPI is left pending or active (CDRCFG, then ICC_ICSR_EL1: F, Pending, Active).
    for (uint32_t spi = EDGE_SPI; spi <= LEVEL_SPI; spi += LEVEL_SPI - EDGE_SPI) {
        gic_cdrcfg(GIC_INTID(GIC_TYPE_SPI, spi));
        __asm__ volatile("isb");
        if (ICC_READ(ICC_ICSR_EL1) & 0x15)
            return 10;
    }
    sim_value(edge_count);
    sim_value(level_count);
    sim_value(unexpected);
    sim_puts("physical SPIs: every check held\n");
    return 0;
}
