#!/bin/sh
# Checks scripts/plot-run.sh (argument 1) on the trace of a short default run by gicv5-sim
# (argument 2, configs/default.yaml argument 3): both PNGs are written.
set -eu
plot=$1 sim=$2 config=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$sim" "$config" --set duration=200us --quiet \
    --report "$dir/r.json" --trace "$dir/t.json"
sh "$plot" "$dir/t.json" "$dir/png" >/dev/null
for f in latency ap-list; do
    [ "$(head -c 4 "$dir/png/$f.png" | tail -c 3)" = "PNG" ] || { echo "no $f.png"; exit 1; }
done
echo '{"traceEvents":[' > "$dir/empty.json"
if sh "$plot" "$dir/empty.json" "$dir/png2" 2>/dev/null; then
    echo "a trace without injections was plotted"; exit 1
fi
echo ok
