// The Citus readiness report (`pnpm db:citus-report`): what blocks distributing every tenant
// table by organization_id. docs/scaling.md walks the same checks in migration order.
export { CITUS_CHECKS, type CitusFinding, isBlocker } from "./findings";
export { citusReport } from "./report";
