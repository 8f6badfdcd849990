// bench:search — hybrid search (searchChunks) on a server, as tenant code runs it (runtime
// role, withTenantContext) beside the same statement as the owner with an explicit
// organization_id filter and every index usable (searchChunksAsOwner, custom plans).
// Phase 1, 100,000 chunks in one table and its indexes: a small (1,000 chunks), a medium
// (10,000) and a large tenant (88,000), plus 200 tiny ones (5 chunks each) so that the
// planner sees a realistic number of organizations. Phase 2 adds an xlarge tenant, 4x the
// large one (352,000 chunks; 452,000 in all), and measures it beside the large one: how the
// figures scale. Texts come from a made-up vocabulary (documents about one of 300 topics,
// Zipf background words), embeddings from HashingEmbedder. Per tenant, 100 queries (three
// words of a topic the tenant writes about):
//   - recall@10 of the vector part against exact search (cosine_distance(), which no index
//     serves) under the same RLS, as shipped and through the HNSW index;
//   - p50 / p95 of a whole unit (transaction) running searchChunks, hybrid and full text only,
//     runtime role and owner side by side (alternating which goes first, query by query, eight
//     rounds): search_rls_ratio_<size> = p95 runtime / p95 owner; the full-text query as it
//     was before search_chunks_text (RLS on the table) beside them;
//   - the plans: the vector part under RLS, the full-text part under RLS, and the full-text
//     query inside search_chunks_text (auto_explain);
//   - the query bound's worst case: the most frequent words OR'd up to MAX_QUERY_WORDS words
//     through searchChunks, and up to MAX_QUERY_NODES tsquery nodes through the function;
//   - sizing: the HNSW index per chunk, shared_buffers, and recall / latency of the vector part
//     for hnsw.ef_search and hnsw.iterative_scan settings.
// The machine is small and shared: compare figures of one run, side by side.
// Ends with `bench <name>=<value>` lines.
import { performance } from "node:perf_hooks";
import { type SQL, sql } from "drizzle-orm";
import postgres from "postgres";
import type { Database } from "../src/connection/client";
import { env, loadEnvFile } from "../src/connection/env";
import { rows } from "../src/connection/rows";
import {
  EXACT_SEARCH_MAX_CHUNKS,
  HashingEmbedder,
  HNSW_SETTINGS,
  MAX_QUERY_NODES,
  MAX_QUERY_WORDS,
  MAX_RANKED_MATCHES,
  RANK_BUDGET,
  type SearchChunksOptions,
  searchChunks,
  searchChunksAsOwner,
} from "../src/domains/search";
import { withTenantContext } from "../src/tenancy/context";
import { createServerTestDatabase } from "../src/testing/server";
import { quantile, random } from "./stats";

loadEnvFile();

interface Tenant {
  name: string;
  id: string;
  documents: number;
}

const CHUNKS_PER_DOCUMENT = 10;
const TENANTS: readonly Tenant[] = [
  { name: "small", id: "bench_search_small", documents: 100 },
  { name: "medium", id: "bench_search_medium", documents: 1_000 },
  { name: "large", id: "bench_search_large", documents: 8_800 },
];
/** Phase 2: four times the large tenant. */
const XLARGE: Tenant = { name: "xlarge", id: "bench_search_xlarge", documents: 35_200 };
/** Organizations with one document of TINY_CHUNKS chunks each; not measured. */
const TINY_TENANTS = 200;
const TINY_CHUNKS = 5;
const QUERIES = 100;
/** Rounds of the side-by-side latency measurement (each: every query once per side). */
const ROUNDS = 8;
/** Runs of each worst-case query. */
const WORST_RUNS = 5;
const K = 10;
const VOCABULARY = 6_000;
const TOPICS = 300;
const TOPIC_WORDS = 25;
const INSERT_BATCH = 2_000;
const INSERTS_IN_FLIGHT = 3;
const TARGET_RECALL = 0.95;
const TARGET_RATIO = 1.2;
/** hnsw.ef_search / hnsw.iterative_scan settings compared for the vector part. */
const SWEEP = [
  { iterative: "off", ef: 40 },
  { iterative: "off", ef: 200 },
  { iterative: "relaxed_order", ef: 40 },
  { iterative: "relaxed_order", ef: 100 },
  { iterative: "relaxed_order", ef: 200 },
  { iterative: "relaxed_order", ef: 400 },
  { iterative: "strict_order", ef: 200 },
] as const;

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const ms = (value: number) => value.toFixed(1);

/**
 * The corpus: made-up words of two or three consonant-vowel syllables (no English stop words,
 * stemmed consistently), topics of TOPIC_WORDS words, and chunks of 30-50 words, half from
 * their document's topic and half from a Zipf distribution over the whole vocabulary.
 */
