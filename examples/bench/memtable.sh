#!/usr/bin/env bash
# memtable.sh: the memory-limit table of issue #14. Every question runs in
# its own process reading the file (e2e mode), once without a limit (the
# reference answer) and once per limit under /usr/bin/time -v; it prints a
# Markdown row per run: question, limit, peak RSS, RSS / limit, seconds,
# and whether rows and chk equal the unlimited run's (chk to 1e-9).
#
#   examples/bench/memtable.sh FILE.csv ["256MiB 1GiB"] [q1,q2,...]
#   JOIN=DIR examples/bench/memtable.sh ...   also the join questions on the
#                                             Parquet tables of bench gen join
#
# Data: bench gen groupby -n 1e7 -k 100 -dir /tmp/wdata (509 MB; 1e8: 5 GB)
# and bench gen join -n 1e7 -dir DIR (CSV and Parquet; JOINFORMAT=csv reads the CSV).
# For 1e8 rows: bench gen groupby -n 1e8 -csv-only -dir /tmp/wdata (3 min).
# Joins compute rows and chk from the lazy join (-persist=false): an answer
# larger than the limit cannot be held in memory under it.
# NOREF=1 skips the unlimited reference runs (the answer column then says
# "no reference"; for 1e8 rows, where each run takes minutes).
# BENCH_PEAKPROF=FILE: each run writes a heap profile at its RSS peak to FILE
# and the breakdown of the peak (runtime memory classes) goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:?groupby CSV file}
limits=${2:-"256MiB 1GiB"}
qs=${3-q1,q2,q3,q4,q5,q6,q7,q8,q9,q10} # "" with JOIN: joins only
bin=$(mktemp -d)/bench
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./examples/bench
bytes() { python3 -c "import sys,re
s=sys.argv[1]; m=re.fullmatch(r'([0-9.e]+)\s*([KMGT]i?B?)?',s,re.I)
u={'':1,'k':1e3,'m':1e6,'g':1e9,'t':1e12,'ki':1<<10,'mi':1<<20,'gi':1<<30,'ti':1<<40}
print(int(float(m.group(1))*u[(m.group(2) or '').lower().rstrip('b')]))" "$1"; }
# run SUITE Q LIMIT: prints "seconds rows chk rss_bytes" (limit "" = none;
# a failed run prints "- - - 0").
run() {
  local suite=$1 q=$2 lim=$3 out err
  out=$(mktemp) err=$(mktemp)
  local args=(-mode e2e -q "$q")
  if [ "$suite" = groupby ]; then args+=(-data "$data"); else args+=(-data "$JOIN" -format "${JOINFORMAT:-parquet}" -persist=false); fi
  [ -n "$lim" ] && args+=(-mem-limit "$lim")
  if ! /usr/bin/time -v "$bin" "$suite" "${args[@]}" >"$out" 2>"$err"; then
    echo "failed: $suite $q $lim: $(tail -3 "$err")" >&2
    echo "- - - 0"
    rm -f "$out" "$err"; return
  fi
  local line rss
  grep -h '^peakmem:' "$err" | sed "s|^|$suite/$q $lim |" >&2 || true
  line=$(grep "^$suite/$q seconds=" "$out" | head -1 || true)
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$err")
  echo "$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line") $(sed -n 's/.*rows=\([0-9]*\).*/\1/p' <<<"$line") $(sed -n 's/.*chk=\([^ ]*\).*/\1/p' <<<"$line") $((rss * 1024))"
  rm -f "$out" "$err"
}
echo "| question | limit | peak RSS MiB | RSS/limit | seconds | answer |"
echo "| --- | --- | --- | --- | --- | --- |"
table() { # suite, questions
  local suite=$1 q
  for q in ${2//,/ }; do
    local s0=- r0=- c0=- m0=0
    if [ -z "${NOREF:-}" ]; then
      read -r s0 r0 c0 m0 < <(run "$suite" "$q" "")
      echo "| $suite/$q | none | $((m0 >> 20)) | - | $s0 | reference |"
    fi
    for lim in $limits; do
      read -r s r c m < <(run "$suite" "$q" "$lim")
      local ok
      ok=$(python3 -c "import sys
r0,c0,r,c=sys.argv[1:]
try: print('no reference (rows %s chk %s)'%(r,c) if r0=='-' and r!='-' else 'equal' if r0==r and abs(float(c)-float(c0))<=1e-9*max(1,abs(float(c0))) else 'DIFFERS: rows %s chk %s'%(r,c))
except ValueError: print('failed')" "$r0" "$c0" "$r" "$c")
      echo "| $suite/$q | $lim | $((m >> 20)) | $(python3 -c "print('%.2f'%($m/$(bytes "$lim")))") | $s | $ok |"
    done
  done
}
[ -n "$qs" ] && table groupby "$qs"
if [ -n "${JOIN:-}" ]; then
  table join "${JOINQ:-q1,q2,q3,q4,q5}"
fi
