# Shared helpers for bench scripts (sourced). Loopback only; every loop is bounded.
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
OUT="$BENCH_DIR/out"
mkdir -p "$OUT"
PY=/usr/bin/python3   # apt installs flask/gunicorn for Debian's python, not for a pyenv shim

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# need <command> <debian-package>: installs the package when the command is missing.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2 (for $1)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null; }
}
need_file() { # need_file <path> <debian-package>
  [ -e "$1" ] && return 0
  log "installing $2 (for $1)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null; }
}
need_py() { # need_py <module> <debian-package> (for Debian's python, where apt installs)
  "$PY" -c "import $1" >/dev/null 2>&1 && return 0
  log "installing $2 (for python $1)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >/dev/null; }
}

# BENCH_HOST_DLL measures another build (e.g. main's, copied aside) with the same driver; with
# Labyrinth__WebRoot / Labyrinth__FrameRoot in the environment it serves that build's web app too.
HOST_DLL="${BENCH_HOST_DLL:-$REPO/src/Labyrinth.Host/bin/Release/net10.0/Labyrinth.Host.dll}"
build_host() {
  if [ ! -f "$HOST_DLL" ] || [ ! -f "$REPO/web/frame/dist/bootstrap.js" ] || [ -n "${BENCH_REBUILD:-}" ]; then
    log "building web + host (Release)"
    (cd "$REPO" && npm run build:all >/dev/null && dotnet build src/Labyrinth.Host -c Release -p:LabyrinthSkipWebBuild=true -v q -nologo >/dev/null)
  fi
}

# wait_http <url> [tries]: polls until the URL answers 200 (bounded).
wait_http() {
  local i
  for i in $(seq 1 "${2:-150}"); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  log "timed out waiting for $1"; return 1
}

# start_host <port> <examplePluginsDir> <logfile> [dataDir]: starts the host ($HOST_DLL) in
# Production with a new data directory (or the one given); echoes its pid. The host's own lines
# (ready, the first-run setup link the scripts read) are Information; the framework's stay quiet.
start_host() {
  local data; data="${4:-$(mktemp -d)}"
  ( cd "$REPO" && exec env Labyrinth__DataDir="$data" Labyrinth__ExamplePluginsDir="$2" \
      ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Logging__LogLevel__Labyrinth=Information \
      DOTNET_CLI_TELEMETRY_OPTOUT=1 \
      dotnet "$HOST_DLL" --urls "http://127.0.0.1:$1" >"$3" 2>&1 ) &
  echo $!
}

stop_pid() { [ -n "${1:-}" ] && kill "$1" 2>/dev/null; wait "$1" 2>/dev/null || true; }

machine_info() {
  echo "- CPU: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1), nproc=$(nproc)"
  echo "- RAM: $(free -h | awk '/^Mem:/{print $2}')"
  echo "- OS: $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "- dotnet $(dotnet --version 2>/dev/null), node $(node --version 2>/dev/null), nginx $(nginx -v 2>&1 | sed 's/.*\///'), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')"
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
}
