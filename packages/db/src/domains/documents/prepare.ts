import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Piscina } from "piscina";
import { KeyedLimiter } from "../../connection/drivers/limiter";
import type { Embedder } from "../search/embedder";
import { chunkText } from "./chunk";

/** A chunk ready to insert: its text, a word count and its embedding as a halfvec literal. */
export interface PreparedChunk {
  content: string;
  tokenCount: number;
  /** `[x,y,...]`: cast with ::halfvec; text, so large documents cost the event loop no formatting. */
  embedding: string;
}

/** Splits a document into chunks and embeds them, before any transaction opens. */
export interface DocumentPreparer {
  prepare(content: string): Promise<PreparedChunk[]>;
  close(): Promise<void>;
}

const WORD = /\S+/g;

/** Significant digits kept in a halfvec literal: float16 holds about 3.3. */
const HALFVEC_DIGITS = 5;

/** `[x,y,...]` for ::halfvec, with the precision a float16 can keep. */
export function halfvecLiteral(vector: ArrayLike<number>): string {
  let text = "[";
  for (let i = 0; i < vector.length; i++) {
    if (i > 0) text += ",";
    text += Number((vector[i] ?? 0).toPrecision(HALFVEC_DIGITS));
  }
  return `${text}]`;
}

/** Chunks, word counts and embeddings of `content` (on the calling thread). */
export async function prepareChunks(content: string, embedder: Embedder): Promise<PreparedChunk[]> {
  const chunks = chunkText(content);
  const embeddings = await embedder.embed(chunks);
  return chunks.map((text, i) => ({
    content: text,
    tokenCount: text.match(WORD)?.length ?? 0,
    embedding: halfvecLiteral(embeddings[i] ?? []),
  }));
}

/** Preparation on the calling thread: for embedders that wait on a model server, not the CPU. */
export function inlinePreparer(embedder: Embedder): DocumentPreparer {
  return { prepare: (content) => prepareChunks(content, embedder), close: async () => {} };
}

/** The Piscina queue is full: callers answer 503. */
export class PreparationBusyError extends Error {
  override readonly name = "PreparationBusyError";
}

/**
 * Chunking and HashingEmbedder embedding in worker threads (Piscina), so a large upload
 * never blocks the event loop that serves everyone else. `threads` defaults to one less than
 * the cores; at most `maxQueue` documents wait, beyond that prepare() rejects at once.
 */
export function createPreparerPool(
  options: { threads?: number; maxQueue?: number } = {},
): DocumentPreparer {
  const threads = options.threads ?? Math.max(1, availableParallelism() - 1);
  const worker = new URL("./prepare-worker.ts", import.meta.url);
  // The worker is TypeScript: it loads through tsx, as every entry of this repo does.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const pool = new Piscina({
    filename: worker.href,
    minThreads: 1,
    maxThreads: threads,
    maxQueue: options.maxQueue ?? threads * 8,
    execArgv: ["--import", tsx],
  });
  return {
    prepare: async (content) => {
      try {
        return (await pool.run(content)) as PreparedChunk[];
      } catch (error) {
        if (error instanceof Error && /queue is at limit/i.test(error.message)) {
          throw new PreparationBusyError("Too many documents are being prepared; retry shortly.", {
            cause: error,
          });
        }
        throw error;
      }
    },
    close: () => pool.destroy(),
  };
}

/**
 * At most `concurrency` document ingestions (prepare + insert) at once in this process,
 * whoever sends them: indexing a large document (thousands of HNSW insertions) is the
 * heaviest thing a request can ask of the database, and the other tenants share its cores.
 * A caller that waits longer than `waitMs` gets PreparationBusyError (503).
 */
export function createIngestGate(
  options: { concurrency?: number; waitMs?: number } = {},
): <T>(work: () => Promise<T>) => Promise<T> {
  const limiter = new KeyedLimiter(options.concurrency ?? 1);
  const waitMs = options.waitMs ?? 30_000;
  return async (work) => {
    const release = await limiter.acquire(
      "ingest",
      waitMs,
      () => new PreparationBusyError(`Other documents are being ingested; retry shortly.`),
    );
    try {
      return await work();
    } finally {
      release();
    }
  };
}