function corpus() {
  const next = random(1);
  const consonants = "bdfgklmnprstvz";
  const vowels = "aeiou";
  const pick = (letters: string) => letters[Math.floor(next() * letters.length)]!;
  const words = new Set<string>();
  while (words.size < VOCABULARY) {
    let word = "";
    for (let s = 2 + Math.floor(next() * 2); s > 0; s--) word += pick(consonants) + pick(vowels);
    words.add(word);
  }
  const vocabulary = [...words];
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < VOCABULARY; i++) {
    total += 1 / (i + 1);
    cumulative.push(total);
  }
  const zipf = (r: () => number) => {
    const x = r() * total;
    let low = 0;
    let high = VOCABULARY - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid]! < x) low = mid + 1;
      else high = mid;
    }
    return vocabulary[low]!;
  };
  const topics = Array.from({ length: TOPICS }, () =>
    Array.from({ length: TOPIC_WORDS }, () => vocabulary[Math.floor(next() * VOCABULARY)]!),
  );
  const topicOf = (document: number) =>
    topics[Math.floor(random(document * 7919 + 13)() * TOPICS)]!;
  const chunk = (document: number, position: number) => {
    const r = random(document * 131 + position * 7 + 5);
    const topic = topicOf(document);
    const length = 30 + Math.floor(r() * 21);
    const out: string[] = [];
    for (let i = 0; i < length; i++)
      out.push(r() < 0.5 ? topic[Math.floor(r() * TOPIC_WORDS)]! : zipf(r));
    return out.join(" ");
  };
  // vocabulary[i] is the i-th most frequent background word (Zipf).
  return { topicOf, chunk, vocabulary };
}

interface Layout {
  /** Number of the first document (phase 2 continues after phase 1). */
  first: number;
  /** Organization of each document, in insertion (heap) order: tenants interleaved. */
  documentOrgs: string[];
  documentChunks: number[];
  /** Document numbers per measured tenant. */
  documentsOf: Map<string, number[]>;
}

function layout(tenants: readonly Tenant[], tiny: number, first: number): Layout {
  const documents: { org: string; chunks: number }[] = [];
  for (const tenant of tenants)
    for (let d = 0; d < tenant.documents; d++)
      documents.push({ org: tenant.id, chunks: CHUNKS_PER_DOCUMENT });
  for (let t = 0; t < tiny; t++)
    documents.push({ org: `bench_search_tiny_${t}`, chunks: TINY_CHUNKS });
  const next = random(3 + first);
  for (let i = documents.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [documents[i], documents[j]] = [documents[j]!, documents[i]!];
  }
  const documentsOf = new Map<string, number[]>(tenants.map((tenant) => [tenant.id, []]));
  for (const [d, document] of documents.entries()) documentsOf.get(document.org)?.push(first + d);
  return {
    first,
    documentOrgs: documents.map((document) => document.org),
    documentChunks: documents.map((document) => document.chunks),
    documentsOf,
  };
}

/** Sparse text form: ~70 of 1,536 values are non-zero; Postgres casts it to halfvec. */
function sparse(vector: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < vector.length; i++)
    if (vector[i] !== 0) parts.push(`${i + 1}:${vector[i]!.toPrecision(9)}`);
  return `{${parts.join(",")}}/${vector.length}`;
}

/**
 * Loads organizations, documents and chunks as the owner: the two search indexes are dropped
 * first and built again afterwards from their own definitions (pg_indexes), as a bulk load
 * does; chunks go in with multi-row INSERT ... SELECT FROM unnest(...) of 2,000 rows, three
 * batches in flight, foreign-key triggers skipped (session_replication_role = replica: every
 * reference is consistent by construction).
 */
