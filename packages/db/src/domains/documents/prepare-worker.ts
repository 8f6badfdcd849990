// Piscina worker of createPreparerPool: chunk and embed one document.
import { HashingEmbedder } from "../search/embedder";
import { type PreparedChunk, prepareChunks } from "./prepare";

const embedder = new HashingEmbedder();

export default function prepare(content: string): Promise<PreparedChunk[]> {
  return prepareChunks(content, embedder);
}
