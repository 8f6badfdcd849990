import { eq, sql } from "drizzle-orm";
import type { Transaction } from "../../connection/client";
import { document, documentChunk } from "../../schema";
import type { NewDocument } from "../../schema/search";
import { createIngestGate, type DocumentPreparer, type PreparedChunk } from "./prepare";

// Documents: ingested as chunks with embeddings (prepared before the unit opens), read back
// with their chunks. Run inside one tenant unit; RLS limits them to its organization.

/** Rows per INSERT: a chunk carries a 1,536-number embedding. */
const CHUNK_BATCH = 100;

export type NewDocumentInput = Pick<
  NewDocument,
  "title" | "content" | "sourceUri" | "mimeType" | "metadata"
>;

/**
 * Stores a document of `owner.organizationId` and its prepared chunks (status "indexed").
 * The document without its content, and how many chunks it got.
 */
export async function insertDocument(
  tx: Transaction,
  owner: { organizationId: string; userId: string },
  input: NewDocumentInput,
  chunks: readonly PreparedChunk[],
) {
  const [row] = await tx
    .insert(document)
    .values({
      ...input,
      organizationId: owner.organizationId,
      createdById: owner.userId,
      status: "indexed",
    })
    .returning();
  if (!row) throw new Error("INSERT ... RETURNING returned no document");
  const values = chunks.map((chunk, i) => ({
    organizationId: owner.organizationId,
    documentId: row.id,
    position: i + 1,
    content: chunk.content,
    tokenCount: chunk.tokenCount,
    embedding: sql`${chunk.embedding}::halfvec`,
  }));
  for (let i = 0; i < values.length; i += CHUNK_BATCH) {
    await tx.insert(documentChunk).values(values.slice(i, i + CHUNK_BATCH));
  }
  const { content: _content, ...summary } = row;
  return { ...summary, chunkCount: chunks.length };
}

/** The document with this id and its chunks in order, in one statement; undefined if none. */
export function getDocument(tx: Transaction, id: string) {
  return tx.query.document.findFirst({
    where: eq(document.id, id),
    with: {
      chunks: {
        columns: { id: true, position: true, content: true, tokenCount: true },
        orderBy: documentChunk.position,
      },
    },
  });
}

/**
 * Ingestion for an app: prepares a document's chunks (with `preparer`, before any unit opens)
 * and hands them to `store`, which runs the unit (e.g. `(chunks) => withTenantContext(ctx,
 * (tx) => insertDocument(tx, owner, input, chunks))`); one ingestion at a time per process.
 */
export function createDocumentIngestor(
  preparer: DocumentPreparer,
  options: { concurrency?: number; waitMs?: number } = {},
): IngestDocument {
  const gate = createIngestGate(options);
  return (content, store) => gate(async () => store(await preparer.prepare(content)));
}

/** Prepares `content`'s chunks, then runs `store` with them (see createDocumentIngestor). */
export type IngestDocument = <T>(
  content: string,
  store: (chunks: PreparedChunk[]) => Promise<T>,
) => Promise<T>;
