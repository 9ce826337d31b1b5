// Internal to the config loader: the `script:` list of directed steps (platform/script.h).
// Each entry is a mapping with `pe` and exactly one step key (mmio_read, mmio_write, sys,
// sysreg_read, sysreg_write, spi_line, wait, expect_line, el, and the agent steps kvm_irq_line,
// irqfd, resample_irqfd, vcpu_kick, vm_teardown, ist_save, ist_restore, expect_agent; the guest's
// wfi), plus the keys that step allows, and `at` on any.
#pragma once

#include "config_loader.h"
#include "schema.h"

namespace gicv5_sim::schema {

field<sim_config> script_key();

} // namespace gicv5_sim::schema