async function load(
  url: string,
  plan: Layout,
  texts: ReturnType<typeof corpus>,
  maintenanceWorkMem: string,
) {
  const client = postgres(url, { max: INSERTS_IN_FLIGHT, onnotice: () => {} });
  const embedder = new HashingEmbedder();
  const timings: Record<string, number> = {};
  try {
    let start = performance.now();
    const orgs = [...new Set(plan.documentOrgs)];
    await client`insert into organization (id, name, slug)
      select id, id, replace(id, '_', '-') from unnest(${orgs}::text[]) id`;
    const indexes = await client<{ indexname: string; indexdef: string }[]>`
      select indexname, indexdef from pg_indexes
      where tablename = 'document_chunk' and indexdef ~ 'USING (hnsw|gin)'`;
    if (indexes.length !== 2)
      throw new Error(
        `expected the HNSW and GIN indexes of document_chunk, found ${indexes.length}`,
      );
    for (const { indexname } of indexes) await client`drop index ${client(indexname)}`;
    const documentIds = plan.documentOrgs.map((_, d) => `bench_doc_${plan.first + d}`);
    await client`insert into document (id, organization_id, title, content, status)
      select id, org, 'Document ' || id, '', 'indexed'
      from unnest(${documentIds}::text[], ${plan.documentOrgs}::text[]) as t(id, org)`;

    const pending: Promise<unknown>[] = [];
    let batch = {
      id: [] as string[],
      org: [] as string[],
      doc: [] as string[],
      pos: [] as number[],
      content: [] as string[],
      embedding: [] as string[],
    };
    const flush = async () => {
      const b = batch;
      batch = { id: [], org: [], doc: [], pos: [], content: [], embedding: [] };
      pending.push(
        client.begin(async (tx) => {
          await tx`set local session_replication_role = replica`;
          await tx`insert into document_chunk (id, organization_id, document_id, position, content, embedding)
            select id, org, doc, pos, content, embedding::sparsevec::halfvec
            from unnest(${b.id}::text[], ${b.org}::text[], ${b.doc}::text[], ${b.pos}::int[], ${b.content}::text[], ${b.embedding}::text[])
              as t(id, org, doc, pos, content, embedding)`;
        }),
      );
      if (pending.length >= INSERTS_IN_FLIGHT) await pending.shift();
    };
    let chunks = 0;
    for (let d = 0; d < documentIds.length; d++) {
      const document = plan.first + d;
      for (let position = 0; position < plan.documentChunks[d]!; position++) {
        const content = texts.chunk(document, position);
        batch.id.push(`bench_chunk_${document}_${position}`);
        batch.org.push(plan.documentOrgs[d]!);
        batch.doc.push(documentIds[d]!);
        batch.pos.push(position);
        batch.content.push(content);
        batch.embedding.push(sparse(embedder.embedOne(content)));
        chunks++;
        if (batch.id.length === INSERT_BATCH) await flush();
      }
    }
    if (batch.id.length > 0) await flush();
    await Promise.all(pending);
    timings.insert = performance.now() - start;

    for (const { indexname, indexdef } of indexes) {
      start = performance.now();
      await client.begin(async (tx) => {
        // The HNSW graph must fit in maintenance_work_mem to build fast.
        await tx.unsafe(`set local maintenance_work_mem = '${maintenanceWorkMem}'`);
        await tx`set local max_parallel_maintenance_workers = 1`;
        await tx.unsafe(indexdef);
      });
      timings[indexname] = performance.now() - start;
    }
    start = performance.now();
    await client`vacuum (analyze) document_chunk, document, organization`;
    timings.vacuum = performance.now() - start;
    const total = Object.values(timings).reduce((sum, t) => sum + t, 0);
    console.log(
      `loaded ${chunks} chunks of ${documentIds.length} documents, ${orgs.length} organizations, in ${seconds(total)} s: ` +
        Object.entries(timings)
          .map(([what, t]) => `${what} ${seconds(t)} s`)
          .join(", "),
    );
    return total;
  } finally {
    await client.end({ timeout: 5 });
  }
}

interface Query {
  text: string;
  embedding: number[];
}

function queriesFor(tenant: Tenant, plan: Layout, texts: ReturnType<typeof corpus>): Query[] {
  const embedder = new HashingEmbedder();
  const documents = plan.documentsOf.get(tenant.id)!;
  const next = random(100 + [...TENANTS, XLARGE].indexOf(tenant));
  return Array.from({ length: QUERIES }, () => {
    const topic = texts.topicOf(documents[Math.floor(next() * documents.length)]!);
    const words = new Set<string>();
    while (words.size < 3) words.add(topic[Math.floor(next() * TOPIC_WORDS)]!);
    const text = [...words].join(" ");
    return { text, embedding: embedder.embedOne(text) };
  });
}

const literal = (embedding: number[]) => `[${embedding.join(",")}]`;

/** Distances of the K nearest chunks of the tenant (exact, under RLS), for recall. */
type Exact = number[];

/**
 * recall@K of searchChunks' vector part for one query, against exact search under the same
 * RLS. Ties count: a returned chunk is a hit when it is no farther than the K-th exact one.
 */
async function recallAt(app: Database, tenant: Tenant, query: Query, modes: ("auto" | "index")[]) {
  return withTenantContext(app, { organizationId: tenant.id }, async (tx) => {
    const recalls: number[] = [];
    const vector = literal(query.embedding);
    // Exact: every distance computed (no index serves cosine_distance()); parallel workers
    // allowed, it is the slow part of this benchmark.
    await tx.execute(
      sql`select set_config('max_parallel_workers_per_gather', '2', true), set_config('parallel_setup_cost', '0', true), set_config('parallel_tuple_cost', '0', true)`,
    );
    const exact = await rows<{ distance: number }>(
      tx,
      sql`select cosine_distance(embedding, ${vector}::halfvec) as distance from document_chunk
          where embedding is not null order by 1 limit ${K}`,
    );
    for (const vectorSearch of modes) {
      const hits = await searchChunks(tx, { embedding: query.embedding, limit: K, vectorSearch });
      const found = await rows<{ distance: number }>(
        tx,
        sql`select cosine_distance(embedding, ${vector}::halfvec) as distance from document_chunk
            where id in (${sql.join(
              hits.map((hit) => sql`${hit.chunkId}`),
              sql`, `,
            )})`,
      );
      recalls.push(
        recall(
          exact.map((row) => row.distance),
          found.map((row) => row.distance),
        ),
      );
    }
    return { recalls, exact: exact.map((row) => row.distance) as Exact };
  });
}

