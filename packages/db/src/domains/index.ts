// The domain layer: what apps do with the data, each function run inside one tenant unit
// (withTenantContext / withTokenContext) on the `tx` it gives. Apps parse, run a unit that
// calls these, and respond; they hold no SQL of their own.
export { usageSummary } from "./ai/usage";
export * from "./documents";
export { DomainError, isPossibleId } from "./errors";
export { type Refusal, type RefusalCode, refusalOf } from "./refusal";
export * from "./research/plans";
export * from "./search";
