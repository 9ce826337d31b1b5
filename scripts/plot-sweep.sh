#!/bin/sh
# Plots a column of a sweep's CSV (gicv5-sim --sweep, or --merge) against another, one line per
# value of an optional series column, as a PNG, with gnuplot.
#
#   scripts/plot-sweep.sh [-o OUT.png] [-t TITLE] CSV X_COLUMN Y_COLUMN [SERIES_COLUMN]
#
# Columns are named by their CSV header (a swept key such as sources.0.rate, or a report path
# such as latency_ns.p99). Values with units are read as numbers in base units: 100kHz as
# 100000 (Hz), 2us as 2000 (ns), 1ms as 1000000 (ns); the axis label says which column it is.
set -eu

out=""
title=""
while getopts o:t: opt; do
    case $opt in
    o) out=$OPTARG ;;
    t) title=$OPTARG ;;
    *) echo "usage: $0 [-o OUT.png] [-t TITLE] CSV X_COLUMN Y_COLUMN [SERIES_COLUMN]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
    echo "usage: $0 [-o OUT.png] [-t TITLE] CSV X_COLUMN Y_COLUMN [SERIES_COLUMN]" >&2
    exit 2
fi
csv=$1 x=$2 y=$3 series=${4:-}
[ -r "$csv" ] || { echo "$0: cannot read '$csv'" >&2; exit 2; }
[ -n "$out" ] || out="${csv%.csv}-$(echo "$y" | tr '.' '_').png"
command -v gnuplot >/dev/null || { echo "$0: gnuplot is missing (sh scripts/install-deps.sh)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One data file per series, sorted by x: "x y" lines. The CSV has no quoted commas in the
# columns this reads (numbers and key values), so a plain split is enough.
awk -F, -v X="$x" -v Y="$y" -v S="$series" -v dir="$tmp" '
function num(v,    n, u) {
    if (match(v, /^-?[0-9.]+([eE][-+]?[0-9]+)?/) == 0) return "";
    n = substr(v, 1, RLENGTH) + 0; u = substr(v, RLENGTH + 1);
    if (u == "" || u == "Hz" || u == "ns" || u == "B") return n;
    if (u == "kHz") return n * 1e3;
    if (u == "MHz") return n * 1e6;
    if (u == "GHz") return n * 1e9;
    if (u == "fs") return n * 1e-6;
    if (u == "ps") return n * 1e-3;
    if (u == "us") return n * 1e3;
    if (u == "ms") return n * 1e6;
    if (u == "s") return n * 1e9;
    if (u == "KiB") return n * 1024;
    if (u == "MiB") return n * 1048576;
    return "";
}
NR == 1 {
    for (i = 1; i <= NF; i++) { if ($i == X) xi = i; if ($i == Y) yi = i; if (S != "" && $i == S) si = i; }
    if (!xi || !yi || (S != "" && !si)) { print "no such column in the CSV header: " (xi ? (yi ? S : Y) : X) > "/dev/stderr"; exit 2 }
    next
}
{
    xv = num($xi); yv = num($yi);
    if (xv == "" || yv == "") next;
    s = S == "" ? Y : $si;
    if (!(s in seen)) { seen[s] = ++n; names[n] = s }
    printf "%.17g %.17g\n", xv, yv > (dir "/" seen[s] ".dat")
}
END {
    for (i = 1; i <= n; i++) print names[i] > (dir "/series")
}' "$csv"

[ -s "$tmp/series" ] || { echo "$0: no numeric rows for $x and $y in '$csv'" >&2; exit 2; }
plots=""
i=1
while IFS= read -r name; do
    sort -g "$tmp/$i.dat" -o "$tmp/$i.dat"
    [ -z "$plots" ] || plots="$plots, "
    plots="$plots'$tmp/$i.dat' using 1:2 with linespoints title '$series $name'"
    i=$((i + 1))
done < "$tmp/series"

gnuplot <<EOF
set terminal pngcairo size 900,560 noenhanced
set output '$out'
set datafile separator whitespace
set title '${title:-$y against $x}'
set xlabel '$x'
set ylabel '$y'
set grid
set key top left
plot $plots
EOF
echo "$out"
