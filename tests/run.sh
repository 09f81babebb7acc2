#!/usr/bin/env bash
# Runs every test of the solution and ends with one summary line: "tests: N passed, N failed, N skipped".
# Installs what the tests need on a fresh machine first (see tests/prepare.sh).
set -uo pipefail
cd "$(dirname "$0")/.."

bash tests/prepare.sh || { echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }

log=$(mktemp)
dotnet test Widgets.Orleans.sln -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one "Passed!/Failed! - Failed: F, Passed: P, Skipped: S, Total: T" line per test project.
read -r passed failed skipped < <(grep -aE '(Passed|Failed)! +- +Failed: +[0-9]+' "$log" | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or the test host failed before any test could report
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
