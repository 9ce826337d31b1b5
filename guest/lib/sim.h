// The ISS PE's control page (cpu_stubs/iss/iss_pe.h, iss_control): the guest's verdict, values
// for the report, a console, its local time, and on a physical PE a device that drives SPI
// lines. Registers are 32 bits wide (Unicorn splits 8-byte MMIO accesses), TIME_NS 64.
#pragma once
#include <stdint.h>

#define SIM_EXIT 0x00
#define SIM_VALUE 0x08
#define SIM_PUTC 0x10
#define SIM_TIME_NS 0x18
#define SIM_DEV_DELAY 0x20
#define SIM_DEV_PULSE 0x28
#define SIM_DEV_RAISE 0x30
#define SIM_DEV_LOWER 0x38
#define SIM_WAKE_AT_NS 0x40

extern uintptr_t sim_base; // set by the guest from x1 at entry

static inline void sim_write(unsigned off, uint32_t v) {
    *(volatile uint32_t*)(sim_base + off) = v;
}
static inline uint64_t sim_time_ns(void) {
    const uint32_t lo = *(volatile uint32_t*)(sim_base + SIM_TIME_NS);
    const uint32_t hi = *(volatile uint32_t*)(sim_base + SIM_TIME_NS + 4);
    return (uint64_t)hi << 32 | lo;
}
static inline void sim_value(uint32_t v) { sim_write(SIM_VALUE, v); }
// The guest's timer: a WFI ends by `ns` (local time) at the latest, as its virtual timer would.
static inline void sim_wake_at(uint64_t ns) {
    sim_write(SIM_WAKE_AT_NS, (uint32_t)ns);
    sim_write(SIM_WAKE_AT_NS + 4, (uint32_t)(ns >> 32));
}
void sim_puts(const char* s);
// The device: SPI `id`'s line, `delay_ns` from now.
static inline void dev_pulse(uint32_t id, uint32_t delay_ns) {
    sim_write(SIM_DEV_DELAY, delay_ns);
    sim_write(SIM_DEV_PULSE, id);
}
static inline void dev_raise(uint32_t id, uint32_t delay_ns) {
    sim_write(SIM_DEV_DELAY, delay_ns);
    sim_write(SIM_DEV_RAISE, id);
}
static inline void dev_lower(uint32_t id) { sim_write(SIM_DEV_LOWER, id); }
