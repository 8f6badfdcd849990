import { inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Transaction } from "../connection/client";
import { rows } from "../connection/rows";
import {
  type ChunkHit,
  HashingEmbedder,
  HNSW_SETTINGS,
  MAX_QUERY_NODES,
  MAX_QUERY_WORDS,
  MAX_RANKED_MATCHES,
  RANK_BUDGET,
  RRF_K,
  type SearchChunksOptions,
  SearchInputError,
  searchChunks,
} from "../domains/search";
import { document, documentChunk, organization } from "../schema";
import { EMBEDDING_DIMENSIONS } from "../schema/search";
import { withTenantContext } from "../tenancy/context";
import { quoteLiteral } from "../tenancy/setup";
import { createTestDatabase, rootCause, type TestDatabase } from "../testing";

const ORG_A = "org_search_a";
const ORG_B = "org_search_b";

/** On Citus: whether two organizations' rows live in different shards of document_chunk. */
async function onSeparateShards(a: string, b: string): Promise<boolean> {
  if (testDb.provider !== "citus") return false;
  const [row] = await rows<{ separate: boolean }>(
    testDb.db,
    sql`select get_shard_id_for_distribution_column('document_chunk', ${a}::text)
            <> get_shard_id_for_distribution_column('document_chunk', ${b}::text) as separate`,
  );
  return row?.separate ?? false;
}
/** A tenant without any chunk. */
const ORG_EMPTY = "org_search_empty";
const QUERY = "tenant isolation with row level security";

const embedder = new HashingEmbedder();
const vector = (text: string) => embedder.embedOne(text);
/**
 * Org B's chunks all match QUERY better than anything of org A; there are more of them than
 * the hnsw.ef_search searchChunks uses, so an index scan sees none of org A's rows unless it
 * keeps going (iterative scan).
 */
const B_CHUNKS = 300;

const FILLER = (
  "audit backup cache cluster column database deploy export filter gateway index journal " +
  "kernel ledger metric network owner policy query replica schema session shard table token " +
  "upgrade vacuum version worker account billing branch budget channel contract customer " +
  "invoice region report"
).split(" ");

/** Org A: the exact phrase, the same words scattered, some of them, unrelated texts. */
const A_CHUNKS = [
  {
    id: "a_exact",
    content: "This guide covers tenant isolation with row level security in Postgres.",
  },
  {
    id: "a_scattered",
    content: "Security on every level: a tenant in row nine asked about isolation of noise.",
  },
  // Lacks "tenant" and "isolation": no full-text match (AND), but a near vector.
  { id: "a_partial", content: "Row level security policies filter each query by organization." },
  // Not embedded yet: only full text can find it.
  {
    id: "a_unembedded",
    content: "Pending review: tenant isolation with row level security checklist.",
    embedded: false,
  },
  { id: "a_bread", content: "Baking sourdough bread at home takes patience and warm water." },
  { id: "a_garden", content: "Tomatoes need full sun, deep watering and a sturdy stake." },
  { id: "a_travel", content: "The night train to Vienna leaves at ten and arrives by breakfast." },
  { id: "a_music", content: "Practise scales slowly before playing the sonata at full tempo." },
];
const A_EMBEDDED = A_CHUNKS.filter((chunk) => chunk.embedded !== false).map((chunk) => chunk.id);

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const db = testDb.db; // the owner: seeds bypass RLS
  await db
    .insert(organization)
    .values(
      [ORG_A, ORG_B, ORG_EMPTY].map((id) => ({ id, name: id, slug: id.replaceAll("_", "-") })),
    );
  await db.insert(document).values([
    { id: "doc_a", organizationId: ORG_A, title: "Notes A", content: "", status: "indexed" },
    { id: "doc_b", organizationId: ORG_B, title: "Notes B", content: "", status: "indexed" },
  ]);
  await db.insert(documentChunk).values(
    A_CHUNKS.map((chunk, position) => ({
      id: chunk.id,
      organizationId: ORG_A,
      documentId: "doc_a",
      position,
      content: chunk.content,
      embedding: chunk.embedded === false ? null : vector(chunk.content),
    })),
  );
  await db.insert(documentChunk).values(
    Array.from({ length: B_CHUNKS }, (_, i) => {
      // The query plus four words: near the query, and not all at the same distance.
      const words = [0, 1, 2, 3].map((k) => FILLER[(i * 7 + k * 13 + i * k) % FILLER.length]);
      const content = `${QUERY}: ${words.join(" ")} (note ${i})`;
      return {
        id: `b_${String(i).padStart(3, "0")}`,
        organizationId: ORG_B,
        documentId: "doc_b",
        position: i,
        content,
        embedding: vector(content),
      };
    }),
  );
  await db.execute(sql`analyze document_chunk`);
});
afterAll(() => testDb?.dispose());

