#!/usr/bin/env bash
# `pnpm ci:check`: the one gate. Static checks run through turbo (cached: a second run with
# nothing changed replays them), then the README's test command on embedded PGlite and, when
# TEST_DATABASE_URL is set, again on that server. Every check runs; any failure fails the gate.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
# Only the Citus pass below runs on the cluster: every other pass creates its databases elsewhere.
citus_url=${TEST_CITUS_URL:-}
unset TEST_CITUS_URL

echo "[ci:check] format + lint, architecture, dead code, duplication, docs, typecheck, drift, migration lint, schema guard, ERD"
pnpm exec turbo run lint check:deps check:knip check:dupes check:docs typecheck db:check db:lint db:guard db:erd:check \
  --continue --output-logs=errors-only || status=1

# --- Citus readiness: exits 1 while anything in the shared schema or code blocks distribution.
echo "[ci:check] Citus readiness (pnpm db:citus-report --strict)"
pnpm --silent db:citus-report --strict || status=1
# --- end Citus readiness ---

echo "[ci:check] tests on embedded PGlite"
started=$SECONDS
env -u TEST_DATABASE_URL -u TEST_POOLER_URL -u TEST_REPLICA_URL -u TEST_NEON_WS_PROXY -u DATABASE_URL pnpm test -- --outputFile.json=.test-results/embedded.json || status=1
echo "[ci:check] suite time on embedded PGlite: $((SECONDS - started)) s (target on a quiet 2-core machine: 60 s)"

# The "Adding a table" walk-through (packages/db/CLAUDE.md) on a throwaway copy of the repo:
# scaffold, generate, then typecheck, guard, drift, lint, ERD and the schema-derived tests.
# Minutes of work, so a plain `pnpm test` skips it.
echo "[ci:check] new-table walk-through on a copy of the repo (TEST_NEW_TABLE=1)"
env -u TEST_DATABASE_URL -u TEST_POOLER_URL -u TEST_REPLICA_URL -u TEST_NEON_WS_PROXY -u DATABASE_URL TEST_NEW_TABLE=1 \
  pnpm --filter @repo/db exec vitest run src/__tests__/new-table.test.ts --outputFile.json=.test-results/new-table.json || status=1

# Every pass from here on has a server: the API's property test tries 1,000 inputs per route
# (apps/api/src/__tests__/any-input.test.ts; a plain `pnpm test` samples 150).
export TEST_PROPERTY_CASES=1000

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "[ci:check] tests on the server in TEST_DATABASE_URL"
  # Never replayed from turbo's cache: the server's state is not an input turbo can hash, so a
  # stopped server must fail here rather than pass on an earlier run's results.
  started=$SECONDS
  env -u DATABASE_URL -u TEST_POOLER_URL -u TEST_REPLICA_URL -u TEST_NEON_WS_PROXY TURBO_FORCE=true pnpm test -- --outputFile.json=.test-results/server.json || status=1
  echo "[ci:check] suite time on the server: $((SECONDS - started)) s (target on a quiet 2-core machine: 45 s)"
else
  echo "[ci:check] TEST_DATABASE_URL unset: server tests skipped (see .env.example)"
fi

# Through a transaction pooler: the tenant-unit safety tests, the isolation matrix and the
# API's end-to-end suite, app connections via TEST_POOLER_URL with prepared statements off
# (PgBouncer < 1.21 cannot keep them), the owner's direct.
if [ -n "${TEST_DATABASE_URL:-}" ] && [ -n "${TEST_POOLER_URL:-}" ]; then
  echo "[ci:check] tests through the pooler in TEST_POOLER_URL (prepared statements off)"
  pooled=(env -u DATABASE_URL -u TEST_NEON_WS_PROXY DB_PREPARED_STATEMENTS=false)
  "${pooled[@]}" pnpm --filter @repo/db exec vitest run src/__tests__/unit.test.ts \
    src/__tests__/isolation.test.ts src/__tests__/tenant.test.ts src/__tests__/soak.test.ts \
    src/__tests__/runtime-role.test.ts src/__tests__/token-unit.test.ts \
    --outputFile.json=.test-results/pooler.json || status=1
  "${pooled[@]}" pnpm --filter @repo/api exec vitest run --outputFile.json=.test-results/pooler.json || status=1
  "${pooled[@]}" pnpm --filter @repo/mcp exec vitest run --outputFile.json=.test-results/pooler.json || status=1