function recall(exact: Exact, found: number[]): number {
  const kth = exact.at(-1) ?? Number.POSITIVE_INFINITY;
  return Math.min(K, found.filter((distance) => distance <= kth + 1e-6).length) / exact.length;
}

/** The plan's scan nodes, one line each. */
async function scans(app: Database, tenant: Tenant, settings: string, query: SQL) {
  return withTenantContext(app, { organizationId: tenant.id }, async (tx) => {
    if (settings) await tx.execute(sql.raw(settings));
    const plan = await rows(tx, sql`explain ${query}`);
    return scanLines(plan.map((row) => String(Object.values(row)[0])));
  });
}

function scanLines(plan: string[]): string {
  return plan
    .map((line) => line.trim().replace(/^->\s*/, ""))
    .filter((line) => /Scan|BitmapAnd/.test(line) && !/(CTE|Function|Subquery) Scan/.test(line))
    .map((line) => line.replace(/\s+\(cost=.*$/, ""))
    .join("; ");
}

/**
 * The plan of the query inside search_chunks_text, as the runtime role would run it: the
 * owner loads auto_explain in its own session, then becomes `authenticated` in the tenant's
 * context (auto_explain reports nested statements as notices).
 */
async function functionPlan(url: string, tenant: Tenant, query: string): Promise<string> {
  const notices: string[] = [];
  const client = postgres(url, {
    max: 1,
    onnotice: (notice) => notices.push(String(notice.message)),
  });
  try {
    await client`load 'auto_explain'`;
    await client`select set_config('auto_explain.log_min_duration', '0', false), set_config('auto_explain.log_nested_statements', 'on', false), set_config('auto_explain.log_level', 'notice', false)`;
    await client.begin(async (tx) => {
      await tx`select set_config('app.current_organization_id', ${tenant.id}, true), set_config('role', 'authenticated', true)`;
      await tx`select count(*) from public.search_chunks_text(${query}, 40)`;
    });
    const inner = notices.find((notice) => /document_chunk AS c/i.test(notice));
    return inner ? scanLines(inner.split("\n")) : "(no plan reported)";
  } catch (error) {
    return `(auto_explain unavailable: ${(error as Error).message})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

type Run = (tenant: Tenant, query: Query) => Promise<unknown>;

/**
 * Milliseconds of each of `runs` for every query of every tenant, tenants interleaved query by
 * query, the runs' order rotated from one query to the next; after one unmeasured pass.
 */
async function sideBySide(
  queries: Map<string, Query[]>,
  tenants: readonly Tenant[],
  runs: Record<string, Run>,
  rounds = ROUNDS,
) {
  const names = Object.keys(runs);
  const samples = new Map<string, Map<string, number[]>>(
    names.map((name) => [name, new Map(tenants.map((tenant) => [tenant.id, []]))]),
  );
  for (let round = -1; round < rounds; round++) {
    for (let i = 0; i < QUERIES; i++) {
      for (const tenant of tenants) {
        const query = queries.get(tenant.id)![i]!;
        for (let r = 0; r < names.length; r++) {
          const name = names[(i + r + Math.max(round, 0)) % names.length]!;
          const start = performance.now();
          await runs[name]!(tenant, query);
          if (round >= 0)
            samples
              .get(name)!
              .get(tenant.id)!
              .push(performance.now() - start);
        }
      }
    }
  }
  return {
    p50: (name: string, tenant: Tenant) => quantile(samples.get(name)!.get(tenant.id)!, 0.5),
    p95: (name: string, tenant: Tenant) => quantile(samples.get(name)!.get(tenant.id)!, 0.95),
  };
}

interface Figures {
  recall: number;
  hnswRecall: number;
  p50: number;
  p95: number;
  p95Owner: number;
  vectorP95: number;
  textP95: number;
  textP95Owner: number;
  textP95Before: number;
}

/** The measurements of `tenants`, side by side (see the header). */
async function measure(
  testDb: Awaited<ReturnType<typeof createServerTestDatabase>>,
  tenants: readonly Tenant[],
  queries: Map<string, Query[]>,
  sizeOf: Map<string, number>,
) {
  const { app, db } = testDb;
  const hybrid = (q: Query): SearchChunksOptions => ({
    query: q.text,
    embedding: q.embedding,
    limit: K,
  });
  const vector = (q: Query): SearchChunksOptions => ({ embedding: q.embedding, limit: K });
  const text = (q: Query): SearchChunksOptions => ({ query: q.text, limit: K });
  const runtime =
    (options: (q: Query) => SearchChunksOptions): Run =>
    (tenant, q) =>
      withTenantContext(app, { organizationId: tenant.id }, (tx) => searchChunks(tx, options(q)));
  const owner =
    (options: (q: Query) => SearchChunksOptions): Run =>
    (tenant, q) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('plan_cache_mode', 'force_custom_plan', true)`);
        return searchChunksAsOwner(tx, tenant.id, options(q));
      });
  // The full-text statement before search_chunks_text: RLS on the table, no GIN index.
  const before: Run = (tenant, q) =>
    withTenantContext(app, { organizationId: tenant.id }, (tx) =>
      rows(
        tx,
        sql`with text_query as (select websearch_to_tsquery('english', ${q.text}) as tsquery)
            select id, document_id, content, ts_rank_cd(search_vector, (select tsquery from text_query)) as score
            from document_chunk
            where (select numnode(tsquery) from text_query) > 0
              and search_vector @@ (select tsquery from text_query)
            order by 4 desc, id limit ${Math.max(K * 4, 40)}`,
      ),
    );

  console.log(
    `\nlatency of one unit (transaction) running searchChunks (limit ${K}), ${QUERIES} queries a tenant x ${ROUNDS} rounds, runtime role and owner side by side:`,
  );
  const hybrids = await sideBySide(queries, tenants, {
    runtime: runtime(hybrid),
    owner: owner(hybrid),
  });
  const texts = await sideBySide(queries, tenants, {
    runtime: runtime(text),
    owner: owner(text),
  });
  const vectors = await sideBySide(queries, tenants, { runtime: runtime(vector) }, 1);
  const befores = await sideBySide(queries, tenants, { before }, 1);

  console.log(
    `\nrecall@${K} of the vector part against exact search under RLS (hnsw.iterative_scan = ${HNSW_SETTINGS.iterativeScan}, ef_search >= ${HNSW_SETTINGS.minEfSearch}, max_scan_tuples = ${HNSW_SETTINGS.maxScanTuples}):`,
  );
  const figures = new Map<string, Figures>();
  const exacts = new Map<string, Exact[]>();
  for (const tenant of tenants) {
    const start = performance.now();
    const exactPath = sizeOf.get(tenant.id)! <= EXACT_SEARCH_MAX_CHUNKS;
    const samples: number[][] = [];
    const exact: Exact[] = [];
    for (const query of queries.get(tenant.id)!) {
      const result = await recallAt(app, tenant, query, exactPath ? ["auto", "index"] : ["auto"]);
      samples.push(result.recalls);
      exact.push(result.exact);
    }
    exacts.set(tenant.id, exact);
    const auto = mean(samples.map((s) => s[0]!));
    const index = mean(samples.map((s) => s.at(-1)!));
    console.log(
      `  ${tenant.name.padEnd(6)}: as shipped ${auto.toFixed(3)}${exactPath ? ` (exact search); through the HNSW index ${index.toFixed(3)}` : " (HNSW index)"}  [${seconds(performance.now() - start)} s]`,
    );
    figures.set(tenant.id, {
      recall: auto,
      hnswRecall: index,
      p50: hybrids.p50("runtime", tenant),
      p95: hybrids.p95("runtime", tenant),
      p95Owner: hybrids.p95("owner", tenant),
      vectorP95: vectors.p95("runtime", tenant),
      textP95: texts.p95("runtime", tenant),
      textP95Owner: texts.p95("owner", tenant),
      textP95Before: befores.p95("before", tenant),
    });
  }

  console.log("\nlatency p50 / p95 ms (ratio: p95 runtime role / p95 owner with WHERE):");
  for (const tenant of tenants) {
    const f = figures.get(tenant.id)!;
    const vectorPath = sizeOf.get(tenant.id)! <= EXACT_SEARCH_MAX_CHUNKS ? "exact" : "HNSW index";
    console.log(
      `  ${tenant.name.padEnd(6)} (${sizeOf.get(tenant.id)} chunks, vector part: ${vectorPath}):\n` +
        `    hybrid:    runtime ${ms(f.p50)} / ${ms(f.p95)}, owner ${ms(hybrids.p50("owner", tenant))} / ${ms(f.p95Owner)}, ratio ${(f.p95 / f.p95Owner).toFixed(2)}\n` +
        `    full text: runtime ${ms(texts.p50("runtime", tenant))} / ${ms(f.textP95)}, owner ${ms(texts.p50("owner", tenant))} / ${ms(f.textP95Owner)}, ratio ${(f.textP95 / f.textP95Owner).toFixed(2)}; before search_chunks_text (RLS on the table) ${ms(befores.p50("before", tenant))} / ${ms(f.textP95Before)}\n` +
        `    vector only: runtime ${ms(vectors.p50("runtime", tenant))} / ${ms(f.vectorP95)}`,
    );
  }
  return { figures, exacts };
}

