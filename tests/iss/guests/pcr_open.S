    .include "common.inc"
    .include "bringup.inc"
    movz x11, #0x80, lsl #32    // PRIORITY 0x10 in [39:35]
    orr x11, x11, x10
    sys #0, c12, c1, #2, x11    // GIC CDPRI: SPI 5 at priority 0x10
    mov x9, #0
    msr s3_1_c12_c0_2, x9       // ICC_PCR_EL1 = 0: nothing gets through
    msr daifclr, #2             // PSTATE.I clear
    mov x9, #5000
1:  subs x9, x9, #1             // SPI 5 becomes pending meanwhile, masked by the PCR
    b.ne 1b
    mov x21, x20
    mov x9, #0x1f
    msr s3_1_c12_c0_2, x9       // the PCR opens: the IRQ is taken before the next instruction
    mov x22, x20
    msr daifset, #2
    str xzr, [x19]
3:  b 3b
