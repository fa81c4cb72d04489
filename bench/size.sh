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
  # The 3D card loads its entry plus the chunk shared with the WebGPU renderer; the WebGPU chunk
  # only where navigator.gpu offers an adapter. Goal: the WebGL2 path within 200 KB brotli.
  MV="$REPO/plugins/model-viewer/dist/cards"
  if [ -f "$MV/model.js" ]; then
    for f in "$MV"/chunks/*.js; do row "${f#$REPO/}" "$f" -; done
    shared=$(ls "$MV"/chunks/*.js | grep -v '/webgpu-')
    cat "$MV/model.js" $shared > "$OUT/model-webgl2-path.js"
    row "model-viewer WebGL2 path (model.js + shared chunk)" "$OUT/model-webgl2-path.js" 204800
    cat "$OUT/model-webgl2-path.js" "$MV"/chunks/webgpu-*.js > "$OUT/model-webgpu-path.js"
    row "model-viewer WebGPU path (+ webgpu chunk)" "$OUT/model-webgpu-path.js" -
  fi
} | tee "$OUT/size.md"
