#!/usr/bin/env bash
# Math card recogniser: accuracy on held-out ink and recognition time, with a baseline in the
# same run. Needs Debian's hershey-fonts-data (the held-out glyphs are Hershey families the
# training never used). Prints one JSON line last:
#   {"bench":"math","symbol_accuracy":…,"expression_exact":…,"recognize_ms_p50_12":…, …}
# Options are passed through: --expressions N (synthetic held-out, default 400), --verbose.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d /usr/share/hershey-fonts ]; then
  echo "bench/math: apt-get install hershey-fonts-data first" >&2
  exit 2
fi
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)" >&2
node bench/math/evaluate.mjs "$@"
