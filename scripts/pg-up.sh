#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 for tests and local trials: Debian's packages (installed with apt
# when missing), an unprivileged server on a free loopback port, everything under one temp dir.
# Prints two lines a caller can eval:
#   LABYRINTH_PG_DIR='/tmp/labyrinth-pg.XXXX'       (give it to scripts/pg-down.sh)
#   LABYRINTH_PG_CONNECTION='Host=127.0.0.1;Port=…;Username=labyrinth;Password=…;Database=postgres'
# The server runs with fsync off: fast, and not crash-safe, which is what a test database wants.
# Never use it for data you keep (docs/operations.md describes a real deployment).
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
say() { echo "pg-up: $*" >&2; }

if [ ! -x "$bin/initdb" ]; then
  say "installing PostgreSQL 15 from Debian's packages"
  if [ "$(id -u)" = 0 ]; then apt=(); elif command -v sudo >/dev/null 2>&1; then apt=(sudo); else
    say "PostgreSQL 15 is missing and this user cannot install it; install Debian's postgresql package"; exit 1; fi
  "${apt[@]}" apt-get update -qq >&2
  "${apt[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
fi

# initdb refuses to run as root: the server then belongs to the packages' postgres user (or nobody).
as=()
owner=$(id -un)
if [ "$(id -u)" = 0 ]; then
  owner=postgres
  getent passwd postgres >/dev/null || owner=nobody
  as=(runuser -u "$owner" --)
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/labyrinth-pg.XXXXXX")
cleanup_on_failure() { [ -f "$dir/data/postmaster.pid" ] && "${as[@]}" "$bin/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null 2>&1; rm -rf "$dir"; }
trap cleanup_on_failure ERR

password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$password" > "$dir/pwfile"
chmod 700 "$dir"
chmod 600 "$dir/pwfile"
[ "$owner" = "$(id -un)" ] || chown -R "$owner" "$dir"

"${as[@]}" "$bin/initdb" -D "$dir/data" -U labyrinth --pwfile="$dir/pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; false; }
rm -f "$dir/pwfile"

# A free loopback port: ask the kernel for one (node is a prerequisite of the repository anyway).
port=${LABYRINTH_PG_PORT:-$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}

# The Host tests open one database per test host, each with its own pool: allow plenty of connections.
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >&2 || { cat "$dir/server.log" >&2; false; }
trap - ERR

say "PostgreSQL 15 on 127.0.0.1:$port (data and log in $dir); stop it with scripts/pg-down.sh $dir"
echo "LABYRINTH_PG_DIR='$dir'"
echo "LABYRINTH_PG_CONNECTION='Host=127.0.0.1;Port=$port;Username=labyrinth;Password=$password;Database=postgres'"
