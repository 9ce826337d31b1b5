#!/bin/sh
# The whole test suite again, built with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-asan/: an error, undefined behaviour or a leak aborts the test that met it, and so fails
# this script. Needs what the README's test command installs; CI (.ci/run) runs it after that.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
# -Werror: the code builds warning-free with g++ (README, Integrating the model).
# Asserts on, and libstdc++'s own checks (an index past a vector's size, an empty container's
# front). -O1 with line tables only (-g1), as the sanitizers' documentation advises: the reports'
# stack traces keep file and line, and the build takes half the time of -O2 -g.
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -Werror"
flags="$flags -D_GLIBCXX_ASSERTIONS"
cmake -S "$here" -B "$here/build-asan" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
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
