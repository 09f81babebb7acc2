#!/usr/bin/env bash
# The Widgets benchmark in one command: builds in Release, runs every scenario against the baseline (bare Kestrel,
# bench/Baseline) and against the service (embedded mode, then cluster mode via deploy/local-cluster.sh), and writes
# report.md, chart.svg, results.json and run.log.
#
#   bench/run.sh              full run (about 30 minutes)       → bench/results/
#   bench/run.sh --smoke      a few seconds per scenario (CI)   → bench/results/smoke/  exits non-zero on any error
#
# Further arguments go to the bench itself, e.g. `--only list,flow --targets embedded` (groups: list, token, flow,
# catalogue, store, timeouts, memory, fresh-start, rss, startup, cluster; and telemetry, only when named). Re-render a report: bench/run.sh report --in bench/results/results.json
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
log() { printf 'bench: %s\n' "$*" >&2; }

case "${1:-}" in
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; echo; echo "Options: see bench/README.md"; exit 0 ;;
esac

# The HTTP scenarios are driven by wrk (Debian's package), the flow and scale scenarios by bench/Load.
if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || { log "cannot install wrk: apt-get install -y wrk"; exit 1; }
fi

mkdir -p bench/results/tmp
build() {
  dotnet build "$1" -c Release -nologo -v quiet >bench/results/tmp/build.log 2>&1 || { cat bench/results/tmp/build.log >&2; log "build of $1 failed"; exit 1; }
}
log "building in Release"
build gateway/Widgets.Gateway.csproj
build bench/Baseline/Widgets.Bench.Baseline.csproj
build bench/Load/Widgets.Bench.csproj
log "restoring dotnet-gcdump, dotnet-counters, dotnet-trace (bench/dotnet-tools.json)"
(cd bench && dotnet tool restore >/dev/null)

if [ "${1:-}" = report ]; then
  exec dotnet bench/Load/bin/Release/net10.0/Widgets.Bench.dll "$@"
fi

# The gateway runs from a private copy, so a build someone starts meanwhile cannot swap its assemblies mid-run.
# (Run one benchmark at a time: the cluster scenario uses fixed ports and bench/results/tmp/cluster-run.)
copy=bench/results/tmp/gateway-$$
rm -rf "$copy"
cp -r gateway/bin/Release/net10.0 "$copy"
status=0
dotnet bench/Load/bin/Release/net10.0/Widgets.Bench.dll run --root "$root" --gateway-dll "$copy/Widgets.Gateway.dll" "$@" || status=$?
rm -rf "$copy"
exit "$status"
