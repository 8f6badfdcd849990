/**
 * What a domain function refuses, in words an app can pass on: `not_found` (also for another
 * organization's row: RLS hides it, and ids must not be probeable) or `conflict`.
 */
export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: "not_found" | "conflict",
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError("not_found", `${what} not found.`);

/** Ids are opaque text; one Postgres text cannot hold (or absurdly long) names no row. */
export const isPossibleId = (id: string) =>
  id.length > 0 && id.length <= 256 && !id.includes("\0") && id.isWellFormed();
