#!/usr/bin/env bash
# A whole Widgets cluster on this machine: a throwaway PostgreSQL, N silos and N gateways.
#
#   sudo deploy/local-cluster.sh up [--silos N] [--gateways N]   start (default 2 silos, 1 gateway)
#   sudo deploy/local-cluster.sh down [--purge]                   stop everything it started (--purge: and its data)
#   deploy/local-cluster.sh status                                what runs now
#
# Needs root: it installs Debian's postgresql package when missing (apt-get) and runs the server as the postgres
# user (runuser), which initdb requires. It seeds the demo location and clients (Demo__Seed=false to skip; their
# secrets are printed at the end and kept in the run folder's data/demo-secrets.json). The schema is migrated as the
# postgres superuser; silos and gateways connect as widgets_app, a member of widgets_runtime, which cannot change the
# schema (deploy/sql/postgres/0005_runtime_role.sql). PostgreSQL keeps its default max_connections (100), enough
# for 2 silos and 2 gateways at the default pool limits (silos × 41 + gateways × 4 + 10, deploy/README.md
# "Connections"); set WIDGETS_PG_MAX_CONNECTIONS for more.
#
# Pids and logs: deploy/.run/{postgres,silo-N,gateway-N}.{pid,log} ($WIDGETS_RUN_DIR overrides the folder, so a
# second cluster, e.g. the tests', never touches yours). Configuration passes through the environment as for the
# hosts themselves (e.g. Email__Smtp__Port=2525). Ports: PostgreSQL $WIDGETS_PG_PORT (55432), silo N 11110+N /
# gateway port 30000+N / health+dashboard 5090+N, HTTP gateway N 5080+N (override the bases with WIDGETS_*_BASE).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
run=${WIDGETS_RUN_DIR:-$root/deploy/.run}
pg_port=${WIDGETS_PG_PORT:-55432}
pg_root=${WIDGETS_PG_DIR:-/tmp/widgets-local-cluster-$pg_port}
silo_base=${WIDGETS_SILO_PORT_BASE:-11110}
silo_gateway_base=${WIDGETS_SILO_GATEWAY_PORT_BASE:-30000}
silo_http_base=${WIDGETS_SILO_HTTP_BASE:-5090}
gateway_http_base=${WIDGETS_GATEWAY_HTTP_BASE:-5080}
configuration=${WIDGETS_CONFIGURATION:-Release}
postgres_owner="Host=127.0.0.1;Port=$pg_port;Database=widgets;Username=postgres"
postgres_runtime="Host=127.0.0.1;Port=$pg_port;Database=widgets;Username=widgets_app"

log() { printf 'local-cluster: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && echo "$dir"
}

