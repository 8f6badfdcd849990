import { type SQL, sql } from "drizzle-orm";
import type { Transaction } from "../../connection/client";
import { rootCause } from "../../connection/errors";
import { rowsOf } from "../../connection/rows";
import { EMBEDDING_DIMENSIONS } from "../../schema/search";
import { quoteLiteral } from "../../tenancy/setup";

/** Reciprocal rank fusion constant: a hit at rank r in a list adds 1 / (RRF_K + r). */
export const RRF_K = 60;
const DEFAULT_SEARCH_LIMIT = 10;
const MAX_SEARCH_LIMIT = 100;
/**
 * Words (runs of letters or digits, stop words and "or" included) a query may have; checked
 * before any I/O. ts_rank_cd's cost on each matching chunk grows with the query's terms;
 * bench:search measures the worst query these bounds let through.
 */
export const MAX_QUERY_WORDS = 32;
/**
 * search_chunks_text's own bound (migration 0007), in tsquery nodes (numnode: lexemes and
 * operators), 3 per word: MAX_QUERY_WORDS plain, OR'd, negated or quoted words stay below it;
 * it catches what counting words misses (a hyphenated compound becomes itself and each part:
 * "-ab-cd" is 2 words and 6 nodes) and callers of the function other than searchChunks.
 */
export const MAX_QUERY_NODES = 96;
/**
 * search_chunks_text (migration 0007) ranks at most min(MAX_RANKED_MATCHES, RANK_BUDGET /
 * tsquery nodes) matching chunks, the first ones found: ts_rank_cd's cost on a chunk grows with
 * the query's nodes, so a broad query costs about the same whatever the tenant's size and the
 * query's length. Up to 20 nodes (about 10 words) that is 10,000.
 */
export const MAX_RANKED_MATCHES = 10_000;
/** Matches times tsquery nodes search_chunks_text ranks at most (see MAX_RANKED_MATCHES). */
export const RANK_BUDGET = 200_000;
/**
 * A tenant with at most this many chunks is searched exactly (every one of its embeddings,
 * through the organization_id index): a few ms, perfect recall. Above it, the HNSW index. The
 * shared index serves all tenants, so a small tenant is a small fraction of what it walks:
 * even with iterative scans that costs far more than reading the tenant's own rows.
 */
export const EXACT_SEARCH_MAX_CHUNKS = 2_000;
/** pgvector settings for the HNSW part, transaction-local (SET LOCAL). */
export const HNSW_SETTINGS = {
  /**
   * RLS filters the index's output: without iterative scans a tenant holding a small share of
   * the chunks gets almost nothing back from the ef_search nearest neighbours. relaxed_order
   * keeps scanning until LIMIT rows pass the filter; the results are re-ranked by distance.
   */
  iterativeScan: "relaxed_order",
  /**
   * Lower bound of hnsw.ef_search (it is at least the number of candidates). bench:search,
   * recall@10 on 100,000 chunks: 0.92 at 40 and 0.96 at 100 for a tenant holding most of the
   * chunks, 0.99 from 200 on; tenants with a smaller share reach 0.98 at any of these, as the
   * iterative scan visits more of the graph for them anyway.
   */
  minEfSearch: 200,
  /** Bound on the tuples one iterative scan visits (pgvector's default, set explicitly). */
  maxScanTuples: 20_000,
} as const;

type VectorSearchMode = "auto" | "index" | "exact";

export interface SearchChunksOptions {
  /** The user's words, parsed with websearch_to_tsquery('english', ...). */
  query?: string | null;
  /** The query's embedding, EMBEDDING_DIMENSIONS numbers (same model as the chunks). */
  embedding?: readonly number[] | null;
  /** Rows to return, 1..MAX_SEARCH_LIMIT (default DEFAULT_SEARCH_LIMIT). */
  limit?: number;
  /**
   * How the vector part finds its candidates: "auto" (default) searches exactly up to
   * EXACT_SEARCH_MAX_CHUNKS chunks and through the HNSW index above; "index" and "exact" force
   * one (benchmarks, tests).
   */
  vectorSearch?: VectorSearchMode;
}

export interface ChunkHit {
  chunkId: string;
  documentId: string;
  content: string;
  /** Fused score: the sum of 1 / (RRF_K + rank) over the lists the chunk is in. */
  score: number;
  /** 1-based rank by cosine distance among the vector candidates, or null. */
  vectorRank: number | null;
  /** 1-based rank by ts_rank_cd among the full-text candidates, or null. */
  textRank: number | null;
}

export type SearchInputErrorCode =
  | "no_query"
  | "invalid_query"
  | "query_too_complex"
  | "invalid_embedding"
  | "invalid_limit"
  | "invalid_option";