elif [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "[ci:check] TEST_POOLER_URL unset: pooler tests skipped"
fi

# --- modern pooler: PgBouncer >= 1.21 (max_prepared_statements) in TEST_MODERN_POOLER_URL ---
# The same pooled files as above, with prepared statements ON (the fast path), plus the test
# that the pooler really keeps them (prepared-pooler.test.ts, skipped in every other pass).
if [ -n "${TEST_DATABASE_URL:-}" ] && [ -n "${TEST_MODERN_POOLER_URL:-}" ]; then
  echo "[ci:check] tests through the modern pooler in TEST_MODERN_POOLER_URL (prepared statements on)"
  modern=(env -u DATABASE_URL -u TEST_REPLICA_URL -u TEST_NEON_WS_PROXY TEST_POOLER_URL="$TEST_MODERN_POOLER_URL" DB_PREPARED_STATEMENTS=true)
  "${modern[@]}" pnpm --filter @repo/db exec vitest run src/__tests__/unit.test.ts \
    src/__tests__/isolation.test.ts src/__tests__/tenant.test.ts src/__tests__/soak.test.ts \
    src/__tests__/runtime-role.test.ts src/__tests__/token-unit.test.ts \
    src/__tests__/prepared-pooler.test.ts \
    --outputFile.json=.test-results/pooler-modern.json || status=1
  "${modern[@]}" pnpm --filter @repo/api exec vitest run --outputFile.json=.test-results/pooler-modern.json || status=1
elif [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "[ci:check] TEST_MODERN_POOLER_URL unset: modern pooler tests skipped"
fi
# --- end modern pooler ---

# --- Read replicas: read-only tenant units on a streaming replica of TEST_DATABASE_URL's
# server (TEST_REPLICA_URL, .ci/replica.sh). Only the replica tests; the other passes skip them.
if [ -n "${TEST_DATABASE_URL:-}" ] && [ -n "${TEST_REPLICA_URL:-}" ]; then
  echo "[ci:check] replica tests on TEST_REPLICA_URL"
  env -u DATABASE_URL -u TEST_POOLER_URL -u TEST_NEON_WS_PROXY pnpm --filter @repo/db exec vitest run \
    src/__tests__/replica.test.ts --outputFile.json=.test-results/replica.json || status=1
elif [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "[ci:check] TEST_REPLICA_URL unset: replica tests skipped"
fi

# --- Neon's serverless driver: test databases' connections over WebSockets through
# TEST_NEON_WS_PROXY (websockify in front of TEST_DATABASE_URL's server): the driver's own
# tests, the tenant-unit tests, the isolation matrix and the API's end-to-end suite.
if [ -n "${TEST_DATABASE_URL:-}" ] && [ -n "${TEST_NEON_WS_PROXY:-}" ]; then
  echo "[ci:check] tests through neon-serverless via TEST_NEON_WS_PROXY"
  neon=(env -u DATABASE_URL -u TEST_POOLER_URL -u TEST_REPLICA_URL)
  "${neon[@]}" pnpm --filter @repo/db exec vitest run src/__tests__/neon.test.ts \
    src/__tests__/unit.test.ts src/__tests__/tenant.test.ts src/__tests__/isolation.test.ts \
    src/__tests__/token-unit.test.ts --outputFile.json=.test-results/neon.json || status=1
  "${neon[@]}" pnpm --filter @repo/api exec vitest run --outputFile.json=.test-results/neon.json || status=1
elif [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "[ci:check] TEST_NEON_WS_PROXY unset: neon-serverless tests skipped"
fi

# --- Citus: a coordinator + 2 workers (TEST_CITUS_URL, .ci/citus.sh), tenant tables distributed
# by organization_id: the cluster's own tests, the isolation matrix, search and the tenant unit,
# each test file on a distributed clone (src/testing/citus.ts), then the API's end-to-end suite.
if [ -n "$citus_url" ]; then
  echo "[ci:check] tests on the Citus cluster in TEST_CITUS_URL"
  citus_started=$(date +%s)
  citus=(env -u DATABASE_URL -u TEST_DATABASE_URL -u TEST_POOLER_URL -u TEST_REPLICA_URL -u TEST_NEON_WS_PROXY -u TEST_PROPERTY_CASES "TEST_CITUS_URL=$citus_url")
  "${citus[@]}" pnpm --filter @repo/db exec vitest run src/__tests__/citus.test.ts \
    src/__tests__/isolation.test.ts src/__tests__/search.test.ts src/__tests__/unit.test.ts \
    src/__tests__/tenant.test.ts src/__tests__/token-unit.test.ts \
    --outputFile.json=.test-results/citus.json || status=1
  "${citus[@]}" pnpm --filter @repo/api exec vitest run --outputFile.json=.test-results/citus.json || status=1
  echo "[ci:check] Citus tests took $(($(date +%s) - citus_started)) s"
else
  echo "[ci:check] TEST_CITUS_URL unset: Citus tests skipped"
fi
# --- end Citus ---

[ "$status" -eq 0 ] && echo "[ci:check] all checks passed" || echo "[ci:check] FAILED (see above)"
exit "$status"
