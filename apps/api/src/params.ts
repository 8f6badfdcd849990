import type { Context } from "hono";
import { notFound } from "./errors";

/**
 * A path id. Ids are opaque text: one that cannot exist (blank, overlong, or with a NUL that
 * Postgres text cannot hold) is simply not found, like any other unknown id.
 */
export function idParam(c: Context, name = "id"): string {
  const id = c.req.param(name);
  if (!id || id.length > 256 || id.includes("\0")) throw notFound();
  return id;
}