/** Input searchChunks cannot run: thrown before any I/O. */
export class SearchInputError extends Error {
  override readonly name = "SearchInputError";
  constructor(
    readonly code: SearchInputErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Largest finite halfvec component. */
const HALF_MAX = 65_504;

interface ValidInput {
  query: string | null;
  embedding: string | null;
  limit: number;
  mode: VectorSearchMode;
}

function validate(options: SearchChunksOptions | null | undefined): ValidInput {
  const {
    query = null,
    embedding = null,
    limit = DEFAULT_SEARCH_LIMIT,
    vectorSearch: mode = "auto",
  } = options ?? {};
  if (query !== null && typeof query !== "string") {
    throw new SearchInputError(
      "invalid_query",
      `searchChunks: query must be a string (got ${typeof query}).`,
    );
  }
  if (query?.includes("\0")) {
    throw new SearchInputError(
      "invalid_query",
      "searchChunks: query must not contain NUL characters.",
    );
  }
  const text = query !== null && query.trim() !== "" ? query : null;
  const words = text?.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
  if (words > MAX_QUERY_WORDS) {
    throw new SearchInputError(
      "query_too_complex",
      `searchChunks: the query has ${words} words; at most ${MAX_QUERY_WORDS} are allowed. Shorten it.`,
    );
  }

  let vector: string | null = null;
  if (embedding !== null) {
    if (!Array.isArray(embedding) || embedding.length !== EMBEDDING_DIMENSIONS) {
      throw new SearchInputError(
        "invalid_embedding",
        `searchChunks: embedding must be an array of ${EMBEDDING_DIMENSIONS} numbers (got ${Array.isArray(embedding) ? `${embedding.length}` : typeof embedding}).`,
      );
    }
    let zero = true;
    for (const value of embedding) {
      if (typeof value !== "number" || !Number.isFinite(value) || Math.abs(value) > HALF_MAX) {
        throw new SearchInputError(
          "invalid_embedding",
          `searchChunks: embedding values must be finite numbers within ±${HALF_MAX} (halfvec); got ${String(value)}.`,
        );
      }
      if (value !== 0) zero = false;
    }
    if (zero) {
      throw new SearchInputError(
        "invalid_embedding",
        "searchChunks: embedding is all zeros; cosine distance to a zero vector is undefined.",
      );
    }
    vector = `[${embedding.join(",")}]`;
  }

  if (text === null && vector === null) {
    throw new SearchInputError(
      "no_query",
      "searchChunks needs a non-blank query, an embedding, or both.",
    );
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
    throw new SearchInputError(
      "invalid_limit",
      `searchChunks: limit must be an integer from 1 to ${MAX_SEARCH_LIMIT} (got ${String(limit)}).`,
    );
  }
  if (mode !== "auto" && mode !== "index" && mode !== "exact") {
    throw new SearchInputError(
      "invalid_option",
      `searchChunks: vectorSearch must be "auto", "index" or "exact" (got ${String(mode)}).`,
    );
  }
  return { query: text, embedding: vector, limit, mode };
}

/** Candidates each list contributes to the fusion. */
const searchCandidates = (limit: number) => Math.max(limit * 4, 40);

/**
 * Planner settings the search statement is planned with, and put back once it is planned.
 * RLS compares organization_id with a sub-select, so the planner cannot know the tenant: it
 * estimates its share as 1 / (number of organizations) and, from about a hundred tenants on,
 * prefers reading "a few" rows through the organization_id index and sorting them by distance,
 * which for a large tenant means computing every one of its distances (hundreds of ms). The
 * HNSW index scan is the one plan without a sort: enable_sort = off makes it the choice. On
 * Postgres < 18 that adds 1e10 to the cost of the plan, which would make it JIT-compile
 * (~0.5 s): jit = off.
 */
const PLANNER_SETTINGS = { enable_sort: "off", jit: "off" } as const;

/**
 * Whose chunks the statement reads. Inside withTenantContext: the tenant's, through RLS (the
 * vector part) and search_chunks_text (the full-text part). `owner`: bench:search's baseline,
 * the same statement run by the owner (no RLS) with an explicit organization_id filter in
 * every part and the table read directly, so that every index is usable.
 */
type Scope = { owner: false } | { owner: true; organizationId: string };

/** The filter the owner's baseline adds to every part (RLS does it for tenant code). */
const ownerFilter = (scope: Scope) =>
  scope.owner ? sql`organization_id = ${scope.organizationId}` : sql`true`;

/**
 * Sends `statements` in call order without waiting in between: one round trip in a pipelined
 * unit (src/connection/drivers/postgres.ts). Every statement is started before any answers.
 */
function pipelined(tx: Transaction, statements: readonly SQL[]): Promise<unknown[]> {
  return Promise.all(statements.map((statement) => tx.execute(statement).then((result) => result)));
}

/** `SET LOCAL name = value`; SET takes no parameters: the value is a quoted literal. */
const setLocal = (name: string, value: string) =>
  sql.raw(`set local ${name} = ${quoteLiteral(value)}`);

/** A validated integer for a SET: never a value from outside. */
function integerSetting(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`searchChunks: a setting must be a non-negative integer (got ${value})`);
  }
  return String(value);
}

