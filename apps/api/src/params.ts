import type { Context } from "hono";
import { notFound } from "./errors";

/**
 * Ids are opaque text: one that cannot exist (blank, overlong, or with a NUL or a lone
 * surrogate that Postgres text cannot hold) is simply not found, like any other unknown id.
 */
export const isPossibleId = (id: string) =>
  id.length > 0 && id.length <= 256 && !id.includes("\0") && id.isWellFormed();

/** A path id: 404 when it cannot exist. */
export function idParam(c: Context, name = "id"): string {
  const id = c.req.param(name);
  if (id === undefined || !isPossibleId(id)) throw notFound();
  return id;
}
