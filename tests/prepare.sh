#!/usr/bin/env bash
# Installs the machine packages the tests use, if missing. Safe to run again.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The cluster fault tests start their own PostgreSQL server (initdb, pg_ctl) from Debian's package.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
command -v curl >/dev/null 2>&1 || need+=(curl) # deploy/local-cluster.sh polls readiness with it
# The contract tests run npm tools (Redocly's linter, Prism's validating proxy): tests/conformance/package.json.
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
# The namespace-cluster test builds its network with ip (iproute2), bridges included.
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# The systemd units' hardening is rated by systemd-analyze security --offline=true (it needs no running systemd).
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
if [ ${#need[@]} -gt 0 ]; then
  echo "prepare: installing ${need[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The OpenAPI tools at the versions the contract tests pin (tests/conformance/package-lock.json).
conformance="$(dirname "$0")/conformance"
if [ ! -x "$conformance/node_modules/.bin/prism" ] || [ ! -x "$conformance/node_modules/.bin/redocly" ]; then
  echo "prepare: installing the OpenAPI conformance tools (npm ci in tests/conformance)"
  (cd "$conformance" && npm ci --no-audit --no-fund --loglevel=error)
fi
