#!/bin/sh
# Plots one run from its trace (gicv5-sim CONFIG --trace TRACE.json) as two PNGs, with gnuplot:
#   OUTDIR/latency.png  the injection-to-acknowledge latency of every delivery: histogram and CDF
#                       (from the start of the hypervisor's inject slice to the start of the
#                       guest's handler slice; docs/trace.md)
#   OUTDIR/ap-list.png  each VM's AP-list length over simulated time
#
#   scripts/plot-run.sh TRACE.json [OUTDIR]      (OUTDIR defaults to the trace's folder)
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 TRACE.json [OUTDIR]" >&2
    exit 2
fi
trace=$1
out=${2:-$(dirname "$trace")}
[ -r "$trace" ] || { echo "$0: cannot read '$trace'" >&2; exit 2; }
command -v gnuplot >/dev/null || { echo "$0: gnuplot is missing (sh scripts/install-deps.sh)" >&2; exit 2; }
mkdir -p "$out"
name=$(basename "$trace")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The trace has one event per line; the fields this reads are plain numbers and names. Each
# delivery pairs, as the report's scoreboard does, the first injection of an SPI still waiting
# (the start of its "inject" slice on the host PE) with the next acknowledge of that SPI (the
# start of its handler slice "SPI n" on the vCPU).
awk -v dir="$tmp" '
function field(name,    r) {
    if (match($0, "\"" name "\":(\"[^\"]*\"|[-0-9.eE+]+)") == 0) return "";
    r = substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 3);
    gsub(/"/, "", r);
    return r;
}
/"ph":"X"/ && (/"name":"inject"/ || /"name":"SPI /) {
    print field("ts"), (/"name":"inject"/ ? "i" : "a"), field("vm") "." field("spi") > (dir "/events")
    next
}
/"ph":"C"/ && /AP list/ {
    name = field("name"); len = field("length"); ts = field("ts");
    if (!(name in file)) { file[name] = dir "/ap" (++n) ".dat"; print name > (dir "/ap.names") }
    print ts, len > file[name];
}' "$trace"
[ -s "$tmp/events" ] || { echo "$0: no injections in '$trace'" >&2; exit 2; }
sort -g -s -k1,1 "$tmp/events" | awk '
$2 == "i" { if (!($3 in waiting)) waiting[$3] = $1; next }
$2 == "a" && ($3 in waiting) { printf "%.3f\n", ($1 - waiting[$3]) * 1000; delete waiting[$3] }
' > "$tmp/latency.dat"

[ -s "$tmp/latency.dat" ] || { echo "$0: no injection flows in '$trace' (a run with deliveries?)" >&2; exit 2; }
sort -g "$tmp/latency.dat" > "$tmp/sorted.dat"
count=$(wc -l < "$tmp/sorted.dat")
awk -v n="$count" '{ print $1, NR / n }' "$tmp/sorted.dat" > "$tmp/cdf.dat"

gnuplot <<EOF
set terminal pngcairo size 900,560 noenhanced
set output '$out/latency.png'
set title 'Injection to acknowledge: $count deliveries ($name)'
set xlabel 'latency (ns)'
set ylabel 'deliveries per bin'
set y2label 'fraction at or below (CDF)'
set y2range [0:1]
set ytics nomirror
set y2tics
set grid
stats '$tmp/sorted.dat' using 1 nooutput
width = (STATS_max > STATS_min) ? (STATS_max - STATS_min) / 50.0 : 1
bin(x) = width * floor(x / width) + width / 2
set boxwidth width * 0.9
set style fill solid 0.5
plot '$tmp/sorted.dat' using (bin(\$1)):(1) smooth freq with boxes title 'histogram', \
     '$tmp/cdf.dat' using 1:2 axes x1y2 with steps lw 2 title 'CDF'
EOF

if [ -s "$tmp/ap.names" ]; then
    plots=""
    i=1
    while IFS= read -r name; do
        [ -z "$plots" ] || plots="$plots, "
        plots="$plots'$tmp/ap$i.dat' using 1:2 with steps title '$name'"
        i=$((i + 1))
    done < "$tmp/ap.names"
    gnuplot <<EOF
set terminal pngcairo size 900,560 noenhanced
set output '$out/ap-list.png'
set title 'AP-list length over time ($name)'
set xlabel 'simulated time (us)'
set ylabel 'SPIs on the AP list'
set grid
plot $plots
EOF
fi
echo "$out/latency.png"
[ ! -s "$tmp/ap.names" ] || echo "$out/ap-list.png"
