import type { Transaction, UnitValue } from "@repo/db";
import type { Logger } from "./log";

/** Who is calling: set by the auth middleware from the bearer token. */
export interface Caller {
  readonly organizationId: string;
  readonly userId: string;
}

/** Runs `fn` in the caller's tenant transaction: once per request. */
type TenantRunner = <R>(fn: (tx: Transaction) => R) => Promise<UnitValue<R>>;

export interface AppEnv {
  Variables: {
    caller: Caller;
    tenant: TenantRunner;
    /** Runs CPU-heavy work (search, ingestion) in a turn of the caller's organization. */
    heavy: <T>(work: () => Promise<T>) => Promise<T>;
    /** This request's logger (carries its id). */
    log: Logger;
    requestId: string;
  };
}
