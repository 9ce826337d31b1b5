    .include "common.inc"
    mov x25, #0
    sys #0, c12, c3, #0, x0     // the SYS form of GICR CDIA's fields: UNDEFINED
    mov x27, x25
    str xzr, [x19]
3:  b 3b
