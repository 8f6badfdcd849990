import { CHUNK_CHARS } from "@repo/db";
import { inArray, rows, schema, sql } from "@repo/db/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./harness";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

async function ingest(token: string, title: string, content: string) {
  const response = await api.client(token).v1.documents.$post({ json: { title, content } });
  if (response.status !== 201) throw new Error(`POST /v1/documents answered ${response.status}`);
  return (await response.json()).data;
}

/** The hits of a search, failing on anything but 200. */
async function search(token: string, q: string, limit = 10) {
  const response = await api.client(token).v1.search.$get({ query: { q, limit: String(limit) } });
  if (response.status !== 200) throw new Error(`GET /v1/search answered ${response.status}`);
  return (await response.json()).data;
}

/** The organization of each chunk, read as the owner. */
async function chunkOrganizations(ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await api.db
    .select({ organizationId: schema.documentChunk.organizationId })
    .from(schema.documentChunk)
    .where(inArray(schema.documentChunk.id, ids));
  expect(rows).toHaveLength(new Set(ids).size);
  return new Set(rows.map((row) => row.organizationId));
}

describe("documents", () => {
  it("can ingest a text as embedded chunks of at most 500 characters and read it back", async () => {
    const long = Array.from(
      { length: 30 },
      (_, i) => `Sentence ${i} about sodium batteries and their cathodes.`,
    ).join(" ");
    const content = `First paragraph.\n\nSecond, short.\n\n${long}\n\nLast words.`;
    const created = await ingest(api.tokens.acme, "Sodium notes", content);
    expect(created.organizationId).toBe("org_acme");
    expect(created.chunkCount).toBeGreaterThan(2);

    const read = await api
      .client(api.tokens.acme)
      .v1.documents[":id"].$get({ param: { id: created.id } });
    if (read.status !== 200) throw new Error(`GET answered ${read.status}`);
    const { data: document } = await read.json();
    expect(document.content).toBe(content);
    const chunks = document.chunks;
    expect(chunks.map((chunk) => chunk.position)).toEqual(chunks.map((_, i) => i + 1));
    for (const chunk of chunks) {
      expect(chunk.content.length).toBeLessThanOrEqual(CHUNK_CHARS);
      expect(chunk.content.trim()).not.toBe("");
    }
    // Every word of the text is in exactly one chunk, in order.
    expect(
      chunks
        .map((chunk) => chunk.content)
        .join(" ")
        .split(/\s+/),
    ).toEqual(content.split(/\s+/));
    const [stored] = await rows<{ chunks: number; embedded: number }>(
      api.db,
      sql`select count(*)::int as chunks, count(embedding)::int as embedded from document_chunk where document_id = ${created.id}`,
    );
    expect(stored).toEqual({ chunks: chunks.length, embedded: chunks.length });
  });
});

describe("search", () => {
  it("returns only the caller's chunks, even for words only another organization has", async () => {
    const doc = await ingest(
      api.tokens.acme,
      "Quokka memo",
      "The quokka zeppelin survey counted quokka colonies near the zeppelin hangar.",
    );

    const own = await search(api.tokens.acme, "quokka zeppelin");
    expect(own[0]?.documentId).toBe(doc.id);
    expect(await chunkOrganizations(own.map((hit) => hit.chunkId))).toEqual(new Set(["org_acme"]));

    for (const other of ["globex", "initech"] as const) {
      const theirs = await search(api.tokens[other], "quokka zeppelin");
      expect(theirs.some((hit) => hit.documentId === doc.id)).toBe(false);
      const organizations = await chunkOrganizations(theirs.map((hit) => hit.chunkId));
      expect([...organizations].every((org) => org === `org_${other}`)).toBe(true);
    }
  });

  it("finds each organization's own seeded notes for the same words", async () => {
    for (const org of ["acme", "globex", "initech"] as const) {
      const hits = await search(api.tokens[org], "notes findings recent studies", 20);
      expect(hits.length).toBeGreaterThan(0);
      expect(await chunkOrganizations(hits.map((hit) => hit.chunkId))).toEqual(
        new Set([`org_${org}`]),
      );
    }
  });
});

describe("search bounds", () => {
  it("cannot search with more words than searchChunks allows: 400 naming the limit", async () => {
    const q = Array.from({ length: 33 }, (_, i) => `word${i}`).join(" ");
    const response = await api.client(api.tokens.acme).v1.search.$get({ query: { q } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: "invalid_request",
        message:
          "Invalid query parameters. The query has 33 words; at most 32 are allowed. Shorten it.",
        fields: { q: ["The query has 33 words; at most 32 are allowed. Shorten it."] },
      },
    });
  });
});

describe("AI usage", () => {
  it("can summarise tokens and cost per model for its own organization only", async () => {
    const response = await api.client(api.tokens.globex).v1.ai.usage.summary.$get();
    if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
    const { data: usage } = await response.json();

    const expected = await rows<{
      model_id: string;
      requests: number;
      input_tokens: number;
      output_tokens: number;
      cost_usd: string;
    }>(
      api.db,
      sql`select model_id, count(*)::int as requests, sum(input_tokens)::int as input_tokens,
            sum(output_tokens)::int as output_tokens, sum(cost_usd)::text as cost_usd
          from ai_usage where organization_id = 'org_globex' group by model_id`,
    );
    expect(expected.length).toBeGreaterThan(1);
    const byModel = (rows: { modelId: string }[]) =>
      [...rows].sort((a, b) => a.modelId.localeCompare(b.modelId));
    expect(byModel(usage).map((row) => ({ ...row }))).toEqual(
      byModel(
        expected.map((row) => ({
          modelId: row.model_id,
          requests: row.requests,
          inputTokens: row.input_tokens,
          outputTokens: row.output_tokens,
          costUsd: row.cost_usd,
        })),
      ).map((row) => expect.objectContaining(row)),
    );
  });
});