/** Plans of the three parts for `tenants` (scan nodes). */
async function plans(
  testDb: Awaited<ReturnType<typeof createServerTestDatabase>>,
  tenants: readonly Tenant[],
  queries: Map<string, Query[]>,
) {
  for (const tenant of tenants) {
    const probe = queries.get(tenant.id)![0]!;
    const vectorQuery = sql`select id from document_chunk order by embedding <=> ${literal(probe.embedding)}::halfvec limit 40`;
    const textQuery = sql`select id from document_chunk where search_vector @@ websearch_to_tsquery('english', ${probe.text})`;
    console.log(`\nplans for the ${tenant.name} tenant ("${probe.text}"):`);
    console.log(
      `  vector part under RLS, enable_sort = off (as searchChunks plans it): ${await scans(testDb.app, tenant, "set local enable_sort = off", vectorQuery)}`,
    );
    console.log(
      `  full-text query under RLS (before search_chunks_text): ${await scans(testDb.app, tenant, "", textQuery)}`,
    );
    console.log(
      `  full-text query inside search_chunks_text: ${await functionPlan(testDb.url!, tenant, probe.text)}`,
    );
  }
}

/**
 * The query bound's worst case. ts_rank_cd's cost grows with the query's items on every
 * ranked chunk, so the candidates are the most frequent words of the corpus: OR'd (the most
 * matches), or the most frequent one repeated (the most items on as many matches). Up to
 * MAX_QUERY_WORDS words ("or" counts) through searchChunks (hybrid, as the API calls it); up to
 * MAX_QUERY_NODES tsquery nodes through search_chunks_text directly.
 */
