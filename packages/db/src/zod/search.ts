import { createInsertSchema, createSelectSchema, createUpdateSchema } from "drizzle-zod";
import { z } from "zod";
import { document, documentChunk } from "../schema";
import { count, embedding, insertOptionality, jsonObject, nonBlank } from "./refinements";

const documentRefine = { title: nonBlank, content: nonBlank, metadata: jsonObject };
export const insertDocumentSchema = insertOptionality(
  document,
  createInsertSchema(document, documentRefine),
);
export const selectDocumentSchema = createSelectSchema(document, documentRefine);
export const updateDocumentSchema = createUpdateSchema(document, documentRefine);
export type InsertDocument = z.infer<typeof insertDocumentSchema>;
export type UpdateDocument = z.infer<typeof updateDocumentSchema>;

// `searchVector` is GENERATED ALWAYS: drizzle-zod leaves it out of the insert and update
// schemas (parsing strips it), and only the select schema reads it, as tsvector text.
const documentChunkRefine = { content: nonBlank, tokenCount: count, embedding };
export const insertDocumentChunkSchema = insertOptionality(
  documentChunk,
  createInsertSchema(documentChunk, documentChunkRefine),
);
export const selectDocumentChunkSchema = createSelectSchema(documentChunk, {
  ...documentChunkRefine,
  searchVector: () => z.string(),
});
export const updateDocumentChunkSchema = createUpdateSchema(documentChunk, documentChunkRefine);
export type InsertDocumentChunk = z.infer<typeof insertDocumentChunkSchema>;
export type UpdateDocumentChunk = z.infer<typeof updateDocumentChunkSchema>;
