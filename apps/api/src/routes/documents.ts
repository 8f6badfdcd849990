import { type DocumentPreparer, eq, schema, sql } from "@repo/db";
import { insertDocumentSchema } from "@repo/db/zod";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { notFound } from "../errors";
import { idParam } from "../params";
import { parseBody } from "../validation";

const { document, documentChunk } = schema;

const createDocumentBody = z.strictObject(
  insertDocumentSchema.pick({
    title: true,
    content: true,
    sourceUri: true,
    mimeType: true,
    metadata: true,
  }).shape,
);

/** Rows per INSERT: a chunk carries a 1,536-number embedding. */
const CHUNK_BATCH = 100;

export function documentRoutes(
  preparer: DocumentPreparer,
  ingest: <T>(work: () => Promise<T>) => Promise<T>,
) {
  return new Hono<AppEnv>()
    .post("/", async (c) => {
      const body = await parseBody(c, createDocumentBody);
      const { organizationId, userId } = c.var.caller;
      // CPU work before the transaction opens (and, with a preparer pool, off the event loop):
      // a transaction should only wait on the database.
      const { created, chunks } = await ingest(async () => {
        const chunks = await preparer.prepare(body.content);
        const created = await c.var.tenant(async (tx) => {
          const [row] = await tx
            .insert(document)
            .values({ ...body, organizationId, createdById: userId, status: "indexed" })
            .returning();
          if (!row) throw new Error("INSERT ... RETURNING returned no document");
          const values = chunks.map((chunk, i) => ({
            organizationId,
            documentId: row.id,
            position: i + 1,
            content: chunk.content,
            tokenCount: chunk.tokenCount,
            embedding: sql`${chunk.embedding}::halfvec`,
          }));
          for (let i = 0; i < values.length; i += CHUNK_BATCH) {
            await tx.insert(documentChunk).values(values.slice(i, i + CHUNK_BATCH));
          }
          return row;
        });
        return { created, chunks };
      });
      const { content: _content, ...summary } = created;
      return c.json({ data: { ...summary, chunkCount: chunks.length } }, 201);
    })
    .get("/:id", async (c) => {
      const id = idParam(c);
      // One statement (drizzle's relational query aggregates the chunks as JSON).
      const found = await c.var.tenant((tx) =>
        tx.query.document.findFirst({
          where: eq(document.id, id),
          with: {
            chunks: {
              columns: { id: true, position: true, content: true, tokenCount: true },
              orderBy: documentChunk.position,
            },
          },
        }),
      );
      if (!found) throw notFound();
      return c.json({ data: found });
    });
}
