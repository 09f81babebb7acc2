#!/usr/bin/env bash
# Runs every test of the solution and ends with one summary line: "tests: N passed, N failed, N skipped".
# Installs what the tests need on a fresh machine first (tests/prepare.sh). Extra arguments go to dotnet test
# (e.g. --filter "FullyQualifiedName~Http").
set -uo pipefail
cd "$(dirname "$0")/.."

bash tests/prepare.sh || { echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }

results=$(mktemp -d)
dotnet test Widgets.Orleans.sln -c Release --logger "console;verbosity=normal" --logger trx --results-directory "$results" "$@"
status=$?

# Sum the counters of every TRX file (one per test project).
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  attr() { sed -E "s/.* $1=\"([0-9]+)\".*/\1/" <<<"$counters"; }
  passed=$((passed + $(attr passed)))
  failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
  skipped=$((skipped + $(attr total) - $(attr executed)))
  # Name the failures again at the end: CI keeps only the tail of a long log.
  grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -E 's/.*testName="([^"]*)".*/FAILED: \1/'
done
rm -rf "$results"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or the test host failed before any test could report
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
