#!/usr/bin/env bash
# Bytes the embedded service writes per session life (start → showQrCode → timeout), as the kernel counts them.
#
#   bench/bytes-per-flow.sh [GATEWAY_DLL] [SESSIONS] [COUPON_CODES] [PARALLEL]
#
# Starts the gateway (default: gateway/bin/Release/net10.0, build it first) on a fresh data directory, with logging at
# Warning, registers SESSIONS terminals (default 200) and one widget (30 s timeout; with COUPON_CODES > 0 a coupon
# widget with a pool of that many codes), then runs one session per terminal: start, showQrCode, and lets it time
# out, PARALLEL (default 1) terminals at a time. Reports the process's written bytes (/proc/PID/io wchar: the SQLite
# WAL, the database, everything) per session, from after the setup until every session has ended, minus what the
# same time writes idle. Needs curl and bc.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dll=${1:-$root/gateway/bin/Release/net10.0/Widgets.Gateway.dll}
sessions=${2:-200}
codes=${3:-0}
parallel=${4:-1}
data=$(mktemp -d /tmp/widgets-bytes-XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
secret=bytes-per-flow-admin-secret-0123456789
pos_secret=bytes-per-flow-pos-secret-0123456789
base=http://127.0.0.1:$port
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

(cd "$(dirname "$dll")" && exec env ASPNETCORE_ENVIRONMENT=Development DOTNET_GCDynamicAdaptationMode=1 dotnet "$dll" \
  --urls=$base --Widgets:DataDirectory="$data" --Orleans:SiloPort=$((port + 1)) --Orleans:GatewayPort=$((port + 2)) \
  --Demo:Seed=true --Demo:AdminClientSecret=$secret --Demo:PosClientSecret=$pos_secret \
  --Logging:LogLevel:Default=Warning --RateLimits:PosPerClientPerSecond=100000 --RateLimits:PosPerTerminalPerSecond=100000 \
  --RateLimits:TokenPerIpPerMinute=100000) >"$data/gateway.log" 2>&1 &
pid=$!
until curl -sf -o /dev/null $base/readyz; do kill -0 $pid || { cat "$data/gateway.log"; exit 1; }; sleep 0.5; done

token() { curl -sf -u "$1:$2" -d grant_type=client_credentials -d scope="$3" $base/connect/token | sed -E 's/.*"access_token":"([^"]+)".*/\1/'; }
until admin=$(token demo-admin $secret widgets_admin) && [ -n "$admin" ]; do sleep 0.5; done
until pos=$(token demo-pos $pos_secret pos_integration) && [ -n "$pos" ]; do sleep 0.5; done
json() { curl -sf -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -X "$2" "$base$3" ${4:+-d "$4"}; }
admin_base=/v2/admin/pos/demo/locations/store-1
settings='{}'
type=loyaltyEnrollment
if [ "$codes" -gt 0 ]; then
  type=couponDelivery
  settings="{\"couponCodes\":[$(seq -f '"CODE-%06g"' 1 "$codes" | paste -sd,)]}"
fi
echo "{\"name\":\"Bytes\",\"type\":\"$type\",\"contexts\":[\"checkout\"],\"channels\":[\"qr\"],\"timeoutSeconds\":30,\"content\":{\"headline\":\"Bytes\",\"body\":\"Scan\"},\"settings\":$settings}" >"$data/widget.json"
widget=$(json "$admin" POST $admin_base/widgets "@$data/widget.json" | sed -E 's/.*"id":([0-9]+).*/\1/')
for i in $(seq 1 "$sessions"); do json "$admin" PUT $admin_base/terminals/bytes-$i '{"name":"b"}' >/dev/null; done

wchar() { awk '/^wchar/ {print $2}' /proc/$pid/io; }
sleep 6 # let the setup's batched writes land
idle_from=$(wchar); sleep 10; idle=$(( $(wchar) - idle_from ))
from=$(wchar); started=$(date +%s.%N)
flow() {
  local i=$1 s
  s=$(json "$pos" POST /v2/pos/demo/widget/start "{\"posLocationId\":\"store-1\",\"terminalId\":\"bytes-$i\",\"widgetId\":$widget}" | sed -E 's/.*"sessionId":"([^"]+)".*/\1/')
  json "$pos" POST /v2/pos/demo/widget/showQrCode "{\"widgetId\":$widget,\"sessionId\":\"$s\",\"posLocationId\":\"store-1\",\"terminalId\":\"bytes-$i\"}" >/dev/null
}
export -f flow json; export pos base widget
seq 1 "$sessions" | xargs -P "$parallel" -I{} bash -c 'flow {}'
# Every session ends 30 s after its QR code; the stats show it once its journal row is in.
until json "$admin" GET "$admin_base/stats" | grep -q "\"timedOut\":$sessions"; do sleep 1; done
sleep 6 # the last batched writes (stats flush, journal linger)
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
total=$(( $(wchar) - from ))
idle_share=$(echo "$idle * $elapsed / 10" | bc)
echo "sessions: $sessions ($parallel at a time); coupon codes: $codes; written: $total bytes in ${elapsed%.*} s (idle writes over that time: ~$idle_share)"
echo "bytes written per session life: $(( (total - idle_share) / sessions ))"
