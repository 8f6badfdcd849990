import type { Transaction } from "@repo/db";

/** Who is calling: set by the auth middleware from the bearer token. */
export interface Caller {
  readonly organizationId: string;
  readonly userId: string;
}

/** Runs `fn` in the caller's tenant transaction: once per request. */
type TenantRunner = <T>(fn: (tx: Transaction) => Promise<T>) => Promise<T>;

export interface AppEnv {
  Variables: {
    caller: Caller;
    tenant: TenantRunner;
  };
}
