#!/usr/bin/env bash
# Runs every benchmark in one go and writes out/results.md (machine, date, commands, tables).
# Not part of ./test.sh. Loopback only; all loops are bounded (wrk -d10s, fixed run counts).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
build_host
R="$OUT/results.md"
{
  echo "# Bench run $(date -u +%Y-%m-%dT%H:%MZ)"; echo
  machine_info
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"; echo
} >"$R"
echo "## Sizes (bench/size.sh)" >>"$R"; "$BENCH_DIR/size.sh" >/dev/null; cat "$OUT/size.md" >>"$R"; echo >>"$R"
echo "## Plugin module serving (bench/serve/run.sh)" >>"$R"; "$BENCH_DIR/serve/run.sh" >/dev/null; cat "$OUT/serve.md" >>"$R"; echo >>"$R"
echo "## Card open and bridge round trip (bench/browser/run.sh)" >>"$R"; "$BENCH_DIR/browser/run.sh" >/dev/null; cat "$OUT/browser.md" >>"$R"; echo >>"$R"
echo "## Plugin import (bench/import/run.sh)" >>"$R"; "$BENCH_DIR/import/run.sh" >/dev/null; cat "$OUT/import.md" >>"$R"; echo >>"$R"
echo "## Network broker overhead (bench/broker/run.sh)" >>"$R"; "$BENCH_DIR/broker/run.sh" >/dev/null; cat "$OUT/broker.md" >>"$R"; echo >>"$R"
echo "## Ink: 10,000 strokes vs none (bench/ink/run.sh)" >>"$R"; "$BENCH_DIR/ink/run.sh" >/dev/null; cat "$OUT/ink.md" >>"$R"
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$R"
cat "$R"
