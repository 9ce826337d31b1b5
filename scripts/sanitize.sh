#!/bin/sh
# The whole test suite again, built with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-asan/: an error, undefined behaviour or a leak aborts the test that met it, and so fails
# this script. Needs what the README's test command installs; CI (.ci/run) runs it after that.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
# -Werror: the code builds warning-free with g++ (README, Integrating the model).
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -Werror"
cmake -S "$here" -B "$here/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
cmake --build "$here/build-asan" -j"$(nproc)"
# SystemC's memory pools hide allocations from the leak checker (design.md).
# use_stacks=0: Debian's SystemC tells ASan about its coroutine switches, but can leave a
# coroutine's stack recorded as the main thread's; at exit LeakSanitizer then scans that freed
# stack and its tracer dies on a protected page (seen on some runs, varying with ASLR). sc_main
# has returned by then, so the main stack holds no roots; heap, globals and TLS are still scanned.
SYSTEMC_MEMPOOL_DONT_USE=1 ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=use_stacks=0 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir "$here/build-asan" --output-on-failure -j"$(nproc)"
