#!/bin/sh
# The libFuzzer targets (fuzz/), built with clang, AddressSanitizer and UBSan in build-fuzz/, each
# run for a bounded time (default 60 s) from its seed corpus in fuzz/corpus/. A crash, a
# sanitizer report or a broken assertion fails the script; the input that did it is left in
# build-fuzz/ as crash-* (replay: build-fuzz/fuzz/fuzz_TARGET FILE). New inputs the run finds go to a temporary directory, so the
# repository's corpus stays as committed. Needs clang and libclang-rt-14-dev
# (scripts/install-deps.sh); CI (.ci/run) runs it.
#
#   scripts/fuzz.sh [SECONDS]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
CC=clang CXX=clang++ cmake -S "$here" -B "$here/build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGICV5_BUILD_FUZZERS=ON -DGICV5_BUILD_TESTS=OFF -DGICV5_BUILD_BENCH=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -Werror"
cmake --build "$here/build-fuzz" -j"$(nproc)" --target fuzz_config fuzz_config_frame fuzz_sysinsn
# The config frame's and the system instructions' platforms live across inputs by design
# (SystemC elaborates once), so a leak check per input would blame their growing kernel state:
# leaks are checked on the loader.
for run in "config 1" "config_frame 0" "sysinsn 0"; do
    set -- $run
    found=$(mktemp -d)
    ASAN_OPTIONS=detect_leaks=$2 SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 \
        "$here/build-fuzz/fuzz/fuzz_$1" -detect_leaks="$2" \
        -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$here/build-fuzz/" \
        "$found" "$here/fuzz/corpus/$1"
    rm -rf "$found"
done
