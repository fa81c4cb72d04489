#!/usr/bin/env bash
# Stops the PostgreSQL that scripts/pg-up.sh started in DIR (argument, or $LABYRINTH_PG_DIR) and
# deletes DIR. Stops only that server: pg_ctl addresses it by its data directory's pid file.
set -euo pipefail
dir=${1:-${LABYRINTH_PG_DIR:-}}
case "$dir" in
  */labyrinth-pg.*) ;;
  *) echo "pg-down: give the directory pg-up.sh printed (LABYRINTH_PG_DIR), not '$dir'" >&2; exit 2 ;;
esac
[ -d "$dir" ] || { echo "pg-down: $dir does not exist (already stopped?)" >&2; exit 0; }
bin=/usr/lib/postgresql/15/bin
as=()
if [ "$(id -u)" = 0 ]; then as=(runuser -u "$(stat -c %U "$dir/data")" --); fi
if [ -f "$dir/data/postmaster.pid" ]; then
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" stop -m fast -w -t 60 >&2 || "${as[@]}" "$bin/pg_ctl" -D "$dir/data" stop -m immediate >&2
fi
rm -rf "$dir"
echo "pg-down: stopped and removed $dir" >&2
