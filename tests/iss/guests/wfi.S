    .include "common.inc"
    .include "bringup.inc"
    wfi                         // PSTATE.I set: wakes, takes nothing
    ldr x27, [x19, #0x18]       // TIME_NS
    sysl x28, #0, c12, c3, #0   // GICR CDIA into x28
    sys #0, c12, c1, #7
    and x9, x28, #0xffffffff
    sys #0, c12, c2, #0, x9
    str xzr, [x19]
3:  b 3b
