// Piscina worker of createPreparerPool: chunk and embed one document.
import { setPriority } from "node:os";
import { HashingEmbedder } from "../search/embedder";
import { PREPARER_NICE, type PreparedChunk, prepareChunks } from "./prepare";

// On Linux the nice value is per thread: this lowers this worker's priority only, so bulk
// preparation yields the cores to the threads that answer requests (and to Postgres).
try {
  setPriority(0, PREPARER_NICE);
} catch {
  // Not permitted (some containers) or not per thread: run at normal priority.
}

const embedder = new HashingEmbedder();

export default function prepare(content: string): Promise<PreparedChunk[]> {
  return prepareChunks(content, embedder);
}
