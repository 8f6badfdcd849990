import { type Embedder, searchChunks } from "@repo/db";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { parseQuery } from "../validation";

const searchQuery = z.object({
  q: z
    .string({ error: "Required" })
    .max(1_000)
    .refine((value) => value.trim().length > 0, { message: "Must not be blank" })
    .refine((value) => !value.includes("\0"), { message: "Must not contain NUL characters" }),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export function searchRoutes(embedder: Embedder) {
  return new Hono<AppEnv>().get("/", async (c) => {
    const { q, limit } = parseQuery(c, searchQuery);
    const [embedding] = await embedder.embed([q]);
    const hits = await c.var.tenant((tx) =>
      searchChunks(tx, { query: q, embedding: embedding ?? null, limit }),
    );
    return c.json({ data: hits });
  });
}
