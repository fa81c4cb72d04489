#!/usr/bin/env bash
# Scale-out cost on one machine (2 cores here, so per-request cost and fan-out latency, not a speed-up).
# Starts, on loopback and random ports, a throwaway PostgreSQL (scripts/pg-up.sh), a Redis, the fake
# upstream, then in turn:
#   sqlite  one host on SQLite (the default)
#   pg      one host on PostgreSQL (blobs in the database, no Redis)
#   pg2     two hosts, A and B, sharing PostgreSQL and Redis (the cluster-up.sh layout)
# and drives each with bench/cluster/ClusterBench: the same request mix (sign in once; boards list,
# board read, layout PUT, card state PUT, GET /api/plugins), 1 client for latency and CONCURRENCY
# clients for throughput, requests alternated between A and B on pg2. On pg2 it also measures:
#   kill     kill on A → pluginKilled heard by a /hubs/plugins WebSocket on B (ROUNDS rounds)
#   revoke   network grant revoked on A → the broker stream through B ends (ROUNDS rounds)
#   bus      publish on A → the same person's tab on B, beside a tab on A (BUS_ROUNDS publishes)
# with the kill split by what crosses Redis (signal, barrier's applied hash, SignalR backplane).
# Stops exactly what it started on every exit path. Writes out/cluster.json and out/cluster.md; the
# last line printed is one JSON object. About 3 minutes with the defaults on a quiet machine.
#   MIX_SECONDS=10 CONCURRENCY=8 ROUNDS=30 BUS_ROUNDS=200 BARRIER_MS=2000 bench/cluster/run.sh
# It builds the host only when its Release output is missing: BENCH_REBUILD=1 after changing sources
# (CLUSTER_HOST_DLL=<another build's Labyrinth.Host.dll> measures that build instead).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
MIX_SECONDS=${MIX_SECONDS:-10}; CONCURRENCY=${CONCURRENCY:-8}; ROUNDS=${ROUNDS:-30}; BUS_ROUNDS=${BUS_ROUNDS:-200}
BARRIER_MS=${BARRIER_MS:-2000}   # Labyrinth__Redis__BarrierTimeoutMilliseconds on A and B (the host's default)
HOST_DLL=${CLUSTER_HOST_DLL:-$HOST_DLL}
FAKE_DLL="$REPO/tests/Labyrinth.FakeUpstream/bin/Release/net10.0/Labyrinth.FakeUpstream.dll"
W="$OUT/cluster"; rm -rf "$W"; mkdir -p "$W"
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

need redis-server redis-server; need curl curl; need_file /usr/lib/postgresql/15/bin/initdb postgresql-15
# Builds what is missing (BENCH_REBUILD=1: everything); the API-only bench needs no web build.
if [ ! -f "$HOST_DLL" ] || [ ! -f "$FAKE_DLL" ] || [ -n "${BENCH_REBUILD:-}" ]; then
  log "building host + fake upstream (Release)"
  (cd "$REPO" && dotnet build src/Labyrinth.Host -c Release -p:LabyrinthSkipWebBuild=true -v q -nologo >"$W/host-build.log" 2>&1 \
     && dotnet build tests/Labyrinth.FakeUpstream -c Release -v q -nologo >>"$W/host-build.log" 2>&1) || { cat "$W/host-build.log" >&2; exit 1; }
fi
if [ ! -f "$OUT/ClusterBench/ClusterBench.dll" ] || [ -n "${BENCH_REBUILD:-}" ] \
   || [ -n "$(find "$BENCH_DIR/cluster/ClusterBench" -name '*.cs*' -newer "$OUT/ClusterBench/ClusterBench.dll")" ]; then
  log "building ClusterBench"
  dotnet build "$BENCH_DIR/cluster/ClusterBench" -c Release -nologo -v q -o "$OUT/ClusterBench" >"$W/bench-build.log" 2>&1 \
    || { cat "$W/bench-build.log" >&2; exit 1; }
fi

