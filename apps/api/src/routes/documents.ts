import { createRoute, z } from "@hono/zod-openapi";
import { getDocument, type IngestDocument, insertDocument } from "@repo/db";
import {
  insertDocumentSchema,
  selectDocumentChunkSchema,
  selectDocumentSchema,
} from "@repo/db/zod";
import { notFound } from "../errors";
import {
  bearer,
  commonErrors,
  component,
  IdParams,
  json,
  jsonBody,
  notFoundResponse,
  pathId,
  router,
  tooLargeResponse,
} from "../openapi";

const CreateDocumentBody = z
  .strictObject(
    insertDocumentSchema.pick({
      title: true,
      content: true,
      sourceUri: true,
      mimeType: true,
      metadata: true,
    }).shape,
  )
  .openapi("CreateDocument");

const DocumentSummary = component(
  "DocumentSummary",
  selectDocumentSchema.omit({ content: true }).extend({ chunkCount: z.number().int() }),
);

const DocumentWithChunks = component(
  "Document",
  selectDocumentSchema.extend({
    chunks: z.array(
      selectDocumentChunkSchema.pick({ id: true, position: true, content: true, tokenCount: true }),
    ),
  }),
);

const tags = ["Documents"];

const createDocumentRoute = createRoute({
  method: "post",
  path: "/",
  tags,
  summary: "Ingest a document (chunked and embedded for search)",
  security: bearer,
  request: { body: jsonBody(CreateDocumentBody) },
  responses: {
    201: json(z.object({ data: DocumentSummary }), "The document, without its content."),
    413: tooLargeResponse,
    ...commonErrors,
  },
});

const getDocumentRoute = createRoute({
  method: "get",
  path: "/{id}",
  tags,
  summary: "Get a document and its chunks",
  security: bearer,
  request: { params: IdParams },
  responses: {
    200: json(z.object({ data: DocumentWithChunks }), "The document and its chunks in order."),
    404: notFoundResponse,
    ...commonErrors,
  },
});

/** `ingest` prepares the chunks (CPU work, before any unit opens) and hands them to `store`. */
export function documentRoutes(ingest: IngestDocument) {
  return router()
    .openapi(createDocumentRoute, async (c) => {
      const input = c.req.valid("json");
      const created = await c.var.heavy(() =>
        ingest(input.content, (chunks) =>
          c.var.tenant((tx) => insertDocument(tx, c.var.caller, input, chunks)),
        ),
      );
      return c.json({ data: created }, 201);
    })
    .openapi(getDocumentRoute, async (c) => {
      const id = pathId(c.req.valid("param").id);
      const found = await c.var.tenant((tx) => getDocument(tx, id));
      if (!found) throw notFound();
      return c.json({ data: found }, 200);
    });
}
