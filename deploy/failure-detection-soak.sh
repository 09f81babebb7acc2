#!/usr/bin/env bash
# Counts false suspicions under load: a local cluster of 3 silos and 1 gateway (deploy/local-cluster.sh, so root),
# 4 loops of POS list calls and 4 CPU spinners for SECONDS (default 300), then, per silo, the probes it missed, the
# votes it cast, the evictions it made and whether it was told it was dead. With healthy silos every count but
# missed probes should be 0: anything else is a false positive of the failure detector (deploy/README.md).
#
#   sudo deploy/failure-detection-soak.sh [SECONDS]
set -uo pipefail
seconds=${1:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
export WIDGETS_RUN_DIR=${WIDGETS_RUN_DIR:-/tmp/widgets-soak} WIDGETS_PG_PORT=${WIDGETS_PG_PORT:-56432} WIDGETS_PG_DIR=${WIDGETS_PG_DIR:-/tmp/widgets-soak-pg}
export WIDGETS_SILO_PORT_BASE=21110 WIDGETS_SILO_GATEWAY_PORT_BASE=31000 WIDGETS_SILO_HTTP_BASE=6090 WIDGETS_GATEWAY_HTTP_BASE=6080
export Logging__Console__TimestampFormat="HH:mm:ss.fff "
export RateLimits__PosPerClientPerSecond=100000 RateLimits__PosPerTerminalPerSecond=100000
trap 'bash "$root/deploy/local-cluster.sh" down --purge >/dev/null 2>&1' EXIT
# Votes and evictions are logged at Information; the name has dots, which only env can pass on.
env 'Logging__LogLevel__Orleans.Runtime.MembershipService=Information' bash "$root/deploy/local-cluster.sh" up --silos 3 --gateways 1 >/dev/null || exit 1
gateway=http://127.0.0.1:6081
# The demo data is seeded once the gateway has joined; wait for its secrets.
for _ in $(seq 1 240); do [ -s "$WIDGETS_RUN_DIR/data/demo-secrets.json" ] && break; sleep 0.5; done
secret=$(sed -E 's/.*"Pos":"([^"]+)".*/\1/' "$WIDGETS_RUN_DIR/data/demo-secrets.json")
token=$(curl -sf -u "demo-pos:$secret" -d grant_type=client_credentials -d scope=pos_integration $gateway/connect/token | sed -E 's/.*"access_token":"([^"]+)".*/\1/') \
  || { echo "no token from $gateway" >&2; exit 1; }
end=$((SECONDS + seconds)); pids=()
for _ in 1 2 3 4; do
  (n=0; while [ $SECONDS -lt $end ]; do
    curl -sf -o /dev/null -X POST $gateway/v2/pos/demo/widgets/list -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d '{"posLocationId":"store-1","context":"checkout"}' && n=$((n + 1))
  done; echo "$n" >> "$WIDGETS_RUN_DIR/lists") & pids+=($!)
done
for _ in 1 2 3 4; do (while [ $SECONDS -lt $end ]; do :; done) & pids+=($!); done
wait "${pids[@]}"
echo "after ${seconds} s: load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; list calls answered: $(paste -sd+ "$WIDGETS_RUN_DIR/lists" | bc)"
for s in 1 2 3; do
  log="$WIDGETS_RUN_DIR/silo-$s.log"
  echo "silo-$s: missed probes $(grep -c 'Did not get response for probe' "$log"), votes $(grep -ci 'voting to evict' "$log"), evictions $(grep -ci 'evicting' "$log"), told dead $(grep -c 'told I am dead' "$log"), self-reported degradation $(grep -c 'local health is degraded' "$log")"
done
