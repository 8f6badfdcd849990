#!/usr/bin/env bash
# `bash scripts/test-under-load.sh [RUNS]` (default 10): runs `pnpm test` RUNS times while two
# CPU-bound processes run beside it, as on a busy 2-core machine, and prints one line per run
# and a tally. Exits 1 unless every run passed. Uses the same environment as `pnpm test`
# (TEST_DATABASE_URL set: the server; unset: embedded PGlite).
set -uo pipefail
cd "$(dirname "$0")/.."

runs="${1:-10}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: bash scripts/test-under-load.sh [RUNS]  (RUNS: a positive number, default 10)" >&2
  exit 2
fi

burners=()
stop_burners() { [ ${#burners[@]} -gt 0 ] && kill "${burners[@]}" 2>/dev/null; }
trap stop_burners EXIT
for _ in 1 2; do
  node -e 'for (;;) Math.sqrt(Math.random());' &
  burners+=($!)
done

passed=0
for run in $(seq 1 "$runs"); do
  started=$(date +%s)
  # --force: every run does the work; a cache replay would prove nothing about load.
  if pnpm exec turbo run test --continue --force --output-logs=errors-only >"/tmp/test-under-load.$run.log" 2>&1; then
    passed=$((passed + 1))
    result=passed
  else
    result="FAILED (log: /tmp/test-under-load.$run.log)"
  fi
  echo "run $run/$runs: $result in $(($(date +%s) - started)) s"
done

echo "under load: $passed/$runs runs passed"
[ "$passed" -eq "$runs" ]