async function worstCase(
  testDb: Awaited<ReturnType<typeof createServerTestDatabase>>,
  tenants: readonly Tenant[],
  vocabulary: readonly string[],
) {
  const embedder = new HashingEmbedder();
  // n words OR'd: 2n - 1 words, 2n - 1 tsquery nodes; one word n times: n words, 2n - 1 nodes.
  const ored = (n: number) => vocabulary.slice(0, n).join(" or ");
  const repeated = (n: number) => Array(n).fill(vocabulary[0]).join(" ");
  const searchTerms = Math.floor((MAX_QUERY_WORDS + 1) / 2);
  const functionTerms = Math.floor((MAX_QUERY_NODES + 1) / 2);
  const candidates = [
    { path: "search", what: `${searchTerms} words OR'd`, query: ored(searchTerms) },
    { path: "search", what: `1 word x ${MAX_QUERY_WORDS}`, query: repeated(MAX_QUERY_WORDS) },
    { path: "function", what: `${functionTerms} words OR'd`, query: ored(functionTerms) },
    { path: "function", what: `1 word x ${functionTerms}`, query: repeated(functionTerms) },
  ] as const;
  const worst = { search: 0, function: 0 };
  for (const tenant of tenants) {
    for (const candidate of candidates) {
      const [matches] = await rows<{ count: number; nodes: number }>(
        testDb.db,
        sql`select count(*)::int as count, numnode(websearch_to_tsquery('english', ${candidate.query})) as nodes
            from document_chunk
            where organization_id = ${tenant.id}
              and search_vector @@ websearch_to_tsquery('english', ${candidate.query})`,
      );
      const ranked = Math.min(MAX_RANKED_MATCHES, Math.floor(RANK_BUDGET / matches!.nodes));
      const times: number[] = [];
      for (let run = 0; run < WORST_RUNS; run++) {
        const start = performance.now();
        await withTenantContext(
          testDb.app,
          { organizationId: tenant.id },
          (tx): Promise<unknown> =>
            candidate.path === "search"
              ? searchChunks(tx, {
                  query: candidate.query,
                  embedding: embedder.embedOne(candidate.query),
                  limit: K,
                })
              : rows(tx, sql`select id from public.search_chunks_text(${candidate.query}, 40)`),
        );
        times.push(performance.now() - start);
      }
      worst[candidate.path] = Math.max(worst[candidate.path], ...times);
      console.log(
        `  ${tenant.name.padEnd(6)} ${candidate.path === "search" ? "searchChunks      " : "search_chunks_text"} ${candidate.what.padEnd(17)} (${matches!.nodes} nodes; ${matches!.count} of its chunks match, ${Math.min(ranked, matches!.count)} ranked): median ${ms(quantile(times, 0.5))}, max ${ms(Math.max(...times))} ms`,
      );
    }
  }
  return worst;
}

