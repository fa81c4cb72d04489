#!/usr/bin/env bash
# Runs every test: installs what is missing (npm packages, Debian's chromium and redis-server), type-checks,
# builds the web UI and example plugins, runs vitest and the four .NET suites, then the Host tests once more on a
# throwaway PostgreSQL (scripts/pg-up.sh, stopped on any exit), and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
results=.test-results
rm -rf "$results" && mkdir -p "$results"

step() { printf '\n== %s\n' "$*"; }
fail_setup() { echo "test.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

step "Prerequisites"
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || fail_setup "could not install chromium"
  elif command -v sudo >/dev/null 2>&1; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || fail_setup "could not install chromium"
  else
    fail_setup "chromium is missing; install Debian's chromium package"
  fi
fi
# The cluster tests start and stop their own throwaway redis-server (Debian's package).
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) || fail_setup "could not install redis-server"
  elif command -v sudo >/dev/null 2>&1; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) || fail_setup "could not install redis-server"
  else
    fail_setup "redis-server is missing; install Debian's redis-server package"
  fi
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || fail_setup "npm ci failed"
fi

step "Type-check (web, plugins, sdk + frame)"
# Each check counts as one test in the closing line; a type error fails the run like a failing test.
typecheck() {
  local name=$1; shift
  if "$@"; then echo "{\"name\":\"$name\",\"ok\":true}" >> "$results/typecheck.jsonl"
  else echo "{\"name\":\"$name\",\"ok\":false}" >> "$results/typecheck.jsonl"; echo "type-check failed: $name" >&2; fi
}
typecheck web npx svelte-check --workspace web --fail-on-warnings --output human
typecheck plugins npx svelte-check --workspace plugins --tsconfig ./tsconfig.json --fail-on-warnings --output human
typecheck sdk npx tsc -p sdk --noEmit
# Not a type check but as cheap (well under a second) and counted the same way: the bench summaries
# report a phase that measured nothing instead of crashing (bench/lib/test_summary.py).
typecheck bench-summaries python3 bench/lib/test_summary.py

step "Build web UI, frame bootstrap and example plugins"
npm run build:all || fail_setup "the JS build failed"

step "Build .NET"
dotnet build Labyrinth.slnx -c Release -p:LabyrinthSkipWebBuild=true -nologo -v:q || fail_setup "dotnet build failed"

step "vitest"
NODE_OPTIONS="--import $PWD/scripts/node20-polyfills.mjs" npx vitest run --reporter=default --reporter=json --outputFile="$results/vitest.json"

for suite in Labyrinth.Core.Tests Labyrinth.Host.Tests Labyrinth.Cli.Tests Labyrinth.E2E.Tests; do
  step "$suite"
  dotnet test --project "tests/$suite/$suite.csproj" -c Release --no-build \
    --report-xunit-trx --report-xunit-trx-filename "$suite.trx" --results-directory "$results"
done

# The Host tests again with every test host on a fresh PostgreSQL database and the blob store in it.
# Left out, as they test SQLite itself: Backup (the archive snapshots the SQLite file; on PostgreSQL
# the host refuses it, covered by Data.PostgresBackupTests) and Faults (a full disk under the SQLite file);
# and, to keep the suite inside its time budget, three namespaces whose subject is not the database:
# Broker (HTTP forwarding to a fake upstream), Authoring (the CLI's dev loop) and Themes (theme files).
step "Labyrinth.Host.Tests on PostgreSQL"
pg_dir=""
stop_pg() { if [ -n "$pg_dir" ]; then scripts/pg-down.sh "$pg_dir" || true; pg_dir=""; fi; }
trap stop_pg EXIT
if pg_env=$(scripts/pg-up.sh); then
  eval "$pg_env"
  pg_dir=$LABYRINTH_PG_DIR
  LABYRINTH_TEST_DB=postgres LABYRINTH_PG_CONNECTION=$LABYRINTH_PG_CONNECTION \
    dotnet test --project tests/Labyrinth.Host.Tests/Labyrinth.Host.Tests.csproj -c Release --no-build \
    --filter-not-namespace 'Labyrinth.Host.Tests.Backup' --filter-not-namespace 'Labyrinth.Host.Tests.Faults' \
    --filter-not-namespace 'Labyrinth.Host.Tests.Broker' --filter-not-namespace 'Labyrinth.Host.Tests.Authoring' \
    --filter-not-namespace 'Labyrinth.Host.Tests.Themes' \
    --report-xunit-trx --report-xunit-trx-filename Labyrinth.Host.Tests.postgres.trx --results-directory "$results"
  stop_pg
else
  echo "test.sh: PostgreSQL did not start; the PostgreSQL pass counts as failed" >&2
fi

node scripts/summarize-tests.mjs "$results"
