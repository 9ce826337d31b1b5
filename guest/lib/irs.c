#include "irs.h"

uintptr_t irs_base;

bool irs_poll(unsigned off, uint32_t bit, unsigned tries) {
    while (tries--)
        if (irs_read(off) & bit)
            return true;
    return false;
}

bool irs_probe(void) {
    irs_write(IRS_CR1, 0xf5d7); // coherent IRS: write-back, inner shareable
    irs_write(IRS_CR0, 1);      // IRSEN, before any IST or PE exists
    if (!irs_poll(IRS_CR0, 2, 10000))
        return false;
    (void)irs_read(IRS_IDR1);
    if (!(irs_read(IRS_IDR2) & (1u << 5))) // LPI: Linux needs them for IPIs
        return false;
    (void)irs_read(IRS_IDR7);
    (void)irs_read(IRS_IDR6);
    (void)irs_read(IRS_IDR5);
    return true;
}

bool irs_register_cpu(unsigned iaffid) {
    irs_write(IRS_PE_SELR, iaffid);
    if (!irs_poll(IRS_PE_STATUSR, 1, 10000) || !(irs_read(IRS_PE_STATUSR) & 2))
        return false; // "IAFFID invalid"
    irs_write(IRS_PE_CR0, 1); // DPS: no 1-of-N
    return irs_poll(IRS_PE_STATUSR, 1, 10000);
}

bool irs_init_ist(void* table, unsigned id_bits) {
    if (irs_read(IRS_IST_BASER) & 1)
        return false; // already valid
    irs_write(IRS_IST_CFGR, id_bits); // linear, 4-byte ISTEs
    const uint64_t pa = (uint64_t)(uintptr_t)table;
    irs_write(IRS_IST_BASER + 4, (uint32_t)(pa >> 32));
    irs_write(IRS_IST_BASER, (uint32_t)(pa & ~0x3full) | 1);
    return irs_poll(IRS_IST_STATUSR, 1, 10000);
}

bool irs_spi_set_type(uint32_t spi, bool level) {
    irs_write(IRS_SPI_SELR, spi);
    if (!irs_poll(IRS_SPI_STATUSR, 1, 10000) || !(irs_read(IRS_SPI_STATUSR) & 2))
        return false;
    irs_write(IRS_SPI_CFGR, level ? 1 : 0);
    return irs_poll(IRS_SPI_STATUSR, 1, 10000) && (irs_read(IRS_SPI_STATUSR) & 2);
}
