import { type SQL, sql } from "drizzle-orm";
import {
  customType,
  halfvec,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgRole,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { user } from "./auth";
import { sameTenant, tenantTable } from "./base";
import { documentStatus } from "./enums";

/** Dimensions of every stored embedding (halfvec: 2 bytes a dimension, HNSW up to 4,000). */
export const EMBEDDING_DIMENSIONS = 1536;

/**
 * Owner of search_chunks_text (migration 0007), the one SECURITY DEFINER function that reads
 * document_chunk past the tenant policies: NOLOGIN, SELECT on document_chunk only. Created by
 * that migration, so drizzle-kit must not create it.
 */
export const tenantSearchRole = pgRole("tenant_search").existing();

/** Postgres tsvector; drizzle has no built-in type for it. Read-only here (generated). */
const tsvector = customType<{ data: string }>({
  dataType: () => "tsvector",
});

export const document = tenantTable(
  "document",
  {
    createdById: text("created_by_id").references(() => user.id, { onDelete: "set null" }),
    title: text("title").notNull(),
    sourceUri: text("source_uri"),
    mimeType: text("mime_type").notNull().default("text/plain"),
    content: text("content").notNull(),
    status: documentStatus("status").notNull().default("pending"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
  },
  (table) => [
    index("document_organizationId_createdAt_idx").on(table.organizationId, table.createdAt),
    index("document_createdById_idx").on(table.createdById),
  ],
);

export const documentChunk = tenantTable(
  "document_chunk",
  {
    // Chunks are derived data: they go with their document.
    documentId: text("document_id").notNull(),
    position: integer("position").notNull(),
    content: text("content").notNull(),
    tokenCount: integer("token_count"),
    embedding: halfvec("embedding", { dimensions: EMBEDDING_DIMENSIONS }),
    searchVector: tsvector("search_vector").generatedAlwaysAs(
      (): SQL => sql`to_tsvector('english', ${documentChunk.content})`,
    ),
  },
  (table) => [
    // For tenant_search, which filters by the tenant setting itself (search_chunks_text): a
    // policy of `true` adds no qual, so `search_vector @@ query` may be a GIN index condition;
    // under the tenant policies it may not (ts_match_vq is not LEAKPROOF).
    pgPolicy("document_chunk_tenant_search_select", {
      as: "permissive",
      for: "select",
      to: tenantSearchRole,
      using: sql`true`,
    }),
    sameTenant(
      "document_chunk",
      { organizationId: table.organizationId, column: table.documentId },
      document,
      "cascade",
    ),
    index("document_chunk_organizationId_idx").on(table.organizationId),
    // (organization_id, document_id) leads: it also serves the same-tenant foreign key.
    uniqueIndex("document_chunk_documentId_position_idx").on(
      table.organizationId,
      table.documentId,
      table.position,
    ),
    index("document_chunk_embedding_idx").using("hnsw", table.embedding.op("halfvec_cosine_ops")),
    index("document_chunk_searchVector_idx").using("gin", table.searchVector),
  ],
);

export type Document = typeof document.$inferSelect;
export type NewDocument = typeof document.$inferInsert;
export type DocumentChunk = typeof documentChunk.$inferSelect;
export type NewDocumentChunk = typeof documentChunk.$inferInsert;
