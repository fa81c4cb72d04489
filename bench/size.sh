#!/usr/bin/env bash
# Bundle sizes: the hello card from plugins/hello/dist and the frame bootstrap, raw / gzip -9 / brotli -q 11.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
need brotli brotli
row() { # row <label> <file> <goal-br-bytes|->
  local f=$2 raw gz br ok
  raw=$(stat -c%s "$f"); gz=$(gzip -9 -n -c "$f" | wc -c); br=$(brotli -q 11 -c "$f" | wc -c)
  if [ "$3" = - ]; then ok="–"; elif [ "$br" -le "$3" ]; then ok="**yes** (≤ $(( $3 / 1024 )) KB br)"; else ok="**no** (> $(( $3 / 1024 )) KB br)"; fi
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$raw" "$gz" "$br" "$ok"
}
HELLO="$REPO/plugins/hello/dist/cards/hello.js"; BOOT="$REPO/web/frame/dist/bootstrap.js"
[ -f "$HELLO" ] && [ -f "$BOOT" ] || (cd "$REPO" && npm run build:all >/dev/null)
{
  echo "| file | raw B | gzip -9 B | brotli -q 11 B | goal |"
  echo "|---|---:|---:|---:|---|"
  row "plugins/hello/dist/cards/hello.js" "$HELLO" 16384
  [ -f "$HELLO.br" ] && printf '| (shipped hello.js.br / .gz) | | %s | %s | |\n' "$(stat -c%s "$HELLO.gz")" "$(stat -c%s "$HELLO.br")"
  row "web/frame/dist/bootstrap.js" "$BOOT" -
  for f in "$REPO"/plugins/*/dist/cards/*.js; do
    [ "$f" = "$HELLO" ] || row "${f#$REPO/}" "$f" -
  done
} | tee "$OUT/size.md"
