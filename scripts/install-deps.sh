#!/bin/sh
# Installs the Debian 12 packages tlm-gicv5 builds with, only those that are missing.
# Run as root, or as a user with sudo.
set -eu
pkgs="build-essential cmake pkg-config libsystemc-dev libboost-dev libgtest-dev libbenchmark-dev libyaml-cpp-dev libcli11-dev nlohmann-json3-dev gnuplot-nox clang libclang-rt-14-dev libunicorn-dev gcc-aarch64-linux-gnu"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "installing:$missing"
$sudo apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