ensure_postgres_installed() {
  if [ -z "$(pg_bin)" ]; then
    log "installing Debian's postgresql package (once)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  fi
  [ -n "$(pg_bin)" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin after install"
}

as_postgres() { runuser -u postgres -- "$@"; }

require_root() {
  [ "$(id -u)" -eq 0 ] || die "needs root: it installs postgresql with apt-get when missing and runs the server as the postgres user (runuser). Run it with sudo."
}

start_postgres() {
  local bin; bin=$(pg_bin)
  mkdir -p "$pg_root/sock"
  chown -R postgres:postgres "$pg_root"
  if [ ! -f "$pg_root/data/PG_VERSION" ]; then
    log "initdb $pg_root/data"
    as_postgres "$bin/initdb" -D "$pg_root/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if as_postgres "$bin/pg_ctl" -D "$pg_root/data" status >/dev/null 2>&1; then
    log "postgres already running on port $pg_port"
  else
    log "starting postgres on 127.0.0.1:$pg_port"
    local options="-p $pg_port -k $pg_root/sock -c listen_addresses=127.0.0.1"
    if [ -n "${WIDGETS_PG_MAX_CONNECTIONS:-}" ]; then
      log "max_connections=$WIDGETS_PG_MAX_CONNECTIONS (WIDGETS_PG_MAX_CONNECTIONS)"
      options="$options -c max_connections=$WIDGETS_PG_MAX_CONNECTIONS"
    fi
    as_postgres "$bin/pg_ctl" -D "$pg_root/data" -l "$pg_root/postgres.log" -w -o "$options" start >/dev/null
  fi
  head -n 1 "$pg_root/data/postmaster.pid" > "$run/postgres.pid"
  ln -sf "$pg_root/postgres.log" "$run/postgres.log"
}

build() {
  log "building silo and gateway ($configuration)"
  dotnet build "$root/silo/Widgets.Silo.csproj" -c "$configuration" -v quiet -nologo >"$run/build.log" 2>&1 || { cat "$run/build.log" >&2; die "build failed"; }
  dotnet build "$root/gateway/Widgets.Gateway.csproj" -c "$configuration" -v quiet -nologo >>"$run/build.log" 2>&1 || { cat "$run/build.log" >&2; die "build failed"; }
}

signing_key() {
  [ -f "$run/signing.key" ] || head -c 48 /dev/urandom | base64 -w0 > "$run/signing.key"
  cat "$run/signing.key"
}

cluster_env() {
  export Widgets__Mode=Cluster
  export ConnectionStrings__Postgres="$postgres_runtime"
  export ConnectionStrings__PostgresMigrations="$postgres_owner"
  export Demo__Seed="${Demo__Seed:-true}"
  export Widgets__DataDirectory="$run/data"
  export Auth__SigningKey; Auth__SigningKey=$(signing_key)
  # Several .NET processes share this machine: keep the GC's dynamic heap adaptation (DATAS) on, which the
  # gateway's build turns off for the single-process embedded mode (docs/PERFORMANCE.md).
  export DOTNET_GCDynamicAdaptationMode=1
}

silo_dll() { echo "$root/silo/bin/$configuration/net10.0/Widgets.Silo.dll"; }
gateway_dll() { echo "$root/gateway/bin/$configuration/net10.0/Widgets.Gateway.dll"; }

start_process() { # name, dll, then env assignments
  local name=$1 dll=$2; shift 2
  if [ -f "$run/$name.pid" ] && kill -0 "$(cat "$run/$name.pid")" 2>/dev/null; then
    log "$name already running (pid $(cat "$run/$name.pid"))"; return
  fi
  # exec: the pid recorded is dotnet's own, so `kill -9 $(cat silo-1.pid)` kills the silo. The working directory
  # is the build output, where the host finds its appsettings.json.
  (cd "$(dirname "$dll")" && exec env "$@" dotnet "$dll") >"$run/$name.log" 2>&1 </dev/null &
  echo $! > "$run/$name.pid"
  log "$name started (pid $(cat "$run/$name.pid"), log $run/$name.log)"
}

wait_ready() { # name, url, seconds
  local name=$1 url=$2 deadline=$((SECONDS + $3))
  until curl -sf -o /dev/null "$url"; do
    kill -0 "$(cat "$run/$name.pid")" 2>/dev/null || { tail -n 30 "$run/$name.log" >&2; die "$name exited; see $run/$name.log"; }
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$run/$name.log" >&2; die "$name not ready at $url after $3 s"; }
    sleep 0.5
  done
}

up() {
  local silos=2 gateways=1
  while [ $# -gt 0 ]; do
    case $1 in
      --silos) silos=$2; shift 2 ;;
      --gateways) gateways=$2; shift 2 ;;
      *) die "unknown option $1 (use --silos N --gateways N)" ;;
    esac
  done
  # The most the hosts may hold at their default pool limits (deploy/README.md, "Connections"); idle ones close.
  local budget=$((silos * 41 + gateways * 4 + 10)) max=${WIDGETS_PG_MAX_CONNECTIONS:-100}
  if [ "$budget" -gt "$max" ]; then
    log "warning: $silos silos and $gateways gateways may need $budget connections under load, more than max_connections=$max; set WIDGETS_PG_MAX_CONNECTIONS=$budget before PostgreSQL starts"
  fi
  mkdir -p "$run/data"
  ensure_postgres_installed
  start_postgres
  build
  cluster_env
  log "migrating the schema (as postgres)"
  (cd "$(dirname "$(silo_dll)")" && dotnet "$(silo_dll)" migrate >"$run/migrate.log" 2>&1) || { cat "$run/migrate.log" >&2; die "migration failed"; }
  create_runtime_login
  for i in $(seq 1 "$silos"); do
    start_process "silo-$i" "$(silo_dll)" Orleans__SiloPort=$((silo_base + i)) Orleans__GatewayPort=$((silo_gateway_base + i)) \
      Orleans__AdvertisedIP=127.0.0.1 Urls="http://127.0.0.1:$((silo_http_base + i))"
  done
  for i in $(seq 1 "$silos"); do wait_ready "silo-$i" "http://127.0.0.1:$((silo_http_base + i))/readyz" 180; done
  # Gateways start one after another; only the first seeds the demo data (two seeding at once would race).
  for i in $(seq 1 "$gateways"); do
    local seed=$Demo__Seed; [ "$i" -eq 1 ] || seed=false
    start_process "gateway-$i" "$(gateway_dll)" Urls="http://127.0.0.1:$((gateway_http_base + i))" Demo__Seed="$seed"
    wait_ready "gateway-$i" "http://127.0.0.1:$((gateway_http_base + i))/readyz" 180
  done
  if [ "$Demo__Seed" = true ] && [ -f "$run/data/demo-secrets.json" ]; then
    log "demo clients: demo-pos / demo-admin, secrets in $run/data/demo-secrets.json"
  fi
  for i in $(seq 1 "$gateways"); do echo "gateway: http://127.0.0.1:$((gateway_http_base + i))"; done
}

