import { createRoute, z } from "@hono/zod-openapi";
import { type Embedder, SearchInputError, type SearchInputErrorCode, searchChunks } from "@repo/db";
import { ApiError } from "../errors";
import { bearer, commonErrors, json, router } from "../openapi";

const SearchQuery = z.object({
  q: z
    .string({ error: "Required" })
    .max(1_000)
    .refine((value) => value.trim().length > 0, { message: "Must not be blank" })
    .refine((value) => !value.includes("\0"), { message: "Must not contain NUL characters" })
    .openapi({ description: "Words to find (at most 32).", example: "retail pricing" }),
  limit: z.coerce.number().int().min(1).max(50).default(10).openapi({ example: 10 }),
});

const Hit = z
  .object({
    chunkId: z.string(),
    documentId: z.string(),
    content: z.string(),
    score: z
      .number()
      .openapi({ description: "Fused score: the sum of 1 / (60 + rank) over both lists." }),
    vectorRank: z.number().int().nullable(),
    textRank: z.number().int().nullable(),
  })
  .openapi("SearchHit");

const searchRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["Search"],
  summary: "Search the organization's document chunks (vector + full text)",
  security: bearer,
  request: { query: SearchQuery },
  responses: { 200: json(z.object({ data: z.array(Hit) }), "Best chunks first."), ...commonErrors },
});

// The refusals of searchChunks that are the client's to fix (e.g. over its word limit).
const QUERY_ERRORS = new Set<SearchInputErrorCode>([
  "no_query",
  "invalid_query",
  "query_too_complex",
]);

export function searchRoutes(embedder: Embedder) {
  return router().openapi(searchRoute, async (c) => {
    const { q, limit } = c.req.valid("query");
    const [embedding] = await embedder.embed([q]);
    const search = () =>
      c.var.tenant((tx) => searchChunks(tx, { query: q, embedding: embedding ?? null, limit }));
    const hits = await c.var.heavy(search).catch((error: unknown) => {
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
    return c.json({ data: hits }, 200);
  });
}
