#!/usr/bin/env bash
# `pnpm ci:check`: the one gate. Static checks run through turbo (cached: a second run with
# nothing changed replays them), then the README's test command on embedded PGlite and, when
# TEST_DATABASE_URL is set, again on that server. Every check runs; any failure fails the gate.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

echo "[ci:check] format + lint, architecture, dead code, duplication, docs, typecheck, drift, migration lint, schema guard, ERD"
pnpm exec turbo run lint check:deps check:knip check:dupes check:docs typecheck db:check db:lint db:guard db:erd:check \
  --continue --output-logs=errors-only || status=1

echo "[ci:check] tests on embedded PGlite"
env -u TEST_DATABASE_URL -u DATABASE_URL pnpm test -- --outputFile.json=.test-results/embedded.json || status=1

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "[ci:check] tests on the server in TEST_DATABASE_URL"
  env -u DATABASE_URL pnpm test -- --outputFile.json=.test-results/server.json || status=1
else
  echo "[ci:check] TEST_DATABASE_URL unset: server tests skipped (see .env.example)"
fi

[ "$status" -eq 0 ] && echo "[ci:check] all checks passed" || echo "[ci:check] FAILED (see above)"
exit "$status"