# The login silos and gateways use: a member of widgets_runtime (data, no DDL). Trust authentication on this
# loopback-only server, so it needs no password; a real server gets one (deploy/README.md, "PostgreSQL").
create_runtime_login() {
  local bin; bin=$(pg_bin)
  as_postgres "$bin/psql" -q -h "$pg_root/sock" -p "$pg_port" -d widgets -v ON_ERROR_STOP=1 -c \
    "DO \$\$ BEGIN CREATE ROLE widgets_app LOGIN IN ROLE widgets_runtime; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$;" \
    >/dev/null || die "could not create the widgets_app login"
}

stop_pid_file() {
  local file=$1 pid
  pid=$(cat "$file" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

down() {
  for file in "$run"/gateway-*.pid "$run"/silo-*.pid; do
    [ -e "$file" ] || continue
    log "stopping $(basename "$file" .pid)"
    stop_pid_file "$file"
  done
  local bin; bin=$(pg_bin || true)
  if [ -n "$bin" ] && [ -f "$pg_root/data/PG_VERSION" ] && as_postgres "$bin/pg_ctl" -D "$pg_root/data" status >/dev/null 2>&1; then
    log "stopping postgres"
    as_postgres "$bin/pg_ctl" -D "$pg_root/data" -m fast -w stop >/dev/null
  fi
  rm -f "$run/postgres.pid"
  if [ "${1:-}" = "--purge" ]; then
    log "removing $pg_root and $run"
    rm -rf "$pg_root" "$run"
  fi
}

status() {
  for file in "$run"/*.pid; do
    [ -e "$file" ] || { echo "nothing running"; return; }
    local pid; pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then echo "$(basename "$file" .pid): running (pid $pid)"; else echo "$(basename "$file" .pid): dead"; fi
  done
}

case ${1:-} in
  up) shift; require_root; up "$@" ;;
  down) shift; require_root; down "$@" ;;
  status) status ;;
  *) sed -n '2,19p' "$0"; exit 2 ;;
esac
