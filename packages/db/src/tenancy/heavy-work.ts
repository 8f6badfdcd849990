import { KeyedLimiter } from "../connection/drivers/limiter";
import { env } from "../connection/env";

/** One organization's heavy work did not get its turn in time: callers answer 503. */
export class TenantBusyError extends Error {
  override readonly name = "TenantBusyError";
}

/**
 * Runs `work` as one of `organizationId`'s heavy jobs (see createHeavyWorkGate); when `signal`
 * aborts before its turn (the client left), it gives its place up and `work` never runs.
 */
export type HeavyWorkGate = <T>(
  organizationId: string,
  work: () => Promise<T>,
  signal?: AbortSignal,
) => Promise<T>;

/**
 * CPU-heavy work of one organization (a search: ranking thousands of chunks; a document
 * ingestion: chunking, embedding, thousands of HNSW insertions) runs `perOrganization` jobs
 * at a time, in arrival order, whatever their kind. So one organization's burst occupies at
 * most that many cores, of the database and of the preparer threads together, and the
 * other organizations' requests find a core free. The per-tenant unit limit
 * (DB_TENANT_CONCURRENCY) bounds connections, not CPU: a few searches at once fill every core.
 * A job that waits longer than `waitMs` for its turn gets TenantBusyError (503).
 */
export function createHeavyWorkGate(
  options: { perOrganization?: number; waitMs?: number } = {},
): HeavyWorkGate {
  const perOrganization = options.perOrganization ?? env().DB_TENANT_HEAVY_CONCURRENCY;
  const waitMs = options.waitMs ?? 30_000;
  const limiter = new KeyedLimiter(perOrganization);
  return async (organizationId, work, signal) => {
    const release = await limiter
      .acquire(
        organizationId,
        waitMs,
        () =>
          new TenantBusyError(
            `This organization already runs ${perOrganization} search or document ingestion at once and none finished within ${waitMs} ms; retry shortly.`,
          ),
        signal,
      )
      .catch((error: unknown) => {
        if (signal?.aborted && error === signal.reason) {
          throw new TenantBusyError("The client left before its turn came: nothing ran.");
        }
        throw error;
      });
    try {
      return await work();
    } finally {
      release();
    }
  };
}