/** Recall and latency of the vector part alone for each SWEEP setting. */
async function sweep(
  app: Database,
  tenants: readonly Tenant[],
  queries: Map<string, Query[]>,
  exacts: Map<string, Exact[]>,
) {
  console.log(
    `\nvector part alone, through the HNSW index under RLS (40 candidates, max_scan_tuples ${HNSW_SETTINGS.maxScanTuples}): recall@${K} / p50 / p95 ms`,
  );
  for (const setting of SWEEP) {
    const cells: string[] = [];
    for (const tenant of tenants) {
      const times: number[] = [];
      const recalls: number[] = [];
      for (const [i, query] of queries.get(tenant.id)!.entries()) {
        const start = performance.now();
        const found = await withTenantContext(app, { organizationId: tenant.id }, async (tx) => {
          await tx.execute(
            sql`select set_config('enable_sort', 'off', true), set_config('jit', 'off', true), set_config('hnsw.iterative_scan', ${setting.iterative}, true), set_config('hnsw.ef_search', ${String(setting.ef)}, true), set_config('hnsw.max_scan_tuples', ${String(HNSW_SETTINGS.maxScanTuples)}, true)`,
          );
          return rows<{ distance: number }>(
            tx,
            sql`select embedding <=> ${literal(query.embedding)}::halfvec as distance from document_chunk
                where embedding is not null
                order by embedding <=> ${literal(query.embedding)}::halfvec limit 40`,
          );
        });
        times.push(performance.now() - start);
        const nearest = found
          .map((row) => row.distance)
          .sort((a, b) => a - b)
          .slice(0, K);
        recalls.push(recall(exacts.get(tenant.id)![i]!, nearest));
      }
      cells.push(
        `${tenant.name} ${mean(recalls).toFixed(3)} / ${ms(quantile(times, 0.5))} / ${ms(quantile(times, 0.95))}`,
      );
    }
    console.log(
      `  iterative_scan ${setting.iterative.padEnd(13)} ef_search ${String(setting.ef).padStart(3)}: ${cells.join("; ")}`,
    );
  }
}

async function sizing(db: Database) {
  const [row] = await rows<{
    chunks: number;
    hnsw: number;
    gin: number;
    heap: number;
    total: number;
    shared_buffers_mb: number;
  }>(
    db,
    sql`select (select count(*)::int from document_chunk) as chunks,
          pg_relation_size('document_chunk_embedding_idx')::float8 as hnsw,
          pg_relation_size('"document_chunk_searchVector_idx"')::float8 as gin,
          pg_relation_size('document_chunk')::float8 as heap,
          pg_total_relation_size('document_chunk')::float8 as total,
          (select setting::bigint * 8192 / 1048576 from pg_settings where name = 'shared_buffers')::int as shared_buffers_mb`,
  );
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  console.log(
    `document_chunk, ${row!.chunks} chunks: heap ${mb(row!.heap)}, ${mb(row!.total)} with TOAST and indexes; HNSW ${mb(row!.hnsw)} (${(row!.hnsw / row!.chunks).toFixed(0)} bytes a chunk), GIN ${mb(row!.gin)}; server shared_buffers ${row!.shared_buffers_mb} MB`,
  );
  return row!;
}

async function chunkCounts(db: Database, tenants: readonly Tenant[]) {
  const sizes = await rows<{ organization_id: string; chunks: number }>(
    db,
    sql`select organization_id, count(*)::int as chunks from document_chunk
        where organization_id in (${sql.join(
          tenants.map((tenant) => sql`${tenant.id}`),
          sql`, `,
        )}) group by 1`,
  );
  return new Map(sizes.map((row) => [row.organization_id, row.chunks]));
}

