import { type Embedder, SearchInputError, type SearchInputErrorCode, searchChunks } from "@repo/db";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { ApiError } from "../errors";
import { parseQuery } from "../validation";

const searchQuery = z.object({
  q: z
    .string({ error: "Required" })
    .max(1_000)
    .refine((value) => value.trim().length > 0, { message: "Must not be blank" })
    .refine((value) => !value.includes("\0"), { message: "Must not contain NUL characters" }),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

const QUERY_ERRORS = new Set<SearchInputErrorCode>([
  "no_query",
  "invalid_query",
  "query_too_complex",
]);

export function searchRoutes(embedder: Embedder) {
  return new Hono<AppEnv>().get("/", async (c) => {
    const { q, limit } = parseQuery(c, searchQuery);
    const [embedding] = await embedder.embed([q]);
    const hits = await c.var
      .tenant((tx) => searchChunks(tx, { query: q, embedding: embedding ?? null, limit }))
      .catch((error: unknown) => {
        // A query searchChunks refuses (e.g. over its word limit) is the client's to fix.
        if (error instanceof SearchInputError && QUERY_ERRORS.has(error.code)) {
          const problem = error.message.replace(/^searchChunks:? (\w)/, (_, first: string) =>
            first.toUpperCase(),
          );
          throw new ApiError(400, "invalid_request", `Invalid query parameters. ${problem}`, {
            q: [problem],
          });
        }
        throw error;
      });
    return c.json({ data: hits });
  });
}
