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
cmake --build "$here/build-fuzz" -j"$(nproc)" --target fuzz_config fuzz_config_frame fuzz_sysinsn fuzz_cli
# The config frame's and the system instructions' platforms live across inputs by design
# (SystemC elaborates once), so a leak check per input would blame their growing kernel state:
# leaks are checked on the loader and the command line. The command line's target prints --help
# and an error message for most inputs: its stdout and stderr are closed (libFuzzer's own report,
# the sanitizers' and the crash input are kept).
# A command line that takes more than 10 s to check is a hang (a config loads in milliseconds).
for run in "config 1" "config_frame 0" "sysinsn 0" "cli 1 -close_fd_mask=3 -timeout=10"; do
    set -- $run
    name=$1 leaks=$2
    shift 2
    found=$(mktemp -d)
    ASAN_OPTIONS=detect_leaks=$leaks SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 \
        "$here/build-fuzz/fuzz/fuzz_$name" -detect_leaks="$leaks" \
        -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$here/build-fuzz/" \
        "$@" "$found" "$here/fuzz/corpus/$name"
    rm -rf "$found"
done
