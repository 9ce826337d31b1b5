// The guest's IRS driver: 32-bit MMIO to its IRS config frame, the Linux host driver's bring-up
// (gicv5-reference.md §9.1) and SPI trigger-mode set-up (§9.2). A 64-bit register is written as
// two halves, the high one first (Unicorn splits 8-byte MMIO; VALID bits sit in the low half).
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define IRS_IDR1 0x004
#define IRS_IDR2 0x008
#define IRS_IDR5 0x014
#define IRS_IDR6 0x018
#define IRS_IDR7 0x01c
#define IRS_CR0 0x080
#define IRS_CR1 0x084
#define IRS_SPI_SELR 0x108
#define IRS_SPI_CFGR 0x114
#define IRS_SPI_STATUSR 0x118
#define IRS_PE_SELR 0x140
#define IRS_PE_STATUSR 0x144
#define IRS_PE_CR0 0x148
#define IRS_IST_BASER 0x180
#define IRS_IST_CFGR 0x190
#define IRS_IST_STATUSR 0x194

extern uintptr_t irs_base;
static inline uint32_t irs_read(unsigned off) { return *(volatile uint32_t*)(irs_base + off); }
static inline void irs_write(unsigned off, uint32_t v) { *(volatile uint32_t*)(irs_base + off) = v; }
// Polls `off` until (value & bit) != 0; false after `tries` reads.
bool irs_poll(unsigned off, uint32_t bit, unsigned tries);

// Probe: IRS_CR1 (coherent), IRSEN, IDLE; checks IDR2.LPI. False if the IRS misbehaves.
bool irs_probe(void);
// Registers this PE (IRS_PE_SELR, PE_STATUSR.V, PE_CR0.DPS = 1).
bool irs_register_cpu(unsigned iaffid);
// A linear IST of 2^id_bits 4-byte ISTEs at `table` (zeroed, aligned).
bool irs_init_ist(void* table, unsigned id_bits);
// Linux's spi_irq_set_type: SPI_SELR, poll, V, SPI_CFGR.TM, poll, V.
bool irs_spi_set_type(uint32_t spi, bool level);
