    .include "common.inc"
    mov x9, #0x40000000
    ldr w10, [x9]
    str xzr, [x19]
3:  b 3b
