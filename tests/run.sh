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
  # Each with the first lines of its message, which say what a user would have noticed.
  awk 'BEGIN { RS = "</UnitTestResult>" }
       /<UnitTestResult [^>]*outcome="Failed"/ {
         # Only a result element (the summary after the last result also says outcome="Failed").
         # The failed element itself: passed results before it (self-closed) share this record.
         match($0, /<UnitTestResult [^>]*outcome="Failed"[^>]*>/); tag = substr($0, RSTART, RLENGTH); rest = substr($0, RSTART)
         match(tag, /testName="[^"]*"/); name = substr(tag, RSTART + 10, RLENGTH - 11)
         message = ""
         if (match(rest, /<Message>[^<]*/)) { message = substr(rest, RSTART + 9, RLENGTH - 9) }
         n = split(message, lines, "\n"); shown = ""
         for (i = 1; i <= n && i <= 6; i++) shown = shown "\n    " lines[i]
         print "FAILED: " name shown
       }' "$trx"
done
rm -rf "$results"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or the test host failed before any test could report
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