/**
 * Prepares the vector part, in one round trip: the planner settings before they change, and,
 * for "auto", the tenant's chunks counted up to EXACT_SEARCH_MAX_CHUNKS + 1 (an index-only
 * scan: all its rows share one organization_id, so ordering by it keeps the planner on that
 * index); then the planner settings above and pgvector's settings for the HNSW scan, as SET
 * LOCAL (set_config is not propagated to Citus workers). Returns the statements that restore
 * the planner settings.
 */
async function prepareVectorSearch(
  tx: Transaction,
  candidates: number,
  count: boolean,
  scope: Scope,
) {
  const efSearch = Math.min(1_000, Math.max(candidates, HNSW_SETTINGS.minEfSearch));
  const chunks = count
    ? sql`(select count(*)::int from (select 1 from document_chunk where ${ownerFilter(scope)} order by organization_id limit ${EXACT_SEARCH_MAX_CHUNKS + 1}) c)`
    : sql`null::int`;
  const [read] = await pipelined(tx, [
    sql`select current_setting('enable_sort') as enable_sort, current_setting('jit') as jit,
               ${chunks} as chunks`,
    setLocal("enable_sort", PLANNER_SETTINGS.enable_sort),
    setLocal("jit", PLANNER_SETTINGS.jit),
    setLocal("hnsw.iterative_scan", HNSW_SETTINGS.iterativeScan),
    setLocal("hnsw.ef_search", integerSetting(efSearch)),
    setLocal("hnsw.max_scan_tuples", integerSetting(HNSW_SETTINGS.maxScanTuples)),
  ]);
  const [row] = rowsOf<{ enable_sort: string; jit: string; chunks: number | null }>(read);
  if (!row) throw new Error("searchChunks: the settings statement returned no row");
  return {
    chunks: row.chunks,
    restore: [setLocal("enable_sort", row.enable_sort), setLocal("jit", row.jit)],
  };
}

/**
 * The full-text candidates. Tenant code calls search_chunks_text (migration 0007): under RLS
 * Postgres may not use the GIN index for `search_vector @@ query`, because tsvector @@ tsquery
 * (ts_match_vq) is not LEAKPROOF and so may not run before the policy's filter, which an index
 * condition would; the function filters by the tenant setting itself and may. The owner's
 * baseline runs the function's query directly (keep the two alike).
 */
function textCandidates(query: string, candidates: number, scope: Scope): SQL {
  if (!scope.owner) {
    return sql`select id, document_id, content, score from public.search_chunks_text(${query}, ${candidates})`;
  }
  const tsquery = sql`websearch_to_tsquery('english', ${query})`;
  return sql`select m.id, m.document_id, m.content, ts_rank_cd(m.search_vector, ${tsquery}) as score
    from (
      select id, document_id, content, search_vector from document_chunk
      where ${ownerFilter(scope)} and numnode(${tsquery}) between 1 and ${MAX_QUERY_NODES}
        and search_vector @@ ${tsquery}
      limit least(${MAX_RANKED_MATCHES}, ${RANK_BUDGET} / greatest(numnode(${tsquery}), 1))
    ) m
    order by 4 desc, 1 limit ${candidates}`;
}

/** search_chunks_text's error for a query over MAX_QUERY_NODES, as a SearchInputError. */
function tooComplex(error: unknown): SearchInputError | undefined {
  const cause = rootCause(error) as Error & { code?: unknown };
  if (cause.code !== "54000" || !cause.message.startsWith("search query too complex")) return;
  const nodes = /(\d+) tsquery nodes/.exec(cause.message)?.[1] ?? "more";
  return new SearchInputError(
    "query_too_complex",
    `searchChunks: the query makes ${nodes} tsquery nodes (words, their parts and operators); at most ${MAX_QUERY_NODES} are allowed. Use fewer words.`,
  );
}

