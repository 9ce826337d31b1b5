// One-call entry point: elaborate the platform described by cfg, simulate it to the end of its
// drain, and return what it measured. SystemC allows one elaboration per process, so this can be
// called once per process.
#pragma once

#include "platform_config.h"
#include "run_results.h"

namespace platform {

run_results run(const platform_config& cfg);

} // namespace platform