const search = (organizationId: string, options: SearchChunksOptions) =>
  withTenantContext(testDb.app, { organizationId }, (tx) => searchChunks(tx, options));

const ids = (hits: ChunkHit[]) => hits.map((hit) => hit.chunkId);

/** `n` distinct made-up words. */
const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}x`).join(" ");

describe("searchChunks", () => {
  it("under org A never returns org B's chunks, even when B's match the query best", async () => {
    // As the owner: B's chunks exist, match the full-text query and are nearer than A's.
    const [best] = await rows<{ organization_id: string; matches: number }>(
      testDb.db,
      sql`select organization_id, count(*) filter (where search_vector @@ websearch_to_tsquery('english', ${QUERY}))::int as matches
          from document_chunk where embedding is not null
          group by organization_id
          order by min(embedding <=> ${JSON.stringify(vector(QUERY))}::halfvec) limit 1`,
    );
    expect(best).toEqual({ organization_id: ORG_B, matches: B_CHUNKS });

    const aIds = new Set(A_CHUNKS.map((chunk) => chunk.id));
    for (const vectorSearch of ["auto", "index", "exact"] as const) {
      for (const options of [
        { query: QUERY, embedding: vector(QUERY) },
        { query: QUERY },
        { embedding: vector(QUERY) },
      ]) {
        const hits = await search(ORG_A, { ...options, limit: 100, vectorSearch });
        expect(hits.length).toBeGreaterThan(0);
        expect(ids(hits).filter((id) => !aIds.has(id))).toEqual([]);
      }
    }
    // Re-checked as the owner: every returned row belongs to org A.
    const returned = await search(ORG_A, { query: QUERY, embedding: vector(QUERY), limit: 100 });
    const owners = await testDb.db
      .selectDistinct({ organizationId: documentChunk.organizationId })
      .from(documentChunk)
      .where(inArray(documentChunk.id, ids(returned)));
    expect(owners).toEqual([{ organizationId: ORG_A }]);
    // And org B does get its own chunks for the same query.
    const forB = await search(ORG_B, { query: QUERY, embedding: vector(QUERY) });
    expect(forB).toHaveLength(10);
    expect(forB.every((hit) => hit.chunkId.startsWith("b_"))).toBe(true);
  });

  it("ranks an exact-phrase chunk first", async () => {
    const hits = await search(ORG_A, { query: QUERY, embedding: vector(QUERY) });
    expect(hits[0]).toMatchObject({ chunkId: "a_exact", documentId: "doc_a", vectorRank: 1 });
    expect(hits[0]?.content).toContain(QUERY);
    // Scores are reciprocal rank fusion, in descending order.
    for (const hit of hits) {
      const expected =
        (hit.vectorRank ? 1 / (RRF_K + hit.vectorRank) : 0) +
        (hit.textRank ? 1 / (RRF_K + hit.textRank) : 0);
      expect(hit.score).toBeCloseTo(expected, 12);
    }
    expect(hits.map((hit) => hit.score)).toEqual(
      [...hits.map((hit) => hit.score)].sort((a, b) => b - a),
    );
  });

  it("fuses vector-only and text-only contributions", async () => {
    const hits = await search(ORG_A, { query: QUERY, embedding: vector(QUERY) });
    const byId = new Map(hits.map((hit) => [hit.chunkId, hit]));
    // No full-text match (it lacks two of the words), found by its vector alone.
    expect(byId.get("a_partial")).toMatchObject({ textRank: null });
    expect(byId.get("a_partial")?.vectorRank).toBeGreaterThan(0);
    // No embedding yet, found by full text alone.
    expect(byId.get("a_unembedded")).toMatchObject({ vectorRank: null });
    expect(byId.get("a_unembedded")?.textRank).toBeGreaterThan(0);
    // In both lists.
    expect(byId.get("a_scattered")?.vectorRank).toBeGreaterThan(0);
    expect(byId.get("a_scattered")?.textRank).toBeGreaterThan(0);
  });

  it("can search by text only", async () => {
    const hits = await search(ORG_A, { query: QUERY });
    expect(new Set(ids(hits))).toEqual(new Set(["a_exact", "a_scattered", "a_unembedded"]));
    expect(hits.every((hit) => hit.vectorRank === null && hit.textRank !== null)).toBe(true);
    expect(hits.map((hit) => hit.textRank)).toEqual([1, 2, 3]);
    // The same words scattered rank below the phrase (ts_rank_cd: cover density).
    expect(hits.at(-1)?.chunkId).toBe("a_scattered");
  });

  it("can search by embedding only: every embedded chunk is a candidate", async () => {
    const hits = await search(ORG_A, { embedding: vector(QUERY), limit: 100 });
    expect(hits[0]?.chunkId).toBe("a_exact");
    expect(ids(hits).sort()).toEqual([...A_EMBEDDED].sort());
    expect(hits.every((hit) => hit.textRank === null)).toBe(true);
    expect(hits.map((hit) => hit.vectorRank)).toEqual(hits.map((_, i) => i + 1));
  });

  it("returns the same vector ranking through the HNSW index as by exact search", async () => {
    const [index, exact] = await Promise.all(
      (["index", "exact"] as const).map((vectorSearch) =>
        search(ORG_A, { embedding: vector("tomatoes and bread at home"), vectorSearch }),
      ),
    );
    expect(ids(index!)).toEqual(ids(exact!));
    expect(index!.length).toBe(A_EMBEDDED.length);
  });

  it("recovers a small tenant's rows from the shared HNSW index (iterative scan)", async () => {
    const embedding = JSON.stringify(vector(QUERY));
    // Counterfactual: an index scan without iterative scan stops after ef_search neighbours,
    // which are all org B's, so RLS leaves org A (almost) nothing.
    const efSearch = String(HNSW_SETTINGS.minEfSearch);
    expect(B_CHUNKS).toBeGreaterThan(HNSW_SETTINGS.minEfSearch + 40);
    const plain = await withTenantContext(testDb.app, { organizationId: ORG_A }, async (tx) => {
      // SET LOCAL rather than set_config: Citus sends SET LOCAL to the workers, which scan.
      await tx.execute(sql`set local enable_sort = off`);
      await tx.execute(sql`set local hnsw.iterative_scan = off`);
      await tx.execute(sql.raw(`set local hnsw.ef_search = ${Number(efSearch)}`));
      return rows(
        tx,
        sql`select id from document_chunk order by embedding <=> ${embedding}::halfvec limit 40`,
      );
    });
    if (await onSeparateShards(ORG_A, ORG_B)) {
      // Citus: org A's shard holds no chunk of org B, so its HNSW index is not shared with B.
      expect(plain.length).toBe(A_EMBEDDED.length);
    } else {
      expect(plain.length).toBeLessThan(A_EMBEDDED.length);
    }
    // searchChunks through the index: every one of org A's embedded chunks.
    // (limit 10: 40 candidates, so hnsw.ef_search stays at its minimum, below B_CHUNKS.)
    const hits = await search(ORG_A, { embedding: vector(QUERY), vectorSearch: "index" });
    expect(ids(hits).sort()).toEqual([...A_EMBEDDED].sort());
  });

  it("keeps hnsw settings for the transaction and restores the planner settings", async () => {
    const settings = (tx: Transaction) =>
      rows<Record<string, string>>(
        tx,
        sql`select current_setting('enable_sort') as enable_sort, current_setting('jit') as jit,
                   current_setting('hnsw.iterative_scan', true) as iterative_scan`,
      );
    for (const organizationId of [ORG_A, ORG_EMPTY]) {
      const [before, hits, after] = await withTenantContext(
        testDb.app,
        { organizationId },
        async (tx) => [
          (await settings(tx))[0],
          await searchChunks(tx, { query: QUERY, embedding: vector(QUERY) }),
          (await settings(tx))[0],
        ],
      );
      expect((hits as ChunkHit[]).length).toBe(organizationId === ORG_EMPTY ? 0 : A_CHUNKS.length);
      const { enable_sort, jit } = before as Record<string, string>;
      expect(after).toEqual({ enable_sort, jit, iterative_scan: "relaxed_order" });
    }
  });

  it("can take queries of stop words or punctuation only, and hostile text", async () => {
    for (const query of ["the and of", "!!! ???", "'; drop table document_chunk; --", '"""']) {
      expect(await search(ORG_A, { query })).toEqual([]);
    }
    expect(await testDb.db.$count(documentChunk)).toBe(A_CHUNKS.length + B_CHUNKS);
  });

  it("cannot run with bad inputs: SearchInputError before any I/O", async () => {
    const good = vector(QUERY);
    const bad: [Partial<SearchChunksOptions> | null, string][] = [
      [{}, "no_query"],
      [{ query: "   " }, "no_query"],
      [{ query: null, embedding: null }, "no_query"],
      [null, "no_query"],
      [{ query: 42 as never }, "invalid_query"],
      [{ query: "a\0b" }, "invalid_query"],
      [{ embedding: good.slice(1) }, "invalid_embedding"],
      [{ embedding: [...good, 0] }, "invalid_embedding"],
      [{ embedding: "[1,2,3]" as never }, "invalid_embedding"],
      [{ embedding: good.map((v, i) => (i === 3 ? Number.NaN : v)) }, "invalid_embedding"],
      [{ embedding: good.map((v, i) => (i === 3 ? 1e6 : v)) }, "invalid_embedding"],
      [{ embedding: new Array(EMBEDDING_DIMENSIONS).fill(0) }, "invalid_embedding"],
      [{ query: QUERY, limit: 0 }, "invalid_limit"],
      [{ query: QUERY, limit: 101 }, "invalid_limit"],
      [{ query: QUERY, limit: 2.5 }, "invalid_limit"],
      [{ query: QUERY, limit: "10" as never }, "invalid_limit"],
      [{ query: QUERY, vectorSearch: "fast" as never }, "invalid_option"],
      [{ query: words(MAX_QUERY_WORDS + 1) }, "query_too_complex"],
      [{ query: `${words(MAX_QUERY_WORDS)} or x`, embedding: good }, "query_too_complex"],
    ];
    for (const [options, code] of bad) {
      // No transaction at all: any I/O would fail with a TypeError instead.
      const attempt = searchChunks(null as never, options as SearchChunksOptions);
      await expect(attempt, JSON.stringify(options)?.slice(0, 80)).rejects.toBeInstanceOf(
        SearchInputError,
      );
      await expect(attempt).rejects.toMatchObject({ code });
    }
    await expect(searchChunks(null as never, {})).rejects.toThrow(
      "searchChunks needs a non-blank query, an embedding, or both",
    );
    await expect(
      searchChunks(null as never, { query: words(MAX_QUERY_WORDS + 1) }),
    ).rejects.toThrow(
      `searchChunks: the query has ${MAX_QUERY_WORDS + 1} words; at most ${MAX_QUERY_WORDS} are allowed. Shorten it.`,
    );
    // The bounds themselves are fine.
    expect(await search(ORG_A, { query: QUERY, limit: 1 })).toHaveLength(1);
    expect((await search(ORG_A, { query: QUERY, limit: 100 })).length).toBe(3);
  });
});

describe("searchChunks' full-text part (search_chunks_text)", () => {
  it("can use the GIN index for @@ as its owner tenant_search, which RLS forbids authenticated", async () => {
    // Sequential scans off, no other condition: the plan shows whether @@ may be an index
    // condition at all. For tenant_search the only policy is `true`; for authenticated the
    // tenant policy's qual must run first, and ts_match_vq is not LEAKPROOF.
    const plan = (role: string) =>
      testDb.db.transaction(async (tx) => {
        // SET LOCAL rather than set_config: Citus sends SET LOCAL to the workers, which plan.
        await tx.execute(sql.raw(`set local app.current_organization_id = '${ORG_B}'`));
        await tx.execute(sql.raw(`set local role ${role}`));
        await tx.execute(sql`set local enable_seqscan = off`);
        const lines = await rows(
          tx,
          // A literal: Citus cannot fetch a worker's plan for a parameterized EXPLAIN.
          sql`explain select id from document_chunk
              where search_vector @@ websearch_to_tsquery('english', ${sql.raw(quoteLiteral(QUERY))})`,
        );
        return lines.map((line) => String(Object.values(line)[0])).join("\n");
      });
    expect(await plan("tenant_search")).toMatch(
      /Bitmap Index Scan on "document_chunk_searchVector_idx(_\d+)?".*\n\s+Index Cond: \(search_vector @@/,
    );
    const underRls = await plan("authenticated");
    expect(underRls).not.toContain("searchVector_idx");
    expect(underRls).toMatch(/Filter: .*search_vector @@/);
  });

  it("can take a query of MAX_QUERY_WORDS words", async () => {
    const query = Array(MAX_QUERY_WORDS / 2)
      .fill("tenant isolation")
      .join(" ");
    const hits = await search(ORG_A, { query, embedding: vector(QUERY) });
    expect(
      hits
        .filter((hit) => hit.textRank !== null)
        .map((hit) => hit.chunkId)
        .sort(),
    ).toEqual(["a_exact", "a_scattered", "a_unembedded"]);
  });

  it("cannot pass search_chunks_text's tsquery node bound: query_too_complex naming it", async () => {
    // 32 words, but each negated compound is itself, its two parts and three operators.
    const compounds = Array.from({ length: MAX_QUERY_WORDS / 2 }, (_, i) => `-ab${i}x-cd${i}x`);
    const query = compounds.join(" ");
    expect(query.match(/[a-z0-9]+/g)).toHaveLength(MAX_QUERY_WORDS);
    const attempt = search(ORG_A, { query, embedding: vector(QUERY) });
    await expect(attempt).rejects.toBeInstanceOf(SearchInputError);
    await expect(attempt).rejects.toMatchObject({
      code: "query_too_complex",
      message: `searchChunks: the query makes 111 tsquery nodes (words, their parts and operators); at most ${MAX_QUERY_NODES} are allowed. Use fewer words.`,
    });
    // The function itself refuses it, whoever calls it.
    const direct = await withTenantContext(testDb.app, { organizationId: ORG_A }, (tx) =>
      rows(tx, sql`select id from public.search_chunks_text(${query}, 40)`),
    ).catch((error) => rootCause(error) as Error & { code?: string });
    expect(direct).toMatchObject({
      code: "54000",
      message: `search query too complex: 111 tsquery nodes, at most ${MAX_QUERY_NODES} are allowed; use fewer words`,
    });
  });

  it("cannot be called with a candidate limit outside 1..400", async () => {
    for (const limit of [0, 401]) {
      const attempt = withTenantContext(testDb.app, { organizationId: ORG_A }, (tx) =>
        rows(tx, sql`select id from public.search_chunks_text(${QUERY}, ${limit})`),
      );
      await expect(attempt.catch((error) => rootCause(error).message)).resolves.toBe(
        `search_chunks_text: p_limit must be from 1 to 400 (got ${limit})`,
      );
    }
  });

  it("ranks at most MAX_RANKED_MATCHES matching chunks, fewer for a long query (RANK_BUDGET)", async () => {
    const org = "org_search_broad";
    await testDb.db.insert(organization).values({ id: org, name: org, slug: "org-search-broad" });
    await testDb.db.insert(document).values({
      id: "doc_broad",
      organizationId: org,
      title: "Broad",
      content: "",
      status: "indexed",
    });
    // MAX_RANKED_MATCHES + 1 chunks that mention "quasar"; two are all about it: one in the
    // middle, one last (in the order a scan finds them).
    const middle = 5_000;
    const last = MAX_RANKED_MATCHES + 1;
    await testDb.db.execute(
      sql`insert into document_chunk (id, organization_id, document_id, position, content)
          select 'broad_' || lpad(i::text, 5, '0'), ${org}, 'doc_broad', i,
                 case when i in (${middle}, ${last}) then 'quasar quasar quasar: the quasar chunk'
                      else 'a quasar among filler words number ' || i end
          from generate_series(1, ${last}) i`,
    );
    await testDb.db.execute(sql`analyze document_chunk`);
    const id = (n: number) => `broad_${String(n).padStart(5, "0")}`;
    // One node: the first MAX_RANKED_MATCHES matches are ranked, the middle one comes first.
    const broad = await search(org, { query: "quasar", limit: 100 });
    expect(broad).toHaveLength(100);
    expect(broad[0]?.chunkId).toBe(id(middle));
    expect(ids(broad)).not.toContain(id(last));
    // 63 nodes: RANK_BUDGET / 63 matches, fewer than `middle`.
    const long = Array(MAX_QUERY_WORDS).fill("quasar").join(" ");
    expect(Math.floor(RANK_BUDGET / 63)).toBeLessThan(middle);
    const hits = await search(org, { query: long, limit: 100 });
    expect(hits).toHaveLength(100);
    expect(ids(hits)).not.toContain(id(middle));
    // A narrower query finds both.
    const narrow = await search(org, { query: "quasar chunk" });
    expect(ids(narrow).sort()).toEqual([id(middle), id(last)]);
  });
});
