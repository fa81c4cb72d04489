#!/usr/bin/env bash
# Stops exactly what scripts/cluster-up.sh started (the pids and directories it recorded in
# .labyrinth-cluster): the two host instances, its Redis, its PostgreSQL; then deletes its temp dir.
set -uo pipefail
cd "$(dirname "$0")/.."
say() { echo "cluster-down: $*" >&2; }
state=.labyrinth-cluster
[ -f "$state" ] || { say "no cluster is running (no $state)"; exit 0; }
dir=$(cat "$state")
case "$dir" in
  */labyrinth-cluster.*) ;;
  *) say "$state names '$dir', not a cluster-up.sh directory; not touching it"; exit 2 ;;
esac
env_file="$dir/cluster.env"
HOST_A_PID='' HOST_B_PID='' REDIS_PID_FILE='' PG_DIR=''
# shellcheck disable=SC1090
[ -f "$env_file" ] && . "$env_file"

stop_pid() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}
stop_pid "$HOST_A_PID"
stop_pid "$HOST_B_PID"
if [ -n "$REDIS_PID_FILE" ] && [ -f "$REDIS_PID_FILE" ]; then stop_pid "$(cat "$REDIS_PID_FILE")"; fi
if [ -n "$PG_DIR" ]; then scripts/pg-down.sh "$PG_DIR"; fi
rm -rf "$dir"
rm -f "$state"
say "stopped and removed $dir"
