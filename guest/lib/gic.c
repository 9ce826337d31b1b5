#include "gic.h"
#include "sim.h"

uintptr_t sim_base;
volatile uint32_t gic_spurious;
static gic_handler_fn handler;
static enum gic_eoi_order eoi_order;

void sim_puts(const char* s) {
    while (*s)
        sim_write(SIM_PUTC, (uint8_t)*s++);
}

void gic_cpu_init(unsigned pcr) {
    ICC_WRITE(ICC_PPI_ENABLER0_EL1, 0);
    ICC_WRITE(ICC_PPI_ENABLER1_EL1, 0);
    ICC_WRITE(ICC_PCR_EL1, pcr);
    ICC_WRITE(ICC_CR0_EL1, 1);
    __asm__ volatile("isb");
}

void gic_set_handler(gic_handler_fn h, enum gic_eoi_order order) {
    handler = h;
    eoi_order = order;
}

void gic_irq_entry(void) {
    uint64_t ia = gicr_cdia();
    if (!(ia & GIC_CDIA_VALID))
        ia = gicr_cdnmia(); // a superpriority interrupt, as Linux's NMI path
    if (!(ia & GIC_CDIA_VALID)) {
        ++gic_spurious;
        return;
    }
    gsb_ack();
    __asm__ volatile("isb");
    const uint32_t intid = (uint32_t)ia;
    if (eoi_order == GIC_EOI_SPLIT)
        gic_cdeoi();
    if (handler)
        handler(intid);
    if (eoi_order == GIC_EOI_TOGETHER)
        gic_cdeoi();
    gic_cddi(intid);
}

// An exception the guest does not expect (an UNDEFINED encoding, say): its verdict says so.
void guest_sync_exception(uint64_t esr, uint64_t elr) {
    sim_puts("unexpected synchronous exception\n");
    sim_value((uint32_t)esr);
    sim_value((uint32_t)elr);
    sim_write(SIM_EXIT, 0xE0);
    for (;;)
        wfi();
}
