#!/usr/bin/env bash
# compare.sh runs one benchmark suite for godask and its peers back to back,
# several rounds, and prints a Markdown table of median seconds.
#
#   examples/bench/compare.sh array   [rounds]
#   examples/bench/compare.sh groupby [rounds] FILE.csv [q1,q2,...]
#     (roll,resample,asof read $TSDATA, made by bench gen windows -dir DIR)
#   examples/bench/compare.sh join    [rounds] DIR [q1,q2,...]
#   examples/bench/compare.sh sort    [rounds] FILE.csv
#
# Peers come from shared/peers (run shared/peers/setup.sh once per machine):
# NumPy and dask.array for `array`; DuckDB, Polars and Dask for `groupby`;
# DuckDB for `join` (DIR holds the tables of `bench gen join`; the DuckDB
# script is examples/bench/peers/join_duckdb.mjs, run from NODEDIR); DuckDB
# and Dask for `sort` (the groupby table ordered by v3, groupby/sort;
# examples/bench/peers/sort_duckdb.mjs and sort_dask.py).
# Set TAGS=openblas to build godask with OpenBLAS.
set -euo pipefail
cd "$(dirname "$0")/../.."
suite=${1:?suite: array or groupby}
rounds=${2:-3}
peers=${PEERS:-}
for d in ../shared/peers ../../shared/peers; do
  [ -z "$peers" ] && [ -d "$d" ] && peers=$(cd "$d" && pwd)
done
[ -n "$peers" ] || { echo "set PEERS to the shared/peers directory" >&2; exit 2; }
nodedir=${NODEDIR:-$HOME/.cache/godask-peers}
bin=$(mktemp -d)/bench
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build ${TAGS:+-tags $TAGS} -o "$bin" ./examples/bench
out=$(mktemp)
run() { # tool, command...
  local tool=$1; shift
  "$@" 2>/dev/null | sed -n "s/^\([a-z]*\/[a-z0-9_]*\) seconds=\([0-9.]*\).*/$tool \1 \2/p" >>"$out" || echo "$tool failed" >&2
}
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds" >&2
  case $suite in
  array)
    run godask "$bin" array
    ap="$peers/array_dask.py" # the repo copy carries the added workloads
    [ -f examples/bench/peers/array_dask.py ] && ap=examples/bench/peers/array_dask.py
    run numpy /usr/bin/python3 "$ap" numpy
    run dask /usr/bin/python3 "$ap" dask
    ;;
  groupby)
    file=${3:?groupby needs FILE.csv}
    qs=${4:-}
    # The repo copies carry the window and statistics questions (TSDATA: bench gen windows).
    cp examples/bench/peers/groupby_duckdb.mjs examples/bench/peers/groupby_polars.js "$nodedir/"
    run godask "$bin" groupby -data "$file" -mode mem ${qs:+-q $qs}
    run duckdb node "$nodedir/groupby_duckdb.mjs" "$file" 2 $qs
    run polars node "$nodedir/groupby_polars.js" "$file" $qs
    run dask /usr/bin/python3 examples/bench/peers/groupby_dask.py "$file" mem $qs
    ;;
  join)
    dir=${3:?join needs DIR (bench gen join -dir DIR)}
    qs=${4:-}
    cp examples/bench/peers/join_duckdb.mjs "$nodedir/"
    run godask "$bin" join -data "$dir" -mode mem ${qs:+-q $qs}
    run duckdb node "$nodedir/join_duckdb.mjs" "$dir" 2 $qs
    ;;
  sort)
    file=${3:?sort needs FILE.csv}
    cp examples/bench/peers/sort_duckdb.mjs "$nodedir/"
    run godask "$bin" groupby -data "$file" -mode mem -q sort
    run duckdb node "$nodedir/sort_duckdb.mjs" "$file" 2
    run dask /usr/bin/python3 examples/bench/peers/sort_dask.py "$file"
    ;;
  *) echo "unknown suite $suite" >&2; exit 2 ;;
  esac
done
awk '
{ k = $1 SUBSEP $2; v[k] = v[k] " " $3; if (!($1 in seen)) { seen[$1]; tools[++nt] = $1 }
  if (!($2 in seenq)) { seenq[$2]; names[++nn] = $2 } }
function median(s,   a, n, i, j, t) {
  n = split(s, a, " ")
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
END {
  printf "| workload |"; for (t = 1; t <= nt; t++) printf " %s |", tools[t]; printf "\n|---|"
  for (t = 1; t <= nt; t++) printf "---|"; printf "\n"
  for (q = 1; q <= nn; q++) {
    printf "| %s |", names[q]
    for (t = 1; t <= nt; t++) { k = tools[t] SUBSEP names[q]; if (k in v) printf " %.3f |", median(v[k]); else printf " – |" }
    printf "\n"
  }
}' "$out"
rm -f "$out"
