// Entry of a guest image on the ISS PE, at EL1 with DAIF masked. The ISS PE passes
// x0 = the IRS config frame (a vCPU's guest: its VM's emulated IRS), x1 = the control page,
// x2 = this PE's IAFFID (vPE ID), x3 = the config's arg, x4 = the VM's SPI count, x5 = its
// level-SPI mask (vCPU guests; 0 on a physical PE).
    .section .text.start, "ax"
    .global _start
_start:
    adr x9, __stack_top
    mov sp, x9
    adr x9, __bss_start            // the loader zeroes .bss (PT_LOAD memsz); again for a restart
    adr x10, __bss_end
1:  cmp x9, x10
    b.hs 2f
    str xzr, [x9], #8
    b 1b
2:  adr x9, gic_vectors
    msr vbar_el1, x9
    isb
    mov x19, x1
    bl guest_main                  // (x0..x5) -> verdict in w0
    str w0, [x19]                  // the control page's EXIT: the guest stops here
3:  wfi
    b 3b
