#!/bin/sh
# Installs tlm_gicv5 from build/ into a temporary prefix, then builds the out-of-tree example
# (examples/virtual_spi) against that install twice, with CMake's find_package and with
# pkg-config, and runs both: each must show the virtual SPI reaching the guest (exit 0). Then
# builds examples/iss_platform against the same install (tlm_gicv5 and gicv5_iss) and runs the
# guest image build/guest/physical_spis.elf on it: the guest's checks must hold (exit 0).
# Needs build/ (the README's commands make it); CI (.ci/run) runs it.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$here/build" --prefix "$tmp/prefix"
cmake -S "$here/examples/virtual_spi" -B "$tmp/example" -DCMAKE_PREFIX_PATH="$tmp/prefix"
cmake --build "$tmp/example"
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$tmp/example/virtual_spi"
# shellcheck disable=SC2046 # pkg-config's flags are meant to split
g++ -O1 "$here/examples/virtual_spi/main.cpp" -o "$tmp/virtual_spi_pc" \
    $(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" pkg-config --cflags --libs tlm_gicv5)
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$tmp/virtual_spi_pc"
cmake -S "$here/examples/iss_platform" -B "$tmp/iss_example" -DCMAKE_PREFIX_PATH="$tmp/prefix"
cmake --build "$tmp/iss_example"
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$tmp/iss_example/iss_platform" "$here/build/guest/physical_spis.elf"
