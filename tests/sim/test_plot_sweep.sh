#!/bin/sh
# Checks scripts/plot-sweep.sh (argument 1) on a small sweep table.
set -eu
plot=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/s.csv" <<'CSV'
report,vms.0.tracking,sources.0.rate,latency_ns.mean
p0.json,ap_list,100kHz,290.4
p1.json,ap_list,200kHz,398
p2.json,none,100kHz,290.4
p3.json,none,200kHz,317.8
CSV
sh "$plot" -o "$dir/out.png" "$dir/s.csv" sources.0.rate latency_ns.mean vms.0.tracking >/dev/null
# A PNG starts with \211PNG.
[ "$(head -c 4 "$dir/out.png" | tail -c 3)" = "PNG" ] || { echo "no PNG written"; exit 1; }
if sh "$plot" -o "$dir/bad.png" "$dir/s.csv" sources.0.rate no.such.column 2>/dev/null; then
    echo "an unknown column was accepted"; exit 1
fi
[ ! -e "$dir/bad.png" ] || { echo "a PNG was written for an unknown column"; exit 1; }
echo ok
