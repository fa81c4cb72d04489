#!/usr/bin/env bash
# Copies the current build (host, web app, card-frame bootstrap) to a directory that
# `BASE_DIR=<dir> bench/grid/run.sh` (or any bench with BENCH_HOST_DLL) can serve as the baseline:
# build main, run this, then build the branch. Usage: bench/grid/save-base.sh <dir>
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
DEST=${1:?usage: save-base.sh <dir>}
build_host
rm -rf "$DEST" && mkdir -p "$DEST/web" "$DEST/frame"
cp -r "$REPO/src/Labyrinth.Host/bin/Release/net10.0" "$DEST/host"
cp -r "$REPO/web/dist" "$DEST/web/dist"
cp -r "$REPO/web/frame/dist" "$DEST/frame/dist"
log "saved $(git -C "$REPO" rev-parse --short HEAD) to $DEST"