async function run(serverUrl: string) {
  const started = performance.now();
  const testDb = await createServerTestDatabase(serverUrl);
  const lines: string[] = [];
  try {
    const texts = corpus();
    const plan = layout(TENANTS, TINY_TENANTS, 0);
    const loadMs = await load(testDb.url!, plan, texts, "2GB");
    const size = await sizing(testDb.db);
    const sizeOf = await chunkCounts(testDb.db, TENANTS);
    const queries = new Map(TENANTS.map((tenant) => [tenant.id, queriesFor(tenant, plan, texts)]));
    await plans(testDb, [TENANTS[0]!, TENANTS[2]!], queries);
    const { figures, exacts } = await measure(testDb, TENANTS, queries, sizeOf);
    await sweep(testDb.app, TENANTS, queries, exacts);
    console.log(
      `\nthe query bound's worst case (bounds: ${MAX_QUERY_WORDS} words before any I/O; in search_chunks_text ${MAX_QUERY_NODES} tsquery nodes and min(${MAX_RANKED_MATCHES}, ${RANK_BUDGET} / nodes) ranked matches; ${WORST_RUNS} runs):`,
    );
    const worst = await worstCase(testDb, [TENANTS[2]!], texts.vocabulary);

    // Phase 2: the xlarge tenant beside the large one, in a table of 452,000 chunks.
    console.log(
      `\nphase 2: a tenant 4x the large one (${XLARGE.documents * CHUNKS_PER_DOCUMENT} chunks)`,
    );
    const plan2 = layout([XLARGE], 0, plan.documentOrgs.length);
    // The graph of 452,000 halfvec(1536) (~1.8 GB) must fit in maintenance_work_mem.
    const load2Ms = await load(testDb.url!, plan2, texts, "3GB");
    const size2 = await sizing(testDb.db);
    const grown = [TENANTS[2]!, XLARGE];
    const sizeOf2 = await chunkCounts(testDb.db, grown);
    queries.set(XLARGE.id, queriesFor(XLARGE, plan2, texts));
    await plans(testDb, [XLARGE], queries);
    const phase2 = await measure(testDb, grown, queries, sizeOf2);
    await sweep(testDb.app, grown, queries, phase2.exacts);
    console.log("\nthe query bound's worst case with the xlarge tenant:");
    const worst2 = await worstCase(testDb, grown, texts.vocabulary);

    const phase1 = TENANTS.map((tenant) => figures.get(tenant.id)!);
    const recallMin = Math.min(...phase1.map((f) => f.recall));
    const hnswRecallMin = Math.min(...phase1.map((f) => f.hnswRecall));
    const ratio = (f: Figures) => f.p95 / f.p95Owner;
    const ratioMax = Math.max(...TENANTS.map((tenant) => ratio(figures.get(tenant.id)!)));
    const boundWorst = Math.max(worst.search, worst2.search);
    console.log(
      `\nrecall@${K} min over small, medium, large: ${recallMin.toFixed(3)} as shipped, ${hnswRecallMin.toFixed(3)} through the HNSW index (target >= ${TARGET_RECALL}); search_rls_ratio max over them: ${ratioMax.toFixed(2)} (target <= ${TARGET_RATIO}); in the table of 452,000 chunks: recall large ${phase2.figures.get(TENANTS[2]!.id)!.recall.toFixed(3)}, xlarge ${phase2.figures.get(XLARGE.id)!.recall.toFixed(3)}, search_rls_ratio xlarge ${ratio(phase2.figures.get(XLARGE.id)!).toFixed(2)}`,
    );

    for (const [figure, missed] of [
      [
        `search_recall_min ${recallMin.toFixed(3)} (>= ${TARGET_RECALL})`,
        recallMin < TARGET_RECALL,
      ],
      [`search_rls_ratio_max ${ratioMax.toFixed(2)} (<= ${TARGET_RATIO})`, ratioMax > TARGET_RATIO],
    ] as const) {
      if (!missed) continue;
      console.log(`${figure} misses its target`);
      process.exitCode = 1;
    }
    lines.push(
      `bench search_recall_min=${recallMin.toFixed(3)}`,
      `bench search_hnsw_recall_min=${hnswRecallMin.toFixed(3)}`,
      `bench search_p95_ms=${ms(Math.max(...TENANTS.map((tenant) => figures.get(tenant.id)!.p95)))}`,
      `bench search_rls_ratio_max=${ratioMax.toFixed(2)}`,
    );
    const report = (name: string, f: Figures) =>
      lines.push(
        `bench search_rls_ratio_${name}=${ratio(f).toFixed(2)}`,
        `bench search_text_rls_ratio_${name}=${(f.textP95 / f.textP95Owner).toFixed(2)}`,
        `bench search_text_before_ratio_${name}=${(f.textP95Before / f.textP95Owner).toFixed(2)}`,
        `bench search_${name}_recall=${f.recall.toFixed(3)}`,
        `bench search_${name}_hnsw_recall=${f.hnswRecall.toFixed(3)}`,
        `bench search_${name}_p50_ms=${ms(f.p50)}`,
        `bench search_${name}_p95_ms=${ms(f.p95)}`,
        `bench search_${name}_p95_ms_owner=${ms(f.p95Owner)}`,
        `bench search_${name}_vector_p95_ms=${ms(f.vectorP95)}`,
        `bench search_${name}_text_p95_ms=${ms(f.textP95)}`,
        `bench search_${name}_text_p95_ms_owner=${ms(f.textP95Owner)}`,
        `bench search_${name}_text_p95_ms_before=${ms(f.textP95Before)}`,
      );
    for (const tenant of TENANTS) report(tenant.name, figures.get(tenant.id)!);
    report(XLARGE.name, phase2.figures.get(XLARGE.id)!);
    // The large tenant again, in the table of 452,000 chunks: recall at a fixed ef_search
    // falls as the HNSW graph grows.
    lines.push(
      `bench search_large_recall_452k=${phase2.figures.get(TENANTS[2]!.id)!.recall.toFixed(3)}`,
    );
    lines.push(
      `bench search_bound_worst_ms=${ms(boundWorst)}`,
      `bench search_bound_sql_worst_ms=${ms(Math.max(worst.function, worst2.function))}`,
      `bench search_hnsw_bytes_per_chunk=${(size.hnsw / size.chunks).toFixed(0)}`,
      `bench search_hnsw_mb_452k=${(size2.hnsw / 2 ** 20).toFixed(0)}`,
      `bench search_shared_buffers_mb=${size.shared_buffers_mb}`,
      `bench search_load_s=${seconds(loadMs)}`,
      `bench search_xlarge_load_s=${seconds(load2Ms)}`,
    );
  } finally {
    await testDb.dispose();
  }
  console.log(`\n(total ${seconds(performance.now() - started)} s)`);
  console.log(lines.join("\n"));
}

const serverUrl = env().TEST_DATABASE_URL;
if (serverUrl) {
  await run(serverUrl);
} else {
  console.log(
    "bench:search skipped: needs a server (TEST_DATABASE_URL); 452,000 halfvec(1536) chunks and their HNSW index are too much for embedded PGlite",
  );
}