/**
 * Hybrid search over the current tenant's chunks: reciprocal rank fusion (k = RRF_K) of the
 * nearest chunks by cosine distance and the best chunks by ts_rank_cd for
 * websearch_to_tsquery('english', query), each list limited to max(limit * 4, 40) candidates.
 * Either part may be left out (no embedding: full text only; blank query: vectors only).
 *
 * Call it inside withTenantContext: RLS limits the vector part to the tenant, and the
 * full-text part is search_chunks_text, which filters by the same tenant setting. It runs one
 * statement, or two with an embedding (the settings above, then the search); the hnsw.*
 * settings stay for the rest of the transaction. A query of more than MAX_QUERY_WORDS words
 * (or MAX_QUERY_NODES tsquery nodes) throws SearchInputError "query_too_complex"; at most
 * MAX_RANKED_MATCHES full-text matches are ranked, fewer for long queries (RANK_BUDGET).
 */
export function searchChunks(tx: Transaction, options: SearchChunksOptions): Promise<ChunkHit[]> {
  return search(tx, options, { owner: false });
}

/**
 * bench:search's baseline: searchChunks' statement as the owner, with an explicit
 * organization_id filter in every part and every index usable. The owner bypasses RLS: never
 * for application code.
 */
export function searchChunksAsOwner(
  ownerTx: Transaction,
  organizationId: string,
  options: SearchChunksOptions,
): Promise<ChunkHit[]> {
  return search(ownerTx, options, { owner: true, organizationId });
}

async function search(
  tx: Transaction,
  options: SearchChunksOptions,
  scope: Scope,
): Promise<ChunkHit[]> {
  const { query, embedding, limit, mode } = validate(options);
  const candidates = searchCandidates(limit);

  let exact = mode === "exact";
  let restore: SQL[] = [];
  if (embedding !== null) {
    const prepared = await prepareVectorSearch(tx, candidates, mode === "auto", scope);
    if (mode === "auto") exact = (prepared.chunks ?? 0) <= EXACT_SEARCH_MAX_CHUNKS;
    restore = prepared.restore;
  }

  // One parameter, read through an InitPlan: the index scan gets it as its ORDER BY value.
  const q = sql`(select vector from query_vector)`;
  const vectorHits =
    embedding === null
      ? sql`select null::text as id, null::text as document_id, null::text as content, null::float8 as distance where false`
      : exact
        ? // cosine_distance() is the function behind <=>: the same distances, but as a
          // function call it never matches the HNSW index, so every tenant row is compared.
          sql`select id, document_id, content, cosine_distance(embedding, ${q}) as distance
              from document_chunk where embedding is not null and ${ownerFilter(scope)}
              order by 4, id limit ${candidates}`
        : sql`select id, document_id, content, embedding <=> ${q} as distance
              from document_chunk where embedding is not null and ${ownerFilter(scope)}
              order by embedding <=> ${q} limit ${candidates}`;
  const textHits =
    query === null
      ? sql`select null::text as id, null::text as document_id, null::text as content, null::float4 as score where false`
      : textCandidates(query, candidates, scope);

  // The planner settings are restored by SET LOCAL statements sent right behind the search
  // (same round trip), so they apply to its planning only.
  try {
    const [hits] = await pipelined(tx, [
      sql`with
      query_vector as (select ${embedding}::halfvec(${sql.raw(String(EMBEDDING_DIMENSIONS))}) as vector),
      -- Materialized, then re-ranked: iterative index scans return rows in relaxed order.
      vector_hits as materialized (${vectorHits}),
      text_hits as materialized (${textHits}),
      vector_ranked as (
        select id, document_id, content, (row_number() over (order by distance, id))::int as rank
        from vector_hits
      ),
      text_ranked as (
        select id, document_id, content, (row_number() over (order by score desc, id))::int as rank
        from text_hits
      ),
      fused as (
        select
          coalesce(v.id, t.id) as chunk_id,
          coalesce(v.document_id, t.document_id) as document_id,
          coalesce(v.content, t.content) as content,
          coalesce(1.0::float8 / (${RRF_K} + v.rank), 0) + coalesce(1.0::float8 / (${RRF_K} + t.rank), 0) as score,
          v.rank as vector_rank,
          t.rank as text_rank
        from vector_ranked v full join text_ranked t on t.id = v.id
      )
    select chunk_id as "chunkId", document_id as "documentId", content, score,
      vector_rank as "vectorRank", text_rank as "textRank"
    from fused
    order by score desc, least(vector_rank, text_rank), chunk_id
    limit ${limit}`,
      ...restore,
    ]);
    return rowsOf<ChunkHit & Record<string, unknown>>(hits);
  } catch (error) {
    throw tooComplex(error) ?? error;
  }
}
