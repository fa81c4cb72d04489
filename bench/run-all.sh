#!/usr/bin/env bash
# Runs every benchmark in one go, each side by side with its own baseline, and writes
# out/results.md: machine, date, the load average before each bench, each bench's table, and one
# table of goal vs measured vs baseline built from the JSON line each run.sh prints last
# (collected in out/run-all.jsonl). A bench that fails is reported as such; the others still run.
# Not part of ./test.sh. Loopback only; every loop is bounded. ONLY="broker start" runs a subset.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
build_host
R="$OUT/results.md"; J="$OUT/run-all.jsonl"; : >"$J"
{
  echo "# Bench run $(date -u +%Y-%m-%dT%H:%MZ)"; echo
  machine_info
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"; echo
} >"$R"

BENCHES=(size serve browser import broker writes start grid ink load bus math devloop cluster)
for name in ${ONLY:-${BENCHES[@]}}; do
  script="$BENCH_DIR/$name/run.sh"; [ "$name" = size ] && script="$BENCH_DIR/size.sh"
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  log "== $name (load $load)"
  echo "## $name (\`bench/${script#"$BENCH_DIR/"}\`, load before: $load)" >>"$R"
  if "$script" >"$OUT/run-all-$name.out" 2>"$OUT/run-all-$name.err"; then
    line=$(grep -E '^\{"bench": ?"' "$OUT/run-all-$name.out" | tail -1 || true)
    [ -n "$line" ] && echo "$line" >>"$J" || echo "{\"bench\": \"$name\", \"error\": \"no JSON line\"}" >>"$J"
    [ -f "$OUT/$name.md" ] && cat "$OUT/$name.md" >>"$R" || grep -vE '^\{"bench"' "$OUT/run-all-$name.out" >>"$R" || true
  else
    echo "{\"bench\": \"$name\", \"error\": \"exit $?\"}" >>"$J"
    echo "**failed**; last lines of its log:" >>"$R"; echo '```' >>"$R"; tail -5 "$OUT/run-all-$name.err" >>"$R"; echo '```' >>"$R"
  fi
  echo >>"$R"
done
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$R"

"$PY" "$BENCH_DIR/lib/goals.py" "$J" >>"$R"
cat "$R"
