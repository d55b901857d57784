#!/usr/bin/env bash
# The scaling curve of issue 8 (docs/performance.md "Scaling"): bench/run.sh at several sizes of
# the country, each with every school touched on day 1 (--churn-all), and the initial load's and
# the daily run's time per school against the number of schools, as a table, a CSV and a PNG
# drawn by gnuplot. Linear cost is a flat line: the issue asks that time per school at 100%
# stay within 1.2 x of that at 25%.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: bench/scaling.sh [options]

  --percent "P ..."   sizes as percentages of all-Wales's 1,500 schools (default "25 50 100")
  --runs N            runs at each size (default 1); the plot shows each run
  --no-build          use the binaries already in the build folder
  --out DIR           where the CSV, the PNG and each run's log go (default bench/out/scaling)
  --png FILE          the plot (default: OUT/scaling.png)
Other options are passed to bench/run.sh (e.g. --seed N, --build-dir DIR).
USAGE
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PERCENT="25 50 100"
RUNS=1
OUT="$ROOT/bench/out/scaling"
PNG=""
PASS=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --percent) PERCENT="$2"; shift ;;
        --runs) RUNS="$2"; shift ;;
        --out) OUT="$2"; shift ;;
        --png) PNG="$2"; shift ;;
        -h | --help) usage; exit 0 ;;
        *) PASS+=("$1") ;;
    esac
    shift
done
PNG="${PNG:-$OUT/scaling.png}"
mkdir -p "$OUT"
CSV="$OUT/scaling.csv"
echo "percent,schools,run,initial_s,churn_s,initial_ms_per_school,churn_ms_per_school,initial_rss_mb,churn_rss_mb,commit" > "$CSV"
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo unknown)"

for p in $PERCENT; do
    schools=$((1500 * p / 100))
    for run in $(seq 1 "$RUNS"); do
        log="$OUT/run-$p-$run.log"
        echo "== $p% of Wales: $schools schools, run $run (log: $log)"
        bash "$ROOT/bench/run.sh" --schools "$schools" --churn-all --no-limits "${PASS[@]}" > "$log" 2>&1 || {
            echo "   bench/run.sh failed; see $log"
            exit 1
        }
        # The summary table's rows: "initial  AS-OF  WALL  CPU  RSS  DB  status".
        read -r iw irss < <(awk '$1 == "initial" && NF >= 6 && $3 ~ /^[0-9.]+$/ { w = $3; r = $5 } END { print w, r }' "$log")
        read -r cw crss < <(awk '$1 == "churn" && NF >= 6 && $3 ~ /^[0-9.]+$/ { w = $3; r = $5 } END { print w, r }' "$log")
        awk -v p="$p" -v s="$schools" -v r="$run" -v iw="$iw" -v cw="$cw" -v ir="$irss" -v cr="$crss" \
            -v c="$COMMIT" 'BEGIN { printf "%s,%s,%s,%s,%s,%.2f,%.2f,%s,%s,%s\n", p, s, r, iw, cw, 1000 * iw / s, 1000 * cw / s, ir, cr, c }' \
            >> "$CSV"
        tail -1 "$CSV" | awk -F, '{ printf "   initial %s s (%s ms a school, %s MB), churn %s s (%s ms a school, %s MB)\n", $4, $6, $8, $5, $7, $9 }'
    done
done

echo "== per school, against the smallest size"
awk -F, 'NR > 1 { n[$1]++; i[$1] += $6; c[$1] += $7; if (!($1 in seen)) { order[++k] = $1; seen[$1] = 1 } }
    END {
        base = order[1]
        printf "%8s %18s %10s %18s %10s\n", "percent", "initial ms/school", "ratio", "churn ms/school", "ratio"
        for (j = 1; j <= k; j++) {
            p = order[j]
            printf "%7s%% %18.2f %10.2f %18.2f %10.2f\n", p, i[p] / n[p], (i[p] / n[p]) / (i[base] / n[base]), c[p] / n[p], (c[p] / n[p]) / (c[base] / n[base])
        }
    }' "$CSV" | tee "$OUT/ratios.txt"
echo "target: time per school at 100% within 1.2 x of that at 25%"

if command -v gnuplot > /dev/null 2>&1; then
    gnuplot <<GNUPLOT
set terminal pngcairo size 1000,420 font "sans,10"
set output "$PNG"
set datafile separator ","
set key top left
set grid
set multiplot layout 1,2 title "misync on generated all-Wales data (commit $COMMIT; 2 cores; every school touched on day 1)"
set xlabel "schools"
set ylabel "wall time, s"
set title "whole run"
set xrange [0:*]
set yrange [0:*]
plot "$CSV" every ::1 using 2:4 with linespoints pt 7 title "initial load", \
     "$CSV" every ::1 using 2:5 with linespoints pt 5 title "daily run"
set ylabel "ms per school"
set title "time per school (flat = linear)"
plot "$CSV" every ::1 using 2:6 with linespoints pt 7 title "initial load", \
     "$CSV" every ::1 using 2:7 with linespoints pt 5 title "daily run"
unset multiplot
GNUPLOT
    echo "plot: $PNG"
else
    echo "gnuplot is not installed (scripts/deps.sh installs gnuplot-nox): no plot"
fi
echo "csv: $CSV"
