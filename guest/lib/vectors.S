// The guest's exception vectors (VBAR_EL1). IRQ from the current EL with SP_ELx (+0x280) calls
// gic_irq_entry() with the caller-saved registers kept; the synchronous vector (+0x200: an
// UNDEFINED encoding, say) calls guest_sync_exception(ESR_EL1, ELR_EL1), which does not return.
    .macro save
    stp x0, x1, [sp, #-176]!
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x29, [sp, #144]
    str x30, [sp, #160]
    .endm
    .macro restore
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x29, [sp, #144]
    ldr x30, [sp, #160]
    ldp x0, x1, [sp], #176
    .endm

    .section .vectors, "ax"
    .balign 0x800
    .global gic_vectors
gic_vectors:
    .org 0x200
    mrs x0, esr_el1
    mrs x1, elr_el1
    b guest_sync_exception
    .org 0x280
    save
    bl gic_irq_entry
    restore
    eret
    .org 0x800
