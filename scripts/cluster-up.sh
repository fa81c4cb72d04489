#!/usr/bin/env bash
# Starts a two-instance Labyrinth cluster on this machine, for trying scale-out and for benchmarks:
# PostgreSQL 15 (scripts/pg-up.sh) and Redis 7 from Debian's packages (installed with apt when
# missing), each an unprivileged process on a free loopback port with its data under one temp dir,
# then two host instances on two ports sharing them (database, database blobs, Redis backplane,
# key ring, rate limits, signals). Prints, last:
#   A=http://127.0.0.1:PORT B=http://127.0.0.1:PORT
# scripts/cluster-down.sh stops exactly what this started (recorded in .labyrinth-cluster).
# A throwaway: PostgreSQL runs with fsync off. docs/operations.md describes a real deployment.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "cluster-up: $*" >&2; }
state=.labyrinth-cluster
if [ -f "$state" ]; then
  say "a cluster is already running ($(cat "$state")); stop it first with scripts/cluster-down.sh"; exit 1
fi

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

if ! command -v redis-server >/dev/null 2>&1; then
  say "installing redis-server from Debian's packages"
  if [ "$(id -u)" = 0 ]; then apt=(); elif command -v sudo >/dev/null 2>&1; then apt=(sudo); else
    say "redis-server is missing and this user cannot install it; install Debian's redis-server package"; exit 1; fi
  "${apt[@]}" apt-get update -qq >&2
  "${apt[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/labyrinth-cluster.XXXXXX")
chmod 711 "$dir"
echo "$dir" > "$state"
env_file="$dir/cluster.env"
: > "$env_file"
record() { echo "$1='$2'" >> "$env_file"; }
fail() { say "$*"; say "stopping what was started"; scripts/cluster-down.sh >&2 || true; exit 1; }
trap 'fail "failed at line $LINENO"' ERR

# PostgreSQL: the same throwaway server the tests use.
eval "$(scripts/pg-up.sh)"
record PG_DIR "$LABYRINTH_PG_DIR"
connection="$LABYRINTH_PG_CONNECTION"

# Redis as an unprivileged user (nobody when started by root), with the append-only file on so a
# restart keeps the key ring and counters (each instance also keeps a copy of the key ring).
redis_port=$(free_port)
mkdir -p "$dir/redis"
as=()
if [ "$(id -u)" = 0 ]; then chown nobody "$dir/redis"; as=(runuser -u nobody --); fi
"${as[@]}" redis-server --port "$redis_port" --bind 127.0.0.1 --protected-mode yes --dir "$dir/redis" \
  --appendonly yes --daemonize yes --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log"
record REDIS_PID_FILE "$dir/redis/redis.pid"
record REDIS_PORT "$redis_port"
for _ in $(seq 1 100); do [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
[ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] || fail "Redis did not answer on 127.0.0.1:$redis_port (see $dir/redis/redis.log)"
say "Redis 7 on 127.0.0.1:$redis_port (data in $dir/redis)"

say "building the host"
dotnet build src/Labyrinth.Host -c Release -nologo -v:q >"$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; fail "the host did not build"; }
dll=src/Labyrinth.Host/bin/Release/net10.0/Labyrinth.Host.dll

start_instance() {
  local name=$1 port=$2
  mkdir -p "$dir/$name"
  ASPNETCORE_URLS="http://127.0.0.1:$port" \
  Labyrinth__InstanceId="$name" \
  Labyrinth__DataDir="$dir/$name/data" \
  Labyrinth__Database__Provider=Postgres \
  Labyrinth__Database__ConnectionString="$connection" \
  Labyrinth__Blobs__Provider=Database \
  Labyrinth__Redis__Configuration="127.0.0.1:$redis_port" \
    nohup dotnet "$dll" >"$dir/$name/host.log" 2>&1 &
  record "HOST_${name^^}_PID" "$!"
  for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$!" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/$name/host.log" >&2
  fail "instance $name did not become healthy on port $port"
}

port_a=$(free_port)
start_instance a "$port_a"   # A applies the migrations (under the database's lock)
port_b=$(free_port)
start_instance b "$port_b"
record A "http://127.0.0.1:$port_a"
record B "http://127.0.0.1:$port_b"
trap - ERR

# Each start prints a fresh one-time setup link until the admin exists; B's is the valid one.
setup=$(grep -o 'http://[^ ]*/setup[?#]token=[A-Za-z0-9_-]*' "$dir/b/host.log" | tail -1 || true)
[ -n "$setup" ] && say "first run: create the admin at ${setup/localhost:$port_b/127.0.0.1:$port_b}"
say "logs: $dir/a/host.log, $dir/b/host.log; stop with scripts/cluster-down.sh"
echo "A=http://127.0.0.1:$port_a B=http://127.0.0.1:$port_b"
