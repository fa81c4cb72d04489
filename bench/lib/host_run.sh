# Runs the LoadBench driver against a fresh host (sourced by bench/load/run.sh and bench/writes/run.sh).
# host_bench <name> <mode> <args after url and token...>: starts a host on $PORT with a new data
# directory and the example plugins, runs `LoadBench <mode> <url> <token> <args...>`, stops the
# host and writes $W/<name>.json (the driver's JSON plus the load average before and after).
build_loadbench() {
  log "building host (Release, incremental) + LoadBench"
  (cd "$REPO" && dotnet build src/Labyrinth.Host -c Release -p:LabyrinthSkipWebBuild=true -v q -nologo >"$OUT/load-host-build.log" 2>&1) \
    || { cat "$OUT/load-host-build.log"; exit 1; }
  dotnet build "$BENCH_DIR/load/LoadBench" -c Release -nologo -v q -o "$OUT/LoadBench" >"$OUT/loadbench-build.log" 2>&1 \
    || { cat "$OUT/loadbench-build.log"; exit 1; }
}

host_bench() {
  local name=$1 mode=$2; shift 2
  local dll=${LOAD_HOST_DLL:-$HOST_DLL} data; data=$(mktemp -d)
  ( cd "$REPO" && exec env Labyrinth__DataDir="$data" Labyrinth__ExamplePluginsDir="$REPO/plugins" Labyrinth__LoginAttemptsPerMinute=1000000 \
      ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Logging__LogLevel__Labyrinth=Information DOTNET_CLI_TELEMETRY_OPTOUT=1 \
      dotnet "$dll" --urls "http://127.0.0.1:$PORT" >"$W/host-$name.log" 2>&1 ) &
  local pid=$!
  wait_http "http://127.0.0.1:$PORT/healthz" 300
  local token=""
  # The setup link is logged at Information by the host's own category (the framework stays at Warning).
  for _ in $(seq 1 100); do token=$(grep -o 'setup[?#]token=[^ ]*' "$W/host-$name.log" | head -1 | sed 's/^setup[?#]token=//') && [ -n "$token" ] && break; sleep 0.2; done
  token=$(printf '%b' "${token//%/\\x}")   # the URL carries it percent-encoded
  local before after; before=$(cut -d' ' -f1-3 /proc/loadavg)
  log "$name: $mode $* (load average $before)"
  if ! timeout 1200 dotnet "$OUT/LoadBench/LoadBench.dll" "$mode" "http://127.0.0.1:$PORT" "$token" "$@" >"$W/$name.raw" 2>"$W/$name.err"; then
    cat "$W/$name.err" >&2; stop_pid "$pid"; rm -rf "$data"; exit 1
  fi
  after=$(cut -d' ' -f1-3 /proc/loadavg)
  stop_pid "$pid"; rm -rf "$data"
  "$PY" -c 'import json,sys; d=json.loads(open(sys.argv[1]).read().strip().split("\n")[-1]); d["loadBefore"]=sys.argv[2]; d["loadAfter"]=sys.argv[3]; print(json.dumps(d))' \
    "$W/$name.raw" "$before" "$after" >"$W/$name.json"
}
