#!/bin/sh
# The benchmark as the README's Performance section runs it: the SystemC floor (perf-floor, kept
# outside this project) measured first, then gicv5-bench on the same machine, read against it.
#
#   scripts/bench.sh [PERF_FLOOR_DIR] [gicv5-bench options, e.g. --json]
#
# PERF_FLOOR_DIR holds perf_floor.cpp (default: ../shared/perf-floor, beside this checkout).
# Builds build/gicv5-bench first if it is missing or out of date.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
floor_dir=../shared/perf-floor
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    floor_dir=$1
    shift
fi
if [ ! -f "$floor_dir/perf_floor.cpp" ]; then
    echo "bench.sh: no perf_floor.cpp in $floor_dir (give its directory as the first argument)" >&2
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake -S "$here" -B "$here/build" >/dev/null
cmake --build "$here/build" --target gicv5-bench -j"$(nproc)" >/dev/null
# shellcheck disable=SC2046 # pkg-config's flags are meant to split
g++ -O2 -std=c++17 "$floor_dir/perf_floor.cpp" -o "$tmp/perf_floor" \
    $(pkg-config --cflags --libs systemc)
# Three floor runs, as each of our cases takes the best of three: gicv5-bench keeps the fastest.
for run in 1 2 3; do
    SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$tmp/perf_floor" --json >>"$tmp/floor.json"
done
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$here/build/gicv5-bench" --floor "$tmp/floor.json" "$@"
