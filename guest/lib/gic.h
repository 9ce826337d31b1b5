// The guest's GICv5 CPU-interface library, in the raw forms GNU as 2.40 accepts (it has no
// GICv5 mnemonic): GIC CD* and GSB as `sys #0, c12, ...`, GICR CDIA/CDNMIA as `sysl` (L = 1:
// the SYS form of those fields is UNDEFINED), ICC_* registers as `s3_<op1>_c12_c<m>_<op2>`.
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define GIC_TYPE_PPI 1u
#define GIC_TYPE_LPI 2u
#define GIC_TYPE_SPI 3u
#define GIC_INTID(type, id) ((uint32_t)(type) << 29 | (uint32_t)(id))
#define GIC_INTID_TYPE(intid) ((intid) >> 29 & 7u)
#define GIC_INTID_ID(intid) ((intid) & 0xffffffu)
#define GIC_CDIA_VALID (1ull << 32)

#define GIC_SYS(op1crm_op2, x) __asm__ volatile("sys " op1crm_op2 ", %0" ::"r"((uint64_t)(x)) : "memory")
static inline void gic_cddis(uint64_t x) { GIC_SYS("#0, c12, c1, #0", x); }
static inline void gic_cden(uint64_t x) { GIC_SYS("#0, c12, c1, #1", x); }
static inline void gic_cdpri(uint64_t x) { GIC_SYS("#0, c12, c1, #2", x); }
static inline void gic_cdaff(uint64_t x) { GIC_SYS("#0, c12, c1, #3", x); }
static inline void gic_cdpend(uint64_t x) { GIC_SYS("#0, c12, c1, #4", x); }
static inline void gic_cdrcfg(uint64_t x) { GIC_SYS("#0, c12, c1, #5", x); }
static inline void gic_cddi(uint64_t x) { GIC_SYS("#0, c12, c2, #0", x); }
static inline void gic_cdhm(uint64_t x) { GIC_SYS("#0, c12, c2, #1", x); }
static inline void gic_cdeoi(void) { __asm__ volatile("sys #0, c12, c1, #7" ::: "memory"); }
static inline void gsb_sys(void) { __asm__ volatile("sys #0, c12, c0, #0" ::: "memory"); }
static inline void gsb_ack(void) { __asm__ volatile("sys #0, c12, c0, #1" ::: "memory"); }
static inline uint64_t gicr_cdia(void) {
    uint64_t v;
    __asm__ volatile("sysl %0, #0, c12, c3, #0" : "=r"(v)::"memory");
    return v;
}
static inline uint64_t gicr_cdnmia(void) {
    uint64_t v;
    __asm__ volatile("sysl %0, #0, c12, c3, #1" : "=r"(v)::"memory");
    return v;
}

#define ICC_WRITE(enc, v) __asm__ volatile("msr " enc ", %0" ::"r"((uint64_t)(v)) : "memory")
#define ICC_READ(enc)                                                                              \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("mrs %0, " enc : "=r"(v_)::"memory");                                     \
        v_;                                                                                        \
    })
#define ICC_ICSR_EL1 "s3_0_c12_c10_4"
#define ICC_IAFFIDR_EL1 "s3_0_c12_c10_5"
#define ICC_PPI_ENABLER0_EL1 "s3_0_c12_c10_6"
#define ICC_PPI_ENABLER1_EL1 "s3_0_c12_c10_7"
#define ICC_CR0_EL1 "s3_1_c12_c0_1"
#define ICC_PCR_EL1 "s3_1_c12_c0_2"

// The operand of CDPRI and CDAFF.
static inline uint64_t gic_prio_operand(uint32_t intid, unsigned prio) {
    return (uint64_t)(prio & 0x1f) << 35 | intid;
}
static inline uint64_t gic_aff_operand(uint32_t intid, unsigned iaffid) {
    return (uint64_t)(iaffid & 0xffff) << 32 | intid;
}

static inline void irq_enable(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }

// Linux's gicv5_cpu_enable_interrupts(): PPIs off, the priority mask, then the enable.
void gic_cpu_init(unsigned pcr);

// The interrupt entry gic_irq_entry() runs (vectors.S): GICR CDIA (then CDNMIA if nothing), GSB
// ACK, then in the order the guest chose the priority drop (GIC CDEOI) and the handler, and the
// deactivate (GIC CDDI). The handler gets the INTID (TYPE and ID).
typedef void (*gic_handler_fn)(uint32_t intid);
enum gic_eoi_order {
    GIC_EOI_SPLIT,    // CDEOI at once after the acknowledge, CDDI after the handler (Linux)
    GIC_EOI_TOGETHER, // the handler, then CDEOI, then CDDI
};
void gic_set_handler(gic_handler_fn h, enum gic_eoi_order order);
extern volatile uint32_t gic_spurious; // entries where neither acknowledge was valid