# Everything started is recorded here and stopped by cleanup, whatever way the script ends.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/labyrinth-clusterbench.XXXXXX"); chmod 711 "$TMP"
pids=(); PG_DIR=""; REDIS_PIDFILE=""
cleanup() {
  local p
  for p in "${pids[@]}"; do stop_pid "$p"; done
  if [ -n "$REDIS_PIDFILE" ] && [ -f "$REDIS_PIDFILE" ]; then
    p=$(cat "$REDIS_PIDFILE"); kill "$p" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  fi
  [ -n "$PG_DIR" ] && "$REPO/scripts/pg-down.sh" "$PG_DIR" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

eval "$("$REPO/scripts/pg-up.sh" 2>"$W/pg-up.log")"
PG_DIR=$LABYRINTH_PG_DIR
PG_PASSWORD=$(sed -n 's/.*Password=\([^;]*\).*/\1/p' <<<"$LABYRINTH_PG_CONNECTION")
PG_PORT=$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$LABYRINTH_PG_CONNECTION")
for db in single pair; do
  PGPASSWORD=$PG_PASSWORD psql -h 127.0.0.1 -p "$PG_PORT" -U labyrinth -d postgres -qc "CREATE DATABASE $db" >/dev/null
done
pg_conn() { sed "s/Database=postgres/Database=$1/" <<<"$LABYRINTH_PG_CONNECTION"; }

# Redis as cluster-up.sh runs it, plus keyspace events on hashes: the bench reads the ready barrier's
# "applied" hash being written. No persistence: a throwaway.
REDIS_PORT=$(free_port); mkdir -p "$TMP/redis"
as=(); if [ "$(id -u)" = 0 ]; then chown nobody "$TMP/redis"; as=(runuser -u nobody --); fi
"${as[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --protected-mode yes --dir "$TMP/redis" --save '' --appendonly no \
  --notify-keyspace-events Kh --daemonize yes --pidfile "$TMP/redis/redis.pid" --logfile "$TMP/redis/redis.log"
REDIS_PIDFILE="$TMP/redis/redis.pid"
for _ in $(seq 1 100); do [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] || { log "Redis did not start"; cat "$TMP/redis/redis.log" >&2; exit 1; }
PREFIX="bench$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"

FAKE_PORT=$(free_port); FAKE_KEY="sk-bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
( exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet "$FAKE_DLL" --urls "http://127.0.0.1:$FAKE_PORT" --key "$FAKE_KEY" --chunk-delay-ms 20 >"$W/fake.log" 2>&1 ) &
pids+=("$!")
wait_http "http://127.0.0.1:$FAKE_PORT/"

# start_instance <name> <port> [VAR=value...]: a host in Production with its own data directory;
# rate limits raised so the bench measures latency, not the limiters.
start_instance() {
  local name=$1 port=$2; shift 2
  mkdir -p "$TMP/$name"
  ( cd "$REPO" && exec env Labyrinth__DataDir="$TMP/$name/data" Labyrinth__ExamplePluginsDir="" Labyrinth__InstanceId="$name" \
      Labyrinth__LoginAttemptsPerMinute=1000000 Labyrinth__Bus__PublishesPerSecond=10000 Labyrinth__Bus__PublishBurst=10000 \
      Labyrinth__Bridge__MessagesPerSecond=10000 Labyrinth__Bridge__Burst=10000 \
      ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Logging__LogLevel__Labyrinth=Information \
      DOTNET_CLI_TELEMETRY_OPTOUT=1 "$@" dotnet "$HOST_DLL" --urls "http://127.0.0.1:$port" >"$W/host-$name.log" 2>&1 ) &
  pids+=("$!")
  wait_http "http://127.0.0.1:$port/healthz" 600 || { tail -30 "$W/host-$name.log" >&2; exit 1; }
}
stop_instances() { local p; for p in "${pids[@]:1}"; do stop_pid "$p"; done; pids=("${pids[0]}"); }
setup_token() { # the one-time setup link the last started instance logged, percent-decoded
  local t=""
  for _ in $(seq 1 100); do t=$(grep -o 'setup[?#]token=[^ ]*' "$W/host-$1.log" | tail -1 | sed 's/^setup[?#]token=//') && [ -n "$t" ] && break; sleep 0.2; done
  printf '%b' "${t//%/\\x}"
}
drive() { # drive <label> <urls> [CB_VAR=value...]: runs ClusterBench, adds the load average before/after
  local label=$1 urls=$2 token=$3 before; shift 3; before=$(loadavg)
  log "$label: driving $urls (load average $before)"
  env CB_LABEL="$label" CB_URLS="$urls" CB_TOKEN="$token" CB_SECONDS="$MIX_SECONDS" CB_CONCURRENCY="$CONCURRENCY" \
      CB_ROUNDS="$ROUNDS" CB_BUS_ROUNDS="$BUS_ROUNDS" "$@" \
      timeout 600 dotnet "$OUT/ClusterBench/ClusterBench.dll" >"$W/$label.raw" 2>"$W/$label.err" \
    || { cat "$W/$label.err" >&2; exit 1; }
  "$PY" -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().strip().split("\n")[-1]); d["loadBefore"]=sys.argv[2]; d["loadAfter"]=sys.argv[3]; print(json.dumps(d))' \
    "$W/$label.raw" "$before" "$(loadavg)" >"$W/$label.json"
}

P=$(free_port); start_instance sqlite "$P"
drive sqlite "http://127.0.0.1:$P" "$(setup_token sqlite)"
stop_instances

P=$(free_port)
start_instance pg "$P" Labyrinth__Database__Provider=Postgres Labyrinth__Database__ConnectionString="$(pg_conn single)" Labyrinth__Blobs__Provider=Database
drive pg "http://127.0.0.1:$P" "$(setup_token pg)"
stop_instances

CLUSTER_ENV=(Labyrinth__Database__Provider=Postgres Labyrinth__Database__ConnectionString="$(pg_conn pair)" Labyrinth__Blobs__Provider=Database
  Labyrinth__Redis__Configuration="127.0.0.1:$REDIS_PORT" Labyrinth__Redis__Prefix="$PREFIX" Labyrinth__Redis__BarrierTimeoutMilliseconds="$BARRIER_MS")
PA=$(free_port); start_instance a "$PA" "${CLUSTER_ENV[@]}"   # A applies the migrations
PB=$(free_port); start_instance b "$PB" "${CLUSTER_ENV[@]}"
drive pg2 "http://127.0.0.1:$PA,http://127.0.0.1:$PB" "$(setup_token b)" \
  CB_REDIS="127.0.0.1:$REDIS_PORT" CB_PREFIX="$PREFIX" CB_UPSTREAM="http://127.0.0.1:$FAKE_PORT/v1" CB_UPSTREAM_KEY="$FAKE_KEY"
stop_instances
BARRIER_TIMEOUTS=$(cat "$W/host-a.log" "$W/host-b.log" | grep -c 'did not apply it within' || true)

machine_info >"$W/machine.txt"
"$PY" "$BENCH_DIR/cluster/report.py" "$W" "$BARRIER_MS" "$BARRIER_TIMEOUTS" "$OUT/cluster.json" "$OUT/cluster.md"
