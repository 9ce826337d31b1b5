    .include "common.inc"
    .include "bringup.inc"
    mov x9, #5000
1:  subs x9, x9, #1
    b.ne 1b
    mov x21, x20                // IRQs taken with PSTATE.I set
    msr daifclr, #2
    mov x9, #5000
2:  subs x9, x9, #1
    b.ne 2b
    mov x22, x20                // ... and once it was clear
    msr daifset, #2
    str xzr, [x19]              // EXIT 0
3:  b 3b
